"""``Session``: a circuit kept loaded in libngspice for co-simulation loops.

Training loops change hundreds of values and run an operating point thousands of times per
epoch; a session keeps the circuit parsed in a worker process and sends each analysis, with
every change made since the last one, as one message: the cost per call is one pipe round
trip plus ngspice's own work.
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
from spicegen.sim.simulation import as_run
from spicegen.waves import Waveforms

SourceFunction = Callable[[float], float]
Target = str | tuple[str, str]
"""An element or ``.param`` name (``"R1"``, ``"x3.rw"``, ``"rload"``), or (element, instance
parameter) such as ``("M1", "w")``."""

# names reach ngspice commands: fullmatch, so that no trailing newline slips through
_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESOLVED_LIMIT = 1 << 20  # checked names kept (a bound, so odd callers cannot grow it forever)


class Session:
    """A circuit loaded once in a libngspice worker process.

    ``netlist`` is a Run, a Circuit or netlist text (as for ``simulate``). ``sources`` maps
    the names of external sources (``Vx p n external`` or ``Ix p n external``) to functions
    of time (s) giving their value (V or A); functions may be lambdas or closures.
    ``timeout`` (s) bounds every call. Use as a context manager or call ``close()``.

    Changes (``alter``, ``alter_many``) are checked at once and sent with the next analysis,
    in the same message; an error ngspice reports about one is raised by that analysis.
    """

    def __init__(
        self,
        netlist: Run | Circuit | str,
        *,
        sources: Mapping[str, SourceFunction] | None = None,
        allow_control: bool = False,
        codemodels: Sequence[str | Path] = (),
        osdi: Sequence[str | Path] = (),
        timeout: float | None = 600.0,
    ) -> None:
        run = as_run(
            netlist,
            allow_control=allow_control,
            codemodels=codemodels,
            osdi=osdi,
            what="Session",
        )
        deck = write_deck(run)
        self._deck = deck.text
        self._setup = deck.setup
        self._cwd = str(deck.base_dir) if deck.control else None
        self._folder = str(deck.base_dir)
        if isinstance(run.netlist, Circuit):
            self._names = circuit_names(run.netlist, tuple(p.name for p in run.params))
        else:
            self._names = text_names(deck.text)
        self._timeout = timeout
        self._sources: dict[str, SourceFunction] = {}
        # the latest command per target, re-sent after a `reset` (which undoes alterations)
        self._alterations: dict[str, str] = {}  # by "alter <device> [<parameter>] = "
        self._param_alterations: dict[str, str] = {}
        self._pending: list[str] = []
        self._resolved: dict[Target, tuple[str, bool, str]] = {}
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
        target: Target = name if parameter is None else (name, parameter)
        self.alter_many({target: value})

    def alter_many(self, values: Mapping[Target, float]) -> None:
        """Change many elements and ``.param``s at once (one ``reset`` for all the params).

        Keys are names (``"R1"``, ``"x3.rw"``, ``"rload"``) or (element, instance parameter)
        pairs; values are in SI units. Nothing is sent until the next analysis.
        """
        if not isinstance(values, Mapping):
            raise SessionError(f"alter_many: expected a mapping of names to values, not {values!r}")
        elements: list[tuple[str, str]] = []
        params: list[tuple[str, str]] = []
        for target, value in values.items():
            # a training loop changes the same names every step: check each name once
            try:
                resolved = self._resolved.get(target)
            except TypeError:  # unhashable: not a name nor a (name, parameter) pair
                raise SessionError(
                    f"alter: {target!r} is not an element or parameter name"
                ) from None
            if resolved is None:
                resolved = self._resolve(target)
            key, is_param, prefix = resolved
            number = _finite(value, f"alter {target}")
            if is_param:
                params.append((key, prefix + number))
            else:
                elements.append((prefix, prefix + number))
        for key, command in params:
            self._param_alterations[key] = command
            self._pending.append(command)
        for prefix, command in elements:
            self._alterations[prefix] = command
        if params:
            # `reset` re-reads every instance from the parsed circuit, which undoes element
            # alterations: send them all again after it
            self._pending.append("reset")
            self._pending.extend(self._alterations.values())
        else:
            self._pending.extend(command for _, command in elements)

    def set_sources(self, sources: Mapping[str, SourceFunction]) -> None:
        """Give external sources their value functions f(t); replaces earlier ones by name."""
        for name, function in sources.items():
            if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
                raise SessionError(f"sources: {name!r} is not a source name")
            if name.lower() not in self._names.elements:
                raise SessionError(f"sources: the circuit has no source named {name!r}")
            if not callable(function):
                raise SessionError(f"sources: the value for {name!r} is not callable")
        self._sources.update({name.lower(): f for name, f in sources.items()})
        self._request("sources", (pickle_sources(self._sources),))

    # -- analyses ----------------------------------------------------------------------------
    def run(
        self,
        analysis: Analysis,
        vectors: Sequence[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> Waveforms:
        """Run one analysis on the loaded circuit; ``vectors`` limits what is read back
        (``v(out)``, ``i(v1)``, ``out``); the changes made since the last run go first;
        ``timeout`` (s) bounds this run instead of the session's."""
        if not isinstance(analysis, Op | Dc | Tran | Ac):
            raise SessionError(f"run: expected Op, Dc, Tran or Ac, not {analysis!r}")
        if timeout is not None:  # checked before the pending changes are taken
            timeout = _positive_timeout(timeout)
        card = analysis_card(analysis)
        wanted = None if vectors is None else tuple(_vector_name(v) for v in vectors)
        commands = tuple(self._pending)
        self._pending.clear()
        plots = self._request("run", (commands, card[1:], wanted), analysis=card, timeout=timeout)
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
        timeout: float | None = None,
    ) -> Waveforms:
        """Transient analysis; times in seconds, ``timeout`` as in ``run``."""
        analysis = Tran(step=step, stop=stop, start=start, max_step=max_step, uic=uic)
        return self.run(analysis, vectors, timeout=timeout)

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
        self._pending = [*self._param_alterations.values()]
        if self._param_alterations:
            self._pending.append("reset")
        self._pending.extend(self._alterations.values())
        self._request("run", (tuple(self._pending), None, None))
        self._pending.clear()

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

    # -- helpers ----------------------------------------------------------------------------
    def _resolve(self, target: object) -> tuple[str, bool, str]:
        """(lower-case name, is a .param?, command up to the value) of an alter target."""
        if isinstance(target, tuple) and len(target) == 2:
            name, parameter = target
        else:
            name, parameter = target, None
        key = self._check_target(name, parameter)
        if key in self._names.params and parameter is None:
            resolved = (key, True, f"alterparam {key} = ")
        else:
            device = self._device(key, str(name))
            where = f"{device} {parameter}" if parameter else device
            resolved = (key, False, f"alter {where} = ")
        if len(self._resolved) < _RESOLVED_LIMIT:
            self._resolved[target] = resolved  # type: ignore[index]
        return resolved

    def _check_target(self, name: object, parameter: object) -> str:
        if not isinstance(name, str) or not _TARGET.fullmatch(name):
            raise SessionError(f"alter: {name!r} is not an element or parameter name")
        if parameter is not None and (
            not isinstance(parameter, str) or not _IDENTIFIER.fullmatch(parameter)
        ):
            raise SessionError(f"alter: {parameter!r} is not an instance parameter name")
        return name.lower()

    def _device(self, key: str, name: str) -> str:
        """ngspice's name of the element ``key``; subcircuit paths become ``r.x1.r1``."""
        if self._names.has_element(key):
            # ngspice names a device inside subcircuits "<letter>.<path>": x1.r1 -> r.x1.r1
            return f"{key.rsplit('.', 1)[1][0]}.{key}" if "." in key else key
        known = sorted(self._names.elements | self._names.params)
        shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "") or "none"
        raise SessionError(f"alter: no element or .param named {name!r} (known: {shown})")

    def _start(self) -> None:
        self._worker = Worker()
        self._request("load", (self._deck, self._setup, self._cwd, self._folder))

    def _live(self) -> Worker:
        if self._worker is None:
            raise SessionError("the session is closed")
        if not self._worker.alive:
            raise SessionError(
                "the session's ngspice worker is gone (crash or timeout); call restart() to "
                "reload the circuit with its alterations"
            )
        return self._worker

    def _request(
        self,
        name: str,
        args: tuple[Any, ...],
        analysis: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        bound = self._timeout if timeout is None else timeout
        return self._live().request(name, args, timeout=bound, analysis=analysis)


def _positive_timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise SessionError(f"timeout: expected a positive number of seconds, not {value!r}")
    return float(value)


def _finite(value: object, what: str) -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SessionError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise SessionError(f"{what}: {value!r} is not a finite number")
    return repr(number)


_VECTOR = re.compile(r"(v|i)\(([A-Za-z0-9_.#:]+)\)", re.IGNORECASE)
_PLAIN = re.compile(r"[A-Za-z0-9_.#:-]+")


def _vector_name(name: str) -> str:
    """A vector asked for as ``v(out)``, ``i(v1)`` or ``out``, checked; the worker finds it
    under the name ngspice writes or the one it keeps in memory."""
    if isinstance(name, str) and (_VECTOR.fullmatch(name) or _PLAIN.fullmatch(name)):
        return name
    raise SessionError(f"{name!r} is not a vector name")
