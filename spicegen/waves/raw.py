"""Reader of ngspice raw files into numpy: binary and ASCII, real and complex, one or many plots.

With ``raw_format.py`` (the headers and the data sections' extents, shared with the
pure-Python summary of ``summary.py``) the only code in spicegen that parses raw files. The
data of a plot are decoded at once:

- binary: ``points x variables`` native doubles, point after point (two doubles, real and
  imaginary, per value when ``Flags: complex``); read with one ``np.fromfile`` call;
- ASCII: per point its index, then one value per line (``re,im`` when complex); parsed with
  one ``np.fromstring`` call over the whole section.

The vectors of a plot are read-only column views of that one array (no copy per vector).

Every defect (empty file, missing or non-numeric header field, fewer data than announced,
random bytes) raises ``RawFileError`` naming the file, the byte offset and what was expected.
"""

from __future__ import annotations

import mmap
import os
from typing import BinaryIO

import numpy as np

from spicegen.waves.errors import RawFileError, WaveformError
from spicegen.waves.raw_format import (
    PlotHeader,
    ascii_count_error,
    ascii_index_error,
    ascii_number_error,
    ascii_section,
    plot_headers,
    short_read_error,
)
from spicegen.waves.waveforms import Waveforms

_DOUBLE = np.dtype(np.float64)


def read_raw(path: str | os.PathLike[str]) -> Waveforms:
    """The first plot of the ngspice raw file at ``path``."""
    return _read(path, limit=1)[0]


def read_raw_plots(path: str | os.PathLike[str]) -> tuple[Waveforms, ...]:
    """Every plot of the ngspice raw file at ``path``, in file order."""
    return _read(path, limit=None)


def _read(path: str | os.PathLike[str], limit: int | None) -> tuple[Waveforms, ...]:
    name = os.fsdecode(os.fspath(path))
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise RawFileError(name, 0, "the file is empty; expected a 'Title:' header line")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
                return _read_plots(name, handle, view, size, limit)
    except OSError as err:
        raise RawFileError(name, 0, f"cannot open or read the raw file: {err.strerror}") from err


def _read_plots(
    path: str, handle: BinaryIO, view: mmap.mmap, size: int, limit: int | None
) -> tuple[Waveforms, ...]:
    plots: list[Waveforms] = []
    for header in plot_headers(path, view, size, limit):
        if not header.variables:
            matrix = np.empty((0, 0))
        elif header.binary:
            matrix = _binary_data(path, handle, header)
        else:
            matrix = _ascii_data(path, view, header)
        plots.append(_waveforms(path, header, matrix))
    return tuple(plots)


def _binary_data(path: str, handle: BinaryIO, header: PlotHeader) -> np.ndarray:
    """The (points, variables) matrix of a binary section."""
    handle.seek(header.data_offset)
    values = np.fromfile(handle, dtype=_DOUBLE, count=header.values)
    if values.size != header.values:  # the file shrank while we read it
        raise short_read_error(path, header, values.size)
    if header.is_complex:
        values = values.view(np.complex128)
    return values.reshape(header.points, len(header.variables))


def _ascii_data(path: str, view: mmap.mmap, header: PlotHeader) -> np.ndarray:
    """The (points, variables) matrix of an ASCII section."""
    try:
        numbers = np.fromstring(ascii_section(view, header), dtype=_DOUBLE, sep=" ")
    except ValueError as err:
        raise ascii_number_error(path, header, err) from err
    error = ascii_count_error(path, header, numbers.size)
    if error is not None:
        raise error
    table = numbers.reshape(header.points, header.per_point)
    if not np.array_equal(table[:, 0], np.arange(header.points)):
        raise ascii_index_error(path, header)
    values = table[:, 1:]
    if header.is_complex:
        values = values.view(np.complex128)
    return values


def _waveforms(path: str, header: PlotHeader, matrix: np.ndarray) -> Waveforms:
    columns = [
        (name, kind, matrix[:, position]) for position, (name, kind) in enumerate(header.variables)
    ]
    try:
        return Waveforms.from_arrays(header.title, header.plotname, columns, header.axis)
    except WaveformError as err:  # e.g. two variables with the same name
        raise RawFileError(path, header.start, f"expected a valid plot: {err}") from err
