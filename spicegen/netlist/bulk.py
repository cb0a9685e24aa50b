"""Element blocks: many elements of one kind held as columns and checked in bulk.

A generator that makes a million elements by one naming pattern (a crossbar's cells and line
segments) does not need a million objects each checking its own name: an ``ElementBlock``
holds the names and nodes as ``Names`` runs (``prefix + middle + suffix`` for every middle),
the values as one tuple of floats, and checks each run's characters with one regular
expression over the joined middles, so the cost is per run, not per element. The writer
(``netlist.writer``) turns a block into exactly the cards its ``elements()`` would give.

What a block does not check is that its names are unique, within the block or against the
rest of the subcircuit: that is the generator's promise (it builds the names from distinct
indices). ``Subckt`` checks the names of its ordinary elements as before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from spicegen.netlist.elements import Capacitor, Element, Resistor, SubcktInstance, VSwitch
from spicegen.netlist.errors import netlist_error
from spicegen.netlist.validate import Value, check_identifier, check_value, match_identifier

BlockKind = Literal["R", "C", "X", "S"]
ColumnValue: TypeAlias = Value | tuple[float | int, ...]
"""One value for every element of a block, or a tuple with one value per element."""

_NODE_CHARACTERS = re.compile(r"[A-Za-z0-9_]*").fullmatch
# node count of each kind: R and C are two-terminal, a switch has its control pair too
_NODE_COUNTS = {"R": (2, 2), "C": (2, 2), "X": (1, 1 << 16), "S": (4, 4)}


@dataclass(frozen=True, slots=True)
class Names:
    """The strings ``prefix + middle + suffix``, one per ``middle``: a run of a column."""

    prefix: str
    middles: tuple[str, ...]
    suffix: str = ""

    def strings(self) -> list[str]:
        """The run's strings, in order."""
        prefix, suffix = self.prefix, self.suffix
        if suffix:
            return [prefix + middle + suffix for middle in self.middles]
        if prefix:
            return [prefix + middle for middle in self.middles]
        return list(self.middles)


Column: TypeAlias = tuple[Names, ...]
"""A column of a block: its runs, one after the other."""


def column_strings(column: Column) -> list[str]:
    """All strings of a column, run after run."""
    if len(column) == 1:
        return column[0].strings()
    strings: list[str] = []
    for run in column:
        strings += run.strings()
    return strings


def _check_run(run: object, field: str, letters: str | None) -> int:
    """Check one run (``letters``: the first character of a name); return its length."""
    if not isinstance(run, Names):
        raise netlist_error(field, "expected Names runs", run)
    prefix, middles, suffix = run.prefix, run.middles, run.suffix
    if type(prefix) is not str or type(suffix) is not str or type(middles) is not tuple:
        raise netlist_error(field, "expected str prefix and suffix and a tuple of middles", run)
    try:
        joined = "".join(middles)
    except TypeError:
        raise netlist_error(field, "expected every middle to be a str", middles) from None
    if not middles:
        raise netlist_error(field, "expected at least one middle", run)
    if not (_NODE_CHARACTERS(prefix) and _NODE_CHARACTERS(suffix) and _NODE_CHARACTERS(joined)):
        raise netlist_error(field, "expected ASCII letters, digits and '_' only", run)
    if letters is not None:
        # a name: an identifier that starts with the element's letter whatever the middle
        if not match_identifier(prefix) or prefix[0] not in letters:
            raise netlist_error(
                field, f"expected a prefix starting with {letters[0]!r} (an identifier)", prefix
            )
    elif not prefix and not suffix and "" in middles:
        raise netlist_error(field, "expected non-empty node names", run)
    return len(middles)


def _check_column(column: object, field: str, letters: str | None = None) -> int:
    if type(column) is not tuple or not column:
        raise netlist_error(field, "expected a non-empty tuple of Names runs", column)
    return sum(_check_run(run, field, letters) for run in column)


def _check_numbers(values: tuple[object, ...], count: int, field: str) -> None:
    """A tuple of ``count`` finite floats or ints (not bool), checked with numpy at once."""
    if len(values) != count:
        raise netlist_error(field, f"expected {count} values, one per element", len(values))
    kinds = set(map(type, values))
    if not kinds <= {float, int}:
        raise netlist_error(field, "expected floats or ints", sorted(k.__name__ for k in kinds))
    import numpy as np  # here, not at the top: `spicegen run` on netlist text never needs it

    try:
        finite = bool(np.isfinite(np.array(values, dtype=np.float64)).all())
    except OverflowError:  # an int beyond float range
        finite = False
    if not finite:
        bad = next(v for v in values if not math.isfinite(float(v)))  # type: ignore[arg-type]
        raise netlist_error(field, "expected finite values", bad)


def _check_column_value(value: object, count: int, field: str) -> ColumnValue:
    if type(value) is tuple:
        _check_numbers(value, count, field)
        return value
    return check_value(value, field)


@dataclass(frozen=True, slots=True)
class ElementBlock:
    """``R``, ``C``, ``X`` (subcircuit instance) or ``S`` (voltage switch) elements as columns.

    ``names`` and each of ``nodes`` hold one string per element. ``values``: ohm (``R``) or
    farad (``C``), one for all or one per element. ``target``: the subcircuit (``X``) or the
    switch model (``S``). ``params`` (``X``): ``(name, value)`` with one value for all or a
    tuple with one per element, written in this order.
    """

    kind: BlockKind
    names: Column
    nodes: tuple[Column, ...]
    values: ColumnValue = 0.0
    target: str = ""
    params: tuple[tuple[str, ColumnValue], ...] = ()

    def __post_init__(self) -> None:
        kind = self.kind
        if kind not in _NODE_COUNTS:
            raise netlist_error("ElementBlock.kind", "expected 'R', 'C', 'X' or 'S'", kind)
        count = _check_column(self.names, "ElementBlock.names", kind + kind.lower())
        low, high = _NODE_COUNTS[kind]
        if type(self.nodes) is not tuple or not low <= len(self.nodes) <= high:
            raise netlist_error(
                "ElementBlock.nodes", f"expected {low} node columns for {kind!r}", self.nodes
            )
        for column in self.nodes:
            if _check_column(column, "ElementBlock.nodes") != count:
                raise netlist_error(
                    "ElementBlock.nodes", f"expected {count} nodes per column", column
                )
        if kind in "RC":
            object.__setattr__(
                self, "values", _check_column_value(self.values, count, "ElementBlock.values")
            )
        if kind in "XS":
            check_identifier(self.target, "ElementBlock.target")
        params = self.params
        if params and (kind != "X" or type(params) is not tuple):
            raise netlist_error(
                "ElementBlock.params", "expected pairs, for 'X' blocks only", params
            )
        checked = []
        seen: set[str] = set()
        for pair in params:
            if type(pair) is not tuple or len(pair) != 2:
                raise netlist_error("ElementBlock.params", "expected a (name, value) pair", pair)
            name, value = pair
            check_identifier(name, "ElementBlock.params")
            if name.lower() in seen:
                raise netlist_error(
                    "ElementBlock.params", "duplicate parameter name (ngspice ignores case)", name
                )
            seen.add(name.lower())
            checked.append((name, _check_column_value(value, count, "ElementBlock.params")))
        object.__setattr__(self, "params", tuple(checked))

    def __len__(self) -> int:
        return sum(len(run.middles) for run in self.names)

    def elements(self) -> Iterator[Element]:
        """The block as ordinary elements (each checked by its own constructor), in order."""
        count = len(self)
        names = column_strings(self.names)
        nodes = [column_strings(column) for column in self.nodes]
        if self.kind in "RC":
            values = _expanded(self.values, count)
            kind = Resistor if self.kind == "R" else Capacitor
            for name, p, n, value in zip(names, nodes[0], nodes[1], values, strict=True):
                yield kind(name, p, n, value)
        elif self.kind == "S":
            for name, p, n, cp, cn in zip(names, *nodes, strict=True):
                yield VSwitch(name, p, n, cp, cn, self.target)
        else:
            columns = [(name, _expanded(value, count)) for name, value in self.params]
            for k, name in enumerate(names):
                params = tuple((key, values[k]) for key, values in columns)
                yield SubcktInstance(
                    name, tuple(column[k] for column in nodes), self.target, params
                )


def _expanded(value: ColumnValue, count: int) -> tuple[Value, ...]:
    return value if type(value) is tuple else (value,) * count  # type: ignore[return-value]
