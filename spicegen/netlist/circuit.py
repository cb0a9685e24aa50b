"""Containers: ``.model``, ``.param``, ``.options``, ``.ic``, subcircuits and the whole circuit."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from spicegen.netlist.analyses import ANALYSIS_TYPES, Analysis
from spicegen.netlist.bulk import ElementBlock
from spicegen.netlist.elements import ELEMENT_TYPES, Element
from spicegen.netlist.errors import netlist_error
from spicegen.netlist.validate import (
    Params,
    Value,
    VectorValue,
    check_expression_text,
    check_identifier,
    check_node,
    check_nodes,
    check_params,
    check_path,
    check_save,
    check_title,
    check_unique,
    check_value,
    is_number_text,
)

_ELEMENT_TYPE_SET = frozenset(ELEMENT_TYPES)


def _tuple_of(items: object, kinds: tuple[type, ...], field: str, what: str) -> tuple[Any, ...]:
    """``items`` as a tuple whose members are all instances of ``kinds``."""
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise netlist_error(field, f"expected a tuple of {what}", items)
    result = items if type(items) is tuple else tuple(items)
    found = {type(item) for item in result}
    if not found.issubset(kinds):
        for item in result:
            if not isinstance(item, kinds):
                raise netlist_error(field, f"expected {what}", item)
    return result


def _elements(items: object, field: str) -> tuple[Element, ...]:
    elements = _tuple_of(items, ELEMENT_TYPES, field, "elements")
    check_unique([element.name for element in elements], field, "element")
    return elements


@dataclass(frozen=True, slots=True)
class Model:
    """``.model name kind(p1=v1 ...)``; a tuple value is an XSPICE vector ``[a b c]``.

    ``library`` is the OSDI library that defines ``kind`` (a device compiled by
    ``compile_model(..., target="osdi")``, or one the user names): the engine loads it before
    the deck. The netlist text never carries it.
    """

    name: str
    kind: str
    params: tuple[tuple[str, VectorValue], ...] = ()
    library: str | None = None

    def __post_init__(self) -> None:
        check_identifier(self.name, "Model.name")
        check_identifier(self.kind, "Model.kind")
        if self.params or type(self.params) is not tuple:
            params = check_params(self.params, "Model.params", vectors=True)
            object.__setattr__(self, "params", params)
        if self.library is not None:
            object.__setattr__(self, "library", check_path(self.library, "Model.library"))


@dataclass(frozen=True, slots=True)
class Param:
    """``.param name=value``: a netlist parameter (number or expression)."""

    name: str
    value: Value

    def __post_init__(self) -> None:
        check_identifier(self.name, "Param.name")
        object.__setattr__(self, "value", check_value(self.value, "Param.value"))


@dataclass(frozen=True, slots=True)
class Option:
    """``.options name[=value]``; a string value is a word (``method=gear``) or a SPICE number."""

    name: str
    value: float | int | str | None = None

    def __post_init__(self) -> None:
        check_identifier(self.name, "Option.name")
        if self.value is None:
            return
        if isinstance(self.value, str):
            if not is_number_text(check_expression_text(self.value, "Option.value")):
                check_identifier(self.value, "Option.value")
        else:
            object.__setattr__(self, "value", check_value(self.value, "Option.value"))


@dataclass(frozen=True, slots=True)
class InitialCondition:
    """``.ic v(node)=value``: initial node voltage in volts."""

    node: str
    value: Value

    def __post_init__(self) -> None:
        check_node(self.node, "InitialCondition.node")
        object.__setattr__(self, "value", check_value(self.value, "InitialCondition.value"))


@dataclass(frozen=True, slots=True)
class Subckt:
    """``.subckt name ports params: a=1 ...`` ... ``.ends name``.

    ``params`` are the defaults an instance may override; ``param_statements`` are ``.param``
    lines inside the body; ``subckts`` are nested definitions local to this one. ``blocks`` are
    ``ElementBlock``s written after ``elements`` (a generator's bulk path; their names are the
    generator's promise to be unique and are not compared with the elements').
    """

    name: str
    ports: tuple[str, ...]
    params: Params = ()
    elements: tuple[Element, ...] = ()
    models: tuple[Model, ...] = ()
    subckts: tuple[Subckt, ...] = ()
    param_statements: tuple[Param, ...] = ()
    blocks: tuple[ElementBlock, ...] = ()

    def __post_init__(self) -> None:
        check_identifier(self.name, "Subckt.name")
        ports = check_nodes(self.ports, "Subckt.ports")
        check_unique(ports, "Subckt.ports", "port")
        object.__setattr__(self, "ports", ports)
        if self.params or type(self.params) is not tuple:
            object.__setattr__(self, "params", check_params(self.params, "Subckt.params"))
        _set_members(self, "Subckt")
        blocks = _tuple_of(self.blocks, (ElementBlock,), "Subckt.blocks", "ElementBlock")
        object.__setattr__(self, "blocks", blocks)


def _set_members(owner: Subckt | Circuit, kind: str) -> None:
    """Check and store the collections a Subckt and a Circuit share."""
    setter = object.__setattr__
    setter(owner, "elements", _elements(owner.elements, f"{kind}.elements"))
    models = _tuple_of(owner.models, (Model,), f"{kind}.models", "Model")
    check_unique([model.name for model in models], f"{kind}.models", "model")
    setter(owner, "models", models)
    subckts = _tuple_of(owner.subckts, (Subckt,), f"{kind}.subckts", "Subckt")
    check_unique([subckt.name for subckt in subckts], f"{kind}.subckts", "subckt")
    setter(owner, "subckts", subckts)
    field = "param_statements" if kind == "Subckt" else "params"
    params = _tuple_of(getattr(owner, field), (Param,), f"{kind}.{field}", "Param")
    check_unique([param.name for param in params], f"{kind}.{field}", "parameter")
    setter(owner, field, params)


@dataclass(frozen=True, slots=True)
class Circuit:
    """A whole ngspice deck: title line, definitions, elements, analyses.

    ``includes`` are file paths written as ``.include "path"``; ``saves`` are output vectors
    (``all``, a node, ``v(node)``, ``v(a,b)``, ``i(vsource)``).
    """

    title: str
    elements: tuple[Element, ...] = ()
    subckts: tuple[Subckt, ...] = ()
    models: tuple[Model, ...] = ()
    params: tuple[Param, ...] = ()
    options: tuple[Option, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    initial_conditions: tuple[InitialCondition, ...] = ()
    includes: tuple[str, ...] = ()
    saves: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_title(self.title, "Circuit.title")
        _set_members(self, "Circuit")
        setter = object.__setattr__
        options = _tuple_of(self.options, (Option,), "Circuit.options", "Option")
        check_unique([option.name for option in options], "Circuit.options", "option")
        setter(self, "options", options)
        setter(
            self,
            "analyses",
            _tuple_of(self.analyses, ANALYSIS_TYPES, "Circuit.analyses", "Analysis"),
        )
        conditions = _tuple_of(
            self.initial_conditions,
            (InitialCondition,),
            "Circuit.initial_conditions",
            "InitialCondition",
        )
        check_unique([ic.node for ic in conditions], "Circuit.initial_conditions", "node")
        setter(self, "initial_conditions", conditions)
        setter(self, "includes", _strings(self.includes, "Circuit.includes", check_path))
        setter(self, "saves", _strings(self.saves, "Circuit.saves", check_save))

    def with_analyses(self, *analyses: Analysis) -> Circuit:
        """The same circuit with ``analyses`` replacing its own."""
        return dataclasses.replace(self, analyses=analyses)


def _strings(items: object, field: str, check: Callable[[object, str], str]) -> tuple[str, ...]:
    if isinstance(items, str | os.PathLike) or not isinstance(items, Iterable):
        raise netlist_error(field, "expected a tuple", items)
    return tuple(check(item, field) for item in items)
