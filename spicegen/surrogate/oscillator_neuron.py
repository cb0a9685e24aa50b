"""The threshold-switch neuron as a two-phase hybrid model, characterised by ngspice.

The neuron is ``spicegen.circuits.lif_neuron`` (or an oscillator neuron with its supply
grounded: the same membrane): a capacitor ``c`` with a leak ``g_leak`` and a threshold-switching
device (``threshold_switch`` or the thermal ``nbox``) in parallel, driven by a current ``I``
into the membrane. Between spikes the device is OFF; the membrane follows
``c dV/dt = I - (g_leak + g_off) V``. When ``V`` reaches ``v_threshold`` the device turns ON
and discharges the membrane, ``c dV/dt = I - (g_leak + g_on) V``, until ``V`` falls to
``v_reset``, where it lets go: the ON phase is the spike and its duration the refractory
period. With a current constant over an interval both phases are exponentials, so
``advance`` integrates them exactly, events inside a step included, whatever the step.

``characterise_neuron`` runs one ngspice transient of many copies of the neuron, each with
its own DC current (the f-I grid, sub-threshold currents included), and measures from the
waveforms the turning points of the membrane (threshold and reset), the durations of the two
phases, the rates and the device's current (read on the neuron's spike output). The OFF
conductance is the device's own (its current over the membrane voltage while OFF), so a charge
from any voltage takes its SPICE time; the ON conductance is fitted so that the rest of each
measured period (the spike and the few ns of switching at both turning points) matches, so
the limit cycle keeps its SPICE period; the threshold and reset are the measured mean turning
points. ``validate_neuron`` checks the
result against fresh ngspice runs on currents and a time-varying stimulus not used in the fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize_scalar

from spicegen.circuits import LifParams, lif_neuron
from spicegen.netlist import Circuit, CurrentSource, Pwl, SubcktInstance, Tran, to_ngspice
from spicegen.sim import simulate
from spicegen.surrogate._spice import ngspice_version
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = [
    "DcResponse",
    "NeuronState",
    "NeuronSurrogate",
    "NeuronValidation",
    "Step",
    "advance",
    "characterise_neuron",
    "dc_response",
    "match_spikes",
    "validate_neuron",
]

FloatArray = NDArray[np.float64]
_NAME = "oscillator_neuron"
_VERSION = 1
_MAX_EVENTS = 64  # phase changes one step may hold; more means dt far above the spike period


@dataclass(frozen=True, slots=True)
class NeuronSurrogate:
    """A characterised threshold-switch neuron (SI units).

    ``c`` F membrane capacitance (the circuit's); ``g_leak`` S the circuit's leak; ``g_off`` and
    ``g_on`` S the device's fitted conductances between and during spikes; ``v_threshold`` and
    ``v_reset`` V the membrane's turning points; ``readout`` ohm (spike output = ``readout``
    times the device current); ``pulse_extension`` s how much longer the device conducts
    above the geometric mean of its ON and OFF conductances (what a comparator on the spike
    output sees) than the ON phase between the turning points (the switching at both ends).
    ``currents`` A, ``rates`` Hz and ``t_refractory`` s (mean ON
    duration per current) are the SPICE figures the fit used; ``model`` names the device.
    """

    model: str
    c: float
    g_leak: float
    g_off: float
    g_on: float
    v_threshold: float
    v_reset: float
    readout: float
    currents: tuple[float, ...]
    rates: tuple[float, ...]
    t_refractory: tuple[float, ...]
    pulse_extension: float = 0.0

    @property
    def rheobase(self) -> float:
        """The smallest DC current (A) that makes the neuron spike."""
        return self.v_threshold * (self.g_leak + self.g_off)

    def phase_times(self, current: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """``(t_charge, t_spike)`` (s) of the DC limit cycle at ``current`` (A); inf below the
        rheobase (no spike) and for a current that latches the device ON."""
        i = np.asarray(current, dtype=np.float64)
        g_rest, g_spike = self.g_leak + self.g_off, self.g_leak + self.g_on
        v_inf, v_inf_on = i / g_rest, i / g_spike
        with np.errstate(divide="ignore", invalid="ignore"):
            t_charge = np.where(
                v_inf > self.v_threshold,
                self.c
                / g_rest
                * np.log((v_inf - self.v_reset) / np.maximum(v_inf - self.v_threshold, 1e-300)),
                np.inf,
            )
            t_spike = np.where(
                v_inf_on < self.v_reset,
                self.c
                / g_spike
                * np.log((self.v_threshold - v_inf_on) / (self.v_reset - v_inf_on)),
                np.inf,
            )
        return np.asarray(t_charge), np.asarray(t_spike)

    def rate(self, current: ArrayLike) -> FloatArray:
        """The DC f-I curve (Hz): ``1 / (t_charge + t_spike)``, 0 below the rheobase."""
        t_charge, t_spike = self.phase_times(current)
        return np.asarray(1.0 / (t_charge + t_spike), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class NeuronState:
    """Membrane voltages ``v`` (V) and device phases ``on`` (bool) of a population."""

    v: FloatArray
    on: NDArray[np.bool_]

    @staticmethod
    def rest(size: int) -> NeuronState:
        """``size`` neurons discharged (0 V) with the device OFF."""
        return NeuronState(np.zeros(size), np.zeros(size, dtype=bool))


@dataclass(frozen=True, slots=True)
class Step:
    """What one ``advance`` did: the new state, spikes per neuron, the offset (s) of each
    neuron's first spike in the step (NaN: none), the charge (C) through each device, the
    time (s) each spent ON (spiking) and the charge (C) while ON."""

    state: NeuronState
    spikes: NDArray[np.int64]
    first_spike: FloatArray
    device_charge: FloatArray
    on_time: FloatArray
    on_charge: FloatArray


def advance(
    neuron: NeuronSurrogate,
    state: NeuronState,
    current: ArrayLike,
    dt: float | ArrayLike,
    threshold_shift: ArrayLike = 0.0,
) -> Step:
    """Integrate the two-phase model exactly over ``dt`` (s) with a constant ``current`` (A)
    per neuron; every threshold and reset inside the step is taken at its exact time.
    ``threshold_shift`` (V, per neuron) raises the threshold (an adaptive threshold)."""
    v = np.array(state.v, dtype=np.float64)
    on = np.array(state.on, dtype=bool)
    i = np.broadcast_to(np.asarray(current, dtype=np.float64), v.shape)
    remaining = np.array(np.broadcast_to(np.asarray(dt, dtype=np.float64), v.shape))
    total = remaining.copy()
    spikes = np.zeros(v.shape, dtype=np.int64)
    first = np.full(v.shape, np.nan)
    charge = np.zeros(v.shape)
    on_time = np.zeros(v.shape)
    on_charge = np.zeros(v.shape)
    g_rest, g_spike = neuron.g_leak + neuron.g_off, neuron.g_leak + neuron.g_on
    v_threshold = neuron.v_threshold + np.broadcast_to(np.asarray(threshold_shift), v.shape)
    for _ in range(_MAX_EVENTS):
        g = np.where(on, g_spike, g_rest)
        g_device = np.where(on, neuron.g_on, neuron.g_off)
        tau = neuron.c / g
        v_inf = i / g
        target = np.where(on, neuron.v_reset, v_threshold)
        # time to the phase's end: the exponential reaches its target only when the target
        # lies between v and v_inf; already past it (an inhibition kick, a latch) means now
        toward = np.where(on, v_inf < target, v_inf > target)
        past = np.where(on, v <= target, v >= target)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_event = np.where(
                past, 0.0, np.where(toward, tau * np.log((v - v_inf) / (target - v_inf)), np.inf)
            )
        t_event = np.where(
            np.isfinite(t_event) & (t_event >= 0), t_event, np.where(past, 0, np.inf)
        )
        step = np.minimum(t_event, remaining)
        decay = np.exp(-step / tau)
        part = g_device * (v_inf * step + (v - v_inf) * tau * (1.0 - decay))
        charge += part
        on_time += np.where(on, step, 0.0)
        on_charge += np.where(on, part, 0.0)
        event = (t_event <= remaining) & (remaining > 0)
        v = np.where(event, target, v_inf + (v - v_inf) * decay)
        fired = event & ~on
        first = np.where(fired & np.isnan(first), total - remaining + t_event, first)
        spikes += fired
        on = np.where(event, ~on, on)
        remaining = np.where(event, remaining - t_event, 0.0)
        if not np.any(remaining > 0):
            break
    return Step(NeuronState(v, on), spikes, first, charge, on_time, on_charge)


@dataclass(frozen=True, slots=True)
class DcResponse:
    """A population under DC currents, at given times: membrane ``v`` (V), cumulative device
    ``charge`` (C), time spent ON ``on_time`` (s) and charge while ON ``on_charge`` (C),
    spikes so far ``count`` and the time of
    the latest ``last_spike`` (s, -inf before the first); each shaped (times, neurons)."""

    v: FloatArray
    charge: FloatArray
    on_time: FloatArray
    on_charge: FloatArray
    count: NDArray[np.int64]
    last_spike: FloatArray


def dc_response(
    neuron: NeuronSurrogate, current: ArrayLike, times: ArrayLike, v0: ArrayLike = 0.0
) -> DcResponse:
    """The exact response to DC ``current`` (A, per neuron) at ``times`` (s) from ``v0`` (V,
    below the threshold, device OFF at t = 0), in closed form: the first charge from ``v0``,
    then the limit cycle."""
    i = np.asarray(current, dtype=np.float64)[None, :]
    start = np.broadcast_to(np.asarray(v0, dtype=np.float64), (i.shape[1],))[None, :]
    t = np.asarray(times, dtype=np.float64)[:, None]
    g_rest, g_spike = neuron.g_leak + neuron.g_off, neuron.g_leak + neuron.g_on
    tau, tau_on = neuron.c / g_rest, neuron.c / g_spike
    v_inf, v_inf_on = i / g_rest, i / g_spike
    v_th, v_reset = neuron.v_threshold, neuron.v_reset

    def off_charge(v0: FloatArray | float, span: FloatArray) -> FloatArray:
        # g_off * integral of V over an OFF interval starting at v0
        return np.asarray(
            neuron.g_off * (v_inf * span + (v0 - v_inf) * tau * -np.expm1(-span / tau))
        )

    spiking = v_inf > v_th
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(spiking, tau * np.log((v_inf - start) / (v_inf - v_th)), np.inf)
        t_charge, t_spike = neuron.phase_times(i)
        # finite stand-ins where the neuron never spikes keep the products below NaN-free
        t_charge, t_spike = np.where(spiking, t_charge, 1.0), np.where(spiking, t_spike, 0.0)
        period = t_charge + t_spike
        q_on = neuron.g_on * (
            v_inf_on * t_spike + (v_th - v_inf_on) * tau_on * -np.expm1(-t_spike / tau_on)
        )
        q_cycle = np.where(spiking, q_on + off_charge(v_reset, t_charge), 0.0)
        since = t - first
        after = spiking & (since >= 0)
        cycles = np.where(after, np.floor(since / period), 0.0)
        phase = np.where(after, since - cycles * period, 0.0)
    in_spike = after & (phase < t_spike)
    phase_on = np.where(in_spike, phase, 0.0)
    phase_off = np.where(after & ~in_spike, phase - t_spike, 0.0)
    v_on = v_inf_on + (v_th - v_inf_on) * np.exp(-phase_on / tau_on)
    v_off = v_inf + (v_reset - v_inf) * np.exp(-phase_off / tau)
    v_before = v_inf + (start - v_inf) * np.exp(-t / tau)
    v = np.where(after, np.where(in_spike, v_on, v_off), v_before)
    charge_before = off_charge(start, np.minimum(t, np.where(spiking, first, np.inf)))
    partial_on = neuron.g_on * (
        v_inf_on * phase_on + (v_th - v_inf_on) * tau_on * -np.expm1(-phase_on / tau_on)
    )
    partial = np.where(
        in_spike, partial_on, np.where(after, q_on + off_charge(v_reset, phase_off), 0)
    )
    charge = charge_before + np.where(after, cycles * q_cycle + partial, 0.0)
    count = np.where(after, cycles + 1, 0).astype(np.int64)
    last = np.where(after, np.where(spiking, first, 0.0) + cycles * period, -np.inf)
    on_time = np.where(after, cycles * t_spike + np.minimum(phase, t_spike), 0.0)
    on_charge = np.where(after, cycles * q_on + np.where(in_spike, partial_on, q_on), 0.0)
    shape = np.broadcast_shapes(t.shape, i.shape)
    return DcResponse(
        np.broadcast_to(v, shape).copy(),
        np.broadcast_to(charge, shape).copy(),
        np.broadcast_to(on_time, shape).copy(),
        np.broadcast_to(on_charge, shape).copy(),
        np.broadcast_to(count, shape).copy(),
        np.broadcast_to(last, shape).copy(),
    )


def characterise_neuron(
    device: CompiledModel,
    params: LifParams,
    currents: Sequence[float],
    *,
    duration: float,
    max_step: float,
    use_cache: bool = True,
) -> NeuronSurrogate:
    """Fit the two-phase model to one ngspice transient of ``lif_neuron(device, params)``
    copies, one per DC current in ``currents`` (A), over ``duration`` s with steps of at most
    ``max_step`` s. At least two currents must make the neuron spike three times or more."""
    currents = _currents(currents)
    arrays = _transient(device, params, currents, None, duration, max_step, use_cache)
    t = arrays["time"]
    measured = [_measure(t, arrays[f"v{k}"], arrays[f"i{k}"]) for k in range(len(currents))]
    spiking = [k for k, m in enumerate(measured) if m.spikes >= 3]
    if len(spiking) < 2:
        raise SurrogateError(
            f"{device.name}: only {len(spiking)} of the currents {currents} A spike three "
            f"times in {duration} s; raise the currents or the duration"
        )
    g_leak, c = 1.0 / params.r_leak, params.c
    v_threshold = float(np.mean(np.concatenate([measured[k].peaks for k in spiking])))
    v_reset = float(np.mean(np.concatenate([measured[k].troughs for k in spiking])))
    i_spiking = np.array([currents[k] for k in spiking])
    t_charge = np.array([measured[k].t_charge for k in spiking])
    t_spike = np.array([measured[k].t_spike for k in spiking])
    # OFF: the conductance the sub-threshold trajectory shows (the device's own current over
    # the membrane voltage), so that a charge from any voltage takes its SPICE time. The few
    # ns the switching adds to each cycle at both turning points are folded into the ON phase
    # (fitted to the rest of the measured period), so the limit cycle keeps its SPICE period.
    g_off = _off_conductance(arrays, len(currents))
    v_inf = i_spiking / (g_leak + g_off)
    t_exponential = c / (g_leak + g_off) * np.log((v_inf - v_reset) / (v_inf - v_threshold))
    t_on = t_spike + (t_charge - t_exponential)
    g_on = _fit_conductance(i_spiking, t_on, c, g_leak, v_threshold, v_reset, rising=False)
    return NeuronSurrogate(
        model=device.name,
        c=c,
        g_leak=g_leak,
        g_off=g_off,
        g_on=g_on,
        v_threshold=v_threshold,
        v_reset=v_reset,
        readout=params.readout,
        currents=tuple(float(currents[k]) for k in spiking),
        rates=tuple(float(measured[k].rate) for k in spiking),
        t_refractory=tuple(float(x) for x in t_spike),
        pulse_extension=float(np.mean([measured[k].t_pulse for k in spiking]))
        - float(np.mean(t_spike)),
    )


@dataclass(frozen=True, slots=True)
class NeuronValidation:
    """The surrogate against fresh ngspice runs: the DC f-I at held-out currents, the
    membrane trajectory and the spike times under a time-varying current."""

    rate: Validation
    membrane: Validation
    spikes_spice: int
    spikes_surrogate: int
    matched_fraction: float
    tolerance: float

    def __str__(self) -> str:
        return (
            f"{self.rate}\n{self.membrane}\nspikes: ngspice {self.spikes_spice}, surrogate "
            f"{self.spikes_surrogate}, {100 * self.matched_fraction:.1f} % matched within "
            f"{100 * self.tolerance:.0f} % of the mean inter-spike interval"
        )


def validate_neuron(
    neuron: NeuronSurrogate,
    device: CompiledModel,
    params: LifParams,
    currents: Sequence[float],
    stimulus: Sequence[tuple[float, float]],
    *,
    duration: float,
    max_step: float,
    tolerance: float = 0.05,
    use_cache: bool = True,
) -> NeuronValidation:
    """Compare ``neuron`` with ngspice: DC rates at ``currents`` (A), and a staircase current
    ``stimulus`` of ``(start time s, current A)`` steps, over ``duration`` s each."""
    currents = _currents(currents)
    arrays = _transient(device, params, currents, tuple(stimulus), duration, max_step, use_cache)
    t = arrays["time"]
    spice_rates = np.array(
        [_measure(t, arrays[f"v{k}"], arrays[f"i{k}"]).rate for k in range(len(currents))]
    )
    rate = compare("f-I rate (Hz)", neuron.rate(np.array(currents)), spice_rates)
    k = len(currents)
    v_spice = arrays[f"v{k}"]
    spice_spikes = _measure(t, v_spice, arrays[f"i{k}"]).peak_times
    v_model, model_spikes = _staircase(neuron, tuple(stimulus), t)
    membrane = compare("membrane voltage (V)", v_model, v_spice)
    matched = match_spikes(spice_spikes, model_spikes, tolerance)
    return NeuronValidation(
        rate, membrane, int(spice_spikes.size), int(model_spikes.size), matched, tolerance
    )


def match_spikes(reference: ArrayLike, candidate: ArrayLike, tolerance: float = 0.05) -> float:
    """The fraction of ``reference`` spike times (s) with a ``candidate`` spike within
    ``tolerance`` times the reference's mean inter-spike interval, each candidate used once."""
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    cand = np.sort(np.asarray(candidate, dtype=np.float64))
    if ref.size == 0:
        return 1.0 if cand.size == 0 else 0.0
    if ref.size == 1 or cand.size == 0:
        return float(cand.size > 0 and ref.size == 1)
    window = tolerance * float(np.mean(np.diff(ref)))
    used = np.zeros(cand.size, dtype=bool)
    hits = 0
    for time in ref:  # greedy in time order: spikes are sparse, the lists are short
        lo, hi = np.searchsorted(cand, [time - window, time + window], side="left")
        free = [j for j in range(lo, min(hi + 1, cand.size)) if not used[j]]
        free = [j for j in free if abs(cand[j] - time) <= window]
        if free:
            used[min(free, key=lambda j: abs(cand[j] - time))] = True
            hits += 1
    return hits / ref.size


# -- SPICE ----------------------------------------------------------------------------------
def _currents(currents: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(x) for x in currents)
    if not values or not all(math.isfinite(x) and x >= 0 for x in values):
        raise SurrogateError(f"currents must be finite values >= 0 A, not {currents!r}")
    return values


def _transient(
    device: CompiledModel,
    params: LifParams,
    currents: tuple[float, ...],
    stimulus: tuple[tuple[float, float], ...] | None,
    duration: float,
    max_step: float,
    use_cache: bool,
) -> dict[str, FloatArray]:
    """One ngspice run: neuron ``k`` at DC ``currents[k]``, plus one on ``stimulus`` (a PWL
    staircase) when given; returns time, membrane ``v{k}`` and device current ``i{k}``."""
    if not (duration > 0 and 0 < max_step < duration):
        raise SurrogateError(f"need 0 < max_step < duration, got {max_step} and {duration} s")
    neuron = lif_neuron(device, replace(params, input_current=0.0))
    elements: list[CurrentSource | SubcktInstance] = []
    # every drive starts from 0 A (1 ns edge), so each membrane starts discharged at 0 V
    drives = [_pwl(((0.0, value),), duration) for value in currents]
    if stimulus is not None:
        drives.append(_pwl(stimulus, duration))
    for k, waveform in enumerate(drives):
        elements.append(CurrentSource(f"I{k}", "0", f"m{k}", waveform=waveform))
        elements.append(SubcktInstance(f"X{k}", (f"m{k}", f"o{k}", "0"), neuron.name))
    circuit = Circuit(title="neuron characterisation", elements=tuple(elements), subckts=(neuron,))
    analysis = Tran(step=max_step, stop=duration, max_step=max_step)

    def compute() -> dict[str, FloatArray]:
        waves = simulate(circuit, analysis).waveforms
        if waves.axis is None:
            raise SurrogateError("the characterisation transient returned no time axis")
        out = {"time": np.asarray(waves.axis, dtype=np.float64)}
        for k in range(len(drives)):
            out[f"v{k}"] = np.asarray(waves.v(f"m{k}"), dtype=np.float64)
            out[f"i{k}"] = np.asarray(waves.v(f"o{k}"), dtype=np.float64) / params.readout
        return out

    parts = {"netlist": to_ngspice(circuit), "tran": repr(analysis), "ngspice": ngspice_version()}
    arrays, _ = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    return arrays


def _pwl(stimulus: tuple[tuple[float, float], ...], duration: float) -> Pwl:
    """A staircase from 0 A with 1 ns edges through ``(start, level)`` steps."""
    edge = 1e-9
    points: list[tuple[float, float]] = [(0.0, 0.0), (edge, float(stimulus[0][1]))]
    for start, level in stimulus[1:]:
        if not (points[-1][0] + edge < start < duration):
            raise SurrogateError(f"stimulus steps must start in order inside (0, {duration}) s")
        points += [(start - edge, points[-1][1]), (start, float(level))]
    return Pwl(tuple(points))


@dataclass(frozen=True, slots=True)
class _Measured:
    peaks: FloatArray
    troughs: FloatArray
    peak_times: FloatArray
    t_charge: float
    t_spike: float
    rate: float
    spikes: int
    t_pulse: float = math.nan


def _measure(t: FloatArray, v: FloatArray, i_device: FloatArray) -> _Measured:
    """Turning points and phase durations of one membrane; the first spike (charged from 0 V,
    not from the reset) is left out of the durations and the rate."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(np.abs(v) > 1e-3, i_device / v, 0.0)
    # the ON conductance is orders of magnitude above the OFF one; a neuron that never
    # spiked has no sample far above its lowest (ngspice's steps crowd into the spikes, so
    # a median could be an ON value)
    high, low = float(np.max(g)), float(np.percentile(g[g > 0], 1))
    if not high > 10 * low:
        return _Measured(*(np.empty(0),) * 3, math.nan, math.nan, 0.0, 0)
    on = g > math.sqrt(high * max(low, 1e-30))
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    starts = edges[on[edges + 1]] + 1
    stops = edges[~on[edges + 1]] + 1
    stops = stops[stops > starts[0]] if starts.size else stops
    count = min(starts.size, stops.size)
    peaks, troughs, t_peak, t_trough = [], [], [], []
    for a, b in zip(starts[:count], stops[:count], strict=True):
        lo, hi = max(a - 3, 0), min(b + 4, v.size)
        p = lo + int(np.argmax(v[lo:hi]))
        q = p + int(np.argmin(v[p:hi]))
        peaks.append(v[p])
        troughs.append(v[q])
        t_peak.append(t[p])
        t_trough.append(t[q])
    tp, tt = np.array(t_peak), np.array(t_trough)
    if tp.size < 3:
        return _Measured(np.array(peaks), np.array(troughs), tp, math.nan, math.nan, 0.0, tp.size)
    t_charge = float(np.mean(tp[2:] - tt[1:-1]))
    t_spike = float(np.mean(tt[1:] - tp[1:]))
    rate = (tp.size - 2) / float(tp[-1] - tp[1])
    # time above the conductance level, the crossings interpolated between samples
    level = math.sqrt(high * max(low, 1e-30))
    pulses = [
        _crossing(t, g, b, level) - _crossing(t, g, a, level)
        for a, b in zip(starts[1:count], stops[1:count], strict=True)
    ]
    return _Measured(
        np.array(peaks[1:]),
        np.array(troughs[1:]),
        tp,
        t_charge,
        t_spike,
        rate,
        tp.size,
        float(np.mean(pulses)) if pulses else math.nan,
    )


def _crossing(t: FloatArray, y: FloatArray, index: int, level: float) -> float:
    """The time ``y`` crosses ``level`` between samples ``index - 1`` and ``index``."""
    y0, y1 = y[index - 1], y[index]
    return float(t[index - 1] + (level - y0) * (t[index] - t[index - 1]) / (y1 - y0))


def _off_conductance(arrays: dict[str, FloatArray], count: int) -> float:
    """The median of ``I_device / V`` (S) over the OFF samples above 0.1 V of all neurons."""
    values = []
    for k in range(count):
        v, i = arrays[f"v{k}"], arrays[f"i{k}"]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(v > 0.1, i / v, np.nan)
        finite = g[np.isfinite(g)]
        if finite.size:
            values.append(finite[finite < 1.5 * np.percentile(finite, 1)])
    if not values:
        raise SurrogateError("no OFF-phase samples above 0.1 V to fit the OFF conductance")
    return float(np.median(np.concatenate(values)))


def _fit_conductance(
    currents: FloatArray,
    durations: FloatArray,
    c: float,
    g_leak: float,
    v_from: float,
    v_to: float,
    *,
    rising: bool,
) -> float:
    """The device conductance (S) whose exponential phase from ``v_from`` to ``v_to`` lasts
    ``durations`` (s) at ``currents`` (A), least squares in log duration."""

    def duration(g_device: float) -> FloatArray:
        g = g_leak + g_device
        v_inf = currents / g
        ratio = (v_inf - v_from) / (v_inf - v_to) if rising else (v_from - v_inf) / (v_to - v_inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ratio > 1, c / g * np.log(ratio), np.inf)

    def cost(log_g: float) -> float:
        predicted = duration(math.exp(log_g))
        if not np.all(np.isfinite(predicted)):
            return 1e6
        return float(np.sum(np.log(predicted / durations) ** 2))

    # OFF: the conductance must leave every current above the rheobase; ON: must not latch
    if rising:
        upper = float(np.min(currents)) / v_to - g_leak
        bounds = (math.log(upper * 1e-6) if upper > 0 else -40.0, math.log(max(upper, 1e-30)))
    else:
        lower = float(np.max(currents)) / v_to - g_leak
        bounds = (math.log(max(lower, 1e-12)), math.log(max(lower, 1e-12)) + 20)
    found = minimize_scalar(cost, bounds=bounds, method="bounded", options={"xatol": 1e-9})
    if not found.success or cost(found.x) >= 1e6:
        raise SurrogateError("the phase durations admit no conductance (the fit failed)")
    return math.exp(float(found.x))


def _staircase(
    neuron: NeuronSurrogate, stimulus: tuple[tuple[float, float], ...], times: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The surrogate's membrane at ``times`` (s) and its spike times under the staircase."""
    starts = np.array([s for s, _ in stimulus])
    levels = np.array([level for _, level in stimulus])
    state = NeuronState.rest(1)
    v_out = np.empty(times.size)
    spikes: list[float] = []
    previous = 0.0
    for n, time in enumerate(times):
        # cut each interval at the stimulus edges so the current is constant inside it
        cuts = starts[(starts > previous) & (starts < time)]
        for edge in (*cuts, time):
            level = levels[np.searchsorted(starts, previous, side="right") - 1]
            step = advance(neuron, state, level, edge - previous)
            if step.spikes[0] > 0:
                spikes.append(previous + float(step.first_spike[0]))
            state, previous = step.state, edge
        v_out[n] = state.v[0]
    return v_out, np.array(spikes)
