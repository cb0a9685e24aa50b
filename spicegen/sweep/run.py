"""``run``: a spec's points through an executor into a store, skipping what is already there."""

from __future__ import annotations

import hashlib
import json
import math
import os
from array import array
from collections.abc import Iterable, Iterator, MutableSequence
from dataclasses import dataclass

from spicegen.netlist import analysis_card
from spicegen.sim import SimulationError
from spicegen.sim.deck import write_deck
from spicegen.sweep.errors import SpecError
from spicegen.sweep.executors import make_executor
from spicegen.sweep.generators import Generator
from spicegen.sweep.points import MAX_POINTS, Point, check_size, netlist_hash, point_at, render
from spicegen.sweep.progress import Progress
from spicegen.sweep.spec import SweepSpec, Template
from spicegen.sweep.store import Store
from spicegen.sweep.worker import Job, Task, pack

_TASKS_PER_WORKER = 4  # batches per worker when the batch size is automatic
_CHUNK = 4096  # points whose rows are looked up in the store at once


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run did: rows per status in the store, and how many points this run computed,
    served from the cache, or found already done."""

    directory: str
    total: int
    done: int
    failed: int
    timeout: int
    computed: int
    cached: int
    skipped: int


def run(
    spec: SweepSpec,
    executor: object = None,
    *,
    store: str | os.PathLike[str],
    resume: bool = False,
    workers: int | None = None,
    progress: bool | None = None,
    max_points: int = MAX_POINTS,
) -> Summary:
    """Run every point of ``spec`` not yet in ``store`` (a directory) and return a summary.

    ``executor``: None or ``"local"`` (process pool of ``workers``, default the core count),
    ``"dask://host:port"``/``"tcp://host:port"``, or a ``distributed.Client``. ``resume``
    allows an existing directory of the same spec: finished points are not recomputed.
    ``progress``: None shows a bar only on a terminal. A spec of more than ``max_points``
    points is refused before anything is made; points are generated as workers take them.
    """
    total = check_size(spec, max_points)
    with Store.create(store, _meta(spec), resume=resume) as db:
        skipped = db.count(below=total)
        bar = Progress(total, skipped, enabled=progress)
        tally = _Tally()
        try:
            tasks: Iterable[Task] = (_task(spec, point) for point in _todo(spec, db, total))
            size = spec.batch
            while True:
                repeats = array("q")
                in_flight: set[str] = set()
                pool = make_executor(executor, workers)
                try:
                    size = size or _auto_batch(total - skipped, pool.workers)
                    plan = _plan(spec, tasks, size, db, bar, tally, in_flight, repeats)
                    for records in pool.map_unordered(plan):
                        db.add(records)
                        in_flight.difference_update(r.netlist_hash for r in records)
                        tally.computed += len(records)
                        bar.update(len(records), sum(r.status != "done" for r in records))
                finally:
                    pool.close()
                if not repeats:
                    break
                # repeats of a point that was in flight: served from its row in the next round
                # (or run, if it failed); only their indices were kept
                tasks = (_task(spec, point_at(spec, index)) for index in repeats)
        finally:
            bar.close()
        counts = db.counts()
    return Summary(
        directory=str(store),
        total=total,
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        timeout=counts.get("timeout", 0),
        computed=tally.computed,
        cached=tally.cached,
        skipped=skipped,
    )


class _Tally:
    """Counts of one run (mutable, local to ``run``)."""

    def __init__(self) -> None:
        self.computed = 0
        self.cached = 0


def _todo(spec: SweepSpec, db: Store, total: int) -> Iterator[Point]:
    """The points without a row, in index order, generated a chunk at a time."""
    for low in range(0, total, _CHUNK):
        high = min(total, low + _CHUNK)
        there = db.finished_between(low, high)
        for index in range(low, high):
            if index not in there:
                yield point_at(spec, index)


def _task(spec: SweepSpec, point: Point) -> Task:
    """The point's run, and the hash of the deck ``sim`` writes for it (the cache's key).

    A run that cannot become a deck (a refused include, a template with an analysis of its own
    beside the spec's) is the spec's fault, found before anything of it is sent.
    """
    run = render(spec, point)
    try:
        deck = write_deck(run)
    except SimulationError as err:
        raise SpecError(
            "circuit", f"point {point.index} {point.values}: {type(err).__name__}: {err}"
        ) from None
    return Task(point, run, netlist_hash(deck))


def _auto_batch(count: int, workers: int) -> int:
    """About four batches per worker, at most 64 points each."""
    return max(1, min(64, math.ceil(count / (workers * _TASKS_PER_WORKER))))


def _plan(
    spec: SweepSpec,
    tasks: Iterable[Task],
    size: int,
    db: Store,
    bar: Progress,
    tally: _Tally,
    in_flight: set[str],
    repeats: MutableSequence[int],
) -> Iterator[bytes]:
    """Packed batches of the tasks that need ngspice, made lazily while workers run.

    A task whose netlist has a ``done`` row is copied from it; a task with the netlist of one
    in flight (``in_flight``: hashes sent, not yet back) waits in ``repeats`` by its index.
    """
    job = Job(spec.measures, spec.ladder, spec.timeout, spec.waves)
    batch: list[Task] = []
    for task in tasks:
        hit = db.cached(task.netlist_hash)
        if hit is not None:
            db.add_cached(task.point.index, task.point.values, task.point.seed, hit)
            tally.cached += 1
            bar.update(1, 0)
        elif task.netlist_hash in in_flight:
            repeats.append(task.point.index)
        else:
            in_flight.add(task.netlist_hash)
            batch.append(task)
            if len(batch) == size:
                yield pack(job, tuple(batch))
                batch = []
    if batch:
        yield pack(job, tuple(batch))


def _meta(spec: SweepSpec) -> dict[str, str]:
    """What the store remembers about the spec; the fingerprint guards resumes."""
    described = {
        "name": spec.name,
        "circuit": spec.circuit.text if isinstance(spec.circuit, Template) else _qualname(spec),
        "parameters": repr(spec.parameters),
        "analysis": analysis_card(spec.analysis) if spec.analysis is not None else None,
        "measures": [repr((m.name, m.kind, m.vector, m.options)) for m in spec.measures],
        "samples": spec.samples,
        "seed": spec.seed,
        "ladder": list(spec.ladder),
        "waves": repr(spec.waves),
    }
    text = json.dumps(described, sort_keys=True)
    return {
        "name": spec.name,
        "fingerprint": hashlib.sha256(text.encode()).hexdigest(),
        "spec": text,
        "parameters": json.dumps(list(spec.parameters.names)),
        "measurements": json.dumps([m.name for m in spec.measures]),
    }


def _qualname(spec: SweepSpec) -> str:
    factory = spec.circuit
    if isinstance(factory, Generator):
        return f"generator:{factory.name}"
    module = getattr(factory, "__module__", "?")
    name = getattr(factory, "__qualname__", repr(factory))
    return f"{module}:{name}"
