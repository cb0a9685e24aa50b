"""``simulate``: one run, either backend (a module not named ``simulate``, so that importing
it never hides the function ``spicegen.sim.simulate``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from spicegen.sim.deck import write_deck
from spicegen.sim.errors import InvalidRequestError
from spicegen.sim.run import Run

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal

    from spicegen.netlist import Analysis, Circuit
    from spicegen.sim.result import Result
    from spicegen.waves import PlotSummary

    Backend = Literal["batch", "shared"]
else:

    def __getattr__(name: str) -> object:
        """``Backend`` (the type of ``backend=``), made on first use: the import of typing
        is a good part of ``spicegen run``'s start-up, which needs no type at run time."""
        if name == "Backend":
            from typing import Literal

            globals()["Backend"] = backend = Literal["batch", "shared"]
            return backend
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_run(
    netlist: Run | Circuit | str,
    analysis: Analysis | None = None,
    *,
    allow_control: bool = False,
    codemodels: Sequence[str | os.PathLike[str]] = (),
    osdi: Sequence[str | os.PathLike[str]] = (),
    base_dir: str | os.PathLike[str] | None = None,
    what: str = "simulate",
) -> Run:
    """``netlist`` as a Run; the keyword settings belong on the Run when one is given."""
    if isinstance(netlist, Run):
        given = [
            name
            for name, value, default in (
                ("analysis", analysis, None),
                ("allow_control", allow_control, False),
                ("codemodels", tuple(codemodels), ()),
                ("osdi", tuple(osdi), ()),
                ("base_dir", base_dir, None),
            )
            if value != default
        ]
        if given:
            raise InvalidRequestError(f"{what}: give {', '.join(given)} on the Run, not beside it")
        return netlist
    return Run(
        netlist,
        analysis,
        codemodels=tuple(os.fspath(path) for path in codemodels),
        osdi=tuple(os.fspath(path) for path in osdi),
        base_dir=os.fspath(base_dir) if base_dir is not None else None,
        allow_control=allow_control,
    )


def simulate(
    netlist: Run | Circuit | str,
    analysis: Analysis | None = None,
    *,
    backend: Backend = "batch",
    timeout: float | None = 600.0,
    allow_control: bool = False,
    codemodels: Sequence[str | os.PathLike[str]] = (),
    raw_path: str | os.PathLike[str] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    osdi: Sequence[str | os.PathLike[str]] = (),
) -> Result:
    """Simulate a Run (or a Circuit or netlist text) with ngspice and return its Result.

    ``analysis`` (``Op``, ``Dc``, ``Tran``, ``Ac``) replaces a Circuit's own analyses; netlist
    text with an analysis card of its own cannot take one. ``timeout`` is in seconds.
    ``backend="batch"`` runs ``ngspice -b``; ``"shared"`` runs libngspice in a worker process.
    ``.control`` blocks and other routes to ngspice commands are refused unless
    ``allow_control``. ``codemodels`` are XSPICE ``.cm`` libraries to load first, ``osdi``
    OSDI device libraries (compiled models of a Circuit load their own). ``raw_path`` keeps a
    copy of the raw file (batch backend only). Relative ``.include`` paths are taken
    from ``base_dir`` (default: the current directory). Given a Run, these settings come from
    it. Raises a ``SimulationError`` subclass carrying ngspice's message on failure.
    """
    _check(backend, timeout, raw_path)
    run = as_run(
        netlist,
        analysis,
        allow_control=allow_control,
        codemodels=codemodels,
        osdi=osdi,
        base_dir=base_dir,
    )
    from spicegen.sim.result import Result

    deck = write_deck(run)
    if backend == "batch":
        from spicegen.sim.batch import run_batch

        plots, log, elapsed = run_batch(deck, timeout=timeout, keep_raw=raw_path)
    else:
        from spicegen.sim.shared import run_shared

        plots, log, elapsed = run_shared(deck, timeout=timeout)
    return Result(
        plots=plots,
        analysis=run.analysis if run.analysis is not None else deck.analysis,
        log=log,
        elapsed=elapsed,
        backend=backend,
        netlist=deck.text,
    )


def simulate_summary(
    run: Run,
    *,
    backend: Backend = "batch",
    timeout: float | None = 600.0,
    raw_path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[PlotSummary, ...], float]:
    """Simulate ``run`` as ``simulate`` does; return the summary of every plot (what
    ``spicegen run`` prints) and the seconds spent in ngspice.

    The batch backend reads the raw file without numpy (``waves.summarise_raw_plots``), which
    saves more start-up than a small simulation takes; the summaries are those of
    ``simulate``'s plots (``waves.summarise_waveforms``), as ``waves/summary.py`` says.
    """
    if not isinstance(run, Run):
        raise InvalidRequestError(f"simulate_summary: expected a Run, not {run!r}")
    _check(backend, timeout, raw_path)
    deck = write_deck(run)
    if backend == "batch":
        from spicegen.sim.batch import run_batch_read

        plots, _, elapsed = run_batch_read(
            deck, _summary_reader, timeout=timeout, keep_raw=raw_path
        )
        return plots, elapsed
    from spicegen.sim.shared import run_shared
    from spicegen.waves.summary import summarise_waveforms

    waveforms, _, elapsed = run_shared(deck, timeout=timeout)
    return tuple(summarise_waveforms(plot) for plot in waveforms), elapsed


def _summary_reader() -> Callable[[Path], tuple[PlotSummary, ...]]:
    """The pure-Python summary reader, imported while ngspice runs (``run_batch_read``)."""
    from spicegen.waves.summary import summarise_raw_plots

    return summarise_raw_plots


def _check(backend: str, timeout: object, raw_path: object) -> None:
    """Refuse a backend, timeout or raw path ``simulate`` cannot take."""
    if timeout is not None and not (
        isinstance(timeout, int | float) and not isinstance(timeout, bool) and 0 < timeout < 1e9
    ):
        raise InvalidRequestError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    if backend not in ("batch", "shared"):
        raise InvalidRequestError(f"backend must be 'batch' or 'shared', not {backend!r}")
    if backend == "shared" and raw_path is not None:
        raise InvalidRequestError(
            "raw_path needs backend='batch'; the shared backend writes no file"
        )
