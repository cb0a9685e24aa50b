"""Semantic check: each rule of the subset on a small model, with its message and line:col."""

from __future__ import annotations

import pytest

from spicegen.va import VaError, read_model
from spicegen.va.check import CheckedModel, check

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'


def _check(body: str) -> CheckedModel:
    return check(read_model(HEADER + body, filename="m.va"))


def _errors(body: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of every diagnostic; lines count from the first body line."""
    with pytest.raises(VaError) as caught:
        _check(body)
    return [(d.location.line - 2, d.location.column, d.message) for d in caught.value.diagnostics]


def _one(body: str) -> tuple[int, int, str]:
    (error,) = _errors(body)
    return error


MTJ = """module mtj(p, n);
  inout p, n;
  electrical p, n, s;
  thermal t;
  branch (p, n) res;
  parameter real rp = 5k from (0:inf);
  parameter real tmr0 = 1.5 from [0:inf);
  parameter real rap = rp * (1 + tmr0);
  parameter real ic0 = 50u exclude 0;
  parameter real tau0 = 1n;
  parameter integer nsteps = 4 from [1:16];
  parameter delta = 40;
  real g, state, rth;
  integer k;
  analog function real blend;
    input x, a, b;
    real x, a, b;
    blend = a + (b - a) * x;
  endfunction
  analog begin
    state = V(s);
    g = 1.0 / blend(state, rp, rap);
    rth = 0;
    for (k = 0; k < nsteps; k = k + 1) rth = rth + 1.0 / nsteps;
    I(res) <+ g * V(res);
    I(s) <+ ddt(V(s)) * tau0 - (I(<p>) / ic0) * exp(-delta * $vt / `P_K) + V(s) * 1e-9;
    Pwr(t) <+ -V(res) * I(res) + Temp(t) * rth;
    if (nsteps > 2) I(s) <+ ddt(V(s)) * 1e-15;
  end
endmodule
"""

MEMRISTOR = """module memristor(p, n);
  inout p, n;
  electrical p, n, x;
  parameter real ron = 100 from (0:inf);
  parameter real roff = 16k from (ron:inf);
  parameter real mu = 1e-14;
  parameter integer order = 2;
  parameter sigma = 0.05;
  real w, win;
  analog begin : body
    real r;
    w = min(max(V(x), 0), 1);
    win = 1 - pow(2 * w - 1, 2 * order);
    r = (ron * w + roff * (1 - w)) * (1 + sigma * $rdist_normal(1, 0, 1));
    I(p, n) <+ V(p, n) / r;
    I(x) <+ ddt(V(x)) - mu * ron / 1e-16 * I(p, n) * win;
  end
endmodule
"""


def test_an_mtj_like_model_passes_and_records_facts_for_lowering() -> None:
    (module,) = _check(MTJ).modules
    assert module.port_names == ("p", "n")
    assert module.internal_nodes == ("s", "t")
    assert dict(module.branches) == {"res": ("p", "n")}
    assert module.parameter_types["nsteps"] == "integer"
    assert module.parameter_types["delta"] == "integer"  # untyped: type of its default
    assert module.parameter_types["rap"] == "real"
    assert dict(module.variable_types) == {
        "g": "real",
        "state": "real",
        "rth": "real",
        "k": "integer",
    }
    assert set(module.functions) == {"blend"}
    assert module.net_disciplines["t"] == "thermal"


def test_a_memristor_like_model_passes() -> None:
    (module,) = _check(MEMRISTOR).modules
    assert module.parameter_types["sigma"] == "real"
    assert module.internal_nodes == ("x",)


def test_division_types_tell_integer_from_real_division() -> None:
    (module,) = _check(
        "module m(a);\n inout a; electrical a;\n parameter integer n = 3;\n"
        " integer q; real r;\n analog begin q = n / 2; r = n / 2.0; I(a) <+ r + q; end\nendmodule\n"
    ).modules
    assert sorted(module.division_types.values()) == ["integer", "real"]


def test_port_without_direction_or_discipline() -> None:
    assert _errors("module m(a, b);\n inout a; electrical a;\nendmodule\n") == [
        (1, 1, "port `b` has no direction; expected `inout b;` (or input/output)"),
        (1, 1, "port `b` has no discipline; expected e.g. `electrical b;`"),
    ]


def test_unknown_discipline() -> None:
    line, column, message = _errors("module m(a);\n inout a;\n electric a;\nendmodule\n")[1]
    assert (line, column) == (3, 2)
    assert message.startswith("unknown discipline `electric`; expected one of:")


def test_undeclared_net_in_access_function() -> None:
    body = "module m(a);\n inout a; electrical a;\n analog I(a, b) <+ V(a);\nendmodule\n"
    assert _one(body) == (3, 14, "undeclared net or branch `b`")


def test_port_branch_must_name_a_port() -> None:
    body = "module m(a);\n inout a; electrical a, x;\n analog I(a) <+ I(<x>);\nendmodule\n"
    assert _one(body) == (3, 19, "`<x>` is not a port; expected a port name")


def test_access_function_arity_and_discipline() -> None:
    body = (
        "module m(a, b);\n inout a, b; electrical a, b;\n branch (a, b) br;\n"
        " analog I(a) <+ V(a, b, a) + V(br, a) + Temp(a);\nendmodule\n"
    )
    assert _errors(body) == [
        (4, 17, "access function `V` takes 1 or 2 nets or 1 branch, got 3 argument(s)"),
        (4, 32, "branch `br` must be the only argument of `V(...)`"),
        (
            4,
            46,
            "access function `Temp` does not apply to net `a` of discipline "
            "`electrical`; expected I or V",
        ),
    ]


def test_undeclared_and_duplicate_identifiers() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n real x; integer x;\n"
        " analog I(a) <+ y;\nendmodule\n"
    )
    assert _errors(body) == [
        (3, 18, "`x` is already declared (first declared at 5:7)"),
        (4, 17, "undeclared identifier `y`"),
    ]


def test_parameter_not_assignable_and_variable_not_contributable() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n parameter real r = 1;\n real x;\n"
        " analog begin r = 2; x(a) <+ 1; a = 1; I(a) <+ a; end\nendmodule\n"
    )
    assert _errors(body) == [
        (5, 15, "cannot assign to parameter `r`; it is constant"),
        (
            5,
            22,
            "cannot contribute to variable `x`; expected a branch access such as I(a, b) <+ ...",
        ),
        (5, 33, "cannot assign to net `a`; expected a contribution `<+`"),
        (5, 48, "net `a` cannot be used as a value; expected an access function such as V(a)"),
    ]


def test_parameter_default_uses_only_earlier_parameters_and_constants() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n real v;\n"
        " parameter real p = q * 2;\n parameter real q = v from [0:v);\nendmodule\n"
    )
    assert _errors(body) == [
        (
            4,
            21,
            "the default of parameter `p` uses `q`, declared later; "
            "expected only earlier parameters",
        ),
        (
            5,
            21,
            "the default of parameter `q` must be a constant expression; `v` is not a parameter",
        ),
        (5, 31, "a range of `q` must be a constant expression; `v` is not a parameter"),
    ]


def test_builtin_and_user_function_arity_and_unknown_functions() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n"
        " analog function real f; input x; real x; f = x; endfunction\n"
        " analog I(a) <+ pow(V(a)) + f(1, 2) + sqr(V(a)) + ddt(V(a), 1, 2);\nendmodule\n"
    )
    assert _errors(body) == [
        (4, 17, "`pow` takes 2 argument(s), got 1"),
        (4, 29, "analog function `f` takes 1 argument(s), got 2"),
        (4, 39, "unknown function `sqr`"),
        (4, 51, "`ddt` takes 1 to 2 argument(s), got 3"),
    ]


def test_system_functions() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n"
        ' analog I(a) <+ $vt + $temperature + $simparxx("gmin") + $rdist_normal(1, 2)'
        " + $foo;\nendmodule\n"
    )
    assert _errors(body) == [
        (3, 38, "unsupported system function `$simparxx`"),
        (3, 58, "`$rdist_normal` takes 3 to 4 argument(s), got 2"),
        (3, 80, "unsupported system function `$foo`"),
    ]


def test_analog_operators_in_functions_loops_and_changing_conditions() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n parameter integer on = 1;\n integer k;\n"
        " analog function real f; input x; real x; f = ddt(x); endfunction\n"
        " analog begin\n"
        "  if (on) I(a) <+ ddt(V(a));\n"
        "  if (V(a) > 0) I(a) <+ idt(V(a));\n"
        "  for (k = 0; k < 2; k = k + 1) I(a) <+ ddt(V(a));\n"
        "  I(a) <+ V(a) > 0 ? ddt(V(a)) : 0;\n"
        " end\nendmodule\n"
    )
    assert _errors(body) == [
        (5, 47, "`ddt` is not allowed inside analog function `f`"),
        (
            8,
            25,
            "`idt` is not allowed inside an `if` condition that can change during the analysis",
        ),
        (9, 41, "`ddt` is not allowed inside a `for` loop"),
        (10, 22, "`ddt` is not allowed inside a `?:` whose condition can change"),
    ]


def test_loop_bounds_known_at_run_time_pass_the_checks() -> None:
    # the osdi target keeps such loops as C loops; the subckt target unrolls loops and refuses
    # one it cannot unroll, naming --target osdi (test_lower.py)
    body = (
        "module m(a);\n inout a; electrical a;\n parameter integer n = 3;\n"
        " integer k; real x, y;\n analog begin\n"
        "  for (k = 0; k < n; k = k + 1) x = x + k;\n"
        "  for (k = 0; k < V(a); k = k + 1) x = x + k;\n"
        "  for (y = 0; y < 2; y = y + 1) x = x + y;\n"
        "  while (x < 3) x = x + 1;\n"
        "  while (V(a) > 0 && x > -10) x = x - 1;\n"
        "  for (k = 0; k < 2; x = x + 1) x = x + k;\n"
        "  I(a) <+ x;\n end\nendmodule\n"
    )
    assert _errors(body) == [
        (8, 8, "loop variable `y` must be an integer variable"),
        (11, 22, "the step must assign the loop variable `k`"),
    ]


def test_block_local_variables_are_scoped() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n"
        " analog begin\n  begin : inner real t; t = V(a); I(a) <+ t; end\n  I(a) <+ t;\n end\n"
        "endmodule\n"
    )
    assert _one(body) == (5, 11, "undeclared identifier `t`")


def test_analog_function_cannot_use_module_variables_or_access_functions() -> None:
    body = (
        "module m(a);\n inout a; electrical a;\n real g;\n"
        " analog function real f; input x; real x; f = x * g + V(a); endfunction\n"
        " analog I(a) <+ f(1);\nendmodule\n"
    )
    assert _errors(body) == [
        (4, 51, "analog function `f` cannot use module variable `g`"),
        (4, 55, "access function `V` is not allowed inside an analog function"),
    ]


def test_several_independent_errors_are_all_reported_with_source_lines() -> None:
    text = HEADER + (
        "module m(a, b);\n inout a; electrical a;\n parameter real r = 1;\n"
        " analog begin\n  r = 2;\n  I(a, c) <+ foo(V(a));\n  I(a) <+ $foo;\n end\nendmodule\n"
    )
    tree = read_model(text, filename="m.va")
    lines = text.splitlines()
    with pytest.raises(VaError) as caught:
        check(tree, source_line=lambda loc: lines[loc.line - 1])
    messages = [d.message for d in caught.value.diagnostics]
    assert len(messages) == 6
    assert "undeclared net or branch `c`" in messages
    assert "unknown function `foo`" in messages
    assert (
        "m.va:7:3: error: cannot assign to parameter `r`; it is constant\n      r = 2;\n      ^"
        in str(caught.value)
    )
