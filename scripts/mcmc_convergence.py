"""Why the memristor MCMC chains mixed slowly, and what preconditioning changes: the sampler
diagnostics of one fold (breast cancer, fold 0 of 5, 455 training samples, 31 weights; or
``--dataset iris|wine``) under several settings, each 4 chains from over-dispersed starts, the
first half burn-in.

Per setting: acceptance, ESS over the 4 chains (median and smallest over weights), the largest
rank-normalised split R-hat over weights, and the R-hat of the log posterior density, plus the
test accuracy of the model average. The settings separate the suspects: the device's
level-dependent spread (``ideal``: a constant spread), the number of weights moved per
proposal (``block``), the posterior's shape (software Metropolis-Hastings with Gaussian
proposals, plain and preconditioned), and the bottom of the ``rram_hfo2`` window (``floor``).
Long chains record every ``samples // 20000``-th state (``trace_every``; the diagnostics are
then those of the thinned chains), so memory stays bounded. ``pilot``: the transform from a
pilot run's sample covariance instead of the Laplace one (its proposals are not in the
proposals/chain column).

    .venv/bin/python scripts/mcmc_convergence.py [--samples 4000 ...] [--only NAME ...]
        [--dataset breast_cancer|iris|wine] [--grid]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from spicegen import models
from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.diagnostics import effective_sample_size, rank_rhat
from spicegen.learn.mcmc import MCMCClassifier
from spicegen.learn.mcmc_devices import device_kind

# name: (device, floor, sampler options)
SETTINGS: dict[str, tuple[str | None, float, dict[str, Any]]] = {
    "rram, block 4": ("rram_hfo2", 0.0, {"block": 4}),
    "rram, block 1": ("rram_hfo2", 0.0, {"block": 1}),
    "rram, all 31": ("rram_hfo2", 0.0, {"block": 31}),
    "ideal, block 4": ("ideal", 0.0, {"block": 4}),
    "software MH": (None, 0.0, {"step": 0.04}),
    "software MH, preconditioned": (None, 0.0, {"step": 0.04, "precondition": True}),
    "rram, block 4, preconditioned (width 0.25)": (
        "rram_hfo2", 0.0, {"block": 4, "precondition": True, "precondition_width": 0.25},
    ),
    "rram, block 4, preconditioned, floor 0.2": (
        "rram_hfo2", 0.2, {"block": 4, "precondition": True, "precondition_width": 0.4},
    ),
    "dw, block 4, preconditioned (width 0.25)": (
        "dw_synapse", 0.0, {"block": 4, "precondition": True, "precondition_width": 0.25},
    ),
    **{
        f"rram, block 4, pilot {pilot}, floor 0.2": (
            "rram_hfo2", 0.2,
            {"block": 4, "precondition": True, "precondition_width": 0.4, "pilot": pilot},
        )
        for pilot in (4000, 10000)
    },
}  # fmt: skip
# --grid: the rram_hfo2 floor (how uniform the cycle's spread is over the used window) against
# the posterior width in the held weights (how large the device's steps are against it)
GRID: dict[str, tuple[str | None, float, dict[str, Any]]] = {
    f"rram, block 4, preconditioned, floor {floor}, width {width}": (
        "rram_hfo2", floor, {"block": 4, "precondition": True, "precondition_width": width},
    )
    for floor in (0.2, 0.4, 0.6)
    for width in (0.25, 0.4, 0.6)
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[4000],
                        help="proposals per chain (several: one line each)")  # fmt: skip
    parser.add_argument("--only", nargs="*", default=None, choices=sorted(SETTINGS))
    parser.add_argument("--grid", action="store_true",
                        help="instead: rram floors against widths")  # fmt: skip
    parser.add_argument("--dataset", default="breast_cancer",
                        choices=["breast_cancer", "iris", "wine"])  # fmt: skip
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    x, y = data.x[part.train], data.y[part.train]
    print("| setting | proposals/chain | acceptance | ESS median (min) | R-hat max "
          "| R-hat log p | test acc. % | seconds |\n|" + "---|" * 8)  # fmt: skip
    for name, (device, floor, options) in (GRID if args.grid else SETTINGS).items():
        if args.only is not None and name not in args.only:
            continue
        kind = None
        if device is not None:
            kind = device_kind(None if device == "ideal" else models.load(device), floor=floor)
        for samples in args.samples:
            start = time.perf_counter()
            sampler = MCMCClassifier(kind, samples=samples, chains=4, seed=1, progress=False,
                                     trace_every=max(1, samples // 20000), **options)  # fmt: skip
            sampler.fit(x, y)
            run = sampler.run_
            assert run is not None
            ess = effective_sample_size(run.draws)
            rhat = float(np.nanmax(rank_rhat(run.draws)))
            rhat_log_p = float(rank_rhat(run.log_density_draws)[0])
            score = sampler.score(data.x[part.test], data.y[part.test])
            print(f"| {name} | {samples} | {run.acceptance:.2f} | {np.nanmedian(ess):.0f} "
                  f"({np.nanmin(ess):.0f}) | {rhat:.3f} | {rhat_log_p:.3f} | {100 * score:.1f} "
                  f"| {time.perf_counter() - start:.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
