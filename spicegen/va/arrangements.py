"""The element arrangements that stand for Verilog-A constructs ngspice's B-sources lack.

Each function is pure: names and expression texts in, netlist elements out. The rules and
their reasons are in ``docs/compiler.md``.
"""

from __future__ import annotations

from spicegen.netlist import BSource, Capacitor, TrRandom, VoltageSource
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


def integrator(node: str, integrand: str, initial: str) -> tuple[Element, ...]:
    """``idt(integrand, initial)`` read as ``v(node)``: a 1 F capacitor charged by the
    integrand; while ``time = 0`` a second source cancels the integrand and pins the node to
    ``initial`` through 1 kS, so the operating point is exactly ``initial``."""
    return (
        Capacitor(f"C{node}", node, "0", 1.0),
        BSource(f"B{node}", "0", node, "i", integrand),
        BSource(
            f"B{node}_ic",
            node,
            "0",
            "i",
            f"(time > 0 ? 0 : {integrand} + {IDT_GATE}*(v({node}) - {initial}))",
        ),
    )


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
