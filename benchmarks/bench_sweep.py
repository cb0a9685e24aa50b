"""Sweep throughput: serial loop of ``simulate`` vs ``sweep.run`` on a local pool and on a
localhost Dask cluster, all in the same run, on the same points.

Points are 32x32 resistive crossbar transients (row drivers with a pulse, cell resistors and
capacitors, wire segments); the drive amplitude varies per point. Prints points/s (median of
``--repeat`` runs), the speed-up over the serial loop, the parallel efficiency
(speed-up / workers; goal >= 85 %) and the machinery overhead of a 1-worker pool against the
serial loop (goal < 5 %). Never asserts on time. ``python benchmarks/bench_sweep.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from spicegen import Circuit, simulate
from spicegen.netlist import Capacitor, Option, Pulse, Resistor, Tran, VoltageSource
from spicegen.sweep import Measure, SweepSpec, parameters, run
from spicegen.sweep.lifeline import tied


def crossbar(params: Mapping[str, float], seed: int, size: int = 32) -> Circuit:
    """A ``size`` x ``size`` crossbar: rows driven by a pulse of ``params["drive"]`` V, cells of
    10-13.6 kohm with 1 fF to ground, 1 ohm wire segments, columns sensed at 0 V; 200 ns tran."""
    drive = params["drive"]
    elements: list[object] = []
    for i in range(size):
        level = drive * (1 + 0.01 * i)
        pulse = Pulse(0, level, 1e-9, 1e-9, 1e-9, 50e-9, 100e-9)
        elements.append(VoltageSource(f"Vrow{i}", f"r{i}_0", "0", waveform=pulse))
        for j in range(size):
            elements.append(
                Resistor(f"Rc{i}_{j}", f"r{i}_{j}", f"c{i}_{j}", 1e4 + 37.0 * ((i * size + j) % 97))
            )
            elements.append(Capacitor(f"Cc{i}_{j}", f"c{i}_{j}", "0", 1e-15))
            if j + 1 < size:
                elements.append(Resistor(f"Rr{i}_{j}", f"r{i}_{j}", f"r{i}_{j + 1}", 1.0))
            if i + 1 < size:
                elements.append(Resistor(f"Rw{i}_{j}", f"c{i}_{j}", f"c{i + 1}_{j}", 1.0))
    for j in range(size):
        elements.append(VoltageSource(f"Vcol{j}", f"c{size - 1}_{j}", "0", dc=0.0))
    return Circuit(
        title=f"{size}x{size} crossbar, drive {drive} V",
        elements=tuple(elements),  # type: ignore[arg-type]
        options=(Option("klu"),),
        analyses=(Tran(step=1e-9, stop=200e-9),),
    )


def spec(points: int) -> SweepSpec:
    drives = [0.1 + 0.01 * k for k in range(points)]
    return SweepSpec(
        circuit=crossbar,
        parameters=parameters(grid={"drive": drives}),
        measures=(Measure("i_col0", "max", "i(vcol0)"),),
        ladder=(),
    )


def serial(points: int) -> None:
    """The baseline: a plain loop of ``simulate`` on the same netlists."""
    for point in range(points):
        waves = simulate(crossbar({"drive": 0.1 + 0.01 * point}, 0)).waveforms
        float(waves.i("vcol0").max())


def sweep_once(points: int, executor: object, workers: int | None) -> None:
    directory = tempfile.mkdtemp(prefix="bench-sweep-")
    try:
        run(spec(points), executor, store=directory, workers=workers, progress=False)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def start_dask(workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    # tied: an interrupted benchmark does not leave the cluster running
    processes = [
        subprocess.Popen(tied([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"]), **quiet)  # type: ignore[call-overload]
    ]  # fmt: skip
    for _ in range(workers):
        processes.append(
            subprocess.Popen(tied([dask, "worker", address, "--nthreads", "1", "--no-nanny",
                                   "--memory-limit", "0", "--no-dashboard"]), **quiet)  # type: ignore[call-overload]
        )  # fmt: skip
    from distributed import Client

    for _ in range(100):
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(workers, timeout=60)
            return address, processes
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the Dask cluster did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, w = args.points, args.workers
    print(f"{n} points of a 32x32 crossbar transient, {w} worker(s), median of {args.repeat}")
    address, processes = start_dask(w)
    cases: dict[str, Callable[[], object]] = {
        "serial": lambda: serial(n),
        "pool1": lambda: sweep_once(n, "local", 1),
        "pool": lambda: sweep_once(n, "local", w),
        "dask": lambda: sweep_once(n, address, None),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    try:
        # round-robin, so every case sees the same machine load (shared machines drift)
        for _ in range(args.repeat):
            for name, function in cases.items():
                start = time.perf_counter()
                function()
                times[name].append(time.perf_counter() - start)
    finally:
        for process in processes[::-1]:
            process.terminate()
            process.wait()
    rate = {name: n / statistics.median(values) for name, values in times.items()}
    base = rate["serial"]
    print(f"serial simulate() loop  {base:7.2f} points/s")
    print(f"local pool, 1 worker    {rate['pool1']:7.2f} points/s  "
          f"overhead {100 * (base / rate['pool1'] - 1):+.1f} %")  # fmt: skip
    for name, label in (("pool", f"local pool, {w} workers"), ("dask", f"dask, {w} workers")):
        print(f"{label:<23} {rate[name]:7.2f} points/s  x{rate[name] / base:.2f}, "
              f"efficiency {100 * rate[name] / base / w:.0f} %")  # fmt: skip


if __name__ == "__main__":
    main()
