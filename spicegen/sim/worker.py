"""The shared-library worker: a child process that owns one in-process ngspice.

Runs only in the child (started by ``spicegen.sim.shared``). It reads requests from a pipe,
drives libngspice through PySpice's ``NgSpiceShared``, and answers with plain tuples and numpy
arrays. ngspice aborts and segfaults kill this process only; the parent sees a closed pipe.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

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

Columns = list[tuple[str, str, np.ndarray]]
PlotData = tuple[str, str, Columns, str | None]  # title, plotname, columns, axis name


class _SourceFailed(Exception):
    """A Python external-source callback raised; ngspice ran on with 0 V/A."""


class _ControlledExit(Exception):
    """ngspice called its exit callback: the library must not be used any more."""


def worker_main(conn: Connection, log_path: str) -> None:
    """Serve requests on ``conn`` until told to close or the pipe breaks."""
    _redirect_output(log_path)
    # a private working directory holding spicegen's own .spiceinit: libngspice reads the
    # .spiceinit of its current directory, or else the user's ~/.spiceinit (sharedspice.c,
    # ngSpice_Init), and either may hold commands the caller never asked for
    os.chdir(tempfile.mkdtemp(prefix="spicegen-worker-"))
    with open(".spiceinit", "w", encoding="utf-8") as init:
        init.write("* spicegen: no start-up commands\n")
    logging.disable(logging.CRITICAL)  # PySpice logs every ngspice line; we keep our own log
    engine = _Engine()
    handlers: dict[str, Callable[..., Any]] = {
        "load": engine.load,
        "command": engine.command,
        "run": engine.run,
        "vectors": engine.vectors,
        "sources": engine.set_sources,
        "ping": lambda: engine.version,
    }
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        name, args = request
        if name == "close":
            conn.send(("ok", None, ""))
            return
        try:
            value = handlers[name](*args)
            conn.send(("ok", value, engine.take_log()))
        except _ControlledExit as exc:
            conn.send(("exit", str(exc), engine.take_log()))
            conn.close()
            os._exit(3)
        except _SourceFailed as exc:
            conn.send(("error", f"external source callback raised {exc}", engine.take_log()))
        except Exception as exc:  # reported to the parent, which raises a typed error
            conn.send(("error", f"{type(exc).__name__}: {exc}", engine.take_log()))


def _redirect_output(log_path: str) -> None:
    """Send the child's C-level stdout/stderr to a file the parent reads after a crash."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


class _Engine:
    """One libngspice instance with its log, external sources and vector access."""

    def __init__(self) -> None:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi

        engine = self

        class _Ngspice(NgSpiceShared):  # type: ignore[misc]
            def send_char(self, message: str, ngspice_id: int) -> int:
                stream, _, text = message.partition(" ")
                engine.log.append(text if stream in ("stdout", "stderr") else message)
                return 0

            def get_vsrc_data(self, voltage: Any, time: float, node: str, ngspice_id: int) -> int:
                voltage[0] = engine.source_value(node, time)
                return 0

            def get_isrc_data(self, current: Any, time: float, node: str, ngspice_id: int) -> int:
                current[0] = engine.source_value(node, time)
                return 0

            @staticmethod
            def _exit(
                status: int, immediate: bool, quit_exit: bool, ngspice_id: int, user: Any
            ) -> int:
                engine.exit_status = int(status)
                return int(status)

        self.log: list[str] = []
        self.exit_status: int | None = None
        self.sources: dict[str, Callable[[float], float]] = {}
        self.source_error: str | None = None
        self.title = ""
        self._commands = 0
        self._circuits = 0
        self._ffi = ffi
        self._ngspice = _Ngspice.new_instance()
        self._lib = self._ngspice._ngspice_shared
        self.version = str(self._ngspice.ngspice_version)
        self.take_log()

    # -- requests -------------------------------------------------------------------------
    def load(self, deck: str, commands: tuple[str, ...], cwd: str | None = None) -> None:
        """Run start-up ``commands`` (variables, code models), then load ``deck`` (from
        ``cwd`` when given: an allowed control script's own folder)."""
        for command in commands:
            self.command(command)
        if cwd is not None:
            os.chdir(cwd)
        self._lib.ngSpice_Command(b"destroy all")
        for _ in range(self._circuits):  # ngspice keeps every circuit ever loaded otherwise
            self._lib.ngSpice_Command(b"remcirc")
        self._circuits = 0
        # lines as ngspice's file reader splits them (only at "\n"); libngspice skips blanks
        lines = deck.split("\n")
        self.title = lines[0] if lines else ""
        keep = [self._ffi.new("char[]", line.encode("utf-8")) for line in lines]
        array = self._ffi.new("char *[]", [*keep, self._ffi.NULL])
        status = self._lib.ngSpice_Circ(array)
        self._circuits += 1
        self._check_exit()
        if status != 0:
            self.log.append(f"Error: ngSpice_Circ returned {status}")

    def command(self, command: str) -> None:
        """Run one ngspice command (alter, alterparam, reset, codemodel...)."""
        self._commands += 1
        if self._commands % 1000 == 0:
            self._lib.ngSpice_Command(self._ffi.NULL)  # frees ngspice's command history
        status = self._lib.ngSpice_Command(command.encode("utf-8"))
        self._check_exit()
        if status != 0:
            self.log.append(f"Error: command {command!r} returned {status}")

    def run(self, command: str, vectors: tuple[str, ...] | None) -> list[PlotData]:
        """Destroy old plots, run ``command`` (``run``, ``op``, ``tran ...``), return new plots."""
        self._lib.ngSpice_Command(b"destroy all")
        before = set(self._names(self._lib.ngSpice_AllPlots()))
        self.source_error = None
        self.command(command)
        if self.source_error is not None:
            lines = self.source_error.strip().splitlines()
            raise _SourceFailed(f"{lines[-1]}\n" + "\n".join(lines[:-1]))
        after = self._names(self._lib.ngSpice_AllPlots())
        new = [name for name in reversed(after) if name not in before and name != "const"]
        return [self._plot(name, vectors) for name in new]

    def vectors(self, names: tuple[str, ...] | None) -> list[PlotData]:
        """The current plot again (a subset of vectors if ``names``), without running."""
        plot = self._names_one(self._lib.ngSpice_CurPlot())
        return [self._plot(plot, names)] if plot and plot != "const" else []

    def set_sources(self, pickled: bytes) -> None:
        """Install the external-source callbacks (a cloudpickled {name: f(t)} mapping)."""
        import cloudpickle

        self.sources = {name.lower(): f for name, f in cloudpickle.loads(pickled).items()}

    # -- helpers --------------------------------------------------------------------------
    def source_value(self, name: str, time: float) -> float:
        function = self.sources.get(name.lower())
        if function is None or self.source_error is not None:
            return 0.0
        try:
            return float(function(time))
        except Exception:  # ngspice cannot carry a Python exception; report it after the run
            self.source_error = traceback.format_exc(limit=4)
            return 0.0

    def take_log(self) -> str:
        text = "\n".join(self.log)
        self.log.clear()
        self._ngspice.clear_output()  # PySpice keeps its own copy of every line
        return text

    def _check_exit(self) -> None:
        if self.exit_status is not None:
            raise _ControlledExit(
                f"ngspice left through its exit callback (status {self.exit_status})"
            )

    def _plot(self, plot: str, wanted: tuple[str, ...] | None) -> PlotData:
        names = list(reversed(self._names(self._lib.ngSpice_AllVecs(plot.encode()))))
        kind = plot.rstrip("0123456789")
        axis = names[0] if names and kind not in ("op", "tf", "sens", "pz") else None
        if wanted is not None:
            lowered = {n.lower(): n for n in names}
            picked = [lowered.get(w.lower(), w) for w in wanted]
            # the axis always comes along: Waveforms need it to be one of their vectors
            names = ([axis] if axis is not None and axis not in picked else []) + picked
        columns: Columns = []
        for name in names:
            info = self._lib.ngGet_Vec_Info(f"{plot}.{name}".encode())
            if info == self._ffi.NULL:
                raise KeyError(f"no vector {name!r} in plot {plot}")
            length = int(info.v_length)
            data: np.ndarray
            if info.v_compdata != self._ffi.NULL:
                buffer = self._ffi.buffer(info.v_compdata, 16 * length)
                data = np.frombuffer(buffer, dtype=np.complex128).copy()
            elif info.v_realdata != self._ffi.NULL:
                buffer = self._ffi.buffer(info.v_realdata, 8 * length)
                data = np.frombuffer(buffer, dtype=np.float64).copy()
            else:
                data = np.zeros(0)
            vector_type = int(info.v_type)
            vkind = _VECTOR_KINDS[vector_type] if vector_type < len(_VECTOR_KINDS) else "notype"
            columns.append((name, vkind, data))
        return self.title, _PLOTNAMES.get(kind, kind), columns, axis

    def _names(self, array: Any) -> list[str]:
        out: list[str] = []
        if array == self._ffi.NULL:
            return out
        index = 0
        while array[index] != self._ffi.NULL:
            out.append(self._ffi.string(array[index]).decode("utf-8", "replace"))
            index += 1
        return out

    def _names_one(self, pointer: Any) -> str:
        if pointer == self._ffi.NULL:
            return ""
        return str(self._ffi.string(pointer).decode("utf-8", "replace"))
