"""``compile_va``: Verilog-A file or text -> ngspice ``Subckt`` (preprocess, check, lower)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from spicegen.netlist import Subckt
from spicegen.va.check import CheckedModule, check
from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.frontend import read_source
from spicegen.va.lower import lower


def compile_va(
    source: str | os.PathLike[str],
    *,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    seed: int | None = None,
    module: str | None = None,
    filename: str | None = None,
) -> Subckt:
    """Compile a Verilog-A model (a path, or the text itself) into an ngspice ``Subckt``.

    ``module`` picks the module by name when the source holds several; ``seed`` seeds the
    ``$rdist_*`` draws (``None`` means 0; equal seeds give equal subcircuits). Every error is a
    ``VaError`` located in the user's source, with the offending line under the message.
    """
    pre, tree = read_source(source, filename=filename, include_dirs=include_dirs)
    model = check(tree, source_line=pre.source_line)
    chosen = _pick(model.modules, module, tree.loc)
    try:
        return lower(chosen, seed=seed)
    except VaError as err:
        raise VaError(
            [
                d
                if d.source_line
                else dataclasses.replace(d, source_line=pre.source_line(d.location))
                for d in err.diagnostics
            ]
        ) from None


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
