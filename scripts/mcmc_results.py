"""The memristor MCMC result tables of ``docs/learn.md``: 5-fold cross-validation of the device
sampler against software Metropolis-Hastings and scikit-learn's logistic regression on the same
folds, with calibration, out-of-distribution entropy and sampler diagnostics.

Each experiment writes ``metrics.json`` and its figures into ``OUT/<name>/`` (default
``docs/learn/img/mcmc``) and one row of the Markdown table printed at the end.

    .venv/bin/python scripts/mcmc_results.py [--samples N] [--only NAME ...] [--out DIR]
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
    cells += [f"{r['acceptance']:.2f}", f"{r['ess']:.0f} ({r['ess_min']:.0f})",
              f"{r['rhat']:.2f}", f"{1e6 * r['energy_J']:.2f}"]  # type: ignore[operator]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| experiment | proposals/chain | device acc. % | software MH % | logistic reg. % "
    "| ECE device | ECE MH | ECE logistic | acceptance | ESS median (min) | R-hat max "
    "| energy µJ/run |\n|" + "---|" * 12
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000, help="proposals per chain")
    parser.add_argument("--only", nargs="*", default=None, choices=sorted(EXPERIMENTS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn" / "img" / "mcmc")
    args = parser.parse_args()
    rows = []
    for name, (dataset, device, hidden) in EXPERIMENTS.items():
        directory = args.out / name
        if args.only is not None and name not in args.only:
            if (directory / "metrics.json").exists():  # keep the table whole
                rows.append(row(name, json.loads((directory / "metrics.json").read_text())))
            continue
        kind = device_kind(None if device == "ideal" else models.load(device))
        cv = cross_validate(load_dataset(dataset), kind, hidden=hidden, samples=args.samples,
                            folds=5, chains=4, seed=0)  # fmt: skip
        write_run(cv, directory)
        rows.append(row(name, metrics(cv)))
        print(rows[-1], f"({cv.seconds:.0f} s)", flush=True)
    print(HEADER)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
