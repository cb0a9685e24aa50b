"""What a characterisation's cache key needs to know about the ngspice that ran it."""

from __future__ import annotations

import subprocess
from functools import lru_cache

from spicegen.sim.batch import ngspice_environment, ngspice_executable

__all__ = ["ngspice_version"]


@lru_cache(maxsize=1)
def ngspice_version() -> str:
    """The first line ``ngspice --version`` prints (e.g. ``ngspice-46 : ...``), so that a
    cached characterisation is redone when ngspice changes."""
    done = subprocess.run(
        [ngspice_executable(), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ngspice_environment(),
        check=False,
    )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return next((line for line in lines if "ngspice" in line.lower()), " ".join(lines[:1]))
