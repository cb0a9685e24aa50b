"""Deck preparation: analysis placement, .control refusal, names a Session may alter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.netlist import Circuit, Op, Resistor, Tran, VoltageSource
from spicegen.sim.deck import codemodel_commands, prepare_deck, top_level_names
from spicegen.sim.errors import UnsafeNetlistError

TEXT = "t\nV1 in 0 dc 1\nR1 in 0 1k\n.end\n"


def test_analysis_goes_before_end_of_text() -> None:
    deck = prepare_deck(TEXT, Tran(step=1e-9, stop=1e-6))
    lines = deck.text.splitlines()
    assert lines[-1] == ".end"
    assert lines[-2].startswith(".tran")
    assert deck.analysis == lines[-2]


def test_analysis_replaces_circuit_analyses() -> None:
    circuit = Circuit(
        title="t",
        elements=(VoltageSource("V1", "in", "0", dc=1.0), Resistor("R1", "in", "0", 1e3)),
        analyses=(Op(),),
    )
    deck = prepare_deck(circuit, Tran(step=1e-9, stop=1e-6))
    assert ".op" not in deck.text.lower().split()
    assert deck.text.count(".tran") == 1
    assert prepare_deck(circuit).analysis == ".op"


@pytest.mark.parametrize(
    "control",
    [".control\nshell ls\n.endc", "  .CONTROL\nrun\n.endc", "\t.Control", ".endc"],
)
def test_control_blocks_are_refused(control: str) -> None:
    text = TEXT.replace(".end", control + "\n.end")
    with pytest.raises(UnsafeNetlistError, match="allow_control"):
        prepare_deck(text)
    assert prepare_deck(text, allow_control=True).text.startswith("t\n")


def test_control_word_inside_a_comment_or_value_is_not_a_block() -> None:
    text = TEXT.replace("R1 in 0 1k", "R1 in 0 1k ; .control is not here\n* .control")
    assert ".control" in prepare_deck(text).text


@given(st.text(alphabet=" \t.controlCONTROLendENDc\n_x", max_size=40))
def test_any_line_starting_with_dot_control_is_caught(noise: str) -> None:
    text = TEXT.replace(".end", noise + "\n.end")
    # ngspice matches the prefix: ".control_x" opens a control section too
    starts = [line.lstrip().lower() for line in text.splitlines()]
    if any(line.startswith((".control", ".endc")) for line in starts):
        with pytest.raises(UnsafeNetlistError):
            prepare_deck(text)
    else:
        prepare_deck(text)


@pytest.mark.parametrize("title", ["*ng_script", "* NG_SCRIPT run me"])
def test_ngspice_script_title_is_refused(title: str) -> None:
    with pytest.raises(UnsafeNetlistError):
        prepare_deck(title + "\nshell touch x\n.end\n")


def test_control_block_inside_an_included_file_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "evil.inc").write_text(".control\nshell touch pwned\n.endc\n")
    (tmp_path / "nested.inc").write_text(".include evil.inc\n")
    text = TEXT.replace(".end", ".include nested.inc\n.end")
    with pytest.raises(UnsafeNetlistError, match=r"evil\.inc"):
        prepare_deck(text, base_dir=tmp_path)


def test_relative_includes_become_absolute(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "load.inc").write_text("R2 out 0 1k\n")
    text = TEXT.replace(".end", ".include load.inc\n.lib 'models.lib' fast\n.end")
    deck = prepare_deck(text, base_dir=tmp_path)
    assert f'.include "{tmp_path / "load.inc"}"' in deck.text
    assert f'.lib "{tmp_path / "models.lib"}" fast' in deck.text


def test_top_level_names_skip_subcircuit_bodies() -> None:
    text = (
        "t\n.param rload=3k gain = 2\nV1 in 0 1\n.subckt cell a b\nRinner a b 1k\n.ends\n"
        "X1 in out cell\nR2 out 0 {rload}\n* Rcomment a b 1\n+ continued\n.end\n"
    )
    elements, params = top_level_names(text)
    assert elements == {"v1", "x1", "r2"}
    assert params == {"rload", "gain"}


def test_codemodel_paths_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsafeNetlistError, match="not found"):
        codemodel_commands([tmp_path / "missing.cm"])
    odd = tmp_path / "a;b.cm"
    odd.write_bytes(b"")
    with pytest.raises(UnsafeNetlistError, match="characters"):
        codemodel_commands([odd])
