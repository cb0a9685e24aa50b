"""A network layer in one netlist: a crossbar's column currents drive MTJ neuron pairs.

Each weight column ``k`` of the crossbar is read at a virtual ground (``Vcol{t}``, a 0 V
ammeter to ground, as ``read_circuit(..., readout=VirtualGround())``). Current-controlled
current sources copy the column current ``I_k`` (``I+ - I-`` for differential cells) into both
devices of neuron pair ``k``, built by ``neuron_pair``'s ``pair_elements`` with the suffix
``_{k}``, which carries the pair's own bias on top:

- ``Xmtj1_{k}`` at node ``v1_{k}``: ``bias_current + mirror * I_k`` (``Ibias1_{k}`` plus the
  mirrors ``Fa{t}``), so ``V(v1_{k}) = f(I)``;
- ``Xmtj2_{k}`` at node ``v2_{k}``: that plus ``delta_current`` (``Ibias2_{k}``, ``Fb{t}``);
- ``Ediff_{k}``: ``V(dout_{k}) = gain * (V(v2_{k}) - V(v1_{k}))``, the derivative times
  ``gain * delta_current``.

``network_layer(NetworkLayerParams(crossbar, neuron, mirror, rp_spread), device, row_voltages)``;
``spicegen.circuits.names`` gives every name a co-simulation touches.

Variability: ``rp_spread`` draws a relative deviation per pair, ``rp_k = rp (1 + rp_spread
z_k)`` with ``z_k`` standard normal from the neuron device's instance seed (both devices of a
pair share it); ``neuron.mismatch`` is the second device's extra relative deviation within its
pair, ``rp_k (1 + mismatch)``. Every device also draws its own variates (a stochastic model's
devices differ). ``pair_resistances`` gives the ``rp`` of every device. All in SI units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spicegen.circuits._array import CrossbarParams, column_tags, crossbar
from spicegen.circuits._checks import FloatArray, check_finite, check_positive
from spicegen.circuits._drives import (
    RowDrive,
    Waves,
    analyses,
    drive_source,
    row_drives,
    solver_options,
)
from spicegen.circuits.crossbar import ARRAY_INSTANCE
from spicegen.circuits.devices import CompiledDevice, as_device
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.neuron_pair import NeuronPairParams, pair_elements, pair_rp
from spicegen.netlist import Analysis, Cccs, Circuit, Element, SubcktInstance, VoltageSource
from spicegen.seeds import draw_seed

__all__ = ["NetworkLayerParams", "layer_outputs", "network_layer", "pair_resistances"]


@dataclass(frozen=True, slots=True)
class NetworkLayerParams:
    """A layer: the ``crossbar`` (weights; ``1R`` or ``2R`` cells) and one neuron pair per
    weight column (``neuron``: bias, step, mismatch, gain, state, rp).

    ``mirror`` (A/A) scales each column current into its pair. ``rp_spread`` (>= 0): relative
    standard deviation of ``rp`` from pair to pair, drawn from the neuron device's seed.
    """

    crossbar: CrossbarParams
    neuron: NeuronPairParams
    mirror: float = 1.0
    rp_spread: float = 0.0

    def __post_init__(self) -> None:
        cls = "NetworkLayerParams"
        if not isinstance(self.crossbar, CrossbarParams):
            raise CircuitSpecError(
                f"expected CrossbarParams, got {self.crossbar!r}", field=f"{cls}.crossbar"
            )
        if self.crossbar.has_access:
            raise CircuitSpecError(
                "access cells (1T1R, 2T2R) need word lines; use 1R or 2R",
                field=f"{cls}.crossbar.cell",
            )
        if not isinstance(self.neuron, NeuronPairParams):
            raise CircuitSpecError(
                f"expected NeuronPairParams, got {self.neuron!r}", field=f"{cls}.neuron"
            )
        object.__setattr__(self, "mirror", check_finite(self.mirror, f"{cls}.mirror"))
        spread = check_positive(self.rp_spread, f"{cls}.rp_spread", allow_zero=True)
        object.__setattr__(self, "rp_spread", spread)


def pair_resistances(params: NetworkLayerParams, device: CompiledDevice | object) -> FloatArray:
    """``rp`` (ohm) of every device ``network_layer`` writes, shape (columns, 2)."""
    if not isinstance(params, NetworkLayerParams):
        raise CircuitSpecError(f"expected NetworkLayerParams, got {params!r}", field="params")
    mtj = as_device(device, "device")
    nominal = pair_rp(mtj, params.neuron)
    columns = params.crossbar.columns
    deviation = np.zeros(columns)
    if params.rp_spread > 0:
        # a generator-side draw of the instance-seed kind: one stream per pair, keyed by the
        # pair's first device, so adding columns does not move the existing pairs' draws
        seed = mtj.model.seed if mtj.seed is None else mtj.seed
        deviation = params.rp_spread * np.array(
            [
                np.random.default_rng(
                    draw_seed(seed, "network_layer.rp", 0, f"Xmtj1_{k}")
                ).standard_normal()
                for k in range(columns)
            ]
        )
    first = nominal * (1.0 + deviation)
    if (first <= 0).any():
        raise CircuitSpecError(
            f"rp_spread {params.rp_spread!r} drew a non-positive rp; use a smaller spread",
            field="NetworkLayerParams.rp_spread",
        )
    return np.stack([first, first * (1.0 + params.neuron.mismatch)], axis=1)


def network_layer(
    params: NetworkLayerParams,
    device: CompiledDevice | object,
    row_voltages: Sequence[RowDrive],
    *,
    analysis: Analysis | None = None,
    sparse_solver: bool = True,
    bulk: bool = False,
) -> Circuit:
    """Crossbar + activation + derivative as one ``Circuit``; outputs ``v1_{k}``, ``dout_{k}``.

    ``device``: the neurons' ``CompiledDevice`` (or ``CompiledModel``), ``mtj``-like.
    ``row_voltages``: V (or a ``Waveform``) per row, as ``read_circuit``. ``analysis``
    defaults to ``Op()``; ``sparse_solver`` adds ``.options klu``; ``bulk``: the array's fast
    path (``crossbar``). Read the outputs with ``layer_outputs``.
    """
    if not isinstance(params, NetworkLayerParams):
        raise CircuitSpecError(f"expected NetworkLayerParams, got {params!r}", field="params")
    mtj = as_device(device, "device")
    array = params.crossbar
    resistances = pair_resistances(params, mtj).tolist()
    drives = row_drives(row_voltages, array.rows)
    tags = column_tags(array)
    ports = (*(f"row{i}" for i in range(array.rows)), *(f"col{tag}" for tag in tags))
    elements: list[Element] = [SubcktInstance(ARRAY_INSTANCE, ports, array.name)]
    elements += [drive_source(f"Vrow{i}", f"row{i}", drive) for i, drive in enumerate(drives)]
    elements += [VoltageSource(f"Vcol{tag}", f"col{tag}", "0") for tag in tags]
    for k in range(array.columns):
        v1, v2 = f"v1_{k}", f"v2_{k}"
        # I(Vcol) > 0 flows col -> ground, the current the column collects; F pushes it 0 -> v
        signs = ((f"{k}p", 1.0), (f"{k}n", -1.0)) if array.differential else ((f"{k}", 1.0),)
        for tag, sign in signs:
            elements += [
                Cccs(f"Fa{tag}", "0", v1, f"Vcol{tag}", sign * params.mirror),
                Cccs(f"Fb{tag}", "0", v2, f"Vcol{tag}", sign * params.mirror),
            ]
        nodes = (v1, v2, f"dout_{k}", "0")
        elements += pair_elements(
            mtj, params.neuron, suffix=f"_{k}", nodes=nodes, rp=resistances[k][0]
        )
    return Circuit(
        title=f"{array.name} {array.rows}x{array.columns} layer with MTJ neuron pairs",
        elements=tuple(elements),
        subckts=(crossbar(array, bulk=bulk), mtj.model.subckt),
        options=solver_options(sparse_solver),
        analyses=analyses(analysis),
    )


def layer_outputs(waves: Waves, columns: int) -> tuple[FloatArray, FloatArray]:
    """``(V(v1_k), V(dout_k))`` in V, each of shape (points, columns)."""
    activation = np.stack([waves.v(f"v1_{k}") for k in range(columns)], axis=-1)
    derivative = np.stack([waves.v(f"dout_{k}") for k in range(columns)], axis=-1)
    return np.asarray(activation, dtype=np.float64), np.asarray(derivative, dtype=np.float64)
