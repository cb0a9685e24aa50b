"""Circuit elements: one frozen dataclass per ngspice element letter, validated on construction.

Node names match ``[A-Za-z0-9_]+`` (``"0"`` is ground); element names start with the element's
letter. Values are floats in SI units or SPICE number/expression strings (see ``Value``).
``params`` take a tuple of ``(name, value)`` pairs or a dict (kept in insertion order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from math import isfinite
from typing import Any, Literal

from spicegen.netlist.errors import netlist_error
from spicegen.netlist.validate import (
    KNOWN_NODES,
    Params,
    Value,
    check_choice,
    check_element_name,
    check_expression_text,
    check_flag,
    check_identifier,
    check_node,
    check_nodes,
    check_params,
    check_value,
    match_identifier,
)
from spicegen.netlist.waveforms import WAVEFORM_TYPES, Waveform

SwitchInitial = Literal["on", "off"] | None
ParamsLike = Params | Mapping[str, Value]

# Instance parameters ngspice 39-46 accepts on R, C and L lines (checked by tests/netlist).
_RESISTOR_PARAMS = frozenset({"ac", "dtemp", "l", "m", "noisy", "scale", "tc1", "tc2", "temp", "w"})
_CAPACITOR_PARAMS = frozenset({"dtemp", "m", "scale", "tc1", "tc2", "temp"})
_INDUCTOR_PARAMS = frozenset({"dtemp", "m", "nt", "scale", "tc1", "tc2", "temp"})


def _set(owner: object, field: str, value: object) -> None:
    object.__setattr__(owner, field, value)


def _slot_setters(cls: type) -> tuple[Callable[[object, Any], None], ...]:
    """The ``__set__`` of each field's slot descriptor, in field order."""
    return tuple(getattr(cls, field.name).__set__ for field in fields(cls))


# Resistor, Capacitor and SubcktInstance are the elements a crossbar generator makes a million
# of, so they check inline in a hand-written __init__ (same signature as the generated one) and
# fill their slots through the slot descriptors: ~2x faster than a frozen dataclass __init__
# plus __post_init__, whose object.__setattr__ calls are the expensive part. The check_* calls
# below run only on the slow path and raise the error that names the field.


@dataclass(frozen=True, slots=True, init=False)
class Resistor:
    """``Rname p n value``: resistance in ohms; params such as ``m``, ``temp`` (degC), ``tc1``."""

    name: str
    p: str
    n: str
    value: Value
    params: Params = ()

    def __init__(self, name: str, p: str, n: str, value: Value, params: ParamsLike = ()) -> None:
        if type(name) is not str or not match_identifier(name) or name[0] not in "Rr":
            check_element_name(name, "Rr", "Resistor.name")
        if type(p) is not str or p not in KNOWN_NODES:
            check_node(p, "Resistor.p")
        if type(n) is not str or n not in KNOWN_NODES:
            check_node(n, "Resistor.n")
        if type(value) is not float or not isfinite(value):
            value = check_value(value, "Resistor.value")
        if params or type(params) is not tuple:  # () is the default; {} and None are checked
            params = check_params(params, "Resistor.params", _RESISTOR_PARAMS)
        set_name, set_p, set_n, set_value, set_params = _RESISTOR_SLOTS
        set_name(self, name)
        set_p(self, p)
        set_n(self, n)
        set_value(self, value)
        set_params(self, params)


_RESISTOR_SLOTS = _slot_setters(Resistor)


@dataclass(frozen=True, slots=True, init=False)
class Capacitor:
    """``Cname p n value [ic=v]``: capacitance in farads, initial voltage ``ic`` in volts."""

    name: str
    p: str
    n: str
    value: Value
    ic: Value | None = None
    params: Params = ()

    def __init__(
        self,
        name: str,
        p: str,
        n: str,
        value: Value,
        ic: Value | None = None,
        params: ParamsLike = (),
    ) -> None:
        if type(name) is not str or not match_identifier(name) or name[0] not in "Cc":
            check_element_name(name, "Cc", "Capacitor.name")
        if type(p) is not str or p not in KNOWN_NODES:
            check_node(p, "Capacitor.p")
        if type(n) is not str or n not in KNOWN_NODES:
            check_node(n, "Capacitor.n")
        if type(value) is not float or not isfinite(value):
            value = check_value(value, "Capacitor.value")
        if ic is not None:
            ic = check_value(ic, "Capacitor.ic")
        if params or type(params) is not tuple:  # () is the default; {} and None are checked
            params = check_params(params, "Capacitor.params", _CAPACITOR_PARAMS)
        set_name, set_p, set_n, set_value, set_ic, set_params = _CAPACITOR_SLOTS
        set_name(self, name)
        set_p(self, p)
        set_n(self, n)
        set_value(self, value)
        set_ic(self, ic)
        set_params(self, params)


_CAPACITOR_SLOTS = _slot_setters(Capacitor)


@dataclass(frozen=True, slots=True)
class Inductor:
    """``Lname p n value [ic=i]``: inductance in henries, initial current ``ic`` in amperes."""

    name: str
    p: str
    n: str
    value: Value
    ic: Value | None = None
    params: Params = ()

    def __post_init__(self) -> None:
        check_element_name(self.name, "Ll", "Inductor.name")
        check_node(self.p, "Inductor.p")
        check_node(self.n, "Inductor.n")
        value = check_value(self.value, "Inductor.value")
        if value is not self.value:
            _set(self, "value", value)
        if self.ic is not None:
            _set(self, "ic", check_value(self.ic, "Inductor.ic"))
        if self.params or type(self.params) is not tuple:
            _set(self, "params", check_params(self.params, "Inductor.params", _INDUCTOR_PARAMS))


def _check_source(source: VoltageSource | CurrentSource, letters: str) -> None:
    kind = type(source).__name__
    check_element_name(source.name, letters, f"{kind}.name")
    check_node(source.p, f"{kind}.p")
    check_node(source.n, f"{kind}.n")
    dc = check_value(source.dc, f"{kind}.dc")
    if dc is not source.dc:
        _set(source, "dc", dc)
    if source.ac is not None:
        _set(source, "ac", check_value(source.ac, f"{kind}.ac"))
    if source.waveform is not None and not isinstance(source.waveform, WAVEFORM_TYPES):
        raise netlist_error(
            f"{kind}.waveform",
            "expected Pulse, Sine, Pwl, Exp, TrNoise or TrRandom",
            source.waveform,
        )
    check_flag(source.external, f"{kind}.external")
    if source.external and (
        source.waveform is not None or source.ac is not None or type(dc) is str or dc != 0
    ):
        # ngspice reads 'V p n external' alone; 'dc 0 external' crashed ngspice 39.
        raise netlist_error(
            f"{kind}.external",
            "an external source takes its value from the host program; leave dc, ac and "
            "waveform unset",
            (source.dc, source.ac, source.waveform),
        )


@dataclass(frozen=True, slots=True)
class VoltageSource:
    """``Vname p n dc V [ac mag] [waveform]``, or ``Vname p n external`` (set by the host).

    ``dc`` and ``ac`` magnitude in volts; ``waveform`` drives transient analysis.
    """

    name: str
    p: str
    n: str
    dc: Value = 0.0
    ac: Value | None = None
    waveform: Waveform | None = None
    external: bool = False

    def __post_init__(self) -> None:
        _check_source(self, "Vv")


@dataclass(frozen=True, slots=True)
class CurrentSource:
    """``Iname p n dc A [ac mag] [waveform]``, or ``Iname p n external``; current flows p -> n.

    ``dc`` and ``ac`` magnitude in amperes.
    """

    name: str
    p: str
    n: str
    dc: Value = 0.0
    ac: Value | None = None
    waveform: Waveform | None = None
    external: bool = False

    def __post_init__(self) -> None:
        _check_source(self, "Ii")


@dataclass(frozen=True, slots=True)
class BSource:
    """``Bname p n V=expr`` or ``I=expr``: behavioural source, volts or amperes.

    The expression may use ``v(a)``, ``v(a,b)``, ``i(vsource)``, ``time`` and parameters; it is
    written bare (no braces), so outer braces given here are dropped.
    """

    name: str
    p: str
    n: str
    kind: Literal["v", "i"]
    expression: Value

    def __post_init__(self) -> None:
        check_element_name(self.name, "Bb", "BSource.name")
        check_node(self.p, "BSource.p")
        check_node(self.n, "BSource.n")
        check_choice(self.kind, ("v", "i"), "BSource.kind")
        if type(self.expression) is str:
            check_expression_text(self.expression, "BSource.expression", bsource=True)
        else:
            _set(self, "expression", check_value(self.expression, "BSource.expression"))


def _check_controlled(element: Vcvs | Vccs, letters: str) -> None:
    kind = type(element).__name__
    check_element_name(element.name, letters, f"{kind}.name")
    check_node(element.p, f"{kind}.p")
    check_node(element.n, f"{kind}.n")
    check_node(element.cp, f"{kind}.cp")
    check_node(element.cn, f"{kind}.cn")
    _set(element, "gain", check_value(element.gain, f"{kind}.gain"))


@dataclass(frozen=True, slots=True)
class Vcvs:
    """``Ename p n cp cn gain``: V(p,n) = gain * V(cp,cn); gain in V/V."""

    name: str
    p: str
    n: str
    cp: str
    cn: str
    gain: Value

    def __post_init__(self) -> None:
        _check_controlled(self, "Ee")


@dataclass(frozen=True, slots=True)
class Vccs:
    """``Gname p n cp cn gain``: current p -> n = gain * V(cp,cn); gain in siemens."""

    name: str
    p: str
    n: str
    cp: str
    cn: str
    gain: Value

    def __post_init__(self) -> None:
        _check_controlled(self, "Gg")


def _check_current_controlled(element: Cccs | Ccvs, letters: str) -> None:
    kind = type(element).__name__
    check_element_name(element.name, letters, f"{kind}.name")
    check_node(element.p, f"{kind}.p")
    check_node(element.n, f"{kind}.n")
    check_element_name(element.vsource, "Vv", f"{kind}.vsource")
    _set(element, "gain", check_value(element.gain, f"{kind}.gain"))


@dataclass(frozen=True, slots=True)
class Cccs:
    """``Fname p n vsource gain``: current p -> n = gain * I(vsource); gain in A/A."""

    name: str
    p: str
    n: str
    vsource: str
    gain: Value

    def __post_init__(self) -> None:
        _check_current_controlled(self, "Ff")


@dataclass(frozen=True, slots=True)
class Ccvs:
    """``Hname p n vsource gain``: V(p,n) = gain * I(vsource); gain in ohms."""

    name: str
    p: str
    n: str
    vsource: str
    gain: Value

    def __post_init__(self) -> None:
        _check_current_controlled(self, "Hh")


@dataclass(frozen=True, slots=True, init=False)
class SubcktInstance:
    """``Xname n1 n2 ... subckt p1=v1 ...``: an instance of a subcircuit definition."""

    name: str
    nodes: tuple[str, ...]
    subckt: str
    params: Params = ()

    def __init__(
        self, name: str, nodes: Sequence[str], subckt: str, params: ParamsLike = ()
    ) -> None:
        if type(name) is not str or not match_identifier(name) or name[0] not in "Xx":
            check_element_name(name, "Xx", "SubcktInstance.name")
        if type(nodes) is not tuple:
            nodes = check_nodes(nodes, "SubcktInstance.nodes")
        for node in nodes:
            if type(node) is not str or node not in KNOWN_NODES:
                check_node(node, "SubcktInstance.nodes")
        if type(subckt) is not str or not match_identifier(subckt):
            check_identifier(subckt, "SubcktInstance.subckt")
        if params or type(params) is not tuple:  # () is the default; {} and None are checked
            params = check_params(params, "SubcktInstance.params")
        set_name, set_nodes, set_subckt, set_params = _INSTANCE_SLOTS
        set_name(self, name)
        set_nodes(self, nodes)
        set_subckt(self, subckt)
        set_params(self, params)


_INSTANCE_SLOTS = _slot_setters(SubcktInstance)


def _check_switch(switch: VSwitch | CSwitch) -> None:
    kind = type(switch).__name__
    check_identifier(switch.model, f"{kind}.model")
    check_choice(switch.initial, ("on", "off", None), f"{kind}.initial")


@dataclass(frozen=True, slots=True)
class VSwitch:
    """``Sname p n cp cn model [on|off]``: voltage-controlled switch (``.model ... sw``)."""

    name: str
    p: str
    n: str
    cp: str
    cn: str
    model: str
    initial: SwitchInitial = None

    def __post_init__(self) -> None:
        check_element_name(self.name, "Ss", "VSwitch.name")
        check_node(self.p, "VSwitch.p")
        check_node(self.n, "VSwitch.n")
        check_node(self.cp, "VSwitch.cp")
        check_node(self.cn, "VSwitch.cn")
        _check_switch(self)


@dataclass(frozen=True, slots=True)
class CSwitch:
    """``Wname p n vsource model [on|off]``: current-controlled switch (``.model ... csw``)."""

    name: str
    p: str
    n: str
    vsource: str
    model: str
    initial: SwitchInitial = None

    def __post_init__(self) -> None:
        check_element_name(self.name, "Ww", "CSwitch.name")
        check_node(self.p, "CSwitch.p")
        check_node(self.n, "CSwitch.n")
        check_element_name(self.vsource, "Vv", "CSwitch.vsource")
        _check_switch(self)


@dataclass(frozen=True, slots=True)
class XspiceInstance:
    """``Aname conn ... model``: an XSPICE code-model instance.

    A connection is a node name or a non-empty tuple of node names, written as a vector
    ``[a b c]`` (e.g. ``adc_bridge`` ports).
    """

    name: str
    connections: tuple[str | tuple[str, ...], ...]
    model: str

    def __post_init__(self) -> None:
        check_element_name(self.name, "Aa", "XspiceInstance.name")
        field = "XspiceInstance.connections"
        if isinstance(self.connections, str) or not hasattr(self.connections, "__iter__"):
            raise netlist_error(
                field, "expected a tuple of nodes or node vectors", self.connections
            )
        connections: list[str | tuple[str, ...]] = []
        for connection in self.connections:
            if isinstance(connection, str):
                connections.append(check_node(connection, field))
            else:
                connections.append(check_nodes(connection, field, allow_empty=False))
        if not connections:
            raise netlist_error(field, "expected at least one connection", self.connections)
        _set(self, "connections", tuple(connections))
        check_identifier(self.model, "XspiceInstance.model")


@dataclass(frozen=True, slots=True)
class OsdiInstance:
    """``Nname n1 n2 ... model p1=v1 ...``: an instance of a device loaded through OSDI
    (its ``.model`` card names the device type)."""

    name: str
    nodes: tuple[str, ...]
    model: str
    params: Params = ()

    def __post_init__(self) -> None:
        check_element_name(self.name, "Nn", "OsdiInstance.name")
        _set(self, "nodes", check_nodes(self.nodes, "OsdiInstance.nodes", allow_empty=False))
        check_identifier(self.model, "OsdiInstance.model")
        if self.params or type(self.params) is not tuple:
            _set(self, "params", check_params(self.params, "OsdiInstance.params"))


@dataclass(frozen=True, slots=True)
class Mosfet:
    """``Mname d g s b model p1=v1 ...``: a MOSFET of a ``.model ... nmos|pmos`` card
    (instance parameters such as ``w`` and ``l`` in metres)."""

    name: str
    d: str
    g: str
    s: str
    b: str
    model: str
    params: Params = ()

    def __post_init__(self) -> None:
        check_element_name(self.name, "Mm", "Mosfet.name")
        for terminal in ("d", "g", "s", "b"):
            check_node(getattr(self, terminal), f"Mosfet.{terminal}")
        check_identifier(self.model, "Mosfet.model")
        if self.params or type(self.params) is not tuple:
            _set(self, "params", check_params(self.params, "Mosfet.params"))


Element = (
    Resistor
    | Capacitor
    | Inductor
    | VoltageSource
    | CurrentSource
    | BSource
    | Vcvs
    | Vccs
    | Cccs
    | Ccvs
    | SubcktInstance
    | VSwitch
    | CSwitch
    | XspiceInstance
    | OsdiInstance
    | Mosfet
)
ELEMENT_TYPES: tuple[type, ...] = (
    Resistor,
    Capacitor,
    Inductor,
    VoltageSource,
    CurrentSource,
    BSource,
    Vcvs,
    Vccs,
    Cccs,
    Ccvs,
    SubcktInstance,
    VSwitch,
    CSwitch,
    XspiceInstance,
    OsdiInstance,
    Mosfet,
)
