"""``Session``: a circuit kept loaded in libngspice for co-simulation loops.

Training loops call ``alter`` and ``op``/``tran`` thousands of times; a session keeps the
circuit parsed in a worker process, so each call costs a pipe round trip and the analysis,
not a process start and a netlist parse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from spicegen.netlist import Ac, Analysis, Circuit, Dc, Op, Tran, analysis_card
from spicegen.sim.deck import write_deck
from spicegen.sim.errors import SessionError
from spicegen.sim.names import circuit_names, text_names
from spicegen.sim.run import Run
from spicegen.sim.shared import Worker, pickle_sources, to_waveforms
from spicegen.sim.simulate import as_run
from spicegen.waves import Waveforms

SourceFunction = Callable[[float], float]

# names reach ngspice commands: fullmatch, so that no trailing newline slips through
_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Session:
    """A circuit loaded once in a libngspice worker process.

    ``netlist`` is a Run, a Circuit or netlist text (as for ``simulate``). ``sources`` maps
    the names of external sources (``Vx p n external`` or ``Ix p n external``) to functions
    of time (s) giving their value (V or A); functions may be lambdas or closures.
    ``timeout`` (s) bounds every call. Use as a context manager or call ``close()``.
    """

    def __init__(
        self,
        netlist: Run | Circuit | str,
        *,
        sources: Mapping[str, SourceFunction] | None = None,
        allow_control: bool = False,
        codemodels: Sequence[str | Path] = (),
        timeout: float | None = 600.0,
    ) -> None:
        run = as_run(netlist, allow_control=allow_control, codemodels=codemodels, what="Session")
        deck = write_deck(run)
        self._deck = deck.text
        self._commands = deck.setup
        self._cwd = str(deck.base_dir) if deck.control else None
        if isinstance(run.netlist, Circuit):
            self._names = circuit_names(run.netlist, tuple(p.name for p in run.params))
        else:
            self._names = text_names(deck.text)
        self._elements, self._params = self._names.elements, self._names.params
        self._timeout = timeout
        self._sources: dict[str, SourceFunction] = {}
        self._alterations: dict[tuple[str, str | None], str] = {}
        self._param_alterations: dict[str, str] = {}
        self._worker: Worker | None = None
        self._start()
        try:
            if sources:
                self.set_sources(sources)
        except BaseException:
            self.close()
            raise

    # -- state --------------------------------------------------------------------------------
    def alter(self, name: str, value: float, parameter: str | None = None) -> None:
        """Change an element's value (``R2``, ``x1.r1``) or a ``.param`` (then ``reset``).

        ``parameter`` picks one instance parameter (``alter M1 w = value``); ``value`` is in
        the element's SI unit.
        """
        if not isinstance(name, str) or not _TARGET.fullmatch(name):
            raise SessionError(f"alter: {name!r} is not an element or parameter name")
        if parameter is not None and not _IDENTIFIER.fullmatch(str(parameter)):
            raise SessionError(f"alter: {parameter!r} is not an instance parameter name")
        number = _finite(value, f"alter {name}")
        key = name.lower()
        if key in self._params and parameter is None:
            self._param_alterations[key] = f"alterparam {key} = {number}"
            self._request("command", (self._param_alterations[key],))
            self._reset()
            return
        if key in self._elements:
            device = key
        elif "." in key and self._names.has_element(key):
            # ngspice names a device inside subcircuits "<letter>.<path>": x1.r1 -> r.x1.r1
            device = f"{key.rsplit('.', 1)[1][0]}.{key}"
        else:
            known = ", ".join(sorted(self._elements | self._params)) or "none"
            raise SessionError(f"alter: no element or .param named {name!r} (known: {known})")
        target = f"{device} {parameter}" if parameter else device
        command = f"alter {target} = {number}"
        self._request("command", (command,))
        self._alterations[(key, parameter)] = command

    def set_sources(self, sources: Mapping[str, SourceFunction]) -> None:
        """Give external sources their value functions f(t); replaces earlier ones by name."""
        for name, function in sources.items():
            if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
                raise SessionError(f"sources: {name!r} is not a source name")
            if name.lower() not in self._elements:
                raise SessionError(f"sources: the circuit has no source named {name!r}")
            if not callable(function):
                raise SessionError(f"sources: the value for {name!r} is not callable")
        self._sources.update({name.lower(): f for name, f in sources.items()})
        self._request("sources", (pickle_sources(self._sources),))

    # -- analyses ----------------------------------------------------------------------------
    def run(self, analysis: Analysis, vectors: Sequence[str] | None = None) -> Waveforms:
        """Run one analysis on the loaded circuit; ``vectors`` limits what is read back."""
        if not isinstance(analysis, Op | Dc | Tran | Ac):
            raise SessionError(f"run: expected Op, Dc, Tran or Ac, not {analysis!r}")
        card = analysis_card(analysis)
        wanted = None if vectors is None else tuple(_vector_name(v) for v in vectors)
        plots = self._request("run", (card.lstrip("."), wanted), analysis=card)
        if not plots:
            raise SessionError("ngspice produced no plot", analysis=card)
        return to_waveforms(plots)[-1]

    def op(self, vectors: Sequence[str] | None = None) -> Waveforms:
        """DC operating point."""
        return self.run(Op(), vectors)

    def tran(
        self,
        step: float,
        stop: float,
        start: float = 0.0,
        max_step: float | None = None,
        uic: bool = False,
        *,
        vectors: Sequence[str] | None = None,
    ) -> Waveforms:
        """Transient analysis; times in seconds."""
        analysis = Tran(step=step, stop=stop, start=start, max_step=max_step, uic=uic)
        return self.run(analysis, vectors)

    def dc(
        self,
        source: str,
        start: float,
        stop: float,
        step: float,
        *,
        vectors: Sequence[str] | None = None,
    ) -> Waveforms:
        """DC sweep of one source (V or A)."""
        return self.run(Dc(source=source, start=start, stop=stop, step=step), vectors)

    def ac(
        self,
        variation: Literal["dec", "oct", "lin"],
        points: int,
        fstart: float,
        fstop: float,
        *,
        vectors: Sequence[str] | None = None,
    ) -> Waveforms:
        """Small-signal AC analysis; frequencies in Hz."""
        return self.run(Ac(variation=variation, points=points, fstart=fstart, fstop=fstop), vectors)

    # -- life cycle --------------------------------------------------------------------------
    def restart(self) -> None:
        """Start a fresh worker (after a crash or timeout), reload the circuit, and re-apply
        every alteration and external source given so far."""
        if self._worker is not None:
            self._worker.kill()
        self._start()
        if self._sources:
            self._request("sources", (pickle_sources(self._sources),))
        for command in self._param_alterations.values():
            self._request("command", (command,))
        self._reset()

    def _reset(self) -> None:
        """``reset`` re-reads every instance from the parsed circuit, which undoes element
        alterations: apply them again after it."""
        self._request("command", ("reset",))
        for command in self._alterations.values():
            self._request("command", (command,))

    def close(self) -> None:
        """Stop the worker process."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def ngspice_version(self) -> str:
        return str(self._live().version)

    def _start(self) -> None:
        self._worker = Worker()
        self._request("load", (self._deck, self._commands, self._cwd))

    def _live(self) -> Worker:
        if self._worker is None:
            raise SessionError("the session is closed")
        if not self._worker.alive:
            raise SessionError(
                "the session's ngspice worker is gone (crash or timeout); call restart() to "
                "reload the circuit with its alterations"
            )
        return self._worker

    def _request(self, name: str, args: tuple[Any, ...], analysis: str | None = None) -> Any:
        return self._live().request(name, args, timeout=self._timeout, analysis=analysis)


def _finite(value: float, what: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SessionError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise SessionError(f"{what}: {value!r} is not a finite number")
    return repr(number)


_VECTOR = re.compile(r"(v|i)\(([A-Za-z0-9_.#]+)\)", re.IGNORECASE)
_PLAIN = re.compile(r"[A-Za-z0-9_.#-]+")


def _vector_name(name: str) -> str:
    """ngspice's in-memory name of a vector asked for as ``v(out)``, ``i(v1)`` or ``out``."""
    if not isinstance(name, str):
        raise SessionError(f"{name!r} is not a vector name")
    match = _VECTOR.fullmatch(name)
    if match:
        kind, inner = match.groups()
        return inner if kind.lower() == "v" else f"{inner}#branch"
    if _PLAIN.fullmatch(name):
        return name
    raise SessionError(f"{name!r} is not a vector name")
