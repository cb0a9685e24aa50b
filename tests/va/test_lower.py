"""Lowering rules on the generated subcircuit text (the simulated behaviour is in
test_compile.py): header and parameters, one source per branch, expression translation,
constant folding, determinism of $rdist_*, and the errors for what is not supported."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.netlist import BSource, Subckt, subckt_text
from spicegen.va import VaError, check, read_model
from spicegen.va.lower import lower
from spicegen.va.values import truncated_quotient

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'


def _lower(body: str, seed: int | None = None) -> Subckt:
    (module,) = check(read_model(HEADER + body, filename="m.va")).modules
    return lower(module, seed=seed).subckt


def _two_terminal(analog: str, declarations: str = "") -> Subckt:
    return _lower(
        f"""module m(p, n);
  inout p, n; electrical p, n;
  {declarations}
  analog begin
    {analog}
  end
endmodule
"""
    )


def _sources(subckt: Subckt) -> dict[str, BSource]:
    return {e.name: e for e in subckt.elements if isinstance(e, BSource)}


def _expression(subckt: Subckt, name: str = "Bi_p_n") -> str:
    return str(_sources(subckt)[name].expression)


def _error(body: str) -> tuple[int, str]:
    with pytest.raises(VaError) as caught:
        _lower(body)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic.location.line - 2, diagnostic.message


def test_header_lists_ports_in_order_and_parameters_with_defaults() -> None:
    subckt = _lower(
        """module dev(b, a, c);
  inout a, b, c; electrical a, b, c;
  parameter real r = 1k;
  parameter integer n = 7/2;
  parameter integer m = 2.5;
  parameter real half = r/2;
  localparam real twice = 2*r;
  analog I(a, c) <+ V(a, c)/(half + twice) + n + m;
endmodule
"""
    )
    assert subckt.ports == ("b", "a", "c")
    # integer parameters stay integers (7/2 truncates, 2.5 rounds away from zero); a default
    # that uses earlier parameters stays an expression of them
    assert subckt.params == (("r", 1000.0), ("n", 3), ("m", 3), ("half", "(r / 2)"))
    assert subckt_text(subckt).splitlines()[0] == (
        ".subckt dev b a c params: r=1000.0 n=3 m=3 half={(r / 2)}"
    )
    # a localparam cannot be overridden, so it is folded into the expression
    assert _expression(subckt, "Bi_a_c") == "(((v(a,c) / (half + (2 * r))) + n) + m)"


def test_contributions_to_one_branch_add_up_in_one_source() -> None:
    subckt = _lower(
        """module m(p, n, q);
  inout p, n, q; electrical p, n, q;
  branch (p, n) pn;
  analog begin
    I(p, n) <+ 1;
    I(n, p) <+ 2;
    I(pn) <+ 3;
    I(q) <+ V(q);
    V(q, n) <+ 0 ? 1 : 0;
  end
endmodule
"""
    )
    sources = _sources(subckt)
    assert set(sources) == {"Bi_p_n", "Bi_q_0", "Bv_q_n"}
    assert sources["Bi_p_n"].expression == "1 + (-2) + 3"
    assert sources["Bi_q_0"].expression == "v(q)"
    assert (sources["Bv_q_n"].kind, sources["Bv_q_n"].expression) == ("v", "0")


def test_current_probe_reads_the_voltage_source_current() -> None:
    subckt = _lower(
        """module m(p, n, o);
  inout p, n, o; electrical p, n, o;
  analog begin
    V(o) <+ I(n, p);
    V(p, n) <+ 0;
  end
endmodule
"""
    )
    assert _expression(subckt, "Bv_o_0") == "(-i(Bv_p_n))"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("ln(V(p))", "ln(v(p))"),
        ("log(V(p))", "log10(v(p))"),
        ("hypot(V(p), V(n))", "sqrt(v(p)*v(p) + v(n)*v(n))"),
        ("pow(V(p), 3)", "(v(p)*v(p)*v(p))"),
        ("V(p) ** 2", "(v(p)*v(p))"),
        ("pow(V(p), -2)", "(1/(v(p)*v(p)))"),
        ("pow(V(p), 0)", "1"),
        ("pow(V(p), 17)", "(pow(v(p), 17)*sgn(v(p)))"),
        ("pow(V(p), 0.5)", "pow(v(p), 0.5)"),
        ("$vt", "(1.380649e-23*(temper+273.15)/1.602176634e-19)"),
        ("$temperature", "(temper+273.15)"),
        ("$abstime", "(v(transient) > 0.5 ? time : 0)"),
        ("$mfactor*V(p)", "v(p)"),
        ("V(n, p)", "v(n,p)"),
        ("V(p) > 1 && !(V(n) < 0) ? 1 : 2", "(((v(p) > 1) && (!(v(n) < 0))) ? 1 : 2)"),
        ("limexp(V(p))", "(exp(min(v(p), 80.0))*(1 + max(v(p) - 80.0, 0)))"),
        ("7/2 + (-7)/2 + 7.0/2 + -7 % 3 + exp(0)", "3.5"),  # 3 - 3 + 3.5 - 1 + 1
    ],
)
def test_expression_translation(source: str, text: str) -> None:
    assert _expression(_two_terminal(f"I(p, n) <+ {source};")) == text


def test_run_time_integer_division_truncates() -> None:
    text = _expression(_two_terminal("k = V(p); I(p, n) <+ k/2;", "integer k;"))
    rounded = "(sgn(v(p))*floor(abs(v(p))+0.5))"  # real -> integer assignment rounds
    assert text == f"(sgn(({rounded} / 2))*floor(abs(({rounded} / 2))))"


@given(st.integers(-(10**30), 10**30), st.integers(-(10**6), 10**6).filter(bool))
def test_truncated_quotient_rounds_toward_zero(a: int, b: int) -> None:
    quotient = truncated_quotient(a, b)
    assert abs(quotient * b) <= abs(a) < abs((quotient + (1 if quotient >= 0 else -1)) * b) or (
        quotient == 0 and abs(a) < abs(b)
    )
    assert quotient == 0 or (quotient > 0) == ((a > 0) == (b > 0))


def test_if_else_merges_into_a_ternary_and_conditions_gate_contributions() -> None:
    subckt = _two_terminal(
        "if (V(p) > 0) begin x = 2; I(p, n) <+ 1; end else x = 3; I(p, n) <+ x;", "real x;"
    )
    assert _expression(subckt) == "((v(p) > 0) ? 1 : 0) + ((v(p) > 0) ? 2 : 3)"


def test_constant_condition_picks_a_branch_at_compile_time() -> None:
    subckt = _two_terminal("if (2 > 1) I(p, n) <+ 1; else I(p, n) <+ V(p);")
    assert _expression(subckt) == "1"


def test_loop_is_unrolled_and_named_block_locals_are_scoped() -> None:
    subckt = _two_terminal(
        "s = 0; for (k = 0; k < 3; k = k + 1) begin : body real t; t = k*V(p); s = s + t; end "
        "I(p, n) <+ s;",
        "real s; integer k;",
    )
    assert _expression(subckt) == "(v(p) + (2 * v(p)))"


def test_idt_becomes_an_integrating_node_pinned_to_ic_at_time_zero() -> None:
    subckt = _two_terminal("V(p, n) <+ idt(V(n), 0.25);")
    sources = _sources(subckt)
    assert sources["Bv_p_n"].expression == "v(idt0)"
    assert (sources["Bidt0"].p, sources["Bidt0"].n) == ("0", "idt0")  # current into the node
    clock = "(v(transient) > 0.5 ? time : 0)"  # 0 in .op and .dc, time in a transient
    assert sources["Bidt0"].expression == f"({clock} > 0 ? v(n) : -1e3*(v(idt0) - 0.25))"


def test_ddt_reads_the_current_of_a_one_farad_capacitor() -> None:
    subckt = _two_terminal("I(p, n) <+ ddt(2*V(p, n)*V(p, n)) + ddt(3);")
    assert _expression(subckt) == "i(Vddt0)"
    assert _sources(subckt)["Bddt0"].expression == "((2 * v(p,n)) * v(p,n))"


@pytest.mark.parametrize(
    ("contribution", "capacitance", "rest"),
    [
        ("I(p, n) <+ ddt(2*V(p, n)) + ddt(3);", 2.0, "0.0"),
        ("I(p, n) <+ V(p, n)/r + ddt(V(p, n)*c0);", "c0", "(v(p,n) / r)"),
        ("I(p, n) <+ ddt(V(p, n));", 1.0, "0.0"),
    ],
)
def test_linear_charge_of_the_own_branch_becomes_a_capacitor(
    contribution: str, capacitance: float | str, rest: str
) -> None:
    subckt = _two_terminal(contribution, "parameter real r = 1k, c0 = 1p;")
    (capacitor,) = [e for e in subckt.elements if type(e).__name__ == "Capacitor"]
    assert (capacitor.p, capacitor.n, capacitor.value) == ("p", "n", capacitance)  # type: ignore[attr-defined]
    assert _expression(subckt) == rest


@pytest.mark.parametrize(
    "contribution",
    ["I(p, n) <+ -ddt(V(p, n));", "I(p, n) <+ ddt(V(n, p));", "I(p, n) <+ ddt(V(p)*V(p, n));"],
)
def test_other_charges_keep_the_general_arrangement(contribution: str) -> None:
    assert "i(Vddt0)" in _expression(_two_terminal(contribution))


RDIST = """module m(p, n);
  inout p, n; electrical p, n;
  parameter real mu = 1, sigma = 0.1;
  integer seed; real a, b;
  analog begin
    a = $rdist_normal(seed, mu, sigma);
    b = $rdist_uniform(seed, 2, 3);
    I(p, n) <+ a*V(p, n) + b;
  end
endmodule
"""


def test_rdist_is_reproducible_per_seed() -> None:
    default = subckt_text(_lower(RDIST))
    assert default == subckt_text(_lower(RDIST, seed=0))  # no seed means seed 0
    assert subckt_text(_lower(RDIST, seed=3)) == subckt_text(_lower(RDIST, seed=3))
    assert subckt_text(_lower(RDIST, seed=3)) != default
    params = dict(_lower(RDIST, seed=5).params)
    assert 0 <= float(params["rdist1"]) < 1  # the standard uniform variate of the 2nd call
    assert "rdist1" in _expression(_lower(RDIST, seed=5))


@pytest.mark.parametrize(
    ("analog", "declarations", "line", "message"),
    [
        ("I(p, n) <+ flicker_noise(1, 1);", "", 5, "`flicker_noise` has no transient form"),
        ("I(p, n) <+ idt(V(p), 0, V(n) > 1);", "", 5, "reset (assert) argument"),
        ("V(p, n) <+ 1; I(p, n) <+ 1;", "", 5, "unconditional voltage contribution"),
        ("I(p, n) <+ $noise_uniform(V(p));", "", 5, "noise step must depend on parameters"),
        ("I(p, n) <+ $noise_normal(-1);", "", 5, "noise step must be positive"),
        ("I(p, n) <+ V(p, n)*e;", "parameter real e = 1;", 3, "means something else in ngspice"),
        ("I(p, n) <+ V(p, n)*Time;", "parameter real Time = 1;", 3, "means something else"),
        ("I(p, n) <+ V(p, n)*(r + R);", "parameter real r = 1, R = 2;", 3, "differ only in case"),
        ("I(p, n) <+ k;", "parameter integer k = 2; real x;", 5, None),
        (
            "x = 0; for (k = 0; k < nmax; k = k + 1) x = x + 1; I(p, n) <+ x;",
            "parameter integer nmax = 3; integer k; real x;",
            5,
            "the loop's bound is known only at run time",
        ),
        (
            "x = 1; while (x < V(p, n)) x = 2*x; I(p, n) <+ x;",
            "real x;",
            5,
            "subckt target unrolls loops (ngspice B-sources have none), so it cannot express "
            "this one: compile with --target osdi",
        ),
        ("I(p, n) <+ V(p) & 1;", "", 5, "operator `&` is only supported on constant integers"),
        ("I(p, n) <+ $dist_normal(1, 0, 1);", "", 5, "rounds its draw to an integer"),
        ("I(p, n) <+ 1/0;", "", 5, "`/` by zero"),
    ],
)
def test_unsupported_constructs_raise_at_their_location(
    analog: str, declarations: str, line: int, message: str | None
) -> None:
    body = f"""module m(p, n);
  inout p, n; electrical p, n;
  {declarations}
  analog begin
    {analog}
  end
endmodule
"""
    if message is None:  # the control row: this one lowers
        assert _lower(body).elements
        return
    found_line, found = _error(body)
    assert message in found
    assert found_line == line


def test_lowering_is_pure() -> None:
    (module,) = check(read_model(HEADER + RDIST, filename="m.va")).modules
    assert lower(module, seed=1) == lower(module, seed=1)
    assert math.isfinite(float(_expression(_two_terminal("I(p, n) <+ exp(1);"))))


def test_no_shared_node_inside_a_run_time_condition() -> None:
    # sqrt of a negative must stay behind its guard, so no unconditional node is made for it
    long_sum = " + ".join(["sqrt(V(p))"] * 20)
    subckt = _two_terminal(
        f"if (V(p) > 0) x = {long_sum}; else x = 0; I(p, n) <+ x; I(n) <+ x;", "real x;"
    )
    (shared,) = [e for e in _sources(subckt).values() if e.p.startswith("var")]
    assert str(shared.expression).startswith("((v(p) > 0) ? ")  # the merged, guarded value
    assert _expression(subckt) == f"v({shared.p})"


def test_a_long_variable_read_once_is_inlined_and_one_never_read_is_dropped() -> None:
    long_sum = " + ".join(f"tanh({k}*V(p))" for k in range(1, 12))
    chain = f"x = {long_sum}; y = {long_sum.replace('V(p)', 'V(n)')} + x; I(p, n) <+ V(p, n)*y;"
    once = _two_terminal(chain, "real x, y;")
    assert [e.name for e in once.elements] == ["Bi_p_n"]  # y read once, x once inside y
    assert _expression(once).count("tanh((11 * v(p)))") == 1
    twice = _two_terminal(f"x = {long_sum}; I(p, n) <+ x; I(n) <+ x;", "real x;")
    assert any(e.name.startswith("Bvar") for e in twice.elements)
    unused = _two_terminal(f"x = {long_sum}; I(p, n) <+ V(p, n);", "real x;")
    assert [e.name for e in unused.elements] == ["Bi_p_n"]


def test_current_probe_of_a_branch_left_without_its_contribution() -> None:
    line, message = _error(
        """module m(p, n, o);
  inout p, n, o; electrical p, n, o;
  analog begin
    V(o) <+ I(p, n);
    if (0) V(p, n) <+ 0;
  end
endmodule
"""
    )
    assert (line, "voltage contribution is never made" in message) == (4, True)


def test_white_noise_adds_noise_step_unless_the_module_declares_it() -> None:
    added = _two_terminal('I(p, n) <+ white_noise(1e-20, "shot");')
    assert dict(added.params)["noise_step"] == 1e-9
    declared = _two_terminal(
        'I(p, n) <+ white_noise(1e-20, "shot");', "parameter real noise_step = 5n;"
    )
    assert [name for name, _ in declared.params].count("noise_step") == 1
    assert dict(declared.params)["noise_step"] == 5e-9


@pytest.mark.parametrize(
    ("analog", "where"),
    [
        # the Stanford/PKU RRAM pattern: the gap is used, then integrated
        ("I(p, n) <+ 1m*exp(-x/0.2)*V(p, n);\n    x = idt(V(p, n), 1);", (5, 24)),
        # assigned on one path only: the other path reads the previous evaluation's value
        ("if (V(p) > 1) x = 1;\n    I(p, n) <+ x*V(p, n);", (6, 16)),
        # a block's own x is not the module's
        ("begin : inner real x; x = 2; end\n    I(p, n) <+ x;", (6, 16)),
    ],
)
def test_a_variable_read_before_it_is_assigned_is_held_state(
    analog: str, where: tuple[int, int]
) -> None:
    body = f"""module m(p, n);
  inout p, n; electrical p, n;
  real x = 0.5;
  analog begin
    {analog}
    x = V(p);
  end
endmodule
"""
    with pytest.raises(VaError) as caught:
        _lower(body)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.location.line - 2, diagnostic.location.column) == where
    assert "previous evaluation" in diagnostic.message
    assert "--target osdi" in diagnostic.message


def test_variables_assigned_first_or_never_are_not_state() -> None:
    subckt = _two_terminal(
        "if (V(p) > 1) x = 1; else x = 2; I(p, n) <+ x*V(p, n) + k;",
        "real x; real k = 3;",
    )
    assert _expression(subckt) == "((((v(p) > 1) ? 1 : 2) * v(p,n)) + 3)"


@pytest.mark.parametrize(
    ("analog", "declarations", "construct"),
    [
        ("@(cross(V(p) - 1, 1)) x = 1; I(p, n) <+ x;", "real x;", "@(cross)"),
        ("@(timer(1n)) x = 1; I(p, n) <+ x;", "real x;", "@(timer)"),
        ("@(initial_step) x = V(p); I(p, n) <+ x;", "real x;", "assigning a simulated"),
        ('$strobe("v = %g", V(p)); I(p, n) <+ V(p);', "", "`$strobe`"),
        ("$bound_step(1n); I(p, n) <+ V(p);", "", "`$bound_step`"),
        ("I(p, n) <+ transition(V(p) > 1 ? 1 : 0, 0, 1n);", "", "`transition`"),
        ("I(p, n) <+ absdelay(V(p), 1n);", "", "`absdelay`"),
        ("I(p, n) <+ ddx(V(p)*V(p), V(p));", "", "`ddx`"),
        ('I(p, n) <+ $simparam("gmin", 0)*V(p);', "", "`$simparam`"),
        ('I(p, n) <+ analysis("tran");', "", "`analysis`"),
        ("k = V(p); a[k] = 1; I(p, n) <+ a[0];", "integer k; real a[0:1];", "array index"),
        ("I(p, n) <+ pi*V(p);", "parameter real pi = 3;", "means something else"),
    ],
)
def test_what_a_subcircuit_cannot_express_names_the_osdi_target(
    analog: str, declarations: str, construct: str
) -> None:
    body = f"""module m(p, n);
  inout p, n; electrical p, n;
  {declarations}
  analog begin
    {analog}
  end
endmodule
"""
    _, message = _error(body)
    assert construct in message and "--target osdi" in message


def test_an_initial_step_of_parameters_lowers_as_plain_statements() -> None:
    subckt = _two_terminal(
        "@(initial_step) begin g = 2*g0; c[1] = g; end I(p, n) <+ c[1]*V(p, n);",
        "parameter real g0 = 1m; real g; real c[0:1];",
    )
    assert _expression(subckt) == "((2 * g0) * v(p,n))"


def test_an_initial_step_that_seeds_held_state_names_the_osdi_target() -> None:
    # the Stanford/PKU pattern: the gap starts in @(initial_step) and is integrated after
    _, message = _error(
        """module m(p, n);
  inout p, n; electrical p, n;
  real gap;
  analog begin
    @(initial_step) gap = 1;
    I(p, n) <+ V(p, n)*gap;
    gap = gap + 1m*V(p, n);
  end
endmodule
"""
    )
    assert "sets `gap`" in message and "--target osdi" in message
