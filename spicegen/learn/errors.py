"""The errors of ``spicegen.learn``: what a user got wrong in a dataset or a trainer's settings."""

from __future__ import annotations

from spicegen.errors import SpicegenError


class LearnError(SpicegenError, ValueError):
    """A trainer's settings or inputs that cannot work; the message names the field."""


class DatasetError(LearnError):
    """A dataset that cannot be loaded or used: unknown name, bad CSV, NaNs, wrong shape."""
