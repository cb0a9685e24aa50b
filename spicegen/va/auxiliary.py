"""The elements a lowering adds beside the branch sources: analog operators with memory
(``ddt``, ``idt``), simulation time, held noise levels, random draws and shared expressions,
each on fresh names that cannot clash with the module's own."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spicegen.netlist import Param
from spicegen.netlist.elements import Element
from spicegen.va import arrangements
from spicegen.va.diagnostics import Location
from spicegen.va.names import node_key
from spicegen.va.randomness import Distribution, Draw
from spicegen.va.values import Val, located_error

SHARE_ABOVE = 160  # characters: longer variable values of simulated quantities get a node
SIMULATED = re.compile(r"\b(?:v|i|ddt)\(|\btime\b|\btemper\b")


class Auxiliary:
    """Collects the auxiliary elements, ``.param`` lines and draws of one lowering."""

    def __init__(self, used_names: Iterable[str]) -> None:
        # shared expressions stay unchecked text until arrangements.inline_single_use
        self.elements: list[Element | arrangements.Shared] = []
        self.param_statements: list[Param] = []
        self.draws: list[Draw] = []
        self._used = set(used_names)
        self._counters: dict[str, int] = {}
        self._transient_flag: str | None = None

    def fresh(self, stem: str) -> str:
        """A name starting with ``stem`` that no net, parameter or other element uses."""
        node = stem
        while node in self._used:
            node += "_"
        self._used.add(node)
        return node

    def next(self, kind: str) -> int:
        """0, 1, 2, ... for successive calls with the same ``kind``."""
        index = self._counters.get(kind, 0)
        self._counters[kind] = index + 1
        return index

    def abstime(self) -> str:
        """Simulation time that is 0 in every DC analysis: ngspice's ``time`` holds the swept
        value during a ``.dc`` sweep, so it is gated by a flag source that reads 0 in DC
        analyses (its dc value) and 1 in a transient (its waveform)."""
        if self._transient_flag is None:
            self._transient_flag = self.fresh("transient")
            self.elements.extend(arrangements.transient_flag(self._transient_flag))
        return f"(v({self._transient_flag}) > 0.5 ? time : 0)"

    def derivative(self, charge: Val) -> Val:
        """``ddt(charge)`` of a simulated quantity, read as the current of a 0 V meter."""
        index = self.next("ddt")
        node = self.fresh(f"ddt{index}")
        meter = self.fresh(f"ddt{index}_m")
        self.elements.extend(arrangements.derivative(node, meter, charge.text))
        return Val(f"i(V{node})", False)

    def integrator(self, integrand: Val, initial: Val) -> Val:
        """``idt(integrand, initial)``, read as the voltage of a private node."""
        node = self.fresh(f"idt{self.next('idt')}")
        self.elements.extend(
            arrangements.integrator(node, integrand.text, initial.text, self.abstime())
        )
        return Val(f"v({node})", False)

    def noise(self, distribution: str, step: Val, loc: Location) -> Val:
        """A held random level, new every ``step`` seconds (parameters only)."""
        if SIMULATED.search(step.text):
            raise located_error(loc, "the noise step must depend on parameters only")
        if step.value is not None and step.value <= 0:
            raise located_error(loc, f"the noise step must be positive, got {step.value}")
        node = self.fresh(f"noise{self.next('noise')}")
        value: float | int | str = step.value if step.value is not None else step.text
        self.elements.append(arrangements.noise(node, distribution, value))
        return Val(f"v({node})", False)

    def draw(self, distribution: Distribution) -> Val:
        """A fresh random call site: the subcircuit parameter holding its standard variate."""
        parameter = self.fresh(f"rdist{len(self.draws)}")
        self.draws.append(Draw(parameter, distribution, len(self.draws)))
        return Val(parameter, distribution == "integer")

    def share(self, name: str, value: Val) -> Val:
        """A long expression bound to variable ``name``, computed once: a ``.param`` when it
        uses parameters only, else an auxiliary node (``B.. node 0 V=expr``) read as
        ``v(node)``, so that reusing the variable does not copy it (copies grow
        exponentially along a chain of variables)."""
        if value.value is not None or len(value.text) <= SHARE_ABOVE:
            return value
        shared = self.fresh(f"var{self.next('share')}_{node_key(name)}")
        if not SIMULATED.search(value.text):
            self.param_statements.append(Param(shared, value.text))
            return Val(shared, value.is_int)
        self.elements.append(arrangements.Shared(shared, value.text))
        return Val(f"v({shared})", value.is_int)
