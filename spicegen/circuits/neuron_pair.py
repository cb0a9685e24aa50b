"""MTJ neuron pair for analog finite-difference gradients (physics.md section 5).

Two nominally identical ``mtj`` devices (``models.load("mtj")``): ``Xmtj1`` carries the bias
current ``I`` and ``Xmtj2`` carries ``I + dI`` (current sources ``Ibias1``/``Ibias2``), so
``V1 = f(I)`` is the forward activation and ``V2 - V1 ~ f'(I) dI`` the forward difference,
read out by an ideal differential amplifier (VCVS ``Ediff``, ``gain`` V/V):
``V(dout) = gain * (V2 - V1)``.

``neuron_pair(mtj_model, bias_current, delta_current, mismatch=0.0, ...) -> Subckt``, ports
``(v1, dout, gnd)``; inner node ``v2``. ``mismatch`` is the relative variation of the second
device, ``rp2 = rp * (1 + mismatch)``: the pair's only error source besides the forward
difference itself (physics.md 5.3: gradient error ~ ``mismatch * V1 / dI``).

Orientation: each device's ``n`` terminal is on the biased node and ``p`` on ``gnd``
(``orientation="p2ap"``, default), so a positive bias current flows n -> p, the P -> AP
direction, and a device in the AP state (``state0=1``, the nonlinear branch: bias-dependent
TMR) keeps its state at any bias. ``orientation="ap2p"`` puts ``p`` on the biased node. The
output voltages are always ``V(v) - V(gnd) > 0`` for a positive bias. All in SI units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from spicegen.circuits._weights import check_finite, check_positive
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import CurrentSource, Subckt, Vcvs
from spicegen.netlist.validate import check_identifier
from spicegen.va import CompiledModel

__all__ = ["neuron_pair"]

Orientation = Literal["p2ap", "ap2p"]


def neuron_pair(
    mtj_model: CompiledModel,
    bias_current: float,
    delta_current: float,
    mismatch: float = 0.0,
    *,
    gain: float = 1.0,
    state0: int = 1,
    rp: float | None = None,
    device_params: Mapping[str, float] | None = None,
    orientation: Orientation = "p2ap",
    seeds: tuple[int, int] | None = None,
    name: str = "neuron_pair",
) -> Subckt:
    """The pair as a ``Subckt``, ports ``(v1, dout, gnd)``: ``V(v1) = f(I)``,
    ``V(dout) = gain * (f2(I + dI) - f(I))``.

    ``bias_current`` and ``delta_current`` in A; ``rp`` (ohm) the first device's parallel
    resistance (default: the model's); ``device_params`` further instance parameters of both
    devices; the devices run deterministic (``stochastic=0``) in state ``state0``. ``seeds``:
    the two instances' seeds (device-to-device variability of a stochastic model).
    """
    if not isinstance(mtj_model, CompiledModel) or len(mtj_model.ports) != 2:
        raise CircuitSpecError("expected a two-terminal CompiledModel", field="mtj_model")
    bias = check_finite(bias_current, "bias_current")
    delta = check_finite(delta_current, "delta_current")
    if delta == 0.0:
        raise CircuitSpecError("expected a nonzero current step", field="delta_current")
    epsilon = check_finite(mismatch, "mismatch")
    if epsilon <= -1.0:
        raise CircuitSpecError(f"expected > -1, got {mismatch!r}", field="mismatch")
    gain = check_finite(gain, "gain")
    if state0 not in (0, 1) or type(state0) is not int:
        raise CircuitSpecError(f"expected 0 or 1, got {state0!r}", field="state0")
    if orientation not in ("p2ap", "ap2p"):
        raise CircuitSpecError(
            f"expected 'p2ap' or 'ap2p', got {orientation!r}", field="orientation"
        )
    try:
        check_identifier(name, "name")
    except ValueError as error:
        raise CircuitSpecError(str(error), field="name") from error
    extra = {
        key: check_finite(value, f"device_params[{key!r}]")
        for key, value in (device_params or {}).items()
    }
    if rp is None:
        default = mtj_model.parameter_values(extra).get("rp")
        rp = check_positive(default, "rp")
    rp = check_positive(rp, "rp")
    seed1, seed2 = (None, None) if seeds is None else seeds
    common = {**extra, "stochastic": 0, "state0": state0}

    def terminals(node: str) -> tuple[str, str]:
        return ("gnd", node) if orientation == "p2ap" else (node, "gnd")

    elements = (
        CurrentSource("Ibias1", "gnd", "v1", dc=bias),
        CurrentSource("Ibias2", "gnd", "v2", dc=bias + delta),
        mtj_model.instance("Xmtj1", terminals("v1"), seed=seed1, **{**common, "rp": rp}),
        mtj_model.instance(
            "Xmtj2", terminals("v2"), seed=seed2, **{**common, "rp": rp * (1.0 + epsilon)}
        ),
        Vcvs("Ediff", "dout", "gnd", "v2", "v1", gain),
    )
    return Subckt(name, ("v1", "dout", "gnd"), elements=elements, subckts=(mtj_model.subckt,))
