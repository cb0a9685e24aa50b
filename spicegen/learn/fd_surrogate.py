"""The surrogate engine: the chip's devices characterised once in ngspice, then numpy.

Every neuron pair of the chip (its own ``rp`` draws) is swept in one ngspice netlist
(``surrogate.mtj_neuron.characterise_pairs``, cached); the crossbars are linear maps
(``surrogate.crossbar.CrossbarMap``: the ideal product, or IR drop when the chip has wire
resistance). A forward pass computes the same quantities the SPICE engine reads back: each
neuron's current ``I = bias_current + mirror * (I+ - I-)`` (the layer's own mirror,
``MtjChip.layer_mirror``), its ``V1`` and its pair's
``V2 - V1``, normalised as ``fd_hardware`` describes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from spicegen.learn.errors import LearnError
from spicegen.learn.fd_engines import FloatArray, LayerOutput, Power, with_bias
from spicegen.learn.fd_hardware import (
    Calibration,
    MtjChip,
    calibrate,
    conductances,
    device_resistances,
)
from spicegen.surrogate.crossbar import CrossbarMap
from spicegen.surrogate.mtj_neuron import PairSurrogate, characterise_pairs
from spicegen.va import CompiledModel

__all__ = ["SurrogateEngine"]


class SurrogateEngine:
    """A chip of ``sizes`` (inputs, neurons per layer...) with ``device`` neurons, in numpy."""

    name = "surrogate"
    weight_limit = 1.0

    def __init__(self, device: CompiledModel, chip: MtjChip, sizes: Sequence[int]) -> None:
        self.chip = chip
        self.sizes = tuple(int(s) for s in sizes)
        self.resistances = device_resistances(chip, chip.nominal_rp(device), self.sizes[1:])
        self.calibration: Calibration = calibrate(chip, device)
        self.pairs: PairSurrogate = characterise_pairs(
            device,
            np.concatenate(self.resistances),
            chip.delta_current,
            chip.grid(),
            device_params=dict(chip.device_params),
        )
        ends = np.cumsum((0, *self.sizes[1:]))
        self._neurons = [slice(int(a), int(b)) for a, b in itertools.pairwise(ends)]
        # what a forward pass needs of each layer, worked out once (a step on a small network
        # costs tens of microseconds: lookups and checks repeated per call would dominate it)
        self._layers = [self.pairs.layer(neurons) for neurons in self._neurons]
        rows = [size + 1 for size in self.sizes[:-1]]
        self._mirrors = [chip.layer_mirror(r) for r in rows]
        self._per_unit = [chip.layer_scale(r) for r in rows]
        self._columns: list[FloatArray] = []  # each layer's column map (S), 0p, 0n, 1p, ...
        self._maps: list[CrossbarMap | None] = []  # built when needed (IR drop, or power)
        self.outside = 0.0  # fraction of neuron currents beyond the characterised grid, last pass

    def program(self, weights: Sequence[FloatArray]) -> None:
        if len(weights) != len(self._neurons):
            raise LearnError(f"surrogate: expected {len(self._neurons)} weight matrices")
        columns: list[FloatArray] = []
        maps: list[CrossbarMap | None] = []
        for w in weights:
            plus, minus = conductances(self.chip, np.asarray(w, dtype=np.float64))
            physical = np.empty((plus.shape[0], 2 * plus.shape[1]))
            physical[:, 0::2], physical[:, 1::2] = plus, minus  # columns 0p, 0n, 1p, ...
            if self.chip.ideal_wires:
                # G+ and G- are g_min + a non-negative part: only a NaN or infinite weight
                # can make them unusable, and one sum finds either
                if not np.isfinite(physical.sum()):
                    raise LearnError("surrogate: a weight is NaN or infinite")
                columns.append(physical)
                maps.append(None)
            else:
                solved = CrossbarMap.solve(physical, self.chip.wires)
                columns.append(solved.column)
                maps.append(solved)
        self._columns, self._maps = columns, maps

    def _map(self, layer: int) -> CrossbarMap:
        """``layer``'s crossbar map (the ideal one is built on the first power reading)."""
        solved = self._maps[layer]
        if solved is None:
            solved = CrossbarMap.solve(self._columns[layer])
            self._maps[layer] = solved
        return solved

    def currents(self, layer: int, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Row voltages (V) and neuron currents (A) of ``layer`` for its inputs ``x``."""
        voltages = self.chip.read_voltage * with_bias(x)
        physical = voltages @ self._columns[layer]
        column = physical[:, 0::2] - physical[:, 1::2]
        return voltages, self.chip.bias_current + self._mirrors[layer] * column

    def forward(self, inputs: FloatArray) -> tuple[LayerOutput, ...]:
        outputs, _ = self._run(np.asarray(inputs, dtype=np.float64), need_power=False)
        return outputs

    def power(self, inputs: FloatArray) -> Power:
        """Supply power per sample (W) of a forward read and of a training read."""
        _, power = self._run(np.asarray(inputs, dtype=np.float64), need_power=True)
        assert power is not None
        return power

    def _run(self, x: FloatArray, need_power: bool) -> tuple[tuple[LayerOutput, ...], Power | None]:
        if not self._columns:
            raise LearnError("surrogate: program() the weights before a forward pass")
        chip, calibration = self.chip, self.calibration
        scale = calibration.gain / chip.read_voltage
        offset, delta = calibration.offset, chip.delta_current
        outputs = []
        rows, first, second = (np.zeros(x.shape[0] if need_power else 0) for _ in range(3))
        outside = []
        for layer, reader in enumerate(self._layers):
            voltages, current = self.currents(layer, x)
            v1, difference, beyond = reader.predict(current)
            outside.append(beyond / current.size if current.size else 0.0)
            y = (v1 - offset) * scale
            slope = difference / delta * self._per_unit[layer] * scale
            outputs.append(LayerOutput(y, slope))
            if need_power:
                rows += self._map(layer).power(voltages)
                first += (v1 * current).sum(axis=1)
                second += ((v1 + difference) * (current + delta)).sum(axis=1)
            x = y
        self.outside = float(np.mean(outside))
        power = Power(rows + first, rows + first + second) if need_power else None
        return tuple(outputs), power

    def close(self) -> None:
        """Nothing to release."""
