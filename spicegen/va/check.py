"""Semantic check of a parsed Verilog-A file: names, nets, calls, loops and types.

``check(tree)`` resolves every name of every module, checks the rules of the supported subset
(see issue 3, "Language subset") and returns one :class:`CheckedModule` per module with the
facts lowering needs. All independent problems are collected and raised together as a
:class:`VaError`, each at the offending node's location.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from spicegen.va import ast
from spicegen.va.ast import VarType
from spicegen.va.builtins import BUILTINS, SYSTEM_FUNCTIONS, result_is_integer
from spicegen.va.diagnostics import Diagnostic, Location, VaError

_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
# event functions: valid only inside @(...)
EVENTS = frozenset({"initial_step", "initial_instance", "final_step", "cross", "above", "timer"})
SYSTEM_TASKS = frozenset({"$strobe", "$display", "$write", "$monitor", "$info", "$warning",
                          "$error", "$fatal", "$finish", "$stop", "$bound_step",
                          "$discontinuity", "$debug"})  # fmt: skip
_INTEGER_RESULT_OPS = _COMPARISONS | {"&&", "||", "!", "~", "&", "|", "^", "<<", ">>"}


@dataclass(frozen=True, slots=True)
class CheckedModule:
    """A module whose names all resolve, with the facts lowering needs.

    ``branches`` maps each named branch to its (positive, negative) nets, negative ``None``
    meaning ground; ``division_types`` gives the operand type of every ``/`` and ``%``
    (integer division truncates).
    """

    module: ast.Module
    port_names: tuple[str, ...]
    internal_nodes: tuple[str, ...]
    ground_nodes: tuple[str, ...]
    net_disciplines: Mapping[str, str]
    branches: Mapping[str, tuple[str, str | None]]
    parameter_types: Mapping[str, VarType]
    variable_types: Mapping[str, VarType]
    functions: Mapping[str, ast.AnalogFunction]
    division_types: Mapping[ast.Binary, VarType]
    # access function name -> "potential" or "flow" (V and I, and those of custom natures)
    access_kinds: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"V": "potential", "I": "flow"})
    )


@dataclass(frozen=True, slots=True)
class CheckedModel:
    """Every module of a source file, checked; ``access`` maps natures to access names."""

    source: ast.SourceFile
    modules: tuple[CheckedModule, ...]
    access: Mapping[str, str]


def check(
    tree: ast.SourceFile, *, source_line: Callable[[Location], str] | None = None
) -> CheckedModel:
    """Check every module of ``tree``; raise ``VaError`` listing every problem found.

    ``source_line(location)`` gives the original line shown under each message.
    """
    problems: list[tuple[Location, str]] = []
    access = _access_names(tree)
    modules = tuple(_ModuleChecker(tree, access, problems).run(m) for m in tree.modules)
    if problems:
        ordered = sorted(problems, key=lambda p: (p[0].file, p[0].line, p[0].column))
        raise VaError(
            [Diagnostic(loc, msg, source_line(loc) if source_line else "") for loc, msg in ordered]
        )
    return CheckedModel(tree, modules, MappingProxyType(access))


def _access_names(tree: ast.SourceFile) -> dict[str, str]:
    """Nature -> its access function name, for natures used by a declared discipline."""
    natures = {n.name: n for n in tree.natures}

    def access_of(name: str) -> str | None:
        seen: set[str] = set()
        while name in natures and name not in seen:
            seen.add(name)
            nature = natures[name]
            for attribute in nature.attributes:
                if attribute.name == "access" and isinstance(attribute.value, ast.Identifier):
                    return attribute.value.name
            if nature.parent is None:
                return None
            name = nature.parent
        return None

    result: dict[str, str] = {}
    for discipline in tree.disciplines:
        for nature in (discipline.potential, discipline.flow):
            if nature is not None and (name := access_of(nature)) is not None:
                result[nature] = name
    return result


@dataclass(slots=True)
class _Symbol:
    kind: str  # net, branch, parameter, variable, function, argument, result
    type: VarType | None
    loc: Location | None
    direction: str | None = None


@dataclass(slots=True)
class _Scope:
    symbols: dict[str, _Symbol] = field(default_factory=dict)
    parent: _Scope | None = None
    # set on the scope of an analog function: module variables are invisible below it
    function: ast.AnalogFunction | None = None

    def lookup(self, name: str) -> tuple[_Symbol | None, bool]:
        """The symbol and whether the search left an analog function's own scope."""
        scope: _Scope | None = self
        crossed = False
        while scope is not None:
            if name in scope.symbols:
                return scope.symbols[name], crossed
            crossed = crossed or scope.function is not None
            scope = scope.parent
        return None, crossed


@dataclass(frozen=True, slots=True)
class _Context:
    scope: _Scope
    function: ast.AnalogFunction | None = None
    # why analog operators are forbidden here, or None where they are allowed
    no_analog: str | None = None
    # only parameters and literals may appear (parameter defaults, ranges, loop bounds)
    constant: str | None = None


class _ModuleChecker:
    def __init__(
        self, tree: ast.SourceFile, access: dict[str, str], problems: list[tuple[Location, str]]
    ) -> None:
        self._disciplines = {d.name: d for d in tree.disciplines}
        self._nature_access = access
        self._access = frozenset(access.values())
        self._problems = problems
        self._net_discipline: dict[str, str] = {}
        self._branches: dict[str, tuple[str, str | None]] = {}
        self._functions: dict[str, ast.AnalogFunction] = {}
        self._divisions: dict[ast.Binary, VarType] = {}
        self._port_names: tuple[str, ...] = ()
        self._all_parameters: set[str] = set()

    def _error(self, loc: Location, message: str) -> None:
        self._problems.append((loc, message))

    def _declare(self, scope: _Scope, name: str, symbol: _Symbol, loc: Location) -> bool:
        previous = scope.symbols.get(name)
        if previous is not None:
            first = previous.loc
            where = f" (first declared at {first.line}:{first.column})" if first else ""
            self._error(loc, f"`{name}` is already declared{where}")
            return False
        scope.symbols[name] = symbol
        return True

    # ---- declarations ----
    def run(self, module: ast.Module) -> CheckedModule:
        scope = _Scope()
        self._port_names = module.ports
        self._all_parameters = {p.name for p in module.parameters}
        ports, internal, grounds = self._nets(module, scope)
        for branch in module.branches:
            self._branch(branch, scope)
        variable_types: dict[str, VarType] = {}
        for variable in module.variables:
            if self._declare(scope, variable.name, _variable_symbol(variable), variable.loc):
                variable_types[variable.name] = variable.type
        parameter_types = self._parameters(module.parameters, scope)
        for function in module.functions:
            if self._declare(
                scope,
                function.name,
                _Symbol("function", function.type or "real", function.loc),
                function.loc,
            ):
                self._functions[function.name] = function
        context = _Context(scope)
        for variable in module.variables:
            self._initializer(variable, context)
        for function in module.functions:
            self._function(function, scope)
        for statement in module.analog:
            self._statement(statement, context)
        return CheckedModule(
            module=module,
            port_names=ports,
            internal_nodes=internal,
            ground_nodes=grounds,
            net_disciplines=MappingProxyType(dict(self._net_discipline)),
            branches=MappingProxyType(dict(self._branches)),
            parameter_types=MappingProxyType(parameter_types),
            variable_types=MappingProxyType(variable_types),
            functions=MappingProxyType(dict(self._functions)),
            division_types=MappingProxyType(dict(self._divisions)),
            access_kinds=MappingProxyType(self._access_kinds()),
        )

    def _access_kinds(self) -> dict[str, str]:
        kinds = {"V": "potential", "I": "flow"}
        for discipline in self._disciplines.values():
            for nature, kind in ((discipline.flow, "flow"), (discipline.potential, "potential")):
                if nature is not None and nature in self._nature_access:
                    kinds[self._nature_access[nature]] = kind
        return kinds

    def _nets(
        self, module: ast.Module, scope: _Scope
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        directions: dict[str, str] = {}
        for declaration in module.directions:
            for name in declaration.names:
                if name not in module.ports:
                    self._error(
                        declaration.loc,
                        f"`{name}` is declared {declaration.direction} but is not a port of "
                        f"module `{module.name}`",
                    )
                elif name in directions:
                    self._error(declaration.loc, f"port `{name}` already has a direction")
                directions[name] = declaration.direction
                if declaration.discipline is not None:
                    self._discipline(name, declaration.discipline, declaration.loc)
        for net in module.nets:
            for name in net.names:
                self._discipline(name, net.discipline, net.loc)
        grounds = tuple(name for g in module.grounds for name in g.names)
        for name in module.ports:
            if name not in directions:
                self._error(
                    module.loc,
                    f"port `{name}` has no direction; expected `inout {name};` (or input/output)",
                )
            if name not in self._net_discipline:
                self._error(
                    module.loc,
                    f"port `{name}` has no discipline; expected e.g. `electrical {name};`",
                )
        for name in (*module.ports, *self._net_discipline, *grounds):
            scope.symbols.setdefault(name, _Symbol("net", None, None))
        internal = tuple(
            n for n in self._net_discipline if n not in module.ports and n not in grounds
        )
        return tuple(module.ports), internal, grounds

    def _discipline(self, net: str, discipline: str, loc: Location) -> None:
        if discipline not in self._disciplines:
            known = ", ".join(sorted(self._disciplines)) or "none (include disciplines.vams)"
            self._error(loc, f"unknown discipline `{discipline}`; expected one of: {known}")
            return
        previous = self._net_discipline.setdefault(net, discipline)
        if previous != discipline:
            self._error(loc, f"net `{net}` is already declared with discipline `{previous}`")

    def _branch(self, branch: ast.Branch, scope: _Scope) -> None:
        for net in (branch.positive, branch.negative):
            if net is not None and (
                scope.symbols.get(net) is None or scope.symbols[net].kind != "net"
            ):
                self._error(branch.loc, f"branch `{branch.name}` uses undeclared net `{net}`")
        if self._declare(scope, branch.name, _Symbol("branch", None, branch.loc), branch.loc):
            self._branches[branch.name] = (branch.positive, branch.negative)

    def _parameters(self, parameters: Iterable[ast.Parameter], scope: _Scope) -> dict[str, VarType]:
        types: dict[str, VarType] = {}
        for parameter in parameters:
            why = f"the default of parameter `{parameter.name}`"
            constant = _Context(scope, no_analog=why, constant=why)
            found = self._expr(parameter.default, constant)
            kind = parameter.type or found
            for bound in self._bounds(parameter):
                self._expr(bound, replace(constant, constant=f"a range of `{parameter.name}`"))
            if self._declare(
                scope, parameter.name, _Symbol("parameter", kind, parameter.loc), parameter.loc
            ):
                types[parameter.name] = kind
        return types

    @staticmethod
    def _bounds(parameter: ast.Parameter) -> Iterable[ast.Expr]:
        ranges = [*parameter.ranges, *(e.range for e in parameter.excludes if e.range)]
        for interval in ranges:
            yield from (b for b in (interval.lower, interval.upper) if b is not None)
        yield from (e.value for e in parameter.excludes if e.value is not None)

    def _function(self, function: ast.AnalogFunction, module_scope: _Scope) -> None:
        scope = _Scope(parent=module_scope, function=function)
        scope.symbols[function.name] = _Symbol("result", function.type or "real", function.loc)
        for argument in function.arguments:
            self._declare(
                scope,
                argument.name,
                _Symbol("argument", "real", argument.loc, argument.direction),
                argument.loc,
            )
        for variable in function.variables:
            existing = scope.symbols.get(variable.name)
            if (
                existing is not None
                and existing.kind == "argument"
                and existing.loc is not None
                and existing.type == "real"
                and existing.loc != variable.loc
            ):
                existing.type = variable.type  # `input x; integer x;` types the argument
                existing.loc = variable.loc
                continue
            self._declare(scope, variable.name, _variable_symbol(variable), variable.loc)
        context = _Context(scope, function=function, no_analog=f"analog function `{function.name}`")
        for statement in function.body:
            self._statement(statement, context)

    # ---- statements ----
    def _statement(self, statement: ast.Statement, context: _Context) -> None:
        match statement:
            case ast.Block():
                scope = _Scope(parent=context.scope)
                inner = replace(context, scope=scope)
                for declaration in statement.declarations:
                    if isinstance(declaration, ast.Parameter):
                        self._parameters((declaration,), scope)
                    else:
                        self._initializer(declaration, inner)
                        self._declare(
                            scope, declaration.name, _variable_symbol(declaration), declaration.loc
                        )
                for child in statement.statements:
                    self._statement(child, inner)
            case ast.Assign():
                self._assign_target(statement, context)
                self._expr(statement.value, context)
            case ast.IndexedAssign():
                self._indexed_target(statement.target, statement.loc, context)
                self._expr(statement.index, context)
                self._expr(statement.value, context)
            case ast.EventControl():
                self._event(statement, context)
            case ast.SystemTask():
                self._task(statement, context)
            case ast.CallStatement():
                call = statement.call
                if call.name not in self._functions:
                    self._error(call.loc, f"`{call.name}` is not an analog function")
                else:
                    self._call(call, context)
            case ast.Contribution():
                self._contribution(statement, context)
            case ast.If():
                inner = self._conditional(statement.condition, context, "an `if` condition")
                self._statement(statement.then, inner)
                if statement.otherwise is not None:
                    self._statement(statement.otherwise, inner)
            case ast.Case():
                inner = self._conditional(statement.subject, context, "a `case` expression")
                for item in statement.items:
                    for value in item.values:
                        self._expr(value, context)
                    self._statement(item.statement, inner)
            case ast.For():
                self._for(statement, context)
            case ast.While():
                self._while(statement, context)
            case ast.NullStatement():
                pass

    def _conditional(self, condition: ast.Expr, context: _Context, what: str) -> _Context:
        self._expr(condition, context)
        if context.no_analog is None and not self._is_constant(condition, context):
            return replace(context, no_analog=f"{what} that can change during the analysis")
        return context

    def _assign_target(self, statement: ast.Assign, context: _Context) -> None:
        symbol, crossed = context.scope.lookup(statement.target)
        name = statement.target
        if symbol is None:
            self._error(statement.loc, f"undeclared variable `{name}`")
        elif symbol.kind == "parameter":
            self._error(statement.loc, f"cannot assign to parameter `{name}`; it is constant")
        elif symbol.kind == "array":
            self._error(
                statement.loc, f"`{name}` is an array; assign an element, `{name}[i] = ...`"
            )
        elif symbol.kind in ("net", "branch"):
            self._error(
                statement.loc,
                f"cannot assign to {symbol.kind} `{name}`; expected a contribution `<+`",
            )
        elif symbol.kind == "function":
            self._error(statement.loc, f"cannot assign to analog function `{name}`")
        elif symbol.kind == "argument" and symbol.direction == "input":
            self._error(statement.loc, f"cannot assign to input argument `{name}`")
        elif symbol.kind == "variable" and crossed:
            self._error(
                statement.loc,
                f"analog function `{context.function.name if context.function else ''}` "
                f"cannot use module variable `{name}`",
            )

    def _contribution(self, statement: ast.Contribution, context: _Context) -> None:
        symbol, _ = context.scope.lookup(statement.access)
        if context.function is not None:
            self._error(statement.loc, "contributions are not allowed inside an analog function")
        elif statement.access in self._access and statement.access not in self._functions:
            self._access_call(statement.access, statement.args, statement.loc, context)
        elif symbol is not None and symbol.kind in ("variable", "parameter", "argument"):
            self._error(
                statement.loc,
                f"cannot contribute to {symbol.kind} `{statement.access}`; expected a branch "
                "access such as I(a, b) <+ ...",
            )
        else:
            known = ", ".join(sorted(self._access))
            self._error(
                statement.loc,
                f"unknown access function `{statement.access}`; expected one of: {known}",
            )
        self._expr(statement.value, context)

    def _for(self, loop: ast.For, context: _Context) -> None:
        variable = self._loop_variable(loop.init.target, loop.init.loc, context)
        self._assign_target(loop.init, context)
        self._expr(loop.init.value, context)
        # bounds known only at run time are the targets' business: the osdi target keeps the
        # loop, the subckt target unrolls it and refuses one it cannot (naming osdi)
        self._expr(loop.condition, context)
        if loop.step.target != loop.init.target:
            self._error(loop.step.loc, f"the step must assign the loop variable `{variable}`")
        self._assign_target(loop.step, context)
        self._expr(loop.step.value, context)
        self._statement(loop.body, self._in_loop(context, "a `for` loop"))

    def _while(self, loop: ast.While, context: _Context) -> None:
        self._expr(loop.condition, context)
        self._statement(loop.body, self._in_loop(context, "a `while` loop"))

    @staticmethod
    def _in_loop(context: _Context, what: str) -> _Context:
        return context if context.no_analog is not None else replace(context, no_analog=what)

    def _loop_variable(self, name: str, loc: Location, context: _Context) -> str | None:
        symbol, _ = context.scope.lookup(name)
        if symbol is not None and symbol.kind == "variable" and symbol.type != "integer":
            self._error(loc, f"loop variable `{name}` must be an integer variable")
        return name

    # ---- expressions ----
    def _is_constant(self, expr: ast.Expr, context: _Context) -> bool:
        """Whether ``expr`` only uses literals, parameters and pure built-ins."""
        match expr:
            case ast.Number() | ast.String():
                return True
            case ast.Identifier():
                symbol, _ = context.scope.lookup(expr.name)
                return symbol is not None and symbol.kind == "parameter"
            case ast.Unary():
                return self._is_constant(expr.operand, context)
            case ast.Binary():
                return self._is_constant(expr.left, context) and self._is_constant(
                    expr.right, context
                )
            case ast.Ternary():
                return all(
                    self._is_constant(e, context)
                    for e in (expr.condition, expr.then, expr.otherwise)
                )
            case ast.Call():
                entry = BUILTINS.get(expr.name)
                return (
                    entry is not None
                    and not entry.analog
                    and all(self._is_constant(a, context) for a in expr.args)
                )
            case _:
                return False

    def _expr(self, expr: ast.Expr, context: _Context) -> VarType:
        """Check ``expr`` and return its type."""
        match expr:
            case ast.Number():
                return "integer" if expr.is_integer else "real"
            case ast.String():
                return "real"
            case ast.Identifier():
                return self._identifier(expr, context)
            case ast.PortBranch():
                self._error(expr.loc, f"port branch `<{expr.name}>` is only allowed in I(<...>)")
                return "real"
            case ast.Unary():
                operand = self._expr(expr.operand, context)
                return "integer" if expr.op in _INTEGER_RESULT_OPS else operand
            case ast.Binary():
                left = self._expr(expr.left, context)
                right = self._expr(expr.right, context)
                both: Literal["real", "integer"] = (
                    "integer" if left == right == "integer" else "real"
                )
                if expr.op in ("/", "%"):
                    self._divisions[expr] = both
                return "integer" if expr.op in _INTEGER_RESULT_OPS else both
            case ast.Ternary():
                self._expr(expr.condition, context)
                inner = context
                if context.no_analog is None and not self._is_constant(expr.condition, context):
                    inner = replace(context, no_analog="a `?:` whose condition can change")
                then = self._expr(expr.then, inner)
                otherwise = self._expr(expr.otherwise, inner)
                return "integer" if then == otherwise == "integer" else "real"
            case ast.Call():
                return self._call(expr, context)
            case ast.SystemCall():
                return self._system_call(expr, context)
            case ast.Index():
                self._expr(expr.index, context)
                return self._indexed_target(expr.name, expr.loc, context)
            case ast.ArrayLiteral():
                self._error(expr.loc, "an array value `'{...}` only initialises an array")
                return "real"

    def _identifier(self, expr: ast.Identifier, context: _Context) -> VarType:
        symbol, crossed = context.scope.lookup(expr.name)
        if symbol is None and context.constant and expr.name in self._all_parameters:
            self._error(
                expr.loc,
                f"{context.constant} uses `{expr.name}`, declared later; "
                "expected only earlier parameters",
            )
            return "real"
        if symbol is None:
            self._error(expr.loc, f"undeclared identifier `{expr.name}`")
            return "real"
        if symbol.kind in ("net", "branch"):
            self._error(
                expr.loc,
                f"{symbol.kind} `{expr.name}` cannot be used as a value; "
                f"expected an access function such as V({expr.name})",
            )
        elif symbol.kind == "function":
            self._error(expr.loc, f"analog function `{expr.name}` must be called with arguments")
        elif symbol.kind == "array":
            self._error(expr.loc, f"`{expr.name}` is an array; read an element, `{expr.name}[i]`")
        elif context.constant is not None and symbol.kind != "parameter":
            self._error(
                expr.loc,
                f"{context.constant} must be a constant expression; `{expr.name}` is not a "
                "parameter",
            )
        elif symbol.kind == "variable" and crossed:
            name = context.function.name if context.function else ""
            self._error(
                expr.loc, f"analog function `{name}` cannot use module variable `{expr.name}`"
            )
        return symbol.type or "real"

    def _call(self, expr: ast.Call, context: _Context) -> VarType:
        name = expr.name
        if name in self._access and name not in self._functions:
            if context.constant is not None:
                self._error(expr.loc, f"{context.constant} cannot use access function `{name}`")
            elif context.function is not None:
                self._error(
                    expr.loc, f"access function `{name}` is not allowed inside an analog function"
                )
            else:
                self._access_call(name, expr.args, expr.loc, context)
            return "real"
        if name in EVENTS and name not in self._functions:
            self._error(expr.loc, f"`{name}` is an event; use it in `@({name}(...))`")
            return "real"
        types = [self._expr(a, context) for a in expr.args]
        if name in self._functions:
            function = self._functions[name]
            if context.constant is not None:
                self._error(expr.loc, f"{context.constant} cannot call analog function `{name}`")
            if len(expr.args) != len(function.arguments):
                self._error(
                    expr.loc,
                    f"analog function `{name}` takes {len(function.arguments)} argument(s), "
                    f"got {len(expr.args)}",
                )
            return function.type or "real"
        entry = BUILTINS.get(name)
        if entry is not None:
            self._arity(expr, entry.arity)
            if entry.analog and context.no_analog is not None:
                self._error(expr.loc, f"`{name}` is not allowed inside {context.no_analog}")
            integer = result_is_integer(entry.result, [t == "integer" for t in types])
            return "integer" if integer else "real"
        self._error(expr.loc, f"unknown function `{name}`")
        return "real"

    def _system_call(self, expr: ast.SystemCall, context: _Context) -> VarType:
        for argument in expr.args:
            self._expr(argument, context)
        entry = SYSTEM_FUNCTIONS.get(expr.name)
        if entry is None:
            self._error(expr.loc, f"unsupported system function `{expr.name}`")
            return "real"
        self._arity(expr, entry.arity)
        if context.constant is not None:
            self._error(expr.loc, f"{context.constant} cannot use `{expr.name}`")
        return "integer" if result_is_integer(entry.result, []) else "real"

    def _arity(self, expr: ast.Call | ast.SystemCall, arity: tuple[int, int]) -> None:
        low, high = arity
        if not low <= len(expr.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            self._error(
                expr.loc, f"`{expr.name}` takes {expected} argument(s), got {len(expr.args)}"
            )

    def _initializer(self, variable: ast.Variable | ast.ArrayVariable, context: _Context) -> None:
        if isinstance(variable, ast.ArrayVariable):
            why = f"a bound of array `{variable.name}`"
            bounds = replace(context, no_analog=why, constant=why)
            self._expr(variable.first, bounds)
            self._expr(variable.last, bounds)
            if isinstance(variable.initializer, ast.ArrayLiteral):
                for item in variable.initializer.items:
                    self._expr(item, context)
            elif variable.initializer is not None:
                self._error(
                    variable.initializer.loc,
                    f"array `{variable.name}` is initialised with `'{{a, b, ...}}`",
                )
        elif variable.initializer is not None:
            self._expr(variable.initializer, context)

    def _indexed_target(self, name: str, loc: Location, context: _Context) -> VarType:
        symbol, crossed = context.scope.lookup(name)
        if symbol is None:
            self._error(loc, f"undeclared array `{name}`")
            return "real"
        if symbol.kind != "array":
            self._error(loc, f"`{name}` is not an array; it cannot be indexed")
        elif crossed:
            function = context.function.name if context.function else ""
            self._error(loc, f"analog function `{function}` cannot use module variable `{name}`")
        return symbol.type or "real"

    def _event(self, statement: ast.EventControl, context: _Context) -> None:
        if context.function is not None:
            self._error(statement.loc, "events are not allowed inside an analog function")
        for event in statement.events:
            name = event.name if isinstance(event, ast.Identifier | ast.Call) else None
            if name not in EVENTS:
                self._error(
                    event.loc,
                    "expected an event: initial_step, initial_instance, final_step, "
                    "cross(...), above(...) or timer(...)",
                )
                continue
            args = event.args if isinstance(event, ast.Call) else ()
            low, high = {"cross": (1, 4), "above": (1, 3), "timer": (1, 3)}.get(name, (0, 8))
            if not low <= len(args) <= high:
                expected = str(low) if low == high else f"{low} to {high}"
                self._error(event.loc, f"`{name}` takes {expected} argument(s), got {len(args)}")
            for argument in args:
                if name in ("initial_step", "initial_instance", "final_step"):
                    if not isinstance(argument, ast.String):
                        self._error(argument.loc, f"`{name}` takes analysis names as strings")
                else:
                    self._expr(argument, context)
        self._statement(statement.body, self._in_loop(context, "an event"))

    def _task(self, task: ast.SystemTask, context: _Context) -> None:
        if task.name not in SYSTEM_TASKS:
            self._error(task.loc, f"unsupported system task `{task.name}`")
        if task.name == "$bound_step" and len(task.args) != 1:
            self._error(task.loc, "`$bound_step` takes 1 argument (the largest step, s)")
        for argument in task.args:
            if not isinstance(argument, ast.String):
                self._expr(argument, context)

    def _access_call(
        self, name: str, args: tuple[ast.Expr, ...], loc: Location, context: _Context
    ) -> None:
        if not 1 <= len(args) <= 2:
            self._error(
                loc,
                f"access function `{name}` takes 1 or 2 nets or 1 branch, "
                f"got {len(args)} argument(s)",
            )
            return
        for argument in args:
            if isinstance(argument, ast.PortBranch):
                symbol, _ = context.scope.lookup(argument.name)
                if len(args) != 1:
                    self._error(argument.loc, f"port branch `<{argument.name}>` must be alone")
                elif argument.name not in self._port_names:
                    self._error(
                        argument.loc, f"`<{argument.name}>` is not a port; expected a port name"
                    )
                else:
                    self._nature_fits(name, argument.name, argument.loc)
                continue
            if not isinstance(argument, ast.Identifier):
                self._error(argument.loc, f"expected a net or branch name in `{name}(...)`")
                continue
            symbol, _ = context.scope.lookup(argument.name)
            if symbol is None or symbol.kind not in ("net", "branch"):
                self._error(argument.loc, f"undeclared net or branch `{argument.name}`")
            elif symbol.kind == "branch" and len(args) != 1:
                self._error(
                    argument.loc,
                    f"branch `{argument.name}` must be the only argument of `{name}(...)`",
                )
            else:
                net = (
                    self._branches[argument.name][0] if symbol.kind == "branch" else (argument.name)
                )
                self._nature_fits(name, net, argument.loc)

    def _nature_fits(self, access: str, net: str, loc: Location) -> None:
        discipline = self._disciplines.get(self._net_discipline.get(net, ""))
        if discipline is None:
            return
        allowed = [
            self._nature_access[n]
            for n in (discipline.potential, discipline.flow)
            if n in self._nature_access
        ]
        if access not in allowed:
            self._error(
                loc,
                f"access function `{access}` does not apply to net `{net}` of discipline "
                f"`{discipline.name}`; expected {' or '.join(sorted(allowed))}",
            )


def _variable_symbol(variable: ast.Variable | ast.ArrayVariable) -> _Symbol:
    kind = "array" if isinstance(variable, ast.ArrayVariable) else "variable"
    return _Symbol(kind, variable.type, variable.loc)
