"""A factory module whose import has a side effect: it creates the file named by
``$SPICEGEN_SIDE_EFFECT``. A spec that names it must not import it without ``allow_code``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tests.sweep.factories import rc as _rc

if os.environ.get("SPICEGEN_SIDE_EFFECT"):
    Path(os.environ["SPICEGEN_SIDE_EFFECT"]).touch()


def rc(params: Mapping[str, float], seed: int) -> object:
    """The RC factory of ``tests.sweep.factories``, reached through this module."""
    return _rc(params, seed)
