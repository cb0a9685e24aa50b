"""``spicegen run`` reads its summary without numpy: byte for byte what the numpy reader gave.

The reference is the command's summary code as it was before (numpy's ``min``/``max``/``abs``
over the arrays of ``read_raw_plots``), run on the raw file the command kept with ``--raw``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spicegen.waves import read_raw_plots
from tests.waves.conftest import DIVIDER_DC, MULTI, ZERO_POINTS

ROOT = Path(__file__).resolve().parents[2]  # this checkout, wherever the child runs

# op, tran, AC (complex) and DC plots made by a control script, handed back as ASCII
ASCII_SCRIPT = """ascii plots from a control script
V1 in 0 dc 1 ac 1 sin(0 1 1meg)
R1 in out 1k
C1 out 0 1n
I1 0 n2 dc 1m
R2 n2 0 1k
.control
op
tran 10n 2u
ac dec 5 1k 1meg
dc V1 -1 1 0.5
set filetype=ascii
.endc
.end
"""

DECKS = {
    "multi": (MULTI, ()),
    "divider_dc": (DIVIDER_DC, ()),
    "zero_points": (ZERO_POINTS, ()),
    "ascii_script": (ASCII_SCRIPT, ("--allow-control",)),
}


def _old_summary(data: np.ndarray) -> str:
    """``spicegen run``'s summary of one vector before it stopped importing numpy."""
    if data.size == 0:
        return "(empty)"
    if data.size == 1:
        return f"= {_old_number(data[0])}"
    if data.dtype.kind == "c":
        magnitude = abs(data)
        return f"|.| {_old_number(magnitude.min())} .. {_old_number(magnitude.max())}"
    return f"{_old_number(data.min())} .. {_old_number(data.max())}, last {_old_number(data[-1])}"


def _old_number(value: complex | float) -> str:
    if isinstance(value, complex):
        return f"{value.real:.6g}{value.imag:+.6g}j"
    return f"{float(value):.6g}"


def _old_lines(raw: Path) -> list[str]:
    lines = []
    for waveforms in read_raw_plots(raw):
        lines.append(f"  {waveforms.plotname}: {len(waveforms)} point(s)")
        for vector in waveforms.vectors:
            lines.append(
                f"    {vector.name:<24} {_old_summary(vector.data)} {vector.unit}".rstrip()
            )
    return lines


@pytest.mark.parametrize("name", sorted(DECKS))
def test_the_summary_is_what_the_numpy_reader_printed(tmp_path: Path, name: str, cli) -> None:  # type: ignore[no-untyped-def]
    text, extra = DECKS[name]
    deck, raw = tmp_path / f"{name}.cir", tmp_path / f"{name}.raw"
    deck.write_text(text)
    done = cli("run", deck, "--raw", raw, *extra)
    assert done.status == 0, done.err
    lines = done.out.splitlines()
    plots = read_raw_plots(raw)
    assert re.fullmatch(
        rf"{re.escape(str(deck))}: {len(plots)} plot\(s\), ngspice \d+\.\d{{3}} s \(batch\)",
        lines[0],
    )
    assert lines[1:-1] == _old_lines(raw)
    assert lines[-1] == f"raw file written to {raw}"
    if name == "ascii_script":
        assert raw.read_bytes().count(b"Values:") == 4  # the ASCII reader was the one used
    else:
        assert b"Binary:" in raw.read_bytes()


def test_the_table_path_prints_the_same_summary(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "multi.cir"
    deck.write_text(MULTI)
    summary = cli("run", deck).out.splitlines()
    with_table = cli("run", deck, "--print", "v(out)").out.splitlines()
    # the first line holds ngspice's time; the table follows the summary
    assert with_table[1 : len(summary)] == summary[1:]
    assert with_table[len(summary)].endswith("\tv(out)")


def test_run_on_a_small_deck_loads_no_numpy(tmp_path: Path) -> None:
    """What keeps the start-up short: a fresh interpreter runs the command on a tiny deck, an
    AC deck and an ASCII script, and numpy (or the netlist's element types) never loads; nor
    do typing (annotations only: a few ms) and the ``Result`` that only ``simulate`` returns."""
    (tmp_path / "tiny.cir").write_text("t\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n")
    (tmp_path / "multi.cir").write_text(MULTI)
    (tmp_path / "script.cir").write_text(ASCII_SCRIPT)
    probe = (
        "import sys\n"
        "from spicegen.cli import main\n"
        "for args in (['tiny.cir'], ['multi.cir'], ['script.cir', '--allow-control']):\n"
        "    assert main(['run', *args]) == 0\n"
        "heavy = {'numpy', 'spicegen.netlist.elements', 'spicegen.netlist.writer', 'typing',\n"
        "         'spicegen.sim.result'}\n"
        "print('loaded:', *sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded:"
