"""Parse preprocessed Verilog-A text into the typed syntax tree of :mod:`spicegen.va.ast`.

The grammar is ``verilog_a.lark`` (LALR). Syntax errors are recovered from in the yacc way: the
parser pops states until it can accept the ``RECOVER`` token, skips input up to the next ``;``
(or up to a closing keyword such as ``end``) and goes on, so that every independent error in a
file is reported at once. Constructs outside spicegen's subset are parsed and then rejected by
name. All problems come back together in one :class:`VaError`.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from spicegen.va import ast
from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.to_ast import Problems, ToAst, token_position

__all__ = ["parse"]

# Deepest nesting of expressions and statements that the later stages (which recurse) take.
MAX_NESTING = 200
_GRAMMAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verilog_a.lark")

_TERMINAL_WORDS = {"NAME": "a name", "NUMBER": "a number", "SYSTEM_NAME": "a system function",
                   "STRING_LITERAL": "a string", "$END": "the end of the file"}  # fmt: skip
_EXPRESSION_START = frozenset(
    {"NUMBER", "STRING_LITERAL", "NAME", "SYSTEM_NAME", "LPAR", "PLUS", "MINUS", "BANG", "TILDE",
     "QUOTE_LBRACE", "LBRACE"}
)  # fmt: skip
_STATEMENT_START = frozenset({"BEGIN", "IF", "CASE", "FOR", "WHILE", "NAME", "SEMICOLON"})
_STATEMENT_EXTRA = frozenset({"REPEAT", "AT", "SYSTEM_NAME", "REAL", "INTEGER", "STRING",
                              "PARAMETER", "LOCALPARAM", "INPUT", "OUTPUT", "INOUT"})  # fmt: skip
_MODULE_ITEM_START = frozenset({"INPUT", "OUTPUT", "INOUT", "NAME", "GROUND", "BRANCH",
                                "PARAMETER", "LOCALPARAM", "REAL", "INTEGER", "ANALOG",
                                "GENVAR", "STRING", "GENERATE"})  # fmt: skip
_BINARY_OPERATORS = frozenset({"OROR", "ANDAND", "BAR", "CARET", "XNOR", "AMP", "EQ", "NE",
                               "CASE_EQ", "CASE_NE", "LT", "LE", "GT", "GE", "SHL", "SHR",
                               "ASHL", "ASHR", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
                               "POW", "QMARK", "LPAR"})  # fmt: skip
# A missing ';' is resynchronised before these instead of skipping them, so that a missing
# semicolon before `end` does not also swallow the block's end.
_CLOSERS = frozenset({"END", "ENDCASE", "ENDMODULE", "ENDFUNCTION", "ENDNATURE",
                      "ENDDISCIPLINE", "ENDGENERATE", "ELSE"})  # fmt: skip
# What the statement being parsed is, from the last of these tokens on the parser's stack.
_CONTEXTS = {"CONTRIBUTE": "the contribution", "EQUAL": "the assignment",
             "PARAMETER": "the parameter declaration", "LOCALPARAM": "the parameter declaration",
             "REAL": "the declaration", "INTEGER": "the declaration", "GROUND": "the declaration",
             "BRANCH": "the branch declaration", "INPUT": "the port declaration",
             "OUTPUT": "the port declaration", "INOUT": "the port declaration",
             "MODULE": "the module header", "MACROMODULE": "the module header"}  # fmt: skip


@functools.cache
def _parser() -> Lark:
    # Built once per process: constructing the LALR tables is the slow part of a parse.
    return Lark.open(
        _GRAMMAR, parser="lalr", lexer="basic", start="start", propagate_positions=True
    )


def parse(
    text: str,
    *,
    filename: str = "<string>",
    locate: Callable[[int, int], Location] | None = None,
    source_line: Callable[[Location], str] | None = None,
) -> ast.SourceFile:
    """Parse preprocessed Verilog-A ``text`` into a :class:`ast.SourceFile`.

    ``locate(line, column)`` maps a 1-based position in ``text`` to the user's source (default:
    the same position in ``filename``); ``source_line(location)`` gives the line shown under a
    diagnostic (default: that line of ``text``). Raises :class:`VaError` with every syntax error
    and every unsupported construct found.
    """
    lines = text.splitlines()
    if locate is None:

        def locate(line: int, column: int) -> Location:
            return Location(filename, line, column)

    if source_line is None:

        def source_line(location: Location) -> str:
            index = location.line - 1
            return lines[index] if 0 <= index < len(lines) else ""

    problems = Problems()
    tree = _run_parser(text, problems)
    result = None
    transformer = ToAst(locate, problems)
    try:
        if tree is not None:
            result = transformer.transform(tree)
    except RecursionError:
        problems.add(1, 1, "the source is nested too deeply to compile")
    if problems.items:
        raise VaError(problems.diagnostics(locate, source_line))
    assert isinstance(result, ast.SourceFile)
    too_deep = _too_deep(result)
    if too_deep:
        message = (
            f"nested more than {MAX_NESTING} levels deep here (expressions and statements); "
            "spicegen compiles up to that depth: split the expression with variables"
        )
        raise VaError([Diagnostic(loc, message, source_line(loc)) for loc in too_deep])
    return result


def _children(node: object) -> Iterable[object]:
    for name in getattr(node, "__dataclass_fields__", ()):
        value = getattr(node, name)
        if isinstance(value, tuple):
            yield from (v for v in value if hasattr(v, "loc"))
        elif hasattr(value, "loc"):
            yield value


def _too_deep(tree: ast.SourceFile) -> list[Location]:
    """Where nesting first passes ``MAX_NESTING``, once per top-level item: the later stages
    walk the tree recursively, and a deeper tree would end in a RecursionError."""
    found: list[Location] = []
    for module in tree.modules:
        for item in _children(module):
            pending: list[tuple[object, int]] = [(item, 1)]
            while pending:
                node, depth = pending.pop()
                if depth > MAX_NESTING:
                    found.append(node.loc)  # type: ignore[attr-defined]
                    break
                pending.extend((child, depth + 1) for child in _children(node))
    return found


# ---- syntax errors and recovery ----
def _run_parser(text: str, problems: Problems) -> Tree[Token] | None:
    recovery = _Recovery(text, problems)
    try:
        return _parser().parse(text, on_error=recovery.on_error)
    except UnexpectedInput:
        # Only reached at the end of the file. Completed pieces still on the parser's stack are
        # checked for unsupported constructs so that those are reported with the syntax errors.
        for value in recovery.leftovers:
            if isinstance(value, Tree):
                ToAst(lambda line, column: Location("", line, column), problems).transform(value)
        return None


class _Recovery:
    """The ``on_error`` handler: records a diagnostic and resynchronises the LALR parser."""

    def __init__(self, text: str, problems: Problems) -> None:
        self.text = text
        self.problems = problems
        self.skipping: tuple[int, object] | None = None
        self.last_character: tuple[int, int] | None = None
        self.leftovers: list[object] = []

    def on_error(self, error: UnexpectedInput) -> bool:
        if isinstance(error, UnexpectedCharacters):
            return self._bad_character(error)
        assert isinstance(error, UnexpectedToken)
        state = error.interactive_parser.parser_state
        token = error.token
        still_skipping = self.skipping == (len(state.state_stack), state.position)
        if not still_skipping:
            self.problems.add(*token_position(token), self._message(error))
        if token.type == "$END":
            self.leftovers = list(state.value_stack)
            return False
        if not still_skipping:
            self._resynchronise(state, token)
        elif token.type in _CLOSERS:
            self._close(state, token)
        return True

    def _bad_character(self, error: UnexpectedCharacters) -> bool:
        position = (error.line, error.column)
        # A run of bad characters is one problem.
        if (
            self.last_character is None
            or self.last_character[0] != error.line
            or (self.last_character[1] + 1 != error.column)
        ):
            character = error.char
            if character == "/" and error.column > 0:
                message = "unexpected '/'"
            else:
                message = f"unexpected character {character!r}"
            if character == "`":
                message += "; compiler directives must be preprocessed first"
            self.problems.add(error.line, error.column, message)
        self.last_character = position
        return True

    def _message(self, error: UnexpectedToken) -> str:
        token = error.token
        start = token.start_pos
        if token.type == "SLASH" and start is not None and self.text[start : start + 2] == "/*":
            return "unterminated comment: '/*' without a closing '*/'"
        return _expected_message(error)

    def _resynchronise(self, state, token: Token) -> None:  # type: ignore[no-untyped-def]
        if _on_new_line(state, token) and "SEMICOLON" in state.parse_conf.states[state.position]:
            # Most often a ';' forgotten at the end of a line: insert it and carry on, so that
            # an error on the next line is still reported.
            try:
                state.feed_token(Token("SEMICOLON", ";", *_borrow(token)))
                state.feed_token(token)
                return
            except UnexpectedToken:
                pass
        table = state.parse_conf.states
        while "RECOVER" not in table[state.position] and len(state.state_stack) > 1:
            state.state_stack.pop()
            state.value_stack.pop()
        state.feed_token(Token("RECOVER", "", *_borrow(token)))
        self.skipping = (len(state.state_stack), state.position)
        if token.type == "SEMICOLON":
            state.feed_token(token)
            self.skipping = None
        elif token.type in _CLOSERS:
            self._close(state, token)

    def _close(self, state, token: Token) -> None:  # type: ignore[no-untyped-def]
        state.feed_token(Token("SEMICOLON", ";", *_borrow(token)))
        self.skipping = None
        # If the closing keyword does not fit here either it is dropped, and reported if the
        # next token shows that it mattered.
        with contextlib.suppress(UnexpectedToken):
            state.feed_token(token)


def _on_new_line(state, token: Token) -> bool:  # type: ignore[no-untyped-def]
    if not state.value_stack or token.line is None:
        return False
    top = state.value_stack[-1]
    if isinstance(top, Token):
        end_line = top.end_line
    elif isinstance(top, Tree) and not top.meta.empty:
        end_line = top.meta.end_line
    else:
        return False
    return end_line is not None and end_line < token.line


def _borrow(token: Token) -> tuple[int | None, int | None, int | None]:
    return token.start_pos, token.line, token.column


def _expected_message(error: UnexpectedToken) -> str:
    expected = set(error.accepts or error.expected) - {"RECOVER"}
    found = _describe_token(error.token)
    context = ""
    if "SEMICOLON" in expected:
        context = _context(error.interactive_parser.parser_state.value_stack)
    words = _expected_words(expected)
    return f"expected {words}{context}, found {found}"


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    return repr(str(token)) if len(token) <= 30 else repr(str(token)[:27] + "...")


def _expected_words(expected: set[str]) -> str:
    words: list[str] = []
    rest = set(expected)
    if rest >= _STATEMENT_START:
        words.append("a statement")
        rest -= _STATEMENT_START | _STATEMENT_EXTRA | _EXPRESSION_START
    if rest >= _MODULE_ITEM_START:
        words.append("a declaration or an analog block")
        rest -= _MODULE_ITEM_START
    if rest >= _EXPRESSION_START:
        words.append("an expression")
        rest -= _EXPRESSION_START
    if rest - _BINARY_OPERATORS:
        # An expression that could go on is not worth listing every operator for.
        rest -= _BINARY_OPERATORS
    words += sorted(_terminal_word(name) for name in rest)
    if not words:
        return "something else"
    if len(words) > 8:
        words = [*words[:7], "..."]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


@functools.cache
def _literal_terminals() -> dict[str, str]:
    return {
        terminal.name: terminal.pattern.value
        for terminal in _parser().terminals
        if terminal.pattern.type == "str"
    }


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    literal = _literal_terminals().get(name)
    return f"'{literal}'" if literal is not None else name.lower()


def _context(value_stack: Iterable[object]) -> str:
    for value in reversed(list(value_stack)):
        if isinstance(value, Token) and value.type in _CONTEXTS:
            return f" after {_CONTEXTS[value.type]}"
        if isinstance(value, Tree) and value.data in {"param_kind", "var_type", "direction"}:
            return f" after {_CONTEXTS[value.children[0].type]}"
    return ""
