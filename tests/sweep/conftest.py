"""Shared pieces of the sweep tests: small circuits and a real Dask cluster on localhost."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from spicegen.sweep.lifeline import tied

BIN = Path(sys.executable).parent

# RC low-pass, R and C swept: v(out) at 2 us is 1 - exp(-2us / RC) (the pulse starts at 0 V).
RC = """RC low-pass
V1 in 0 pulse(0 1 0 1n 1n 5u 10u)
R1 in out {r}
C1 out 0 {c}
.end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def dask_address() -> Iterator[str]:
    """A real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes, stopped at the
    end of the session, or killed with the test run if it is killed."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard"]
    # tied: a kill -9 of the test run takes the cluster with it
    scheduler = subprocess.Popen(
        tied([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
              *common]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1"]
    worker += ["--memory-limit", "0", "--no-nanny", *common]
    workers = [
        subprocess.Popen(tied(worker), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield address
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
