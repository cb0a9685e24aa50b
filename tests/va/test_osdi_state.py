"""The osdi target's state and events, simulated in ngspice and checked against closed forms:
held variables, rejected steps, initial_step, cross/above/timer, $bound_step, time and
temperature, $simparam, random draws, transient noise, messages and model errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import Circuit, Dc, Op, Option, Pulse, Sine, Tran, VoltageSource
from spicegen.sim import ModelError
from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model
from tests.va.osdi_harness import TRANSIENT, Device

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'


def _model(body: str, **kwargs: object) -> CompiledModel:
    return compile_model(HEADER + body, target="osdi", filename="m.va", **kwargs)  # type: ignore[arg-type]


def _probe(model: CompiledModel, drive: VoltageSource | None = None, **params: float) -> Circuit:
    """The model between ``a`` and ground, driven by ``drive`` (default 0 V)."""
    source = drive or VoltageSource("V1", "a", "0", 0.0)
    return Circuit(
        "probe",
        elements=(source, model.instance("X1", ("a", "0"), **params)),
        subckts=(model.subckt,),
    )


def _current(circuit: Circuit, analysis: object) -> tuple[np.ndarray, np.ndarray]:
    """(time or sweep, current into the model) of a probe circuit."""
    w = simulate(circuit, analysis).waveforms  # type: ignore[arg-type]
    axis = w["time"] if "time" in w else w.v("a")
    return np.asarray(axis), -np.asarray(w.i("v1"))


# A value read out through a current: I = value * 1 uA, plus a 1 Mohm conductance so the
# device is never floating.
READOUT = "I(p, n) <+ 1u*({value}) + V(p, n)/1M;"


def test_a_held_variable_integrates_like_the_models_own_euler_step() -> None:
    # dx/dt = (1 - x)/tau written as explicit Euler on accepted points: x(t) = 1 - exp(-t/tau)
    # to first order in the step (bounded to tau/200: error <= ~ dt/(2 tau) = 2.5e-3)
    model = _model(
        """module euler(p, n);
  inout p, n; electrical p, n;
  parameter real tau = 1u;
  real x, t_last;
  analog begin
    @(initial_step) begin x = 0; t_last = 0; end
    x = x + ($abstime - t_last)*(1 - x)/tau;
    t_last = $abstime;
    $bound_step(tau/200);
    """
        + READOUT.format(value="x")
        + """
  end
endmodule
"""
    )
    time, current = _current(_probe(model), Tran(step=1e-8, stop=5e-6))
    x = current / 1e-6
    assert np.max(np.diff(time)) <= 1e-6 / 200 * (1 + 1e-9)
    np.testing.assert_allclose(x, 1 - np.exp(-time / 1e-6), atol=3e-3)


def test_the_same_state_on_an_idt_node_is_integrated_by_ngspice() -> None:
    # the integrating node is solved with ngspice's own (second-order) method and error
    # control: reltol 1e-3 on the state
    model = _model(
        """module node(p, n);
  inout p, n; electrical p, n;
  parameter real tau = 1u;
  real x;
  analog begin
    x = idt((1 - V(s))/tau, 0);
    V(s) <+ x;
    """
        + READOUT.format(value="V(s)")
        + """
  end
  electrical s;
endmodule
"""
    )
    time, current = _current(_probe(model), Tran(step=1e-8, stop=5e-6))
    np.testing.assert_allclose(current / 1e-6, 1 - np.exp(-time / 1e-6), atol=2e-3)


def test_rejected_steps_never_reach_held_state() -> None:
    # count = count + 1 at every evaluation; held values commit only at accepted points, so
    # at the k-th output point (the operating point is 0) the count is exactly k + 1, however
    # many Newton iterations and rejected steps the sharp edges cause
    model = _model(
        """module counter(p, n);
  inout p, n; electrical p, n;
  integer count;
  analog begin
    count = count + 1;
    I(p, n) <+ 1u*count + 1m*tanh(20*V(p, n));
  end
endmodule
"""
    )
    edge = Pulse(0.0, 1.0, 1e-7, 1e-10, 1e-10, 2e-7, 5e-7)
    circuit = _probe(model, VoltageSource("V1", "a", "0", 0.0, waveform=edge))
    time, current = _current(circuit, Tran(step=1e-9, stop=2e-6))
    count = np.round((current - 1e-3 * np.tanh(20 * circuit_voltage(time, edge))) / 1e-6)
    np.testing.assert_array_equal(count, np.arange(1, len(time) + 1))


def circuit_voltage(time: np.ndarray, pulse: Pulse) -> np.ndarray:
    """The pulse source's voltage at ``time`` (one period shape, repeated)."""
    delay, rise, fall, width, period = (
        float(v)  # type: ignore[arg-type]
        for v in (pulse.delay, pulse.rise, pulse.fall, pulse.width, pulse.period)
    )
    t = np.mod(np.maximum(time - delay, 0.0), period)
    rising = np.clip(t / rise, 0.0, 1.0)
    falling = np.clip((t - rise - width) / fall, 0.0, 1.0)
    level = np.where(t < rise + width, rising, 1.0 - falling)
    low, high = float(pulse.v1), float(pulse.v2)  # type: ignore[arg-type]
    return np.where(time < float(pulse.delay), low, low + (high - low) * level)  # type: ignore[arg-type]


def test_a_rejected_step_is_dropped_when_called_directly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the commit rule itself: evaluations at t = 1, 2 (rejected), 1.5 and 3 ns: the value
    # read at 1.5 ns comes from the point accepted at 1 ns, not from the rejected 2 ns
    model = _model(
        """module last(p, n);
  inout p, n; electrical p, n;
  real seen, now;
  analog begin
    seen = now;
    now = $abstime;
    I(p, n) <+ seen;
  end
endmodule
"""
    )
    device = Device(model.library)  # type: ignore[arg-type]
    read = {}
    for t in (1e-9, 2e-9, 1.5e-9, 3e-9):
        residual, _, _, _ = device.evaluate([0.0, 0.0], TRANSIENT, t)
        read[t] = residual[0]
    assert read[1.5e-9] == 1e-9  # not 2e-9, which was rejected
    assert read[3e-9] == 1.5e-9


def test_initial_step_runs_at_the_first_point_only() -> None:
    model = _model(
        """module once(p, n);
  inout p, n; electrical p, n;
  integer runs, tran;
  analog begin
    @(initial_step) runs = runs + 1;
    @(initial_step("tran")) tran = tran + 1;
    """
        + READOUT.format(value="runs + 10*tran")
        + """
  end
endmodule
"""
    )
    _, current = _current(_probe(model), Tran(step=1e-9, stop=1e-7))
    # once in the transient's operating point (held through every Newton iteration there)
    np.testing.assert_allclose(current / 1e-6, 11.0, atol=1e-6)
    _, static = _current(_probe(model), Op())
    np.testing.assert_allclose(static / 1e-6, 1.0, atol=1e-6)  # initial_step("tran"): no


def test_cross_fires_where_the_signal_crosses_and_lands_a_step_there() -> None:
    frequency = 1e6
    model = _model(
        """module edge(p, n);
  inout p, n; electrical p, n;
  integer rising;
  real at;
  analog begin
    @(cross(V(p, n) - 0.5, +1, 1p)) begin rising = rising + 1; at = $abstime; end
    I(p, n) <+ 1u*rising + V(p, n)/1M;
  end
endmodule
"""
    )
    drive = VoltageSource("V1", "a", "0", 0.0, waveform=Sine(0.0, 1.0, frequency))
    time, current = _current(_probe(model, drive), Tran(step=2e-8, stop=3.2e-6))
    count = np.round((current - np.sin(2 * np.pi * frequency * time) / 1e6) / 1e-6)
    # sin(2 pi f t) = 0.5 rising at t = (1/12 + k)/f: the count steps there
    crossings = (1 / 12 + np.arange(4)) / frequency
    expected = np.searchsorted(crossings, time, side="right")
    mismatch = np.nonzero(count != expected)[0]
    # a step that passes a crossing is retried to land on it: a point within 1e-4 of a
    # period of every crossing (ngspice retries a step only when the bound is below 0.9 of
    # it, so the last retry can stop short of the 1 ps asked for) ...
    near = 1e-4 / frequency
    for crossing in crossings:
        assert np.min(np.abs(time - crossing)) < near
    # ... and only a point that close may count either way
    assert all(np.min(np.abs(time[k] - crossings)) < near for k in mismatch)


def test_timer_fires_on_its_period_at_points_it_lands_on() -> None:
    model = _model(
        """module tick(p, n);
  inout p, n; electrical p, n;
  integer ticks;
  analog begin
    @(timer(100n, 250n)) ticks = ticks + 1;
    I(p, n) <+ 1u*ticks + V(p, n)/1M;
  end
endmodule
"""
    )
    time, current = _current(_probe(model), Tran(step=1e-7, stop=1e-6))
    ticks = np.round(current / 1e-6)
    fires = 100e-9 + 250e-9 * np.arange(4)
    for fire in fires:
        assert np.min(np.abs(time - fire)) < 1e-15 * 1e6  # a point on every firing time
    expected = np.searchsorted(fires, time + 1e-15, side="right")
    np.testing.assert_array_equal(ticks, expected)


def test_above_fires_at_the_start_when_already_above() -> None:
    model = _model(
        """module high(p, n);
  inout p, n; electrical p, n;
  integer seen;
  analog begin
    @(above(V(p, n) - 0.2)) seen = seen + 1;
    I(p, n) <+ 1u*seen + V(p, n)/1M;
  end
endmodule
"""
    )
    drive = VoltageSource("V1", "a", "0", 1.0)
    _, current = _current(_probe(model, drive), Tran(step=1e-9, stop=5e-8))
    np.testing.assert_allclose((current - 1e-6) / 1e-6, 1.0, atol=1e-6)


def test_time_temperature_and_thermal_voltage() -> None:
    model = _model(
        """module clock(p, n);
  inout p, n; electrical p, n;
  analog I(p, n) <+ 1u*($abstime/1u) + 1n*$temperature + 1p*($vt/1m) + 1f*$realtime;
endmodule
"""
    )
    circuit = _probe(model)
    hot = Circuit(
        circuit.title,
        elements=circuit.elements,
        subckts=circuit.subckts,
        options=(Option("temp", 50.0),),
    )
    time, current = _current(hot, Tran(step=1e-7, stop=1e-6))
    temperature = 273.15 + 50.0
    vt = 1.380649e-23 * temperature / 1.602176634e-19
    expected = 1e-6 * time / 1e-6 + 1e-9 * temperature + 1e-12 * vt / 1e-3 + 1e-15 * time
    np.testing.assert_allclose(current, expected, rtol=1e-9, atol=1e-18)


def test_simparam_reads_ngspice_and_falls_back_to_its_default() -> None:
    model = _model(
        """module sim(p, n);
  inout p, n; electrical p, n;
  analog I(p, n) <+ 1u*($simparam("gmin")/1e-12) + 1n*$simparam("nosuch", 7);
endmodule
"""
    )
    _, current = _current(_probe(model), Op())
    assert current[0] == pytest.approx(1e-6 + 7e-9, rel=1e-9)  # ngspice's gmin is 1e-12


def test_simparam_without_default_of_an_unknown_name_is_a_model_error() -> None:
    model = _model(
        """module sim(p, n);
  inout p, n; electrical p, n;
  analog I(p, n) <+ $simparam("nosuch")*V(p, n);
endmodule
"""
    )
    with pytest.raises(ModelError, match="nosuch"):
        simulate(_probe(model), Op())


def test_error_and_fatal_stop_the_run_with_the_models_message() -> None:
    model = _model(
        """module guard(p, n);
  inout p, n; electrical p, n;
  parameter real vmax = 1;
  analog begin
    I(p, n) <+ V(p, n)/1k;
    $strobe("v = %g", V(p, n));
    if (V(p, n) > vmax) $error("V(p, n) = %g exceeds vmax = %g", V(p, n), vmax);
  end
endmodule
"""
    )
    fine = simulate(_probe(model, VoltageSource("V1", "a", "0", 0.5)), Op())
    assert "v = 0.5" in fine.log
    with pytest.raises(ModelError, match=r"V\(p, n\) = 2 exceeds vmax = 1") as caught:
        simulate(_probe(model, VoltageSource("V1", "a", "0", 2.0)), Op())
    assert "x1" in caught.value.message.lower()  # the instance that stopped it


def test_rdist_with_a_constant_seed_is_drawn_per_instance() -> None:
    model = _model(
        """module spread(p, n);
  inout p, n; electrical p, n;
  parameter real r0 = 1k, sigma = 100;
  real r;
  analog begin
    r = $rdist_normal(1, r0, sigma);
    I(p, n) <+ V(p, n)/r;
  end
endmodule
""",
        seed=3,
    )
    elements = [VoltageSource("V1", "a", "0", 1.0)]
    elements += [model.instance(f"X{k}", ("a", "0")) for k in range(3)]
    circuit = Circuit("spread", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    total = -simulate(circuit, Op()).waveforms.i("v1")[0]
    # the variates are the instances' own, from (seed, module, call site, instance name)
    from spicegen.va.randomness import draw_values

    rs = [1e3 + 100 * draw_values(model.draws, 3, "spread", f"X{k}")["rdist0"] for k in range(3)]
    assert len({round(r, 9) for r in rs}) == 3
    assert total == pytest.approx(sum(1 / r for r in rs), rel=1e-9)


def test_rdist_with_a_seed_variable_draws_afresh_at_each_accepted_point() -> None:
    model = _model(
        """module shot(p, n);
  inout p, n; electrical p, n;
  integer seed = 5;
  real u;
  analog begin
    u = $rdist_uniform(seed, 0, 1);
    I(p, n) <+ 1u*u + V(p, n)/1M;
  end
endmodule
"""
    )
    run = [_current(_probe(model), Tran(step=1e-8, stop=2e-7))[1] for _ in range(2)]
    values = run[0] / 1e-6
    np.testing.assert_array_equal(run[0], run[1])  # the same seed repeats the sequence
    assert len(np.unique(np.round(values, 12))) == len(values)  # a new draw at each point
    assert values.min() > 0.0 and values.max() < 1.0


def test_dist_functions_are_the_rdist_draws_rounded_to_integers() -> None:
    # the Verilog-HDL names public models use in analog blocks (Cadence: "$dist_normal ...
    # to generate integer numbers"): the $rdist_* draw of the same seed, rounded
    source = """module shot(p, n);
  inout p, n; electrical p, n;
  integer seed = 5;
  real u;
  analog begin
    u = {call}(seed, 0, 2);
    I(p, n) <+ 1u*u + V(p, n)/1M;
  end
endmodule
"""
    analysis = Tran(step=1e-9, stop=4e-7)
    rounded = _current(_probe(_model(source.format(call="$dist_normal"))), analysis)[1]
    real = _current(_probe(_model(source.format(call="$rdist_normal"))), analysis)[1]
    np.testing.assert_allclose(rounded / 1e-6, np.round(real / 1e-6), atol=1e-9)
    assert np.ptp(rounded / 1e-6) >= 4  # a spread of integers, not one value


def test_white_noise_has_its_power_spectral_density() -> None:
    # held levels of variance pwr/(2 ts): one sample per noise step, independent
    model = _model(
        """module hiss(p, n);
  inout p, n; electrical p, n;
  parameter real density = 4e-18;
  analog I(p, n) <+ white_noise(density, "thermal") + V(p, n)/1M;
endmodule
"""
    )
    step = 1e-9
    time, current = _current(_probe(model, noise_step=step), Tran(step=step, stop=2e-6))
    samples = current[(time > 0) & (np.mod(time, step) > 0.1 * step)]
    sigma = math.sqrt(4e-18 / (2 * step))
    # 2,000 levels: the sample variance is within 10 % of its value (about 3 standard errors)
    assert np.std(samples) == pytest.approx(sigma, rel=0.1)
    assert abs(np.mean(samples)) < 4 * sigma / math.sqrt(len(samples) / 2)


def test_transition_ramps_and_absdelay_delays() -> None:
    model = _model(
        """module shape(p, n, o, d);
  inout p, n, o, d; electrical p, n, o, d;
  analog begin
    V(o) <+ transition(V(p, n) > 0.5 ? 1 : 0, 10n, 20n, 40n);
    V(d) <+ absdelay(V(p, n), 30n);
    I(p, n) <+ V(p, n)/1M;
  end
endmodule
"""
    )
    drive = VoltageSource(
        "V1", "a", "0", 0.0, waveform=Pulse(0.0, 1.0, 100e-9, 1e-9, 1e-9, 200e-9, 1.0)
    )
    circuit = Circuit(
        "shape",
        elements=(drive, model.instance("X1", ("a", "0", "o", "d"))),
        subckts=(model.subckt,),
    )
    w = simulate(circuit, Tran(step=1e-9, stop=5e-7)).waveforms
    time, out, delayed, drive_v = w["time"], w.v("o"), w.v("d"), w.v("a")
    # the input passes 0.5 at 100.5 ns: the ramp starts 10 ns later and takes 20 ns
    start = 100.5e-9 + 10e-9
    expected = np.clip((time - start) / 20e-9, 0.0, 1.0)
    falling = 300.5e-9 + 10e-9
    expected = np.where(time > falling, np.clip(1 - (time - falling) / 40e-9, 0.0, 1.0), expected)
    # the change is seen at the first accepted point after it: within one step (1 ns here)
    np.testing.assert_allclose(out, expected, atol=0.06)
    # absdelay: the drive 30 ns earlier, interpolated between accepted points
    later = time > 40e-9
    np.testing.assert_allclose(
        delayed[later], np.interp(time[later] - 30e-9, time, drive_v), atol=0.02
    )


def test_arrays_loops_functions_and_derivatives() -> None:
    model = _model(
        """module poly(p, n);
  inout p, n; electrical p, n;
  parameter integer order = 3;
  real c[0:3] = '{1m, 2m, 3m, 4m};
  real x, y, s, g;
  integer k;
  analog function real twice;
    input u; output w; real u, w;
    begin w = 2*u; twice = u; end
  endfunction
  analog begin
    x = V(p, n);
    s = 0;
    for (k = 0; k <= order; k = k + 1) s = s + c[k]*pow(x, k);
    y = twice(s, g);
    I(p, n) <+ g/2 + 1u*ddx(s, V(p)) + 1n*(analysis("tran") ? 1 : 0);
  end
endmodule
"""
    )
    volts, current = _current(_probe(model), Dc("V1", -0.5, 0.5, 0.25))
    polynomial = 1e-3 * (1 + 2 * volts + 3 * volts**2 + 4 * volts**3)
    derivative = 1e-3 * (2 + 6 * volts + 12 * volts**2)
    np.testing.assert_allclose(current, polynomial + 1e-6 * derivative, rtol=1e-9, atol=1e-18)


def test_custom_disciplines_and_bitwise_operators_on_run_time_values() -> None:
    model = _model(
        """module heater(p, n, t);
  inout p, n, t; electrical p, n; thermal t;
  parameter real rth = 1k;
  integer hot, flags;
  analog begin
    I(p, n) <+ V(p, n)/100;
    Pwr(t) <+ -V(p, n)*V(p, n)/100;
    Pwr(t) <+ Temp(t)/rth;
    hot = Temp(t) > 0.5;
    flags = hot | 2;
    I(p, n) <+ 1n*(flags & 3);
  end
endmodule
"""
    )
    circuit = Circuit(
        "heater",
        elements=(VoltageSource("V1", "a", "0", 1.0), model.instance("X1", ("a", "0", "t"))),
        subckts=(model.subckt,),
    )
    w = simulate(circuit, Op()).waveforms
    # 10 mW into 1 K/mW: 10 K above ambient, hot = 1, flags & 3 = 3
    assert w.v("t")[0] == pytest.approx(10.0, rel=1e-9)
    assert -w.i("v1")[0] == pytest.approx(1e-2 + 3e-9, rel=1e-9)


def test_the_spellings_tools_accept() -> None:
    # Cadence's include names, `from [a, b]`, `.5` literals and a parameter named pi (ngspice
    # reserves the name: the wrapper calls it pi_va, the instance still sets pi)
    model = compile_model(
        """`include "disciplines.h"
`include "constants.h"
module odd(p, n);
  inout p, n; electrical p, n;
  parameter real pi = 3 from [0, 10];
  parameter real g = .5m;
  analog I(p, n) <+ g*pi*V(p, n);
endmodule
""",
        target="osdi",
    )
    _, current = _current(_probe(model, VoltageSource("V1", "a", "0", 1.0), pi=2.0), Op())
    assert current[0] == pytest.approx(0.5e-3 * 2.0, rel=1e-12)


def test_final_step_and_initial_instance_run_where_the_docs_say() -> None:
    model = _model(
        """module marks(p, n);
  inout p, n; electrical p, n;
  integer finals, instances, steps;
  analog begin
    @(final_step) finals = finals + 1;
    @(initial_instance) instances = instances + 1;
    @(initial_step) steps = steps + 1;
    """
        + READOUT.format(value="finals + 10*instances + 100*steps")
        + """
  end
endmodule
"""
    )
    # a DC analysis is its own last point: final_step runs there, once per point (a .dc
    # sweep commits nothing, so every point starts from the initializers)
    volts, static = _current(_probe(model), Dc("V1", 0.0, 1.0, 0.5))
    np.testing.assert_allclose((static - volts / 1e6) / 1e-6, 111.0, atol=1e-6)
    # a transient: ngspice calls no device at its end, so final_step never runs; the two
    # initial events ran once, in the operating point, and are held from there
    _, transient = _current(_probe(model), Tran(step=1e-9, stop=1e-8))
    np.testing.assert_allclose(transient / 1e-6, 110.0, atol=1e-6)


def test_display_and_warning_reach_the_log_and_fatal_stops_the_run() -> None:
    model = _model(
        """module talk(p, n);
  inout p, n; electrical p, n;
  analog begin
    I(p, n) <+ V(p, n)/1k;
    $display("drive %g V", V(p, n));
    if (V(p, n) > 0.7) $warning("above 0.7 V: %g", V(p, n));
    if (V(p, n) > 1.5) $fatal(1, "outside the model: %g V", V(p, n));
  end
endmodule
"""
    )
    calm = simulate(_probe(model, VoltageSource("V1", "a", "0", 0.5)), Op()).log
    assert "drive 0.5 V" in calm and "above 0.7 V" not in calm
    warm = simulate(_probe(model, VoltageSource("V1", "a", "0", 1.0)), Op()).log
    assert "Warning: above 0.7 V: 1" in warm
    with pytest.raises(ModelError, match=r"\$fatal in .*x1.*: outside the model: 2 V"):
        simulate(_probe(model, VoltageSource("V1", "a", "0", 2.0)), Op())


def test_a_loop_bounded_at_run_time_iterates_in_the_device() -> None:
    # Newton's iteration for sqrt(v) inside the model, to a tolerance (the ferroelectric FET
    # models solve their surface potential this way); the derivatives follow the iterations,
    # so the conductance is d sqrt(v)/dv = 1/(2 sqrt v) and ngspice converges on it
    model = _model(
        """module root(p, n);
  inout p, n; electrical p, n;
  real v, x;
  integer count;
  analog begin
    v = V(p, n);
    x = 1;
    count = 0;
    while (abs(x*x - v) > 1e-14 && count < 100) begin
      x = (x + v/x)/2;
      count = count + 1;
    end
    I(p, n) <+ 1m*x;
  end
endmodule
"""
    )
    plain = _model(
        """module plain(p, n);
  inout p, n; electrical p, n;
  analog I(p, n) <+ 1m*sqrt(V(p, n));
endmodule
"""
    )
    sweep = Dc("V1", 0.25, 4.0, 0.25)
    volts, current = _current(_probe(model), sweep)
    _, reference = _current(_probe(plain), sweep)
    # the same as the closed form written out, to rounding: the same Newton steps in ngspice
    np.testing.assert_allclose(current, reference, rtol=1e-12)
    # and within ngspice's reltol (1e-3) of sqrt: it accepts a sweep point's current once
    # successive iterates agree that well, for either model
    np.testing.assert_allclose(current, 1e-3 * np.sqrt(volts), rtol=1e-3)
