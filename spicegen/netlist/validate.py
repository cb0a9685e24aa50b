"""Checks that every name and value can be written as one ngspice token, run at construction.

These sit on the hot path of a million-element crossbar, so each check is a type test plus one
compiled regex; string values go through a memoised classifier (fast regexes for the common
plain number and bare parameter name, the expression grammar otherwise).
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from spicegen.netlist.errors import netlist_error

if TYPE_CHECKING:
    from lark import Lark

Value: TypeAlias = float | int | str
"""A number (SI units) or a string: a SPICE number (``"1k"``, ``"10meg"``) or an expression."""

Params: TypeAlias = tuple[tuple[str, Value], ...]
"""Ordered ``name=value`` pairs; constructors also take a Mapping and keep its order."""

VectorValue: TypeAlias = Value | tuple[Value, ...]
"""A ``.model`` parameter value: a Value or a vector written ``[a b c]`` (XSPICE models)."""

# ASCII classes written out: \w and \d would admit Unicode letters and digits.
match_identifier = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").fullmatch
match_node = re.compile(r"[A-Za-z0-9_]+").fullmatch
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[A-Za-z]*").fullmatch
_BARE_NAME = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*").fullmatch
# node and source names may be hierarchical (x1.s, v.x1.vmeter): inside subcircuit instances
_SAVE = re.compile(
    r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*"
    r"|[vV]\([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*(?:,[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?\)"
    r"|[iI]\([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*\)"
).fullmatch
# Include paths go inside double quotes; refuse what could end the quote or the line, and the
# characters ngspice treats as comments or parameter braces on a card.
_PATH_FORBIDDEN = frozenset("\"';${}")
_LARGEST_FLOAT = 1.7976931348623157e308

_KIND_NUMBER = 0
_KIND_EXPRESSION = 1
_KIND_INVALID = 2

_GRAMMAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expression.lark")


@functools.cache
def _parser() -> Lark:
    # Built on first use: a LALR parser is linear in the text and needs no backtracking, and the
    # grammar stays in a .lark file where it reads as a grammar, not in Python strings. lark is
    # imported here, not with the module, so a program that writes only plain numbers never
    # loads it.
    from lark import Lark

    return Lark.open(_GRAMMAR, parser="lalr", start="start")


@functools.lru_cache(maxsize=65536)
def _classify(text: str) -> tuple[int, str]:
    """(kind, reason): a plain SPICE number, an expression, or invalid with the parser's reason."""
    if _NUMBER(text):
        return _KIND_NUMBER, ""
    if _BARE_NAME(text):
        return _KIND_EXPRESSION, ""
    # The grammar skips only spaces and tabs; anything else that could break a line is refused
    # here too, so that the decision never rests on a lexer detail.
    if not text.isprintable() and any(ch != "\t" and not ch.isprintable() for ch in text):
        return _KIND_INVALID, "it holds a control character or line break"
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        _parser().parse(text)
    except UnexpectedInput as err:
        return _KIND_INVALID, f"not an expression (column {err.column})"
    except LarkError:
        return _KIND_INVALID, "not an expression"
    return _KIND_EXPRESSION, ""


def expression_body(text: str) -> str:
    """The expression without surrounding blanks and outer braces: ``"{a+b}"`` -> ``a+b``."""
    body = text.strip(" \t")
    if body.startswith("{"):
        body = body[1:-1].strip(" \t")
    return body


def is_number_text(text: str) -> bool:
    """True when a (valid) string value is a plain SPICE number such as ``"1k"`` or ``"-2e-3"``."""
    return _classify(text)[0] == _KIND_NUMBER


def check_expression_text(text: object, field: str, *, bsource: bool = False) -> str:
    """Return ``text`` if it is a SPICE number or expression (``bsource``: no ``%``), else raise."""
    if type(text) is not str:
        raise netlist_error(field, "expected an expression string", text)
    kind, reason = _classify(text)
    if kind == _KIND_INVALID:
        raise netlist_error(field, f"expected a SPICE number or expression; {reason}", text)
    if bsource and "%" in text:
        # ngspice's B-source parser has no modulo operator (numparam braces do).
        raise netlist_error(field, "'%' is not available in B-source expressions", text)
    return text


def check_value(value: object, field: str) -> Value:
    """Return the value (numbers normalised to float or int) or raise NetlistError naming ``field``.

    Accepts finite floats, ints (not bool), other real numbers such as numpy scalars (converted),
    and strings that are SPICE numbers or expressions.
    """
    # Exact type tests first: the common cases cost one comparison each, and bool (an int) and
    # numpy scalars (float subclasses whose repr() is not a number) fall through to be handled.
    if type(value) is float:
        if math.isfinite(value):
            return value
    elif type(value) is str:
        return check_expression_text(value, field)
    elif type(value) is int:
        if -_LARGEST_FLOAT <= value <= _LARGEST_FLOAT:
            return value
    elif type(value) is not bool and isinstance(value, numbers.Integral):
        return check_value(int(value), field)
    elif type(value) is not bool and isinstance(value, numbers.Real):
        return check_value(float(value), field)
    raise netlist_error(
        field, "expected a finite number or a SPICE number/expression string", value
    )


def check_number(value: object, field: str) -> float | int:
    """A finite float or int (not bool, not a string); numpy scalars are converted."""
    if type(value) is not str:
        number = check_value(value, field)
        if not isinstance(number, str):
            return number
    raise netlist_error(field, "expected a number in SI units, not a string", value)


def check_identifier(name: object, field: str) -> str:
    """A name matching ``[A-Za-z_][A-Za-z0-9_]*`` (parameters, models, subcircuits)."""
    if type(name) is str and match_identifier(name):
        return name
    raise netlist_error(field, "expected a name of ASCII letters, digits and '_'", name)


def check_element_name(name: object, letters: str, field: str) -> str:
    """An identifier whose first letter is one of ``letters`` (e.g. ``"Rr"``)."""
    if type(name) is str and match_identifier(name) and name[0] in letters:
        return name
    raise netlist_error(
        field, f"expected a name starting with {letters[0]!r} then letters, digits or '_'", name
    )


# Node names repeat (a 1024x1024 crossbar has 2 million node references and 2048 names), so the
# hot element constructors first look a name up here: a memo of names that passed the regex,
# bounded, and only ever holding valid names, so it cannot change any outcome.
KNOWN_NODES: set[str] = {"0"}
_KNOWN_NODES_LIMIT = 1 << 16


def check_node(node: object, field: str) -> str:
    """A node name matching ``[A-Za-z0-9_]+``; ``"0"`` is ground."""
    if type(node) is str and match_node(node):
        if len(KNOWN_NODES) >= _KNOWN_NODES_LIMIT:
            KNOWN_NODES.clear()
        KNOWN_NODES.add(node)
        return node
    raise netlist_error(field, "expected a node name of ASCII letters, digits and '_'", node)


def check_nodes(nodes: object, field: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    """A tuple of node names (lists are converted)."""
    if isinstance(nodes, str) or not isinstance(nodes, Iterable):
        raise netlist_error(field, "expected a tuple of node names", nodes)
    result = tuple(nodes)
    if not result and not allow_empty:
        raise netlist_error(field, "expected at least one node", result)
    for node in result:
        check_node(node, field)
    return result


def check_flag(value: object, field: str) -> bool:
    """A real bool."""
    if type(value) is bool:
        return value
    raise netlist_error(field, "expected True or False", value)


def check_choice(value: object, choices: tuple[object, ...], field: str) -> object:
    """One of ``choices`` (compared with ==, type-exact so that True is not 1)."""
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return value
    raise netlist_error(field, f"expected one of {', '.join(map(repr, choices))}", value)


def check_params(
    params: object,
    field: str,
    allowed: frozenset[str] | None = None,
    *,
    vectors: bool = False,
) -> Params:
    """Normalise ``name=value`` pairs (a Mapping or pairs) to a tuple, checking each.

    ``allowed`` (lower-case) restricts the names; ``vectors`` admits tuple values (``.model``).
    Names must be unique, ignoring case as ngspice does.
    """
    if isinstance(params, Mapping):
        items: tuple[object, ...] = tuple(params.items())
    elif isinstance(params, str) or not isinstance(params, Iterable):
        raise netlist_error(field, "expected name=value pairs (a tuple of pairs or a dict)", params)
    else:
        items = tuple(params)
    result: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise netlist_error(field, "expected a (name, value) pair", item)
        name, value = item
        check_identifier(name, field)
        key = name.lower()
        if allowed is not None and key not in allowed:
            names = ", ".join(sorted(allowed))
            raise netlist_error(field, f"unknown parameter; expected one of {names}", name)
        if key in seen:
            raise netlist_error(field, "duplicate parameter name (ngspice ignores case)", name)
        seen.add(key)
        if vectors and isinstance(value, tuple | list):
            value = tuple(check_value(v, field) for v in value)
            if not value:
                raise netlist_error(field, f"parameter {name!r}: expected a non-empty vector", ())
        else:
            value = check_value(value, field)
        result.append((name, value))
    return tuple(result)


def check_title(title: object, field: str) -> str:
    """One printable line that does not start with '.' (ngspice reads dot-cards on line 1 too)."""
    if type(title) is not str or not title.strip():
        raise netlist_error(field, "expected a non-empty, single-line title", title)
    if not title.isprintable():
        raise netlist_error(
            field, "expected a single printable line (no control characters)", title
        )
    if title.lstrip().startswith("."):
        raise netlist_error(field, "a title must not start with '.' (ngspice would read it)", title)
    return title


def check_path(path: object, field: str) -> str:
    """A file path to write inside double quotes: printable, none of ``" ' ; $ { }``."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if type(text) is not str or not text:
        raise netlist_error(field, "expected a non-empty path", path)
    if not text.isprintable() or not _PATH_FORBIDDEN.isdisjoint(text):
        raise netlist_error(
            field, "expected a printable path without quotes, ';', '$', '{' or '}'", text
        )
    return text


def check_save(vector: object, field: str) -> str:
    """An output vector: ``all``, a node, ``v(node)``, ``v(a,b)`` or ``i(vsource)``."""
    if type(vector) is str and _SAVE(vector):
        return vector
    raise netlist_error(field, "expected all, a node, v(node), v(a,b) or i(vsource)", vector)


def check_unique(names: Iterable[str], field: str, what: str) -> None:
    """Raise if two names are equal ignoring case (ngspice folds case)."""
    names = tuple(names)
    if len({name.lower() for name in names}) == len(names):
        return
    seen: set[str] = set()
    for name in names:
        key = name.lower()
        if key in seen:
            raise netlist_error(field, f"duplicate {what} name (ngspice ignores case)", name)
        seen.add(key)
