"""Circuits whose decks are golden files in tests/golden (regenerate: scripts/regen_golden.py).

``GOLDEN`` maps a golden file name to a function returning its text; ``CIRCUITS`` maps the same
names to the circuits, so tests can also hand them to ngspice.
"""

from __future__ import annotations

from collections.abc import Callable

from spicegen.netlist import (
    Ac,
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    Circuit,
    CSwitch,
    CurrentSource,
    Dc,
    Exp,
    Inductor,
    InitialCondition,
    Model,
    Op,
    Option,
    Param,
    Pulse,
    Pwl,
    Resistor,
    Sine,
    Subckt,
    SubcktInstance,
    Tran,
    TrNoise,
    TrRandom,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
    to_ngspice,
)


def all_elements() -> Circuit:
    """One of every element kind and waveform, with models, params, options, .ic and .save."""
    elements = (
        VoltageSource(
            "Vdd", "vdd", "0", dc=1.0, ac=1.0, waveform=Pulse(0, 1, 0, 1e-9, 1e-9, 5e-9, 1e-8)
        ),
        VoltageSource("Vsin", "s", "0", waveform=Sine(0.0, "amp", 1e6)),
        VoltageSource("Vpwl", "p", "0", waveform=Pwl(((0, 0), (1e-9, 1), ("2n", "{amp/2}")))),
        VoltageSource("Vexp", "e", "0", waveform=Exp(0, 1, 1e-9, 1e-9, 5e-9, 1e-9)),
        VoltageSource("Vnoise", "nz", "0", waveform=TrNoise(1e-3, 1e-9)),
        VoltageSource("Vrand", "rnd", "0", waveform=TrRandom("gaussian", 1e-9, 0.0, 0.1, 0.5)),
        CurrentSource("Iin", "i1", "0", dc="1m", ac=1, waveform=Sine(0, 1e-3, 1e6, 1e-9, 1e5)),
        Resistor("R1", "vdd", "mid", "rp*(1+tmr)", params={"m": 2, "temp": 30}),
        Resistor("R2", "mid", "0", 1e3),
        Resistor("Rs", "s", "0", "1k"),
        Resistor("Rp", "p", "0", 1000),
        Resistor("Re", "e", "0", "{rp}"),
        Resistor("Rn", "nz", "0", 1e3),
        Resistor("Rr", "rnd", "0", 1e3),
        Resistor("Ri", "i1", "0", 1e3),
        Capacitor("C1", "mid", "0", 1e-12, ic=0.5),
        Inductor("L1", "mid", "l1", "1u", ic=1e-3, params={"m": 1}),
        Resistor("Rl", "l1", "0", 10.0),
        BSource("Bv", "bv", "0", "v", "v(mid)*2 + (time > 1n ? 1 : 0)"),
        BSource("Bi", "bi", "0", "i", "{i(Vdd)*gain + v(mid,0)}"),
        Resistor("Rbv", "bv", "0", 1e3),
        Resistor("Rbi", "bi", "0", 1e3),
        Vcvs("E1", "e1", "0", "mid", "0", 2.0),
        Vccs("G1", "g1", "0", "mid", "0", "1m"),
        Cccs("F1", "f1", "0", "Vdd", "gain"),
        Ccvs("H1", "h1", "0", "Vdd", 50.0),
        Resistor("Re1", "e1", "0", 1e3),
        Resistor("Rg1", "g1", "0", 1e3),
        Resistor("Rf1", "f1", "0", 1e3),
        Resistor("Rh1", "h1", "0", 1e3),
        VSwitch("S1", "sw", "0", "vdd", "0", "swm", "off"),
        CSwitch("W1", "sw2", "0", "Vdd", "cswm"),
        Resistor("Rsw", "vdd", "sw", 1e3),
        Resistor("Rsw2", "vdd", "sw2", 1e3),
        XspiceInstance("A1", (("mid",), ("dmid",)), "adc"),
        XspiceInstance("A2", ("dmid", "dinv"), "inv"),
        XspiceInstance("A3", (("dinv",), ("ainv",)), "dac"),
        XspiceInstance("A4", ("mid", "shaped"), "shape"),
        Resistor("Rainv", "ainv", "0", 1e3),
        Resistor("Rshaped", "shaped", "0", 1e3),
        SubcktInstance("X1", ("vdd", "0", "xmid"), "half"),
    )
    half = Subckt(
        "half",
        ("top", "bot", "mid"),
        elements=(Resistor("R1", "top", "mid", 1e3), Resistor("R2", "mid", "bot", 1e3)),
    )
    models = (
        Model("swm", "sw", {"vt": 0.5, "vh": 0.1, "ron": 1.0, "roff": "1meg"}),
        Model("cswm", "csw", {"it": 1e-3, "ih": 1e-4, "ron": 1.0, "roff": 1e6}),
        Model("adc", "adc_bridge", {"in_low": 0.3, "in_high": 0.7}),
        Model("inv", "d_inverter", {"rise_delay": 1e-10, "fall_delay": 1e-10}),
        Model("dac", "dac_bridge", {"out_low": 0.0, "out_high": 1.0}),
        Model("shape", "pwl", {"x_array": (-1, 0, 1), "y_array": (-2, 0, "{gain}")}),
    )
    return Circuit(
        title="all element kinds",
        elements=elements,
        subckts=(half,),
        models=models,
        params=(Param("rp", "1k"), Param("tmr", 0.5), Param("gain", "{2*tmr}"), Param("amp", 1)),
        options=(Option("method", "gear"), Option("reltol", 1e-4), Option("seed", 42)),
        analyses=(Tran(1e-10, 2e-8),),
        initial_conditions=(InitialCondition("mid", 0.25),),
        saves=("all", "v(mid)", "v(vdd,mid)", "i(Vdd)", "xmid"),
    )


def subckt_params() -> Circuit:
    """A parameterised subcircuit with .param lines, a local model and a nested definition."""
    cell = Subckt(
        "cell",
        ("a", "b"),
        params={"r0": "1k", "tmr": 1.5},
        param_statements=(Param("rp", "{r0*(1+tmr)}"),),
        models=(Model("swl", "sw", {"vt": 10, "ron": 1, "roff": 1e9}),),
        subckts=(
            Subckt(
                "leg",
                ("x", "y"),
                params={"rleg": 100},
                elements=(Resistor("R1", "x", "y", "rleg"),),
            ),
        ),
        elements=(
            Resistor("Rp", "a", "m", "rp"),
            SubcktInstance("Xleg", ("m", "b"), "leg", {"rleg": "{r0/10}"}),
            VSwitch("S1", "a", "b", "a", "b", "swl", "off"),
        ),
    )
    return Circuit(
        title="subcircuit with parameters",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            SubcktInstance("X1", ("in", "out"), "cell", {"r0": 2e3}),
            SubcktInstance("X2", ("out", "0"), "cell"),
        ),
        subckts=(cell,),
        analyses=(Op(),),
    )


def analyses() -> Circuit:
    """A divider under every analysis kind."""
    return Circuit(
        title="divider under every analysis",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0, ac=1.0, waveform=Sine(0.5, 0.5, 1e6)),
            Resistor("R1", "in", "out", 1e3),
            Resistor("R2", "out", "0", 3e3),
            Capacitor("C1", "out", "0", 1e-12),
        ),
        analyses=(
            Op(),
            Dc("V1", 0.0, 2.0, 0.25),
            Dc("V1", 1.0, 0.0, -0.5),
            Tran(1e-9, 2e-6),
            Tran(1e-9, 2e-6, 1e-6, 1e-8, uic=True),
            Ac("dec", 10, 1.0, 1e9),
            Ac("lin", 5, 1e3, 1e4),
        ),
    )


def external_sources() -> Circuit:
    """Host-driven sources (ngspice shared library only)."""
    return Circuit(
        title="external sources",
        elements=(
            VoltageSource("Vext", "a", "0", external=True),
            CurrentSource("Iext", "b", "0", external=True),
            Resistor("Ra", "a", "0", 1e3),
            Resistor("Rb", "b", "0", 1e3),
        ),
        analyses=(Tran(1e-9, 1e-8),),
    )


CIRCUITS: dict[str, Callable[[], Circuit]] = {
    "netlist_all_elements.cir": all_elements,
    "netlist_subckt_params.cir": subckt_params,
    "netlist_analyses.cir": analyses,
    "netlist_external.cir": external_sources,
}

GOLDEN: dict[str, Callable[[], str]] = {
    name: (lambda build=build: to_ngspice(build())) for name, build in CIRCUITS.items()
}
