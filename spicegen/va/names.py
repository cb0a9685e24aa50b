"""The names a lowering writes into ngspice text: which module names ngspice would misread,
and how a net becomes part of an element name."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spicegen.va import ast
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.values import RESERVED, located_error

# what ngspice takes as a subcircuit, node or parameter name (the netlist writer's rule)
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def node_key(name: str) -> str:
    """``name`` with every character that cannot be part of an element name replaced by ``_``."""
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def check_ngspice_names(checked: CheckedModule, *, reserved: bool = True) -> None:
    """ngspice folds case, reserves some names and takes only letters, digits and ``_``;
    refuse what it would misread, at the name's declaration. ``reserved=False`` lets
    parameter names that mean something in ngspice expressions, or differ only in case,
    through (the osdi target renames them)."""
    module = checked.module
    _check_plain(module.name, "module", module.loc)
    for net in (*checked.port_names, *checked.internal_nodes):
        _check_plain(net, "net", _net_location(checked, net))
    for parameter in module.parameters:
        if not parameter.local:
            _check_plain(parameter.name, "parameter", parameter.loc)
    seen: dict[str, str] = {}
    for parameter in module.parameters:
        folded = parameter.name.lower()
        if reserved and folded in RESERVED and not parameter.local:
            raise located_error(
                parameter.loc,
                f"parameter name `{parameter.name}` means something else in ngspice "
                "expressions; rename it, or compile with --target osdi",
            )
        if reserved and folded in seen and not parameter.local:
            raise located_error(
                parameter.loc,
                f"parameters `{seen[folded]}` and `{parameter.name}` differ only in case, "
                "which ngspice ignores; rename one, or compile with --target osdi",
            )
        seen[folded] = parameter.name
    nets: dict[str, str] = {}
    for net in (*checked.port_names, *checked.internal_nodes):
        if net.lower() in nets and nets[net.lower()] != net:
            raise located_error(
                module.loc,
                f"nets `{nets[net.lower()]}` and `{net}` differ only in case, which "
                "ngspice ignores; rename one",
            )
        nets[net.lower()] = net


def _check_plain(name: str, kind: str, loc: Location) -> None:
    if not _PLAIN_NAME.fullmatch(name):
        raise located_error(
            loc,
            f"{kind} name `{name}` cannot be written in an ngspice netlist (letters, digits "
            "and `_`, not starting with a digit); rename it",
        )


def _net_location(checked: CheckedModule, net: str) -> Location:
    module = checked.module
    declarations: tuple[ast.NetDeclaration | ast.PortDirection, ...] = (
        *module.nets,
        *module.directions,
    )
    for declaration in declarations:
        if net in declaration.names:
            return declaration.loc
    return module.loc


def ngspice_parameters(names: Iterable[str]) -> dict[str, str]:
    """The name ngspice sees for each parameter: itself, unless ngspice expressions reserve it
    (``pi``, ``pwr``, ...) or an earlier one differs from it only in case (ngspice folds
    case), then a suffix makes it unique (``pi_va``, ``v0_2``)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        unique = name if name.lower() not in RESERVED else f"{name}_va"
        count = 2
        while unique.lower() in taken:
            unique = f"{name}_{count}"
            count += 1
        taken.add(unique.lower())
        result[name] = unique
    return result


def access_net_names(
    checked: CheckedModule, access: str, args: tuple[ast.Expr, ...], loc: Location
) -> tuple[str, str | None]:
    """The (positive, negative) net names of ``access(args)``: two nets, one net (negative
    ``None``: ground), or a named branch."""
    names: list[str] = []
    for argument in args:
        if not isinstance(argument, ast.Identifier):
            raise located_error(argument.loc, f"expected a net or branch name in `{access}(...)`")
        names.append(argument.name)
    if len(names) == 1 and names[0] in checked.branches:
        return checked.branches[names[0]]
    if len(names) == 1:
        return names[0], None
    if len(names) == 2:
        return names[0], names[1]
    raise located_error(loc, f"access function `{access}` takes 1 or 2 nets or 1 branch")
