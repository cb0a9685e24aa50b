"""Lark parse tree -> the typed syntax tree of :mod:`spicegen.va.ast`, recording unsupported
constructs (by name and position) in a :class:`Problems` list instead of stopping at the first."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lark import Token, v_args
from lark.tree import Meta
from lark.visitors import Transformer_NonRecursive

from spicegen.va import ast
from spicegen.va.diagnostics import Diagnostic, Location

# LRM scale factors: the letter multiplies a real literal by ten to this power.
_SCALE_FACTORS = {"T": 12, "G": 9, "M": 6, "K": 3, "k": 3, "m": -3, "u": -6, "n": -9, "p": -12,
                  "f": -15, "a": -18}  # fmt: skip
_NUMBER = re.compile(
    r"(?P<mantissa>[0-9_]+(\.[0-9_]+)?|\.[0-9_]+)(?P<exponent>[eE][+-]?[0-9_]+)?(?P<suffix>\w*)"
)

# Analog operators of Verilog-AMS that spicegen does not compile; why, for the message.
UNSUPPORTED_CALLS = {
    "slew": "limit the slope with an explicit expression instead",
    "last_crossing": "record $abstime in a cross event instead",
    "idtmod": "use idt and wrap the result explicitly",
    "ac_stim": "small-signal stimuli are not supported",
    "noise_table": "use white_noise or the documented seeded transient noise",
}
_UNSUPPORTED_PREFIXES = {
    "laplace_": "Laplace filters are not supported; write the state equations with ddt/idt",
    "zi_": "z-domain filters are not supported",
}
# System tasks that write files or read tables: a model may not touch the file system.
_UNSUPPORTED_SYSTEM = {"$fopen", "$fclose", "$fstrobe", "$fdisplay", "$fwrite", "$fmonitor",
                       "$table_model"}  # fmt: skip


# Readable names for terminals in "expected ..." messages.
def token_position(token: Token) -> tuple[int, int]:
    return (token.line or 1, token.column or 1)


@dataclass(slots=True)
class Problems:
    """Errors found so far, as (line, column, message) in the preprocessed text."""

    items: list[tuple[int, int, str]]

    def __init__(self) -> None:
        self.items = []

    def add(self, line: int, column: int, message: str) -> None:
        if (line, column, message) not in self.items:
            self.items.append((line, column, message))

    def diagnostics(
        self,
        locate: Callable[[int, int], Location],
        source_line: Callable[[Location], str],
    ) -> tuple[Diagnostic, ...]:
        result = []
        for line, column, message in sorted(self.items, key=lambda item: item[:2]):
            location = locate(line, column)
            result.append(Diagnostic(location, message, source_line(location)))
        return tuple(result)


# ---- parse tree -> typed AST ----
def unsupported_words(construct: str, why: str) -> str:
    return f"unsupported construct `{construct}`: {why}"


@v_args(inline=True, meta=True)
class ToAst(Transformer_NonRecursive):
    """One small method per grammar rule; unsupported constructs are recorded in ``problems``."""

    def __init__(self, locate: Callable[[int, int], Location], problems: Problems) -> None:
        super().__init__()
        self._locate = locate
        self._problems = problems

    def _at(self, meta: Meta) -> Location:
        if meta.empty:
            return self._locate(1, 1)
        return self._locate(meta.line, meta.column)

    def _token_at(self, token: Token) -> Location:
        return self._locate(*token_position(token))

    def _unsupported(self, meta: Meta, construct: str, why: str) -> None:
        line, column = (1, 1) if meta.empty else (meta.line, meta.column)
        self._problems.add(line, column, unsupported_words(construct, why))

    # -- top level --
    def start(self, meta: Meta, *items: object) -> ast.SourceFile:
        return ast.SourceFile(
            natures=tuple(item for item in items if isinstance(item, ast.Nature)),
            disciplines=tuple(item for item in items if isinstance(item, ast.Discipline)),
            modules=tuple(item for item in items if isinstance(item, ast.Module)),
            loc=self._locate(1, 1),
        )

    def recover_item(self, meta: Meta, *_: object) -> None:
        return None

    def recover_statement(self, meta: Meta, *_: object) -> None:
        return None

    def nature(self, meta: Meta, name: Token, parent: Token | None, *attributes) -> ast.Nature:  # type: ignore[no-untyped-def]
        return ast.Nature(_identifier(name), _optional(parent), tuple(attributes), self._at(meta))

    def nature_attribute(self, meta: Meta, name: Token, value: ast.Expr) -> ast.NatureAttribute:
        return ast.NatureAttribute(_identifier(name), value, self._at(meta))

    def discipline(self, meta: Meta, name: Token, *attributes: tuple[str, str]) -> ast.Discipline:
        values: dict[str, str] = dict(attributes)
        return ast.Discipline(
            _identifier(name),
            values.get("potential"),
            values.get("flow"),
            values.get("domain"),
            self._at(meta),
        )

    def discipline_attribute(self, meta: Meta, key: Token, value: Token) -> tuple[str, str]:
        if key not in ("potential", "flow", "domain"):
            self._problems.add(
                meta.line,
                meta.column,
                f"unknown discipline attribute `{key}`: expected potential, flow or domain",
            )
        return (str(key), _identifier(value))

    # -- modules --
    def module(self, meta: Meta, name: Token, ports: tuple[str, ...] | None, *items: object):  # type: ignore[no-untyped-def]
        def of(kind: type) -> tuple:  # type: ignore[type-arg]
            return tuple(item for item in _flatten(items) if isinstance(item, kind))

        analog: list[ast.Statement] = []
        for item in items:
            if isinstance(item, _AnalogBlock):
                analog.append(item.statement)
        return ast.Module(
            name=_identifier(name),
            ports=ports or (),
            directions=of(ast.PortDirection),
            nets=of(ast.NetDeclaration),
            grounds=of(ast.Ground),
            branches=of(ast.Branch),
            parameters=of(ast.Parameter),
            variables=of(ast.Variable) + of(ast.ArrayVariable),
            functions=of(ast.AnalogFunction),
            analog=tuple(statement for statement in analog if statement is not None),
            loc=self._at(meta),
        )

    def port_list(self, meta: Meta, *names: Token | None) -> tuple[str, ...]:
        return tuple(_identifier(name) for name in names if name is not None)

    def name_list(self, meta: Meta, *names: Token) -> tuple[str, ...]:
        return tuple(_identifier(name) for name in names)

    def direction(self, meta: Meta, keyword: Token) -> str:
        return str(keyword)

    def port_declaration(
        self, meta: Meta, direction: ast.Direction, discipline: Token | None, names: tuple[str, ...]
    ) -> ast.PortDirection:
        return ast.PortDirection(direction, names, _optional(discipline), self._at(meta))

    def net_declaration(
        self, meta: Meta, discipline: Token, names: tuple[str, ...]
    ) -> ast.NetDeclaration:
        return ast.NetDeclaration(_identifier(discipline), names, self._at(meta))

    def ground_declaration(self, meta: Meta, names: tuple[str, ...]) -> ast.Ground:
        return ast.Ground(names, self._at(meta))

    def branch_declaration(
        self, meta: Meta, positive: Token, negative: Token | None, names: tuple[str, ...]
    ) -> tuple[ast.Branch, ...]:
        return tuple(
            ast.Branch(name, _identifier(positive), _optional(negative), self._at(meta))
            for name in names
        )

    def param_kind(self, meta: Meta, keyword: Token) -> bool:
        return keyword == "localparam"

    def param_type(self, meta: Meta, keyword: Token) -> str:
        if keyword == "string":
            self._unsupported(meta, "string", "string parameters have no meaning in a netlist")
        return str(keyword)

    def parameter_declaration(
        self, meta: Meta, local: bool, type_: str | None, *assignments: _ParameterAssignment
    ) -> tuple[ast.Parameter, ...]:
        kind: ast.VarType | None = type_ if type_ in ("real", "integer") else None  # type: ignore[assignment]
        return tuple(
            ast.Parameter(a.name, kind, a.default, a.ranges, a.excludes, local, a.loc)
            for a in assignments
        )

    def parameter_assignment(
        self,
        meta: Meta,
        name: Token,
        bounds: tuple[ast.Expr, ast.Expr] | None,
        default: ast.Expr,
        *constraints: ast.Range | ast.Exclude,
    ) -> _ParameterAssignment:
        if bounds is not None:
            self._unsupported(meta, "parameter array", "declare the values as separate parameters")
        return _ParameterAssignment(
            _identifier(name),
            default,
            tuple(c for c in constraints if isinstance(c, ast.Range)),
            tuple(c for c in constraints if isinstance(c, ast.Exclude)),
            self._token_at(name),
        )

    def from_range(self, meta: Meta, interval: ast.Range) -> ast.Range:
        return interval

    def exclude_range(self, meta: Meta, interval: ast.Range) -> ast.Exclude:
        return ast.Exclude(None, interval, self._at(meta))

    def exclude_value(self, meta: Meta, value: ast.Expr) -> ast.Exclude:
        return ast.Exclude(value, None, self._at(meta))

    def _range(self, meta: Meta, lower: ast.Expr, upper: ast.Expr, closed: tuple[bool, bool]):  # type: ignore[no-untyped-def]
        low, high = _bound(lower, "-"), _bound(upper, "+")
        # An infinite bound is open whatever bracket is written ("[0:inf]" is common usage).
        return ast.Range(
            low, high, closed[0] and low is not None, closed[1] and high is not None, self._at(meta)
        )

    def range_closed(self, meta: Meta, lower: ast.Expr, upper: ast.Expr) -> ast.Range:
        return self._range(meta, lower, upper, (True, True))

    def range_closed_open(self, meta: Meta, lower: ast.Expr, upper: ast.Expr) -> ast.Range:
        return self._range(meta, lower, upper, (True, False))

    def range_open_closed(self, meta: Meta, lower: ast.Expr, upper: ast.Expr) -> ast.Range:
        return self._range(meta, lower, upper, (False, True))

    def range_open(self, meta: Meta, lower: ast.Expr, upper: ast.Expr) -> ast.Range:
        return self._range(meta, lower, upper, (False, False))

    def var_type(self, meta: Meta, keyword: Token) -> str:
        return str(keyword)

    def variable_declaration(
        self, meta: Meta, type_: ast.VarType, *items: _VariableItem
    ) -> tuple[ast.Variable | ast.ArrayVariable, ...]:
        result: list[ast.Variable | ast.ArrayVariable] = []
        for name, bounds, value in items:
            loc = self._token_at(name)
            if bounds is None:
                result.append(ast.Variable(_identifier(name), type_, value, loc))
            else:
                result.append(
                    ast.ArrayVariable(_identifier(name), type_, bounds[0], bounds[1], value, loc)
                )
        return tuple(result)

    def variable_item(
        self,
        meta: Meta,
        name: Token,
        bounds: tuple[ast.Expr, ast.Expr] | None,
        value: ast.Expr | None,
    ) -> _VariableItem:
        return (name, bounds, value)

    def array_bounds(
        self, meta: Meta, first: ast.Expr, last: ast.Expr
    ) -> tuple[ast.Expr, ast.Expr]:
        return (first, last)

    def genvar_declaration(self, meta: Meta, names: tuple[str, ...]) -> tuple[ast.Variable, ...]:
        # a genvar is an integer loop variable of an analog for loop
        return tuple(ast.Variable(name, "integer", None, self._at(meta)) for name in names)

    def string_declaration(self, meta: Meta, *_: object) -> None:
        self._unsupported(meta, "string", "string variables have no meaning in a netlist")

    def generate_region(self, meta: Meta, *_: object) -> None:
        self._unsupported(meta, "generate", "generate regions are not supported; write them out")

    def analog_function(self, meta: Meta, type_: str | None, name: Token, *members: object):  # type: ignore[no-untyped-def]
        flat = list(_flatten(members))
        return ast.AnalogFunction(
            name=_identifier(name),
            type=type_,  # type: ignore[arg-type]
            arguments=tuple(m for m in flat if isinstance(m, ast.FunctionArgument)),
            variables=tuple(m for m in flat if isinstance(m, ast.Variable | ast.ArrayVariable)),
            body=tuple(m for m in flat if _is_statement(m)),  # type: ignore[misc]
            loc=self._at(meta),
        )

    def function_port(
        self, meta: Meta, direction: ast.Direction, names: tuple[str, ...]
    ) -> tuple[ast.FunctionArgument, ...]:
        return tuple(ast.FunctionArgument(name, direction, self._at(meta)) for name in names)

    def analog_block(self, meta: Meta, statement: ast.Statement | None) -> _AnalogBlock:
        return _AnalogBlock(statement)

    def analog_initial(self, meta: Meta, statement: ast.Statement | None) -> _AnalogBlock:
        # runs at the first point of an analysis, as @(initial_step) does
        at = self._at(meta)
        event = ast.Identifier("initial_step", at)
        return _AnalogBlock(ast.EventControl((event,), _or_null(statement, meta, self), at))

    # -- statements --
    def block(self, meta: Meta, name: Token | None, *members: object) -> ast.Block:
        flat = list(_flatten(members))
        return ast.Block(
            _optional(name),
            tuple(
                m for m in flat if isinstance(m, ast.Variable | ast.ArrayVariable | ast.Parameter)
            ),
            tuple(m for m in flat if _is_statement(m)),  # type: ignore[misc]
            self._at(meta),
        )

    def assignment(self, meta: Meta, target: Token, value: ast.Expr) -> ast.Assign:
        return ast.Assign(_identifier(target), value, self._at(meta))

    def indexed_assignment(
        self, meta: Meta, target: Token, index: ast.Expr, value: ast.Expr
    ) -> ast.IndexedAssign:
        return ast.IndexedAssign(_identifier(target), index, value, self._at(meta))

    def call_statement(
        self, meta: Meta, name: Token, args: tuple[ast.Expr, ...] | None
    ) -> ast.CallStatement:
        at = self._at(meta)
        return ast.CallStatement(ast.Call(_identifier(name), args or (), at), at)

    def for_assign(self, meta: Meta, target: Token, value: ast.Expr) -> ast.Assign:
        return ast.Assign(_identifier(target), value, self._at(meta))

    def contribution(
        self,
        meta: Meta,
        access: Token,
        args: tuple[ast.Expr, ...] | None,
        _arrow: Token,
        value: ast.Expr,
    ) -> ast.Contribution:
        return ast.Contribution(_identifier(access), args or (), value, self._at(meta))

    def if_statement(
        self,
        meta: Meta,
        condition: ast.Expr,
        then: ast.Statement | None,
        otherwise: ast.Statement | None = None,
    ) -> ast.If:
        return ast.If(condition, _or_null(then, meta, self), otherwise, self._at(meta))

    def case_statement(self, meta: Meta, subject: ast.Expr, *items: ast.CaseItem) -> ast.Case:
        return ast.Case(subject, tuple(items), self._at(meta))

    def case_item(self, meta: Meta, *children: object) -> ast.CaseItem:
        *values, statement = children
        return ast.CaseItem(tuple(values), _or_null(statement, meta, self), self._at(meta))  # type: ignore[arg-type]

    def default_item(self, meta: Meta, statement: ast.Statement | None) -> ast.CaseItem:
        return ast.CaseItem((), _or_null(statement, meta, self), self._at(meta))

    def for_statement(
        self,
        meta: Meta,
        init: ast.Assign,
        condition: ast.Expr,
        step: ast.Assign,
        body: ast.Statement | None,
    ) -> ast.For:
        return ast.For(init, condition, step, _or_null(body, meta, self), self._at(meta))

    def while_statement(
        self, meta: Meta, condition: ast.Expr, body: ast.Statement | None
    ) -> ast.While:
        return ast.While(condition, _or_null(body, meta, self), self._at(meta))

    def repeat_statement(self, meta: Meta, *_: object) -> ast.NullStatement:
        self._unsupported(meta, "repeat", "use a for loop with constant bounds")
        return ast.NullStatement(self._at(meta))

    def event_statement(
        self, meta: Meta, events: tuple[ast.Expr, ...], body: ast.Statement | None
    ) -> ast.EventControl:
        return ast.EventControl(events, _or_null(body, meta, self), self._at(meta))

    def event_expr(self, meta: Meta, *events: ast.Expr) -> tuple[ast.Expr, ...]:
        return events

    def system_task(
        self, meta: Meta, name: Token, args: tuple[ast.Expr, ...] | None = None
    ) -> ast.SystemTask | ast.NullStatement:
        if name in _UNSUPPORTED_SYSTEM:
            self._unsupported(meta, str(name), "a model may not read or write files")
            return ast.NullStatement(self._at(meta))
        return ast.SystemTask(str(name), args or (), self._at(meta))

    def null_statement(self, meta: Meta) -> ast.NullStatement:
        return ast.NullStatement(self._at(meta))

    # -- expressions --
    def ternary(
        self, meta: Meta, condition: ast.Expr, then: ast.Expr, otherwise: ast.Expr
    ) -> ast.Ternary:
        return ast.Ternary(condition, then, otherwise, self._at(meta))

    def binary(self, meta: Meta, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return ast.Binary(str(op), left, right, self._at(meta))

    def unary(self, meta: Meta, op: Token, operand: ast.Expr) -> ast.Unary:
        return ast.Unary(str(op), operand, self._at(meta))

    def number(self, meta: Meta, token: Token) -> ast.Number:
        value, is_integer, problem = _number_value(str(token))
        if problem:
            self._problems.add(*token_position(token), problem)
        return ast.Number(value, is_integer, str(token), self._token_at(token))

    def string(self, meta: Meta, token: Token) -> ast.String:
        return ast.String(_unescape(str(token)[1:-1]), self._token_at(token))

    def identifier(self, meta: Meta, token: Token) -> ast.Identifier:
        return ast.Identifier(_identifier(token), self._token_at(token))

    def call(self, meta: Meta, name: Token, args: tuple[ast.Expr, ...] | None) -> ast.Call:
        text = _identifier(name)
        why = UNSUPPORTED_CALLS.get(text) or next(
            (why for prefix, why in _UNSUPPORTED_PREFIXES.items() if text.startswith(prefix)), None
        )
        if why is not None:
            self._unsupported(meta, f"{text}(...)", why)
        return ast.Call(text, args or (), self._at(meta))

    def system_call(
        self, meta: Meta, name: Token, args: tuple[ast.Expr, ...] | None = None
    ) -> ast.SystemCall:
        if name in _UNSUPPORTED_SYSTEM:
            self._unsupported(meta, str(name), "a model may not read or write files")
        return ast.SystemCall(str(name), args or (), self._at(meta))

    def index(self, meta: Meta, name: Token, index: ast.Expr) -> ast.Index:
        return ast.Index(_identifier(name), index, self._at(meta))

    def array_literal(
        self, meta: Meta, _open: Token, args: tuple[ast.Expr, ...] | None
    ) -> ast.ArrayLiteral:
        return ast.ArrayLiteral(args or (), self._at(meta))

    def arguments(self, meta: Meta, *args: ast.Expr) -> tuple[ast.Expr, ...]:
        return args

    def port_branch(self, meta: Meta, _lt: Token, name: Token, _gt: Token) -> ast.PortBranch:
        return ast.PortBranch(_identifier(name), self._at(meta))


@dataclass(frozen=True, slots=True)
class _ParameterAssignment:
    name: str
    default: ast.Expr
    ranges: tuple[ast.Range, ...]
    excludes: tuple[ast.Exclude, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class _AnalogBlock:
    statement: ast.Statement | None


_STATEMENT_TYPES = (ast.Block, ast.Assign, ast.IndexedAssign, ast.Contribution, ast.If,
                    ast.Case, ast.For, ast.While, ast.EventControl, ast.SystemTask,
                    ast.CallStatement, ast.NullStatement)  # fmt: skip
_VariableItem = tuple[Token, tuple[ast.Expr, ast.Expr] | None, ast.Expr | None]


def _is_statement(value: object) -> bool:
    return isinstance(value, _STATEMENT_TYPES)


def _flatten(items: Iterable[object]) -> Iterable[object]:
    for item in items:
        if isinstance(item, tuple):
            yield from item
        elif item is not None:
            yield item


def _optional(token: Token | None) -> str | None:
    return None if token is None else _identifier(token)


def _identifier(token: Token) -> str:
    # An escaped identifier \name stands for name.
    text = str(token)
    return text[1:] if text.startswith("\\") else text


def _or_null(statement: object, meta: Meta, owner: ToAst) -> ast.Statement:
    # A statement replaced by error recovery is None; the error is already reported.
    if _is_statement(statement):
        return statement  # type: ignore[return-value]
    return ast.NullStatement(owner._at(meta))


def _bound(expr: ast.Expr, sign: str) -> ast.Expr | None:
    if isinstance(expr, ast.Identifier) and expr.name == "inf":
        return None
    if (
        isinstance(expr, ast.Unary)
        and expr.op in "+-"
        and isinstance(expr.operand, ast.Identifier)
        and expr.operand.name == "inf"
    ):
        return None
    return expr


def _number_value(text: str) -> tuple[float | int, bool, str | None]:
    """The value of a literal, whether it is an integer, and what is wrong with it if anything."""
    match = _NUMBER.fullmatch(text)
    if match is None:  # pragma: no cover - the lexer only produces matching text
        return 0, True, f"malformed number `{text}`"
    mantissa = match["mantissa"].replace("_", "")
    exponent = (match["exponent"] or "").replace("_", "")
    suffix = match["suffix"]
    if not suffix:
        if "." not in mantissa and not exponent:
            return int(mantissa), True, None
        return float(mantissa + exponent), False, None
    if suffix not in _SCALE_FACTORS or exponent:
        hint = " (Verilog-A writes mega as M)" if suffix.lower() == "meg" else ""
        where = "after an exponent" if exponent and suffix in _SCALE_FACTORS else ""
        reason = (
            f"a scale factor cannot follow an exponent{hint}"
            if where
            else (f"`{suffix}` is not a scale factor; use one of T G M K k m u n p f a{hint}")
        )
        return 0.0, False, f"malformed number `{text}`: {reason}"
    return float(f"{mantissa}e{_SCALE_FACTORS[suffix]}"), False, None


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"'}


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), body)
