"""Proposals per second of the memristor MCMC sampler on both engines, and whether they sample
the same posterior.

Speed: Bayesian logistic regression on the breast-cancer data's first training fold (31
weights, 62 ``rram_hfo2`` devices, 455 samples per likelihood read), 4 chains, 4 weights
reprogrammed per proposal; each engine runs the same chain settings ``--runs`` times and the
median seconds per proposal (all chains' proposals counted) give proposals/s and the ratio
fast / SPICE (the baseline, measured in the same run). The SPICE engine reads each chain's
array with an ngspice ``.dc`` sweep through the crossbar (1 ohm line segments).

Posterior: a one-feature logistic regression (2 weights, 40 samples) sampled by each engine
from a different seed; the stored samples (each line repeated by its holds), thinned to about
one draw per effective sample, are compared weight by weight with a two-sample
Kolmogorov-Smirnov test (a p-value far below 0.05 would say the posteriors differ).
Never asserts on time.

    .venv/bin/python benchmarks/bench_mcmc.py [--runs 3] [--spice-iterations 3]
        [--posterior-iterations 600]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.stats import ks_2samp

from spicegen import models
from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.diagnostics import effective_sample_size
from spicegen.learn.mcmc import MCMCClassifier
from spicegen.learn.mcmc_devices import DeviceKind, device_kind


def seconds_per_proposal(
    device: DeviceKind, engine: str, x: np.ndarray, y: np.ndarray, iterations: int, runs: int
) -> float:
    """Median over ``runs`` of wall seconds per proposal (4 chains x ``iterations``)."""
    times = []
    for run in range(runs):
        sampler = MCMCClassifier(device, engine=engine, samples=iterations, burn_in=0,
                                 chains=4, block=4, seed=run, progress=False)  # fmt: skip
        start = time.perf_counter()
        sampler.fit(x, y)
        times.append((time.perf_counter() - start) / (4 * iterations))
    return statistics.median(times)


def stored_draws(sampler: MCMCClassifier) -> np.ndarray:
    """The stored lines' weights, each repeated by its holds, thinned to ~one draw per ESS."""
    run, hardware = sampler.run_, sampler.hardware_
    assert run is not None and hardware is not None
    ess = float(np.min(effective_sample_size(run.draws)))
    draws = np.repeat(hardware.weights(run.rows.states), run.rows.holds, axis=0)
    step = max(1, int(np.ceil(draws.shape[0] / max(ess, 1.0))))
    return draws[::step]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fast-iterations", type=int, default=500)
    parser.add_argument("--spice-iterations", type=int, default=3)
    parser.add_argument("--posterior-iterations", type=int, default=600)
    args = parser.parse_args()
    device = device_kind(models.load("rram_hfo2"))

    data = load_dataset("breast_cancer")
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    x, y = data.x[part.train], data.y[part.train]
    spice = seconds_per_proposal(device, "spice", x, y, args.spice_iterations, args.runs)
    fast = seconds_per_proposal(device, "fast", x, y, args.fast_iterations, args.runs)
    print(f"breast cancer, {x.shape[0]} samples x {x.shape[1]} features, 62 rram_hfo2 devices, "
          f"median of {args.runs} runs (a shared 2-core machine)")  # fmt: skip
    print(f"  spice engine: {1 / spice:10.1f} proposals/s  ({1e3 * spice:.1f} ms each)")
    print(f"  fast engine:  {1 / fast:10.1f} proposals/s  ({1e6 * fast:.1f} us each)")
    print(f"  fast / spice: {spice / fast:10.0f}x")

    rng = np.random.default_rng(11)
    xs = rng.normal(0.0, 1.0, (40, 1))
    ys = (rng.random(40) < 1 / (1 + np.exp(-(1.5 * xs[:, 0] - 0.5)))).astype(np.int64)
    iterations = args.posterior_iterations
    samplers = {
        engine: MCMCClassifier(
            device,
            engine=engine,
            samples=iterations,
            burn_in=iterations // 5,
            chains=4,
            seed=seed,
            progress=False,
        ).fit(xs, ys)
        for engine, seed in (("spice", 1), ("fast", 2))
    }
    draws = {engine: stored_draws(s) for engine, s in samplers.items()}
    print(f"posterior, 1 feature x 40 samples, 4 chains x {iterations} proposals per engine, "
          f"different seeds; {draws['spice'].shape[0]} (spice) and {draws['fast'].shape[0]} "
          "(fast) thinned stored draws")  # fmt: skip
    for k, name in enumerate(("w", "b")):
        test = ks_2samp(draws["spice"][:, k], draws["fast"][:, k])
        print(f"  {name}: mean {draws['spice'][:, k].mean():+.3f} (spice) "
              f"{draws['fast'][:, k].mean():+.3f} (fast), sd {draws['spice'][:, k].std():.3f} "
              f"{draws['fast'][:, k].std():.3f}; KS D = {test.statistic:.3f}, "
              f"p = {test.pvalue:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
