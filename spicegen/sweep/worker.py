"""What runs on a worker: simulate a batch of rendered points through the ladder and measure.

Tasks travel as cloudpickle bytes so measurement functions may be lambdas or closures on both
executors. Each point runs in its own ``ngspice -b`` process (batch backend): a hung or crashed
ngspice is killed by its timeout and the worker goes on with the next point.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

import cloudpickle
import numpy as np

from spicegen.sim import Analysis, SimulationError, SimulationTimeout
from spicegen.sweep.ladder import run_ladder
from spicegen.sweep.measures import Measure, evaluate
from spicegen.sweep.points import Point
from spicegen.sweep.record import Record
from spicegen.sweep.spec import Waves
from spicegen.waves import Waveforms

_LOG_EXCERPT = 4000  # characters of ngspice's log kept for a failed point


@dataclass(frozen=True, slots=True)
class Job:
    """What every point of a sweep shares."""

    analysis: Analysis | None
    measures: tuple[Measure, ...]
    ladder: tuple[str, ...]
    timeout: float
    waves: Waves
    base_dir: str | None


@dataclass(frozen=True, slots=True)
class Task:
    """One point ready to run: its netlist text and that text's hash."""

    point: Point
    netlist: str
    netlist_hash: str
    osdi: tuple[str, ...] = ()  # OSDI libraries the netlist's models need


def pack(job: Job, tasks: tuple[Task, ...]) -> bytes:
    """Serialize a batch for a worker."""
    return bytes(cloudpickle.dumps((job, tasks)))


def run_packed(payload: bytes) -> list[Record]:
    """Entry point on a worker: unpack a batch and run it."""
    job, tasks = cloudpickle.loads(payload)
    return [run_task(job, task) for task in tasks]


def run_task(job: Job, task: Task) -> Record:
    """Simulate one point (with the ladder), measure it, return its record."""
    started = time.time()
    clock = time.perf_counter()
    outcome = run_ladder(
        task.netlist,
        job.analysis,
        rungs=job.ladder,
        timeout=job.timeout,
        base_dir=job.base_dir,
        osdi=task.osdi,
    )
    measurements: tuple[tuple[str, float], ...] = ()
    waves: tuple[tuple[str, np.ndarray], ...] = ()
    error: SimulationError | None = outcome.error
    note = ""
    if outcome.result is not None:
        try:
            waveforms = outcome.result.waveforms
            values, note = evaluate(job.measures, waveforms)
            measurements = tuple(values.items())
            waves = _kept(waveforms, job.waves)
        except SimulationError as err:
            error = err
    if error is None:
        status, name, message, log = "done", None, note, ""
    else:
        status = "timeout" if isinstance(error, SimulationTimeout) else "failed"
        name, message, log = type(error).__name__, error.message, error.log[-_LOG_EXCERPT:]
        measurements = tuple((m.name, float("nan")) for m in job.measures)
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
