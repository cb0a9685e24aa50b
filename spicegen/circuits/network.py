"""A whole finite-difference network in one netlist: MTJ-neuron layers chained through buffers.

Layer ``l`` is a ``2R`` crossbar (``params.layers[l]``, instance ``Xarray{l}`` of subcircuit
``xbar{l}``) whose columns feed the MTJ neuron pairs of ``network_layer`` (column ammeters,
current mirrors, the two devices of each pair and the difference amplifier), gathered in
subcircuit instance ``Xn{l}``. Its rows are driven by

- layer 0: the input sources ``Vin{i}`` (V, changed in place by co-simulation);
- layer ``l > 0``: buffer ``Ebuf{l}_{i}``, a VCVS ``V = buffer_gain * (V1 - buffer_offset)`` of
  neuron ``i`` of layer ``l - 1`` (``buffer_offset`` is the node ``voff`` held by ``Voff``), which
  maps the activation range onto the read-voltage range of the next crossbar;
- the last row of every layer: the bias row ``Vbias{l}`` at ``bias_voltage``, so that weight row
  ``-1`` is each neuron's bias.

Top-level nodes: ``r{l}_{i}`` (row ``i`` of layer ``l``), ``c{l}_{t}`` (physical column ``t``),
``a{l}_{k}`` (activation ``V1 = f(I)`` of neuron ``k``), ``d{l}_{k}`` (``gain * (V2 - V1)``).
The names co-simulation touches come from the functions below, and only from them.

Device variability is explicit: ``resistances[l][k] = (rp_a, rp_b)`` gives the parallel
resistance (ohm) of both devices of every pair (``None``: the model's ``rp`` for all). All in SI.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from spicegen.circuits._array import CrossbarParams, column_tags, crossbar
from spicegen.circuits._checks import check_finite, check_positive
from spicegen.circuits.devices import CompiledDevice
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.names import neuron_devices
from spicegen.circuits.network_layer import NetworkLayerParams, network_layer
from spicegen.circuits.neuron_pair import NeuronPairParams
from spicegen.netlist import (
    Circuit,
    Element,
    Op,
    Option,
    Subckt,
    SubcktInstance,
    Vcvs,
    VoltageSource,
)
from spicegen.va import CompiledModel

__all__ = [
    "MtjNetworkParams",
    "activation_node",
    "bias_source",
    "buffer_source",
    "derivative_node",
    "input_source",
    "mtj_network",
    "pair_node",
    "weight_resistors",
]

DevicePairs = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class MtjNetworkParams:
    """The physical network: crossbars, neuron operating point, buffers and device draws.

    ``layers``: one ``2R`` ``CrossbarParams`` per layer, rows = inputs + 1 (the last row is the
    bias row), each layer's rows = the previous layer's columns + 1. ``bias_current``,
    ``delta_current`` (A) and ``mirror`` (A/A), ``gain`` (V/V): as ``network_layer``;
    ``mirror`` is one gain for every layer or a tuple of one per layer.
    ``bias_voltage`` (V) drives the bias rows; ``buffer_gain`` (V/V) and ``buffer_offset`` (V)
    map activations onto the next rows. ``resistances``: ``rp`` (ohm) of both devices of every
    pair, per layer; ``device_params``: further instance parameters of every MTJ. ``inputs``:
    the input sources' voltages (V; default all 0 V).
    """

    layers: tuple[CrossbarParams, ...]
    bias_current: float
    delta_current: float
    mirror: float | tuple[float, ...] = 1.0
    gain: float = 10.0
    bias_voltage: float = 0.2
    buffer_gain: float = 1.0
    buffer_offset: float = 0.0
    resistances: tuple[DevicePairs, ...] | None = None
    device_params: tuple[tuple[str, float], ...] = ()
    inputs: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if not layers or not all(isinstance(p, CrossbarParams) for p in layers):
            raise CircuitSpecError("expected one CrossbarParams per layer", field="layers")
        object.__setattr__(self, "layers", layers)
        for index, layer in enumerate(layers):
            if layer.cell != "2R":
                raise CircuitSpecError(
                    f"layer {index}: expected 2R differential cells, got {layer.cell!r}",
                    field="layers",
                )
            if index and layer.rows != layers[index - 1].columns + 1:
                raise CircuitSpecError(
                    f"layer {index} has {layer.rows} rows; the {layers[index - 1].columns} "
                    "neurons before it and the bias row need "
                    f"{layers[index - 1].columns + 1}",
                    field="layers",
                )
        if isinstance(self.mirror, tuple):
            if len(self.mirror) != len(layers):
                raise CircuitSpecError(
                    f"expected one mirror gain per layer ({len(layers)}), got {len(self.mirror)}",
                    field="mirror",
                )
            mirrors = tuple(check_finite(m, f"mirror[{k}]") for k, m in enumerate(self.mirror))
            object.__setattr__(self, "mirror", mirrors)
        else:
            object.__setattr__(self, "mirror", check_finite(self.mirror, "mirror"))
        for name in ("bias_current", "gain", "bias_voltage", "buffer_gain"):
            object.__setattr__(self, name, check_finite(getattr(self, name), name))
        object.__setattr__(self, "buffer_offset", check_finite(self.buffer_offset, "buffer_offset"))
        delta = check_finite(self.delta_current, "delta_current")
        if delta == 0.0:
            raise CircuitSpecError("expected a nonzero current step", field="delta_current")
        if self.resistances is not None:
            object.__setattr__(self, "resistances", _checked_resistances(self))
        if self.inputs is not None:
            inputs = tuple(check_finite(v, f"inputs[{i}]") for i, v in enumerate(self.inputs))
            if len(inputs) != layers[0].rows - 1:
                raise CircuitSpecError(
                    f"expected {layers[0].rows - 1} input voltages, got {len(inputs)}",
                    field="inputs",
                )
            object.__setattr__(self, "inputs", inputs)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Inputs, then the neurons of every layer."""
        return (self.layers[0].rows - 1, *(layer.columns for layer in self.layers))


def _checked_resistances(params: MtjNetworkParams) -> tuple[DevicePairs, ...]:
    given = params.resistances or ()
    if len(given) != len(params.layers):
        raise CircuitSpecError(
            f"expected device resistances for {len(params.layers)} layers, got {len(given)}",
            field="resistances",
        )
    result = []
    for index, (layer, pairs) in enumerate(zip(params.layers, given, strict=True)):
        if len(pairs) != layer.columns:
            raise CircuitSpecError(
                f"layer {index}: expected {layer.columns} device pairs, got {len(pairs)}",
                field="resistances",
            )
        result.append(
            tuple(
                (
                    check_positive(a, f"resistances[{index}][{k}][0]"),
                    check_positive(b, f"resistances[{index}][{k}][1]"),
                )
                for k, (a, b) in enumerate(pairs)
            )
        )
    return tuple(result)


# -- the names co-simulation needs -------------------------------------------------------------
def input_source(row: int) -> str:
    """The voltage source driving input row ``row`` of layer 0 (alter its dc value, V)."""
    return f"Vin{row}"


def bias_source(layer: int) -> str:
    """The voltage source of layer ``layer``'s bias row."""
    return f"Vbias{layer}"


def buffer_source(layer: int, row: int) -> str:
    """The VCVS driving row ``row`` of layer ``layer > 0`` from the previous activation."""
    return f"Ebuf{layer}_{row}"


def weight_resistors(layer: int, row: int, column: int) -> tuple[str, str]:
    """The ``G+`` and ``G-`` resistors of weight ``(row, column)`` of ``layer``, as the
    dotted names ``Session.alter`` takes (``xarray0.r3_1p``); their value is ``1/G`` ohm."""
    # crossbar() names the device of row i, physical column t "R{i}_{t}" (ResistorDevice)
    return (f"xarray{layer}.r{row}_{column}p", f"xarray{layer}.r{row}_{column}n")


def activation_node(layer: int, neuron: int) -> str:
    """The node of ``V1 = f(I)`` of a neuron (V)."""
    return f"a{layer}_{neuron}"


def derivative_node(layer: int, neuron: int) -> str:
    """The node of ``gain * (V2 - V1)`` of a neuron (V)."""
    return f"d{layer}_{neuron}"


def pair_node(layer: int, neuron: int) -> str:
    """The node of ``V2`` (the second device of the pair), inside ``Xn{layer}``."""
    return f"xn{layer}.v2_{neuron}"


# -- the netlist -------------------------------------------------------------------------------
def mtj_network(mtj_model: CompiledModel, params: MtjNetworkParams) -> Circuit:
    """The network as one ``Circuit`` with an ``Op`` analysis."""
    if not isinstance(params, MtjNetworkParams):
        raise CircuitSpecError(f"expected MtjNetworkParams, got {params!r}", field="params")
    if not isinstance(mtj_model, CompiledModel) or len(mtj_model.ports) != 2:
        raise CircuitSpecError("expected a two-terminal CompiledModel", field="mtj_model")
    elements: list[Element] = [VoltageSource("Voff", "voff", "0", dc=params.buffer_offset)]
    subckts: list[Subckt] = []
    options: tuple[Option, ...] = ()
    for index, layer in enumerate(params.layers):
        layer = dataclasses.replace(layer, name=f"xbar{index}")
        rows = [f"r{index}_{i}" for i in range(layer.rows)]
        tags = column_tags(layer)
        columns = [f"c{index}_{tag}" for tag in tags]
        elements.append(SubcktInstance(f"Xarray{index}", (*rows, *columns), layer.name))
        for i, node in enumerate(rows[:-1]):
            if index == 0:
                volts = params.inputs[i] if params.inputs is not None else 0.0
                elements.append(VoltageSource(input_source(i), node, "0", dc=volts))
            else:
                source = activation_node(index - 1, i)
                elements.append(
                    Vcvs(buffer_source(index, i), node, "0", source, "voff", params.buffer_gain)
                )
        elements.append(VoltageSource(bias_source(index), rows[-1], "0", dc=params.bias_voltage))
        neurons, layer_options = _neurons(mtj_model, params, index, layer)
        subckts += [crossbar(layer), neurons]
        options = layer_options
        outputs = [activation_node(index, k) for k in range(layer.columns)]
        outputs += [derivative_node(index, k) for k in range(layer.columns)]
        elements.append(SubcktInstance(f"Xn{index}", (*columns, *outputs), neurons.name))
    return Circuit(
        title=f"MTJ finite-difference network {'-'.join(map(str, params.sizes))}",
        elements=tuple(elements),
        subckts=(mtj_model.subckt, *subckts),
        options=options,
        analyses=(Op(),),
    )


def _neurons(
    mtj_model: CompiledModel, params: MtjNetworkParams, index: int, layer: CrossbarParams
) -> tuple[Subckt, tuple[Option, ...]]:
    """``network_layer``'s neuron side of one layer as a subcircuit: ports are the physical
    columns, then ``v1_{k}`` and ``dout_{k}``; the crossbar itself is instanced at top level."""
    neuron = NeuronPairParams(params.bias_current, params.delta_current, gain=params.gain)
    device = CompiledDevice(mtj_model, params=params.device_params)
    mirror = params.mirror[index] if isinstance(params.mirror, tuple) else params.mirror
    layer_params = NetworkLayerParams(layer, neuron, mirror=mirror)
    circuit = network_layer(layer_params, device, [0.0] * layer.rows)
    pairs = params.resistances[index] if params.resistances is not None else ()
    drawn = {
        name: rp
        for k, pair in enumerate(pairs)
        for name, rp in zip(neuron_devices(k), pair, strict=True)
    }
    kept: list[Element] = []
    for element in circuit.elements:
        if element.name == "Xarray" or element.name.startswith("Vrow"):
            continue  # the crossbar and its row drives live at top level
        if element.name in drawn and isinstance(element, SubcktInstance):
            element = _with_rp(element, drawn[element.name])
        kept.append(element)
    ports = (
        *(f"col{tag}" for tag in column_tags(layer)),
        *(f"v1_{k}" for k in range(layer.columns)),
        *(f"dout_{k}" for k in range(layer.columns)),
    )
    return Subckt(f"neurons{index}", ports, elements=tuple(kept)), tuple(circuit.options)


def _with_rp(instance: SubcktInstance, rp: float) -> SubcktInstance:
    """A device of ``network_layer`` with its own ``rp`` (ohm) from the draws."""
    settings = tuple((key, rp if key == "rp" else value) for key, value in instance.params)
    return SubcktInstance(instance.name, instance.nodes, instance.subckt, settings)
