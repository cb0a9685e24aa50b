"""The sweep spec as data: circuit source, parameters, analysis, measurements, options."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from spicegen.netlist import Circuit
from spicegen.sim import Analysis
from spicegen.sweep.checks import check_integer, check_name, check_number
from spicegen.sweep.distributions import Distribution, LogNormal, Normal, Uniform
from spicegen.sweep.errors import SpecError
from spicegen.sweep.generators import Generator
from spicegen.sweep.ladder import RUNGS
from spicegen.sweep.measures import Measure

Factory = Callable[[Mapping[str, float], int], Circuit | str]
"""``factory(params, seed) -> Circuit | netlist text``; params in SI units."""

Keep = Literal["none", "all", "decimate"]
Scale = Literal["lin", "log"]


@dataclass(frozen=True, slots=True)
class Template:
    """Netlist text whose parameters are ngspice ``{name}`` expressions.

    Each point's values are inserted as ``.param name=value`` lines after the title, so the
    template needs no string formatting. ``base_dir`` resolves relative ``.include`` paths.
    """

    text: str
    base_dir: str | None = None


@dataclass(frozen=True, slots=True)
class Range:
    """``num`` values from ``start`` to ``stop`` included, evenly spaced (``lin``) or at a
    constant ratio (``log``), unit of the parameter. Values are computed on demand, so a range
    costs the same memory whatever its ``num``."""

    start: float
    stop: float
    num: int
    scale: Scale = "lin"

    def __post_init__(self) -> None:
        check_number("range.start", self.start)
        check_number("range.stop", self.stop)
        check_integer("range.num", self.num, 1)
        if self.scale not in ("lin", "log"):
            raise SpecError("range.scale", f"expected 'lin' or 'log', got {self.scale!r}")
        if self.scale == "log" and not (self.start > 0 and self.stop > 0):
            raise SpecError("range.start", "a log range needs start and stop > 0")

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, index: int) -> float:
        if not -self.num <= index < self.num:
            raise IndexError(f"range index {index} out of {self.num}")
        index %= self.num
        if self.num == 1:
            return float(self.start)
        if self.scale == "lin":
            return self.start + (self.stop - self.start) * index / (self.num - 1)
        return self.start * math.exp(math.log(self.stop / self.start) * index / (self.num - 1))

    def __iter__(self) -> Iterator[float]:
        return (self[index] for index in range(self.num))


Axis = tuple[float, ...] | Range
"""The values of one grid or zip parameter: a tuple, or a ``Range`` computed on demand."""


@dataclass(frozen=True, slots=True)
class Parameters:
    """What varies: ``grid`` axes (outer product), ``zipped`` lists (stepped together, same
    length), ``random`` distributions drawn per point from the point's seed; SI units."""

    grid: tuple[tuple[str, Axis], ...] = ()
    zipped: tuple[tuple[str, Axis], ...] = ()
    random: tuple[tuple[str, Distribution], ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for group, items in (("grid", self.grid), ("zip", self.zipped), ("random", self.random)):
            for name, _ in items:
                key = f"parameters.{group}.{name}"
                check_name(key, name, "parameter")
                if name.lower() in seen:
                    raise SpecError(key, "this parameter is given twice")
                seen.add(name.lower())
        for group, items in (("grid", self.grid), ("zip", self.zipped)):
            for name, values in items:
                _check_values(f"parameters.{group}.{name}", values)
        lengths = {len(values) for _, values in self.zipped}
        if len(lengths) > 1:
            raise SpecError("parameters.zip", f"zipped lists must have one length, got {lengths}")
        for name, dist in self.random:
            if not isinstance(dist, Normal | Uniform | LogNormal):
                raise SpecError(f"parameters.random.{name}", f"not a distribution: {dist!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """Every parameter name, grid first, then zipped, then random."""
        return tuple(name for name, _ in (*self.grid, *self.zipped, *self.random))


def parameters(
    grid: Mapping[str, object] | None = None,
    zipped: Mapping[str, object] | None = None,
    random: Mapping[str, Distribution] | None = None,
) -> Parameters:
    """Build ``Parameters`` from mappings (the Python-side convenience); values in SI units."""
    return Parameters(
        grid=tuple((k, _values(f"parameters.grid.{k}", v)) for k, v in (grid or {}).items()),
        zipped=tuple((k, _values(f"parameters.zip.{k}", v)) for k, v in (zipped or {}).items()),
        random=tuple((random or {}).items()),
    )


@dataclass(frozen=True, slots=True)
class Waves:
    """Which waveforms to keep per point: ``none``, ``all`` samples, or ``decimate`` to
    ``points`` samples; ``vectors`` restricts them (empty: every vector)."""

    keep: Keep = "none"
    points: int = 200
    vectors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.keep not in ("none", "all", "decimate"):
            raise SpecError("waveforms.keep", f"expected none, all or decimate, got {self.keep!r}")
        if isinstance(self.points, bool) or not isinstance(self.points, int) or self.points < 2:
            raise SpecError("waveforms.points", f"expected an integer >= 2, got {self.points!r}")


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """A whole sweep.

    ``circuit`` is a ``Template``, one of spicegen's ``GENERATORS`` (its knobs are the swept
    parameters), or a factory function ``(params, seed) -> Circuit | str``; ``analysis``
    replaces the circuit's own (None: keep it); ``samples`` repeats every grid/zip point (Monte
    Carlo); ``seed`` derives every point's seed; ``timeout`` is per point in s; ``ladder`` names
    the recovery rungs tried after a convergence failure; ``batch`` points per task (0: auto).
    """

    circuit: Template | Factory
    parameters: Parameters = field(default_factory=Parameters)
    analysis: Analysis | None = None
    measures: tuple[Measure, ...] = ()
    samples: int = 1
    seed: int = 0
    timeout: float = 600.0
    ladder: tuple[str, ...] = tuple(RUNGS)
    waves: Waves = field(default_factory=Waves)
    batch: int = 0
    name: str = "sweep"

    def __post_init__(self) -> None:
        if not isinstance(self.circuit, Template) and not callable(self.circuit):
            raise SpecError("circuit", "expected a Template, a Generator or a factory function")
        check_integer("sweep.samples", self.samples, 1)
        check_integer("sweep.seed", self.seed, 0)
        check_integer("sweep.batch", self.batch, 0)
        timeout = self.timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not (0 < timeout < 1e9)
        ):
            raise SpecError("sweep.timeout", f"expected seconds > 0, got {timeout!r}")
        for rung in self.ladder:
            if rung not in RUNGS:
                raise SpecError("sweep.ladder", f"unknown rung {rung!r}; rungs: {', '.join(RUNGS)}")
        names = [m.name for m in self.measures]
        for name in names:
            if names.count(name) > 1:
                raise SpecError(f"measure.{name}", "this measurement is given twice")
        if isinstance(self.circuit, Template):
            _check_used(self.circuit.text, self.parameters)
        elif isinstance(self.circuit, Generator):
            _check_knobs(self.circuit, self.parameters)
        clash = set(names) & set(self.parameters.names)
        if clash:
            raise SpecError(f"measure.{sorted(clash)[0]}", "a measurement has a parameter's name")

    @property
    def stochastic(self) -> bool:
        """True when points draw random values (then each netlist carries its seed)."""
        return bool(self.parameters.random) or self.samples > 1


def _check_used(text: str, params: Parameters) -> None:
    """A template must mention every swept parameter (``{name}``): a typo is an error."""
    body = text.partition("\n")[2]
    groups = (("grid", params.grid), ("zip", params.zipped), ("random", params.random))
    for group, items in groups:
        for name, _ in items:
            if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", body, re.I):
                raise SpecError(
                    f"parameters.{group}.{name}",
                    "unknown parameter: the circuit never uses it (write {" + name + "})",
                )


def _check_knobs(generator: Generator, params: Parameters) -> None:
    """Every swept parameter is a knob of ``generator``, and every listed value fits it (a
    range by its ends; random draws are checked as they are made)."""
    groups = (("grid", params.grid), ("zip", params.zipped), ("random", params.random))
    for group, items in groups:
        for name, values in items:
            key = f"parameters.{group}.{name}"
            knob = generator.check(key, name)
            if isinstance(values, Range):
                knob.check(key, values[0])
                knob.check(key, values[-1])
            elif isinstance(values, tuple):
                for i, value in enumerate(values):
                    knob.check(f"{key}[{i}]", value)


def _values(key: str, raw: object) -> Axis:
    if isinstance(raw, Range):
        return raw
    if isinstance(raw, Mapping):
        return _range(key, raw)
    if isinstance(raw, list | tuple):
        return tuple(check_number(f"{key}[{i}]", v) for i, v in enumerate(raw))
    raise SpecError(key, f"expected a list of numbers or {{start, stop, num}}, got {raw!r}")


def _range(key: str, table: Mapping[str, object]) -> Range:
    """``{start, stop, num, scale = "lin"|"log"}``: ``num`` values from start to stop included."""
    unknown = sorted(set(table) - {"start", "stop", "num", "scale"})
    if unknown:
        raise SpecError(f"{key}.{unknown[0]}", "unknown key; a range has start, stop, num, scale")
    for name in ("start", "stop", "num"):
        if name not in table:
            raise SpecError(f"{key}.{name}", "missing; a range needs start, stop and num")
    start = check_number(f"{key}.start", table["start"])
    stop = check_number(f"{key}.stop", table["stop"])
    num = check_integer(f"{key}.num", table["num"], 1)
    scale = table.get("scale", "lin")
    if scale not in ("lin", "log"):
        raise SpecError(f"{key}.scale", f"expected 'lin' or 'log', got {scale!r}")
    try:
        return Range(start, stop, num, scale)
    except SpecError as err:
        raise SpecError(f"{key}.{err.key.split('.')[-1]}", err.message) from None


def _check_values(key: str, values: object) -> None:
    if isinstance(values, Range):
        return  # checked when it was made
    if not isinstance(values, tuple) or not values:
        raise SpecError(key, "expected a non-empty tuple of numbers or a Range")
    for i, value in enumerate(values):
        check_number(f"{key}[{i}]", value)
