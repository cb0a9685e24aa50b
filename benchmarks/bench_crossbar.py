"""Generating a 1024x1024 crossbar netlist with ``spicegen.circuits.crossbar``, both paths.

Times ``read_circuit(params, ...)`` plus ``to_ngspice`` on the element path (weights ->
conductances -> ~1M checked elements in a ``Subckt``) and on the bulk path (``bulk=True``: the
same array as ``ElementBlock``s checked per row, written by the writer's fast path), and
prints medians, the peak traced memory and the peak resident size of a fresh process
generating the deck once, with ratios against a baseline measured in the same run: the same
deck text written with bare f-strings straight from the conductance matrix (no element
objects, no checks). All three texts are checked equal. Cases: ideal lines (1M devices) and
resistive lines (1M devices + 2M wire segments). Never asserts on time.

    .venv/bin/python benchmarks/bench_crossbar.py [--size 1024] [--runs 3] [--case resistive]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from spicegen.circuits.crossbar import (
    CrossbarParams,
    Wires,
    crossbar,
    mapped_matrix,
    read_circuit,
)
from spicegen.netlist import to_ngspice

PATHS = ("element", "bulk", "baseline")


def generate(params: CrossbarParams, voltages: list[float], bulk: bool = False) -> str:
    """The generator under test: params -> Circuit -> deck text (element or bulk path)."""
    return to_ngspice(read_circuit(params, voltages, bulk=bulk))


def baseline_text(params: CrossbarParams, voltages: list[float]) -> str:
    """The same deck by bare f-strings from the conductance matrix (equal bytes, checked)."""
    rows, columns = params.rows, params.columns
    ohms = (1.0 / mapped_matrix(params)).tolist()
    wired_rows = params.wires.row_segment > 0
    wired_columns = params.wires.column_segment > 0
    lines = [f"{params.name} {rows}x{columns} 1R read"]
    lines.append(" ".join([".subckt", params.name, *(f"row{i}" for i in range(rows)),
                           *(f"col{j}" for j in range(columns))]))  # fmt: skip
    ports = [f"row{i}" for i in range(rows)] + [f"col{j}" for j in range(columns)]
    row_r, column_r = params.wires.row_segment, params.wires.column_segment
    for i, row in enumerate(ohms):  # row by row, as the generator orders its elements
        if wired_rows:
            top = [f"r{i}_{j}" for j in range(columns)]
            left = [f"row{i}", *top[:-1]]
            lines += [
                f"Rr{i}_{j} {a} {b} {row_r!r}"
                for j, (a, b) in enumerate(zip(left, top, strict=True))
            ]
        else:
            top = [f"row{i}"] * columns
        bottom = [f"c{j}_{i}" for j in range(columns)] if wired_columns else ports[rows:]
        lines += [
            f"R{i}_{j} {a} {b} {value!r}"
            for j, (a, b, value) in enumerate(zip(top, bottom, row, strict=True))
        ]
        if wired_columns:
            below = [f"c{j}_{i + 1}" for j in range(columns)] if i + 1 < rows else ports[rows:]
            lines += [
                f"Rc{j}_{i} {a} {b} {column_r!r}"
                for j, (a, b) in enumerate(zip(bottom, below, strict=True))
            ]
    lines.append(f".ends {params.name}")
    lines.append(" ".join(["Xarray", *ports, params.name]))
    lines += [f"Vrow{i} row{i} 0 dc {v!r}" for i, v in enumerate(voltages)]
    lines += [f"Vcol{j} col{j} 0 dc 0.0" for j in range(columns)]
    lines += [".options klu", ".op", ".end"]
    return "\n".join(lines) + "\n"


def median_times(function: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time of this process in s of ``runs`` calls, and the
    last result. On a shared machine the CPU time is the steadier figure: it leaves out the
    time the process waited for a core."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        result = None
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), result


def median_time(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in s of ``runs`` calls, and the last result."""
    wall, _, result = median_times(function, runs)
    return wall, result


def peak_traced_mb(function: Callable[[], Any]) -> float:
    """Peak traced Python allocation in MB while ``function`` runs."""
    gc.collect()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def own_peak_rss_mb() -> float:
    """This process's peak resident size in MB.

    Linux's VmHWM belongs to the address space and starts afresh at exec; ``ru_maxrss`` would
    also count the parent's size at fork, which is what the parent of this child has.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1e3  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux


def child_peak_rss_mb(size: int, case: str, path: str) -> float:
    """Peak resident size in MB of a fresh process that generates the deck once by ``path``
    (``element``, ``bulk`` or ``baseline``), from the weights to the text."""
    done = subprocess.run(
        [sys.executable, __file__, "--size", str(size), "--case", case, "--child", path],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="rows = columns")
    parser.add_argument("--runs", type=int, default=3, help="runs per median")
    parser.add_argument(
        "--case", choices=("ideal", "resistive", "both"), default="both", help="line model"
    )
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    size, runs = args.size, args.runs
    rng = np.random.default_rng(1)
    weights = rng.uniform(0.0, 1.0, (size, size))
    voltages = rng.uniform(0.0, 0.2, size).tolist()
    cases = {
        "ideal lines": Wires(),
        "resistive lines": Wires(row_segment=2.5, column_segment=2.5),
    }
    if args.child:  # one generation, then report this process's peak resident size
        params = CrossbarParams(weights, wires=cases[f"{args.case} lines"])
        if args.child == "baseline":
            baseline_text(params, voltages)
        else:
            generate(params, voltages, bulk=args.child == "bulk")
        print(own_peak_rss_mb())
        return
    if args.case != "both":
        cases = {f"{args.case} lines": cases[f"{args.case} lines"]}
    for label, wires in cases.items():
        params = CrossbarParams(weights, wires=wires)
        t_element, c_element, text = median_times(lambda p=params: generate(p, voltages), runs)
        t_bulk, c_bulk, fast = median_times(lambda p=params: generate(p, voltages, bulk=True), runs)
        t_base, c_base, base = median_times(lambda p=params: baseline_text(p, voltages), runs)
        if not text == fast == base:  # the ratios only mean something if all write the same
            raise SystemExit(f"{label}: element path, bulk path and baseline disagree")
        elements = text.count("\n") - 6 - 1  # minus title, .subckt/.ends, .options/.op/.end
        del fast, base
        mem_element = peak_traced_mb(lambda p=params: generate(p, voltages))
        mem_bulk = peak_traced_mb(lambda p=params: generate(p, voltages, bulk=True))
        mem_base = peak_traced_mb(lambda p=params: baseline_text(p, voltages))
        t_params, _ = median_time(lambda w=wires: CrossbarParams(weights, wires=w), runs)
        t_array, _ = median_time(lambda p=params: crossbar(p), runs)
        t_blocks, _ = median_time(lambda p=params: crossbar(p, bulk=True), runs)
        circuit = read_circuit(params, voltages)
        t_write, _ = median_time(lambda c=circuit: to_ngspice(c), runs)
        circuit = read_circuit(params, voltages, bulk=True)
        t_write_bulk, _ = median_time(lambda c=circuit: to_ngspice(c), runs)
        del circuit
        case = label.split()[0]
        rss = {path: child_peak_rss_mb(size, case, path) for path in PATHS}
        print(f"crossbar {size}x{size}, {label}: ~{elements:,} element lines, "
              f"deck {len(text) / 1e6:.1f} MB, {runs} runs")  # fmt: skip
        print(f"  CrossbarParams(weights)          {t_params:7.3f} s")
        print(f"  element path: read + to_ngspice  {t_element:7.3f} s")
        print(f"    of which crossbar(params)      {t_array:7.3f} s  (elements, checked)")
        print(f"    of which to_ngspice            {t_write:7.3f} s")
        print(f"  bulk path: read + to_ngspice     {t_bulk:7.3f} s")
        print(f"    of which crossbar(bulk=True)   {t_blocks:7.3f} s  (blocks, checked per row)")
        print(f"    of which to_ngspice            {t_write_bulk:7.3f} s  (block fast path)")
        print(f"  baseline f-strings               {t_base:7.3f} s")
        print(f"  ratio element path / baseline    {t_element / t_base:7.2f}  "
              f"(CPU time {c_element / c_base:.2f})")  # fmt: skip
        print(f"  ratio bulk path / baseline       {t_bulk / t_base:7.2f}  "
              f"(CPU time {c_bulk / c_base:.2f})")  # fmt: skip
        print(f"  ratio bulk path / element path   {t_bulk / t_element:7.2f}  "
              f"(CPU time {c_bulk / c_element:.2f})")  # fmt: skip
        print(f"  CPU time: element {c_element:.3f} s, bulk {c_bulk:.3f} s, "
              f"baseline {c_base:.3f} s")  # fmt: skip
        print(f"  peak traced memory: element {mem_element:.0f} MB, bulk {mem_bulk:.0f} MB, "
              f"baseline {mem_base:.0f} MB")  # fmt: skip
        print(f"  peak resident size of a fresh process generating it once: element "
              f"{rss['element']:.0f} MB, bulk {rss['bulk']:.0f} MB, "
              f"baseline {rss['baseline']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
