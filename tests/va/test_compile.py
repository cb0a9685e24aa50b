"""compile_va end to end: each construct compiled, simulated with the real ngspice, and compared
with the number the physics (or the LRM) gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import (
    Circuit,
    CurrentSource,
    Dc,
    Op,
    Pulse,
    Resistor,
    Subckt,
    SubcktInstance,
    Tran,
    VoltageSource,
)
from spicegen.seeds import draw_seed
from spicegen.va import VaError
from spicegen.va.compile import compile_va
from tests.va.targets import Compiled

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'
# $vt at ngspice's default 27 degC, SI 2019 constants
VT_27C = 1.380649e-23 * 300.15 / 1.602176634e-19


def _compile(body: str, **kwargs: object) -> Subckt:
    return compile_va(HEADER + body, filename="m.va", **kwargs)  # type: ignore[arg-type]


def _circuit(subckt: Subckt, *elements: object) -> Circuit:
    return Circuit("compile test", elements=elements, subckts=(subckt,))  # type: ignore[arg-type]


RESISTOR = """module res(p, n);
  inout p, n; electrical p, n;
  parameter real r = 1k from (0:inf);
  analog I(p, n) <+ V(p, n)/r;
endmodule
"""


def test_linear_resistor_in_a_divider(compiled: Compiled) -> None:
    res = compiled.compile(HEADER + RESISTOR)
    circuit = _circuit(
        res,
        VoltageSource("V1", "in", "0", 1.0),
        Resistor("R1", "in", "mid", 1e3),
        SubcktInstance("X1", ("mid", "0"), "res", {"r": 3e3}),
    )
    w = compiled.simulate(circuit, Op()).waveforms
    # 1 V over 1k + 3k: v(mid) = 0.75 V; a linear B-source solves exactly (Newton converges in
    # one step), so only float rounding remains.
    assert w.v("mid")[0] == pytest.approx(0.75, abs=1e-9)


def test_diode_dc_sweep_matches_the_shockley_equation(compiled: Compiled) -> None:
    diode = compiled.compile(
        HEADER
        + """module diode(a, c);
  inout a, c; electrical a, c;
  parameter real is = 1e-14 from (0:inf);
  analog I(a, c) <+ is*(exp(V(a, c)/$vt) - 1);
endmodule
"""
    )
    circuit = _circuit(
        diode, VoltageSource("V1", "a", "0", 0.0), SubcktInstance("XD", ("a", "0"), "diode")
    )
    w = compiled.simulate(circuit, Dc("V1", 0.1, 0.7, 0.05)).waveforms
    volts = w.v("a")
    expected = 1e-14 * (np.exp(volts / VT_27C) - 1)
    # the source sits directly across the diode, so its current is the model current evaluated
    # at the exact sweep voltage; 1e-6 leaves room for Newton's last correction only
    np.testing.assert_allclose(-w.i("V1"), expected, rtol=1e-6)


def test_voltage_contribution_and_current_probe(compiled: Compiled) -> None:
    # an ammeter: a zero-volt branch whose current is reported as a voltage, 1 V per mA
    sense = compiled.compile(
        HEADER
        + """module sense(p, n, o);
  inout p, n, o; electrical p, n, o;
  parameter real gain = 1k;
  analog begin
    V(p, n) <+ 0;
    V(o) <+ gain*I(p, n);
  end
endmodule
"""
    )
    circuit = _circuit(
        sense,
        VoltageSource("V1", "in", "0", 2.0),
        Resistor("R1", "in", "p", 1e3),
        SubcktInstance("X1", ("p", "0", "o"), "sense"),
    )
    w = compiled.simulate(circuit, Op()).waveforms
    # 2 V over 1k through a short: 2 mA, reported as 2 V
    assert w.v("p")[0] == pytest.approx(0.0, abs=1e-12)
    assert w.v("o")[0] == pytest.approx(2.0, rel=1e-9)


def _sweep_current(
    compiled: Compiled,
    subckt: Subckt,
    start: float,
    stop: float,
    step: float,
    params: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(volts, amps) of a two-terminal model swept by a source across it."""
    circuit = _circuit(
        subckt,
        VoltageSource("V1", "p", "0", 0.0),
        SubcktInstance("X1", ("p", "0"), subckt.name, params or {}),
    )
    w = compiled.simulate(circuit, Dc("V1", start, stop, step)).waveforms
    return w.v("p"), -w.i("V1")


def test_if_else_piecewise_conductance(compiled: Compiled) -> None:
    pw = compiled.compile(
        HEADER
        + """module pw(p, n);
  inout p, n; electrical p, n;
  parameter real g0 = 1m, g1 = 10m, vth = 0.5;
  real g;
  analog begin
    if (V(p, n) > vth) g = g1; else g = g0;
    I(p, n) <+ g*V(p, n);
  end
endmodule
"""
    )
    volts, amps = _sweep_current(compiled, pw, 0.05, 0.95, 0.1)  # never exactly at the threshold
    expected = np.where(volts > 0.5, 10e-3, 1e-3) * volts
    np.testing.assert_allclose(amps, expected, rtol=1e-9)


def test_for_loop_sum_is_unrolled(compiled: Compiled) -> None:
    ladder = compiled.compile(
        HEADER
        + """module ladder(p, n);
  inout p, n; electrical p, n;
  parameter real g = 1m;
  real s; integer k;
  analog begin
    s = 0;
    for (k = 1; k <= 4; k = k + 1) s = s + k*g;
    I(p, n) <+ s*V(p, n);
  end
endmodule
"""
    )
    volts, amps = _sweep_current(compiled, ladder, -1.0, 1.0, 0.5)
    np.testing.assert_allclose(amps, 10e-3 * volts, rtol=1e-9, atol=1e-15)  # 1+2+3+4 = 10


def test_analog_function_is_inlined(compiled: Compiled) -> None:
    square = compiled.compile(
        HEADER
        + """module sq(p, n);
  inout p, n; electrical p, n;
  parameter real k = 2m;
  analog function real cube;
    input x; real x;
    real y;
    begin
      y = x*x;
      cube = y*x;
    end
  endfunction
  analog I(p, n) <+ k*cube(V(p, n));
endmodule
"""
    )
    volts, amps = _sweep_current(compiled, square, -1.0, 1.0, 0.25)
    np.testing.assert_allclose(amps, 2e-3 * volts**3, rtol=1e-9, atol=1e-15)


def test_case_selects_the_arm_of_a_run_time_integer(compiled: Compiled) -> None:
    sel = compiled.compile(
        HEADER
        + """module sel(c, p, n);
  inout c, p, n; electrical c, p, n;
  integer m; real g;
  analog begin
    m = V(c);
    case (m)
      0: g = 1m;
      1, 2: g = 2m;
      default: g = 5m;
    endcase
    I(p, n) <+ g;
  end
endmodule
"""
    )
    circuit = _circuit(
        sel,
        VoltageSource("VC", "c", "0", 0.0),
        VoltageSource("V1", "p", "0", 0.0),
        SubcktInstance("X1", ("c", "p", "0"), "sel"),
    )
    w = compiled.simulate(circuit, Dc("VC", 0.0, 3.0, 1.0)).waveforms
    np.testing.assert_allclose(-w.i("V1"), [1e-3, 2e-3, 2e-3, 5e-3], rtol=1e-9)


def test_integer_division_truncates_toward_zero(compiled: Compiled) -> None:
    idiv = compiled.compile(
        HEADER
        + """module idiv(c, p, n);
  inout c, p, n; electrical c, p, n;
  integer m;
  analog begin
    m = V(c);
    I(p, n) <+ 1m*(m/2) + 1u*(7/2) + 1n*(-7/2) + 1p*(-7 % 2);
  end
endmodule
"""
    )
    circuit = _circuit(
        idiv,
        VoltageSource("VC", "c", "0", 0.0),
        VoltageSource("V1", "p", "0", 0.0),
        SubcktInstance("X1", ("c", "p", "0"), "idiv"),
    )
    w = compiled.simulate(circuit, Dc("VC", -7.0, 7.0, 7.0)).waveforms
    # constants: 7/2 = 3, -7/2 = -3, -7 % 2 = -1; at run time m/2 for m = -7, 0, 7: -3, 0, 3
    constant = 3e-6 - 3e-9 - 1e-12
    np.testing.assert_allclose(
        -w.i("V1"), np.array([-3e-3, 0.0, 3e-3]) + constant, rtol=1e-9, atol=1e-18
    )


def test_ddt_capacitor_charges_through_a_resistor(compiled: Compiled) -> None:
    cap = compiled.compile(
        HEADER
        + """module cap(p, n);
  inout p, n; electrical p, n;
  parameter real c = 1u;
  analog I(p, n) <+ ddt(c*V(p, n));
endmodule
"""
    )
    rise = 1e-9
    circuit = _circuit(
        cap,
        VoltageSource("V1", "in", "0", 0.0, waveform=Pulse(0.0, 1.0, 0.0, rise, rise, 1.0, 2.0)),
        Resistor("R1", "in", "out", 1e3),
        SubcktInstance("X1", ("out", "0"), "cap"),
    )
    w = compiled.simulate(circuit, Tran(step=1e-5, stop=5e-3, max_step=1e-5)).waveforms
    time, out = w["time"], w.v("out")
    tau = 1e3 * 1e-6
    expected = 1 - np.exp(-np.maximum(time - rise / 2, 0.0) / tau)
    # RC = 1 ms resolved by steps <= 10 us: the trapezoidal local error (dt/tau)^3/12 per step
    # accumulates to well under 1e-3 of the 1 V step; the 1 ns edge shifts time by 0.5 ns.
    assert out[0] == pytest.approx(0.0, abs=1e-12)  # ddt is 0 at the operating point
    np.testing.assert_allclose(out, expected, atol=1e-3)
    assert out[-1] == pytest.approx(1 - math.exp(-5), abs=1e-3)


def test_idt_integrator_ramps_from_its_initial_condition(compiled: Compiled) -> None:
    integ = compiled.compile(
        HEADER
        + """module integ(in, o);
  inout in, o; electrical in, o;
  parameter real k = 1k, v0 = 0.5;
  analog begin
    V(in) <+ 0;
    V(o) <+ idt(k*I(in), v0);
  end
endmodule
"""
    )
    circuit = _circuit(
        integ,
        CurrentSource("I1", "0", "in", 1e-3),  # 1 mA into `in`, through the short to ground
        SubcktInstance("X1", ("in", "o"), "integ"),
    )
    w = compiled.simulate(circuit, Tran(step=1e-3, stop=1.0)).waveforms
    time, out = w["time"], w.v("o")
    # k*I = 1 V/s from v0 = 0.5 V; a constant integrand is integrated exactly by ngspice's
    # methods, so only the solver's tolerances (reltol 1e-3 on the charge) remain.
    assert out[0] == pytest.approx(0.5, abs=1e-9)
    np.testing.assert_allclose(out, 0.5 + time, rtol=1e-4)
    assert out[-1] == pytest.approx(1.5, rel=1e-4)


RDIST = """module vres(p, n);
  inout p, n; electrical p, n;
  parameter real r0 = 1k, sigma = 100;
  real r;
  integer seed;
  analog begin
    r = $rdist_normal(seed, r0, sigma);
    I(p, n) <+ V(p, n)/r;
  end
endmodule
"""


def test_rdist_normal_is_drawn_once_and_reproducibly() -> None:
    # the subckt target draws a seed variable's $rdist once per instance; the osdi target
    # follows the LRM, a fresh draw per accepted point (test_osdi_state.py)
    compiled = Compiled("subckt")
    from spicegen.netlist import subckt_text

    first = compiled.compile(HEADER + RDIST, seed=7)
    assert subckt_text(first) == subckt_text(compiled.compile(HEADER + RDIST, seed=7))
    assert subckt_text(first) != subckt_text(compiled.compile(HEADER + RDIST, seed=8))
    z = np.random.default_rng(draw_seed(7, "vres", 0)).standard_normal()
    _, amps = _sweep_current(compiled, first, 1.0, 1.0, 1.0)
    # the drawn resistance is r0 + sigma*z with z fixed at compile time ...
    assert amps[0] == pytest.approx(1.0 / (1e3 + 100 * z), rel=1e-9)
    # ... and mean and sigma remain instance parameters
    _, amps = _sweep_current(compiled, first, 1.0, 1.0, 1.0, {"r0": 2e3, "sigma": 10.0})
    assert amps[0] == pytest.approx(1.0 / (2e3 + 10 * z), rel=1e-9)


def test_unsupported_construct_is_named_with_its_line() -> None:
    with pytest.raises(VaError) as caught:
        _compile(
            """module noisy(p, n);
  inout p, n; electrical p, n;
  analog I(p, n) <+ V(p, n) + flicker_noise(1e-20, 1);
endmodule
"""
        )
    (diagnostic,) = caught.value.diagnostics
    assert "`flicker_noise`" in diagnostic.message
    assert diagnostic.location.line == 5  # two include lines, then the module's third line
    assert "flicker_noise" in diagnostic.source_line


def test_several_modules_need_a_name() -> None:
    two = RESISTOR + RESISTOR.replace("module res", "module res2")
    with pytest.raises(VaError, match="pass module="):
        _compile(two)
    assert _compile(two, module="res2").name == "res2"
    with pytest.raises(VaError, match="no module `nope`"):
        _compile(two, module="nope")


def test_long_variable_chain_is_shared_through_auxiliary_nodes(compiled: Compiled) -> None:
    # y_{k+1} = y_k*y_k/(1 + y_k*y_k/4): copying y_k twice per step would double the text each
    # step (2^12 copies); auxiliary nodes keep it linear and the value is the same
    body = "\n    ".join("y = y*y/(1 + y*y/4) + 0.5*V(p, n);" for _ in range(12))
    chain = compiled.compile(
        HEADER
        + f"""module chain(p, n);
  inout p, n; electrical p, n;
  real y;
  analog begin
    y = V(p, n);
    {body}
    I(p, n) <+ 1m*y;
  end
endmodule
"""
    )
    if compiled.target == "subckt":
        assert any(getattr(e, "p", "").startswith("var") for e in chain.elements)
        assert max(len(str(getattr(e, "expression", ""))) for e in chain.elements) < 2000

    def model(v: np.ndarray) -> np.ndarray:
        y = v.copy()
        for _ in range(12):
            y = y * y / (1 + y * y / 4) + 0.5 * v
        return 1e-3 * y

    volts, amps = _sweep_current(compiled, chain, -1.0, 1.0, 0.25)
    # the auxiliary node voltages are unknowns that Newton solves to ngspice's reltol = 1e-3
    # (observed: 6e-5), unlike inline text, which is evaluated exactly (osdi: C variables)
    np.testing.assert_allclose(amps, model(volts), rtol=1e-3, atol=1e-12)


def test_long_parameter_only_variable_becomes_a_subckt_param(compiled: Compiled) -> None:
    body = "\n    ".join("g = g*g/(g*g + g0) + g0;" for _ in range(8))
    model = compiled.compile(
        HEADER
        + f"""module pg(p, n);
  inout p, n; electrical p, n;
  parameter real g0 = 0.5m;
  real g;
  analog begin
    g = g0;
    {body}
    I(p, n) <+ g*V(p, n);
  end
endmodule
"""
    )
    if compiled.target == "subckt":
        assert model.param_statements  # shared as .param, not copied into the source
    g = 0.5e-3
    for _ in range(8):
        g = g * g / (g * g + 0.5e-3) + 0.5e-3
    volts, amps = _sweep_current(compiled, model, 1.0, 1.0, 1.0)
    # parameters are evaluated exactly by ngspice's numparam (osdi: C): float rounding only
    assert amps[0] == pytest.approx(g * volts[0], rel=1e-9)
    volts, amps = _sweep_current(compiled, model, 1.0, 1.0, 1.0, {"g0": 1e-3})
    g = 1e-3
    for _ in range(8):
        g = g * g / (g * g + 1e-3) + 1e-3
    assert amps[0] == pytest.approx(g, rel=1e-9)  # and an instance value flows through


# Verilog-A built-in -> the same function in numpy, for x in [-0.9, 0.9]
BUILTINS = {
    "exp(x)": np.exp,
    "ln(x + 1)": lambda x: np.log(x + 1),
    "log(x + 1)": lambda x: np.log10(x + 1),
    "sqrt(x + 1)": lambda x: np.sqrt(x + 1),
    "pow(x, 3)": lambda x: x**3,
    "pow(x + 1, 0.5)": lambda x: (x + 1) ** 0.5,
    "x ** 2": lambda x: x**2,
    "abs(x)": np.abs,
    "min(x, 0.2)": lambda x: np.minimum(x, 0.2),
    "max(x, 0.2)": lambda x: np.maximum(x, 0.2),
    "sin(x) + cos(x) + tan(x)": lambda x: np.sin(x) + np.cos(x) + np.tan(x),
    "atan(x)": np.arctan,
    "atan2(x, x - 0.5)": lambda x: np.arctan2(x, x - 0.5),
    "sinh(x) + cosh(x) + tanh(x)": lambda x: np.sinh(x) + np.cosh(x) + np.tanh(x),
    "floor(3*x) + ceil(3*x)": lambda x: np.floor(3 * x) + np.ceil(3 * x),
    "hypot(x, 2)": lambda x: np.hypot(x, 2),
    "limexp(100*x)": lambda x: np.where(
        100 * x < 80, np.exp(np.minimum(100 * x, 80)), np.exp(80) * (1 + 100 * x - 80)
    ),
    "x > 0 ? x : -2*x": lambda x: np.where(x > 0, x, -2 * x),
    "$temperature + $vt": lambda x: np.full_like(x, 300.15 + VT_27C),
}


def test_builtins_evaluate_as_in_the_lrm(compiled: Compiled) -> None:
    outputs = [f"o{k}" for k in range(len(BUILTINS))]
    lines = "\n    ".join(f"V({o}) <+ {text};" for o, text in zip(outputs, BUILTINS, strict=True))
    model = compiled.compile(
        HEADER
        + f"""module fns(p, {", ".join(outputs)});
  inout p, {", ".join(outputs)}; electrical p, {", ".join(outputs)};
  real x;
  analog begin
    x = V(p);
    {lines}
  end
endmodule
"""
    )
    circuit = _circuit(
        model,
        VoltageSource("V1", "p", "0", 0.0),
        SubcktInstance("X1", ("p", *outputs), "fns"),
    )
    w = compiled.simulate(circuit, Dc("V1", -0.9, 0.9, 0.15)).waveforms
    x = w.v("p")
    for output, (text, function) in zip(outputs, BUILTINS.items(), strict=True):
        # each output is a B voltage source evaluating the expression at the exact sweep point
        np.testing.assert_allclose(w.v(output), function(x), rtol=1e-9, atol=1e-12, err_msg=text)


def test_negative_integer_power_survives_the_zero_volt_starting_point(compiled: Compiled) -> None:
    # Newton's first iteration starts every node at 0 V; ngspice's own pow(0, -1) aborts the
    # run there ("out of range for pow"), so pow with a constant integer exponent is written
    # as a product under a division, which takes that iteration and converges.
    model = compiled.compile(
        HEADER
        + """module gated(a, c, g);
  inout a, c, g; electrical a, c, g;
  parameter real g0 = 1m;
  analog I(a, c) <+ g0*V(a, c)*pow(V(g), -1) + g0*V(a, c)*(V(g) ** -2);
endmodule
"""
    )
    circuit = _circuit(
        model,
        VoltageSource("V1", "a", "0", 1.0),
        VoltageSource("V2", "g", "0", 0.5),
        SubcktInstance("X1", ("a", "0", "g"), "gated"),
    )
    w = compiled.simulate(circuit, Op()).waveforms
    # I = g0*V*(1/0.5 + 1/0.25) = 1m*(2 + 4) = 6 mA; B-sources are exact at the solution
    assert -w.i("v1")[0] == pytest.approx(6e-3, rel=1e-9)


def test_escaped_identifiers_name_the_same_thing_as_plain_ones() -> None:
    # LRM: `\x ` is the identifier x; a declared `\x ` and a plain `x` are one variable
    model = _compile(
        """module \\esc (p, n);
  inout p, n; electrical \\p , n;
  parameter real \\r = 2k;
  real \\x ;
  analog begin
    x = V(p, n);
    I(\\p , n) <+ \\x /r;
  end
endmodule
"""
    )
    circuit = _circuit(
        model, VoltageSource("V1", "a", "0", 1.0), SubcktInstance("X1", ("a", "0"), "esc")
    )
    assert -simulate(circuit, Op()).waveforms.i("v1")[0] == pytest.approx(0.5e-3, rel=1e-9)


@pytest.mark.parametrize(
    ("declaration", "position", "name"),
    [
        ("parameter real r$1 = 1k;", (5, 18), "parameter name `r$1`"),
        ("parameter real \\r+1  = 1k;", (5, 18), "parameter name `r+1`"),
        ("electrical \\q-1 ;", (5, 3), "net name `q-1`"),
    ],
)
def test_names_ngspice_cannot_take_are_located_in_the_users_file(
    declaration: str, position: tuple[int, int], name: str
) -> None:
    with pytest.raises(VaError) as caught:
        _compile(
            f"""module m(p, n);
  inout p, n; electrical p, n;
  {declaration}
  analog I(p, n) <+ V(p, n)/1k;
endmodule
"""
        )
    (diagnostic,) = caught.value.diagnostics
    location = diagnostic.location
    assert (location.file, location.line, location.column) == ("m.va", *position)
    assert name in diagnostic.message and "spicegen" not in diagnostic.message


def test_deep_nesting_is_a_located_error_and_moderate_nesting_compiles() -> None:
    def source(depth: int) -> str:
        minus = "-" * depth
        return (
            "module m(p, n);\n  inout p, n; electrical p, n;\n"
            f"  analog I(p, n) <+ {minus}V(p, n)/1k;\nendmodule\n"
        )

    with pytest.raises(VaError) as caught:
        _compile(source(5000))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.location.file, diagnostic.location.line) == ("m.va", 5)
    assert "nested more than" in diagnostic.message
    # 150 minus signs (an even number) give the plain resistor
    circuit = _circuit(
        _compile(source(150)),
        VoltageSource("V1", "a", "0", 1.0),
        SubcktInstance("X1", ("a", "0"), "m"),
    )
    assert -simulate(circuit, Op()).waveforms.i("v1")[0] == pytest.approx(1e-3, rel=1e-9)
