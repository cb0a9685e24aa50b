"""Reading and measuring ngspice results: raw files -> Waveforms, and pure measurements.

Names are imported on first use (PEP 562): the summary of a raw file (``summarise_raw_plots``,
what ``spicegen run`` prints) loads without numpy, which the arrays of ``Waveforms`` need.
"""

from __future__ import annotations

from spicegen.lazy import lazy_exports

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from spicegen.waves.errors import (
        MeasurementError,
        MissingVectorError,
        RawFileError,
        WaveformError,
    )
    from spicegen.waves.measure import (
        crossings,
        energy,
        fall_time,
        frequency,
        period,
        rise_time,
        spike_rate,
        spike_times,
        switching_time,
        value_at,
    )
    from spicegen.waves.names import canonical_kind, canonical_name, unit_of
    from spicegen.waves.raw import read_raw, read_raw_plots
    from spicegen.waves.summary import (
        PlotSummary,
        VectorSummary,
        summarise_raw_plots,
        summarise_waveforms,
    )
    from spicegen.waves.waveforms import Vector, Waveforms

_WHERE = {
    **dict.fromkeys(
        ("MeasurementError", "MissingVectorError", "RawFileError", "WaveformError"),
        "spicegen.waves.errors",
    ),
    **dict.fromkeys(
        (
            "crossings",
            "energy",
            "fall_time",
            "frequency",
            "period",
            "rise_time",
            "spike_rate",
            "spike_times",
            "switching_time",
            "value_at",
        ),
        "spicegen.waves.measure",
    ),
    **dict.fromkeys(("canonical_kind", "canonical_name", "unit_of"), "spicegen.waves.names"),
    **dict.fromkeys(("read_raw", "read_raw_plots"), "spicegen.waves.raw"),
    **dict.fromkeys(
        ("PlotSummary", "VectorSummary", "summarise_raw_plots", "summarise_waveforms"),
        "spicegen.waves.summary",
    ),
    **dict.fromkeys(("Vector", "Waveforms"), "spicegen.waves.waveforms"),
}

__all__ = [
    "MeasurementError",
    "MissingVectorError",
    "PlotSummary",
    "RawFileError",
    "Vector",
    "VectorSummary",
    "WaveformError",
    "Waveforms",
    "canonical_kind",
    "canonical_name",
    "crossings",
    "energy",
    "fall_time",
    "frequency",
    "period",
    "read_raw",
    "read_raw_plots",
    "rise_time",
    "spike_rate",
    "spike_times",
    "summarise_raw_plots",
    "summarise_waveforms",
    "switching_time",
    "unit_of",
    "value_at",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
