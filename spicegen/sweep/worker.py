"""What runs on a worker: simulate a batch of rendered points through the ladder and measure.

Tasks travel as cloudpickle bytes so measurement functions may be lambdas or closures on both
executors. Each point runs in its own ``ngspice -b`` process (batch backend): a hung or crashed
ngspice is killed by its timeout and the worker goes on with the next point.
"""

from __future__ import annotations

import math
import os
import socket
import time
from dataclasses import dataclass

import cloudpickle
import numpy as np

from spicegen.sim import Run, SimulationError, SimulationTimeout
from spicegen.sim.batch import ngspice_executable
from spicegen.sweep.errors import SweepError
from spicegen.sweep.ladder import run_ladder
from spicegen.sweep.measures import Measure, evaluate
from spicegen.sweep.points import Point
from spicegen.sweep.record import Record
from spicegen.sweep.spec import Waves
from spicegen.waves import MissingVectorError, Waveforms

_LOG_EXCERPT = 4000  # characters of ngspice's log kept for a failed point


@dataclass(frozen=True, slots=True)
class Job:
    """What every point of a sweep shares."""

    measures: tuple[Measure, ...]
    ladder: tuple[str, ...]
    timeout: float
    waves: Waves


@dataclass(frozen=True, slots=True)
class Task:
    """One point ready to run: its ``Run`` and the hash of the deck it makes."""

    point: Point
    run: Run
    netlist_hash: str


def pack(job: Job, tasks: tuple[Task, ...]) -> bytes:
    """Serialize a batch for a worker."""
    return bytes(cloudpickle.dumps((job, tasks)))


def run_packed(payload: bytes) -> list[Record]:
    """Entry point on a worker: unpack a batch and run it.

    A worker without ngspice raises (stopping the sweep) instead of recording every point as
    failed: that is the machine's fault, not the points', and a rerun must compute them.
    """
    try:
        ngspice_executable()
    except SimulationError as err:
        raise SweepError(f"worker {socket.gethostname()}:{os.getpid()}: {err.message}") from None
    job, tasks = cloudpickle.loads(payload)
    return [run_task(job, task) for task in tasks]


def run_task(job: Job, task: Task) -> Record:
    """Simulate one point (with the ladder), measure it, return its record."""
    started = time.time()
    clock = time.perf_counter()
    outcome = run_ladder(task.run, rungs=job.ladder, timeout=job.timeout)
    measurements = tuple((m.name, math.nan) for m in job.measures)
    waves: tuple[tuple[str, np.ndarray], ...] = ()
    error: SimulationError | None = outcome.error
    status, name, message, log = "done", None, "", ""
    if outcome.result is not None:
        try:
            waveforms = outcome.result.waveforms
        except SimulationError as err:
            error = err
        else:
            values, message = evaluate(job.measures, waveforms)
            measurements = tuple(values.items())
            try:
                waves = _kept(waveforms, job.waves)
            except MissingVectorError as missing:
                # this point lacks a vector the spec keeps: it fails, the sweep goes on; its
                # measurements stay (the simulation itself ran)
                status, name = "failed", type(missing).__name__
                message = f"waveforms.vectors: {missing}"
    if error is not None:
        status = "timeout" if isinstance(error, SimulationTimeout) else "failed"
        name, message, log = type(error).__name__, error.message, error.log[-_LOG_EXCERPT:]
    return Record(
        index=task.point.index,
        params=task.point.params,
        seed=task.point.seed,
        netlist_hash=task.netlist_hash,
        status=status,
        measurements=measurements,
        error=name,
        message=message,
        log=log,
        rung=outcome.rung,
        attempts=tuple((a.rung, a.error, a.seconds) for a in outcome.attempts),
        elapsed=time.perf_counter() - clock,
        started=started,
        finished=time.time(),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        waves=waves,
    )


def _kept(waveforms: Waveforms, keep: Waves) -> tuple[tuple[str, np.ndarray], ...]:
    """The waveform arrays to store: none, all samples, or ``keep.points`` evenly spaced."""
    if keep.keep == "none":
        return ()
    names = list(keep.vectors) or list(waveforms.names)
    axis = waveforms.axis_name
    if axis and axis not in names:
        names.insert(0, axis)
    arrays = {name: np.asarray(waveforms[name]) for name in names}
    if keep.keep == "decimate":
        size = len(waveforms)
        if size > keep.points:
            picks = np.unique(np.linspace(0, size - 1, keep.points).round().astype(np.int64))
            arrays = {name: data[picks] for name, data in arrays.items()}
    return tuple(arrays.items())
