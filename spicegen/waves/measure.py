"""Measurements on sampled waveforms: pure functions of numpy arrays.

``t`` is a 1-D array of increasing sample times in seconds (any increasing scale works: a swept
voltage, a frequency); ``y`` holds the samples at those times in the signal's SI unit (V, A).
Between samples the signal is taken as linear, as ngspice's own ``.meas`` does. A quantity that
does not exist in the record (no crossing, fewer than two edges) raises ``MeasurementError``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from spicegen.waves.errors import MeasurementError

Direction = Literal["rise", "fall", "both"]


def _samples(t: ArrayLike, y: ArrayLike, minimum: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``t`` and ``y`` as float64 arrays, checked: 1-D, equal lengths, finite, ``t`` increasing."""
    times = np.asarray(t, dtype=np.float64)
    if np.iscomplexobj(y):
        raise MeasurementError("measurements need a real signal; take abs() or .real first")
    values = np.asarray(y, dtype=np.float64)
    if times.ndim != 1 or values.ndim != 1 or times.shape != values.shape:
        raise MeasurementError(
            f"t and y must be 1-D arrays of equal length, got shapes {times.shape} "
            f"and {values.shape}"
        )
    if times.size < minimum:
        raise MeasurementError(f"need at least {minimum} samples, got {times.size}")
    if not (np.all(np.isfinite(times)) and np.all(np.isfinite(values))):
        raise MeasurementError("t and y must be finite (no NaN or infinity)")
    if np.any(np.diff(times) < 0):
        raise MeasurementError("t must be non-decreasing")
    return times, values


def value_at(t: ArrayLike, y: ArrayLike, at: float) -> float:
    """``y`` at time ``at`` (s), linearly interpolated; ``at`` must lie within ``t``."""
    times, values = _samples(t, y, minimum=1)
    if not times[0] <= at <= times[-1]:
        raise MeasurementError(f"time {at!r} s is outside the record [{times[0]}, {times[-1]}] s")
    return float(np.interp(at, times, values))


def crossings(
    t: ArrayLike, y: ArrayLike, level: float, direction: Direction = "both"
) -> np.ndarray:
    """Times (s) at which ``y`` crosses ``level`` (unit of ``y``), interpolated linearly.

    A sample counts as high when ``y >= level``; a rise is a low-to-high step between adjacent
    samples, a fall the reverse. Returns an empty array when there is none.
    """
    if direction not in ("rise", "fall", "both"):
        raise MeasurementError(f"direction must be 'rise', 'fall' or 'both', not {direction!r}")
    times, values = _samples(t, y)
    high = values >= level
    step = np.diff(high.astype(np.int8))
    if direction == "rise":
        (index,) = np.nonzero(step > 0)
    elif direction == "fall":
        (index,) = np.nonzero(step < 0)
    else:
        (index,) = np.nonzero(step)
    y0, y1 = values[index], values[index + 1]
    t0, t1 = times[index], times[index + 1]
    # y0 and y1 lie on either side of level, so y1 - y0 is never zero here. The fraction first
    # (it lies in [0, 1]; a product first could underflow), and the clip keeps rounding from
    # placing a crossing outside its own interval.
    fraction = (level - y0) / (y1 - y0)
    clipped: np.ndarray = np.clip(t0 + fraction * (t1 - t0), t0, t1)
    return clipped


def _levels(
    values: np.ndarray, low: float | None, high: float | None, fractions: tuple[float, float]
) -> tuple[float, float]:
    first, second = fractions
    if not 0.0 <= first < second <= 1.0:
        raise MeasurementError(f"fractions must satisfy 0 <= a < b <= 1, got {fractions!r}")
    bottom = float(np.min(values)) if low is None else float(low)
    top = float(np.max(values)) if high is None else float(high)
    if not top > bottom:
        raise MeasurementError(f"high level {top!r} must exceed low level {bottom!r}")
    return bottom + first * (top - bottom), bottom + second * (top - bottom)


def _edge(times: np.ndarray, values: np.ndarray, start: float, stop: float, kind: str) -> float:
    """Time from the last crossing of ``start`` before the first crossing of ``stop`` to it."""
    direction: Direction = "rise" if kind == "rise" else "fall"
    ends = crossings(times, values, stop, direction)
    if ends.size == 0:
        raise MeasurementError(f"the signal never {kind}s through {stop!r}")
    begins = crossings(times, values, start, direction)
    begins = begins[begins <= ends[0]]
    if begins.size == 0:
        raise MeasurementError(
            f"the signal does not {kind} through {start!r} before it {kind}s through {stop!r}"
        )
    return float(ends[0] - begins[-1])


def rise_time(
    t: ArrayLike,
    y: ArrayLike,
    low: float | None = None,
    high: float | None = None,
    fractions: tuple[float, float] = (0.1, 0.9),
) -> float:
    """Rise time (s) of the first rising edge between ``fractions`` of the ``low`` -> ``high``
    swing (unit of ``y``; default the minimum and maximum of ``y``)."""
    times, values = _samples(t, y)
    lower, upper = _levels(values, low, high, fractions)
    return _edge(times, values, lower, upper, "rise")


def fall_time(
    t: ArrayLike,
    y: ArrayLike,
    low: float | None = None,
    high: float | None = None,
    fractions: tuple[float, float] = (0.1, 0.9),
) -> float:
    """Fall time (s) of the first falling edge from ``fractions[1]`` down to ``fractions[0]``
    of the ``low`` -> ``high`` swing (unit of ``y``; default the minimum and maximum of ``y``)."""
    times, values = _samples(t, y)
    lower, upper = _levels(values, low, high, fractions)
    return _edge(times, values, upper, lower, "fall")


def spike_times(
    t: ArrayLike, y: ArrayLike, threshold: float, refractory: float = 0.0
) -> np.ndarray:
    """Times (s) of spikes: rising crossings of ``threshold`` (unit of ``y``); a crossing less
    than ``refractory`` seconds after the previous kept spike is ignored."""
    if refractory < 0:
        raise MeasurementError(f"refractory must be >= 0 s, got {refractory!r}")
    rises = crossings(t, y, threshold, "rise")
    if refractory == 0.0 or rises.size < 2:
        return rises
    kept = []
    position = 0
    while position < rises.size:  # one pass per kept spike, not per sample
        kept.append(position)
        position = int(np.searchsorted(rises, rises[position] + refractory, side="left"))
        position = max(position, kept[-1] + 1)
    return rises[kept]


def spike_rate(t: ArrayLike, y: ArrayLike, threshold: float, refractory: float = 0.0) -> float:
    """Mean spike rate (Hz): spikes (see ``spike_times``) over the record's duration."""
    times, values = _samples(t, y)
    duration = float(times[-1] - times[0])
    if duration <= 0:
        raise MeasurementError("the record has zero duration")
    return spike_times(times, values, threshold, refractory).size / duration


def period(t: ArrayLike, y: ArrayLike, level: float | None = None) -> float:
    """Mean period (s) between rising crossings of ``level`` (unit of ``y``; default the
    midpoint between the minimum and maximum of ``y``); needs two rising crossings."""
    times, values = _samples(t, y)
    if level is None:
        level = 0.5 * (float(np.min(values)) + float(np.max(values)))
    rises = crossings(times, values, level, "rise")
    if rises.size < 2:
        raise MeasurementError(
            f"need two rising crossings of {level!r} to measure a period, found {rises.size}"
        )
    return float((rises[-1] - rises[0]) / (rises.size - 1))


def frequency(t: ArrayLike, y: ArrayLike, level: float | None = None) -> float:
    """Mean frequency (Hz): 1 / ``period(t, y, level)``."""
    return 1.0 / period(t, y, level)


def switching_time(t: ArrayLike, y: ArrayLike, level: float | None = None) -> float:
    """First time (s) a two-level signal crosses ``level`` going from its initial towards its
    final value; ``level`` defaults to their midpoint (unit of ``y``)."""
    times, values = _samples(t, y)
    initial, final = float(values[0]), float(values[-1])
    if level is None:
        if initial == final:
            raise MeasurementError(
                f"the signal starts and ends at {initial!r}: it has not switched"
            )
        level = 0.5 * (initial + final)
    direction: Direction = "both" if initial == final else ("rise" if final > initial else "fall")
    found = crossings(times, values, level, direction)
    if found.size == 0:
        raise MeasurementError(f"the signal never crosses {level!r}")
    return float(found[0])


def energy(t: ArrayLike, v: ArrayLike, i: ArrayLike) -> float:
    """Energy (J) delivered by voltage ``v`` (V) driving current ``i`` (A) over time ``t`` (s):
    the trapezoidal integral of v*i."""
    times, volts = _samples(t, v)
    _, amps = _samples(times, i)
    return float(np.trapezoid(volts * amps, times))
