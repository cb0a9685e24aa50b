"""Engine overhead, measured against baselines in the same run.

1. ``spicegen.simulate`` (batch) vs bare ``ngspice -b -r`` on the same netlist file, for a tiny
   circuit and a 64x64 resistive crossbar with wire resistance (goal: <= 1.10x on the crossbar).
2. ``Session.alter`` + ``Session.op`` per call vs one batch ngspice process per call on a tiny
   circuit (goal: >= 10x faster).
3. The command line's start-up: ``spicegen --version``, ``spicegen models`` and ``spicegen run
   tiny.cir`` (batch) as child processes vs bare ``ngspice -b tiny.cir`` (goal: ``run`` adds
   < 0.1 s); ``--cli-only`` runs this section alone.

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

from spicegen import Circuit, Session, Tran, simulate, to_ngspice
from spicegen.netlist import Option, Resistor, VoltageSource
from spicegen.sim.batch import ngspice_executable

TINY = """tiny divider
V1 in 0 dc 1
R1 in out 1k
R2 out 0 1k
.op
.end
"""


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


def bare_ngspice(netlist: Path, workdir: Path) -> None:
    subprocess.run(
        [ngspice_executable(), "-b", "-r", str(workdir / "bare.raw"), str(netlist)],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per median")
    parser.add_argument("--calls", type=int, default=2000, help="session calls to time")
    parser.add_argument("--cli-only", action="store_true", help="only the command-line section")
    args = parser.parse_args()
    if args.cli_only:
        cli_startup(max(args.repeat, 21))
        return
    print(f"ngspice: {ngspice_executable()}; medians of {args.repeat} runs\n")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = {
            "tiny divider (.op)": TINY,
            "64x64 crossbar (.tran, 200 pts)": to_ngspice(crossbar()),
        }
        print(f"{'netlist':<34}{'bare ngspice -b':>16}{'simulate()':>14}{'ratio':>8}")
        for label, text in cases.items():
            path = work / "deck.cir"
            path.write_text(text)
            bare_ngspice(path, work)  # warm the page cache
            bare = median_time(lambda path=path: bare_ngspice(path, work), args.repeat)
            ours = median_time(lambda text=text: simulate(text), args.repeat)
            print(f"{label:<34}{bare * 1e3:>13.1f} ms{ours * 1e3:>11.1f} ms{ours / bare:>7.2f}x")

        print(f"\nper-call cost on the tiny divider ({args.calls} calls for the session)")
        batch_call = median_time(lambda: simulate(TINY), args.repeat * 3)
        with Session(TINY.replace(".op\n", "")) as session:
            session.op()
            values = [1e3 + (k % 100) for k in range(args.calls)]
            start = time.perf_counter()
            for value in values:
                session.alter("R2", value)
                session.op()
            per_call = (time.perf_counter() - start) / args.calls
            start = time.perf_counter()
            for value in values:
                session.alter("R2", value)
                session.op(vectors=["v(out)"])
            per_call_one = (time.perf_counter() - start) / args.calls
        print(f"  batch process per call (simulate):      {batch_call * 1e3:9.3f} ms")
        print(f"  Session.alter + Session.op:             {per_call * 1e3:9.3f} ms"
              f"   {batch_call / per_call:6.1f}x faster")  # fmt: skip
        print(f"  Session.alter + op(vectors=['v(out)']): {per_call_one * 1e3:9.3f} ms"
              f"   {batch_call / per_call_one:6.1f}x faster")  # fmt: skip
    print()
    cli_startup(max(args.repeat, 21))


_LIBRARY_RUN = (
    "from pathlib import Path; from spicegen.sim import simulate; "
    "simulate(Path('tiny.cir').read_text(), base_dir=Path('.').resolve())"
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


def cli_startup(repeat: int) -> None:
    """Medians of ``repeat`` child processes: the CLI against bare ngspice on the same deck.

    The commands take turns (one run of each per round), so a change in the machine's load
    touches all of them alike. The children keep compiled bytecode (in a private cache
    directory) as an installed package does, even where the environment sets
    ``PYTHONDONTWRITEBYTECODE``: otherwise every call would recompile spicegen's sources and
    the figure would measure the compiler.
    """
    spicegen = str(Path(sys.executable).parent / "spicegen")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "tiny.cir").write_text(TINY)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        cases = {
            "bare ngspice -b tiny.cir": [ngspice_executable(), "-b", "tiny.cir"],
            "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
            "spicegen --version": [spicegen, "--version"],
            "spicegen models": [spicegen, "models"],
            "spicegen run tiny.cir": [spicegen, "run", "tiny.cir"],
            # what `run` does without the command line: import the engine, simulate, read back
            "simulate(tiny.cir) in python (verb)": [sys.executable, "-c", _LIBRARY_RUN],
        }
        for argv in cases.values():
            _timed_child(argv, work, env)  # warm the page cache and the bytecode cache
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in cases}
        for _ in range(repeat):
            for label, argv in cases.items():
                times[label].append(_timed_child(argv, work, env))
    wall = {label: statistics.median(t[0] for t in runs) for label, runs in times.items()}
    cpu = {label: statistics.median(t[1] for t in runs) for label, runs in times.items()}
    bare_wall, bare_cpu = wall["bare ngspice -b tiny.cir"], cpu["bare ngspice -b tiny.cir"]
    print(f"command-line start-up, medians of {repeat} child processes (wall | CPU)")
    print(
        f"{'command':<36}{'wall':>9}{'ratio':>8}{'added':>10}{'CPU':>10}{'ratio':>8}{'added':>10}"
    )
    for label in cases:
        print(
            f"{label:<36}{wall[label] * 1e3:>6.1f} ms{wall[label] / bare_wall:>7.2f}x"
            f"{(wall[label] - bare_wall) * 1e3:>7.1f} ms{cpu[label] * 1e3:>7.1f} ms"
            f"{cpu[label] / bare_cpu:>7.2f}x{(cpu[label] - bare_cpu) * 1e3:>7.1f} ms"
        )
    verb, cli = "simulate(tiny.cir) in python (verb)", "spicegen run tiny.cir"
    print(
        f"the command line over the library call: {(wall[cli] - wall[verb]) * 1e3:+.1f} ms wall, "
        f"{(cpu[cli] - cpu[verb]) * 1e3:+.1f} ms CPU (goal < 100 ms)"
    )


if __name__ == "__main__":
    main()
