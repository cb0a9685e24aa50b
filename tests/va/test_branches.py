"""Current probes (I(<port>), I(a,b) of current branches), switch branches and the seeded
transient noise functions, compiled and simulated with the real ngspice against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import (
    Circuit,
    Op,
    Option,
    Pulse,
    Resistor,
    Subckt,
    SubcktInstance,
    Tran,
    VoltageSource,
)
from spicegen.va.compile import compile_va

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'


def _compile(body: str) -> Subckt:
    return compile_va(HEADER + body, filename="m.va")


def _circuit(subckt: Subckt, *elements: object, seed: int | None = None) -> Circuit:
    options = () if seed is None else (Option("seed", seed),)
    return Circuit("branches", elements=elements, subckts=(subckt,), options=options)  # type: ignore[arg-type]


SENSE = """module sense(p, n, out);
  inout p, n, out; electrical p, n, out;
  parameter real r = 1k, gain = 1k;
  analog begin
    I(p, n) <+ V(p, n)/r;
    V(out) <+ gain*I(<p>);
  end
endmodule
"""


def test_port_current_probe_reads_the_current_into_the_port() -> None:
    subckt = _compile(SENSE)
    circuit = _circuit(
        subckt,
        VoltageSource("V1", "a", "0", 2.0),
        SubcktInstance("X1", ("a", "0", "out"), "sense", {"r": 4e3, "gain": 1e3}),
        Resistor("Rload", "out", "0", 1e3),
    )
    w = simulate(circuit, Op()).waveforms
    # 2 V / 4k = 0.5 mA into port p; the output source's own load does not flow through p
    assert w.v("out")[0] == pytest.approx(1e3 * 0.5e-3, rel=1e-9)
    assert -w.i("V1")[0] == pytest.approx(0.5e-3, rel=1e-9)


@pytest.mark.parametrize(("probe", "sign"), [("I(p, n)", 1.0), ("I(n, p)", -1.0)])
def test_current_probe_of_a_current_branch(probe: str, sign: float) -> None:
    subckt = _compile(
        f"""module meter(p, n, out);
  inout p, n, out; electrical p, n, out;
  analog begin
    V(out) <+ 1k*{probe};
    I(p, n) <+ V(p, n)/2k;
    I(n, p) <+ -V(p, n)/2k;
  end
endmodule
"""
    )
    circuit = _circuit(
        subckt,
        VoltageSource("V1", "a", "0", 3.0),
        SubcktInstance("X1", ("a", "0", "out"), "meter"),
    )
    w = simulate(circuit, Op()).waveforms
    # two contributions of 1.5 mA each, in opposite orientations of the same branch, add up
    assert w.v("out")[0] == pytest.approx(sign * 3.0, rel=1e-9)


SWITCH = """module sw(p, n, c, out);
  inout p, n, c, out; electrical p, n, c, out;
  parameter real vclamp = 0.2, r = 1k;
  analog begin
    if (V(c) > 0.5)
      V(p, n) <+ vclamp;
    else
      I(p, n) <+ V(p, n)/r;
    V(out) <+ 1k*I(p, n);
  end
endmodule
"""


@pytest.mark.parametrize(("control", "v_p", "current"), [(1.0, 0.2, 0.8e-3), (0.0, 0.5, 0.5e-3)])
def test_switch_branch_is_a_voltage_or_a_current_source(
    control: float, v_p: float, current: float
) -> None:
    subckt = _compile(SWITCH)
    circuit = _circuit(
        subckt,
        VoltageSource("Vs", "s", "0", 1.0),
        VoltageSource("Vc", "c", "0", control),
        Resistor("R1", "s", "p", 1e3),
        SubcktInstance("X1", ("p", "0", "c", "out"), "sw"),
    )
    w = simulate(circuit, Op()).waveforms
    assert w.v("p")[0] == pytest.approx(v_p, abs=1e-9)
    assert w.v("out")[0] == pytest.approx(1e3 * current, rel=1e-6)


def test_switch_branch_toggles_in_transient() -> None:
    subckt = _compile(
        """module short(p, n, c);
  inout p, n, c; electrical p, n, c;
  analog if (V(c) > 0.5) V(p, n) <+ 0;
endmodule
"""
    )
    circuit = _circuit(
        subckt,
        VoltageSource("Vs", "s", "0", 1.0),
        VoltageSource("Vc", "c", "0", 0.0, waveform=Pulse(0, 1, 1e-6, 1e-9, 1e-9, 1e-6, 4e-6)),
        Resistor("R1", "s", "p", 1e3),
        SubcktInstance("X1", ("p", "0", "c"), "short"),
    )
    w = simulate(circuit, Tran(1e-8, 4e-6)).waveforms
    t, v = w.axis, w.v("p")
    assert t is not None
    open_, shorted = (t > 0.2e-6) & (t < 0.9e-6), (t > 1.2e-6) & (t < 1.9e-6)
    np.testing.assert_allclose(v[open_], 1.0, atol=1e-9)  # open: no current, no drop in R1
    np.testing.assert_allclose(v[shorted], 0.0, atol=1e-9)
    np.testing.assert_allclose(v[(t > 2.2e-6) & (t < 4e-6)], 1.0, atol=1e-9)


NOISE = """module noise(u, z, w);
  inout u, z, w; electrical u, z, w;
  parameter real ts = 1u, psd = 2e-6;
  analog begin
    V(u) <+ $noise_uniform(ts);
    V(z) <+ $noise_normal(ts);
    V(w) <+ white_noise(psd, "thermal");
  end
endmodule
"""


def _noise(seed: int, **params: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    circuit = _circuit(
        _compile(NOISE), SubcktInstance("X1", ("u", "z", "w"), "noise", params), seed=seed
    )
    w = simulate(circuit, Tran(1e-6, 400e-6)).waveforms
    # sample in the middle of every hold interval
    t = (np.arange(1, 400) + 0.5) * 1e-6
    assert w.axis is not None
    u, z, white = (np.interp(t, w.axis, w.v(n)) for n in ("u", "z", "w"))
    return u, z, white, t


def test_noise_levels_are_held_seeded_and_distributed_as_documented() -> None:
    u, z, w, _ = _noise(7, noise_step=1e-6)
    assert u.min() >= 0 and u.max() < 1
    assert u.mean() == pytest.approx(0.5, abs=4 * np.sqrt(1 / 12 / len(u)))
    assert z.mean() == pytest.approx(0.0, abs=4 / np.sqrt(len(z)))
    assert z.std() == pytest.approx(1.0, rel=0.15)
    # white_noise(pwr) with noise_step ts: variance pwr/(2 ts) = 1 here
    assert w.std() == pytest.approx(1.0, rel=0.15)
    assert len(np.unique(np.round(u, 12))) > 390  # a fresh level every microsecond
    again = _noise(7, noise_step=1e-6)
    for first, second in zip((u, z, w), again[:3], strict=True):
        np.testing.assert_array_equal(first, second)
    other = _noise(8, noise_step=1e-6)
    assert not np.allclose(u, other[0])


def test_noise_is_quiet_at_the_operating_point() -> None:
    circuit = _circuit(_compile(NOISE), SubcktInstance("X1", ("u", "z", "w"), "noise"), seed=1)
    w = simulate(circuit, Op()).waveforms
    assert w.v("u")[0] == pytest.approx(0.5)
    assert w.v("z")[0] == pytest.approx(0.0, abs=1e-12)
    assert w.v("w")[0] == pytest.approx(0.0, abs=1e-12)


def test_internal_nodes_and_sources_of_an_instance_can_be_saved() -> None:
    subckt = _compile(
        """module lag(p, n);
  inout p, n; electrical p, n; electrical s;
  analog begin
    I(s) <+ V(s) - V(p, n) + ddt(1u*V(s));
    I(p, n) <+ V(p, n)/1k;
  end
endmodule
"""
    )
    circuit = Circuit(
        "saves",
        elements=(VoltageSource("V1", "a", "0", 2.0), SubcktInstance("X1", ("a", "0"), "lag")),
        subckts=(subckt,),
        saves=("v(x1.s)", "i(V1)"),
    )
    w = simulate(circuit, Op()).waveforms
    assert w.v("x1.s")[0] == pytest.approx(2.0, rel=1e-9)  # the state follows V(p,n) at DC


def test_state_and_abstime_hold_through_a_dc_sweep() -> None:
    # ngspice's `time` holds the swept value during .dc; the integrator must still sit at its
    # initial condition and $abstime read 0 (LRM: DC analyses have no time)
    subckt = _compile(
        """module stateful(p, n, t);
  inout p, n, t; electrical p, n, t;
  real x;
  analog begin
    x = idt(V(p, n), 0.5);
    I(p, n) <+ x*V(p, n)/1k;
    V(t) <+ $abstime;
  end
endmodule
"""
    )
    from spicegen.netlist import Dc

    circuit = _circuit(
        subckt,
        VoltageSource("V1", "a", "0", 0.0),
        SubcktInstance("X1", ("a", "0", "t"), "stateful"),
    )
    w = simulate(circuit, Dc("V1", 0.1, 1.0, 0.1)).waveforms
    volts = w.v("a")
    np.testing.assert_allclose(-w.i("V1"), 0.5 * volts / 1e3, rtol=1e-9)
    np.testing.assert_allclose(w.v("t"), 0.0, atol=1e-15)
