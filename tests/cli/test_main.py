"""The ``spicegen`` entry points: console script, ``python -m``, help, version, one-line usage
errors, and a start-up that loads only what the verb needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import assert_one_line_error, console

# Imported by no verb unless it uses them: plotting, fitting, clusters, the shared library's
# Python binding, the Verilog-A parser, the worker pickler, progress bars.
HEAVY = ("matplotlib", "scipy", "dask", "distributed", "PySpice", "lark", "cloudpickle", "tqdm")


def test_console_script_version_and_help() -> None:
    from importlib.metadata import version as installed_version

    version = console("--version")
    assert version.status == 0
    # spicegen.__version__ is what pyproject.toml gives the installed metadata
    assert version.out == f"spicegen {installed_version('spicegen')}\n"
    for command in ("run", "compile", "build", "plot", "sweep", "sweep-report", "models"):
        shown = console(command, "--help")
        assert shown.status == 0
        assert "usage: spicegen " + command in shown.out


@pytest.mark.parametrize("module", ["spicegen", "spicegen.cli"])
def test_python_dash_m_runs_the_same_command(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "models"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("dw_synapse ")


def test_console_script_error_has_no_traceback(files: Path) -> None:
    done = console("run", files / "bad.cir")
    assert done.status == 2
    assert "Traceback" not in done.err
    assert "netlist rejected at line 4" in done.err


def test_no_command_prints_the_help_and_status_2(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli()
    assert done.status == 2
    assert "run" in done.err and "compile" in done.err and "models" in done.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nosuch"], "invalid choice: 'nosuch'"),
        (["run"], "the following arguments are required: netlist"),
        (["build"], "the following arguments are required: CIRCUIT"),
        (["build", "crossbar", "-o", "x.cir"], "one of the arguments --weights --random"),
        (["plot", "x.raw", "-o", "x.png"], "required: VEC"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_mistakes_are_one_line(args: list[str], expected: str, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli(*args)
    assert_one_line_error(done, expected)
    assert "--help)" in done.err  # points at the help instead of printing the usage block


def _loaded_after(args: list[str], cwd: Path) -> set[str]:
    """Top-level packages imported by one ``spicegen args`` call in a fresh interpreter."""
    probe = (
        "import sys\n"
        "from spicegen.cli import main\n"
        "if __name__ == '__main__':\n"
        "    try:\n"
        f"        main({args!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    (cwd / "probe.py").write_text(probe)
    done = subprocess.run(
        [sys.executable, "probe.py"],
        cwd=cwd,
        # this checkout, not whatever `spicegen` the interpreter would find from ``cwd``
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.strip().splitlines()[-1].split())


@pytest.mark.parametrize(
    ("args", "also_absent"),
    [
        (["--version"], ("numpy",)),
        (["models"], ("numpy",)),
        (["run", "divider.cir"], ("numpy",)),  # the summary is read without numpy
        (["run", "divider.cir", "--backend", "shared"], ()),
    ],
)
def test_a_verb_imports_only_what_it_uses(
    args: list[str], also_absent: tuple[str, ...], files: Path
) -> None:
    loaded = _loaded_after(args, files)
    assert "spicegen" in loaded
    assert not loaded & {*HEAVY, *also_absent}, sorted(loaded & {*HEAVY, *also_absent})
