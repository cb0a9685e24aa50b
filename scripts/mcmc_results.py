"""The memristor MCMC result tables of ``docs/learn.md``: 5-fold cross-validation of the device
sampler against software Metropolis-Hastings and scikit-learn's logistic regression on the same
folds, with calibration, out-of-distribution entropy and sampler diagnostics.

Each experiment writes ``metrics.json`` and its figures into ``OUT/<name>/`` (default
``docs/learn/img/mcmc``) and one row of each Markdown table printed at the end (the results,
and accuracy and ECE against the rows of the prediction array).

The linear models are sampled preconditioned (``MCMCClassifier(precondition=True)``: the same
model in coordinates its Laplace approximation makes round, so the random walk mixes), with the
posterior width matched to each device's spread: 0.4 for ``rram_hfo2`` with the bottom 20 % of
its window unused (``floor``: there the cycle's spread is too small to move), 0.25 for
``dw_synapse``. The network with a hidden layer is sampled as it is (its posterior has no
single Laplace approximation: hidden units can swap), and its R-hat is read on the log
posterior density, which swapping units leaves alone.

    .venv/bin/python scripts/mcmc_results.py [--samples N] [--only NAME ...] [--out DIR]
        [--run-folds N] [--no-baselines]

Long chains record every ``samples // 20000``-th state (``trace_every``): their ESS and
R-hat are those of the thinned chains; predictions still use every stored line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spicegen import models
from spicegen.learn import load_dataset
from spicegen.learn.mcmc_devices import device_kind
from spicegen.learn.mcmc_run import cross_validate, metrics, write_run

ROOT = Path(__file__).resolve().parents[1]
# name: (dataset, device, hidden units)
EXPERIMENTS = {
    "breast_cancer_rram": ("breast_cancer", "rram_hfo2", 0),
    "breast_cancer_dw": ("breast_cancer", "dw_synapse", 0),
    "breast_cancer_rram_hidden4": ("breast_cancer", "rram_hfo2", 4),
    "wine_rram": ("wine", "rram_hfo2", 0),
    "iris_rram": ("iris", "rram_hfo2", 0),
}
FLOOR = {"rram_hfo2": 0.2, "dw_synapse": 0.0}  # RramDevice.floor
WIDTH = {"rram_hfo2": 0.4, "dw_synapse": 0.25}  # MCMCClassifier.precondition_width
ROW_COUNTS = (16, 64, 128, 256)  # rows of the prediction array scored besides every line


def _pct(mean: float, std: float) -> str:
    return f"{100 * mean:.1f} ± {100 * std:.1f}"


def row(name: str, result: dict[str, object]) -> str:
    """One Markdown table row of an experiment's ``metrics.json``."""
    r = result
    cells = [name, f"{r['settings']['samples']}"]  # type: ignore[index]
    for method in ("device", "software", "logistic"):
        m = r["methods"].get(method)  # type: ignore[attr-defined]
        cells.append("n/a" if m is None else _pct(m["accuracy_mean"], m["accuracy_std"]))  # type: ignore[index]
    for method in ("device", "software", "logistic"):
        m = r["methods"].get(method)  # type: ignore[attr-defined]
        cells.append("n/a" if m is None else f"{m['ece_mean']:.3f}")  # type: ignore[index]
    nan = float("nan")  # a metrics.json from before the log-density diagnostics
    cells += [f"{r['acceptance']:.2f}", f"{r['ess']:.0f} ({r['ess_min']:.0f})",
              f"{r['rhat']:.3f}", f"{r.get('ess_log_density', nan):.0f}",
              f"{r.get('rhat_log_density', nan):.3f}",
              f"{1e6 * r['energy_J']:.2f}"]  # type: ignore[operator]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def rows_row(name: str, result: dict[str, object]) -> str:
    """One Markdown row: device accuracy and ECE against the prediction array's rows."""
    by_rows = result.get("by_rows", {})
    cells = [name]
    for count in ROW_COUNTS:
        m = by_rows.get(str(count))  # type: ignore[attr-defined]
        if m is None:
            cells.append("n/a")
            continue
        cells.append(f"{_pct(m['accuracy_mean'], m['accuracy_std'])} / {m['ece_mean']:.3f}")
    m = result["methods"]["device"]  # type: ignore[index]
    cells.append(f"{_pct(m['accuracy_mean'], m['accuracy_std'])} / {m['ece_mean']:.3f} "  # type: ignore[index]
                 f"({result['stored_rows']:.0f})")  # fmt: skip
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| experiment | proposals/chain | device acc. % | software MH % | logistic reg. % "
    "| ECE device | ECE MH | ECE logistic | acceptance | ESS median (min) | R-hat max "
    "| ESS log p | R-hat log p | energy µJ/run |\n|" + "---|" * 14
)
ROWS_HEADER = (
    "| experiment | "
    + " | ".join(f"{c} rows: acc. % / ECE" for c in ROW_COUNTS)
    + " | every line (count) |\n|"
    + "---|" * (len(ROW_COUNTS) + 2)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000,
                        help="proposals per chain, linear models")  # fmt: skip
    parser.add_argument("--hidden-samples", type=int, default=20000,
                        help="proposals per chain, the network with a hidden layer")  # fmt: skip
    parser.add_argument("--only", nargs="*", default=None, choices=sorted(EXPERIMENTS))
    parser.add_argument("--run-folds", type=int, default=None,
                        help="run only the first N of the 5 folds")  # fmt: skip
    parser.add_argument("--no-baselines", action="store_true",
                        help="the device sampler only")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn" / "img" / "mcmc")
    args = parser.parse_args()
    rows, by_rows = [], []
    for name, (dataset, device, hidden) in EXPERIMENTS.items():
        directory = args.out / name
        if args.only is not None and name not in args.only:
            if (directory / "metrics.json").exists():  # keep the table whole
                result = json.loads((directory / "metrics.json").read_text())
                rows.append(row(name, result))
                by_rows.append(rows_row(name, result))
            continue
        kind = device_kind(models.load(device), floor=FLOOR[device])
        samples = args.samples if hidden == 0 else args.hidden_samples
        cv = cross_validate(load_dataset(dataset), kind, hidden=hidden, samples=samples,
                            folds=5, chains=4, seed=0, row_counts=ROW_COUNTS,
                            precondition=hidden == 0, precondition_width=WIDTH[device],
                            software_step=0.04, trace_every=max(1, samples // 20000),
                            baselines=not args.no_baselines,
                            only=None if args.run_folds is None else tuple(range(args.run_folds)),
                            )  # fmt: skip
        write_run(cv, directory)
        result = metrics(cv)
        rows.append(row(name, result))
        by_rows.append(rows_row(name, result))
        print(rows[-1], f"({cv.seconds:.0f} s)", flush=True)
    print(HEADER)
    print("\n".join(rows))
    print(ROWS_HEADER)
    print("\n".join(by_rows))


if __name__ == "__main__":
    main()
