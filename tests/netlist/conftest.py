"""Run decks through real ngspice: batch (``ngspice -b``) and the shared library (in a child)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

NGSPICE = "ngspice"
_ERROR = re.compile(r"error|unknown|can't|cannot|not parsed|aborted", re.IGNORECASE)

# The shared library runs in a child process: one NgSpiceShared per process (see ngspice notes),
# and a crash must not take pytest down. It prints the plots ngspice made.
_SHARED_SCRIPT = """
import sys
from PySpice.Spice.NgSpice.Shared import NgSpiceShared
ngspice = NgSpiceShared.new_instance()
ngspice.load_circuit(open(sys.argv[1]).read())
ngspice.run()
print("PLOTS", " ".join(ngspice.plot_names))
print("STDERR", ngspice.stderr)
"""


def error_lines(output: str) -> list[str]:
    """Lines of ngspice output that report a problem with the deck."""
    return [line for line in output.splitlines() if _ERROR.search(line)]


def run_batch(deck: str, directory: Path, *, raw: bool = True) -> str:
    """Run ``deck`` with ``ngspice -b``; fail the test on a non-zero exit or an error line.

    With ``raw`` the vectors go to a raw file (batch mode needs that, or .print, for .tran);
    without it ngspice prints the .op table on stdout.
    """
    path = directory / "deck.cir"
    path.write_text(deck, encoding="utf-8")
    raw_args = ["-r", str(directory / "out.raw")] if raw else []
    done = subprocess.run(
        [NGSPICE, "-b", *raw_args, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=directory,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert error_lines(output) == [], output
    return output


def run_shared(deck: str, directory: Path) -> str:
    """Load and run ``deck`` in libngspice (needed for ``external`` sources); return the output."""
    path = directory / "deck.cir"
    path.write_text(deck, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SHARED_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert error_lines(output) == [], output
    return output


@pytest.fixture
def ngspice_batch(tmp_path: Path) -> Callable[..., str]:
    return lambda deck, raw=True: run_batch(deck, tmp_path, raw=raw)


@pytest.fixture
def ngspice_shared(tmp_path: Path) -> Callable[[str], str]:
    return lambda deck: run_shared(deck, tmp_path)


def op_voltages(output: str) -> dict[str, float]:
    """Node voltages from the table ngspice -b prints after ``.op`` (lower-case node names)."""
    voltages = {}
    in_table = False
    for line in output.splitlines():
        words = line.split()
        if words[:2] == ["Node", "Voltage"]:
            in_table = True
        elif words[:2] == ["Source", "Current"]:
            break
        elif in_table and len(words) == 2 and not words[0].startswith("-"):
            voltages[words[0].lower()] = float(words[1])
    return voltages
