"""The one device type every generator takes: a plain resistor or a compiled model.

``CompiledDevice(model, parameter, parameter_kind, params, seed)`` wraps a ``CompiledModel``
(``models.load("mtj")``, ``compile_model(...)``) with the instance parameters every instance
shares (``params``, range-checked against the model once, here), the parameter a weight or a
stored bit sets (``parameter``, crossbars and memories only) and an instance seed. Every
instance a generator makes is its own device: its ``$rdist_*``/``$random`` draws come from
``(seed, its instance name)`` (``seed=None``: the model's compile seed), so the same seed
gives the same devices and another seed other devices, and every value a generator sets on
it is range-checked like ``CompiledModel.instance`` does (``ParameterError`` becomes a
``CircuitSpecError`` naming the generator's field).

``ResistorDevice()`` is an ``R`` element of ``1/G`` ohm. A generator that needs a compiled
model (neurons) also takes a bare ``CompiledModel`` as ``CompiledDevice(model)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from spicegen.circuits._checks import FloatArray, check_seed
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import ElementBlock, Names, NetlistError, SubcktInstance
from spicegen.netlist.bulk import Column, ColumnValue
from spicegen.netlist.validate import Value, check_params
from spicegen.va import CompiledModel
from spicegen.va.model import ParameterError

ParameterKind = Literal["conductance", "resistance", "state"]
PARAMETER_KINDS: tuple[ParameterKind, ...] = ("conductance", "resistance", "state")
FixedParams = tuple[tuple[str, Value], ...]


@dataclass(frozen=True, slots=True)
class ResistorDevice:
    """A plain linear resistor (``R`` element) of resistance ``1/G`` ohm at each crosspoint."""


@dataclass(frozen=True, slots=True)
class CompiledDevice:
    """A compiled model as a device: fixed ``params``, the weight ``parameter``, a ``seed``.

    ``parameter`` is the instance parameter a weight mapping sets (crossbars, memories; not
    needed by neurons) and ``parameter_kind`` what it means: ``"conductance"`` (S),
    ``"resistance"`` (ohm, written as ``1/G``) or ``"state"`` (the device's own state, set by
    ``LinearState``). ``params``: instance parameters written on every instance (a mapping or
    pairs, e.g. ``{"stochastic": 0}``), checked against the model's ranges. ``seed``: the
    instance seed (``spicegen.seeds``): instance ``name`` draws from ``(seed, name)``;
    ``None`` uses the compile seed. Port 1 of the model goes to the row line (or the biased
    node), port 2 towards the column line. Equal devices have equal models' subcircuits.
    """

    model: CompiledModel = field(compare=False, hash=False)
    parameter: str | None = None
    parameter_kind: ParameterKind = "conductance"
    params: FixedParams = ()
    seed: int | None = None
    _identity: object = field(init=False, repr=False)

    def __post_init__(self) -> None:
        where = "CompiledDevice"
        model = self.model
        if not isinstance(model, CompiledModel):
            raise CircuitSpecError(
                f"expected a CompiledModel (models.load or compile_model), got "
                f"{type(model).__name__}",
                field=f"{where}.model",
            )
        if len(model.ports) != 2:
            raise CircuitSpecError(
                f"a device has 2 ports; {model.name!r} has {len(model.ports)} {model.ports}",
                field=f"{where}.model",
            )
        if self.parameter_kind not in PARAMETER_KINDS:
            raise CircuitSpecError(
                f"expected 'conductance', 'resistance' or 'state', got {self.parameter_kind!r}",
                field=f"{where}.parameter_kind",
            )
        if self.parameter is not None and (
            type(self.parameter) is not str or self.parameter not in model.parameters
        ):
            raise CircuitSpecError(
                f"{self.parameter!r} is not a parameter of {model.name!r} "
                f"(it has {', '.join(model.parameters) or 'none'})",
                field=f"{where}.parameter",
            )
        try:
            params = check_params(self.params, f"{where}.params")
        except NetlistError as error:
            raise CircuitSpecError(_reason(error), field=f"{where}.params") from None
        if self.parameter is not None and self.parameter in dict(params):
            raise CircuitSpecError(
                f"{self.parameter!r} is set by the weight mapping; leave it out of params",
                field=f"{where}.params",
            )
        object.__setattr__(self, "params", _checked(model, params, f"{where}.params"))
        object.__setattr__(self, "seed", check_seed(self.seed, f"{where}.seed"))
        object.__setattr__(self, "_identity", (model.subckt, model.seed))

    @property
    def name(self) -> str:
        """The model's (subcircuit's) name."""
        return self.model.name


Device = ResistorDevice | CompiledDevice


def _reason(error: NetlistError) -> str:
    """A netlist error's message without its field (the generator's field replaces it)."""
    return str(error).removeprefix(f"{error.field}: ")


def _checked(model: CompiledModel, params: FixedParams, field: str) -> FixedParams:
    """``params`` with numbers range-checked and converted by the model (strings unchecked)."""
    numeric = {name: value for name, value in params if not isinstance(value, str)}
    try:
        values = model.parameter_values(numeric)
    except ParameterError as error:
        raise CircuitSpecError(str(error), field=field) from None
    return tuple((name, values[name] if name in numeric else value) for name, value in params)


def as_device(device: object, field: str) -> CompiledDevice:
    """A ``CompiledDevice``, or a bare ``CompiledModel`` taken as ``CompiledDevice(model)``."""
    if isinstance(device, CompiledModel):
        return CompiledDevice(device)
    if not isinstance(device, CompiledDevice):
        raise CircuitSpecError(
            f"expected a CompiledDevice or CompiledModel, got {device!r}", field=field
        )
    return device


def device_instance(
    device: CompiledDevice,
    name: str,
    nodes: tuple[str, ...],
    field: str,
    params: Mapping[str, Value] | None = None,
) -> SubcktInstance:
    """Instance ``name`` of the device: ``params`` (range-checked), the fixed ones, its draws."""
    given = dict(params or {})
    fixed = {key: value for key, value in device.params if key not in given}
    try:
        return device.model.instance(name, nodes, seed=device.seed, **given, **fixed)
    except ParameterError as error:
        raise CircuitSpecError(str(error), field=field) from None
    except NetlistError as error:
        raise CircuitSpecError(_reason(error), field=field) from None


def device_variates(
    device: CompiledDevice, names: Sequence[str]
) -> tuple[dict[str, float | int], ...]:
    """The draws each named instance of the device takes (``device_instance`` makes the same)."""
    return device.model.variates(names, device.seed)


def instance_values(device: Device, mapped: FloatArray) -> FloatArray:
    """What a weight puts on each instance: resistance (ohm), conductance (S) or state."""
    if isinstance(device, ResistorDevice) or device.parameter_kind == "resistance":
        return 1.0 / mapped
    return mapped


def checked_rows(device: Device, values: FloatArray, field: str) -> list[list[float]]:
    """``instance_values`` as rows of floats, range-checked in bulk for a compiled device."""
    rows: list[list[float]] = values.tolist()
    if isinstance(device, CompiledDevice):
        assert device.parameter is not None
        fixed = {key: value for key, value in device.params if not isinstance(value, str)}
        flat = [value for row in rows for value in row]
        try:
            column = device.model.parameter_column(fixed, device.parameter, flat)
        except ParameterError as error:
            raise CircuitSpecError(str(error), field=field) from None
        width = values.shape[1]
        rows = [list(column[k : k + width]) for k in range(0, len(column), width)]
    return rows


def cell_block(
    device: Device, names: Names, nodes: tuple[Column, Column], values: list[float]
) -> ElementBlock:
    """The devices of one run of cells as a block: ``R`` elements of ``values`` ohm, or
    instances with ``parameter`` at ``values`` (checked by ``checked_rows``), the fixed
    parameters and each instance's own draws."""
    if isinstance(device, ResistorDevice):
        return ElementBlock("R", (names,), nodes, tuple(values))
    assert device.parameter is not None
    # the netlist names of the parameters: the osdi target renames those ngspice reserves
    # (``pi`` -> ``pi_va``), as ``CompiledModel.instance`` does on the element path
    renamed = device.model.renamed
    params: list[tuple[str, ColumnValue]] = [
        (renamed.get(key, key), value)
        for key, value in [(device.parameter, tuple(values)), *device.params]
    ]
    draws = device.model.draws
    if draws:
        variates = device_variates(device, names.strings())
        params += [(d.parameter, tuple(v[d.parameter] for v in variates)) for d in draws]
    return ElementBlock("X", (names,), nodes, target=device.name, params=tuple(params))
