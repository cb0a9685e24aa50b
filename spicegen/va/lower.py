"""Lowering of a checked Verilog-A module to an ngspice ``Subckt`` of behavioural sources.

The analog block is evaluated symbolically: every variable is bound to an ngspice expression
(text), ``if``/``case`` merge their branches into ternaries, loops with compile-time bounds are
unrolled and analog functions are inlined. Each branch that receives contributions becomes one
B-source summing them. The rules are those of ``docs/compiler.md``; in short:

- ``I(a,b) <+ e`` -> ``B.. a b I=...``; ``V(a,b) <+ e`` -> ``B.. a b V=...``; several
  contributions to one branch add up; a contribution under a condition ``c`` adds ``c ? e : 0``.
- Probes: ``V(a)``, ``V(a,b)``, ``V(br)`` -> ``v(a)``, ``v(a,b)``; ``I(a,b)`` of a branch with a
  voltage contribution reads that source's current ``i(B..)``.
- ``ddt(q)`` -> ``B n 0 V=q``, ``C n m 1`` and a 0 V source ``V m 0`` whose current ``i(V..)``
  is ``dq/dt`` (0 at the operating point, as the LRM requires). ngspice's B-source ``ddt()``
  is not used: it fails to converge on a plain RC step in ngspice 46.
- ``idt(x, ic)`` -> internal node ``n`` with ``C n 0 1`` charged by the current ``x``, plus a
  source active only while ``time = 0`` that sinks ``x`` and holds ``n`` at ``ic`` through 1 kS,
  so the operating point is exactly ``v(n) = ic``; the value read is ``v(n)``.
- ``$vt`` -> ``k*(temper+273.15)/q`` (SI 2019 constants), ``$temperature`` -> ``temper+273.15``,
  ``$abstime`` -> ``time``, ``$mfactor`` -> 1 (ngspice applies ``m`` on the instance line itself).
- ``$rdist_normal(seed, mean, sd)`` / ``$rdist_uniform(seed, lo, hi)`` draw a standard variate at
  compile time from ``numpy.random.default_rng`` seeded by (compile seed, module, call index) and
  emit ``mean + sd*z`` / ``lo + (hi-lo)*u``; the seed argument of the call is not used.
- A variable bound to a long expression (> 160 characters) is computed once: a ``.param`` in
  the subckt when it uses parameters only, else an auxiliary node driven by a B voltage source
  and read as ``v(node)``.
- Integer ``/`` and ``%`` truncate toward zero (``sgn(x)*floor(abs(x))``); ``pow`` with a constant
  odd integer exponent gets its sign back (ngspice's ``pow`` and ``^`` take ``|base|``).

Whatever is outside this subset raises ``VaError`` at the construct's location.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from spicegen.netlist import BSource, Capacitor, Param, Subckt, VoltageSource
from spicegen.netlist.elements import Element
from spicegen.va import ast
from spicegen.va.ast import VarType
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Diagnostic, Location, VaError

_BOLTZMANN = "1.380649e-23"
_CHARGE = "1.602176634e-19"
_LIMEXP_KNEE = 80.0
_IDT_GATE = "1e3"  # siemens to ic while time = 0: fixes the operating point of an integrator
_MAX_ITERATIONS = 10_000
_MAX_INLINE_DEPTH = 32
_SHARE_ABOVE = 160  # characters: longer variable values of simulated quantities get a node
_SIMULATED = re.compile(r"\b(?:v|i|ddt)\(|\btime\b|\btemper\b")
_Scalar = float | int


@dataclass(frozen=True, slots=True)
class _Val:
    """An expression as ngspice text; ``value`` when it is known at compile time."""

    text: str
    is_int: bool
    value: _Scalar | None = None


@dataclass(slots=True)
class _Env:
    values: dict[str, _Val] = field(default_factory=dict)
    types: dict[str, VarType] = field(default_factory=dict)

    def copy(self) -> _Env:
        return _Env(dict(self.values), dict(self.types))


def _error(loc: Location, message: str) -> VaError:
    return VaError([Diagnostic(loc, message)])


def _num(value: _Scalar | bool, loc: Location, is_int: bool | None = None) -> _Val:
    if is_int is None:
        is_int = isinstance(value, int)
    number: _Scalar = int(value) if is_int else float(value)
    if not math.isfinite(number):
        raise _error(loc, f"the constant expression here evaluates to {number}")
    text = repr(number)
    return _Val(f"({text})" if number < 0 else text, is_int, number)


def _truncated_quotient(a: int, b: int) -> int:
    """Integer division rounding toward zero, exact for any size (Python's // floors)."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def _truncate_text(text: str) -> str:
    return f"(sgn({text})*floor(abs({text})))"


def _round_text(text: str) -> str:
    # LRM real -> integer conversion: round to nearest, ties away from zero
    return f"(sgn({text})*floor(abs({text})+0.5))"


def _seed_of(seed: int, module: str, index: int) -> int:
    digest = hashlib.sha256(f"{seed}\0{module}\0{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _node_key(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


_UNARY_BUILTINS: dict[str, tuple[str, Callable[[float], float]]] = {
    "exp": ("exp", math.exp),
    "ln": ("ln", math.log),
    "log": ("log10", math.log10),
    "sqrt": ("sqrt", math.sqrt),
    "sin": ("sin", math.sin),
    "cos": ("cos", math.cos),
    "tan": ("tan", math.tan),
    "asin": ("asin", math.asin),
    "acos": ("acos", math.acos),
    "atan": ("atan", math.atan),
    "sinh": ("sinh", math.sinh),
    "cosh": ("cosh", math.cosh),
    "tanh": ("tanh", math.tanh),
    "asinh": ("asinh", math.asinh),
    "acosh": ("acosh", math.acosh),
    "atanh": ("atanh", math.atanh),
    "floor": ("floor", math.floor),
    "ceil": ("ceil", math.ceil),
}
_COMPARE: dict[str, Callable[[_Scalar, _Scalar], bool]] = {
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


def lower(checked: CheckedModule, *, seed: int | None = None) -> Subckt:
    """Lower one checked module to a ``Subckt`` named after it.

    ``seed`` seeds ``$rdist_*`` draws (``None`` means 0): equal seeds give equal subcircuits.
    Raises ``VaError`` at the location of any construct outside the supported subset.
    """
    return _Lowerer(checked, 0 if seed is None else seed).run()


class _Lowerer:
    def __init__(self, checked: CheckedModule, seed: int) -> None:
        self._checked = checked
        self._module = checked.module
        self._seed = seed
        self._grounds = frozenset(checked.ground_nodes)
        # branch (p, n) -> ("V" | "I", summed contribution terms)
        self._branches: dict[tuple[str, str], tuple[str, list[str]]] = {}
        self._potential = self._potential_branches()
        self._probed: dict[tuple[str, str], Location] = {}
        self._extra: list[Element] = []
        self._used_names = {*checked.port_names, *checked.internal_nodes}
        self._draws = 0
        self._integrators = 0
        self._derivatives = 0
        self._shares = 0
        self._param_statements: list[Param] = []
        self._used_names.update(p.name for p in checked.module.parameters)
        self._guarded = 0  # > 0 while lowering code that runs only under a run-time condition
        self._depth = 0

    # ---- top level ----
    def run(self) -> Subckt:
        env = _Env()
        params: list[tuple[str, _Scalar | str]] = []
        for parameter in self._module.parameters:
            kind = self._checked.parameter_types.get(parameter.name, "real")
            value = self._convert(self._expr(parameter.default, env), kind)
            if parameter.local:
                env.values[parameter.name] = value
            else:
                params.append(
                    (parameter.name, value.value if value.value is not None else value.text)
                )
                env.values[parameter.name] = _Val(parameter.name, kind == "integer")
            env.types[parameter.name] = kind
        for variable in self._module.variables:
            self._declare(variable, env)
        for statement in self._module.analog:
            self._exec(statement, env, None)
        for key, loc in self._probed.items():
            if key not in self._branches:  # its only V contributions were never reached
                raise _error(
                    loc,
                    f"current probe of branch {key} whose voltage contribution is "
                    "never made; this is not supported",
                )
        elements: list[Element] = []
        for (p, n), (access, terms) in self._branches.items():
            name = f"B{access.lower()}_{_node_key(p)}_{_node_key(n)}"
            expression = " + ".join(terms) if terms else "0"
            elements.append(BSource(name, p, n, "v" if access == "V" else "i", expression))
        elements.extend(self._extra)
        return Subckt(
            self._module.name,
            self._checked.port_names,
            tuple(params),
            tuple(elements),
            param_statements=tuple(self._param_statements),
        )

    def _declare(self, variable: ast.Variable, env: _Env) -> None:
        env.types[variable.name] = variable.type
        if variable.initializer is not None:
            value = self._expr(variable.initializer, env)
        else:
            value = _num(0, variable.loc, variable.type == "integer")
        env.values[variable.name] = self._convert(value, variable.type)

    @staticmethod
    def _convert(value: _Val, kind: VarType) -> _Val:
        if kind == "integer" and not value.is_int:
            if value.value is not None:
                number = float(value.value)
                rounded = math.copysign(math.floor(abs(number) + 0.5), number)
                return _Val(
                    repr(int(rounded)) if rounded >= 0 else f"({int(rounded)})", True, int(rounded)
                )
            return _Val(_round_text(value.text), True)
        if kind == "real" and value.is_int:
            return _Val(value.text, False, None if value.value is None else float(value.value))
        return value

    # ---- nets and branches ----
    def _node(self, name: str) -> str:
        return "0" if name in self._grounds else name

    def _nodes(self, access: str, args: tuple[ast.Expr, ...], loc: Location) -> tuple[str, str]:
        names: list[str] = []
        for argument in args:
            if isinstance(argument, ast.PortBranch):
                raise _error(
                    argument.loc, f"port branch `{access}(<{argument.name}>)` is not supported yet"
                )
            if not isinstance(argument, ast.Identifier):
                raise _error(argument.loc, f"expected a net or branch name in `{access}(...)`")
            names.append(argument.name)
        if len(names) == 1 and names[0] in self._checked.branches:
            positive, negative = self._checked.branches[names[0]]
            return self._node(positive), self._node(negative or "0")
        if len(names) == 1:
            return self._node(names[0]), "0"
        if len(names) == 2:
            return self._node(names[0]), self._node(names[1])
        raise _error(loc, f"access function `{access}` takes 1 or 2 nets or 1 branch")

    def _potential_branches(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Each orientation of every branch with a V contribution -> the orientation of its
        first contribution, which names the source (probes may come before it)."""
        found: dict[tuple[str, str], tuple[str, str]] = {}

        def visit(statement: ast.Statement | None) -> None:
            match statement:
                case ast.Contribution(access="V"):
                    p, n = self._nodes("V", statement.args, statement.loc)
                    canonical = found.setdefault((p, n), (p, n))
                    found.setdefault((n, p), canonical)
                case ast.Block():
                    for child in statement.statements:
                        visit(child)
                case ast.If():
                    visit(statement.then)
                    visit(statement.otherwise)
                case ast.Case():
                    for item in statement.items:
                        visit(item.statement)
                case ast.For() | ast.While():
                    visit(statement.body)

        for statement in self._module.analog:
            visit(statement)
        return found

    def _contribute(self, statement: ast.Contribution, env: _Env, path: _Val | None) -> None:
        access = statement.access
        if access not in ("V", "I"):
            raise _error(statement.loc, f"contributions with access `{access}` are not supported")
        p, n = self._nodes(access, statement.args, statement.loc)
        if p == n:
            raise _error(statement.loc, f"contribution to a branch from `{p}` to itself")
        value = self._expr(statement.value, env)
        if path is not None:
            if access == "V":
                raise _error(
                    statement.loc,
                    "a voltage contribution under a condition that can change during the "
                    "analysis (a switch branch) is not supported",
                )
            value = _Val(f"({path.text} ? {value.text} : 0)", False)
        text = value.text
        canonical = self._potential.get((p, n), (p, n) if (n, p) not in self._branches else (n, p))
        if canonical != (p, n):
            p, n, text = n, p, f"(-{text})"
        kind, terms = self._branches.setdefault((p, n), (access, []))
        if kind != access:
            raise _error(
                statement.loc,
                f"branch ({p}, {n}) gets both V and I contributions; this is not supported",
            )
        terms.append(text)

    def _probe(self, call: ast.Call, env: _Env) -> _Val:
        p, n = self._nodes(call.name, call.args, call.loc)
        if call.name == "V":
            if p == n:
                return _Val("0", False, 0.0)
            if n == "0":
                return _Val(f"v({p})", False)
            if p == "0":
                return _Val(f"(-v({n}))", False)
            return _Val(f"v({p},{n})", False)
        if (p, n) in self._potential:
            key = self._potential[(p, n)]
            self._probed.setdefault(key, call.loc)
            name = f"Bv_{_node_key(key[0])}_{_node_key(key[1])}"
            if key == (p, n):
                return _Val(f"i({name})", False)
            return _Val(f"(-i({name}))", False)
        raise _error(
            call.loc,
            f"current probe `I(...)` of branch ({p}, {n}) needs a voltage contribution to that "
            "branch; probing other branches is not supported yet",
        )

    # ---- statements ----
    def _exec(self, statement: ast.Statement, env: _Env, path: _Val | None) -> None:
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
                        env.values[declaration.name] = self._convert(default, local)
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

    def _assign(self, name: str, value: _Val, env: _Env, loc: Location) -> None:
        kind = env.types.get(name) or self._checked.variable_types.get(name)
        if kind is None:
            raise _error(loc, f"cannot assign to `{name}` here")
        env.values[name] = self._shared(name, self._convert(value, kind))

    def _shared(self, name: str, value: _Val) -> _Val:
        """A long expression of simulated quantities, bound to a variable, is computed once on
        an auxiliary node (``B.. node 0 V=expr``) and read as ``v(node)``, so that reusing the
        variable does not copy it (copies grow exponentially along a chain of variables).
        Never inside a run-time condition: the node is evaluated on every path, and a guarded
        expression (``sqrt`` of a negative, say) must not be."""
        if self._guarded or value.value is not None or len(value.text) <= _SHARE_ABOVE:
            return value
        shared = self._fresh_node(f"var{self._shares}_{_node_key(name)}")
        self._shares += 1
        if not _SIMULATED.search(value.text):  # parameters only: a .param inside the subckt
            self._param_statements.append(Param(shared, value.text))
            return _Val(shared, value.is_int)
        self._extra.append(BSource(f"B{shared}", shared, "0", "v", value.text))
        return _Val(f"v({shared})", value.is_int)

    def _branch(
        self,
        condition: _Val,
        env: _Env,
        path: _Val | None,
        then: Callable[[_Env, _Val | None], None],
        otherwise: Callable[[_Env, _Val | None], None] | None,
    ) -> None:
        if condition.value is not None:
            if condition.value:
                then(env, path)
            elif otherwise is not None:
                otherwise(env, path)
            return
        negated = _Val(f"(!{condition.text})", True)
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
                merged = _Val(f"({condition.text} ? {a.text} : {b.text})", a.is_int and b.is_int)
                converted = self._convert(merged, env.types.get(name, "real"))
                env.values[name] = self._shared(name, converted)

    @staticmethod
    def _and(path: _Val | None, condition: _Val) -> _Val:
        return condition if path is None else _Val(f"({path.text} && {condition.text})", True)

    def _case(self, statement: ast.Case, env: _Env, path: _Val | None) -> None:
        subject = self._expr(statement.subject, env)
        arms = [item for item in statement.items if item.values]
        default = next((item for item in statement.items if not item.values), None)

        def run(index: int, inner: _Env, inner_path: _Val | None) -> None:
            if index == len(arms):
                if default is not None:
                    self._exec(default.statement, inner, inner_path)
                return
            item = arms[index]
            tests = [
                self._binary("==", subject, self._expr(v, inner), v.loc, None) for v in item.values
            ]
            condition = tests[0]
            for test in tests[1:]:
                condition = self._binary("||", condition, test, item.loc, None)
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
                raise _error(
                    condition.loc,
                    "loop bound must be known at compile time to unroll the loop; this one "
                    "depends on an instance parameter or a simulated value",
                )
            if not value.value:
                return
            body()
        raise _error(loc, f"loop runs more than {_MAX_ITERATIONS} iterations; not unrolled")

    # ---- expressions ----
    def _expr(self, expr: ast.Expr, env: _Env) -> _Val:
        match expr:
            case ast.Number():
                return _num(expr.value, expr.loc, expr.is_integer)
            case ast.Identifier():
                if expr.name not in env.values:
                    raise _error(expr.loc, f"`{expr.name}` has no value here")
                return env.values[expr.name]
            case ast.Unary():
                return self._unary(expr, self._expr(expr.operand, env))
            case ast.Binary():
                left = self._expr(expr.left, env)
                right = self._expr(expr.right, env)
                return self._binary(expr.op, left, right, expr.loc, expr)
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
                return _Val(
                    f"({condition.text} ? {then.text} : {otherwise.text})",
                    then.is_int and otherwise.is_int,
                )
            case ast.Call():
                return self._call(expr, env)
            case ast.SystemCall():
                return self._system_call(expr, env)
            case ast.String():
                raise _error(expr.loc, "a string is not allowed in an expression here")
            case ast.PortBranch():
                raise _error(expr.loc, f"port branch `<{expr.name}>` is not supported yet")

    def _unary(self, expr: ast.Unary, operand: _Val) -> _Val:
        op, value = expr.op, operand.value
        if op == "+":
            return operand
        if op == "-":
            if value is not None:
                return _num(-value, expr.loc, operand.is_int)
            return _Val(f"(-{operand.text})", operand.is_int)
        if op == "!":
            if value is not None:
                return _num(int(not value), expr.loc)
            return _Val(f"(!{operand.text})", True)
        if op == "~" and value is not None and operand.is_int:
            return _num(~int(value), expr.loc)
        raise _error(expr.loc, f"operator `{op}` is only supported on constant integers")

    def _binary(
        self, op: str, left: _Val, right: _Val, loc: Location, node: ast.Binary | None
    ) -> _Val:
        a, b = left.value, right.value
        known = a is not None and b is not None
        both_int = left.is_int and right.is_int
        if op in ("+", "-", "*"):
            if a is not None and b is not None:
                result = a + b if op == "+" else a - b if op == "-" else a * b
                return _num(result, loc, both_int)
            # drop the neutral element (loop sums start from 0), keeping the result's type
            if op == "*" and (a == 0 or b == 0):
                return _num(0, loc, both_int)
            if (op == "+" and a == 0) or (op == "*" and a == 1):
                return _Val(right.text, both_int)
            if (op in ("+", "-") and b == 0) or (op == "*" and b == 1):
                return _Val(left.text, both_int)
            return _Val(f"({left.text} {op} {right.text})", both_int)
        if op in ("/", "%"):
            integer = both_int
            if node is not None and node in self._checked.division_types:
                integer = self._checked.division_types[node] == "integer" and both_int
            if a is not None and b is not None:
                if b == 0:
                    raise _error(loc, f"`{op}` by zero in a constant expression")
                if not integer:
                    return _num(a / b if op == "/" else math.fmod(a, b), loc, False)
                quotient = _truncated_quotient(int(a), int(b))
                return _num(quotient if op == "/" else int(a) - int(b) * quotient, loc, True)
            quotient_text = f"({left.text} / {right.text})"
            if op == "/":
                return (
                    _Val(_truncate_text(quotient_text), True)
                    if integer
                    else _Val(quotient_text, False)
                )
            # Verilog-A % keeps the sign of the dividend, for reals as for integers (fmod)
            return _Val(f"({left.text} - {right.text}*{_truncate_text(quotient_text)})", integer)
        if op == "**":
            return self._power(left, right, loc)
        if op in _COMPARE:
            if a is not None and b is not None:
                return _num(int(_COMPARE[op](a, b)), loc)
            return _Val(f"({left.text} {op} {right.text})", True)
        if op in ("&&", "||"):
            if a is not None and b is not None:
                result = bool(a) and bool(b) if op == "&&" else bool(a) or bool(b)
                return _num(int(result), loc)
            if a is not None:  # short-circuit on a known left side
                if op == "&&" and not a:
                    return _num(0, loc)
                if op == "||" and a:
                    return _num(1, loc)
            return _Val(f"({left.text} {op} {right.text})", True)
        if op in _BITWISE and known and both_int:
            assert a is not None and b is not None
            return _num(_BITWISE[op](int(a), int(b)), loc)
        raise _error(loc, f"operator `{op}` is only supported on constant integers")

    @staticmethod
    def _power(base: _Val, exponent: _Val, loc: Location) -> _Val:
        a, b = base.value, exponent.value
        if a is not None and b is not None:
            if a == 0 and b < 0:
                raise _error(loc, "`pow(0, negative)` in a constant expression")
            result = float(a) ** float(b)
            if isinstance(result, complex):
                raise _error(loc, "`pow` of a negative base with a non-integer exponent")
            return _num(result, loc, False)
        text = f"pow({base.text}, {exponent.text})"
        if b is not None and float(b).is_integer() and int(b) % 2 == 1:
            text = f"({text}*sgn({base.text}))"
        return _Val(text, False)

    def _call(self, call: ast.Call, env: _Env) -> _Val:
        name = call.name
        if name in self._checked.functions:
            return self._inline(self._checked.functions[name], call, env)
        if name in ("V", "I"):
            return self._probe(call, env)
        if name == "ddt":
            value = self._expr(call.args[0], env)
            return _num(0.0, call.loc) if value.value is not None else self._derivative(value)
        if name == "idt":
            return self._integrator(call, env)
        args = [self._expr(a, env) for a in call.args]
        consts = [a.value for a in args if a.value is not None]
        known = len(consts) == len(args)
        try:
            if name in _UNARY_BUILTINS:
                text_name, function = _UNARY_BUILTINS[name]
                if known:
                    return _num(function(float(consts[0])), call.loc, False)
                return _Val(f"{text_name}({args[0].text})", False)
        except (ValueError, OverflowError) as err:
            raise _error(call.loc, f"`{name}` of a constant: {err}") from None
        if name == "abs":
            if known:
                return _num(abs(consts[0]), call.loc, args[0].is_int)
            return _Val(f"abs({args[0].text})", args[0].is_int)
        if name in ("min", "max"):
            is_int = args[0].is_int and args[1].is_int
            if known:
                pick = min if name == "min" else max
                return _num(pick(consts[0], consts[1]), call.loc, is_int)
            return _Val(f"{name}({args[0].text}, {args[1].text})", is_int)
        if name == "pow":
            return self._power(args[0], args[1], call.loc)
        if name == "hypot":
            if known:
                return _num(math.hypot(consts[0], consts[1]), call.loc, False)
            x, y = args[0].text, args[1].text
            return _Val(f"sqrt({x}*{x} + {y}*{y})", False)
        if name == "atan2":
            if known:
                return _num(math.atan2(consts[0], consts[1]), call.loc, False)
            y, x = args[0].text, args[1].text
            pi = repr(math.pi)
            text = (
                f"({x} > 0 ? atan({y}/{x}) : {x} < 0 ? ({y} >= 0 ? atan({y}/{x}) + {pi} : "
                f"atan({y}/{x}) - {pi}) : ({y} > 0 ? {pi}/2 : {y} < 0 ? -{pi}/2 : 0))"
            )
            return _Val(text, False)
        if name == "limexp":
            exponent = args[0].text
            if known:
                v = float(consts[0])
                linear = math.exp(_LIMEXP_KNEE) * (1 + v - _LIMEXP_KNEE)
                return _num(math.exp(v) if v < _LIMEXP_KNEE else linear, call.loc, False)
            knee = repr(_LIMEXP_KNEE)
            return _Val(f"(exp(min({exponent}, {knee}))*(1 + max({exponent} - {knee}, 0)))", False)
        raise _error(call.loc, f"`{name}` is not supported by the lowering yet")

    def _fresh_node(self, stem: str) -> str:
        node = stem
        while node in self._used_names:
            node += "_"
        self._used_names.add(node)
        return node

    def _derivative(self, charge: _Val) -> _Val:
        # q drives a 1 F capacitor in series with a 0 V ammeter: i(ammeter) = dq/dt, integrated
        # by ngspice's own capacitor companion model with time-step control (a B-source
        # ``ddt()`` fails to converge on a plain RC step in ngspice 46).
        index = self._derivatives
        self._derivatives += 1
        node = self._fresh_node(f"ddt{index}")
        meter = self._fresh_node(f"ddt{index}_m")
        self._extra.extend(
            (
                BSource(f"B{node}", node, "0", "v", charge.text),
                Capacitor(f"C{node}", node, meter, 1.0),
                VoltageSource(f"V{node}", meter, "0", 0.0),
            )
        )
        return _Val(f"i(V{node})", False)

    def _integrator(self, call: ast.Call, env: _Env) -> _Val:
        if len(call.args) > 2:
            raise _error(call.loc, "`idt` with a reset (assert) argument is not supported yet")
        integrand = self._expr(call.args[0], env)
        initial = self._expr(call.args[1], env) if len(call.args) > 1 else _num(0.0, call.loc)
        index = self._integrators
        self._integrators += 1
        node = self._fresh_node(f"idt{index}")
        self._extra.extend(
            (
                Capacitor(f"C{node}", node, "0", 1.0),
                BSource(f"B{node}", "0", node, "i", integrand.text),
                # at time = 0 this source takes the integrand and pins v(node) to ic exactly
                BSource(
                    f"B{node}_ic",
                    node,
                    "0",
                    "i",
                    f"(time > 0 ? 0 : {integrand.text} + {_IDT_GATE}*(v({node}) - {initial.text}))",
                ),
            )
        )
        return _Val(f"v({node})", False)

    def _inline(self, function: ast.AnalogFunction, call: ast.Call, env: _Env) -> _Val:
        if self._depth >= _MAX_INLINE_DEPTH:
            raise _error(call.loc, f"analog function `{function.name}` recurses; cannot inline it")
        local = _Env()
        for name, kind in env.types.items():  # parameters stay visible inside functions
            if name in self._module_parameters:
                local.values[name], local.types[name] = env.values[name], kind
        declared = {v.name: v for v in function.variables}
        for argument, value in zip(function.arguments, call.args, strict=True):
            kind = declared[argument.name].type if argument.name in declared else "real"
            local.types[argument.name] = kind
            if argument.direction == "output":
                local.values[argument.name] = _num(0, argument.loc, kind == "integer")
            else:
                local.values[argument.name] = self._convert(self._expr(value, env), kind)
        arguments = {a.name for a in function.arguments}
        for variable in function.variables:
            if variable.name not in arguments:
                self._declare(variable, local)
        result_type: VarType = function.type or "real"
        local.types[function.name] = result_type
        local.values[function.name] = _num(0, function.loc, result_type == "integer")
        self._depth += 1
        try:
            for statement in function.body:
                self._exec(statement, local, None)
        finally:
            self._depth -= 1
        for argument, value in zip(function.arguments, call.args, strict=True):
            if argument.direction in ("output", "inout"):
                if not isinstance(value, ast.Identifier):
                    raise _error(value.loc, f"output argument `{argument.name}` needs a variable")
                self._assign(value.name, local.values[argument.name], env, value.loc)
        return local.values[function.name]

    @property
    def _module_parameters(self) -> frozenset[str]:
        return frozenset(p.name for p in self._module.parameters)

    def _system_call(self, call: ast.SystemCall, env: _Env) -> _Val:
        name = call.name
        if name == "$vt":
            if call.args:
                temperature = self._expr(call.args[0], env).text
                return _Val(f"({_BOLTZMANN}*{temperature}/{_CHARGE})", False)
            return _Val(f"({_BOLTZMANN}*(temper+273.15)/{_CHARGE})", False)
        if name == "$temperature":
            return _Val("(temper+273.15)", False)
        if name == "$abstime":
            return _Val("time", False)
        if name == "$mfactor":
            return _num(1, call.loc)
        if name in ("$rdist_normal", "$rdist_uniform"):
            return self._draw(call, env)
        raise _error(call.loc, f"`{name}` is not supported by the lowering yet")

    def _draw(self, call: ast.SystemCall, env: _Env) -> _Val:
        low, high = (self._expr(a, env) for a in call.args[1:3])
        rng = np.random.default_rng(_seed_of(self._seed, self._module.name, self._draws))
        self._draws += 1
        if call.name == "$rdist_normal":
            z = float(rng.standard_normal())
            return self._binary(
                "+", low, self._binary("*", high, _num(z, call.loc), call.loc, None), call.loc, None
            )
        u = float(rng.random())
        span = self._binary("-", high, low, call.loc, None)
        return self._binary(
            "+", low, self._binary("*", span, _num(u, call.loc), call.loc, None), call.loc, None
        )
