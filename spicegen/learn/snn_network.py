"""The spiking network as data, what one presentation of a sample yields, and the engine shape.

One description serves every engine: ``SpikingNetworkParams`` says what the circuit is (input
neurons, a crossbar of synapses, output neurons with lateral inhibition and adaptive
thresholds, the timing), in the units of the circuit (V, ohm, F, S, s). An engine turns it
into spikes: ``engine="spice"`` (``snn_spice.SpiceEngine``) simulates the netlist in ngspice;
a fast engine reproduces it from characterisations of the same devices. Both answer
``present(sample, weights, thresholds) -> PresentationResult``, so the training loop in
``snn.py`` never knows which one it drives.

The circuit (physics.md 2.3 and 3.2):

- **input neuron** ``i``: a relaxation-oscillator neuron (``circuits.oscillator_neuron``: load
  ``input_neuron.resistance`` from its supply, membrane capacitor ``input_neuron.c``, the
  threshold device in parallel) whose supply is ``input_bias + input_gain * x_i`` for pixel
  intensity ``x_i`` in [0, 1]. At ``x_i = 0`` the supply is below the firing onset, so the
  membrane rests just under the threshold: a silent input reads as "about to fire" (VDSP
  depression), one that has just fired sits at its reset (potentiation), as the LIF inputs of
  the VDSP paper do.
- **synapse** ``(i, j)``: a two-terminal device from input ``i``'s spike output (row ``i``,
  ``input_neuron.readout * I_device``, a few hundred mV during a spike, below the device's
  programming thresholds) to column ``j``, held at 0 V by an ammeter; conductance
  ``g_min + w (g_max - g_min)`` for weight ``w`` in [0, 1]. ``synapse_model="rram_hfo2"`` is
  the compiled HfO2 memristor (state ``x = w``, its window ``gmin..gmax`` set to
  ``g_min..g_max``, its device-to-device spread drawn per cell); ``"resistor"`` an ideal
  conductance.
- **output neuron** ``j``: a leaky integrate-and-fire neuron (``circuits.lif_neuron``: leak
  ``output_neuron.resistance``, membrane ``output_neuron.c``) fed ``synapse_gain`` times column
  ``j``'s current (a current mirror) through a first-order synaptic filter of time constant
  ``synapse_tau`` (the synapse filter of the VDSP paper's network: without it an output would
  cross its threshold while the input that drives it is still discharging, and read that
  input half-way through its reset), minus ``thresholds[j] / output_neuron.resistance``: in
  the sub-threshold RC integrator that current raises the firing threshold by
  ``thresholds[j]`` volts (the adaptive threshold, homeostasis).
- **lateral inhibition**: every other output's membrane is shunted to ground by a
  conductance of ``inhibition`` (S/V) times output ``j``'s spike output voltage above half
  ``spike_level``, so a spike of ``j`` (~0.25 V for ~70 ns) discharges the others to 0 V
  within ~10 ns: winner-take-all, as the clamp of the authors' reference code. A shunt
  rather than a switch keeps the circuit continuous: two outputs that spike together damp
  each other smoothly, where hysteretic switches would chatter and stall the time step.

Every presentation starts from rest (inputs at their intensity-0 resting point, outputs at
0 V) and lasts ``presentation`` seconds. Thresholds are held during a presentation; the
training loop raises them by ``adaptation_increment`` per spike and lets them decay with
``adaptation_tau`` between presentations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.learn.errors import LearnError

__all__ = [
    "MNIST_SYNAPSE_GAIN_784",
    "NEURON_MODELS",
    "SYNAPSE_MODELS",
    "Engine",
    "NeuronCircuit",
    "PresentationResult",
    "SpikingNetworkParams",
]

FloatArray = NDArray[np.float64]
NeuronModel = Literal["threshold_switch", "nbox"]
SynapseModel = Literal["rram_hfo2", "resistor"]
NEURON_MODELS: tuple[str, ...] = ("threshold_switch", "nbox")
SYNAPSE_MODELS: tuple[str, ...] = ("rram_hfo2", "resistor")
DeviceParams = tuple[tuple[str, float], ...]
# The crossbar's gain (A/A) for MNIST digits at 784 inputs. ``synapse_gain``'s default, 60, is
# set for the 16 inputs of the 4 x 4 bars, which light 4 pixels; a digit lights about 150
# (103 units of ink), so the same gain would drive every output at once. Chosen on validation
# images of the training part (docs/learn.md); scaled by 784 / inputs for downsampled digits.
MNIST_SYNAPSE_GAIN_784 = 3.0


def _positive(value: object, where: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise LearnError(f"{where}: expected a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise LearnError(f"{where}: expected a finite number {bound}, not {value!r}")
    return number


def _finite(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise LearnError(f"{where}: expected a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise LearnError(f"{where}: expected a finite number, not {value!r}")
    return number


def _count(value: object, where: str) -> int:
    if type(value) is not int or value < 1:
        raise LearnError(f"{where}: expected an integer >= 1, not {value!r}")
    return value


def _device_params(values: object, where: str) -> DeviceParams:
    """Instance parameters as sorted ``(name, value)`` pairs (hashable, order-independent)."""
    if isinstance(values, tuple):
        values = dict(values)
    if not isinstance(values, Mapping):
        raise LearnError(f"{where}: expected a mapping of parameter names to numbers")
    return tuple(
        (str(name), _finite(value, f"{where}[{name!r}]")) for name, value in sorted(values.items())
    )


@dataclass(frozen=True, slots=True)
class NeuronCircuit:
    """One threshold-switch neuron: membrane ``c`` (F), ``resistance`` (ohm: an input
    neuron's load from its supply, an output neuron's leak to ground), ``readout`` (ohm: the
    spike output is ``readout`` times the device current), ``device_params`` of the neuron
    model (stored as sorted pairs)."""

    resistance: float
    c: float
    readout: float = 60.0
    device_params: DeviceParams | Mapping[str, float] = ()

    def __post_init__(self) -> None:
        setter = object.__setattr__
        for name in ("resistance", "c", "readout"):
            setter(self, name, _positive(getattr(self, name), f"NeuronCircuit.{name}"))
        setter(
            self,
            "device_params",
            _device_params(self.device_params, "NeuronCircuit.device_params"),
        )


# The threshold_switch's cycle-to-cycle jitter is off in the network (vth_sigma = 0); a jitter
# level held longer than any presentation removes the breakpoint its noise source would set
# every 100 ns, which otherwise costs steps and shifts spike times by ~5 %.
_QUIET = (("tjitter", 1.0),)


@dataclass(frozen=True, slots=True)
class SpikingNetworkParams:
    """A single-layer spiking network of NbOx neurons and memristive synapses (SI units).

    Sizes: ``inputs`` input neurons (pixels), ``neurons`` output neurons. Devices:
    ``neuron_model`` (a shipped model name) for every neuron, ``synapse_model`` with fixed
    instance parameters ``synapse_params`` and the weight mapping ``g_min..g_max`` (S).
    Circuit: ``input_neuron``, ``output_neuron``, ``input_bias`` (V, supply at intensity 0),
    ``input_gain`` (V per unit intensity), ``synapse_gain`` (A/A, column current into the
    output membrane), ``synapse_tau`` (s, its filter), ``inhibition`` (S/V, the shunt per
    volt of spike output; 0: none), ``spike_level`` (V on a spike output: what counts as a
    spike).
    Learning: ``adaptation_increment`` (V of threshold per output spike), ``adaptation_tau``
    (s), ``v_reset``/``v_threshold`` (V: the input membrane values that read as -1 and +1 in
    the VDSP rule's LIF units). Timing: ``presentation`` (s per sample), ``max_step`` (s, the
    simulation's largest time step; 2 ns, about 40 points per 80 ns input spike). ``seed``:
    the circuit seed of the devices' own draws.
    """

    inputs: int = 16
    neurons: int = 4
    image_shape: tuple[int, int] | None = None
    neuron_model: NeuronModel = "threshold_switch"
    input_neuron: NeuronCircuit = field(
        default_factory=lambda: NeuronCircuit(5e3, 1e-9, 60.0, _QUIET)
    )
    output_neuron: NeuronCircuit = field(
        default_factory=lambda: NeuronCircuit(10e3, 1e-9, 60.0, _QUIET)
    )
    input_bias: float = 1.05
    input_gain: float = 0.9
    synapse_model: SynapseModel = "rram_hfo2"
    synapse_params: DeviceParams | Mapping[str, float] = (("sigma_c2c", 0.0), ("tnoise", 1.0))
    g_min: float = 5e-6
    g_max: float = 100e-6
    synapse_gain: float = 60.0
    synapse_tau: float = 200e-9
    inhibition: float = 0.4
    spike_level: float = 0.1
    adaptation_increment: float = 0.02
    adaptation_tau: float = 200e-6
    v_reset: float = 0.7
    v_threshold: float = 1.0
    presentation: float = 20e-6
    # 2 ns: the coarsest largest step whose spike trains match ngspice at 1 ns as well as
    # any step tried (20, 10, 5 ns match worse: docs/learn.md, the SPICE engine's step)
    max_step: float = 2e-9
    seed: int = 0

    def __post_init__(self) -> None:
        cls = "SpikingNetworkParams"
        setter = object.__setattr__
        _count(self.inputs, f"{cls}.inputs")
        _count(self.neurons, f"{cls}.neurons")
        if self.image_shape is not None:
            shape = tuple(self.image_shape)
            if len(shape) != 2 or any(type(n) is not int or n < 1 for n in shape):
                raise LearnError(f"{cls}.image_shape: expected (rows, columns), not {shape!r}")
            if shape[0] * shape[1] != self.inputs:
                raise LearnError(
                    f"{cls}.image_shape: {shape[0]}x{shape[1]} images have "
                    f"{shape[0] * shape[1]} pixels, but the network has {self.inputs} inputs"
                )
            setter(self, "image_shape", shape)
        if self.neuron_model not in NEURON_MODELS:
            raise LearnError(
                f"{cls}.neuron_model: expected one of {', '.join(NEURON_MODELS)}, "
                f"not {self.neuron_model!r}"
            )
        if self.synapse_model not in SYNAPSE_MODELS:
            raise LearnError(
                f"{cls}.synapse_model: expected one of {', '.join(SYNAPSE_MODELS)}, "
                f"not {self.synapse_model!r}"
            )
        for name in ("input_neuron", "output_neuron"):
            if not isinstance(getattr(self, name), NeuronCircuit):
                raise LearnError(f"{cls}.{name}: expected a NeuronCircuit")
        setter(self, "synapse_params", _device_params(self.synapse_params, f"{cls}.synapse_params"))
        for name in ("input_bias", "input_gain", "v_reset", "v_threshold"):
            setter(self, name, _finite(getattr(self, name), f"{cls}.{name}"))
        for name in (
            "g_min",
            "g_max",
            "synapse_gain",
            "synapse_tau",
            "spike_level",
            "adaptation_tau",
            "presentation",
            "max_step",
        ):
            setter(self, name, _positive(getattr(self, name), f"{cls}.{name}"))
        increment = _positive(
            self.adaptation_increment, f"{cls}.adaptation_increment", allow_zero=True
        )
        setter(self, "adaptation_increment", increment)
        setter(self, "inhibition", _positive(self.inhibition, f"{cls}.inhibition", allow_zero=True))
        if self.g_max <= self.g_min:
            raise LearnError(
                f"{cls}.g_max: expected g_max > g_min, not {self.g_max} <= {self.g_min}"
            )
        if self.v_threshold <= self.v_reset:
            raise LearnError(
                f"{cls}.v_threshold: expected v_threshold > v_reset, not "
                f"{self.v_threshold} <= {self.v_reset}"
            )
        if self.max_step >= self.presentation:
            raise LearnError(f"{cls}.max_step: expected less than the presentation time")
        if type(self.seed) is not int or self.seed < 0:
            raise LearnError(f"{cls}.seed: expected an integer >= 0, not {self.seed!r}")

    @property
    def weight_shape(self) -> tuple[int, int]:
        """(inputs, neurons): row ``i`` holds input ``i``'s synapses onto every output."""
        return (self.inputs, self.neurons)

    def conductances(self, weights: ArrayLike) -> FloatArray:
        """Each synapse's conductance (S) for weights in [0, 1], shape ``weight_shape``."""
        w = self.check_weights(weights)
        return self.g_min + w * (self.g_max - self.g_min)

    def supplies(self, sample: ArrayLike) -> FloatArray:
        """Each input neuron's supply voltage (V) for pixel intensities in [0, 1]."""
        x = self.check_sample(sample)
        return self.input_bias + self.input_gain * x

    def lif_units(self, v: ArrayLike) -> FloatArray:
        """Input membrane voltages (V) in VDSP's LIF units (``v_reset`` -1, ``v_threshold`` +1)."""
        volts = np.asarray(v, dtype=np.float64)
        return -1.0 + 2.0 * (volts - self.v_reset) / (self.v_threshold - self.v_reset)

    def adapt(self, thresholds: ArrayLike, counts: ArrayLike) -> FloatArray:
        """Thresholds (V) after one presentation with ``counts`` spikes per output neuron:
        each spike adds ``adaptation_increment``, then all decay over ``presentation``."""
        theta = self.check_thresholds(thresholds)
        spikes = np.asarray(counts, dtype=np.float64)
        if spikes.shape != (self.neurons,):
            raise LearnError(f"counts: expected {self.neurons} values, got shape {spikes.shape}")
        decay = math.exp(-self.presentation / self.adaptation_tau)
        return (theta + self.adaptation_increment * spikes) * decay

    def check_sample(self, sample: ArrayLike) -> FloatArray:
        """The sample as float64 of ``inputs`` intensities in [0, 1], or a ``LearnError``."""
        x = np.asarray(sample, dtype=np.float64)
        if x.ndim != 1 or x.size != self.inputs:
            shape = f"{self.image_shape[0]}x{self.image_shape[1]} " if self.image_shape else ""
            raise LearnError(
                f"sample: the network has {self.inputs} inputs ({shape}pixels), got shape "
                f"{x.shape}; scale the images to the network's size"
            )
        if not np.all(np.isfinite(x)) or x.min() < 0.0 or x.max() > 1.0:
            raise LearnError("sample: pixel intensities must be finite and lie in [0, 1]")
        return x

    def check_weights(self, weights: ArrayLike) -> FloatArray:
        """Weights as float64 of ``weight_shape`` in [0, 1], or a ``LearnError``."""
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != self.weight_shape:
            raise LearnError(f"weights: expected shape {self.weight_shape}, got {w.shape}")
        if not np.all(np.isfinite(w)) or w.min() < 0.0 or w.max() > 1.0:
            raise LearnError("weights must be finite and lie in [0, 1]")
        return w

    def check_thresholds(self, thresholds: ArrayLike) -> FloatArray:
        """Threshold offsets (V, >= 0) of the ``neurons`` outputs, or a ``LearnError``."""
        theta = np.asarray(thresholds, dtype=np.float64)
        if theta.shape != (self.neurons,):
            raise LearnError(f"thresholds: expected {self.neurons} values, got shape {theta.shape}")
        if not np.all(np.isfinite(theta)) or theta.min() < 0.0:
            raise LearnError("thresholds must be finite and >= 0 V")
        return theta


@dataclass(frozen=True, slots=True, eq=False)
class PresentationResult:
    """What one presentation of a sample produced (times in s from its start, voltages in V).

    ``output_spikes[j]``: output neuron ``j``'s spike times (ascending); ``input_spikes[i]``:
    input neuron ``i``'s; ``pre_voltages[j]``: shape (spikes of ``j``, inputs), every input
    neuron's membrane voltage at each of ``j``'s spikes (what VDSP reads); ``energy`` (J)
    drawn by the input neurons' supplies and the synapses; ``duration`` (s); ``failure``
    the simulator's message when the presentation could not be simulated (then no spikes).
    """

    output_spikes: tuple[FloatArray, ...]
    input_spikes: tuple[FloatArray, ...]
    pre_voltages: tuple[FloatArray, ...]
    energy: float
    duration: float
    failure: str | None = None

    @classmethod
    def failed(cls, inputs: int, neurons: int, duration: float, message: str) -> PresentationResult:
        """A presentation the simulator could not finish: no spikes, no energy, ``message``."""
        none = np.zeros(0)
        return cls(
            tuple(none for _ in range(neurons)),
            tuple(none for _ in range(inputs)),
            tuple(np.zeros((0, inputs)) for _ in range(neurons)),
            0.0,
            duration,
            message,
        )

    def __post_init__(self) -> None:
        if len(self.pre_voltages) != len(self.output_spikes):
            raise LearnError("PresentationResult: one pre_voltages array per output neuron")
        for times, voltages in zip(self.output_spikes, self.pre_voltages, strict=True):
            if voltages.shape != (times.size, len(self.input_spikes)):
                raise LearnError(
                    "PresentationResult: pre_voltages[j] must be (spikes of j, inputs), got "
                    f"{voltages.shape} for {times.size} spikes and {len(self.input_spikes)} inputs"
                )

    @property
    def counts(self) -> NDArray[np.int64]:
        """Spikes per output neuron."""
        return np.array([t.size for t in self.output_spikes], dtype=np.int64)

    @property
    def input_counts(self) -> NDArray[np.int64]:
        """Spikes per input neuron."""
        return np.array([t.size for t in self.input_spikes], dtype=np.int64)


class Engine(Protocol):
    """What the training loop drives: ``params`` and one presentation at a time."""

    name: str
    params: SpikingNetworkParams

    def present(
        self, sample: FloatArray, weights: FloatArray, thresholds: FloatArray
    ) -> PresentationResult:
        """Present ``sample`` (intensities in [0, 1]) with ``weights`` (``weight_shape``, in
        [0, 1]) and threshold offsets (V per output neuron); nothing learns here."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a simulator process, ...)."""
        ...
