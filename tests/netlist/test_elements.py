"""Elements and waveforms (spicegen/netlist/elements.py, waveforms.py): checks on construction."""

from __future__ import annotations

import dataclasses
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.netlist import (
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    CSwitch,
    CurrentSource,
    Exp,
    Inductor,
    Mosfet,
    NetlistError,
    Pulse,
    Pwl,
    Resistor,
    Sine,
    SubcktInstance,
    TrNoise,
    TrRandom,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
)

GOOD: list[Callable[[], object]] = [
    lambda: Resistor("R1", "a", "0", 1e3),
    lambda: Resistor("r_x", "a", "b", "rp*(1+tmr)", {"m": 2, "TEMP": 30}),
    lambda: Capacitor("C1", "a", "0", "1p", ic=0.5, params=(("m", 2),)),
    lambda: Inductor("L1", "a", "b", 1e-6, ic="1m", params={"nt": 1}),
    lambda: VoltageSource("V1", "a", "0", dc=1.0, ac=1, waveform=Sine(0, 1, 1e6)),
    lambda: VoltageSource("Vx", "a", "0", external=True),
    lambda: CurrentSource("I1", "a", "0", dc="1m", waveform=Pwl([(0, 0), (1e-9, 1e-3)])),
    lambda: BSource("B1", "a", "0", "v", "v(b)*2"),
    lambda: BSource("B2", "a", "0", "i", 1e-3),
    lambda: Vcvs("E1", "a", "0", "b", "0", 2),
    lambda: Vccs("G1", "a", "0", "b", "0", "gm"),
    lambda: Cccs("F1", "a", "0", "Vsense", 2),
    lambda: Ccvs("H1", "a", "0", "vsense", 50),
    lambda: SubcktInstance("X1", ("a", "b"), "mtj", {"tmr": 1.5}),
    lambda: SubcktInstance("X2", [], "noports"),
    lambda: VSwitch("S1", "a", "0", "c", "0", "swm", "on"),
    lambda: CSwitch("W1", "a", "0", "V1", "cswm"),
    lambda: XspiceInstance("A1", (("a", "b"), "c"), "adc"),
    lambda: Mosfet("M1", "d", "g", "s", "0", "n130", {"w": 4e-7, "l": "lmin"}),
]

# (constructor with one bad field, the field the error must name)
BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: Resistor("C1", "a", "0", 1.0), "Resistor.name"),
    (lambda: Resistor("R1", "a.b", "0", 1.0), "Resistor.p"),
    (lambda: Resistor("R1", "a", None, 1.0), "Resistor.n"),  # type: ignore[arg-type]
    (lambda: Resistor("R1", "a", "0", math.nan), "Resistor.value"),
    (lambda: Resistor("R1", "a", "0", "1k\n.control"), "Resistor.value"),
    (lambda: Resistor("R1", "a", "0", 1.0, {"ic": 1}), "Resistor.params"),
    (lambda: Capacitor("C1", "a", "0", 1e-12, ic=math.inf), "Capacitor.ic"),
    (lambda: Capacitor("C1", "a", "0", True), "Capacitor.value"),  # type: ignore[arg-type]
    (lambda: Inductor("L1", "a", "0", "1u", params={"w": 1}), "Inductor.params"),
    (lambda: VoltageSource("V1", "a", "0", dc="x;y"), "VoltageSource.dc"),
    (lambda: VoltageSource("V1", "a", "0", ac=math.nan), "VoltageSource.ac"),
    (lambda: VoltageSource("V1", "a", "0", waveform="sin(0 1 1k)"), "VoltageSource.waveform"),  # type: ignore[arg-type]
    (lambda: VoltageSource("V1", "a", "0", dc=1.0, external=True), "VoltageSource.external"),
    (lambda: VoltageSource("V1", "a", "0", ac=1, external=True), "VoltageSource.external"),
    (lambda: VoltageSource("V1", "a", "0", external=1), "VoltageSource.external"),  # type: ignore[arg-type]
    (lambda: CurrentSource("V1", "a", "0"), "CurrentSource.name"),
    (
        lambda: CurrentSource("I1", "a", "0", waveform=Sine(0, 1, 1), external=True),
        "CurrentSource.external",
    ),
    (lambda: BSource("B1", "a", "0", "x", "1"), "BSource.kind"),  # type: ignore[arg-type]
    (lambda: BSource("B1", "a", "0", "V", "1"), "BSource.kind"),  # type: ignore[arg-type]
    (lambda: BSource("B1", "a", "0", "v", "v(a) % 2"), "BSource.expression"),
    (lambda: BSource("B1", "a", "0", "v", "v(a)\n.endc"), "BSource.expression"),
    (lambda: Vcvs("E1", "a", "0", "b c", "0", 1), "Vcvs.cp"),
    (lambda: Vccs("G1", "a", "0", "b", "0", None), "Vccs.gain"),  # type: ignore[arg-type]
    (lambda: Cccs("F1", "a", "0", "R1", 1), "Cccs.vsource"),
    (lambda: Ccvs("H1", "a", "0", "V1", "$1"), "Ccvs.gain"),
    (lambda: SubcktInstance("X1", "ab", "sub"), "SubcktInstance.nodes"),
    (lambda: SubcktInstance("X1", ("a", "b\n"), "sub"), "SubcktInstance.nodes"),
    (lambda: SubcktInstance("X1", ("a",), "sub.x"), "SubcktInstance.subckt"),
    (lambda: SubcktInstance("X1", ("a",), "sub", {"1a": 2}), "SubcktInstance.params"),
    (lambda: SubcktInstance("X1", ("a",), "sub", {"a": "1;"}), "SubcktInstance.params"),
    (lambda: VSwitch("S1", "a", "0", "c", "0", "swm", "ON"), "VSwitch.initial"),  # type: ignore[arg-type]
    (lambda: VSwitch("S1", "a", "0", "c", "0", "sw m"), "VSwitch.model"),
    (lambda: CSwitch("W1", "a", "0", "I1", "cswm"), "CSwitch.vsource"),
    (lambda: XspiceInstance("A1", (), "adc"), "XspiceInstance.connections"),
    (lambda: XspiceInstance("A1", ("a", ()), "adc"), "XspiceInstance.connections"),
    (lambda: XspiceInstance("A1", ("a", ("b", "[c")), "adc"), "XspiceInstance.connections"),
    (lambda: XspiceInstance("A1", "ab", "adc"), "XspiceInstance.connections"),
    (lambda: XspiceInstance("A1", ("a",), ""), "XspiceInstance.model"),
    (lambda: Mosfet("Q1", "d", "g", "s", "0", "n130"), "Mosfet.name"),
    (lambda: Mosfet("M1", "d", "g g", "s", "0", "n130"), "Mosfet.g"),
    (lambda: Mosfet("M1", "d", "g", "s", "0", "n 130"), "Mosfet.model"),
    (lambda: Mosfet("M1", "d", "g", "s", "0", "n130", {"w": "1;"}), "Mosfet.params"),
    (lambda: Pulse(0, 1, -1e-9, 0, 0, 1e-9, 1e-8), "Pulse.delay"),
    (lambda: Pulse(0, 1, 0, 0, 0, 1e-9, 0), "Pulse.period"),
    (lambda: Sine(0, 1, -1.0), "Sine.frequency"),
    (lambda: Pwl(()), "Pwl.points"),
    (lambda: Pwl(((0, 0), (2e-9, 1), (1e-9, 0))), "Pwl.points"),
    (lambda: Pwl(((0, 0), (0, 1))), "Pwl.points"),
    (lambda: Pwl(((0, 0, 1),)), "Pwl.points"),  # type: ignore[arg-type]
    (lambda: Pwl(((0, "x\n"),)), "Pwl.points"),
    (lambda: Exp(0, 1, 0, 0, 0, 1e-9), "Exp.rise_tau"),
    (lambda: TrNoise(-1e-3, 1e-9), "TrNoise.rms"),
    (lambda: TrRandom("normal", 1e-9), "TrRandom.kind"),  # type: ignore[arg-type]
    (lambda: TrRandom("uniform", 0), "TrRandom.step"),
]


@pytest.mark.parametrize("build", GOOD)
def test_valid_elements_construct_and_compare_by_value(build: Callable[[], object]) -> None:
    first, second = build(), build()
    assert first == second
    assert hash(first) == hash(second)
    assert pickle.loads(pickle.dumps(first)) == first


@pytest.mark.parametrize(("build", "field"), BAD)
def test_each_bad_field_raises_netlist_error_naming_it(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(NetlistError) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_error_shows_the_offending_value_and_where_it_was_made() -> None:
    with pytest.raises(NetlistError) as caught:
        Resistor("R1", "a", "0", "1k\n.control")
    message = str(caught.value)
    assert "'1k\\n.control'" in message
    assert caught.value.location is not None
    assert caught.value.location.startswith(__file__ + ":")
    assert f"(at {caught.value.location})" in message


def test_netlist_error_survives_pickling() -> None:
    with pytest.raises(NetlistError) as caught:
        Resistor("R1", "a", "0", math.inf)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (str(copy), copy.field, copy.location) == (
        str(caught.value),
        caught.value.field,
        caught.value.location,
    )


def test_elements_are_frozen() -> None:
    resistor = Resistor("R1", "a", "0", 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        resistor.value = 2.0  # type: ignore[misc]
    assert not hasattr(resistor, "__dict__")  # slots: no per-instance dict


def test_replace_rechecks_the_hand_written_constructors() -> None:
    resistor = Resistor("R1", "a", "0", 1.0)
    assert dataclasses.replace(resistor, value="2k").value == "2k"
    with pytest.raises(NetlistError) as caught:
        dataclasses.replace(resistor, n="b;c")
    assert caught.value.field == "Resistor.n"
    instance = SubcktInstance("X1", ("a",), "sub")
    assert dataclasses.replace(instance, nodes=["b", "c"]).nodes == ("b", "c")


def test_numpy_values_and_lists_are_normalised() -> None:
    resistor = Resistor("R1", "a", "0", np.float64(2.5e3))
    assert type(resistor.value) is float
    assert resistor == Resistor("R1", "a", "0", 2.5e3)
    pwl = Pwl(np.array([[0.0, 0.0], [1e-9, 1.0]]))  # type: ignore[arg-type]
    assert pwl.points == ((0.0, 0.0), (1e-9, 1.0))
    assert all(type(v) is float for point in pwl.points for v in point)
    instance = XspiceInstance("A1", [["a", "b"], "c"], "adc")  # type: ignore[list-item]
    assert instance.connections == (("a", "b"), "c")


def test_params_from_a_dict_equal_params_from_pairs() -> None:
    assert Resistor("R1", "a", "0", 1.0, {"m": 2, "temp": 30}) == Resistor(
        "R1", "a", "0", 1.0, (("m", 2), ("temp", 30))
    )


def test_expression_times_in_pwl_skip_the_ordering_check() -> None:
    pwl = Pwl(((0, 0), ("tstart", 1), (1e-9, 0)))
    assert pwl.points[1] == ("tstart", 1)


@given(
    st.from_regex(r"[Rr][A-Za-z0-9_]{0,10}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_]{1,10}", fullmatch=True),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_valid_fields_never_raise(name: str, node: str, value: float) -> None:
    resistor = Resistor(name, node, "0", value)
    assert (resistor.name, resistor.p, resistor.value) == (name, node, value)


@pytest.mark.parametrize(
    "build",
    [
        lambda params: Resistor("R1", "a", "0", 1.0, params),
        lambda params: Capacitor("C1", "a", "0", 1.0, params=params),
        lambda params: Inductor("L1", "a", "0", 1.0, params=params),
        lambda params: SubcktInstance("X1", ("a",), "sub", params),
    ],
)
def test_empty_params_normalise_to_a_tuple_and_none_is_refused(
    build: Callable[[object], Any],
) -> None:
    assert build({}).params == ()
    assert build([]).params == ()
    with pytest.raises(NetlistError) as caught:
        build(None)
    assert caught.value.field.endswith(".params")
