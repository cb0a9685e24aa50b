"""The framing of ngspice raw files, without numpy: plot headers and where each data section is.

A raw file is a sequence of plots; each plot is a text header (``Title:``, ``Plotname:``,
``Flags:``, ``No. Variables:``, ``No. Points:``, ``Variables:`` and one line per variable)
closed by ``Binary:`` or ``Values:``, then the data:

- binary: ``points x variables`` native doubles, point after point (two doubles, real and
  imaginary, per value when ``Flags: complex``);
- ASCII: per point its index, then one value per line (``re,im`` when complex).

``plot_headers`` walks the plots and checks every header and every data section's extent;
the two decoders of the data (numpy arrays in ``raw.py``, the pure-Python summary in
``summary.py``) take the sections from here, so a raw file is framed by one parser only.
Every defect raises ``RawFileError`` naming the file, the byte offset and what was expected.
"""

from __future__ import annotations

import dataclasses
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass

from spicegen.waves.errors import RawFileError

DOUBLE_BYTES = 8  # a C double, the only value type ngspice writes
_MAX_HEADER_LINE = 1 << 16  # bytes; a longer "line" is data or garbage, not a header field
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
class PlotHeader:
    """What a plot header announces, and where its data section is (byte offsets)."""

    title: str
    plotname: str
    is_complex: bool
    points: int
    variables: tuple[tuple[str, str], ...]  # (name, kind) in file order; () if no points
    binary: bool
    start: int  # byte offset of the plot's first header line
    data_offset: int
    data_end: int

    @property
    def axis(self) -> str | None:
        """The name (as written) of the plot's scale vector, ``None`` for an operating point."""
        if self.variables and not self.plotname.strip().lower().startswith(_NO_AXIS):
            return self.variables[0][0]
        return None

    @property
    def values(self) -> int:
        """How many doubles the binary section holds (two per complex value)."""
        return self.points * len(self.variables) * (2 if self.is_complex else 1)

    @property
    def per_point(self) -> int:
        """Numbers per point of an ASCII section: the index, then one (or re, im) per vector."""
        return 1 + (2 if self.is_complex else 1) * len(self.variables)


def plot_headers(path: str, view: mmap.mmap, size: int, limit: int | None) -> Iterator[PlotHeader]:
    """The headers of the plots of the raw file mapped as ``view`` (``size`` bytes), in order,
    at most ``limit``; each data section's extent is checked before its header is yielded."""
    offset = 0
    count = 0
    while offset < size and (limit is None or count < limit):
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
        yield header
        count += 1
        offset = _skip_blank(view, header.data_end, size)


def ascii_section(view: mmap.mmap, header: PlotHeader) -> bytes:
    """The numbers of an ASCII data section as one blank-separated text (commas made blanks)."""
    section = view[header.data_offset : header.data_end]
    # "re,im" pairs; real sections have no commas
    return section.translate(_COMMA_TO_SPACE) if header.is_complex else section


def ascii_number_error(path: str, header: PlotHeader, reason: object) -> RawFileError:
    """A word of an ASCII data section is not a number."""
    return RawFileError(
        path,
        header.data_offset,
        f"expected only numbers after 'Values:' up to byte {header.data_end} ({reason})",
    )


def ascii_count_error(path: str, header: PlotHeader, found: int) -> RawFileError | None:
    """The error for an ASCII section of ``found`` numbers, or ``None`` if that is the count."""
    per_point = header.per_point
    if found == header.points * per_point:
        return None
    return RawFileError(
        path,
        header.data_offset,
        f"expected {header.points} points x (index + {len(header.variables)} "
        f"{'complex' if header.is_complex else 'real'} values) = "
        f"{header.points * per_point} numbers after 'Values:', found {found}: "
        f"{found // per_point} complete point(s) (the file is truncated, or ngspice "
        "stopped before finishing it)",
    )


def ascii_index_error(path: str, header: PlotHeader) -> RawFileError:
    """The numbers that start the points of an ASCII section are not 0, 1, 2..."""
    expected = "expected point indices 0, 1, 2, ... at the start of each point"
    return RawFileError(path, header.data_offset, expected)


def short_read_error(path: str, header: PlotHeader, found: int) -> RawFileError:
    """The binary section held fewer doubles than its extent when read (the file shrank)."""
    return RawFileError(path, header.data_offset, f"expected {header.values} doubles, read {found}")


# -- header -------------------------------------------------------------------------------------
def _parse_header(path: str, view: mmap.mmap, size: int, start: int) -> PlotHeader:
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
            return _header(
                path, view, size, fields, variables, binary, (start, offset, next_offset), text
            )
        if key == "variables":
            count = _count(path, fields, "no. variables", offset, text, minimum=1)
            # ngspice writes the variable lines with the first point: a plot without points
            # (``.dc V1 1 0 1``) ends right after "Variables:".
            if (
                not value.strip()
                and _plot_ends(view, size, next_offset)
                and _count(path, fields, "no. points", offset, text, minimum=0) == 0
            ):
                return _header(
                    path, view, size, fields, (), True, (start, offset, next_offset), text
                )
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
    view: mmap.mmap,
    size: int,
    fields: dict[str, tuple[str, int, str]],
    variables: tuple[tuple[str, str], ...] | None,
    binary: bool,
    offsets: tuple[int, int, int],
    line: str,
) -> PlotHeader:
    """The header whose fields were read from ``start``; ``offset`` is its last line
    (``line``), ``data_offset`` the first byte after it."""
    start, offset, data_offset = offsets
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
    header = PlotHeader(
        title=title,
        plotname=fields["plotname"][0],
        is_complex="complex" in flags,
        points=points,
        variables=variables,
        binary=binary,
        start=start,
        data_offset=data_offset,
        data_end=data_offset,
    )
    if not variables:
        return header
    end = _binary_end(path, size, header) if binary else _ascii_end(path, view, size, header)
    return dataclasses.replace(header, data_end=end)


def _binary_end(path: str, size: int, header: PlotHeader) -> int:
    """The offset after a binary section, which must fit in the file."""
    row_bytes = DOUBLE_BYTES * (2 if header.is_complex else 1) * len(header.variables)
    needed = header.values * DOUBLE_BYTES
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
    return header.data_offset + needed


def _ascii_end(path: str, view: mmap.mmap, size: int, header: PlotHeader) -> int:
    """The offset after an ASCII section: where the next plot's header starts, or the end."""
    following = _NEXT_HEADER.search(view, header.data_offset)
    end = following.start() + 1 if following is not None else size
    if view[end - 1 : end] != b"\n" and view[header.data_offset : end].strip(_BLANK):
        expected = "expected the last value line to end in a newline (the file is truncated)"
        raise RawFileError(path, end, expected)
    return end


def _skip_blank(view: mmap.mmap, offset: int, size: int) -> int:
    """The offset of the first byte at or after ``offset`` that is not blank."""
    found = _BLANKS.match(view, offset, size)
    return found.end() if found is not None else offset
