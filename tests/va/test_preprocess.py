"""The Verilog-A preprocessor: directives, macros, includes and the map back to the sources."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spicegen.errors import SpicegenError
from spicegen.va.diagnostics import Location, VaError
from spicegen.va.preprocess import PACKAGE_INCLUDE_DIR, Preprocessed, preprocess


def lines(result: Preprocessed) -> list[str]:
    return result.text.split("\n")


def errors(source: str, **options: object) -> list[str]:
    """The diagnostics of a source that must fail, as ``file:line:col: message`` strings."""
    with pytest.raises(VaError) as caught:
        preprocess(source, **options)  # type: ignore[arg-type]
    return [f"{d.location}: {d.message}" for d in caught.value.diagnostics]


def line_count(text: str) -> int:
    """Lines as the parser counts them: separated by newlines, a final newline ends the last."""
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def find(result: Preprocessed, token: str) -> tuple[int, int]:
    """1-based (line, column) of the first occurrence of ``token`` in the expanded text."""
    for number, line in enumerate(lines(result), start=1):
        if token in line:
            return number, line.index(token) + 1
    raise AssertionError(f"{token!r} not in the output")


# --- plain text and line map -------------------------------------------------------------------


def test_text_without_directives_passes_through_with_identity_map() -> None:
    source = "module m(a, b);\n  electrical a, b;\nendmodule\n"
    result = preprocess(source)
    assert result.text == source
    assert result.line_origins == (("<string>", 1), ("<string>", 2), ("<string>", 3))
    assert result.sources == (("<string>", (*source.split("\n"),)),)
    assert result.locate(2, 3) == Location("<string>", 2, 3)


def test_filename_names_text_sources() -> None:
    result = preprocess("x;\n", filename="model.va")
    assert result.line_origins == (("model.va", 1),)


def test_file_source_is_read_and_named_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "m.va"
    path.write_text("`define A 1\nx = `A;\n")
    for source in (path, str(path)):
        result = preprocess(source)
        assert lines(result)[1] == "x = 1;"
        assert result.line_origins[1] == (str(path), 2)


def test_missing_file_path_is_a_va_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.va"
    assert errors(missing) == [f"{missing}:1:1: cannot read {missing}: No such file or directory"]  # type: ignore[arg-type]


def test_crlf_line_endings_are_normalised() -> None:
    assert preprocess("a\r\nb\r\n").text == "a\nb\n"


# --- `define / `undef ----------------------------------------------------------------------------


def test_object_macro_and_undef() -> None:
    result = preprocess("`define W 2.5e-3\nx = `W;\n`undef W\n`ifdef W\ny\n`endif\n")
    assert lines(result)[:6] == ["", "x = 2.5e-3;", "", "", "", ""]


def test_function_macro_with_nested_parentheses_and_commas() -> None:
    source = "`define MAX(a, b) ((a) > (b) ? (a) : (b))\ny = `MAX(f(x, 1), (p, q));\n"
    result = preprocess(source)
    assert lines(result)[1] == "y = ((f(x, 1)) > ((p, q)) ? (f(x, 1)) : ((p, q)));"


def test_argument_substitution_is_by_whole_identifier_only() -> None:
    # `e` must not replace the exponent of 1e3, nor anything inside a string or a system name.
    result = preprocess('`define S(e) e*1e3 + $e + "e"\nx = `S(k);\n')
    assert lines(result)[1] == 'x = k*1e3 + $e + "e";'


def test_zero_argument_function_macro() -> None:
    assert lines(preprocess("`define F() 42\nx = `F();\n"))[1] == "x = 42;"


def test_space_before_parenthesis_makes_an_object_macro() -> None:
    assert lines(preprocess("`define F (a) a\nx = `F;\n"))[1] == "x = (a) a;"


def test_multi_line_macro_with_continuations_and_comments_stripped() -> None:
    source = "`define SQ(x) \\\n    ((x) * /* product */ \\\n     (x)) // squared\ny = `SQ(v);\n"
    result = preprocess(source)
    assert lines(result)[:4] == ["", "", "", "y = ((v) * (v));"]
    assert result.line_origins[3] == ("<string>", 4)
    assert result.locate(4, 1) == Location("<string>", 4, 1)


def test_macro_body_may_use_other_macros_recursively() -> None:
    source = "`define A 1\n`define B (`A + 1)\n`define C(x) `B * x\nz = `C(`A);\n"
    assert lines(preprocess(source))[3] == "z = (1 + 1) * 1;"


def test_macros_are_not_expanded_in_strings_or_comments() -> None:
    source = '`define A 1\ns = "`A"; // `A\n/* `A */ t = `A;\n'
    assert lines(preprocess(source))[1:3] == ['s = "`A"; // `A', "/* `A */ t = 1;"]


def test_macro_call_spanning_lines_keeps_the_line_count() -> None:
    source = "`define ADD(a, b) a + b\nx = `ADD(1,\n         2); y = 3;\nz;\n"
    result = preprocess(source)
    assert lines(result)[1:4] == ["x = 1 + 2", "; y = 3;", "z;"]
    assert result.locate(*find(result, "y = 3")) == Location("<string>", 3, 14)
    assert result.line_origins[3] == ("<string>", 4)


def test_defines_option_and_predefined_vams_enable() -> None:
    source = "`ifdef __VAMS_ENABLE__\nams\n`endif\nw = `WIDTH;\n"
    result = preprocess(source, defines={"WIDTH": "4"})
    assert lines(result)[1] == "ams"
    assert lines(result)[3] == "w = 4;"


def test_dropped_directives() -> None:
    source = "`timescale 1ns/1ps // unit\n`default_discipline electrical\n`resetall\nx;\n"
    assert lines(preprocess(source)) == ["// unit", "", "", "x;", ""]


# --- conditionals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("defines", "expected"),
    [
        ({"A": "1", "B": "1"}, ["a-b"]),
        ({"A": "1"}, ["a-not-b"]),
        ({"C": "1"}, ["c"]),
        ({}, ["none"]),
    ],
)
def test_nested_conditionals(defines: dict[str, str], expected: list[str]) -> None:
    source = (
        "`ifdef A\n  `ifdef B\na-b\n  `else\na-not-b\n  `endif\n`elsif C\nc\n`else\nnone\n`endif\n"
    )
    result = preprocess(source, defines=defines)
    assert [line for line in lines(result) if line.strip()] == expected
    assert len(result.line_origins) == 11  # every directive line stays as an empty line


def test_ifndef_and_skipped_branches_ignore_unknown_macros() -> None:
    source = "`ifndef X\nkept\n`else\n`nonsense `define Y 1\n`endif\n`ifdef Y\nno\n`endif\n"
    result = preprocess(source)
    assert [line for line in lines(result) if line.strip()] == ["kept"]


def test_directive_text_after_a_conditional_on_the_same_line_is_kept() -> None:
    assert lines(preprocess("`ifdef __VAMS_ENABLE__ x `endif y\n"))[0] == " x  y"


# --- `include ----------------------------------------------------------------------------------


def test_include_from_package_dir_without_include_dirs() -> None:
    result = preprocess('`include "disciplines.vams"\n`include "constants.vams"\nx = `M_PI;\n')
    assert "discipline electrical" in result.text
    assert "abstol = 1e-12;" in result.text
    assert result.text.endswith("x = 3.141592653589793;\n")
    line, column = find(result, "discipline electrical")
    location = result.locate(line, column)
    assert location.file == str(PACKAGE_INCLUDE_DIR / "disciplines.vams")
    assert result.source_line(location) == "discipline electrical"


def test_shipped_headers_are_guarded_against_double_inclusion() -> None:
    once = preprocess('`include "disciplines.vams"\n')
    twice = preprocess('`include "disciplines.vams"\n`include "disciplines.vams"\n')
    assert twice.text.count("discipline electrical") == once.text.count("discipline electrical")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("M_PI", math.pi),
        ("M_TWO_PI", 2 * math.pi),
        ("M_PI_2", math.pi / 2),
        ("M_PI_4", math.pi / 4),
        ("M_1_PI", 1 / math.pi),
        ("M_2_PI", 2 / math.pi),
        ("M_2_SQRTPI", 2 / math.sqrt(math.pi)),
        ("M_E", math.e),
        ("M_LOG2E", math.log2(math.e)),
        ("M_LOG10E", math.log10(math.e)),
        ("M_LN2", math.log(2)),
        ("M_LN10", math.log(10)),
        ("M_SQRT2", math.sqrt(2)),
        ("M_SQRT1_2", math.sqrt(0.5)),
        ("P_Q", 1.602176634e-19),  # SI 2019, exact
        ("P_C", 299792458.0),
        ("P_K", 1.380649e-23),
        ("P_H", 6.62607015e-34),
        ("P_EPS0", 8.8541878128e-12),  # CODATA 2018
        ("P_U0", 1.25663706212e-6),
        ("P_CELSIUS0", 273.15),
    ],
)
def test_constants_have_their_standard_values(name: str, value: float) -> None:
    result = preprocess(f'`include "constants.vams"\nx = `{name};\n')
    expanded = re.search(r"x = (.*);", result.text)
    assert expanded is not None
    # The mathematical constants are written as the nearest doubles: equal to the last bit.
    assert float(expanded.group(1)) == value


def test_vacuum_constants_are_consistent() -> None:
    # eps0 * mu0 * c^2 = 1; CODATA 2018 values agree to their 1.5e-10 relative uncertainty.
    product = 8.8541878128e-12 * 1.25663706212e-6 * 299792458.0**2
    assert product == pytest.approx(1, rel=1e-9)


def test_include_dirs_relative_dir_and_line_mapping(tmp_path: Path) -> None:
    headers = tmp_path / "headers"
    headers.mkdir()
    (headers / "h.vams").write_text('// header\n`define G 9\nh_line3;\n`include "local.vams"\n')
    (headers / "local.vams").write_text("local_line1;")  # found next to h.vams, no newline
    source = '  `include "h.vams"\nmain_line2;\n'
    result = preprocess(source, include_dirs=[headers])
    h, local = str(headers / "h.vams"), str(headers / "local.vams")
    assert result.locate(*find(result, "h_line3")) == Location(h, 3, 1)
    assert result.locate(*find(result, "local_line1")) == Location(local, 1, 1)
    assert result.locate(*find(result, "main_line2")) == Location("<string>", 2, 1)
    assert ("<string>", 1) in result.line_origins
    assert [name for name, _ in result.sources] == ["<string>", h, local]


def test_text_source_includes_next_to_its_filename(tmp_path: Path) -> None:
    (tmp_path / "near.vams").write_text("near;\n")
    result = preprocess('`include "near.vams"\n', filename=str(tmp_path / "m.va"))
    assert "near;" in result.text


def test_error_in_included_file_points_at_that_file(tmp_path: Path) -> None:
    (tmp_path / "bad.vams").write_text("ok;\n\n  x = `NOPE;\n")
    found = errors('`include "bad.vams"\n', include_dirs=[str(tmp_path)])
    assert found == [f"{tmp_path / 'bad.vams'}:3:7: undefined macro or unknown directive `NOPE"]


def test_include_not_found_lists_searched_dirs(tmp_path: Path) -> None:
    (found,) = errors('x;\n  `include "missing.vams"\n', include_dirs=[tmp_path])
    assert found == (
        f'<string>:2:12: cannot find include file "missing.vams" '
        f"(searched: {tmp_path}, {PACKAGE_INCLUDE_DIR})"
    )


def test_recursive_include_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "loop.vams").write_text('`include "loop.vams"\n`include "loop.vams"\n')
    (found,) = errors('`include "loop.vams"\n', include_dirs=[tmp_path])
    assert "nested more than 32 deep" in found
    assert found.startswith(f"{tmp_path / 'loop.vams'}:1:1:")


def test_guarded_self_include_is_fine(tmp_path: Path) -> None:
    (tmp_path / "g.vams").write_text('`ifndef G\n`define G\n`include "g.vams"\ng;\n`endif\n')
    assert preprocess('`include "g.vams"\n', include_dirs=[tmp_path]).text.count("g;") == 1


# --- line mapping after multi-line constructs --------------------------------------------------


def test_line_after_multi_line_block_comment_maps_right() -> None:
    source = "a; /* one\ntwo\nthree */ b;\nc;\n"
    result = preprocess(source)
    assert result.text == source
    assert result.locate(*find(result, "b;")) == Location("<string>", 3, 10)
    assert result.locate(*find(result, "c;")) == Location("<string>", 4, 1)


def test_column_after_macro_use_on_the_same_line_is_exact() -> None:
    result = preprocess("`define LONG 123456789\nx = `LONG + y;\n")
    assert lines(result)[1] == "x = 123456789 + y;"
    assert result.locate(*find(result, "y;")) == Location("<string>", 2, 13)
    assert result.locate(*find(result, "456")) == Location("<string>", 2, 5)  # inside: the use


def test_diagnostic_helper_shows_the_original_line() -> None:
    result = preprocess("`define K 1\nx = `K + ;\n")
    diagnostic = result.diagnostic(2, 9, "expected an expression")
    assert diagnostic.format() == (
        "<string>:2:10: error: expected an expression\n    x = `K + ;\n             ^"
    )


def test_locate_past_the_end_and_in_empty_output() -> None:
    result = preprocess("ab\n")
    assert result.locate(5, 1) == Location("<string>", 1, 3)
    assert preprocess("").locate(1, 1) == Location("<string>", 1, 1)
    assert result.source_line(Location("elsewhere", 1, 1)) == ""


# --- errors ------------------------------------------------------------------------------------


def test_all_independent_errors_are_reported_with_exact_positions() -> None:
    source = (
        "`define F(a, b) a + b\n"  # 1
        "x = `F(1);\n"  # 2  wrong argument count
        "y = `UNDEFINED;\n"  # 3  undefined macro
        "`endif\n"  # 4  endif without ifdef
        "  `else\n"  # 5  else without ifdef
        "`celldefine\n"  # 6  unsupported directive
        "z = `F;\n"  # 7  function macro without arguments
        "` x\n"  # 8  stray backtick
        "`include nothing\n"  # 9  no file name
        "`ifdef OPEN\n"  # 10 never closed
        "w = `F(1, (2);\n"  # 11 unterminated argument list (inside the skipped branch: ignored)
    )
    assert errors(source) == [
        "<string>:2:5: macro `F takes 2 arguments but is given 1: `F(a, b)",
        "<string>:3:5: undefined macro or unknown directive `UNDEFINED",
        "<string>:4:1: `endif without a matching `ifdef or `ifndef",
        "<string>:5:3: `else without a matching `ifdef or `ifndef",
        "<string>:6:1: unsupported compiler directive `celldefine",
        "<string>:7:5: macro `F needs an argument list, as in `F(a, b)",
        "<string>:8:1: stray '`' (expected a directive or a macro name after it)",
        "<string>:9:10: expected a quoted file name after `include, as in"
        ' `include "disciplines.vams"',
        "<string>:10:1: `ifdef without a matching `endif",
    ]


def test_error_format_has_source_line_and_caret() -> None:
    with pytest.raises(VaError) as caught:
        preprocess("module m;\n  x = `NOPE;\n")
    assert str(caught.value) == (
        "<string>:2:7: error: undefined macro or unknown directive `NOPE\n"
        "      x = `NOPE;\n"
        "          ^"
    )
    assert isinstance(caught.value, SpicegenError)


def test_misspelled_directive_gets_a_suggestion() -> None:
    assert errors("`ifdeff X\n") == [
        "<string>:1:1: undefined macro or unknown directive `ifdeff; did you mean `ifdef?"
    ]


def test_unterminated_block_comment_and_argument_list() -> None:
    assert errors("`define F(a) a\nx = `F(1;\ny /* never\nclosed\n") == [
        "<string>:2:5: unterminated argument list for macro `F (no closing ')')",
        "<string>:3:3: unterminated block comment (no closing */)",
    ]


def test_unterminated_block_comment_inside_define() -> None:
    assert errors("`define A 1 /* open\n\n") == [
        "<string>:1:13: unterminated block comment (no closing */)"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("`define\n", "<string>:1:1: expected a macro name after `define"),
        ("`define include 1\n", "cannot define a macro named `include: it is a compiler directive"),
        ("`define F(a b) a\n", "bad parameter 'a b' in the definition of `F"),
        ("`define F(a, a) a\n", "repeated parameter name in the definition of `F"),
        ("`define F(a a\n", "unterminated parameter list in the definition of `F"),
        ("`ifdef\n`endif\n", "<string>:1:7: expected a macro name after `ifdef"),
        ("`undef 1\n", "<string>:1:8: expected a macro name after `undef"),
        ("`ifdef A\n`else\n`else\n`endif\n", "<string>:3:1: second `else for the `ifdef at line 1"),
        ("`ifdef A\n`else\n`elsif B\n`endif\n", "<string>:3:1: `elsif after `else"),
        ("`elsif B\n", "<string>:1:1: `elsif without a matching `ifdef or `ifndef"),
        ('`include "a\n', "<string>:1:10: unterminated file name after `include"),
        ("`define A `A\nx = `A;\n", "<string>:2:5: macro `A expands to itself (`A -> `A)"),
        ("`define A `B\n`define B `A\n`A\n", "macro `A expands to itself (`A -> `B -> `A)"),
        ("`define D `define X\n`D\n", "<string>:2:1: `define inside a macro body is not supported"),
    ],
)
def test_single_errors(source: str, message: str) -> None:
    (found,) = errors(source)
    assert message in found


def test_bad_command_line_define() -> None:
    assert errors("x;\n", defines={"not a name": "1"}) == [
        "<command line>:1:1: bad macro name 'not a name' in defines (expected an identifier)"
    ]


def test_exponential_macro_ends_in_a_diagnostic() -> None:
    definitions = "`define L0 xxxxxxxxxxxxxxxx\n" + "".join(
        f"`define L{i} `L{i - 1} `L{i - 1}\n" for i in range(1, 40)
    )
    (found,) = errors(definitions + "`L39\n")
    assert "grows too large" in found


# --- properties --------------------------------------------------------------------------------

_TOKENS = st.sampled_from(
    [
        "`define",
        "`define F(a, b)",
        "`define G",
        "`undef",
        "`ifdef",
        "`ifndef",
        "`elsif",
        "`else",
        "`endif",
        "`include",
        '"constants.vams"',
        '"nope.vams"',
        "`F",
        "`G",
        "`M_PI",
        "`__VAMS_ENABLE__",
        "`timescale",
        "`",
        "(",
        ")",
        ",",
        '"',
        "/*",
        "*/",
        "//",
        "\\\n",
        "\n",
        " ",
        "\t",
        "x",
        "G",
        "F",
        "1",
        "\\",
        "é",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=40).map("".join))
def test_token_soup_gives_a_result_or_a_va_error(text: str) -> None:
    try:
        result = preprocess(text)
    except VaError as error:
        for diagnostic in error.diagnostics:
            assert diagnostic.location.line >= 1
            assert diagnostic.location.column >= 1
        return
    assert len(result.line_origins) == line_count(result.text)
    for number, line in enumerate(lines(result)[: len(result.line_origins)], start=1):
        for column in range(1, len(line) + 2):
            location = result.locate(number, column)
            assert location.line >= 1
            assert location.column >= 1
            result.source_line(location)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_characters="`\r", exclude_categories=["Cs"]), max_size=80))
def test_text_without_backticks_passes_through_with_identity_map(text: str) -> None:
    assume("\n" in text or not os.path.isfile(text))
    text = text.removeprefix("\ufeff")  # a byte-order mark is dropped on purpose
    try:
        result = preprocess(text)
    except VaError as error:
        assert "/*" in text
        assert {d.message for d in error.diagnostics} == {
            "unterminated block comment (no closing */)"
        }
        return
    assert result.text == text
    count = line_count(text)
    assert result.line_origins == tuple(("<string>", n) for n in range(1, count + 1))
    for number, line in enumerate(text.split("\n"), start=1):
        for column in range(1, len(line) + 1):
            assert result.locate(number, column) == Location("<string>", number, column)
