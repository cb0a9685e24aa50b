"""Symbolic values of the lowering: an ngspice expression (text) with its type and, when known
at compile time, its number; and the pure operations on them (operators, conversions, built-in
functions), folding constants as Verilog-A's LRM says (integer division truncates toward
zero, ``%`` keeps the dividend's sign, reals convert to integers by rounding half away)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spicegen.va.ast import VarType
from spicegen.va.builtins import BUILTINS, FoldError, Scalar, result_is_integer
from spicegen.va.diagnostics import Diagnostic, Location, VaError

# names ngspice gives a meaning inside expressions: a parameter called so is an error
# (constants silently win over the parameter; functions make ngspice reject the line)
RESERVED = frozenset(
    {
        "pi",
        "e",
        "time",
        "temper",
        "hertz",
        "abs",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atanh",
        "cos",
        "cosh",
        "exp",
        "ln",
        "log",
        "log10",
        "sin",
        "sinh",
        "sqrt",
        "tan",
        "tanh",
        "floor",
        "ceil",
        "pow",
        "pwr",
        "min",
        "max",
        "limit",
        "unif",
        "aunif",
        "gauss",
        "agauss",
        "sqr",
        "sgn",
        "nint",
        "int",
        "ternary_fcn",
        "vec",
    }
)


@dataclass(frozen=True, slots=True)
class Val:
    """An expression as ngspice text; ``value`` when it is known at compile time."""

    text: str
    is_int: bool
    value: Scalar | None = None


def located_error(loc: Location, message: str) -> VaError:
    return VaError([Diagnostic(loc, message)])


def number(value: Scalar | bool, loc: Location, is_int: bool | None = None) -> Val:
    """A compile-time constant; non-finite results are errors at ``loc``."""
    if is_int is None:
        is_int = isinstance(value, int)
    scalar: Scalar = int(value) if is_int else float(value)
    if not math.isfinite(scalar):
        raise located_error(loc, f"the constant expression here evaluates to {scalar}")
    text = repr(scalar)
    return Val(f"({text})" if scalar < 0 else text, is_int, scalar)


def truncated_quotient(a: int, b: int) -> int:
    """Integer division rounding toward zero, exact for any size (Python's // floors)."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def truncate_text(text: str) -> str:
    return f"(sgn({text})*floor(abs({text})))"


def round_text(text: str) -> str:
    # LRM real -> integer conversion: round to nearest, ties away from zero
    return f"(sgn({text})*floor(abs({text})+0.5))"


def convert(value: Val, kind: VarType) -> Val:
    """``value`` assigned to a variable of type ``kind`` (reals round to integers)."""
    if kind == "integer" and not value.is_int:
        if value.value is not None:
            scalar = float(value.value)
            rounded = math.copysign(math.floor(abs(scalar) + 0.5), scalar)
            return Val(
                repr(int(rounded)) if rounded >= 0 else f"({int(rounded)})", True, int(rounded)
            )
        return Val(round_text(value.text), True)
    if kind == "real" and value.is_int:
        return Val(value.text, False, None if value.value is None else float(value.value))
    return value


_COMPARE: dict[str, Callable[[Scalar, Scalar], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_BITWISE: dict[str, Callable[[int, int], int]] = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "~^": lambda a, b: ~(a ^ b),
    "^~": lambda a, b: ~(a ^ b),
    "<<": lambda a, b: a << b,
    ">>": lambda a, b: a >> b,
}


def unary(op: str, operand: Val, loc: Location) -> Val:
    value = operand.value
    if op == "+":
        return operand
    if op == "-":
        if value is not None:
            return number(-value, loc, operand.is_int)
        return Val(f"(-{operand.text})", operand.is_int)
    if op == "!":
        if value is not None:
            return number(int(not value), loc)
        return Val(f"(!{operand.text})", True)
    if op == "~" and value is not None and operand.is_int:
        return number(~int(value), loc)
    raise located_error(loc, f"operator `{op}` is only supported on constant integers")


def binary(op: str, left: Val, right: Val, loc: Location, integer_division: bool = True) -> Val:
    """``left op right``; ``integer_division`` is False when the checker typed the operands of
    this ``/`` or ``%`` as real even though both values are integers."""
    a, b = left.value, right.value
    both_int = left.is_int and right.is_int
    if op in ("+", "-", "*"):
        if a is not None and b is not None:
            result = a + b if op == "+" else a - b if op == "-" else a * b
            return number(result, loc, both_int)
        # drop the neutral element (loop sums start from 0), keeping the result's type
        if op == "*" and (a == 0 or b == 0):
            return number(0, loc, both_int)
        if (op == "+" and a == 0) or (op == "*" and a == 1):
            return Val(right.text, both_int)
        if (op in ("+", "-") and b == 0) or (op == "*" and b == 1):
            return Val(left.text, both_int)
        return Val(f"({left.text} {op} {right.text})", both_int)
    if op in ("/", "%"):
        return _divide(op, left, right, loc, both_int and integer_division)
    if op == "**":
        return builtin("pow", (left, right), loc)
    if op in _COMPARE:
        if a is not None and b is not None:
            return number(int(_COMPARE[op](a, b)), loc)
        return Val(f"({left.text} {op} {right.text})", True)
    if op in ("&&", "||"):
        return _logical(op, left, right, loc)
    if op in _BITWISE and a is not None and b is not None and both_int:
        return number(_BITWISE[op](int(a), int(b)), loc)
    raise located_error(loc, f"operator `{op}` is only supported on constant integers")


def _divide(op: str, left: Val, right: Val, loc: Location, integer: bool) -> Val:
    a, b = left.value, right.value
    if a is not None and b is not None:
        if b == 0:
            raise located_error(loc, f"`{op}` by zero in a constant expression")
        if not integer:
            return number(a / b if op == "/" else math.fmod(a, b), loc, False)
        quotient = truncated_quotient(int(a), int(b))
        return number(quotient if op == "/" else int(a) - int(b) * quotient, loc, True)
    quotient_text = f"({left.text} / {right.text})"
    if op == "/":
        return Val(truncate_text(quotient_text), True) if integer else Val(quotient_text, False)
    # Verilog-A % keeps the sign of the dividend, for reals as for integers (fmod)
    return Val(f"({left.text} - {right.text}*{truncate_text(quotient_text)})", integer)


def _logical(op: str, left: Val, right: Val, loc: Location) -> Val:
    a, b = left.value, right.value
    if a is not None and b is not None:
        result = bool(a) and bool(b) if op == "&&" else bool(a) or bool(b)
        return number(int(result), loc)
    if a is not None:  # short-circuit on a known left side
        if op == "&&" and not a:
            return number(0, loc)
        if op == "||" and a:
            return number(1, loc)
    return Val(f"({left.text} {op} {right.text})", True)


def builtin(name: str, args: Sequence[Val], loc: Location) -> Val:
    """Built-in function ``name`` of ``BUILTINS`` applied to ``args``, folded when every
    argument is known at compile time."""
    entry = BUILTINS.get(name)
    if entry is None or entry.render is None:
        raise located_error(loc, f"`{name}` is not supported by the lowering yet")
    is_int = result_is_integer(entry.result, [a.is_int for a in args])
    constants = [a.value for a in args]
    if entry.fold is not None and all(c is not None for c in constants):
        try:
            return number(entry.fold(*constants), loc, is_int)
        except FoldError as err:
            raise located_error(loc, str(err)) from None
        except (ValueError, OverflowError, ZeroDivisionError) as err:
            raise located_error(loc, f"`{name}` of a constant: {err}") from None
    return Val(entry.render(args), is_int)
