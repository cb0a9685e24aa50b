"""The shared-library worker: a child process that owns one in-process ngspice.

Started by ``spicegen.sim.shared`` as ``python worker.py REQUEST_FD REPLY_FD`` in its private
directory (which holds spicegen's own ``.spiceinit``), it reads requests from one pipe and
answers on the other: length-prefixed pickles of plain tuples, strings and bytes. It imports
only the standard library and ``libngspice.py`` beside it, so it starts in a few tens of
milliseconds. ngspice aborts and segfaults end this process only; the parent sees a closed
pipe. A watchdog thread ends it, and removes its directory, when the parent dies.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

# Vector types in the order of ngspice's `enum simulation_types` (src/include/ngspice/sim.h).
_VECTOR_KINDS = (
    "notype", "time", "frequency", "voltage", "current", "voltage-density", "current-density",
    "sqr-voltage-density", "sqr-current-density", "sqr-voltage", "sqr-current", "pole", "zero",
    "s-param", "temp-sweep", "res-sweep", "impedance", "admittance", "power", "phase", "decibel",
    "capacitance", "charge",
)  # fmt: skip
_PLOTNAMES = {
    "tran": "Transient Analysis",
    "ac": "AC Analysis",
    "dc": "DC transfer characteristic",
    "op": "Operating Point",
    "noise": "Noise Spectral Density Curves",
    "tf": "Transfer Function",
    "sens": "Sensitivity Analysis",
    "pz": "Pole-Zero Analysis",
}
_VOLTAGE = _VECTOR_KINDS.index("voltage")
_CURRENT = _VECTOR_KINDS.index("current")
_HEADER = struct.Struct("<Q")
_PREFIX = re.compile(rb"^std(?:out|err) ", re.MULTILINE)  # sharedspice.c sh_fputs adds them
_WATCH_INTERVAL = 0.2  # s between checks that the parent is alive
# a folder name ngspice's control language leaves alone inside double quotes (no quotes,
# backquotes, $ or ! expansion, no backslash escapes, no line breaks); deck.py's rule, kept
# here because the worker imports nothing of spicegen
_PLAIN_FOLDER = re.compile(r"[^\"'`$!\\\n\r]+")
_HISTORY = 1000  # commands between frees of ngspice's command history (it grows otherwise)

Column = tuple[str, str, bool, bytes]  # name, kind, complex?, float64 (or complex128) bytes
PlotData = tuple[str, str, list[Column], str | None]  # title, plotname, columns, axis name


# -- the wire: used by both ends ---------------------------------------------------------------
def send_message(fd: int, message: object) -> None:
    """Write one length-prefixed pickle to ``fd``."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, _HEADER.pack(len(data)) + data)


def receive_message(fd: int) -> Any:
    """Read one length-prefixed pickle from ``fd``; ``EOFError`` when the pipe closed."""
    # one read takes a small message whole (its header and body arrive in one write)
    chunk = os.read(fd, 65536)
    if len(chunk) < _HEADER.size:
        chunk += _read_exact(fd, _HEADER.size - len(chunk))
    (size,) = _HEADER.unpack_from(chunk)
    body = chunk[_HEADER.size :]
    if len(body) < size:
        body += _read_exact(fd, size - len(body))
    return pickle.loads(body)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes:
    chunk = os.read(fd, size)
    if len(chunk) == size:
        return chunk
    parts = [chunk]
    got = len(chunk)
    while got < size:
        if not chunk:
            raise EOFError("the pipe closed")
        chunk = os.read(fd, size - got)
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


# -- the engine ------------------------------------------------------------------------------
class _SourceFailed(Exception):
    """A Python external-source callback raised; ngspice ran on with 0 V/A."""


class _Left(Exception):
    """ngspice called its exit callback: the library must not be used any more."""


class Engine:
    """One libngspice with its log, external sources and vector access."""

    def __init__(self, ngspice_class: Callable[..., Any]) -> None:
        self.log: list[bytes] = []
        self.exit: tuple[int, bool] | None = None
        self.sources: dict[str, Callable[[float], float]] = {}
        self.source_error: str | None = None
        self.title = ""
        self._commands = 0
        self._circuits = 0
        self._ngspice = ngspice_class(self._print, self._on_exit, self._source)
        found = re.search(r"ngspice-(\S+)", self.take_log())
        self.version = found.group(1) if found else "unknown"
        # spicegen runs decks as `ngspice -b` does: scripts that test $?batchmode take their
        # batch branch (main.c sets the variable for -b; nothing in ngspice itself reads it)
        self._ngspice.command("set batchmode")
        self.take_log()
        self._ngspice.command("echo $sourcepath")
        # ngspice's own places: the current folder, its scripts folder
        self._sourcepath = [w for w in self.take_log().split() if not w.startswith("$")]

    def _print(self, message: bytes) -> None:
        self.log.append(message)  # decoded in take_log: most lines are never looked at

    def _on_exit(self, status: int, quit: bool) -> None:
        self.exit = (status, quit)

    def _source(self, name: str, time: float) -> float:
        function = self.sources.get(name.lower())
        if function is None or self.source_error is not None:
            return 0.0
        try:
            return float(function(time))
        except Exception:  # ngspice cannot carry a Python exception; report it after the run
            self.source_error = traceback.format_exc(limit=4)
            return 0.0

    # -- requests -----------------------------------------------------------------------------
    def load(
        self, deck: str, setup: tuple[str, ...], cwd: str | None, folder: str | None = None
    ) -> list[str]:
        """Run ``setup`` commands (variables, code models), then load ``deck`` (from ``cwd``
        when given: an allowed control script's own folder); return the plots it made.

        ``folder`` is the deck's own folder, where XSPICE models look for their data files
        (through $NGSPICE_INPUT_DIR, read when they open them: dlmain.c fopen_with_path).
        """
        if folder is not None:
            os.environ["NGSPICE_INPUT_DIR"] = folder
            self._look_in(folder)
        for command in setup:
            self.command(command)
        self.command("destroy all")
        for _ in range(self._circuits):  # ngspice keeps every circuit ever loaded otherwise
            self.command("remcirc")
        self._circuits = 0
        if cwd is not None:
            os.chdir(cwd)
        # lines as ngspice's file reader splits them (only at "\n"); libngspice skips blanks
        lines = deck.split("\n")
        self.title = lines[0]
        status = self._ngspice.circuit(lines)
        self._circuits += 1
        self._check_exit()
        if status != 0:
            self.log.append(f"Error: ngSpice_Circ returned {status}".encode())
        return self._made()

    def _look_in(self, folder: str) -> None:
        """Make ``folder`` the last place of ``sourcepath``, as ngspice's file reader does with
        a deck's folder (inpcom.c add_to_sourcepath): the XSPICE auto-bridge looks for a
        family's ``bridge_*.subcir`` there (evtcheck_nodes.c, inp_pathresolve). A folder whose
        name ngspice's command line would expand (quotes, backquotes, $) is left out."""
        words = self._sourcepath
        if _PLAIN_FOLDER.fullmatch(folder):
            words = [*words, f'"{folder}"']
        mark = len(self.log)
        self._ngspice.command(f"set sourcepath = ( {' '.join(words)} )")
        del self.log[mark:]  # spicegen's own setting: not part of the run's log

    def command(self, command: str) -> None:
        """Run one ngspice command (alter, alterparam, reset, codemodel...)."""
        self._commands += 1
        if self._commands % _HISTORY == 0:
            self._ngspice.command(None)
        status = self._ngspice.command(command)
        self._check_exit()
        if status != 0:
            self.log.append(f"Error: command {command!r} returned {status}".encode())

    def run(
        self,
        commands: tuple[str, ...],
        analysis: str | None,
        vectors: tuple[str, ...] | None,
        exact: bool = False,
    ) -> list[PlotData]:
        """Destroy old plots, run ``commands`` then ``analysis`` (``op``, ``tran ...``,
        ``run``); return the plots it made, limited to ``vectors`` when given (``exact``:
        ask ngspice for each plot's name instead of naming it by its kind)."""
        # old plots would pile up, and each analysis gets slower with every plot kept (7 ms
        # instead of 50 us per operating point after a few thousand); only `const` stays
        self.command("destroy all")
        for command in commands:
            self.command(command)
        if analysis is None:
            return []
        self.source_error = None
        self.command(analysis)
        if self.source_error is not None:
            lines = self.source_error.strip().splitlines()
            raise _SourceFailed(f"{lines[-1]}\n" + "\n".join(lines[:-1]))
        return [self._plot(name, vectors, exact) for name in self._made()]

    def collect(self, vectors: tuple[str, ...] | None) -> list[PlotData]:
        """Every plot that exists (an allowed control script's results), oldest first."""
        return [self._plot(name, vectors, exact=True) for name in self._made()]

    def set_sources(self, pickled: bytes) -> None:
        """Install the external-source callbacks (a cloudpickled {name: f(t)} mapping)."""
        import cloudpickle  # noqa: F401 (the pickle refers to it)

        self.sources = {name.lower(): f for name, f in pickle.loads(pickled).items()}

    def take_log(self) -> str:
        """What ngspice printed since the last call, without the stream prefixes."""
        text = _PREFIX.sub(b"", b"\n".join(self.log)).decode("utf-8", "replace")
        self.log.clear()
        return text

    # -- helpers ----------------------------------------------------------------------------
    def _check_exit(self) -> None:
        if self.exit is not None:
            raise _Left()

    def _made(self) -> list[str]:
        """Plot names other than ``const``, oldest first."""
        return [name for name in reversed(self._ngspice.plots()) if name != "const"]

    def _plot(self, plot: str, wanted: tuple[str, ...] | None, exact: bool = False) -> PlotData:
        names = list(reversed(self._ngspice.vectors(plot)))
        kind = plot.rstrip("0123456789")
        axis = names[0] if names and kind not in ("op", "tf", "sens", "pz") else None
        if wanted is not None:
            picked = self._pick(plot, names, wanted)
            # the axis always comes along: Waveforms need it to be one of their vectors
            names = ([axis] if axis is not None and axis not in picked else []) + picked
        columns: list[Column] = []
        points: int | None = None
        axis_written = None
        for name in names:
            found = self._ngspice.vector(f"{plot}.{name}")
            if found is None:
                if wanted is None:
                    continue  # listed but not readable by name (a plot a script made)
                raise KeyError(f"no vector {name!r} in plot {plot}")
            vector_type, is_complex, data = found
            size = len(data) // (16 if is_complex else 8)
            if points is None:
                points = size
            elif size != points and wanted is None:
                # a control script's `let` or `meas` result of another length: a plot's
                # vectors share one length (ngspice's `write` would pad it)
                continue
            vkind = _VECTOR_KINDS[vector_type] if 0 <= vector_type < len(_VECTOR_KINDS) else ""
            written = written_name(name, vector_type)
            if name == axis:
                axis_written = written
            columns.append((written, vkind or "notype", is_complex, data))
        plotname = self._plotname(plot) if exact else _PLOTNAMES.get(kind, kind)
        return self.title, plotname, columns, axis_written

    def _plotname(self, plot: str) -> str:
        """The plot's own name (``Integrated Noise``, ``SP Analysis``...), asked of ngspice."""
        mark = len(self.log)
        self._ngspice.command(f"setplot {plot}")
        self._ngspice.command("echo $curplotname")
        printed = [line for line in self.log[mark:] if line.strip()]
        del self.log[mark:]  # spicegen's own question: not part of the run's log
        name = _PREFIX.sub(b"", printed[-1]).decode("utf-8", "replace").strip() if printed else ""
        kind = plot.rstrip("0123456789")
        return name or _PLOTNAMES.get(kind, kind)

    def _pick(self, plot: str, names: list[str], wanted: tuple[str, ...]) -> list[str]:
        """The in-memory names of the ``wanted`` vectors, asked for as ngspice writes them
        (``v(out)``, ``i(v1)``, ``i(a1)``) or as it keeps them (``out``, ``v1#branch``)."""
        index = {name.lower(): name for name in names}
        picked = []
        for name in wanted:
            key = name.lower()
            found = index.get(key)
            if found is None and key[:2] in ("v(", "i(") and key.endswith(")"):
                inner = key[2:-1]
                found = index.get(inner if key[0] == "v" else f"{inner}#branch")
            if found is None:  # an XSPICE current (a1#branch_1_0): compare written names
                for candidate in names:
                    info = self._ngspice.vector(f"{plot}.{candidate}")
                    if info is not None and written_name(candidate, info[0]).lower() == key:
                        found = candidate
                        break
            picked.append(found if found is not None else name)
        return picked


def written_name(name: str, vector_type: int) -> str:
    """The name ngspice's raw writer gives a vector (rawfile.c raw_write): a current
    ``x#branch...`` becomes ``i(x)``, a voltage ``x`` becomes ``v(x)``, others stay as they are."""
    if vector_type == _CURRENT:
        base = name.split("#branch", 1)[0]
        return base if base[:2].lower() == "i(" else f"i({base})"
    if vector_type == _VOLTAGE:
        return name if name[:2].lower() == "v(" else f"v({name})"
    return name


# -- the serving loop ------------------------------------------------------------------------
def serve(requests: int, replies: int, ngspice_class: Callable[..., Any]) -> bool:
    """Answer requests until told to close (True) or the pipe breaks (False)."""
    engine = Engine(ngspice_class)
    handlers: dict[str, Callable[..., Any]] = {
        "load": engine.load,
        "command": engine.command,
        "run": engine.run,
        "collect": engine.collect,
        "sources": engine.set_sources,
        "ping": lambda: engine.version,
    }
    while True:
        try:
            name, args = receive_message(requests)
        except (EOFError, OSError):
            return False
        if name == "close":
            send_message(replies, ("ok", None, ""))
            return True
        try:
            value = handlers[name](*args)
            send_message(replies, ("ok", value, engine.take_log()))
        except _Left:
            assert engine.exit is not None
            send_message(replies, ("exit", engine.exit, engine.take_log()))
            _leave(3)
        except _SourceFailed as exc:
            send_message(
                replies, ("error", f"external source callback raised {exc}", engine.take_log())
            )
        except Exception as exc:  # reported to the parent, which raises a typed error
            send_message(replies, ("error", f"{type(exc).__name__}: {exc}", engine.take_log()))


def _watch_parent(parent: int, directory: str) -> None:
    """End this process, and remove its private ``directory``, when its parent is gone (it
    was killed, even with SIGKILL: the worker is then adopted by another process)."""
    while True:
        time.sleep(_WATCH_INTERVAL)
        if os.getppid() != parent:
            shutil.rmtree(directory, ignore_errors=True)
            _leave(70)


def _leave(status: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv: list[str]) -> None:
    """Entry point of the worker process: ``worker.py REQUEST_FD REPLY_FD PARENT_PID``."""
    requests, replies, parent = (int(value) for value in argv[:3])
    directory = os.getcwd()  # the private directory the parent started this process in
    threading.Thread(target=_watch_parent, args=(parent, directory), daemon=True).start()
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("spicegen_libngspice", f"{here}/libngspice.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not serve(requests, replies, module.Ngspice):
        # the parent let go of the pipe without a word: it died, or dropped this worker
        shutil.rmtree(directory, ignore_errors=True)
    _leave(0)


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder: its modules must not shadow the standard library
    main(sys.argv[1:])
