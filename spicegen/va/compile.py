"""``compile_va`` / ``compile_model``: Verilog-A file or text -> ngspice ``Subckt`` (preprocess,
check, lower), or a ``CompiledModel`` that also makes range-checked, seeded instances."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Literal

from spicegen.netlist import Subckt
from spicegen.va.check import CheckedModule, check
from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.frontend import parse_preprocessed
from spicegen.va.lower import lower
from spicegen.va.model import CompiledModel, check_defaults
from spicegen.va.preprocess import preprocess

Target = Literal["subckt", "osdi"]
TARGETS: tuple[Target, ...] = ("subckt", "osdi")
DEFAULT_TARGET: Target = "subckt"


def compile_va(
    source: str | os.PathLike[str],
    *,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    seed: int | None = None,
    module: str | None = None,
    filename: str | None = None,
    target: Target = "subckt",
) -> Subckt:
    """Compile a Verilog-A model (a path, or the text itself) into an ngspice ``Subckt``.

    ``module`` picks the module by name when the source holds several; ``seed`` seeds the
    default variates of ``$rdist_*``/``$random`` draws (``None`` means 0; equal seeds give
    equal subcircuits). Every error is a ``VaError`` located in the user's source, with the
    offending line under the message. ``compile_model`` returns the same subcircuit with the
    model's parameter ranges and per-instance draws (``CompiledModel.instance``).
    """
    return compile_model(
        source,
        include_dirs=include_dirs,
        seed=seed,
        module=module,
        filename=filename,
        target=target,
    ).subckt


def compile_model(
    source: str | os.PathLike[str],
    *,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    seed: int | None = None,
    module: str | None = None,
    filename: str | None = None,
    target: Target = "subckt",
) -> CompiledModel:
    """``compile_va`` keeping what instances need: see ``CompiledModel``.

    ``target="subckt"`` lowers the module to ngspice B-sources; ``target="osdi"`` generates C
    implementing OSDI, compiles it (cached by content hash) and wraps it in a subcircuit, so
    both give the same kind of model; ``CompiledModel.library`` is the library to load.
    """
    if target not in TARGETS:
        where = Location(filename or "<string>", 1, 1)
        raise VaError(
            [Diagnostic(where, f"unknown target {target!r}; expected 'subckt' or 'osdi'")]
        )
    pre = preprocess(source, filename=filename, include_dirs=include_dirs)
    key = None
    if target == "osdi":
        from spicegen.va.osdi import cache

        key = cache.compile_key(pre, module, 0 if seed is None else seed)
        found = cache.load(key)
        if isinstance(found, CompiledModel):
            return found
    tree = parse_preprocessed(pre, filename)
    model = check(tree, source_line=pre.source_line)
    chosen = _pick(model.modules, module, tree.loc)
    try:
        check_defaults(chosen)
        if target == "osdi":
            from spicegen.va.osdi import cache
            from spicegen.va.osdi.device import native_model

            native = native_model(model, chosen, seed=0 if seed is None else seed)
            result = CompiledModel(
                native.subckt,
                chosen,
                native.draws,
                0 if seed is None else seed,
                target="osdi",
                library=native.library,
                renamed={k: v for k, v in native.names.items() if k != v},
            )
            assert key is not None
            cache.store(key, result)
            return result
        lowered = lower(chosen, seed=seed)
    except VaError as err:
        raise VaError(
            [
                d
                if d.source_line
                else dataclasses.replace(d, source_line=pre.source_line(d.location))
                for d in err.diagnostics
            ]
        ) from None
    return CompiledModel(lowered.subckt, chosen, lowered.draws, 0 if seed is None else seed)


def _pick(modules: tuple[CheckedModule, ...], name: str | None, loc: Location) -> CheckedModule:
    names = [m.module.name for m in modules]
    if name is not None:
        for checked in modules:
            if checked.module.name == name:
                return checked
        known = ", ".join(names) or "none"
        raise VaError([Diagnostic(loc, f"no module `{name}` in the source; found: {known}")])
    if len(modules) == 1:
        return modules[0]
    if not modules:
        raise VaError([Diagnostic(loc, "the source defines no module")])
    raise VaError(
        [
            Diagnostic(
                loc,
                f"the source defines {len(modules)} modules ({', '.join(names)}); "
                "pass module= to pick one",
            )
        ]
    )
