"""Errors of the waves package: unreadable raw files, missing vectors, impossible measurements."""

from __future__ import annotations

from collections.abc import Sequence

from spicegen.errors import SpicegenError

_LISTED_NAMES = 40  # a plot can hold thousands of vectors; the message lists this many


class WaveformError(SpicegenError):
    """Base class of every error raised by ``spicegen.waves``."""


class RawFileError(WaveformError):
    """A raw file that cannot be read: names the file, the byte offset, the offending header
    line (if any) and what was expected there."""

    def __init__(self, path: str, offset: int, expected: str, line: str | None = None) -> None:
        super().__init__(path, offset, expected, line)
        self.path = path
        self.offset = offset
        self.expected = expected
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}: byte {self.offset}"
        if self.line is not None:
            where += f" (header line {self.line!r})"
        return f"{where}: {self.expected}"


class MissingVectorError(WaveformError, KeyError):
    """A vector name that is not in the plot; also a ``KeyError`` for dict-like code."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        super().__init__(name, tuple(available))
        self.name = name
        self.available = tuple(available)

    def __str__(self) -> str:
        # KeyError.__str__ would repr-quote the whole message; give the plain text instead.
        shown = ", ".join(self.available[:_LISTED_NAMES])
        more = len(self.available) - _LISTED_NAMES
        if more > 0:
            shown += f", ... and {more} more"
        return f"no vector {self.name!r} in the plot; available: {shown or '(none)'}"


class MeasurementError(WaveformError):
    """A measurement whose quantity does not exist (no crossing, no edge) or whose inputs are
    unusable (lengths differ, time not increasing)."""
