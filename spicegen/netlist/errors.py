"""The netlist package's one error type: a rejected field, named, with the offending value."""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from spicegen.errors import SpicegenError

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MISSING: Any = object()
_REPR_LIMIT = 120


class NetlistError(SpicegenError):
    """A circuit field holds something ngspice cannot take or that would change the deck's lines.

    ``field`` names the field (``"Resistor.value"``, ``"Circuit.title"``); ``location`` is the
    ``file:line`` of the first caller outside this package (where the object was built), if any.
    """

    def __init__(self, message: str, *, field: str, location: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.location = location

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (sweep workers); keyword-only fields need this.
        return (_restore, (type(self), self.args[0], self.field, self.location))


def _restore(
    cls: type[NetlistError], message: str, field: str, location: str | None
) -> NetlistError:
    return cls(message, field=field, location=location)


def _user_location() -> str | None:
    """``file:line`` of the innermost frame that is not this package or generated code."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.startswith("<"):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def _short_repr(value: object) -> str:
    text = repr(value)
    if len(text) > _REPR_LIMIT:
        return f"{text[: _REPR_LIMIT - 5]}...{text[-2:]} ({len(text)} characters)"
    return text


def netlist_error(field: str, expected: str, value: object = _MISSING) -> NetlistError:
    """Build a NetlistError: ``field: expected ..., got <repr>`` plus where the call came from."""
    detail = expected if value is _MISSING else f"{expected}, got {_short_repr(value)}"
    location = _user_location()
    message = f"{field}: {detail}"
    if location is not None:
        message = f"{message} (at {location})"
    return NetlistError(message, field=field, location=location)
