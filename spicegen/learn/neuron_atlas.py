"""The neuron atlas: the six behaviours of the NbOx neuron (Drouhin et al. 2022), each from a
stimulus protocol, an ngspice transient and a classifier, plus the f-I curve and the
refractory period.

The neuron is the relaxation oscillator of physics.md 2.3 (``circuits.oscillator_neuron``):
a stimulus voltage ``V_in(t)`` drives the membrane through ``r_load``, with the membrane
capacitor and the threshold device in parallel; its input current is the Norton equivalent
``V_in / r_load``. Spikes are rises of the spike output (``readout`` times the device
current) through ``spike_level``. Every protocol is a ``Pwl`` stimulus (``Protocols`` holds
the amplitudes and times per model); the classifiers are ``waves.spiking``'s.

- tonic spiking: a held step; ``tonic_spiking``.
- phasic bursting: a held step with the device's slow second thermal variable on (``nbox``:
  ``rth2``, ``cth2``); ``phasic_bursting``. The piecewise ``threshold_switch`` has no slow
  variable (one state, switching in ``tsw`` = 1 ns), so a held input can only give a
  stationary train there: the same protocol is run and reported as not shown.
- leaky integrate-and-fire: trains of identical sub-threshold pulses at several rates; the
  pulses needed to fire, and the exponential decay after one pulse;
  ``leaky_integrate_and_fire``.
- spike latency: steps of rising amplitude from rest; ``spike_latency``.
- temporal integration: pairs of sub-threshold pulses at several separations;
  ``temporal_integration``.
- stochastic spiking: trains of pulses near the firing threshold over several ngspice seeds;
  ``stochastic_spiking``. ``threshold_switch`` draws a cycle-to-cycle threshold jitter
  (``vth_sigma``, one level per pulse); the thermal ``nbox`` model is deterministic (no noise
  term), so there the randomness is a seeded Gaussian voltage in series with the input.
- f-I curve: spike rate against the Norton input current over held steps (the first interval,
  which starts from rest, skipped). Refractory period: how long each spike keeps the device
  ON (the spike output above ``spike_level``, on the tonic train), during which the membrane
  is held at the discharge and no input can start a spike; when the device lets go the
  membrane sits at the hold voltage, above rest, so these neurons have no relative refractory
  period (the next spike comes sooner, not later). The shortest inter-spike interval of the
  f-I curve is reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    OscillatorNeuronParams,
    oscillator_neuron,
    oscillator_period,
)
from spicegen.learn.errors import LearnError
from spicegen.netlist import Circuit, Option, Pwl, SubcktInstance, Tran, TrRandom, VoltageSource
from spicegen.sim import simulate
from spicegen.va import CompiledModel
from spicegen.waves import Waveforms
from spicegen.waves.measure import crossings
from spicegen.waves.spiking import (
    Verdict,
    leaky_integrate_and_fire,
    membrane_decay,
    phasic_bursting,
    spike_latency,
    stochastic_spiking,
    temporal_integration,
    tonic_spiking,
)

__all__ = [
    "BEHAVIOURS",
    "PROTOCOLS",
    "Atlas",
    "Protocols",
    "Trace",
    "atlas_summary",
    "run_atlas",
    "run_behaviour",
]

STEPS = 8  # the six behaviours, the f-I curve and the refractory period
BEHAVIOURS = (
    "tonic_spiking",
    "phasic_bursting",
    "leaky_integrate_and_fire",
    "spike_latency",
    "temporal_integration",
    "stochastic_spiking",
)
EDGE = 10e-9  # s, rise and fall of every stimulus edge
Pairs = tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Protocols:
    """Stimuli of the atlas for one device model (V, s, Hz; ``*_params``: device parameters
    set for that protocol only)."""

    r_load: float = 5e3
    c: float = 1e-9
    readout: float = 200.0
    spike_level: float = 0.3
    device_params: Pairs = ()
    max_step: float = 20e-9
    tonic_amplitude: float = 1.5
    tonic_duration: float = 30e-6
    phasic_amplitude: float = 1.5
    phasic_duration: float = 50e-6
    phasic_params: Pairs = ()
    lif_amplitude: float = 3.0
    lif_width: float = 0.5e-6
    lif_rates: tuple[float, ...] = (1e6, 500e3, 250e3, 100e3)
    lif_pulses: int = 12
    latency_amplitudes: tuple[float, ...] = (1.12, 1.15, 1.2, 1.3, 1.5, 2.0, 3.0)
    latency_duration: float = 40e-6
    pair_amplitude: float = 3.0
    pair_width: float = 1.5e-6
    pair_separations: tuple[float, ...] = (2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 8e-6, 12e-6)
    stochastic_amplitudes: tuple[float, ...] = (1.08, 1.1, 1.12, 1.14, 1.16, 1.18, 1.2, 1.24)
    stochastic_params: Pairs = (("vth_sigma", 0.02),)
    stochastic_noise: float = 0.0
    stochastic_width: float = 25e-6
    stochastic_period: float = 50e-6
    stochastic_pulses: int = 20
    stochastic_seeds: tuple[int, ...] = (1, 2, 3, 4)
    stochastic_max_step: float = 250e-9
    fi_amplitudes: tuple[float, ...] = (1.15, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
    fi_duration: float = 60e-6


PROTOCOLS: dict[str, Protocols] = {
    # physics.md 2.4 reference device (vth 1.0 V, vhold 0.7 V, roff 50 kohm, ron 200 ohm):
    # firing onset V_in = 1.1 V; the jitter level is held for one stochastic pulse period
    "threshold_switch": Protocols(
        device_params=(("tjitter", 50e-6),),
        stochastic_params=(("vth_sigma", 0.02),),
    ),
    # the default thermal device: onset 1.324 V at r_load 5 kohm (tests/models/test_nbox.py);
    # the slow variable of the phasic protocol is the one that test checks (tau2 = 9.8 us)
    "nbox": Protocols(
        phasic_params=(("rth2", 7e5), ("cth2", 1.4e-11)),
        latency_amplitudes=(1.35, 1.4, 1.5, 1.7, 2.0, 2.5, 3.0),
        stochastic_amplitudes=(1.26, 1.28, 1.3, 1.32, 1.34, 1.36, 1.38, 1.42),
        stochastic_params=(),
        stochastic_noise=0.02,
        fi_amplitudes=(1.35, 1.4, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0),
    ),
}


@dataclass(frozen=True, slots=True, eq=False)
class Trace:
    """One transient for the figure: time (s), stimulus (V), membrane (V), spike times (s)."""

    label: str
    time: np.ndarray
    stimulus: np.ndarray
    membrane: np.ndarray
    spikes: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class Atlas:
    """The atlas of one model: a ``Verdict`` and traces per behaviour, the f-I curve
    (Norton currents in A, rates in Hz, closed-form rates or None), the refractory period
    (s, the ON time per spike) with its closed form (None when there is none), and a note
    per behaviour on how it arises."""

    model: str
    verdicts: Mapping[str, Verdict]
    traces: Mapping[str, tuple[Trace, ...]]
    fi_current: np.ndarray
    fi_rate: np.ndarray
    fi_closed_form: np.ndarray | None
    refractory: float
    refractory_closed_form: float | None = None
    notes: Mapping[str, str] = field(default_factory=dict)


def _pulses(onsets: Sequence[float], width: float, amplitude: float) -> Pwl:
    """Rectangular pulses of ``amplitude`` V and ``width`` s (edges ``EDGE``) from 0 V."""
    points: list[tuple[float, float]] = [(0.0, 0.0)]
    for onset in onsets:
        start = max(float(onset), points[-1][0] + EDGE)
        points += [(start, 0.0), (start + EDGE, amplitude)]
        points += [(start + EDGE + width, amplitude), (start + 2 * EDGE + width, 0.0)]
    return Pwl(tuple(points))


def _levels(onsets: Sequence[float], width: float, amplitudes: Sequence[float]) -> Pwl:
    """One pulse per onset, each with its own amplitude."""
    points: list[tuple[float, float]] = [(0.0, 0.0)]
    for onset, amplitude in zip(onsets, amplitudes, strict=True):
        start = float(onset)
        points += [(start, 0.0), (start + EDGE, amplitude)]
        points += [(start + EDGE + width, amplitude), (start + 2 * EDGE + width, 0.0)]
    return Pwl(tuple(points))


@dataclass(frozen=True, slots=True, eq=False)
class _Run:
    time: np.ndarray
    stimulus: np.ndarray
    membrane: np.ndarray
    spikes: np.ndarray
    output: np.ndarray


def _simulate(
    device: CompiledModel,
    protocols: Protocols,
    stimulus: Pwl,
    stop: float,
    *,
    params: Pairs = (),
    noise: float = 0.0,
    noise_step: float = 1.0,
    seed: int | None = None,
    output: bool = False,
) -> _Run:
    """The oscillator neuron driven by ``stimulus`` for ``stop`` s."""
    device_params = {**dict(protocols.device_params), **dict(params)}
    neuron = oscillator_neuron(
        CompiledDevice(device, params=tuple(device_params.items())),
        OscillatorNeuronParams(
            r_load=protocols.r_load, c=protocols.c, readout=protocols.readout, name="atlas_neuron"
        ),
    )
    elements: list[VoltageSource | SubcktInstance] = [
        VoltageSource("Vin", "drive", "0", waveform=stimulus)
    ]
    if noise > 0:
        # a seeded Gaussian level held for noise_step s, in series with the stimulus
        noisy = TrRandom("gaussian", noise_step, 0.0, noise, 0.0)
        elements.append(VoltageSource("Vnoise", "vdd", "drive", waveform=noisy))
    else:
        elements.append(VoltageSource("Vnoise", "vdd", "drive", dc=0.0))
    elements.append(SubcktInstance("X1", ("vdd", "m", "out", "0"), neuron.name))
    options = (Option("seed", seed),) if seed is not None else ()
    circuit = Circuit(
        title=f"atlas {device.name}", elements=tuple(elements), subckts=(neuron,), options=options
    )
    step = protocols.max_step
    waves: Waveforms = simulate(circuit, Tran(step=step, stop=stop, max_step=step)).waveforms
    time = waves.axis
    if time is None:
        raise LearnError("atlas: the transient returned no time axis")
    out = waves.v("out")
    spikes = crossings(time, out, protocols.spike_level, "rise")
    return _Run(time, waves.v("drive"), waves.v("m"), spikes, out if output else out[:0])


def _trace(label: str, run: _Run) -> Trace:
    return Trace(label, run.time, run.stimulus, run.membrane, run.spikes)


def _tonic(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    start, stop = 1e-6, 1e-6 + p.tonic_duration
    run = _simulate(device, p, _pulses([start], p.tonic_duration, p.tonic_amplitude), stop + 5e-6)
    verdict = tonic_spiking(run.spikes, start, stop)
    return verdict, (_trace(f"{p.tonic_amplitude:g} V step", run),)


def _phasic(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    start, stop = 1e-6, 1e-6 + p.phasic_duration
    stimulus = _pulses([start], p.phasic_duration, p.phasic_amplitude)
    run = _simulate(device, p, stimulus, stop + 5e-6, params=p.phasic_params)
    verdict = phasic_bursting(run.spikes, start, stop)
    return verdict, (_trace(f"{p.phasic_amplitude:g} V step", run),)


def _lif(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    traces = []
    needed = []
    for rate in p.lif_rates:
        onsets = [1e-6 + k / rate for k in range(p.lif_pulses)]
        stop = onsets[-1] + p.lif_width + 10e-6
        run = _simulate(device, p, _pulses(onsets, p.lif_width, p.lif_amplitude), stop)
        # pulses begun before the first spike (a spike during pulse k counts k + 1)
        first = run.spikes[0] if run.spikes.size else math.inf
        needed.append(
            float(np.count_nonzero(np.array(onsets) < first)) if run.spikes.size else math.inf
        )
        traces.append(_trace(f"{rate / 1e3:g} kHz", run))
    # the leak: one pulse, then the decay of the membrane over the next 4 time constants
    single = _simulate(device, p, _pulses([1e-6], p.lif_width, p.lif_amplitude), 30e-6)
    end = 1e-6 + p.lif_width + 2 * EDGE
    after = (single.time > end + 0.2e-6) & (single.time < end + 20e-6)
    tau, r2 = membrane_decay(single.time[after], single.membrane[after])
    if single.spikes.size:
        needed = [1.0 for _ in needed]  # one pulse fires: the classifier says so
    verdict = leaky_integrate_and_fire(p.lif_rates, needed, tau, r2)
    return verdict, tuple(traces[:1] + traces[-1:])


def _latency(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    start = 1e-6
    latencies, traces = [], []
    for amplitude in p.latency_amplitudes:
        stimulus = _pulses([start], p.latency_duration, amplitude)
        run = _simulate(device, p, stimulus, start + p.latency_duration)
        latencies.append(float(run.spikes[0] - start) if run.spikes.size else math.nan)
        traces.append(_trace(f"{amplitude:g} V", run))
    verdict = spike_latency(p.latency_amplitudes, latencies)
    return verdict, (traces[0], traces[len(traces) // 2], traces[-1])


def _pairs(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    start = 1e-6
    single = _simulate(device, p, _pulses([start], p.pair_width, p.pair_amplitude), 20e-6)
    fired, traces = [], []
    for separation in p.pair_separations:
        stimulus = _pulses([start, start + separation], p.pair_width, p.pair_amplitude)
        run = _simulate(device, p, stimulus, start + separation + p.pair_width + 10e-6)
        fired.append(bool(run.spikes.size))
        traces.append(_trace(f"{separation * 1e6:g} us apart", run))
    verdict = temporal_integration(p.pair_separations, fired, bool(single.spikes.size))
    return verdict, (traces[0], traces[-1])


def _stochastic(device: CompiledModel, p: Protocols) -> tuple[Verdict, tuple[Trace, ...]]:
    amplitudes = np.asarray(p.stochastic_amplitudes)
    count = p.stochastic_pulses
    onsets = np.array([1e-6 + k * p.stochastic_period for k in range(count * amplitudes.size)])
    levels = np.repeat(amplitudes, count)
    stimulus = _levels(onsets.tolist(), p.stochastic_width, levels.tolist())
    stop = float(onsets[-1]) + p.stochastic_period
    fired = np.zeros(amplitudes.size)
    runs = []
    # whether a pulse fires depends on its plateau against the threshold drawn for it, not on
    # when it crosses: a step of a twentieth of the charging time is enough
    coarse = replace(p, max_step=p.stochastic_max_step)
    for seed in p.stochastic_seeds:
        run = _simulate(
            device,
            coarse,
            stimulus,
            stop,
            params=p.stochastic_params,
            noise=p.stochastic_noise,
            noise_step=p.stochastic_period,
            seed=seed,
        )
        # a pulse fired when a spike starts while it is on (or within 1 us of its end)
        after = np.searchsorted(run.spikes, onsets)
        until = np.searchsorted(run.spikes, onsets + p.stochastic_width + 1e-6)
        fired += np.add.reduceat((until > after).astype(float), np.arange(0, onsets.size, count))
        runs.append(run)
    trials = count * len(p.stochastic_seeds)
    probability = fired / trials
    verdict = stochastic_spiking(amplitudes, probability, trials)
    figures = verdict.figures + tuple(
        (f"probability_at_{a:.4g}", float(q)) for a, q in zip(amplitudes, probability, strict=True)
    )
    # the figure: four pulses of the first seed at the amplitude nearest even odds
    middle = int(np.argmin(np.abs(probability - 0.5)))
    begin = float(onsets[middle * count])
    run = runs[0]
    keep = (run.time >= begin) & (run.time < begin + 4 * p.stochastic_period)
    shown = run.spikes[(run.spikes >= begin) & (run.spikes < begin + 4 * p.stochastic_period)]
    trace = Trace(
        f"{amplitudes[middle]:g} V pulses", run.time[keep], run.stimulus[keep],
        run.membrane[keep], shown,
    )  # fmt: skip
    return replace(verdict, figures=figures), (trace,)


def _fi(device: CompiledModel, p: Protocols) -> tuple[np.ndarray, np.ndarray, tuple[Trace, ...]]:
    start = 1e-6
    rates = []
    # a quarter of the usual step: at the highest rates a period is only ~30 steps otherwise
    fine = replace(p, max_step=p.max_step / 4)
    for amplitude in p.fi_amplitudes:
        stimulus = _pulses([start], p.fi_duration, amplitude)
        run = _simulate(device, fine, stimulus, start + p.fi_duration)
        spikes = run.spikes
        # the first interval starts from rest (0 V), not from the hold voltage: skip it
        rate = (spikes.size - 2) / (spikes[-1] - spikes[1]) if spikes.size >= 3 else 0.0
        rates.append(float(rate))
    return np.asarray(p.fi_amplitudes) / p.r_load, np.asarray(rates), ()


def _on_time(device: CompiledModel, p: Protocols) -> float:
    """Mean time (s) the device stays ON per spike of the tonic train (rise to fall of the
    spike output through ``spike_level``)."""
    start = 1e-6
    stimulus = _pulses([start], p.tonic_duration, p.tonic_amplitude)
    run = _simulate(device, p, stimulus, start + p.tonic_duration, output=True)
    rises = crossings(run.time, run.output, p.spike_level, "rise")
    falls = crossings(run.time, run.output, p.spike_level, "fall")
    durations = [float(falls[falls > r][0] - r) for r in rises if np.any(falls > r)]
    return float(np.mean(durations)) if durations else math.nan


def _ideal_switch(p: Protocols) -> dict[str, float]:
    """The ``threshold_switch`` parameters of these protocols (model defaults overridden)."""
    return {"roff": 50e3, "ron": 200.0, "vth": 1.0, "vhold": 0.7, **dict(p.device_params)}


def _closed_form(
    model: str, p: Protocols, amplitudes: Sequence[float]
) -> tuple[np.ndarray | None, float | None]:
    """Rates (Hz) at ``amplitudes`` and the discharge time (s) of the tonic step for the
    ideal piecewise switch (physics.md 2.3): ``threshold_switch`` only, else ``(None, None)``."""
    if model != "threshold_switch":
        return None, None
    switch = _ideal_switch(p)

    def times(amplitude: float) -> tuple[float, float, float]:
        return oscillator_period(
            amplitude,
            p.r_load,
            p.c,
            roff=switch["roff"],
            ron=switch["ron"],
            vth=switch["vth"],
            vhold=switch["vhold"],
        )

    rates = []
    for amplitude in amplitudes:
        try:
            rates.append(1.0 / times(amplitude)[2])
        except CircuitSpecError:  # below the onset, or latching: no oscillation
            rates.append(0.0)
    return np.asarray(rates), times(p.tonic_amplitude)[1]


_NOTES = {
    "threshold_switch": {
        "phasic_bursting": "not reachable: the piecewise switch has one state variable with a "
        "1 ns time constant and no slower memory, so a held input gives a stationary train",
        "stochastic_spiking": "cycle-to-cycle threshold jitter of the device (vth_sigma)",
    },
    "nbox": {
        "phasic_bursting": "the slow second thermal variable (rth2, cth2): the surroundings "
        "warm during the burst until the NDR operating point turns stable",
        "stochastic_spiking": "the thermal model has no noise term: the randomness is a seeded "
        "Gaussian voltage in series with the input",
    },
}


_RUNS = {
    "tonic_spiking": _tonic,
    "phasic_bursting": _phasic,
    "leaky_integrate_and_fire": _lif,
    "spike_latency": _latency,
    "temporal_integration": _pairs,
    "stochastic_spiking": _stochastic,
}


def run_behaviour(
    name: str, device: CompiledModel, protocols: Protocols
) -> tuple[Verdict, tuple[Trace, ...]]:
    """One behaviour's protocol on ``device``: its ``Verdict`` and the traces to draw."""
    if name not in _RUNS:
        raise LearnError(f"atlas: no behaviour {name!r}; expected one of {', '.join(BEHAVIOURS)}")
    return _RUNS[name](device, protocols)


def run_atlas(
    device: CompiledModel,
    protocols: Protocols | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
) -> Atlas:
    """Every protocol of the atlas on ``device`` (a compiled ``threshold_switch`` or
    ``nbox``), with ``protocols`` (default ``PROTOCOLS[device.name]``); ``on_step(name)``
    is called after each of the eight (six behaviours, ``fi_curve``, ``refractory``)."""
    if not isinstance(device, CompiledModel):
        raise LearnError(f"atlas: expected a compiled neuron model, got {device!r}")
    if protocols is None:
        if device.name not in PROTOCOLS:
            raise LearnError(
                f"atlas: no protocols for {device.name!r}; pass Protocols "
                f"(defaults exist for {', '.join(PROTOCOLS)})"
            )
        protocols = PROTOCOLS[device.name]
    verdicts: dict[str, Verdict] = {}
    traces: dict[str, tuple[Trace, ...]] = {}
    step = on_step if on_step is not None else (lambda _: None)
    for name in BEHAVIOURS:
        verdicts[name], traces[name] = run_behaviour(name, device, protocols)
        step(name)
    current, rate, _ = _fi(device, protocols)
    step("fi_curve")
    rates, discharge = _closed_form(device.name, protocols, protocols.fi_amplitudes)
    refractory = _on_time(device, protocols)
    step("refractory")
    return Atlas(
        model=device.name,
        verdicts=verdicts,
        traces=traces,
        fi_current=current,
        fi_rate=rate,
        fi_closed_form=rates,
        refractory=refractory,
        refractory_closed_form=discharge,
        notes=_NOTES.get(device.name, {}),
    )


def atlas_summary(atlas: Atlas) -> dict[str, object]:
    """``atlas.json``'s content: ``behaviours`` (one boolean each), the figures measured per
    behaviour, the f-I curve, the refractory period and the notes."""
    return {
        "model": atlas.model,
        "behaviours": {name: atlas.verdicts[name].shown for name in BEHAVIOURS},
        "figures": {name: atlas.verdicts[name].as_dict() for name in BEHAVIOURS},
        "fi_curve": {
            "current_a": atlas.fi_current.tolist(),
            "rate_hz": atlas.fi_rate.tolist(),
            "closed_form_rate_hz": None
            if atlas.fi_closed_form is None
            else atlas.fi_closed_form.tolist(),
        },
        "refractory_period_s": None if math.isnan(atlas.refractory) else atlas.refractory,
        "refractory_closed_form_s": atlas.refractory_closed_form,
        "minimum_interval_s": 1.0 / float(atlas.fi_rate.max()) if atlas.fi_rate.max() > 0 else None,
        "notes": dict(atlas.notes),
    }
