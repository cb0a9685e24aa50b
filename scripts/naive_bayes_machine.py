"""Discretised naive Bayes on both Bayesian machines (stochastic and logarithmic, XSPICE logic,
ideal memory bits) against exact naive Bayes: agreement and accuracy against clock cycles.

Per dataset: fold 0 of 5 (stratified, seed 0); iris and wine binned at the quartiles of the
training part, digits' 8x8 pixels (0..16) in 4 fixed bins (0-3, 4-7, 8-11, 12-16);
Laplace-smoothed likelihood tables, no priors. The stochastic machine stores 8-bit codes
``round(255 p)`` and counts 255 cycles (one LFSR period: its streams repeat after that, so
later periods add the same counts and change no decision); the logarithmic machine stores
8-bit costs ``round(-ln p / step)`` (the smallest likelihood at 255) and adds one observation
per cycle. Every decision is from the cycle-exact numpy models of the two machines
(``naive_bayes.stochastic_model_counts`` / ``logarithmic_model_sums``); the first
``--spice N`` test samples of each dataset (``--spice-digits N`` of digits, whose machine
takes many minutes per decision; ``--digits-cycles N`` simulates its stochastic machine's
first N cycles only, 0 none, 255 the whole decision; ``--spice-timeout`` s of ngspice each)
are also simulated in ngspice and must equal the model count for count and every
comparator's bit, cycle by cycle (the script stops otherwise); ``--digits-logarithmic no``
skips digits' logarithmic machine in ngspice.

Writes ``OUT/naive_bayes.png`` (agreement with exact naive Bayes on the unquantised tables,
and accuracy, against cycles) and ``OUT/naive_bayes_small_posteriors.png`` (wine, the case
whose products are far below 1/255) and prints a Markdown table.

    .venv/bin/python scripts/naive_bayes_machine.py [--datasets iris wine digits] [--spice 5]
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
    log_costs,
    logarithmic_model_sums,
    machine_streams,
    machine_sums,
    quantised_tables,
    stochastic_model_bits,
    stochastic_model_counts,
)

ROOT = Path(__file__).resolve().parents[1]
BITS, BINS = 8, 4


def binned(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value indices and labels of fold 0's training and test parts."""
    data = load_dataset(name)
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    if name == "digits":  # most pixels are 0 in most images: quantiles would not separate
        binning = Discretiser(tuple(np.array([3.5, 7.5, 11.5]) for _ in range(64)), BINS)
    else:
        binning = Discretiser.fit(data.x[part.train], BINS)
    x = binning(data.x)
    return x[part.train], data.y[part.train], x[part.test], data.y[part.test]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["iris", "wine", "digits"])
    parser.add_argument("--spice", type=int, default=5, help="test samples checked in ngspice")
    parser.add_argument("--spice-digits", type=int, default=1, help="digits samples in ngspice")
    parser.add_argument(
        "--digits-cycles", type=int, help="cycles of digits' stochastic machine in ngspice"
    )
    parser.add_argument("--spice-timeout", type=float, default=600.0, help="s per ngspice run")
    parser.add_argument("--digits-logarithmic", choices=("yes", "no"), default="yes")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "learn" / "img" / "bayesian_machine"
    )
    args = parser.parse_args()
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    small, small_axis = plt.subplots(figsize=(5.5, 3.8))
    rows = []
    for name in args.datasets:
        train, train_y, test, labels = binned(name)
        table = fit_tables(train, train_y, BINS)
        stored = quantised_tables(table, BITS)
        costs, step = log_costs(table, BITS)
        exact = exact_decisions(table, test)
        exact_codes = exact_decisions(stored, test)
        exact_costs = exact_decisions(np.exp(-costs * step), test)
        counts = stochastic_model_counts(stored, test, BITS)  # (samples, classes, 255)
        sums = logarithmic_model_sums(costs, test)  # (samples, classes, features)
        seconds = {"stochastic": [], "logarithmic": []}
        checked = args.spice_digits if name == "digits" else args.spice
        spice_cycles = args.digits_cycles if name == "digits" else None
        for k in range(min(checked, len(test))):
            same = True
            if spice_cycles != 0:  # --digits-cycles 0: the logarithmic machine only
                start = time.perf_counter()
                blocks, spice_counts = machine_streams(stored, test[k], bits=BITS,
                                                       cycles=spice_cycles,
                                                       timeout=args.spice_timeout)  # fmt: skip
                seconds["stochastic"].append(time.perf_counter() - start)
                simulated = spice_counts.shape[1]
                model_bits = stochastic_model_bits(stored, test[k : k + 1], BITS, simulated)[0]
                same = np.array_equal(spice_counts, counts[k][:, :simulated])
                same = same and np.array_equal(blocks, model_bits)
                print(f"{name} sample {k}, stochastic: {simulated} cycles in "
                      f"{seconds['stochastic'][-1]:.1f} s, counts and {blocks.size} comparator "
                      f"bits ({int(blocks.sum())} ones) {'equal' if same else 'DIFFERENT'}; "
                      f"decision {int(spice_counts[:, -1].argmax())}, model's "
                      f"{int(counts[k][:, simulated - 1].argmax())}", flush=True)  # fmt: skip
            if name != "digits" or args.digits_logarithmic == "yes":
                start = time.perf_counter()
                spice_sums = machine_sums(table, test[k], bits=BITS)
                seconds["logarithmic"].append(time.perf_counter() - start)
                same = same and np.array_equal(spice_sums, sums[k])
            if not same:
                raise SystemExit(f"{name} sample {k}: the numpy model differs from ngspice")
        stochastic = counts.argmax(axis=1)  # decision after each cycle, lowest class on ties
        logarithmic = sums.argmin(axis=1)
        curves = {"stochastic": stochastic, "logarithmic": logarithmic}
        style = {"stochastic": "-", "logarithmic": "--"}
        for variant, made in curves.items():
            cycles = np.arange(1, made.shape[1] + 1)
            agreement = (made == exact[:, None]).mean(axis=0)
            line = axes[0].plot(cycles, agreement, style[variant], label=f"{name} {variant}")
            colour = (
                line[0].get_color() if variant == "stochastic" else axes[0].lines[-2].get_color()
            )
            line[0].set_color(colour)
            axes[1].plot(cycles, (made == labels[:, None]).mean(axis=0), style[variant],
                         color=colour, label=f"{name} {variant}")  # fmt: skip
            if name == "wine":
                small_axis.plot(cycles, agreement, style[variant], label=variant)
        axes[1].axhline((exact == labels).mean(), ls=":", lw=0.8, color=colour,
                        label=f"{name} exact NB")  # fmt: skip
        zero = int((counts[:, :, -1].max(axis=1) == 0).sum())
        spice_note = ", ".join(f"{np.median(v):.1f}" if v else "n/a" for v in seconds.values())
        rows.append(
            f"| {name} | {test.shape[1]} x {BINS}, {table.shape[0]} classes | {len(labels)} | "
            f"{100 * (stochastic[:, -1] == exact).mean():.1f} | "
            f"{100 * (stochastic[:, -1] == exact_codes).mean():.1f} | "
            f"{100 * (logarithmic[:, -1] == exact).mean():.1f} | "
            f"{100 * (logarithmic[:, -1] == exact_costs).mean():.1f} | "
            f"{100 * (stochastic[:, -1] == labels).mean():.1f} | "
            f"{100 * (logarithmic[:, -1] == labels).mean():.1f} | "
            f"{100 * (exact == labels).mean():.1f} | {zero} | "
            f"{len(seconds['stochastic'])} | {spice_note} |"
        )
        print(rows[-1], flush=True)
    for axis, label in zip(
        axes, ("agreement with exact naive Bayes", "test accuracy"), strict=True
    ):
        axis.set_xlabel("clock cycles")
        axis.set_ylabel(label)
        axis.set_xscale("log")
        axis.legend(fontsize=6)
    small_axis.set_xscale("log")
    small_axis.set_xlabel("clock cycles")
    small_axis.set_ylabel("agreement with exact naive Bayes")
    small_axis.set_title("wine: 13 likelihoods, products ~1e-8", fontsize=9)
    small_axis.legend(fontsize=8)
    args.out.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(args.out / "naive_bayes.png", dpi=110)
    small.tight_layout()
    small.savefig(args.out / "naive_bayes_small_posteriors.png", dpi=110)
    print("| dataset | features x bins | test samples | stochastic agreement % (255 cycles) "
          "| same, vs its 8-bit codes | logarithmic agreement % (1 cycle per feature) "
          "| same, vs its 8-bit costs | stochastic acc. % | logarithmic acc. % "
          "| exact NB acc. % | stochastic all counts 0 | checked in ngspice "
          "| s per decision in ngspice (stochastic, logarithmic) |\n|" + "---|" * 13)  # fmt: skip
    print("\n".join(rows))


if __name__ == "__main__":
    main()
