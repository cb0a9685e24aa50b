"""Verilog-A module -> the C source of a native OSDI device (``NativeDevice``)."""

from __future__ import annotations

from dataclasses import dataclass

from spicegen.va import ast
from spicegen.va.check import CheckedModel, CheckedModule
from spicegen.va.osdi import quantity as q
from spicegen.va.osdi.descriptor import InstanceParameter, instance_parameters, setup_code, source
from spicegen.va.osdi.evaluate import Hooks, Translator
from spicegen.va.osdi.state import NOISE_STEP, DeviceState
from spicegen.va.osdi.unknowns import Node, topology
from spicegen.va.randomness import Draw, draw_values


@dataclass(frozen=True, slots=True)
class NativeDevice:
    """A module as C: ``parameters`` are the names an instance line may set (the hidden
    random variates included), ``draws`` the random call sites among them."""

    module: str
    c_source: str
    parameters: tuple[str, ...]
    draws: tuple[Draw, ...]
    nodes: tuple[Node, ...]
    adds_noise_step: bool


def generate(model: CheckedModel, checked: CheckedModule, *, seed: int = 0) -> NativeDevice:
    """The C source of ``checked`` (raises a located ``VaError`` for what it cannot express)."""
    module = checked.module
    declared = {p.name for p in module.parameters if not p.local}
    state = DeviceState(module.name, NOISE_STEP in declared)
    nodes = topology(model, checked)
    translator = Translator(checked, nodes, state)
    code = translator.generate(lambda: None, lambda: state.store_held(translator))
    code.declarations[:0] = translator.mode_flags()
    adds_noise_step = state.uses_noise_step and NOISE_STEP not in declared
    draws = tuple(state.draws)
    variates = draw_values(draws, seed, module.name)
    parameters = instance_parameters(checked, draws, adds_noise_step, variates)
    setup = setup_code(checked, nodes, parameters)
    reset = _reset_code(checked, nodes, state)
    text = source(checked, nodes, code, state, parameters, setup, reset)
    return NativeDevice(
        module.name,
        text,
        tuple(p.name for p in parameters if p.exposed),
        draws,
        tuple(nodes.nodes),
        adds_noise_step,
    )


def _reset_code(checked: CheckedModule, nodes: object, state: DeviceState) -> list[str]:
    """Held values when an analysis starts: events cleared, variables at their initializers."""
    translator = Translator(checked, nodes, Hooks())  # type: ignore[arg-type]
    translator._pass.scopes.append(dict(translator.parameters))
    emit = translator.emitter
    emit.line("memset(&inst->committed, 0, sizeof inst->committed);")
    for held in state.fields:
        if held.initial != "0":
            emit.line(f"inst->committed.{held.name} = {held.initial};")
    for variable in checked.module.variables:
        if variable.initializer is None:
            continue
        if isinstance(variable, ast.ArrayVariable):
            _, length = translator.array_shape(variable)
            items = [translator.array_item(variable, k) for k in range(length)]
        else:
            items = [translator.expression(variable.initializer)]
        for k, item in enumerate(items):
            value = q.to_integer(emit, item) if variable.type == "integer" else q.to_real(item)
            element = f"[{k}]" if isinstance(variable, ast.ArrayVariable) else ""
            emit.line(f"inst->committed.v_{variable.name}{element} = {value.value};")
    return [line.removeprefix("    ") for line in emit.lines]


__all__ = ["InstanceParameter", "NativeDevice", "ast", "generate"]
