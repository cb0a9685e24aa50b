"""The native (osdi) target against the subckt target and hand-written B-sources.

1. The 64x64 crossbar of compiled ``mtj`` devices of the suite (4,096 devices,
   ``tests/circuits/test_mtj_crossbar.py``): the same transient on both targets; column
   currents compared (goal: within 1e-6 of the largest); ngspice time, median of ``--runs``;
   goal native >= 5x faster. Circuit unknowns per device from ngspice's ``acct`` count, less
   those of the same crossbar with plain resistors.
2. Compile time including the C compiler for the ~90-line memristor of ``bench_compile.py``:
   cold (an empty cache) and cached (goal < 1 s cold, < 50 ms cached).

Prints medians and ratios; never asserts on time. ``python benchmarks/bench_osdi.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compile import MEMRISTOR

from spicegen import Tran, models, simulate
from spicegen.circuits.crossbar import (
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    column_currents,
    read_circuit,
)
from spicegen.netlist import Option
from spicegen.va.compile import compile_model

SIZE = 64
G_MIN, G_MAX = 1 / 8000, 1 / 4000  # S, 1/rp
ROW_VOLTS = np.random.default_rng(5).uniform(-0.3, 0.3, SIZE)  # V
WEIGHTS = np.random.default_rng(11).uniform(0, 1, (SIZE, SIZE))
ANALYSIS = Tran(step=0.2e-9, stop=2e-9, max_step=0.5e-9)


def _mtj_crossbar(target: str) -> object:
    device = CompiledDevice(
        models.load("mtj", target=target), "rp", "resistance",
        params=(("stochastic", 0), ("state0", 1)),
    )  # fmt: skip
    params = CrossbarParams(
        WEIGHTS,
        device=device,
        mapping=LinearConductance(G_MIN, G_MAX),  # type: ignore[arg-type]
    )
    return params


def _equations(circuit: object) -> int:
    """ngspice's count of circuit equations (``.options acct``), from an operating point."""
    counted = dataclasses.replace(circuit, options=(*circuit.options, Option("acct")))  # type: ignore[type-var, attr-defined]
    log = simulate(counted, ANALYSIS).log
    found = re.search(r"Circuit Equations\s*=\s*(\d+)", log)
    assert found is not None, "ngspice printed no equation count"
    return int(found.group(1))


def bench_crossbar(runs: int) -> None:
    results = {}
    for target in ("subckt", "osdi"):
        params = _mtj_crossbar(target)
        circuit = read_circuit(params, ROW_VOLTS.tolist(), analysis=ANALYSIS)  # type: ignore[arg-type]
        times, currents = [], None
        for _ in range(runs):
            result = simulate(circuit)
            times.append(result.elapsed)
            currents = column_currents(result.waveforms, params)  # type: ignore[arg-type]
        results[target] = (statistics.median(times), currents, circuit, params)
    subckt, osdi = results["subckt"], results["osdi"]
    scale = float(np.abs(subckt[1]).max())
    difference = float(np.abs(osdi[1][-1] - subckt[1][-1]).max()) / scale
    resistors = _resistor_crossbar()
    base = _equations(resistors)
    per_device = {target: (_equations(results[target][2]) - base) / SIZE**2 for target in results}
    print(f"64x64 mtj crossbar transient (4,096 devices), median of {runs} (ngspice time):")
    for target in ("subckt", "osdi"):
        print(
            f"  {target:7s} {results[target][0]:8.2f} s   "
            f"{per_device[target]:.1f} unknowns per device"
        )
    print(f"  native speed-up {subckt[0] / osdi[0]:.1f}x (goal >= 5x)")
    print(f"  column currents, largest difference / largest current: {difference:.1e} (goal 1e-6)")


def _resistor_crossbar() -> object:
    """The same crossbar with each device a plain resistor (a subckt of the same name, ports
    and parameters), so that the rest of the circuit's equations can be counted."""
    from spicegen.netlist import Resistor, Subckt

    mtj = models.load("mtj")
    body = (Resistor("R1", "p", "n", "{rp}"),)
    stub = dataclasses.replace(mtj, subckt=Subckt(mtj.name, mtj.ports, mtj.subckt.params, body))
    device = CompiledDevice(stub, "rp", "resistance", params=(("stochastic", 0), ("state0", 1)))
    params = CrossbarParams(
        WEIGHTS,
        device=device,
        mapping=LinearConductance(G_MIN, G_MAX),  # type: ignore[arg-type]
    )
    return read_circuit(params, ROW_VOLTS.tolist(), analysis=ANALYSIS)


def bench_compile_time(runs: int) -> None:
    cold, compiler_cpu = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["SPICEGEN_CACHE"] = cache
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            compile_model(MEMRISTOR, target="osdi")
            cold.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            compiler_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            cached = []
            for _ in range(5):
                start = time.perf_counter()
                compile_model(MEMRISTOR, target="osdi")
                cached.append(time.perf_counter() - start)
    os.environ.pop("SPICEGEN_CACHE", None)
    lines = MEMRISTOR.count("\n")
    print(f"compile the {lines}-line memristor to a native library, median of {runs}:")
    print(
        f"  cold (C compiler) {statistics.median(cold) * 1e3:7.1f} ms wall, of which the C "
        f"compiler used {statistics.median(compiler_cpu) * 1e3:.0f} ms CPU (goal < 1000 ms)"
    )
    print(f"  cached            {statistics.median(cached) * 1e3:7.1f} ms (goal < 50 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions per timing")
    args = parser.parse_args()
    compile_model(MEMRISTOR)  # build the parser first: its one-off cost is not the compiler's
    bench_compile_time(args.runs)
    bench_crossbar(args.runs)
    print("(the 32x32 native crossbar against hand B-sources: benchmarks/bench_compile.py)")


if __name__ == "__main__":
    main()
