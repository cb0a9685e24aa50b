"""Source locations and compiler diagnostics: ``file:line:col: error: message`` plus a caret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spicegen.errors import SpicegenError


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a user's Verilog-A source; ``line`` and ``column`` count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error at one place; ``source_line`` is the original line shown under the message."""

    location: Location
    message: str
    source_line: str = ""

    def format(self) -> str:
        head = f"{self.location}: error: {self.message}"
        if not self.source_line:
            return head
        line = self.source_line.rstrip("\n").expandtabs(1)
        caret = " " * max(0, self.location.column - 1) + "^"
        return f"{head}\n    {line}\n    {caret}"


class VaError(SpicegenError):
    """The Verilog-A source has errors; every independent one is in ``diagnostics``."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("VaError needs at least one diagnostic")
        # one problem found twice (by two stages, or twice in an expanded macro) is said once
        self.diagnostics = tuple(dict.fromkeys(diagnostics))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @property
    def location(self) -> Location:
        """Where the first error is."""
        return self.diagnostics[0].location

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.diagnostics,))
