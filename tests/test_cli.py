"""The command line: summaries, tables, plots, and one clear message (status 2) on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spicegen.cli import main
from tests.sim.conftest import DIVIDER, NO_CONVERGENCE, SYNTAX_ERROR

RC = "rc\nV1 in 0 pulse(0 1 0 1n 1n 5u 10u)\nR1 in out 1k\nC1 out 0 1n\n.tran 10n 5u\n.end\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name, text in {
        "divider.cir": DIVIDER,
        "rc.cir": RC,
        "bad.cir": SYNTAX_ERROR,
        "diverge.cir": NO_CONVERGENCE,
        "control.cir": DIVIDER.replace(".end", ".control\nshell echo hi\n.endc\n.end"),
    }.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_run_summarises_and_prints_a_vector(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(files / "divider.cir"), "--print", "v(out)"]) == 0
    out = capsys.readouterr().out
    assert "Operating Point" in out
    assert "v(out)" in out
    assert out.strip().splitlines()[-1] == "0.75"


@pytest.mark.parametrize("backend", ["batch", "shared"])
def test_run_both_backends(files: Path, backend: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(files / "rc.cir"), "--backend", backend]) == 0
    assert "Transient Analysis" in capsys.readouterr().out


def test_run_writes_raw_and_plot_reads_it(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    png = files / "fig" / "rc.png"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(in)", "v(out)", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "{d}/missing.cir"], "no such netlist file"),
        (["run", "{d}/bad.cir"], "Undefined parameter [rx]"),
        (["run", "{d}/diverge.cir"], "Timestep too small"),
        (["run", "{d}/control.cir"], "--allow-control"),
        (["plot", "{d}/missing.raw", "v(out)", "-o", "{d}/x.png"], "no such raw file"),
        (["plot", "{d}/divider.cir", "v(out)", "-o", "{d}/x.png"], "divider.cir"),
        (["run", "{d}/divider.cir", "--timeout", "nan"], "timeout must be"),
        (["run", "{d}/divider.cir", "--timeout", "inf"], "timeout must be"),
        (["run", "{d}/divider.cir", "--raw", "{d}/divider.cir"], "overwrite the netlist"),
    ],
)
def test_errors_are_one_message_and_status_2(files: Path, args, expected, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main([a.format(d=files) for a in args])
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err
    assert "Traceback" not in err


def test_plot_unknown_vector_lists_what_exists(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(nope)", "-o", str(files / "x.png")]) == 2
    assert "v(out)" in capsys.readouterr().err


def test_console_script_version_and_help() -> None:
    spicegen = str(Path(sys.executable).parent / "spicegen")
    version = subprocess.run([spicegen, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("spicegen ")
    for command in ("run", "plot"):
        shown = subprocess.run(
            [spicegen, command, "--help"], capture_output=True, text=True, check=True
        )
        assert "usage: spicegen " + command in shown.stdout


def test_console_script_error_has_no_traceback(files: Path) -> None:
    spicegen = str(Path(sys.executable).parent / "spicegen")
    done = subprocess.run([spicegen, "run", str(files / "bad.cir")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "netlist rejected at line 4" in done.stderr


def test_plot_refuses_unknown_image_format(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(out)", "-o", str(files / "fig.xyz")]) == 2
    err = capsys.readouterr().err
    assert "png" in err
    assert "Traceback" not in err


def test_failed_run_leaves_no_raw_file(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "failed.raw"
    assert main(["run", str(files / "diverge.cir"), "--raw", str(raw)]) == 2
    assert not raw.exists()


RESISTOR_VA = """`include "disciplines.vams"
module res(p, n);
  inout p, n;
  electrical p, n;
  parameter real r = 2k from (0:inf);
  analog I(p, n) <+ V(p, n) / r;
endmodule
"""


def test_compile_writes_a_library_that_simulates(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "res.va"
    model.write_text(RESISTOR_VA)
    library = tmp_path / "lib" / "res.lib"
    assert main(["compile", str(model), "-o", str(library)]) == 0
    text = library.read_text()
    assert text.lower().startswith(".subckt res p n")
    deck = f"t\n{text}V1 in 0 dc 1\nX1 in out res r=3k\nR2 out 0 1k\n.op\n.end\n"
    from spicegen import simulate

    # 1 V across 3k (compiled model) + 1k: v(out) = 0.25 V
    assert simulate(deck).waveforms.v("out")[0] == pytest.approx(0.25, rel=1e-9)


def test_compile_error_is_located_with_a_caret(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "bad.va"
    model.write_text(RESISTOR_VA.replace("V(p, n) / r;", "V(p, n) / ;"))
    assert main(["compile", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{model}:6:")
    assert ": error: " in err
    assert "^" in err
    assert "Traceback" not in err


def test_compile_missing_file_is_one_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["compile", str(tmp_path / "none.va")]) == 2
    assert "no such Verilog-A file" in capsys.readouterr().err


def test_build_crossbar_then_run_gives_the_vector_matrix_product(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    weights = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    np.savetxt(tmp_path / "w.csv", weights, delimiter=",")
    deck = tmp_path / "xbar.cir"
    assert main(["build", "crossbar", "--weights", str(tmp_path / "w.csv"), "-o", str(deck)]) == 0
    assert "2x3 1R crossbar read" in capsys.readouterr().out
    from spicegen import simulate

    waves = simulate(deck.read_text()).waveforms
    conductance = 1e-6 + weights * (1e-4 - 1e-6)  # default mapping, S
    expected = 0.2 * conductance.sum(axis=0)  # every row read at 0.2 V into virtual grounds
    names = [n for n in waves.names if n.startswith("i(") and "col" in n.lower()]
    measured = sorted(abs(float(waves[n][0])) for n in names)
    np.testing.assert_allclose(measured, sorted(expected), rtol=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "missing.csv"], "cannot read a weight matrix"),
        (["--random", "0", "3"], "positive sizes"),
        (["--random", "2", "2", "--g-min", "-1"], "g_min"),
    ],
)
def test_build_errors_are_one_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "crossbar", *args, "-o", str(tmp_path / "x.cir")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
