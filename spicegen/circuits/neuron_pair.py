"""MTJ neuron pair for analog finite-difference gradients (physics.md section 5).

Two nominally identical ``mtj`` devices (``models.load("mtj")``): ``Xmtj1`` carries the bias
current ``I`` and ``Xmtj2`` carries ``I + dI`` (current sources ``Ibias1``/``Ibias2``), so
``V1 = f(I)`` is the forward activation and ``V2 - V1 ~ f'(I) dI`` the forward difference,
read out by an ideal differential amplifier (VCVS ``Ediff``, ``gain`` V/V):
``V(dout) = gain * (V2 - V1)``.

``neuron_pair(device, NeuronPairParams(bias_current, delta_current, ...)) -> Subckt``, ports
``(v1, dout, gnd)``; inner node ``v2``. ``device`` is a ``CompiledDevice`` (or a bare
``CompiledModel``): its ``params`` go on both devices, and each device draws its own variates
from the device's seed and its name. ``mismatch`` is the relative variation of the second
device, ``rp2 = rp * (1 + mismatch)``: the pair's only error source besides the forward
difference itself (physics.md 5.3: gradient error ~ ``mismatch * V1 / dI``).

Orientation: each device's ``n`` terminal is on the biased node and ``p`` on ``gnd``
(``orientation="p2ap"``, default), so a positive bias current flows n -> p, the P -> AP
direction, and a device in the AP state (``state0=1``, the nonlinear branch: bias-dependent
TMR) keeps its state at any bias. ``orientation="ap2p"`` puts ``p`` on the biased node. The
output voltages are always ``V(v) - V(gnd) > 0`` for a positive bias. All in SI units.

``pair_elements`` builds the five elements for any node and name suffix; ``network_layer``
uses it for every neuron of a layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spicegen.circuits._checks import check_choice, check_finite, check_name, check_positive
from spicegen.circuits.devices import CompiledDevice, as_device, device_instance
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import CurrentSource, Element, Subckt, Vcvs
from spicegen.va.model import ParameterError

__all__ = ["NeuronPairParams", "neuron_pair", "pair_elements", "pair_rp"]

Orientation = Literal["p2ap", "ap2p"]


@dataclass(frozen=True, slots=True)
class NeuronPairParams:
    """An MTJ finite-difference pair (SI units).

    ``bias_current`` (A): ``I`` through the first device. ``delta_current`` (A, nonzero):
    ``dI``, the second device carries ``I + dI``. ``mismatch`` (> -1): the second device's
    ``rp`` is ``rp * (1 + mismatch)``. ``gain`` (V/V): the difference amplifier's.
    ``state0``: 0 (P) or 1 (AP), both devices. ``rp`` (ohm): the first device's parallel
    resistance; ``None`` takes the device's (its params, else the model's default).
    ``orientation``: ``"p2ap"`` or ``"ap2p"`` (module docstring). ``name``: the subckt's.
    """

    bias_current: float
    delta_current: float
    mismatch: float = 0.0
    gain: float = 1.0
    state0: int = 1
    rp: float | None = None
    orientation: Orientation = "p2ap"
    name: str = "neuron_pair"

    def __post_init__(self) -> None:
        cls = "NeuronPairParams"
        setter = object.__setattr__
        setter(self, "bias_current", check_finite(self.bias_current, f"{cls}.bias_current"))
        delta = check_finite(self.delta_current, f"{cls}.delta_current")
        if delta == 0.0:
            raise CircuitSpecError("expected a nonzero current step", field=f"{cls}.delta_current")
        setter(self, "delta_current", delta)
        epsilon = check_finite(self.mismatch, f"{cls}.mismatch")
        if epsilon <= -1.0:
            raise CircuitSpecError(f"expected > -1, got {self.mismatch!r}", field=f"{cls}.mismatch")
        setter(self, "mismatch", epsilon)
        setter(self, "gain", check_finite(self.gain, f"{cls}.gain"))
        check_choice(self.state0, (0, 1), f"{cls}.state0")
        if self.rp is not None:
            setter(self, "rp", check_positive(self.rp, f"{cls}.rp"))
        check_choice(self.orientation, ("p2ap", "ap2p"), f"{cls}.orientation")
        check_name(self.name, f"{cls}.name")


def pair_rp(device: CompiledDevice, params: NeuronPairParams) -> float:
    """The first device's ``rp`` (ohm): ``params.rp``, else the device's own value."""
    if params.rp is not None:
        return params.rp
    if "rp" not in device.model.parameters:
        raise CircuitSpecError(
            f"{device.name!r} has no parameter rp; a neuron pair takes an mtj-like model",
            field="device",
        )
    fixed = {key: value for key, value in device.params if not isinstance(value, str)}
    try:
        default = device.model.parameter_values(fixed)["rp"]
    except ParameterError as error:  # pragma: no cover - CompiledDevice checked these already
        raise CircuitSpecError(str(error), field="device") from None
    return check_positive(default, "device.params['rp']")


def pair_elements(
    device: CompiledDevice,
    params: NeuronPairParams,
    *,
    suffix: str = "",
    nodes: tuple[str, str, str, str] = ("v1", "v2", "dout", "gnd"),
    rp: float | None = None,
) -> list[Element]:
    """``Ibias1``, ``Ibias2``, ``Xmtj1``, ``Xmtj2``, ``Ediff`` (each name + ``suffix``) on
    ``nodes = (v1, v2, dout, gnd)``; ``rp`` (ohm) overrides the first device's (the second
    gets ``rp * (1 + mismatch)``)."""
    v1, v2, dout, gnd = nodes
    first = pair_rp(device, params) if rp is None else check_positive(rp, "rp")
    settings: dict[str, float | int] = {}
    if "stochastic" in device.model.parameters:  # deterministic: a pair reads f(I), not noise
        settings["stochastic"] = 0
    settings["state0"] = params.state0

    def terminals(node: str) -> tuple[str, str]:
        return (gnd, node) if params.orientation == "p2ap" else (node, gnd)

    def mtj(name: str, node: str, resistance: float) -> Element:
        given = {**settings, "rp": resistance}
        return device_instance(device, name + suffix, terminals(node), "device", given)

    bias = params.bias_current
    return [
        CurrentSource(f"Ibias1{suffix}", gnd, v1, dc=bias),
        CurrentSource(f"Ibias2{suffix}", gnd, v2, dc=bias + params.delta_current),
        mtj("Xmtj1", v1, first),
        mtj("Xmtj2", v2, first * (1.0 + params.mismatch)),
        Vcvs(f"Ediff{suffix}", dout, gnd, v2, v1, params.gain),
    ]


def neuron_pair(device: CompiledDevice | object, params: NeuronPairParams) -> Subckt:
    """The pair as a ``Subckt``, ports ``(v1, dout, gnd)``: ``V(v1) = f(I)``,
    ``V(dout) = gain * (f2(I + dI) - f(I))``; the devices run deterministic
    (``stochastic=0`` when the model has it) in state ``params.state0``."""
    mtj = as_device(device, "device")
    if not isinstance(params, NeuronPairParams):
        raise CircuitSpecError(f"expected NeuronPairParams, got {params!r}", field="params")
    elements = pair_elements(mtj, params)
    return Subckt(
        params.name, ("v1", "dout", "gnd"), elements=tuple(elements), subckts=(mtj.model.subckt,)
    )
