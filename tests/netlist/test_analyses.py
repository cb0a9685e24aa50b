"""Analyses (spicegen/netlist/analyses.py): numbers in SI units, checked on construction."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from spicegen.netlist import Ac, Dc, NetlistError, Op, Tran, analysis_card

BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: Dc("R1", 0, 1, 0.1), "Dc.source"),
    (lambda: Dc("V1", 0, 1, 0), "Dc.step"),
    (lambda: Dc("V1", 0, 1, -0.1), "Dc.step"),
    (lambda: Dc("V1", 1, 0, 0.1), "Dc.step"),
    (lambda: Dc("V1", "0", 1, 0.1), "Dc.start"),
    (lambda: Dc("V1", 0, math.inf, 0.1), "Dc.stop"),
    (lambda: Tran(0, 1e-6), "Tran.step"),
    (lambda: Tran(-1e-9, 1e-6), "Tran.step"),
    (lambda: Tran(1e-9, 1e-6, start=1e-6), "Tran.stop"),
    (lambda: Tran(1e-9, 1e-6, start=-1e-9), "Tran.start"),
    (lambda: Tran(1e-9, 1e-6, max_step=0), "Tran.max_step"),
    (lambda: Tran(1e-9, "1u"), "Tran.stop"),
    (lambda: Tran(1e-9, 1e-6, uic=1), "Tran.uic"),
    (lambda: Tran(math.nan, 1e-6), "Tran.step"),
    (lambda: Ac("log", 10, 1, 1e6), "Ac.variation"),
    (lambda: Ac("dec", 0, 1, 1e6), "Ac.points"),
    (lambda: Ac("dec", 2.5, 1, 1e6), "Ac.points"),
    (lambda: Ac("dec", True, 1, 1e6), "Ac.points"),
    (lambda: Ac("dec", 10, 0, 1e6), "Ac.fstart"),
    (lambda: Ac("dec", 10, 1e6, 1e6), "Ac.fstop"),
]


@pytest.mark.parametrize(("build", "field"), BAD)
def test_each_bad_field_raises_netlist_error_naming_it(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(NetlistError) as caught:
        build()
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("analysis", "card"),
    [
        (Op(), ".op"),
        (Dc("V1", 0.0, 2.0, 0.25), ".dc V1 0.0 2.0 0.25"),
        (Dc("I1", 1e-3, 0, -1e-4), ".dc I1 0.001 0 -0.0001"),
        (Tran(1e-9, 1e-6), ".tran 1e-09 1e-06"),
        (Tran(1e-9, 1e-6, uic=True), ".tran 1e-09 1e-06 uic"),
        (Tran(1e-9, 1e-6, start=5e-7), ".tran 1e-09 1e-06 5e-07"),
        (Tran(1e-9, 1e-6, max_step=1e-10), ".tran 1e-09 1e-06 0.0 1e-10"),
        (Tran(1e-9, 1e-6, 2e-7, 1e-10, True), ".tran 1e-09 1e-06 2e-07 1e-10 uic"),
        (Ac("dec", 10, 1.0, 1e9), ".ac dec 10 1.0 1000000000.0"),
        (Ac("oct", np.int64(3), 1e3, 1e4), ".ac oct 3 1000.0 10000.0"),
        (Ac("lin", 1, 50, 60), ".ac lin 1 50 60"),
    ],
)
def test_analysis_cards(analysis: object, card: str) -> None:
    assert analysis_card(analysis) == card  # type: ignore[arg-type]


def test_analyses_compare_by_value() -> None:
    assert Tran(1e-9, 1e-6) == Tran(step=1e-9, stop=1e-6, start=0.0)
    assert hash(Op()) == hash(Op())
    assert Tran(np.float64(1e-9), 1e-6).step.__class__ is float
