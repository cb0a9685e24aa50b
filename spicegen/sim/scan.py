"""Read a deck and every file it includes the way ngspice 46 does; refuse what can run code.

ngspice runs commands or loads code from a netlist through a few routes, each found in its
source (``docs/security.md`` lists them with file and line): ``.control`` sections, ``*#``
control lines (and ``##`` lines, which its comment stripper turns into ``*#``), a first line or
``.title`` of ``*ng_script`` (the whole deck becomes a command script), and the XSPICE models
``d_cosim`` (``dlopen`` of any library) and ``d_process`` (``execv`` of any program). Included
files (any card starting with ``.inc`` or ``.lib``) are read recursively and checked the same
way; a file that cannot be read is refused, because ngspice might read something else there.

Two readings of a line are used. To *find routes* the check is generous: any line break Python
knows, any leading white space, ASCII case folded, so that every line start ngspice can see is
looked at. To *rewrite include paths* in the deck it is exact (ngspice's own tokenizers are
ported below), because the rewritten deck must mean what the user wrote.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spicegen.sim.errors import UnsafeNetlistError

MAX_INCLUDE_DEPTH = 16
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_C_SPACE = " \t\n\v\f\r"  # C isspace() in the "C" locale
_ANALYSES = frozenset(
    (".op", ".dc", ".ac", ".tran", ".tf", ".noise", ".sens", ".pz", ".disto", ".pss", ".sp")
)
_CODE_MODELS = ("d_cosim", "d_process")
_ALLOW = "spicegen refuses it unless allow_control=True (CLI: --allow-control)"


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as ngspice's ``tolower_c`` does."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True, slots=True)
class Scan:
    """What reading a deck found.

    ``lines`` are the deck's lines with include paths made absolute; ``control`` is true when
    the deck (or a file it includes) runs ngspice commands, which only ``allow_control`` lets
    through; ``analyses`` are analysis cards of the deck and its ``.include`` files; ``files``
    are the files read, in order.
    """

    lines: tuple[str, ...]
    control: bool
    analyses: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(slots=True)
class _Reader:
    """The state of one scan: where relative paths may resolve, and what was read."""

    base: Path
    allow_control: bool
    lt_ps: bool  # ngbehavior has lt or ps: ngspice reads ".lib file" as ".include file"
    environ: Mapping[str, str]
    control: bool = False
    analyses: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)
    reading: list[Path] = field(default_factory=list)


def scan_lines(
    lines: Sequence[str],
    base: Path,
    *,
    allow_control: bool,
    compatibility: str = "",
    environ: Mapping[str, str] | None = None,
) -> Scan:
    """Check the deck ``lines`` (leading blanks and CRs already removed) and its includes.

    Relative include paths are taken from ``base``; ``compatibility`` is the ``ngbehavior``
    value the deck runs under. Raises ``UnsafeNetlistError`` naming the file and line.
    """
    reader = _Reader(
        base=base,
        allow_control=allow_control,
        lt_ps=_lt_ps(compatibility),
        environ=os.environ if environ is None else environ,
        directories=[base],
    )
    out = list(lines)
    for index, line in enumerate(lines):
        where = f"line {index + 1} of the netlist"
        _check_routes(reader, line, where)
        rewritten = _follow(reader, line, base, 0, where, main=True)
        if rewritten is not None:
            out[index] = rewritten
        elif index > 0:
            _note_analysis(reader, line)
    return Scan(
        lines=tuple(out),
        control=reader.control,
        analyses=tuple(reader.analyses),
        files=tuple(reader.files),
    )


def scan_include_paths(
    paths: Sequence[str],
    base: Path,
    *,
    allow_control: bool,
    compatibility: str = "",
    environ: Mapping[str, str] | None = None,
) -> tuple[tuple[str, ...], Scan]:
    """A Circuit's ``includes`` made absolute against ``base``, and the scan of those files."""
    reader = _Reader(
        base=base,
        allow_control=allow_control,
        lt_ps=_lt_ps(compatibility),
        environ=os.environ if environ is None else environ,
        directories=[base],
    )
    absolute = []
    for number, path in enumerate(paths):
        where = f"Circuit.includes[{number}]"
        found = _resolve(reader, path, base, main=True, where=where)
        _read_all(reader, found, path, 0, where, library=False, required=True)
        absolute.append(str(found[0]))
    return tuple(absolute), Scan((), reader.control, tuple(reader.analyses), tuple(reader.files))


def check_route(line: str, where: str, *, allow_control: bool) -> bool:
    """Refuse ``line`` if it opens a route to commands or code; return whether it does."""
    reader = _Reader(Path("."), allow_control, False, {})
    _check_routes(reader, line, where)
    return reader.control


def check_model_kind(kind: str, where: str, *, allow_control: bool) -> bool:
    """Refuse an XSPICE model kind that loads or runs a program; return whether it does."""
    if ascii_lower(kind) in _CODE_MODELS:
        return _refuse(
            _Reader(Path("."), allow_control, False, {}),
            f"{where} is an XSPICE {kind} model, which loads a shared library or starts a "
            f"program named in its parameters; {_ALLOW}",
        )
    return False


# -- routes ---------------------------------------------------------------------------------
def _check_routes(reader: _Reader, line: str, where: str) -> None:
    """Look at every piece of ``line`` that ngspice might see as a line start."""
    for piece in line.replace("\r", "").splitlines() or [""]:
        low = ascii_lower(piece.lstrip())
        if low.startswith("#"):  # inp_stripcomments_line: a leading '#' becomes '*'
            low = "*" + low[1:]
        if low.startswith((".control", ".endc")):
            _refuse(reader, f"{where} opens a .control section (ngspice commands); {_ALLOW}")
        elif low.startswith("*#"):
            _refuse(reader, f"{where} is a '*#' control line (an ngspice command); {_ALLOW}")
        elif low.startswith("*ng_script") or (low.startswith(".title") and "*ng_script" in low):
            _refuse(reader, f"{where} makes the deck an ngspice command script; {_ALLOW}")
        elif not low.startswith("*"):
            for kind in _CODE_MODELS:
                if kind in low:
                    _refuse(
                        reader,
                        f"{where} names the XSPICE {kind} model, which loads a shared "
                        f"library or starts a program named in its parameters; {_ALLOW}",
                    )


def _refuse(reader: _Reader, message: str) -> bool:
    if not reader.allow_control:
        raise UnsafeNetlistError(message)
    reader.control = True
    return True


def _note_analysis(reader: _Reader, line: str) -> None:
    token = ascii_lower(line.split(None, 1)[0]) if line.strip() else ""
    if token in _ANALYSES:
        reader.analyses.append(line.strip())


# -- includes -------------------------------------------------------------------------------
def _follow(
    reader: _Reader,
    line: str,
    directory: Path,
    depth: int,
    where: str,
    *,
    main: bool,
) -> str | None:
    """Read what an include card names; for the deck itself return the card rewritten with
    an absolute path (None when ``line`` is no include, or needs no rewriting)."""
    low = ascii_lower(line)
    if not low.startswith((".inc", ".lib")):
        return None
    is_lib = low.startswith(".lib")
    if not is_lib or reader.lt_ps:
        # inpcom.c inp_read: in lt/ps mode ".lib" is replaced by ".inc" and read at once
        card = ".inc" + line[4:] if is_lib else line
        path = include_path(card, ps=reader.lt_ps)
        if path is None:
            return None  # ngspice stops with "filename missing"; nothing is read
        found = _resolve(reader, path, directory, main=main, where=where)
        _read_all(reader, found, path, depth, where, library=False, required=True)
        if main:
            return _rewrite(card.split(None, 1)[0], found[0], where)
        if not is_lib:
            return None
    reference = library_reference(line)
    if reference is not None:
        # expand_section_references: ".lib file section" pulls the section out of the file
        path, section = reference
        found = _resolve(reader, path, directory, main=main, where=where)
        _read_all(reader, found, path, depth, where, library=True, required=True)
        if main:
            return _rewrite(line.split(None, 1)[0], found[0], where, section=section)
    elif not main:
        # ".lib name" defines a section, but in a file read under .incpslt (PSpice/LTspice
        # mode) it includes "name": read it too when it exists
        path = include_path(".inc" + line[4:])
        if path is not None:
            found = _resolve(reader, path, directory, main=False, where=where)
            _read_all(reader, found, path, depth, where, library=False, required=False)
    return None


def _read_all(
    reader: _Reader,
    found: list[Path],
    written: str,
    depth: int,
    where: str,
    *,
    library: bool,
    required: bool,
) -> None:
    existing = [path for path in found if path.exists()]
    if not existing and required and not reader.allow_control:
        raise UnsafeNetlistError(f"{where} includes {written!r}, which does not exist")
    for path in existing:
        _read(reader, path, depth + 1, where, library=library)


def _resolve(reader: _Reader, path: str, directory: Path, *, main: bool, where: str) -> list[Path]:
    """The files ngspice may open for ``path``: one for the deck itself (whose paths spicegen
    makes absolute), every existing candidate for a file read from another file."""
    expanded = _expand(reader, path, where)
    if "\0" in expanded:
        raise UnsafeNetlistError(f"{where} includes a path with a NUL character")
    candidate = Path(expanded)
    if candidate.is_absolute():
        return [candidate]
    if main:
        return [directory / candidate]
    # inpcom.c inp_pathresolve_at: the current directory (spicegen's private one) first, then
    # the including file's directory; a failed lookup retries the last include's directory,
    # and .lib references are taken from the deck's directory: try every directory seen.
    found = []
    for folder in dict.fromkeys([directory, *reader.directories]):
        if (folder / candidate).exists():
            found.append(folder / candidate)
    return found or [directory / candidate]


def _expand(reader: _Reader, path: str, where: str) -> str:
    """``~/`` and leading ``$VAR`` components, as inp_pathresolve_at expands them."""
    if path.startswith("~/"):
        return os.path.expanduser(path)
    if not path.startswith("$"):
        return path
    parts = path.replace("\\", "/").split("/")
    expanded = []
    for position, part in enumerate(parts):
        if position < 2 and part.startswith("$"):
            value = reader.environ.get(part[1:])
            if value is None:
                raise UnsafeNetlistError(
                    f"{where} includes {path!r}, but the environment variable {part[1:]!r} "
                    "is not set"
                )
            expanded.append(value)
        else:
            expanded.append(part)
    return "/".join(expanded)


def _read(reader: _Reader, path: Path, depth: int, where: str, *, library: bool) -> None:
    """Check one included file and, recursively, what it includes."""
    if depth > MAX_INCLUDE_DEPTH:
        raise UnsafeNetlistError(
            f"{where}: includes nested deeper than {MAX_INCLUDE_DEPTH} levels ({path})"
        )
    real = path.resolve()
    if library and (real in reader.reading or str(real) in reader.files):
        return  # ngspice reads a library file once and takes every section from that copy
    if real in reader.reading:
        raise UnsafeNetlistError(
            f"{where} includes {str(path)!r}, which includes itself (ngspice would not stop)"
        )
    if str(real) in reader.files:
        return  # read and checked already
    if not real.is_file():
        raise UnsafeNetlistError(f"{where} includes {str(path)!r}, which is not a regular file")
    try:
        data = real.read_bytes()
    except OSError as err:
        raise UnsafeNetlistError(
            f"{where} includes {str(path)!r}, which cannot be read ({err.strerror})"
        ) from None
    reader.files.append(str(real))
    if real.parent not in reader.directories:
        reader.directories.append(real.parent)
    # latin-1 maps every byte to one character, so no byte can hide a line start
    text = data.decode("latin-1")
    reader.reading.append(real)
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "").lstrip(" \t")  # inpcom.c readline()
        inside = f"line {number} of {path}"
        _check_routes(reader, raw, inside)
        _follow(reader, line, real.parent, depth, inside, main=False)
        if not library:
            _note_analysis(reader, line)
    reader.reading.pop()


def _rewrite(head: str, path: Path, where: str, *, section: str | None = None) -> str:
    """An include card with an absolute path that ngspice's tokenizer reads back unchanged."""
    text = str(path)
    if section is not None:
        if any(ch in text for ch in _C_SPACE + "\"'"):
            raise UnsafeNetlistError(
                f"{where}: ngspice cannot take the library path {text!r} (blank or quote)"
            )
        return f'{head} "{text}" {section}'
    if "\n" in text or ('"' in text and "'" in text):
        raise UnsafeNetlistError(f"{where}: ngspice cannot take the include path {text!r}")
    quote = "'" if '"' in text else '"'
    return f"{head} {quote}{text}{quote}"


# -- ngspice's tokenizers (src/frontend/inpcom.c, ngspice 46) ---------------------------------
def include_path(line: str, *, ps: bool = False) -> str | None:
    """The file an ``.include`` card names: inp_stripcomments_line(inc=TRUE), then
    get_quoted_token after the first token; None when ngspice finds no name."""
    stripped = strip_comment(line, include=True, ps=ps)
    rest = _skip_non_space(stripped, 0)
    start = _skip_space(stripped, rest)
    if start >= len(stripped):
        return None
    if stripped[start] in "\"'":
        end = stripped.find(stripped[start], start + 1)
        return None if end < 0 else stripped[start + 1 : end]
    end = _skip_non_space(stripped, start)
    return stripped[start:end]


def library_reference(line: str, *, ps: bool = False) -> tuple[str, str] | None:
    """(file, section) of a ``.lib file section`` card (expand_section_ref), or None for a
    section definition ``.lib name``."""
    stripped = strip_comment(line, include=False, ps=ps)
    position = _skip_non_space(stripped, 0)
    position = _skip(stripped, position, _C_SPACE + "\"'")
    end = position
    while end < len(stripped) and stripped[end] not in _C_SPACE + "\"'":
        end += 1
    name = stripped[position:end]
    section_start = _skip(stripped, end, _C_SPACE + "\"'")
    if section_start >= len(stripped) or not name:
        return None
    section_end = section_start
    while section_end < len(stripped) and stripped[section_end] not in _C_SPACE + "\"'":
        section_end += 1
    return name, stripped[section_start:section_end]


def strip_comment(line: str, *, include: bool, ps: bool = False) -> str:
    """A port of inp_stripcomments_line (outside .control): end-of-line ``;``, `` $`` and
    ``//`` comments removed, trailing blanks trimmed, a comment-only line made ``*``."""
    if not line or line[0] == "*":
        return line
    if line[0] == "#":
        return "*" + line[1:]
    d = 0
    if include:
        d = _skip_space(line, _skip_non_space(line, 0))
        if d < len(line) and line[d] == "$":
            d = _skip_space(line, _skip_non_space(line, d))
    n = len(line)
    while d < n:
        c = line[d]
        d += 1
        if c in "\"'":
            while d < n and (line[d] != c or line[d - 1] == "\\"):
                d += 1
            if d < n:
                d += 1
            continue
        following = line[d] if d < n else ""
        if following == ";":
            break
        if c == "$" and not ps:
            if d - 2 >= 0 and line[d - 2] in " ,\t":
                d -= 1
                break
        elif c == "/" and following == "/":
            d -= 1
            break
    if d == 0:
        return "*" + line[1:]
    end = d - 1
    while end >= 0 and line[end] in " \t":
        end -= 1
    end += 1
    if end <= 0:
        return "*" + line[1:]
    return line[:end]


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position


def _skip_space(text: str, position: int) -> int:
    return _skip(text, position, _C_SPACE)


def _skip_non_space(text: str, position: int) -> int:
    while position < len(text) and text[position] not in _C_SPACE:
        position += 1
    return position


def _lt_ps(compatibility: str) -> bool:
    """inpcompat.c set_compat_mode: substrings of ngbehavior pick the modes."""
    low = ascii_lower(compatibility)
    if "mc" in low or "spe" in low:
        return False
    return "lt" in low or "ps" in low
