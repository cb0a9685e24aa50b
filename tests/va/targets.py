"""Running the compiler suite on both targets: ``Compiled(target)`` compiles as
``compile_va``/``compile_model`` do with ``target=``; simulation is the plain ``simulate``,
which loads the osdi target's libraries from the models' ``Model.library``."""

from __future__ import annotations

from spicegen.netlist import Analysis, Circuit, Subckt
from spicegen.sim import Result, simulate
from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model

TARGETS = ("subckt", "osdi")


class Compiled:
    """Compile on one target; ``simulate`` is ``simulate`` (batch)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def compile(self, source: str, **kwargs: object) -> Subckt:
        return self.model(source, **kwargs).subckt

    def model(self, source: object, **kwargs: object) -> CompiledModel:
        return compile_model(source, target=self.target, **kwargs)  # type: ignore[arg-type]

    def simulate(self, circuit: Circuit, analysis: Analysis | None = None) -> Result:
        return simulate(circuit, analysis)
