"""The analog block as the body of the device's C ``eval`` function, with exact Jacobians.

Statements translate one to one (``if``, ``case``, loops and analog functions stay C control
flow; functions are inlined at each call); every real value carries its partial derivatives
by unknown (``quantity``), so the Jacobian is exact. Which unknowns each variable depends on
is found by generating the body repeatedly until those sets stop growing (a fixpoint over
loops and branches). Contributions add to the residual and Jacobian arrays of the instance;
potential contributions and flow probes go through a branch current unknown; ``ddt`` charges
go to the reactive residual that ngspice integrates, ``idt`` to an implicit node. Module
variables are held between evaluations (``state.py`` says when a value is committed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from spicegen.va import ast
from spicegen.va.ast import VarType
from spicegen.va.builtins import BUILTINS, result_is_integer
from spicegen.va.check import CheckedModule
from spicegen.va.diagnostics import Location
from spicegen.va.model import constant_value
from spicegen.va.osdi import quantity as q
from spicegen.va.osdi.quantity import Emitter, Quantity
from spicegen.va.osdi.unknowns import Net, Topology
from spicegen.va.values import located_error

_BOLTZMANN = "1.380649e-23"
_CHARGE = "1.602176634e-19"
_MAX_INLINE_DEPTH = 32
_MAX_PASSES = 64
# LRM comparison and logical operators give integers
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}
_INTEGER_OPS = {"&", "|", "^", "~^", "^~", "<<", ">>", "<<<", ">>>"}


@dataclass(frozen=True, slots=True)
class CVar:
    """A Verilog-A variable as C locals: ``cname`` (value), ``cname__d<k>`` (partials)."""

    cname: str
    is_int: bool
    held: bool = False
    length: int = 0  # array elements, 0 for a scalar
    low: int = 0  # first array index


@dataclass(frozen=True, slots=True)
class Parameter:
    cname: str
    is_int: bool


Symbol = CVar | Parameter


@dataclass(slots=True)
class EvalCode:
    """What the generated ``eval`` needs beside its body."""

    declarations: list[str]
    body: list[str]
    variables: dict[str, CVar]
    resist_entries: set[tuple[int, int]]
    react_entries: set[tuple[int, int]]


@dataclass(slots=True)
class _Pass:
    emitter: Emitter = field(default_factory=Emitter)
    variables: dict[str, CVar] = field(default_factory=dict)
    scopes: list[dict[str, Symbol]] = field(default_factory=list)
    inline_depth: int = 0
    inline_path: tuple[int, ...] = ()
    inline_count: int = 0
    loop_depth: int = 0


class Translator:
    """Generates the ``eval`` body of one module; ``hooks`` supply the stateful operators."""

    def __init__(self, checked: CheckedModule, topology: Topology, hooks: Hooks) -> None:
        self.checked = checked
        self.topology = topology
        self.hooks = hooks
        self.partial_sets: dict[str, set[int]] = {}
        self.react_sets: dict[str, set[int]] = {}
        self.resist_entries: set[tuple[int, int]] = set()
        self.react_entries: set[tuple[int, int]] = set()
        self._changed = False
        self._pass = _Pass()
        self.parameters = {
            p.name: Parameter(f"inst->p_{p.name}", checked.parameter_types.get(p.name) == "integer")
            for p in checked.module.parameters
        }

    # ---- the fixpoint ----
    def generate(self, prologue: Callable[[], None], epilogue: Callable[[], None]) -> EvalCode:
        for _ in range(_MAX_PASSES):
            self._changed = False
            self._pass = _Pass()
            self._pass.scopes.append(dict(self.parameters))
            self.hooks.begin_pass(self)
            prologue()
            self._module_variables()
            for statement in self.checked.module.analog:
                self.statement(statement)
            self._finish_branches()
            self.hooks.finish_implicit(self)
            epilogue()
            if not self._changed:
                break
        else:  # pragma: no cover - the sets only grow and are bounded by the unknowns
            raise located_error(self.checked.module.loc, "derivative analysis did not settle")
        return EvalCode(
            self._declarations(),
            self._pass.emitter.lines,
            dict(self._pass.variables),
            set(self.resist_entries),
            set(self.react_entries),
        )

    @property
    def emitter(self) -> Emitter:
        return self._pass.emitter

    def _declarations(self) -> list[str]:
        lines: list[str] = []
        for variable in self._pass.variables.values():
            kind = "int32_t" if variable.is_int else "double"
            size = f"[{variable.length}]" if variable.length else ""
            zero = " = {0}" if variable.length else " = 0"
            names = [variable.cname]
            if not variable.is_int:
                names += [
                    f"{variable.cname}__d{k}"
                    for k in sorted(self.partial_sets.get(variable.cname, ()))
                ]
                if variable.cname in self.react_sets:
                    names.append(f"{variable.cname}__q")
                    names += [
                        f"{variable.cname}__q__d{k}"
                        for k in sorted(self.react_sets[variable.cname])
                    ]
            lines.extend(f"{kind} {name}{size}{zero};" for name in names)
        return lines

    # ---- variables ----
    def declare(
        self,
        name: str,
        is_int: bool,
        *,
        held: bool = False,
        stable: bool = False,
        length: int = 0,
        low: int = 0,
    ) -> CVar:
        """A new C variable for ``name`` in the innermost scope; ``held`` ones keep their
        value between evaluations, ``stable`` ones keep their plain name."""
        stem = name if held or stable else f"{name}__l{self._pass.inline_count}"
        cname = f"v_{stem}"
        while cname in self._pass.variables:
            cname += "_"
        variable = CVar(cname, is_int, held, length, low)
        self._pass.variables[cname] = variable
        self._pass.scopes[-1][name] = variable
        return variable

    def lookup(self, name: str, loc: Location) -> Symbol:
        for scope in reversed(self._pass.scopes):
            if name in scope:
                return scope[name]
        raise located_error(loc, f"`{name}` has no value here")

    def read(self, variable: CVar, index: str | None = None) -> Quantity:
        def at(name: str) -> str:
            return name if index is None else f"{name}[{index}]"

        if variable.is_int:
            return Quantity(at(variable.cname), (), True)
        partials = tuple(
            (k, at(f"{variable.cname}__d{k}"))
            for k in sorted(self.partial_sets.get(variable.cname, ()))
        )
        react = None
        if variable.cname in self.react_sets:
            react = Quantity(
                at(f"{variable.cname}__q"),
                tuple(
                    (k, at(f"{variable.cname}__q__d{k}"))
                    for k in sorted(self.react_sets[variable.cname])
                ),
            )
        value = Quantity(at(variable.cname), partials, False, react)
        if index is not None:  # copy out, so that later writes to the array do not alias
            return q.linear(self.emitter, (("1.0", value),), False)
        return value

    def assign(
        self, variable: CVar, value: Quantity, loc: Location, index: str | None = None
    ) -> None:
        def at(name: str) -> str:
            return name if index is None else f"{name}[{index}]"

        emit = self.emitter.line
        if variable.is_int:
            value = q.to_integer(self.emitter, self.resolve(value, loc))
            emit(f"{at(variable.cname)} = {value.value};")
            return
        value = q.to_real(value)
        known = self.partial_sets.setdefault(variable.cname, set())
        if not value.unknowns <= known:
            known |= value.unknowns
            self._changed = True
        if value.react is not None:
            charges = self.react_sets.setdefault(variable.cname, set())
            if variable.cname not in self.react_sets or not value.react.unknowns <= charges:
                charges |= value.react.unknowns
                self._changed = True
        emit(f"{at(variable.cname)} = {value.value};")
        for k in sorted(known):
            emit(f"{at(f'{variable.cname}__d{k}')} = {value.partial(k)};")
        if variable.cname in self.react_sets:
            react = value.react or q.ZERO
            emit(f"{at(f'{variable.cname}__q')} = {react.value};")
            for k in sorted(self.react_sets[variable.cname]):
                emit(f"{at(f'{variable.cname}__q__d{k}')} = {react.partial(k)};")

    def _module_variables(self) -> None:
        for variable in self.checked.module.variables:
            low, length = self.array_shape(variable)
            self.declare(
                variable.name, variable.type == "integer", held=True, length=length, low=low
            )
        self.hooks.load_held(self)

    def array_shape(self, variable: ast.Variable | ast.ArrayVariable) -> tuple[int, int]:
        """(first index, element count) of an array, (0, 0) for a scalar; the bounds are
        folded with the parameters' defaults (C arrays have a fixed size)."""
        if not isinstance(variable, ast.ArrayVariable):
            return 0, 0
        first, last = (
            int(constant_value(e, self.checked)) for e in (variable.first, variable.last)
        )
        return min(first, last), abs(last - first) + 1

    def element(self, variable: CVar, index: ast.Expr, loc: Location) -> str:
        """The C index of ``variable[index]``; out of range is a fatal error at run time."""
        if not variable.length:
            raise located_error(loc, f"`{variable.cname.removeprefix('v_')}` is not an array")
        value = q.to_integer(self.emitter, self.resolve(self.expression(index), loc))
        k = self.emitter.fresh("k")
        emit = self.emitter
        emit.line(f"int32_t {k} = {value.value} - ({variable.low});")
        emit.open(f"if ({k} < 0 || {k} >= {variable.length})")
        emit.line(
            f'sg_message(handle, SG_LOG_ERR, "Verilog-A $error: index %d is outside the array'
            f' ({loc.file}:{loc.line})", (int){value.value});'
        )
        emit.line("ret |= SG_EVAL_FATAL;")
        emit.line(f"{k} = 0;")
        emit.close()
        return k

    # ---- unknowns, residuals and the Jacobian ----
    def unknown(self, index: Net) -> Quantity:
        if index is None:
            return q.ZERO
        return Quantity(f"U{index}", ((index, "1.0"),))

    def stamp(self, row: Net, value: Quantity, scale: str = "1.0") -> None:
        """Add ``scale*value`` to equation ``row`` (its charge part to the reactive side)."""
        if row is None:
            return
        emit = self.emitter.line
        factor = "" if scale == "1.0" else f"{scale}*"
        if value.value not in ("0.0", "0"):
            emit(f"inst->res_resist[{row}] += {factor}{value.value};")
        for k, atom in value.partials:
            self.resist_entries.add((row, k))
            emit(f"inst->jac_resist[@J{row}_{k}@] += {factor}{atom};")
        if value.react is not None:
            react = value.react
            if react.value not in ("0.0", "0"):
                emit(f"inst->res_react[{row}] += {factor}{react.value};")
            for k, atom in react.partials:
                self.react_entries.add((row, k))
                self.resist_entries.add((row, k))
                emit(f"inst->jac_react[@J{row}_{k}@] += {factor}{atom};")

    def resolve(self, value: Quantity, loc: Location) -> Quantity:
        """A value with a ``ddt`` charge used where only a plain value fits: an implicit node
        ``y`` with the equation ``y - value - d(charge)/dt = 0``."""
        if value.react is None:
            return value
        if self._pass.loop_depth:
            raise located_error(
                loc, "a value holding ddt(...) is used nonlinearly inside a loop; assign it first"
            )
        node = self.topology.implicit_node(
            (loc, self._pass.inline_path), f"ddt{len(self.topology.implicit)}"
        )
        self.hooks.implicit_used(self, node)
        y = self.unknown(node)
        self.stamp(node, q.subtract(self.emitter, y, value.resist))
        self.stamp(node, Quantity("0.0", (), False, q.negate(self.emitter, value.react)))
        return y

    def branch_accumulator(self, flow: int, kind: str) -> CVar:
        name = f"acc{kind}{flow}"
        existing = self._pass.scopes[0].get(name)
        if isinstance(existing, CVar):
            return existing
        saved = self._pass.scopes
        self._pass.scopes = [saved[0]]
        variable = self.declare(name, False, stable=True)
        self._pass.scopes = saved
        return variable

    def _finish_branches(self) -> None:
        emit = self.emitter
        for net in self.topology.sources:
            if net not in self.topology.integrators:  # the net's row: V(x) - e = 0
                source = self.read(self.branch_accumulator(net, "s"))
                self.stamp(net, q.subtract(emit, self.unknown(net), source))
        for branch in self.topology.branches.values():
            flow = self.unknown(branch.flow)
            scale = "inst->p_mfactor"
            self.stamp(branch.positive, flow, scale)
            self.stamp(branch.negative, flow, f"-{scale}")
            potential = q.subtract(
                emit, self.unknown(branch.positive), self.unknown(branch.negative)
            )
            accumulated_v = self.read(self.branch_accumulator(branch.flow, "v"))
            accumulated_i = self.read(self.branch_accumulator(branch.flow, "i"))
            if branch.potential_contributed:
                emit.open(f"if (vmode{branch.flow})")
                self.stamp(branch.flow, q.subtract(emit, potential, accumulated_v))
                emit.reopen("else")
            else:
                emit.open("")
            self.stamp(branch.flow, q.subtract(emit, flow, accumulated_i))
            emit.close()

    def mode_flags(self) -> list[str]:
        """``vmode<flow>``: whether a branch is a potential source in this evaluation."""
        return [f"int vmode{b.flow} = {int(b.meter)};" for b in self.topology.branches.values()]

    # ---- statements ----
    def statement(self, statement: ast.Statement) -> None:
        emit = self.emitter
        match statement:
            case ast.Block():
                self._pass.scopes.append({})
                for declaration in statement.declarations:
                    if isinstance(declaration, ast.Parameter):
                        value = self.expression(declaration.default)
                        kind = declaration.type or ("integer" if value.is_int else "real")
                        local = self.declare(declaration.name, kind == "integer")
                        self.assign(local, value, declaration.loc)
                    else:
                        self._local(declaration)
                for child in statement.statements:
                    self.statement(child)
                self._pass.scopes.pop()
            case ast.Assign():
                self._assign_name(statement.target, self.expression(statement.value), statement.loc)
            case ast.IndexedAssign():
                target = self.lookup(statement.target, statement.loc)
                if not isinstance(target, CVar):
                    raise located_error(statement.loc, f"cannot assign to `{statement.target}`")
                value = self.expression(statement.value)
                k = self.element(target, statement.index, statement.loc)
                self.assign(target, value, statement.loc, index=k)
            case ast.Contribution():
                self._contribution(statement)
            case ast.If():
                condition = self.condition(statement.condition)
                emit.open(f"if ({condition})")
                self.statement(statement.then)
                if statement.otherwise is not None:
                    emit.reopen("else")
                    self.statement(statement.otherwise)
                emit.close()
            case ast.Case():
                self._case(statement)
            case ast.For():
                self.statement(statement.init)
                with self._loop():
                    emit.open("for (;;)")
                    emit.line(f"if (!({self.condition(statement.condition)})) break;")
                    self.statement(statement.body)
                    self.statement(statement.step)
                    emit.close()
            case ast.While():
                with self._loop():
                    emit.open("for (;;)")
                    emit.line(f"if (!({self.condition(statement.condition)})) break;")
                    self.statement(statement.body)
                    emit.close()
            case ast.NullStatement():
                pass
            case _:
                self.hooks.statement(self, statement)

    @contextmanager
    def _loop(self) -> Iterator[None]:
        self._pass.loop_depth += 1
        try:
            yield
        finally:
            self._pass.loop_depth -= 1

    def _local(self, declaration: ast.Variable | ast.ArrayVariable) -> None:
        low, length = self.array_shape(declaration)
        local = self.declare(
            declaration.name, declaration.type == "integer", length=length, low=low
        )
        if isinstance(declaration, ast.ArrayVariable):
            for k in range(length):  # a block's array starts at 0 or its initializer
                item = self.array_item(declaration, k)
                self.assign(local, item, declaration.loc, index=str(k))
            return
        if declaration.initializer is not None:
            value = self.expression(declaration.initializer)
        else:
            value = q.constant("0", True)
        self.assign(local, value, declaration.loc)

    def _assign_name(self, name: str, value: Quantity, loc: Location) -> None:
        symbol = self.lookup(name, loc)
        if not isinstance(symbol, CVar):
            raise located_error(loc, f"cannot assign to `{name}`")
        self.assign(symbol, value, loc)

    def _case(self, statement: ast.Case) -> None:
        emit = self.emitter
        subject = self.resolve(self.expression(statement.subject), statement.loc)
        held = q.linear(emit, (("1.0", subject.resist),), subject.is_int)
        first = True
        default: ast.CaseItem | None = None
        for item in statement.items:
            if not item.values:
                default = item
                continue
            tests = []
            for value in item.values:
                other = self.resolve(self.expression(value), value.loc)
                tests.append(f"({held.value} == {other.value})")
            head = f"if ({' || '.join(tests)})"
            if first:
                emit.open(head)
                first = False
            else:
                emit.reopen(f"else {head}")
            self.statement(item.statement)
        if default is not None:
            if first:
                self.statement(default.statement)
                return
            emit.reopen("else")
            self.statement(default.statement)
        if not first:
            emit.close()

    def _contribution(self, statement: ast.Contribution) -> None:
        topology = self.topology
        positive, negative = topology.access_nets(statement.access, statement.args, statement.loc)
        if positive == negative:
            raise located_error(statement.loc, "contribution to a branch from a net to itself")
        if negative is None and positive in topology.sources:
            value = self.expression(statement.value)  # an integrator stamps its own row
            if positive not in topology.integrators:
                source = self.branch_accumulator(positive, "s")
                self.assign(source, q.add(self.emitter, self.read(source), value), statement.loc)
            return
        value = self.expression(statement.value)
        found = topology.flow_branch(positive, negative)
        if topology.is_potential(statement.access):
            assert found is not None
            branch, sign = found
            accumulator = self.branch_accumulator(branch.flow, "v")
            term = value if sign > 0 else q.negate(self.emitter, value)
            self.assign(
                accumulator, q.add(self.emitter, self.read(accumulator), term), statement.loc
            )
            self.emitter.line(f"vmode{branch.flow} = 1;")
            return
        if found is not None:
            branch, sign = found
            accumulator = self.branch_accumulator(branch.flow, "i")
            term = value if sign > 0 else q.negate(self.emitter, value)
            self.assign(
                accumulator, q.add(self.emitter, self.read(accumulator), term), statement.loc
            )
            return
        self.stamp(positive, value, "inst->p_mfactor")
        self.stamp(negative, value, "-inst->p_mfactor")

    def condition(self, expr: ast.Expr) -> str:
        value = self.resolve(self.expression(expr), expr.loc)
        return f"{value.value} != 0"

    # ---- expressions ----
    def expression(self, expr: ast.Expr) -> Quantity:
        emit = self.emitter
        match expr:
            case ast.Number():
                return q.constant(
                    q.c_number(expr.value if not expr.is_integer else int(expr.value)),
                    expr.is_integer,
                )
            case ast.Identifier():
                symbol = self.lookup(expr.name, expr.loc)
                if isinstance(symbol, Parameter):
                    return Quantity(symbol.cname, (), symbol.is_int)
                return self.read(symbol)
            case ast.Unary():
                operand = self.expression(expr.operand)
                if expr.op == "+":
                    return operand
                if expr.op == "-":
                    return q.negate(emit, operand)
                operand = self.resolve(operand, expr.loc)
                if expr.op == "!":
                    return q.plain(emit, f"!({operand.value})", True)
                if expr.op == "~":
                    return q.plain(emit, f"~{q.to_integer(emit, operand).value}", True)
                raise located_error(expr.loc, f"operator `{expr.op}` is not supported")
            case ast.Binary():
                return self._binary(expr)
            case ast.Ternary():
                return self._ternary(expr)
            case ast.Call():
                return self._call(expr)
            case ast.SystemCall():
                return self.hooks.system_call(self, expr)
            case ast.String():
                raise located_error(expr.loc, "a string is not allowed in an expression here")
            case ast.PortBranch():
                raise located_error(
                    expr.loc, f"port branch `<{expr.name}>` is only allowed in I(<...>)"
                )
            case ast.Index():
                array = self.lookup(expr.name, expr.loc)
                if not isinstance(array, CVar):
                    raise located_error(expr.loc, f"`{expr.name}` is not an array")
                return self.read(array, self.element(array, expr.index, expr.loc))
        return self.hooks.expression(self, expr)

    def _binary(self, expr: ast.Binary) -> Quantity:
        emit = self.emitter
        op = expr.op
        if op in ("&&", "||"):
            return self._logical(expr)
        left = self.expression(expr.left)
        right = self.expression(expr.right)
        if op == "+":
            return q.add(emit, left, right)
        if op == "-":
            return q.subtract(emit, left, right)
        if op == "*":
            if left.react is not None and right.react is not None:
                right = self.resolve(right, expr.right.loc)
            return q.multiply(emit, left, right)
        if op in ("/", "%"):
            right = self.resolve(right, expr.right.loc)
            integer = (
                self.checked.division_types.get(expr) == "integer" and left.is_int and right.is_int
            )
            if integer:
                left = self.resolve(left, expr.left.loc)
                operator = "/" if op == "/" else "%"
                return q.plain(
                    emit, f"({right.value} == 0 ? 0 : {left.value} {operator} {right.value})", True
                )
            if op == "/":
                return q.divide_real(emit, left, right)
            left = self.resolve(left, expr.left.loc)
            return q.plain(emit, f"fmod({q.to_real(left).value}, {q.to_real(right).value})", False)
        if op == "**":
            return self._builtin("pow", [left, right], expr.loc)
        left = self.resolve(left, expr.left.loc)
        right = self.resolve(right, expr.right.loc)
        if op in _COMPARE:
            return q.plain(emit, f"({left.value} {op} {right.value})", True)
        if op in _INTEGER_OPS:
            a, b = q.to_integer(emit, left).value, q.to_integer(emit, right).value
            c_op = {"~^": "^", "^~": "^", "<<<": "<<", ">>>": ">>"}.get(op, op)
            text = f"({a} {c_op} {b})"
            return q.plain(emit, f"(~{text})" if op in ("~^", "^~") else text, True)
        raise located_error(expr.loc, f"operator `{op}` is not supported")

    def _logical(self, expr: ast.Binary) -> Quantity:
        emit = self.emitter
        result = emit.fresh("b")
        left = self.resolve(self.expression(expr.left), expr.left.loc)
        emit.line(f"int32_t {result} = ({left.value} != 0);")
        emit.open(f"if ({'' if expr.op == '&&' else '!'}{result})")
        right = self.resolve(self.expression(expr.right), expr.right.loc)
        emit.line(f"{result} = ({right.value} != 0);")
        emit.close()
        return Quantity(result, (), True)

    def _ternary(self, expr: ast.Ternary) -> Quantity:
        """``c ? a : b`` as an ``if``: only the chosen side is evaluated, as in the LRM."""
        emit = self.emitter
        condition = self.condition(expr.condition)
        holder = self._scratch(expr.loc)
        emit.open(f"if ({condition})")
        then = self.expression(expr.then)
        self.assign(holder, then, expr.loc)
        emit.reopen("else")
        otherwise = self.expression(expr.otherwise)
        self.assign(holder, otherwise, expr.loc)
        emit.close()
        if then.is_int and otherwise.is_int:
            return q.to_integer(emit, self.read(holder))
        return self.read(holder)

    def _scratch(self, loc: Location) -> CVar:
        """A real local holding an intermediate value (its partial set grows with its uses)."""
        self._pass.inline_count += 1
        self._pass.scopes.append({})
        holder = self.declare(f"s{loc.line}_{loc.column}", False)
        self._pass.scopes.pop()
        return holder

    def _call(self, call: ast.Call) -> Quantity:
        name = call.name
        if name in self.checked.functions:
            return self.inline(self.checked.functions[name], call.args, call.loc)
        if self.topology.is_potential(name) or name in self.topology.flow_access or name == "I":
            return self._probe(call)
        if name == "ddt":
            charge = q.to_real(self.resolve(self.expression(call.args[0]), call.loc))
            if not charge.partials and q.is_literal(charge.value):
                return q.ZERO
            return Quantity("0.0", (), False, charge)
        entry = BUILTINS.get(name)
        if entry is not None and entry.c is not None:
            args = [self.expression(a) for a in call.args]
            return self._builtin(name, args, call.loc)
        return self.hooks.call(self, call)

    def _builtin(self, name: str, args: Sequence[Quantity], loc: Location) -> Quantity:
        entry = BUILTINS[name]
        assert entry.c is not None
        resolved = [self.resolve(a, loc) for a in args]
        is_int = result_is_integer(entry.result, [a.is_int for a in resolved])
        if not is_int:
            resolved = [q.to_real(a) for a in resolved]
        return q.apply(self.emitter, entry.c, resolved, is_int)

    def _probe(self, call: ast.Call) -> Quantity:
        topology = self.topology
        if len(call.args) == 1 and isinstance(call.args[0], ast.PortBranch):
            port = call.args[0].name
            if port in topology.grounds:
                raise located_error(call.loc, f"`{call.name}(<{port}>)`: port `{port}` is ground")
            found = topology.flow_branch(topology.nets[port], topology.net(port))
            assert found is not None
            return self.unknown(found[0].flow)
        positive, negative = topology.access_nets(call.name, call.args, call.loc)
        if topology.is_potential(call.name):
            return q.subtract(self.emitter, self.unknown(positive), self.unknown(negative))
        if positive == negative:
            return q.ZERO
        found = topology.flow_branch(positive, negative)
        assert found is not None
        branch, sign = found
        flow = self.unknown(branch.flow)
        return flow if sign > 0 else q.negate(self.emitter, flow)

    def inline(
        self, function: ast.AnalogFunction, args: Sequence[ast.Expr], loc: Location
    ) -> Quantity:
        """An analog function call: its body in a scope of its own; output and inout
        arguments are copied back to the caller's variables."""
        state = self._pass
        if state.inline_depth >= _MAX_INLINE_DEPTH:
            raise located_error(
                loc, f"analog function `{function.name}` recurses; cannot inline it"
            )
        if len(args) != len(function.arguments):
            raise located_error(
                loc,
                f"analog function `{function.name}` takes {len(function.arguments)} argument(s)",
            )
        declared = {v.name: v for v in function.variables}
        values: list[Quantity | None] = []
        for argument, given in zip(function.arguments, args, strict=True):
            values.append(None if argument.direction == "output" else self.expression(given))
        state.inline_count += 1
        state.inline_depth += 1
        state.inline_path = (*state.inline_path, state.inline_count)
        state.scopes.append({})
        try:
            parameters_only: dict[str, Symbol] = dict(self.parameters)
            state.scopes[-1].update(parameters_only)
            result = self.declare(function.name, function.type == "integer")
            self.assign(result, q.constant("0", True), loc)
            locals_: list[CVar] = []
            for argument, value in zip(function.arguments, values, strict=True):
                kind = declared[argument.name].type if argument.name in declared else "real"
                local = self.declare(argument.name, kind == "integer")
                self.assign(
                    local, value if value is not None else q.constant("0", True), argument.loc
                )
                locals_.append(local)
            for variable in function.variables:
                if variable.name not in {a.name for a in function.arguments}:
                    self._local(variable)
            saved_scopes = state.scopes
            state.scopes = [saved_scopes[-1]]  # module variables are invisible in functions
            try:
                for statement in function.body:
                    self.statement(statement)
            finally:
                state.scopes = saved_scopes
            returned = self.read(result)
            returned = q.linear(self.emitter, (("1.0", returned),), returned.is_int)
            outputs = [
                (argument, arg, local)
                for argument, arg, local in zip(function.arguments, args, locals_, strict=True)
                if argument.direction in ("output", "inout")
            ]
            copies = [(arg, self.read(local)) for _, arg, local in outputs]
        finally:
            state.scopes.pop()
            state.inline_depth -= 1
            state.inline_path = state.inline_path[:-1]
        for arg, copied in copies:
            self.hooks.assign_output(self, arg, copied)
        return returned

    def array_item(self, declaration: ast.ArrayVariable, k: int) -> Quantity:
        """Element ``k`` (from 0) of an array's initializer, or 0."""
        literal = declaration.initializer
        items = literal.items if isinstance(literal, ast.ArrayLiteral) else ()
        if not items:
            return q.constant("0", True)
        length = self.array_shape(declaration)[1]
        if len(items) != length:
            raise located_error(
                declaration.loc,
                f"array `{declaration.name}` has {length} elements, its initializer {len(items)}",
            )
        return self.expression(items[k])

    # ---- constants of the device ----
    def vt(self, temperature: str | None = None) -> Quantity:
        return q.plain(
            self.emitter, f"({_BOLTZMANN}*{temperature or 'inst->temperature'}/{_CHARGE})", False
        )


class Hooks:
    """The stateful and target-specific parts of the translation (``state.py``)."""

    def begin_pass(self, translator: Translator) -> None: ...

    def load_held(self, translator: Translator) -> None: ...

    def implicit_used(self, translator: Translator, node: int) -> None: ...

    def finish_implicit(self, translator: Translator) -> None: ...

    def statement(self, translator: Translator, statement: ast.Statement) -> None:
        raise located_error(statement.loc, "this statement is not supported")

    def expression(self, translator: Translator, expr: ast.Expr) -> Quantity:
        raise located_error(expr.loc, "this expression is not supported")

    def call(self, translator: Translator, call: ast.Call) -> Quantity:
        raise located_error(call.loc, f"`{call.name}` is not supported by the osdi target")

    def system_call(self, translator: Translator, call: ast.SystemCall) -> Quantity:
        raise located_error(call.loc, f"`{call.name}` is not supported by the osdi target")

    def assign_output(self, translator: Translator, target: ast.Expr, value: Quantity) -> None:
        if not isinstance(target, ast.Identifier):
            raise located_error(target.loc, "an output argument needs a variable")
        translator._assign_name(target.name, value, target.loc)


VarKind = VarType
