"""The writer (spicegen/netlist/writer.py): exact cards, deck layout, and ngspice reading them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.netlist import (
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    Circuit,
    CSwitch,
    CurrentSource,
    Exp,
    Inductor,
    InitialCondition,
    Model,
    Mosfet,
    Op,
    Option,
    Param,
    Pulse,
    Pwl,
    Resistor,
    Sine,
    Subckt,
    SubcktInstance,
    Tran,
    TrNoise,
    TrRandom,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
    element_card,
    model_card,
    subckt_text,
    to_ngspice,
    write_ngspice,
)
from tests.netlist.conftest import op_voltages, run_batch
from tests.netlist.golden_cases import CIRCUITS

CARDS = [
    (Resistor("R1", "a", "0", 1e3), "R1 a 0 1000.0"),
    (Resistor("R1", "a", "0", 1e-12), "R1 a 0 1e-12"),
    (Resistor("R1", "a", "0", np.float64(1e-12)), "R1 a 0 1e-12"),
    (Resistor("R1", "a", "0", 1000), "R1 a 0 1000"),
    (Resistor("R1", "a", "0", "10meg"), "R1 a 0 10meg"),
    (Resistor("R1", "a", "0", "rp*(1+tmr)"), "R1 a 0 {rp*(1+tmr)}"),
    (Resistor("R1", "a", "0", " { rp } "), "R1 a 0 {rp}"),
    (Resistor("R1", "a", "0", 1.0, {"m": 2, "tc1": "{k}"}), "R1 a 0 1.0 m=2 tc1={k}"),
    (Capacitor("C1", "a", "0", "1p"), "C1 a 0 1p"),
    (Capacitor("C1", "a", "0", 1e-12, ic=0.5, params={"m": 2}), "C1 a 0 1e-12 ic=0.5 m=2"),
    (Inductor("L1", "a", "b", "1u", ic="i0"), "L1 a b 1u ic={i0}"),
    (VoltageSource("V1", "a", "0"), "V1 a 0 dc 0.0"),
    (VoltageSource("V1", "a", "0", dc=-1, ac=1.0), "V1 a 0 dc -1 ac 1.0"),
    (VoltageSource("Vx", "a", "0", external=True), "Vx a 0 external"),
    (CurrentSource("Ix", "a", "0", external=True), "Ix a 0 external"),
    (
        VoltageSource("V1", "a", "0", waveform=Pulse(0, "vdd", 0, 1e-9, 1e-9, 5e-9, 1e-8)),
        "V1 a 0 dc 0.0 pulse(0 {vdd} 0 1e-09 1e-09 5e-09 1e-08)",
    ),
    (
        CurrentSource("I1", "a", "0", dc="1m", waveform=Sine(0, 1e-3, 1e6)),
        "I1 a 0 dc 1m sin(0 0.001 1000000.0 0.0 0.0)",
    ),
    (
        VoltageSource("V1", "a", "0", waveform=Pwl(((0, 0), ("1n", 1)))),
        "V1 a 0 dc 0.0 pwl(0 0 1n 1)",
    ),
    (
        VoltageSource("V1", "a", "0", waveform=Exp(0, 1, 0, 1e-9, 5e-9, 1e-9)),
        "V1 a 0 dc 0.0 exp(0 1 0 1e-09 5e-09 1e-09)",
    ),
    (
        VoltageSource("V1", "a", "0", waveform=TrNoise(1e-3, 1e-9)),
        "V1 a 0 dc 0.0 trnoise(0.001 1e-09 0.0 0.0 0.0 0.0 0.0)",
    ),
    (
        VoltageSource("V1", "a", "0", waveform=TrRandom("poisson", 1e-9, param1=2)),
        "V1 a 0 dc 0.0 trrandom(4 1e-09 0.0 2 0.0)",
    ),
    (BSource("B1", "a", "0", "v", "{v(b)*2}"), "B1 a 0 V=v(b)*2"),
    (BSource("B1", "a", "0", "i", 1e-3), "B1 a 0 I=0.001"),
    (Vcvs("E1", "a", "0", "b", "c", 2), "E1 a 0 b c 2"),
    (Vccs("G1", "a", "0", "b", "c", "gm"), "G1 a 0 b c {gm}"),
    (Cccs("F1", "a", "0", "Vs", 2.0), "F1 a 0 Vs 2.0"),
    (Ccvs("H1", "a", "0", "Vs", "1k"), "H1 a 0 Vs 1k"),
    (SubcktInstance("X1", ("a", "b"), "mtj"), "X1 a b mtj"),
    (SubcktInstance("X1", ("a",), "mtj", {"tmr": 1.5, "rp": "r0*2"}), "X1 a mtj tmr=1.5 rp={r0*2}"),
    (SubcktInstance("X1", (), "clock"), "X1 clock"),
    (VSwitch("S1", "a", "0", "c", "0", "swm", "on"), "S1 a 0 c 0 swm on"),
    (VSwitch("S1", "a", "0", "c", "0", "swm"), "S1 a 0 c 0 swm"),
    (CSwitch("W1", "a", "0", "V1", "cswm", "off"), "W1 a 0 V1 cswm off"),
    (XspiceInstance("A1", (("a", "b"), "c"), "adc"), "A1 [a b] c adc"),
    (
        Mosfet("M1", "d", "g", "s", "0", "n130", {"w": 4e-7, "l": 1.3e-7}),
        "M1 d g s 0 n130 w=4e-07 l=1.3e-07",
    ),
]


@pytest.mark.parametrize(("element", "card"), CARDS)
def test_element_cards(element: object, card: str) -> None:
    assert element_card(element) == card  # type: ignore[arg-type]


def test_model_cards() -> None:
    assert model_card(Model("d1", "d")) == ".model d1 d"
    assert (
        model_card(Model("p", "pwl", {"x_array": (-1, 1.5), "gain": "g"}))
        == ".model p pwl(x_array=[-1 1.5] gain={g})"
    )


def test_subckt_text() -> None:
    sub = Subckt(
        "cell",
        ("a", "b"),
        params={"r0": "1k"},
        param_statements=(Param("rp", "r0*2"),),
        models=(Model("swl", "sw"),),
        subckts=(Subckt("leg", ("x",), elements=(Resistor("R1", "x", "0", 1.0),)),),
        elements=(Resistor("R1", "a", "b", "rp"),),
    )
    assert subckt_text(sub) == (
        ".subckt cell a b params: r0=1k\n"
        ".param rp={r0*2}\n"
        ".model swl sw\n"
        ".subckt leg x\n"
        "R1 x 0 1.0\n"
        ".ends leg\n"
        "R1 a b {rp}\n"
        ".ends cell\n"
    )


def test_deck_sections_come_in_order() -> None:
    circuit = Circuit(
        "order",
        elements=(Resistor("R1", "a", "0", 1.0), VoltageSource("V1", "a", "0", dc=1)),
        subckts=(Subckt("s", ("x",)),),
        models=(Model("m", "sw"),),
        params=(Param("p", 1),),
        options=(Option("klu"), Option("method", "gear")),
        analyses=(Op(), Tran(1e-9, 1e-8)),
        initial_conditions=(InitialCondition("a", 0.5),),
        includes=("lib.sp",),
        saves=("v(a)",),
    )
    assert to_ngspice(circuit) == (
        "order\n"
        '.include "lib.sp"\n'
        ".param p=1\n"
        ".model m sw\n"
        ".subckt s x\n"
        ".ends s\n"
        "R1 a 0 1.0\n"
        "V1 a 0 dc 1\n"
        ".ic v(a)=0.5\n"
        ".options klu\n"
        ".options method=gear\n"
        ".save v(a)\n"
        ".op\n"
        ".tran 1e-09 1e-08\n"
        ".end\n"
    )


def crossbar(rows: int, columns: int) -> Circuit:
    """Rows driven at 0.1*(row+1) V, columns held at 0 V by sources; G[i][j] in siemens."""
    elements: list[object] = [
        Resistor(f"R{i}_{j}", f"r{i}", f"c{j}", 1.0 / conductance(i, j))
        for i in range(rows)
        for j in range(columns)
    ]
    elements += [VoltageSource(f"Vr{i}", f"r{i}", "0", dc=0.1 * (i + 1)) for i in range(rows)]
    elements += [VoltageSource(f"Vc{j}", f"c{j}", "0") for j in range(columns)]
    return Circuit(f"crossbar {rows}x{columns}", elements=elements, analyses=(Op(),))  # type: ignore[arg-type]


def conductance(i: int, j: int) -> float:
    return 1e-4 * (1 + (i * 7 + j * 3) % 10)


def test_chunked_writing_matches_card_by_card() -> None:
    # 100x100 = 10,000 resistors crosses the writer's 8192-card chunk boundary.
    circuit = crossbar(100, 100)
    text = to_ngspice(circuit)
    lines = text.split("\n")
    assert lines[0] == "crossbar 100x100"
    assert lines[1 : 1 + len(circuit.elements)] == [element_card(e) for e in circuit.elements]
    assert lines[-3:] == [".op", ".end", ""]
    assert text == to_ngspice(crossbar(100, 100))


def test_write_ngspice_writes_the_same_bytes(tmp_path: Path) -> None:
    circuit = CIRCUITS["netlist_all_elements.cir"]()
    path = write_ngspice(circuit, tmp_path / "deck.cir")
    assert path.read_bytes() == to_ngspice(circuit).encode("utf-8")


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_every_deck_is_clean_text(name: str) -> None:
    text = to_ngspice(CIRCUITS[name]())
    assert text.endswith("\n.end\n")
    for line in text.splitlines():
        assert line == line.strip(), repr(line)
        assert "  " not in line, repr(line)
        assert line


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_exactly(x: float) -> None:
    card = element_card(Resistor("R1", "a", "0", x))
    assert float(card.split()[-1]) == x


# -- real ngspice --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["netlist_all_elements.cir", "netlist_subckt_params.cir", "netlist_analyses.cir"]
)
def test_ngspice_batch_runs_every_element_waveform_and_analysis(
    name: str, ngspice_batch: Callable[..., str]
) -> None:
    output = ngspice_batch(to_ngspice(CIRCUITS[name]()))
    assert "Circuit: " in output


def test_ngspice_shared_library_runs_external_sources(ngspice_shared: Callable[[str], str]) -> None:
    # 'external' is only understood by libngspice; ngspice -b rejects it as an unknown parameter.
    output = ngspice_shared(to_ngspice(CIRCUITS["netlist_external.cir"]()))
    assert "PLOTS tran1" in output


def test_divider_voltage_matches_the_closed_form(ngspice_batch: Callable[..., str]) -> None:
    # V(out) = V * R2 / (R1 + R2) = 1 V * 3k / 4k; ngspice prints 7 significant digits.
    circuit = Circuit(
        "divider",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            Resistor("R1", "in", "out", "{rtop}"),
            Resistor("R2", "out", "0", "3k"),
        ),
        params=(Param("rtop", 1e3),),
        analyses=(Op(),),
    )
    voltages = op_voltages(ngspice_batch(to_ngspice(circuit), raw=False))
    assert voltages["out"] == pytest.approx(0.75, rel=1e-6)
    assert voltages["in"] == pytest.approx(1.0, rel=1e-6)


def test_subckt_parameters_override_defaults_in_ngspice(ngspice_batch: Callable[..., str]) -> None:
    # X1: rp = r0*(1+tmr) = 2k*2.5 = 5k plus leg r0/10 = 200 -> 5.2k; X2 (defaults): 2.5k + 100.
    # The switch's 1 Gohm off-resistance shunts each cell: relative error < 3e-6, hence rel=1e-5.
    voltages = op_voltages(
        ngspice_batch(to_ngspice(CIRCUITS["netlist_subckt_params.cir"]()), raw=False)
    )
    current = 1.0 / (5200 + 2600)
    assert voltages["out"] == pytest.approx(2600 * current, rel=1e-5)
    assert voltages["x1.m"] == pytest.approx(1.0 - 5000 * current, rel=1e-5)
    assert voltages["x2.m"] == pytest.approx(100 * current, rel=1e-5)


def test_crossbar_column_currents_are_the_vector_matrix_product(
    ngspice_batch: Callable[..., str],
) -> None:
    # Kirchhoff: with columns at 0 V, column j collects sum_i G[i][j] * V[i] (the crossbar's
    # multiply-accumulate). ngspice prints source currents with 6 significant digits.
    rows, columns = 6, 5
    output = ngspice_batch(to_ngspice(crossbar(rows, columns)), raw=False)
    currents = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0].endswith("#branch"):
            currents[words[0].removesuffix("#branch")] = float(words[1])
    for j in range(columns):
        expected = sum(conductance(i, j) * 0.1 * (i + 1) for i in range(rows))
        # current flows into the column source's + node from the array: positive branch current
        assert currents[f"vc{j}"] == pytest.approx(expected, rel=1e-5)


def test_ngspice_accepts_every_allowed_instance_parameter(
    ngspice_batch: Callable[..., str],
) -> None:
    circuit = Circuit(
        "instance parameters",
        elements=(
            VoltageSource("V1", "a", "0", dc=1.0),
            Resistor(
                "R1",
                "a",
                "0",
                1e3,
                {"m": 2, "scale": 1, "temp": 30, "dtemp": 1, "tc1": 0, "tc2": 0}
                | {"noisy": 0, "ac": 2e3, "w": 1e-6, "l": 1e-6},
            ),
            Capacitor(
                "C1",
                "a",
                "0",
                1e-12,
                ic=0.5,
                params={"m": 2, "scale": 1, "temp": 30, "dtemp": 1, "tc1": 0, "tc2": 0},
            ),
            Inductor(
                "L1",
                "a",
                "b",
                1e-6,
                ic=0.0,
                params={"m": 2, "nt": 1, "scale": 1, "temp": 30, "dtemp": 1, "tc1": 0, "tc2": 0},
            ),
            Resistor("R2", "b", "0", 1.0),
        ),
        analyses=(Op(),),
    )
    ngspice_batch(to_ngspice(circuit))


def test_ngspice_reads_included_files(tmp_path: Path, ngspice_batch: Callable[..., str]) -> None:
    library = tmp_path / "dir with spaces" / "models.lib"
    library.parent.mkdir()
    library.write_text(".param rload=2k\n.model swm sw(vt=0.5)\n", encoding="utf-8")
    circuit = Circuit(
        "include",
        elements=(
            VoltageSource("V1", "a", "0", dc=1.0),
            Resistor("R1", "a", "b", "rload"),
            VSwitch("S1", "b", "0", "a", "0", "swm"),
        ),
        includes=(library,),  # type: ignore[arg-type]
        analyses=(Op(),),
    )
    voltages = op_voltages(ngspice_batch(to_ngspice(circuit), raw=False))
    assert voltages["a"] == pytest.approx(1.0)


def test_the_ngspice_harness_notices_a_rejected_deck(tmp_path: Path) -> None:
    # The acceptance tests above mean something only if a deck ngspice rejects fails them.
    circuit = Circuit(
        "undefined subcircuit",
        elements=(VoltageSource("V1", "a", "0", dc=1.0), SubcktInstance("X1", ("a",), "nosuch")),
        analyses=(Op(),),
    )
    with pytest.raises(AssertionError, match=r"(?i)unknown subckt"):
        run_batch(to_ngspice(circuit), tmp_path)


def test_ngspice_reads_float_text_at_every_magnitude(ngspice_batch: Callable[..., str]) -> None:
    # repr() text is exact for Python; ngspice's own number parser multiplies a mantissa by a
    # power of ten and may land an ulp or so away, far below the 7 digits its .op table prints.
    values = [1e-12, 0.1, 1.2345678901234567e-7, 3.3e3, 1e22, -2.5e-9, 1 / 3, 7e-300]
    elements = [VoltageSource(f"V{i}", f"n{i}", "0", dc=x) for i, x in enumerate(values)]
    elements += [Resistor(f"R{i}", f"n{i}", "0", 1.0) for i in range(len(values))]
    circuit = Circuit("float text", elements=elements, analyses=(Op(),))  # type: ignore[arg-type]
    voltages = op_voltages(ngspice_batch(to_ngspice(circuit), raw=False))
    for i, x in enumerate(values):
        assert voltages[f"n{i}"] == pytest.approx(x, rel=1e-6, abs=0), (i, x)
