"""Root causes of the parity harness's failures and differences (see docs/parity.md).

``classify`` names the cause of one deck's ``spicegen fails`` or ``differs`` outcome from what
spicegen printed, what differed, and a few facts about the deck (``deck_features``). Rules are
tried in order and the first that matches wins; each cause has a reproduction of its own in
tests/sim/test_parity.py. A failure no rule explains is ``unclassified``: read its log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# key -> what goes wrong, in one line (the table in docs/parity.md explains each)
CAUSES: dict[str, str] = {
    "no-end": "shared: a deck without .end is never loaded (ngSpice_Circ needs one)",
    "quit": "shared: `quit` in .control is reported as a crash",
    "run-twice": "shared: spicegen's own `run` after the deck's script (destroy all, rerun)",
    "non-fatal-error": "an `Error:` line that ngspice itself treats as non-fatal fails the run",
    "stop-resume": "a `stop when` breakpoint's 'simulation interrupted' is taken as an abort",
    "folder-spiceinit": "the compatibility mode comes from a .spiceinit beside the deck",
    "folder-data-file": "code-model data and auto-bridge files are looked up beside the netlist",
    "folder-source": "a script's relative `source`/`load` or $inputdir names the private directory",
    "lib-section": "`.lib file section` inside that same file is counted as nesting",
    "not-utf8": "the deck is not UTF-8 (spicegen run reads UTF-8 only)",
    "names-branch": "shared: multi-port and XSPICE branch currents come back as v(a1#branch_1_0)",
    "names-repeated": "a name ngspice writes n times is not reachable as name#2 ... name#n",
    "plotname": "shared: plot names come from the plot's type (sp, noise2), not ngspice's name",
    "not-batchmode": "shared: libngspice is not in batch mode (scripts test $?batchmode)",
    "empty-vector": "shared: a vector without points (@r1[i] in an AC plot) fails the plot",
    "script-plots": "batch: the script's own plots returned; `ngspice -b -r` writes its rerun",
    "random": "expected: random sources or parameters without a fixed seed",
    "unclassified": "not explained by any rule: read the log",
}

_END = re.compile(r"^\s*\.end\s*$", re.IGNORECASE | re.MULTILINE)
_CONTROL_BLOCK = re.compile(
    r"^\s*\.control\b(.*?)^\s*\.endc\b", re.IGNORECASE | re.MULTILINE | re.S
)
_SCRIPT_RUNS = re.compile(
    r"^\s*(run|tran|op|ac|dc|noise|sp|pz|tf|sens|pss|resume)\b", re.IGNORECASE | re.MULTILINE
)
_INCLUDE = re.compile(r"^\s*\.inc\w*\s+[\"']?([^\s\"']+)", re.IGNORECASE | re.MULTILINE)
# ngspice's random sources (trnoise, trrandom) and random-valued functions of .param and
# B-sources; none of them repeats from run to run unless the deck fixes a seed.
_RANDOM = re.compile(
    r"trnoise|trrandom|agauss|\bgauss\s*\(|aunif|\bunif\s*\(|sgauss|sunif|\brnd\s*\(|setseed",
    re.IGNORECASE,
)
_DATA_FILE = re.compile(
    r"cannot open file|failed to open state file|file was not read successfully", re.IGNORECASE
)
# a code model's data file (filesource, table2D/3D, d_source, d_state): relative to the netlist
_DATA_FILE_PARAMETER = re.compile(
    r"\b(file|input_file|state_file)\s*=\s*[\"']?[^\s\"')]+", re.IGNORECASE
)
_MISSING = re.compile(r"no such file|no such vector", re.IGNORECASE)
_SOURCE_COMMAND = re.compile(r"^\s*source\s+\S", re.IGNORECASE | re.MULTILINE)
# error lines of the control language and of .meas; ngspice's own "fatal error" is not one
_NON_FATAL = re.compile(
    r"^\s*error:(?!\s*fatal)|failed!|no such function as|out of interval|no such vector",
    re.IGNORECASE | re.MULTILINE,
)


def deck_features(deck: Path) -> dict[str, bool]:
    """Facts about a deck that its outcome may depend on (the deck and its direct includes)."""
    text = deck.read_text(encoding="utf-8", errors="replace")
    texts = [text]
    for match in _INCLUDE.finditer(text):
        included = deck.parent / match.group(1)
        if included.is_file():
            texts.append(included.read_text(encoding="utf-8", errors="replace"))
    joined = "\n".join(texts)
    scripts = "\n".join(block.group(1) for block in _CONTROL_BLOCK.finditer(joined))
    folder = deck.parent
    return {
        "end": bool(_END.search(text)),
        "spiceinit": (folder / ".spiceinit").is_file() or (folder / "spice.rc").is_file(),
        "script_runs": bool(_SCRIPT_RUNS.search(scripts)),
        "random": bool(_RANDOM.search(joined)),
        "bridge_files": any(folder.glob("bridge_*.subcir")),
        "asks_batchmode": "$?batchmode" in scripts.lower(),
        "data_files": bool(_DATA_FILE_PARAMETER.search(joined)),
        "sources_script": bool(_SOURCE_COMMAND.search(scripts)),
        "uses_inputdir": "$inputdir" in scripts.lower(),
    }


def classify(result: dict[str, Any], features: dict[str, bool], backend: str) -> str:
    """The cause (a key of CAUSES) of a ``spicegen fails`` or ``differs`` outcome on
    ``backend``."""
    shared = backend == "shared"
    if "error" in result:
        return _failure_cause(result, features, shared)
    return _difference_cause(result.get("issues", []), features, shared)


def _failure_cause(result: dict[str, Any], features: dict[str, bool], shared: bool) -> str:
    text = f"{result['message']}\n{result.get('log', '')}"
    if result["error"] == "UnicodeDecodeError":
        return "not-utf8"
    # with the cause dropped, only the deck tells what ngspice could not find
    dropped = cause_dropped(result) and not result.get("log")
    rules = (
        ("no-end", shared and "statement is missing in netlist" in text),
        ("quit", shared and "exit callback (status 0)" in text),
        ("folder-data-file", bool(_DATA_FILE.search(text))),
        ("folder-source", "Command 'source' failed" in text),
        ("folder-data-file", dropped and features["data_files"]),
        ("folder-source", dropped and features["sources_script"]),
        ("folder-spiceinit", features["spiceinit"] and not result.get("variables")),
        ("folder-source", features["uses_inputdir"] and bool(_MISSING.search(text))),
        ("empty-vector", shared and "vectors differ in length" in text),
        ("lib-section", "nested deeper than" in text or "which includes itself" in text),
        ("run-twice", shared and "insertnumber: fails" in text),
        ("stop-resume", "condition met: stop" in text),
        ("not-batchmode", shared and features["asks_batchmode"]),
        ("non-fatal-error", bool(_NON_FATAL.search(result["message"]))),
    )
    return next((cause for cause, holds in rules if holds), "unclassified")


def _difference_cause(issues: list[str], features: dict[str, bool], shared: bool) -> str:
    text = "\n".join(issues)
    rules = (
        ("names-branch", shared and "#branch" in text),
        ("names-repeated", "unreachable as written" in text),
        ("plotname", shared and "missing" in text and "extra" in text and "plot '" in text),
        ("not-batchmode", shared and features["asks_batchmode"]),
        ("random", features["random"]),
        ("run-twice", shared and features["script_runs"]),
        ("folder-data-file", features["bridge_files"]),
        # ngspice -b -r writes the analyses it runs again after the script, not the script's
        ("script-plots", not shared and features["script_runs"]),
    )
    return next((cause for cause, holds in rules if holds), "unclassified")


def cause_dropped(result: dict[str, Any]) -> bool:
    """A batch failure reported as ngspice's bare 'fatal error' line, without what caused it."""
    lines = [line.strip() for line in result.get("message", "").splitlines()[1:] if line.strip()]
    return any("fatal error in ngspice" in line for line in lines) and not any(
        "fatal error" not in line and re.search(r"error|message:|cannot|failed", line, re.I)
        for line in lines
    )
