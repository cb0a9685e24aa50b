"""The element arrangements that stand for Verilog-A constructs ngspice's B-sources lack.

Each function is pure: names and expression texts in, netlist elements out. The rules and
their reasons are in ``docs/compiler.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spicegen.netlist import (
    BSource,
    Capacitor,
    CurrentSource,
    Pwl,
    Resistor,
    TrRandom,
    VoltageSource,
)
from spicegen.netlist.elements import Element
from spicegen.netlist.validate import Value

# a read of a one-node voltage, v(<node>); a node name holds no parenthesis
_READ = re.compile(r"v\(([^()]*)\)")
IDT_GATE = "1e3"  # siemens to ic while time = 0: fixes the operating point of an integrator


def derivative(node: str, meter: str, charge: str) -> tuple[Element, ...]:
    """``ddt(charge)``: ``charge`` drives a 1 F capacitor in series with a 0 V ammeter, whose
    current ``i(V<node>)`` is d(charge)/dt, integrated by ngspice's own capacitor companion
    model with its time-step control (a B-source ``ddt()`` fails on a plain RC step in
    ngspice 46). At the operating point the capacitor is open, so the value is 0."""
    return (
        BSource(f"B{node}", node, "0", "v", charge),
        Capacitor(f"C{node}", node, meter, 1.0),
        VoltageSource(f"V{node}", meter, "0", 0.0),
    )


def integrator(node: str, integrand: str, initial: str, clock: str) -> tuple[Element, ...]:
    """``idt(integrand, initial)`` read as ``v(node)``: a 1 F capacitor charged by the
    integrand; while ``clock`` (the simulation time, 0 in every DC analysis) is 0 the source
    instead pins the node to ``initial`` through 1 kS, so every operating point and DC sweep
    holds ``initial`` and the transient is a pure integral."""
    return (
        Capacitor(f"C{node}", node, "0", 1.0),
        BSource(
            f"B{node}",
            "0",
            node,
            "i",
            f"({clock} > 0 ? {integrand} : -{IDT_GATE}*(v({node}) - {initial}))",
        ),
    )


def transient_flag(node: str) -> tuple[Element, ...]:
    """A node at 0 V in DC analyses (``.op``, ``.dc``: the source's dc value) and 1 V in a
    transient (its waveform, from the initial point on): ngspice's ``time`` cannot tell, as
    it holds the swept value during a ``.dc`` sweep. A current source into 1 ohm costs one
    unknown per instance (a voltage source would cost two)."""
    return (
        CurrentSource(f"I{node}", "0", node, 0.0, waveform=Pwl(((0.0, 1.0), (1.0, 1.0)))),
        Resistor(f"R{node}", node, "0", 1.0),
    )


@dataclass(frozen=True, slots=True)
class Shared:
    """A shared expression, ``B<node> <node> 0 V=expression`` read as ``v(<node>)``, until
    ``inline_single_use`` decides whether it stays: its text is checked only then, once, in
    the element it ends up in."""

    node: str
    expression: str


def inline_single_use(elements: Sequence[Element | Shared]) -> list[Element]:
    """Shared nodes that end up read once are substituted back into their reader, and unread
    ones dropped: each costs two unknowns (node and source current) in every instance, which
    only pays off when the expression is shared; the ones read twice or more become their
    B-source.

    Linear in the total text: reads are counted once, unread nodes are dropped by reference
    counting (a node's expression reads only nodes made before it, so the reads form a DAG),
    and each source is built, and its text checked, once with its final text. Substitution
    is textual and each inlined node has one reader, so its order does not matter."""
    # fresh names (Auxiliary.fresh): one Shared per node
    sources = {e.node: k for k, e in enumerate(elements) if isinstance(e, Shared)}
    reads: dict[int, list[str]] = {}  # index of a source -> the shared nodes it reads
    for k, element in enumerate(elements):
        if isinstance(element, (BSource, Shared)):
            found = (m.group(1) for m in _READ.finditer(str(element.expression)))
            reads[k] = [node for node in found if node in sources]
    uses = dict.fromkeys(sources, 0)
    for nodes in reads.values():
        for node in nodes:
            uses[node] += 1
    # unread nodes go, and with them their own reads, which may leave other nodes unread
    dropped: set[str] = set()
    unread = [node for node, count in uses.items() if count == 0]
    while unread:
        node = unread.pop()
        dropped.add(node)
        for read in reads[sources[node]]:
            uses[read] -= 1
            if uses[read] == 0:
                unread.append(read)
    inlined = {
        e.node: e.expression
        for e in elements
        if isinstance(e, Shared) and uses[e.node] == 1 and e.node not in dropped
    }
    removed = {sources[node] for node in (*dropped, *inlined)}
    result: list[Element] = []
    for k, element in enumerate(elements):
        if k in removed:
            continue
        if isinstance(element, Shared):
            text = _substituted(element.expression, inlined)
            result.append(BSource(f"B{element.node}", element.node, "0", "v", text))
        elif isinstance(element, BSource) and any(node in inlined for node in reads[k]):
            text = _substituted(str(element.expression), inlined)
            result.append(BSource(element.name, element.p, element.n, element.kind, text))
        else:
            result.append(element)
    return result


def _substituted(text: str, inlined: dict[str, str]) -> str:
    """``text`` with every ``v(node)`` of an ``inlined`` node replaced by ``(expression)``,
    recursively; an explicit stack, as a chain of nodes nests as deep as it is long."""
    pieces: list[str] = []
    stack: list[str | tuple[str, int]] = [(text, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        current, start = item
        for match in _READ.finditer(current, start):
            inner = inlined.get(match.group(1))
            if inner is not None:
                pieces.append(current[start : match.start()])
                pieces.append("(")
                stack.append((current, match.end()))
                stack.append(")")
                stack.append((inner, 0))
                break
        else:
            pieces.append(current[start:])
    return "".join(pieces)


def noise(node: str, distribution: str, step: Value) -> VoltageSource:
    """A held random level on ``node``, new every ``step`` s (ngspice ``trrandom``, repeatable
    under ``.options seed=N``): uniform on [0, 1) (0.5 at the operating point) or standard
    normal (0 at the operating point); outside a transient the level stays at that value."""
    if distribution == "uniform":
        waveform = TrRandom("uniform", step, 0.0, 0.5, 0.0)  # around the dc level 0.5
    else:
        waveform = TrRandom("gaussian", step, 0.0, 1.0, 0.0)
    dc = 0.5 if distribution == "uniform" else 0.0
    return VoltageSource(f"V{node}", node, "0", dc, waveform=waveform)


def port_meter(port: str, inner: str) -> VoltageSource:
    """A 0 V source from the external ``port`` to the node the model uses inside; its
    current is the current flowing into the module through the port (``I(<port>)``)."""
    return VoltageSource(f"Vport_{port}", port, inner, 0.0)


def current_branch(name: str, p: str, n: str, flow: str, meter: str | None) -> tuple[Element, ...]:
    """A current contribution; with ``meter`` (a fresh node) a 0 V source in series, named
    ``V<name>``, whose current is the branch current for ``I(p, n)`` probes."""
    if meter is None:
        return (BSource(name, p, n, "i", flow),)
    return (BSource(name, p, meter, "i", flow), VoltageSource(f"V{name}", meter, n, 0.0))


def switch_branch(
    name: str, p: str, n: str, mode: str, potential: str, flow: str, free: str
) -> tuple[Element, ...]:
    """A branch that is a voltage source while ``mode`` holds and a current source otherwise.

    ``B<name> p n V = mode ? potential : v(free)`` and, on the otherwise unconnected node
    ``free``, a source whose KCL reads ``v(free) = 0`` in voltage mode and
    ``i(B<name>) = flow`` in current mode: both modes are exact, there is no large
    conductance, and ``i(B<name>)`` is the branch current either way."""
    return (
        BSource(name, p, n, "v", f"({mode} ? {potential} : v({free}))"),
        BSource(f"{name}_mode", free, "0", "i", f"({mode} ? v({free}) : i({name}) - ({flow}))"),
    )
