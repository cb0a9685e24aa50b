"""The errors of ``spicegen.surrogate``."""

from __future__ import annotations

from spicegen.errors import SpicegenError


class SurrogateError(SpicegenError, ValueError):
    """A characterisation that cannot run, a fit that failed, or a surrogate used outside the
    range it was characterised on; the message says which and by how much."""
