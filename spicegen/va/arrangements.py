"""The element arrangements that stand for Verilog-A constructs ngspice's B-sources lack.

Each function is pure: names and expression texts in, netlist elements out. The rules and
their reasons are in ``docs/compiler.md``.
"""

from __future__ import annotations

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


def inline_single_use(elements: list[Element], shared: list[str]) -> list[Element]:
    """Auxiliary nodes (``B<node> <node> 0 V=expr`` read as ``v(<node>)``) that end up read
    once are substituted back into their reader, and unread ones dropped: each costs two
    unknowns (node and source current) in every instance, which only pays off when the
    expression is shared."""
    remaining = list(shared)
    changed = True
    while changed:
        changed = False
        for node in list(remaining):
            reference = f"v({node})"
            source = next(e for e in elements if isinstance(e, BSource) and e.name == f"B{node}")
            readers = [
                k
                for k, e in enumerate(elements)
                if isinstance(e, BSource) and reference in str(e.expression)
            ]
            uses = sum(
                str(getattr(elements[k], "expression", "")).count(reference) for k in readers
            )
            if uses > 1:
                continue
            for k in readers:
                reader = elements[k]
                assert isinstance(reader, BSource)
                text = str(reader.expression).replace(reference, f"({source.expression})")
                elements[k] = BSource(reader.name, reader.p, reader.n, reader.kind, text)
            elements.remove(source)
            remaining.remove(node)
            changed = True
    return elements


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
