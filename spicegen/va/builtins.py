"""The one table of Verilog-A's built-in functions and system functions.

Each entry says how many arguments a function takes, the type of its result, whether it is an
analog operator (memory or noise, which the LRM forbids where its number of instances could
change), how to fold it on constant arguments and how to write it as an ngspice expression.
``check`` reads the arity, type and operator flag; the lowering folds and renders from the same
entry, so adding a function touches only this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from spicegen.va.values import Val

Scalar = float | int
Result = Literal["real", "integer", "same"]  # "same": integer when every argument is
LIMEXP_KNEE = 80.0  # limexp(x) is exp(x) below the knee and its tangent line above
POWER_PRODUCT_LIMIT = 16  # |n| up to this: pow(x, n) is written as a product


class FoldError(ValueError):
    """A constant argument outside a function's domain; the message is complete."""


@dataclass(frozen=True, slots=True)
class CForm:
    """A built-in as C for the osdi target: ``value`` and one partial derivative per argument,
    templates in the arguments ``{x}``, ``{y}`` (C names, each read once or more) and the
    result ``{v}``."""

    value: str
    partials: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Builtin:
    """One built-in function: ``arity`` is (fewest, most) arguments; ``fold`` computes it on
    constants (``None``: never folded); ``render`` writes it as ngspice text from its
    arguments and ``c`` as C with its derivatives (``None``: the target has a rule of its
    own); ``analog`` marks operators with memory or noise."""

    arity: tuple[int, int]
    result: Result = "real"
    fold: Callable[..., Scalar] | None = None
    render: Callable[[Sequence[Val]], str] | None = None
    analog: bool = False
    c: CForm | None = None


@dataclass(frozen=True, slots=True)
class SystemFunction:
    """One ``$name`` function: its arity and result type; the lowering gives its meaning."""

    arity: tuple[int, int]
    result: Result = "real"


def _call(ngspice_name: str) -> Callable[[Sequence[Val]], str]:
    def render(args: Sequence[Val]) -> str:
        return f"{ngspice_name}({', '.join(a.text for a in args)})"

    return render


def _math(function: Callable[[float], Scalar]) -> Callable[..., Scalar]:
    return lambda x: function(float(x))


def _pow_fold(base: Scalar, exponent: Scalar) -> Scalar:
    if base == 0 and exponent < 0:
        raise FoldError("`pow(0, negative)` in a constant expression")
    result: float | complex = float(base) ** float(exponent)
    if isinstance(result, complex):
        raise FoldError("`pow` of a negative base with a non-integer exponent")
    return result


def _pow_render(args: Sequence[Val]) -> str:
    """A small constant integer exponent is a product (under a division when negative),
    exact for either sign of the base; otherwise ngspice's ``pow``, which takes ``|base|``,
    so a large odd exponent is multiplied by the base's sign."""
    base, exponent = args
    n = integer_exponent(exponent)
    if n is not None:
        if n == 0:
            return "1"
        product = "(" + "*".join([base.text] * abs(n)) + ")"
        return product if n > 0 else f"(1/{product})"
    text = f"pow({base.text}, {exponent.text})"
    b = exponent.value
    if b is not None and float(b).is_integer() and int(b) % 2 == 1:  # keep the base's sign
        text = f"({text}*sgn({base.text}))"
    return text


def integer_exponent(exponent: Val) -> int | None:
    """The exponent when it is a constant integer small enough to write as a product.

    ngspice's ``pow`` differentiates through ``log|base|``, which fails ("out of range for
    pow") at base 0 for a negative exponent, and base 0 is where every node starts on
    Newton's first iteration; ``1/x`` survives that iteration."""
    b = exponent.value
    if b is None or not float(b).is_integer() or abs(b) > POWER_PRODUCT_LIMIT:
        return None
    return int(b)


def _hypot_render(args: Sequence[Val]) -> str:
    x, y = args[0].text, args[1].text
    return f"sqrt({x}*{x} + {y}*{y})"


def _atan2_render(args: Sequence[Val]) -> str:
    y, x = args[0].text, args[1].text
    pi = repr(math.pi)
    return (
        f"({x} > 0 ? atan({y}/{x}) : {x} < 0 ? ({y} >= 0 ? atan({y}/{x}) + {pi} : "
        f"atan({y}/{x}) - {pi}) : ({y} > 0 ? {pi}/2 : {y} < 0 ? -{pi}/2 : 0))"
    )


def _limexp_fold(x: Scalar) -> float:
    v = float(x)
    return math.exp(v) if v < LIMEXP_KNEE else math.exp(LIMEXP_KNEE) * (1 + v - LIMEXP_KNEE)


def _limexp_render(args: Sequence[Val]) -> str:
    exponent, knee = args[0].text, repr(LIMEXP_KNEE)
    return f"(exp(min({exponent}, {knee}))*(1 + max({exponent} - {knee}, 0)))"


def _unary(ngspice_name: str, function: Callable[[float], Scalar], c: str, partial: str) -> Builtin:
    return Builtin((1, 1), fold=_math(function), render=_call(ngspice_name), c=CForm(c, (partial,)))


_KNEE = repr(LIMEXP_KNEE)
_LIMEXP_C = CForm(
    f"({{x}} < {_KNEE} ? exp({{x}}) : exp({_KNEE})*(1.0 + {{x}} - {_KNEE}))",
    (f"({{x}} < {_KNEE} ? {{v}} : exp({_KNEE}))",),
)


BUILTINS: Mapping[str, Builtin] = MappingProxyType(
    {
        "ddt": Builtin((1, 2), analog=True),
        "idt": Builtin((1, 4), analog=True),
        "white_noise": Builtin((1, 2), analog=True),
        "flicker_noise": Builtin((2, 3), analog=True),
        # transition(x, delay, rise, fall, tolerance), absdelay(x, delay, max_delay)
        "transition": Builtin((1, 5), analog=True),
        "absdelay": Builtin((2, 3), analog=True),
        "ddx": Builtin((2, 2)),  # ddx(expr, V(a)): the partial derivative by a probe
        "analysis": Builtin((1, 8), "integer"),  # analysis("tran", ...): 1 in those analyses
        "exp": _unary("exp", math.exp, "exp({x})", "{v}"),
        "limexp": Builtin((1, 1), fold=_limexp_fold, render=_limexp_render, c=_LIMEXP_C),
        "ln": _unary("ln", math.log, "log({x})", "1.0/{x}"),
        "log": _unary("log10", math.log10, "log10({x})", f"1.0/({{x}}*{math.log(10)!r})"),
        "sqrt": _unary("sqrt", math.sqrt, "sqrt({x})", "0.5/{v}"),
        "sin": _unary("sin", math.sin, "sin({x})", "cos({x})"),
        "cos": _unary("cos", math.cos, "cos({x})", "(-sin({x}))"),
        "tan": _unary("tan", math.tan, "tan({x})", "(1.0 + {v}*{v})"),
        "asin": _unary("asin", math.asin, "asin({x})", "1.0/sqrt(1.0 - {x}*{x})"),
        "acos": _unary("acos", math.acos, "acos({x})", "(-1.0/sqrt(1.0 - {x}*{x}))"),
        "atan": _unary("atan", math.atan, "atan({x})", "1.0/(1.0 + {x}*{x})"),
        "sinh": _unary("sinh", math.sinh, "sinh({x})", "cosh({x})"),
        "cosh": _unary("cosh", math.cosh, "cosh({x})", "sinh({x})"),
        "tanh": _unary("tanh", math.tanh, "tanh({x})", "(1.0 - {v}*{v})"),
        "asinh": _unary("asinh", math.asinh, "asinh({x})", "1.0/sqrt({x}*{x} + 1.0)"),
        "acosh": _unary("acosh", math.acosh, "acosh({x})", "1.0/sqrt({x}*{x} - 1.0)"),
        "atanh": _unary("atanh", math.atanh, "atanh({x})", "1.0/(1.0 - {x}*{x})"),
        "floor": _unary("floor", math.floor, "floor({x})", "0.0"),
        "ceil": _unary("ceil", math.ceil, "ceil({x})", "0.0"),
        "abs": Builtin(
            (1, 1),
            "same",
            fold=abs,
            render=_call("abs"),
            c=CForm("({x} < 0 ? -{x} : {x})", ("({x} < 0 ? -1.0 : 1.0)",)),
        ),
        "min": Builtin(
            (2, 2),
            "same",
            fold=min,
            render=_call("min"),
            c=CForm(
                "({x} < {y} ? {x} : {y})", ("({x} < {y} ? 1.0 : 0.0)", "({x} < {y} ? 0.0 : 1.0)")
            ),
        ),
        "max": Builtin(
            (2, 2),
            "same",
            fold=max,
            render=_call("max"),
            c=CForm(
                "({x} > {y} ? {x} : {y})", ("({x} > {y} ? 1.0 : 0.0)", "({x} > {y} ? 0.0 : 1.0)")
            ),
        ),
        "pow": Builtin(
            (2, 2),
            fold=_pow_fold,
            render=_pow_render,
            # d/dx is 0 for y = 0 (0*pow(0, -1) would be NaN at x = 0); d/dy only where
            # log(x) exists
            c=CForm(
                "pow({x}, {y})",
                (
                    "({y} == 0.0 ? 0.0 : {y}*pow({x}, {y} - 1.0))",
                    "({x} > 0.0 ? {v}*log({x}) : 0.0)",
                ),
            ),
        ),
        "hypot": Builtin(
            (2, 2),
            fold=math.hypot,
            render=_hypot_render,
            c=CForm("hypot({x}, {y})", ("{x}/{v}", "{y}/{v}")),
        ),
        "atan2": Builtin(
            (2, 2),
            fold=math.atan2,
            render=_atan2_render,
            c=CForm("atan2({x}, {y})", ("{y}/({x}*{x} + {y}*{y})", "(-{x})/({x}*{x} + {y}*{y})")),
        ),
    }
)

SYSTEM_FUNCTIONS: Mapping[str, SystemFunction] = MappingProxyType(
    {
        "$vt": SystemFunction((0, 1)),
        "$temperature": SystemFunction((0, 0)),
        "$abstime": SystemFunction((0, 0)),
        "$realtime": SystemFunction((0, 1)),
        "$simparam": SystemFunction((1, 2)),
        "$param_given": SystemFunction((1, 1), "integer"),
        "$limit": SystemFunction((1, 8)),  # $limit(probe, "pnjlim", ...): the probe's value
        "$mfactor": SystemFunction((0, 0)),
        "$rdist_normal": SystemFunction((3, 4)),
        "$rdist_uniform": SystemFunction((3, 4)),
        "$rdist_exponential": SystemFunction((2, 3)),
        "$random": SystemFunction((0, 1), "integer"),
        # the Verilog-HDL forms tools accept in analog blocks: the same draws, rounded to
        # integers (Cadence: "$dist_normal ... to generate integer numbers")
        "$dist_normal": SystemFunction((3, 3), "integer"),
        "$dist_uniform": SystemFunction((3, 3), "integer"),
        "$dist_exponential": SystemFunction((2, 2), "integer"),
        # spicegen's seeded transient noise (docs/compiler.md): a held random level per step
        "$noise_uniform": SystemFunction((1, 1)),
        "$noise_normal": SystemFunction((1, 1)),
    }
)


def result_is_integer(result: Result, argument_integers: Sequence[bool]) -> bool:
    """Whether a call returns an integer, given which of its arguments are integers."""
    if result == "same":
        return bool(argument_integers) and all(argument_integers)
    return result == "integer"
