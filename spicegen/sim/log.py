"""The one reader of ngspice's printed log: turns it into a typed error, or None.

ngspice prints notes, warnings and even ``Error:`` lines (a ``.meas`` out of its interval, a
``print`` of a missing vector) that it does not treat as failures. A batch run has failed when
ngspice says so with its exit status; the shared library has no exit status, so there a run has
failed when an analysis was aborted, or when ngspice printed an error and produced no plot.
In both, an element line ngspice threw away fails the run: the circuit that ran is not the
circuit that was written.
"""

from __future__ import annotations

import re

from spicegen.sim.errors import (
    ConvergenceError,
    ModelError,
    NetlistSyntaxError,
    SimulationError,
    SimulatorCrashed,
)

# The patterns are compiled on first use (``re`` keeps them): a run that worked needs none, and
# compiling them all costs more than a small simulation's whole scan. All but the OSDI line
# are matched case-insensitively (``_FOLD``).
_FOLD = re.IGNORECASE
# "Error: ...", "ERROR, library file...", "Error on line 4", "Error in netlist line no. 4",
# "ERROR: fatal error": but not a .meas result named "error" ("error = 7.5e-01").
_ERROR_LINE = r"^\s*(error\b(?!\s*=)|.*\bfatal error\b)"
_FATAL = r"\bfatal error\b"

# ngspice warns and goes on when it cannot read an element line: the circuit that runs is not
# the circuit that was written, so spicegen treats it as a rejected netlist.
_IGNORED_LINE = r"is not a valid .* line, ignored"

_SYNTAX = (
    r"error on line|error in netlist line|unknown subckt|undefined parameter|"
    r"could not find a valid modelname|unimplemented dot command|yyparse error|"
    r"no such function|syntax error|circuit not parsed|unknown parameter|"
    r"can't find model|is not a valid .* line|cannot compute substitute|"
    r"must be greater than zero|too few nodes|unknown device|no circuit loaded|"
    r"there aren't any circuits loaded|incomplete or empty netlist|could not find include file|"
    r"is not in the circuit"
)
_LINE_NUMBER = r"(?:error on line|netlist line no\.|in line no\.|at line|stopped at line)\s*(\d+)"
_CONVERGENCE = (
    r"timestep too small|no convergence|gmin stepping failed|source stepping failed|"
    r"dc solution failed|iteration limit reached|operating point could not be simulated|"
    r"singular matrix"
)
# what a code model or a device prints as the reason before ngspice's "fatal error"
_REASON = r"message:|cannot open|can't open|failed to open|not found"
_NOISE = r"^\s*(note:|warning:|\s*$)"
# what a native device prints for $error/$fatal (va/osdi/state.py): ngspice's OSDI log line
# "OSDI(<level>) <instance>: " and the model's message (case kept)
_MODEL_ERROR = r"^OSDI\(\w+\) (\S+): Verilog-A (\$error|\$fatal): (.*)$"


def classify_failure(
    log: str,
    returncode: int | None,
    *,
    analysis: str | None = None,
    produced: bool = False,
) -> SimulationError | None:
    """Return the typed error a finished ngspice run reports, or None when it succeeded.

    ``returncode`` is the batch process's exit status (negative: killed by a signal), or None
    for the shared library, where only the log tells; ``produced`` says whether the shared
    library's run made a plot.
    """
    if returncode is not None and returncode < 0:
        return SimulatorCrashed(
            f"ngspice was killed by signal {-returncode}\n{_tail(log)}",
            exit_status=returncode,
            analysis=analysis,
            log=log,
        )
    # the common case (a Session call that worked) is decided by substring tests on the
    # lower-cased log: case-insensitive regular expressions cost ~10 us each here
    low = log.lower()
    if returncode is not None:
        failed = returncode != 0
    else:
        # "simulation interrupted" is not a failure: ngspice resets its error (runcoms.c dosim)
        # a script's `run` with no analysis card prints "simulation not started" and goes on
        # (batch ngspice exits 0): it fails the run only when no plot came out
        failed = "simulation(s) aborted" in low
        failed = failed or (
            not produced
            and (
                "simulation not started" in low
                or (
                    "error" in low and re.search(_ERROR_LINE, log, _FOLD | re.MULTILINE) is not None
                )
            )
        )
    ignored = "ignored" in low and re.search(_IGNORED_LINE, log, _FOLD) is not None
    if not failed and not ignored:
        return None
    lines = log.splitlines()
    for line in lines:
        found = re.match(_MODEL_ERROR, line.strip())
        if found:
            instance, task, text = found.groups()
            return ModelError(f"{task} in {instance}: {text}", analysis=analysis, log=log)
    syntax = [i for i, line in enumerate(lines) if re.search(_SYNTAX, line, _FOLD)]
    if syntax:
        message = _around(lines, syntax[0])
        number = re.search(_LINE_NUMBER, message, _FOLD)
        return NetlistSyntaxError(
            message,
            line=int(number.group(1)) if number else None,
            analysis=analysis,
            log=log,
        )
    convergence = [line.strip() for line in lines if re.search(_CONVERGENCE, line, _FOLD)]
    if convergence:
        return ConvergenceError("\n".join(_unique(convergence)), analysis=analysis, log=log)
    errors = [i for i, line in enumerate(lines) if re.match(_ERROR_LINE, line, _FOLD)]
    message = "\n".join(_around(lines, i) for i in errors[:3]) if errors else _tail(log)
    if errors and re.search(_FATAL, lines[errors[0]], _FOLD):
        message = _cause(lines, errors[0]) + message
    return SimulationError(message, analysis=analysis, log=log)


def _cause(lines: list[str], fatal: int, count: int = 3) -> str:
    """The reason ngspice printed for its "fatal error" line, first, each line once.

    A code model prints its reason on stdout (``Instance: a1   Message: cannot open file``) and
    ngspice the fatal line on stderr, so the reason may stand before or after it in the log.
    """
    reasons = [
        line.rstrip()
        for i, line in enumerate(lines)
        if i != fatal and re.search(_REASON, line, _FOLD)
    ]
    if not reasons:
        reasons = [line.rstrip() for line in lines[:fatal] if not re.match(_NOISE, line, _FOLD)]
    return "".join(line + "\n" for line in _unique(reasons)[-count:])


def _around(lines: list[str], index: int, after: int = 3) -> str:
    """The first error line and the few lines of detail ngspice prints under it."""
    picked = [lines[index]]
    for line in lines[index + 1 :]:
        if len(picked) > after:
            break
        if not line.strip():
            continue  # ngspice separates an error's header from its detail by a blank line
        if line.lower().startswith(("note:", "total ", "no. of", "circuit:")):
            break
        picked.append(line)
    return "\n".join(line.rstrip() for line in picked)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _tail(log: str, count: int = 12) -> str:
    meaningful = [line.rstrip() for line in log.splitlines() if not re.match(_NOISE, line, _FOLD)]
    return "\n".join(meaningful[-count:]) if meaningful else "(ngspice printed nothing)"
