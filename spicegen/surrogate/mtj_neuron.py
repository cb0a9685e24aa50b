"""MTJ neuron pairs characterised in ngspice and turned into per-neuron numpy tables.

Every pair of a network goes into ONE netlist: both devices of each pair with the ``rp`` drawn
for them (device-to-device spread and pair mismatch included), all fed from one swept current
source through current mirrors, device ``a`` at ``I`` and device ``b`` at ``I + dI``, exactly
as ``network_layer`` biases them. One ``.dc`` sweep of that source gives, for every neuron
``k`` and every current of the grid, ``V1 = f_k(I)`` and the pair's forward difference
``V2 - V1 = f2_k(I + dI) - f_k(I)``; the latter is what the hardware measures, mismatch and
all, so the surrogate's derivative is the SPICE engine's, not the exact one.

``PairSurrogate.predict`` interpolates both tables with monotone cubic Hermite (PCHIP) slopes
on the uniform grid, vectorised over samples and neurons; outside the grid it continues
linearly with the end slopes. ``PairSurrogate.layer`` checks a set of neurons once and returns
the interpolator a training loop calls per batch (one gather from a per-cell table of both
curves, no per-call checks). ``validate_pairs`` compares it with fresh ngspice operating points
at random currents off the grid. Results are cached (``cached_arrays``) by the model's text, the
device draws, the grid and the ngspice version.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator

from spicegen.netlist import (
    Cccs,
    Circuit,
    CurrentSource,
    Dc,
    Element,
    Op,
    Option,
    VoltageSource,
    to_ngspice,
)
from spicegen.sim import simulate
from spicegen.sim.batch import ngspice_executable
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = ["PairLayer", "PairSurrogate", "characterise_pairs", "pair_voltages", "validate_pairs"]

FloatArray = NDArray[np.float64]
_NAME, _VERSION = "mtj_neuron_pairs", 2


@dataclass(frozen=True, slots=True, eq=False)
class PairSurrogate:
    """Per-neuron tables on a uniform current grid: ``v1[k, j] = f_k(currents[j])`` (V) and
    ``difference[k, j] = f2_k(currents[j] + delta_current) - f_k(currents[j])`` (V)."""

    currents: FloatArray
    v1: FloatArray
    difference: FloatArray
    delta_current: float
    _slopes: tuple[FloatArray, FloatArray]
    # per (neuron, grid cell): both ends' values and slopes x step of both tables, laid out
    # (neurons * cells, 4, 2) as [y0, y1, m0, m1] x [v1, difference], so that one gather
    # serves a whole layer's interpolation
    _cells: FloatArray
    # per neuron, the values and slopes at both grid ends (the linear continuation outside),
    # (neurons, 4, 2) as [y first, slope first, y last, slope last] x [v1, difference]
    _ends: FloatArray

    @classmethod
    def from_tables(
        cls, currents: FloatArray, v1: FloatArray, difference: FloatArray, delta_current: float
    ) -> PairSurrogate:
        """Fit PCHIP slopes to the tables (``currents`` uniform and increasing, A)."""
        grid = np.asarray(currents, dtype=np.float64)
        steps = np.diff(grid)
        if grid.ndim != 1 or grid.size < 4 or not np.allclose(steps, steps[0], rtol=1e-9, atol=0):
            raise SurrogateError("pair tables: expected a uniform current grid of >= 4 points")
        tables = [np.atleast_2d(np.asarray(t, dtype=np.float64)) for t in (v1, difference)]
        if any(t.shape[1] != grid.size for t in tables) or tables[0].shape != tables[1].shape:
            raise SurrogateError("pair tables: v1 and difference must be (neurons, grid points)")
        slopes = tuple(PchipInterpolator(grid, t, axis=1).derivative()(grid) for t in tables)
        values, tangents = np.stack(tables, axis=-1), np.stack(slopes, axis=-1)  # (k, j, 2)
        step = grid[1] - grid[0]
        scaled = tangents * step
        cells = np.stack([values[:, :-1], values[:, 1:], scaled[:, :-1], scaled[:, 1:]], axis=2)
        ends = np.stack([values[:, 0], tangents[:, 0], values[:, -1], tangents[:, -1]], axis=1)
        return cls(
            grid, tables[0], tables[1], float(delta_current), (slopes[0], slopes[1]),
            np.ascontiguousarray(cells.reshape(-1, 4, 2)), np.ascontiguousarray(ends),
        )  # fmt: skip

    @property
    def neurons(self) -> int:
        return int(self.v1.shape[0])

    def layer(self, neurons: slice | NDArray[np.int64] | None = None) -> PairLayer:
        """The interpolator of neurons ``neurons`` (default all, in order), checked once, for
        repeated ``PairLayer.predict`` calls in a training loop."""
        index = np.arange(self.neurons)[neurons if neurons is not None else slice(None)]
        return PairLayer(self, index.size, index * (self.currents.size - 1),
                         np.ascontiguousarray(self._ends[index]))  # fmt: skip

    def predict(self, currents: FloatArray, neurons: slice | NDArray[np.int64] | None = None
                ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
        """``(V1, V2 - V1)`` in V for ``currents`` (A) of shape (samples, n), column ``c`` being
        neuron ``neurons[c]`` (default: all neurons in order)."""
        reader = self.layer(neurons)
        current = np.asarray(currents, dtype=np.float64)
        if current.ndim != 2 or current.shape[1] != reader.size:
            raise SurrogateError(
                f"pair surrogate: expected currents of shape (samples, {reader.size}), "
                f"got {current.shape}"
            )
        v1, difference, _ = reader.predict(current)
        return v1, difference

    def outside(self, currents: FloatArray) -> float:
        """Fraction of ``currents`` (A) outside the characterised grid (extrapolated)."""
        current = np.asarray(currents)
        low, high = self.currents[0], self.currents[-1]
        return float(np.mean((current < low) | (current > high))) if current.size else 0.0


@dataclass(frozen=True, slots=True, eq=False)
class PairLayer:
    """Cubic Hermite interpolation of some neurons of a ``PairSurrogate`` (its ``layer``):
    ``size`` neurons whose cells start at rows ``base`` of the surrogate's cell table."""

    surrogate: PairSurrogate
    size: int
    base: NDArray[np.int64]
    ends: FloatArray

    def predict(self, currents: FloatArray) -> tuple[FloatArray, FloatArray, int]:
        """``(V1, V2 - V1, outside)`` for float64 ``currents`` (A), (samples, size), unchecked:
        volts, and how many currents lay beyond the grid (continued along the end tangent)."""
        pairs = self.surrogate
        grid = pairs.currents
        last = grid.size - 1
        step = grid[1] - grid[0]
        position = (currents - grid[0]) / step
        # truncation is the floor for positions >= 0, and every negative one clips to cell 0
        cell = position.astype(np.int64)
        np.maximum(cell, 0, out=cell)
        np.minimum(cell, last - 1, out=cell)
        t = position - cell
        known = np.take(pairs._cells, cell + self.base, axis=0)  # (samples, size, 4, 2)
        t2 = t * t
        t3 = t2 * t
        h00 = (2 * t3 - 3 * t2 + 1)[..., None]
        h10 = (t3 - 2 * t2 + t)[..., None]
        h01 = (-2 * t3 + 3 * t2)[..., None]
        h11 = (t3 - t2)[..., None]
        result = h00 * known[:, :, 0] + h10 * known[:, :, 2]
        result += h01 * known[:, :, 1] + h11 * known[:, :, 3]
        below, above = position < 0, position > last
        beyond = int(np.count_nonzero(below)) + int(np.count_nonzero(above))
        if beyond:
            # beyond the grid: continue along the end tangent (the curves are smooth and
            # near-linear there, R tends to rp at large bias)
            ends = self.ends
            low = ends[:, 0] + ends[:, 1] * (currents - grid[0])[..., None]
            high = ends[:, 2] + ends[:, 3] * (currents - grid[-1])[..., None]
            result = np.where(below[..., None], low, np.where(above[..., None], high, result))
        return result[..., 0], result[..., 1], beyond


# -- characterisation --------------------------------------------------------------------------
def _pairs_circuit(
    model: CompiledModel,
    resistances: FloatArray,
    delta_current: float,
    device_params: Mapping[str, float],
    currents: FloatArray | None,
) -> Circuit:
    """Every pair driven from ``Isweep`` through mirrors (``currents`` None), or pair ``k`` at
    ``currents[k]`` by its own source (an operating point for validation)."""
    elements: list[Element] = []
    if currents is None:
        elements += [
            CurrentSource("Isweep", "0", "sweep", dc=0.0),
            VoltageSource("Vsense", "sweep", "0", dc=0.0),
        ]
    common = {**device_params, "stochastic": 0, "state0": 1}
    for k, (rp_a, rp_b) in enumerate(resistances.tolist()):
        a, b = f"a{k}", f"b{k}"
        if currents is None:
            elements += [
                Cccs(f"Fa{k}", "0", a, "Vsense", 1.0),
                Cccs(f"Fb{k}", "0", b, "Vsense", 1.0),
            ]
            elements.append(CurrentSource(f"Id{k}", "0", b, dc=delta_current))
        else:
            elements.append(CurrentSource(f"Ia{k}", "0", a, dc=float(currents[k])))
            elements.append(CurrentSource(f"Ib{k}", "0", b, dc=float(currents[k]) + delta_current))
        # as network_layer: n on the biased node, p on ground; deterministic, AP state
        elements.append(model.instance(f"Xa{k}", ("0", a), **{**common, "rp": rp_a}))
        elements.append(model.instance(f"Xb{k}", ("0", b), **{**common, "rp": rp_b}))
    return Circuit(
        title=f"{len(resistances)} MTJ neuron pairs",
        elements=tuple(elements),
        subckts=(model.subckt,),
        # a .dc sweep starts each point from the last one and stops at reltol; the default 1e-3
        # left V1 1e-4 off a fresh operating point, 1e-6 brings it to ~1e-8
        options=(Option("reltol", 1e-6),),
    )


def characterise_pairs(
    model: CompiledModel,
    resistances: FloatArray,
    delta_current: float,
    currents: FloatArray,
    *,
    device_params: Mapping[str, float] | None = None,
    use_cache: bool = True,
) -> PairSurrogate:
    """Characterise every pair in one ``.dc`` sweep over ``currents`` (uniform grid, A).

    ``resistances``: ``rp`` (ohm) of both devices of every pair, shape (pairs, 2);
    ``delta_current`` (A) the pair's current step; ``device_params`` further instance
    parameters of every device.
    """
    rp = np.asarray(resistances, dtype=np.float64)
    grid = np.asarray(currents, dtype=np.float64)
    if rp.ndim != 2 or rp.shape[1] != 2 or rp.shape[0] < 1 or not np.all(rp > 0):
        raise SurrogateError(f"pairs: expected positive rp of shape (pairs, 2), got {rp.shape}")
    if grid.ndim != 1 or grid.size < 4:
        raise SurrogateError("pairs: expected a current grid of at least 4 points")
    step = float(grid[1] - grid[0])
    if step <= 0 or not np.allclose(np.diff(grid), step, rtol=1e-9, atol=0):
        raise SurrogateError("pairs: expected a uniform, increasing current grid")
    params = dict(device_params or {})
    circuit = _pairs_circuit(model, rp, delta_current, params, None)

    def compute() -> dict[str, FloatArray]:
        # the stop is nudged by half a step so that ngspice's float stepping keeps the last point
        sweep = Dc(source="Isweep", start=float(grid[0]), stop=float(grid[-1]) + step / 2,
                   step=step)  # fmt: skip
        waves = simulate(circuit, sweep, timeout=3600.0).waveforms
        v1 = np.stack([waves.v(f"a{k}") for k in range(len(rp))])[:, : grid.size]
        v2 = np.stack([waves.v(f"b{k}") for k in range(len(rp))])[:, : grid.size]
        if v1.shape[1] != grid.size:
            raise SurrogateError(f"pairs: ngspice returned {v1.shape[1]} of {grid.size} points")
        return {"v1": v1, "difference": v2 - v1}

    parts = {
        "netlist": to_ngspice(circuit),  # the model's text, the draws and the parameters
        "grid": grid,
        "ngspice": ngspice_version(),
    }
    arrays, _ = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    return PairSurrogate.from_tables(grid, arrays["v1"], arrays["difference"], delta_current)


def pair_voltages(
    model: CompiledModel,
    resistances: FloatArray,
    delta_current: float,
    currents: FloatArray,
    *,
    device_params: Mapping[str, float] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """ngspice's ``(V1, V2 - V1)`` of pair ``k`` at ``currents[k]`` (A), by one operating
    point with each pair on its own sources (no sweep, no mirrors): the validation reference."""
    rp = np.asarray(resistances, dtype=np.float64)
    current = np.asarray(currents, dtype=np.float64).ravel()
    if current.size != rp.shape[0]:
        raise SurrogateError(f"pairs: expected {rp.shape[0]} currents, got {current.size}")
    circuit = _pairs_circuit(model, rp, delta_current, dict(device_params or {}), current)
    waves = simulate(circuit, Op()).waveforms
    v1 = np.array([waves.v(f"a{k}")[0] for k in range(current.size)])
    v2 = np.array([waves.v(f"b{k}")[0] for k in range(current.size)])
    return v1, v2 - v1


def validate_pairs(
    model: CompiledModel,
    surrogate: PairSurrogate,
    resistances: FloatArray,
    *,
    device_params: Mapping[str, float] | None = None,
    rounds: int = 3,
    seed: int = 0,
) -> tuple[Validation, Validation]:
    """The surrogate against fresh ngspice points: ``rounds`` operating points, each pair at
    its own uniform random current inside the grid (``seed``: a numpy seed). Errors are
    fractions of the full scale of V1 and of the difference over the grid."""
    rng = np.random.default_rng(seed)
    low, high = surrogate.currents[0], surrogate.currents[-1]
    predicted: list[FloatArray] = [np.zeros(0), np.zeros(0)]
    reference: list[FloatArray] = [np.zeros(0), np.zeros(0)]
    for _ in range(rounds):
        current = rng.uniform(low, high, surrogate.neurons)
        ours = surrogate.predict(current[None, :])
        theirs = pair_voltages(
            model, resistances, surrogate.delta_current, current, device_params=device_params
        )
        for k in range(2):
            predicted[k] = np.concatenate([predicted[k], ours[k][0]])
            reference[k] = np.concatenate([reference[k], theirs[k]])
    v1_scale = float(np.ptp(surrogate.v1))
    difference_scale = float(np.ptp(surrogate.difference))
    return (
        compare("V1 = f(I)", predicted[0], reference[0], full_scale=v1_scale),
        compare("V2 - V1", predicted[1], reference[1], full_scale=difference_scale),
    )


@lru_cache(maxsize=1)
def ngspice_version() -> str:
    """The first line ``ngspice -v`` prints (part of every characterisation's cache key)."""
    try:
        done = subprocess.run(
            [ngspice_executable(), "-v"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise SurrogateError(f"cannot run ngspice -v: {err}") from None
    lines = [line.strip("* ") for line in done.stdout.splitlines() if "ngspice" in line]
    return lines[0] if lines else done.stdout.strip()
