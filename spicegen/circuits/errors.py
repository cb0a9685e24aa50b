"""The circuits package's error type: a generator spec that cannot describe a circuit."""

from __future__ import annotations

from spicegen.errors import SpicegenError


class CircuitSpecError(SpicegenError, ValueError):
    """A generator parameter is out of range or the wrong shape.

    ``field`` names it (``"CrossbarParams.weights"``, ``"Wires.row_segment"``). It is also a
    ``ValueError``, so code that validates numbers generically can catch it as one.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only field: errors cross process boundaries in sweeps
        return (_restore, (type(self), self.args[0], self.field))


def _restore(cls: type[CircuitSpecError], message: str, field: str) -> CircuitSpecError:
    error = cls.__new__(cls)
    SpicegenError.__init__(error, message)
    error.field = field
    return error
