"""Checks of the values in a sweep spec: names (with ``fullmatch``), numbers and integers.

Each raises a ``SpecError`` naming the key. Parameter names become ngspice ``.param`` names and,
like measurement names, table columns, so they are plain ASCII identifiers; ``re.match`` with
``$`` would let a trailing newline through, ``fullmatch`` does not. Numbers come from TOML,
where an integer may have thousands of digits: they are checked without overflowing.
"""

from __future__ import annotations

import math
import re

from spicegen.sweep.errors import SpecError

LARGEST = 2**63 - 1  # integers (counts, sizes) above this are refused: SQLite's and len()'s limit

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ``package.module:function.attribute``: what ``importlib`` and ``getattr`` are given
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def check_name(key: str, name: object, what: str) -> str:
    """``name`` if it is an ASCII identifier, else a ``SpecError`` at ``key``."""
    if not isinstance(name, str) or _IDENTIFIER.fullmatch(name) is None:
        raise SpecError(key, f"a {what} name must be an ASCII identifier (letters, _, digits)")
    return name


def split_python_name(key: str, text: str) -> tuple[str, str]:
    """``"module:function"`` as ``(module, function)``, each a dotted Python name."""
    module, colon, attribute = text.partition(":")
    if not colon or _DOTTED.fullmatch(module) is None or _DOTTED.fullmatch(attribute) is None:
        raise SpecError(key, f"expected module:function, got {text!r}")
    return module, attribute


def check_number(key: str, value: object) -> float:
    """``value`` as a finite float (an int too large for a float is refused, not raised)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(key, f"expected a finite number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise SpecError(key, f"expected a finite number, got {_shown(value)}")
    return number


def check_integer(key: str, value: object, low: int, high: int = LARGEST) -> int:
    """``value`` if it is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        limit = f">= {low}" if high == LARGEST else f"from {low} to {high}"
        raise SpecError(key, f"expected an integer {limit} (at most 2^63 - 1), got {_shown(value)}")
    return value


def _shown(value: object) -> str:
    """``repr(value)``, shortened: a spec's strings and integers can be long."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"
