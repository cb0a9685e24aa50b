"""Verilog-A preprocessor: `include, `define and conditionals, with a map back to the sources.

Follows the Verilog-AMS LRM (IEEE 1364 clause 19) for the directives compact models use.
The output keeps one output line per source line wherever it can: a directive is replaced by
nothing, the lines it spans stay as empty lines, and an included file is spliced in on lines of
its own. Every output character remembers where it came from, so later stages can report
``file:line:col`` in the user's original source through :meth:`Preprocessed.locate`.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from spicegen.va.diagnostics import Diagnostic, Location, VaError

__all__ = [
    "MAX_EXPANSION_DEPTH",
    "MAX_INCLUDE_DEPTH",
    "PACKAGE_INCLUDE_DIR",
    "Preprocessed",
    "preprocess",
]

PACKAGE_INCLUDE_DIR = Path(__file__).resolve().parent / "include"
"""Where the shipped ``disciplines.vams`` and ``constants.vams`` live; searched last."""
# the names other tools give the standard files (Cadence's `constants.h`, `disciplines.h`)
_STANDARD_NAMES = {
    "constants.h": "constants.vams",
    "disciplines.h": "disciplines.vams",
    "constants.va": "constants.vams",
    "disciplines.va": "disciplines.vams",
}
MAX_INCLUDE_DEPTH = 32
MAX_EXPANSION_DEPTH = 64
# An exponential macro (each level using the previous one twice) must end in a diagnostic,
# not in memory exhaustion; real models expand to a few kilobytes.
_MAX_EXPANDED_CHARS = 2_000_000

# (output column from 0, file, line, column, advancing): the text from that output column on
# came from file:line:column; "advancing" text is copied source, so columns advance with it,
# while a macro expansion maps every one of its characters to the macro use.
_Segment = tuple[int, str, int, int, bool]
_Where = tuple[str, int, int]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PLAIN = re.compile(r'[^`"/\n]+')
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?')
_BLANKS = re.compile(r"[ \t]*")
_REST_OF_LINE = re.compile(r"(?:[^\n/]|/(?![/*]))*")  # up to a comment or the newline
_DEFINE_CHUNK = re.compile(r'[^\\\n/"]+')
_ARGUMENT_CHUNK = re.compile(r'[^"/\n()\[\]{},]+')
# Strings, macro uses, system names and numbers are skipped so that a formal argument named
# ``e`` does not replace the exponent of ``1e3``; only whole identifiers are substituted.
_BODY_TOKEN = re.compile(
    r'(?P<skip>"(?:[^"\\\n]|\\.)*"?|`[A-Za-z_][A-Za-z0-9_$]*|\$[A-Za-z0-9_$]*'
    r"|[0-9][A-Za-z0-9_$.']*)|(?P<name>[A-Za-z_][A-Za-z0-9_$]*)"
)

_BLANK_RUN = re.compile(r'("(?:[^"\\\n]|\\.)*"?)|[ \t]+')

_CONDITIONALS = frozenset({"ifdef", "ifndef", "elsif", "else", "endif"})
# Accepted and dropped: the compiler has one discipline (electrical, declared explicitly),
# no time unit (ngspice works in seconds) and no directive state for `resetall to reset.
_DROPPED = frozenset({"default_discipline", "timescale", "resetall"})
_UNSUPPORTED = frozenset(
    {
        "celldefine",
        "endcelldefine",
        "default_nettype",
        "default_transition",
        "unconnected_drive",
        "nounconnected_drive",
        "line",
        "pragma",
        "begin_keywords",
        "end_keywords",
        "undefineall",
        "__FILE__",
        "__LINE__",
    }
)
_SUPPORTED = _CONDITIONALS | _DROPPED | {"define", "undef", "include"}
_DIRECTIVES = _SUPPORTED | _UNSUPPORTED
_PREDEFINED = {"__VAMS_ENABLE__": "1"}  # the LRM's mark of a Verilog-AMS tool


@dataclass(frozen=True, slots=True)
class Preprocessed:
    """Expanded Verilog-A text and the map from each of its lines back to the original files."""

    text: str
    """Expanded source; directives removed, the lines they spanned left empty."""
    line_origins: tuple[tuple[str, int], ...]
    """For each line of ``text`` (index 0 is line 1): (original file, original line)."""
    sources: tuple[tuple[str, tuple[str, ...]], ...]
    """(file, its original lines) for every file read, for caret display."""
    segments: tuple[tuple[_Segment, ...], ...] = field(default=(), repr=False)
    """For each line of ``text``: where each stretch of it came from (see ``locate``)."""

    def locate(self, line: int, column: int) -> Location:
        """Map a 1-based (line, column) of ``text`` to the original file, line and column.

        Exact for copied source text, even after a macro use on the same line; a position inside
        a macro expansion maps to the macro use, a position past the end to the last line.
        """
        if not self.line_origins:
            file = self.sources[0][0] if self.sources else "<string>"
            return Location(file, 1, max(1, column))
        if line > len(self.line_origins):
            file, original = self.line_origins[-1]
            return Location(file, original, len(self._lookup(file, original)) + 1)
        index = max(1, line) - 1
        file, original = self.line_origins[index]
        offset = max(1, column) - 1
        chosen: _Segment | None = None
        for segment in self.segments[index] if index < len(self.segments) else ():
            if segment[0] > offset:
                break
            chosen = segment
        if chosen is None:
            return Location(file, original, offset + 1)
        start, file, original, first_column, advancing = chosen
        return Location(file, original, first_column + (offset - start if advancing else 0))

    def source_line(self, location: Location) -> str:
        """The original line at ``location`` ("" when the file or line is unknown)."""
        return self._lookup(location.file, location.line)

    def diagnostic(self, line: int, column: int, message: str) -> Diagnostic:
        """A diagnostic at a 1-based (line, column) of ``text``, located in the original source."""
        location = self.locate(line, column)
        return Diagnostic(location, message, self.source_line(location))

    def _lookup(self, file: str, line: int) -> str:
        for name, lines in self.sources:
            if name == file:
                return lines[line - 1] if 1 <= line <= len(lines) else ""
        return ""


def preprocess(
    source: str | os.PathLike[str],
    *,
    filename: str | None = None,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    defines: Mapping[str, str] | None = None,
) -> Preprocessed:
    """Expand the directives and macros of a Verilog-A source.

    ``source`` is a path (a ``PathLike``, or a str without a newline naming an existing file) or
    the Verilog-A text itself. ``filename`` names the source in diagnostics (default: the path,
    or ``"<string>"`` for text). ```include "f"`` looks next to the including file (for text: next
    to ``filename`` if given), then in ``include_dirs``, then in :data:`PACKAGE_INCLUDE_DIR`.
    ``defines`` adds object-like macros as a command line's ``-DNAME=body`` would.
    Raises :class:`VaError` carrying every independent error found.
    """
    path = _as_path(source)
    directory: Path | None
    if path is not None:
        name = filename or os.fspath(source)
        try:
            text = _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise VaError(
                [Diagnostic(Location(name, 1, 1), f"cannot read {name}: {reason}")]
            ) from None
        directory = path.parent
    else:
        text = _normalise(str(source))
        name = filename or "<string>"
        directory = Path(filename).parent if filename else None

    state = _Preprocessor(tuple(Path(d) for d in include_dirs))
    state.define_initial(defines or {})
    state.run_file(name, text, directory)
    if state.diagnostics:
        raise VaError(state.diagnostics)
    text_out, origins, segments = state.out.finish()
    return Preprocessed(text_out, origins, tuple(state.sources.items()), segments)


def _as_path(source: str | os.PathLike[str]) -> Path | None:
    if isinstance(source, os.PathLike):
        return Path(source)
    if "\n" in source or not source:
        return None
    try:
        return Path(source) if os.path.isfile(source) else None
    except (OSError, ValueError):
        return None


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a match of ``pattern`` at ``pos`` ends; for patterns that match at least ""."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _read(path: Path) -> str:
    return _normalise(path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class _Macro:
    name: str
    params: tuple[str, ...] | None  # None for an object-like macro
    body: str


@dataclass(frozen=True, slots=True)
class _Condition:
    """One open `ifdef/`ifndef: whether the enclosing text is live, a branch was taken, ..."""

    directive: str
    where: _Where
    parent_active: bool
    taken: bool
    active: bool
    seen_else: bool = False


@dataclass(frozen=True, slots=True)
class _Text:
    """Text being scanned: a file (positions map to its lines) or a macro expansion (``site``)."""

    text: str
    file: str
    line_starts: tuple[int, ...] = ()
    directory: Path | None = None
    site: _Where | None = None

    def where(self, pos: int) -> _Where:
        if self.site is not None:
            return self.site
        index = bisect.bisect_right(self.line_starts, pos) - 1
        return (self.file, index + 1, pos - self.line_starts[index] + 1)


class _Output:
    """The expanded text under construction, line by line, with each line's origin."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[tuple[str, int]] = []
        self.segments: list[tuple[_Segment, ...]] = []
        self._parts: list[str] = []
        self._segments: list[_Segment] = []
        self._length = 0

    def write(self, text: str, where: _Where, advancing: bool) -> None:
        if text:
            self._segments.append((self._length, where[0], where[1], where[2], advancing))
            self._parts.append(text)
            self._length += len(text)

    def newline(self, where: _Where) -> None:
        first = self._segments[0] if self._segments else None
        self.origins.append((first[1], first[2]) if first else (where[0], where[1]))
        self.lines.append("".join(self._parts))
        self.segments.append(tuple(self._segments))
        self._parts, self._segments, self._length = [], [], 0

    def is_open(self) -> bool:
        return self._length > 0

    def start_line(self, where: _Where) -> None:
        """Begin a fresh line: drop pending indentation, or end a line that has text on it."""
        if "".join(self._parts).strip():
            self.newline(where)
        else:
            self._parts, self._segments, self._length = [], [], 0

    def finish(
        self,
    ) -> tuple[str, tuple[tuple[str, int], ...], tuple[tuple[_Segment, ...], ...]]:
        terminated = not self._length
        if not terminated:
            self.newline(("<string>", 1, 1))  # origin comes from the line's own text
        text = "\n".join(self.lines) + ("\n" if self.lines and terminated else "")
        return text, tuple(self.origins), tuple(self.segments)


class _Preprocessor:
    """The mutable state of one preprocessor run; private to :func:`preprocess`."""

    def __init__(self, include_dirs: tuple[Path, ...]) -> None:
        self.include_dirs = include_dirs
        self.macros: dict[str, _Macro] = {}
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, tuple[str, ...]] = {}
        self.out = _Output()
        self.conditions: list[list[_Condition]] = []
        self.include_depth = 0
        self.include_overflow = False
        self.expanded_chars = 0
        self.expansion_overflow = False

    def error(self, where: _Where, message: str) -> None:
        file, line, column = where
        lines = self.sources.get(file, ())
        source_line = lines[line - 1] if 1 <= line <= len(lines) else ""
        self.diagnostics.append(Diagnostic(Location(file, line, column), message, source_line))

    def define_initial(self, defines: Mapping[str, str]) -> None:
        for name, body in _PREDEFINED.items():
            self.macros[name] = _Macro(name, None, body)
        for name, body in defines.items():
            if not isinstance(name, str) or not _IDENT.fullmatch(name) or name in _DIRECTIVES:
                where = ("<command line>", 1, 1)
                self.error(where, f"bad macro name {name!r} in defines (expected an identifier)")
                continue
            self.macros[name] = _Macro(name, None, " ".join(str(body).split()))

    def active(self) -> bool:
        stack = self.conditions[-1]
        return stack[-1].active if stack else True

    def run_file(self, name: str, text: str, directory: Path | None) -> None:
        self.sources.setdefault(name, tuple(text.split("\n")))
        starts = (0, *(m.end() for m in re.finditer("\n", text)))
        self.conditions.append([])
        self.scan(_Text(text, name, starts, directory), ())
        for open_condition in self.conditions.pop():
            self.error(
                open_condition.where, f"`{open_condition.directive} without a matching `endif"
            )

    def copy(self, src: _Text, start: int, end: int) -> None:
        """Copy source text to the output (only its newlines when in a skipped branch)."""
        active = self.active()
        text = src.text
        while start < end:
            newline = text.find("\n", start, end)
            stop = end if newline < 0 else newline
            if active and stop > start:
                self.out.write(text[start:stop], src.where(start), src.site is None)
            if newline < 0:
                return
            self.out.newline(src.where(newline))
            start = newline + 1

    def newlines(self, src: _Text, positions: Sequence[int]) -> None:
        for position in positions:
            self.out.newline(src.where(position))

    def scan(self, src: _Text, chain: tuple[str, ...]) -> None:
        text = src.text
        size = len(text)
        pos = 0
        while pos < size:
            char = text[pos]
            if char == "`":
                pos = self.directive(src, pos, chain)
                continue
            if char == '"':
                end = _end(_STRING, text, pos)
            elif text.startswith("//", pos):
                end = text.find("\n", pos)
                end = size if end < 0 else end
            elif text.startswith("/*", pos):
                close = text.find("*/", pos + 2)
                if close < 0:
                    self.error(src.where(pos), "unterminated block comment (no closing */)")
                end = size if close < 0 else close + 2
            else:
                match = _PLAIN.match(text, pos)
                end = match.end() if match else pos + 1
            self.copy(src, pos, end)
            pos = end

    def directive(self, src: _Text, pos: int, chain: tuple[str, ...]) -> int:
        """Handle the directive or macro use at the backtick at ``pos``; return where to go on."""
        text = src.text
        where = src.where(pos)
        match = _IDENT.match(text, pos + 1)
        if match is None:
            if self.active():
                self.error(where, "stray '`' (expected a directive or a macro name after it)")
            return pos + 1
        name, after = match.group(), match.end()
        if src.site is not None and name in _SUPPORTED:
            self.error(where, f"`{name} inside a macro body is not supported")
            return after
        if name in _CONDITIONALS:
            return self.conditional(src, pos, name, after)
        if name == "define":
            return self.define(src, pos, after)
        if not self.active():
            return after
        if name == "undef":
            return self.undef(src, pos, after)
        if name == "include":
            return self.include(src, pos, after)
        if name in _DROPPED:
            return after if name == "resetall" else _end(_REST_OF_LINE, text, after)
        if name in self.macros:
            return self.expand(src, pos, name, after, chain)
        if name in _UNSUPPORTED:
            self.error(where, f"unsupported compiler directive `{name}")
        else:
            known = [*self.macros, *sorted(_SUPPORTED)]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f"; did you mean `{close[0]}?" if close else ""
            self.error(where, f"undefined macro or unknown directive `{name}{hint}")
        return after

    def read_name(self, src: _Text, after: int, directive: str) -> tuple[str | None, int]:
        blank = _end(_BLANKS, src.text, after)
        match = _IDENT.match(src.text, blank)
        if match is None:
            self.error(src.where(blank), f"expected a macro name after `{directive}")
            return None, after
        return match.group(), match.end()

    def conditional(self, src: _Text, pos: int, name: str, after: int) -> int:
        stack = self.conditions[-1]
        where = src.where(pos)
        defined = False
        if name in ("ifdef", "ifndef", "elsif"):
            macro, after = self.read_name(src, after, name)
            defined = macro is not None and macro in self.macros
        if name in ("ifdef", "ifndef"):
            parent = self.active()
            truth = defined if name == "ifdef" else not defined
            stack.append(_Condition(name, where, parent, truth, parent and truth))
        elif not stack:
            self.error(where, f"`{name} without a matching `ifdef or `ifndef")
        elif name == "elsif":
            top = stack[-1]
            if top.seen_else:
                self.error(where, "`elsif after `else")
            live = top.parent_active and not top.taken and defined
            stack[-1] = replace(top, taken=top.taken or defined, active=live)
        elif name == "else":
            top = stack[-1]
            if top.seen_else:
                self.error(where, f"second `else for the `{top.directive} at line {top.where[1]}")
            live = top.parent_active and not top.taken
            stack[-1] = replace(top, taken=True, active=live, seen_else=True)
        else:
            stack.pop()
        return after

    def define(self, src: _Text, pos: int, after: int) -> int:
        header, end, newlines, open_comment = _logical_line(src.text, after)
        if open_comment is not None:
            self.error(src.where(open_comment), "unterminated block comment (no closing */)")
        if self.active():
            self.add_macro(header, src.where(pos))
        self.newlines(src, newlines)
        return end

    def add_macro(self, header: str, where: _Where) -> None:
        match = re.match(r"[ \t]*([A-Za-z_][A-Za-z0-9_$]*)", header)
        if match is None:
            self.error(where, "expected a macro name after `define")
            return
        name, rest = match.group(1), header[match.end() :]
        if name in _DIRECTIVES:
            self.error(where, f"cannot define a macro named `{name}: it is a compiler directive")
            return
        params: tuple[str, ...] | None = None
        if rest.startswith("("):  # no blank before "(": a function-like macro
            close = rest.find(")")
            if close < 0:
                self.error(where, f"unterminated parameter list in the definition of `{name}")
                return
            inner = rest[1:close]
            params = tuple(p.strip() for p in inner.split(",")) if inner.strip() else ()
            bad = [p for p in params if not _IDENT.fullmatch(p)]
            if bad:
                self.error(
                    where,
                    f"bad parameter {bad[0]!r} in the definition of `{name} "
                    "(expected identifiers separated by commas)",
                )
                return
            if len(set(params)) != len(params):
                self.error(where, f"repeated parameter name in the definition of `{name}")
                return
            rest = rest[close + 1 :]
        self.macros[name] = _Macro(name, params, _collapse_blanks(rest))

    def undef(self, src: _Text, pos: int, after: int) -> int:
        name, end = self.read_name(src, after, "undef")
        if name is not None:
            self.macros.pop(name, None)
        return end

    def include(self, src: _Text, pos: int, after: int) -> int:
        text = src.text
        blank = _end(_BLANKS, text, after)
        if not text.startswith('"', blank):
            self.error(
                src.where(blank),
                'expected a quoted file name after `include, as in `include "disciplines.vams"',
            )
            return blank
        end = _end(_STRING, text, blank)
        literal = text[blank:end]
        if len(literal) < 2 or not literal.endswith('"'):
            self.error(src.where(blank), "unterminated file name after `include")
            return end
        name = literal[1:-1]
        if self.include_overflow:  # already reported; going on would be exponential
            return end
        if self.include_depth >= MAX_INCLUDE_DEPTH:
            message = (
                f"`include nested more than {MAX_INCLUDE_DEPTH} deep "
                f'(does "{name}" include itself?)'
            )
            self.error(src.where(pos), message)
            self.include_overflow = True
            return end
        path, searched = self.find_include(name, src.directory)
        if path is None:
            self.error(
                src.where(blank),
                f'cannot find include file "{name}" (searched: {", ".join(searched)})',
            )
            return end
        try:
            content = _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            self.error(src.where(blank), f'cannot read include file "{path}": {exc}')
            return end
        self.out.start_line(src.where(pos))
        self.include_depth += 1
        self.run_file(str(path), content, path.parent)
        self.include_depth -= 1
        if self.out.is_open():  # the included file's last line had no newline
            self.out.newline((str(path), content.count("\n") + 1, 1))
        return end

    def find_include(self, name: str, directory: Path | None) -> tuple[Path | None, list[str]]:
        if not name:
            return None, []
        if Path(name).is_absolute():
            return (Path(name) if _is_file(Path(name)) else None), [name]
        searched: list[str] = []
        for folder in (*((directory,) if directory else ()), *self.include_dirs):
            if _is_file(folder / name):
                return folder / name, searched
            searched.append(str(folder) or ".")
        shipped = _STANDARD_NAMES.get(name.lower(), name)
        if _is_file(PACKAGE_INCLUDE_DIR / shipped):
            return PACKAGE_INCLUDE_DIR / shipped, searched
        searched.append(str(PACKAGE_INCLUDE_DIR))
        return None, searched

    def expand(self, src: _Text, pos: int, name: str, after: int, chain: tuple[str, ...]) -> int:
        macro = self.macros[name]
        where = src.where(pos)
        if name in chain:
            path = " -> ".join(f"`{n}" for n in (*chain, name))
            self.error(where, f"macro `{name} expands to itself ({path})")
            return after
        if len(chain) >= MAX_EXPANSION_DEPTH:
            self.error(where, f"macro expansion nested more than {MAX_EXPANSION_DEPTH} deep")
            return after
        newlines: tuple[int, ...] = ()
        end, body = after, macro.body
        if macro.params is not None:
            usage = f"`{name}({', '.join(macro.params)})"
            opening = _end(_BLANKS, src.text, after)
            if not src.text.startswith("(", opening):
                self.error(where, f"macro `{name} needs an argument list, as in {usage}")
                return after
            parsed = _arguments(src.text, opening)
            if parsed is None:
                self.error(where, f"unterminated argument list for macro `{name} (no closing ')')")
                return after
            args, end, newlines = parsed
            if not macro.params and len(args) == 1 and not args[0].strip():
                args = ()
            if len(args) != len(macro.params):
                count = len(macro.params)
                self.error(
                    where,
                    f"macro `{name} takes {count} argument{'s' * (count != 1)} "
                    f"but is given {len(args)}: {usage}",
                )
                self.newlines(src, newlines)
                return end
            body = _substitute(body, dict(zip(macro.params, args, strict=True)))
        # Each expansion costs its length plus a fixed amount, so that many empty expansions
        # count too; past the budget, report once and expand nothing more.
        self.expanded_chars += len(body) + 16
        if self.expanded_chars <= _MAX_EXPANDED_CHARS:
            self.scan(_Text(body, where[0], site=where), (*chain, name))
        elif not self.expansion_overflow:
            self.error(where, f"macro expansion of `{name} grows too large (exponential macro?)")
            self.expansion_overflow = True
        self.newlines(src, newlines)
        return end


def _logical_line(text: str, pos: int) -> tuple[str, int, tuple[int, ...], int | None]:
    """Read a `define from ``pos`` to the end of its line, following backslash continuations.

    Returns (text with comments dropped and continuations turned into blanks, position of the
    ending newline, positions of the newlines swallowed, position of an unterminated ``/*``).
    """
    parts: list[str] = []
    newlines: list[int] = []
    size = len(text)
    while pos < size:
        char = text[pos]
        if char == "\n":
            break
        if char == "\\" and text.startswith("\n", pos + 1):
            parts.append(" ")
            newlines.append(pos + 1)
            pos += 2
        elif char == '"':
            end = _end(_STRING, text, pos)
            parts.append(text[pos:end])
            pos = end
        elif text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = size if end < 0 else end
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close < 0:
                newlines.extend(i for i in range(pos, size) if text[i] == "\n")
                return "".join(parts), size, tuple(newlines), pos
            newlines.extend(i for i in range(pos, close) if text[i] == "\n")
            parts.append(" ")
            pos = close + 2
        else:
            match = _DEFINE_CHUNK.match(text, pos)
            end = match.end() if match else pos + 1
            parts.append(text[pos:end])
            pos = end
    return "".join(parts), pos, tuple(newlines), None


def _arguments(text: str, opening: int) -> tuple[tuple[str, ...], int, tuple[int, ...]] | None:
    """Split the argument list whose "(" is at ``opening``; None when it never closes.

    Commas split only outside nested brackets and strings; comments become blanks and newlines
    inside the list are returned so the caller can keep the line count.
    """
    args: list[str] = []
    current: list[str] = []
    newlines: list[int] = []
    depth = 0
    pos = opening + 1
    size = len(text)
    while pos < size:
        char = text[pos]
        end = pos + 1
        if char == '"':
            end = _end(_STRING, text, pos)
            current.append(text[pos:end])
        elif text.startswith("//", pos):
            found = text.find("\n", pos)
            end = size if found < 0 else found
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close < 0:
                return None
            newlines.extend(i for i in range(pos, close) if text[i] == "\n")
            current.append(" ")
            end = close + 2
        elif char == "\n":
            newlines.append(pos)
            current.append(" ")
        elif char in "([{":
            depth += 1
            current.append(char)
        elif char in ")]}":
            if depth == 0 and char == ")":
                args.append("".join(current).strip())
                return tuple(args), pos + 1, tuple(newlines)
            depth = max(0, depth - 1)
            current.append(char)
        elif char == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            match = _ARGUMENT_CHUNK.match(text, pos)
            end = match.end() if match else pos + 1
            current.append(text[pos:end])
        pos = end
    return None


def _collapse_blanks(body: str) -> str:
    """Trim a macro body and turn runs of blanks (from continuations, comments) into one."""
    return _BLANK_RUN.sub(lambda m: m.group(1) or " ", body).strip()


def _substitute(body: str, values: Mapping[str, str]) -> str:
    def replace_name(match: re.Match[str]) -> str:
        name = match.group("name")
        return values.get(name, name) if name else match.group()

    return _BODY_TOKEN.sub(replace_name, body)
