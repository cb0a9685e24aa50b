"""A memristor MCMC experiment: k-fold cross-validation against two software baselines, and
what it leaves on disk.

Per stratified fold, on the same split: the device sampler (``MCMCClassifier`` with a device
kind and an engine), the software Metropolis-Hastings with Gaussian proposals on the weights
(same prior, chains and proposals), and scikit-learn's logistic regression with the same
Gaussian prior as its L2 penalty (``C = prior_sd^2``; linear models only). Each is scored on
the fold's test part: accuracy, expected calibration error, and the predictive entropy on the
test inputs and on out-of-distribution inputs (the test inputs with every feature permuted
independently: each feature keeps its distribution, their joint structure is gone). The device
sampler's acceptance, ESS and split R-hat (over its chains, after burn-in) and energy are kept
per fold. ``write_run`` writes ``metrics.json`` and the figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.calibration import predictive_entropy, reliability
from spicegen.learn.datasets import Dataset
from spicegen.learn.diagnostics import effective_sample_size, rank_rhat, split_rhat
from spicegen.learn.evaluation import (
    Scaler,
    Summary,
    accuracy,
    stratified_folds,
    summarise,
    write_metrics,
)
from spicegen.learn.mcmc import Energy, MCMCClassifier, Run
from spicegen.learn.mcmc_devices import DeviceKind
from spicegen.learn.mcmc_engines import Engine
from spicegen.seeds import stream

__all__ = ["CrossValidation", "FoldResult", "cross_validate", "metrics", "write_run"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
METHODS = ("device", "software", "logistic")


@dataclass(frozen=True, slots=True, eq=False)
class FoldResult:
    """One fold: per method (``METHODS``) the test ``probabilities`` and the predictive
    ``entropy`` on test and out-of-distribution inputs; the device sampler's run summary."""

    fold: int
    labels: IntArray
    probabilities: dict[str, FloatArray]
    entropy: dict[str, FloatArray]
    ood_entropy: dict[str, FloatArray]
    acceptance: float
    software_acceptance: float
    ess: FloatArray
    rhat: FloatArray
    energy: Energy
    stored_rows: int
    seconds: float
    log_density_ess: float = float("nan")
    log_density_rhat: float = float("nan")
    by_rows: dict[int, tuple[float, float]] = field(default_factory=dict)
    split_rhat: FloatArray | None = None
    software_diagnostics: dict[str, float] = field(default_factory=dict)

    def accuracy(self, method: str) -> float:
        return accuracy(self.probabilities[method].argmax(axis=1), self.labels)

    def ece(self, method: str) -> float:
        return reliability(self.probabilities[method], self.labels).ece


@dataclass(frozen=True, slots=True, eq=False)
class CrossValidation:
    """Every fold of one experiment, the settings, and the first fold's runs (for figures)."""

    dataset: str
    device: str
    engine: str
    folds: tuple[FoldResult, ...]
    settings: dict[str, Any]
    first_run: Run
    first_software_run: Run | None
    seconds: float
    methods: tuple[str, ...] = field(default=METHODS)

    def summary(self, what: str, method: str = "device") -> Summary:
        """Mean ± sd over folds of ``"accuracy"`` or ``"ece"`` for ``method``."""
        if what == "accuracy":
            return summarise([f.accuracy(method) for f in self.folds])
        return summarise([f.ece(method) for f in self.folds])


def _ood(x: FloatArray, seed: int, fold: int) -> FloatArray:
    rng = stream(seed, "ood", fold)
    return np.stack([rng.permutation(column) for column in x.T], axis=1)


def cross_validate(
    dataset: Dataset,
    device: DeviceKind,
    *,
    engine: str | Engine = "fast",
    folds: int = 5,
    chains: int = 4,
    samples: int = 4000,
    burn_in: int | None = None,
    block: int | None = 4,
    hidden: int = 0,
    rows: int | None = None,
    row_counts: tuple[int, ...] = (),
    rows_per_array: int = 64,
    prior_sd: float = 1.0,
    weight_range: float = 4.0,
    software_step: float = 0.02,
    software_block: int | None = None,
    baselines: bool = True,
    initial: str = "dispersed",
    trace_every: int = 1,
    precondition: bool = False,
    precondition_width: float = 0.4,
    seed: int = 0,
    progress: bool | None = None,
    only: tuple[int, ...] | None = None,
) -> CrossValidation:
    """Cross-validate the device sampler and (``baselines``) the two software baselines.

    ``rows``: the device sampler predicts from an array of that many rows (thinned, see
    ``MCMCClassifier.stored_rows``; None: every stored line). ``row_counts``: also score the
    device sampler's test accuracy and ECE with arrays of each of these row counts.
    ``rows_per_array``: stored lines read side by side in one array (sharing its row lines:
    on the SPICE engine their IR drop grows with it). ``only``: run just these folds (indices
    from 0) of the same ``folds``-fold split, so a long run can go fold by fold."""
    start = time.perf_counter()
    results = []
    first_run: Run | None = None
    first_software: Run | None = None
    common: dict[str, Any] = dict(chains=chains, samples=samples, burn_in=burn_in, hidden=hidden,
                  prior_sd=prior_sd, weight_range=weight_range, initial=initial,
                  trace_every=trace_every, precondition=precondition,
                  precondition_width=precondition_width, progress=progress)  # fmt: skip
    for part in stratified_folds(dataset.y, folds, seed=seed):
        if only is not None and part.index not in only:
            continue
        began = time.perf_counter()
        x_train, y_train = dataset.x[part.train], dataset.y[part.train]
        x_test, y_test = dataset.x[part.test], dataset.y[part.test]
        x_ood = _ood(x_test, seed, part.index)
        fold_seed = int(stream(seed, "fold", part.index).integers(2**31))
        sampler = MCMCClassifier(device, engine=engine, block=block, seed=fold_seed, **common)
        sampler.fit(x_train, y_train)
        run = sampler.run_
        assert run is not None
        draws = run.draws
        log_density = run.log_density_draws  # invariant under label switching
        probabilities = {
            "device": sampler.predict_proba(x_test, rows=rows, rows_per_array=rows_per_array)
        }
        entropy = {"device": predictive_entropy(probabilities["device"])}
        ood = {
            "device": predictive_entropy(
                sampler.predict_proba(x_ood, rows=rows, rows_per_array=rows_per_array)
            )
        }
        by_rows = {}
        for count in row_counts:
            p = sampler.predict_proba(x_test, rows=count, rows_per_array=rows_per_array)
            by_rows[count] = (accuracy(p.argmax(axis=1), y_test), reliability(p, y_test).ece)
        software_acceptance = float("nan")
        software_diagnostics: dict[str, float] = {}
        if baselines:
            software = MCMCClassifier(None, step=software_step, block=software_block,
                                      seed=fold_seed, **common)  # fmt: skip
            software.fit(x_train, y_train)
            assert software.run_ is not None
            software_acceptance = software.run_.acceptance
            software_draws = software.run_.draws
            software_diagnostics = {
                "ess_median": float(np.nanmedian(effective_sample_size(software_draws))),
                "ess_min": float(np.nanmin(effective_sample_size(software_draws))),
                "rhat_max": float(np.nanmax(rank_rhat(software_draws))),
            }
            probabilities["software"] = software.predict_proba(x_test)
            entropy["software"] = predictive_entropy(probabilities["software"])
            ood["software"] = predictive_entropy(software.predict_proba(x_ood))
            if hidden == 0:
                scaler, model = _logistic(x_train, y_train, prior_sd)
                probabilities["logistic"] = model.predict_proba(scaler(x_test))
                entropy["logistic"] = predictive_entropy(probabilities["logistic"])
                ood["logistic"] = predictive_entropy(model.predict_proba(scaler(x_ood)))
            if first_software is None:
                first_software = software.run_
        if first_run is None:
            first_run = run
        results.append(
            FoldResult(
                part.index, y_test, probabilities, entropy, ood, run.acceptance,
                software_acceptance, effective_sample_size(draws), rank_rhat(draws), run.energy,
                len(run.rows), time.perf_counter() - began,
                float(effective_sample_size(log_density)[0]), float(rank_rhat(log_density)[0]),
                by_rows, split_rhat(draws), software_diagnostics,
            )
        )  # fmt: skip
    assert first_run is not None
    engine_name = engine if isinstance(engine, str) else engine.name
    settings = {"folds": folds, "block": block, "rows": rows, "rows_per_array": rows_per_array,
                "software_step": software_step,
                "software_block": software_block, "seed": seed, **common}  # fmt: skip
    settings.pop("progress")
    return CrossValidation(
        dataset.name, device.name, engine_name, tuple(results), settings, first_run,
        first_software, time.perf_counter() - start,
        tuple(m for m in METHODS if m in results[0].probabilities),
    )  # fmt: skip


def _logistic(x: FloatArray, y: IntArray, prior_sd: float) -> tuple[Scaler, Any]:
    from sklearn.linear_model import LogisticRegression

    scaler = Scaler.standard(x)
    # sklearn minimises ||w||^2 / 2 + C * sum(loss): the MAP of a N(0, C) prior on the weights
    model = LogisticRegression(C=prior_sd**2, max_iter=5000)
    return scaler, model.fit(scaler(x), y)


def metrics(cv: CrossValidation) -> dict[str, Any]:
    """The figures of ``metrics.json``: fractions, joules, counts; per fold and summarised."""
    device = cv.summary("accuracy")
    energies = [f.energy for f in cv.folds]
    result: dict[str, Any] = {
        "dataset": cv.dataset,
        "device": cv.device,
        "engine": cv.engine,
        "accuracy_mean": device.mean,
        "accuracy_std": device.std,
        "ece": cv.summary("ece").mean,
        "ece_std": cv.summary("ece").std,
        "acceptance": float(np.mean([f.acceptance for f in cv.folds])),
        "ess": float(np.mean([np.nanmedian(f.ess) for f in cv.folds])),
        "ess_min": float(np.mean([np.nanmin(f.ess) for f in cv.folds])),
        "rhat": float(np.mean([np.nanmax(f.rhat) for f in cv.folds])),
        "rhat_split": float(
            np.mean([np.nanmax(f.split_rhat) for f in cv.folds if f.split_rhat is not None])
        ),
        "energy_J": float(np.mean([e.total for e in energies])),
        "programming_energy_per_proposal_J": float(np.mean([e.per_proposal for e in energies])),
        "read_energy_per_evaluation_J": float(np.mean([e.per_evaluation for e in energies])),
        "stored_rows": float(np.mean([f.stored_rows for f in cv.folds])),
        "rows_used": cv.settings.get("rows") or float(np.mean([f.stored_rows for f in cv.folds])),
        "ess_log_density": float(np.mean([f.log_density_ess for f in cv.folds])),
        "rhat_log_density": float(np.mean([f.log_density_rhat for f in cv.folds])),
        "seconds": cv.seconds,
        "settings": cv.settings,
        "folds": [
            {
                "fold": f.fold,
                "accuracy": f.accuracy("device"),
                "ece": f.ece("device"),
                "acceptance": f.acceptance,
                "ess_median": float(np.nanmedian(f.ess)),
                "ess_min": float(np.nanmin(f.ess)),
                "rhat_max": float(np.nanmax(f.rhat)),
                "ess_log_density": f.log_density_ess,
                "rhat_log_density": f.log_density_rhat,
                "energy_J": f.energy.total,
                "stored_rows": f.stored_rows,
                "seconds": f.seconds,
            }
            for f in cv.folds
        ],
        "ess_note": "ess: median over weights of the effective sample size over all chains "
        "after burn-in, averaged over folds; ess_min the smallest; rhat: the largest "
        "rank-normalised split R-hat (Vehtari et al. 2021) over weights, averaged over folds; "
        "rhat_split: the same of the classic split R-hat; *_log_density: the same of the log "
        "posterior density of the chains' states (label-switching invariant)",
    }
    counts = sorted({c for f in cv.folds for c in f.by_rows})
    result["by_rows"] = {
        str(c): {
            "accuracy_mean": summarise([f.by_rows[c][0] for f in cv.folds]).mean,
            "accuracy_std": summarise([f.by_rows[c][0] for f in cv.folds]).std,
            "ece_mean": summarise([f.by_rows[c][1] for f in cv.folds]).mean,
            "ece_std": summarise([f.by_rows[c][1] for f in cv.folds]).std,
        }
        for c in counts
    }
    result["methods"] = {}  # per method (METHODS): the same folds, the same scores
    for method in cv.methods:
        acc, ece = cv.summary("accuracy", method), cv.summary("ece", method)
        in_dist = np.concatenate([f.entropy[method] for f in cv.folds])
        out = np.concatenate([f.ood_entropy[method] for f in cv.folds])
        result["methods"][method] = {
            "accuracy_mean": acc.mean, "accuracy_std": acc.std, "ece_mean": ece.mean,
            "ece_std": ece.std, "entropy_test": float(in_dist.mean()),
            "entropy_ood": float(out.mean()),
        }  # fmt: skip
    if "software" in cv.methods:
        result["methods"]["software"]["acceptance"] = float(
            np.mean([f.software_acceptance for f in cv.folds])
        )
        for key in ("ess_median", "ess_min", "rhat_max"):
            result["methods"]["software"][key] = float(
                np.mean([f.software_diagnostics[key] for f in cv.folds])
            )
    return result


def write_run(cv: CrossValidation, out: str | Path) -> list[Path]:
    """Write ``metrics.json`` and the figures (traces, posteriors, calibration,
    out-of-distribution entropy, diagnostics) into the directory ``out``."""
    from spicegen.learn import mcmc_figures as figures

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    written = [write_metrics(directory / "metrics.json", metrics(cv))]
    labels = np.concatenate([f.labels for f in cv.folds])
    pooled = {m: np.concatenate([f.probabilities[m] for f in cv.folds]) for m in cv.methods}
    written.append(figures.plot_traces(cv.first_run, directory / "traces.png"))
    written.append(
        figures.plot_posteriors(cv.first_run, cv.first_software_run, directory / "posteriors.png")
    )
    written.append(
        figures.plot_calibration(
            {m: reliability(p, labels) for m, p in pooled.items()}, directory / "calibration.png"
        )
    )
    entropies = {
        m: (np.concatenate([f.entropy[m] for f in cv.folds]),
            np.concatenate([f.ood_entropy[m] for f in cv.folds]))
        for m in cv.methods
    }  # fmt: skip
    written.append(figures.plot_ood(entropies, directory / "ood.png"))
    written.append(figures.plot_diagnostics(cv, directory / "diagnostics.png"))
    return written
