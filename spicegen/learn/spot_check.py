"""The SPICE spot check: a trained binarized (or k-level) network read as crossbars in ngspice.

Each layer's stored bits become a differential (2R) crossbar of the shipped ``mtj`` with the
programmed states (+1: P on the column's + device and AP on its - device; -1 the reverse), built
by ``spicegen.circuits.crossbar``; rows are driven at ``read_voltage`` times the layer's input
(the scaled features for the first layer, +-1 for the others), the columns held at virtual
ground. The column currents ``I+ - I-`` give the column sums, ``z = (I+ - I-) / (V_read
(G_P - G_AP) sqrt(fan_in))`` with G_P, G_AP the low-bias conductances; the periphery
(batch-norm threshold, sign, argmax) is the trainer's own. Each layer's input comes from the
previous layer's SPICE output, so a difference anywhere carries forward. The devices are the
deterministic variant (``stochastic = 0``): a read below the critical current never switches.

``dw_spot_check`` reads a k-level network trained on domain-wall synapses the same way, one
shipped ``dw_synapse`` per weight with its wall at the programmed level, x0 = (w + 1)/2
(conductance gmin + x0 (gmax - gmin)), plus one reference column of walls at mid-track
(x0 = 1/2) per layer: ``z = (I - I_ref) / (V_read (gmax - gmin)/2 sqrt(fan_in))``. The read
current stays below the depinning current (at most gmax V_read = 25 uA of 50 uA at 50 mV),
so the operating point holds every wall where it was programmed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.circuits import CompiledDevice, CrossbarParams, LinearState
from spicegen.circuits.crossbar import column_currents, read_circuit
from spicegen.learn.bnn import BnnNetwork
from spicegen.learn.errors import LearnError
from spicegen.netlist import Op
from spicegen.sim import simulate
from spicegen.va import CompiledModel

__all__ = ["SpotCheck", "dw_spot_check", "spice_spot_check"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
RP = 3979.0  # ohm, the shipped mtj's parallel resistance (docs/models/mtj.md)
TMR0 = 1.5  # its zero-bias TMR
DW_GMIN, DW_GMAX = 200e-6, 500e-6  # S, the shipped dw_synapse's defaults (docs/models)


@dataclass(frozen=True, slots=True, eq=False)
class SpotCheck:
    """Decisions of ngspice and of the trainer on ``samples`` test inputs, their agreement, and
    the largest column-sum difference (in units of one weight's contribution)."""

    spice: IntArray
    trainer: IntArray
    agreement: float
    max_column_error: float
    devices: int

    @property
    def samples(self) -> int:
        """How many inputs were read."""
        return int(self.spice.size)


def spice_spot_check(
    network: BnnNetwork, mtj: CompiledModel, x: FloatArray, *, read_voltage: float = 0.05
) -> SpotCheck:
    """Read ``network`` (binary) as MTJ crossbars in ngspice on the rows of ``x``."""
    if not network.binary:
        raise LearnError("spot check: the network must be binarized (its weights are +-1)")
    if not 0 < read_voltage <= 0.15:
        raise LearnError(f"spot check: read_voltage must be in (0, 0.15] V, got {read_voltage!r}")
    device = CompiledDevice(
        mtj, parameter="state0", parameter_kind="state", params=(("stochastic", 0),)
    )
    mapping = LinearState(state_min=1.0, state_max=0.0)  # |w| = 1: P; the mapping's zero: AP
    arrays = [
        CrossbarParams(
            weights=tuple(map(tuple, w.tolist())),
            cell="2R",
            device=device,
            mapping=mapping,
            name=f"layer{k}",
        )
        for k, w in enumerate(network.weights)
    ]
    contrast = 1 / RP - 1 / (RP * (1 + TMR0))  # S, G_P - G_AP at low bias

    def column_sums(currents: FloatArray, fan_in: int) -> FloatArray:
        return currents / (read_voltage * contrast * math.sqrt(fan_in))

    devices = sum(2 * w.size for w in network.weights)
    return _read(network, arrays, x, read_voltage, column_sums, devices)


def dw_spot_check(
    network: BnnNetwork, dw_synapse: CompiledModel, x: FloatArray, *, read_voltage: float = 0.05
) -> SpotCheck:
    """Read ``network`` (k-level weights in [-1, 1]) as ``dw_synapse`` crossbars in ngspice on
    the rows of ``x``, each weight's wall at its programmed level."""
    if not network.binary:
        raise LearnError("spot check: the network must be quantised (binary activations)")
    if not 0 < read_voltage <= 0.08:  # gmax v < ith = 50 uA keeps every wall pinned
        raise LearnError(f"spot check: read_voltage must be in (0, 0.08] V, got {read_voltage!r}")
    if any(np.max(np.abs(w)) > 1 for w in network.weights):
        raise LearnError("spot check: domain-wall weights must lie in [-1, 1]")
    device = CompiledDevice(dw_synapse, parameter="x0", parameter_kind="state")
    mapping = LinearState(state_min=0.0, state_max=1.0, weight_max=2.0)  # x0 = (w + 1)/2
    arrays = [
        CrossbarParams(  # the last column: the mid-track reference (w = 0)
            weights=tuple(map(tuple, np.hstack([w + 1.0, np.ones((w.shape[0], 1))]).tolist())),
            cell="1R",
            device=device,
            mapping=mapping,
            name=f"layer{k}",
        )
        for k, w in enumerate(network.weights)
    ]
    half_contrast = (DW_GMAX - DW_GMIN) / 2  # S per unit of weight

    def column_sums(currents: FloatArray, fan_in: int) -> FloatArray:
        difference = currents[:, :-1] - currents[:, -1:]
        return difference / (read_voltage * half_contrast * math.sqrt(fan_in))

    devices = sum(w.size + w.shape[0] for w in network.weights)
    return _read(network, arrays, x, read_voltage, column_sums, devices)


def _read(
    network: BnnNetwork,
    arrays: list[CrossbarParams],
    x: FloatArray,
    read_voltage: float,
    column_sums: Callable[[FloatArray, int], FloatArray],
    devices: int,
) -> SpotCheck:
    """Each layer's crossbar read in ngspice, its column sums through the trainer's periphery,
    feeding the next layer; the decisions against the trainer's."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    h = x
    worst = 0.0
    for k, params in enumerate(arrays):
        # one operating point per sample (a staircase transient over thousands of devices cost
        # more than the separate points: every edge restarts the step control)
        rows = []
        for sample in h:
            circuit = read_circuit(params, [float(v) * read_voltage for v in sample], bulk=True)
            rows.append(column_currents(simulate(circuit, Op(), timeout=1800).waveforms, params)[0])
        fan_in = network.weights[k].shape[0]
        z = column_sums(np.array(rows), fan_in)
        ideal = network.column_sums(k, h)
        worst = max(worst, float(np.max(np.abs(z - ideal))) * math.sqrt(fan_in))
        h = network.activation(k, z)
    spice = np.asarray(np.argmax(h, axis=1), dtype=np.int64)
    trainer = network.predict(x)
    return SpotCheck(spice, trainer, float(np.mean(spice == trainer)), worst, devices)
