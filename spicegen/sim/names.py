"""The names a ``Session`` may change: taken from a Circuit's data, or read from deck text.

ngspice folds case, so every name here is lower-cased. A Circuit answers exactly, down through
its subcircuit instances (``x3.rw`` is the element ``rw`` of the subcircuit that ``x3``
instantiates); netlist text answers for its top level only, and lets dotted paths through to
ngspice, which reports what it cannot find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spicegen.netlist import Circuit, Subckt, SubcktInstance
from spicegen.netlist.bulk import column_strings
from spicegen.sim.scan import ascii_lower

_SUBCKT = re.compile(r"\s*\.subckt\b", re.IGNORECASE)
_ENDS = re.compile(r"\s*\.ends\b", re.IGNORECASE)
_PARAM = re.compile(r"\s*\.param\b(.*)", re.IGNORECASE)
_PARAM_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=")


@dataclass(slots=True)
class Names:
    """Element and ``.param`` names of a loaded deck, and a check for element paths."""

    elements: frozenset[str]
    params: frozenset[str]
    circuit: Circuit | None = None
    _scopes: dict[int, dict[str, object]] = field(default_factory=dict)

    def has_element(self, path: str) -> bool:
        """Whether ``path`` (``r1``, ``x3.rw``, ``x1.x2.c1``; lower case) names an element
        that ngspice can alter (a subcircuit instance itself is not one)."""
        parts = path.split(".")
        if self.circuit is None:
            return parts[0] in self.elements  # text: ngspice checks the rest
        chain: tuple[Circuit | Subckt, ...] = (self.circuit,)
        for part in parts[:-1]:
            element = self._members(chain[-1]).get(part)
            if not isinstance(element, SubcktInstance):
                return False
            definition = _definition(chain, element.subckt)
            if definition is None:
                return False
            chain = (*chain, definition)
        last = self._members(chain[-1]).get(parts[-1])
        return last is not None and not isinstance(last, SubcktInstance)

    def _members(self, owner: Circuit | Subckt) -> dict[str, object]:
        key = id(owner)
        members = self._scopes.get(key)
        if members is None:
            members = {element.name.lower(): element for element in owner.elements}
            for block in getattr(owner, "blocks", ()):  # a generator's bulk ElementBlocks
                if block.kind == "X":  # a path may go on into these instances
                    members.update((e.name.lower(), e) for e in block.elements())
                else:
                    names = (name.lower() for name in column_strings(block.names))
                    members.update(dict.fromkeys(names, block))
            self._scopes[key] = members
        return members


def circuit_names(circuit: Circuit, extra_params: tuple[str, ...] = ()) -> Names:
    """The names of a Circuit, from its data (``extra_params``: a Run's added ``.param``s)."""
    return Names(
        elements=frozenset(element.name.lower() for element in circuit.elements),
        params=frozenset(
            [param.name.lower() for param in circuit.params] + [p.lower() for p in extra_params]
        ),
        circuit=circuit,
    )


def text_names(text: str) -> Names:
    """Top-level element and ``.param`` names read from deck text (its first line is the
    title; lines inside ``.subckt`` ... ``.ends`` are skipped)."""
    elements: set[str] = set()
    params: set[str] = set()
    depth = 0
    for number, line in enumerate(text.splitlines()):
        if number == 0 or not line.strip() or line.lstrip().startswith(("*", "+")):
            continue
        if _SUBCKT.match(line):
            depth += 1
        elif _ENDS.match(line):
            depth = max(0, depth - 1)
        elif depth == 0:
            param = _PARAM.match(line)
            if param:
                params.update(ascii_lower(name) for name in _PARAM_NAME.findall(param.group(1)))
            elif not line.lstrip().startswith("."):
                elements.add(ascii_lower(line.split()[0]))
    return Names(elements=frozenset(elements), params=frozenset(params))


def _definition(chain: tuple[Circuit | Subckt, ...], name: str) -> Subckt | None:
    """The subcircuit ``name`` as ngspice finds it: the innermost enclosing scope first."""
    key = name.lower()
    for owner in reversed(chain):
        for subckt in owner.subckts:
            if subckt.name.lower() == key:
                return subckt
    return None
