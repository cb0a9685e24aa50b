"""Engine overhead, each figure against a baseline measured in the same run.

1. Start-up: ``import spicegen.sim`` in a fresh interpreter against ``python -c pass``,
   ``simulate()`` (batch) on a trivial deck against bare ``ngspice -b -r`` on the same file
   (medians of >= 20 runs), and a shared-library worker's start against ``python -c pass``.
2. ``Session`` per call on a tiny divider: ``alter`` + ``op`` (one value) and ``alter_many``
   (100 values) + ``op``, against the same ngspice commands on libngspice loaded in this
   process (ctypes, no isolation): once with no print callback (ngspice's own cost) and once
   with a Python print callback keeping the log (what any binding that reads ngspice's
   messages pays). Goal: <= 1.5x.
3. ``simulate()`` against bare ngspice on a 64x64 resistive crossbar transient (14 MB raw).
4. The command line's start-up: ``spicegen --version``, ``spicegen models`` and ``spicegen run
   tiny.cir`` (batch) as child processes vs bare ``ngspice -b tiny.cir`` (goal: ``run`` adds
   < 0.1 s); ``--cli-only`` runs this section alone. ``--venv DIR`` adds the interpreter floor
   and ``spicegen run`` of another virtual environment (the same checkout first on its path),
   e.g. one where spicegen is installed with ``--config-settings editable_mode=compat``;
   ``--baseline DIR`` adds ``spicegen run`` of the package in DIR (an older version exported
   there with ``git archive REV spicegen | tar -x -C DIR``), taking turns with this one.
5. ``--summary``: the pure-Python summary of a raw file (what ``spicegen run`` prints) against
   numpy's reader with its import, by file size, each in a fresh interpreter.

6. ``--imports``: what ``spicegen run tiny.cir`` imports and what each module costs, from
   ``python -X importtime`` in fresh interpreters (the smallest of the runs per module, which
   load disturbs least). A module imported with ``importlib.import_module`` (a verb, a lazy
   name) is not listed by ``-X importtime``; what it imports is, at the top level.
7. ``--stages``: where ``spicegen run tiny.cir``'s time goes after its imports, each step timed
   in this process (warm, medians): reading the netlist, the Run, writing and scanning the
   deck, the batch run (private folder, ngspice, read-back) against ngspice alone started the
   same way, the summary of the raw file, and the printed report.

Prints medians and ratios; never asserts on time. ``python benchmarks/bench_engine.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import spicegen as spicegen_package
from spicegen import Circuit, Session, Tran, simulate, to_ngspice
from spicegen.netlist import Option, Resistor, VoltageSource
from spicegen.sim.batch import ngspice_executable
from spicegen.sim.libngspice import Ngspice
from spicegen.sim.shared import Worker

TINY = "tiny divider\nV1 in 0 dc 1\nR1 in out 1k\nR2 out 0 1k\n.op\n.end\n"
LOADS = 100  # resistors changed per call in the bulk case


def loads_circuit(count: int = LOADS) -> Circuit:
    """A source, a series resistor and ``count`` parallel loads: what a layer's alter_many
    changes, in miniature (values in ohm)."""
    return Circuit(
        title="parallel loads",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            Resistor("Rs", "in", "out", 1e3),
            *(Resistor(f"R{k}", "out", "0", 1e4) for k in range(count)),
        ),
    )


def crossbar(rows: int = 64, cols: int = 64, wire: float = 1.0) -> Circuit:
    """A resistive crossbar: row drivers, cell resistors, row/column wire segments (ohm),
    columns held at 0 V by sense sources. A 200-point transient, so a 14 MB raw file is read back.
    """
    elements: list[object] = []
    for i in range(rows):
        elements.append(VoltageSource(f"Vrow{i}", f"r{i}_0", "0", dc=0.1 + 0.001 * i))
        for j in range(cols):
            elements.append(
                Resistor(f"Rc{i}_{j}", f"r{i}_{j}", f"c{i}_{j}", 1e4 + 37.0 * ((i * cols + j) % 97))
            )
            if j + 1 < cols:
                elements.append(Resistor(f"Rr{i}_{j}", f"r{i}_{j}", f"r{i}_{j + 1}", wire))
            if i + 1 < rows:
                elements.append(Resistor(f"Rw{i}_{j}", f"c{i}_{j}", f"c{i + 1}_{j}", wire))
    for j in range(cols):
        elements.append(VoltageSource(f"Vcol{j}", f"c{rows - 1}_{j}", "0", dc=0.0))
    return Circuit(
        title=f"{rows}x{cols} resistive crossbar",
        elements=tuple(elements),  # type: ignore[arg-type]
        options=(Option("klu"),),  # ngspice 46: KLU sparse solver; ignored by 39
        analyses=(Tran(step=1e-9, stop=200e-9),),
    )


def median_time(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_call(function: Callable[[int], object], calls: int) -> float:
    """Median seconds of ``function(k)`` over ``calls`` calls (after 50 warm-up calls)."""
    for k in range(50):
        function(k)
    times = []
    for k in range(calls):
        start = time.perf_counter()
        function(k)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_per_call(function: Callable[[int], object], calls: int, worker_pid: int | None) -> float:
    """CPU seconds per call of ``function(k)``: this process's, plus the worker's when given
    (from /proc, in clock ticks: over many calls the rounding is a few us per call)."""
    for k in range(50):
        function(k)
    worker_before = _process_cpu(worker_pid) if worker_pid else 0.0
    before = time.process_time()
    for k in range(calls):
        function(k)
    spent = time.process_time() - before
    if worker_pid:
        spent += _process_cpu(worker_pid) - worker_before
    return spent / calls


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bare_ngspice(netlist: Path, workdir: Path) -> None:
    subprocess.run(
        [ngspice_executable(), "-b", "-r", str(workdir / "bare.raw"), str(netlist)],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )  # fmt: skip


def start_up(repeat: int) -> None:
    python = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)
    sim = median_time(
        lambda: subprocess.run([sys.executable, "-c", "import spicegen.sim"], check=True), repeat
    )
    print(f"start-up, medians of {repeat} fresh interpreters")
    print(f"  python -c pass:                         {python * 1e3:9.1f} ms")
    print(f"  python -c 'import spicegen.sim':        {sim * 1e3:9.1f} ms"
          f"   (+{(sim - python) * 1e3:.1f} ms)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "deck.cir"
        path.write_text(TINY)
        bare_ngspice(path, work)  # warm the page cache
        simulate(TINY)
        bare = median_time(lambda: bare_ngspice(path, work), repeat)
        ours = median_time(lambda: simulate(TINY), repeat)
    print(f"  bare ngspice -b -r, trivial deck:       {bare * 1e3:9.1f} ms")
    print(f"  simulate(), batch, same deck:           {ours * 1e3:9.1f} ms"
          f"   {ours / bare:5.2f}x (+{(ours - bare) * 1e3:.1f} ms)")  # fmt: skip
    worker = median_time(lambda: Worker().close(), max(5, repeat // 3))
    print(f"  shared-library worker start (+ close):  {worker * 1e3:9.1f} ms"
          f"   {worker / python:5.2f}x python -c pass\n")  # fmt: skip


class InProcess:
    """libngspice in this process, driven with the commands a Session sends."""

    def __init__(self, lines: list[str], keep_log: bool) -> None:
        self.log: list[str] = []
        self.ngspice = Ngspice(self.log.append if keep_log else None, lambda status, quit: None)
        self.ngspice.circuit(lines)

    def call(self, commands: list[str]) -> None:
        for command in commands:
            self.ngspice.command(command)
        self.ngspice.command("destroy all")  # as a Session does: plots would pile up
        self.ngspice.command("op")
        found = self.ngspice.vector(f"{self.ngspice.current_plot()}.out")
        assert found is not None
        self.log.clear()


def sessions(calls: int) -> None:
    deck = to_ngspice(loads_circuit())
    lines = deck.splitlines()
    single = [f"alter r0 = {1e4 + (k % 100)!r}" for k in range(100)]
    bulk = [[f"alter r{j} = {1e4 + ((k + j) % 100)!r}" for j in range(LOADS)] for k in range(100)]
    quiet = InProcess(lines, keep_log=False)
    logged = InProcess(lines, keep_log=True)
    base_single = per_call(lambda k: quiet.call([single[k % 100]]), calls)
    base_single_log = per_call(lambda k: logged.call([single[k % 100]]), calls)
    base_bulk = per_call(lambda k: quiet.call(bulk[k % 100]), calls // 4)
    base_bulk_log = per_call(lambda k: logged.call(bulk[k % 100]), calls // 4)
    with Session(loads_circuit()) as session:

        def one(k: int) -> None:
            session.alter("R0", 1e4 + (k % 100))
            session.op(vectors=["v(out)"])

        def many(k: int) -> None:
            session.alter_many({f"R{j}": 1e4 + ((k + j) % 100) for j in range(LOADS)})
            session.op(vectors=["v(out)"])

        ours_single = per_call(one, calls)
        ours_bulk = per_call(many, calls // 4)
        worker = session._live()
        ping = per_call(lambda k: worker.request("ping", ()), calls)
        pid = worker._process.pid
        cpu_single = cpu_per_call(one, calls, pid)
        cpu_bulk = cpu_per_call(many, calls // 4, pid)
    base_cpu_single = cpu_per_call(lambda k: logged.call([single[k % 100]]), calls, None)
    base_cpu_bulk = cpu_per_call(lambda k: logged.call(bulk[k % 100]), calls // 4, None)
    print(f"per call, {LOADS + 2}-element circuit, medians of {calls} (bulk: {calls // 4}) calls")
    print(f"{'':40}{'in-process':>12}{'+ log':>10}{'Session':>10}{'ratio':>8}{'vs +log':>9}")
    for label, quiet_cost, logged_cost, ours in (
        ("alter 1 value + op", base_single, base_single_log, ours_single),
        (f"alter {LOADS} values + op", base_bulk, base_bulk_log, ours_bulk),
    ):
        costs = f"{quiet_cost * 1e6:>9.1f} us{logged_cost * 1e6:>7.1f} us{ours * 1e6:>7.1f} us"
        print(f"  {label:<38}{costs}{ours / quiet_cost:>7.2f}x{ours / logged_cost:>8.2f}x")
    # on a busy machine a process waiting for a reply also waits for a CPU, the longer the
    # longer it slept: the Session's cost over in-process is mostly that, not its own work
    print(f"  pipe round trip to the worker (ping):   {ping * 1e6:9.1f} us")
    # CPU time does not count the waits for a CPU that a loaded machine adds to each of the
    # two wake-ups of a round trip: the Session's own work (both processes) against in-process
    print(f"CPU per call (Session: caller + worker), means of {calls} (bulk: {calls // 4}) calls")
    for label, base, ours in (
        ("alter 1 value + op", base_cpu_single, cpu_single),
        (f"alter {LOADS} values + op", base_cpu_bulk, cpu_bulk),
    ):
        print(f"  {label:<38}{base * 1e6:>9.1f} us{ours * 1e6:>17.1f} us{ours / base:>15.2f}x")
    print()


def crossbar_case(repeat: int) -> None:
    text = to_ngspice(crossbar())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "deck.cir"
        path.write_text(text)
        bare_ngspice(path, work)
        bare = median_time(lambda: bare_ngspice(path, work), repeat)
        ours = median_time(lambda: simulate(text), repeat)
    print(f"64x64 crossbar (.tran, 200 pts), medians of {repeat}")
    print(f"  bare ngspice -b -r {bare * 1e3:9.1f} ms   simulate() {ours * 1e3:9.1f} ms"
          f"   {ours / bare:5.2f}x")  # fmt: skip


_LIBRARY_RUN = (
    "from pathlib import Path; from spicegen.sim import simulate; "
    "simulate(Path('tiny.cir').read_text(), base_dir=Path('.').resolve())"
)
# what `spicegen run` does without its command line: the summary, read without numpy
_LIBRARY_SUMMARY = (
    "from pathlib import Path; from spicegen.sim import Run, simulate_summary; "
    "simulate_summary(Run(Path('tiny.cir').read_text(), base_dir=str(Path('.').resolve())))"
)


def _timed_child(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process; CPU is user + system time of the child and
    its own children (ngspice), which a busy shared machine inflates less than wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _child_environment(work: Path) -> dict[str, str]:
    """The environment of a measured child: bytecode kept in ``work``, this checkout first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    # the children run in another folder: a relative PYTHONPATH (``PYTHONPATH=.``) would
    # find no spicegen there and measure whichever one is installed instead of this one
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(spicegen_package.__file__).resolve().parents[1]), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    return env


_PURE_SUMMARY = (
    "import mmap, os, sys; from spicegen.waves.summary import _summarise; "
    "h = open(sys.argv[1], 'rb'); "
    "_summarise(sys.argv[1], h, mmap.mmap(h.fileno(), 0, access=mmap.ACCESS_READ), "
    "os.path.getsize(sys.argv[1]))"
)
_NUMPY_SUMMARY = (
    "import sys; from spicegen.waves.raw import read_raw_plots; "
    "from spicegen.waves.summary import summarise_waveforms; "
    "tuple(map(summarise_waveforms, read_raw_plots(sys.argv[1])))"
)


def summary_reading(repeat: int) -> None:
    """What ``spicegen run`` pays to summarise a raw file, by size: the pure-Python reader
    against numpy's (its import included), each in a fresh interpreter (medians of child CPU
    time); where the second wins, ``waves.summary.PURE_LIMIT`` hands files to numpy."""
    from spicegen.waves.summary import PURE_LIMIT

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = _child_environment(work)
        print(f"summary of a binary transient raw file (PURE_LIMIT = {PURE_LIMIT / 1e6:.1f} MB)")
        print(f"{'file':>10}{'pure':>11}{'numpy':>11}{'numpy / pure':>14}")
        for stop in (2e-6, 20e-6, 100e-6, 400e-6):  # s, at a 1 ns step: 26 bytes a point
            deck = work / "rc.cir"
            deck.write_text(
                f"rc\nV1 in 0 sin(0 1 1meg)\nR1 in out 1k\nC1 out 0 1n\n.tran 1n {stop}\n.end\n"
            )
            raw = work / "rc.raw"
            subprocess.run(
                [ngspice_executable(), "-b", "-r", str(raw), str(deck)],
                cwd=work,
                capture_output=True,
                check=True,
            )
            cpu: dict[str, list[float]] = {"pure": [], "numpy": []}
            for code in (_PURE_SUMMARY, _NUMPY_SUMMARY):  # warm the bytecode cache
                _timed_child([sys.executable, "-c", code, str(raw)], work, env)
            for _ in range(repeat):
                for label, code in (("pure", _PURE_SUMMARY), ("numpy", _NUMPY_SUMMARY)):
                    argv = [sys.executable, "-c", code, str(raw)]
                    cpu[label].append(_timed_child(argv, work, env)[1])
            pure, numpy_cpu = (statistics.median(cpu[k]) for k in ("pure", "numpy"))
            size = raw.stat().st_size / 1e6
            print(
                f"{size:>7.2f} MB{pure * 1e3:>8.1f} ms{numpy_cpu * 1e3:>8.1f} ms"
                f"{numpy_cpu / pure:>13.2f}x"
            )


def cli_startup(repeat: int, venv: Path | None = None, baseline: Path | None = None) -> None:
    """Medians of ``repeat`` child processes: the CLI against bare ngspice on the same deck.

    The commands take turns (one run of each per round), so a change in the machine's load
    touches all of them alike. The children keep compiled bytecode (in a private cache
    directory) as an installed package does, even where the environment sets
    ``PYTHONDONTWRITEBYTECODE``: otherwise every call would recompile spicegen's sources and
    the figure would measure the compiler.
    """
    spicegen = str(Path(sys.executable).parent / "spicegen")
    load_before = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tiny.cir").write_text(TINY)
        env = _child_environment(work)
        cases = {
            "bare ngspice -b tiny.cir": [ngspice_executable(), "-b", "tiny.cir"],
            "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
            "spicegen --version": [spicegen, "--version"],
            "spicegen models": [spicegen, "models"],
            "spicegen run tiny.cir": [spicegen, "run", "tiny.cir"],
            # what `run` does without the command line: import the engine, simulate, read back
            "simulate_summary(tiny.cir) in python": [sys.executable, "-c", _LIBRARY_SUMMARY],
            "simulate(tiny.cir) in python (arrays)": [sys.executable, "-c", _LIBRARY_RUN],
        }
        if venv is not None:
            cases[f"python -c pass ({venv.name})"] = [str(venv / "bin" / "python"), "-c", "pass"]
            cases[f"spicegen run tiny.cir ({venv.name})"] = [
                str(venv / "bin" / "spicegen"), "run", "tiny.cir"
            ]  # fmt: skip
        environments = dict.fromkeys(cases, env)
        if baseline is not None:
            label = f"spicegen run tiny.cir ({baseline.name})"
            cases[label] = [spicegen, "run", "tiny.cir"]
            environments[label] = env | {"PYTHONPATH": str(baseline.resolve())}
        for label, argv in cases.items():
            _timed_child(argv, work, environments[label])  # warm the page and bytecode caches
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in cases}
        for _ in range(repeat):
            for label, argv in cases.items():
                times[label].append(_timed_child(argv, work, environments[label]))
    wall = {label: statistics.median(t[0] for t in runs) for label, runs in times.items()}
    cpu = {label: statistics.median(t[1] for t in runs) for label, runs in times.items()}
    bare_wall, bare_cpu = wall["bare ngspice -b tiny.cir"], cpu["bare ngspice -b tiny.cir"]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"command-line start-up, medians of {repeat} child processes (wall | CPU); "
        f"load average before / after (1, 5, 15 min): {load_before} / {load}"
    )
    print(
        f"{'command':<40}{'wall':>9}{'ratio':>8}{'added':>10}{'CPU':>10}{'ratio':>8}{'added':>10}"
    )
    for label in cases:
        print(
            f"{label:<40}{wall[label] * 1e3:>6.1f} ms{wall[label] / bare_wall:>7.2f}x"
            f"{(wall[label] - bare_wall) * 1e3:>7.1f} ms{cpu[label] * 1e3:>7.1f} ms"
            f"{cpu[label] / bare_cpu:>7.2f}x{(cpu[label] - bare_cpu) * 1e3:>7.1f} ms"
        )
    verb, cli = "simulate_summary(tiny.cir) in python", "spicegen run tiny.cir"
    print(
        f"the command line over the library call: {(wall[cli] - wall[verb]) * 1e3:+.1f} ms wall, "
        f"{(cpu[cli] - cpu[verb]) * 1e3:+.1f} ms CPU (goal < 100 ms)"
    )


def import_costs(repeat: int, shown: int = 30) -> None:
    """The modules ``spicegen run tiny.cir`` imports, costliest first: the smallest self and
    cumulative times (-X importtime) over ``repeat`` fresh interpreters."""
    spicegen = str(Path(sys.executable).parent / "spicegen")
    own: dict[str, list[int]] = {}
    total: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tiny.cir").write_text(TINY)
        env = _child_environment(work)
        for round_ in range(repeat + 1):  # the first run fills the bytecode cache
            done = subprocess.run(
                [sys.executable, "-X", "importtime", spicegen, "run", "tiny.cir"],
                cwd=work, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            if round_ == 0:
                continue
            for line in done.stderr.splitlines():
                fields = line.removeprefix("import time:").split("|")
                if len(fields) != 3 or not fields[0].strip().isdigit():
                    continue  # the header, or anything else on stderr
                name = fields[2].strip()
                own.setdefault(name, []).append(int(fields[0]))
                total.setdefault(name, []).append(int(fields[1]))
    print(
        f"imports of `spicegen run tiny.cir`, smallest of {repeat} runs (-X importtime); "
        f"{len(own)} modules, {sum(min(v) for v in own.values()) / 1e3:.1f} ms in all"
    )
    print(f"{'self':>9}{'cumulative':>12}  module")
    for name in sorted(own, key=lambda n: -min(own[n]))[:shown]:
        print(f"{min(own[name]) / 1e3:>6.2f} ms{min(total[name]) / 1e3:>9.2f} ms  {name}")


def stages(repeat: int) -> None:
    """Medians of ``repeat`` warm calls of each step of ``spicegen run tiny.cir``."""
    from spicegen.cli.common import read_netlist
    from spicegen.cli.run import _report
    from spicegen.sim import Run
    from spicegen.sim.batch import _bound_to_parent, run_batch_read
    from spicegen.sim.deck import write_deck
    from spicegen.waves.summary import summarise_raw_plots

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "tiny.cir"
        path.write_text(TINY)
        text = read_netlist(path)
        run = Run(text, base_dir=str(work))
        deck = write_deck(run)
        raw = work / "kept.raw"
        bare = [*_bound_to_parent(), ngspice_executable(), "-b", "-r", str(raw), str(path)]
        subprocess.run(bare, cwd=work, capture_output=True, check=True)
        plots = summarise_raw_plots(raw)
        steps: dict[str, Callable[[], object]] = {
            "read the netlist file": lambda: read_netlist(path),
            "Run(...)": lambda: Run(text, base_dir=str(work)),
            "write_deck (scan included)": lambda: write_deck(run),
            "run_batch_read (folder, ngspice, summary)": lambda: run_batch_read(
                deck, lambda: summarise_raw_plots
            ),
            "ngspice alone (setpriv, -b -r, pipes)": lambda: subprocess.run(
                bare, cwd=work, capture_output=True, check=True
            ),
            "summarise_raw_plots (the raw file)": lambda: summarise_raw_plots(raw),
            "the printed report": lambda: _report(path, plots, 0.01, "batch"),
        }
        for step in steps.values():
            step()
        # the steps take turns, so a change of the machine's load touches all of them alike
        times: dict[str, list[float]] = {label: [] for label in steps}
        for _ in range(repeat):
            for label, step in steps.items():
                start = time.perf_counter()
                step()
                times[label].append(time.perf_counter() - start)
    print(f"spicegen run tiny.cir after its imports, medians of {repeat} warm calls")
    for label, spent in times.items():
        print(f"  {label:<44}{statistics.median(spent) * 1e3:>8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="runs per start-up median")
    parser.add_argument("--calls", type=int, default=2000, help="session calls to time")
    parser.add_argument("--skip-crossbar", action="store_true")
    parser.add_argument("--cli-only", action="store_true", help="only the command-line section")
    parser.add_argument(
        "--summary", action="store_true", help="only the raw-file summary by size (section 5)"
    )
    parser.add_argument(
        "--imports", action="store_true", help="only the run path's imports (section 6)"
    )
    parser.add_argument(
        "--stages", action="store_true", help="only the run's steps after imports (section 7)"
    )
    parser.add_argument(
        "--venv", type=Path, help="also time this virtual environment's python and spicegen"
    )
    parser.add_argument(
        "--baseline", type=Path, help="also time `spicegen run` of the spicegen package in DIR"
    )
    args = parser.parse_args()
    if args.cli_only:
        cli_startup(max(args.repeat, 21), args.venv, args.baseline)
        return
    if args.imports:
        import_costs(args.repeat)
        return
    if args.stages:
        stages(args.repeat)
        return
    if args.summary:
        summary_reading(max(args.repeat // 3, 5))
        return
    print(f"ngspice: {ngspice_executable()}\n")
    start_up(args.repeat)
    sessions(args.calls)
    if not args.skip_crossbar:
        crossbar_case(max(3, args.repeat // 3))
    print()
    cli_startup(max(args.repeat, 21), args.venv, args.baseline)


if __name__ == "__main__":
    main()
