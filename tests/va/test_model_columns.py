"""``CompiledModel.parameter_column`` and ``variates``: the bulk forms of ``instance``'s checks
and draws, which the circuit generators use for arrays of devices. The reference is the
per-instance path itself (``parameter_values``, ``instance``), value by value."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import compile_model, models
from spicegen.va import CompiledModel
from spicegen.va.model import ParameterError

RANGES = """`include "disciplines.vams"
module ranged(p, n);
  inout p, n; electrical p, n;
  parameter real a = 1 from (0:10);
  parameter real b = 2*a from (0:5);         // reads a: a's column must be checked one by one
  parameter real c = 1 from (0:inf) exclude 2 exclude (3:4];
  parameter real d = 0.5 from [0:1] from [2:3);
  parameter integer k = 1 from [0:3];
  analog I(p, n) <+ (a + b + c + d + k)*V(p, n);
endmodule
"""


@pytest.fixture(scope="module")
def ranged() -> CompiledModel:
    return compile_model(RANGES)


def _scalar_verdicts(model: CompiledModel, name: str, column: list[float]) -> list[object]:
    """``parameter_values`` of each value alone: the value it takes, or the error's text."""
    verdicts: list[object] = []
    for value in column:
        try:
            verdicts.append(model.parameter_values({name: value})[name])
        except ParameterError as error:
            verdicts.append(str(error))
    return verdicts


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("c", [0.5, 1.0, 2.5, 5.0, 4.5]),  # fine: exclusions avoided
        ("c", [0.5, 2.0]),  # excluded value
        ("c", [3.5, 1.0]),  # excluded range (3:4]
        ("c", [3.0, 1.0]),  # 3 is outside the open end of the exclusion: fine
        ("c", [4.0]),  # inside the closed end: excluded
        ("d", [0.0, 1.0, 2.0, 2.5]),  # two ranges, both ends
        ("d", [1.5]),  # between the ranges
        ("d", [3.0]),  # open upper end
        ("a", [1.0, 2.0]),  # b = 2a stays inside (0:5)
        ("a", [1.0, 3.0]),  # b = 6: only the per-value path sees it
        ("k", [0, 2, 3.0]),  # integer parameter: converted
        ("c", [1.0, float("nan")]),
    ],
)
def test_column_agrees_with_the_scalar_path(
    ranged: CompiledModel, name: str, column: list[float]
) -> None:
    scalar = _scalar_verdicts(ranged, name, column)
    failures = [v for v in scalar if isinstance(v, str)]
    if failures:
        with pytest.raises(ParameterError) as info:
            ranged.parameter_column({}, name, column)
        assert str(info.value) in failures
    else:
        assert list(ranged.parameter_column({}, name, column)) == scalar


def test_column_checks_the_fixed_values_too(ranged: CompiledModel) -> None:
    with pytest.raises(ParameterError, match=r"`d` = 1\.5"):
        ranged.parameter_column({"d": 1.5}, "c", [1.0])
    with pytest.raises(ParameterError, match="no parameter 'z'"):
        ranged.parameter_column({"z": 1.0}, "c", [1.0])
    assert ranged.parameter_column({}, "c", []) == ()


def test_a_large_column_is_checked_at_once() -> None:
    rram = models.load("rram_hfo2")
    column = np.random.default_rng(0).uniform(0, 1, 100_000).tolist()
    assert rram.parameter_column({"gmax": 2e-4}, "x0", column) == tuple(column)
    column[76_543] = 1.25
    with pytest.raises(ParameterError, match=r"`x0` = 1.25 is outside its range \[0:1\]"):
        rram.parameter_column({}, "x0", column)


def test_variates_are_the_draws_instance_makes() -> None:
    rram = models.load("rram_hfo2")
    names = [f"X{k}" for k in range(5)]
    for seed in (None, 0, 12):
        draws = rram.variates(names, seed)
        for name, draw in zip(names, draws, strict=True):
            params = dict(rram.instance(name, ("a", "b"), seed=seed).params)
            assert draw == {key: params[key] for key in ("rdist0", "rdist1")}
    assert rram.variates(names, 1) != rram.variates(names, 2)
    assert models.load("mtj").variates(names) == ({},) * 5
