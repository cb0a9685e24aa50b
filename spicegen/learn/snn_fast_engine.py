"""The fast engine, and the ngspice transient of its circuit, as training-loop engines.

``snn.train`` drives any ``snn_network.Engine``: ``params`` (a ``SpikingNetworkParams``) and
``present(sample, weights, thresholds) -> PresentationResult``. ``FastSpikingEngine`` wraps
``snn_fast.FastEngine`` (``engine="fast"``); ``circuit_spice_engine`` gives the same wrapper
around ``snn_circuit.spice_presentation`` (one ngspice transient per sample of the very
circuit the fast engine was characterised from), so one epoch can be trained with each and
the learned weights compared.

The physical network is the ``FastNetwork`` (or ``SpikingCircuit``); of ``params`` the loop
uses the sizes, the input membrane's reset and threshold (``v_reset``/``v_threshold``: VDSP's
LIF units, here the characterised input neuron's own), the threshold adaptation and the
presentation time. ``training_params`` makes it from the network so the two always agree.

Energy per presentation (J): the input current sources' ``I * integral(v dt)``, exact from
the closed form (``C dv/dt = I - g_leak v - i_device`` gives ``integral(v dt) = (I T -
C (v(T) - v(0)) - Q_device) / g_leak``), plus the synapses' ``G V_p^2 h(V_p)`` over each row's
pulse time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import TracebackType

import numpy as np
from numpy.typing import ArrayLike

from spicegen.circuits import LifParams
from spicegen.learn.snn_circuit import SpikingCircuit, fast_network, spice_presentation
from spicegen.learn.snn_fast import FastEngine, FastNetwork, FastPresentation
from spicegen.learn.snn_network import FloatArray, PresentationResult, SpikingNetworkParams
from spicegen.surrogate import characterise_neuron
from spicegen.surrogate.oscillator_neuron import dc_response
from spicegen.va import CompiledModel

__all__ = [
    "FastSpikingEngine",
    "as_result",
    "circuit_spice_engine",
    "fast_network_for",
    "presentation_energy",
    "training_params",
]

# The network's circuit values (SI units). Neurons: threshold_switch devices on 1 nF membranes
# (inputs 5 kohm leak, outputs 11 kohm), characterised at the fit currents of
# ``SpikingCircuit``. Inputs: just below the firing onset at intensity 0 (0.994 x the
# rheobase: silent, resting near the threshold) to 1.074 x at intensity 1. Crossbar: 0.1 V row
# pulses, column gain 40 A/A at 784 inputs (scaled by 784 / inputs, so a network of any size
# sees the same drive per unit of ink), 50 mA inhibition. 52.5 us per presentation in 150 ns
# steps: about 10 output spikes to the most active neuron per sample.
_INPUT = LifParams(r_leak=5e3, c=1e-9)
_OUTPUT = LifParams(r_leak=11e3, c=1e-9)
_DURATION, _DT = 52.5e-6, 0.15e-6
_COLUMN_GAIN_784 = 40.0
_INHIBITION = 50e-3
# Homeostasis (Diehl & Cook 2015): a neuron's threshold rises 5 mV per output spike and
# decays over 50 ms, about 950 presentations, so it carries the neuron's wins over hundreds
# of images. Its scale is set by how the outputs fire: the inputs all start at rest, so the
# first volley of the brightest pixels lifts a membrane by about a volt within one 150 ns
# step, and winning is decided by who overshoots most at that volley. A neuron that wins
# its share (1 % of images, a few spikes each) holds about 0.15 V, comparable to that
# overshoot, so frequent winners are handicapped enough for the others to win their
# digits. The earlier 20 mV per spike decaying over 200 us (four presentations) was gone
# before a neuron could win again among 100: on MNIST-5k a third of the neurons then lost
# every image. Chosen on validation images of the training part (docs/learn.md).
_ADAPTATION_INCREMENT = 5e-3
_ADAPTATION_TAU = 50e-3


def fast_network_for(
    neuron: CompiledModel,
    synapse: CompiledModel | None,
    inputs: int,
    neurons: int,
    *,
    duration: float = _DURATION,
    use_cache: bool = True,
) -> FastNetwork:
    """The fast engine's ``inputs`` x ``neurons`` network: ``neuron`` devices (the
    ``threshold_switch`` model) and ``synapse`` memristors (``rram_hfo2``; one characterised
    cell for all: its conductance over its state) or, with ``None``, ideal conductances
    5 uS..100 uS; see above."""
    circuit = SpikingCircuit(
        neuron, synapse if synapse is not None else neuron, 1, 1, input=_INPUT, output=_OUTPUT,
        input_bias=0.0, input_gain=0.0, duration=duration, dt=_DT, pulse_voltage=0.1,
        synapse_params={"sigma_c2c": 0.0},
    )  # fmt: skip
    if synapse is not None:
        one = fast_network(circuit, use_cache=use_cache)
    else:
        # the neurons alone, characterised as fast_network characterises them
        fit = {"duration": circuit.fit_duration, "max_step": circuit.max_step}
        one = FastNetwork(
            input_neuron=characterise_neuron(
                neuron, _INPUT, circuit.input_fit_currents, use_cache=use_cache, **fit
            ),
            output_neuron=characterise_neuron(
                neuron, _OUTPUT, circuit.output_fit_currents, use_cache=use_cache, **fit
            ),
            inputs=1, outputs=1, input_bias=0.0, input_gain=0.0, duration=duration, dt=_DT,
        )  # fmt: skip
    rheobase = one.input_neuron.rheobase
    return replace(
        one,
        inputs=inputs,
        outputs=neurons,
        input_bias=0.994 * rheobase,
        input_gain=0.08 * rheobase,
        column_gain=_COLUMN_GAIN_784 * 784 / inputs,
        inhibition=_INHIBITION,
        g_min=5e-6,
        g_max=100e-6,
    )


def training_params(
    network: FastNetwork,
    *,
    image_shape: tuple[int, int] | None = None,
    adaptation_increment: float = _ADAPTATION_INCREMENT,
    adaptation_tau: float = _ADAPTATION_TAU,
) -> SpikingNetworkParams:
    """The training loop's view of ``network``: its sizes, its input neuron's reset and
    threshold (V), its presentation time (s), and the threshold adaptation (V per output
    spike, decay time s; see ``_ADAPTATION_INCREMENT``)."""
    return SpikingNetworkParams(
        inputs=network.inputs,
        neurons=network.outputs,
        image_shape=image_shape,
        v_reset=network.input_neuron.v_reset,
        v_threshold=network.input_neuron.v_threshold,
        presentation=network.duration,
        max_step=network.dt,
        adaptation_increment=adaptation_increment,
        adaptation_tau=adaptation_tau,
    )


def presentation_energy(
    engine: FastEngine,
    sample: ArrayLike,
    weights: ArrayLike,
    *,
    conductance: FloatArray | None = None,
) -> float:
    """Energy (J) drawn by the input sources and the crossbar over one presentation
    (``conductance``: the crossbar's, S, if already computed from ``weights``)."""
    net = engine.network
    neuron = net.input_neuron
    currents = engine.input_currents(sample)
    starts = engine.start_voltages(sample)
    end = dc_response(neuron, currents, np.array([net.duration]), starts)
    # the charge balance: I T = C (v_end - v_start) + device charge + g_leak * integral of v
    v_integral = (
        currents * net.duration - neuron.c * (end.v[0] - starts) - end.charge[0]
    ) / neuron.g_leak
    pulse = end.on_time[0] + neuron.pulse_extension * end.count[0]
    shape = 1.0 if net.synapse is None else float(net.synapse.shape_at(net.pulse_voltage))
    g = engine.conductances(weights) if conductance is None else conductance
    crossbar = net.pulse_voltage**2 * shape * float(pulse @ g.sum(1))
    return float(currents @ v_integral) + crossbar


def as_result(presentation: FastPresentation, energy: float) -> PresentationResult:
    """A ``FastPresentation`` in the training loop's terms (spikes and membranes per neuron)."""
    outputs = presentation.counts.size
    by_neuron = [presentation.spike_neurons == j for j in range(outputs)]
    return PresentationResult(
        output_spikes=tuple(np.asarray(presentation.spike_times[m]) for m in by_neuron),
        input_spikes=presentation.all_input_spike_times(),
        pre_voltages=tuple(np.asarray(presentation.v_pre[m]) for m in by_neuron),
        energy=energy,
        duration=presentation.duration,
    )


@dataclass(slots=True)
class FastSpikingEngine:
    """``engine="fast"``: ``FastEngine`` of ``network`` behind the training loop's ``Engine``;
    with a ``reference`` circuit (``circuit_spice_engine``), every presentation is instead one
    ngspice transient of that circuit, the one ``network`` was characterised from."""

    network: FastNetwork
    params: SpikingNetworkParams
    reference: SpikingCircuit | None = None
    name: str = field(init=False)
    _engine: FastEngine = field(init=False)
    _last: tuple[FloatArray, FloatArray] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._engine = FastEngine(self.network)
        self.name = "fast" if self.reference is None else "spice-circuit"

    def present(
        self, sample: FloatArray, weights: FloatArray, thresholds: FloatArray
    ) -> PresentationResult:
        """One presentation (nothing learns here)."""
        x = self.params.check_sample(sample)
        w = self.params.check_weights(weights)
        theta = self.params.check_thresholds(thresholds)
        # the last presentation's conductances, recomputed only where the weights changed
        if self._last is None or self._last[0].shape != w.shape:
            g = self._engine.conductances(w)
        else:
            g = self._engine.updated_conductances(w, *self._last)
        self._last = (w.copy(), g)
        if self.reference is None:
            presentation = self._engine.present(x, w, theta, conductance=g)
        else:
            presentation = spice_presentation(self.reference, x, w, theta)
        # the energy from the characterised devices, for both (ngspice's agrees to the spikes)
        return as_result(presentation, presentation_energy(self._engine, x, w, conductance=g))

    def close(self) -> None:
        """Nothing to release (numpy, or one ngspice run per transient)."""

    def __enter__(self) -> FastSpikingEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def circuit_spice_engine(
    circuit: SpikingCircuit, params: SpikingNetworkParams
) -> FastSpikingEngine:
    """The fast engine's own circuit in ngspice, one transient per presentation (the
    reference one epoch of learning is compared with)."""
    return FastSpikingEngine(fast_network(circuit), params, reference=circuit)
