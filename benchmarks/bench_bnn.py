"""Binarized-network training throughput and the SPICE cost of the write characterisations.

1. Training throughput (samples/s) of the binarized trainer with MTJ writes, and of the
   weak-RESET trainer (every weight a pair of ``rram_hfo2`` cells), against the full-precision
   trainer on the same split (the software baseline, same network), digits, 256 hidden units;
   medians of ``--repeats`` one-epoch runs; the ratios are the figures.
2. The characterisations' cost: a fresh Monte Carlo run (``--devices`` MTJs at i = 2; 8 weak-RESET
   cells), in a private cache, against the second call with the same key, served from the cache.

Prints medians and ratios; never asserts on time. ``python benchmarks/bench_bnn.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # small matrices: one BLAS thread is fastest
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from spicegen import models
from spicegen.learn.approximate_memory import seed_split, train_on_split
from spicegen.learn.bnn import BnnConfig
from spicegen.learn.datasets import load_dataset
from spicegen.learn.synapses import MramPulse
from spicegen.learn.weak_reset import WeakResetDevices, train_weak_reset
from spicegen.surrogate.mram_write import MramWriteSpec, characterise_mram_write
from spicegen.surrogate.rram_weak_reset import WeakResetSpec, characterise_weak_reset

WEAK_RESET_SPEC = WeakResetSpec(devices=8, trains=1)  # the docs example's size


def throughput(repeats: int) -> None:
    split = seed_split(load_dataset("digits"), 0)
    samples = split.x_train.shape[0]
    pulse = MramPulse(current=113e-6, width=4e-9, error=0.3, energy=3e-13)
    rates = {}
    for name, config, synapse in (
        ("full precision", BnnConfig(epochs=1, binary=False), None),
        ("binarized, MTJ writes", BnnConfig(epochs=1), pulse),
    ):
        times = []
        for seed in range(repeats):
            began = time.perf_counter()
            train_on_split(split, config, synapse, seed)
            times.append(time.perf_counter() - began)
        rates[name] = samples / statistics.median(times)
        print(f"{name:>24}: {rates[name]:9.0f} samples/s (median of {repeats} epochs)")
    devices = WeakResetDevices(characterise_weak_reset(models.load("rram_hfo2"), WEAK_RESET_SPEC))
    times = []
    for seed in range(repeats):
        began = time.perf_counter()
        train_weak_reset(split.x_train, split.y_train, split.classes, devices,
                         BnnConfig(epochs=1), seed=seed)  # fmt: skip
        times.append(time.perf_counter() - began)
    rates["weak-RESET pairs"] = samples / statistics.median(times)
    print(f"{'weak-RESET pairs':>24}: {rates['weak-RESET pairs']:9.0f} samples/s "
          f"(median of {repeats} epochs)")  # fmt: skip
    for name in ("binarized, MTJ writes", "weak-RESET pairs"):
        ratio = rates[name] / rates["full precision"]
        print(f"{'ratio ' + name.split(',')[0] + '/full':>24}: {ratio:.2f}")


def characterisation(devices: int) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SPICEGEN_CACHE"] = cache
        spec = MramWriteSpec(currents=(2.0,), devices=devices)
        mtj = models.load("mtj")
        began = time.perf_counter()
        first = characterise_mram_write(mtj, spec)
        fresh = time.perf_counter() - began
        began = time.perf_counter()
        second = characterise_mram_write(mtj, spec)
        cached = time.perf_counter() - began
        rram = models.load("rram_hfo2")
        began = time.perf_counter()
        first_rram = characterise_weak_reset(rram, WEAK_RESET_SPEC)
        fresh_rram = time.perf_counter() - began
        began = time.perf_counter()
        second_rram = characterise_weak_reset(rram, WEAK_RESET_SPEC)
        cached_rram = time.perf_counter() - began
    assert (first.cached, second.cached) == (False, True)
    assert (first_rram.cached, second_rram.cached) == (False, True)
    print(
        f"{'characterisation':>24}: {fresh:.2f} s fresh ({devices} MTJs), "
        f"{cached * 1e3:.1f} ms cached"
    )
    print(f"{'ratio fresh/cached':>24}: {fresh / cached:.0f}")
    print(
        f"{'weak-RESET':>24}: {fresh_rram:.2f} s fresh ({WEAK_RESET_SPEC.devices} cells), "
        f"{cached_rram * 1e3:.1f} ms cached, ratio {fresh_rram / cached_rram:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--devices", type=int, default=100)
    args = parser.parse_args()
    throughput(args.repeats)
    characterisation(args.devices)


if __name__ == "__main__":
    main()
