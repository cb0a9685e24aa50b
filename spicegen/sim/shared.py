"""The shared-library backend: libngspice in a worker process, driven through two pipes.

The worker isolates the caller from ngspice: an abort or a segfault ends the worker, the caller
gets ``SimulatorCrashed`` with what ngspice printed, and the next call starts a fresh worker.
Each worker runs in a private directory (its ``.spiceinit`` is spicegen's, so no user start-up
file is read); the directory goes when the worker is closed, killed, or outlives its parent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spicegen.sim.batch import INIT_FILE, init_text, ngspice_environment
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
from spicegen.sim.worker import PlotData, receive_message, send_message
from spicegen.waves import Waveforms

_START_TIMEOUT = 120.0  # s; a worker starts in ~0.1 s, but a loaded machine can be slow
_WORKER_FILE = str(Path(__file__).with_name("worker.py"))
_LOG_FILE = "worker.log"


class Worker:
    """A child process holding one libngspice; requests are synchronous."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="spicegen-worker-"))
        (self.directory / INIT_FILE).write_text(init_text(()), encoding="utf-8")
        request_read, self._requests = os.pipe()
        self._replies, reply_write = os.pipe()
        try:
            with open(self.directory / _LOG_FILE, "wb") as log:
                self._process = subprocess.Popen(
                    [sys.executable, _WORKER_FILE, str(request_read), str(reply_write),
                     str(os.getpid())],
                    cwd=self.directory,
                    env=ngspice_environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(request_read, reply_write),
                    start_new_session=True,  # Ctrl-C reaches the caller, which stops the worker
                )  # fmt: skip
        except BaseException:
            for fd in (self._requests, self._replies):
                os.close(fd)
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._closed = False
        # the directory goes even if the caller forgets to close the worker
        self._finalizer = weakref.finalize(
            self, _clean_up, self._process, (self._requests, self._replies), self.directory
        )
        self.last_log = ""
        self.lock = threading.RLock()  # one request at a time: replies must match requests
        self.version = str(self.request("ping", (), timeout=_START_TIMEOUT))

    @property
    def alive(self) -> bool:
        return not self._closed and self._process.poll() is None

    def request(
        self,
        name: str,
        args: tuple[Any, ...],
        *,
        timeout: float | None = None,
        analysis: str | None = None,
        check: bool = True,
    ) -> Any:
        """Send one request; return its value or raise the typed error it ended in
        (``check=False``: leave judging ngspice's log to the caller, see ``last_log``)."""
        with self.lock:
            if self._closed:
                raise SessionError("the ngspice worker was closed", analysis=analysis)
            try:
                send_message(self._requests, (name, args))
                if not _readable(self._replies, timeout):
                    self.kill()
                    raise SimulationTimeout(
                        f"ngspice ran longer than {timeout} s and was stopped",
                        timeout=float(timeout or 0.0),
                        analysis=analysis,
                    )
                status, value, log = receive_message(self._replies)
            except (EOFError, OSError):
                raise self._crashed(analysis) from None
            except BaseException:
                # interrupted mid-request (Ctrl-C): the reply would answer the next request
                self.kill()
                raise
        return self._answer(status, value, log, analysis, check)

    def _answer(self, status: str, value: Any, log: str, analysis: str | None, check: bool) -> Any:
        self.last_log = log
        if status == "exit":
            # ngspice left through its exit callback: the worker is gone either way
            self._wait_and_close()
            code, by_quit = value  # sharedspice.c shared_exit: `quit` comes as status - 1000
            if by_quit and code == 0:
                return _Quit(log)  # `quit` in an allowed control script: a normal end
            if by_quit:
                # `quit N` is the script's own verdict, as batch ngspice's exit status N is
                quitted = classify_failure(log, code, analysis=analysis)
                if quitted is not None:
                    raise quitted
            failure = classify_failure(log, None, analysis=analysis)
            if isinstance(failure, (NetlistSyntaxError, ConvergenceError)):
                raise failure
            raise SimulatorCrashed(
                f"ngspice aborted (exit status {code})\n{log}".strip(),
                exit_status=code,
                analysis=analysis,
                log=log,
            )
        if status == "error":
            raise SimulationError(value, analysis=analysis, log=log)
        if check:
            produced = isinstance(value, list) and bool(value)
            failure = classify_failure(log, None, analysis=analysis, produced=produced)
            if failure is not None:
                raise failure
        return value

    def kill(self) -> None:
        """Stop the worker at once (timeouts, crashes)."""
        if self._process.poll() is None:
            self._process.kill()
        self._wait_and_close()

    def close(self) -> None:
        """Ask the worker to leave, then make sure it did."""
        if self.alive:
            try:
                send_message(self._requests, ("close", ()))
                if _readable(self._replies, 5.0):
                    receive_message(self._replies)
            except (OSError, EOFError):
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5.0)
        self.kill()

    def _wait_and_close(self) -> None:
        if not self._closed:
            self._closed = True
            self._finalizer()

    def _printed(self) -> str:
        try:
            with open(self.directory / _LOG_FILE, encoding="utf-8", errors="replace") as handle:
                return handle.read()[-4000:]
        except FileNotFoundError:
            return ""

    def _crashed(self, analysis: str | None) -> SimulatorCrashed:
        try:
            code = self._process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            code = None
        printed = self._printed()
        self.kill()
        how = (
            f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        )
        return SimulatorCrashed(
            f"the ngspice worker process died ({how})\n{printed.strip()}",
            exit_status=code,
            analysis=analysis,
            log=printed,
        )


class _Quit:
    """The reply to a load that ended in ``quit``: no plots, ngspice has discarded them."""

    def __init__(self, log: str) -> None:
        self.log = log


def _readable(fd: int, timeout: float | None) -> bool:
    ready, _, _ = select.select([fd], [], [], timeout)
    return bool(ready)


def _clean_up(process: subprocess.Popen[bytes], fds: tuple[int, ...], directory: Path) -> None:
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5.0)
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    shutil.rmtree(directory, ignore_errors=True)


def to_waveforms(plots: Sequence[PlotData]) -> tuple[Waveforms, ...]:
    """Turn the worker's plain plot tuples into Waveforms."""
    out = []
    for title, plotname, columns, axis in plots:
        arrays = [
            (name, kind, np.frombuffer(data, np.complex128 if is_complex else np.float64))
            for name, kind, is_complex, data in columns
        ]
        out.append(Waveforms.from_arrays(title, plotname, arrays, axis))
    return tuple(out)


def pickle_sources(sources: Mapping[str, Callable[[float], float]]) -> bytes:
    """Serialise external-source callbacks (lambdas and closures too) for the worker."""
    import cloudpickle

    return bytes(cloudpickle.dumps(dict(sources)))


class _Pool:
    """The one idle worker that ``simulate(backend="shared")`` reuses between plain runs.

    Starting a worker costs a process start; reusing it makes one-off shared simulations
    cheap. A crashed or timed-out worker is dropped and the next call starts a new one.
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
    of its own, closed afterwards, so nothing it sets reaches the next run. A control script's
    own analyses are its result; only when it ran none is the deck's analysis run.
    """
    own = bool(deck.setup) or deck.control
    worker = Worker() if own else _pool.get()
    start = time.perf_counter()
    try:
        with worker.lock:  # load and run belong together when threads share the pool
            cwd = str(deck.base_dir) if deck.control else None
            # judged once at the end, as ngspice's exit status judges a batch run: errors it
            # printed while loading count only if no plot came out
            made = worker.request(
                "load",
                (deck.text, deck.setup, cwd, str(deck.base_dir)),
                timeout=timeout,
                analysis=deck.analysis,
                check=False,
            )
            log = worker.last_log
            if isinstance(made, _Quit):
                return (), log, time.perf_counter() - start
            if deck.control and made:
                plots = worker.request("collect", (None,), timeout=timeout, check=False)
            elif deck.control and deck.analysis is None:
                plots = []  # a script that made no plot, and no analysis card to run
            else:
                plots = worker.request(
                    "run",
                    ((), "run", None, True),
                    timeout=timeout,
                    analysis=deck.analysis,
                    check=False,
                )
            log = "\n".join(part for part in (log, worker.last_log) if part)
        # a script that ran to its end with nothing to analyse has done what it was asked: as
        # in a batch run, the errors its commands printed do not fail it
        done = bool(plots) or (deck.control and deck.analysis is None)
        failure = classify_failure(log, None, analysis=deck.analysis, produced=done)
        if failure is not None:
            raise failure
    finally:
        if own:
            worker.close()
    return to_waveforms(plots), log, time.perf_counter() - start
