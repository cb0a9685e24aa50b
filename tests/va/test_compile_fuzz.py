"""Fuzzing the whole compiler (``compile_va``): random token soup and single-token mutations of
valid models never raise anything but a located ``VaError``, and valid models compile to the same
text every time for one seed (issue 3, "Checks": property/fuzz tests)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicegen.netlist import Subckt, subckt_text
from spicegen.va import VaError
from spicegen.va.compile import compile_va
from spicegen.va.preprocess import PACKAGE_INCLUDE_DIR

FILENAME = "fuzz.va"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYWORDS = (
    "module", "endmodule", "inout", "input", "output", "electrical", "ground", "branch",
    "parameter", "localparam", "real", "integer", "from", "exclude", "inf", "analog", "begin",
    "end", "if", "else", "case", "endcase", "default", "for", "while", "function",
    "endfunction", "nature", "endnature", "discipline", "enddiscipline", "potential", "flow",
    "V", "I", "ddt", "idt", "exp", "ln", "log", "pow", "sqrt", "abs", "limexp", "min", "max",
    "$vt", "$temperature", "$abstime", "$rdist_normal", "$strobe", "@", "initial_step",
    "cross", "transition", "genvar",
)  # fmt: skip
IDENTIFIERS = ("p", "n", "a", "b", "x", "y", "m", "r", "q", "k_1", "_t", "\\esc ")
OPERATORS = (
    "+", "-", "*", "/", "%", "**", "<+", "=", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!",
    "~", "&", "|", "^", "<<", ">>", "?", ":", "~&", "~|",
)  # fmt: skip
PUNCTUATION = ("(", ")", "[", "]", "{", "}", ";", ",", ".", "#", "'", '"', "\n", "//", "/*", "*/")
DIRECTIVES = (
    "`include", '`include "disciplines.vams"', '`include "nofile.vams"', "`define",
    "`define M(x) (x)", "`define M", "`M", "`M(", "`undef", "`ifdef", "`ifndef", "`elsif",
    "`else", "`endif", "`timescale", "`resetall", "`default_discipline", "`P_Q", "`", "\\",
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(("1k", "2.5m", "1meg", "1e", "1e-3", "0x1F", "'h1F", "3'b101", ".5", "1.")),
)
TOKENS = st.one_of(
    st.sampled_from(KEYWORDS + IDENTIFIERS + OPERATORS + PUNCTUATION + DIRECTIVES), NUMBERS
)

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'
VALID = (
    HEADER
    + """module res(p, n);
  inout p, n; electrical p, n;
  parameter real r = 1k from (0:inf);
  analog I(p, n) <+ V(p, n)/r;
endmodule
""",
    HEADER
    + """module rc(a, c);
  inout a, c; electrical a, c;
  parameter real is = 1e-14 from (0:inf), c0 = 1p;
  real v, s; integer k;
  analog function real sq;
    input x; real x;
    sq = x*x;
  endfunction
  analog begin
    v = V(a, c);
    s = 0;
    for (k = 0; k < 3; k = k + 1) s = s + sq(v)/(k + 1);
    if (v > 0.5) s = s + 1; else s = s - 1;
    I(a, c) <+ is*(limexp(v/$vt) - 1) + ddt(c0*v) + 1e-6*s;
  end
endmodule
""",
    HEADER
    + """`define GAIN(x) (2*(x))
module integ(in, o);
  inout in, o; electrical in, o;
  parameter real k = 1e6, v0 = 0.1, mu = 1, sigma = 0.1;
  integer seed; real a;
  analog begin
    a = $rdist_normal(seed, mu, sigma);
    I(in) <+ V(in)/1k;
    case (1) 0: a = 0; default: a = a + 1; endcase
    V(o) <+ `GAIN(a)*idt(k*V(in), v0);
  end
endmodule
""",
)
# one Verilog-A token: string, (directive/system) identifier, number, two-char operator, other
_TOKEN = re.compile(
    r'"[^"\n]*"|`?\$?[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?'
    r"|<\+|\*\*|[<>=!]=|&&|\|\||<<|>>|\S"
)


def _compile(text: str, seed: int | None = None) -> Subckt | None:
    """Compile ``text``; a VaError must be located inside ``text`` or a header it includes
    (a stray token before an `include can make the header's first line the unexpected one),
    on a line that exists there, and say ``error:``."""
    try:
        return compile_va(text, filename=FILENAME, seed=seed)
    except VaError as err:
        line_counts = {FILENAME: text.count("\n") + 1}
        for header in PACKAGE_INCLUDE_DIR.glob("*.vams"):
            line_counts[str(header)] = header.read_text().count("\n") + 1
        assert all(
            d.location.file in line_counts and 1 <= d.location.line <= line_counts[d.location.file]
            for d in err.diagnostics
        ), err.diagnostics
        assert all("error:" in d.format() for d in err.diagnostics)
        return None


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


@FUZZ
@given(st.lists(TOKENS, max_size=40), st.sampled_from((" ", "\n", "")))
def test_token_soup_gives_a_subckt_or_a_va_error(tokens: list[str], separator: str) -> None:
    try:
        result = compile_va(separator.join(tokens), filename=FILENAME)
    except VaError:
        return
    assert isinstance(result, Subckt)


@FUZZ
@given(st.data())
def test_single_token_mutations_give_a_subckt_or_a_located_va_error(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(VALID))
    spans = _spans(text)
    start, end = data.draw(st.sampled_from(spans))
    action = data.draw(st.sampled_from(("delete", "insert", "replace")))
    if action == "delete":
        mutated = text[:start] + " " + text[end:]
    else:
        token = data.draw(TOKENS)
        if action == "insert":
            mutated = text[:start] + token + " " + text[start:]
        else:
            mutated = text[:start] + token + text[end:]
    _compile(mutated)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(VALID), st.one_of(st.none(), st.integers(0, 2**32)))
def test_valid_models_compile_to_identical_text_for_one_seed(text: str, seed: int | None) -> None:
    first = compile_va(text, filename=FILENAME, seed=seed)
    second = compile_va(text, filename=FILENAME, seed=seed)
    assert subckt_text(first) == subckt_text(second)
