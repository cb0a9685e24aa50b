"""``spicegen compile``: a Verilog-A file or a shipped model by name, to an ngspice library."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicegen import models, simulate
from tests.cli.conftest import assert_one_line_error

RESISTOR_VA = """`include "disciplines.vams"
module res(p, n);
  inout p, n;
  electrical p, n;
  parameter real r = 2k from (0:inf);
  analog I(p, n) <+ V(p, n) / r;
endmodule
"""


def test_compile_writes_a_library_that_simulates(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "res.va"
    model.write_text(RESISTOR_VA)
    library = tmp_path / "lib" / "res.lib"
    assert cli("compile", model, "-o", library).status == 0
    text = library.read_text()
    assert text.lower().startswith(".subckt res p n")
    deck = f"t\n{text}V1 in 0 dc 1\nX1 in out res r=3k\nR2 out 0 1k\n.op\n.end\n"
    # 1 V across 3k (compiled model) + 1k: v(out) = 0.25 V
    assert simulate(deck).waveforms.v("out")[0] == pytest.approx(0.25, rel=1e-9)


def test_a_shipped_model_compiles_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    library = tmp_path / "mtj.lib"
    monkeypatch.chdir(tmp_path)  # no file called "mtj" here: the name means the shipped model
    done = cli("compile", "mtj", "-o", library)
    assert done.status == 0, done.err
    assert str(models.path("mtj")) in done.out
    assert library.read_text().lower().startswith(".subckt mtj p n")


def test_a_file_of_the_same_name_wins_over_a_shipped_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mtj").write_text(RESISTOR_VA)
    monkeypatch.chdir(tmp_path)
    done = cli("compile", "mtj")
    assert done.status == 0, done.err
    assert done.out.lower().startswith(".subckt res p n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{d}/none.va"], "no such Verilog-A file or shipped model"),
        (["mtj2"], "shipped models: dw_synapse, mtj"),
        (["{d}"], "is not a file"),
        (["{d}/binary.va"], "binary.va"),
        (["{d}/res.va", "-o", "{d}/res.va"], "would overwrite the input"),
        (["{d}/res.va", "-o", "{d}/x/y/res.lib"], "only the last level"),
        (["{d}/res.va", "-I", "{d}/nodir"], "no such directory"),
        (["{d}/res.va", "--seed", "x"], "invalid int value"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, args: list[str], expected: str, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "res.va").write_text(RESISTOR_VA)
    (tmp_path / "binary.va").write_bytes(bytes(range(256)))
    assert_one_line_error(cli("compile", *(a.format(d=tmp_path) for a in args)), expected)
    assert (tmp_path / "res.va").read_text() == RESISTOR_VA


def test_compile_error_is_located_with_a_caret(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "bad.va"
    model.write_text(RESISTOR_VA.replace("V(p, n) / r;", "V(p, n) / ;"))
    done = cli("compile", model)
    assert done.status == 2
    assert done.err.startswith(f"{model}:6:")
    assert ": error: " in done.err
    assert "^" in done.err
    assert "Traceback" not in done.err


def test_help_says_a_path_wins_over_a_name(cli) -> None:  # type: ignore[no-untyped-def]
    shown = " ".join(cli("compile", "--help").out.split())  # argparse wraps the lines
    assert "shipped model" in shown and "file of that name wins" in shown


def test_target_osdi_writes_a_library_plain_ngspice_loads(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "res.va"
    model.write_text(RESISTOR_VA)
    library = tmp_path / "res.osdi"
    done = cli("compile", model, "--target", "osdi", "-o", library)
    assert done.status == 0, done.err
    # the one line a plain ngspice user adds, and the cards the deck then uses
    load = f"osdi {library.resolve()}"
    assert load in done.out and ".model res1 res_va" in done.out
    deck = tmp_path / "t.cir"
    deck.write_text(
        "t\nV1 in 0 dc 1\n.model res1 res_va\nN1 in out res1 r=3k\nR2 out 0 1k\n.op\n.end\n"
    )
    # 1 V across 3k (the native device) + 1k: v(out) = 0.25 V
    done = cli("run", deck, "--osdi", library, "--print", "v(out)")
    assert done.status == 0, done.err
    assert done.out.strip().splitlines()[-1].split()[-1] == "0.25"
