"""Random distributions for Monte Carlo parameters: pure functions of a numpy Generator."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from spicegen.sweep.checks import check_number
from spicegen.sweep.errors import SpecError


def _finite(owner: str, name: str, value: float) -> float:
    return check_number(f"{owner}.{name}", value)


@dataclass(frozen=True, slots=True)
class Normal:
    """Gaussian with ``mean`` and standard deviation ``std`` (unit of the parameter)."""

    mean: float
    std: float

    def __post_init__(self) -> None:
        _finite("normal", "mean", self.mean)
        if not _finite("normal", "std", self.std) >= 0:
            raise SpecError("normal.std", f"expected a standard deviation >= 0, got {self.std!r}")

    def draw(self, rng: np.random.Generator) -> float:
        """One sample."""
        return float(rng.normal(self.mean, self.std))


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform on [``low``, ``high``) (unit of the parameter)."""

    low: float
    high: float

    def __post_init__(self) -> None:
        low = _finite("uniform", "low", self.low)
        if not _finite("uniform", "high", self.high) > low:
            raise SpecError("uniform.high", f"expected high > low ({low!r}), got {self.high!r}")

    def draw(self, rng: np.random.Generator) -> float:
        """One sample."""
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal with ``median`` (unit of the parameter) and ``sigma`` of ln(x) (no unit)."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        if not _finite("lognormal", "median", self.median) > 0:
            raise SpecError("lognormal.median", f"expected a median > 0, got {self.median!r}")
        if not _finite("lognormal", "sigma", self.sigma) >= 0:
            raise SpecError("lognormal.sigma", f"expected sigma >= 0, got {self.sigma!r}")

    def draw(self, rng: np.random.Generator) -> float:
        """One sample."""
        return float(rng.lognormal(math.log(self.median), self.sigma))


Distribution = Normal | Uniform | LogNormal

_KINDS: dict[str, tuple[type[Normal] | type[Uniform] | type[LogNormal], tuple[str, ...]]] = {
    "normal": (Normal, ("mean", "std")),
    "uniform": (Uniform, ("low", "high")),
    "lognormal": (LogNormal, ("median", "sigma")),
}


def distribution_from_table(key: str, table: object) -> Distribution:
    """A distribution from a TOML table ``{distribution = "normal", mean = ..., std = ...}``."""
    if not isinstance(table, dict):
        raise SpecError(
            key, f"expected a table like {{distribution = 'normal', ...}}, got {table!r}"
        )
    kind = table.get("distribution")
    if kind not in _KINDS:
        raise SpecError(
            f"{key}.distribution",
            f"expected one of {', '.join(sorted(_KINDS))}, got {kind!r}",
        )
    cls, fields = _KINDS[str(kind)]
    extra = sorted(set(table) - {"distribution", *fields})
    missing = [name for name in fields if name not in table]
    if extra:
        raise SpecError(f"{key}.{extra[0]}", f"unknown key for a {kind} distribution")
    if missing:
        raise SpecError(f"{key}.{missing[0]}", f"missing; a {kind} distribution needs {fields}")
    try:
        return cls(*(table[name] for name in fields))
    except SpecError as err:
        raise SpecError(f"{key}.{err.key.split('.')[-1]}", err.message) from None
