"""``spicegen train mcmc``: the cross-validated memristor MCMC run from the command line, its
``metrics.json`` checked against the same folds computed here, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spicegen.learn import load_dataset, stratified_folds
from tests.cli.conftest import assert_one_line_error

FIELDS = ("accuracy_mean", "accuracy_std", "ece", "acceptance", "ess", "rhat", "energy_J")
FIGURES = ("traces.png", "posteriors.png", "calibration.png", "ood.png", "diagnostics.png")


def test_train_mcmc_writes_metrics_and_figures_with_the_baselines_on_the_same_folds(
    tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli("train", "mcmc", "--dataset", "iris", "--device", "ideal", "--samples", 150,
               "--folds", 2, "--chains", 2, "--seed", 1, "--out", out)  # fmt: skip
    assert done.status == 0, done.err
    assert "logistic: accuracy" in done.out
    metrics = json.loads((out / "metrics.json").read_text())
    for name in FIELDS:
        assert np.isfinite(metrics[name]), name
    assert metrics["device"] == "ideal" and metrics["engine"] == "fast"
    folds = [f["accuracy"] for f in metrics["folds"]]
    assert metrics["accuracy_mean"] == pytest.approx(np.mean(folds), rel=1e-12)
    assert metrics["accuracy_std"] == pytest.approx(np.std(folds, ddof=1), rel=1e-12)
    assert 0 < metrics["acceptance"] < 1 and metrics["energy_J"] > 0  # ideal: reads only
    # scikit-learn's logistic regression on the same folds, computed here
    from sklearn.linear_model import LogisticRegression

    data = load_dataset("iris")
    scores = []
    for part in stratified_folds(data.y, 2, seed=1):
        x, y = data.x[part.train], data.y[part.train]
        mean, sd = x.mean(axis=0), x.std(axis=0)
        model = LogisticRegression(C=1.0, max_iter=5000).fit((x - mean) / sd, y)
        scores.append(model.score((data.x[part.test] - mean) / sd, data.y[part.test]))
    logistic = metrics["methods"]["logistic"]
    assert logistic["accuracy_mean"] == pytest.approx(np.mean(scores), abs=1e-9)
    for name in FIGURES:
        assert (out / name).stat().st_size > 10_000, name  # a drawn PNG, not an empty file


def test_train_mcmc_preconditioned_from_a_small_array(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli("train", "mcmc", "--dataset", "iris", "--device", "ideal", "--samples", 200,
               "--folds", 2, "--precondition", "--rows", 16, "--no-baselines",
               "--out", out)  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"]["precondition"] is True and metrics["rows_used"] == 16
    assert metrics["accuracy_mean"] > 0.8  # iris, linear: about 0.95 at any sampler setting


def test_train_mcmc_on_the_spice_engine_walks_the_fast_engines_chain(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 1.0, (24, 1))
    y = (x[:, 0] + 0.5 * rng.normal(size=24) > 0).astype(int)
    table = tmp_path / "toy.csv"
    np.savetxt(table, np.column_stack([x, y]), delimiter=",", fmt="%.6g")
    results = {}
    for engine in ("spice", "fast"):
        out = tmp_path / engine
        done = cli("train", "mcmc", "--dataset", table, "--device", "ideal", "--engine", engine,
                   "--samples", 12, "--folds", 2, "--chains", 2, "--no-baselines",
                   "--out", out)  # fmt: skip
        assert done.status == 0, done.err
        results[engine] = json.loads((out / "metrics.json").read_text())
    assert results["spice"]["engine"] == "spice"
    # the same proposals and decisions (tests/learn/test_mcmc_engines.py): the same scores;
    # the reads' energy differs by the 1 ohm lines' IR drop only
    assert results["spice"]["accuracy_mean"] == results["fast"]["accuracy_mean"]
    assert results["spice"]["acceptance"] == results["fast"]["acceptance"]
    assert results["spice"]["energy_J"] == pytest.approx(results["fast"]["energy_J"], rel=0.01)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--dataset", "nope"), "unknown dataset 'nope'"),
        (("--dataset", "iris", "--samples", "1"), "--samples must be at least 2"),
        (("--dataset", "iris", "--folds", "1"), "--folds must be at least 2"),
        (("--dataset", "iris", "--burn-in", "50", "--samples", "50"), "--burn-in must be"),
        (("--dataset", "iris", "--prior-sd", "0"), "--prior-sd must be > 0"),
        (("--dataset", "iris", "--hidden", "-1"), "--hidden must be"),
        (("--dataset", "iris", "--seed", "-3"), "--seed must be a non-negative"),
        (("--dataset", "iris", "--device", "vteam"), "invalid choice: 'vteam'"),
        (("--dataset", "iris", "--precondition", "--hidden", "2"), "linear models only"),
        (("--dataset", "iris", "--rows", "2"), "--rows must be at least --chains"),
        (("--dataset", "iris", "--floor", "1"), "--floor must be in [0, 1)"),
        (("--dataset", "iris", "--precondition-width", "0"), "--precondition-width must be"),
    ],
)
def test_train_mcmc_bad_input_is_one_line_and_status_2(
    tmp_path: Path, cli, arguments: tuple[str, ...], message: str
) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(cli("train", "mcmc", *arguments, "--out", tmp_path / "o"), message)
