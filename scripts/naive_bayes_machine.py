"""Discretised naive Bayes on the Bayesian machine simulated in ngspice (XSPICE logic, ideal
memory bits), against exact naive Bayes: agreement and accuracy against clock cycles.

Per dataset: features binned at the quartiles of the training part of fold 0 of 5 (stratified,
seed 0), Laplace-smoothed likelihood tables stored as 8-bit codes, no priors; every test sample
is one ngspice run of 255 cycles (one LFSR period), each class's count read after every cycle.
Writes ``OUT/naive_bayes.png`` (default ``docs/learn/img/mcmc``) and prints a Markdown table.

    .venv/bin/python scripts/naive_bayes_machine.py [--datasets iris wine] [--bins 4] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.naive_bayes import (
    Discretiser,
    exact_decisions,
    fit_tables,
    machine_counts,
    quantised_tables,
)

ROOT = Path(__file__).resolve().parents[1]
BITS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["iris", "wine"])
    parser.add_argument("--bins", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn" / "img" / "mcmc")
    args = parser.parse_args()
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    rows = []
    for name in args.datasets:
        data = load_dataset(name)
        part = next(iter(stratified_folds(data.y, 5, seed=0)))
        binning = Discretiser.fit(data.x[part.train], args.bins)
        table = fit_tables(binning(data.x[part.train]), data.y[part.train], args.bins)
        stored = quantised_tables(table, BITS)
        test, labels = binning(data.x[part.test]), data.y[part.test]
        exact = exact_decisions(stored, test)
        exact_float = exact_decisions(table, test)
        seconds, decisions, zero = [], [], 0
        for observation in test:
            start = time.perf_counter()
            counts = machine_counts(stored, observation, bits=BITS)
            seconds.append(time.perf_counter() - start)
            decisions.append(counts.argmax(axis=0))  # the decision after each cycle
            zero += int(counts[:, -1].max() == 0)
        made = np.stack(decisions)  # (samples, cycles)
        cycles = np.arange(1, made.shape[1] + 1)
        agreement = (made == exact[:, None]).mean(axis=0)
        accuracy = (made == labels[:, None]).mean(axis=0)
        axes[0].plot(cycles, agreement, label=name)
        axes[1].plot(cycles, accuracy, label=f"{name} machine")
        colour = axes[1].lines[-1].get_color()
        axes[1].axhline((exact == labels).mean(), ls="--", lw=0.8, color=colour,
                        label=f"{name} exact NB")  # fmt: skip
        rows.append(
            f"| {name} | {data.x.shape[1]} x {args.bins} | {len(labels)} | "
            f"{100 * agreement[-1]:.1f} | {100 * accuracy[-1]:.1f} | "
            f"{100 * (exact == labels).mean():.1f} | {100 * (exact_float == labels).mean():.1f} | "
            f"{zero} | {np.median(seconds):.1f} |"
        )
        print(rows[-1], flush=True)
    axes[0].set_xlabel("clock cycles")
    axes[0].set_ylabel("agreement with exact naive Bayes")
    axes[1].set_xlabel("clock cycles")
    axes[1].set_ylabel("test accuracy")
    for axis in axes:
        axis.set_xscale("log")
        axis.legend(fontsize=7)
    figure.tight_layout()
    args.out.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out / "naive_bayes.png", dpi=110)
    print("| dataset | features x bins | test samples | agreement % (255 cycles) | machine acc. % "
          "| exact NB acc. % (8-bit codes) | exact NB acc. % (float) | all counts 0 "
          "| s per decision (ngspice) |\n|" + "---|" * 9)  # fmt: skip
    print("\n".join(rows))


if __name__ == "__main__":
    main()
