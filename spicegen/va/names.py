"""The names a lowering writes into ngspice text: which module names ngspice would misread,
and how a net becomes part of an element name."""

from __future__ import annotations

from spicegen.va.check import CheckedModule
from spicegen.va.values import RESERVED, located_error


def node_key(name: str) -> str:
    """``name`` with every character that cannot be part of an element name replaced by ``_``."""
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def check_ngspice_names(checked: CheckedModule) -> None:
    """ngspice folds case and reserves some names; refuse what it would misread."""
    module = checked.module
    seen: dict[str, str] = {}
    for parameter in module.parameters:
        folded = parameter.name.lower()
        if folded in RESERVED and not parameter.local:
            raise located_error(
                parameter.loc,
                f"parameter name `{parameter.name}` means something else in ngspice "
                "expressions; rename it",
            )
        if folded in seen and not parameter.local:
            raise located_error(
                parameter.loc,
                f"parameters `{seen[folded]}` and `{parameter.name}` differ only in case, "
                "which ngspice ignores; rename one",
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
