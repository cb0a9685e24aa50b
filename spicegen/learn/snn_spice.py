"""The spiking network co-simulated in ngspice (``engine="spice"``): one transient per sample.

``network(params, neuron, synapse)`` is the whole network of ``snn_network`` as one netlist,
loaded once in a ``Session``. A presentation writes the sample and the weights into the loaded
circuit (pixel sources and threshold currents by ``alter``; memristor states as ``.param``
values, which take a ``reset``; ideal-resistor conductances by ``alter``), runs one transient,
and reads back the spike outputs and input membranes: the spike times, every input membrane
at each output spike (what VDSP reads) and the energy. Nothing is rebuilt between samples.

Names (one place, ``*_node``/``*_source``/``weight_name``): input ``i`` is instance ``Xin{i}``
with supply ``vdd{i}`` (behavioural source ``Bdd{i}``: ``v(bias) + v(pix{i})`` after a 10 ns
ramp from t = 0, so the operating point is the intensity-0 resting state), membrane ``mi{i}``
and spike output ``row{i}``; output ``j`` is ``Xout{j}`` with membrane ``mo{j}``, spike output
``spk{j}``, column ammeter ``Vcol{j}``, mirror ``Fsyn{j}`` into the filter node ``syn{j}``,
threshold current ``Ith{j}`` and inhibition shunt ``Binh{j}``; synapse ``(i, j)`` is
``Xs_{i}_{j}`` (memristor, state ``.param w_{i}_{j}``) or ``Rs_{i}_{j}`` (resistor).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from spicegen.circuits import (
    CompiledDevice,
    LifParams,
    OscillatorNeuronParams,
    lif_neuron,
    oscillator_neuron,
)
from spicegen.learn.errors import LearnError
from spicegen.learn.snn_network import FloatArray, PresentationResult, SpikingNetworkParams
from spicegen.netlist import (
    BSource,
    Capacitor,
    Cccs,
    Circuit,
    CurrentSource,
    Element,
    Param,
    Resistor,
    Subckt,
    SubcktInstance,
    Vccs,
    VoltageSource,
)
from spicegen.seeds import circuit_rng
from spicegen.sim import ConvergenceError, Session, SimulationTimeout, SimulatorCrashed
from spicegen.va import CompiledModel
from spicegen.waves import Waveforms
from spicegen.waves.measure import crossings

__all__ = [
    "RAMP",
    "SpiceEngine",
    "Timings",
    "check_models",
    "input_membrane_node",
    "input_spike_node",
    "network",
    "output_membrane_node",
    "output_spike_node",
    "presentation_timeout",
    "synapse_cells",
    "weight_name",
]

RAMP = 10e-9  # s, the supplies' rise from the resting bias to the sample's drive
_FILTER_RESISTANCE = 1e3  # ohm; any value gives the same filter, this one keeps V(syn) ~ mV
# Beyond this many synapses a presentation takes minutes (each compiled memristor costs
# ~15 us of CPU per time step, hundreds of thousands of steps per sample set); a fast engine
# has no such limit.
MAX_SPICE_SYNAPSES = 4096
# The per-presentation timeout at the reference load: 600 s for the 16 x 4 network's 20 us at a
# 20 ns largest step (about 30 s on a loaded 2-core machine, so 20x headroom); the steps a
# transient takes grow as presentation / max_step, the work per step with the synapses.
_TIMEOUT, _TIMEOUT_STEPS, _TIMEOUT_SYNAPSES = 600.0, 1000.0, 64


def presentation_timeout(params: SpikingNetworkParams) -> float:
    """The default bound (s) on one presentation's transient: 600 s for 20 us at a 20 ns step
    on 64 synapses, scaled by the steps (``presentation / max_step``) and the synapses."""
    steps = params.presentation / params.max_step / _TIMEOUT_STEPS
    synapses = params.inputs * params.neurons / _TIMEOUT_SYNAPSES
    return _TIMEOUT * max(1.0, steps) * max(1.0, synapses)


def input_membrane_node(i: int) -> str:
    """Input neuron ``i``'s membrane."""
    return f"mi{i}"


def input_spike_node(i: int) -> str:
    """Input neuron ``i``'s spike output, which drives crossbar row ``i``."""
    return f"row{i}"


def output_membrane_node(j: int) -> str:
    """Output neuron ``j``'s membrane."""
    return f"mo{j}"


def output_spike_node(j: int) -> str:
    """Output neuron ``j``'s spike output."""
    return f"spk{j}"


def weight_name(i: int, j: int) -> str:
    """The ``.param`` holding synapse ``(i, j)``'s memristor state."""
    return f"w_{i}_{j}"


def _pixel_source(i: int) -> str:
    return f"Vpix{i}"


def _threshold_source(j: int) -> str:
    return f"Ith{j}"


def _resistor(i: int, j: int) -> str:
    return f"Rs_{i}_{j}"


def check_models(
    params: SpikingNetworkParams, neuron: CompiledModel, synapse: CompiledModel | None
) -> None:
    """Refuse models other than the compiled ones ``params`` names."""
    if not isinstance(neuron, CompiledModel) or neuron.name != params.neuron_model:
        raise LearnError(
            f"neuron: expected the compiled {params.neuron_model!r} model, got {neuron!r}"
        )
    if params.synapse_model == "resistor":
        if synapse is not None:
            raise LearnError("synapse: the network's synapses are resistors; pass synapse=None")
    elif not isinstance(synapse, CompiledModel) or synapse.name != params.synapse_model:
        raise LearnError(
            f"synapse: expected the compiled {params.synapse_model!r} model, got {synapse!r}"
        )


def _check_size(params: SpikingNetworkParams) -> None:
    cells = params.inputs * params.neurons
    if cells > MAX_SPICE_SYNAPSES:
        raise LearnError(
            f"the network has {cells} synapses ({params.inputs} inputs x {params.neurons} "
            f"neurons); the SPICE engine takes at most {MAX_SPICE_SYNAPSES} in one netlist. "
            "Use a fast engine, or a smaller network (downsample the images)"
        )


def _neurons(params: SpikingNetworkParams, neuron: CompiledModel) -> tuple[Subckt, Subckt]:
    inp, out = params.input_neuron, params.output_neuron
    input_subckt = oscillator_neuron(
        CompiledDevice(neuron, params=tuple(dict(inp.device_params).items())),
        OscillatorNeuronParams(r_load=inp.resistance, c=inp.c, readout=inp.readout,
                               name="snn_input"),
    )  # fmt: skip
    output_subckt = lif_neuron(
        CompiledDevice(neuron, params=tuple(dict(out.device_params).items())),
        LifParams(r_leak=out.resistance, c=out.c, readout=out.readout, name="snn_output"),
    )
    return input_subckt, output_subckt


def network(
    params: SpikingNetworkParams,
    neuron: CompiledModel,
    synapse: CompiledModel | None,
    weights: FloatArray | None = None,
) -> Circuit:
    """The network as one netlist, at ``weights`` (default all 0.5) and a blank sample."""
    check_models(params, neuron, synapse)
    _check_size(params)
    w = np.full(params.weight_shape, 0.5) if weights is None else params.check_weights(weights)
    input_subckt, output_subckt = _neurons(params, neuron)
    elements: list[Element] = [VoltageSource("Vbias", "bias", "0", dc=params.input_bias)]
    for i in range(params.inputs):
        elements += [
            VoltageSource(_pixel_source(i), f"pix{i}", "0", dc=0.0),
            BSource(f"Bdd{i}", f"vdd{i}", "0", "v", f"v(bias) + v(pix{i})*min(time/{RAMP}, 1)"),
            SubcktInstance(
                f"Xin{i}",
                (f"vdd{i}", input_membrane_node(i), input_spike_node(i), "0"),
                input_subckt.name,
            ),
        ]
    for j in range(params.neurons):
        membrane = output_membrane_node(j)
        elements += [
            VoltageSource(f"Vcol{j}", f"col{j}", "0", dc=0.0),
            # the mirror injects gain x the column current (row -> column -> ammeter) into
            # the filter node syn{j} (R || C to ground, tau = R C); the membrane receives
            # V(syn)/R, which carries the same charge, delayed and smoothed
            Cccs(f"Fsyn{j}", "0", f"syn{j}", f"Vcol{j}", params.synapse_gain),
            Resistor(f"Rsyn{j}", f"syn{j}", "0", _FILTER_RESISTANCE),
            Capacitor(f"Csyn{j}", f"syn{j}", "0", params.synapse_tau / _FILTER_RESISTANCE),
            Vccs(f"Gsyn{j}", "0", membrane, f"syn{j}", "0", 1.0 / _FILTER_RESISTANCE),
            CurrentSource(_threshold_source(j), membrane, "0", dc=0.0),
            SubcktInstance(f"Xout{j}", (membrane, output_spike_node(j), "0"), output_subckt.name),
        ]
    if params.inhibition > 0 and params.neurons > 1:
        # the shunt counts a spike output only above half the spike level: between spikes an
        # output carries a few mV (its device's OFF current), which must not leak the others
        floor = params.spike_level / 2
        for j in range(params.neurons):
            others = " + ".join(
                f"max(v({output_spike_node(k)}) - {floor}, 0)"
                for k in range(params.neurons)
                if k != j
            )
            elements.append(
                BSource(
                    f"Binh{j}",
                    output_membrane_node(j),
                    "0",
                    "i",
                    f"{params.inhibition} * v({output_membrane_node(j)}) * ({others})",
                )
            )
    subckts = [input_subckt, output_subckt]
    circuit_params: list[Param] = []
    if synapse is None:
        conductance = params.conductances(w)
        elements += [
            Resistor(
                _resistor(i, j), input_spike_node(i), f"col{j}", float(1.0 / conductance[i, j])
            )
            for i in range(params.inputs)
            for j in range(params.neurons)
        ]
    else:
        subckts.append(synapse.subckt)
        seeds = _cell_seeds(params)
        fixed = _cell_fixed(params)
        for i in range(params.inputs):
            for j in range(params.neurons):
                name = weight_name(i, j)
                circuit_params.append(Param(name, float(w[i, j])))
                elements.append(
                    synapse.instance(
                        f"Xs_{i}_{j}",
                        (input_spike_node(i), f"col{j}"),
                        seed=int(seeds[i, j]),
                        x0=f"{{{name}}}",
                        **fixed,
                    )
                )
    return Circuit(
        title=f"spiking network {params.inputs}x{params.neurons}",
        elements=tuple(elements),
        subckts=tuple(subckts),
        params=tuple(circuit_params),
    )


def _cell_seeds(params: SpikingNetworkParams) -> NDArray[np.int64]:
    """Each crossbar cell's seed of its own device draws (inputs x neurons)."""
    return circuit_rng(params.seed).integers(0, 2**31, size=params.weight_shape)


def _cell_fixed(params: SpikingNetworkParams) -> dict[str, float]:
    return {**dict(params.synapse_params), "gmin": params.g_min, "gmax": params.g_max}


def synapse_cells(
    params: SpikingNetworkParams, synapse: CompiledModel
) -> list[dict[str, float | int | str]]:
    """The instance parameters (without the state ``x0``) of every crossbar cell of
    ``network(params, ...)``, row by row: its fixed values and its own random draws. Any
    network size (a characterisation needs no netlist of the whole network)."""
    seeds, fixed = _cell_seeds(params), _cell_fixed(params)
    # the draws depend on the instance's name as well as its seed: the netlist's names
    return [
        dict(synapse.instance(f"Xs_{i}_{j}", ("a", "b"), seed=int(seeds[i, j]), **fixed).params)
        for i in range(params.inputs)
        for j in range(params.neurons)
    ]


@dataclass(slots=True)
class Timings:
    """Where a SPICE presentation's wall time goes (s, summed over presentations)."""

    write: float = 0.0
    simulate: float = 0.0
    measure: float = 0.0
    presentations: int = 0
    points: int = 0
    retried: int = 0
    failed: int = 0
    per_presentation: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        """Totals and means per presentation (s), and time points per presentation."""
        n = max(self.presentations, 1)
        return {
            "presentations": self.presentations,
            "write_s": self.write,
            "simulate_s": self.simulate,
            "measure_s": self.measure,
            "seconds_per_presentation": (self.write + self.simulate + self.measure) / n,
            "points_per_presentation": self.points / n,
            "retried": self.retried,
            "failed": self.failed,
        }


# what a transient stuck on its step ends in; each is retried once at a smaller step
_STUCK = (SimulationTimeout, SimulatorCrashed, ConvergenceError)


class SpiceEngine:
    """The network of ``params`` in ngspice: ``neuron`` and ``synapse`` are the compiled
    models the params name (``synapse=None`` for resistor synapses); ``timeout`` (s) bounds
    each presentation (default ``presentation_timeout(params)``, scaled with the step).

    A transient that times out, crashes ngspice or does not converge is run once more at
    ``retry_step`` times the largest step (a different time grid usually steps past the
    point it stuck on), bounded by ``retry_timeout`` (default ``timeout / retry_step``); if
    that fails too, the presentation is recorded in ``failures`` and comes back as
    ``PresentationResult.failed`` (no spikes), so one stuck sample does not end a run.
    ``retry_step=None`` raises the first error instead."""

    name = "spice"

    def __init__(
        self,
        params: SpikingNetworkParams,
        neuron: CompiledModel,
        synapse: CompiledModel | None = None,
        *,
        timeout: float | None = None,
        retry_step: float | None = 0.5,
        retry_timeout: float | None = None,
    ) -> None:
        if timeout is None:
            timeout = presentation_timeout(params)
        if retry_step is not None and not (
            isinstance(retry_step, int | float) and 0.0 < retry_step < 1.0
        ):
            raise LearnError(f"retry_step: expected a factor in (0, 1) or None, not {retry_step!r}")
        self.retry_step = retry_step
        if retry_timeout is None:
            retry_timeout = timeout if retry_step is None else timeout / retry_step
        self.retry_timeout = retry_timeout
        self.failures: list[str] = []
        self.params = params
        self.circuit = network(params, neuron, synapse)
        self.timings = Timings()
        self._memristor = synapse is not None
        self._written: dict[str, float] = {}
        self._vectors = [f"v({input_membrane_node(i)})" for i in range(params.inputs)]
        self._vectors += [f"v({input_spike_node(i)})" for i in range(params.inputs)]
        self._vectors += [f"v({output_spike_node(j)})" for j in range(params.neurons)]
        self.timeout = timeout
        # the load (and a reload after a timeout) gets at least the default bound; each
        # transient gets ``timeout``
        self._session: Session | None = Session(self.circuit, timeout=max(timeout, _TIMEOUT))

    @property
    def session(self) -> Session:
        """The loaded circuit."""
        if self._session is None:
            raise LearnError("spice engine: closed")
        return self._session

    def present(
        self, sample: FloatArray, weights: FloatArray, thresholds: FloatArray
    ) -> PresentationResult:
        """One transient of ``params.presentation`` s; see ``snn_network.Engine``."""
        params = self.params
        supplies = params.supplies(sample)
        w = params.check_weights(weights)
        theta = params.check_thresholds(thresholds)
        started = time.perf_counter()
        self._write(self._changes(supplies, w, theta))
        wrote = time.perf_counter()
        try:
            waves: Waveforms | None = self._transient(params.max_step, self.timeout)
        except _STUCK as stuck:
            if self.retry_step is None:
                raise
            waves = self._retry(stuck)
        simulated = time.perf_counter()
        if waves is None:
            result = PresentationResult.failed(
                params.inputs, params.neurons, params.presentation, self.failures[-1]
            )
        else:
            result = measure(params, waves, supplies, w)
        done = time.perf_counter()
        t = self.timings
        t.write += wrote - started
        t.simulate += simulated - wrote
        t.measure += done - simulated
        t.presentations += 1
        t.points += 0 if waves is None or waves.axis is None else int(waves.axis.size)
        t.per_presentation.append(done - started)
        return result

    def _transient(self, step: float, timeout: float) -> Waveforms:
        return self.session.tran(
            step,
            self.params.presentation,
            max_step=step,
            vectors=self._vectors,
            timeout=timeout,
        )

    def _retry(self, stuck: Exception) -> Waveforms | None:
        """The transient again at ``retry_step`` times the step; None (and a line in
        ``failures``) if it fails again."""
        assert self.retry_step is not None
        step = self.params.max_step * self.retry_step
        self.timings.retried += 1
        if not isinstance(stuck, ConvergenceError):  # the worker was stopped: reload it
            self.session.restart()
        try:
            return self._transient(step, self.retry_timeout)
        except _STUCK as again:
            if not isinstance(again, ConvergenceError):
                self.session.restart()  # so the next presentation finds the circuit loaded
            self.timings.failed += 1
            first, second = (_first_line(e) for e in (stuck, again))
            self.failures.append(
                f"presentation {self.timings.presentations}: at a {self.params.max_step:g} s "
                f"step: {first}; at {step:g} s: {second}"
            )
            return None

    def _changes(self, supplies: FloatArray, w: FloatArray, theta: FloatArray) -> dict[str, float]:
        params = self.params
        changes = {
            _pixel_source(i): float(supplies[i] - params.input_bias) for i in range(params.inputs)
        }
        changes |= {
            _threshold_source(j): float(theta[j] / params.output_neuron.resistance)
            for j in range(params.neurons)
        }
        if self._memristor:
            changes |= {
                weight_name(i, j): float(w[i, j])
                for i in range(params.inputs)
                for j in range(params.neurons)
            }
        else:
            conductance = params.conductances(w)
            changes |= {
                _resistor(i, j): float(1.0 / conductance[i, j])
                for i in range(params.inputs)
                for j in range(params.neurons)
            }
        # only what differs from the loaded circuit: a memristor state costs a `reset`
        return {k: v for k, v in changes.items() if self._written.get(k) != v}

    def _write(self, changes: Mapping[str, float]) -> None:
        if not changes:
            return
        session = self.session
        bulk = getattr(session, "alter_many", None)
        if bulk is not None:  # one round trip and one `reset` for all the states
            bulk(dict(changes))
        else:
            for name, value in changes.items():
                session.alter(name, value)
        self._written.update(changes)

    def close(self) -> None:
        """Stop the ngspice worker."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> SpiceEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _first_line(error: Exception) -> str:
    """An ngspice error as one line: its kind and ngspice's first line."""
    message = getattr(error, "message", str(error)).strip().splitlines()
    return f"{getattr(error, 'kind', type(error).__name__)} ({message[0] if message else ''})"


def measure(
    params: SpikingNetworkParams, waves: Waveforms, supplies: FloatArray, weights: FloatArray
) -> PresentationResult:
    """Spike times, input membranes at each output spike, and energy from one transient."""
    t = waves.axis
    if t is None:
        raise LearnError("spice engine: the transient returned no time axis")
    level = params.spike_level
    membranes = np.stack([waves.v(input_membrane_node(i)) for i in range(params.inputs)])
    rows = np.stack([waves.v(input_spike_node(i)) for i in range(params.inputs)])
    output_spikes = tuple(
        crossings(t, waves.v(output_spike_node(j)), level, "rise") for j in range(params.neurons)
    )
    input_spikes = tuple(crossings(t, rows[i], level, "rise") for i in range(params.inputs))
    pre_voltages = tuple(
        np.stack([np.interp(times, t, membranes[i]) for i in range(params.inputs)], axis=1)
        if times.size
        else np.zeros((0, params.inputs))
        for times in output_spikes
    )
    # supplies: V_dd (V_dd - V_m) / R_L through each input's load; synapses: G V_row^2 into
    # the virtual-ground columns (the ramp of the first 10 ns is included exactly)
    drive = params.input_bias + np.outer(supplies - params.input_bias, np.minimum(t / RAMP, 1.0))
    supply_power = drive * (drive - membranes) / params.input_neuron.resistance
    synapse_power = params.conductances(weights).sum(axis=1)[:, None] * rows**2
    energy = float(np.trapezoid(supply_power.sum(axis=0) + synapse_power.sum(axis=0), t))
    return PresentationResult(
        output_spikes, input_spikes, pre_voltages, energy, float(params.presentation)
    )
