"""Waveforms: the vectors of one ngspice plot, with lookup by any spelling of their names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spicegen.waves.errors import MissingVectorError, WaveformError
from spicegen.waves.names import canonical_kind, canonical_name, plot_names, unit_of

_GROUND = frozenset({"0", "gnd"})


def _read_only(data: Any) -> np.ndarray:
    """A read-only 1-D float64/complex128 view of ``data`` (no copy when already so typed)."""
    array = np.asarray(data)
    if array.ndim != 1:
        raise WaveformError(f"vector data must be 1-D, got shape {array.shape}")
    if np.iscomplexobj(array):
        array = array.astype(np.complex128, copy=False)
    else:
        array = array.astype(np.float64, copy=False)
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, slots=True, eq=False)
class Vector:
    """One named vector of a plot.

    ``name`` is canonical (``v(out)``, ``i(v1)``, ``time``); ``kind`` is ngspice's type name
    (``time``, ``voltage``, ``current``, ``frequency``, ``notype``...); ``data`` is 1-D float64
    or complex128 in SI units (s, V, A, Hz), read-only.
    """

    name: str
    kind: str
    data: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _read_only(self.data))

    @property
    def unit(self) -> str:
        """SI unit symbol of the vector (``s``, ``V``, ``A``, ``Hz``), ``""`` if it has none."""
        return unit_of(self.kind)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vector):
            return NotImplemented
        return (
            self.name == other.name
            and self.kind == other.kind
            and self.data.dtype == other.data.dtype
            and np.array_equal(self.data, other.data, equal_nan=True)
        )

    def __hash__(self) -> int:
        return hash((self.name, self.kind, self.data.shape))

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild through __init__ so that the unpickled data are read-only again.
        return (Vector, (self.name, self.kind, self.data))


@dataclass(frozen=True, slots=True)
class Waveforms:
    """The vectors of one plot (one analysis) of an ngspice run.

    ``axis_name`` is the canonical name of the scale vector (``time``, ``frequency``,
    ``v-sweep``...), ``None`` for an operating point. All vectors have the same length, the
    number of points. Index with any spelling of a name: ``w["OUT"]``, ``w["v1#branch"]``.
    """

    title: str
    plotname: str
    vectors: tuple[Vector, ...]
    axis_name: str | None
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        vectors = tuple(self.vectors)
        object.__setattr__(self, "vectors", vectors)
        index: dict[str, int] = {}
        for position, vector in enumerate(vectors):
            if vector.name in index:
                raise WaveformError(f"plot {self.plotname!r} has two vectors named {vector.name!r}")
            index[vector.name] = position
        lengths = {len(vector.data) for vector in vectors}
        if len(lengths) > 1:
            raise WaveformError(
                f"plot {self.plotname!r}: vectors differ in length: "
                + ", ".join(f"{v.name}={len(v.data)}" for v in vectors)
            )
        if self.axis_name is not None and self.axis_name not in index:
            raise WaveformError(
                f"plot {self.plotname!r}: axis {self.axis_name!r} is not one of its vectors "
                f"({', '.join(index) or 'none'})"
            )
        object.__setattr__(self, "_index", index)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Waveforms, (self.title, self.plotname, self.vectors, self.axis_name))

    @classmethod
    def from_arrays(
        cls,
        title: str,
        plotname: str,
        columns: Sequence[tuple[str, str, np.ndarray]],
        axis_name: str | None,
    ) -> Waveforms:
        """Build from ``(name, kind, data)`` columns in any ngspice spelling.

        Names and kinds are canonicalised; a complex axis (the frequency of an AC plot, stored
        complex by ngspice with a zero or garbage imaginary part) is made real. A name that
        repeats (ngspice writes one ``i(adac)`` per port of a multi-port XSPICE bridge) keeps
        its first occurrence and numbers the next ones ``i(adac)#2``, ``i(adac)#3``...
        """
        axis = None if axis_name is None else canonical_name(axis_name)
        vectors = []
        names = plot_names(name for name, _, _ in columns)
        for canonical, (_, kind, data) in zip(names, columns, strict=True):
            values = np.asarray(data)
            if canonical == axis and np.iscomplexobj(values):
                values = values.real
            vectors.append(Vector(canonical, canonical_kind(kind), values))
        return cls(title, plotname, tuple(vectors), axis)

    # -- lookup --------------------------------------------------------------------------------
    def vector(self, name: str) -> Vector:
        """The vector called ``name`` (any spelling: ``OUT``, ``V(out)``, ``v1#branch``)."""
        position = self._index.get(name)
        if position is None:
            try:
                position = self._index.get(canonical_name(name))
            except WaveformError:
                position = None
        if position is None:
            raise MissingVectorError(name, self.names)
        return self.vectors[position]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.vector(name).data

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self.vector(name)
        except MissingVectorError:
            return False
        return True

    def __len__(self) -> int:
        """Number of points."""
        return len(self.vectors[0].data) if self.vectors else 0

    def v(self, node: str, ref: str | None = None) -> np.ndarray:
        """Voltage of ``node`` (V), or ``v(node) - v(ref)``; ``0`` and ``gnd`` are ground."""
        high = self._node_voltage(node)
        if ref is None:
            return high if high is not None else self._zeros()
        low = self._node_voltage(ref)
        if low is None:
            return high if high is not None else self._zeros()
        return -low if high is None else high - low

    def i(self, source: str) -> np.ndarray:
        """Branch current (A) of a voltage source or inductor, flowing from its + node through
        the element to its - node (ngspice's sign)."""
        text = "".join(source.split()).lower()
        if not (text.startswith("i(") or text.endswith("#branch")):
            text = f"i({text})"
        return self[text]

    def _node_voltage(self, node: str) -> np.ndarray | None:
        text = "".join(node.split()).lower()
        if text in _GROUND:
            return None
        if not text.startswith("v("):
            text = f"v({text})"
        return self[text]

    def _zeros(self) -> np.ndarray:
        complex_plot = any(np.iscomplexobj(v.data) for v in self.vectors)
        return np.zeros(len(self), dtype=np.complex128 if complex_plot else np.float64)

    # -- views ---------------------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names of the vectors, in file order."""
        return tuple(vector.name for vector in self.vectors)

    @property
    def axis(self) -> np.ndarray | None:
        """The scale vector (time in s, frequency in Hz, swept value), ``None`` for an op."""
        return None if self.axis_name is None else self[self.axis_name]

    @property
    def units(self) -> dict[str, str]:
        """Unit symbol of every vector, by canonical name."""
        return {vector.name: vector.unit for vector in self.vectors}

    def to_dict(self) -> dict[str, np.ndarray]:
        """Every vector's data by canonical name (the read-only arrays, not copies)."""
        return {vector.name: vector.data for vector in self.vectors}

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset``: the axis as coordinate (dimension ``point`` for an op), every
        other vector a data variable with ``units`` and ``kind`` attributes."""
        try:
            import xarray
        except ImportError as err:
            raise WaveformError(
                "to_xarray needs the optional package xarray; install it with `pip install xarray`"
            ) from err
        dimension = self.axis_name if self.axis_name is not None else "point"
        coords = {}
        if self.axis_name is not None:
            axis = self.vector(self.axis_name)
            coords[dimension] = (dimension, axis.data, {"units": axis.unit, "kind": axis.kind})
        data_vars = {
            vector.name: (dimension, vector.data, {"units": vector.unit, "kind": vector.kind})
            for vector in self.vectors
            if vector.name != self.axis_name
        }
        return xarray.Dataset(
            data_vars, coords=coords, attrs={"title": self.title, "plotname": self.plotname}
        )
