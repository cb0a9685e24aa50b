"""What ``spicegen run`` prints of each plot, read from a raw file without numpy.

``summarise_raw_plots(path)`` frames the file with ``raw_format.py`` (the parser the numpy
reader uses) and decodes the data with ``array``/``float``, so a command that only prints a
summary never pays numpy's import (a tenth of a second or more, more than a small simulation
takes). ``summarise_waveforms`` gives the same summary from ``Waveforms``: the smallest,
largest and last value of each vector (the smallest and largest magnitude for a complex one).

Real vectors get the very values numpy's ``min``/``max`` find. A complex magnitude is computed
by numpy with the CPU's vector instructions where it has them (``larger * sqrt(1 + ratio**2)``)
and with C's ``hypot`` elsewhere, which differ in the last bit; the pure reader uses ``hypot``
and keeps a complex extreme only when it prints the same to ``PRINTED_DIGITS`` significant
digits two units in the last place either side, so what ``spicegen run`` prints is the same.
Where the pure reader cannot promise that (such a magnitude; a zero of both signs, whose sign
numpy's ``min`` picks by its own order; a large file, which numpy reads faster than its own
import costs), it reads the file with numpy instead.
"""

from __future__ import annotations

import math
import mmap
import os
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from spicegen.waves.errors import RawFileError, WaveformError
from spicegen.waves.names import canonical_kind, canonical_name, plot_names, unit_of
from spicegen.waves.raw_format import (
    PlotHeader,
    ascii_count_error,
    ascii_index_error,
    ascii_number_error,
    ascii_section,
    plot_headers,
    short_read_error,
)

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from typing import BinaryIO

    from spicegen.waves.waveforms import Waveforms

# Up to this size (bytes) the pure reader beats numpy's import and reader together (1.7x at
# 3.2 MB, even at 13 MB; `python benchmarks/bench_engine.py --summary`); above, numpy reads.
PURE_LIMIT = 4 << 20
PRINTED_DIGITS = 6  # what `spicegen run` prints (format ".6g")


@dataclass(frozen=True, slots=True)
class VectorSummary:
    """One vector in brief: ``low``/``high`` are its smallest and largest value (of the
    magnitude, for a complex vector), ``last`` its last value, all ``None`` when it has no
    points; SI units (``unit``)."""

    name: str
    kind: str
    points: int
    low: float | None
    high: float | None
    last: float | complex | None

    @property
    def unit(self) -> str:
        """SI unit symbol of the vector (``s``, ``V``, ``A``, ``Hz``), ``""`` if it has none."""
        return unit_of(self.kind)


@dataclass(frozen=True, slots=True)
class PlotSummary:
    """One plot in brief: its names, number of points and the summary of each vector."""

    title: str
    plotname: str
    points: int
    vectors: tuple[VectorSummary, ...]


class _NeedsNumpy(Exception):
    """The pure reader cannot promise numpy's answer for this file."""


def summarise_raw_plots(path: str | os.PathLike[str]) -> tuple[PlotSummary, ...]:
    """The summary of every plot of the ngspice raw file at ``path``, in file order."""
    name = os.fsdecode(os.fspath(path))
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise RawFileError(name, 0, "the file is empty; expected a 'Title:' header line")
            if size <= PURE_LIMIT:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                    return _summarise(name, handle, view, size)
    except OSError as err:
        raise RawFileError(name, 0, f"cannot open or read the raw file: {err.strerror}") from err
    except _NeedsNumpy:
        pass
    from spicegen.waves.raw import read_raw_plots

    return tuple(summarise_waveforms(plot) for plot in read_raw_plots(name))


def summarise_waveforms(waveforms: Waveforms) -> PlotSummary:
    """The summary of one plot already read (the reference the pure reader matches)."""
    vectors = []
    for vector in waveforms.vectors:
        data = vector.data
        if data.size == 0:
            vectors.append(VectorSummary(vector.name, vector.kind, 0, None, None, None))
            continue
        last: float | complex
        if data.dtype.kind == "c":
            magnitude = abs(data)
            low, high, last = float(magnitude.min()), float(magnitude.max()), complex(data[-1])
        else:
            low, high, last = float(data.min()), float(data.max()), float(data[-1])
        vectors.append(VectorSummary(vector.name, vector.kind, int(data.size), low, high, last))
    return PlotSummary(waveforms.title, waveforms.plotname, len(waveforms), tuple(vectors))


def _summarise(path: str, handle: BinaryIO, view: mmap.mmap, size: int) -> tuple[PlotSummary, ...]:
    plots = []
    for header in plot_headers(path, view, size, None):
        if not header.variables:
            plots.append(PlotSummary(header.title, header.plotname, 0, ()))
            continue
        if header.binary:
            numbers: Sequence[float] = _binary_numbers(path, handle, header)
            first = 0
        else:
            numbers = _ascii_numbers(path, view, header)
            first = 1  # each point starts with its index
        plots.append(_plot(path, header, numbers, first))
    return tuple(plots)


def _binary_numbers(path: str, handle: BinaryIO, header: PlotHeader) -> array[float]:
    """The doubles of a binary section, in file order (native byte order, as ngspice wrote)."""
    numbers = array("d")
    handle.seek(header.data_offset)
    try:
        numbers.fromfile(handle, header.values)
    except EOFError:  # the file shrank while we read it
        raise short_read_error(path, header, len(numbers)) from None
    return numbers


def _ascii_numbers(path: str, view: mmap.mmap, header: PlotHeader) -> list[float]:
    """The numbers of an ASCII section (point indices included), checked as the numpy reader
    checks them."""
    section = ascii_section(view, header)
    if b"_" in section or b"(" in section:
        # float() takes "1_0", numpy's parser "nan(1)": neither is ngspice's, so numpy decides
        raise _NeedsNumpy
    try:
        numbers = list(map(float, section.split()))
    except ValueError as err:
        raise ascii_number_error(path, header, err) from err
    error = ascii_count_error(path, header, len(numbers))
    if error is not None:
        raise error
    per_point = header.per_point
    if any(numbers[point * per_point] != point for point in range(header.points)):
        raise ascii_index_error(path, header)
    return numbers


def _plot(path: str, header: PlotHeader, numbers: Sequence[float], first: int) -> PlotSummary:
    """The summary of a plot whose values are ``numbers[first:]``, point after point."""
    try:
        names = plot_names(name for name, _ in header.variables)
        axis = None if header.axis is None else canonical_name(header.axis)
    except WaveformError as err:
        raise RawFileError(path, header.start, f"expected a valid plot: {err}") from err
    stride = len(numbers) // header.points if header.points else 0
    width = 2 if header.is_complex else 1
    vectors = []
    for position, (name, (_, kind)) in enumerate(zip(names, header.variables, strict=True)):
        kind = canonical_kind(kind)
        if header.points == 0:
            vectors.append(VectorSummary(name, kind, 0, None, None, None))
            continue
        real = numbers[first + width * position :: stride]
        if header.is_complex and name != axis:  # a complex axis is made real, as in Waveforms
            imaginary = numbers[first + width * position + 1 :: stride]
            values = list(map(complex, real, imaginary))
            try:
                magnitudes = list(map(abs, values))
            except OverflowError:  # Python refuses |z| above the largest double; numpy says inf
                raise _NeedsNumpy from None
            low, high = _extremes(magnitudes)
            if not (_prints_alike(low) and _prints_alike(high)):
                raise _NeedsNumpy
            last: float | complex = values[-1]
        else:
            low, high = _extremes(real)
            last = real[-1]
        vectors.append(VectorSummary(name, kind, header.points, low, high, last))
    return PlotSummary(header.title, header.plotname, header.points, tuple(vectors))


def _extremes(values: Sequence[float]) -> tuple[float, float]:
    """numpy's ``min`` and ``max`` of ``values``: NaN if there is one."""
    if math.isnan(sum(values)) and any(value != value for value in values):
        return math.nan, math.nan
    low, high = min(values), max(values)
    if (low == 0 or high == 0) and len({math.copysign(1.0, v) for v in values if v == 0}) > 1:
        # +0 and -0 are equal; which one numpy returns depends on its reduction order
        raise _NeedsNumpy
    return low, high


def _prints_alike(value: float) -> bool:
    """Whether every double within two units in the last place of ``value`` prints as it
    does with ``PRINTED_DIGITS`` digits (zero, infinities and NaN are exact everywhere)."""
    if value == 0 or not math.isfinite(value):
        return True
    text = f"{value:.{PRINTED_DIGITS}g}"
    step = 2 * math.ulp(value)
    return f"{value - step:.{PRINTED_DIGITS}g}" == text == f"{value + step:.{PRINTED_DIGITS}g}"
