"""The shared-library worker's life: its private directory, its end when the parent dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from spicegen.sim import Session, SimulatorCrashed
from spicegen.sim.shared import Worker
from tests.sim.conftest import DIVIDER

ROOT = Path(__file__).resolve().parents[2]


def _gone(pid: int, within: float) -> bool:
    """Whether process ``pid`` has ended (or is a zombie nobody reaped) within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_closed_worker_leaves_no_directory() -> None:
    worker = Worker()
    directory = worker.directory
    assert (directory / ".spiceinit").read_text().startswith("* spicegen")
    worker.close()
    assert not directory.exists()


def test_a_crashed_worker_leaves_no_directory(crashing_code_model: Path) -> None:
    worker = Worker()
    with pytest.raises(SimulatorCrashed):
        worker.request("command", (f"codemodel {crashing_code_model}",), timeout=30)
    assert not worker.directory.exists()


def test_a_forgotten_worker_is_cleaned_up_when_collected() -> None:
    worker = Worker()
    directory, pid = worker.directory, worker._process.pid
    del worker
    import gc

    gc.collect()
    assert not directory.exists()
    assert _gone(pid, 5.0)


def test_session_workers_leave_no_directory() -> None:
    with Session(DIVIDER) as session:
        directory = session._live().directory
        session.op()
    assert not directory.exists()


_ORPHAN = """
from spicegen.sim import Session
session = Session({deck!r})
worker = session._live()
print(worker._process.pid, worker.directory, flush=True)
import time
time.sleep(600)
"""


def test_a_killed_parent_takes_its_session_worker_down() -> None:
    # issue 10: `kill -9` of a driver left its workers running; no main guard is needed
    # either, since workers are plain processes, not multiprocessing spawns
    script = textwrap.dedent(_ORPHAN.format(deck=DIVIDER))
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pid_text, directory = parent.stdout.readline().split(maxsplit=1)
    worker_pid = int(pid_text)
    assert not _gone(worker_pid, 0.5)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    # the watchdog looks every 0.2 s; allow for a loaded machine
    assert _gone(worker_pid, 20.0), "the worker outlived its killed parent"
    deadline = time.monotonic() + 5.0
    while Path(directory.strip()).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(directory.strip()).exists()


_BATCH_ORPHAN = """
from spicegen.sim import simulate
from tests.sim.conftest import HANGS
simulate(HANGS, timeout=None)
"""


def test_a_killed_parent_takes_its_batch_ngspice_down() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _BATCH_ORPHAN],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60.0
    children: list[int] = []
    while not children and time.monotonic() < deadline:
        time.sleep(0.1)
        found = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True)
        children = [int(pid) for pid in found.stdout.split()]
    assert children, "the parent never started ngspice"
    with open(f"/proc/{children[0]}/cmdline", "rb") as handle:
        assert b"ngspice" in handle.read()  # HANGS never finishes on its own
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert _gone(children[0], 20.0), "ngspice outlived its killed parent"
