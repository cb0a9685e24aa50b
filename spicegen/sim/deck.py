"""Turn what the user gave (a Circuit or netlist text) into the exact deck ngspice will run."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from spicegen.netlist import Ac, Circuit, Dc, Op, Tran, analysis_card, to_ngspice
from spicegen.sim.errors import UnsafeNetlistError

Analysis = Op | Dc | Tran | Ac

_CONTROL = re.compile(r"^\s*\.(control|endc)\b", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^\s*\.end\s*$", re.IGNORECASE | re.MULTILINE)
_ANALYSIS = re.compile(r"^\s*\.(op|tran|ac|dc|noise|tf|sens|pz|disto|four)\b", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True)
class Deck:
    """A netlist ready for ngspice: its text and a label of what it runs (for error messages)."""

    text: str
    analysis: str | None


def prepare_deck(
    netlist: Circuit | str, analysis: Analysis | None = None, *, allow_control: bool = False
) -> Deck:
    """Build the deck text; refuse ``.control`` blocks unless ``allow_control``.

    A given ``analysis`` replaces a Circuit's own analyses; for netlist text it is added before
    ``.end`` and its plot is the result's main plot.
    """
    if isinstance(netlist, Circuit):
        if analysis is None:
            text = to_ngspice(netlist)
            return Deck(text=text, analysis=_analysis_label(text))
        if netlist.analyses:
            # replace() re-validates every element: only paid when analyses must be dropped
            netlist = dataclasses.replace(netlist, analyses=())
        text = _insert_before_end(to_ngspice(netlist), analysis)
        return Deck(text=text, analysis=analysis_card(analysis))
    if not isinstance(netlist, str):
        raise TypeError(f"netlist must be a Circuit or netlist text, not {type(netlist).__name__}")
    if not allow_control and _CONTROL.search(netlist):
        raise UnsafeNetlistError(
            "the netlist holds a .control block; ngspice control scripts can run shell "
            "commands, so spicegen refuses them unless allow_control=True (CLI: --allow-control)"
        )
    text = netlist if netlist.endswith("\n") else netlist + "\n"
    if analysis is not None:
        return Deck(text=_insert_before_end(text, analysis), analysis=analysis_card(analysis))
    return Deck(text=text, analysis=_analysis_label(text))


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
