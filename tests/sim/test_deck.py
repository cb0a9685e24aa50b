"""Deck writing: a Run becomes text in one place, with its analysis replacing the circuit's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from spicegen.netlist import Circuit, Op, Option, Param, Resistor, Tran, VoltageSource
from spicegen.sim import InvalidRequestError, Run, Variable, simulate, variables_from_init
from spicegen.sim.deck import codemodel_commands, write_deck
from spicegen.sim.errors import UnsafeNetlistError
from spicegen.sim.names import text_names

TEXT = "t\nV1 in 0 dc 1\nR1 in 0 1k\n.end\n"


def _factory_circuit() -> Circuit:
    """A factory's circuit with its own operating point, as sweeps receive them."""
    return Circuit(
        title="rc",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            Resistor("R1", "in", "out", "{rser}"),
            Resistor("R2", "out", "0", 1e3),
        ),
        params=(Param("rser", 1e3),),
        options=(Option("reltol", 1e-4),),
        analyses=(Op(),),
    )


def test_run_analysis_replaces_the_circuits_own() -> None:
    deck = write_deck(Run(_factory_circuit(), Tran(step=1e-9, stop=1e-6)))
    cards = [line.split()[0] for line in deck.text.splitlines()]
    assert ".op" not in cards  # issue 10: a sweep's .tran was added beside the factory's .op
    assert cards.count(".tran") == 1
    assert deck.analysis == ".tran 1e-09 1e-06"
    assert write_deck(Run(_factory_circuit())).analysis == ".op"


def test_run_params_and_options_override_the_circuits_by_name() -> None:
    run = Run(_factory_circuit(), params=(Param("RSER", 3e3), Param("extra", 2)))
    run = replace(run, options=(*run.options, Option("reltol", 1e-6), Option("method", "gear")))
    lines = write_deck(run).text.splitlines()
    assert ".param RSER=3000.0" in lines and ".param rser=1000.0" not in lines
    assert ".param extra=2" in lines
    assert ".options reltol=1e-06" in lines and ".options reltol=0.0001" not in lines
    assert ".options method=gear" in lines


def test_overridden_param_changes_the_result() -> None:
    # divider law: v(out) = 1 V * 1k / (rser + 1k)
    result = simulate(Run(_factory_circuit(), params=(Param("rser", 3e3),)))
    assert result.waveforms.v("out")[0] == pytest.approx(0.25, rel=1e-9)


def test_text_gets_the_runs_cards_before_its_end() -> None:
    run = Run(TEXT, Op(), params=(Param("r", 2),), options=(Option("gmin", 1e-12),))
    lines = write_deck(run).text.splitlines()
    assert lines[-4:] == [".param r=2", ".options gmin=1e-12", ".op", ".end"]


def test_text_with_its_own_analysis_cannot_take_another() -> None:
    text = TEXT.replace(".end", ".tran 1n 1u\n.end")
    with pytest.raises(InvalidRequestError, match=r"\.tran 1n 1u.*\.op"):
        write_deck(Run(text, Op()))
    assert write_deck(Run(text)).analysis == ".tran 1n 1u"


def test_an_included_analysis_counts_as_the_texts_own(tmp_path: Path) -> None:
    (tmp_path / "analysis.inc").write_text(".op\n")
    text = TEXT.replace(".end", ".include analysis.inc\n.end")
    with pytest.raises(InvalidRequestError, match="own analysis"):
        write_deck(Run(text, Tran(step=1e-9, stop=1e-6), base_dir=str(tmp_path)))


def test_every_end_but_the_last_becomes_a_comment() -> None:
    # ngspice's file reader goes on after ".end" (and appends one .end); the shared library
    # stops at the first: commenting them out makes both read the same deck
    text = "t\nV1 in 0 1\nR1 in 0 1k\n.end\nR2 in 0 1k\n.END\n.op\n"
    lines = write_deck(Run(text)).text.splitlines()
    assert lines == ["t", "V1 in 0 1", "R1 in 0 1k", "*end", "R2 in 0 1k", "*END", ".op", ".end"]


def test_carriage_returns_and_leading_blanks_are_dropped() -> None:
    deck = write_deck(Run("t\r\n  V1 in 0 1\r\n\tR1 in 0 1k\r\n.op\r\n"))
    assert deck.text == "t\nV1 in 0 1\nR1 in 0 1k\n.op\n.end\n"


def test_variables_and_code_models_become_setup_commands(tmp_path: Path) -> None:
    library = tmp_path / "my.cm"
    library.write_bytes(b"")
    run = Run(TEXT, variables=(Variable("ngbehavior", "ps"),), codemodels=(str(library),))
    assert write_deck(run).setup == ("set ngbehavior=ps", f"codemodel {library}")


@pytest.mark.parametrize(
    "value", ["ps lt", "a;b", "`x`", "$HOME", "a\nb", float("nan"), False, (1,)]
)
def test_variable_values_are_one_word(value: object) -> None:
    with pytest.raises(InvalidRequestError, match=r"Variable\.value"):
        Variable("ngbehavior", value)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["sourcepath", "UNIXCOM", "a b", "x\n", ""])
def test_variables_that_move_file_lookups_are_refused(name: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"Variable\.name"):
        Variable(name, "x")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("netlist", 3),
        ("analysis", ".op"),
        ("params", (("a", 1),)),
        ("options", "klu"),
        ("codemodels", "one.cm"),
        ("allow_control", 1),
        ("base_dir", ""),
    ],
)
def test_run_fields_are_checked(field: str, value: object) -> None:
    with pytest.raises(InvalidRequestError, match=rf"Run\.{field}"):
        Run(**{"netlist": TEXT, field: value})  # type: ignore[arg-type]


def test_settings_beside_a_run_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="give analysis on the Run"):
        simulate(Run(TEXT), Op())


def test_writing_a_circuit_run_does_not_revalidate_it() -> None:
    circuit = _factory_circuit()
    written = write_deck(Run(circuit, Tran(step=1e-9, stop=1e-6)))
    expected = Circuit(
        title=circuit.title,
        elements=circuit.elements,
        params=circuit.params,
        options=circuit.options,
        analyses=(Tran(step=1e-9, stop=1e-6),),
    )
    from spicegen.netlist import to_ngspice

    assert written.text == to_ngspice(expected)


def test_relative_includes_become_absolute(tmp_path: Path) -> None:
    (tmp_path / "load.inc").write_text("R2 out 0 1k\n")
    (tmp_path / "models.lib").write_text(".lib fast\nR3 a b 1\n.endl\n")
    text = TEXT.replace(".end", ".include load.inc ; comment\n.lib 'models.lib' fast\n.end")
    deck = write_deck(Run(text, base_dir=str(tmp_path)))
    assert f'.include "{tmp_path / "load.inc"}"' in deck.text
    assert f'.lib "{tmp_path / "models.lib"}" fast' in deck.text
    assert deck.files == (str(tmp_path / "load.inc"), str(tmp_path / "models.lib"))


def test_circuit_includes_become_absolute(tmp_path: Path) -> None:
    (tmp_path / "load.inc").write_text("R2 out 0 1k\n")
    circuit = replace(_factory_circuit(), includes=("load.inc",))
    assert (
        f'.include "{tmp_path / "load.inc"}"'
        in write_deck(Run(circuit, base_dir=str(tmp_path))).text.splitlines()
    )


def test_top_level_names_skip_subcircuit_bodies() -> None:
    text = (
        "t\n.param rload=3k gain = 2\nV1 in 0 1\n.subckt cell a b\nRinner a b 1k\n.ends\n"
        "X1 in out cell\nR2 out 0 {rload}\n* Rcomment a b 1\n+ continued\n.end\n"
    )
    names = text_names(text)
    assert names.elements == {"v1", "x1", "r2"}
    assert names.params == {"rload", "gain"}


def test_codemodel_paths_are_checked(tmp_path: Path) -> None:
    with pytest.raises(UnsafeNetlistError, match="not found"):
        codemodel_commands([tmp_path / "missing.cm"])
    odd = tmp_path / "a;b.cm"
    odd.write_bytes(b"")
    with pytest.raises(UnsafeNetlistError, match="characters"):
        codemodel_commands([odd])


def test_a_start_up_files_variables_are_read_as_data(tmp_path: Path) -> None:
    init = tmp_path / ".spiceinit"
    init.write_text("* compatibility\nset ngbehavior=ltpsa\nset  num_threads = 2 ngdebug\n")
    assert variables_from_init(init) == (
        Variable("ngbehavior", "ltpsa"),
        Variable("num_threads", "2"),
        Variable("ngdebug"),
    )


@pytest.mark.parametrize("line", ["shell touch x", "codemodel /x.cm", "set a=`ls`", "set"])
def test_a_start_up_file_with_commands_is_refused(tmp_path: Path, line: str) -> None:
    init = tmp_path / ".spiceinit"
    init.write_text(f"set ngbehavior=ps\n{line}\n")
    with pytest.raises((UnsafeNetlistError, InvalidRequestError)):
        variables_from_init(init)
