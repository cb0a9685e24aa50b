"""The unknowns of a native device: terminals, internal nets, the branch currents that
potential contributions and flow probes need, and the implicit nodes of ``idt``/``ddt``.

ngspice solves for every OSDI node; its index here is its row and column in the device's
local Jacobian. Terminals come first (ports in declared order), then internal nets, then one
flow unknown per branch whose potential is contributed or whose flow is read, then implicit
nodes added while the code is generated. Ground is no unknown: it reads 0 and takes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from spicegen.va import ast, walk
from spicegen.va.check import CheckedModel, CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.names import access_net_names

Kind = Literal["terminal", "internal", "flow", "implicit"]
Net = int | None  # an unknown's index, None for ground


@dataclass(frozen=True, slots=True)
class Node:
    """One OSDI node: ngspice names an internal one ``<instance>#<name>``."""

    name: str
    kind: Kind

    @property
    def is_flow(self) -> bool:
        return self.kind == "flow"


@dataclass(slots=True)
class Branch:
    """A branch with a flow unknown: potential contributions or flow probes reach it."""

    positive: Net
    negative: Net
    flow: int
    potential_contributed: bool = False
    meter: bool = False  # the 0 V meter of an I(<port>) probe


@dataclass(slots=True)
class Topology:
    """Nodes, access kinds and flow branches of one module."""

    checked: CheckedModule
    nodes: list[Node] = field(default_factory=list)
    nets: dict[str, int] = field(default_factory=dict)
    grounds: frozenset[str] = frozenset()
    port_inner: dict[str, str] = field(default_factory=dict)  # port -> net behind its meter
    branches: dict[tuple[Net, Net], Branch] = field(default_factory=dict)
    potential_access: frozenset[str] = frozenset()
    flow_access: frozenset[str] = frozenset()
    implicit: dict[object, int] = field(default_factory=dict)
    # internal nets set by their one potential contribution, V(x) <+ e: the net's own row is
    # the equation V(x) - e = 0 (no branch current); for V(x) <+ idt(...), the net is the
    # integrator's node itself
    sources: dict[int, ast.Contribution] = field(default_factory=dict)
    integrators: set[int] = field(default_factory=set)

    @property
    def terminal_count(self) -> int:
        """Ports and internal nets: the wrapper subckt connects the internal nets to local
        nodes, so that ngspice names them ``<instance>.<net>`` on both targets."""
        return len(self.checked.port_names) + len(self.checked.internal_nodes)

    @property
    def terminals(self) -> tuple[str, ...]:
        return (*self.checked.port_names, *self.checked.internal_nodes)

    def add_node(self, name: str, kind: Kind) -> int:
        taken = {node.name for node in self.nodes}
        unique = name
        while unique in taken:
            unique += "_"
        self.nodes.append(Node(unique, kind))
        return len(self.nodes) - 1

    def implicit_node(self, key: object, name: str) -> int:
        """The implicit node of one ``idt``/``ddt`` call site (made on first request)."""
        if key not in self.implicit:
            self.implicit[key] = self.add_node(name, "implicit")
        return self.implicit[key]

    def net(self, name: str) -> Net:
        if name in self.grounds:
            return None
        return self.nets[self.port_inner.get(name, name)]

    def is_potential(self, access: str) -> bool:
        return access in self.potential_access or access == "V"

    def access_nets(
        self, access: str, args: tuple[ast.Expr, ...], loc: Location
    ) -> tuple[Net, Net]:
        """The (positive, negative) unknowns of ``access(args)``: two nets, one net to ground,
        or a named branch."""
        positive, negative = access_net_names(self.checked, access, args, loc)
        return self.net(positive), None if negative is None else self.net(negative)

    def flow_branch(self, positive: Net, negative: Net) -> tuple[Branch, float] | None:
        """The flow branch between two unknowns and the sign of the given orientation."""
        if (positive, negative) in self.branches:
            return self.branches[(positive, negative)], 1.0
        if (negative, positive) in self.branches:
            return self.branches[(negative, positive)], -1.0
        return None

    def _add_branch(self, positive: Net, negative: Net) -> Branch:
        found = self.flow_branch(positive, negative)
        if found is not None:
            return found[0]
        name = "flow_" + "_".join(
            "gnd" if n is None else self.nodes[n].name for n in (positive, negative)
        )
        branch = Branch(positive, negative, self.add_node(name, "flow"))
        self.branches[(positive, negative)] = branch
        return branch


def topology(model: CheckedModel, checked: CheckedModule) -> Topology:
    """The nodes and flow branches of ``checked`` (implicit nodes come later)."""
    potential, flow = _access_kinds(checked)
    result = Topology(
        checked,
        grounds=frozenset(checked.ground_nodes),
        potential_access=potential,
        flow_access=flow,
    )
    for port in checked.port_names:
        result.nets[port] = result.add_node(port, "terminal")
    for net in checked.internal_nodes:
        result.nets[net] = result.add_node(net, "internal")
    meters: list[str] = []
    for call in walk.calls(checked):
        if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.PortBranch):
            port = call.args[0].name
            if port not in meters and port not in result.grounds:
                meters.append(port)
    for port in meters:  # I(<p>): a 0 V meter from the port to the net the model uses inside
        inner = f"{port}_inner"
        result.nets[inner] = result.add_node(inner, "internal")
        branch = result._add_branch(result.nets[port], result.nets[inner])
        branch.potential_contributed = True
        branch.meter = True
        result.port_inner[port] = inner
    _sole_sources(result)
    for statement in walk.contributions(checked):
        if result.is_potential(statement.access):
            positive, negative = result.access_nets(statement.access, statement.args, statement.loc)
            if positive != negative and not (negative is None and positive in result.sources):
                result._add_branch(positive, negative).potential_contributed = True
    for call in walk.calls(checked):
        if (
            isinstance(call, ast.Call)
            and call.name in result.flow_access | {"I"}
            and call.name not in checked.functions
            and call.args
            and not isinstance(call.args[0], ast.PortBranch)
        ):
            positive, negative = result.access_nets(call.name, call.args, call.loc)
            if positive != negative:
                result._add_branch(positive, negative)
    return result


def _access_kinds(checked: CheckedModule) -> tuple[frozenset[str], frozenset[str]]:
    """Access function names of potential natures and of flow natures."""
    kinds = checked.access_kinds
    potential = frozenset(name for name, kind in kinds.items() if kind == "potential")
    return potential, frozenset(name for name, kind in kinds.items() if kind == "flow")


def _unconditional(statements: tuple[ast.Statement, ...]) -> list[ast.Statement]:
    """Statements that run at every evaluation: the analog block's, through plain blocks."""
    found: list[ast.Statement] = []
    for statement in statements:
        if isinstance(statement, ast.Block):
            found.extend(_unconditional(statement.statements))
        else:
            found.append(statement)
    return found


def _sole_sources(topology: Topology) -> None:
    """Find internal nets whose only contribution is an unconditional ``V(x) <+ e``, whose
    branch current nothing reads: each saves the branch-current unknown, and an integrator
    ``V(x) <+ idt(...)`` saves its implicit node too."""
    checked = topology.checked
    touching: dict[int, list[ast.Contribution]] = {}
    for statement in walk.contributions(checked):
        nets = topology.access_nets(statement.access, statement.args, statement.loc)
        for net in set(nets):
            if net is not None:
                touching.setdefault(net, []).append(statement)
    read: set[int] = set()
    for call in walk.calls(checked):
        if isinstance(call, ast.Call) and call.name in topology.flow_access | {"I"} and call.args:
            if isinstance(call.args[0], ast.PortBranch):
                continue
            nets = topology.access_nets(call.name, call.args, call.loc)
            read.update(n for n in nets if n is not None)
    top = {id(s) for s in _unconditional(checked.module.analog)}
    internal = {topology.nets[n] for n in checked.internal_nodes}
    for net, statements in touching.items():
        if net not in internal or net in read or len(statements) != 1:
            continue
        (statement,) = statements
        nets = topology.access_nets(statement.access, statement.args, statement.loc)
        if id(statement) not in top or not topology.is_potential(statement.access):
            continue
        if nets != (net, None):
            continue
        topology.sources[net] = statement
        value = statement.value
        if isinstance(value, ast.Call) and value.name == "idt" and len(value.args) <= 2:
            topology.implicit[(value.loc, ())] = net
            topology.integrators.add(net)
