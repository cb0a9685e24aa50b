"""Trains of weak-RESET pulses of the shipped ``rram_hfo2``, characterised by Monte Carlo
ngspice runs: the conductance step per pulse against the present conductance.

The weak-RESET programming of arXiv 2107.06064 (physics.md section 9) lowers an HfO2 cell's
conductance by a random step per pulse; a SET brings it back to the top of its window. In
``rram_hfo2`` (``docs/models/rram_hfo2.md``) a pulse of one noise slot multiplies the state
``x`` by ``m = exp(-A max(0, 1 + sigma_c2c z))`` (``A`` the integral of the RESET rate over the
pulse as drawn), and ``G = g_lo + x (g_hi - g_lo)`` with each instance's window drawn once
(device-to-device spread). So the step shrinks with the present conductance (the nonlinearity),
its spread is the cycle-to-cycle noise, and its size in siemens scales with the device's window.

One netlist holds ``chunk`` devices on one drive, each behind a 0 V meter. Every 100 ns slot
(the model's noise slot ``tnoise``) is one drive level: per train, a read, a SET, a read, then
``pulses`` times a weak RESET and a read; after the last train a strong RESET (three slots)
and a read give the bottom of each device's window. ``characterise_weak_reset(model, spec)``
returns a ``WeakReset``: per bin of the present normalised state ``x = (G - g_lo)/(g_hi -
g_lo)`` the mean and sd of the step in ``x`` and in siemens, the log-step moments, the windows of
the devices (mean and sd of ``g_lo`` and ``g_hi``) and the energies of a pulse and of a SET
(integral of ``v i`` over the slot). ``closed_form`` is the model's own prediction;
``validate_weak_reset`` compares the table with fresh devices (another seed, another count).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from spicegen.netlist import Circuit, Element, Option, Tran, VoltageSource, to_ngspice
from spicegen.seeds import point_seed
from spicegen.sim import simulate
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.surrogate.mtj_neuron import ngspice_version
from spicegen.surrogate.rram_programming import _pwl, cycle_energies
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = [
    "WeakReset",
    "WeakResetSpec",
    "characterise_weak_reset",
    "closed_form",
    "measure_trains",
    "validate_weak_reset",
]

FloatArray = NDArray[np.float64]
_NAME = "rram_weak_reset"
_VERSION = 3
SLOT = 100e-9  # s, one drive level; equal to the model's noise slot so a pulse draws one level
STRONG_SLOTS = 3  # slots of the final strong RESET


@dataclass(frozen=True, slots=True)
class WeakResetSpec:
    """What is simulated: ``devices`` cells (own window draws from ``seed``), ``trains`` trains
    of ``pulses`` weak-RESET pulses of ``pulse_voltage`` V (one 100 ns slot each) per cell, each
    train after a SET of ``set_voltage`` V; reads at ``read_voltage`` V; ``edge`` s per drive
    transition; ``bins`` equal bins of the present state; ``chunk`` cells per netlist;
    ``device_params``: instance parameters of every cell (e.g. ``sigma_c2c``)."""

    devices: int = 32
    trains: int = 2
    pulses: int = 24
    pulse_voltage: float = -0.65
    set_voltage: float = 1.0
    reset_voltage: float = -1.2
    read_voltage: float = 0.1
    edge: float = 5e-9
    bins: int = 10
    chunk: int = 8
    seed: int = 0
    device_params: tuple[tuple[str, float], ...] = ()

    def check(self) -> None:
        """Raise ``SurrogateError`` naming the first field out of range."""
        for name in ("devices", "trains", "pulses", "bins", "chunk"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise SurrogateError(f"weak reset: {name} must be an int >= 1, got {value!r}")
        if self.devices < 2 or self.bins < 2:
            raise SurrogateError("weak reset: need >= 2 devices and >= 2 bins")
        if not self.reset_voltage < self.pulse_voltage < 0 < self.read_voltage < self.set_voltage:
            raise SurrogateError(
                "weak reset: expected reset_voltage < pulse_voltage < 0 < read_voltage < "
                f"set_voltage, got {self.reset_voltage}, {self.pulse_voltage}, "
                f"{self.read_voltage}, {self.set_voltage}"
            )
        if not 0 < self.edge <= 10e-9:
            raise SurrogateError(f"weak reset: edge must lie in (0, 10 ns], got {self.edge!r}")

    @property
    def levels(self) -> tuple[float, ...]:
        """The drive level (V) of every 100 ns slot of the whole run."""
        read = self.read_voltage
        train = (read, self.set_voltage, read) + (self.pulse_voltage, read) * self.pulses
        # three strong-RESET slots: one slot's noise factor max(0, 1 + sigma_c2c z) is 0 with
        # probability P(z < -1/sigma_c2c) (16 % at sigma_c2c = 1), which would leave the cell
        # above its bottom; three fail together with that probability cubed
        return train * self.trains + (self.reset_voltage,) * STRONG_SLOTS + (read,)

    def pulse_exponent(self, model_values: Mapping[str, float]) -> float:
        """``A``: the integral of the RESET rate ``exp((-v - vreset)/vr)/tau_reset`` over one
        weak-RESET slot as drawn (edges centred on the slot's bounds), trapezoid rule."""
        t = np.linspace(-self.edge, SLOT + self.edge, 200_001)
        v = np.interp(
            t,
            [-self.edge, self.edge, SLOT - self.edge, SLOT + self.edge],
            [self.read_voltage, self.pulse_voltage, self.pulse_voltage, self.read_voltage],
        )
        vreset, vr, tau = (float(model_values[k]) for k in ("vreset", "vr", "tau_reset"))
        rate = np.where(v < -vreset, np.exp((-v - vreset) / vr) / tau, 0.0)
        return float(np.sum((rate[1:] + rate[:-1]) / 2 * np.diff(t)))


def _circuit(model: CompiledModel, spec: WeakResetSpec, index: int, count: int) -> Circuit:
    levels = spec.levels
    drive = _pwl(levels, [SLOT] * len(levels), spec.edge, 1)
    params = {"tnoise": SLOT, **dict(spec.device_params)}
    elements: list[Element] = [VoltageSource("Vd", "d", "0", spec.read_voltage, waveform=drive)]
    for k in range(count):
        elements += [
            VoltageSource(f"Vm{k}", "d", f"a{k}", 0.0),
            model.instance(f"Xc{index}_{k}", (f"a{k}", "0"), seed=spec.seed, **params),
        ]
    return Circuit(
        title=f"rram weak-RESET trains, {count} devices",
        elements=tuple(elements),
        subckts=(model.subckt,),
        options=(Option("seed", point_seed(spec.seed, index)),),
    )


def measure_trains(
    model: CompiledModel, spec: WeakResetSpec, index: int, count: int
) -> dict[str, FloatArray]:
    """Simulate netlist ``index`` of ``count`` cells and read per cell: ``conductance`` in the
    middle of every read slot (S, shape (cells, reads)) and ``energy`` of every slot (J)."""
    circuit = _circuit(model, spec, index, count)
    levels = np.asarray(spec.levels)
    v0 = float(model.parameter_values(dict(spec.device_params))["v0"])
    stop = levels.size * SLOT
    waves = simulate(circuit, Tran(1e-9, stop, max_step=5e-9), timeout=3600.0).waveforms
    time = np.asarray(waves.axis, dtype=np.float64)
    reads = (np.flatnonzero(levels == spec.read_voltage) + 0.5) * SLOT
    bounds = np.arange(levels.size + 1) * SLOT
    drive = np.asarray(waves.v("d"))
    conductance, energy = [], []
    for k in range(count):
        current = np.asarray(waves.i(f"Vm{k}"))
        g = current / (v0 * np.sinh(drive / v0))  # I = G v0 sinh(v/v0), at the read levels
        conductance.append(np.interp(reads, time, g))
        energy.append(cycle_energies(time, drive * current, bounds.astype(np.float64)))
    return {"conductance": np.stack(conductance), "energy": np.stack(energy)}


def _monte_carlo(model: CompiledModel, spec: WeakResetSpec, workers: int) -> dict[str, FloatArray]:
    counts = [min(spec.chunk, spec.devices - first) for first in range(0, spec.devices, spec.chunk)]

    def run(index: int) -> dict[str, FloatArray]:
        return measure_trains(model, spec, index, counts[index])

    with ThreadPoolExecutor(max_workers=workers) as pool:  # each run is an ngspice process
        measured = list(pool.map(run, range(len(counts))))
    return {name: np.concatenate([m[name] for m in measured]) for name in measured[0]}


@dataclass(frozen=True, slots=True, eq=False)
class WeakReset:
    """Weak-RESET steps from ngspice, per bin of the present state ``x`` (``edges``), and
    fits through the origin (the model's step is proportional to ``x``; the square term takes
    what the measurement shows beyond that) that ``mean_step`` and ``step_spread`` use.

    ``step_mean``/``step_sd``: the change of ``x`` per pulse (negative); ``conductance`` (S,
    bin means of the present conductance) with ``conductance_step_mean``/``_sd`` (S);
    ``log_step_mean``/``_sd``: of ``ln(x_after/x_before)`` over the pulses that start above the
    lowest bin; the windows: ``high_mean``/``high_sd`` and ``low_mean``/``low_sd`` (S) across
    devices; ``pulse_energy`` and ``set_energy`` (J, means); ``samples`` pulses in all;
    ``cached``: served from the disk cache.
    """

    spec: WeakResetSpec
    edges: FloatArray
    step_mean: FloatArray
    step_sd: FloatArray
    conductance: FloatArray
    conductance_step_mean: FloatArray
    conductance_step_sd: FloatArray
    log_step_mean: float
    log_step_sd: float
    high_mean: float
    high_sd: float
    low_mean: float
    low_sd: float
    pulse_energy: float
    set_energy: float
    samples: int
    cached: bool = False
    _centres: FloatArray = field(repr=False, default_factory=lambda: np.empty(0))
    _mean_fit: tuple[float, float] = field(repr=False, default=(0.0, 0.0))
    _sd_fit: tuple[float, float] = field(repr=False, default=(0.0, 0.0))

    @property
    def centres(self) -> FloatArray:
        """Mean present state of each bin (the table's abscissa)."""
        return self._centres

    def mean_step(self, x: FloatArray) -> FloatArray:
        """Mean change of the state per pulse at present state ``x``: the fit ``a x + b x^2``
        (0 at 0) of every measured pulse."""
        a, b = self._mean_fit
        return np.asarray(a * x + b * x**2)

    def step_spread(self, x: FloatArray) -> FloatArray:
        """sd of the change of the state per pulse at present state ``x``: the fit
        ``c x + d x^2`` of the bins' sds, weighted by their pulses."""
        c, d = self._sd_fit
        return np.asarray(np.maximum(c * x + d * x**2, 0.0))

    def pulses_to(self, x: float) -> float:
        """Mean pulses that take a freshly SET cell (x = 1) down to state ``x`` (0 < x < 1),
        from the table's log step."""
        if not 0 < x < 1:
            raise SurrogateError(f"weak reset: target state must lie in (0, 1), got {x!r}")
        return math.log(x) / self.log_step_mean


def _table(
    spec: WeakResetSpec, conductance: FloatArray, energy: FloatArray
) -> dict[str, FloatArray]:
    """The moments of ``measure_trains`` output gathered over every cell (arrays for the cache)."""
    levels = np.asarray(spec.levels)
    per_train = 2 + spec.pulses  # reads: after-read-before-SET, after SET, after each pulse
    low = conductance[:, -1]  # after the strong RESET: x ~ exp(-40), the window's bottom
    before, after, g_before, g_after, high = [], [], [], [], []
    for train in range(spec.trains):
        reads = conductance[:, train * per_train + 1 : (train + 1) * per_train]
        top = reads[:, :1]  # after the SET: x = 1 - exp(-20), the window's top
        x = (reads - low[:, None]) / (top - low[:, None])
        before.append(x[:, :-1].ravel())
        after.append(x[:, 1:].ravel())
        g_before.append(reads[:, :-1].ravel())
        g_after.append(reads[:, 1:].ravel())
        high.append(top[:, 0])
    x0, x1 = np.concatenate(before), np.concatenate(after)
    g0, g1 = np.concatenate(g_before), np.concatenate(g_after)
    edges = np.linspace(0.0, 1.0, spec.bins + 1)
    which = np.clip(np.digitize(x0, edges) - 1, 0, spec.bins - 1)
    rows = []
    for b in range(spec.bins):
        inside = which == b
        if np.count_nonzero(inside) < 2:
            raise SurrogateError(
                f"weak reset: fewer than 2 pulses start in state bin {edges[b]:.2f} .. "
                f"{edges[b + 1]:.2f}; add pulses or devices, or use fewer bins"
            )
        dx, dg = x1[inside] - x0[inside], g1[inside] - g0[inside]
        rows.append(
            (
                x0[inside].mean(),
                dx.mean(),
                dx.std(ddof=1),
                g0[inside].mean(),
                dg.mean(),
                dg.std(ddof=1),
            )
        )
    table = np.array(rows)
    basis = np.stack([x0, x0**2], axis=1)  # through the origin: a cell at x = 0 cannot step
    mean_fit = np.linalg.lstsq(basis, x1 - x0, rcond=None)[0]
    counts = np.bincount(which, minlength=spec.bins).astype(np.float64)
    centres = table[:, 0]
    weights = np.sqrt(counts)[:, None]
    sd_fit = np.linalg.lstsq(
        np.stack([centres, centres**2], axis=1) * weights, table[:, 2] * weights[:, 0], rcond=None
    )[0]
    lowest = x0 > edges[1]  # below it the read noise of the subtraction dominates the log
    log_step = np.log(np.maximum(x1[lowest], 1e-12) / x0[lowest])
    pulse_slots = levels == spec.pulse_voltage
    set_slots = levels == spec.set_voltage
    highs = np.stack(high)
    return {
        "edges": edges,
        "table": table,
        "log_step": np.array([log_step.mean(), log_step.std(ddof=1)]),
        "windows": np.array([highs.mean(), highs.std(ddof=1), low.mean(), low.std(ddof=1)]),
        "energies": np.array([energy[:, pulse_slots].mean(), energy[:, set_slots].mean()]),
        "samples": np.array(x0.size),
        "fits": np.concatenate([mean_fit, sd_fit]),
    }


def characterise_weak_reset(
    model: CompiledModel,
    spec: WeakResetSpec = WeakResetSpec(),
    *,
    workers: int = 2,
    use_cache: bool = True,
) -> WeakReset:
    """Run (or fetch from the cache) the Monte Carlo weak-RESET trains of ``spec`` on ``model``
    (the shipped ``rram_hfo2``); ``workers`` netlists at once."""
    spec.check()
    if not {"sigma_c2c", "sigma_d2d", "tau_reset", "tnoise"} <= set(model.parameters):
        raise SurrogateError(f"weak reset: model {model.name!r} is not an rram_hfo2")
    if type(workers) is not int or workers < 1:
        raise SurrogateError(f"weak reset: workers must be an int >= 1, got {workers!r}")
    parts = {
        "spec": repr(spec),
        "netlist": to_ngspice(_circuit(model, replace(spec, trains=1, pulses=1), 0, 1)),
        "ngspice": ngspice_version(),
    }

    def compute() -> dict[str, FloatArray]:
        measured = _monte_carlo(model, spec, workers)
        return _table(spec, measured["conductance"], measured["energy"])

    arrays, hit = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    table = arrays["table"]
    high_mean, high_sd, low_mean, low_sd = (float(v) for v in arrays["windows"])
    return WeakReset(
        spec,
        arrays["edges"],
        table[:, 1],
        table[:, 2],
        table[:, 3],
        table[:, 4],
        table[:, 5],
        float(arrays["log_step"][0]),
        float(arrays["log_step"][1]),
        high_mean,
        high_sd,
        low_mean,
        low_sd,
        float(arrays["energies"][0]),
        float(arrays["energies"][1]),
        int(arrays["samples"]),
        hit,
        table[:, 0],
        (float(arrays["fits"][0]), float(arrays["fits"][1])),
        (float(arrays["fits"][2]), float(arrays["fits"][3])),
    )


def closed_form(model: CompiledModel, spec: WeakResetSpec = WeakResetSpec()) -> dict[str, float]:
    """The model's own moments of one pulse, from its state equation.

    ``x`` after a pulse is ``x m`` with ``m = exp(-A max(0, 1 + sigma_c2c z))``: the step is
    ``-x (1 - m)``, so its mean is ``-x (1 - E[m])`` (``step_slope`` = ``1 - E[m]``) and its
    sd ``x sd(m)`` (``spread_slope``); the log step has mean ``-A E[max(0, 1 + sigma z)]`` and
    sd ``A sd(max(0, 1 + sigma z))``; the windows have relative sd ``sigma_d2d``. Expectations
    over z by Gauss-Hermite quadrature.
    """
    values = {k: float(v) for k, v in model.parameter_values(dict(spec.device_params)).items()}
    exponent = spec.pulse_exponent(values)
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()  # expectation over a standard normal
    factor = np.maximum(0.0, 1 + values["sigma_c2c"] * nodes)
    m = np.exp(-exponent * factor)
    m1, m2 = float(weights @ m), float(weights @ m**2)
    f1, f2 = float(weights @ factor), float(weights @ factor**2)
    return {
        "exponent": exponent,
        "step_slope": 1 - m1,
        "spread_slope": math.sqrt(max(m2 - m1**2, 0.0)),
        "log_step_mean": -exponent * f1,
        "log_step_sd": exponent * math.sqrt(max(f2 - f1**2, 0.0)),
        "high_mean": values["gmax"],
        "low_mean": values["gmin"],
        "relative_window_sd": values["sigma_d2d"],
    }


def validate_weak_reset(
    model: CompiledModel, surrogate: WeakReset, spec: WeakResetSpec, *, workers: int = 2
) -> tuple[Validation, Validation]:
    """The table against fresh devices of ``spec`` (another seed and pulse count than the
    surrogate's, the same pulse): the mean and sd of the step per bin of the fresh pulses,
    against the surrogate's interpolation at those bins' centres, as fractions of the largest
    mean step."""
    if spec.seed == surrogate.spec.seed:
        raise SurrogateError("weak reset: validate on a seed the characterisation did not use")
    fresh = characterise_weak_reset(model, spec, workers=workers, use_cache=False)
    scale = float(np.max(np.abs(surrogate.step_mean)))
    return (
        compare("mean step", surrogate.mean_step(fresh.centres), fresh.step_mean, full_scale=scale),
        compare(
            "sd of the step", surrogate.step_spread(fresh.centres), fresh.step_sd, full_scale=scale
        ),
    )
