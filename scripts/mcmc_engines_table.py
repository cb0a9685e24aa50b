"""The memristor MCMC sampler on both engines, on the same folds and seeds: the SPICE engine
(every likelihood read in ngspice through the crossbar, IR drop included) next to the fast
engine (the read surrogate), so the table shows what the choice of engine changes.

The SPICE engine runs about 2 iterations of 4 chains per second on iris here, so the run is
sized down from the headline table: iris (Bayesian softmax regression, 15 weights, 30
``rram_hfo2`` devices), 5 stratified folds, 4 chains x ``--samples`` proposals (the first half
burn-in), predictions from an array of ``--rows`` rows. Both engines get the same fold seeds,
so their chains draw the same random numbers; they part only where the reads differ enough to
flip an accept decision. The software baselines run once (they do not depend on the engine).
Predictions read ``--rows-per-array`` stored lines side by side in one array (sharing its row
lines, as the paper's inference does).

``--ir-drop`` instead measures what that sharing costs on the SPICE engine: one fold's 64
stored lines (trained on the fast engine) read in ngspice 64 and 8 to an array, against the
ideal-line read of the same lines.

    .venv/bin/python scripts/mcmc_engines_table.py [--samples 400] [--rows 64]
        [--rows-per-array 64] [--out DIR] [--ir-drop]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from spicegen import models
from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.diagnostics import effective_sample_size
from spicegen.learn.mcmc import HardwareModel, MCMCClassifier
from spicegen.learn.mcmc_devices import DeviceKind, device_kind
from spicegen.learn.mcmc_engines import SpiceEngine
from spicegen.learn.mcmc_run import cross_validate, metrics, write_run

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "| engine | proposals/chain | rows | device acc. % | ECE | acceptance | R-hat max "
    "| read energy per evaluation | seconds |\n|" + "---|" * 9
)


def row(result: dict[str, object]) -> str:
    """One Markdown row of a run's ``metrics.json``."""
    r = result
    settings = r["settings"]
    return (
        f"| {r['engine']} | {settings['samples']} | {settings['rows']} "  # type: ignore[index]
        f"| {100 * r['accuracy_mean']:.1f} ± {100 * r['accuracy_std']:.1f} "  # type: ignore[operator]
        f"| {r['ece']:.3f} | {r['acceptance']:.3f} | {r['rhat']:.2f} "
        f"| {1e12 * r['read_energy_per_evaluation_J']:.1f} pJ "  # type: ignore[operator]
        f"| {r['seconds']:.0f} |"
    )


def ir_drop(kind: DeviceKind, dataset: str, samples: int, rows: int) -> None:
    """Print the SPICE read of ``rows`` stored lines, all in one array and 8 to an array,
    against the ideal-line read of the same lines (fold 1 of 5)."""
    data = load_dataset(dataset)
    part = list(stratified_folds(data.y, 5, seed=0))[1]
    sampler = MCMCClassifier(kind, samples=samples, chains=4, seed=3, initial="zero",
                             progress=False)  # fmt: skip
    sampler.fit(data.x[part.train], data.y[part.train])
    x = data.x[part.test]
    ideal = sampler.predict_proba(x, rows=rows)
    fast = sampler.hardware_
    assert fast is not None
    spice = HardwareModel(kind, fast.architecture, SpiceEngine(kind), fast.weight_range,
                          fast.input_clip, fast.bias_input)  # fmt: skip
    states = sampler.stored_rows(rows).states
    assert sampler.scaler_ is not None
    z = sampler.scaler_(x)
    reference, _ = fast.logits(states, z, together=True)
    sampler.hardware_ = spice
    for per in (rows, 8):
        p = sampler.predict_proba(x, rows=rows, rows_per_array=per)
        logits = np.concatenate([spice.logits(states[i : i + per], z, together=True)[0]
                                 for i in range(0, rows, per)])  # fmt: skip
        print(f"{per} lines per array ({6 * per} columns): SPICE logits / ideal-line logits, "
              f"median {np.median(logits / reference):.3f}; mean top-class probability "
              f"{p.max(axis=1).mean():.3f} (ideal lines {ideal.max(axis=1).mean():.3f}); "
              f"max |p_spice - p_ideal| {np.abs(p - ideal).max():.3f}", flush=True)  # fmt: skip


def two_sample(fast: np.ndarray, spice: np.ndarray) -> tuple[float, float]:
    """The largest two-sample Kolmogorov-Smirnov D over weights of two engines' post-burn-in
    draws (chains, recorded, weights), each thinned to about one draw per effective sample,
    and the smallest p-value over weights with Bonferroni's correction for their number."""
    from scipy.stats import ks_2samp

    thinned = []
    for draws in (fast, spice):
        ess = float(np.nanmin(effective_sample_size(draws)))
        step = max(1, int(draws.shape[1] * draws.shape[0] / max(ess, 1.0)))
        thinned.append(draws[:, ::step].reshape(-1, draws.shape[2]))
    tests = [ks_2samp(thinned[0][:, j], thinned[1][:, j]) for j in range(fast.shape[2])]
    d = max(float(t.statistic) for t in tests)
    p = min(1.0, fast.shape[2] * min(float(t.pvalue) for t in tests))
    return d, p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="iris")
    parser.add_argument("--samples", type=int, default=400, help="proposals per chain")
    parser.add_argument("--rows", type=int, default=64, help="rows of the prediction array")
    parser.add_argument("--rows-per-array", type=int, default=64,
                        help="stored lines read side by side in one array")  # fmt: skip
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=None,
                        help="run only the first N folds of the --folds split")  # fmt: skip
    parser.add_argument("--ir-drop", action="store_true",
                        help="only measure the IR drop of reading lines side by side")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn" / "img" / "mcmc")
    args = parser.parse_args()
    kind = device_kind(models.load("rram_hfo2"))
    if args.ir_drop:
        ir_drop(kind, args.dataset, args.samples, args.rows)
        return
    data = load_dataset(args.dataset)
    run_folds = args.folds if args.run_folds is None else args.run_folds
    rows = []
    results = {}
    draws: dict[str, list[np.ndarray]] = {}
    for engine in ("fast", "spice"):
        parts = []
        for index in range(run_folds):  # fold by fold, so the log shows each fold's time
            part = cross_validate(data, kind, engine=engine, samples=args.samples,
                                  folds=args.folds, chains=4, rows=args.rows,
                                  baselines=engine == "fast", seed=0, initial="zero",
                                  rows_per_array=args.rows_per_array, progress=False,
                                  only=(index,))  # fmt: skip
            fold = part.folds[0]
            print(f"{engine} fold {index}: accuracy {fold.accuracy('device'):.3f}, "
                  f"ECE {fold.ece('device'):.3f}, acceptance {fold.acceptance:.3f}, "
                  f"{fold.seconds:.0f} s", flush=True)  # fmt: skip
            parts.append(part)
        draws[engine] = [p.first_run.draws for p in parts]
        cv = replace(parts[0], folds=tuple(p.folds[0] for p in parts),
                     seconds=sum(p.seconds for p in parts))  # fmt: skip
        cv.settings["folds_run"] = run_folds
        directory = args.out / f"engines_{args.dataset}_{engine}"
        write_run(cv, directory)
        np.savez_compressed(directory / "draws.npz", *draws[engine])
        results[engine] = metrics(cv)
        rows.append(row(results[engine]))
        print(rows[-1], flush=True)
    per_fold = zip(results["fast"]["folds"], results["spice"]["folds"], strict=True)
    same = sum(f["accuracy"] == s["accuracy"] for f, s in per_fold)
    print(HEADER)
    print("\n".join(rows))
    print(f"folds with the same accuracy on both engines: {same} of {run_folds}")
    for index, (fast, spice) in enumerate(zip(draws["fast"], draws["spice"], strict=True)):
        d, p = two_sample(fast, spice)
        differ = float(np.mean(np.any(fast != spice, axis=2)))
        print(f"fold {index}: two-sample KS over weights, largest D {d:.3f}, smallest p "
              f"(Bonferroni) {p:.2f}; recorded states that differ "
              f"{100 * differ:.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
