"""Branches of a lowering: contributions gathered per branch, current probes, port meters,
and the one source (or switch arrangement) each branch becomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spicegen.netlist import BSource, Capacitor
from spicegen.netlist.elements import Element
from spicegen.va import arrangements, ast, walk
from spicegen.va.auxiliary import SIMULATED, Auxiliary
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.names import access_net_names, node_key
from spicegen.va.values import Val, binary, located_error, number, unary

Evaluate = Callable[[ast.Expr], Val]


@dataclass(slots=True)
class _Branch:
    """Contributions to one branch: voltage terms (with the run-time condition of each, None
    when unconditional) and current terms."""

    potential: list[tuple[str, str | None]] = field(default_factory=list)
    flow: list[str] = field(default_factory=list)


def _linear_coefficient(charge: str, probe: str) -> float | str | None:
    """``k`` when ``charge`` is ``probe``, ``(k * probe)`` or ``(probe * k)`` with ``k`` a
    number or an expression of parameters only; else None."""
    if charge == probe:
        return 1.0
    if not (charge.startswith("(") and charge.endswith(")")):
        return None
    inner = charge[1:-1]
    for candidate in (inner.removesuffix(f" * {probe}"), inner.removeprefix(f"{probe} * ")):
        if candidate != inner and not SIMULATED.search(candidate) and probe not in candidate:
            try:
                value = float(candidate)
            except ValueError:
                return candidate
            return value if value > 0 else None
    return None


class Branches:
    """The branches of one module as its contributions and probes are lowered."""

    def __init__(self, checked: CheckedModule, auxiliary: Auxiliary) -> None:
        self._checked = checked
        self._auxiliary = auxiliary
        self._grounds = frozenset(checked.ground_nodes)
        self._branches: dict[tuple[str, str], _Branch] = {}
        self._probed: dict[tuple[str, str], Location] = {}  # branches whose current is read
        self._inner_ports: dict[str, str] = {}
        self._inner_ports = self._port_meters()
        self._potential = self._potential_branches()

    # ---- nets ----
    def _node(self, name: str) -> str:
        if name in self._grounds:
            return "0"
        return self._inner_ports.get(name, name)

    def nodes(self, access: str, args: tuple[ast.Expr, ...], loc: Location) -> tuple[str, str]:
        """The (positive, negative) ngspice nodes of an access ``access(args)``."""
        positive, negative = access_net_names(self._checked, access, args, loc)
        return self._node(positive), self._node(negative or "0")

    def _potential_branches(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Each orientation of every branch with a V contribution -> the orientation of its
        first contribution, which names the source (probes may come before it)."""
        found: dict[tuple[str, str], tuple[str, str]] = {}
        for statement in walk.contributions(self._checked):
            if self._checked.access_kinds.get(statement.access) == "potential":
                p, n = self.nodes(statement.access, statement.args, statement.loc)
                canonical = found.setdefault((p, n), (p, n))
                found.setdefault((n, p), canonical)
        return found

    def _port_meters(self) -> dict[str, str]:
        """Ports read by ``I(<port>)`` -> the inner node the model uses behind the meter."""
        probed: list[str] = []
        for call in walk.calls(self._checked):
            flow = self._checked.access_kinds.get(call.name) == "flow"
            if isinstance(call, ast.Call) and flow and call.args:
                argument = call.args[0]
                if isinstance(argument, ast.PortBranch) and argument.name not in probed:
                    probed.append(argument.name)
        inner: dict[str, str] = {}
        for port in probed:
            if port in self._grounds:
                continue
            inner[port] = self._auxiliary.fresh(f"{port}_inner")
            self._auxiliary.elements.append(arrangements.port_meter(port, inner[port]))
        return inner

    # ---- contributions and probes ----
    def contribute(self, statement: ast.Contribution, path: Val | None, evaluate: Evaluate) -> None:
        """Add ``statement``, made under the run-time condition ``path`` (None: always)."""
        kind = self._checked.access_kinds.get(statement.access)
        if kind is None:
            raise located_error(
                statement.loc, f"contributions with access `{statement.access}` are not supported"
            )
        access = "V" if kind == "potential" else "I"
        p, n = self.nodes(statement.access, statement.args, statement.loc)
        if p == n:
            raise located_error(statement.loc, f"contribution to a branch from `{p}` to itself")
        if access == "I" and path is None and (p, n) not in self._potential:
            value = self._capacitive_terms(statement.value, evaluate, p, n)
        else:
            value = evaluate(statement.value)
        text = value.text
        if (p, n) in self._potential:
            canonical = self._potential[(p, n)]
        else:
            canonical = (n, p) if (n, p) in self._branches else (p, n)
        if canonical != (p, n):
            p, n, text = n, p, f"(-{text})"
        branch = self._branches.setdefault((p, n), _Branch())
        if access == "V":
            branch.potential.append((text, None if path is None else path.text))
        else:
            branch.flow.append(text if path is None else f"({path.text} ? {text} : 0)")
        if branch.flow and any(c is None for _, c in branch.potential):
            raise located_error(
                statement.loc,
                f"branch ({p}, {n}) gets an unconditional voltage contribution and current "
                "contributions; only a voltage contribution under a run-time condition may "
                "share a branch with current contributions (a switch branch)",
            )

    def _capacitive_terms(self, expr: ast.Expr, evaluate: Evaluate, p: str, n: str) -> Val:
        """``expr`` with every added term ``ddt(k*V(p,n))`` (``k`` from parameters, ``V`` of
        the contribution's own branch) made a capacitor ``k`` from ``p`` to ``n``: a linear
        charge needs no behavioural arrangement, and ngspice's own capacitor is both cheaper
        (no extra unknowns) and better conditioned. Returns the sum of the other terms."""
        terms: list[tuple[int, ast.Expr]] = []

        def split(e: ast.Expr, sign: int) -> None:
            if isinstance(e, ast.Binary) and e.op in ("+", "-"):
                split(e.left, sign)
                split(e.right, sign if e.op == "+" else -sign)
            else:
                terms.append((sign, e))

        split(expr, 1)
        probe = f"v({p})" if n == "0" else f"v({p},{n})"
        rest: Val | None = None
        for sign, term in terms:
            if isinstance(term, ast.Call) and term.name == "ddt" and sign > 0:
                charge = evaluate(term.args[0]).text
                capacitance = _linear_coefficient(charge, probe)
                if capacitance is not None:
                    index = self._auxiliary.next("cap")
                    name = f"Cq{index}_{node_key(p)}_{node_key(n)}"
                    self._auxiliary.elements.append(Capacitor(name, p, n, capacitance))
                    continue
            value = evaluate(term)
            if sign < 0:
                value = unary("-", value, term.loc)
            rest = value if rest is None else binary("+", rest, value, term.loc)
        return rest if rest is not None else number(0.0, expr.loc)

    def is_probe(self, name: str) -> bool:
        """Whether ``name`` is an access function (V, I or one of a custom nature)."""
        return name in self._checked.access_kinds

    def probe(self, call: ast.Call) -> Val:
        """``V(...)`` or ``I(...)`` (or a custom nature's access) as an ngspice expression."""
        potential = self._checked.access_kinds.get(call.name) == "potential"
        if not potential and len(call.args) == 1 and isinstance(call.args[0], ast.PortBranch):
            port = call.args[0].name
            if port in self._grounds:
                raise located_error(call.loc, f"`I(<{port}>)`: port `{port}` is ground")
            return Val(f"i(Vport_{port})", False)
        p, n = self.nodes(call.name, call.args, call.loc)
        if potential:
            if p == n:
                return number(0.0, call.loc)
            if n == "0":
                return Val(f"v({p})", False)
            if p == "0":
                return Val(f"(-v({n}))", False)
            return Val(f"v({p},{n})", False)
        if p == n:
            return number(0.0, call.loc)
        if (p, n) in self._potential:
            key = self._potential[(p, n)]
            self._probed.setdefault(key, call.loc)
            name = f"Bv_{node_key(key[0])}_{node_key(key[1])}"
            return Val(f"i({name})", False) if key == (p, n) else Val(f"(-i({name}))", False)
        # a current branch: read a 0 V meter in series with its source
        key = (p, n) if (n, p) not in self._probed else (n, p)
        self._probed.setdefault(key, call.loc)
        name = f"VBi_{node_key(key[0])}_{node_key(key[1])}"
        return Val(f"i({name})", False) if key == (p, n) else Val(f"(-i({name}))", False)

    # ---- elements ----
    def elements(self) -> list[Element]:
        """One source (or switch arrangement) per branch, in the order branches appeared."""
        for key, loc in self._probed.items():
            if key not in self._potential and key not in self._branches:
                reverse = (key[1], key[0])
                if reverse in self._branches:  # probed against its contributions' direction
                    branch = self._branches.pop(reverse)
                    branch.flow = [f"(-({' + '.join(branch.flow)}))"]
                    self._branches[key] = branch
                else:
                    self._branches[key] = _Branch()
            elif key in self._potential and key not in self._branches:
                raise located_error(
                    loc,
                    f"current probe of branch {key} whose voltage contribution is never made; "
                    "this is not supported",
                )
        elements: list[Element] = []
        for (p, n), branch in self._branches.items():
            elements.extend(self._branch_source(p, n, branch))
        return elements

    def _branch_source(self, p: str, n: str, branch: _Branch) -> tuple[Element, ...]:
        flow = " + ".join(branch.flow) if branch.flow else "0"
        key = f"{node_key(p)}_{node_key(n)}"
        if not branch.potential:
            meter = self._auxiliary.fresh(f"imeter_{key}") if (p, n) in self._probed else None
            return arrangements.current_branch(f"Bi_{key}", p, n, flow, meter)
        potential = " + ".join(
            text if condition is None else f"({condition} ? {text} : 0)"
            for text, condition in branch.potential
        )
        conditions = [condition for _, condition in branch.potential]
        if None in conditions:
            return (BSource(f"Bv_{key}", p, n, "v", potential),)
        mode = " || ".join(f"({c})" for c in conditions if c is not None)
        free = self._auxiliary.fresh(f"switch_{key}")
        return arrangements.switch_branch(f"Bv_{key}", p, n, mode, potential, flow, free)
