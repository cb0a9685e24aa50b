"""libngspice through ctypes: the few calls of ngspice's ``sharedspice.h`` that spicegen uses.

Used inside the shared-backend worker process (and by the engine benchmark as its in-process
baseline). ctypes releases the GIL during every call, so a watchdog thread keeps running while
ngspice computes. Only the print and exit callbacks are registered, plus the external-source
callbacks when a deck needs them: each registered callback is a Python call per event.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

_PRINT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p)
_EXIT = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_int, ctypes.c_bool, ctypes.c_bool, ctypes.c_int, ctypes.c_void_p
)
_SOURCE = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.POINTER(ctypes.c_double),
    ctypes.c_double,
    ctypes.c_char_p,
    ctypes.c_int,
    ctypes.c_void_p,
)


class VectorInfo(ctypes.Structure):
    """``struct vector_info`` (sharedspice.h)."""

    _fields_ = [
        ("v_name", ctypes.c_char_p),
        ("v_type", ctypes.c_int),
        ("v_flags", ctypes.c_short),
        ("v_realdata", ctypes.c_void_p),
        ("v_compdata", ctypes.c_void_p),
        ("v_length", ctypes.c_int),
    ]


def library_path() -> str:
    """``$SPICEGEN_LIBNGSPICE``, else the system's ``libngspice`` (Debian: libngspice0)."""
    return (
        os.environ.get("SPICEGEN_LIBNGSPICE")
        or ctypes.util.find_library("ngspice")
        or "libngspice.so.0"
    )


class Ngspice:
    """One libngspice in this process (the library holds global state: one per process).

    ``printer(line)`` receives every line ngspice prints, as bytes (with its ``stdout ``/
    ``stderr `` prefix); ``on_exit(status, quit)`` is called when ngspice leaves through its exit
    callback (a fatal error, or ``quit``), after which the library must not be used again;
    ``source(name, time)`` gives the value (V or A) of an external source at time (s).
    """

    def __init__(
        self,
        printer: Callable[[bytes], None] | None,
        on_exit: Callable[[int, bool], None],
        source: Callable[[str, float], float] | None = None,
    ) -> None:
        lib = ctypes.CDLL(library_path())
        lib.ngSpice_Init.argtypes = [ctypes.c_void_p] * 7
        lib.ngSpice_Init.restype = ctypes.c_int
        lib.ngSpice_Init_Sync.argtypes = [ctypes.c_void_p] * 5
        lib.ngSpice_Command.argtypes = [ctypes.c_char_p]
        lib.ngSpice_Command.restype = ctypes.c_int
        lib.ngSpice_Circ.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        lib.ngSpice_Circ.restype = ctypes.c_int
        lib.ngSpice_CurPlot.restype = ctypes.c_char_p
        lib.ngSpice_AllPlots.restype = ctypes.POINTER(ctypes.c_char_p)
        lib.ngSpice_AllVecs.argtypes = [ctypes.c_char_p]
        lib.ngSpice_AllVecs.restype = ctypes.POINTER(ctypes.c_char_p)
        lib.ngGet_Vec_Info.argtypes = [ctypes.c_char_p]
        lib.ngGet_Vec_Info.restype = ctypes.POINTER(VectorInfo)
        self._lib = lib
        # the callbacks must outlive every call into the library: keep them here
        self._callbacks: list[object] = []
        print_callback = None
        if printer is not None:

            def print_line(message: bytes | None, ident: int, user: int) -> int:
                printer(message or b"")
                return 0

            print_callback = _PRINT(print_line)
            self._callbacks.append(print_callback)

        def leave(status: int, immediate: bool, quit: bool, ident: int, user: int) -> int:
            on_exit(int(status), bool(quit))
            return int(status)

        exit_callback = _EXIT(leave)
        self._callbacks.append(exit_callback)
        lib.ngSpice_Init(print_callback, None, exit_callback, None, None, None, None)
        if source is not None:

            def source_value(
                value: ctypes._Pointer[ctypes.c_double],
                time: float,
                name: bytes,
                ident: int,
                user: int,
            ) -> int:
                value[0] = source(name.decode("utf-8", "replace"), time)
                return 0

            source_callback = _SOURCE(source_value)
            self._callbacks.append(source_callback)
            lib.ngSpice_Init_Sync(source_callback, source_callback, None, None, None)

    def command(self, text: str | None) -> int:
        """Run one ngspice command; ``None`` frees ngspice's command history."""
        encoded = None if text is None else text.encode("utf-8", "surrogateescape")
        return int(self._lib.ngSpice_Command(encoded))

    def circuit(self, lines: list[str]) -> int:
        """Load a deck given as lines (the last one ``.end``)."""
        array = (ctypes.c_char_p * (len(lines) + 1))(
            # text read from bytes that are not UTF-8 (surrogateescape) goes in byte for byte
            *(line.encode("utf-8", "surrogateescape") for line in lines)
        )
        return int(self._lib.ngSpice_Circ(array))

    def current_plot(self) -> str:
        """The name of the current plot (``op1``, ``tran2``...)."""
        name = self._lib.ngSpice_CurPlot()
        return name.decode("utf-8", "replace") if name else ""

    def plots(self) -> list[str]:
        """Every plot name, newest first (as ngspice lists them)."""
        return _strings(self._lib.ngSpice_AllPlots())

    def vectors(self, plot: str) -> list[str]:
        """The vector names of ``plot``."""
        return _strings(self._lib.ngSpice_AllVecs(plot.encode("utf-8")))

    def vector(self, name: str) -> tuple[int, bool, bytes] | None:
        """(ngspice vector type, complex?, raw float64 data) of ``plot.vector``, or None."""
        pointer = self._lib.ngGet_Vec_Info(name.encode("utf-8"))
        if not pointer:
            return None
        info = pointer.contents
        length = int(info.v_length)
        if info.v_compdata:
            return int(info.v_type), True, ctypes.string_at(info.v_compdata, 16 * length)
        if info.v_realdata:
            return int(info.v_type), False, ctypes.string_at(info.v_realdata, 8 * length)
        return int(info.v_type), False, b""


def _strings(array: ctypes._Pointer[ctypes.c_char_p]) -> list[str]:
    out: list[str] = []
    if not array:
        return out
    index = 0
    while True:
        item = array[index]
        if item is None:
            return out
        out.append(item.decode("utf-8", "replace"))
        index += 1
