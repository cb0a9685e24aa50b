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

# "Error: ...", "ERROR, library file...", "Error on line 4", "Error in netlist line no. 4",
# "ERROR: fatal error": but not a .meas result named "error" ("error = 7.5e-01").
_ERROR_LINE = re.compile(r"^\s*(error\b(?!\s*=)|.*\bfatal error\b)", re.IGNORECASE)
_ANY_ERROR_LINE = re.compile(_ERROR_LINE.pattern, re.IGNORECASE | re.MULTILINE)
_FATAL = re.compile(r"\bfatal error\b", re.IGNORECASE)

# ngspice warns and goes on when it cannot read an element line: the circuit that runs is not
# the circuit that was written, so spicegen treats it as a rejected netlist.
_IGNORED_LINE = re.compile(r"is not a valid .* line, ignored", re.IGNORECASE)

_SYNTAX = re.compile(
    r"error on line|error in netlist line|unknown subckt|undefined parameter|"
    r"could not find a valid modelname|unimplemented dot command|yyparse error|"
    r"no such function|syntax error|circuit not parsed|unknown parameter|"
    r"can't find model|is not a valid .* line|cannot compute substitute|"
    r"must be greater than zero|too few nodes|unknown device|no circuit loaded|"
    r"there aren't any circuits loaded|incomplete or empty netlist|could not find include file|"
    r"is not in the circuit",
    re.IGNORECASE,
)
_LINE_NUMBER = re.compile(
    r"(?:error on line|netlist line no\.|in line no\.|at line|stopped at line)\s*(\d+)",
    re.IGNORECASE,
)
_CONVERGENCE = re.compile(
    r"timestep too small|no convergence|gmin stepping failed|source stepping failed|"
    r"dc solution failed|iteration limit reached|operating point could not be simulated|"
    r"singular matrix",
    re.IGNORECASE,
)
# what a code model or a device prints as the reason before ngspice's "fatal error"
_REASON = re.compile(r"message:|cannot open|can't open|failed to open|not found", re.IGNORECASE)
_NOISE = re.compile(r"^\s*(note:|warning:|\s*$)", re.IGNORECASE)
# what a native device prints for $error/$fatal (va/osdi/state.py): ngspice's OSDI log line
# "OSDI(<level>) <instance>: " and the model's message
_MODEL_ERROR = re.compile(r"^OSDI\(\w+\) (\S+): Verilog-A (\$error|\$fatal): (.*)$")


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
                or ("error" in low and _ANY_ERROR_LINE.search(log) is not None)
            )
        )
    ignored = "ignored" in low and _IGNORED_LINE.search(log) is not None
    if not failed and not ignored:
        return None
    lines = log.splitlines()
    for line in lines:
        found = _MODEL_ERROR.match(line.strip())
        if found:
            instance, task, text = found.groups()
            return ModelError(f"{task} in {instance}: {text}", analysis=analysis, log=log)
    syntax = [i for i, line in enumerate(lines) if _SYNTAX.search(line)]
    if syntax:
        message = _around(lines, syntax[0])
        number = _LINE_NUMBER.search(message)
        return NetlistSyntaxError(
            message,
            line=int(number.group(1)) if number else None,
            analysis=analysis,
            log=log,
        )
    convergence = [line.strip() for line in lines if _CONVERGENCE.search(line)]
    if convergence:
        return ConvergenceError("\n".join(_unique(convergence)), analysis=analysis, log=log)
    errors = [i for i, line in enumerate(lines) if _ERROR_LINE.match(line)]
    message = "\n".join(_around(lines, i) for i in errors[:3]) if errors else _tail(log)
    if errors and _FATAL.search(lines[errors[0]]):
        message = _cause(lines, errors[0]) + message
    return SimulationError(message, analysis=analysis, log=log)


def _cause(lines: list[str], fatal: int, count: int = 3) -> str:
    """The reason ngspice printed for its "fatal error" line, first, each line once.

    A code model prints its reason on stdout (``Instance: a1   Message: cannot open file``) and
    ngspice the fatal line on stderr, so the reason may stand before or after it in the log.
    """
    reasons = [line.rstrip() for i, line in enumerate(lines) if i != fatal and _REASON.search(line)]
    if not reasons:
        reasons = [line.rstrip() for line in lines[:fatal] if not _NOISE.match(line)]
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
    meaningful = [line.rstrip() for line in log.splitlines() if not _NOISE.match(line)]
    return "\n".join(meaningful[-count:]) if meaningful else "(ngspice printed nothing)"
