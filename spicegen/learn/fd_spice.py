"""The SPICE engine: the whole network as one netlist, every forward pass an ngspice operating
point through a ``Session``.

The netlist is ``circuits.network.mtj_network`` (crossbars, MTJ neuron pairs, buffers), loaded
once. Programming the weights changes the crossbar resistors in place (``1/G``, only those that
changed); a forward pass sets the input sources and runs one ``op``, which gives every layer's
activations ``V1`` and pair differences at once; the values read back are normalised as
``fd_hardware`` describes. Nothing is rebuilt between steps.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from spicegen.circuits import CrossbarParams, LinearConductance
from spicegen.circuits.network import (
    MtjNetworkParams,
    activation_node,
    bias_source,
    buffer_source,
    derivative_node,
    input_source,
    mtj_network,
    pair_node,
    weight_resistors,
)
from spicegen.learn.errors import LearnError
from spicegen.learn.fd_engines import FloatArray, LayerOutput, Power
from spicegen.learn.fd_hardware import (
    Calibration,
    MtjChip,
    calibrate,
    conductances,
    device_resistances,
)
from spicegen.netlist import Circuit
from spicegen.sim import Session
from spicegen.va import CompiledModel

__all__ = ["MAX_SPICE_NEURONS", "MAX_SPICE_WEIGHTS", "SpiceEngine", "check_spice_size", "network"]

# Beyond these one operating point per sample takes long enough (tens of ms and more) that a
# training run would not finish in a working day; the surrogate engine has no such limit.
MAX_SPICE_WEIGHTS = 20_000
MAX_SPICE_NEURONS = 400


def check_spice_size(sizes: Sequence[int]) -> None:
    """Refuse a network too large for the SPICE engine, saying how large it is."""
    weights = sum((a + 1) * b for a, b in itertools.pairwise(sizes))
    neurons = sum(sizes[1:])
    if weights > MAX_SPICE_WEIGHTS or neurons > MAX_SPICE_NEURONS:
        shape = "-".join(map(str, sizes))
        raise LearnError(
            f"network {shape} has {weights} weights ({2 * weights} crossbar devices) and "
            f"{neurons} neuron pairs ({4 * neurons} MTJ-pair elements' worth of B-sources); the "
            f"SPICE engine takes at most {MAX_SPICE_WEIGHTS} weights and {MAX_SPICE_NEURONS} "
            "neurons in one netlist. Use engine='surrogate' (device curves characterised from "
            "the same ngspice models), or a SPICE run on a smaller network"
        )


def network(
    device: CompiledModel,
    chip: MtjChip,
    sizes: Sequence[int],
    weights: Sequence[FloatArray] | None,
    resistances: Sequence[FloatArray],
    calibration: Calibration,
) -> Circuit:
    """The chip's netlist with ``weights`` (None: all zero) as conductances."""
    mapping = LinearConductance(chip.g_min, chip.g_max)
    layers = []
    for index, (inputs, outputs) in enumerate(itertools.pairwise(sizes)):
        w = np.zeros((inputs + 1, outputs)) if weights is None else np.asarray(weights[index])
        cells = tuple(map(tuple, np.clip(w, -1, 1).tolist()))
        layers.append(CrossbarParams(cells, cell="2R", mapping=mapping, wires=chip.wires))
    params = MtjNetworkParams(
        layers=tuple(layers),
        bias_current=chip.bias_current,
        delta_current=chip.delta_current,
        mirror=tuple(chip.layer_mirror(rows + 1) for rows in sizes[:-1]),
        gain=chip.gain,
        bias_voltage=chip.read_voltage,
        buffer_gain=calibration.gain,
        buffer_offset=calibration.offset,
        resistances=tuple(tuple((float(a), float(b)) for a, b in r) for r in resistances),
        device_params=chip.device_params,
    )
    return mtj_network(device, params)


def apply_changes(session: Session, changes: Mapping[str, float]) -> None:
    """Set element values (V, ohm) in the loaded circuit, all in one round trip."""
    if changes:
        values: dict[str | tuple[str, str], float] = {}  # element names as keys
        values.update(changes)
        session.alter_many(values)


class SpiceEngine:
    """A chip of ``sizes`` (inputs, neurons per layer...) with ``device`` neurons in ngspice."""

    name = "spice"
    weight_limit = 1.0

    def __init__(
        self,
        device: CompiledModel,
        chip: MtjChip,
        sizes: Sequence[int],
        *,
        timeout: float = 600.0,
        start: bool = True,
    ) -> None:
        self.chip = chip
        self.sizes = tuple(int(s) for s in sizes)
        check_spice_size(self.sizes)
        self.resistances = device_resistances(chip, chip.nominal_rp(device), self.sizes[1:])
        self.calibration = calibrate(chip, device)
        self.circuit = network(device, chip, self.sizes, None, self.resistances, self.calibration)
        self._ohms = [
            np.full((a + 1, 2 * b), 1 / chip.g_min)
            for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True)
        ]
        self._inputs = np.zeros(self.sizes[0])
        self._outputs = [
            [f(layer, k) for k in range(count)]
            for f in (activation_node, derivative_node)
            for layer, count in enumerate(self.sizes[1:])
        ]
        self._vectors = [f"v({node})" for nodes in self._outputs for node in nodes]
        # start=False: a description of the chip only (what DaskSpiceEngine keeps locally)
        self._session = Session(self.circuit, timeout=timeout) if start else None

    @property
    def session(self) -> Session:
        """The loaded circuit."""
        if self._session is None:
            raise LearnError("spice: this engine has no session (closed, or not started)")
        return self._session

    def program(self, weights: Sequence[FloatArray]) -> None:
        if len(weights) != len(self._ohms):
            raise LearnError(f"spice: expected {len(self._ohms)} weight matrices")
        changes: dict[str, float] = {}
        for layer, w in enumerate(weights):
            plus, minus = conductances(self.chip, np.asarray(w, dtype=np.float64))
            ohms = np.empty_like(self._ohms[layer])
            ohms[:, 0::2], ohms[:, 1::2] = 1 / plus, 1 / minus
            for row, column in zip(*np.nonzero(ohms != self._ohms[layer]), strict=True):
                name = weight_resistors(layer, int(row), int(column) // 2)[int(column) % 2]
                changes[name] = float(ohms[row, column])
            self._ohms[layer] = ohms
        apply_changes(self.session, changes)

    def _operating_point(self, sample: FloatArray, extra: Sequence[str] = ()) -> dict[str, float]:
        voltages = self.chip.read_voltage * sample
        changes = {
            input_source(i): float(v) for i, v in enumerate(voltages) if v != self._inputs[i]
        }
        apply_changes(self.session, changes)
        self._inputs = voltages
        waves = self.session.op(vectors=[*self._vectors, *extra])
        return {name: float(waves[name][0]) for name in (*self._vectors, *extra)}

    def forward(self, inputs: FloatArray) -> tuple[LayerOutput, ...]:
        return self.normalise(self.read(inputs))

    def read(self, inputs: FloatArray) -> FloatArray:
        """One operating point per sample of ``inputs`` (samples, features): the voltages of
        ``vectors`` (V), (samples, len(vectors))."""
        x = np.asarray(inputs, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise LearnError(f"spice: expected inputs (samples, {self.sizes[0]}), got {x.shape}")
        points = [self._operating_point(sample) for sample in x]
        return np.array([[point[v] for v in self._vectors] for point in points]).reshape(
            x.shape[0], len(self._vectors)
        )

    def normalise(self, values: FloatArray) -> tuple[LayerOutput, ...]:
        """Layer outputs from the read-back ``V1`` and ``gain (V2 - V1)`` columns (V), in the
        order of ``vectors``."""
        chip, calibration = self.chip, self.calibration
        scale = calibration.gain / chip.read_voltage
        layers = len(self.sizes) - 1
        activations = np.split(values[:, : values.shape[1] // 2], np.cumsum(self.sizes[1:-1]), 1)
        differences = np.split(values[:, values.shape[1] // 2 :], np.cumsum(self.sizes[1:-1]), 1)
        return tuple(
            LayerOutput(
                (activations[k] - calibration.offset) * scale,
                differences[k]
                / chip.gain
                / chip.delta_current
                * chip.layer_scale(self.sizes[k] + 1)
                * scale,
            )
            for k in range(layers)
        )

    @property
    def vectors(self) -> tuple[str, ...]:
        """What each operating point reads back: every ``V1``, then every ``gain (V2 - V1)``."""
        return tuple(self._vectors)

    def power(self, inputs: FloatArray) -> Power:
        """Supply power per sample (W) from the simulated source currents and node voltages."""
        x = np.asarray(inputs, dtype=np.float64)
        sizes = self.sizes
        row_sources = [input_source(i) for i in range(sizes[0])]
        row_sources += [bias_source(layer) for layer in range(len(sizes) - 1)]
        row_sources += [
            buffer_source(layer, i)
            for layer in range(1, len(sizes) - 1)
            for i in range(sizes[layer])
        ]
        rows = [f"r0_{i}" for i in range(sizes[0])]
        rows += [f"r{layer}_{sizes[layer]}" for layer in range(len(sizes) - 1)]
        rows += [f"r{layer}_{i}" for layer in range(1, len(sizes) - 1) for i in range(sizes[layer])]
        columns = [
            (layer, k, f"v.xn{layer}.vcol{k}{side}#branch")
            for layer in range(len(sizes) - 1)
            for k in range(sizes[layer + 1])
            for side in "pn"
        ]
        second = [
            pair_node(layer, k) for layer in range(len(sizes) - 1) for k in range(sizes[layer + 1])
        ]
        extra = [f"i({s})" for s in row_sources] + [f"v({n})" for n in rows]
        extra += [c[2] for c in columns] + [f"v({n})" for n in second]
        inference, training = [], []
        chip = self.chip
        for sample in x:
            point = self._operating_point(sample, extra)
            # ngspice's i(V) flows into the source's + node: the source delivers -i
            delivered = sum(
                -point[f"i({s})"] * point[f"v({n})"] for s, n in zip(row_sources, rows, strict=True)
            )
            first = second_power = 0.0
            for layer, count in enumerate(sizes[1:]):
                for k in range(count):
                    column = (
                        point[f"v.xn{layer}.vcol{k}p#branch"]
                        - point[f"v.xn{layer}.vcol{k}n#branch"]
                    )
                    mirror = chip.layer_mirror(sizes[layer] + 1)
                    current = chip.bias_current + mirror * column
                    first += point[f"v({activation_node(layer, k)})"] * current
                    second_power += point[f"v({pair_node(layer, k)})"] * (
                        current + chip.delta_current
                    )
            inference.append(delivered + first)
            training.append(delivered + first + second_power)
        return Power(np.array(inference), np.array(training))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
