"""Classifiers of spiking behaviour: pure functions of spike times and membrane waveforms.

Each classifier takes what a stimulus protocol produced (spike times in s, amplitudes in the
stimulus's unit, a membrane record) and returns a ``Verdict``: whether the behaviour is shown,
by quantitative criteria written in its docstring, the figures measured, and a sentence
saying which criterion decided. They are the behaviours of Izhikevich's taxonomy that
Drouhin et al. (Neuromorph. Comput. Eng. 2, 044008, 2022) show in one NbOx device: tonic
spiking, phasic bursting, leaky integrate-and-fire, spike latency, temporal integration and
stochastic spiking.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.waves.errors import MeasurementError

__all__ = [
    "Verdict",
    "bursts",
    "leaky_integrate_and_fire",
    "logistic_fit",
    "membrane_decay",
    "phasic_bursting",
    "spike_latency",
    "stochastic_spiking",
    "temporal_integration",
    "tonic_spiking",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classifier's answer: ``shown`` or not, the ``figures`` it measured (name, value in
    SI units or a ratio), and ``reason``, the criterion that decided."""

    behaviour: str
    shown: bool
    figures: tuple[tuple[str, float], ...]
    reason: str

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON: NaN figures become None."""
        figures = {k: (None if not math.isfinite(v) else v) for k, v in self.figures}
        return {"shown": self.shown, "reason": self.reason, **figures}


def _times(spikes: ArrayLike, what: str = "spikes") -> FloatArray:
    times = np.asarray(spikes, dtype=np.float64)
    if times.ndim != 1 or not np.all(np.isfinite(times)):
        raise MeasurementError(f"{what}: expected a 1-D array of finite spike times")
    if np.any(np.diff(times) < 0):
        raise MeasurementError(f"{what}: spike times must be ascending")
    return times


def _window(spikes: FloatArray, start: float, stop: float) -> FloatArray:
    if not stop > start:
        raise MeasurementError(f"the stimulus must end after it starts ({start} .. {stop} s)")
    return spikes[(spikes >= start) & (spikes <= stop)]


def bursts(spikes: ArrayLike, k: float = 3.0) -> tuple[FloatArray, ...]:
    """Groups of spikes separated by silences longer than ``k`` times the shortest
    inter-spike interval (the intra-burst interval); a lone spike is a group of one."""
    times = _times(spikes)
    if k <= 1:
        raise MeasurementError(f"bursts: k must exceed 1, not {k!r}")
    if times.size < 2:
        return (times,) if times.size else ()
    intervals = np.diff(times)
    cuts = np.nonzero(intervals > k * intervals.min())[0] + 1
    return tuple(np.split(times, cuts))


def tonic_spiking(
    spikes: ArrayLike,
    start: float,
    stop: float,
    *,
    min_spikes: int = 5,
    max_cv: float = 0.1,
) -> Verdict:
    """A held input gives a regular train that lasts: at least ``min_spikes`` spikes during
    the stimulus ``[start, stop]`` (s), inter-spike intervals (skipping the first, which
    starts from rest) with a coefficient of variation at most ``max_cv``, and the last spike
    within two mean intervals of the stimulus's end."""
    train = _window(_times(spikes), start, stop)
    name = "tonic_spiking"
    if train.size < min_spikes:
        return Verdict(name, False, (("spikes", float(train.size)),), f"{train.size} spikes")
    intervals = np.diff(train)[1:] if train.size > 2 else np.diff(train)
    mean = float(intervals.mean())
    cv = float(intervals.std() / mean)
    silence = float(stop - train[-1])
    figures = (
        ("spikes", float(train.size)),
        ("mean_interval_s", mean),
        ("rate_hz", 1.0 / mean),
        ("interval_cv", cv),
        ("final_silence_s", silence),
    )
    if cv > max_cv:
        return Verdict(name, False, figures, f"irregular: interval CV {cv:.3f} > {max_cv}")
    if silence > 2.0 * mean:
        return Verdict(name, False, figures, f"stops {silence:.3g} s before the input ends")
    return Verdict(name, True, figures, f"{train.size} regular spikes, CV {cv:.3f}")


def phasic_bursting(
    spikes: ArrayLike,
    start: float,
    stop: float,
    *,
    k: float = 3.0,
    min_burst: int = 2,
    quiet_fraction: float = 0.5,
) -> Verdict:
    """A held input gives one burst at its onset, then silence: the spikes during
    ``[start, stop]`` (s) form exactly one burst (``bursts(k)``) of at least ``min_burst``
    spikes, and none fall in the last ``quiet_fraction`` of the stimulus."""
    train = _window(_times(spikes), start, stop)
    name = "phasic_bursting"
    groups = bursts(train, k) if train.size else ()
    quiet_from = stop - quiet_fraction * (stop - start)
    late = int(np.count_nonzero(train > quiet_from))
    figures = (
        ("spikes", float(train.size)),
        ("bursts", float(len(groups))),
        ("burst_spikes", float(groups[0].size) if groups else 0.0),
        ("burst_end_s", float(groups[0][-1] - start) if groups else math.nan),
        ("late_spikes", float(late)),
    )
    if not groups or groups[0].size < min_burst:
        return Verdict(name, False, figures, "no burst at the onset")
    if late:
        return Verdict(name, False, figures, f"{late} spikes in the last part of the input")
    if len(groups) != 1:
        return Verdict(name, False, figures, f"{len(groups)} bursts, not one")
    return Verdict(name, True, figures, f"one burst of {groups[0].size} spikes, then silence")


def membrane_decay(t: ArrayLike, v: ArrayLike, rest: float = 0.0) -> tuple[float, float]:
    """``(tau, r2)``: the time constant (s) of an exponential decay of ``v`` towards ``rest``
    (V), fitted to log(v - rest) by least squares, and the fit's coefficient of determination."""
    times, volts = np.asarray(t, dtype=np.float64), np.asarray(v, dtype=np.float64) - rest
    keep = volts > 1e-6 * max(float(np.max(np.abs(volts))), 1e-300)
    if np.count_nonzero(keep) < 3:
        raise MeasurementError("membrane_decay: fewer than 3 samples above the rest level")
    x, y = times[keep], np.log(volts[keep])
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    spread = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / spread if spread > 0 else 0.0
    if slope >= 0:
        return math.inf, r2
    return -1.0 / float(slope), r2


def leaky_integrate_and_fire(
    rates: ArrayLike,
    pulses_to_fire: ArrayLike,
    decay_tau: float,
    decay_r2: float,
    *,
    min_r2: float = 0.99,
) -> Verdict:
    """Sub-threshold pulses integrate and the charge leaks away: at every pulse rate (Hz) of
    ``rates``, ``pulses_to_fire`` is the pulse count at the first spike (inf: never fired);
    shown when one pulse alone never fires, the fastest rate fires, the count needed grows as
    the rate falls (non-decreasing), the slowest rate needs more pulses than the fastest or
    never fires (the leak), and the membrane between pulses decays exponentially
    (``decay_r2 >= min_r2``, ``decay_tau`` in s finite)."""
    rate = np.asarray(rates, dtype=np.float64)
    needed = np.asarray(pulses_to_fire, dtype=np.float64)
    if rate.shape != needed.shape or rate.size < 2:
        raise MeasurementError("leaky_integrate_and_fire: one pulse count per rate, two or more")
    order = np.argsort(rate)[::-1]  # fastest first
    rate, needed = rate[order], needed[order]
    name = "leaky_integrate_and_fire"
    figures = tuple(
        (f"pulses_to_fire_at_{r:.4g}_hz", float(n)) for r, n in zip(rate, needed, strict=True)
    )
    figures += (("decay_tau_s", float(decay_tau)), ("decay_r2", float(decay_r2)))
    if np.any(needed <= 1):
        return Verdict(name, False, figures, "a single pulse fires: no integration")
    if not math.isfinite(needed[0]):
        return Verdict(name, False, figures, "the fastest train never fires")
    finite = needed[np.isfinite(needed)]
    never = ~np.isfinite(needed)
    # a rate that never fires may only be followed by slower rates that never fire either
    if np.any(np.diff(finite) < 0) or np.any(np.diff(never.astype(int)) < 0):
        return Verdict(name, False, figures, "slower trains fire with fewer pulses")
    if not needed[-1] > needed[0]:
        return Verdict(name, False, figures, "the pulse rate does not matter: no leak")
    if not (math.isfinite(decay_tau) and decay_r2 >= min_r2):
        return Verdict(name, False, figures, f"not an exponential leak (r2 {decay_r2:.4f})")
    return Verdict(name, True, figures, f"integrates, leaks with tau {decay_tau:.3g} s, fires")


def spike_latency(
    amplitudes: ArrayLike, latencies: ArrayLike, *, min_points: int = 3, min_ratio: float = 2.0
) -> Verdict:
    """The first spike comes later for a weaker input: ``latencies`` (s from the input's
    onset; NaN: no spike) strictly decrease with ``amplitudes`` over at least ``min_points``
    spiking amplitudes, by a factor of at least ``min_ratio`` from the weakest to the
    strongest."""
    amplitude = np.asarray(amplitudes, dtype=np.float64)
    latency = np.asarray(latencies, dtype=np.float64)
    if amplitude.shape != latency.shape:
        raise MeasurementError("spike_latency: one latency per amplitude")
    order = np.argsort(amplitude)
    amplitude, latency = amplitude[order], latency[order]
    fired = np.isfinite(latency)
    name = "spike_latency"
    figures = tuple(
        (f"latency_at_{a:.4g}", float(t)) for a, t in zip(amplitude, latency, strict=True)
    )
    if np.count_nonzero(fired) < min_points:
        return Verdict(name, False, figures, f"{np.count_nonzero(fired)} amplitudes fire")
    spiking = latency[fired]
    ratio = float(spiking[0] / spiking[-1])
    figures += (("latency_ratio", ratio),)
    if np.any(np.diff(spiking) >= 0):
        return Verdict(name, False, figures, "latency does not fall as the input rises")
    if ratio < min_ratio:
        return Verdict(name, False, figures, f"latency varies only {ratio:.2f}x")
    return Verdict(name, True, figures, f"latency falls {ratio:.1f}x as the input rises")


def temporal_integration(
    separations: ArrayLike, fired: Sequence[bool], single_fired: bool
) -> Verdict:
    """Two sub-threshold pulses fire only when closer than a window: one pulse alone does not
    fire (``single_fired`` False), some separation (s) fires and some does not, and every
    firing separation is shorter than every silent one (the window lies between)."""
    gap = np.asarray(separations, dtype=np.float64)
    hit = np.asarray(fired, dtype=bool)
    if gap.shape != hit.shape:
        raise MeasurementError("temporal_integration: one outcome per separation")
    name = "temporal_integration"
    firing, silent = gap[hit], gap[~hit]
    window = (
        0.5 * (float(firing.max()) + float(silent.min()))
        if firing.size and silent.size
        else math.nan
    )
    figures = (("window_s", window), ("pairs_fired", float(firing.size)))
    if single_fired:
        return Verdict(name, False, figures, "one pulse alone fires")
    if not firing.size:
        return Verdict(name, False, figures, "no pair of pulses fires")
    if not silent.size:
        return Verdict(name, False, figures, "every pair fires: no window")
    if firing.max() >= silent.min():
        return Verdict(name, False, figures, "firing does not depend on the separation alone")
    return Verdict(name, True, figures, f"pairs closer than {window:.3g} s fire")


def logistic_fit(x: ArrayLike, p: ArrayLike) -> tuple[float, float]:
    """``(centre, width)`` of ``p = 1 / (1 + exp(-(x - centre) / width))`` fitted to the
    probabilities ``p`` by least squares (a grid, then Gauss-Newton steps)."""
    xs, ps = np.asarray(x, dtype=np.float64), np.asarray(p, dtype=np.float64)
    span = float(xs.max() - xs.min()) or 1.0

    def loss(centre: float, width: float) -> float:
        z = np.clip((xs - centre) / width, -50.0, 50.0)
        return float(np.sum((1.0 / (1.0 + np.exp(-z)) - ps) ** 2))

    grid = [
        (loss(c, w), c, w)
        for c in np.linspace(xs.min(), xs.max(), 41)
        for w in span * np.geomspace(1e-3, 1.0, 31)
    ]
    _, centre, width = min(grid)
    for _ in range(50):
        z = np.clip((xs - centre) / width, -50, 50)
        model = 1.0 / (1.0 + np.exp(-z))
        slope = model * (1.0 - model)
        jacobian = np.stack([-slope / width, -slope * z / width], axis=1)
        step, *_ = np.linalg.lstsq(jacobian, ps - model, rcond=None)
        trial = (centre + step[0], max(width + step[1], 1e-6 * span))
        if loss(*trial) > loss(centre, width):
            break
        centre, width = float(trial[0]), float(trial[1])
    return float(centre), float(width)


def stochastic_spiking(
    amplitudes: ArrayLike,
    probabilities: ArrayLike,
    trials: int,
    *,
    low: float = 0.1,
    high: float = 0.9,
) -> Verdict:
    """Firing is a random event whose probability rises as a sigmoid of the input: measured
    over ``trials`` trials per amplitude, the probability runs from at most ``low`` to at
    least ``high``, never falls by more than three binomial standard errors between
    neighbouring amplitudes, and at least one amplitude fires with a probability strictly
    between ``low`` and ``high`` (a deterministic threshold would jump from 0 to 1); the
    logistic fit's centre and width are the figures."""
    amplitude = np.asarray(amplitudes, dtype=np.float64)
    probability = np.asarray(probabilities, dtype=np.float64)
    if amplitude.shape != probability.shape or amplitude.size < 3 or trials < 1:
        raise MeasurementError("stochastic_spiking: a probability per amplitude, three or more")
    order = np.argsort(amplitude)
    amplitude, probability = amplitude[order], probability[order]
    centre, width = logistic_fit(amplitude, probability)
    intermediate = int(np.count_nonzero((probability > low) & (probability < high)))
    name = "stochastic_spiking"
    figures = (
        ("centre", centre),
        ("width", width),
        ("intermediate_points", float(intermediate)),
        ("trials", float(trials)),
    )
    error = np.sqrt(np.maximum(probability * (1 - probability), 0.25 / trials) / trials)
    drops = np.diff(probability) < -3.0 * np.hypot(error[1:], error[:-1])
    if probability[0] > low or probability[-1] < high:
        return Verdict(name, False, figures, "the probability does not span low to high")
    if np.any(drops):
        return Verdict(name, False, figures, "the probability falls as the input rises")
    if not intermediate:
        return Verdict(name, False, figures, "a step from silent to firing: deterministic")
    return Verdict(name, True, figures, f"sigmoid: centre {centre:.4g}, width {width:.3g}")
