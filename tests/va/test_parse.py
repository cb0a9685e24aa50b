"""Tests for spicegen.va.parse: Verilog-A text -> typed AST, and its diagnostics."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicegen.va import ast
from spicegen.va.diagnostics import Location, VaError
from spicegen.va.parse import parse

DISCIPLINES = """
nature Current
  units = "A";
  access = I;
  idt_nature = Charge;
  abstol = 1e-12;
endnature
nature Voltage
  units = "V";
  access = V;
  abstol = 1e-6;
endnature
discipline electrical
  potential Voltage;
  flow Current;
  domain continuous;
enddiscipline
"""

# A perpendicular MTJ in the style of the UMN/Purdue compact models: a free-layer state variable
# integrated from a thermally activated switching rate, TMR-dependent conductance.
MTJ = """
module mtj(p, n);
  inout p, n;
  electrical p, n, state;
  ground gnd;
  branch (p, n) junction;
  parameter real r_p = 2.5k from (0:inf);       // parallel resistance, ohm
  parameter real tmr0 = 1.2 from [0:10] exclude 0;
  parameter real ic0 = 50u from (0:1m];
  parameter real tau0 = 1n, delta = 40 from [1:inf);
  parameter integer initial_state = 0 from [0:1];
  localparam real v_half = 0.5;
  real g, tmr, rate;
  analog begin
    tmr = tmr0 / (1 + (V(junction) / v_half) ** 2);
    g = (1 + V(state) * tmr) / (r_p * (1 + tmr));
    rate = exp(-delta * (1 - abs(I(junction)) / ic0)) / tau0;
    I(junction) <+ g * V(junction);
    I(state) <+ ddt(V(state)) - rate * (I(junction) > 0 ? 1 - V(state) : -V(state));
  end
endmodule
"""

# A TEAM-like memristor: a bounded state variable from idt, a window function, a loop and a case.
MEMRISTOR = """
module memristor(te, be);
  inout te, be;
  electrical te, be;
  parameter real r_on = 100 from (0:inf), r_off = 16k from (0:inf);
  parameter real k_on = -8e-13, k_off = 8e-13;
  parameter integer window = 2 from [0:3] exclude 1;
  real x, w, sum;
  integer i;

  analog function real joglekar;
    input x, p;
    real x;
    integer p;
    joglekar = 1 - pow(2 * x - 1, 2 * p);
  endfunction

  analog begin : model
    real drive;
    drive = I(te, be) > 0 ? k_off : k_on;
    case (window)
      0: w = 1;
      2, 3: w = joglekar(x, window);
      default: w = 0;
    endcase
    sum = 0;
    for (i = 0; i < 4; i = i + 1)
      sum = sum + 0.25 * w;
    while (sum > 1) sum = sum - 1;
    if (x < 0) x = 0; else if (x > 1) x = 1;
    x = idt(drive * sum, 0.5);
    I(te, be) <+ V(te, be) / (r_on * x + r_off * (1 - x)) + $vt * 1f + ddt(1p * V(te, be));
  end
endmodule
"""


def errors(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of every diagnostic; fails if the text parses."""
    with pytest.raises(VaError) as caught:
        parse(text)
    return [(d.location.line, d.location.column, d.message) for d in caught.value.diagnostics]


def strip(node: object) -> object:
    """A node as nested tuples without locations, for comparing shapes."""
    if isinstance(node, tuple):
        return tuple(strip(item) for item in node)
    if hasattr(node, "__dataclass_fields__"):
        fields = [f for f in node.__dataclass_fields__ if f != "loc"]
        return (type(node).__name__, *(strip(getattr(node, f)) for f in fields))
    return node


def expr(text: str) -> ast.Expr:
    module = parse(f"module m; analog x = {text}; endmodule").modules[0]
    statement = module.analog[0]
    assert isinstance(statement, ast.Assign)
    return statement.value


def tree(text: str) -> object:
    """Expression as a compact prefix tree: ('+', 'a', ('*', 'b', 'c'))."""
    node = expr(text)

    def walk(n: ast.Expr) -> object:
        match n:
            case ast.Identifier(name=name):
                return name
            case ast.Number(text=number):
                return number
            case ast.Unary(op=op, operand=operand):
                return (op, walk(operand))
            case ast.Binary(op=op, left=left, right=right):
                return (op, walk(left), walk(right))
            case ast.Ternary(condition=c, then=t, otherwise=o):
                return ("?:", walk(c), walk(t), walk(o))
            case ast.Call(name=name, args=args) | ast.SystemCall(name=name, args=args):
                return (name, *(walk(a) for a in args))
        return n

    return walk(node)


# ---- natures, disciplines and modules ----
def test_disciplines_vams_content_parses_to_natures_and_disciplines() -> None:
    source = parse(DISCIPLINES)
    current, voltage = source.natures
    assert current.name == "Current" and current.parent is None
    assert [(a.name, strip(a.value)) for a in current.attributes] == [
        ("units", ("String", "A")),
        ("access", ("Identifier", "I")),
        ("idt_nature", ("Identifier", "Charge")),
        ("abstol", ("Number", 1e-12, False, "1e-12")),
    ]
    assert voltage.attributes[2].value == ast.Number(
        1e-6, False, "1e-6", Location("<string>", 11, 12)
    )
    assert source.disciplines == (
        ast.Discipline(
            "electrical", "Voltage", "Current", "continuous", Location("<string>", 13, 1)
        ),
    )


def test_mtj_module_shape() -> None:
    (module,) = parse(DISCIPLINES + MTJ).modules
    assert module.name == "mtj"
    assert module.ports == ("p", "n")
    assert strip(module.directions) == (("PortDirection", "inout", ("p", "n"), None),)
    assert strip(module.nets) == (("NetDeclaration", "electrical", ("p", "n", "state")),)
    assert strip(module.grounds) == (("Ground", ("gnd",)),)
    assert strip(module.branches) == (("Branch", "junction", "p", "n"),)
    names = [(p.name, p.type, p.local) for p in module.parameters]
    assert names == [
        ("r_p", "real", False),
        ("tmr0", "real", False),
        ("ic0", "real", False),
        ("tau0", "real", False),
        ("delta", "real", False),
        ("initial_state", "integer", False),
        ("v_half", "real", True),
    ]
    r_p, tmr0, ic0, _, delta, initial_state, _ = module.parameters
    assert r_p.default.value == 2500.0  # type: ignore[union-attr]
    assert strip(r_p.ranges) == (("Range", ("Number", 0, True, "0"), None, False, False),)
    assert strip(tmr0.excludes) == (("Exclude", ("Number", 0, True, "0"), None),)
    (ic0_range,) = ic0.ranges
    assert (ic0_range.lower_inclusive, ic0_range.upper_inclusive) == (False, True)
    assert ic0_range.upper.value == pytest.approx(1e-3)  # type: ignore[union-attr]
    (delta_range,) = delta.ranges
    assert delta_range.upper is None and delta_range.lower_inclusive
    assert initial_state.default == ast.Number(0, True, "0", initial_state.default.loc)
    assert [v.name for v in module.variables] == ["g", "tmr", "rate"]
    (block,) = module.analog
    assert isinstance(block, ast.Block) and block.name is None
    kinds = [type(s).__name__ for s in block.statements]
    assert kinds == ["Assign", "Assign", "Assign", "Contribution", "Contribution"]
    current = block.statements[3]
    assert strip(current) == (
        "Contribution",
        "I",
        (("Identifier", "junction"),),
        ("Binary", "*", ("Identifier", "g"), ("Call", "V", (("Identifier", "junction"),))),
    )
    line = (DISCIPLINES + MTJ).splitlines().index("    I(junction) <+ g * V(junction);") + 1
    assert current.loc == Location("<string>", line, 5)


def test_memristor_module_with_function_case_and_loops() -> None:
    (module,) = parse(MEMRISTOR).modules
    (function,) = module.functions
    assert function.name == "joglekar" and function.type == "real"
    assert strip(function.arguments) == (
        ("FunctionArgument", "x", "input"),
        ("FunctionArgument", "p", "input"),
    )
    assert [(v.name, v.type) for v in function.variables] == [("x", "real"), ("p", "integer")]
    (body,) = function.body
    assert isinstance(body, ast.Assign) and body.target == "joglekar"
    window = module.parameters[4]
    assert window.type == "integer" and len(window.ranges) == 1 and len(window.excludes) == 1

    (block,) = module.analog
    assert isinstance(block, ast.Block) and block.name == "model"
    assert strip(block.declarations) == (("Variable", "drive", "real", None),)
    _, case, _, loop, loop_while, branch, integral, contribution = block.statements
    assert isinstance(case, ast.Case)
    assert [len(item.values) for item in case.items] == [1, 2, 0]  # 0 values = default
    assert isinstance(loop, ast.For)
    assert strip(loop.init) == ("Assign", "i", ("Number", 0, True, "0"))
    assert strip(loop.step)[2][1] == "+"  # type: ignore[index]
    assert isinstance(loop.body, ast.Assign)
    assert isinstance(loop_while, ast.While)
    assert isinstance(branch, ast.If) and isinstance(branch.otherwise, ast.If)
    assert branch.otherwise.otherwise is None  # the dangling else binds to the inner if
    assert tree_of(integral.value) == ("idt", ("*", "drive", "sum"), "0.5")  # type: ignore[union-attr]
    assert isinstance(contribution, ast.Contribution) and contribution.args == (
        ast.Identifier("te", contribution.args[0].loc),
        ast.Identifier("be", contribution.args[1].loc),
    )


def tree_of(node: ast.Expr) -> object:
    match node:
        case ast.Identifier(name=name):
            return name
        case ast.Number(text=text):
            return text
        case ast.Binary(op=op, left=left, right=right):
            return (op, tree_of(left), tree_of(right))
        case ast.Call(name=name, args=args):
            return (name, *(tree_of(a) for a in args))
    return node


def test_port_branch_probe_and_system_functions() -> None:
    assert strip(expr("I(<p>) + $vt + $vt(T) + $rdist_normal(seed, 0, 1)")) == (
        "Binary",
        "+",
        (
            "Binary",
            "+",
            ("Binary", "+", ("Call", "I", (("PortBranch", "p"),)), ("SystemCall", "$vt", ())),
            ("SystemCall", "$vt", (("Identifier", "T"),)),
        ),
        (
            "SystemCall",
            "$rdist_normal",
            (("Identifier", "seed"), ("Number", 0, True, "0"), ("Number", 1, True, "1")),
        ),
    )


def test_ports_with_discipline_attributes_and_empty_module() -> None:
    source = parse('(* desc = "x" *) module m(); input electrical a; endmodule module n; endmodule')
    first, second = source.modules
    assert strip(first.directions) == (("PortDirection", "input", ("a",), "electrical"),)
    assert first.ports == () and second.ports == () and second.analog == ()


def test_untyped_parameter_and_variable_initializer() -> None:
    (module,) = parse("module m; parameter p = 2; real x = 1.0, y; endmodule").modules
    assert module.parameters[0].type is None
    assert [strip(v.initializer) for v in module.variables] == [("Number", 1.0, False, "1.0"), None]


def test_custom_locator_maps_positions() -> None:
    def locate(line: int, column: int) -> Location:
        return Location("model.va", line + 100, column)

    def source_line(location: Location) -> str:
        return "ORIGINAL"

    (module,) = parse("module m; endmodule", locate=locate).modules
    assert module.loc == Location("model.va", 101, 1)
    with pytest.raises(VaError) as caught:
        parse("module m; x; endmodule", locate=locate, source_line=source_line)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.location == Location("model.va", 101, 12)
    assert diagnostic.source_line == "ORIGINAL"


# ---- numbers ----
@pytest.mark.parametrize(
    ("text", "value", "is_integer"),
    [
        ("42", 42, True),
        ("1_000", 1000, True),
        ("1.5", 1.5, False),
        ("1e-9", 1e-9, False),
        ("2.5E3", 2500.0, False),
        ("1M", 1e6, False),  # mega
        ("1m", 1e-3, False),  # milli: the scale factors are case-sensitive
        ("2.5k", 2500.0, False),
        ("3K", 3000.0, False),
        ("1G", 1e9, False),
        ("1T", 1e12, False),
        ("4.7u", 4.7e-6, False),
        ("10n", 1e-8, False),
        ("1p", 1e-12, False),
        ("5f", 5e-15, False),
        ("2a", 2e-18, False),
    ],
)
def test_numbers_and_scale_factors(text: str, value: float, is_integer: bool) -> None:
    number = expr(text)
    assert isinstance(number, ast.Number)
    assert number.value == value  # exact: built from the decimal text, not by multiplication
    assert number.is_integer is is_integer and isinstance(number.value, int) is is_integer
    assert number.text == text


@pytest.mark.parametrize("text", ["1meg", "1e3k", "2x", "1e"])
def test_malformed_numbers_are_reported(text: str) -> None:
    ((line, column, message),) = errors(f"module m; analog x = {text}; endmodule")
    assert (line, column) == (1, 22)
    assert message.startswith(f"malformed number `{text}`")


def test_string_escapes() -> None:
    assert expr(r'"a\"b\n"') == ast.String('a"b\n', Location("<string>", 1, 22))


# ---- precedence: the Verilog table, all binary operators left-associative ----
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b * c", ("+", "a", ("*", "b", "c"))),
        ("a - b - c", ("-", ("-", "a", "b"), "c")),
        ("a / b * c", ("*", ("/", "a", "b"), "c")),
        ("a % b + c", ("+", ("%", "a", "b"), "c")),
        ("a * b ** c", ("*", "a", ("**", "b", "c"))),
        # Verilog-2005 5.1.2: ** associates left to right like every binary operator.
        ("a ** b ** c", ("**", ("**", "a", "b"), "c")),
        # Unary operators bind tighter than **: -a**2 is (-a)**2 in Verilog.
        ("-a ** 2", ("**", ("-", "a"), "2")),
        ("!a && b", ("&&", ("!", "a"), "b")),
        ("~a | b", ("|", ("~", "a"), "b")),
        ("a << 1 + b", ("<<", "a", ("+", "1", "b"))),
        ("a < b == c > d", ("==", ("<", "a", "b"), (">", "c", "d"))),
        ("a & b ^ c | d", ("|", ("^", ("&", "a", "b"), "c"), "d")),
        ("a == b & c", ("&", ("==", "a", "b"), "c")),
        ("a | b && c", ("&&", ("|", "a", "b"), "c")),
        ("a || b && c", ("||", "a", ("&&", "b", "c"))),
        ("a ? b : c ? d : e", ("?:", "a", "b", ("?:", "c", "d", "e"))),
        ("a || b ? c : d", ("?:", ("||", "a", "b"), "c", "d")),
        ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
        ("f(a, b + 1) * $vt", ("*", ("f", "a", ("+", "b", "1")), ("$vt",))),
        ("a >= b && c <= d", ("&&", (">=", "a", "b"), ("<=", "c", "d"))),
        ("- - a", ("-", ("-", "a"))),
        ("a != b", ("!=", "a", "b")),
    ],
)
def test_operator_precedence(text: str, expected: object) -> None:
    assert tree(text) == expected


# ---- unsupported constructs: named, at the right place, all at once ----
UNSUPPORTED = [
    ('analog begin x = $fopen("f"); end', "$fopen"),
    ('analog begin $fstrobe(1, "x"); end', "$fstrobe"),
    ("analog begin x = slew(V(a)); end", "slew(...)"),
    ("analog begin x = laplace_nd(V(a), 1, 1); end", "laplace_nd(...)"),
    ("analog begin x = zi_zp(V(a), 1, 1, 1); end", "zi_zp(...)"),
    ("analog begin x = last_crossing(V(a), 1); end", "last_crossing(...)"),
    ("analog begin repeat (3) x = x + 1; end", "repeat"),
    ("string s;", "string"),
    ('parameter string s = "a";', "string"),
    ("generate real y; endgenerate", "generate"),
]


@pytest.mark.parametrize(("item", "construct"), UNSUPPORTED)
def test_unsupported_construct_is_named_at_its_position(item: str, construct: str) -> None:
    prefix = "module m(a);\n  electrical a;\n  "
    ((line, column, message),) = errors(f"{prefix}{item}\nendmodule\n")
    assert message.startswith(f"unsupported construct `{construct}`: ")
    offset = item.index(construct.split("(")[0].split()[0]) if construct != "string" else None
    assert line == 3
    if offset is not None and not item.startswith("parameter"):
        assert column == 3 + offset


def test_all_unsupported_constructs_reported_together() -> None:
    body = "\n".join(f"  {item}" for item, _ in UNSUPPORTED)
    found = errors(f"module m(a);\n  electrical a;\n{body}\nendmodule\n")
    assert [line for line, _, _ in found] == list(range(3, 3 + len(UNSUPPORTED)))


# ---- events, tasks, arrays and the spellings tools accept ----
def test_events_tasks_arrays_and_call_statements_parse_to_their_nodes() -> None:
    (module,) = parse(
        """module m(a);
  electrical a;
  real x[0:3], y = .5;
  integer k[1:2] = '{1, 2};
  genvar i;
  parameter real r = 1 from [0, 10];
  analog function real f; input u; output w; real u, w; begin w = u; f = u; end endfunction
  analog initial x[0] = 1;
  analog begin
    @(initial_step or cross(V(a) - 0.5, +1)) x[1] = 2;
    $strobe("x=%g", x[1]);
    $bound_step(1n);
    f(V(a), y);
  end
endmodule
"""
    ).modules
    arrays = {v.name: v for v in module.variables if isinstance(v, ast.ArrayVariable)}
    assert sorted(arrays) == ["k", "x"] and isinstance(arrays["k"].initializer, ast.ArrayLiteral)
    assert [v.name for v in module.variables if isinstance(v, ast.Variable)] == ["y", "i"]
    zero, ten = ("Number", 0, True, "0"), ("Number", 10, True, "10")
    assert strip(module.parameters[0].ranges[0])[1:] == (zero, ten, True, True)
    initial, block = module.analog
    assert isinstance(block, ast.Block)
    events, strobe, bound, call = block.statements
    assert isinstance(initial, ast.EventControl) and isinstance(initial.body, ast.IndexedAssign)
    assert isinstance(events, ast.EventControl)
    assert [type(e).__name__ for e in events.events] == ["Identifier", "Call"]
    assert isinstance(strobe, ast.SystemTask) and strobe.name == "$strobe"
    assert isinstance(strobe.args[1], ast.Index)
    assert isinstance(bound, ast.SystemTask) and isinstance(call, ast.CallStatement)


# ---- syntax errors: readable, positioned, several at once ----
def test_several_syntax_errors_are_all_reported() -> None:
    source = """module m(a);
  electrical a;
  analog begin
    x = 1
    y = 2 +;
    I(a) <+ ;
    z = 3
  end
  parameter real p = ;
endmodule
"""
    assert errors(source) == [
        (5, 5, "expected ';' after the assignment, found 'y'"),
        (5, 12, "expected an expression, found ';'"),
        (6, 13, "expected an expression, found ';'"),
        (8, 3, "expected ';' after the assignment, found 'end'"),
        (9, 22, "expected an expression, found ';'"),
    ]


def test_syntax_and_unsupported_errors_come_together_in_source_order() -> None:
    source = 'module m;\n  analog begin\n    $fopen("f");\n    x = (1;\n  end\nendmodule\n'
    found = errors(source)
    assert [(line, column) for line, column, _ in found] == [(3, 5), (4, 11)]
    assert found[1][2] == "expected ')', found ';'"


@pytest.mark.parametrize(
    ("source", "position", "message"),
    [
        ("module", (1, 1), "expected a name, found the end of the file"),
        ("module m; analog begin x = 1; end", (1, 31), "expected a declaration"),
        ("module m(a b); endmodule", (1, 12), "expected ')' or ','"),
        ("module m; electrical ; endmodule", (1, 22), "expected a name"),
        ("module m; parameter real = 1; endmodule", (1, 26), "expected a name"),
        ("module m; analog if x = 1; endmodule", (1, 21), "expected '('"),
        ("module m; analog I(a) <+ 1 endmodule", (1, 28), "expected ';' after the contribution"),
        ("module m; endmodule endmodule", (1, 21), "expected 'discipline', 'module', 'nature'"),
        ("module m; analog x = 1; /* open", (1, 25), "unterminated comment"),
        ("module m; analog x = 1 # 2; endmodule", (1, 24), "unexpected character '#'"),
        ("`define A 1", (1, 1), "unexpected character '`'; compiler directives"),
    ],
)
def test_readable_syntax_errors(source: str, position: tuple[int, int], message: str) -> None:
    line, column, text = errors(source)[0]
    assert (line, column) == position
    assert text.startswith(message)


def test_error_format_has_file_line_column_and_caret() -> None:
    with pytest.raises(VaError) as caught:
        parse("module m;\n  analog x = ;\nendmodule\n", filename="m.va")
    assert str(caught.value) == (
        "m.va:2:14: error: expected an expression, found ';'\n"
        "      analog x = ;\n"
        "                 ^"
    )


def test_comments_are_ignored_everywhere() -> None:
    source = "module /* a */ m // b\n(p); /* multi\nline */ electrical p; // c\nendmodule"
    (module,) = parse(source).modules
    assert module.ports == ("p",) and module.nets[0].names == ("p",)


def test_deep_nesting_is_a_clean_error_or_parses() -> None:
    depth = 3000
    try:
        result = expr("-" * depth + "a")
    except VaError:
        return
    assert isinstance(result, ast.Unary)


# ---- property tests: any input gives an AST or a VaError, nothing else ----
_KEYWORD_TEXT = """
module endmodule analog begin end if else case endcase default for while function endfunction
input output inout real integer parameter localparam from exclude inf ground branch nature
endnature discipline enddiscipline electrical initial generate genvar string repeat or
V I ddt idt x y a b
"""
KEYWORDS = tuple(_KEYWORD_TEXT.split())
PUNCTUATION = (
    "( ) [ ] ; : , = <+ + - * / % ** ? ! ~ & | ^ && || == != < <= > >= << >> @ < > { } # `"
)
TOKENS = st.sampled_from(
    [
        *KEYWORDS,
        *PUNCTUATION.split(),
        "1",
        "2.5k",
        "1M",
        "1e-9",
        "1meg",
        '"s"',
        "$vt",
        "$strobe",
        "/*",
        "*/",
        "//",
        "\n",
        "(*",
        "*)",
        "\\esc",
        "\u00e9",
    ]
)


def parses_or_va_error(text: str) -> None:
    try:
        result = parse(text)
    except VaError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.location.line >= 1 and diagnostic.location.column >= 1
            assert diagnostic.format()
    else:
        assert isinstance(result, ast.SourceFile)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=40))
def test_token_soup_never_raises_anything_but_va_error(tokens: list[str]) -> None:
    parses_or_va_error(" ".join(tokens))


VALID = DISCIPLINES + MEMRISTOR


def test_valid_model_for_mutation_parses() -> None:
    source = parse(VALID)
    assert [m.name for m in source.modules] == ["memristor"]
    assert math.isclose(source.modules[0].parameters[1].default.value, 16e3)  # type: ignore[union-attr]


_VALID_WORDS = VALID.split(" ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(_VALID_WORDS) - 1),
    st.one_of(TOKENS, st.just("")),
    st.booleans(),
)
def test_single_token_mutations_never_raise_anything_but_va_error(
    index: int, replacement: str, insert: bool
) -> None:
    words = list(_VALID_WORDS)
    if insert:
        words.insert(index, replacement)
    else:
        words[index] = replacement
    parses_or_va_error(" ".join(words))
