"""Executors: where batches run. A local process pool (default) or a Dask distributed cluster.

Both take packed batches (bytes) and yield each batch's records as soon as it finishes, in
any order; the driver alone writes the store.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from spicegen.sweep.errors import SweepError
from spicegen.sweep.lifeline import watch
from spicegen.sweep.record import Record
from spicegen.sweep.worker import run_packed

_POOL_RESTARTS = 3  # a pool whose worker was killed is rebuilt this many times at most
_IN_FLIGHT = 2  # batches submitted per local worker: one running, one queued
_IN_FLIGHT_DASK = 4  # per Dask worker thread: hides the scheduler's round trips


class Executor(Protocol):
    """Runs packed batches; ``workers`` is how many run at once."""

    workers: int

    def map_unordered(self, payloads: Iterable[bytes]) -> Iterator[list[Record]]:
        """Yield the records of each batch as it finishes; ``payloads`` is read lazily."""
        ...

    def close(self) -> None:
        """Release the workers (a Dask client given by the caller stays open)."""
        ...


class LocalExecutor:
    """A pool of worker processes on this machine (``workers`` defaults to the core count)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise SweepError(f"workers must be >= 1, not {self.workers}")

    def map_unordered(self, payloads: Iterable[bytes]) -> Iterator[list[Record]]:
        """Run the batches, keeping ``2 * workers`` in flight (the driver prepares the next
        ones meanwhile); a pool broken by a killed worker is rebuilt and its batches rerun."""
        source = iter(payloads)
        keys = itertools.count()
        pending: dict[int, bytes] = {}  # submitted, not finished
        exhausted = False
        restarts = 0
        while True:
            pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=watch,  # a worker ends when the driver does, even by kill -9
                initargs=(os.getpid(),),
            )
            futures: dict[Future[list[Record]], int] = {
                pool.submit(run_packed, payload): key for key, payload in pending.items()
            }
            try:
                while True:
                    while not exhausted and len(futures) < _IN_FLIGHT * self.workers:
                        payload = next(source, None)
                        if payload is None:
                            exhausted = True
                            break
                        key = next(keys)
                        pending[key] = payload
                        futures[pool.submit(run_packed, payload)] = key
                    if not futures:
                        return
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        key = futures.pop(future)
                        records = future.result()
                        del pending[key]
                        yield records
            except BrokenProcessPool:
                restarts += 1
                if restarts > _POOL_RESTARTS:
                    raise SweepError(
                        f"the worker pool broke {restarts} times (a worker process was killed)"
                    ) from None
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Nothing to release: each run makes and shuts its own pool."""


class DaskExecutor:
    """A Dask distributed cluster: ``address`` ``tcp://host:port`` (or ``dask://host:port``),
    or an existing ``distributed.Client``."""

    def __init__(self, target: Any) -> None:
        try:
            from distributed import Client as _Client
        except ImportError:
            raise SweepError(
                "the Dask executor needs dask[distributed]: pip install 'spicegen[dask]'"
            ) from None
        Client: Any = _Client
        self._client: Any
        if isinstance(target, _Client):
            self._client, self._owned = target, False
        else:
            address = str(target)
            if address.startswith("dask://"):
                address = "tcp://" + address.removeprefix("dask://")
            try:
                self._client, self._owned = Client(address, timeout="10s"), True
            except (OSError, TimeoutError) as err:
                raise SweepError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map_unordered(self, payloads: Iterable[bytes]) -> Iterator[list[Record]]:
        """Keep ``4 * workers`` batches submitted (Dask reruns a batch whose worker died) and
        yield each as it ends."""
        import distributed

        source = iter(payloads)
        limit = _IN_FLIGHT_DASK * self.workers
        make_running: Any = distributed.as_completed
        running: Any = make_running()
        outstanding: set[Any] = set()  # futures hold results on the cluster: drop them soon

        def fill() -> None:
            while running.count() < limit:
                payload = next(source, None)
                if payload is None:
                    return
                future = self._client.submit(run_packed, payload, pure=False)
                outstanding.add(future)
                running.add(future)

        fill()
        try:
            for future in running:
                records: list[Record] = future.result()
                outstanding.discard(future)
                yield records
                fill()
        finally:
            for future in outstanding:
                future.cancel()

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._owned:
            self._client.close()


def make_executor(executor: object, workers: int | None = None) -> Executor:
    """None/``"local"`` -> a local pool; ``"dask://..."``, ``"tcp://..."`` or a Client -> Dask."""
    if executor is None or executor == "local":
        return LocalExecutor(workers)
    if isinstance(executor, LocalExecutor | DaskExecutor):
        return executor
    if isinstance(executor, str):
        if executor.startswith(("dask://", "tcp://", "tls://")):
            return DaskExecutor(executor)
        raise SweepError(
            f"executor must be 'local', 'dask://host:port' or 'tcp://host:port', not {executor!r}"
        )
    if type(executor).__name__ == "Client":
        return DaskExecutor(executor)
    raise SweepError(
        f"executor must be 'local', a scheduler address or a Dask Client, not {executor!r}"
    )
