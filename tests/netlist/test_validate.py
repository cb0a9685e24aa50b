"""The value and name checks of spicegen/netlist/validate.py, and the expression grammar."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spicegen.netlist import NetlistError
from spicegen.netlist.validate import (
    check_element_name,
    check_expression_text,
    check_identifier,
    check_node,
    check_params,
    check_path,
    check_save,
    check_title,
    check_value,
    expression_body,
    is_number_text,
)

NUMBERS = ["1", "1k", "10meg", "2.5u", "1e-3", "-1", "1.", ".5", "1e+6", "3.3e3k", "1kohm", "0"]
EXPRESSIONS = [
    "rp*(1+tmr)",
    "{a+b}",
    " { a + b } ",
    "v(a,b)*i(vsense)",
    "v(1)",
    "v(1a2, n_3)",
    "a > b ? 1 : 0",
    "exp(-time/tau)",
    "a ? b ? 1 : 2 : 3",
    "!(a == b) && c != d || e <= f && g >= h",
    "2**3^2",
    "-a + +b - !c",
    "max(a, min(b, 3k))",
    "a % 3",
    "rp",
    "{rp}",
    "1k*2 + 10meg/1e7",
    "a\t+\tb",
]
INVALID = [
    "",
    " ",
    "{}",
    "{a",
    "a}",
    "{{a}}",
    "{a}+{b}",
    "a;b",
    "a $ comment",
    "1k\n.control",
    "a\r\nb",
    "a\u2028b",
    "a\x00",
    "*a",
    ".param x=1",
    "a b",
    "1 k",
    "f()",
    "f(a,)",
    "(a",
    "a)",
    "a +",
    "a ? b",
    "v(a) = 1",
    "'a'",
    '"a"',
    "a,b",
    "\u0663",  # an Arabic-Indic digit: \d would take it, ngspice would not
    "é",
    "a.b",
    "@r1[i]",
    "a & b",
    "a | b",
    "a === b",
    "1.5.3",
]


@pytest.mark.parametrize("text", NUMBERS)
def test_spice_numbers_are_numbers(text: str) -> None:
    assert check_value(text, "F.v") == text
    assert is_number_text(text)


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_expressions_are_accepted(text: str) -> None:
    assert check_value(text, "F.v") == text
    assert not is_number_text(text)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_text_is_rejected_naming_the_field(text: str) -> None:
    with pytest.raises(NetlistError) as caught:
        check_value(text, "Resistor.value")
    assert caught.value.field == "Resistor.value"
    assert str(caught.value).startswith("Resistor.value: ")
    assert repr(text) in str(caught.value)


def test_modulo_is_refused_in_b_source_expressions_only() -> None:
    assert check_expression_text("a % 3", "Param.value") == "a % 3"
    with pytest.raises(NetlistError, match="'%'") as caught:
        check_expression_text("a % 3", "BSource.expression", bsource=True)
    assert caught.value.field == "BSource.expression"


@pytest.mark.parametrize(
    ("text", "body"),
    [("{a+b}", "a+b"), (" { a + b } ", "a + b"), ("a*b", "a*b"), ("\t{x}\t", "x")],
)
def test_expression_body_drops_blanks_and_outer_braces(text: str, body: str) -> None:
    assert expression_body(text) == body


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, True, False, None, [1.0], 10**400, complex(1, 0), b"1"],
)
def test_non_finite_bool_and_other_types_are_rejected(value: object) -> None:
    with pytest.raises(NetlistError) as caught:
        check_value(value, "Capacitor.value")
    assert caught.value.field == "Capacitor.value"


@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        (np.float64(1e-12), 1e-12, float),
        (np.float32(0.5), 0.5, float),
        (np.int64(7), 7, int),
        (Fraction(1, 4), 0.25, float),
        (3, 3, int),
        (2.5, 2.5, float),
    ],
)
def test_real_numbers_are_normalised_to_float_or_int(
    value: object, expected: float, kind: type
) -> None:
    result = check_value(value, "F.v")
    assert result == expected
    assert type(result) is kind


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_is_accepted_unchanged(x: float) -> None:
    assert check_value(x, "F.v") is x


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        *[("R1", True), ("r_1", True), ("Rx_Y9", True), ("R", True), ("C1", False)],
        *[("1R", False), ("_R", False), ("R-1", False), ("R1\n", False), ("R 1", False)],
        ("Ŗ1", False),
    ],
)
def test_element_names_start_with_their_letter(name: str, ok: bool) -> None:
    if ok:
        assert check_element_name(name, "Rr", "Resistor.name") == name
    else:
        with pytest.raises(NetlistError, match="starting with 'R'") as caught:
            check_element_name(name, "Rr", "Resistor.name")
        assert caught.value.field == "Resistor.name"


@pytest.mark.parametrize("node", ["0", "n1", "1a2", "_x", "VDD"])
def test_node_names(node: str) -> None:
    assert check_node(node, "Resistor.p") == node


@pytest.mark.parametrize("node", ["", "a.b", "a b", "a\n", "n-1", "v(a)", 0, None, "ñ"])
def test_bad_node_names(node: object) -> None:
    with pytest.raises(NetlistError) as caught:
        check_node(node, "Resistor.p")
    assert caught.value.field == "Resistor.p"


@pytest.mark.parametrize("name", ["1abc", "", "a-b", "a.b", "a b", 5])
def test_identifiers(name: object) -> None:
    with pytest.raises(NetlistError):
        check_identifier(name, "Model.name")


@pytest.mark.parametrize(
    "title", ["crossbar 4x4", "* a title that looks like a comment", "µ ; $ { not parsed"]
)
def test_titles_are_free_text(title: str) -> None:
    assert check_title(title, "Circuit.title") == title


@pytest.mark.parametrize(
    "title", ["", "   ", "a\nb", "a\rb", "tab\there", ".include /etc/passwd", "  .control", "a\x85"]
)
def test_bad_titles(title: str) -> None:
    with pytest.raises(NetlistError) as caught:
        check_title(title, "Circuit.title")
    assert caught.value.field == "Circuit.title"


@pytest.mark.parametrize("path", ["models/mtj.lib", "/abs/path with spaces.lib"])
def test_paths(path: str) -> None:
    assert check_path(path, "Circuit.includes") == path


@pytest.mark.parametrize("path", ["", 'a"b', "a\nb", "a;b", "$HOME/x", "{x}", "a'b", 3])
def test_bad_paths(path: object) -> None:
    with pytest.raises(NetlistError) as caught:
        check_path(path, "Circuit.includes")
    assert caught.value.field == "Circuit.includes"


@pytest.mark.parametrize("vector", ["all", "out", "0", "v(a)", "V(a,b)", "i(Vdd)", "I(v1)"])
def test_save_vectors(vector: str) -> None:
    assert check_save(vector, "Circuit.saves") == vector


@pytest.mark.parametrize("vector", ["v(a", "v(a,b,c)", "i(1)", "v(a) v(b)", "x(a)", "", "all\n"])
def test_bad_save_vectors(vector: str) -> None:
    with pytest.raises(NetlistError):
        check_save(vector, "Circuit.saves")


def test_params_keep_insertion_order_from_a_dict() -> None:
    params = check_params({"tmr": 1.5, "r0": "1k", "a": "{r0*2}"}, "X.params")
    assert params == (("tmr", 1.5), ("r0", "1k"), ("a", "{r0*2}"))


def test_params_reject_case_insensitive_duplicates() -> None:
    with pytest.raises(NetlistError, match="duplicate") as caught:
        check_params((("m", 1), ("M", 2)), "Resistor.params")
    assert caught.value.field == "Resistor.params"


def test_params_reject_unknown_names_when_restricted() -> None:
    with pytest.raises(NetlistError, match="unknown parameter"):
        check_params({"foo": 1}, "Resistor.params", frozenset({"m"}))


def test_vector_params_only_where_allowed() -> None:
    assert check_params({"x": [1, 2.5]}, "Model.params", vectors=True) == (("x", (1, 2.5)),)
    with pytest.raises(NetlistError):
        check_params({"x": (1, 2)}, "Resistor.params")
    with pytest.raises(NetlistError):
        check_params({"x": ()}, "Model.params", vectors=True)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    """Random expressions in the documented grammar."""
    atoms = st.one_of(
        st.sampled_from(NUMBERS[:8]),
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True),
        st.sampled_from(["v(a)", "v(a,b)", "i(v1)", "time"]),
    )
    if depth == 0:
        return draw(atoms)
    sub = expressions(depth - 1)
    form = draw(st.integers(0, 5))
    if form == 0:
        return draw(atoms)
    if form == 1:
        op = draw(st.sampled_from(["+", "-", "*", "/", "^", "**", "==", "!=", "<", ">", "&&"]))
        return f"{draw(sub)} {op} {draw(sub)}"
    if form == 2:
        return f"{draw(st.sampled_from(['-', '+', '!']))}{draw(sub)}"
    if form == 3:
        return f"({draw(sub)})"
    if form == 4:
        return f"{draw(sub)} ? {draw(sub)} : {draw(sub)}"
    args = ", ".join(draw(st.lists(sub, min_size=1, max_size=3)))
    return f"f({args})"


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_generated_expressions_are_accepted_with_or_without_braces(text: str) -> None:
    assert check_value(text, "F.v") == text
    assert check_value("{" + text + "}", "F.v") == "{" + text + "}"
    assert check_expression_text(text, "B.e", bsource=True) == text


@settings(max_examples=200, deadline=None)
@given(expressions(), st.sampled_from(["\n", "\r", ";", "$", "\x00", "\u2028", "{", "}", "'"]))
def test_a_line_or_comment_character_anywhere_is_rejected(text: str, bad: str) -> None:
    for position in (0, len(text) // 2, len(text)):
        spoiled = text[:position] + bad + text[position:]
        with pytest.raises(NetlistError):
            check_value(spoiled, "F.v")
