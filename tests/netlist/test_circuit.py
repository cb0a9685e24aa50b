"""Containers (spicegen/netlist/circuit.py): Model, Param, Option, .ic, Subckt and Circuit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from spicegen.netlist import (
    Circuit,
    InitialCondition,
    Model,
    NetlistError,
    Op,
    Option,
    Param,
    Resistor,
    Subckt,
    Tran,
    VoltageSource,
)

R1 = Resistor("R1", "a", "0", 1.0)

BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: Model("m.1", "sw"), "Model.name"),
    (lambda: Model("m1", "sw()"), "Model.kind"),
    (lambda: Model("m1", "sw", {"vt": "0.5)"}), "Model.params"),
    (lambda: Model("m1", "sw", {"vt": 1, "VT": 2}), "Model.params"),
    (lambda: Param("a b", 1), "Param.name"),
    (lambda: Param("a", "1\n.end"), "Param.value"),
    (lambda: Option("reltol=1", None), "Option.name"),
    (lambda: Option("method", "gear trap"), "Option.value"),
    (lambda: Option("method", "{gear}"), "Option.value"),
    (lambda: Option("reltol", True), "Option.value"),
    (lambda: InitialCondition("v(a)", 1.0), "InitialCondition.node"),
    (lambda: InitialCondition("a", "nan;"), "InitialCondition.value"),
    (lambda: Subckt("sub", ("a", "A")), "Subckt.ports"),
    (lambda: Subckt("sub", "ab"), "Subckt.ports"),
    (lambda: Subckt("sub", ("a",), params={"r": "1\n"}), "Subckt.params"),
    (
        lambda: Subckt("sub", ("a",), elements=(R1, Resistor("r1", "a", "b", 2.0))),
        "Subckt.elements",
    ),
    (lambda: Subckt("sub", ("a",), elements=(Param("x", 1),)), "Subckt.elements"),
    (lambda: Subckt("sub", ("a",), models=(Model("m", "sw"), Model("M", "csw"))), "Subckt.models"),
    (lambda: Subckt("s", (), subckts=(Subckt("a", ()), Subckt("A", ()))), "Subckt.subckts"),
    (
        lambda: Subckt("s", (), param_statements=(Param("x", 1), Param("X", 2))),
        "Subckt.param_statements",
    ),
    (lambda: Circuit("t\n.control"), "Circuit.title"),
    (lambda: Circuit(".include x"), "Circuit.title"),
    (lambda: Circuit("t", elements=(R1, R1)), "Circuit.elements"),
    (lambda: Circuit("t", elements=R1), "Circuit.elements"),  # type: ignore[arg-type]
    (lambda: Circuit("t", subckts=(Subckt("s", ()), Subckt("S", ()))), "Circuit.subckts"),
    (lambda: Circuit("t", models=(Model("m", "sw"), Model("m", "sw"))), "Circuit.models"),
    (lambda: Circuit("t", params=(Param("a", 1), Param("A", 2))), "Circuit.params"),
    (lambda: Circuit("t", params=(("a", 1),)), "Circuit.params"),  # type: ignore[arg-type]
    (lambda: Circuit("t", options=(Option("klu"), Option("KLU"))), "Circuit.options"),
    (lambda: Circuit("t", analyses=("op",)), "Circuit.analyses"),  # type: ignore[arg-type]
    (
        lambda: Circuit(
            "t", initial_conditions=(InitialCondition("a", 1), InitialCondition("a", 2))
        ),
        "Circuit.initial_conditions",
    ),
    (lambda: Circuit("t", includes="x.lib"), "Circuit.includes"),  # type: ignore[arg-type]
    (lambda: Circuit("t", includes=('x".lib',)), "Circuit.includes"),
    (lambda: Circuit("t", saves=("v(a) ; x",)), "Circuit.saves"),
]


@pytest.mark.parametrize(("build", "field"), BAD)
def test_each_bad_field_raises_netlist_error_naming_it(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(NetlistError) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_duplicate_element_names_ignore_case_and_name_the_culprit() -> None:
    with pytest.raises(NetlistError, match="duplicate element name") as caught:
        Circuit("t", elements=(R1, Resistor("R2", "a", "0", 1.0), Resistor("r1", "b", "0", 1.0)))
    assert "'r1'" in str(caught.value)


def test_same_element_name_in_different_scopes_is_fine() -> None:
    sub = Subckt("sub", ("a",), elements=(R1,))
    assert Circuit("t", elements=(R1,), subckts=(sub,)).subckts == (sub,)


def test_lists_and_paths_are_normalised_to_tuples_of_str() -> None:
    circuit = Circuit(
        "t",
        elements=[R1],
        analyses=[Op()],
        includes=[Path("models") / "mtj.lib"],
        saves=["v(a)"],
    )
    assert circuit.elements == (R1,)
    assert circuit.analyses == (Op(),)
    assert circuit.includes == (str(Path("models") / "mtj.lib"),)
    assert circuit.saves == ("v(a)",)


def test_with_analyses_replaces_the_analyses_only() -> None:
    circuit = Circuit("t", elements=(R1, VoltageSource("V1", "a", "0")), analyses=(Op(),))
    changed = circuit.with_analyses(Tran(1e-9, 1e-6))
    assert changed.analyses == (Tran(1e-9, 1e-6),)
    assert changed.elements == circuit.elements
    assert circuit.analyses == (Op(),)


def test_option_values_are_words_or_numbers() -> None:
    assert Option("method", "gear").value == "gear"
    assert Option("reltol", "1e-4").value == "1e-4"
    assert Option("seed", 42).value == 42
    assert Option("klu").value is None


def test_model_vector_params() -> None:
    model = Model("shape", "pwl", {"x_array": [-1, 0, 1], "y_array": (-2.0, 0, "{g}")})
    assert model.params == (("x_array", (-1, 0, 1)), ("y_array", (-2.0, 0, "{g}")))
