"""Reader of ngspice raw files: binary and ASCII, real and complex, one or many plots.

The only code in spicegen that parses raw files. A raw file is a sequence of plots; each plot
is a text header (``Title:``, ``Plotname:``, ``Flags:``, ``No. Variables:``, ``No. Points:``,
``Variables:`` and one line per variable) closed by ``Binary:`` or ``Values:``, then the data:

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
import re
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from spicegen.waves.errors import RawFileError, WaveformError
from spicegen.waves.waveforms import Waveforms

_MAX_HEADER_LINE = 1 << 16  # bytes; a longer "line" is data or garbage, not a header field
_DOUBLE = np.dtype(np.float64)
_BLANK = b" \t\r\n"
_BLANKS = re.compile(rb"[ \t\r\n]*")
# In an ASCII data section every line starts with a digit, a space, a tab or a sign; the next
# plot's header starts with a letter (``Title:``).
_NEXT_HEADER = re.compile(rb"\n[A-Za-z]")
_COMMA_TO_SPACE = bytes.maketrans(b",", b" ")
# Header fields ngspice and other SPICE writers put first; anything else there is not a header.
_FIRST_KEYS = frozenset(
    {"title", "date", "command", "plotname", "flags", "no. variables", "no. points", "option"}
)
# Plots whose first vector is a value, not a scale (the shared-library backend agrees).
_NO_AXIS = ("operating point", "transfer function", "sensitivity", "pole-zero")


@dataclass(frozen=True, slots=True)
class _Header:
    """What a plot header announces, and where its data section starts (byte offset)."""

    title: str
    plotname: str
    is_complex: bool
    points: int
    variables: tuple[tuple[str, str], ...]  # (name, kind) in file order; () if no points
    binary: bool
    start: int  # byte offset of the plot's first header line
    data_offset: int


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
    offset = 0
    while offset < size and (limit is None or len(plots) < limit):
        try:
            header = _parse_header(path, view, size, offset)
        except RawFileError as err:
            if offset == 0 or err.offset != offset:
                raise
            hint = (
                " after the end of the previous plot; that plot may have more data than its "
                "'No. Points' announces (ngspice leaves 0 there when it is killed mid-run)"
            )
            raise RawFileError(path, offset, err.expected + hint, err.line) from None
        if not header.variables:
            matrix, offset = np.empty((0, 0)), header.data_offset
        elif header.binary:
            matrix, offset = _binary_data(path, handle, size, header)
        else:
            matrix, offset = _ascii_data(path, view, size, header)
        plots.append(_waveforms(path, header, matrix))
        offset = _skip_blank(view, offset, size)
    return tuple(plots)


def _skip_blank(view: mmap.mmap, offset: int, size: int) -> int:
    """The offset of the first byte at or after ``offset`` that is not blank."""
    found = _BLANKS.match(view, offset, size)
    return found.end() if found is not None else offset


# -- header -------------------------------------------------------------------------------------
def _parse_header(path: str, view: mmap.mmap, size: int, start: int) -> _Header:
    """Parse the header lines from ``start`` up to and including ``Binary:``/``Values:``."""
    fields: dict[str, tuple[str, int, str]] = {}  # key -> (value, offset, line)
    variables: tuple[tuple[str, str], ...] | None = None
    offset = start
    while True:
        text, next_offset = _header_line(path, view, size, offset)
        if not text.strip():
            offset = next_offset
            continue
        key, colon, value = text.partition(":")
        key = " ".join(key.lower().split())
        if not colon or not key:
            raise RawFileError(path, offset, "expected a 'Field: value' header line", text)
        if offset == start and key not in _FIRST_KEYS:
            raise RawFileError(path, offset, "expected a plot header ('Title: ...')", text)
        if key in ("binary", "values"):
            binary = key == "binary"
            return _header(path, fields, variables, binary, start, offset, text, next_offset)
        if key == "variables":
            count = _count(path, fields, "no. variables", offset, text, minimum=1)
            # ngspice writes the variable lines with the first point: a plot without points
            # (``.dc V1 1 0 1``) ends right after "Variables:".
            if (
                not value.strip()
                and _plot_ends(view, size, next_offset)
                and _count(path, fields, "no. points", offset, text, minimum=0) == 0
            ):
                return _header(path, fields, (), True, start, offset, text, next_offset)
            variables, next_offset = _variables(path, view, size, value, count, next_offset)
        else:
            fields.setdefault(key, (value.strip(), offset, text))
        offset = next_offset


def _plot_ends(view: mmap.mmap, size: int, offset: int) -> bool:
    """Whether the file ends, or the next plot's ``Title:`` line starts, at ``offset``."""
    offset = _skip_blank(view, offset, size)
    return offset == size or view[offset : offset + 6].lower() == b"title:"


def _header_line(path: str, view: mmap.mmap, size: int, offset: int) -> tuple[str, int]:
    """The header line at ``offset`` (decoded, without its line end) and the next offset."""
    end = view.find(b"\n", offset, min(size, offset + _MAX_HEADER_LINE))
    if end < 0:
        expected = (
            "expected a header line ending in a newline, but the file ends here"
            if size - offset < _MAX_HEADER_LINE
            else f"expected a header line, found {_MAX_HEADER_LINE} bytes without a newline"
        )
        raise RawFileError(path, offset, expected + " (truncated or not a raw file)")
    return view[offset:end].decode("utf-8", "replace").rstrip("\r"), end + 1


def _variables(
    path: str, view: mmap.mmap, size: int, first: str, count: int, offset: int
) -> tuple[tuple[tuple[str, str], ...], int]:
    """The ``count`` variable lines ``index name kind [attribute=value ...]``; the first one may
    share the ``Variables:`` line (``first``)."""
    found: list[tuple[str, str]] = []
    pending = first if first.strip() else None
    while len(found) < count:
        if pending is not None:
            text, line_offset = pending, offset
            pending = None
        else:
            line_offset = offset
            text, offset = _header_line(path, view, size, offset)
            if not text.strip():
                continue
        tokens = text.split()
        if len(tokens) < 3 or tokens[0] != str(len(found)):
            raise RawFileError(
                path,
                line_offset,
                f"expected variable line {len(found)} of {count}: "
                f"'{len(found)} <name> <type> [attribute=value ...]'",
                text,
            )
        found.append((tokens[1], tokens[2]))
    return tuple(found), offset


def _count(
    path: str,
    fields: dict[str, tuple[str, int, str]],
    key: str,
    where: int,
    line: str,
    minimum: int,
) -> int:
    if key not in fields:
        raise RawFileError(path, where, f"expected a '{key.title()}:' line before this one", line)
    value, offset, text = fields[key]
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < minimum:
        raise RawFileError(path, offset, f"expected an integer >= {minimum}", text)
    return number


def _header(
    path: str,
    fields: dict[str, tuple[str, int, str]],
    variables: tuple[tuple[str, str], ...] | None,
    binary: bool,
    start: int,
    offset: int,
    line: str,
    data_offset: int,
) -> _Header:
    for key in ("plotname", "flags"):
        if key not in fields:
            expected = f"expected a '{key.title()}:' line before this one"
            raise RawFileError(path, offset, expected, line)
    if variables is None:
        raise RawFileError(path, offset, "expected a 'Variables:' section before this line", line)
    points = _count(path, fields, "no. points", offset, line, minimum=0)
    flags_value, flags_offset, flags_line = fields["flags"]
    flags = flags_value.lower().split()
    if "complex" not in flags and "real" not in flags:
        raise RawFileError(path, flags_offset, "expected 'real' or 'complex' flags", flags_line)
    title = fields.get("title", ("", 0, ""))[0]
    return _Header(
        title=title,
        plotname=fields["plotname"][0],
        is_complex="complex" in flags,
        points=points,
        variables=variables,
        binary=binary,
        start=start,
        data_offset=data_offset,
    )


# -- data ---------------------------------------------------------------------------------------
def _binary_data(path: str, handle: BinaryIO, size: int, header: _Header) -> tuple[np.ndarray, int]:
    """The (points, variables) matrix of a binary section, and the offset after it."""
    width = 2 if header.is_complex else 1
    row_bytes = _DOUBLE.itemsize * width * len(header.variables)
    needed = header.points * row_bytes
    available = size - header.data_offset
    if needed > available:
        raise RawFileError(
            path,
            header.data_offset,
            f"expected {header.points} points x {len(header.variables)} "
            f"{'complex' if header.is_complex else 'real'} values ({needed} bytes) after "
            f"'Binary:', found {available} bytes: {available // row_bytes} complete point(s) "
            "(the file is truncated, or ngspice stopped before finishing it)",
        )
    handle.seek(header.data_offset)
    count = header.points * width * len(header.variables)
    values = np.fromfile(handle, dtype=_DOUBLE, count=count)
    if values.size != count:  # the file shrank while we read it
        expected = f"expected {count} doubles, read {values.size}"
        raise RawFileError(path, header.data_offset, expected)
    if header.is_complex:
        values = values.view(np.complex128)
    return values.reshape(header.points, len(header.variables)), header.data_offset + needed


def _ascii_data(path: str, view: mmap.mmap, size: int, header: _Header) -> tuple[np.ndarray, int]:
    """The (points, variables) matrix of an ASCII section, and the offset after it."""
    begin = header.data_offset
    following = _NEXT_HEADER.search(view, begin)
    end = following.start() + 1 if following is not None else size
    section = view[begin:end]
    if section.strip(_BLANK) and not section.endswith(b"\n"):
        expected = "expected the last value line to end in a newline (the file is truncated)"
        raise RawFileError(path, end, expected)
    try:
        if header.is_complex:  # "re,im" pairs; real sections have no commas
            section = section.translate(_COMMA_TO_SPACE)
        numbers = np.fromstring(section, dtype=_DOUBLE, sep=" ")
    except ValueError as err:
        raise RawFileError(
            path, begin, f"expected only numbers after 'Values:' up to byte {end} ({err})"
        ) from err
    width = 2 if header.is_complex else 1
    per_point = 1 + width * len(header.variables)
    if numbers.size != header.points * per_point:
        raise RawFileError(
            path,
            begin,
            f"expected {header.points} points x (index + {len(header.variables)} "
            f"{'complex' if header.is_complex else 'real'} values) = "
            f"{header.points * per_point} numbers after 'Values:', found {numbers.size}: "
            f"{numbers.size // per_point} complete point(s) (the file is truncated, or ngspice "
            "stopped before finishing it)",
        )
    table = numbers.reshape(header.points, per_point)
    if not np.array_equal(table[:, 0], np.arange(header.points)):
        expected = "expected point indices 0, 1, 2, ... at the start of each point"
        raise RawFileError(path, begin, expected)
    values = table[:, 1:]
    if header.is_complex:
        values = values.view(np.complex128)
    return values, end


def _waveforms(path: str, header: _Header, matrix: np.ndarray) -> Waveforms:
    axis = None
    if header.variables and not header.plotname.strip().lower().startswith(_NO_AXIS):
        axis = header.variables[0][0]
    columns = [
        (name, kind, matrix[:, position]) for position, (name, kind) in enumerate(header.variables)
    ]
    try:
        return Waveforms.from_arrays(header.title, header.plotname, columns, axis)
    except WaveformError as err:  # e.g. two variables with the same name
        raise RawFileError(path, header.start, f"expected a valid plot: {err}") from err
