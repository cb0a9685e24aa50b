"""The SPICE spot check: a trained binarized network read as MTJ crossbars in ngspice.

Each layer's stored bits become a differential (2R) crossbar of the shipped ``mtj`` with the
programmed states (+1: P on the column's + device and AP on its - device; -1 the reverse), built
by ``spicegen.circuits.crossbar``; rows are driven at ``read_voltage`` times the layer's input
(the scaled features for the first layer, +-1 for the others), the columns held at virtual
ground. The column currents ``I+ - I-`` give the column sums, ``z = (I+ - I-) / (V_read
(G_P - G_AP) sqrt(fan_in))`` with G_P, G_AP the low-bias conductances; the periphery
(batch-norm threshold, sign, argmax) is the trainer's own. Each layer's input comes from the
previous layer's SPICE output, so a difference anywhere carries forward. The devices are the
deterministic variant (``stochastic = 0``): a read below the critical current never switches.
"""

from __future__ import annotations

import math
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

__all__ = ["SpotCheck", "spice_spot_check"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
RP = 3979.0  # ohm, the shipped mtj's parallel resistance (docs/models/mtj.md)
TMR0 = 1.5  # its zero-bias TMR


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
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    h = x
    worst = 0.0
    for k, params in enumerate(arrays):
        # one operating point per sample (a staircase transient over thousands of MTJs cost
        # more than the separate points: every edge restarts the step control)
        rows = []
        for sample in h:
            circuit = read_circuit(params, [float(v) * read_voltage for v in sample], bulk=True)
            rows.append(column_currents(simulate(circuit, Op(), timeout=1800).waveforms, params)[0])
        fan_in = network.weights[k].shape[0]
        z = np.array(rows) / (read_voltage * contrast * math.sqrt(fan_in))
        ideal = network.column_sums(k, h)
        worst = max(worst, float(np.max(np.abs(z - ideal))) * math.sqrt(fan_in))
        h = network.activation(k, z)
    spice = np.asarray(np.argmax(h, axis=1), dtype=np.int64)
    trainer = network.predict(x)
    devices = sum(2 * w.size for w in network.weights)
    return SpotCheck(spice, trainer, float(np.mean(spice == trainer)), worst, devices)
