"""The SPICE spot check of a network trained on weak-RESET pairs: its cells read in ngspice.

The existing ``spicegen.learn.spot_check`` reads binary MTJ crossbars (two fixed states per
device); a weak-RESET pair holds two analog conductances in windows of their own, and its
binary weight is the sign of their difference, which a 2T2R sense amplifier reads. So each
layer's cells become ``rram_hfo2`` instances with the trained state (``x0``) and the trained
window (``gmin``/``gmax``, with the model's own spreads off so that the instance is exactly
that cell), all on one read line at ``read_voltage`` behind 0 V meters; one operating point
per ``chunk`` cells reads every current. The sign of ``I+ - I-`` is the SPICE weight; the
network with those weights and the trainer's periphery (batch norm, sign, argmax) classifies
the inputs, and its decisions are compared with the trainer's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.bnn import BnnNetwork
from spicegen.learn.errors import LearnError
from spicegen.learn.weak_reset import PairArray, WeakResetResult
from spicegen.netlist import Circuit, Element, Op, VoltageSource
from spicegen.sim import simulate
from spicegen.va import CompiledModel

__all__ = ["PairSpotCheck", "pair_spot_check", "read_cells"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class PairSpotCheck:
    """Decisions of the SPICE-read network and of the trainer on the inputs, their agreement,
    the weights whose SPICE sign differs from the trainer's, the largest relative error of a
    SPICE-read conductance, and the cells read."""

    spice: IntArray
    trainer: IntArray
    agreement: float
    flipped_weights: int
    max_conductance_error: float
    cells: int


def read_cells(
    model: CompiledModel,
    state: FloatArray,
    low: FloatArray,
    high: FloatArray,
    *,
    read_voltage: float = 0.1,
    chunk: int = 2000,
) -> FloatArray:
    """Conductances (S) of cells at ``state`` in windows ``low`` .. ``high`` (S), read in
    ngspice by operating points at ``read_voltage`` V (``I / (v0 sinh(v/v0))``)."""
    x, lo, hi = (np.asarray(a, dtype=np.float64).ravel() for a in (state, low, high))
    v0 = float(model.parameter_values({})["v0"])
    out = np.empty(x.size)
    for first in range(0, x.size, chunk):
        rows = range(first, min(first + chunk, x.size))
        elements: list[Element] = [VoltageSource("Vr", "r", "0", read_voltage)]
        for k in rows:
            elements += [
                VoltageSource(f"Vm{k}", "r", f"a{k}", 0.0),
                model.instance(
                    f"X{k}", (f"a{k}", "0"), x0=float(np.clip(x[k], 0.0, 1.0)),
                    gmin=float(lo[k]), gmax=float(hi[k]), sigma_d2d=0.0, sigma_c2c=0.0,
                ),
            ]  # fmt: skip
        circuit = Circuit(
            title=f"weak-RESET cells {first}..", elements=tuple(elements), subckts=(model.subckt,)
        )
        waves = simulate(circuit, Op(), timeout=1800.0).waveforms
        for k in rows:
            current = float(np.asarray(waves.i(f"Vm{k}"))[0])
            out[k] = current / (v0 * np.sinh(read_voltage / v0))
    return out.reshape(np.shape(state))


def _layer_signs(
    model: CompiledModel, pairs: PairArray, read_voltage: float
) -> tuple[FloatArray, float]:
    """The SPICE signs of ``I+ - I-`` of one layer and the largest relative conductance
    error against the trainer's."""
    g_plus = read_cells(
        model, pairs.plus, pairs.low_plus, pairs.high_plus, read_voltage=read_voltage
    )
    g_minus = read_cells(
        model, pairs.minus, pairs.low_minus, pairs.high_minus, read_voltage=read_voltage
    )
    expected_plus, expected_minus = pairs.conductances()
    error = max(
        float(np.max(np.abs(g_plus / expected_plus - 1))),
        float(np.max(np.abs(g_minus / expected_minus - 1))),
    )
    return np.where(g_plus - g_minus >= 0, 1.0, -1.0), error


def pair_spot_check(
    result: WeakResetResult, model: CompiledModel, x: FloatArray, *, read_voltage: float = 0.1
) -> PairSpotCheck:
    """Read every cell of ``result`` in ngspice and classify the rows of ``x`` with the
    SPICE-read weights."""
    if not 0 < read_voltage < 0.5:
        raise LearnError(f"spot check: read_voltage must lie in (0, 0.5) V, got {read_voltage!r}")
    network = result.network
    weights, worst = [], 0.0
    for pairs in result.pairs:
        signs, error = _layer_signs(model, pairs, read_voltage)
        weights.append(signs)
        worst = max(worst, error)
    spice_network = BnnNetwork(
        tuple(weights), network.mean, network.variance, network.gain, network.offset, True
    )
    flipped = sum(
        int(np.count_nonzero(a != b)) for a, b in zip(weights, network.weights, strict=True)
    )
    spice = spice_network.predict(x)
    trainer = network.predict(x)
    cells = sum(2 * p.plus.size for p in result.pairs)
    return PairSpotCheck(spice, trainer, float(np.mean(spice == trainer)), flipped, worst, cells)
