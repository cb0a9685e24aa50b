"""matplotlib for the trainers' figures, without a display, and one way to write a figure."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from spicegen.learn.errors import LearnError

__all__ = ["pyplot", "save_figure"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (imported on first use: it costs ~0.3 s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(
    figure: Any, path: str | os.PathLike[str], *, tight: bool = False, crop: bool = False
) -> Path:
    """Write ``figure`` as ``path`` (PNG at 110 dpi) and close it; its folder is created.

    ``tight`` lays the axes out first (``tight_layout``); ``crop`` trims the white margin
    (``bbox_inches="tight"``). A path that cannot be written is a ``LearnError``.
    """
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if tight:
            figure.tight_layout()
        figure.savefig(out, dpi=110, **({"bbox_inches": "tight"} if crop else {}))
    except (OSError, ValueError) as err:
        raise LearnError(f"cannot write the figure {str(out)!r}: {err}") from None
    finally:
        pyplot().close(figure)
    return out
