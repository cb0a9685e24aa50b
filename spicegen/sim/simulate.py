"""``simulate``: one netlist, one run, either backend."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from spicegen.netlist import Circuit
from spicegen.sim.batch import run_batch
from spicegen.sim.deck import Analysis, codemodel_commands, prepare_deck
from spicegen.sim.errors import InvalidRequestError
from spicegen.sim.result import Result
from spicegen.sim.shared import run_shared

Backend = Literal["batch", "shared"]


def simulate(
    netlist: Circuit | str,
    analysis: Analysis | None = None,
    *,
    backend: Backend = "batch",
    timeout: float | None = 600.0,
    allow_control: bool = False,
    codemodels: Sequence[str | Path] = (),
    raw_path: str | os.PathLike[str] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Result:
    """Simulate a Circuit or netlist text with ngspice and return its Result.

    ``analysis`` (``Op``, ``Dc``, ``Tran``, ``Ac``) replaces a Circuit's own analyses, or is
    added to netlist text. ``timeout`` is in seconds. ``backend="batch"`` runs ``ngspice -b``;
    ``"shared"`` runs libngspice in a worker process. ``.control`` blocks are refused unless
    ``allow_control``. ``codemodels`` are XSPICE ``.cm`` libraries to load first.
    ``raw_path`` keeps a copy of the raw file (batch backend only). Relative ``.include``
    paths are taken from ``base_dir`` (default: the current directory).
    Raises a ``SimulationError`` subclass carrying ngspice's message on failure.
    """
    if timeout is not None and not (isinstance(timeout, int | float) and 0 < timeout < 1e9):
        raise InvalidRequestError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    base = Path(base_dir) if base_dir is not None else None
    deck = prepare_deck(netlist, analysis, allow_control=allow_control, base_dir=base)
    commands = codemodel_commands(codemodels)
    if backend == "batch":
        plots, log, elapsed = run_batch(
            deck, timeout=timeout, codemodels=commands, keep_raw=raw_path
        )
    elif backend == "shared":
        if raw_path is not None:
            raise InvalidRequestError(
                "raw_path needs backend='batch'; the shared backend writes no file"
            )
        plots, log, elapsed = run_shared(
            deck.text, analysis=deck.analysis, timeout=timeout, codemodels=commands
        )
    else:
        raise InvalidRequestError(f"backend must be 'batch' or 'shared', not {backend!r}")
    return Result(
        plots=plots,
        analysis=analysis if analysis is not None else deck.analysis,
        log=log,
        elapsed=elapsed,
        backend=backend,
        netlist=deck.text,
    )
