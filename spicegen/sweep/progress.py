"""The progress bar: items done / failed, rate and ETA on a terminal; silent otherwise.

Sweeps count points; trainers reuse it with their own ``desc`` and ``unit`` (epochs, samples).
"""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A tqdm bar on stderr when it is a terminal (``enabled=None``), or nothing."""

    def __init__(
        self,
        total: int,
        initial: int = 0,
        *,
        enabled: bool | None = None,
        desc: str = "sweep",
        unit: str = "pt",
    ) -> None:
        show = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._failed = 0
        if show:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, unit=unit, desc=desc, file=sys.stderr)

    def update(self, done: int, failed: int) -> None:
        """Count ``done`` more points, ``failed`` of which did not succeed."""
        if self._bar is None:
            return
        self._failed += failed
        self._bar.set_postfix(failed=self._failed, refresh=False)
        self._bar.update(done)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
