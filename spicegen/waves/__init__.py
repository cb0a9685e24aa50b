"""Reading and measuring ngspice results: raw files -> Waveforms, and pure measurements."""

from spicegen.waves.errors import MeasurementError, MissingVectorError, RawFileError, WaveformError
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
from spicegen.waves.waveforms import Vector, Waveforms

__all__ = [
    "MeasurementError",
    "MissingVectorError",
    "RawFileError",
    "Vector",
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
    "switching_time",
    "unit_of",
    "value_at",
]
