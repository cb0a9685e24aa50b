"""State and events of a native device: what is held between evaluations, and when.

ngspice gives a device no call when it accepts a time point, and it does not roll back the
OSDI state slots after a rejected step. So every held value lives twice in the instance:
``committed`` (its value at the last accepted point) and ``pending`` (its value at the last
evaluation). An evaluation at a later time than the pending one means that point was
accepted: pending becomes committed. An evaluation at an earlier time means the step was
rejected: pending is dropped. Each evaluation starts from committed values, so a rejected
step never leaks into the result, and a variable read before it is assigned reads its value
from the last accepted point (LRM: the previous evaluation's value).

Events: ``initial_step``/``initial_instance`` hold until the first point of the analysis is
accepted; ``cross``/``above`` compare an expression with its value at the last accepted
point; ``timer`` compares the time with its next firing time. A step that passes an event is
rejected and retried to land on it (``sg_land``: ngspice retries a step whose ``$bound_step``
is below 0.9 of it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from spicegen.va import ast
from spicegen.va.builtins import BUILTINS, SYSTEM_FUNCTIONS, CForm
from spicegen.va.osdi import quantity as q
from spicegen.va.osdi.evaluate import CVar, Hooks, Translator
from spicegen.va.osdi.quantity import Quantity
from spicegen.va.osdi.tasks import c_literal, message_call
from spicegen.va.randomness import (
    INTEGER_DISTRIBUTIONS,
    SYSTEM_DISTRIBUTIONS,
    Distribution,
    Draw,
)
from spicegen.va.values import located_error

NOISE_STEP = "noise_step"  # instance parameter: sample interval of white_noise, s
NOISE_SEED = "noise_seed"  # hidden instance parameter: the instance's noise stream
_ANALYSES = {
    "tran": "SG_ANALYSIS_TRAN",
    "static": "SG_ANALYSIS_DC",
    "dc": "SG_ANALYSIS_DC",
    "ac": "SG_ANALYSIS_AC",
    "noise": "SG_ANALYSIS_NOISE",
}


@dataclass(frozen=True, slots=True)
class HeldField:
    """One field of the held-state struct (committed, pending and initial copies)."""

    ctype: str
    name: str
    length: int = 0
    initial: str = "0"  # its value when an analysis starts (module variables: initializers)


@dataclass(slots=True)
class DeviceState(Hooks):
    """Collects the held fields, draws and messages of one module while it is translated."""

    module: str
    declared_noise_step: bool
    fields: list[HeldField] = field(default_factory=list)
    draws: list[Draw] = field(default_factory=list)
    strobes: int = 0
    histories: int = 0
    latches: int = 0
    uses_noise_step: bool = False
    implicit: list[int] = field(default_factory=list)
    _sites: int = 0

    # ---- passes ----
    def begin_pass(self, translator: Translator) -> None:
        self.fields = []
        self.draws = []
        self.strobes = 0
        self.histories = 0
        self.latches = 0
        self.implicit = []
        self._sites = 0
        self.uses_noise_step = False

    def _site(self) -> int:
        self._sites += 1
        return self._sites

    def _held(self, ctype: str, stem: str, initial: str = "0") -> str:
        name = f"{stem}{len(self.fields)}"
        self.fields.append(HeldField(ctype, name, 0, initial))
        return name

    def load_held(self, translator: Translator) -> None:
        """Module variables start each evaluation from their committed values."""
        for variable in translator._pass.variables.values():
            if variable.held:
                self.fields.append(
                    HeldField(
                        "int32_t" if variable.is_int else "double", variable.cname, variable.length
                    )
                )
                if variable.length:
                    name = variable.cname
                    translator.emitter.line(
                        f"memcpy({name}, inst->committed.{name}, sizeof {name});"
                    )
                else:
                    translator.emitter.line(f"{variable.cname} = inst->committed.{variable.cname};")

    def store_held(self, translator: Translator) -> None:
        for variable in translator._pass.variables.values():
            if variable.held:
                if variable.length:
                    name = variable.cname
                    translator.emitter.line(f"memcpy(inst->pending.{name}, {name}, sizeof {name});")
                else:
                    translator.emitter.line(f"inst->pending.{variable.cname} = {variable.cname};")

    # ---- implicit nodes ----
    def implicit_used(self, translator: Translator, node: int) -> None:
        if node not in self.implicit:
            self.implicit.append(node)
        translator.emitter.line(f"done{node} = 1;")

    def finish_implicit(self, translator: Translator) -> None:
        """An implicit node whose operator did not run (constant-false branch) reads 0."""
        for node in self.implicit:
            translator.emitter.open(f"if (!done{node})")
            translator.stamp(node, translator.unknown(node))
            translator.emitter.close()

    # ---- statements ----
    def statement(self, translator: Translator, statement: ast.Statement) -> None:
        match statement:
            case ast.EventControl():
                self._event(translator, statement)
            case ast.SystemTask():
                self._task(translator, statement)
            case ast.CallStatement():
                call = statement.call
                function = translator.checked.functions.get(call.name)
                if function is None:
                    raise located_error(call.loc, f"`{call.name}` is not an analog function")
                translator.inline(function, call.args, call.loc)
            case _:
                super().statement(translator, statement)

    def _event(self, translator: Translator, statement: ast.EventControl) -> None:
        emit = translator.emitter
        fired = emit.fresh("fire")
        emit.line(f"int {fired} = 0;")
        for event in statement.events:
            emit.line(f"{fired} |= {self._event_fires(translator, event)};")
        emit.open(f"if ({fired})")
        translator.statement(statement.body)
        emit.close()

    def _event_fires(self, translator: Translator, event: ast.Expr) -> str:
        name = event.name if isinstance(event, ast.Identifier | ast.Call) else ""
        args = event.args if isinstance(event, ast.Call) else ()
        if name in ("initial_step", "initial_instance"):
            first = "sg_first_point" if name == "initial_step" else "sg_first_instance_point"
            analyses = [a.value for a in args if isinstance(a, ast.String)]
            if len(analyses) != len(args):
                raise located_error(event.loc, f"`{name}` takes analysis names as strings")
            if not analyses:
                return first
            unknown = [a for a in analyses if a.lower() not in _ANALYSES]
            if unknown:
                raise located_error(
                    event.loc,
                    f"unknown analysis `{unknown[0]}`; expected one of {', '.join(_ANALYSES)}",
                )
            flags = " | ".join(sorted({_ANALYSES[a.lower()] for a in analyses}))
            return f"({first} && (flags & ({flags})) != 0)"
        if name == "final_step":
            # ngspice's OSDI interface has no end-of-analysis call; a DC analysis is its own
            # last point, a transient's last point is not known to the device
            return "((flags & SG_ANALYSIS_TRAN) == 0)"
        if name in ("cross", "above"):
            return self._crossing(translator, event, args, rising_only=name == "above")
        if name == "timer":
            return self._timer(translator, event, args)
        raise located_error(
            event.loc,
            "unknown event; expected initial_step, initial_instance, final_step, cross, above "
            "or timer",
        )

    def _crossing(
        self, translator: Translator, event: ast.Expr, args: tuple[ast.Expr, ...], rising_only: bool
    ) -> str:
        emit = translator.emitter
        if not 1 <= len(args) <= 4 or (rising_only and len(args) > 3):
            raise located_error(
                event.loc,
                "expected `cross(expr[, direction[, time_tol[, expr_tol]]])` or "
                "`above(expr[, time_tol[, expr_tol]])`",
            )
        value = translator.resolve(translator.expression(args[0]), args[0].loc)
        direction = "1"
        tolerance_arg = 1 if rising_only else 2
        if not rising_only and len(args) > 1:
            direction = q.to_integer(
                emit, translator.resolve(translator.expression(args[1]), args[1].loc)
            ).value
        tolerance = "0.0"
        if len(args) > tolerance_arg:
            tolerance = q.to_real(
                translator.resolve(translator.expression(args[tolerance_arg]), event.loc)
            ).value
        held = self._held("double", "cross")
        valid = self._held("int32_t", "valid")
        fired = emit.fresh("crossed")
        now = q.to_real(value).value
        emit.line(f"int {fired} = 0;")
        emit.open(f"if (inst->committed.{valid})")
        emit.line(f"const double before = inst->committed.{held};")
        emit.line(f"{fired} = sg_crossed(before, {now}, {direction});")
        emit.open(f"if ({fired})")
        # where the expression reached zero, by the secant between the two points
        emit.line(f"const double t_event = t_prev + (abstime - t_prev)*before/(before - {now});")
        emit.line(f"sg_land(&inst->bound_step, t_prev, abstime, t_event, {tolerance});")
        emit.close()
        emit.close()
        if rising_only:
            emit.line(
                f"if (!inst->committed.{valid} && sg_first_point && {now} >= 0.0) {fired} = 1;"
            )
        # an event that fired at this time point stays fired through its Newton iterations:
        # the body may move the expression back (a reset), which must not undo the event
        latch = self.latches
        self.latches += 1
        emit.line(f"if (inst->latch_time{latch} == abstime && inst->latched{latch}) {fired} = 1;")
        emit.line(f"inst->latch_time{latch} = abstime;")
        emit.line(f"inst->latched{latch} = {fired};")
        emit.line(f"inst->pending.{held} = {now};")
        emit.line(f"inst->pending.{valid} = sg_transient;")
        return fired

    def _timer(self, translator: Translator, event: ast.Expr, args: tuple[ast.Expr, ...]) -> str:
        emit = translator.emitter
        if not 1 <= len(args) <= 3:
            raise located_error(event.loc, "`timer(start[, period[, time_tol]])`")
        start = q.to_real(translator.resolve(translator.expression(args[0]), args[0].loc)).value
        period = "0.0"
        if len(args) > 1:
            period = q.to_real(
                translator.resolve(translator.expression(args[1]), args[1].loc)
            ).value
        tolerance = "0.0"
        if len(args) > 2:
            tolerance = q.to_real(
                translator.resolve(translator.expression(args[2]), args[2].loc)
            ).value
        next_time = self._held("double", "timer", "NAN")
        fired = emit.fresh("timed")
        emit.line(f"int {fired} = 0;")
        emit.open("if (sg_transient)")
        emit.line(f"double next = inst->committed.{next_time};")
        emit.line(f"if (isnan(next)) next = {start};")
        emit.line("const double slack = 1e-12*fmax(fabs(next), 1e-12);")
        emit.open("if (abstime >= next - slack)")
        emit.line(f"{fired} = 1;")
        emit.line(f"sg_land(&inst->bound_step, t_prev, abstime, next, {tolerance} + slack);")
        emit.line(
            f"next = {period} > 0.0 ? next + {period}*floor((abstime - next)/{period} + 1.0)"
            " : INFINITY;"
        )
        emit.close()
        emit.line("sg_approach(&inst->bound_step, t_prev, abstime, next);")
        emit.line(f"inst->pending.{next_time} = next;")
        emit.close()
        return fired

    def _task(self, translator: Translator, statement: ast.SystemTask) -> None:
        emit = translator.emitter
        name = statement.name
        if name == "$bound_step":
            if len(statement.args) != 1:
                raise located_error(statement.loc, "`$bound_step(dt)` takes one argument")
            step = q.to_real(
                translator.resolve(translator.expression(statement.args[0]), statement.loc)
            )
            emit.line(
                f"if ({step.value} > 0.0 && {step.value} < inst->bound_step)"
                f" inst->bound_step = {step.value};"
            )
            return
        if name in ("$discontinuity", "$debug"):
            return
        if name in ("$finish", "$stop"):
            emit.line("ret |= SG_EVAL_STOP;")
            return
        if name == "$strobe":
            index = self.strobes
            self.strobes += 1
            format_, values = message_call(translator, statement)
            emit.line(
                f"snprintf(inst->strobe{index}, sizeof inst->strobe{index}, {format_}{values});"
            )
            emit.line(f"inst->strobe_set{index} = 1;")
            emit.line(
                f"if (!sg_transient) sg_strobe_static(handle, inst->strobe{index},"
                f" inst->strobe_shown{index});"
            )
            return
        levels = {
            "$display": "SG_LOG_DISPLAY",
            "$write": "SG_LOG_DISPLAY",
            "$monitor": "SG_LOG_DISPLAY",
            "$info": "SG_LOG_DISPLAY",
            "$warning": "SG_LOG_WARN",
            "$error": "SG_LOG_ERR",
            "$fatal": "SG_LOG_FATAL",
        }
        if name not in levels:
            raise located_error(statement.loc, f"system task `{name}` is not supported")
        args = statement.args
        if name == "$fatal" and args and not isinstance(args[0], ast.String):
            args = args[1:]  # $fatal(finish_number, "format", ...)
        format_, values = message_call(translator, ast.SystemTask(name, args, statement.loc))
        # words the engine reads (sim/log.py): ngspice prints the instance before them
        prefix = {
            "$warning": "Warning: ",
            "$error": "Verilog-A $error: ",
            "$fatal": "Verilog-A $fatal: ",
        }.get(name, "")
        if prefix:
            format_ = f"{c_literal(prefix)} {format_}"
        emit.line(f"sg_message(handle, {levels[name]}, {format_}{values});")
        if name in ("$error", "$fatal"):
            emit.line("ret |= SG_EVAL_FATAL;")

    # ---- functions ----
    def call(self, translator: Translator, call: ast.Call) -> Quantity:
        if call.name == "idt":
            return self._integral(translator, call)
        if call.name == "white_noise":
            return self._white_noise(translator, call)
        if call.name == "flicker_noise":
            # transient flicker noise is 0 (small-signal noise only, as in SPICE)
            for argument in call.args:
                translator.expression(argument)
            return q.ZERO
        if call.name == "transition":
            return self._transition(translator, call)
        if call.name == "absdelay":
            return self._absdelay(translator, call)
        if call.name == "ddx":
            return self._ddx(translator, call)
        if call.name == "analysis":
            return self._analysis(translator, call)
        return super().call(translator, call)

    def _real_arg(self, translator: Translator, call: ast.Call, k: int, default: str) -> str:
        if len(call.args) <= k:
            return default
        value = translator.resolve(translator.expression(call.args[k]), call.args[k].loc)
        return q.to_real(value).value

    def _passes_in_dc(self, translator: Translator, value: Quantity, result: str) -> Quantity:
        """``result``, which equals ``value`` outside a transient, where its derivatives are
        those of ``value``; in a transient it does not depend on the present solution."""
        emit = translator.emitter
        partials = tuple(
            (k, emit.temp(f"(sg_transient ? 0.0 : {atom})")) for k, atom in value.partials
        )
        return Quantity(result, partials)

    def _transition(self, translator: Translator, call: ast.Call) -> Quantity:
        emit = translator.emitter
        value = q.to_real(translator.resolve(translator.expression(call.args[0]), call.loc))
        delay = self._real_arg(translator, call, 1, "0.0")
        rise = self._real_arg(translator, call, 2, "0.0")
        fall = self._real_arg(translator, call, 3, rise)
        field = self._held("sg_ramp", "ramp")
        result = emit.fresh("ramp")
        emit.line(
            f"const double {result} = sg_transition(&inst->committed.{field}, "
            f"&inst->pending.{field}, {value.value}, abstime, t_prev, sg_transient, {delay}, "
            f"{rise}, {fall}, &inst->bound_step);"
        )
        return self._passes_in_dc(translator, value, result)

    def _absdelay(self, translator: Translator, call: ast.Call) -> Quantity:
        emit = translator.emitter
        value = q.to_real(translator.resolve(translator.expression(call.args[0]), call.loc))
        delay = self._real_arg(translator, call, 1, "0.0")
        held = self._held("double", "delayed")
        history = f"inst->history{self.histories}"
        self.histories += 1
        result = emit.fresh("delayed")
        emit.line(f"double {result} = {value.value};")
        emit.open("if (sg_transient)")
        emit.line(
            f"if (!sg_first_point) sg_history_add(&{history}, t_prev, inst->committed.{held});"
        )
        emit.line(f"{result} = sg_history_at(&{history}, abstime - ({delay}), {value.value});")
        emit.line(f"if ({delay} > 0.0 && {delay} < inst->bound_step) inst->bound_step = {delay};")
        emit.close()
        emit.line(f"inst->pending.{held} = {value.value};")
        return self._passes_in_dc(translator, value, result)

    def _ddx(self, translator: Translator, call: ast.Call) -> Quantity:
        """``ddx(f, V(a))`` or ``ddx(f, I(b))``: the partial derivative of ``f`` by that unknown
        (its own derivatives, second derivatives of ``f``, are not carried)."""
        f = translator.resolve(translator.expression(call.args[0]), call.loc)
        probe = call.args[1]
        unknowns = (
            translator.expression(probe).unknowns if isinstance(probe, ast.Call) else frozenset()
        )
        if not isinstance(probe, ast.Call) or len(unknowns) != 1:
            raise located_error(
                probe.loc, "`ddx` differentiates by one probe: V(node) or I(branch)"
            )
        (unknown,) = unknowns
        return Quantity(translator.emitter.temp(f.partial(unknown)))

    def _analysis(self, translator: Translator, call: ast.Call) -> Quantity:
        names = [a.value for a in call.args if isinstance(a, ast.String)]
        if len(names) != len(call.args):
            raise located_error(call.loc, "`analysis` takes analysis names as strings")
        flags = []
        for name in names:
            key = name.lower()
            if key not in _ANALYSES and key not in ("ic", "nodeset"):
                raise located_error(call.loc, f"unknown analysis `{name}`")
            flags.append(
                {"ic": "SG_ANALYSIS_IC", "nodeset": "65536u"}.get(key, _ANALYSES.get(key, ""))
            )
        return q.plain(translator.emitter, f"((flags & ({' | '.join(flags)})) != 0)", True)

    def _integral(self, translator: Translator, call: ast.Call) -> Quantity:
        if len(call.args) > 2:
            raise located_error(
                call.loc, "`idt` with a reset (assert) argument is not supported yet"
            )
        emit = translator.emitter
        integrand = q.to_real(translator.resolve(translator.expression(call.args[0]), call.loc))
        if len(call.args) > 1:
            initial = q.to_real(translator.resolve(translator.expression(call.args[1]), call.loc))
        else:
            initial = q.ZERO
        node = translator.topology.implicit_node(
            (call.loc, translator._pass.inline_path), f"idt{len(translator.topology.implicit)}"
        )
        self.implicit_used(translator, node)
        state = translator.unknown(node)
        # a transient integrates d(state)/dt = integrand; every DC analysis (and a transient's
        # operating point) holds state = initial
        emit.open("if (flags & SG_CALC_REACT_RESIDUAL)")
        translator.stamp(node, q.negate(emit, integrand))
        translator.stamp(node, Quantity("0.0", (), False, state))
        emit.reopen("else")
        translator.stamp(node, q.subtract(emit, state, initial))
        emit.close()
        return state

    def _noise_level(self, translator: Translator, kind: str, step: str) -> Quantity:
        """A held random level, new every ``step`` s from the instance's noise stream; the
        mean (0.5 or 0) outside a transient, like the subckt target's ``trrandom``."""
        emit = translator.emitter
        site = self._site()
        level = emit.fresh("level")
        mean = "0.5" if kind == "uniform" else "0.0"
        draw = "sg_uniform" if kind == "uniform" else "sg_normal"
        emit.line(f"double {level} = {mean};")
        emit.open(f"if (sg_transient && {step} > 0.0)")
        emit.line(f"const double slot = floor(abstime/{step});")
        emit.line(
            f"{level} = {draw}(sg_key((uint64_t)(int64_t)inst->p_{NOISE_SEED}, {site}u,"
            " (uint64_t)slot));"
        )
        emit.line(f"sg_approach(&inst->bound_step, t_prev, abstime, (slot + 1.0)*{step});")
        emit.line(f"sg_land(&inst->bound_step, t_prev, abstime, slot*{step}, 1e-9*{step});")
        emit.close()
        return Quantity(level)

    def _white_noise(self, translator: Translator, call: ast.Call) -> Quantity:
        """``white_noise(pwr)``: held Gaussian levels of variance ``pwr/(2*noise_step)``, whose
        one-sided power spectral density below ``1/(2*noise_step)`` is ``pwr``."""
        emit = translator.emitter
        power = q.to_real(translator.resolve(translator.expression(call.args[0]), call.loc))
        self.uses_noise_step = True
        self._noise_seed()
        level = self._noise_level(translator, "normal", f"inst->p_{NOISE_STEP}")
        scale = q.apply(
            emit,
            _SQRT,
            [q.divide_real(emit, power, q.constant(f"(2.0*inst->p_{NOISE_STEP})"))],
            False,
        )
        return q.multiply(emit, scale, level)

    def _noise_seed(self) -> None:
        if not any(d.parameter == NOISE_SEED for d in self.draws):
            self.draws.append(Draw(NOISE_SEED, "integer", 1000 + len(self.draws)))

    def system_call(self, translator: Translator, call: ast.SystemCall) -> Quantity:
        emit = translator.emitter
        name = call.name
        args = call.args
        if name == "$vt":
            if args:
                temperature = q.to_real(
                    translator.resolve(translator.expression(args[0]), call.loc)
                )
                return translator.vt(temperature.value)
            return translator.vt()
        if name == "$temperature":
            return Quantity("inst->temperature")
        if name in ("$abstime", "$realtime"):
            return Quantity("abstime")
        if name == "$mfactor":
            return Quantity("inst->p_mfactor")
        if name == "$simparam":
            return self._simparam(translator, call)
        if name == "$param_given":
            if len(args) != 1 or not isinstance(args[0], ast.Identifier):
                raise located_error(call.loc, "`$param_given(name)` takes a parameter name")
            if args[0].name not in translator.parameters:
                raise located_error(args[0].loc, f"`{args[0].name}` is not a parameter")
            return q.plain(
                emit, f"(inst->given_{args[0].name} || model->given_{args[0].name})", True
            )
        if name in ("$noise_uniform", "$noise_normal"):
            step = q.to_real(translator.resolve(translator.expression(args[0]), call.loc))
            self._noise_seed()
            return self._noise_level(translator, name.removeprefix("$noise_"), step.value)
        if name in SYSTEM_DISTRIBUTIONS:
            return self._random(translator, call)
        if name in INTEGER_DISTRIBUTIONS:  # the real draw, rounded half away from zero
            real = self._random(
                translator, dataclasses.replace(call, name=INTEGER_DISTRIBUTIONS[name])
            )
            return q.plain(translator.emitter, f"(int32_t)lround({real.value})", True)
        if name == "$limit":  # the probe itself: no limiting, which Newton converges to anyway
            if not args:
                raise located_error(call.loc, "`$limit` needs the probe it limits")
            return translator.expression(args[0])
        if name not in SYSTEM_FUNCTIONS:
            raise located_error(call.loc, f"unsupported system function `{name}`")
        return super().system_call(translator, call)

    def _simparam(self, translator: Translator, call: ast.SystemCall) -> Quantity:
        emit = translator.emitter
        args = call.args
        if not 1 <= len(args) <= 2 or not isinstance(args[0], ast.String):
            raise located_error(call.loc, '`$simparam("name"[, default])` takes a name string')
        name = args[0].value
        found = emit.fresh("found")
        if len(args) == 2:
            fallback = q.to_real(translator.resolve(translator.expression(args[1]), call.loc)).value
        else:
            fallback = "0.0"
        value = emit.fresh("simparam")
        emit.line(f"int {found};")
        quoted = _c_string(name)
        emit.line(
            f'const double {value} = sg_simparam(&info->paras, "{quoted}", {fallback}, &{found});'
        )
        if len(args) == 1:
            emit.open(f"if (!{found})")
            emit.line(
                f'sg_message(handle, SG_LOG_ERR, "Verilog-A $error: $simparam(\\"{quoted}\\") is'
                ' not known to ngspice and has no default");'
            )
            emit.line("ret |= SG_EVAL_FATAL;")
            emit.close()
        return Quantity(value)

    def _random(self, translator: Translator, call: ast.SystemCall) -> Quantity:
        """``$rdist_*``/``$random``: a seed variable gives a fresh draw per evaluation (and
        advances the seed); a constant seed gives one draw per instance, a hidden instance
        parameter drawn from the instance seed (as on the subckt target)."""
        emit = translator.emitter
        distribution: Distribution = SYSTEM_DISTRIBUTIONS[call.name]
        args = call.args
        seed = args[0] if args else None
        variable = None
        if isinstance(seed, ast.Identifier):
            symbol = translator.lookup(seed.name, seed.loc)
            if isinstance(symbol, CVar):
                variable = symbol
        if variable is not None:
            assert isinstance(seed, ast.Identifier)
            if not variable.is_int:
                raise located_error(seed.loc, f"the seed `{seed.name}` must be an integer variable")
            draw = _SEEDED[distribution]
            value = emit.fresh("draw")
            kind = "int32_t" if distribution == "integer" else "double"
            emit.line(f"{kind} {value} = {draw}(&{variable.cname});")
            if distribution == "exponential":
                emit.line(f"{value} = -log({value});")
            variate = Quantity(value, (), distribution == "integer")
        else:
            parameter = f"rdist{len(self.draws)}"
            self.draws.append(Draw(parameter, distribution, len(self.draws)))
            variate = Quantity(f"inst->p_{parameter}", (), distribution == "integer")
        if distribution == "integer":
            return variate
        values = [
            q.to_real(translator.resolve(translator.expression(a), call.loc)) for a in args[1:3]
        ]
        if distribution == "exponential":  # $rdist_exponential(seed, mean)
            return q.multiply(emit, values[0], variate)
        if distribution == "normal":  # $rdist_normal(seed, mean, sd)
            return q.add(emit, values[0], q.multiply(emit, values[1], variate))
        span = q.subtract(emit, values[1], values[0])  # $rdist_uniform(seed, lo, hi)
        return q.add(emit, values[0], q.multiply(emit, span, variate))


_SEEDED = {
    "normal": "sg_seeded_normal",
    "uniform": "sg_seeded_uniform",
    "exponential": "sg_seeded_uniform",  # -log(u) below
    "integer": "sg_seeded_integer",
}


def _c_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sqrt_form() -> CForm:
    form = BUILTINS["sqrt"].c
    assert form is not None
    return form


_SQRT = _sqrt_form()
