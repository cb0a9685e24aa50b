"""The ``dw_synapse`` programming cycle as a random proposal: the level a domain wall lands on
when it is reset and driven back to a target level, characterised by Monte Carlo ngspice runs.

The spin-memristor variant of the memristor MCMC sampler (the CEA-List/TDK direction,
physics.md sections 7 and 9) draws its proposals from the wall's position noise: a cycle pushes
the wall to the track's end (``x = 0``, where it stops), then one current pulse of width
``tnoise`` (one noise level) moves it by ``vel (i/ith - 1) t / length`` plus a Gaussian error of
sd ``sigma_pos`` per ``tnoise`` of motion, and the wall relaxes into the nearest of ``nlevels``
pinning sites (``docs/models/dw_synapse.md``). Aimed at level ``j``, it lands on ``j + k`` with
the odds of a Gaussian falling into the ``k``-th cell around ``j``: a discrete, symmetric random
walk on the levels. Targets are the inner levels ``1 .. nlevels - 2``: at the track's ends the
model's noise can carry the wall past the last pinning site, so a proposal landing on an end
level lies outside the sampler's window and is rejected.

``characterise(...)`` programs ``devices`` devices ``cycles`` times towards every inner level and
counts where they land; ``DwProgramming`` holds the counts, the fitted landing sd and the
programming energy per level (integral of ``v i`` over the cycle); ``closed_form`` is the
model's own transition matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import erf, erfinv

from spicegen.netlist import (
    Circuit,
    CurrentSource,
    Element,
    Option,
    Pwl,
    Tran,
    VoltageSource,
    to_ngspice,
)
from spicegen.seeds import point_seed
from spicegen.sim import simulate
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.mtj_neuron import ngspice_version
from spicegen.surrogate.rram_programming import cycle_energies
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = [
    "DwCycle",
    "DwProgramming",
    "characterise",
    "closed_form",
    "drive_ratio",
    "measure",
    "programming_circuit",
    "validate",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_NAME = "dw_programming"
_VERSION = 1


@dataclass(frozen=True, slots=True)
class DwCycle:
    """One cycle: RESET (``-reset_current`` A for 20 ns, the wall to x = 0), 10 ns to settle,
    the programming pulse (one noise slot, 10 ns, ``edge`` s ramps inside it), 10 ns to settle,
    a 10 ns read at ``read_current`` A (below ``ith``: the wall does not move)."""

    reset_current: float = 300e-6
    read_current: float = 10e-6
    edge: float = 0.1e-9
    tnoise: float = 10e-9

    def __post_init__(self) -> None:
        if not self.reset_current > 0 or not self.read_current > 0:
            raise SurrogateError("dw cycle: reset_current and read_current must be > 0 A")
        if not 0 < 4 * self.edge < self.tnoise:
            raise SurrogateError("dw cycle: expected 0 < 4 edge < tnoise")

    @property
    def period(self) -> float:
        """One cycle (s): six noise slots."""
        return 6 * self.tnoise

    def read_times(self, cycles: int) -> FloatArray:
        """Mid-read times (s) of each cycle."""
        return np.asarray(np.arange(cycles) * self.period + 5.5 * self.tnoise, dtype=np.float64)


def drive_ratio(
    level: int, nlevels: int, model_values: Mapping[str, float], cycle: DwCycle
) -> float:
    """``r = i / ith`` of the pulse that moves the wall from 0 to ``level / (nlevels - 1)``.

    The drawn pulse rises over ``2 edge``, holds, falls over ``2 edge`` inside one noise slot;
    the wall moves ``vel/length`` times the integral of ``(i/ith - 1)`` where positive:
    ``(tnoise - 4 edge)(r - 1) + 4 edge (r - 1)^2 / (2 r)``, solved for ``r``.
    """
    distance = level / (nlevels - 1)
    vel, length = float(model_values["vel"]), float(model_values["length"])
    hold, ramp = cycle.tnoise - 4 * cycle.edge, 2 * cycle.edge
    target = distance * length / vel  # s: the integral the pulse must deliver
    # hold (r - 1) + ramp (r - 1)^2 / r = target, i.e.
    # (hold + ramp) r^2 - (hold + 2 ramp + target) r + ramp = 0
    a, b, c = hold + ramp, -(hold + 2 * ramp + target), ramp
    return float((-b + math.sqrt(b * b - 4 * a * c)) / (2 * a))


def _pulse(start: float, current: float, width: float, edge: float) -> list[tuple[float, float]]:
    return [
        (start, 0.0),
        (start + 2 * edge, current),
        (start + width - 2 * edge, current),
        (start + width, 0.0),
    ]


def _drive(currents: Sequence[float], cycles: int, cycle: DwCycle) -> Pwl:
    """RESET, settle, pulse, settle, read, per cycle."""
    slot, edge = cycle.tnoise, cycle.edge
    points: list[tuple[float, float]] = [(0.0, 0.0)]
    for n in range(cycles):
        start = n * cycle.period
        points += _pulse(start + edge, -cycle.reset_current, 2 * slot - 2 * edge, edge)
        if currents[n] > 0:
            points += _pulse(start + 3 * slot, currents[n], slot, edge)
        points += [
            (start + 5 * slot, 0.0),
            (start + 5 * slot + 2 * edge, cycle.read_current),
            (start + 6 * slot - 2 * edge, cycle.read_current),
        ]
    points.append((cycles * cycle.period, 0.0))
    # a pulse ending exactly where the next starts repeats a time: keep the first
    kept: list[tuple[float, float]] = []
    for time, level in points:
        if kept and time <= kept[-1][0]:
            continue
        kept.append((time, level))
    return Pwl(tuple(kept))


def programming_circuit(
    model: CompiledModel,
    targets: Sequence[int],
    *,
    nlevels: int,
    sigma_pos: float,
    cycles: int,
    cycle: DwCycle,
    ngspice_seed: int,
) -> Circuit:
    """One device per target level, each driven ``cycles`` times towards its level; device
    ``k`` is ``X{k}`` on node ``a{k}`` behind the meter ``Vm{k}``."""
    values = model.parameter_values(
        {"nlevels": nlevels, "sigma_pos": sigma_pos, "tnoise": cycle.tnoise}
    )
    ith = float(values["ith"])
    elements: list[Element] = []
    for k, level in enumerate(targets):
        current = drive_ratio(level, nlevels, values, cycle) * ith if level > 0 else 0.0
        elements += [
            CurrentSource(
                f"I{k}", "0", f"s{k}", waveform=_drive([current] * cycles, cycles, cycle)
            ),
            VoltageSource(f"Vm{k}", f"s{k}", f"a{k}", 0.0),
            model.instance(
                f"X{k}", (f"a{k}", "0"), nlevels=nlevels, sigma_pos=sigma_pos, tnoise=cycle.tnoise
            ),
        ]
    return Circuit(
        title=f"dw programming cycles, {len(targets)} devices",
        elements=tuple(elements),
        subckts=(model.subckt,),
        options=(Option("seed", ngspice_seed),),
    )


def measure(
    model: CompiledModel,
    targets: Sequence[int],
    *,
    nlevels: int,
    sigma_pos: float,
    cycles: int,
    cycle: DwCycle,
    ngspice_seed: int,
) -> dict[str, FloatArray]:
    """Simulate ``programming_circuit``: per device and cycle (shape (devices, cycles)) the
    ``level`` read back (conductance ``I_read / V`` rounded onto the level grid), the
    ``conductance`` (S) and the ``energy`` the drive delivered during the cycle (J)."""
    circuit = programming_circuit(
        model,
        targets,
        nlevels=nlevels,
        sigma_pos=sigma_pos,
        cycles=cycles,
        cycle=cycle,
        ngspice_seed=ngspice_seed,
    )
    values = model.parameter_values({"nlevels": nlevels})
    gmin, gmax = float(values["gmin"]), float(values["gmax"])
    waves = simulate(
        circuit, Tran(cycle.edge, cycles * cycle.period, max_step=cycle.tnoise / 20), timeout=3600.0
    ).waveforms
    time = np.asarray(waves.axis, dtype=np.float64)
    bounds = np.arange(cycles + 1) * cycle.period
    reads = cycle.read_times(cycles)
    out: dict[str, list[FloatArray]] = {"level": [], "conductance": [], "energy": []}
    for k in range(len(targets)):
        voltage = np.asarray(waves.v(f"a{k}"))
        current = np.asarray(waves.i(f"Vm{k}"))
        conductance = cycle.read_current / np.interp(reads, time, voltage)
        out["conductance"].append(conductance)
        out["level"].append(np.round((conductance - gmin) / (gmax - gmin) * (nlevels - 1)))
        power = voltage * current
        out["energy"].append(cycle_energies(time, power, bounds.astype(np.float64)))
    return {name: np.stack(rows) for name, rows in out.items()}


def _cell_probabilities(nlevels: int, sd: float) -> FloatArray:
    """``P[j, k]``: aimed at level ``j``, the wall lands on ``k``, for an error of sd ``sd``
    (fraction of the track) and nearest-site relaxation; the end cells take the tails."""
    spacing = 1.0 / (nlevels - 1)
    edges = (np.arange(nlevels + 1) - 0.5) * spacing  # cell k is [edges[k], edges[k+1])
    edges[0], edges[-1] = -np.inf, np.inf
    centres = np.arange(nlevels) * spacing
    z = (edges[None, :] - centres[:, None]) / sd
    cdf = 0.5 * (1 + erf(z / math.sqrt(2)))
    return np.asarray(np.diff(cdf, axis=1), dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class DwProgramming:
    """Where a wall aimed at each inner level lands, from ngspice.

    ``counts[j, k]``: cycles aimed at level ``j`` (rows 0 .. nlevels-1; only the inner rows
    ``1 .. nlevels-2`` are measured) that landed on ``k``. ``sd``: the fitted landing sd
    (fraction of the track) from the share of cycles that land on their target; ``transition``
    is the Gaussian cell model of that sd (the sampler's proposal density). ``energy[j]``: mean
    J per cycle aimed at ``j``. ``gmin``/``gmax``: the conductances of the end levels (S).
    """

    nlevels: int
    counts: IntArray
    sd: float
    energy: FloatArray
    gmin: float
    gmax: float
    cycle: DwCycle
    transition: FloatArray = field(repr=False)

    @classmethod
    def from_counts(
        cls,
        nlevels: int,
        counts: IntArray,
        energy: FloatArray,
        gmin: float,
        gmax: float,
        cycle: DwCycle,
    ) -> DwProgramming:
        """Fit the landing sd: P(land on target) = erf(spacing / (2 sqrt(2) sd))."""
        table = np.asarray(counts, dtype=np.int64)
        inner = table[1:-1]
        stay = float(np.trace(inner, offset=1)) / max(int(inner.sum()), 1)
        if not 0.0 < stay < 1.0:
            raise SurrogateError(
                f"dw programming: {100 * stay:.1f} % of the cycles landed on their target; "
                "the landing sd cannot be fitted (sigma_pos too small or too large)"
            )
        spacing = 1.0 / (nlevels - 1)
        sd = spacing / (2 * math.sqrt(2) * float(erfinv(stay)))
        return cls(
            nlevels,
            table,
            sd,
            np.asarray(energy, dtype=np.float64),
            gmin,
            gmax,
            cycle,
            _cell_probabilities(nlevels, sd),
        )

    @property
    def conductances(self) -> FloatArray:
        """Conductance (S) of each level."""
        return np.asarray(np.linspace(self.gmin, self.gmax, self.nlevels), dtype=np.float64)

    @property
    def window(self) -> tuple[int, int]:
        """The inner levels a proposal can be aimed at (inclusive)."""
        return 1, self.nlevels - 2

    def observed(self) -> FloatArray:
        """The measured landing frequencies of the inner rows (rows sum to 1; others 0)."""
        table = self.counts.astype(np.float64)
        totals = table.sum(axis=1, keepdims=True)
        return np.asarray(np.divide(table, totals, out=np.zeros_like(table), where=totals > 0))


def characterise(
    model: CompiledModel,
    *,
    nlevels: int = 16,
    sigma_pos: float = 0.4 / 15,
    devices: int = 8,
    cycles: int = 8,
    cycle: DwCycle | None = None,
    seed: int = 0,
    chunk: int = 14,
    workers: int = 2,
    use_cache: bool = True,
) -> DwProgramming:
    """Monte Carlo ngspice characterisation: ``devices`` x ``cycles`` cycles aimed at each inner
    level (cached on disk). ``sigma_pos``: the model's position noise per ``tnoise`` (default
    0.4 of a level spacing of 16 levels); ``seed``: the sweep seed of each netlist's ngspice
    seed (``point_seed``)."""
    settings = cycle or DwCycle()
    if type(nlevels) is not int or not 4 <= nlevels <= 16:
        raise SurrogateError(f"dw programming: nlevels must be an int in 4..16, got {nlevels!r}")
    for name, value in (("devices", devices), ("cycles", cycles), ("chunk", chunk)):
        if type(value) is not int or value < 1:
            raise SurrogateError(f"dw programming: {name} must be an int >= 1, got {value!r}")
    if not sigma_pos > 0:
        raise SurrogateError(f"dw programming: sigma_pos must be > 0, got {sigma_pos!r}")
    targets = [j for j in range(1, nlevels - 1) for _ in range(devices)]

    def compute() -> dict[str, FloatArray]:
        jobs = [targets[k : k + chunk] for k in range(0, len(targets), chunk)]

        def run(index: int) -> dict[str, FloatArray]:
            return measure(
                model,
                jobs[index],
                nlevels=nlevels,
                sigma_pos=sigma_pos,
                cycles=cycles,
                cycle=settings,
                ngspice_seed=point_seed(seed, index),
            )

        with ThreadPoolExecutor(max_workers=workers) as pool:
            measured = list(pool.map(run, range(len(jobs))))
        return {name: np.concatenate([m[name] for m in measured]) for name in measured[0]}

    sample = programming_circuit(
        model, [1], nlevels=nlevels, sigma_pos=sigma_pos, cycles=1, cycle=settings, ngspice_seed=0
    )
    parts: dict[str, Any] = {
        "netlist": to_ngspice(sample),
        "devices": devices,
        "cycles": cycles,
        "seed": seed,
        "chunk": chunk,
        "ngspice": ngspice_version(),
    }
    arrays, _ = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    landed = np.clip(arrays["level"].astype(np.int64), 0, nlevels - 1)
    counts = np.zeros((nlevels, nlevels), dtype=np.int64)
    energy = np.zeros(nlevels)
    aimed = np.asarray(targets)
    for row, target in enumerate(aimed):
        np.add.at(counts[target], landed[row], 1)
    for target in range(1, nlevels - 1):
        energy[target] = float(arrays["energy"][aimed == target].mean())
    values = model.parameter_values({"nlevels": nlevels})
    return DwProgramming.from_counts(
        nlevels, counts, energy, float(values["gmin"]), float(values["gmax"]), settings
    )


def closed_form(
    nlevels: int, sigma_pos: float, model_values: Mapping[str, float], cycle: DwCycle | None = None
) -> FloatArray:
    """The model's own ``P[j, k]`` for the inner targets ``j`` (other rows 0): the pulse moves
    the wall exactly onto ``j`` (``drive_ratio``), the noise acts while ``i > ith``, i.e. for
    ``tnoise - 4 edge / r`` of the slot, so the landing sd is ``sigma_pos`` times that
    fraction; the wall then relaxes to the nearest site."""
    settings = cycle or DwCycle()
    table = np.zeros((nlevels, nlevels))
    for j in range(1, nlevels - 1):
        r = drive_ratio(j, nlevels, model_values, settings)
        sd = sigma_pos * (1 - 4 * settings.edge / (r * settings.tnoise))
        table[j] = _cell_probabilities(nlevels, sd)[j]
    return table


def validate(
    model: CompiledModel,
    surrogate: DwProgramming,
    *,
    sigma_pos: float,
    devices: int = 8,
    cycles: int = 8,
    seed: int = 1,
    workers: int = 2,
) -> Validation:
    """The fitted transition matrix against fresh ngspice landing frequencies (another
    ``seed``): errors as fractions of probability 1, over the inner rows and |k - j| <= 2."""
    fresh = characterise(
        model,
        nlevels=surrogate.nlevels,
        sigma_pos=sigma_pos,
        devices=devices,
        cycles=cycles,
        cycle=surrogate.cycle,
        seed=seed,
        workers=workers,
    )
    rows = np.arange(1, surrogate.nlevels - 1)
    near = [(j, k) for j in rows for k in range(j - 2, j + 3) if 0 <= k < surrogate.nlevels]
    predicted = [surrogate.transition[j, k] for j, k in near]
    measured = [fresh.observed()[j, k] for j, k in near]
    return compare("landing probability", predicted, measured, full_scale=1.0)
