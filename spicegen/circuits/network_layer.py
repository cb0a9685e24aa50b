"""A network layer in one netlist: a crossbar's column currents drive MTJ neuron pairs.

Each weight column ``k`` of the crossbar is read at a virtual ground (``Vcol{t}``, a 0 V
ammeter to ground, as ``read_circuit(..., readout=VirtualGround())``). Current-controlled
current sources copy the column current ``I_k`` (``I+ - I-`` for differential cells) into both
devices of neuron pair ``k``, which carries the pair's own bias on top (as ``neuron_pair``):

- ``Xa{k}`` at node ``v1_{k}``: ``bias_current + mirror * I_k``, so ``V(v1_{k}) = f(I)``;
- ``Xb{k}`` at node ``v2_{k}``: ``bias_current + mirror * I_k + delta_current``;
- ``Ed{k}``: ``V(dout_{k}) = gain * (V(v2_{k}) - V(v1_{k}))``, the derivative times ``gain *
  delta_current``.

Elements per column: ``Ib1_{k}``/``Ib2_{k}`` (bias sources), ``Fa{k}{t}``/``Fb{k}{t}`` (the
mirrors of physical column ``t``), the two devices and ``Ed{k}``. The devices are ``mtj``-like
two-terminal compiled models, run deterministic (``stochastic=0``) in state ``state0``,
oriented as ``neuron_pair``'s default ``p2ap`` (``n`` on the biased node, ``p`` on ground).

Variability: ``rp_spread`` draws a relative deviation per pair, ``rp_k = rp (1 + rp_spread
z_k)`` with ``z_k`` standard normal from the circuit seed ``seed`` (both devices of a
pair share it); ``mismatch`` is the second device's extra relative deviation within its pair,
``rp_k (1 + mismatch)``. With a ``seed`` every device also gets its own instance seed (the
model's random draws), so a stochastic model's devices differ. ``pair_resistances`` gives the
``rp`` of every device. All in SI units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from spicegen.circuits._array import CrossbarParams, column_tags, crossbar
from spicegen.circuits._weights import FloatArray, check_finite, check_positive
from spicegen.circuits.crossbar import (
    ARRAY_INSTANCE,
    RowDrive,
    _options,
    _row_drives,
    _source,
    _Waves,
)
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import (
    Analysis,
    Cccs,
    Circuit,
    CurrentSource,
    Element,
    Op,
    SubcktInstance,
    Vcvs,
    VoltageSource,
)
from spicegen.seeds import circuit_rng
from spicegen.va import CompiledModel

__all__ = ["layer_outputs", "network_layer", "pair_resistances"]


def pair_resistances(
    columns: int,
    rp: float,
    *,
    mismatch: float = 0.0,
    rp_spread: float = 0.0,
    seed: int | None = None,
) -> FloatArray:
    """``rp`` (ohm) of every device, shape (columns, 2): first and second device of each pair."""
    nominal = check_positive(rp, "rp")
    spread = check_positive(rp_spread, "rp_spread", allow_zero=True)
    epsilon = check_finite(mismatch, "mismatch")
    if epsilon <= -1.0:
        raise CircuitSpecError(f"expected > -1, got {mismatch!r}", field="mismatch")
    deviation = np.zeros(columns)
    if spread > 0:
        deviation = spread * circuit_rng(seed).standard_normal(columns)
    first = nominal * (1.0 + deviation)
    if (first <= 0).any():
        raise CircuitSpecError(
            f"rp_spread {rp_spread!r} drew a non-positive rp; use a smaller spread",
            field="rp_spread",
        )
    return np.stack([first, first * (1.0 + epsilon)], axis=1)


def network_layer(
    params: CrossbarParams,
    mtj_model: CompiledModel,
    row_voltages: Sequence[RowDrive],
    *,
    bias_current: float,
    delta_current: float,
    mismatch: float = 0.0,
    gain: float = 1.0,
    mirror: float = 1.0,
    rp: float | None = None,
    rp_spread: float = 0.0,
    seed: int | None = None,
    state0: int = 1,
    device_params: Mapping[str, float] | None = None,
    analysis: Analysis | None = None,
    sparse_solver: bool = True,
) -> Circuit:
    """Crossbar + activation + derivative as one ``Circuit``; outputs ``v1_{k}``, ``dout_{k}``.

    ``row_voltages``: V (or a ``Waveform``) per row, as ``read_circuit``. ``bias_current``,
    ``delta_current`` in A; ``mirror`` (A/A) scales the column current into the pairs; ``gain``
    (V/V) is the difference amplifier's. ``rp`` (ohm, default the model's), ``rp_spread``,
    ``mismatch`` and ``seed``: see the module docstring. ``analysis`` defaults to ``Op()``.
    Read the outputs with ``layer_outputs``.
    """
    if not isinstance(params, CrossbarParams):
        raise CircuitSpecError(f"expected CrossbarParams, got {params!r}", field="params")
    if params.has_access:
        raise CircuitSpecError(
            "access cells (1T1R, 2T2R) need word lines; use 1R or 2R", field="params.cell"
        )
    if not isinstance(mtj_model, CompiledModel) or len(mtj_model.ports) != 2:
        raise CircuitSpecError("expected a two-terminal CompiledModel", field="mtj_model")
    bias = check_finite(bias_current, "bias_current")
    delta = check_finite(delta_current, "delta_current")
    if delta == 0.0:
        raise CircuitSpecError("expected a nonzero current step", field="delta_current")
    gain = check_finite(gain, "gain")
    mirror = check_finite(mirror, "mirror")
    if state0 not in (0, 1) or type(state0) is not int:
        raise CircuitSpecError(f"expected 0 or 1, got {state0!r}", field="state0")
    extra = {
        key: check_finite(value, f"device_params[{key!r}]")
        for key, value in (device_params or {}).items()
    }
    if rp is None:
        rp = check_positive(mtj_model.parameter_values(extra).get("rp"), "rp")
    resistances = pair_resistances(
        params.columns, rp, mismatch=mismatch, rp_spread=rp_spread, seed=seed
    )
    seeds: list[int | None] = [None] * (2 * params.columns)
    if seed is not None:
        draws = circuit_rng(seed, 1).integers(0, 2**31 - 1, 2 * params.columns)
        seeds = [int(value) for value in draws]
    drives = _row_drives(row_voltages, params.rows)
    tags = column_tags(params)
    elements: list[Element] = [
        SubcktInstance(
            ARRAY_INSTANCE,
            (*(f"row{i}" for i in range(params.rows)), *(f"col{tag}" for tag in tags)),
            params.name,
        )
    ]
    elements += [_source(f"Vrow{i}", f"row{i}", drive) for i, drive in enumerate(drives)]
    elements += [VoltageSource(f"Vcol{tag}", f"col{tag}", "0") for tag in tags]
    common = {**extra, "stochastic": 0, "state0": state0}
    for k in range(params.columns):
        v1, v2 = f"v1_{k}", f"v2_{k}"
        # I(Vcol) > 0 flows col -> ground, the current the column collects; F pushes it 0 -> v
        signs = ((f"{k}p", 1.0), (f"{k}n", -1.0)) if params.differential else ((f"{k}", 1.0),)
        elements += [
            CurrentSource(f"Ib1_{k}", "0", v1, dc=bias),
            CurrentSource(f"Ib2_{k}", "0", v2, dc=bias + delta),
        ]
        for tag, sign in signs:
            elements += [
                Cccs(f"Fa{tag}", "0", v1, f"Vcol{tag}", sign * mirror),
                Cccs(f"Fb{tag}", "0", v2, f"Vcol{tag}", sign * mirror),
            ]
        elements += [
            mtj_model.instance(
                f"Xa{k}", ("0", v1), seed=seeds[2 * k], **{**common, "rp": resistances[k, 0]}
            ),
            mtj_model.instance(
                f"Xb{k}", ("0", v2), seed=seeds[2 * k + 1], **{**common, "rp": resistances[k, 1]}
            ),
            Vcvs(f"Ed{k}", f"dout_{k}", "0", v2, v1, gain),
        ]
    return Circuit(
        title=f"{params.name} {params.rows}x{params.columns} layer with MTJ neuron pairs",
        elements=tuple(elements),
        subckts=(crossbar(params), mtj_model.subckt),
        options=_options(sparse_solver),
        analyses=(analysis if analysis is not None else Op(),),
    )


def layer_outputs(waves: _Waves, columns: int) -> tuple[FloatArray, FloatArray]:
    """``(V(v1_k), V(dout_k))`` in V, each of shape (points, columns)."""
    activation = np.stack([waves.v(f"v1_{k}") for k in range(columns)], axis=-1)
    derivative = np.stack([waves.v(f"dout_{k}") for k in range(columns)], axis=-1)
    return np.asarray(activation, dtype=np.float64), np.asarray(derivative, dtype=np.float64)
