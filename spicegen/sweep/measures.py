"""Named scalar measurements of a point's ``Waveforms``, declared as data or given as functions.

A ``Measure`` names a kind from ``spicegen.waves.measure`` (or a simple reduction: ``final``,
``initial``, ``max``, ``min``, ``mean``) and the vector it reads; ``function`` takes a
``Waveforms`` and returns a float, for anything else (sent to workers with cloudpickle).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spicegen.sweep.checks import check_name
from spicegen.sweep.errors import SpecError
from spicegen.waves import WaveformError, Waveforms
from spicegen.waves import measure as wm

MeasureFunction = Callable[[Waveforms], float]

# kind -> (needs the axis, optional keyword arguments it accepts)
_KINDS: dict[str, tuple[str, ...]] = {
    "final": (),
    "initial": (),
    "max": (),
    "min": (),
    "mean": (),
    "value_at": ("at",),
    "rise_time": ("low", "high"),
    "fall_time": ("low", "high"),
    "switching_time": ("level",),
    "period": ("level",),
    "frequency": ("level",),
    "spike_rate": ("threshold", "refractory"),
    "energy": ("current",),
}
_REQUIRED = {"value_at": ("at",), "spike_rate": ("threshold",), "energy": ("current",)}


@dataclass(frozen=True, slots=True)
class Measure:
    """One named scalar: ``kind`` applied to ``vector`` (``v(out)``, ``i(v1)``), or ``function``.

    ``options`` are the kind's keyword arguments in SI units (``at`` in s, ``level`` in the
    vector's unit, ``current`` the current vector name for ``energy``).
    """

    name: str
    kind: str = "final"
    vector: str = ""
    options: tuple[tuple[str, float | str], ...] = ()
    function: MeasureFunction | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        key = f"measure.{self.name}"
        check_name(key, self.name, "measurement")
        if self.function is not None:
            return
        if self.kind not in _KINDS:
            raise SpecError(
                f"{key}.kind", f"expected one of {', '.join(_KINDS)}, got {self.kind!r}"
            )
        if not self.vector:
            raise SpecError(f"{key}.vector", "missing: the vector to measure, e.g. 'v(out)'")
        given = dict(self.options)
        for name in given:
            if name not in _KINDS[self.kind]:
                raise SpecError(f"{key}.{name}", f"unknown option for kind {self.kind!r}")
        for name in _REQUIRED.get(self.kind, ()):
            if name not in given:
                raise SpecError(f"{key}.{name}", f"missing: kind {self.kind!r} needs it")
        for name, value in given.items():
            wanted_text = name == "current"
            if wanted_text != isinstance(value, str) or isinstance(value, bool):
                what = "a vector name" if wanted_text else "a number"
                raise SpecError(f"{key}.{name}", f"expected {what}, got {value!r}")


def measure_from_table(name: str, table: object) -> Measure:
    """Build a ``Measure`` from a TOML table ``{kind = "rise_time", vector = "v(out)", ...}``."""
    key = f"measure.{name}"
    if not isinstance(table, dict):
        raise SpecError(
            key, f"expected a table like {{kind = 'final', vector = 'v(out)'}}, got {table!r}"
        )
    kind = table.get("kind", "final")
    vector = table.get("vector", "")
    if not isinstance(kind, str):
        raise SpecError(f"{key}.kind", f"expected a string, got {kind!r}")
    if not isinstance(vector, str):
        raise SpecError(f"{key}.vector", f"expected a vector name, got {vector!r}")
    options = tuple((k, v) for k, v in table.items() if k not in ("kind", "vector"))
    return Measure(name=name, kind=kind, vector=vector, options=options)


def evaluate(measures: tuple[Measure, ...], waves: Waveforms) -> tuple[dict[str, float], str]:
    """Every measurement of ``waves``; one that does not exist (no crossing...) is NaN.

    Returns the values and a note listing why any is NaN.
    """
    values: dict[str, float] = {}
    notes: list[str] = []
    for item in measures:
        try:
            values[item.name] = _one(item, waves)
        except (WaveformError, KeyError, ValueError) as err:
            values[item.name] = math.nan
            notes.append(f"{item.name}: {err}")
    return values, "\n".join(notes)


def _one(item: Measure, waves: Waveforms) -> float:
    if item.function is not None:
        return float(item.function(waves))
    y = np.real(waves[item.vector]) if item.kind in ("final", "initial") else waves[item.vector]
    options: Mapping[str, Any] = dict(item.options)
    kind = item.kind
    if kind in ("final", "initial", "max", "min", "mean"):
        data = np.asarray(y)
        if data.size == 0:
            raise ValueError(f"{item.vector} is empty")
        picked = {
            "final": data[-1],
            "initial": data[0],
        }.get(kind)
        if picked is None:
            picked = (
                np.max(data) if kind == "max" else np.min(data) if kind == "min" else data.mean()
            )
        return float(np.real(picked))
    t = waves.axis
    if t is None:
        raise ValueError(f"kind {kind!r} needs a swept axis (time, frequency...)")
    if kind == "energy":
        return wm.energy(t, y, waves[str(options["current"])])
    function: Callable[..., float] = getattr(wm, kind)
    return float(function(t, y, **options))
