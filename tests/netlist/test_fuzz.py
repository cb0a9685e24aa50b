"""Injection fuzzing of every name and value field, and round-trip properties of the writer.

A field given arbitrary text either raises NetlistError naming that field, or the deck keeps
exactly the shape it has with a harmless value: same number of lines, the same dot-cards in the
same places, no comment or continuation lines, and the text written unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicegen.netlist import (
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    Circuit,
    CSwitch,
    CurrentSource,
    Dc,
    Exp,
    Inductor,
    InitialCondition,
    Model,
    NetlistError,
    Option,
    Param,
    Pulse,
    Pwl,
    Resistor,
    Sine,
    Subckt,
    SubcktInstance,
    TrNoise,
    TrRandom,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
    to_ngspice,
)
from spicegen.netlist.validate import expression_body

NASTY = [
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u2028",
    "\x00",
    "\t",
    " ",
    ";",
    "$",
    "*",
    "!",
    "+",
    "=",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    '"',
    "'",
    "µ",
    "\n.control\nshell rm -rf /\n.endc\n",
    ".control",
    ".endc",
    ".shell ls",
    ".end",
    ".include /etc/passwd",
    "\n* comment",
    "\n+ continued",
    " ; comment",
    " $ comment",
    "1k\n",
    "{a}\n{b}",
]
SAFE = st.text(alphabet="abcxyzRCLVIBEGFHXSWA0123456789_", max_size=6)


def fuzz_text(prefix: str) -> st.SearchStrategy[str]:
    """Arbitrary text, known-nasty fragments, and nasty fragments inside a plausible token."""
    embedded = st.builds(
        lambda a, nasty, b: prefix + a + nasty + b,
        SAFE,
        st.one_of(st.sampled_from(NASTY), st.text(max_size=3)),
        SAFE,
    )
    return st.one_of(st.text(max_size=20), st.sampled_from(NASTY), embedded)


R = Resistor("R1", "a", "0", 1.0)
V = VoltageSource("Vs", "a", "0", dc=1.0)


def deck(*elements: Any, **sections: Any) -> Circuit:
    return Circuit("fuzz", elements=(R, V, *elements), **sections)


def name(text: str) -> str:
    return text


def value(text: str) -> str:
    return expression_body(text)


# field the error must name -> (prefix for plausible tokens, build(text), harmless text, fragment)
Field = tuple[str, str, Callable[[Any], Circuit], str, Callable[[str], str]]
FIELDS: list[Field] = [
    ("Circuit.title", "", lambda t: Circuit(t, elements=(R,)), "fuzz", name),
    ("Resistor.name", "R", lambda t: deck(Resistor(t, "b", "0", 1.0)), "R2", name),
    ("Resistor.p", "", lambda t: deck(Resistor("R2", t, "0", 1.0)), "b", name),
    ("Resistor.n", "", lambda t: deck(Resistor("R2", "b", t, 1.0)), "b", name),
    ("Resistor.value", "1", lambda t: deck(Resistor("R2", "b", "0", t)), "1k", value),
    ("Capacitor.value", "", lambda t: deck(Capacitor("C1", "b", "0", t)), "1p", value),
    ("Capacitor.ic", "", lambda t: deck(Capacitor("C1", "b", "0", 1.0, ic=t)), "0.5", value),
    ("Inductor.value", "", lambda t: deck(Inductor("L1", "b", "0", t)), "1u", value),
    ("Inductor.ic", "", lambda t: deck(Inductor("L1", "b", "0", 1.0, ic=t)), "i0", value),
    ("VoltageSource.name", "V", lambda t: deck(VoltageSource(t, "b", "0")), "V2", name),
    ("VoltageSource.dc", "", lambda t: deck(VoltageSource("V2", "b", "0", dc=t)), "1", value),
    ("VoltageSource.ac", "", lambda t: deck(VoltageSource("V2", "b", "0", ac=t)), "1", value),
    ("CurrentSource.dc", "", lambda t: deck(CurrentSource("I2", "b", "0", dc=t)), "1m", value),
    (
        "Pulse.v2",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=Pulse(0, t, 0, 0, 0, 1, 2))),
        "vdd",
        value,
    ),
    (
        "Sine.amplitude",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=Sine(0, t, 1e6))),
        "1",
        value,
    ),
    (
        "Pwl.points",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=Pwl(((0, 0), (1, t))))),
        "1",
        value,
    ),
    (
        "Exp.v1",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=Exp(t, 1, 0, 1, 2, 1))),
        "0",
        value,
    ),
    (
        "TrNoise.rms",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=TrNoise(t, 1e-9))),
        "1m",
        value,
    ),
    (
        "TrRandom.param1",
        "",
        lambda t: deck(VoltageSource("V2", "b", "0", waveform=TrRandom("uniform", 1, 0, t))),
        "1",
        value,
    ),
    ("BSource.name", "B", lambda t: deck(BSource(t, "b", "0", "v", "v(a)")), "B1", name),
    (
        "BSource.expression",
        "",
        lambda t: deck(BSource("B1", "b", "0", "i", t)),
        "v(a)*2",
        value,
    ),
    ("Vcvs.cp", "", lambda t: deck(Vcvs("E1", "b", "0", t, "0", 2)), "a", name),
    ("Vcvs.gain", "", lambda t: deck(Vcvs("E1", "b", "0", "a", "0", t)), "2", value),
    ("Vccs.cn", "", lambda t: deck(Vccs("G1", "b", "0", "a", t, 2)), "0", name),
    ("Cccs.vsource", "V", lambda t: deck(Cccs("F1", "b", "0", t, 2)), "Vs", name),
    ("Ccvs.gain", "", lambda t: deck(Ccvs("H1", "b", "0", "Vs", t)), "50", value),
    (
        "SubcktInstance.name",
        "X",
        lambda t: deck(SubcktInstance(t, ("b",), "sub"), subckts=(SUB,)),
        "X1",
        name,
    ),
    (
        "SubcktInstance.nodes",
        "",
        lambda t: deck(SubcktInstance("X1", (t,), "sub"), subckts=(SUB,)),
        "b",
        name,
    ),
    (
        "SubcktInstance.subckt",
        "",
        lambda t: deck(SubcktInstance("X1", ("b",), t), subckts=(SUB,)),
        "sub",
        name,
    ),
    (
        "SubcktInstance.params",
        "",
        lambda t: deck(SubcktInstance("X1", ("b",), "sub", {t: 1}), subckts=(SUB,)),
        "r",
        name,
    ),
    (
        "SubcktInstance.params",
        "",
        lambda t: deck(SubcktInstance("X1", ("b",), "sub", {"r": t}), subckts=(SUB,)),
        "2k",
        value,
    ),
    ("VSwitch.model", "", lambda t: deck(VSwitch("S1", "b", "0", "a", "0", t)), "swm", name),
    ("VSwitch.cp", "", lambda t: deck(VSwitch("S1", "b", "0", t, "0", "swm")), "a", name),
    ("CSwitch.vsource", "V", lambda t: deck(CSwitch("W1", "b", "0", t, "cswm")), "Vs", name),
    (
        "XspiceInstance.connections",
        "",
        lambda t: deck(XspiceInstance("A1", (t, "b"), "m")),
        "a",
        name,
    ),
    (
        "XspiceInstance.connections",
        "",
        lambda t: deck(XspiceInstance("A1", (("a", t), "b"), "m")),
        "c",
        name,
    ),
    ("XspiceInstance.model", "", lambda t: deck(XspiceInstance("A1", ("a",), t)), "m", name),
    ("Model.name", "", lambda t: deck(models=(Model(t, "sw"),)), "swm", name),
    ("Model.kind", "", lambda t: deck(models=(Model("m", t),)), "sw", name),
    ("Model.params", "", lambda t: deck(models=(Model("m", "sw", {t: 1}),)), "vt", name),
    ("Model.params", "", lambda t: deck(models=(Model("m", "sw", {"vt": t}),)), "0.5", value),
    (
        "Model.params",
        "",
        lambda t: deck(models=(Model("m", "pwl", {"x_array": (0, t)}),)),
        "1",
        value,
    ),
    ("Param.name", "", lambda t: deck(params=(Param(t, 1),)), "p", name),
    ("Param.value", "", lambda t: deck(params=(Param("p", t),)), "a*2", value),
    ("Option.name", "", lambda t: deck(options=(Option(t),)), "klu", name),
    ("Option.value", "", lambda t: deck(options=(Option("method", t),)), "gear", name),
    (
        "InitialCondition.node",
        "",
        lambda t: deck(initial_conditions=(InitialCondition(t, 0.5),)),
        "a",
        name,
    ),
    (
        "InitialCondition.value",
        "",
        lambda t: deck(initial_conditions=(InitialCondition("a", t),)),
        "0.5",
        value,
    ),
    ("Circuit.includes", "", lambda t: deck(includes=(t,)), "lib.sp", lambda t: f'"{t}"'),
    ("Circuit.saves", "", lambda t: deck(saves=(t,)), "v(a)", name),
    ("Subckt.name", "", lambda t: deck(subckts=(Subckt(t, ("p",)),)), "sub", name),
    ("Subckt.ports", "", lambda t: deck(subckts=(Subckt("sub", (t,)),)), "p", name),
    (
        "Subckt.params",
        "",
        lambda t: deck(subckts=(Subckt("sub", ("p",), params={"r": t}),)),
        "1k",
        value,
    ),
    (
        "Dc.source",
        "V",
        lambda t: deck(analyses=(Dc(t, 0, 1, 0.5),)),
        "Vs",
        name,
    ),
]
SUB = Subckt("sub", ("p",), params={"r": 1e3}, elements=(Resistor("R1", "p", "0", "r"),))

# A line may only start with one of these (elements) or be one of the writer's own dot-cards.
ELEMENT_LETTERS = tuple("RCLVIBEGFHXSWAWrclvibegfhxswa")


def check_deck_shape(text: str, baseline: str, fragment: str, field: str) -> None:
    lines = text.splitlines()
    expected = baseline.splitlines()
    assert text.split("\n") == [*lines, ""], "a line break other than \\n was written"
    assert len(lines) == len(expected)
    for line, reference in zip(lines[1:], expected[1:], strict=True):
        assert line and line == line.strip(" \t")
        assert ";" not in line and "$" not in line
        if reference.startswith("."):
            assert line.split()[0].lower() == reference.split()[0].lower()
        else:
            assert line.startswith(ELEMENT_LETTERS)
    if field == "Circuit.title":
        assert lines[0] == fragment
    assert fragment in text


@pytest.mark.parametrize(
    ("field", "prefix", "build", "harmless", "fragment"),
    FIELDS,
    ids=[f"{field[0]}-{index}" for index, field in enumerate(FIELDS)],
)
def test_harmless_values_build(
    field: str, prefix: str, build: Callable[[Any], Circuit], harmless: str, fragment: Any
) -> None:
    text = to_ngspice(build(harmless))
    assert fragment(harmless) in text


@pytest.mark.parametrize(
    ("field", "prefix", "build", "harmless", "fragment"),
    FIELDS,
    ids=[f"{field[0]}-{index}" for index, field in enumerate(FIELDS)],
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_text_in_any_field_is_rejected_or_written_as_one_token(
    field: str,
    prefix: str,
    build: Callable[[Any], Circuit],
    harmless: str,
    fragment: Callable[[str], str],
    data: st.DataObject,
) -> None:
    text = data.draw(fuzz_text(prefix), label="text")
    baseline = to_ngspice(build(harmless))
    try:
        circuit = build(text)
    except NetlistError as err:
        # a drawn name equal (ngspice ignores case) to one of the deck's own is a duplicate
        assert err.field == field or "duplicate element name" in str(err)
        return
    check_deck_shape(to_ngspice(circuit), baseline, fragment(text), field)


# -- round trips ---------------------------------------------------------------------------------
identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
nodes = st.from_regex(r"[A-Za-z0-9_]{1,6}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def circuits(draw: st.DrawFn) -> tuple[Circuit, list[tuple[Any, ...]]]:
    """A circuit of R, C and V elements with unique names, and the raw data it was built from."""
    suffixes = draw(st.lists(identifiers, max_size=20, unique_by=str.lower))
    rows = []
    for suffix in suffixes:
        kind = draw(st.sampled_from([Resistor, Capacitor, VoltageSource]))
        rows.append((kind, suffix, draw(nodes), draw(nodes), draw(finite)))
    params = draw(
        st.lists(st.tuples(identifiers, finite), max_size=5, unique_by=lambda p: p[0].lower())
    )
    return build_circuit(rows, params), rows + params


def build_circuit(rows: list[tuple[Any, ...]], params: list[tuple[str, float]]) -> Circuit:
    elements = []
    for kind, suffix, p, n, number in rows:
        letter = {Resistor: "R", Capacitor: "C", VoltageSource: "V"}[kind]
        if kind is VoltageSource:
            elements.append(VoltageSource(letter + suffix, p, n, dc=number))
        else:
            elements.append(kind(letter + suffix, p, n, number))
    return Circuit("round trip", elements=elements, params=[Param(k, v) for k, v in params])


@settings(max_examples=150, deadline=None)
@given(circuits())
def test_valid_circuits_write_byte_identical_decks(built: tuple[Circuit, Any]) -> None:
    circuit, _ = built
    first = to_ngspice(circuit)
    assert to_ngspice(circuit) == first
    rebuilt = Circuit(circuit.title, elements=list(circuit.elements), params=list(circuit.params))
    assert rebuilt == circuit
    assert to_ngspice(rebuilt) == first
    element_lines = first.splitlines()[1 + len(circuit.params) : -1]
    assert len(element_lines) == len(circuit.elements)
    for line, element in zip(element_lines, circuit.elements, strict=True):
        words = line.split()
        number = element.dc if isinstance(element, VoltageSource) else element.value
        assert words[:3] == [element.name, element.p, element.n]
        assert float(words[-1]) == number
