"""Finite-difference training speed, against baselines measured in the same run.

On the Iris network (4-8-3 by default, the chip of ``MtjChip()``), one training step is a
mini-batch of forward passes (each sample: set the input sources, one operating point, read
every activation and pair difference) followed by the write of the changed weights.

1. SPICE engine (``Session``): samples per second, and the per-step cost as a ratio to the same
   commands sent to libngspice in this process (PySpice's ctypes binding, no isolation) on the
   same netlist text (goal <= 1.5x).
2. Surrogate engine vs SPICE engine on the same steps (goal >= 100x faster).
3. Dask: the SPICE engine spread over a 2-worker localhost cluster against the local engine on
   larger batches; efficiency = local time / (2 x Dask time).
4. ``--full``: a whole Iris 5-fold run with the SPICE engine (goal < 10 min on 2 cores).

Prints medians and ratios; never asserts on time. ``python benchmarks/bench_train.py``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

from spicegen import models, to_ngspice
from spicegen.learn import load_dataset
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_spice import SpiceEngine
from spicegen.learn.fd_surrogate import SurrogateEngine


def steps(
    sizes: Sequence[int], count: int, batch: int, seed: int = 0
) -> list[tuple[list[np.ndarray], np.ndarray]]:
    """``count`` training steps: weights drifting as SGD moves them, and a batch of inputs."""
    rng = np.random.default_rng(seed)
    iris = load_dataset("iris")
    x = (iris.x - iris.x.min(0)) / np.ptp(iris.x, 0) * 2 - 1
    weights = [rng.uniform(-0.5, 0.5, (a + 1, b)) for a, b in itertools.pairwise(sizes)]
    result = []
    for _ in range(count):
        weights = [np.clip(w + rng.normal(0, 0.01, w.shape), -1, 1) for w in weights]
        result.append(([w.copy() for w in weights], x[rng.integers(0, len(x), batch)]))
    return result


def median_step(function: Callable[[list[np.ndarray], np.ndarray], object],
                work: list[tuple[list[np.ndarray], np.ndarray]]) -> float:  # fmt: skip
    """Median wall time of one step (s)."""
    times = []
    for weights, inputs in work:
        start = time.perf_counter()
        function(weights, inputs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


Work = list[tuple[list[np.ndarray], np.ndarray]]


def cpu_per_step(
    function: Callable[[list[np.ndarray], np.ndarray], object], work: Work, pids: Sequence[int] = ()
) -> float:
    """CPU time (s) per step of this process plus processes ``pids`` (the session's worker):
    on a machine shared with other jobs wall time measures the queue for the cores as much as
    the work, CPU time only the work."""

    def used() -> float:
        total = time.process_time()
        for pid in pids:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    start = used()
    for weights, inputs in work:
        function(weights, inputs)
    return (used() - start) / len(work)


class InProcess:
    """The SPICE engine's commands sent straight to libngspice in this process."""

    def __init__(self, engine: SpiceEngine) -> None:
        import logging

        from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi

        logging.getLogger("PySpice").setLevel(logging.CRITICAL)
        self.engine = engine
        self.ffi = ffi
        self.ngspice = NgSpiceShared.new_instance()
        self.ngspice.load_circuit(to_ngspice(engine.circuit))
        self.lib = self.ngspice._ngspice_shared
        # the netlist starts with every cell at g_min, as the engine's does
        sizes = engine.sizes
        self.ohms = [
            np.full((a + 1, 2 * b), 1 / engine.chip.g_min) for a, b in itertools.pairwise(sizes)
        ]
        self.vectors = [v[2:-1] for v in engine.vectors]  # v(a0_1) -> a0_1
        self.inputs = np.zeros(engine.sizes[0])

    def command(self, text: str) -> None:
        self.lib.ngSpice_Command(text.encode())

    def step(self, weights: list[np.ndarray], inputs: np.ndarray) -> None:
        chip = self.engine.chip
        for sample in inputs:
            volts = chip.read_voltage * sample
            for i, v in enumerate(volts):
                if v != self.inputs[i]:
                    self.command(f"alter vin{i} = {float(v)!r}")
            self.inputs = volts
            self.command("destroy all")
            self.command("op")
            plot = self.ffi.string(self.lib.ngSpice_CurPlot()).decode()
            for name in self.vectors:
                info = self.lib.ngGet_Vec_Info(f"{plot}.{name}".encode())
                float(info.v_realdata[0])
        span = chip.g_max - chip.g_min
        for layer, w in enumerate(weights):
            ohms = np.empty_like(self.ohms[layer])
            ohms[:, 0::2] = 1 / (chip.g_min + np.maximum(w, 0) * span)
            ohms[:, 1::2] = 1 / (chip.g_min + np.maximum(-w, 0) * span)
            for row, column in zip(*np.nonzero(ohms != self.ohms[layer]), strict=True):
                side = "pn"[column % 2]
                self.command(
                    f"alter r.xarray{layer}.r{row}_{column // 2}{side} = {ohms[row, column]!r}"
                )
            self.ohms[layer] = ohms


def engine_step(
    engine: SpiceEngine | SurrogateEngine,
) -> Callable[[list[np.ndarray], np.ndarray], object]:
    def step(weights: list[np.ndarray], inputs: np.ndarray) -> None:
        engine.forward(inputs)
        engine.program(weights)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="training steps per median")
    parser.add_argument("--batch", type=int, default=8, help="mini-batch size")
    parser.add_argument("--hidden", type=int, nargs="+", default=[8])
    parser.add_argument("--dask-batch", type=int, default=32)
    parser.add_argument("--full", action="store_true", help="also a whole Iris 5-fold SPICE run")
    parser.add_argument("--epochs", type=int, default=60, help="epochs of the --full run")
    args = parser.parse_args()
    device = models.load("mtj")
    chip = MtjChip()
    sizes = (4, *args.hidden, 3)
    work = steps(sizes, args.steps, args.batch)
    print(f"network {'-'.join(map(str, sizes))}, batch {args.batch}, medians of {args.steps} steps")

    spice = SpiceEngine(device, chip, sizes)
    surrogate = SurrogateEngine(device, chip, sizes)
    for engine in (spice, surrogate):
        engine.program(work[0][0])
    baseline = InProcess(spice)
    baseline.step(*work[0])
    spice.forward(work[0][1])
    in_process = median_step(baseline.step, work)
    session = median_step(engine_step(spice), work)
    fast = median_step(engine_step(surrogate), work)
    # the session's ngspice runs in its worker process: count that process's CPU too
    worker = [spice.session._worker._process.pid]  # type: ignore[union-attr]
    cpu_in_process = cpu_per_step(baseline.step, work)
    cpu_session = cpu_per_step(engine_step(spice), work, worker)
    cpu_fast = cpu_per_step(engine_step(surrogate), work)
    rows = [
        ("in-process libngspice (ctypes)", in_process, cpu_in_process, ""),
        ("SPICE engine (Session)", session, cpu_session,
         f"ratio to in-process: wall {session / in_process:.2f}x, "
         f"CPU {cpu_session / cpu_in_process:.2f}x; {args.batch / session:.1f} samples/s"),
        ("surrogate engine", fast, cpu_fast,
         f"faster than SPICE: wall {session / fast:.0f}x, CPU {cpu_session / cpu_fast:.0f}x"),
    ]  # fmt: skip
    print(f"  {'per step':<32}{'wall (median)':>14}{'CPU (mean)':>12}")
    for label, wall, cpu, note in rows:
        print(f"  {label:<32}{wall * 1e3:11.3f} ms{cpu * 1e3:9.3f} ms   {note}")

    try:
        import distributed
    except ImportError:
        print("  (no dask[distributed]: Dask efficiency not measured)")
    else:
        big = steps(sizes, max(5, args.steps // 3), args.dask_batch, seed=1)
        local = median_step(engine_step(spice), big)
        from spicegen.learn.fd_dask import DaskSpiceEngine

        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        )
        with cluster, distributed.Client(cluster) as client:
            spread = DaskSpiceEngine(device, chip, sizes, client)
            try:
                spread.program(big[0][0])
                spread.forward(big[0][1])
                dask = median_step(engine_step(spread), big)  # type: ignore[arg-type]
            finally:
                spread.close()
        print(f"  batch {args.dask_batch}: local SPICE {local * 1e3:.1f} ms/step, 2 Dask workers "
              f"{dask * 1e3:.1f} ms/step: speed-up {local / dask:.2f}x, "
              f"efficiency {100 * local / (2 * dask):.0f} %")  # fmt: skip
    spice.close()

    if args.full:
        from spicegen.learn.fd_run import cross_validate

        start = time.perf_counter()
        iris = load_dataset("iris")
        hidden = tuple(args.hidden)
        run = cross_validate(iris, folds=5, seed=0, engine="spice", device=device, hidden=hidden,
                             epochs=args.epochs, baseline=False)  # fmt: skip
        elapsed = time.perf_counter() - start
        print(f"  Iris 5-fold, SPICE engine, {args.epochs} epochs: {elapsed / 60:.1f} min, "
              f"accuracy {run.summary}")  # fmt: skip


if __name__ == "__main__":
    main()
