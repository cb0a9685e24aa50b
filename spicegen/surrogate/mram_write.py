"""Write statistics of the shipped ``mtj`` as an approximate memory cell, from Monte Carlo SPICE.

A write is a current pulse of amplitude I (A) and width t (s) through one MTJ, in one of two
directions (``MramWriteSpec.direction``): ``ap_to_p``, a positive current p -> n into a device
in AP, whose critical current is ``ic0``; or ``p_to_ap``, a negative current into a device in P,
whose critical current is ``ic_ratio`` ic0 (the model's asymmetry, 1.5 by default). Currents
are given reduced, i = |I| / (the direction's mean critical current). The characterisation puts
``devices`` MTJs per current in ngspice, each with its own critical current ``ic0`` drawn from
N(mu, sigma mu) (device-to-device variability, physics.md 6.1) and its own thermal initial
angle (the model's noise streams), applies one long pulse, and reads every device's switching
time and the voltage across it. From these:

- ``error_mc[c, t]``: the fraction of devices not switched by ``widths[t]`` at ``currents[c]``
  (the Monte Carlo write error rate, resolved down to 1/devices);
- ``energy[c, t]``: the mean write energy, the integral of v(t) I dt over the pulse as simulated
  (the resistance falls from R_AP to R_P when a device switches AP -> P, and rises from R_P to
  a bias-reduced R_AP the other way, so this is no formula);
- a fit of the precessional law to the per-device times (Butler 2012, physics.md 1.2): with
  x = (|I|/Ic - 1) t (Ic: the device's critical current in the direction),
  P(switched by x) = exp(-A exp(-k x)), a Gumbel law in x, fitted by maximum likelihood
  (unswitched devices are censored at the pulse end). The closed form has A = pi^2 Delta/4 and
  k = 2/tau_D; the fit is checked against them, and it carries the error rate below 1/devices
  (BER 1e-6 needs ~1e7 devices otherwise), averaged over the ic0 distribution for each (I, t).

Results are cached by model text, parameters, grid and seed (``cache.cached_arrays``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from spicegen.netlist import Circuit, CurrentSource, Option, Pwl, Tran, to_ngspice
from spicegen.seeds import draw_seed
from spicegen.sim import simulate
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.va import CompiledModel

__all__ = [
    "DIRECTIONS",
    "GAMMA",
    "MramWrite",
    "MramWriteSpec",
    "butler_error",
    "characterise_mram_write",
    "pulse_for_error",
    "tau_d",
]

FloatArray = NDArray[np.float64]
GAMMA = 1.76085963e11  # rad/(s T), electron gyromagnetic ratio
EDGE = 2e-12  # s, rise and fall of the write pulse
_VERSION = 1
DIRECTIONS = ("ap_to_p", "p_to_ap")


def tau_d(alpha: float = 0.027, hk: float = 0.1) -> float:
    """Precessional relaxation time tau_D = (1 + alpha^2)/(alpha gamma mu0 H_K) in s."""
    return (1 + alpha**2) / (alpha * GAMMA * hk)


def butler_error(
    t: ArrayLike, i: ArrayLike, delta: float = 40.0, td: float | None = None
) -> FloatArray:
    """Write error rate 1 - exp[-(pi^2 Delta/4) exp(-2 (i - 1) t/tau_D)] at reduced current i,
    width t (s); physics.md 1.2 regime 2 (i > 1)."""
    td = tau_d() if td is None else td
    a = math.pi**2 * delta / 4
    x = np.asarray(i, dtype=np.float64) - 1.0
    return np.asarray(-np.expm1(-a * np.exp(-2 * x * np.asarray(t, dtype=np.float64) / td)))


def pulse_for_error(error: float, i: float, delta: float = 40.0, td: float | None = None) -> float:
    """The pulse width (s) at which the closed-form write error rate at reduced current i is
    ``error`` (the inverse of ``butler_error``)."""
    td = tau_d() if td is None else td
    a = math.pi**2 * delta / 4
    return (math.log(a) - math.log(-math.log1p(-error))) * td / (2 * (i - 1))


@dataclass(frozen=True, slots=True)
class MramWriteSpec:
    """A characterisation: reduced currents ``currents`` (I / mean ic0), ``devices`` MTJs per
    current in netlists of ``batch``, pulses ``width`` s long read at ``widths`` s, ic0 spread
    ``sigma`` (sigma/mu), ``seed`` (instance seed of the ic0 draws and ngspice's seed),
    ``max_step`` s (switching events are resolved to it), MTJ parameters ``delta``, ``ic0`` A
    (AP -> P) and ``ic_ratio`` (P -> AP over AP -> P critical current), the write
    ``direction`` (``ap_to_p`` or ``p_to_ap``)."""

    currents: tuple[float, ...] = (2.0, 2.5, 3.0)
    devices: int = 200
    batch: int = 50
    width: float = 30e-9
    points: int = 121
    sigma: float = 0.07
    seed: int = 1
    max_step: float = 100e-12
    delta: float = 40.0
    ic0: float = 45.3e-6
    direction: str = "ap_to_p"
    ic_ratio: float = 1.5

    @property
    def critical(self) -> float:
        """The mean critical current (A) of the write direction: ic0, or ic_ratio ic0."""
        return self.ic0 * (self.ic_ratio if self.direction == "p_to_ap" else 1.0)

    def widths(self) -> FloatArray:
        """The pulse widths (s) the tables are read at: 0 to ``width``."""
        return np.linspace(0.0, self.width, self.points)

    def check(self) -> None:
        """Raise ``SurrogateError`` naming the first field out of range."""
        if not self.currents or min(self.currents) <= 1.0:
            raise SurrogateError(
                "MramWriteSpec.currents: reduced currents must be > 1 (precessional), "
                f"got {self.currents}"
            )
        if self.devices < 2 or self.batch < 1:
            raise SurrogateError(
                f"MramWriteSpec.devices/batch: need >= 2 and >= 1, got {self.devices}/{self.batch}"
            )
        if not 0.0 <= self.sigma <= 0.2:
            raise SurrogateError(
                f"MramWriteSpec.sigma: expected 0 to 0.2 (sigma/mu), got {self.sigma}"
            )
        if self.direction not in DIRECTIONS or not self.ic_ratio > 0:
            raise SurrogateError(
                f"MramWriteSpec.direction/ic_ratio: expected one of {DIRECTIONS} and > 0, "
                f"got {self.direction!r}/{self.ic_ratio!r}"
            )
        if not (self.width > 0 and self.max_step > 0 and self.points >= 2):
            raise SurrogateError(
                "MramWriteSpec.width/max_step/points: must be positive (points >= 2)"
            )


@dataclass(frozen=True, slots=True, eq=False)
class MramWrite:
    """A characterised MTJ write: Monte Carlo tables over (current, width), the fitted
    precessional law and the ic0 spread; ``error`` and ``energy`` predict in numpy."""

    spec: MramWriteSpec
    currents: FloatArray  # A, magnitudes (a P -> AP pulse flows n -> p)
    widths: FloatArray  # s
    error_mc: FloatArray  # [current, width] fraction not switched (Monte Carlo)
    energy: FloatArray  # [current, width] J, mean integral of v I dt
    log_a: float  # fitted ln A (closed form ln(pi^2 Delta/4))
    k: float  # fitted 1/s (closed form 2/tau_D)
    cached: bool

    def error(self, current: float, width: ArrayLike) -> FloatArray:
        """Write error rate at ``current`` A (magnitude) and ``width`` s: the fitted law averaged
        over the critical-current distribution (trapezoid over +-7 sigma)."""
        mu = self.spec.critical
        sigma = self.spec.sigma * mu
        t = np.atleast_1d(np.asarray(width, dtype=np.float64))
        if sigma == 0:
            ic0 = np.array([mu])
            weights = np.array([1.0])
        else:
            z = np.linspace(-7.0, 7.0, 1401)
            ic0 = mu + sigma * z
            weights = np.exp(-0.5 * z**2)
            weights /= weights.sum()
        x = np.maximum(current / ic0 - 1.0, 0.0)[:, None] * t[None, :]
        per_device = -np.expm1(-math.exp(self.log_a) * np.exp(-self.k * x))
        return np.asarray(weights @ per_device).reshape(np.shape(width))

    def energy_at(self, current: float, width: float) -> float:
        """Mean write energy (J) at a characterised ``current`` A and ``width`` s (linear in t
        between table points)."""
        c = _index(self.currents, current, "current")
        if not 0.0 <= width <= self.widths[-1]:
            raise SurrogateError(
                f"MramWrite: width {width:g} s is outside 0..{self.widths[-1]:g} s"
            )
        return float(np.interp(width, self.widths, self.energy[c]))

    def width_for_error(self, current: float, error: float) -> float:
        """The pulse width (s) whose predicted write error at ``current`` A is ``error``."""
        lo, hi = 0.0, 1e-6
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if float(self.error(current, mid)) > error:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)


def characterise_mram_write(
    model: CompiledModel, spec: MramWriteSpec = MramWriteSpec(), *, use_cache: bool = True
) -> MramWrite:
    """Run (or fetch from the cache) the Monte Carlo characterisation of ``spec`` on ``model``
    (the shipped ``mtj``: ``spicegen.models.load("mtj")``)."""
    spec.check()
    if not {"ic0", "ic_ratio", "state0", "ts", "delta"} <= set(model.parameters):
        raise SurrogateError(f"mram_write: model {model.name!r} has no ic0 parameter")
    # the model's subcircuit (so editing the .va file invalidates the entry) and ngspice's version
    parts = {
        "spec": repr(spec),
        "model": to_ngspice(Circuit("m", subckts=(model.subckt,))),
        "ngspice": _ngspice_version(),
    }
    arrays, hit = cached_arrays(
        "mram_write", _VERSION, parts, lambda: _monte_carlo(model, spec), use_cache=use_cache
    )
    return _fit(spec, arrays, hit)


def _monte_carlo(model: CompiledModel, spec: MramWriteSpec) -> dict[str, FloatArray]:
    widths = spec.widths()
    ic0_all, x_all, switched_all, current_of = [], [], [], []
    error_mc = np.zeros((len(spec.currents), widths.size))
    energy = np.zeros_like(error_mc)
    for c, reduced in enumerate(spec.currents):
        level = reduced * spec.critical
        times: list[FloatArray] = []
        energies: list[FloatArray] = []
        for first in range(0, spec.devices, spec.batch):
            names = [f"X{c}_{k}" for k in range(first, min(first + spec.batch, spec.devices))]
            ic0 = spec.ic0 * (
                1 + spec.sigma * np.array([_normal(spec.seed, name) for name in names])
            )
            t, e = _run_batch(model, spec, level, names, ic0, widths)
            critical = ic0 * spec.critical / spec.ic0  # each device's, in this direction
            times.append(t)
            energies.append(e)
            ic0_all.append(ic0)
            switched_all.append(np.isfinite(t))
            x_all.append(
                np.where(
                    np.isfinite(t), (level / critical - 1) * t, (level / critical - 1) * spec.width
                )
            )
            current_of.append(np.full(len(names), level))
        switch_times = np.concatenate(times)
        error_mc[c] = [np.mean(~(switch_times <= w)) for w in widths]
        energy[c] = np.mean(np.concatenate(energies), axis=0)
    return {
        "currents": np.asarray(spec.currents) * spec.critical,
        "widths": widths,
        "error_mc": error_mc,
        "energy": energy,
        "ic0": np.concatenate(ic0_all),
        "x": np.concatenate(x_all),
        "switched": np.concatenate(switched_all).astype(np.float64),
        "device_current": np.concatenate(current_of),
    }


def _normal(seed: int, name: str) -> float:
    # one instance-seed stream per device, keyed by its name (spicegen.seeds)
    return float(
        np.random.default_rng(draw_seed(seed, "mram_write.ic0", 0, name)).standard_normal()
    )


def _run_batch(
    model: CompiledModel,
    spec: MramWriteSpec,
    level: float,
    names: Sequence[str],
    ic0: FloatArray,
    widths: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """One transient of ``len(names)`` devices written with ``level`` A in ``spec.direction``:
    switching times from the pulse start (s, inf when not switched) and cumulative energies
    (J) at ``widths``."""
    to_ap = spec.direction == "p_to_ap"
    current = -level if to_ap else level  # P -> AP: the current flows n -> p
    # the initial-angle node samples its random level with time constant ts/10 before the pulse,
    # so the pulse starts at 2 ts (a level boundary) as in the model's own Monte Carlo tests
    ts = 2e-9
    start = 2 * ts
    end = start + spec.width
    wave = Pwl(
        ((0.0, 0.0), (start - EDGE, 0.0), (start, current), (end - EDGE, current), (end, 0.0))
    )
    elements: list[object] = []
    for k, (name, device_ic0) in enumerate(zip(names, ic0, strict=True)):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", 0.0, waveform=wave))
        elements.append(
            model.instance(
                name,
                (f"a{k}", "0"),
                state0=0 if to_ap else 1,
                ts=ts,
                ic0=float(device_ic0),
                ic_ratio=spec.ic_ratio,
                delta=spec.delta,
            )
        )
    saves = tuple(f"v({name.lower()}.s)" for name in names) + tuple(
        f"v(a{k})" for k in range(len(names))
    )
    circuit = Circuit(
        "mram_write",
        elements=tuple(elements),  # type: ignore[arg-type]
        subckts=(model.subckt,),
        options=(
            Option("seed", draw_seed(spec.seed, "mram_write.ngspice", 0, names[0]) & 0x7FFFFFFF),
            Option("klu"),
            Option("reltol", 1e-2),
        ),
        saves=saves,
    )
    result = simulate(
        circuit, Tran(spec.max_step, end + EDGE, max_step=spec.max_step), timeout=1800
    )
    w = result.waveforms
    axis = np.asarray(w.axis)
    times = np.full(len(names), np.inf)
    energies = np.zeros((len(names), widths.size))
    pulse = (axis >= start) & (axis <= end)
    tp = axis[pulse] - start
    for k, name in enumerate(names):
        s = np.asarray(w.v(f"{name.lower()}.s"))
        flipped = s > 0.5 if to_ap else s < 0.5
        if flipped[-1]:
            times[k] = axis[int(np.argmax(flipped))] - start
        power = np.asarray(w.v(f"a{k}"))[pulse] * current  # v i > 0 in either direction
        cumulative = np.concatenate(
            [[0.0], np.cumsum(0.5 * (power[1:] + power[:-1]) * np.diff(tp))]
        )
        energies[k] = np.interp(widths, tp, cumulative)
    return times, energies


def _fit(spec: MramWriteSpec, arrays: dict[str, NDArray[np.float64]], hit: bool) -> MramWrite:
    """Censored maximum-likelihood Gumbel fit of x = (I/ic0 - 1) t_switch."""
    x = arrays["x"]
    switched = arrays["switched"] > 0.5
    if switched.sum() < 10:
        raise SurrogateError(
            f"mram_write: only {int(switched.sum())} devices switched; lengthen the pulse"
        )

    def negative_log_likelihood(theta: FloatArray) -> float:
        log_a, log_k = theta
        k = math.exp(log_k)
        u = log_a - k * x  # ln(A) - k x; F(x) = exp(-e^u)
        log_density = math.log(k) + u - np.exp(u)
        log_survival = np.log(-np.expm1(-np.exp(u)))
        return float(-(log_density[switched].sum() + log_survival[~switched].sum()))

    # start from the moments of the switched devices (Gumbel: sd = pi/(k sqrt 6), mean =
    # (ln A + Euler's gamma)/k), so the fit owes nothing to the closed form it is checked against
    k0 = math.pi / (math.sqrt(6) * float(np.std(x[switched])))
    start = np.array([k0 * float(np.mean(x[switched])) - 0.5772156649, math.log(k0)])
    fitted = minimize(
        negative_log_likelihood,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000},
    )
    log_a, log_k = fitted.x
    return MramWrite(
        spec,
        arrays["currents"],
        arrays["widths"],
        arrays["error_mc"],
        arrays["energy"],
        float(log_a),
        float(math.exp(log_k)),
        hit,
    )


def _index(values: FloatArray, value: float, what: str) -> int:
    close = np.isclose(values, value, rtol=1e-9, atol=0)
    if not close.any():
        raise SurrogateError(
            f"MramWrite: {what} {value:g} was not characterised (have {values.tolist()})"
        )
    return int(np.argmax(close))


def _ngspice_version() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["ngspice", "-v"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return "unknown"
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"
