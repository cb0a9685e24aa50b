"""Values of the generated C code with their exact derivatives (forward mode, static sparsity).

A ``Quantity`` is a real or integer value in the generated ``eval`` function: a C atom (a
name or a literal) for its value and one atom per unknown it depends on for the partial
derivative, plus, for values that hold a ``ddt``, the charge whose time derivative ngspice
takes (``react``). Which unknowns a value depends on is known when the code is generated, so
every derivative is one plain C double: no dual-number arrays at run time, and nothing
computed for the unknowns a value does not depend on. The ``Emitter`` writes the C lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from spicegen.va.builtins import CForm

Partials = tuple[tuple[int, str], ...]  # (unknown index, C atom), sorted by index


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value (C atom), its partial derivatives by unknown, and its ``ddt`` charge part."""

    value: str
    partials: Partials = ()
    is_int: bool = False
    react: Quantity | None = None

    @property
    def unknowns(self) -> frozenset[int]:
        return frozenset(k for k, _ in self.partials)

    def partial(self, unknown: int) -> str:
        for k, atom in self.partials:
            if k == unknown:
                return atom
        return "0.0"

    @property
    def resist(self) -> Quantity:
        """The value without its charge part."""
        return Quantity(self.value, self.partials, self.is_int)


ZERO = Quantity("0.0")
ONE = Quantity("1.0")


def constant(text: str, is_int: bool = False) -> Quantity:
    return Quantity(text, (), is_int)


def is_literal(atom: str) -> bool:
    try:
        float(atom)
    except ValueError:
        return False
    return True


def c_number(value: float | int) -> str:
    """A C literal for ``value`` (reals keep 17 significant digits)."""
    if isinstance(value, bool | int):
        return str(int(value))
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        return {"inf": "INFINITY", "-inf": "(-INFINITY)", "nan": "NAN"}[text]
    if "e" not in text and "." not in text:
        text += ".0"
    return f"({text})" if text.startswith("-") else text


class Emitter:
    """Collects the lines of a C function body, with fresh temporaries and indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._count = 0
        self._indent = 1

    def line(self, text: str) -> None:
        self.lines.append("    " * self._indent + text)

    def open(self, head: str) -> None:
        self.line(head + " {")
        self._indent += 1

    def reopen(self, head: str) -> None:
        """Close a block and open the next one on the same line (``} else {``)."""
        self._indent -= 1
        self.line("} " + head + " {")
        self._indent += 1

    def close(self) -> None:
        self._indent -= 1
        self.line("}")

    def fresh(self, stem: str = "t") -> str:
        self._count += 1
        return f"{stem}{self._count}"

    def temp(self, expr: str, is_int: bool = False) -> str:
        """``expr`` in a new constant temporary, or itself when it is already an atom."""
        if _is_atom(expr):
            return expr
        name = self.fresh()
        self.line(f"const {'int32_t' if is_int else 'double'} {name} = {expr};")
        return name


def _is_atom(expr: str) -> bool:
    if is_literal(expr):
        return True
    return expr.replace("_", "").replace("->", "").replace(".", "").isalnum() and not (
        expr[0].isdigit()
    )


def _sum(terms: Iterable[str]) -> str:
    kept = [t for t in terms if t not in ("0.0", "0")]
    if not kept:
        return "0.0"
    text = kept[0]
    for term in kept[1:]:
        text = f"{text} - {term[1:]}" if term.startswith("-") else f"{text} + {term}"
    return text


def _negated(atom: str) -> str:
    if atom.startswith("-"):
        return atom[1:]
    if atom.startswith("(-") and atom.endswith(")") and is_literal(atom[2:-1]):
        return atom[2:-1]
    return f"-{atom}"


def _product(a: str, b: str) -> str:
    if a in ("0.0", "0") or b in ("0.0", "0"):
        return "0.0"
    if a == "1.0":
        return b
    if b == "1.0":
        return a
    if a == "-1.0":
        return _negated(b)
    if b == "-1.0":
        return _negated(a)
    return f"{a}*{b}"


def _partials(emitter: Emitter, terms: Mapping[int, list[str]]) -> Partials:
    result: list[tuple[int, str]] = []
    for unknown in sorted(terms):
        text = _sum(terms[unknown])
        if text == "0.0":
            continue
        result.append((unknown, emitter.temp(text)))
    return tuple(result)


def linear(emitter: Emitter, terms: Sequence[tuple[str, Quantity]], is_int: bool) -> Quantity:
    """``sum(coefficient * q)`` for constant coefficients (C atoms), charge parts included."""
    value = emitter.temp(_sum(_product(c, q.value) for c, q in terms) or "0.0", is_int)
    gathered: dict[int, list[str]] = {}
    for coefficient, q in terms:
        for unknown, atom in q.partials:
            gathered.setdefault(unknown, []).append(_product(coefficient, atom))
    charges = [(c, q.react) for c, q in terms if q.react is not None]
    react = linear(emitter, charges, False) if charges else None
    return Quantity(value, _partials(emitter, gathered), is_int, react)


def add(emitter: Emitter, a: Quantity, b: Quantity) -> Quantity:
    return linear(emitter, (("1.0", a), ("1.0", b)), a.is_int and b.is_int)


def subtract(emitter: Emitter, a: Quantity, b: Quantity) -> Quantity:
    return linear(emitter, (("1.0", a), ("-1.0", b)), a.is_int and b.is_int)


def negate(emitter: Emitter, a: Quantity) -> Quantity:
    return linear(emitter, (("-1.0", a),), a.is_int)


def multiply(emitter: Emitter, a: Quantity, b: Quantity) -> Quantity:
    """``a*b``; at most one side may carry a charge (the caller resolves the other)."""
    is_int = a.is_int and b.is_int
    value = emitter.temp(_product(a.value, b.value), is_int)
    gathered: dict[int, list[str]] = {}
    for unknown, atom in a.partials:
        gathered.setdefault(unknown, []).append(_product(atom, b.value))
    for unknown, atom in b.partials:
        gathered.setdefault(unknown, []).append(_product(a.value, atom))
    react = None
    if a.react is not None:
        react = multiply(emitter, a.react, b.resist)
    elif b.react is not None:
        react = multiply(emitter, a.resist, b.react)
    return Quantity(value, _partials(emitter, gathered), is_int, react)


def divide_real(emitter: Emitter, a: Quantity, b: Quantity) -> Quantity:
    """``a/b`` in real arithmetic; ``b`` carries no charge."""
    value = emitter.temp(f"{a.value}/{_real(b.value)}")
    gathered: dict[int, list[str]] = {}
    for unknown, atom in a.partials:
        gathered.setdefault(unknown, []).append(f"{atom}/{b.value}")
    for unknown, atom in b.partials:
        gathered.setdefault(unknown, []).append(f"-{value}*{atom}/{b.value}")
    react = divide_real(emitter, a.react, b) if a.react is not None else None
    return Quantity(value, _partials(emitter, gathered), False, react)


def _real(atom: str) -> str:
    return f"(double){atom}" if not is_literal(atom) else atom


def apply(emitter: Emitter, form: CForm, args: Sequence[Quantity], is_int: bool) -> Quantity:
    """A built-in function of the table applied to resistive arguments (no charge)."""
    names = dict(zip("xy", (a.value for a in args), strict=False))
    value = emitter.temp(form.value.format(**names), is_int)
    if is_int:
        return Quantity(value, (), True)
    gathered: dict[int, list[str]] = {}
    for argument, template in zip(args, form.partials, strict=True):
        if not argument.partials:
            continue
        slope = template.format(v=value, **names)
        factor = emitter.temp(slope if is_literal(slope) else f"sg_finite({slope})")
        for unknown, atom in argument.partials:
            gathered.setdefault(unknown, []).append(_product(factor, atom))
    return Quantity(value, _partials(emitter, gathered))


def plain(emitter: Emitter, expr: str, is_int: bool) -> Quantity:
    """A value without derivatives (comparisons, integer operations, time, ...)."""
    return Quantity(emitter.temp(expr, is_int), (), is_int)


def to_integer(emitter: Emitter, a: Quantity) -> Quantity:
    """Real -> integer as the LRM converts: round half away from zero."""
    if a.is_int:
        return a
    return plain(emitter, f"(int32_t)lround({a.value})", True)


def to_real(a: Quantity) -> Quantity:
    if not a.is_int:
        return a
    text = a.value if is_literal(a.value) and "." in a.value else f"((double){a.value})"
    if is_literal(a.value):
        text = c_number(float(a.value))
    return Quantity(text, (), False)
