"""Turn a ``Run`` into the exact deck ngspice will read: the one place a run becomes text.

A Circuit goes through the netlist writer with the Run's analysis, parameters and options put
into its data first. Netlist text is kept as the user wrote it, normalised the way ngspice's
reader would see it anyway (no carriage returns or leading blanks, every ``.end`` but a final
one commented out, as ngspice does), with the Run's cards, written by the netlist writer,
before the final ``.end``. Include paths become absolute (ngspice runs in a private
directory), and every route to commands or code is refused unless the Run allows control.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from spicegen.sim.errors import InvalidRequestError, UnsafeNetlistError
from spicegen.sim.run import Run
from spicegen.sim.scan import (
    ascii_lower,
    check_model_kind,
    check_route,
    scan_include_paths,
    scan_lines,
)

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from typing import TypeVar

    from spicegen.netlist import Analysis, Circuit, Model, Option, Param, Subckt

    _Named = TypeVar("_Named", "Param", "Option")

__all__ = [
    "Deck",
    "available_cores",
    "codemodel_commands",
    "osdi_commands",
    "write_deck",
]

# a folder name ngspice's command line leaves alone inside double quotes (no quotes,
# backquotes, $ or ! expansion, no backslash escapes, no line breaks)
_PLAIN_FOLDER = re.compile(r"[^\"'`$!\\\n\r]+")


@dataclasses.dataclass(frozen=True, slots=True)
class Deck:
    """A netlist ready for ngspice.

    ``text`` is the deck; ``analysis`` labels what it runs (for messages); ``setup`` are the
    ngspice commands run before it is read (``set`` variables, ``codemodel`` loads);
    ``control`` is true when the deck runs ngspice commands itself (allowed ``.control``);
    ``base_dir`` is the folder its relative paths came from; ``files`` the files it includes.
    """

    text: str
    analysis: str | None
    setup: tuple[str, ...]
    control: bool
    base_dir: Path
    files: tuple[str, ...] = ()


def write_deck(run: Run) -> Deck:
    """The deck of ``run``; raises ``UnsafeNetlistError`` or ``InvalidRequestError``."""
    base = (Path(run.base_dir) if run.base_dir is not None else Path.cwd()).resolve()
    compatibility = next(
        (str(v.value) for v in reversed(run.variables) if v.name.lower() == "ngbehavior"), ""
    )
    setup = tuple(variable.command for variable in run.variables)
    setup += codemodel_commands(run.codemodels)
    libraries = list(run.osdi)
    # netlist text needs no netlist module unless the Run adds cards (the writer's import is a
    # good part of `spicegen run`'s start-up); a Circuit has loaded them already
    if not isinstance(run.netlist, str):
        libraries += [m.library for m in _models(run.netlist) if m.library is not None]
    setup += osdi_commands(dict.fromkeys(libraries))
    if libraries and not any(v.name.lower() == "num_threads" for v in run.variables):
        setup += (f"set num_threads={available_cores()}",)
    if isinstance(run.netlist, str):
        return _text_deck(run, run.netlist, base, compatibility, setup)
    return _circuit_deck(run, run.netlist, base, compatibility, setup)


def _circuit_deck(
    run: Run, circuit: Circuit, base: Path, compatibility: str, setup: tuple[str, ...]
) -> Deck:
    from spicegen.netlist.writer import analysis_card, to_ngspice

    allow = run.allow_control
    control = check_route(circuit.title, "Circuit.title", allow_control=allow)
    for model in _models(circuit):
        control |= check_model_kind(model.kind, f"model {model.name!r}", allow_control=allow)
    changes: dict[str, object] = {}
    files: tuple[str, ...] = ()
    if circuit.includes:
        includes, scan = scan_include_paths(
            circuit.includes, base, allow_control=allow, compatibility=compatibility
        )
        control |= scan.control
        files = scan.files
        if run.analysis is not None and scan.analyses:
            raise _two_analyses(scan.analyses, run.analysis)
        if includes != circuit.includes:
            changes["includes"] = includes
    if run.analysis is not None:
        changes["analyses"] = (run.analysis,)
    if run.params:
        changes["params"] = _merged(circuit.params, run.params)
    if run.options:
        changes["options"] = _merged(circuit.options, run.options)
    circuit = _with_fields(circuit, changes)
    label = "; ".join(analysis_card(analysis) for analysis in circuit.analyses) or None
    return Deck(to_ngspice(circuit), label, setup, control, base, files)


def _text_deck(run: Run, text: str, base: Path, compatibility: str, setup: tuple[str, ...]) -> Deck:
    lines = text.replace("\r", "").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    # ngspice drops leading blanks itself (readline for files, skip_ws for the shared
    # library's lines); doing it here makes both backends read the same lines
    lines = [line.lstrip(" \t\v\f") for line in lines]
    if not lines[0]:
        lines[0] = "*"  # the shared library skips an empty title line: keep a title
    scan = scan_lines(lines, base, allow_control=run.allow_control, compatibility=compatibility)
    if run.analysis is not None and scan.analyses:
        raise _two_analyses(scan.analyses, run.analysis)
    body = [scan.lines[0], *("*" + line[1:] if _is_end(line) else line for line in scan.lines[1:])]
    if scan.control:
        body = _with_input_folder(body, base)
    cards: list[str] = []
    label = "; ".join(scan.analyses) or None
    if run.params or run.options or run.analysis is not None:
        from spicegen.netlist.writer import analysis_card, option_card, param_card

        cards += [param_card(param) for param in _merged((), run.params)]
        cards += [option_card(option) for option in _merged((), run.options)]
        if run.analysis is not None:
            cards.append(analysis_card(run.analysis))
            label = analysis_card(run.analysis)
    deck = "\n".join([*body, *cards, ".end"]) + "\n"
    return Deck(deck, label, setup, scan.control, base, scan.files)


def _with_input_folder(lines: list[str], base: Path) -> list[str]:
    """``lines`` with ``set inputdir`` at the start of the first ``.control`` section.

    ngspice sets ``$inputdir`` to the folder of the file it read (inp.c), which for spicegen is
    a private one (batch) or none (shared); an allowed script's ``source $inputdir/x.cir``
    means the deck's folder. A folder name the command line would expand is left out.
    """
    folder = str(base)
    if not _PLAIN_FOLDER.fullmatch(folder):
        return lines
    for index, line in enumerate(lines):
        if ascii_lower(line[:8]) == ".control":
            return [*lines[: index + 1], f'set inputdir = "{folder}"', *lines[index + 1 :]]
    return lines


def _is_end(line: str) -> bool:
    """ngspice's true ``.end`` (not ``.ends``/``.endc``/``.endl``): inpcom.c inp_read."""
    return ascii_lower(line[:4]) == ".end" and (len(line) == 4 or line[4] in " \t\n\v\f\r")


def _two_analyses(own: Sequence[str], given: Analysis) -> InvalidRequestError:
    from spicegen.netlist.writer import analysis_card

    return InvalidRequestError(
        f"the netlist has its own analysis ({'; '.join(own)}) and the Run gives "
        f"{analysis_card(given)}; ngspice would run both: remove the netlist's card or pass "
        "no analysis"
    )


def _merged(own: tuple[_Named, ...], overrides: tuple[_Named, ...]) -> tuple[_Named, ...]:
    """``own`` with same-named entries replaced in place (ngspice folds case), others added;
    a later override wins over an earlier one."""
    result = list(own)
    position = {item.name.lower(): index for index, item in enumerate(result)}
    for item in overrides:
        key = item.name.lower()
        if key in position:
            result[position[key]] = item
        else:
            position[key] = len(result)
            result.append(item)
    return tuple(result)


def _with_fields(circuit: Circuit, changes: dict[str, object]) -> Circuit:
    """``circuit`` with some fields replaced, without re-validating the unchanged ones.

    ``dataclasses.replace`` would check every element again (as long as writing a 300,000
    element deck); the elements were checked when the circuit was built, and the new values
    (a Run's analysis, merged ``Param``/``Option`` tuples with unique names, absolute include
    paths) are checked where they are made.
    """
    if not changes:
        return circuit
    copy = object.__new__(type(circuit))
    for item in dataclasses.fields(circuit):
        object.__setattr__(copy, item.name, changes.get(item.name, getattr(circuit, item.name)))
    return copy


def _models(owner: Circuit | Subckt) -> Iterator[Model]:
    yield from owner.models
    for subckt in owner.subckts:
        yield from _models(subckt)


def available_cores() -> int:
    """The cores this process may run on: ngspice evaluates OSDI devices on that many threads
    (Debian's spinit asks for 8, which on a smaller machine only adds contention). A parallel
    sweep runs one thread per worker (``Variable("num_threads", 1)`` on its runs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def osdi_commands(libraries: Iterable[str | Path]) -> tuple[str, ...]:
    """ngspice ``osdi`` commands that load OSDI device libraries, each a file that exists:
    the user named it (``Run.osdi``, ``Model.library``) or spicegen compiled it."""
    return _load_commands("osdi", "OSDI library", libraries)


def codemodel_commands(codemodels: Sequence[str | Path]) -> tuple[str, ...]:
    """ngspice ``codemodel`` commands that load XSPICE code-model libraries (``.cm`` files)."""
    return _load_commands("codemodel", "code model library", codemodels)


def _load_commands(command: str, what: str, paths: Iterable[str | Path]) -> tuple[str, ...]:
    commands = []
    for path in paths:
        resolved = Path(path).resolve()
        text = str(resolved)
        if not resolved.is_file():
            raise UnsafeNetlistError(f"{what} not found: {text}")
        if any(ch in text for ch in "\n\r;\"'`$ \t") or not text.isprintable():
            raise UnsafeNetlistError(f"{what} path has characters ngspice cannot take: {text!r}")
        commands.append(f"{command} {text}")
    return tuple(commands)
