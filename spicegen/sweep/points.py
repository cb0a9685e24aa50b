"""Expand a spec into points (index, parameter values, seed) and render each point's netlist.

A point's seed derives from the sweep seed and the point's index only (numpy ``SeedSequence``
with the index as spawn key), so results never depend on scheduling or on the executor.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass

import numpy as np

from spicegen.errors import SpicegenError
from spicegen.netlist import Circuit, Subckt, to_ngspice
from spicegen.sweep.errors import SpecError
from spicegen.sweep.spec import SweepSpec, Template

_LINE_BREAK = re.compile(r"\r?\n")


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


def point_seed(sweep_seed: int, index: int) -> int:
    """The seed of point ``index``: a 31-bit integer (ngspice's ``seed`` option takes it)."""
    state = np.random.SeedSequence(sweep_seed, spawn_key=(index,)).generate_state(1)
    return int(state[0]) & 0x7FFFFFFF


def expand(spec: SweepSpec) -> tuple[Point, ...]:
    """Every point of ``spec``, in index order: grid (row-major), then zip, then samples."""
    p = spec.parameters
    grid_names = [name for name, _ in p.grid]
    zip_names = [name for name, _ in p.zipped]
    grid = list(itertools.product(*(values for _, values in p.grid)))
    zipped = list(zip(*(values for _, values in p.zipped), strict=True)) if p.zipped else [()]
    points = []
    index = 0
    for grid_values in grid:
        for zip_values in zipped:
            for _ in range(spec.samples):
                seed = point_seed(spec.seed, index)
                rng = np.random.default_rng(seed)
                drawn = [(name, dist.draw(rng)) for name, dist in p.random]
                params = (
                    *zip(grid_names, grid_values, strict=True),
                    *zip(zip_names, zip_values, strict=True),
                    *drawn,
                )
                points.append(Point(index=index, params=params, seed=seed))
                index += 1
    return tuple(points)


def render(spec: SweepSpec, point: Point) -> str:
    """The netlist text of ``point``: a template with ``.param`` lines, or the factory's output.

    A stochastic spec adds ``.options seed=N`` so ngspice's own random functions repeat too.
    """
    return render_point(spec, point)[0]


def render_point(spec: SweepSpec, point: Point) -> tuple[str, tuple[str, ...]]:
    """``render``'s text and the OSDI libraries the point's circuit names (``Model.library``)."""
    libraries: tuple[str, ...] = ()
    if isinstance(spec.circuit, Template):
        lines = _LINE_BREAK.split(spec.circuit.text)
        cards = [f".param {name}={value!r}" for name, value in point.params]
        text = "\n".join([lines[0], *cards, *lines[1:]])
    else:
        try:
            made = spec.circuit(point.values, point.seed)
        except SpicegenError:
            raise
        except Exception as err:  # a user's function: report it as a spec error, not a crash
            name = getattr(spec.circuit, "__qualname__", "the factory")
            raise SpecError(
                "circuit.factory",
                f"{name} failed on point {point.index} {point.values}: {type(err).__name__}: {err}",
            ) from err
        if isinstance(made, Circuit):
            text = to_ngspice(made)
            libraries = osdi_libraries(made)
        elif isinstance(made, str):
            text = made
        else:
            raise SpecError(
                "circuit.factory",
                f"must return a Circuit or netlist text, not {type(made).__name__}",
            )
    if spec.stochastic:
        text = _insert_after_title(text, f".options seed={point.seed}")
    return (text if text.endswith("\n") else text + "\n"), libraries


def osdi_libraries(circuit: Circuit | Subckt) -> tuple[str, ...]:
    """The OSDI libraries of every model in ``circuit`` and its subcircuits, once each."""
    found = [m.library for m in circuit.models if m.library is not None]
    for subckt in circuit.subckts:
        found.extend(osdi_libraries(subckt))
    return tuple(dict.fromkeys(found))


def netlist_hash(text: str, analysis: str) -> str:
    """SHA-256 (hex) of what ngspice runs: the netlist text and the analysis card."""
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(b"\0" + analysis.encode("utf-8"))
    return digest.hexdigest()


def _insert_after_title(text: str, card: str) -> str:
    title, _, rest = text.partition("\n")
    return f"{title}\n{card}\n{rest}"
