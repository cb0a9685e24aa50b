"""No orphans: a ``kill -9`` of the sweep driver ends its pool, the forkserver and every
ngspice the workers were running, within seconds; a tied program dies with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from spicegen.sweep.lifeline import tied
from tests.sweep.processes import alive, command_lines, descendants, kill

ROOT = Path(__file__).resolve().parents[2]
GONE_WITHIN = 10.0  # s; the watchdog reacts at once (pidfd), the rest is process teardown

# four points that each run for minutes, so the workers are busy in ngspice when the driver dies
HANGING = '''
[sweep]
timeout = 600
ladder = false
batch = 1
[circuit]
text = """slow {r}
V1 in 0 sin(0 1 1meg)
R1 in out {r}
C1 out 0 1n
.tran 1p 10
.end
"""
[parameters.grid]
r = [1, 2, 3, 4]
'''


def _wait_for(condition: Callable[[], bool], seconds: float, what: str | Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(0.05)


def test_kill_9_of_the_driver_leaves_no_process_behind(tmp_path: Path) -> None:
    spec = tmp_path / "hang.toml"
    spec.write_text(HANGING)
    driver = subprocess.Popen(
        [sys.executable, "-m", "spicegen.cli", "sweep", str(spec), "--out", str(tmp_path / "o"),
         "--workers", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started: set[int] = set()
    try:

        def two_ngspice_running() -> bool:
            started.update(descendants(driver.pid))
            return sum("ngspice" in name for name in command_lines(started)) >= 2

        _wait_for(two_ngspice_running, 60, "the workers never started ngspice")
        started.update(descendants(driver.pid))
        # forkserver, resource tracker, 2 workers, 2 ngspice
        assert len(started) >= 6, command_lines(started)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        _wait_for(
            lambda: not alive(started),
            GONE_WITHIN,
            lambda: f"left behind: {command_lines(alive(started))}",
        )
    finally:
        kill(alive(started))
        if driver.poll() is None:
            driver.kill()
            driver.wait()


def test_a_tied_program_dies_with_the_process_that_started_it() -> None:
    # a parent that starts a tied `sleep`, prints its pid and waits: kill -9 the parent
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time\n"
         "from spicegen.sweep.lifeline import tied\n"
         "child = subprocess.Popen(tied(['sleep', '600']))\n"
         "print(child.pid, flush=True)\n"
         "time.sleep(600)\n"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    child = set()
    try:
        assert parent.stdout is not None
        child = {int(parent.stdout.readline())}
        _wait_for(
            lambda: any("sleep" in n for n in command_lines(child)), 30, "sleep never started"
        )
        parent.kill()
        parent.wait()
        _wait_for(lambda: not alive(child), GONE_WITHIN, "the tied sleep outlived its parent")
    finally:
        kill(alive(child))
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert tied(["dask", "worker"])[-2:] == ["dask", "worker"]
