"""Turn what the user gave (a Circuit or netlist text) into the exact deck ngspice will run."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from spicegen.netlist import Ac, Circuit, Dc, Op, Tran, analysis_card, to_ngspice
from spicegen.sim.errors import UnsafeNetlistError

Analysis = Op | Dc | Tran | Ac

# ngspice starts a control section at any line beginning with ".control" (a prefix match:
# ".control_x" counts) and treats a deck whose title is "*ng_script" as a control script.
_CONTROL = re.compile(r"^\s*\.(control|endc)", re.IGNORECASE | re.MULTILINE)
_SCRIPT_TITLE = re.compile(r"^\s*\*\s*ng_script", re.IGNORECASE)
_INCLUDE = re.compile(r"^(\s*\.(?:include|inc|lib)\s+)(\"[^\"]*\"|'[^']*'|\S+)(.*)$", re.IGNORECASE)
_END = re.compile(r"^\s*\.end\s*$", re.IGNORECASE | re.MULTILINE)
_ANALYSIS = re.compile(r"^\s*\.(op|tran|ac|dc|noise|tf|sens|pz|disto|four)\b", re.IGNORECASE)
_MAX_INCLUDE_DEPTH = 16


@dataclasses.dataclass(frozen=True, slots=True)
class Deck:
    """A netlist ready for ngspice: its text and a label of what it runs (for error messages)."""

    text: str
    analysis: str | None


def prepare_deck(
    netlist: Circuit | str,
    analysis: Analysis | None = None,
    *,
    allow_control: bool = False,
    base_dir: str | Path | None = None,
) -> Deck:
    """Build the deck text; refuse control scripts unless ``allow_control``.

    A given ``analysis`` replaces a Circuit's own analyses; for netlist text it is added before
    ``.end`` and its plot is the result's main plot. Relative ``.include``/``.lib`` paths are
    made absolute against ``base_dir`` (default: the current directory), because ngspice runs
    in a private directory; included files are checked for control blocks too.
    """
    if isinstance(netlist, Circuit):
        if analysis is None:
            text = to_ngspice(netlist)
            label = _analysis_label(text)
        else:
            if netlist.analyses:
                # replace() re-validates every element: only paid when analyses must be dropped
                netlist = dataclasses.replace(netlist, analyses=())
            text = _insert_before_end(to_ngspice(netlist), analysis)
            label = analysis_card(analysis)
    elif isinstance(netlist, str):
        text = netlist if netlist.endswith("\n") else netlist + "\n"
        if analysis is not None:
            text = _insert_before_end(text, analysis)
        label = analysis_card(analysis) if analysis is not None else _analysis_label(text)
    else:
        raise TypeError(f"netlist must be a Circuit or netlist text, not {type(netlist).__name__}")
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    text = _absolute_includes(text, base.resolve(), allow_control, "the netlist", 0)
    return Deck(text=text, analysis=label)


def _absolute_includes(text: str, base: Path, allow_control: bool, where: str, depth: int) -> str:
    """Rewrite include paths as absolute ones; refuse control scripts here and in includes."""
    script = _CONTROL.search(text) or (depth == 0 and _SCRIPT_TITLE.match(text))
    if script and not allow_control:
        raise UnsafeNetlistError(
            f"{where} holds a .control block or ngspice script; ngspice control scripts can "
            "run shell commands, so spicegen refuses them unless allow_control=True "
            "(CLI: --allow-control)"
        )
    if depth > _MAX_INCLUDE_DEPTH:
        raise UnsafeNetlistError(f"includes nested deeper than {_MAX_INCLUDE_DEPTH} in {where}")
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _INCLUDE.match(line)
        if match is None or (depth == 0 and index == 0):
            continue
        head, raw_path, rest = match.groups()
        path = Path(raw_path.strip("\"'")).expanduser()
        path = path if path.is_absolute() else base / path
        if path.is_file():
            try:
                included = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                included = ""
            _absolute_includes(included, path.parent, allow_control, str(path), depth + 1)
        if depth == 0:
            if '"' in str(path) or "\n" in str(path):
                raise UnsafeNetlistError(f"include path ngspice cannot take: {str(path)!r}")
            lines[index] = f'{head}"{path}"{rest}'
    return "\n".join(lines)


def _insert_before_end(text: str, analysis: Analysis) -> str:
    card = analysis_card(analysis) + "\n"
    ends = list(_END.finditer(text))
    if not ends:
        return text + card
    cut = ends[-1].start()
    return text[:cut] + card + text[cut:]


def codemodel_commands(codemodels: Sequence[str | Path]) -> tuple[str, ...]:
    """ngspice ``codemodel`` commands that load XSPICE code-model libraries (``.cm`` files)."""
    commands = []
    for path in codemodels:
        resolved = Path(path).resolve()
        text = str(resolved)
        if not resolved.is_file():
            raise UnsafeNetlistError(f"code model library not found: {text}")
        if any(ch in text for ch in "\n\r;\"'") or not text.isprintable():
            raise UnsafeNetlistError(
                f"code model path has characters ngspice cannot take: {text!r}"
            )
        commands.append(f"codemodel {text}")
    return tuple(commands)


def _analysis_label(text: str) -> str | None:
    cards = [line.strip() for line in text.splitlines() if _ANALYSIS.match(line)]
    return "; ".join(cards) if cards else None


_SUBCKT = re.compile(r"^\s*\.subckt\b", re.IGNORECASE)
_ENDS = re.compile(r"^\s*\.ends\b", re.IGNORECASE)
_PARAM = re.compile(r"^\s*\.param\b(.*)$", re.IGNORECASE)
_PARAM_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=")


def top_level_names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased names of the top-level elements and ``.param`` parameters of a deck."""
    elements: set[str] = set()
    params: set[str] = set()
    depth = 0
    for number, line in enumerate(text.splitlines()):
        if number == 0 or not line.strip() or line.lstrip().startswith(("*", "+")):
            continue
        if _SUBCKT.match(line):
            depth += 1
        elif _ENDS.match(line):
            depth = max(0, depth - 1)
        elif depth == 0:
            param = _PARAM.match(line)
            if param:
                params.update(name.lower() for name in _PARAM_NAME.findall(param.group(1)))
            elif not line.lstrip().startswith("."):
                elements.add(line.split()[0].lower())
    return frozenset(elements), frozenset(params)
