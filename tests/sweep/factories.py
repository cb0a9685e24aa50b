"""Circuit factories the sweep tests use (importable, as a TOML spec names them)."""

from __future__ import annotations

from collections.abc import Mapping

from spicegen.netlist import Capacitor, Circuit, Pulse, Resistor, Tran, VoltageSource


def rc(params: Mapping[str, float], seed: int) -> Circuit:
    """RC low-pass with R = ``params["r"]`` ohm and C = 1 nF, 2 us transient."""
    return Circuit(
        title="RC from a factory",
        elements=(
            VoltageSource("V1", "in", "0", waveform=Pulse(0, 1, 0, 1e-9, 1e-9, 5e-6, 10e-6)),
            Resistor("R1", "in", "out", params["r"]),
            Capacitor("C1", "out", "0", 1e-9),
        ),
        analyses=(Tran(1e-8, 2e-6),),
    )
