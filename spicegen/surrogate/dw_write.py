"""Programming statistics of the shipped ``dw_synapse`` (k-state domain wall) from SPICE.

One programming step is a current pulse of width ``tnoise`` (one noise slot of the model) whose
overdrive moves the wall by exactly one level spacing s = 1/(k - 1):
I = ith (1 + s length / (vel tnoise)). The characterisation starts ``devices`` walls on a middle
level, applies one step up, lets them relax into the pinning sites, and counts where they
land: the distribution of the landing offset (in levels) around the target. With position
noise sigma_pos (a fraction of the track per slot) the closed form is Gaussian: the wall stops
at target + sigma_pos z and relaxes to the nearest site, so P(offset = j) = P((j - 1/2) s <
sigma_pos z < (j + 1/2) s) (less a small drive loss in the pulse edges). The energy of a step
is the integral of v I over the simulated pulse. Cached by model text, spec and seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from spicegen.netlist import Circuit, CurrentSource, Option, Pwl, Tran, VoltageSource, to_ngspice
from spicegen.seeds import draw_seed
from spicegen.sim import simulate
from spicegen.surrogate.cache import cached_arrays
from spicegen.surrogate.errors import SurrogateError
from spicegen.va import CompiledModel

__all__ = ["DwWrite", "DwWriteSpec", "characterise_dw_write", "gaussian_offsets"]

FloatArray = NDArray[np.float64]
EDGE = 0.1e-9  # s, rise and fall of the programming pulse
START = 10e-9  # s, a noise-slot boundary (tnoise = 10 ns)
_VERSION = 1
ITH, VEL, LENGTH, TNOISE = 50e-6, 20.0, 1e-6, 10e-9  # the model's defaults (docs/models)


@dataclass(frozen=True, slots=True)
class DwWriteSpec:
    """``nlevels`` wall positions, position noise ``sigma_pos`` (fraction of the track per
    slot), ``devices`` walls, ``seed`` (instance seeds and ngspice's)."""

    nlevels: int = 5
    sigma_pos: float = 0.05
    devices: int = 200
    seed: int = 1

    def current(self) -> float:
        """The pulse current (A) that moves the wall one level in one slot."""
        return ITH * (1 + LENGTH / ((self.nlevels - 1) * VEL * TNOISE))

    def check(self) -> None:
        """Raise ``SurrogateError`` naming the first field out of range."""
        if not 2 <= self.nlevels <= 16:
            raise SurrogateError(f"DwWriteSpec.nlevels: expected 2..16, got {self.nlevels}")
        if not 0 <= self.sigma_pos <= 0.5:
            raise SurrogateError(f"DwWriteSpec.sigma_pos: expected 0..0.5, got {self.sigma_pos}")
        if self.devices < 2:
            raise SurrogateError(f"DwWriteSpec.devices: expected >= 2, got {self.devices}")


@dataclass(frozen=True, slots=True, eq=False)
class DwWrite:
    """Landing offsets (levels, ``offsets``) and their Monte Carlo probabilities, and the mean
    energy of one step (J)."""

    spec: DwWriteSpec
    offsets: NDArray[np.int64]
    probabilities: FloatArray
    energy: float
    cached: bool

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> NDArray[np.int64]:
        """Landing offsets of ``shape`` independent steps."""
        return np.asarray(rng.choice(self.offsets, size=shape, p=self.probabilities))


def gaussian_offsets(spec: DwWriteSpec, offsets: NDArray[np.int64]) -> FloatArray:
    """The closed-form probability of each landing offset j (levels from the target):
    P((j - 1/2) s < sigma_pos z < (j + 1/2) s), the tails beyond the track's ends collected on
    the end levels (the wall stops there)."""
    s = 1.0 / (spec.nlevels - 1)
    start = _start_level(spec)
    lowest, highest = -(start + 1), spec.nlevels - 1 - (start + 1)
    sigma = max(spec.sigma_pos, 1e-300)

    def cdf(u: float) -> float:
        return 0.5 * (1 + math.erf(u / (sigma * math.sqrt(2))))

    return np.array(
        [
            (1.0 if j >= highest else cdf((j + 0.5) * s))
            - (0.0 if j <= lowest else cdf((j - 0.5) * s))
            for j in offsets
        ]
    )


def _start_level(spec: DwWriteSpec) -> int:
    """The level the walls start on: the middle, so that one step up has room when any."""
    m = spec.nlevels - 1
    return m // 2 if m > 1 else 0


def characterise_dw_write(
    model: CompiledModel, spec: DwWriteSpec = DwWriteSpec(), *, use_cache: bool = True
) -> DwWrite:
    """Run (or fetch from the cache) the Monte Carlo characterisation of ``spec`` on ``model``
    (the shipped ``dw_synapse``)."""
    spec.check()
    if not {"nlevels", "sigma_pos", "x0"} <= set(model.parameters):
        raise SurrogateError(f"dw_write: model {model.name!r} is not a dw_synapse")
    parts = {"spec": repr(spec), "model": to_ngspice(Circuit("m", subckts=(model.subckt,)))}
    arrays, hit = cached_arrays(
        "dw_write", _VERSION, parts, lambda: _monte_carlo(model, spec), use_cache=use_cache
    )
    return DwWrite(
        spec,
        arrays["offsets"].astype(np.int64),
        arrays["probabilities"],
        float(arrays["energy"]),
        hit,
    )


def _monte_carlo(model: CompiledModel, spec: DwWriteSpec) -> dict[str, FloatArray]:
    m = spec.nlevels - 1
    start_level = _start_level(spec)
    current = spec.current()
    wave = Pwl(((0.0, 0.0), (START, 0.0), (START + EDGE, current),
                (START + TNOISE - EDGE, current), (START + TNOISE, 0.0)))  # fmt: skip
    elements: list[object] = []
    for k in range(spec.devices):
        elements.append(CurrentSource(f"I{k}", "0", f"a{k}", waveform=wave))
        elements.append(VoltageSource(f"Vr{k}", f"a{k}", f"b{k}", 0.0))
        elements.append(
            model.instance(
                f"X{k}", (f"b{k}", "0"), nlevels=spec.nlevels, sigma_pos=spec.sigma_pos,
                x0=start_level / m, seed=draw_seed(spec.seed, "dw_write", 0, f"X{k}"),
            )
        )  # fmt: skip
    circuit = Circuit(
        "dw_write", elements=tuple(elements), subckts=(model.subckt,),  # type: ignore[arg-type]
        options=(Option("seed", spec.seed & 0x7FFFFFFF),),
        saves=tuple(f"v(x{k}.x)" for k in range(spec.devices))
        + tuple(f"v(a{k})" for k in range(spec.devices)),
    )  # fmt: skip
    w = simulate(
        circuit, Tran(0.2e-9, START + TNOISE + 60e-9, max_step=0.5e-9), timeout=1800
    ).waveforms
    axis = np.asarray(w.axis)
    landed = np.array([round(float(w.v(f"x{k}.x")[-1]) * m) for k in range(spec.devices)])
    offsets = landed - (start_level + 1)
    values = np.arange(offsets.min(), offsets.max() + 1)
    counts = np.array([np.count_nonzero(offsets == j) for j in values], dtype=np.float64)
    pulse = (axis >= START) & (axis <= START + TNOISE)
    energies = [
        np.trapezoid(np.asarray(w.v(f"a{k}"))[pulse] * current, axis[pulse])
        for k in range(spec.devices)
    ]
    return {
        "offsets": values.astype(np.float64),
        "probabilities": counts / counts.sum(),
        "energy": np.array(float(np.mean(energies))),
    }
