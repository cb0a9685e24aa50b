"""Parity with ngspice on ngspice's own decks: run each deck bare and through spicegen, compare.

For every deck under DECKS (a folder such as the ``examples/`` and ``tests/`` of ngspice's source
tree, extracted beforehand; this script downloads nothing):

1. bare ``ngspice -b -r out.raw DECK`` in a private copy of the deck's folder, with a timeout;
2. ``spicegen.simulate`` on the deck's text (as ``spicegen run`` does: UTF-8 text, includes
   relative to the deck's folder, ``allow_control=True`` where the deck holds a ``.control``
   block or is an ``*ng_script``, since these decks are trusted), once per backend, each in a
   fresh Python process and a fresh copy of the folder, so no state leaks between decks;
3. every vector of every plot compared: the names as ngspice wrote them in its raw file must be
   reachable in spicegen's result and name the same vector, lengths equal, values within
   ``--rtol`` of the vector's peak magnitude.

Outcomes per deck and backend: ``same``, ``differs``, ``spicegen fails`` (ngspice succeeded),
``both fail``, ``only spicegen runs`` (ngspice failed), ``ngspice too slow`` (more than
``--timeout`` s of CPU time: on a shared machine wall time follows the load, CPU time hardly
does). ngspice succeeds when it exits with status 0. The JSON report holds every deck's outcome,
ngspice's and spicegen's messages and each difference found; a table goes to stdout.

    PYTHONPATH=. .venv/bin/python scripts/parity.py /work/parity-decks --report parity.json

Runs on ``--jobs`` processes at once (2 at most: the machine is shared).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from parity_causes import CAUSES, cause_dropped, classify, deck_features

DECK_SUFFIXES = frozenset({".cir", ".sp", ".deck", ".net", ".spi"})
# A deck is a file that asks for a simulation: an analysis card or a control block.
_RUNS_SOMETHING = re.compile(
    r"^\s*(\.(op|tran|ac|dc|noise|tf|sens|pz|disto|four|pss|sp)\b|\.control\b)",
    re.IGNORECASE | re.MULTILINE,
)
_CONTROL = re.compile(r"^\s*\.control", re.IGNORECASE | re.MULTILINE)
_SCRIPT_TITLE = re.compile(r"^\s*\*\s*ng_script", re.IGNORECASE)
_INCLUDED = re.compile(
    r"^\s*(?:\.inc\w*|\.lib|source|load)\s+[\"']?([^\s\"']+)", re.IGNORECASE | re.MULTILINE
)
OUTCOMES = (
    "same",
    "differs",
    "spicegen fails",
    "both fail",
    "only spicegen runs",
    "ngspice too slow",
)
BACKENDS = ("batch", "shared")


# -- finding decks ---------------------------------------------------------------------------------
def find_decks(root: Path) -> list[Path]:
    """Deck files under ``root``, sorted; files that another file includes are not decks."""
    candidates: list[Path] = []
    included: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix in (".out", ".standard"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _INCLUDED.finditer(text):
            included.add((path.parent / match.group(1)).resolve())
        if path.suffix.lower() in DECK_SUFFIXES and _RUNS_SOMETHING.search(text):
            candidates.append(path)
    return [path for path in candidates if path.resolve() not in included]


@contextlib.contextmanager
def sandbox(root: Path, deck: Path) -> Iterator[Path]:
    """A private tree: the files of the deck's folder copied, everything else symlinked.

    Decks write files beside themselves and include ``../`` paths; a copy of the folder keeps
    the source tree clean and the runs independent, and the links (the folder's subfolders,
    and the siblings of each folder above it, up to ``root``) keep every relative path working.
    Yields the copied deck's path.
    """
    relative = deck.parent.relative_to(root)
    with tempfile.TemporaryDirectory(prefix="parity-") as temporary:
        top = Path(temporary) / "tree"
        source, target = root, top
        for part in (*relative.parts, None):
            target.mkdir()
            for entry in source.iterdir():
                if entry.name == part:
                    continue
                if part is None and entry.is_file():
                    shutil.copy2(entry, target / entry.name)
                else:
                    (target / entry.name).symlink_to(entry)
            if part is not None:
                source, target = source / part, target / part
        yield top / relative / deck.name


# -- reading ngspice's raw file (independent of spicegen's reader) ---------------------------------
@dataclass(frozen=True, slots=True)
class RawPlot:
    """One plot of a raw file: names and kinds as ngspice wrote them, data by column."""

    plotname: str
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    data: tuple[np.ndarray, ...]


def read_raw(path: Path) -> list[RawPlot]:
    """Every plot of an ngspice raw file, binary or ASCII."""
    content = path.read_bytes()
    plots: list[RawPlot] = []
    offset = 0
    while offset < len(content):
        fields: dict[str, str] = {}
        variables: list[tuple[str, str]] = []
        while True:
            end = content.index(b"\n", offset)
            line = content[offset:end].decode("utf-8", errors="replace")
            offset = end + 1
            if line.startswith(("Binary:", "Values:")):
                break
            if line.startswith(("\t", " ")) and "variables" in fields:
                parts = line.split()
                variables.append((parts[1], parts[2] if len(parts) > 2 else "notype"))
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        count = int(fields["no. points"])
        width = int(fields["no. variables"])
        is_complex = "complex" in fields.get("flags", "").lower()
        variables = variables[:width]
        if line.startswith("Binary:"):
            dtype = np.complex128 if is_complex else np.float64
            size = count * width * np.dtype(dtype).itemsize
            table = np.frombuffer(content, dtype=dtype, count=count * width, offset=offset)
            offset += size
            columns = table.reshape(count, width).T if count else np.zeros((width, 0), dtype)
        else:
            columns, offset = _ascii_values(content, offset, count, width, is_complex)
        while offset < len(content) and content[offset : offset + 1] in (b"\n", b"\r"):
            offset += 1
        plots.append(
            RawPlot(
                plotname=fields.get("plotname", ""),
                names=tuple(name for name, _ in variables),
                kinds=tuple(kind for _, kind in variables),
                data=tuple(np.array(column) for column in columns),
            )
        )
    return plots


def _ascii_values(
    content: bytes, offset: int, count: int, width: int, is_complex: bool
) -> tuple[np.ndarray, int]:
    values: list[complex | float] = []
    while len(values) < count * width:
        end = content.find(b"\n", offset)
        end = len(content) if end < 0 else end
        words = content[offset:end].decode().split()
        offset = end + 1
        if not words:
            continue
        text = words[-1]  # the first value of a point follows its index
        if is_complex:
            real, _, imaginary = text.partition(",")
            values.append(complex(float(real), float(imaginary or 0.0)))
        else:
            values.append(float(text))
    table = np.array(values, dtype=np.complex128 if is_complex else np.float64)
    return table.reshape(count, width).T, offset


# -- comparing -------------------------------------------------------------------------------------
def deviation(reference: np.ndarray, other: np.ndarray) -> float:
    """Largest |difference| over the reference's peak magnitude (0 when both are all zero)."""
    with np.errstate(invalid="ignore"):
        both_nan = np.isnan(reference) & np.isnan(other)
        difference = np.where(both_nan, 0.0, np.abs(reference - other))
    if np.isnan(difference).any():
        return float("inf")
    peak = float(np.max(np.abs(np.nan_to_num(reference)), initial=0.0))
    largest = float(np.max(difference, initial=0.0))
    if largest == 0.0:
        return 0.0
    return largest / peak if peak > 0 else float("inf")


def compare_plots(
    reference: Sequence[RawPlot], plots: Sequence[Any], rtol: float
) -> tuple[list[str], float]:
    """Differences between ngspice's plots and spicegen's Waveforms; and the largest deviation.

    Plots are matched in order by plot name; within a plot, each name ngspice wrote is looked up
    as written, and its n-th repetition must be reachable as ``name#n``.
    """
    issues: list[str] = []
    worst = 0.0
    position = 0
    for plot in reference:
        match = next(
            (i for i in range(position, len(plots)) if plots[i].plotname == plot.plotname), None
        )
        if match is None:
            issues.append(f"plot {plot.plotname!r} missing")
            continue
        issues.extend(f"plot {plots[i].plotname!r} extra" for i in range(position, match))
        waveforms = plots[match]
        position = match + 1
        used: set[int] = set()
        seen: collections.Counter[str] = collections.Counter()
        for index, (name, data) in enumerate(zip(plot.names, plot.data, strict=True)):
            seen[name] += 1
            # ngspice writes one name for every branch of a multi-port device (i(p1) of a
            # coupled line, once per port): the n-th repetition is reachable as name#n
            wanted = name if seen[name] == 1 else f"{name}#{seen[name]}"
            vector = _lookup(waveforms, wanted)
            if vector is None or waveforms.names.index(vector.name) in used:
                issues.append(f"{plot.plotname}: {wanted}: not reachable as written")
                continue
            used.add(waveforms.names.index(vector.name))
            if len(vector.data) != len(data):
                issues.append(
                    f"{plot.plotname}: {wanted}: {len(vector.data)} points, "
                    f"ngspice wrote {len(data)}"
                )
                continue
            if index == 0 and np.iscomplexobj(data) and not np.iscomplexobj(vector.data):
                # the scale of an AC or SP plot: ngspice stores the frequency as complex with a
                # zero or garbage imaginary part, and spicegen keeps the real part by design
                data = data.real
            gap = deviation(data, vector.data)
            worst = max(worst, gap)
            if gap > rtol:
                issues.append(f"{plot.plotname}: {wanted}: values differ by {gap:.3g} of the peak")
        extra = [v.name for i, v in enumerate(waveforms.vectors) if i not in used]
        if extra:
            issues.append(f"{plot.plotname}: extra vectors {', '.join(extra[:8])}")
    issues.extend(f"plot {plots[i].plotname!r} extra" for i in range(position, len(plots)))
    return issues, worst


def _lookup(waveforms: Any, name: str) -> Any:
    """The vector ``name`` names in spicegen's Waveforms, or None."""
    from spicegen.waves import MissingVectorError

    try:
        return waveforms.vector(name)
    except MissingVectorError:
        return None


# -- one spicegen run (in a child process) ---------------------------------------------------------
def needs_control(text: str) -> bool:
    """A deck holding a ``.control`` block or written as an ngspice script."""
    return bool(_CONTROL.search(text) or _SCRIPT_TITLE.match(text))


def child(
    deck: Path,
    backend: str,
    reference: Path | None,
    timeout: float,
    rtol: float,
    variables: Sequence[str] = (),
) -> None:
    """Run ``deck`` through spicegen on ``backend``; print one JSON object (see ``Run``).

    ``variables`` are ``name=value`` (or ``name``) ngspice variables given as data
    (``Run.variables``), as a user would pass what the deck's folder sets in its .spiceinit.
    """
    from spicegen import SpicegenError
    from spicegen.sim import simulate

    report: dict[str, Any] = {}
    try:
        text = deck.read_text(encoding="utf-8")  # as ``spicegen run`` reads it
    except UnicodeDecodeError as err:
        print(json.dumps({"error": "UnicodeDecodeError", "message": str(err)}))
        return
    start = time.perf_counter()
    try:
        if variables:
            from spicegen.sim import Run, Variable

            given = tuple(
                Variable(*item.split("=", 1)) if "=" in item else Variable(item)
                for item in variables
            )
            run = Run(
                text,
                variables=given,
                base_dir=str(deck.parent),
                allow_control=needs_control(text),
            )
            result = simulate(run, backend=backend, timeout=timeout)  # type: ignore[arg-type]
        else:
            result = simulate(
                text,
                backend=backend,  # type: ignore[arg-type]
                timeout=timeout,
                allow_control=needs_control(text),
                base_dir=deck.parent,
            )
    except SpicegenError as err:
        log = getattr(err, "log", "")
        report = {"error": type(err).__name__, "message": str(err), "log": _clip(log)}
    else:
        report = {
            "plots": [[w.plotname, len(w), len(w.vectors)] for w in result.plots],
            "elapsed": result.elapsed,
        }
        if reference is not None:
            issues, worst = compare_plots(read_raw(reference), result.plots, rtol)
            report.update(issues=issues, deviation=worst)
    report["wall"] = time.perf_counter() - start
    print(json.dumps(report))


# -- the parent: bare ngspice, the children, the outcome -------------------------------------------
@dataclass(slots=True)
class DeckReport:
    """What happened to one deck: ngspice's run, and spicegen's on each backend."""

    deck: str
    control: bool
    features: dict[str, bool] = field(default_factory=dict)
    ngspice: dict[str, Any] = field(default_factory=dict)
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_group(
    command: Sequence[str], cwd: Path, timeout: float, cpu_limit: float | None = None
) -> tuple[int | None, str, float, float]:
    """Run a process group; return (exit status, or None when stopped; its output; wall and
    CPU seconds).

    The process is stopped after ``timeout`` s of wall time, or ``cpu_limit`` s of its CPU time
    (all threads): on a shared machine wall time depends on the load, CPU time hardly does.
    """
    env = {k: v for k, v in os.environ.items() if k != "SPICE_ASCIIRAWFILE"}
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = 0.0
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while process.poll() is None:
                cpu = _cpu_seconds(process.pid, ticks, cpu)
                if time.perf_counter() - start > timeout or (
                    cpu_limit is not None and cpu > cpu_limit
                ):
                    break
                time.sleep(0.05)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # a stopped run, or its stragglers
            process.wait()
        status = None if process.returncode == -signal.SIGKILL else process.returncode
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    return status, text, time.perf_counter() - start, cpu


def _cpu_seconds(pid: int, ticks: int, last: float) -> float:
    """User + system CPU time of a running process, s (``last`` once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return last
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime: fields 14 and 15


def _clip(text: str, size: int = 4000) -> str:
    """The start and the end of a long log (a cause is often printed early, a fatal error late)."""
    return text if len(text) <= 2 * size else f"{text[:size]}\n[...]\n{text[-size:]}"


def _tail(text: str, count: int = 40) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def check_deck(root: Path, deck: Path, options: argparse.Namespace) -> DeckReport:
    """Bare ngspice, then spicegen on each backend; outcomes filled in."""
    text = deck.read_text(encoding="utf-8", errors="replace")
    report = DeckReport(
        deck=str(deck.relative_to(root)), control=needs_control(text), features=deck_features(deck)
    )
    with sandbox(root, deck) as copy:
        command = [options.ngspice, "-b", "-r", "out.raw", copy.name]
        status, output, elapsed, cpu = run_group(
            command, copy.parent, options.wall_timeout, cpu_limit=options.timeout
        )
        raw = copy.parent / "out.raw"
        report.ngspice = {
            "status": status,
            "elapsed": round(elapsed, 3),
            "cpu": round(cpu, 3),
            "tail": _tail(output),
        }
        ok = status == 0
        reference: Path | None = None
        if ok and raw.exists():
            handle, name = tempfile.mkstemp(suffix=".raw", dir=options.work)
            os.close(handle)
            reference = Path(name)
            shutil.copyfile(raw, reference)
            report.ngspice["plots"] = [
                [p.plotname, len(p.data[0]) if p.data else 0, len(p.names)] for p in read_raw(raw)
            ]
    try:
        for backend in options.backends:
            if status is None:
                report.backends[backend] = {"outcome": "ngspice too slow"}
                continue
            result = spicegen_run(root, deck, backend, reference, ok, options)
            if result["outcome"] in ("spicegen fails", "differs"):
                result["cause"] = classify(result, report.features, backend)
                result["cause_dropped"] = cause_dropped(result)
            report.backends[backend] = result
    finally:
        if reference is not None:
            reference.unlink()
    return report


def spicegen_run(
    root: Path,
    deck: Path,
    backend: str,
    reference: Path | None,
    ngspice_ok: bool,
    options: argparse.Namespace,
) -> dict[str, Any]:
    """One spicegen run of ``deck`` in a fresh process; its outcome against ngspice's."""
    with sandbox(root, deck) as copy:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(copy),
            "--backend",
            backend,
            "--timeout",
            str(options.spicegen_timeout),
            "--rtol",
            str(options.rtol),
        ]
        if reference is not None:
            command += ["--reference", str(reference)]
        if options.folder_variables:
            for variable in spiceinit_variables(deck.parent):
                command += ["--variable", variable]
        status, output, _, _ = run_group(command, copy.parent, options.spicegen_timeout + 60)
    lines = output.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": "harness", "message": f"exit status {status}\n{_tail(output)}"}
    if options.folder_variables:
        result["variables"] = spiceinit_variables(deck.parent)
    failed = "error" in result
    if not ngspice_ok:
        result["outcome"] = "both fail" if failed else "only spicegen runs"
    elif failed:
        result["outcome"] = "spicegen fails"
    else:
        result["outcome"] = "differs" if result.get("issues") else "same"
    return result


_SET = re.compile(r"^\s*set\s+([A-Za-z_]\w*)\s*(?:=\s*(\S+))?\s*$", re.IGNORECASE)


def spiceinit_variables(folder: Path) -> list[str]:
    """The plain ``set name=value`` lines of a folder's .spiceinit, as ``name=value``."""
    init = folder / ".spiceinit"
    if not init.is_file():
        return []
    found = []
    for line in init.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _SET.match(line)
        if match:
            name, value = match.groups()
            found.append(f"{name}={value}" if value else name)
    return found


def summary(reports: Sequence[DeckReport], backends: Sequence[str]) -> str:
    """The table of outcomes, the table of causes, then one line per deck that fails or differs."""
    counts = {b: collections.Counter(r.backends[b]["outcome"] for r in reports) for b in backends}
    header = "".join(f"{b:>8}" for b in backends)
    lines = [f"{'outcome':<22}{header}"]
    for outcome in OUTCOMES:
        lines.append(f"{outcome:<22}" + "".join(f"{counts[b][outcome]:>8}" for b in backends))
    lines.append(f"{'decks':<22}" + "".join(f"{len(reports):>8}" for _ in backends))
    causes = {
        b: collections.Counter(
            (r.backends[b]["outcome"], r.backends[b]["cause"])
            for r in reports
            if "cause" in r.backends[b]
        )
        for b in backends
    }
    lines += ["", f"{'cause':<38}{header}"]
    for outcome in ("spicegen fails", "differs"):
        for cause in CAUSES:
            row = [causes[b][(outcome, cause)] for b in backends]
            if any(row):
                label = f"{outcome}: {cause}"
                lines.append(f"{label:<38}" + "".join(f"{n:>8}" for n in row))
    dropped = [sum(r.backends[b].get("cause_dropped", False) for r in reports) for b in backends]
    lines.append(f"{'fatal error, cause dropped':<38}" + "".join(f"{n:>8}" for n in dropped))
    # ngspice wrote no raw file (a script that writes its own, or ends in quit): nothing to
    # compare, but a backend that returns plots there behaves unlike `ngspice -b -r`
    unwritten = [
        sum(
            r.backends[b]["outcome"] == "same"
            and not r.ngspice.get("plots")
            and bool(r.backends[b].get("plots"))
            for r in reports
        )
        for b in backends
    ]
    lines.append(
        f"{'same, plots ngspice did not write':<38}" + "".join(f"{n:>8}" for n in unwritten)
    )
    lines.append("")
    for report in reports:
        for backend in backends:
            result = report.backends[backend]
            if "cause" in result:
                lines.append(
                    f"{report.deck} [{backend}] {result['outcome']} ({result['cause']}): "
                    f"{headline(result)}"
                )
    return "\n".join(lines)


def headline(result: dict[str, Any]) -> str:
    """The first informative line of a failure, or the first difference."""
    if "error" in result:
        message = [line.strip() for line in result["message"].splitlines() if line.strip()]
        body = message[1:] or message
        return f"{result['error']}: {body[0] if body else ''}"
    issues = result.get("issues") or [""]
    more = f" (+{len(issues) - 1} more)" if len(issues) > 1 else ""
    return f"{issues[0]}{more}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("decks", type=Path, nargs="?", help="folder of ngspice decks")
    parser.add_argument("--report", type=Path, default=Path("parity.json"), help="JSON report")
    parser.add_argument(
        "--timeout", type=float, default=12.0, help="bare ngspice's limit, s of CPU time"
    )
    parser.add_argument(
        "--wall-timeout", type=float, default=300.0, help="bare ngspice's limit, s of wall time"
    )
    parser.add_argument(
        "--spicegen-timeout", type=float, default=300.0, help="spicegen's limit, s of wall time"
    )
    # The binary raw file and the shared library hold the doubles ngspice computed: the same
    # run gives the same numbers, so 1e-9 of a vector's peak only absorbs last-bit differences
    # of a different build (libngspice vs the ngspice program) and never hides a wrong result.
    parser.add_argument("--rtol", type=float, default=1e-9, help="of each vector's peak")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2))
    parser.add_argument("--backends", default="batch,shared", help="comma-separated")
    parser.add_argument("--only", default="", help="regular expression on the deck's path")
    parser.add_argument(
        "--failed-in", type=Path, help="only the decks that failed or differed in this report"
    )
    parser.add_argument("--ngspice", default=shutil.which("ngspice") or "ngspice")
    parser.add_argument(
        "--classify", type=Path, metavar="REPORT", help="classify an earlier report again, no runs"
    )
    parser.add_argument(
        "--folder-variables",
        action="store_true",
        help="pass the `set` lines of a deck folder's .spiceinit as Run.variables",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--variable", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child is not None:
        child(
            options.child,
            options.backend,
            options.reference,
            options.timeout,
            options.rtol,
            options.variable,
        )
        return 0
    if options.classify is not None:
        return reclassify(options.classify)
    if options.decks is None or not options.decks.is_dir():
        parser.error("give the folder of decks (ngspice's examples/ and tests/ extracted)")
    options.backends = tuple(b for b in options.backends.split(",") if b)
    root = options.decks.resolve()
    decks = [d for d in find_decks(root) if re.search(options.only, str(d.relative_to(root)))]
    if options.failed_in is not None:
        again = failed_decks(options.failed_in)
        decks = [d for d in decks if str(d.relative_to(root)) in again]
    print(f"{len(decks)} decks under {root}", file=sys.stderr)
    reports: list[DeckReport] = []
    load_at_start = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="parity-work-") as work,
        concurrent.futures.ThreadPoolExecutor(options.jobs) as pool,
    ):
        options.work = work
        futures = [pool.submit(check_deck, root, deck, options) for deck in decks]
        for done, future in enumerate(futures, 1):
            report = future.result()
            reports.append(report)
            outcomes = ", ".join(f"{b} {r['outcome']}" for b, r in report.backends.items())
            print(f"[{done}/{len(decks)}] {report.deck}: {outcomes}", file=sys.stderr)
    table = summary(reports, options.backends)
    options.report.write_text(
        json.dumps(
            {
                "decks": str(root),
                "ngspice": options.ngspice,
                "timeout": options.timeout,
                "wall_timeout": options.wall_timeout,
                "folder_variables": options.folder_variables,
                "load": [load_at_start, os.getloadavg()],
                "rtol": options.rtol,
                "spicegen": spicegen_version(),
                "reports": [asdict(r) for r in reports],
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(table)
    return 0


def reclassify(path: Path) -> int:
    """Name the causes in an earlier report again (after a change of rules); print the tables."""
    earlier = json.loads(path.read_text(encoding="utf-8"))
    root = Path(earlier["decks"])
    reports = []
    for entry in earlier["reports"]:
        report = DeckReport(**entry)
        report.features = deck_features(root / report.deck)
        for backend, result in report.backends.items():
            result.pop("cause", None)
            result.pop("cause_dropped", None)
            if result["outcome"] in ("spicegen fails", "differs"):
                result["cause"] = classify(result, report.features, backend)
                result["cause_dropped"] = cause_dropped(result)
        reports.append(report)
    earlier["reports"] = [asdict(r) for r in reports]
    path.write_text(json.dumps(earlier, indent=1) + "\n", encoding="utf-8")
    print(summary(reports, tuple(reports[0].backends) if reports else BACKENDS))
    return 0


def failed_decks(report: Path) -> frozenset[str]:
    """The decks of an earlier report that failed or differed on some backend."""
    earlier = json.loads(report.read_text(encoding="utf-8"))
    return frozenset(
        entry["deck"]
        for entry in earlier["reports"]
        if any(r["outcome"] in ("spicegen fails", "differs") for r in entry["backends"].values())
    )


def spicegen_version() -> str:
    """Where the spicegen under test lives and its commit, for the report."""
    import spicegen

    folder = Path(spicegen.__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{folder} {commit}".strip()


if __name__ == "__main__":
    sys.exit(main())
