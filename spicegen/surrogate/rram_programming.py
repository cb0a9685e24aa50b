"""The ``rram_hfo2`` programming cycle as a random proposal: conductance after a RESET/SET cycle
at a chosen SET compliance, characterised by Monte Carlo ngspice runs.

A proposal of the memristor MCMC sampler (Dalgaty et al., Nat. Electron. 4, 151 (2021);
physics.md section 7.1) reprograms a device: RESET it, SET it under a current compliance
``I_cc``, and read the new conductance, which is random. In ``rram_hfo2`` the SET is abrupt
and deterministic (``dx/dt = (1 - x)/tau_set`` above ``vset``) and the cycle-to-cycle
randomness is in the RESET (``docs/models/rram_hfo2.md``), so one cycle here is:

1. a strong RESET (``reset_voltage`` for ``reset_width``): the device to the bottom of its window;
2. a SET (``set_voltage``) through the access transistor in saturation, a current limiter
   ``I = I_cc tanh(v_ds / knee)``: the filament grows until the device voltage falls to
   ``vset``, which stops it at ``G_c = I_cc tanh((set_voltage - vset)/knee) / (v0 sinh(vset/v0))``,
   linear in the compliance as in Dalgaty's devices;
3. a weak RESET (``weak_reset_voltage`` for one noise slot ``tnoise``): ``x`` is multiplied by
   ``m = exp(-A max(0, 1 + sigma_c2c z))``, the model's cycle-to-cycle step (``A`` the integral
   of the RESET rate over the drawn pulse), so ``G = G_c m + g_lo (1 - m)``;
4. a read at ``read_voltage``.

The access transistor is behavioural (a ``B`` source; the netlist has no MOSFET element): its
gate is fully on (limit ``I_cc + 10 mA``) during RESETs and reads and at ``I_cc`` during the SET
and the reads around it, switched while the drive is at the read level so that no edge SETs the
device past its compliance.

``characterise(...)`` runs ``devices`` devices (each its own instance draws, so device-to-device
spread is included) for ``cycles`` cycles at each compliance of a grid, ``chunk`` devices per
netlist, and returns ``RramProgramming``: the mean and sd of the conductance after a cycle, the
conductance after the SET and the programming energy (integral of ``v i`` over the cycle, access
transistor included), each against the compliance, with smooth fits. The sampler uses
``compliance_for(G)`` (the compliance whose mean is ``G``: a symmetric walk) and ``spread_for``.
``closed_form(...)`` is the model's own prediction of the same moments; ``validate`` compares
the fits with fresh ngspice runs at compliances the fit did not see.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial
from numpy.typing import NDArray

from spicegen.netlist import (
    BSource,
    Capacitor,
    Circuit,
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
from spicegen.surrogate.validation import Validation, compare
from spicegen.va import CompiledModel

__all__ = [
    "ProgrammingCycle",
    "RramProgramming",
    "characterise",
    "closed_form",
    "cycle_energies",
    "measure",
    "programming_circuit",
    "validate",
]

FloatArray = NDArray[np.float64]
_NAME = "rram_programming"
_VERSION = 1
_BOOST = 0.01  # A added to the limit while the access gate is on: a 1 mV drop in the RESET
_NODE_CAPACITANCE = 10e-15  # F per device node: a short line, and it keeps the SET step smooth


@dataclass(frozen=True, slots=True)
class ProgrammingCycle:
    """The pulses of one proposal cycle: voltages in V, times in s.

    Slots of the 500 ns cycle (drive level, access gate): read 50 ns (on), RESET 100 ns (on),
    read 50 ns (compliance), SET ``set_width`` (compliance), read (compliance), read (on),
    weak RESET 100 ns (on; exactly the model's noise slot, ``tnoise`` = 100 ns, so a pulse
    draws one cycle-to-cycle level), read 100 ns (on). ``edge``: every transition, centred on
    the slot boundary. ``knee``: drain voltage at which the access transistor's current
    saturates.
    """

    reset_voltage: float = -1.2
    set_voltage: float = 1.8
    weak_reset_voltage: float = -0.72
    read_voltage: float = 0.1
    set_width: float = 30e-9
    edge: float = 5e-9
    knee: float = 0.2

    def __post_init__(self) -> None:
        if not self.reset_voltage < self.weak_reset_voltage < 0 < self.read_voltage:
            raise SurrogateError(
                "programming cycle: expected reset_voltage < weak_reset_voltage < 0 < "
                f"read_voltage, got {self.reset_voltage}, {self.weak_reset_voltage}, "
                f"{self.read_voltage}"
            )
        if not self.set_voltage > self.read_voltage:
            raise SurrogateError(f"programming cycle: set_voltage {self.set_voltage} too low")
        if not 0 < self.edge <= 10e-9 or not 2 * self.edge < self.set_width <= 80e-9:
            raise SurrogateError(
                "programming cycle: expected 0 < edge <= 10 ns and 2 edge < set_width <= 80 ns"
            )
        if not self.knee > 0:
            raise SurrogateError(f"programming cycle: knee must be > 0 V, got {self.knee}")

    @property
    def slots(self) -> tuple[tuple[float, float, bool], ...]:
        """(width s, drive V, gate at compliance) of each slot of one cycle."""
        rest = (100e-9 - self.set_width) / 2  # the SET and its two reads fill 200 .. 300 ns
        read, limited, full = self.read_voltage, True, False
        return (
            (50e-9, read, full),
            (100e-9, self.reset_voltage, full),
            (50e-9, read, limited),
            (self.set_width, self.set_voltage, limited),
            (rest, read, limited),
            (rest, read, full),
            (100e-9, self.weak_reset_voltage, full),
            (100e-9, read, full),
        )

    @property
    def period(self) -> float:
        """Length of one cycle (s): 500 ns, a multiple of the noise slot."""
        return float(sum(width for width, _, _ in self.slots))

    def read_times(self, cycles: int) -> tuple[FloatArray, FloatArray]:
        """Mid-slot times (s) of the read after the SET and of the read after the cycle."""
        starts = np.cumsum([0.0] + [width for width, _, _ in self.slots])
        after_set = (starts[5] + starts[6]) / 2
        after_cycle = (starts[7] + starts[8]) / 2
        offsets = np.arange(cycles) * self.period
        return offsets + after_set, offsets + after_cycle

    def weak_reset_exponent(self, model_values: Mapping[str, float]) -> float:
        """``A``: the integral of the RESET rate ``exp((-v - vreset)/vr)/tau_reset`` over the
        weak-RESET pulse as drawn (edges included), by the trapezoid rule on a fine grid."""
        t = np.linspace(-self.edge, 100e-9 + self.edge, 200_001)
        v = np.interp(
            t,
            [-self.edge, self.edge, 100e-9 - self.edge, 100e-9 + self.edge],
            [
                self.read_voltage,
                self.weak_reset_voltage,
                self.weak_reset_voltage,
                self.read_voltage,
            ],
        )
        vreset, vr, tau = (float(model_values[k]) for k in ("vreset", "vr", "tau_reset"))
        rate = np.where(v < -vreset, np.exp((-v - vreset) / vr) / tau, 0.0)
        return float(np.sum((rate[1:] + rate[:-1]) / 2 * np.diff(t)))


def _pwl(levels: Sequence[float], widths: Sequence[float], edge: float, cycles: int) -> Pwl:
    points: list[tuple[float, float]] = [(0.0, levels[0])]
    start = 0.0
    for _ in range(cycles):
        for level, width in zip(levels, widths, strict=True):
            if start > 0:
                points.append((start + edge, level))
            points.append((start + width - edge, level))
            start += width
    return Pwl(tuple(points))


def programming_circuit(
    model: CompiledModel,
    compliances: Sequence[float],
    *,
    cycles: int,
    cycle: ProgrammingCycle,
    instance_seed: int,
    ngspice_seed: int,
    tag: str = "",
    device_params: Mapping[str, float] | None = None,
) -> Circuit:
    """One device per compliance (A), all driven by the same cycle ``cycles`` times.

    Device ``k`` is ``X{tag}{k}`` (its draws from ``(instance_seed, name)``) on node ``a{k}``
    behind its access limiter ``B{k}`` and the meter ``Vm{k}`` (its current is the device's);
    the drive is ``v(d)``. ``ngspice_seed`` sets the cycle-to-cycle noise.
    """
    widths = [width for width, _, _ in cycle.slots]
    drive = _pwl([level for _, level, _ in cycle.slots], widths, cycle.edge, cycles)
    gate = _pwl(
        [0.0 if limited else 1.0 for *_, limited in cycle.slots], widths, cycle.edge, cycles
    )
    params = {"tnoise": 100e-9, **(device_params or {})}
    elements: list[Element] = [
        VoltageSource("Vd", "d", "0", cycle.read_voltage, waveform=drive),
        VoltageSource("Vgate", "g", "0", 1.0, waveform=gate),
    ]
    for k, compliance in enumerate(compliances):
        limit = f"({float(compliance)!r}+{_BOOST!r}*v(g))*tanh(v(d,t{k})/{cycle.knee!r})"
        elements += [
            BSource(f"B{k}", "d", f"t{k}", "i", limit),
            VoltageSource(f"Vm{k}", f"t{k}", f"a{k}", 0.0),
            Capacitor(f"C{k}", f"a{k}", "0", _NODE_CAPACITANCE),
            model.instance(f"X{tag}{k}", (f"a{k}", "0"), seed=instance_seed, **params),
        ]
    return Circuit(
        title=f"rram programming cycles, {len(compliances)} devices",
        elements=tuple(elements),
        subckts=(model.subckt,),
        # gear: when the access gate opens, the limiter's conductance rises 10^3 times within a
        # nanosecond across a 10 fF node, a stiff step on which the trapezoidal rule rings
        # until the time step collapses
        options=(Option("seed", ngspice_seed), Option("method", "gear")),
    )


def cycle_energies(time: FloatArray, power: FloatArray, bounds: FloatArray) -> FloatArray:
    """The integral of ``power`` (W) over each interval between successive ``bounds`` (s), by
    the trapezoid rule on the simulator's time points (J)."""
    steps = (power[1:] + power[:-1]) / 2 * np.diff(time)
    cumulative = np.concatenate([[0.0], np.cumsum(steps)])
    return np.asarray(np.diff(np.interp(bounds, time, cumulative)), dtype=np.float64)


def measure(
    model: CompiledModel,
    compliances: Sequence[float],
    *,
    cycles: int,
    cycle: ProgrammingCycle,
    instance_seed: int,
    ngspice_seed: int,
    tag: str = "",
    device_params: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Simulate ``programming_circuit`` and read, per device and cycle (shape (devices,
    cycles)): ``conductance`` after the cycle (S), ``set_conductance`` after the SET (S),
    ``energy`` delivered by the drive during the cycle (J)."""
    circuit = programming_circuit(
        model,
        compliances,
        cycles=cycles,
        cycle=cycle,
        instance_seed=instance_seed,
        ngspice_seed=ngspice_seed,
        tag=tag,
        device_params=device_params,
    )
    v0 = float(model.parameter_values(dict(device_params or {}))["v0"])
    stop = cycles * cycle.period
    waves = simulate(circuit, Tran(1e-9, stop, max_step=5e-9), timeout=3600.0).waveforms
    time = np.asarray(waves.axis, dtype=np.float64)
    after_set, after_cycle = cycle.read_times(cycles)
    drive = np.asarray(waves.v("d"))
    bounds = np.arange(cycles + 1) * cycle.period
    result: dict[str, list[FloatArray]] = {"conductance": [], "set_conductance": [], "energy": []}
    for k in range(len(compliances)):
        current = np.asarray(waves.i(f"Vm{k}"))
        voltage = np.asarray(waves.v(f"a{k}"))
        conductance = current / (v0 * np.sinh(voltage / v0))  # I = G v0 sinh(v/v0)
        result["conductance"].append(np.interp(after_cycle, time, conductance))
        result["set_conductance"].append(np.interp(after_set, time, conductance))
        power = drive * current
        result["energy"].append(cycle_energies(time, power, bounds.astype(np.float64)))
    return {name: np.stack(rows) for name, rows in result.items()}


@dataclass(frozen=True, slots=True, eq=False)
class RramProgramming:
    """Conductance after a programming cycle against the SET compliance, from ngspice.

    Per compliance of the grid ``compliance`` (A): ``mean`` and ``sd`` of the conductance after
    the cycle (S), ``set_mean`` after the SET (S), ``energy`` (J, mean per cycle), ``samples``
    (devices x cycles). The fits (``Polynomial`` in A) smooth the measured points; the sampler
    uses ``compliance_for``, ``spread_for`` and ``energy_for`` inside ``window`` (S).
    """

    compliance: FloatArray
    mean: FloatArray
    sd: FloatArray
    set_mean: FloatArray
    energy: FloatArray
    samples: int
    cycle: ProgrammingCycle
    mean_fit: Polynomial = field(repr=False)
    sd_fit: Polynomial = field(repr=False)
    energy_fit: Polynomial = field(repr=False)
    _grid: FloatArray = field(repr=False)
    _grid_mean: FloatArray = field(repr=False)
    _grid_sd: FloatArray = field(repr=False)
    _grid_energy: FloatArray = field(repr=False)

    @classmethod
    def from_measurements(
        cls,
        compliance: FloatArray,
        conductance: FloatArray,
        set_conductance: FloatArray,
        energy: FloatArray,
        cycle: ProgrammingCycle,
    ) -> RramProgramming:
        """Fit the measurements (shape (compliances, samples)) of ``characterise``."""
        icc = np.asarray(compliance, dtype=np.float64)
        g = np.asarray(conductance, dtype=np.float64)
        if icc.ndim != 1 or icc.size < 4 or g.shape[0] != icc.size or g.shape[1] < 2:
            raise SurrogateError(
                f"rram programming: need >= 4 compliances and >= 2 samples each, got {g.shape}"
            )
        if not np.all(np.diff(icc) > 0):
            raise SurrogateError("rram programming: compliances must increase")
        mean, sd = g.mean(axis=1), g.std(axis=1, ddof=1)
        e = np.asarray(energy, dtype=np.float64).mean(axis=1)
        # degree 2: the SET conductance is linear in I_cc, the weak RESET and the access drop
        # bend it slightly; higher degrees follow the sampling noise of the sd
        mean_fit = Polynomial.fit(icc, mean, 2)
        sd_fit = Polynomial.fit(icc, sd, 2)
        energy_fit = Polynomial.fit(icc, e, 2)
        grid = np.linspace(icc[0], icc[-1], 4001)
        grid_mean = mean_fit(grid)
        # the spread shrinks towards zero at the lowest compliance (the SET stops near g_lo, so
        # the weak RESET has little to take): the fit can dip below zero there, where the
        # measured sd is small but positive; a proposal needs sd > 0, so floor the fit at half
        # the smallest measured sd
        grid_sd = np.maximum(sd_fit(grid), 0.5 * float(sd.min()))
        if not np.all(np.diff(grid_mean) > 0):
            raise SurrogateError(
                "rram programming: the mean conductance does not rise monotonically with the "
                "compliance over the grid; narrow the compliance range"
            )
        return cls(
            icc,
            mean,
            sd,
            np.asarray(set_conductance, dtype=np.float64).mean(axis=1),
            e,
            int(g.shape[1]),
            cycle,
            mean_fit,
            sd_fit,
            energy_fit,
            grid,
            grid_mean,
            grid_sd,
            energy_fit(grid),
        )

    @property
    def window(self) -> tuple[float, float]:
        """The conductances (S) a proposal can be centred on: the fitted means at the ends of
        the compliance grid."""
        return float(self._grid_mean[0]), float(self._grid_mean[-1])

    def _lookup(self, conductance: FloatArray, table: FloatArray) -> FloatArray:
        """``table`` (on the dense compliance grid) at the compliance whose mean is
        ``conductance``; raises outside ``window``."""
        g = np.asarray(conductance, dtype=np.float64)
        low, high = self.window
        if g.size and (g.min() < low * (1 - 1e-9) or g.max() > high * (1 + 1e-9)):
            raise SurrogateError(
                f"rram programming: conductance outside the characterised window "
                f"[{low:.4g}, {high:.4g}] S (min {g.min():.4g}, max {g.max():.4g})"
            )
        return np.asarray(np.interp(g, self._grid_mean, table), dtype=np.float64)

    def compliance_for(self, conductance: FloatArray) -> FloatArray:
        """The compliance (A) whose mean conductance is ``conductance`` (S)."""
        return self._lookup(conductance, self._grid)

    def spread_for(self, conductance: FloatArray) -> FloatArray:
        """sd (S) of the conductance a cycle centred on ``conductance`` (S) gives."""
        return self._lookup(conductance, self._grid_sd)

    def energy_for(self, conductance: FloatArray) -> FloatArray:
        """Programming energy (J) of a cycle centred on ``conductance`` (S)."""
        return self._lookup(conductance, self._grid_energy)


def characterise(
    model: CompiledModel,
    compliances: Sequence[float] | FloatArray | None = None,
    *,
    devices: int = 16,
    cycles: int = 4,
    cycle: ProgrammingCycle | None = None,
    seed: int = 0,
    chunk: int = 8,
    workers: int = 2,
    device_params: Mapping[str, float] | None = None,
    use_cache: bool = True,
) -> RramProgramming:
    """Monte Carlo ngspice characterisation of the programming cycle (cached on disk).

    ``compliances`` (A, increasing; default 12 from 8 to 100 uA, where the SET stays below
    the window's top), ``devices`` per compliance,
    ``cycles`` per device; ``seed`` is the sweep seed of the instance draws and of each
    netlist's ngspice seed (``point_seed``); ``chunk`` devices per netlist, ``workers``
    netlists at once. ``device_params``: instance parameters of every device.
    """
    grid = np.asarray(
        np.linspace(8e-6, 100e-6, 12) if compliances is None else compliances, dtype=np.float64
    )
    settings = cycle or ProgrammingCycle()
    for name, value in (("devices", devices), ("cycles", cycles), ("chunk", chunk)):
        if type(value) is not int or value < 1:
            raise SurrogateError(f"rram programming: {name} must be an int >= 1, got {value!r}")
    if type(workers) is not int or workers < 1:
        raise SurrogateError(f"rram programming: workers must be an int >= 1, got {workers!r}")
    if grid.ndim != 1 or grid.size < 4 or not np.all(grid > 0):
        raise SurrogateError("rram programming: expected at least 4 positive compliances")
    params = dict(device_params or {})

    def compute() -> dict[str, FloatArray]:
        return _monte_carlo(model, grid, devices, cycles, settings, seed, chunk, workers, params)

    sample = programming_circuit(
        model,
        [float(grid[0])],
        cycles=1,
        cycle=settings,
        instance_seed=seed,
        ngspice_seed=0,
        device_params=params,
    )
    parts: dict[str, Any] = {
        "netlist": to_ngspice(sample),  # the model's text and the cycle's pulses
        "compliances": grid,
        "devices": devices,
        "cycles": cycles,
        "seed": seed,
        "chunk": chunk,
        "ngspice": ngspice_version(),
    }
    arrays, _ = cached_arrays(_NAME, _VERSION, parts, compute, use_cache=use_cache)
    return RramProgramming.from_measurements(
        grid, arrays["conductance"], arrays["set_conductance"], arrays["energy"], settings
    )


def _monte_carlo(
    model: CompiledModel,
    grid: FloatArray,
    devices: int,
    cycles: int,
    cycle: ProgrammingCycle,
    seed: int,
    chunk: int,
    workers: int,
    params: Mapping[str, float],
) -> dict[str, FloatArray]:
    """Every (compliance, device) pair, ``chunk`` to a netlist; arrays (compliances, samples)."""
    pairs = [(c, d) for c in range(grid.size) for d in range(devices)]
    jobs = [pairs[k : k + chunk] for k in range(0, len(pairs), chunk)]

    def run(index: int) -> dict[str, FloatArray]:
        job = jobs[index]
        return measure(
            model,
            [float(grid[c]) for c, _ in job],
            cycles=cycles,
            cycle=cycle,
            instance_seed=seed,
            ngspice_seed=point_seed(seed, index),
            tag=f"c{index}_",
            device_params=params,
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:  # each run is an ngspice process
        measured = list(pool.map(run, range(len(jobs))))
    out = {name: np.empty((grid.size, devices, cycles)) for name in measured[0]}
    for job, values in zip(jobs, measured, strict=True):
        for row, (c, d) in enumerate(job):
            for name, array in values.items():
                out[name][c, d] = array[row]
    return {name: array.reshape(grid.size, devices * cycles) for name, array in out.items()}


def closed_form(
    model: CompiledModel,
    compliances: Sequence[float] | FloatArray,
    *,
    cycle: ProgrammingCycle | None = None,
    device_params: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """The model's own moments of one cycle at each compliance (A), from its equations.

    ``set_conductance = I_cc tanh((set_voltage - vset)/knee)/(v0 sinh(vset/v0))`` (the SET
    stops where the device voltage falls to vset), then ``G = G_c m + g_lo (1 - m)`` with
    ``m = exp(-A max(0, 1 + sigma_c2c z))``, ``g_lo = gmin max(1 + sigma_d2d z1, 0.05)`` and
    ``G_c`` capped at the window's top ``gmax (1 + sigma_d2d z2)``, all independent: ``mean``
    and ``sd`` (S) by Gauss-Hermite quadrature over ``z``, ``z1`` and ``z2``.
    Left out: the SET's overshoot past vset and the access drop during the RESET (both below
    1 % here, measured by the tests).
    """
    settings = cycle or ProgrammingCycle()
    values = {k: float(v) for k, v in model.parameter_values(dict(device_params or {})).items()}
    icc = np.asarray(compliances, dtype=np.float64)
    v0, vset = values["v0"], values["vset"]
    saturation = math.tanh((settings.set_voltage - vset) / settings.knee)
    set_conductance = icc * saturation / (v0 * math.sinh(vset / v0))
    exponent = settings.weak_reset_exponent(values)
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()  # expectation over a standard normal
    m = np.exp(-exponent * np.maximum(0.0, 1 + values["sigma_c2c"] * nodes))
    m1, m2 = float(weights @ m), float(weights @ m**2)
    g_lo = values["gmin"] * np.maximum(1 + values["sigma_d2d"] * nodes, 0.05)
    l1, l2 = float(weights @ g_lo), float(weights @ g_lo**2)
    # the SET stops at the top of this device's window when that comes first
    g_hi = values["gmax"] * (1 + values["sigma_d2d"] * nodes)
    reached = np.minimum(set_conductance[:, None], g_hi[None, :])
    c1, c2 = reached @ weights, reached**2 @ weights
    # G = G_c m + g_lo (1 - m), with G_c, m and g_lo independent
    mean = c1 * m1 + l1 * (1 - m1)
    second = c2 * m2 + 2 * c1 * l1 * (m1 - m2) + l2 * (1 - 2 * m1 + m2)
    return {
        "set_conductance": set_conductance,
        "mean": mean,
        "sd": np.sqrt(np.maximum(second - mean**2, 0.0)),
    }


def validate(
    model: CompiledModel,
    surrogate: RramProgramming,
    compliances: Sequence[float] | FloatArray,
    *,
    devices: int = 16,
    cycles: int = 4,
    seed: int = 1,
    chunk: int = 8,
    workers: int = 2,
    device_params: Mapping[str, float] | None = None,
) -> tuple[Validation, Validation]:
    """The fits against a fresh characterisation at ``compliances`` (A, inside the grid, not
    on it) with another ``seed``: errors of the mean and of the sd, as fractions of the
    window's span."""
    icc = np.asarray(compliances, dtype=np.float64)
    low, high = surrogate.compliance[0], surrogate.compliance[-1]
    if icc.size < 1 or np.any(icc < low) or np.any(icc > high):
        raise SurrogateError(f"rram programming: validate inside [{low:.4g}, {high:.4g}] A")
    params = dict(device_params or {})
    fresh = _monte_carlo(model, icc, devices, cycles, surrogate.cycle, seed, chunk, workers, params)
    measured = fresh["conductance"]
    span = surrogate.window[1] - surrogate.window[0]
    return (
        compare(
            "mean conductance", surrogate.mean_fit(icc), measured.mean(axis=1), full_scale=span
        ),
        compare(
            "sd of the conductance",
            surrogate.sd_fit(icc),
            measured.std(axis=1, ddof=1),
            full_scale=span,
        ),
    )
