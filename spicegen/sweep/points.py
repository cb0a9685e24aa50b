"""A spec's points (index, parameter values, seed), computed one at a time, and their netlists.

A point is a function of the spec and its index alone: its grid and zip values come from the
index's digits, its seed from ``spicegen.seeds.point_seed`` (the sweep seed and the index), its
random draws from that seed. So points are generated lazily, in any order, and results never
depend on scheduling or on the executor. A sweep's size is counted before anything is made.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from spicegen.netlist import Circuit, Option, Param
from spicegen.seeds import point_seed
from spicegen.sim import Run
from spicegen.sim.deck import Deck
from spicegen.sweep.errors import SpecError
from spicegen.sweep.generators import Generator
from spicegen.sweep.spec import SweepSpec, Template


@dataclass(frozen=True, slots=True)
class Point:
    """One simulation of the sweep: its index, parameter values (SI units) and seed."""

    index: int
    params: tuple[tuple[str, float], ...]
    seed: int

    @property
    def values(self) -> dict[str, float]:
        """The parameters as a dict."""
        return dict(self.params)


MAX_POINTS = 1_000_000
"""The default limit on a sweep's size (``max_points``, CLI ``--max-points``)."""


def count(spec: SweepSpec) -> int:
    """How many points ``spec`` has, from its axes' lengths (nothing is generated)."""
    p = spec.parameters
    return math.prod(len(values) for _, values in p.grid) * _zip_length(spec) * spec.samples


def check_size(spec: SweepSpec, max_points: int = MAX_POINTS) -> int:
    """The number of points of ``spec``; a ``SpecError`` naming it when above ``max_points``."""
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise SpecError("max_points", f"expected an integer >= 1, got {max_points!r}")
    total = count(spec)
    if total > max_points:
        factors = [f"{len(values):,} ({name})" for name, values in spec.parameters.grid]
        if spec.parameters.zipped:
            factors.append(f"{_zip_length(spec):,} (zip)")
        factors.append(f"{spec.samples:,} (samples)")
        raise SpecError(
            "parameters",
            f"the sweep has {total:,} points ({' x '.join(factors)}), more than max_points = "
            f"{max_points:,}; raise the limit (max_points=, CLI --max-points) if you mean it",
        )
    return total


def point_at(spec: SweepSpec, index: int) -> Point:
    """Point ``index`` of ``spec``, computed from the index alone: grid (row-major, last axis
    fastest), then zip, then samples (fastest)."""
    p = spec.parameters
    rest, _ = divmod(index, spec.samples)
    rest, zip_index = divmod(rest, _zip_length(spec))
    grid_values: list[tuple[str, float]] = []
    for name, values in reversed(p.grid):
        rest, position = divmod(rest, len(values))
        grid_values.append((name, float(values[position])))
    seed = point_seed(spec.seed, index)
    rng = np.random.default_rng(seed)
    params = (
        *reversed(grid_values),
        *((name, float(values[zip_index])) for name, values in p.zipped),
        *((name, dist.draw(rng)) for name, dist in p.random),
    )
    return Point(index=index, params=params, seed=seed)


def iter_points(spec: SweepSpec, start: int = 0) -> Iterator[Point]:
    """Every point of ``spec`` from index ``start`` on, one at a time, in index order."""
    return (point_at(spec, index) for index in range(start, count(spec)))


def expand(spec: SweepSpec, *, max_points: int = MAX_POINTS) -> tuple[Point, ...]:
    """Every point of ``spec`` as a tuple (refused above ``max_points``; ``iter_points`` is
    the lazy form): grid (row-major), then zip, then samples."""
    check_size(spec, max_points)
    return tuple(iter_points(spec))


def _zip_length(spec: SweepSpec) -> int:
    zipped = spec.parameters.zipped
    return len(zipped[0][1]) if zipped else 1


def render(spec: SweepSpec, point: Point) -> Run:
    """The run of ``point``, as data; ``sim`` alone turns it into a deck.

    A template gets the point's values as ``params`` (``.param`` cards, which ngspice reads
    wherever they stand); a factory's Circuit keeps its elements, and the spec's analysis, if
    it gives one, replaces the circuit's own. A stochastic spec sets ngspice's ``seed`` option
    to the point's seed, so ngspice's own random functions repeat too.
    """
    options = (Option("seed", point.seed),) if spec.stochastic else ()
    if isinstance(spec.circuit, Template):
        params = tuple(Param(name, value) for name, value in point.params)
        return Run(
            spec.circuit.text,
            spec.analysis,
            params=params,
            options=options,
            base_dir=spec.circuit.base_dir,
        )
    try:
        made = spec.circuit(point.values, point.seed)
    except Exception as err:  # a user's function: report it as a spec error, not a crash
        raise SpecError(
            "circuit.factory",
            f"{factory_name(spec.circuit)} failed on point {point.index} {point.values}: "
            f"{type(err).__name__}: {err}",
        ) from err
    if not isinstance(made, Circuit | str):
        raise SpecError(
            "circuit.factory", f"must return a Circuit or netlist text, not {type(made).__name__}"
        )
    return Run(made, spec.analysis, options=options)


def factory_name(factory: object) -> str:
    """How a spec names its factory: a generator's name, or a function's ``__qualname__``."""
    if isinstance(factory, Generator):
        return factory.name
    return str(getattr(factory, "__qualname__", "the factory"))


def netlist_hash(deck: Deck) -> str:
    """SHA-256 (hex) of what ngspice runs: the deck's text and the commands run before it."""
    digest = hashlib.sha256(deck.text.encode("utf-8"))
    for command in deck.setup:
        digest.update(b"\0" + command.encode("utf-8"))
    return digest.hexdigest()
