"""The one reader of ngspice's printed log: turns it into a typed error, or None.

ngspice prints notes and warnings (gmin stepping, singular matrix checks...) that are not
failures: ngspice 46 falls back to a transient operating point and often succeeds. A run has
failed only when ngspice says so: a non-zero exit status, an ``Error`` line, an aborted
analysis, or an element line it threw away.
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

# "Error: ...", "Error on line 4", "Error in netlist line no. 4", "ERROR: fatal error": but not
# a .meas result named "error" ("error = 7.5e-01").
_ERROR_LINE = re.compile(
    r"^\s*(error\s*:|error on line|error in netlist|.*\bfatal error\b)", re.IGNORECASE
)
_ABORTED = re.compile(r"simulation\(s\) aborted|simulation interrupted", re.IGNORECASE)

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
_NOISE = re.compile(r"^\s*(note:|warning:|\s*$)", re.IGNORECASE)
# what a native device prints for $error/$fatal (va/osdi/state.py): ngspice's OSDI log line
# "OSDI(<level>) <instance>: " and the model's message
_MODEL_ERROR = re.compile(r"^OSDI\(\w+\) (\S+): Verilog-A (\$error|\$fatal): (.*)$")


def classify_failure(
    log: str, returncode: int | None, *, analysis: str | None = None
) -> SimulationError | None:
    """Return the typed error a finished ngspice run reports, or None when it succeeded.

    ``returncode`` is the batch process's exit status (negative: killed by a signal), or None
    for the shared library, where only the log tells.
    """
    if returncode is not None and returncode < 0:
        return SimulatorCrashed(
            f"ngspice was killed by signal {-returncode}\n{_tail(log)}",
            exit_status=returncode,
            analysis=analysis,
            log=log,
        )
    lines = log.splitlines()
    failed = (
        (returncode is not None and returncode != 0)
        or any(_ERROR_LINE.match(line) for line in lines)
        or _ABORTED.search(log) is not None
        or _IGNORED_LINE.search(log) is not None
    )
    if not failed:
        return None
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
    return SimulationError(message, analysis=analysis, log=log)


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
