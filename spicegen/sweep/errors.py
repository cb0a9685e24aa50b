"""Errors of the sweep package: a bad spec (naming its key) or an unusable results store."""

from __future__ import annotations

from spicegen.errors import SpicegenError


class SweepError(SpicegenError):
    """A sweep could not run: bad spec, unusable store, executor unreachable."""


class SpecError(SweepError):
    """The sweep spec is wrong; ``key`` is the dotted TOML key (``parameters.grid.r``)."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


class StoreError(SweepError):
    """The results directory cannot be used (exists without --resume, other spec, corrupt)."""
