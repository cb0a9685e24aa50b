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

from collections.abc import Callable
from dataclasses import dataclass, field

from spicegen.netlist import NetlistError, Subckt
from spicegen.va import arrangements, ast, walk
from spicegen.va.ast import VarType
from spicegen.va.auxiliary import SIMULATED, Auxiliary
from spicegen.va.branches import Branches
from spicegen.va.builtins import Scalar, integer_exponent
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.names import check_ngspice_names
from spicegen.va.randomness import SYSTEM_DISTRIBUTIONS, Draw, draw_values
from spicegen.va.values import Val, binary, builtin, convert, located_error, number, unary

_BOLTZMANN = "1.380649e-23"
_CHARGE = "1.602176634e-19"
_MAX_ITERATIONS = 10_000
_MAX_INLINE_DEPTH = 32
NOISE_STEP = "noise_step"  # instance parameter: sample interval of white_noise, s
NOISE_STEP_DEFAULT = 1e-9


@dataclass(frozen=True, slots=True)
class Lowered:
    """A lowered module: its subcircuit and the random draws among its parameters."""

    subckt: Subckt
    draws: tuple[Draw, ...]


@dataclass(slots=True)
class _Env:
    """Each name's value and type at this point of the symbolic evaluation; ``unassigned``
    holds the module variables that the analog block assigns somewhere but has not yet
    assigned on every path to this point."""

    values: dict[str, Val] = field(default_factory=dict)
    types: dict[str, VarType] = field(default_factory=dict)
    unassigned: set[str] = field(default_factory=set)

    def copy(self) -> _Env:
        return _Env(dict(self.values), dict(self.types), set(self.unassigned))


def parameter_defaults(checked: CheckedModule) -> tuple[tuple[str, Scalar | str], ...]:
    """The instance parameters of ``checked`` with their defaults as ngspice expressions."""
    return tuple(_Lowerer(checked, 0).parameters(_Env()))


def lower(checked: CheckedModule, *, seed: int | None = None) -> Lowered:
    """Lower one checked module to a ``Subckt`` named after it.

    ``seed`` seeds the default variates of ``$rdist_*``/``$random`` draws (``None`` means 0):
    equal seeds give equal subcircuits. Raises ``VaError`` at the location of any construct
    outside the supported subset.
    """
    try:
        return _Lowerer(checked, 0 if seed is None else seed).run()
    except NetlistError as err:  # text the checks before let through: still the user's module
        module = checked.module
        raise located_error(
            module.loc, f"module `{module.name}` cannot be written: {err}"
        ) from None


class _Lowerer:
    def __init__(self, checked: CheckedModule, seed: int) -> None:
        self._checked = checked
        self._module = checked.module
        self._seed = seed
        self._auxiliary = Auxiliary(
            (
                *checked.port_names,
                *checked.internal_nodes,
                *(p.name for p in self._module.parameters),
            )
        )
        self._branches = Branches(checked, self._auxiliary)
        self._module_parameters = frozenset(p.name for p in self._module.parameters)
        self._adds_noise_step = False  # white_noise used and noise_step not declared
        self._guarded = 0  # > 0 while lowering code that runs only under a run-time condition
        self._depth = 0
        self._initial: str | None = None  # the event while lowering an @(initial_step) body
        self._arrays: dict[str, tuple[int, int]] = {}
        self._assigned = _assigned_variables(checked)

    # ---- top level ----
    def run(self) -> Lowered:
        check_ngspice_names(self._checked)
        env = _Env()
        params = self.parameters(env)
        assigned = _assigned_variables(self._checked)
        for variable in self._module.variables:
            self._declare(variable, env)
            if variable.name in assigned:
                env.unassigned.add(variable.name)
        for statement in self._module.analog:
            self._exec(statement, env, None)
        auxiliary = self._auxiliary
        elements = arrangements.inline_single_use([*self._branches.elements(), *auxiliary.elements])
        params.extend(draw_values(auxiliary.draws, self._seed, self._module.name).items())
        if self._adds_noise_step:
            params.append((NOISE_STEP, NOISE_STEP_DEFAULT))
        subckt = Subckt(
            self._module.name,
            self._checked.port_names,
            tuple(params),
            tuple(elements),
            param_statements=tuple(auxiliary.param_statements),
        )
        return Lowered(subckt, tuple(auxiliary.draws))

    def parameters(self, env: _Env) -> list[tuple[str, Scalar | str]]:
        """Each instance parameter with its default (a number, or an ngspice expression of
        earlier parameters), binding every parameter in ``env``."""
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
        return params

    def _declare(self, variable: ast.Variable | ast.ArrayVariable, env: _Env) -> None:
        if isinstance(variable, ast.ArrayVariable):
            self._declare_array(variable, env)
            return
        env.types[variable.name] = variable.type
        if variable.initializer is not None:
            value = self._expr(variable.initializer, env)
        else:
            value = number(0, variable.loc, variable.type == "integer")
        env.values[variable.name] = convert(value, variable.type)

    def _declare_array(self, variable: ast.ArrayVariable, env: _Env) -> None:
        """An array is one binding per element, ``name[k]``: the subckt target needs every
        index known when it compiles (loops are unrolled)."""
        first, last = (self._constant_index(e, env) for e in (variable.first, variable.last))
        low, high = min(first, last), max(first, last)
        items: tuple[ast.Expr, ...] = ()
        if isinstance(variable.initializer, ast.ArrayLiteral):
            items = variable.initializer.items
            if len(items) != high - low + 1:
                raise located_error(
                    variable.initializer.loc,
                    f"array `{variable.name}` has {high - low + 1} elements, "
                    f"its initializer {len(items)}",
                )
        self._arrays[variable.name] = (low, high)
        for k in range(low, high + 1):
            key = f"{variable.name}[{k}]"
            env.types[key] = variable.type
            value = (
                self._expr(items[k - low], env)
                if items
                else number(0, variable.loc, variable.type == "integer")
            )
            env.values[key] = convert(value, variable.type)
            if variable.name in self._assigned:
                env.unassigned.add(key)

    def _constant_index(self, expr: ast.Expr, env: _Env) -> int:
        value = self._expr(expr, env)
        if value.value is None:
            raise located_error(
                expr.loc,
                _needs_osdi("an array index known only at run time", "indexes arrays at run time"),
            )
        return int(value.value)

    def _element(self, name: str, index: ast.Expr, env: _Env) -> str:
        low, high = self._arrays.get(name, (0, -1))
        k = self._constant_index(index, env)
        if not low <= k <= high:
            raise located_error(index.loc, f"index {k} is outside `{name}[{low}:{high}]`")
        return f"{name}[{k}]"

    def _event(self, statement: ast.EventControl, env: _Env, path: Val | None) -> None:
        """``@(initial_step)``/``@(initial_instance)`` bodies that only compute values of
        parameters hold those values at every point, so they lower as plain statements;
        every other event needs code run at a time point."""
        names = [
            e.name if isinstance(e, ast.Identifier | ast.Call) else "" for e in statement.events
        ]
        initial = {"initial_step", "initial_instance"}
        if not set(names) <= initial or self._initial is not None:
            raise located_error(
                statement.loc, _needs_osdi(f"@({' or '.join(names)})", "runs code at an event")
            )
        # a variable the event sets that the rest of the block changes holds state from the
        # first point on: running the event at every point would reset it each time
        inside = _assigned_variables(self._checked, (statement.body,))
        outside = _assigned_variables(self._checked, _without(self._module.analog, statement))
        changed = sorted(inside & outside)
        if changed:
            raise located_error(
                statement.loc,
                _needs_osdi(
                    f"@({names[0]}) sets `{changed[0]}`, which the analog block then changes: "
                    "the model",
                    "holds state from the first point on",
                ),
            )
        self._initial = names[0]
        try:
            self._exec(statement.body, env, path)
        finally:
            self._initial = None

    # ---- statements ----
    def _exec(self, statement: ast.Statement, env: _Env, path: Val | None) -> None:
        match statement:
            case ast.Block():
                saved = {
                    d.name: (env.values.get(d.name), env.types.get(d.name))
                    for d in statement.declarations
                }
                shadowed = env.unassigned & saved.keys()
                env.unassigned -= shadowed
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
                env.unassigned |= shadowed
            case ast.Assign():
                self._assign(statement.target, self._expr(statement.value, env), env, statement.loc)
            case ast.IndexedAssign():
                element = self._element(statement.target, statement.index, env)
                self._assign(element, self._expr(statement.value, env), env, statement.loc)
            case ast.EventControl():
                self._event(statement, env, path)
            case ast.SystemTask():
                if statement.name != "$discontinuity":
                    raise located_error(
                        statement.loc, _needs_osdi(f"`{statement.name}`", "runs at a time point")
                    )
            case ast.CallStatement():
                function = self._checked.functions[statement.call.name]
                self._inline(function, statement.call, env)
            case ast.Contribution():
                if self._initial is not None:
                    raise located_error(
                        statement.loc,
                        _needs_osdi("a contribution inside an event", "runs at a time point"),
                    )
                self._branches.contribute(statement, path, lambda e: self._expr(e, env))
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
        if self._initial is not None and value.value is None and SIMULATED.search(value.text):
            raise located_error(
                loc,
                _needs_osdi(
                    f"assigning a simulated quantity to `{name}` in @({self._initial})",
                    "holds it from the first point of the analysis on",
                ),
            )
        env.values[name] = self._shared(name, convert(value, kind))
        env.unassigned.discard(name)

    def _shared(self, name: str, value: Val) -> Val:
        """``value`` bound to ``name``, computed once when long (``Auxiliary.share``); never
        inside a run-time condition: the shared node is evaluated on every path, and a guarded
        expression (``sqrt`` of a negative, say) must not be."""
        return value if self._guarded else self._auxiliary.share(name, value)

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
        env.unassigned = then_env.unassigned | else_env.unassigned
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
                    "the loop's bound is known only at run time (it depends on an instance "
                    "parameter or a simulated value); the subckt target unrolls loops "
                    "(ngspice B-sources have none), so it cannot express this one: compile "
                    "with --target osdi",
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
            case ast.Index():
                element = self._element(expr.name, expr.index, env)
                if element in env.unassigned:
                    raise located_error(expr.loc, _held_message(f"{expr.name}[...]"))
                return env.values[element]
            case ast.Identifier():
                if expr.name in env.unassigned:
                    raise located_error(expr.loc, _held_message(expr.name))
                if expr.name not in env.values:
                    raise located_error(expr.loc, f"`{expr.name}` has no value here")
                return env.values[expr.name]
            case ast.Unary():
                return unary(expr.op, self._expr(expr.operand, env), expr.loc)
            case ast.Binary():
                left = self._expr(expr.left, env)
                right = self._expr(expr.right, env)
                if expr.op == "**":
                    return self._power(left, right, expr.loc)
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
            case ast.ArrayLiteral():
                raise located_error(expr.loc, "an array value `'{...}` only initialises an array")

    def _call(self, call: ast.Call, env: _Env) -> Val:
        name = call.name
        if name in self._checked.functions:
            return self._inline(self._checked.functions[name], call, env)
        if self._branches.is_probe(name):
            return self._branches.probe(call)
        if name in _NEEDS_OSDI:
            raise located_error(call.loc, _needs_osdi(f"`{name}`", _NEEDS_OSDI[name]))
        if name == "ddt":
            value = self._expr(call.args[0], env)
            if value.value is not None:
                return number(0.0, call.loc)
            return self._auxiliary.derivative(value)
        if name == "idt":
            if len(call.args) > 2:
                raise located_error(
                    call.loc, "`idt` with a reset (assert) argument is not supported yet"
                )
            integrand = self._expr(call.args[0], env)
            initial = self._expr(call.args[1], env) if len(call.args) > 1 else number(0.0, call.loc)
            return self._auxiliary.integrator(integrand, initial)
        if name == "white_noise":
            return self._white_noise(call, env)
        args = [self._expr(a, env) for a in call.args]
        if name == "pow":
            return self._power(args[0], args[1], call.loc)
        return builtin(name, args, call.loc)

    def _power(self, base: Val, exponent: Val, loc: Location) -> Val:
        if integer_exponent(exponent) is not None:
            base = self._shared("pow", base)  # the product repeats the base
        return builtin("pow", (base, exponent), loc)

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
            return Val(self._auxiliary.abstime(), False)
        if name == "$mfactor":
            return number(1, call.loc)
        if name in SYSTEM_DISTRIBUTIONS:
            return self._draw(call, env)
        if name in ("$noise_uniform", "$noise_normal"):
            step = self._expr(call.args[0], env)
            return self._auxiliary.noise(name.removeprefix("$noise_"), step, call.loc)
        if name == "$realtime":
            return Val(self._auxiliary.abstime(), False)
        if name == "$limit":  # a limited probe converges to the probe itself
            return self._expr(call.args[0], env)
        if name in _NEEDS_OSDI:
            raise located_error(call.loc, _needs_osdi(f"`{name}`", _NEEDS_OSDI[name]))
        raise located_error(call.loc, f"`{name}` is not supported by the lowering yet")

    def _draw(self, call: ast.SystemCall, env: _Env) -> Val:
        distribution = SYSTEM_DISTRIBUTIONS[call.name]
        variate = self._auxiliary.draw(distribution)
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

    def _white_noise(self, call: ast.Call, env: _Env) -> Val:
        """``white_noise(pwr)``: held Gaussian levels of variance ``pwr/(2*noise_step)``,
        whose one-sided power spectral density below ``1/(2*noise_step)`` is ``pwr``."""
        power_density = self._expr(call.args[0], env)
        declared = {p.name for p in self._module.parameters if not p.local}
        self._adds_noise_step = NOISE_STEP not in declared
        level = self._auxiliary.noise("normal", Val(NOISE_STEP, False), call.loc)
        scale = builtin(
            "sqrt",
            [binary("/", power_density, Val(f"(2*{NOISE_STEP})", False), call.loc, False)],
            call.loc,
        )
        return binary("*", scale, level, call.loc)

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


# what only the osdi target can do, and why (for the message)
_NEEDS_OSDI = {
    "transition": "holds a ramp between time points",
    "absdelay": "reads the past of a signal",
    "ddx": "needs the partial derivatives of an expression",
    "analysis": "depends on the analysis",
    "flicker_noise": "has no transient form",
    "$simparam": "reads the simulator's parameters",
    "$param_given": "needs to know which parameters an instance sets",
    "$dist_normal": "rounds its draw to an integer",
    "$dist_uniform": "rounds its draw to an integer",
    "$dist_exponential": "rounds its draw to an integer",
}


def _needs_osdi(what: str, why: str) -> str:
    return (
        f"{what} {why}, which the subckt target (ngspice B-sources) cannot express; "
        "compile with --target osdi"
    )


def _held_message(name: str) -> str:
    return (
        f"`{name}` is read here before the analog block assigns it on every path, so the "
        "model asks for its value from the previous evaluation (state held between "
        "evaluations); the subckt target cannot hold state: compile with --target osdi"
    )


def _assigned_variables(
    checked: CheckedModule, statements: tuple[ast.Statement, ...] | None = None
) -> frozenset[str]:
    """Module variables that ``statements`` (default: the analog block) assign: by ``=``,
    as a loop variable or as the output argument of an analog function."""
    names: set[str] = set()
    for statement in checked.module.analog if statements is None else statements:
        for inner in walk.statements(statement):
            if isinstance(inner, ast.Assign | ast.IndexedAssign):
                names.add(inner.target)
            for expr in walk.own_expressions(inner):
                for call in walk.expressions(expr):
                    function = (
                        checked.functions.get(call.name) if isinstance(call, ast.Call) else None
                    )
                    if function is None or not isinstance(call, ast.Call):
                        continue
                    for argument, value in zip(function.arguments, call.args, strict=False):
                        if argument.direction != "input" and isinstance(value, ast.Identifier):
                            names.add(value.name)
    return frozenset(names & set(checked.variable_types))


def _without(
    statements: tuple[ast.Statement, ...], removed: ast.Statement
) -> tuple[ast.Statement, ...]:
    """``statements`` with ``removed`` (an event) taken out, at any depth of plain blocks
    and conditions: what runs besides it."""
    result: list[ast.Statement] = []
    for statement in statements:
        if statement is removed:
            continue
        if isinstance(statement, ast.Block):
            result.append(
                ast.Block(
                    statement.name,
                    statement.declarations,
                    _without(statement.statements, removed),
                    statement.loc,
                )
            )
        elif isinstance(statement, ast.If):
            then = _without((statement.then,), removed)
            otherwise = _without((statement.otherwise,), removed) if statement.otherwise else ()
            result.extend((*then, *otherwise))
        else:
            result.append(statement)
    return tuple(result)


__all__ = ["Lowered", "lower", "parameter_defaults"]
