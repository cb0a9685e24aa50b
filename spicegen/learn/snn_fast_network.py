"""The fast engine of the SPICE training engine's own network, from its characterisations.

``snn_spice.network(params, ...)`` is the netlist the SPICE engine trains on; this module
time-steps the same circuit in numpy, every device replaced by its ngspice characterisation
(``spicegen.surrogate``), so ``FastNetworkEngine(params, characterise_network(params, ...))``
answers ``present(sample, weights, thresholds)`` for the same ``SpikingNetworkParams`` and the
two engines can be compared spike for spike. Signal path, as in the netlist (SI units):

- **input neuron** ``i``: supply ``V_i = input_bias + input_gain * x_i`` through the load
  ``R_L`` onto the membrane, which is a current ``V_i / R_L`` into a membrane that leaks
  through ``R_L`` (its Norton equivalent): the two-phase neuron characterised as
  ``lif_neuron`` with ``r_leak = R_L``. It starts at its resting voltage under
  ``input_bias`` (the netlist's operating point); the 10 ns ramp of the pixel drive is taken
  as a step at its midpoint (same charge). The drive is constant, so the whole trajectory is
  ``dc_response`` (closed form).
- **row** ``i`` is the spike output, ``readout * I_device`` (a current-controlled source, so
  the crossbar does not load it): hundreds of mV while the device is ON, ~1 mV between spikes
  (``g_off V``), which through 16 synapses and the mirror is a DC drive of tens of uA and is
  kept. Per step the mean ON and OFF row voltages come from the exact device charges.
- **synapse** ``(i, j)``: ``G_ij(w) V h(V)`` into column ``j`` (the memristor characterised
  per cell, its device-to-device draws included; ``h`` its I-V shape), or ``G V`` (resistor).
- **filter**: the mirror's ``synapse_gain`` times the column current, first-order low-pass of
  ``synapse_tau``, exact for a current constant over each step (``scipy.signal.lfilter``).
- **output neuron** ``j``: the two-phase neuron characterised as ``lif_neuron`` with the
  output leak, fed the filtered current minus ``thresholds[j] / R_out`` (the adaptive
  threshold, as the netlist's current source), shunted by the inhibition conductance
  ``inhibition * sum_k max(v_spike_k - spike_level / 2, 0)`` of the other outputs' spike
  outputs ``readout * g_device * v``. Stepped by ``dt`` with the exponential of each step
  exact and a threshold or reset inside a step taken at its exact time (the rest of the step
  in the new phase); the shunt is the one of the step's start (a delay of ``dt``).

Spike times are the threshold crossings (outputs) and the ON onsets (inputs), which is where
the netlist's spike outputs cross ``spike_level`` within the device's ~1 ns switching.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from spicegen.circuits import CompiledDevice, LifParams
from spicegen.learn.errors import LearnError
from spicegen.learn.snn_fast import group_rows
from spicegen.learn.snn_network import FloatArray, PresentationResult, SpikingNetworkParams
from spicegen.learn.snn_spice import RAMP, check_models, synapse_cells
from spicegen.surrogate import characterise_neuron, characterise_synapse
from spicegen.surrogate.memristive_synapse import SynapseSurrogate
from spicegen.surrogate.oscillator_neuron import NeuronSurrogate, dc_response
from spicegen.va import CompiledModel

__all__ = ["FastNetworkEngine", "NetworkCharacterisation", "characterise_network"]

# Characterisation grids: supplies at these fractions of the input range (V), outputs at these
# multiples of 1 V across their leak (A per S); each set spans the drives a presentation sees.
_INPUT_FRACTIONS = (0.25, 0.5, 1.0)
_OUTPUT_VOLTS = (1.25, 2.0, 3.5)
# the neurons at 1 ns steps: the period has converged there (5 ns: 1 % longer)
_FIT_DURATION, _FIT_STEP = 25e-6, 1e-9
# the synapse's I-V shape from just around 0 V (OFF rows) to above the largest spike output
_SHAPE_VOLTAGES = (-0.01, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
_V_READ = 0.1
# steps the outputs' all-OFF recurrence is filtered in at once (a few hundred kB per block)
_BLOCK = 1024
# a block after a crossing starts this short and doubles while none crosses (blocks of any
# length give the same numbers: the recurrence's state is the last membrane voltage)
_FIRST_BLOCK = 64
# input supplies whose trajectories are kept (80 kB each at 2 ns over 20 us): a digit's
# pixels take at most 256 values; inputs of continuous values refill it
_LEVEL_MEMO = 1024


@dataclass(frozen=True, slots=True)
class NetworkCharacterisation:
    """The ngspice characterisations of one network's devices: the input and output neurons
    (two-phase models) and the crossbar's cells (``None``: ideal resistors)."""

    input_neuron: NeuronSurrogate
    output_neuron: NeuronSurrogate
    synapse: SynapseSurrogate | None


def _device(model: CompiledModel, params: tuple[tuple[str, float], ...]) -> CompiledDevice:
    return CompiledDevice(model, params=params)


def characterise_network(
    params: SpikingNetworkParams,
    neuron: CompiledModel,
    synapse: CompiledModel | None,
    *,
    use_cache: bool = True,
) -> NetworkCharacterisation:
    """Characterise in ngspice the devices of ``snn_spice.network(params, neuron, synapse)``
    (cached): each neuron kind at DC drives spanning its range, every crossbar cell at three
    states, the I-V shape on the first."""
    check_models(params, neuron, synapse)
    inp, out = params.input_neuron, params.output_neuron
    supplies = [params.input_bias + f * params.input_gain for f in _INPUT_FRACTIONS]
    input_neuron = characterise_neuron(
        _device(neuron, inp.device_params),  # type: ignore[arg-type]
        LifParams(r_leak=inp.resistance, c=inp.c, readout=inp.readout),
        [v / inp.resistance for v in supplies],
        duration=_FIT_DURATION,
        max_step=_FIT_STEP,
        use_cache=use_cache,
    )
    output_neuron = characterise_neuron(
        _device(neuron, out.device_params),  # type: ignore[arg-type]
        LifParams(r_leak=out.resistance, c=out.c, readout=out.readout),
        [v / out.resistance for v in _OUTPUT_VOLTS],
        duration=_FIT_DURATION,
        max_step=_FIT_STEP,
        use_cache=use_cache,
    )
    if synapse is None:
        return NetworkCharacterisation(input_neuron, output_neuron, None)
    # the very cells of the netlist: their instance parameters, random draws included
    devices = synapse_cells(params, synapse)
    surrogate = characterise_synapse(
        synapse,
        "x0",
        (0.0, 0.5, 1.0),
        v_read=_V_READ,
        voltages=_SHAPE_VOLTAGES,
        devices=devices,
        use_cache=use_cache,
    )
    return NetworkCharacterisation(input_neuron, output_neuron, surrogate)


class FastNetworkEngine:
    """``params``'s network time-stepped from ``devices`` (``characterise_network``) in steps
    of ``dt`` s; an ``snn_network.Engine``."""

    name = "fast"

    def __init__(
        self,
        params: SpikingNetworkParams,
        devices: NetworkCharacterisation,
        *,
        dt: float = 2e-9,
    ) -> None:
        if not (math.isfinite(dt) and 0 < dt < params.presentation):
            raise LearnError(f"dt: expected 0 < dt < the presentation time, not {dt!r}")
        if (devices.synapse is None) != (params.synapse_model == "resistor"):
            raise LearnError("devices: the characterisation is not of this network's synapses")
        if (
            devices.synapse is not None
            and devices.synapse.devices != params.inputs * params.neurons
        ):
            raise LearnError(
                f"devices: {devices.synapse.devices} synapses characterised, the network has "
                f"{params.inputs * params.neurons}"
            )
        self.params = params
        self.devices = devices
        self.dt = dt
        self.steps = round(params.presentation / dt)
        self._levels: dict[float, _LevelDrive] = {}

    def conductances(self, weights: FloatArray) -> FloatArray:
        """Each synapse's read conductance (S) at ``v_read``, ``weight_shape``."""
        params, synapse = self.params, self.devices.synapse
        w = params.check_weights(weights)
        if synapse is None:
            return params.conductances(w)
        return synapse.conductances(w.reshape(-1)).reshape(w.shape)

    def _shape(self, volts: FloatArray) -> FloatArray:
        synapse = self.devices.synapse
        if synapse is None:
            return np.ones_like(volts)
        low, high = synapse.voltages[0], synapse.voltages[-1]
        return synapse.shape_at(np.clip(volts, low, high))

    def _level_drives(self, levels: FloatArray) -> list[_LevelDrive]:
        """Each input supply's trajectory through a presentation (``levels``, V), from the
        memo or simulated now (all missing ones at once)."""
        memo = self._levels
        missing = np.array([level for level in levels.tolist() if level not in memo])
        if missing.size:
            if len(memo) + missing.size > _LEVEL_MEMO:  # continuous inputs: start afresh
                memo.clear()
                missing = levels
            for level, drive in zip(missing.tolist(), self._simulate_levels(missing), strict=True):
                memo[level] = drive
        return [memo[level] for level in levels.tolist()]

    def _simulate_levels(self, levels: FloatArray) -> list[_LevelDrive]:
        params, neuron = self.params, self.devices.input_neuron
        resistance = params.input_neuron.resistance
        times = np.arange(self.steps + 1, dtype=np.float64) * self.dt
        inputs = _InputTrajectories(neuron, levels / resistance, params.input_bias / resistance)
        grid = inputs.at(times)
        # per step: the time ON, and the mean row voltage while ON and while OFF (V)
        on_time = np.diff(grid.on_time, axis=0)
        on_charge = np.diff(grid.on_charge, axis=0)
        off_charge = np.diff(grid.charge, axis=0) - on_charge
        off_time = self.dt - on_time
        readout = neuron.readout
        with np.errstate(divide="ignore", invalid="ignore"):
            v_on = np.where(on_time > 0, readout * on_charge / on_time, 0.0)
            v_off = np.where(off_time > 0, readout * off_charge / off_time, 0.0)
        f_on = on_time / self.dt
        # the rows' mean drive per step (V): v h(v) averaged over the step's two phases
        drive = f_on * v_on * self._shape(v_on) + (1 - f_on) * v_off * self._shape(v_off)
        v_integral = np.asarray(np.trapezoid(grid.v, times, axis=0), dtype=np.float64)
        square_integral = np.sum(f_on * v_on**2 + (1 - f_on) * v_off**2, axis=0) * self.dt
        spikes = inputs.spike_times(params.presentation)
        kept = []
        for k in range(levels.size):
            column, times_k = np.array(drive[:, k]), spikes[k]
            column.setflags(write=False)  # shared by every later sample with this supply
            times_k.setflags(write=False)
            kept.append(
                _LevelDrive(column, float(v_integral[k]), float(square_integral[k]), times_k)
            )
        return kept

    def present(
        self, sample: FloatArray, weights: FloatArray, thresholds: FloatArray
    ) -> PresentationResult:
        """One presentation of ``params.presentation`` s; see ``snn_network.Engine``."""
        params = self.params
        supplies = params.supplies(sample)
        conductance = self.conductances(weights)
        theta = params.check_thresholds(thresholds)
        neuron = self.devices.input_neuron
        resistance, readout = params.input_neuron.resistance, neuron.readout
        # inputs with equal supplies (equal pixel values) have equal trajectories: each
        # distinct supply is simulated once, its rows' conductances summed (78 of 784 on
        # an MNIST digit), and kept for the next sample (a digit's pixels take at most 256)
        keys, row_level, grouped = group_rows(supplies[:, None], conductance)
        levels = keys[:, 0]
        inputs = _InputTrajectories(neuron, levels / resistance, params.input_bias / resistance)
        drives = self._level_drives(levels)
        drive = np.column_stack([d.drive for d in drives])
        column = drive @ grouped  # (steps, outputs) A
        # the operating point the transient starts from: the resting rows' ~1 mV through the
        # crossbar already drives the filter and the outputs (to a few hundred mV)
        v_rest = readout * neuron.g_off * inputs.v0
        rest = (
            params.synapse_gain
            * v_rest
            * float(self._shape(np.array(v_rest)))
            * (conductance.sum(axis=0))
        )
        current = _low_pass(params.synapse_gain * column, params.synapse_tau, self.dt, rest)
        current -= theta / params.output_neuron.resistance
        output = self.devices.output_neuron
        v_start = (rest - theta / params.output_neuron.resistance) / (output.g_leak + output.g_off)
        out_times, out_neurons = _run_outputs(
            output, current, self.dt, params.inhibition, params.spike_level, v_start
        )
        output_spikes = tuple(
            np.asarray(out_times[out_neurons == j], dtype=np.float64) for j in range(params.neurons)
        )
        # every presynaptic voltage at every output spike, in one evaluation
        at_spikes = inputs.at(out_times).v[:, row_level]
        pre_voltages = tuple(at_spikes[out_neurons == j] for j in range(params.neurons))
        input_spikes = tuple(drives[k].spikes for k in row_level)
        # supplies: V (V - v) / R_L; synapses: G V^2 per phase (as snn_spice.measure)
        v_integral = np.array([d.v_integral for d in drives])
        supply = float(np.sum(supplies * (supplies * params.presentation - v_integral[row_level])))
        square_integral = np.array([d.square_integral for d in drives])
        synapse = float(np.sum(square_integral * grouped.sum(axis=1)))
        return PresentationResult(
            output_spikes,
            input_spikes,
            pre_voltages,
            supply / resistance + synapse,
            float(params.presentation),
        )

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> FastNetworkEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class _LevelDrive:
    """One input supply's presentation: the row's mean drive ``v h(v)`` per step (V), the
    membrane's integral (V s), the row voltage's squared integral (V^2 s), its spikes (s)."""

    drive: FloatArray
    v_integral: float
    square_integral: float
    spikes: FloatArray


@dataclass(frozen=True, slots=True)
class _InputTrajectories:
    """Input neurons at DC ``currents`` (A) from rest under ``rest_current`` (A), the
    drive switched on at half the supply ramp."""

    neuron: NeuronSurrogate
    currents: FloatArray
    rest_current: float

    @property
    def v0(self) -> float:
        return self.rest_current / (self.neuron.g_leak + self.neuron.g_off)

    def at(self, times: FloatArray) -> _Grid:
        delay = RAMP / 2
        shifted = np.maximum(np.asarray(times, dtype=np.float64) - delay, 0.0)
        response = dc_response(self.neuron, self.currents, shifted, self.v0)
        # before the drive: at rest, the device OFF
        before = self.neuron.g_off * self.v0 * np.minimum(times, delay)[:, None]
        return _Grid(response.v, response.charge + before, response.on_time, response.on_charge)

    def spike_times(self, duration: float) -> tuple[FloatArray, ...]:
        neuron = self.neuron
        g_rest = neuron.g_leak + neuron.g_off
        v_inf = self.currents / g_rest
        t_charge, t_spike = neuron.phase_times(self.currents)
        spikes = []
        for k in range(self.currents.size):
            if not v_inf[k] > neuron.v_threshold:
                spikes.append(np.empty(0))
                continue
            first = (
                neuron.c / g_rest * math.log((v_inf[k] - self.v0) / (v_inf[k] - neuron.v_threshold))
            )
            period = float(t_charge[k] + t_spike[k])
            start = RAMP / 2 + first
            count = math.floor((duration - start) / period) + 1 if start <= duration else 0
            spikes.append(np.asarray(start + period * np.arange(max(count, 0)), dtype=np.float64))
        return tuple(spikes)


@dataclass(frozen=True, slots=True)
class _Grid:
    v: FloatArray
    charge: FloatArray
    on_time: FloatArray
    on_charge: FloatArray


def _low_pass(drive: FloatArray, tau: float, dt: float, start: FloatArray) -> FloatArray:
    """The mean over each step of ``tau dy/dt = u - y`` (``y(0) = start``) with ``u``
    constant over each step (rows of ``drive``): exact."""
    a = math.exp(-dt / tau)
    # y at the step ends, then the step means: u + (y_start - u) tau / dt (1 - a)
    ends, _ = lfilter([1 - a], [1, -a], drive, axis=0, zi=(a * start)[None, :])
    starts = np.vstack([start[None, :], ends[:-1]])
    return np.asarray(drive + (starts - drive) * (tau / dt) * (1 - a))


def _run_outputs(
    neuron: NeuronSurrogate,
    current: FloatArray,
    dt: float,
    inhibition: float,
    spike_level: float,
    v_start: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Step the outputs from ``v_start`` (V, OFF) through ``current`` (A per step and
    neuron); returns spike times (s) and the neuron of each, in time order."""
    steps, n = current.shape
    c, g_leak, g_off, g_on = neuron.c, neuron.g_leak, neuron.g_off, neuron.g_on
    v_th, v_reset, readout = neuron.v_threshold, neuron.v_reset, neuron.readout
    floor = spike_level / 2
    v = np.array(v_start, dtype=np.float64)
    on = np.zeros(n, dtype=bool)
    times: list[float] = []
    neurons: list[int] = []
    rest_decay = math.exp(-dt * (g_leak + g_off) / c)
    # the ON/OFF conductances change only at events: kept between them (the same sums and
    # products as written out per step, so the same numbers)
    g_device = np.full(n, g_off)
    g_base = g_leak + g_device
    spike_gain = readout * g_device
    no_shunt = np.zeros(n)
    span = _FIRST_BLOCK
    k = 0
    while k < steps:
        i = current[k]
        if not on.any():
            # the common stretch: all OFF, no shunt (OFF spike outputs are below the floor),
            # so v_end = v_inf + (v - v_inf) decay per step is a linear recurrence: filter a
            # block of steps at once and resume stepping at the first that crosses
            block = current[k : k + span] / (g_leak + g_off)
            ends, _ = lfilter(
                [1 - rest_decay], [1, -rest_decay], block, axis=0, zi=(rest_decay * v)[None, :]
            )
            crossed = np.flatnonzero((ends >= v_th).any(axis=1))
            if crossed.size == 0:
                v = ends[-1]
                k += block.shape[0]
                span = min(2 * span, _BLOCK)
                continue
            span = _FIRST_BLOCK  # spikes come in volleys: the next one is likely near
            if crossed[0]:
                v = ends[crossed[0] - 1]
                k += int(crossed[0])
                i = current[k]
            g_inh = no_shunt
        else:
            excess = np.maximum(spike_gain * v - floor, 0.0)
            g_inh = inhibition * (excess.sum() - excess) if n > 1 else no_shunt
        g = g_base + g_inh
        v_inf = i / g
        v_end = v_inf + (v - v_inf) * np.exp(-dt * g / c)
        event = np.where(on, v_end <= v_reset, v_end >= v_th)
        if event.any():
            fire = event & ~on
            target = np.where(fire, v_th, v_reset)
            with np.errstate(divide="ignore", invalid="ignore"):
                t_event = np.where(event, c / g * np.log((v - v_inf) / (target - v_inf)), 0.0)
            t_event = np.clip(np.nan_to_num(t_event), 0.0, dt)
            g_new = g_leak + np.where(fire, g_on, g_off) + g_inh
            v_inf_new = i / g_new
            after = v_inf_new + (target - v_inf_new) * np.exp(-(dt - t_event) * g_new / c)
            v_end = np.where(event, after, v_end)
            for j in np.flatnonzero(fire):
                times.append(k * dt + float(t_event[j]))
                neurons.append(int(j))
            on = on ^ event
            g_device = np.where(on, g_on, g_off)
            g_base = g_leak + g_device
            spike_gain = readout * g_device
        v = v_end
        k += 1
    order = np.argsort(times, kind="stable")
    return np.asarray(times, dtype=np.float64)[order], np.asarray(neurons, dtype=np.float64)[order]
