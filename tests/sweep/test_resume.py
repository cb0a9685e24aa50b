"""Kill -9 the sweep driver midway, resume it, and compare with an uninterrupted run:
identical rows, none missing, none duplicated, finished rows untouched."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from spicegen.cli import main
from spicegen.netlist import Circuit
from spicegen.sweep import StoreError, load

ROOT = Path(__file__).resolve().parents[2]
POINTS = 30

SPEC = '''
[sweep]
name = "resume"
batch = 2
[circuit]
text = """RC low-pass
V1 in 0 pulse(0 1 0 1n 1n 5u 10u)
R1 in out {r}
C1 out 0 1n
.end
"""
[analysis]
type = "tran"
step = 1e-9
stop = 1e-5
[parameters.grid]
r = { start = 100.0, stop = 4000.0, num = POINTS }
[measure]
v_final = { kind = "final", vector = "v(out)" }
'''.replace("POINTS", str(POINTS))


def _rows(directory: Path) -> dict[int, tuple[float, float, str, int]]:
    """idx -> (started, finished, worker, run), read without taking a write lock."""
    database = directory / "sweep.sqlite"
    if not database.exists():
        return {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        try:
            found = db.execute("SELECT idx, started, finished, worker, run FROM points").fetchall()
        except sqlite3.OperationalError:  # the table is not there yet
            return {}
    return {row[0]: tuple(row[1:]) for row in found}


def test_kill_9_then_resume_matches_an_uninterrupted_run(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "resume.toml"
    spec.write_text(SPEC)
    out = tmp_path / "killed"
    driver = subprocess.Popen(
        [sys.executable, "-m", "spicegen.cli", "sweep", str(spec), "--out", str(out),
         "--workers", "2"],
        cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(_rows(out)) < 6:
            assert driver.poll() is None, driver.communicate()
            assert time.monotonic() < deadline, "the sweep wrote no rows in 60 s"
            time.sleep(0.02)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
    finally:
        # safety net: the pool ends with the driver (test_lifeline.py); its group goes too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
    assert driver.returncode == -signal.SIGKILL
    before = _rows(out)
    assert 6 <= len(before) < POINTS, "the driver was not killed midway"

    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "2"]) == 0
    message = capsys.readouterr().out
    assert f"{len(before)} already there" in message
    assert f"{POINTS - len(before)} computed" in message
    after = _rows(out)
    assert sorted(after) == list(range(POINTS))  # none missing; idx is the primary key
    for index, row in before.items():
        assert after[index] == row  # not recomputed: same times, same worker, run 1
    assert sum(row[3] == 2 for row in after.values()) == POINTS - len(before)

    assert main(["sweep", str(spec), "--out", str(tmp_path / "whole"), "--workers", "2"]) == 0
    resumed, whole = load(out), load(tmp_path / "whole")
    assert list(resumed["status"]) == ["done"] * POINTS
    for column in ("index", "seed", "r", "netlist_hash", "v_final"):
        np.testing.assert_array_equal(resumed[column], whole[column], err_msg=column)


def test_resume_refuses_another_spec_and_a_fresh_run_refuses_a_used_directory(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys
) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace(f"num = {POINTS}", "num = 2"))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out)]) == 2
    assert "pass --resume" in capsys.readouterr().err
    spec.write_text(SPEC.replace(f"num = {POINTS}", "num = 3"))
    assert main(["sweep", str(spec), "--out", str(out), "--resume"]) == 2
    assert "another spec" in capsys.readouterr().err
    assert main(["sweep-report", str(out), "-o", str(tmp_path / "r.png")]) == 0
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


SMALL = SPEC.replace(f"num = {POINTS}", "num = 3")


def _cli(spec: Path, out: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``spicegen sweep`` as its own process, with ``env`` added to the environment."""
    command = [sys.executable, "-m", "spicegen.cli", "sweep", str(spec), "--out", str(out),
               "--workers", "1", *flags]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_a_sweep_stopped_by_missing_ngspice_reruns_plainly(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(SMALL)
    out = tmp_path / "out"
    missing = _cli(spec, out, SPICEGEN_NGSPICE=str(tmp_path / "no-ngspice"))
    assert missing.returncode == 2, missing.stderr
    assert "no-ngspice' was not found" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert _rows(out) == {}  # no point was recorded as failed for the machine's fault
    # ngspice back: the same command, without --resume, runs every point
    again = _cli(spec, out)
    assert again.returncode == 0, again.stderr
    assert "3 done" in again.stdout
    assert sorted(_rows(out)) == [0, 1, 2]


def test_a_sweep_stopped_before_its_first_point_reruns_plainly(tmp_path: Path) -> None:
    from spicegen.sweep import SpecError, SweepError, SweepSpec, parameters, run
    from tests.sweep.factories import rc

    out = tmp_path / "out"
    ready = tmp_path / "ready"

    def needs_a_file(params: Mapping[str, float], seed: int) -> Circuit:
        # stands for any first render that fails (a missing model file, a typo in a factory)
        if not ready.exists():
            raise FileNotFoundError(ready)
        return rc(params, seed)

    spec = SweepSpec(circuit=needs_a_file, parameters=parameters(grid={"r": [1e3, 2e3]}))
    with pytest.raises(SpecError, match="needs_a_file failed on point 0"):
        run(spec, store=out, workers=1)
    # an unreachable scheduler also stops it after the store was opened
    with pytest.raises(SweepError, match="cannot reach the Dask scheduler"):
        run(spec, "tcp://127.0.0.1:9", store=out)
    ready.touch()
    summary = run(spec, store=out, workers=1)  # no resume=True needed: nothing was there
    assert (summary.total, summary.done, summary.skipped) == (2, 2, 0)
    # a store that holds rows still needs resume=True
    with pytest.raises(StoreError, match=r"already holds a sweep \(2 point\(s\)\)"):
        run(spec, store=out, workers=1)
