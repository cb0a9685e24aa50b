"""Element blocks (spicegen/netlist/bulk.py): checked in bulk, written as their elements are."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.netlist import (
    Circuit,
    ElementBlock,
    Names,
    NetlistError,
    Op,
    Resistor,
    Subckt,
    SubcktInstance,
    VoltageSource,
    subckt_text,
    to_ngspice,
)
from tests.netlist.conftest import op_voltages, run_batch

TAGS = ("0", "1", "2")
EMPTY = ("",) * 3


def _subckt_texts(block: ElementBlock) -> tuple[str, str]:
    """The block written by the writer's fast path, and its elements written one by one."""
    bulk = Subckt("s", ("a",), blocks=(block,))
    elements = Subckt("s", ("a",), elements=tuple(block.elements()))
    return subckt_text(bulk), subckt_text(elements)


BLOCKS = [
    ElementBlock("R", (Names("R", TAGS),), ((Names("a", EMPTY),), (Names("n", TAGS),)), 1e3),
    ElementBlock(
        "R",
        (Names("Rr", ("_0", "_1")),),
        ((Names("row", ("",)), Names("r", ("_0",))), (Names("r", ("_0", "_1")),)),
        (1.5, 2.5e-3),
    ),
    ElementBlock(
        "C", (Names("C", TAGS, "_x"),), ((Names("c", TAGS, "_4"),), (Names("0", EMPTY),)), 2e-15
    ),
    ElementBlock(
        "X",
        (Names("X1", ("_0", "_1")),),
        ((Names("a", ("", "")),), (Names("b", ("_0", "_1")),)),
        target="dev",
        params=(("g", (1e-6, 2e-6)), ("k", 5), ("w", "{w0}"), ("n", (3, -4))),
    ),
    ElementBlock(
        "S",
        (Names("S", ("0", "1")),),
        (
            (Names("m", ("0", "1")),),
            (Names("b", ("0", "1")),),
            (Names("wl", ("", "")),),
            (Names("0", ("", "")),),
        ),
        target="sw",
    ),
]


@pytest.mark.parametrize("block", BLOCKS)
def test_a_block_writes_exactly_its_elements(block: ElementBlock) -> None:
    bulk, elements = _subckt_texts(block)
    assert bulk == elements
    assert bulk.count("\n") == len(block) + 2  # header, cards, .ends


def test_elements_are_the_named_cards() -> None:
    names = [(e.name, e.nodes) for e in BLOCKS[3].elements()]  # type: ignore[union-attr]
    assert names == [("X1_0", ("a", "b_0")), ("X1_1", ("a", "b_1"))]
    first = next(BLOCKS[3].elements())
    assert isinstance(first, SubcktInstance)
    assert first.params == (("g", 1e-6), ("k", 5), ("w", "{w0}"), ("n", 3))
    assert [e for e in BLOCKS[0].elements()][2] == Resistor("R2", "a", "n2", 1e3)


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=20, unique=True),
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=1e-300, max_value=1e300),
        min_size=20,
        max_size=20,
    ),
)
def test_writer_fast_path_matches_the_element_path(indices: list[int], values: list[float]) -> None:
    middles = tuple(f"_{k}" for k in indices)
    block = ElementBlock(
        "R", (Names("R", middles),), ((Names("p", middles),), (Names("q", middles, "x"),)),
        tuple(values[: len(middles)]),
    )  # fmt: skip
    bulk, elements = _subckt_texts(block)
    assert bulk == elements


def test_ngspice_reads_a_block(tmp_path: Path) -> None:
    block = ElementBlock(
        "R", (Names("R", ("1", "2")),), ((Names("in", ("", "")),), (Names("mid", ("", "")),)),
        (1e3, 1e3),
    )  # fmt: skip
    sub = Subckt("pair", ("in", "mid"), blocks=(block,))
    circuit = Circuit(
        "block",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            SubcktInstance("X1", ("in", "mid"), "pair"),
            Resistor("R3", "mid", "0", 500.0),
        ),
        subckts=(sub,),
        analyses=(Op(),),
    )
    assert "R1 in mid 1000.0\nR2 in mid 1000.0\n" in to_ngspice(circuit)
    output = run_batch(to_ngspice(circuit), tmp_path, raw=False)
    assert op_voltages(output)["mid"] == pytest.approx(0.5, rel=1e-6)  # 500 || 500 over 500


ONE = (Names("R", ("1",)),)  # the name column of a one-element block
TWO_NODES = ((Names("a", ("",)),),) * 2  # its two node columns


def _resistor(**fields: object) -> ElementBlock:
    return ElementBlock(**{"kind": "R", "names": ONE, "nodes": TWO_NODES, **fields})  # type: ignore[arg-type]


def _instance(**fields: object) -> ElementBlock:
    names = (Names("X", ("1",)),)
    return ElementBlock(**{"kind": "X", "names": names, "nodes": TWO_NODES[:1], **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: _resistor(kind="L"), "kind"),
        (lambda: _resistor(names=(Names("X", ("1",)),)), "starting with 'R'"),
        (lambda: _resistor(names=(Names("R", ("1 2",)),)), "ASCII"),
        (lambda: _resistor(names=(Names("R", ("1",), "\n.control"),)), "ASCII"),
        (lambda: _resistor(nodes=((Names("", ("",)),),) * 2), "non-empty"),
        (lambda: _resistor(names=(Names("R", ()),)), "at least one"),
        (lambda: _resistor(nodes=((Names("a", ("", "")),),) * 2), "1 nodes"),
        (lambda: _resistor(nodes=TWO_NODES[:1]), "2 node columns"),
        (lambda: _resistor(values=(1.0, 2.0)), "1 values"),
        (lambda: _resistor(values=(float("inf"),)), "finite"),
        (lambda: _resistor(values=("1k",)), "floats or ints"),
        (lambda: _resistor(values=(True,)), "floats or ints"),
        (lambda: _resistor(values="1}\n"), "expression"),
        (lambda: _resistor(params=(("m", 2),)), "'X' blocks only"),
        (lambda: _resistor(names=("R1",)), "Names runs"),
        (lambda: _resistor(names=(Names("R", (1,)),)), "str"),  # type: ignore[arg-type]
        (lambda: _instance(target="a b"), "name"),
        (lambda: _instance(target="d", params=(("g", 1.0), ("G", 2.0))), "duplicate"),
    ],
)
def test_bad_blocks_are_refused(build: object, message: str) -> None:
    with pytest.raises(NetlistError, match=message) as info:
        build()  # type: ignore[operator]
    assert info.value.field.startswith("ElementBlock.")


def test_subckt_takes_only_blocks_in_blocks() -> None:
    with pytest.raises(NetlistError) as info:
        Subckt("s", ("a",), blocks=(Resistor("R1", "a", "0", 1.0),))  # type: ignore[arg-type]
    assert info.value.field == "Subckt.blocks"
