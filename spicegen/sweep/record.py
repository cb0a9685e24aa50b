"""What a worker returns for one point: a frozen record, ready for the store."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Status = str  # "done" | "failed" | "timeout"
STATUSES = ("done", "failed", "timeout")


@dataclass(frozen=True, slots=True)
class Record:
    """One point's outcome.

    ``error`` is the typed error's class name (``ConvergenceError``...), ``message`` ngspice's
    message, ``log`` an excerpt of its log; ``rung`` the ladder rung of the final attempt and
    ``attempts`` every attempt as ``(rung, error or None, seconds)``; ``elapsed`` the wall time
    of the point in s; ``started``/``finished`` Unix times (s); ``waves`` the kept waveform
    arrays (written to a file by the driver).
    """

    index: int
    params: tuple[tuple[str, float], ...]
    seed: int
    netlist_hash: str
    status: Status
    measurements: tuple[tuple[str, float], ...]
    error: str | None
    message: str
    log: str
    rung: str
    attempts: tuple[tuple[str, str | None, float], ...]
    elapsed: float
    started: float
    finished: float
    worker: str
    waves: tuple[tuple[str, np.ndarray], ...] = ()
