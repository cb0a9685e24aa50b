"""A chain of single-use shared nodes compiles in time linear in its length: each expression is
checked once, with its final text (``arrangements.inline_single_use``), and the inlined chain
simulates to its closed form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import (
    BSource,
    Circuit,
    Dc,
    SubcktInstance,
    VoltageSource,
    subckt_text,
    validate,
)
from spicegen.va.compile import compile_va

# 11 terms of 1e-6..11e-6 * V(p, n): each step's value is longer than SHARE_ABOVE, so every
# assignment makes a shared node, read once by the next one
_TERMS = " + ".join(f"{k}e-6*V(p, n)" for k in range(1, 12))
_STEP_GAIN = 66e-6  # sum of the coefficients above


def chain_model(length: int) -> str:
    """``y = V(p, n)``, then ``length`` times ``y = y + (11 terms of V(p, n))``, then
    ``I(p, n) <+ 1m*y``: a conductance of 1 mS * (1 + 66e-6 * length)."""
    steps = "\n    ".join(f"y = y + {_TERMS};" for _ in range(length))
    return f"""`include "disciplines.vams"
module chain(p, n);
  inout p, n; electrical p, n;
  real y;
  analog begin
    y = V(p, n);
    {steps}
    I(p, n) <+ 1m*y;
  end
endmodule
"""


class _CountingParser:
    """The netlist expression parser, counting the characters it is given."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.characters = 0

    def parse(self, text: str, *args: Any, **kwargs: Any) -> Any:
        self.characters += len(text)
        return self.parser.parse(text, *args, **kwargs)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[_CountingParser]:
    counter = _CountingParser(validate._parser())
    monkeypatch.setattr(validate, "_parser", lambda: counter)
    validate._classify.cache_clear()  # every expression is parsed afresh, none remembered
    yield counter
    validate._classify.cache_clear()


def _parsed_characters(counter: _CountingParser, length: int) -> tuple[int, int]:
    """(characters the netlist grammar parsed, characters of expressions in the result)."""
    before = counter.characters
    subckt = compile_va(chain_model(length), filename="chain.va")
    written = sum(len(str(e.expression)) for e in subckt.elements if isinstance(e, BSource))
    return counter.characters - before, written


def test_a_chain_is_checked_once_so_its_cost_grows_linearly(counting: _CountingParser) -> None:
    short, short_written = _parsed_characters(counting, 10)
    long, long_written = _parsed_characters(counting, 40)
    # each character of the result is parsed about once (plus the short text each branch
    # source had before its reads were inlined); rebuilding the reader per inlined node
    # parsed sum_k k/N of the final text, about N/2 times it (20x at N = 40)
    assert long <= 1.5 * long_written
    assert short <= 1.5 * short_written
    # 4x the chain, 4x the characters (quadratic growth would give 16x)
    assert long / short < 4.5


def test_an_inlined_chain_simulates_to_its_closed_form() -> None:
    length = 60
    subckt = compile_va(chain_model(length), filename="chain.va")
    # every shared node is read once, so the whole chain is inlined into the branch source
    assert [e.name for e in subckt.elements] == ["Bi_p_n"]
    assert subckt_text(subckt).count("(1.1e-05 * v(p,n))") == length
    circuit = Circuit(
        "inlined chain",
        elements=(
            VoltageSource("V1", "p", "0", 0.0),
            SubcktInstance("X1", ("p", "0"), subckt.name, {}),
        ),
        subckts=(subckt,),
    )
    waves = simulate(circuit, Dc("V1", -1.0, 1.0, 0.5)).waveforms
    volts, amps = waves.v("p"), -waves.i("V1")
    # a linear B-source: Newton lands on the exact current; float rounding only. One lost or
    # doubled step would be off by 66e-6 relative
    np.testing.assert_allclose(amps, 1e-3 * (1 + _STEP_GAIN * length) * volts, rtol=1e-9)
