"""Running the compiler suite on both targets: compile with ``target=``, simulate with the
libraries a model needs loaded first."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spicegen.netlist import Circuit, Subckt
from spicegen.sim.batch import run_batch
from spicegen.sim.deck import Analysis, prepare_deck
from spicegen.sim.result import Result
from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model

TARGETS = ("subckt", "osdi")


def simulate_loaded(
    circuit: Circuit, analysis: Analysis | None, libraries: Iterable[Path] = ()
) -> Result:
    """``simulate`` (batch) with ``osdi`` libraries loaded at start-up and one thread."""
    deck = prepare_deck(circuit, analysis)
    commands = ("set num_threads=1", *(f"osdi {Path(p).resolve()}" for p in libraries))
    plots, log, elapsed = run_batch(deck, timeout=600.0, codemodels=commands)
    return Result(plots, analysis, log, elapsed, "batch", deck.text)


class Compiled:
    """Remembers the libraries of the models a test compiled, so that its simulations load
    them: ``compile`` as ``compile_va``, ``simulate`` as ``simulate`` (batch)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._libraries: dict[str, tuple[Path, ...]] = {}

    def compile(self, source: str, **kwargs: object) -> Subckt:
        model = compile_model(source, target=self.target, **kwargs)  # type: ignore[arg-type]
        self._libraries[model.name] = model.libraries
        return model.subckt

    def model(self, source: object, **kwargs: object) -> CompiledModel:
        model = compile_model(source, target=self.target, **kwargs)  # type: ignore[arg-type]
        self._libraries[model.name] = model.libraries
        return model

    def simulate(self, circuit: Circuit, analysis: Analysis | None = None) -> Result:
        libraries = [p for s in circuit.subckts for p in self._libraries.get(s.name, ())]
        return simulate_loaded(circuit, analysis, dict.fromkeys(libraries))
