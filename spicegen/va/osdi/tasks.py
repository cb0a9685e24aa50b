"""Verilog-A message tasks (``$strobe``, ``$display``, ``$warning``, ``$error``, ...) as C
``printf`` calls: the format string is translated when the code is generated."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spicegen.va import ast
from spicegen.va.osdi import quantity as q
from spicegen.va.values import located_error

if TYPE_CHECKING:
    from spicegen.va.osdi.evaluate import Translator

_SPEC = re.compile(
    r"%(?P<flags>[-+0 #]*)(?P<width>\d*)(?:\.(?P<precision>\d+))?(?P<kind>[a-zA-Z%])"
)
_REALS = {"e", "f", "g", "E", "G"}
_INTEGERS = {
    "d": "d",
    "i": "d",
    "h": "x",
    "H": "X",
    "x": "x",
    "X": "X",
    "o": "o",
    "b": "d",
    "c": "c",
}


def c_literal(text: str) -> str:
    """``text`` as a C string literal."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def message_call(translator: Translator, task: ast.SystemTask) -> tuple[str, str]:
    """The C format literal and the ``, value, ...`` list of a message task."""
    args = list(task.args)
    if not args:
        return c_literal(""), ""
    parts: list[str] = []
    values: list[str] = []
    while args:
        first = args.pop(0)
        if isinstance(first, ast.String):
            format_, used = _format(translator, first.value, args, task.loc)
            parts.append(format_)
            values.extend(used)
        else:
            value = _value(translator, first)
            parts.append("%d" if value[1] else "%g")
            values.append(value[0])
    text = "".join(parts)
    return c_literal(text), "".join(f", {v}" for v in values)


def _value(translator: Translator, expr: ast.Expr) -> tuple[str, bool]:
    value = translator.resolve(translator.expression(expr), expr.loc)
    if value.is_int:
        return f"(int){value.value}", True
    return f"(double){value.value}", False


def _format(
    translator: Translator, text: str, args: list[ast.Expr], loc: object
) -> tuple[str, list[str]]:
    out: list[str] = []
    values: list[str] = []
    position = 0
    for match in _SPEC.finditer(text):
        out.append(text[position : match.start()].replace("%", "%%"))
        position = match.end()
        kind = match["kind"]
        if kind == "%":
            out.append("%%")
            continue
        if kind in ("m", "M"):
            out.append("%s")
            values.append("sg_instance_name(handle)")
            continue
        if kind in ("t", "T"):
            out.append("%g")
            values.append("abstime")
            continue
        if not args:
            raise located_error(
                loc,  # type: ignore[arg-type]
                f"the format `{text}` has more conversions than arguments",
            )
        argument = args.pop(0)
        head = f"%{match['flags']}{match['width']}" + (
            f".{match['precision']}" if match["precision"] else ""
        )
        if kind in ("s", "S"):
            if not isinstance(argument, ast.String):
                raise located_error(argument.loc, "`%s` needs a string argument")
            out.append(f"{head}s")
            values.append(c_literal(argument.value))
        elif kind in _REALS:
            value = q.to_real(translator.resolve(translator.expression(argument), argument.loc))
            out.append(f"{head}{kind}")
            values.append(f"(double){value.value}")
        elif kind in _INTEGERS:
            value = q.to_integer(
                translator.emitter,
                translator.resolve(translator.expression(argument), argument.loc),
            )
            out.append(f"{head}{_INTEGERS[kind]}")
            values.append(f"(int){value.value}")
        else:
            raise located_error(argument.loc, f"unknown format conversion `%{kind}`")
    out.append(text[position:].replace("%", "%%"))
    return "".join(out), values
