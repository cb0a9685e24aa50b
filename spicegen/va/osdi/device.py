"""A native device as spicegen's one device type: the compiled library and a wrapper
subcircuit, so that circuits instance it exactly like a subckt-target model.

The wrapper is ``.subckt <module> <ports> params: <parameters with their defaults>``
holding ``.model <module>_m <module>_va`` and ``N1 <ports> <module>_m p={p} ...``: every
parameter reaches the device, defaults follow the LRM's order (ngspice evaluates them in the
subckt header), and per-instance random variates are subckt parameters as on the subckt
target. The library must be loaded (``osdi <path>``) before the deck; the engine does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spicegen.netlist import Model, OsdiInstance, Subckt
from spicegen.va.builtins import Scalar
from spicegen.va.check import CheckedModel, CheckedModule
from spicegen.va.lower import parameter_defaults
from spicegen.va.names import check_ngspice_names, ngspice_parameters
from spicegen.va.osdi.build import build
from spicegen.va.osdi.descriptor import device_type
from spicegen.va.osdi.generate import NativeDevice, generate
from spicegen.va.osdi.state import NOISE_STEP
from spicegen.va.randomness import Draw, draw_values


@dataclass(frozen=True, slots=True)
class NativeModel:
    """The wrapper subckt, the random draws among its parameters and the library path."""

    subckt: Subckt
    draws: tuple[Draw, ...]
    library: Path
    device: NativeDevice
    names: dict[str, str]  # Verilog-A parameter -> the wrapper subckt's parameter


def native_model(model: CheckedModel, checked: CheckedModule, *, seed: int = 0) -> NativeModel:
    """Generate, compile (or find in the cache) and wrap one module."""
    check_ngspice_names(checked, reserved=False)
    device = generate(model, checked, seed=seed)
    library = build(device.c_source, checked.module.name, checked.module.loc)
    params: list[tuple[str, Scalar | str]] = list(_defaults(checked))
    if device.adds_noise_step:
        params.append((NOISE_STEP, 1e-9))
    params.extend(draw_values(device.draws, seed, checked.module.name).items())
    names = ngspice_parameters(name for name, _ in params)
    model_name = f"{checked.module.name}_m"
    instance = OsdiInstance(
        "N1",
        (*checked.port_names, *checked.internal_nodes),
        model_name,
        tuple((names[name], f"{{{names[name]}}}") for name, _ in params),
    )
    subckt = Subckt(
        checked.module.name,
        checked.port_names,
        tuple((names[name], _renamed(value, names)) for name, value in params),
        (instance,),
        models=(Model(model_name, device_type(checked.module.name), library=str(library)),),
    )
    return NativeModel(subckt, device.draws, library, device, names)


def _defaults(checked: CheckedModule) -> tuple[tuple[str, Scalar | str], ...]:
    """Parameter defaults as ngspice expressions (``pi`` in a default is ngspice's pi)."""
    return parameter_defaults(checked)


def _renamed(value: Scalar | str, names: dict[str, str]) -> Scalar | str:
    """A default expression with renamed parameters renamed in it too."""
    if isinstance(value, str):
        for old, new in names.items():
            if old != new:
                value = re.sub(rf"\b{re.escape(old)}\b", new, value)
    return value
