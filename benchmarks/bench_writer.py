"""Netlist construction and writing for a 1024x1024 resistor crossbar (~1M elements).

Prints medians of several runs and ratios against a baseline measured in the same run: the bare
f-string join of the same lines from the same raw data (the practical limit of Python text
generation). Never asserts on time.

    .venv/bin/python benchmarks/bench_writer.py [--size 1024] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from spicegen.netlist import Circuit, Op, Resistor, VoltageSource, to_ngspice


def crossbar_data(size: int) -> tuple[list[tuple[str, str, str, float]], list[float]]:
    """Raw crossbar data: (name, row node, column node, ohms) per device; row drive volts."""
    devices = [
        (f"R{row}_{col}", f"r{row}", f"c{col}", 1e3 + row + col * 1e-3)
        for row in range(size)
        for col in range(size)
    ]
    return devices, [0.1 * (row % 10) for row in range(size)]


def build_circuit(
    devices: list[tuple[str, str, str, float]], drives: list[float], size: int
) -> Circuit:
    """Crossbar: one resistor per crosspoint, a source per row, columns held at ground."""
    elements: list[Any] = [Resistor(name, p, n, value) for name, p, n, value in devices]
    elements += [VoltageSource(f"Vr{row}", f"r{row}", "0", dc=v) for row, v in enumerate(drives)]
    elements += [VoltageSource(f"Vc{col}", f"c{col}", "0") for col in range(size)]
    return Circuit(title=f"crossbar {size}x{size}", elements=tuple(elements), analyses=(Op(),))


def baseline_text(
    devices: list[tuple[str, str, str, float]], drives: list[float], size: int
) -> str:
    """The same deck by a bare f-string join: no types, no validation."""
    lines = [f"crossbar {size}x{size}"]
    lines += [f"{name} {p} {n} {value!r}" for name, p, n, value in devices]
    lines += [f"Vr{row} r{row} 0 dc {v!r}" for row, v in enumerate(drives)]
    lines += [f"Vc{col} c{col} 0 dc 0.0" for col in range(size)]
    lines += [".op", ".end"]
    return "\n".join(lines) + "\n"


def median_time(
    function: Callable[[], Any], runs: int, *, pause_gc: bool = False
) -> tuple[float, Any]:
    """Median wall time in s of ``runs`` calls, and the last result.

    ``pause_gc`` switches Python's cyclic garbage collector off during each call, to show how
    much of a bulk construction is the collector scanning the growing heap.
    """
    times = []
    result = None
    for _ in range(runs):
        result = None
        gc.collect()
        if pause_gc:
            gc.disable()
        try:
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times), result


def peak_memory(function: Callable[[], Any]) -> float:
    """Peak traced allocation in MB while ``function`` runs (result kept alive until the end)."""
    gc.collect()
    tracemalloc.start()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="rows = columns")
    parser.add_argument("--runs", type=int, default=5, help="runs per median")
    args = parser.parse_args()
    size, runs = args.size, args.runs

    devices, drives = crossbar_data(size)
    t_build, circuit = median_time(lambda: build_circuit(devices, drives, size), runs)
    t_build_nogc, _ = median_time(lambda: build_circuit(devices, drives, size), runs, pause_gc=True)
    t_write, text = median_time(lambda: to_ngspice(circuit), runs)
    t_base, base = median_time(lambda: baseline_text(devices, drives, size), runs)
    if text != base:  # the ratio only means something if both produce the same bytes
        raise SystemExit("writer and baseline disagree")

    mem_build = peak_memory(lambda: build_circuit(devices, drives, size))
    mem_write = peak_memory(lambda: to_ngspice(circuit))
    mem_base = peak_memory(lambda: baseline_text(devices, drives, size))

    n = len(circuit.elements)
    print(f"crossbar {size}x{size}: {n:,} elements, deck {len(text) / 1e6:.1f} MB, {runs} runs")
    print(f"  construct Circuit   {t_build:7.3f} s  ({t_build / n * 1e6:.2f} us/element)")
    print(f"    same, gc paused   {t_build_nogc:7.3f} s  (the rest is Python's cyclic GC)")
    print(f"  to_ngspice          {t_write:7.3f} s  ({t_write / n * 1e6:.2f} us/element)")
    print(f"  baseline f-strings  {t_base:7.3f} s")
    print(f"  ratio write/baseline            {t_write / t_base:5.2f}")
    print(f"  ratio (construct+write)/baseline {(t_build + t_write) / t_base:5.2f}")
    print(
        f"  peak memory: construct {mem_build:.0f} MB, to_ngspice {mem_write:.0f} MB, "
        f"baseline {mem_base:.0f} MB (ratio write/baseline {mem_write / mem_base:.2f})"
    )


if __name__ == "__main__":
    main()
