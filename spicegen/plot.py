"""Waveform figures (matplotlib, no display needed)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from spicegen.errors import SpicegenError
from spicegen.waves import Waveforms


class PlotError(SpicegenError):
    """The figure cannot be written (unknown image format, unwritable path)."""


_QUANTITY = {"V": "voltage", "A": "current", "s": "time", "Hz": "frequency"}


def plot_waveforms(
    waveforms: Waveforms,
    names: Sequence[str],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
) -> Path:
    """Plot ``names`` against the plot's axis into an image file (PNG, SVG, PDF by suffix).

    Vectors are grouped in one panel per unit; complex (AC) vectors are drawn as magnitude in
    dB and phase in degrees over a logarithmic frequency axis. The directory of ``path``
    must exist. Returns the written path.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(path)
    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise PlotError(
            f"cannot write {str(out)!r}: image formats are {', '.join(sorted(formats))}"
        )
    vectors = [waveforms.vector(name) for name in names]
    axis_vector = waveforms.vector(waveforms.axis_name) if waveforms.axis_name else None
    x = np.real(axis_vector.data) if axis_vector is not None else np.arange(len(waveforms))
    prefix, scale = ("", 1.0)
    if axis_vector is not None and axis_vector.kind != "frequency":
        prefix, scale = _si_prefix(float(np.max(np.abs(x))) if x.size else 0.0)
        x = x / scale
    complex_data = any(np.iscomplexobj(v.data) for v in vectors)
    if complex_data:
        panels = [("magnitude (dB)", vectors, _db), ("phase (deg)", vectors, _phase)]
    else:
        units = list(dict.fromkeys(v.unit for v in vectors))
        panels = [(_label(unit), [v for v in vectors if v.unit == unit], _real) for unit in units]
    figure, axes = plt.subplots(
        len(panels), 1, sharex=True, figsize=(8, 2.6 * len(panels) + 0.8), squeeze=False
    )
    for ax, (ylabel, group, transform) in zip(axes[:, 0], panels, strict=True):
        for vector in group:
            ax.plot(x, transform(vector.data), label=vector.name, linewidth=1.2)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
        if complex_data or (axis_vector is not None and axis_vector.kind == "frequency"):
            ax.set_xscale("log")
    if axis_vector is not None:
        axes[-1, 0].set_xlabel(_label(prefix + axis_vector.unit, axis_vector.name))
    else:
        axes[-1, 0].set_xlabel("point")
    figure.suptitle(title or f"{waveforms.title} — {waveforms.plotname}")
    figure.tight_layout()
    try:
        figure.savefig(out, dpi=120)
    except OSError as err:
        raise PlotError(f"cannot write {str(out)!r}: {err.strerror or err}") from None
    finally:
        plt.close(figure)
    return out


def _label(unit: str, name: str | None = None) -> str:
    quantity = name or _QUANTITY.get(unit, "value")
    return f"{quantity} ({unit})" if unit else quantity


def _si_prefix(largest: float) -> tuple[str, float]:
    """The SI prefix that puts ``largest`` in [1, 1000): (prefix, its value)."""
    for prefix, scale in (("p", 1e-12), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3)):
        if 0.0 < largest < scale * 1e3:
            return prefix, scale
    return "", 1.0


def _real(data: np.ndarray) -> np.ndarray:
    return np.asarray(np.real(data), dtype=np.float64)


def _db(data: np.ndarray) -> np.ndarray:
    return np.asarray(20.0 * np.log10(np.maximum(np.abs(data), 1e-300)), dtype=np.float64)


def _phase(data: np.ndarray) -> np.ndarray:
    return np.asarray(np.degrees(np.angle(data)), dtype=np.float64)
