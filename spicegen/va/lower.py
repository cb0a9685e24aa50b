"""Lowering of a checked Verilog-A module to an ngspice ``Subckt`` of behavioural sources.

The analog block is evaluated symbolically (``spicegen.va.values``): every variable is bound
to an ngspice expression, ``if``/``case`` merge their branches into ternaries, loops with
compile-time bounds are unrolled and analog functions are inlined. Each branch that receives
contributions becomes one source summing them. The rules are those of ``docs/compiler.md``:

- ``I(a,b) <+ e`` -> ``B.. a b I=...``; ``V(a,b) <+ e`` -> ``B.. a b V=...``; several
  contributions to one branch add up; a current contribution under a condition ``c`` adds
  ``c ? e : 0``. A branch with a voltage contribution under a run-time condition (alone or
  with current contributions) is a switch branch (``arrangements.switch_branch``).
- Probes: ``V(a)``, ``V(a,b)``, ``V(br)`` -> ``v(a)``, ``v(a,b)``; ``I(a,b)`` reads the current
  of the branch's voltage source, or of a 0 V meter in series with its current source;
  ``I(<p>)`` reads a 0 V meter between port ``p`` and the model's inside.
- ``ddt``/``idt``: capacitor arrangements (``arrangements.derivative``/``integrator``).
- ``$rdist_normal/uniform/exponential`` and ``$random``: a standard variate per call site held
  in a subcircuit parameter (``spicegen.va.randomness``), scaled in the expression.
- ``$noise_uniform(ts)``/``$noise_normal(ts)`` and ``white_noise(pwr)``: seeded ``trrandom``
  levels held for ``ts`` (``white_noise`` uses the instance parameter ``noise_step``).
- ``$vt`` -> ``k*(temper+273.15)/q`` (SI 2019 constants), ``$temperature`` -> ``temper+273.15``,
  ``$abstime`` -> ``time`` (0 in DC analyses), ``$mfactor`` -> 1 (ngspice applies ``m`` on
  the instance line itself).
- A variable bound to a long expression (> 160 characters) is computed once: a ``.param`` in
  the subckt when it uses parameters only, else an auxiliary node driven by a B voltage source
  and read as ``v(node)``.

Whatever is outside this subset raises ``VaError`` at the construct's location.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spicegen.netlist import BSource, Capacitor, Param, Subckt
from spicegen.netlist.elements import Element
from spicegen.va import arrangements, ast
from spicegen.va.ast import VarType
from spicegen.va.builtins import Scalar
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.randomness import SYSTEM_DISTRIBUTIONS, Draw, draw_values
from spicegen.va.values import (
    RESERVED,
    Val,
    binary,
    builtin,
    convert,
    located_error,
    number,
    unary,
)

_BOLTZMANN = "1.380649e-23"
_CHARGE = "1.602176634e-19"
_MAX_ITERATIONS = 10_000
_MAX_INLINE_DEPTH = 32
_SHARE_ABOVE = 160  # characters: longer variable values of simulated quantities get a node
_SIMULATED = re.compile(r"\b(?:v|i|ddt)\(|\btime\b|\btemper\b")
NOISE_STEP = "noise_step"  # instance parameter: sample interval of white_noise, s
NOISE_STEP_DEFAULT = 1e-9


@dataclass(frozen=True, slots=True)
class Lowered:
    """A lowered module: its subcircuit and the random draws among its parameters."""

    subckt: Subckt
    draws: tuple[Draw, ...]


@dataclass(slots=True)
class _Env:
    values: dict[str, Val] = field(default_factory=dict)
    types: dict[str, VarType] = field(default_factory=dict)

    def copy(self) -> _Env:
        return _Env(dict(self.values), dict(self.types))


@dataclass(slots=True)
class _Branch:
    """Contributions to one branch: voltage terms (with the run-time condition of each, None
    when unconditional) and current terms."""

    potential: list[tuple[str, str | None]] = field(default_factory=list)
    flow: list[str] = field(default_factory=list)


def _node_key(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def _linear_coefficient(charge: str, probe: str) -> float | str | None:
    """``k`` when ``charge`` is ``probe``, ``(k * probe)`` or ``(probe * k)`` with ``k`` a
    number or an expression of parameters only; else None."""
    if charge == probe:
        return 1.0
    if not (charge.startswith("(") and charge.endswith(")")):
        return None
    inner = charge[1:-1]
    for candidate in (inner.removesuffix(f" * {probe}"), inner.removeprefix(f"{probe} * ")):
        if candidate != inner and not _SIMULATED.search(candidate) and probe not in candidate:
            try:
                number = float(candidate)
            except ValueError:
                return candidate
            return number if number > 0 else None
    return None


def lower(checked: CheckedModule, *, seed: int | None = None) -> Lowered:
    """Lower one checked module to a ``Subckt`` named after it.

    ``seed`` seeds the default variates of ``$rdist_*``/``$random`` draws (``None`` means 0):
    equal seeds give equal subcircuits. Raises ``VaError`` at the location of any construct
    outside the supported subset.
    """
    return _Lowerer(checked, 0 if seed is None else seed).run()


class _Lowerer:
    def __init__(self, checked: CheckedModule, seed: int) -> None:
        self._checked = checked
        self._module = checked.module
        self._seed = seed
        self._grounds = frozenset(checked.ground_nodes)
        self._branches: dict[tuple[str, str], _Branch] = {}
        self._probed: dict[tuple[str, str], Location] = {}  # branches whose current is read
        self._extra: list[Element] = []
        self._used_names = {*checked.port_names, *checked.internal_nodes}
        self._used_names.update(p.name for p in checked.module.parameters)
        self._inner_ports: dict[str, str] = {}
        self._inner_ports = self._port_meters()
        self._potential = self._potential_branches()
        self._draws: list[Draw] = []
        self._counters: dict[str, int] = {}
        self._adds_noise_step = False  # white_noise used and noise_step not declared
        self._param_statements: list[Param] = []
        self._shared_nodes: list[str] = []
        self._transient_flag: str | None = None
        self._guarded = 0  # > 0 while lowering code that runs only under a run-time condition
        self._depth = 0

    # ---- top level ----
    def run(self) -> Lowered:
        self._check_names()
        env = _Env()
        params: list[tuple[str, Scalar | str]] = []
        for parameter in self._module.parameters:
            kind = self._checked.parameter_types.get(parameter.name, "real")
            value = convert(self._expr(parameter.default, env), kind)
            if parameter.local:
                env.values[parameter.name] = value
            else:
                params.append(
                    (parameter.name, value.value if value.value is not None else value.text)
                )
                env.values[parameter.name] = Val(parameter.name, kind == "integer")
            env.types[parameter.name] = kind
        for variable in self._module.variables:
            self._declare(variable, env)
        for statement in self._module.analog:
            self._exec(statement, env, None)
        elements = self._branch_elements()
        elements.extend(self._extra)
        elements = arrangements.inline_single_use(elements, self._shared_nodes)
        params.extend(draw_values(self._draws, self._seed, self._module.name).items())
        if self._adds_noise_step:
            params.append((NOISE_STEP, NOISE_STEP_DEFAULT))
        subckt = Subckt(
            self._module.name,
            self._checked.port_names,
            tuple(params),
            tuple(elements),
            param_statements=tuple(self._param_statements),
        )
        return Lowered(subckt, tuple(self._draws))

    def _check_names(self) -> None:
        """ngspice folds case and reserves some names; refuse what it would misread."""
        seen: dict[str, str] = {}
        for parameter in self._module.parameters:
            folded = parameter.name.lower()
            if folded in RESERVED and not parameter.local:
                raise located_error(
                    parameter.loc,
                    f"parameter name `{parameter.name}` means something else in ngspice "
                    "expressions; rename it",
                )
            if folded in seen and not parameter.local:
                raise located_error(
                    parameter.loc,
                    f"parameters `{seen[folded]}` and `{parameter.name}` differ only in case, "
                    "which ngspice ignores; rename one",
                )
            seen[folded] = parameter.name
        nets: dict[str, str] = {}
        for net in (*self._checked.port_names, *self._checked.internal_nodes):
            if net.lower() in nets and nets[net.lower()] != net:
                raise located_error(
                    self._module.loc,
                    f"nets `{nets[net.lower()]}` and `{net}` differ only in case, which "
                    "ngspice ignores; rename one",
                )
            nets[net.lower()] = net

    def _branch_elements(self) -> list[Element]:
        elements: list[Element] = []
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
        for (p, n), branch in self._branches.items():
            elements.extend(self._branch_source(p, n, branch))
        return elements

    def _branch_source(self, p: str, n: str, branch: _Branch) -> tuple[Element, ...]:
        flow = " + ".join(branch.flow) if branch.flow else "0"
        key = f"{_node_key(p)}_{_node_key(n)}"
        if not branch.potential:
            meter = self._fresh_node(f"imeter_{key}") if (p, n) in self._probed else None
            return arrangements.current_branch(f"Bi_{key}", p, n, flow, meter)
        potential = " + ".join(
            text if condition is None else f"({condition} ? {text} : 0)"
            for text, condition in branch.potential
        )
        conditions = [condition for _, condition in branch.potential]
        if None in conditions:
            return (BSource(f"Bv_{key}", p, n, "v", potential),)
        mode = " || ".join(f"({c})" for c in conditions if c is not None)
        free = self._fresh_node(f"switch_{key}")
        return arrangements.switch_branch(f"Bv_{key}", p, n, mode, potential, flow, free)

    def _declare(self, variable: ast.Variable, env: _Env) -> None:
        env.types[variable.name] = variable.type
        if variable.initializer is not None:
            value = self._expr(variable.initializer, env)
        else:
            value = number(0, variable.loc, variable.type == "integer")
        env.values[variable.name] = convert(value, variable.type)

    # ---- nets and branches ----
    def _node(self, name: str) -> str:
        if name in self._grounds:
            return "0"
        return self._inner_ports.get(name, name)

    def _nodes(self, access: str, args: tuple[ast.Expr, ...], loc: Location) -> tuple[str, str]:
        names: list[str] = []
        for argument in args:
            if not isinstance(argument, ast.Identifier):
                raise located_error(
                    argument.loc, f"expected a net or branch name in `{access}(...)`"
                )
            names.append(argument.name)
        if len(names) == 1 and names[0] in self._checked.branches:
            positive, negative = self._checked.branches[names[0]]
            return self._node(positive), self._node(negative or "0")
        if len(names) == 1:
            return self._node(names[0]), "0"
        if len(names) == 2:
            return self._node(names[0]), self._node(names[1])
        raise located_error(loc, f"access function `{access}` takes 1 or 2 nets or 1 branch")

    def _visit(
        self,
        visit_expr: Callable[[ast.Expr], None],
        visit_contribution: Callable[[ast.Contribution], None],
    ) -> None:
        """Walk every statement of the analog block and of the analog functions."""

        def expressions(expr: ast.Expr | None) -> None:
            match expr:
                case ast.Call() | ast.SystemCall():
                    visit_expr(expr)
                    for argument in expr.args:
                        expressions(argument)
                case ast.Unary():
                    expressions(expr.operand)
                case ast.Binary():
                    expressions(expr.left)
                    expressions(expr.right)
                case ast.Ternary():
                    for part in (expr.condition, expr.then, expr.otherwise):
                        expressions(part)

        def visit(statement: ast.Statement | None) -> None:
            match statement:
                case ast.Contribution():
                    visit_contribution(statement)
                    expressions(statement.value)
                case ast.Assign():
                    expressions(statement.value)
                case ast.Block():
                    for child in statement.statements:
                        visit(child)
                case ast.If():
                    expressions(statement.condition)
                    visit(statement.then)
                    visit(statement.otherwise)
                case ast.Case():
                    for item in statement.items:
                        visit(item.statement)
                case ast.For():
                    visit(statement.init)
                    visit(statement.step)
                    visit(statement.body)
                case ast.While():
                    visit(statement.body)

        for statement in self._module.analog:
            visit(statement)
        for function in self._checked.functions.values():
            for statement in function.body:
                visit(statement)

    def _potential_branches(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Each orientation of every branch with a V contribution -> the orientation of its
        first contribution, which names the source (probes may come before it)."""
        found: dict[tuple[str, str], tuple[str, str]] = {}

        def contribution(statement: ast.Contribution) -> None:
            if statement.access == "V":
                p, n = self._nodes("V", statement.args, statement.loc)
                canonical = found.setdefault((p, n), (p, n))
                found.setdefault((n, p), canonical)

        self._visit(lambda expr: None, contribution)
        return found

    def _port_meters(self) -> dict[str, str]:
        """Ports read by ``I(<port>)`` -> the inner node the model uses behind the meter."""
        probed: list[str] = []

        def expression(expr: ast.Expr) -> None:
            if isinstance(expr, ast.Call) and expr.name == "I" and expr.args:
                port = expr.args[0]
                if isinstance(port, ast.PortBranch) and port.name not in probed:
                    probed.append(port.name)

        self._visit(expression, lambda statement: None)
        inner: dict[str, str] = {}
        for port in probed:
            if port in self._grounds:
                continue
            inner[port] = self._fresh_node(f"{port}_inner")
            self._extra.append(arrangements.port_meter(port, inner[port]))
        return inner

    def _contribute(self, statement: ast.Contribution, env: _Env, path: Val | None) -> None:
        access = statement.access
        if access not in ("V", "I"):
            raise located_error(
                statement.loc, f"contributions with access `{access}` are not supported"
            )
        p, n = self._nodes(access, statement.args, statement.loc)
        if p == n:
            raise located_error(statement.loc, f"contribution to a branch from `{p}` to itself")
        if access == "I" and path is None and (p, n) not in self._potential:
            value = self._capacitive_terms(statement.value, env, p, n)
        else:
            value = self._expr(statement.value, env)
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

    def _capacitive_terms(self, expr: ast.Expr, env: _Env, p: str, n: str) -> Val:
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
                charge = self._expr(term.args[0], env).text
                capacitance = _linear_coefficient(charge, probe)
                if capacitance is not None:
                    name = f"Cq{self._next('cap')}_{_node_key(p)}_{_node_key(n)}"
                    self._extra.append(Capacitor(name, p, n, capacitance))
                    continue
            value = self._expr(term, env)
            if sign < 0:
                value = unary("-", value, term.loc)
            rest = value if rest is None else binary("+", rest, value, term.loc)
        return rest if rest is not None else number(0.0, expr.loc)

    def _probe(self, call: ast.Call, env: _Env) -> Val:
        if call.name == "I" and len(call.args) == 1 and isinstance(call.args[0], ast.PortBranch):
            port = call.args[0].name
            if port in self._grounds:
                raise located_error(call.loc, f"`I(<{port}>)`: port `{port}` is ground")
            return Val(f"i(Vport_{port})", False)
        p, n = self._nodes(call.name, call.args, call.loc)
        if call.name == "V":
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
            name = f"Bv_{_node_key(key[0])}_{_node_key(key[1])}"
            return Val(f"i({name})", False) if key == (p, n) else Val(f"(-i({name}))", False)
        # a current branch: read a 0 V meter in series with its source
        key = (p, n) if (n, p) not in self._probed else (n, p)
        self._probed.setdefault(key, call.loc)
        name = f"VBi_{_node_key(key[0])}_{_node_key(key[1])}"
        return Val(f"i({name})", False) if key == (p, n) else Val(f"(-i({name}))", False)

    # ---- statements ----
    def _exec(self, statement: ast.Statement, env: _Env, path: Val | None) -> None:
        match statement:
            case ast.Block():
                saved = {
                    d.name: (env.values.get(d.name), env.types.get(d.name))
                    for d in statement.declarations
                }
                for declaration in statement.declarations:
                    if isinstance(declaration, ast.Parameter):
                        default = self._expr(declaration.default, env)
                        local: VarType = declaration.type or (
                            "integer" if default.is_int else "real"
                        )
                        env.values[declaration.name] = convert(default, local)
                        env.types[declaration.name] = local
                    else:
                        self._declare(declaration, env)
                for child in statement.statements:
                    self._exec(child, env, path)
                for name, (value, saved_type) in saved.items():
                    if value is None or saved_type is None:
                        env.values.pop(name, None)
                        env.types.pop(name, None)
                    else:
                        env.values[name], env.types[name] = value, saved_type
            case ast.Assign():
                self._assign(statement.target, self._expr(statement.value, env), env, statement.loc)
            case ast.Contribution():
                self._contribute(statement, env, path)
            case ast.If():
                condition = self._expr(statement.condition, env)
                otherwise = statement.otherwise
                self._branch(
                    condition,
                    env,
                    path,
                    lambda e, p: self._exec(statement.then, e, p),
                    (lambda e, p: self._exec(otherwise, e, p)) if otherwise is not None else None,
                )
            case ast.Case():
                self._case(statement, env, path)
            case ast.For():
                loop = statement

                def iteration() -> None:
                    self._exec(loop.body, env, path)
                    self._exec(loop.step, env, path)

                self._exec(loop.init, env, path)
                self._loop(loop.condition, env, loop.loc, iteration)
            case ast.While():
                self._loop(
                    statement.condition,
                    env,
                    statement.loc,
                    lambda: self._exec(statement.body, env, path),
                )
            case ast.NullStatement():
                pass

    def _assign(self, name: str, value: Val, env: _Env, loc: Location) -> None:
        kind = env.types.get(name) or self._checked.variable_types.get(name)
        if kind is None:
            raise located_error(loc, f"cannot assign to `{name}` here")
        env.values[name] = self._shared(name, convert(value, kind))

    def _shared(self, name: str, value: Val) -> Val:
        """A long expression of simulated quantities, bound to a variable, is computed once on
        an auxiliary node (``B.. node 0 V=expr``) and read as ``v(node)``, so that reusing the
        variable does not copy it (copies grow exponentially along a chain of variables).
        Never inside a run-time condition: the node is evaluated on every path, and a guarded
        expression (``sqrt`` of a negative, say) must not be."""
        if self._guarded or value.value is not None or len(value.text) <= _SHARE_ABOVE:
            return value
        shared = self._fresh_node(f"var{self._next('share')}_{_node_key(name)}")
        if not _SIMULATED.search(value.text):  # parameters only: a .param inside the subckt
            self._param_statements.append(Param(shared, value.text))
            return Val(shared, value.is_int)
        self._extra.append(BSource(f"B{shared}", shared, "0", "v", value.text))
        self._shared_nodes.append(shared)
        return Val(f"v({shared})", value.is_int)

    def _branch(
        self,
        condition: Val,
        env: _Env,
        path: Val | None,
        then: Callable[[_Env, Val | None], None],
        otherwise: Callable[[_Env, Val | None], None] | None,
    ) -> None:
        if condition.value is not None:
            if condition.value:
                then(env, path)
            elif otherwise is not None:
                otherwise(env, path)
            return
        negated = Val(f"(!{condition.text})", True)
        then_env, else_env = env.copy(), env.copy()
        self._guarded += 1
        try:
            then(then_env, self._and(path, condition))
            if otherwise is not None:
                otherwise(else_env, self._and(path, negated))
        finally:
            self._guarded -= 1
        for name in env.values:
            a, b = then_env.values[name], else_env.values[name]
            if a != b:
                merged = Val(f"({condition.text} ? {a.text} : {b.text})", a.is_int and b.is_int)
                converted = convert(merged, env.types.get(name, "real"))
                env.values[name] = self._shared(name, converted)

    @staticmethod
    def _and(path: Val | None, condition: Val) -> Val:
        return condition if path is None else Val(f"({path.text} && {condition.text})", True)

    def _case(self, statement: ast.Case, env: _Env, path: Val | None) -> None:
        subject = self._expr(statement.subject, env)
        arms = [item for item in statement.items if item.values]
        default = next((item for item in statement.items if not item.values), None)

        def run(index: int, inner: _Env, inner_path: Val | None) -> None:
            if index == len(arms):
                if default is not None:
                    self._exec(default.statement, inner, inner_path)
                return
            item = arms[index]
            tests = [binary("==", subject, self._expr(v, inner), v.loc) for v in item.values]
            condition = tests[0]
            for test in tests[1:]:
                condition = binary("||", condition, test, item.loc)
            self._branch(
                condition,
                inner,
                inner_path,
                lambda e, p: self._exec(item.statement, e, p),
                lambda e, p: run(index + 1, e, p),
            )

        run(0, env, path)

    def _loop(
        self, condition: ast.Expr, env: _Env, loc: Location, body: Callable[[], object]
    ) -> None:
        for _ in range(_MAX_ITERATIONS):
            value = self._expr(condition, env)
            if value.value is None:
                raise located_error(
                    condition.loc,
                    "loop bound must be known at compile time to unroll the loop; this one "
                    "depends on an instance parameter or a simulated value",
                )
            if not value.value:
                return
            body()
        raise located_error(loc, f"loop runs more than {_MAX_ITERATIONS} iterations; not unrolled")

    # ---- expressions ----
    def _expr(self, expr: ast.Expr, env: _Env) -> Val:
        match expr:
            case ast.Number():
                return number(expr.value, expr.loc, expr.is_integer)
            case ast.Identifier():
                if expr.name not in env.values:
                    raise located_error(expr.loc, f"`{expr.name}` has no value here")
                return env.values[expr.name]
            case ast.Unary():
                return unary(expr.op, self._expr(expr.operand, env), expr.loc)
            case ast.Binary():
                left = self._expr(expr.left, env)
                right = self._expr(expr.right, env)
                division = self._checked.division_types.get(expr)
                return binary(expr.op, left, right, expr.loc, division != "real")
            case ast.Ternary():
                condition = self._expr(expr.condition, env)
                if condition.value is not None:
                    return self._expr(expr.then if condition.value else expr.otherwise, env)
                self._guarded += 1
                try:
                    then = self._expr(expr.then, env)
                    otherwise = self._expr(expr.otherwise, env)
                finally:
                    self._guarded -= 1
                return Val(
                    f"({condition.text} ? {then.text} : {otherwise.text})",
                    then.is_int and otherwise.is_int,
                )
            case ast.Call():
                return self._call(expr, env)
            case ast.SystemCall():
                return self._system_call(expr, env)
            case ast.String():
                raise located_error(expr.loc, "a string is not allowed in an expression here")
            case ast.PortBranch():
                raise located_error(
                    expr.loc, f"port branch `<{expr.name}>` is only allowed in I(<...>)"
                )

    def _call(self, call: ast.Call, env: _Env) -> Val:
        name = call.name
        if name in self._checked.functions:
            return self._inline(self._checked.functions[name], call, env)
        if name in ("V", "I"):
            return self._probe(call, env)
        if name == "ddt":
            value = self._expr(call.args[0], env)
            return number(0.0, call.loc) if value.value is not None else self._derivative(value)
        if name == "idt":
            return self._integrator(call, env)
        if name == "white_noise":
            return self._white_noise(call, env)
        return builtin(name, [self._expr(a, env) for a in call.args], call.loc)

    def _system_call(self, call: ast.SystemCall, env: _Env) -> Val:
        name = call.name
        if name == "$vt":
            if call.args:
                temperature = self._expr(call.args[0], env).text
                return Val(f"({_BOLTZMANN}*{temperature}/{_CHARGE})", False)
            return Val(f"({_BOLTZMANN}*(temper+273.15)/{_CHARGE})", False)
        if name == "$temperature":
            return Val("(temper+273.15)", False)
        if name == "$abstime":
            return Val(self._abstime(), False)
        if name == "$mfactor":
            return number(1, call.loc)
        if name in SYSTEM_DISTRIBUTIONS:
            return self._draw(call, env)
        if name in ("$noise_uniform", "$noise_normal"):
            step = self._expr(call.args[0], env)
            return self._noise(name.removeprefix("$noise_"), step, call.loc)
        raise located_error(call.loc, f"`{name}` is not supported by the lowering yet")

    def _draw(self, call: ast.SystemCall, env: _Env) -> Val:
        distribution = SYSTEM_DISTRIBUTIONS[call.name]
        parameter = self._fresh_node(f"rdist{len(self._draws)}")
        self._draws.append(Draw(parameter, distribution, len(self._draws)))
        variate = Val(parameter, distribution == "integer")
        loc = call.loc
        if distribution == "integer":
            return variate
        if distribution == "exponential":  # $rdist_exponential(seed, mean)
            return binary("*", self._expr(call.args[1], env), variate, loc)
        first, second = (self._expr(a, env) for a in call.args[1:3])
        if distribution == "normal":  # $rdist_normal(seed, mean, sd)
            return binary("+", first, binary("*", second, variate, loc), loc)
        span = binary("-", second, first, loc)  # $rdist_uniform(seed, lo, hi)
        return binary("+", first, binary("*", span, variate, loc), loc)

    def _noise(self, distribution: str, step: Val, loc: Location) -> Val:
        if _SIMULATED.search(step.text):
            raise located_error(loc, "the noise step must depend on parameters only")
        if step.value is not None and step.value <= 0:
            raise located_error(loc, f"the noise step must be positive, got {step.value}")
        node = self._fresh_node(f"noise{self._next('noise')}")
        value: float | int | str = step.value if step.value is not None else step.text
        self._extra.append(arrangements.noise(node, distribution, value))
        return Val(f"v({node})", False)

    def _white_noise(self, call: ast.Call, env: _Env) -> Val:
        """``white_noise(pwr)``: held Gaussian levels of variance ``pwr/(2*noise_step)``,
        whose one-sided power spectral density below ``1/(2*noise_step)`` is ``pwr``."""
        power_density = self._expr(call.args[0], env)
        declared = {p.name for p in self._module.parameters if not p.local}
        self._adds_noise_step = NOISE_STEP not in declared
        level = self._noise("normal", Val(NOISE_STEP, False), call.loc)
        scale = builtin(
            "sqrt",
            [binary("/", power_density, Val(f"(2*{NOISE_STEP})", False), call.loc, False)],
            call.loc,
        )
        return binary("*", scale, level, call.loc)

    # ---- memory, names ----
    def _next(self, kind: str) -> int:
        index = self._counters.get(kind, 0)
        self._counters[kind] = index + 1
        return index

    def _abstime(self) -> str:
        """Simulation time that is 0 in every DC analysis: ngspice's ``time`` holds the swept
        value during a ``.dc`` sweep, so it is gated by a flag source that reads 0 in DC
        analyses (its dc value) and 1 in a transient (its waveform)."""
        if self._transient_flag is None:
            self._transient_flag = self._fresh_node("transient")
            self._extra.extend(arrangements.transient_flag(self._transient_flag))
        return f"(v({self._transient_flag}) > 0.5 ? time : 0)"

    def _fresh_node(self, stem: str) -> str:
        node = stem
        while node in self._used_names:
            node += "_"
        self._used_names.add(node)
        return node

    def _derivative(self, charge: Val) -> Val:
        index = self._next("ddt")
        node = self._fresh_node(f"ddt{index}")
        meter = self._fresh_node(f"ddt{index}_m")
        self._extra.extend(arrangements.derivative(node, meter, charge.text))
        return Val(f"i(V{node})", False)

    def _integrator(self, call: ast.Call, env: _Env) -> Val:
        if len(call.args) > 2:
            raise located_error(
                call.loc, "`idt` with a reset (assert) argument is not supported yet"
            )
        integrand = self._expr(call.args[0], env)
        initial = self._expr(call.args[1], env) if len(call.args) > 1 else number(0.0, call.loc)
        node = self._fresh_node(f"idt{self._next('idt')}")
        self._extra.extend(
            arrangements.integrator(node, integrand.text, initial.text, self._abstime())
        )
        return Val(f"v({node})", False)

    def _inline(self, function: ast.AnalogFunction, call: ast.Call, env: _Env) -> Val:
        if self._depth >= _MAX_INLINE_DEPTH:
            raise located_error(
                call.loc, f"analog function `{function.name}` recurses; cannot inline it"
            )
        local = _Env()
        for name, kind in env.types.items():  # parameters stay visible inside functions
            if name in self._module_parameters:
                local.values[name], local.types[name] = env.values[name], kind
        declared = {v.name: v for v in function.variables}
        for argument, value in zip(function.arguments, call.args, strict=True):
            kind = declared[argument.name].type if argument.name in declared else "real"
            local.types[argument.name] = kind
            if argument.direction == "output":
                local.values[argument.name] = number(0, argument.loc, kind == "integer")
            else:
                local.values[argument.name] = convert(self._expr(value, env), kind)
        arguments = {a.name for a in function.arguments}
        for variable in function.variables:
            if variable.name not in arguments:
                self._declare(variable, local)
        result_type: VarType = function.type or "real"
        local.types[function.name] = result_type
        local.values[function.name] = number(0, function.loc, result_type == "integer")
        self._depth += 1
        try:
            for statement in function.body:
                self._exec(statement, local, None)
        finally:
            self._depth -= 1
        for argument, value in zip(function.arguments, call.args, strict=True):
            if argument.direction in ("output", "inout"):
                if not isinstance(value, ast.Identifier):
                    raise located_error(
                        value.loc, f"output argument `{argument.name}` needs a variable"
                    )
                self._assign(value.name, local.values[argument.name], env, value.loc)
        return local.values[function.name]

    @property
    def _module_parameters(self) -> frozenset[str]:
        return frozenset(p.name for p in self._module.parameters)
