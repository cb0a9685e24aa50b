"""The shared-library backend: libngspice in a worker process, driven through a pipe.

The worker isolates the caller from ngspice: an abort or a segfault ends the worker, the caller
gets ``SimulatorCrashed`` with what ngspice printed, and the next call starts a fresh worker.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from spicegen.sim.deck import Deck
from spicegen.sim.errors import (
    ConvergenceError,
    NetlistSyntaxError,
    SessionError,
    SimulationError,
    SimulationTimeout,
    SimulatorCrashed,
)
from spicegen.sim.log import classify_failure
from spicegen.sim.worker import PlotData, worker_main
from spicegen.waves import Waveforms

_START_TIMEOUT = 120.0  # s; importing PySpice and starting libngspice takes ~1 s


class Worker:
    """A child process holding one libngspice; requests are synchronous."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        handle, self._log_path = tempfile.mkstemp(prefix="spicegen-worker-", suffix=".log")
        os.close(handle)
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=worker_main, args=(child, self._log_path), daemon=True
        )
        self._process.start()
        child.close()
        self.last_log = ""
        self.lock = threading.RLock()  # one request at a time: replies must match requests
        try:
            self.version = self.request("ping", (), timeout=_START_TIMEOUT)
        except SimulatorCrashed as err:
            raise SimulatorCrashed(
                f"{err.message}\nThe ngspice worker could not start. In a script, call spicegen "
                'from under `if __name__ == "__main__":` (worker processes are spawned).',
                exit_status=err.exit_status,
                log=err.log,
            ) from None

    @property
    def alive(self) -> bool:
        return self._process.is_alive() and not self._conn.closed

    def request(
        self,
        name: str,
        args: tuple[Any, ...],
        *,
        timeout: float | None = None,
        analysis: str | None = None,
    ) -> Any:
        """Send one request; return its value or raise the typed error it ended in."""
        with self.lock:
            if self._conn.closed:
                raise SessionError("the ngspice worker was closed", analysis=analysis)
            try:
                self._conn.send((name, args))
                if not self._conn.poll(timeout):
                    self.kill()
                    raise SimulationTimeout(
                        f"ngspice ran longer than {timeout} s and was stopped",
                        timeout=float(timeout or 0.0),
                        analysis=analysis,
                    )
                status, value, log = self._conn.recv()
            except (EOFError, OSError):
                raise self._crashed(analysis) from None
            except BaseException:
                # interrupted mid-request (Ctrl-C): the reply would answer the next request
                self.kill()
                raise
        return self._answer(status, value, log, analysis)

    def _answer(self, status: str, value: Any, log: str, analysis: str | None) -> Any:
        self.last_log = log
        if status == "exit":
            # ngspice aborted (its "fatal error ... exit"): the worker is gone either way, but
            # a netlist or convergence error is still reported as what it is.
            self._wait_and_close()
            failure = classify_failure(log, None, analysis=analysis)
            if isinstance(failure, (NetlistSyntaxError, ConvergenceError)):
                raise failure
            raise SimulatorCrashed(f"ngspice aborted: {value}\n{log}".strip(), log=log)
        if status == "error":
            raise SimulationError(value, analysis=analysis, log=log)
        failure = classify_failure(log, None, analysis=analysis)
        if failure is not None:
            raise failure
        return value

    def kill(self) -> None:
        """Stop the worker at once (timeouts, crashes)."""
        if self._process.is_alive():
            self._process.kill()
        self._wait_and_close()

    def close(self) -> None:
        """Ask the worker to leave, then make sure it did."""
        if self.alive:
            try:
                self._conn.send(("close", ()))
                self._conn.poll(5.0)
            except (OSError, EOFError):
                pass
        self._process.join(timeout=5.0)
        self.kill()

    def _wait_and_close(self) -> None:
        self._process.join(timeout=5.0)
        self._conn.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log_path)

    def _crashed(self, analysis: str | None) -> SimulatorCrashed:
        self._process.join(timeout=5.0)
        code = self._process.exitcode
        try:
            with open(self._log_path, encoding="utf-8", errors="replace") as handle:
                printed = handle.read()[-4000:]
        except FileNotFoundError:
            printed = ""
        self._wait_and_close()
        how = (
            f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        )
        return SimulatorCrashed(
            f"the ngspice worker process died ({how})\n{printed.strip()}",
            exit_status=code,
            analysis=analysis,
            log=printed,
        )


def to_waveforms(plots: Sequence[PlotData]) -> tuple[Waveforms, ...]:
    """Turn the worker's plain plot tuples into Waveforms."""
    return tuple(
        Waveforms.from_arrays(title, plotname, columns, axis)
        for title, plotname, columns, axis in plots
    )


def pickle_sources(sources: Mapping[str, Callable[[float], float]]) -> bytes:
    """Serialise external-source callbacks (lambdas and closures too) for the worker."""
    import cloudpickle

    return bytes(cloudpickle.dumps(dict(sources)))


class _Pool:
    """The one idle worker that ``simulate(backend="shared")`` reuses between calls.

    Starting a worker costs about a second; reusing it makes one-off shared simulations cheap.
    A crashed or timed-out worker is dropped and the next call starts a new one.
    """

    def __init__(self) -> None:
        self._worker: Worker | None = None
        self._lock = threading.Lock()

    def get(self) -> Worker:
        with self._lock:
            if self._worker is None or not self._worker.alive:
                self._worker = Worker()
            return self._worker

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


_pool = _Pool()
atexit.register(_pool.close)


def run_shared(deck: Deck, *, timeout: float | None) -> tuple[tuple[Waveforms, ...], str, float]:
    """Load ``deck`` into a worker and run it; return (plots, log, elapsed s).

    A plain deck uses the one pooled worker; a deck with start-up commands (variables, code
    models stay set for the life of a libngspice) or an allowed control script gets a worker
    of its own, closed afterwards, so nothing it sets reaches the next run.
    """
    own = bool(deck.setup) or deck.control
    worker = Worker() if own else _pool.get()
    start = time.perf_counter()
    try:
        with worker.lock:  # load and run belong together when threads share the pool
            cwd = str(deck.base_dir) if deck.control else None
            worker.request(
                "load", (deck.text, deck.setup, cwd), timeout=timeout, analysis=deck.analysis
            )
            log = worker.last_log
            plots = worker.request("run", ("run", None), timeout=timeout, analysis=deck.analysis)
            log = "\n".join(part for part in (log, worker.last_log) if part)
    finally:
        if own:
            worker.close()
    return to_waveforms(plots), log, time.perf_counter() - start
