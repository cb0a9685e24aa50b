"""The generated array's structure: element counts, ports, node names and exact text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen import compile_model
from spicegen.circuits import CircuitSpecError
from spicegen.circuits.crossbar import (
    AccessTransistor,
    CellKind,
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    Quantised,
    Wires,
    crossbar,
    crossing_nodes,
    read_circuit,
)
from spicegen.netlist import Capacitor, Resistor, SubcktInstance, VSwitch, subckt_text, to_ngspice

HERE = Path(__file__).parent

# A 2x2 1T1R array with every parasitic: the format, written out once by hand.
EXPECTED_1T1R = """\
.subckt crossbar row0 row1 col0 col1 wl0 wl1
.model access_sw sw(vt=0.5 vh=0.0 ron=1000.0 roff=1000000000.0)
Rr0_0 row0 r0_0 2.0
Rr0_1 r0_0 r0_1 2.0
Cr0_0 r0_0 0 1e-15
Cr0_1 r0_1 0 1e-15
R0_0 r0_0 m0_0 1000000.0
R0_1 r0_1 m0_1 10000.0
S0_0 m0_0 c0_0 wl0 0 access_sw
S0_1 m0_1 c1_0 wl0 0 access_sw
Rc0_0 c0_0 c0_1 3.0
Rc1_0 c1_0 c1_1 3.0
Cc0_0 c0_0 0 2e-15
Cc1_0 c1_0 0 2e-15
Rr1_0 row1 r1_0 2.0
Rr1_1 r1_0 r1_1 2.0
Cr1_0 r1_0 0 1e-15
Cr1_1 r1_1 0 1e-15
R1_0 r1_0 m1_0 20000.0
R1_1 r1_1 m1_1 40000.0
S1_0 m1_0 c0_1 wl1 0 access_sw
S1_1 m1_1 c1_1 wl1 0 access_sw
Rc0_1 c0_1 col0 3.0
Rc1_1 c1_1 col1 3.0
Cc0_1 c0_1 0 2e-15
Cc1_1 c1_1 0 2e-15
.ends crossbar
"""


def test_1t1r_text() -> None:
    # weights chosen so that 1/G is exact: G = 1 uS + w * 99 uS
    weights = [[0.0, 1.0], [49 / 99, 24 / 99]]
    params = CrossbarParams(
        weights, cell="1T1R", wires=Wires(2.0, 3.0, 1e-15, 2e-15),
        access=AccessTransistor(1e3, 1e9, 0.5, 1.0),
    )  # fmt: skip
    text = subckt_text(crossbar(params))
    # 49/99 and 24/99 give 50 and 25 uS up to rounding: compare numbers, then the rest verbatim
    lines, expected = text.splitlines(), EXPECTED_1T1R.splitlines()
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected, strict=True):
        if line.startswith("R1_"):
            head, value = line.rsplit(" ", 1)
            want_head, want_value = want.rsplit(" ", 1)
            assert head == want_head and float(value) == pytest.approx(float(want_value), rel=1e-12)
        else:
            assert line == want


@pytest.mark.parametrize("cell", ["1R", "1T1R", "2R", "2T2R"])
@pytest.mark.parametrize("wires", [Wires(), Wires(1.0, 2.0), Wires(1.0, 2.0, 1e-15, 3e-15),
                                   Wires(0.0, 0.0, 1e-15, 3e-15)])  # fmt: skip
def test_element_counts_and_ports(cell: CellKind, wires: Wires) -> None:
    rows, columns = 3, 4
    low = -1.0 if cell in ("2R", "2T2R") else 0.0
    weights = np.random.default_rng(0).uniform(low, 1.0, (rows, columns))
    params = CrossbarParams(weights, cell=cell, wires=wires)
    subckt = crossbar(params)
    physical = columns * (2 if params.differential else 1)
    counts: dict[type, int] = {}
    for element in subckt.elements:
        counts[type(element)] = counts.get(type(element), 0) + 1
    devices = rows * physical
    wire_resistors = (rows * physical if wires.row_segment else 0) + (
        physical * rows if wires.column_segment else 0
    )
    assert counts.get(Resistor, 0) == devices + wire_resistors
    assert counts.get(VSwitch, 0) == (devices if params.has_access else 0)
    row_caps = (rows * physical if wires.row_segment else rows) if wires.row_capacitance else 0
    column_caps = (
        (physical * rows if wires.column_segment else physical) if wires.column_capacitance else 0
    )
    assert counts.get(Capacitor, 0) == row_caps + column_caps
    # line capacitance in total is per crosspoint, lumped or not
    capacitors = [e for e in subckt.elements if isinstance(e, Capacitor)]
    row_total = sum(float(c.value) for c in capacitors if c.name.startswith("Cr"))
    assert row_total == pytest.approx(wires.row_capacitance * rows * physical)
    column_total = sum(float(c.value) for c in capacitors if c.name.startswith("Cc"))
    assert column_total == pytest.approx(wires.column_capacitance * rows * physical)
    tags = (
        [f"{j}{s}" for j in range(columns) for s in "pn"]
        if params.differential
        else [str(j) for j in range(columns)]
    )
    word_lines = [f"wl{i}" for i in range(rows)] if params.has_access else []
    assert subckt.ports == (*(f"row{i}" for i in range(rows)),
                            *(f"col{t}" for t in tags), *word_lines)  # fmt: skip
    # every device sits between the nodes crossing_nodes names
    for element in subckt.elements:
        if isinstance(element, Resistor) and element.name[1].isdigit():
            row, tag = element.name[1:].split("_")
            assert crossing_nodes(params, int(row), tag) == (element.p, element.n)


def test_compiled_device_instances_carry_the_mapped_parameter() -> None:
    model = compile_model(HERE / "ohmic_conductance.va")
    device = CompiledDevice(model, "g")
    mapping = Quantised(LinearConductance(1e-6, 5e-6), levels=5)
    params = CrossbarParams([[0.3, -0.9]], cell="2R", device=device, mapping=mapping)
    array = crossbar(params)
    assert array.subckts == (model.subckt,)
    instances = {e.name: e for e in array.elements if isinstance(e, SubcktInstance)}
    # |w| = 0.3 -> level 1 of 4 -> 2 uS; |w| = 0.9 -> level 4 -> 5 uS; unused sides at 1 uS
    assert {name: dict(e.params)["g"] for name, e in instances.items()} == pytest.approx(
        {"X0_0p": 2e-6, "X0_0n": 1e-6, "X0_1p": 1e-6, "X0_1n": 5e-6}
    )
    assert instances["X0_0p"].nodes == ("row0", "col0p")


def test_large_array_structure() -> None:
    size = 128
    weights = np.random.default_rng(1).uniform(0, 1, (size, size))
    params = CrossbarParams(weights, wires=Wires(1.0, 1.0))
    circuit = read_circuit(params, [0.1] * size)
    (array,) = circuit.subckts
    assert len(array.elements) == 3 * size * size  # devices + row and column segments
    text = to_ngspice(circuit)
    assert text.count("\nR") == 3 * size * size
    assert ".options klu\n" in text


def test_crossing_nodes_refuses_missing_crosspoints() -> None:
    params = CrossbarParams([[0.5, -0.5]], cell="2R", wires=Wires(1.0, 1.0))
    assert crossing_nodes(params, 0, "1n") == ("r0_3", "c1n_0")
    for row, tag in [(1, "0p"), (0, "0"), (0, "2p"), (0, "01p"), (-1, "0p"), (0, "p")]:
        with pytest.raises(CircuitSpecError, match="no crosspoint"):
            crossing_nodes(params, row, tag)
