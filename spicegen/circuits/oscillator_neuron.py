"""Threshold-switch (NbOx) oscillator neurons: tonic spiking, leaky integrate-and-fire, WTA.

The Pearson-Anson relaxation oscillator of physics.md 2.3: a supply ``vdd`` charges the
membrane node through a load resistor ``r_load``; the membrane capacitor ``c`` and a compiled
threshold-switching device (``models.load("threshold_switch")`` or ``"nbox"``) sit in parallel
from the membrane to ``gnd``. The device discharges the capacitor when the membrane passes its
threshold and lets go below its hold voltage, so the neuron spikes at a rate that rises with
its input.

``device`` is a ``CompiledDevice`` (or a bare ``CompiledModel``): its ``params`` are the
device's instance parameters (e.g. ``{"vth": 1.0, "vhold": 0.7}``) and its seed gives the
device its own draws (a threshold's device-to-device spread). The neuron subcircuit declares
the device's draws as its own parameters (defaults: the draws of instance ``Xdev``), so every
neuron of a ``population`` is its own device: neuron ``i`` passes the draws of
``Xn{i}.Xdev``.

``oscillator_neuron(device, params) -> Subckt``, ports ``(vdd, in, out, gnd)``:

- ``vdd``: the supply (the voltage input of a rate-coded neuron) through ``r_load``;
- ``in``: the membrane node itself; any current into it (a synapse, a current source) is
  synaptic input; ``params.input_current`` (A) adds a DC current source into it;
- ``out``: the spike output, ``readout`` ohm times the device current (a CCVS on a 0 V ammeter
  in series with the device): ``readout * V/ron`` during a spike, ``readout * V/roff`` between.

``lif_neuron(device, params) -> Subckt``, ports ``(in, out, gnd)``: the same with the load
resistor tied to ``gnd`` as a leak, driven by current into ``in``: below threshold the
membrane is the RC integrator ``V = I R (1 - exp(-t/(R C)))`` with ``R = r_leak || roff``.

``population(device, params) -> Subckt``, ports ``(vdd0.., out0.., gnd)``: ``size`` oscillator
neurons, one supply each, with lateral inhibition: neuron ``j``'s spike output draws
``inhibition * V(out_j)`` amperes out of every other neuron's membrane (a VCCS), so each spike
of one neuron removes charge from the others (winner-take-all). Inner nodes: neuron ``i`` is
instance ``Xn{i}`` with membrane ``m{i}``.

Elements of a neuron: ``RL`` (load), ``C1`` (membrane), ``Vsense`` (ammeter), ``Xdev`` (the
device), ``Hout`` (readout), ``Iin`` (input current, when nonzero). Times in s, SI units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from spicegen.circuits._checks import check_finite, check_name, check_positive
from spicegen.circuits.devices import CompiledDevice, as_device, device_instance, device_variates
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import (
    Capacitor,
    Ccvs,
    CurrentSource,
    Element,
    Resistor,
    Subckt,
    SubcktInstance,
    Vccs,
    VoltageSource,
)
from spicegen.netlist.validate import Value

__all__ = [
    "LifParams",
    "OscillatorNeuronParams",
    "PopulationParams",
    "lif_neuron",
    "oscillator_neuron",
    "oscillator_period",
    "population",
]


@dataclass(frozen=True, slots=True)
class OscillatorNeuronParams:
    """A relaxation-oscillator neuron (SI units).

    ``r_load`` ohm from ``vdd`` to the membrane, ``c`` F from the membrane to ``gnd``,
    ``input_current`` A injected into the membrane (0: none), ``readout`` ohm (spike output
    ``readout * I_device``), ``name`` the subckt. The device's parameters and seed belong to
    the device (``CompiledDevice``).
    """

    r_load: float = 5e3
    c: float = 1e-9
    input_current: float = 0.0
    readout: float = 200.0
    name: str = "oscillator_neuron"

    def __post_init__(self) -> None:
        _check_neuron(self, "OscillatorNeuronParams", "r_load")


def _check_neuron(params: OscillatorNeuronParams | LifParams, cls: str, resistor: str) -> None:
    """Validate and normalise the fields both neuron kinds share (in place: frozen classes)."""
    setter = object.__setattr__
    setter(params, resistor, check_positive(getattr(params, resistor), f"{cls}.{resistor}"))
    setter(params, "c", check_positive(params.c, f"{cls}.c"))
    setter(params, "input_current", check_finite(params.input_current, f"{cls}.input_current"))
    setter(params, "readout", check_positive(params.readout, f"{cls}.readout"))
    check_name(params.name, f"{cls}.name")


@dataclass(frozen=True, slots=True)
class LifParams:
    """A leaky integrate-and-fire neuron: ``r_leak`` ohm and ``c`` F from the membrane to
    ``gnd``, with the threshold device in parallel; other fields as ``OscillatorNeuronParams``."""

    r_leak: float = 5e3
    c: float = 1e-9
    input_current: float = 0.0
    readout: float = 200.0
    name: str = "lif_neuron"

    def __post_init__(self) -> None:
        _check_neuron(self, "LifParams", "r_leak")


@dataclass(frozen=True, slots=True)
class PopulationParams:
    """``size`` oscillator neurons (each ``neuron``) with lateral inhibition of ``inhibition``
    siemens: neuron ``j`` draws ``inhibition * V(out_j)`` A from every other membrane."""

    size: int = 3
    neuron: OscillatorNeuronParams = field(default_factory=OscillatorNeuronParams)
    inhibition: float = 0.0
    name: str = "population"

    def __post_init__(self) -> None:
        cls = "PopulationParams"
        if type(self.size) is not int or self.size < 1:
            raise CircuitSpecError(f"expected an int >= 1, got {self.size!r}", field=f"{cls}.size")
        if not isinstance(self.neuron, OscillatorNeuronParams):
            raise CircuitSpecError("expected OscillatorNeuronParams", field=f"{cls}.neuron")
        value = check_positive(self.inhibition, f"{cls}.inhibition", allow_zero=True)
        object.__setattr__(self, "inhibition", value)
        check_name(self.name, f"{cls}.name")


def _core(
    device: CompiledDevice, params: OscillatorNeuronParams | LifParams
) -> tuple[list[Element], tuple[tuple[str, Value], ...]]:
    """Membrane capacitor, device behind a 0 V ammeter, spike readout, input current; and the
    subcircuit parameters that carry the device's draws (defaults: instance ``Xdev``'s)."""
    membrane = "in"
    instance = device_instance(device, "Xdev", ("dev", "gnd"), "device")
    draws = {draw.parameter for draw in device.model.draws}
    # the draws become the neuron's own parameters, so each instance of it can pass its own
    passed = tuple((k, "{" + k + "}" if k in draws else v) for k, v in instance.params)
    defaults = tuple((k, v) for k, v in instance.params if k in draws)
    elements: list[Element] = [
        Capacitor("C1", membrane, "gnd", params.c),
        VoltageSource("Vsense", membrane, "dev", dc=0.0),
        SubcktInstance(instance.name, instance.nodes, instance.subckt, passed),
        Ccvs("Hout", "out", "gnd", "Vsense", params.readout),
    ]
    if params.input_current != 0.0:
        elements.append(CurrentSource("Iin", "gnd", membrane, dc=params.input_current))
    return elements, defaults


def _params_of(params: object, kind: type) -> None:
    if not isinstance(params, kind):
        raise CircuitSpecError(f"expected {kind.__name__}, got {params!r}", field="params")


def _neuron(
    device: object,
    params: OscillatorNeuronParams | LifParams,
    resistor: Resistor,
    ports: tuple[str, ...],
) -> Subckt:
    compiled = as_device(device, "device")
    elements, draws = _core(compiled, params)
    return Subckt(
        params.name,
        ports,
        params=draws,
        elements=(resistor, *elements),
        subckts=(compiled.model.subckt,),
    )


def oscillator_neuron(
    device: CompiledDevice | object, params: OscillatorNeuronParams | None = None
) -> Subckt:
    """The relaxation-oscillator neuron as a ``Subckt``, ports ``(vdd, in, out, gnd)``."""
    params = OscillatorNeuronParams() if params is None else params
    _params_of(params, OscillatorNeuronParams)
    load = Resistor("RL", "vdd", "in", params.r_load)
    return _neuron(device, params, load, ("vdd", "in", "out", "gnd"))


def lif_neuron(device: CompiledDevice | object, params: LifParams | None = None) -> Subckt:
    """The leaky integrate-and-fire neuron as a ``Subckt``, ports ``(in, out, gnd)``."""
    params = LifParams() if params is None else params
    _params_of(params, LifParams)
    leak = Resistor("Rleak", "in", "gnd", params.r_leak)
    return _neuron(device, params, leak, ("in", "out", "gnd"))


def population(device: CompiledDevice | object, params: PopulationParams | None = None) -> Subckt:
    """``size`` oscillator neurons with lateral inhibition, ports ``(vdd0.., out0.., gnd)``;
    neuron ``i`` (instance ``Xn{i}``) is its own device, with the draws of ``Xn{i}.Xdev``."""
    params = PopulationParams() if params is None else params
    _params_of(params, PopulationParams)
    compiled = as_device(device, "device")
    neuron = oscillator_neuron(compiled, params.neuron)
    n = params.size
    draws = device_variates(compiled, [f"Xn{i}.Xdev" for i in range(n)])
    elements: list[Element] = [
        SubcktInstance(
            f"Xn{i}", (f"vdd{i}", f"m{i}", f"out{i}", "gnd"), neuron.name, tuple(draws[i].items())
        )
        for i in range(n)
    ]
    if params.inhibition > 0:
        elements += [
            Vccs(f"Ginh{i}_{j}", f"m{i}", "gnd", f"out{j}", "gnd", params.inhibition)
            for i in range(n)
            for j in range(n)
            if i != j
        ]
    ports = tuple(f"vdd{i}" for i in range(n)) + tuple(f"out{i}" for i in range(n)) + ("gnd",)
    return Subckt(params.name, ports, elements=tuple(elements), subckts=(neuron,))


def oscillator_period(
    v_in: float,
    r_load: float,
    c: float,
    *,
    roff: float = 50e3,
    ron: float = 200.0,
    vth: float = 1.0,
    vhold: float = 0.7,
) -> tuple[float, float, float]:
    """``(t_ch, t_dis, T)`` (s) of the ideal piecewise switch, physics.md 2.3.

    ``v_in`` is the supply (for a current input ``I`` into a neuron with ``vdd`` grounded,
    the Norton equivalent ``v_in = I * r_load``). Raises ``CircuitSpecError`` outside the
    oscillation conditions (``v_in roff/(roff+r_load) > vth``, ``v_in ron/(ron+r_load) < vhold``).
    """
    v_in = check_positive(v_in, "v_in")
    r_load, c = check_positive(r_load, "r_load"), check_positive(c, "c")
    roff, ron = check_positive(roff, "roff"), check_positive(ron, "ron")
    vth, vhold = check_positive(vth, "vth"), check_positive(vhold, "vhold")
    if vhold >= vth:
        raise CircuitSpecError(f"expected vhold < vth, got {vhold!r} >= {vth!r}", field="vhold")
    v_inf = v_in * roff / (roff + r_load)
    v_inf_on = v_in * ron / (ron + r_load)
    if not v_inf > vth:
        raise CircuitSpecError("below threshold: the membrane never reaches vth", field="v_in")
    if not v_inf_on < vhold:
        raise CircuitSpecError("the ON state latches: no oscillation", field="v_in")
    tau_ch = c * r_load * roff / (r_load + roff)
    t_ch = tau_ch * math.log((v_inf - vhold) / (v_inf - vth))
    tau_dis = c * r_load * ron / (r_load + ron)
    t_dis = tau_dis * math.log((vth - v_inf_on) / (vhold - v_inf_on))
    return t_ch, t_dis, t_ch + t_dis
