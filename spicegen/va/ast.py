"""Typed syntax tree of a Verilog-A source file, as produced by ``parse``.

Every node records ``loc``, the :class:`Location` of its first token in the user's source.
The tree is purely syntactic: names are not resolved, access functions such as ``V(a, b)`` are
ordinary :class:`Call` nodes and types are as written; the semantic check decides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from spicegen.va.diagnostics import Location

VarType: TypeAlias = Literal["real", "integer"]
Direction: TypeAlias = Literal["input", "output", "inout"]


# ---- expressions ----
@dataclass(frozen=True, slots=True)
class Number:
    """A numeric literal; ``text`` is as written (``1.5k``), ``value`` with the scale applied."""

    value: float | int
    is_integer: bool
    text: str
    loc: Location


@dataclass(frozen=True, slots=True)
class String:
    """A string literal with its escapes resolved."""

    value: str
    loc: Location


@dataclass(frozen=True, slots=True)
class Identifier:
    name: str
    loc: Location


@dataclass(frozen=True, slots=True)
class PortBranch:
    """The port branch ``<p>`` inside an access function, as in ``I(<p>)``."""

    name: str
    loc: Location


@dataclass(frozen=True, slots=True)
class Call:
    """``name(args)``: built-in, analog function or access function (``V``, ``I``, ...)."""

    name: str
    args: tuple[Expr, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class SystemCall:
    """``$name`` or ``$name(args)``; ``name`` includes the dollar sign."""

    name: str
    args: tuple[Expr, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Index:
    """``name[index]``: an element of an array variable or parameter."""

    name: str
    index: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class ArrayLiteral:
    """``'{a, b, ...}``: the values of an array, in index order."""

    items: tuple[Expr, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class Ternary:
    condition: Expr
    then: Expr
    otherwise: Expr
    loc: Location


Expr: TypeAlias = (
    Number
    | String
    | Identifier
    | PortBranch
    | Call
    | SystemCall
    | Index
    | ArrayLiteral
    | Unary
    | Binary
    | Ternary
)


# ---- declarations ----
@dataclass(frozen=True, slots=True)
class Variable:
    """A ``real`` or ``integer`` variable; ``initializer`` is the optional ``= expr``."""

    name: str
    type: VarType
    initializer: Expr | None
    loc: Location


@dataclass(frozen=True, slots=True)
class ArrayVariable:
    """``real name[first:last]`` (or integer); ``initializer`` is an ``ArrayLiteral``."""

    name: str
    type: VarType
    first: Expr
    last: Expr
    initializer: Expr | None
    loc: Location


@dataclass(frozen=True, slots=True)
class Range:
    """An interval ``[lower:upper]``; a bound of ``None`` is infinite (``inf`` / ``-inf``)."""

    lower: Expr | None
    upper: Expr | None
    lower_inclusive: bool
    upper_inclusive: bool
    loc: Location


@dataclass(frozen=True, slots=True)
class Exclude:
    """``exclude value`` (``value`` set) or ``exclude [a:b]`` (``range`` set)."""

    value: Expr | None
    range: Range | None
    loc: Location


@dataclass(frozen=True, slots=True)
class Parameter:
    """A ``parameter`` (``local=False``) or ``localparam``; ``type`` is ``None`` when the source
    gives none, in which case the LRM takes the type of the default expression."""

    name: str
    type: VarType | None
    default: Expr
    ranges: tuple[Range, ...]
    excludes: tuple[Exclude, ...]
    local: bool
    loc: Location


@dataclass(frozen=True, slots=True)
class PortDirection:
    """``input|output|inout [discipline] names;``."""

    direction: Direction
    names: tuple[str, ...]
    discipline: str | None
    loc: Location


@dataclass(frozen=True, slots=True)
class NetDeclaration:
    """``discipline names;``, e.g. ``electrical a, b, int1;``."""

    discipline: str
    names: tuple[str, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Ground:
    """``ground names;``."""

    names: tuple[str, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Branch:
    """``branch (positive, negative) name;``; ``negative`` is ``None`` for ``branch (a) name``."""

    name: str
    positive: str
    negative: str | None
    loc: Location


@dataclass(frozen=True, slots=True)
class FunctionArgument:
    name: str
    direction: Direction
    loc: Location


@dataclass(frozen=True, slots=True)
class AnalogFunction:
    """``analog function [type] name; ... endfunction``; ``type`` ``None`` means real."""

    name: str
    type: VarType | None
    arguments: tuple[FunctionArgument, ...]
    variables: tuple[Variable | ArrayVariable, ...]
    body: tuple[Statement, ...]
    loc: Location


# ---- statements ----
@dataclass(frozen=True, slots=True)
class Block:
    """``begin [: name] declarations statements end``."""

    name: str | None
    declarations: tuple[Variable | ArrayVariable | Parameter, ...]
    statements: tuple[Statement, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Assign:
    target: str
    value: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class IndexedAssign:
    """``target[index] = value;``: one element of an array variable."""

    target: str
    index: Expr
    value: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class Contribution:
    """``access(args) <+ value;``, e.g. ``I(a, b) <+ v / r;``."""

    access: str
    args: tuple[Expr, ...]
    value: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class If:
    condition: Expr
    then: Statement
    otherwise: Statement | None
    loc: Location


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One arm of a ``case``; empty ``values`` is the ``default`` arm."""

    values: tuple[Expr, ...]
    statement: Statement
    loc: Location


@dataclass(frozen=True, slots=True)
class Case:
    subject: Expr
    items: tuple[CaseItem, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class For:
    init: Assign
    condition: Expr
    step: Assign
    body: Statement
    loc: Location


@dataclass(frozen=True, slots=True)
class While:
    condition: Expr
    body: Statement
    loc: Location


@dataclass(frozen=True, slots=True)
class EventControl:
    """``@(event or event ...) statement``; each event is an ``Identifier``
    (``initial_step``) or a ``Call`` (``cross(...)``, ``timer(...)``, ``initial_step("tran")``)."""

    events: tuple[Expr, ...]
    body: Statement
    loc: Location


@dataclass(frozen=True, slots=True)
class SystemTask:
    """``$name(args);`` as a statement: ``$strobe``, ``$bound_step``, ``$error``, ..."""

    name: str
    args: tuple[Expr, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class CallStatement:
    """``function(args);``: an analog function called for its output arguments."""

    call: Call
    loc: Location


@dataclass(frozen=True, slots=True)
class NullStatement:
    loc: Location


Statement: TypeAlias = (
    Block
    | Assign
    | IndexedAssign
    | Contribution
    | If
    | Case
    | For
    | While
    | EventControl
    | SystemTask
    | CallStatement
    | NullStatement
)


# ---- top level ----
@dataclass(frozen=True, slots=True)
class Module:
    """A module; ``analog`` holds the statements of all its analog blocks in source order."""

    name: str
    ports: tuple[str, ...]
    directions: tuple[PortDirection, ...]
    nets: tuple[NetDeclaration, ...]
    grounds: tuple[Ground, ...]
    branches: tuple[Branch, ...]
    parameters: tuple[Parameter, ...]
    variables: tuple[Variable | ArrayVariable, ...]
    functions: tuple[AnalogFunction, ...]
    analog: tuple[Statement, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class NatureAttribute:
    """``name = value;`` inside a nature, e.g. ``abstol = 1e-12;`` or ``access = I;``."""

    name: str
    value: Expr
    loc: Location


@dataclass(frozen=True, slots=True)
class Nature:
    name: str
    parent: str | None
    attributes: tuple[NatureAttribute, ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class Discipline:
    """``discipline name; potential P; flow F; domain D; enddiscipline`` (each optional)."""

    name: str
    potential: str | None
    flow: str | None
    domain: str | None
    loc: Location


@dataclass(frozen=True, slots=True)
class SourceFile:
    natures: tuple[Nature, ...]
    disciplines: tuple[Discipline, ...]
    modules: tuple[Module, ...]
    loc: Location
