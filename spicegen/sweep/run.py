"""``run``: a spec's points through an executor into a store, skipping what is already there."""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spicegen.netlist import analysis_card
from spicegen.sweep.executors import make_executor
from spicegen.sweep.points import Point, expand, netlist_hash, render_point
from spicegen.sweep.progress import Progress
from spicegen.sweep.spec import SweepSpec, Template
from spicegen.sweep.store import Store
from spicegen.sweep.worker import Job, Task, pack

_TASKS_PER_WORKER = 4  # batches per worker when the batch size is automatic


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
) -> Summary:
    """Run every point of ``spec`` not yet in ``store`` (a directory) and return a summary.

    ``executor``: None or ``"local"`` (process pool of ``workers``, default the core count),
    ``"dask://host:port"``/``"tcp://host:port"``, or a ``distributed.Client``. ``resume``
    allows an existing directory of the same spec: finished points are not recomputed.
    ``progress``: None shows a bar only on a terminal.
    """
    points = expand(spec)
    card = analysis_card(spec.analysis) if spec.analysis is not None else ""
    with Store.create(store, _meta(spec), resume=resume) as db:
        finished = db.finished()
        todo = [p for p in points if p.index not in finished]
        bar = Progress(len(points), len(points) - len(todo), enabled=progress)
        tally = _Tally()
        try:
            tasks: Iterable[Task] = (_task(spec, point, card) for point in todo)
            size = spec.batch
            while True:
                repeats: list[Task] = []
                pool = make_executor(executor, workers)
                try:
                    size = size or _auto_batch(len(todo), pool.workers)
                    plan = _plan(spec, tasks, size, db, bar, tally, repeats)
                    for records in pool.map_unordered(plan):
                        db.add(records)
                        tally.computed += len(records)
                        bar.update(len(records), sum(r.status != "done" for r in records))
                finally:
                    pool.close()
                if not repeats:
                    break
                # repeats of a point that failed: no cached row, so they run in their own round
                tasks = repeats
        finally:
            bar.close()
        counts = db.counts()
    return Summary(
        directory=str(store),
        total=len(points),
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        timeout=counts.get("timeout", 0),
        computed=tally.computed,
        cached=tally.cached,
        skipped=len(points) - len(todo),
    )


class _Tally:
    """Counts of one run (mutable, local to ``run``)."""

    def __init__(self) -> None:
        self.computed = 0
        self.cached = 0


def _task(spec: SweepSpec, point: Point, card: str) -> Task:
    text, libraries = render_point(spec, point)
    return Task(point, text, netlist_hash(text, card), libraries)


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
    repeats: list[Task],
) -> Iterator[bytes]:
    """Packed batches of the tasks that need ngspice, made lazily while workers run.

    A task whose netlist has a ``done`` row is copied from it; a second task with the netlist of
    one already sent waits in ``repeats`` (it is served from the cache in the next round).
    """
    base = spec.circuit.base_dir if isinstance(spec.circuit, Template) else None
    job = Job(spec.analysis, spec.measures, spec.ladder, spec.timeout, spec.waves, base)
    sent: set[str] = set()
    batch: list[Task] = []
    for task in tasks:
        hit = db.cached(task.netlist_hash)
        if hit is not None:
            db.add_cached(task.point.index, task.point.values, task.point.seed, hit)
            tally.cached += 1
            bar.update(1, 0)
        elif task.netlist_hash in sent:
            repeats.append(task)
        else:
            sent.add(task.netlist_hash)
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
    module = getattr(factory, "__module__", "?")
    name = getattr(factory, "__qualname__", repr(factory))
    return f"{module}:{name}"
