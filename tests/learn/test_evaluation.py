"""Folds partition the samples, stratified and seeded; metrics match direct calculations."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from spicegen.learn import (
    LearnError,
    Scaler,
    accuracy,
    confusion_matrix,
    stratified_folds,
    summarise,
    write_metrics,
)

LABELS = np.repeat(np.arange(3), [50, 30, 20])


def test_every_sample_is_tested_exactly_once() -> None:
    folds = stratified_folds(LABELS, 5, seed=1, validation_fraction=0.2)
    tested = np.concatenate([f.test for f in folds])
    assert sorted(tested.tolist()) == list(range(LABELS.size))
    for fold in folds:
        parts = [set(fold.train), set(fold.validation), set(fold.test)]
        assert parts[0].isdisjoint(parts[1]) and parts[0].isdisjoint(parts[2])
        assert parts[1].isdisjoint(parts[2])
        assert len(parts[0] | parts[1] | parts[2]) == LABELS.size


def test_folds_are_stratified() -> None:
    for fold in stratified_folds(LABELS, 5, seed=3):
        # 50/30/20 samples dealt over 5 parts: exactly 10/6/4 per test part
        assert np.bincount(LABELS[fold.test], minlength=3).tolist() == [10, 6, 4]


def test_same_seed_same_folds_other_seed_other_folds() -> None:
    a = stratified_folds(LABELS, 4, seed=7)
    b = stratified_folds(LABELS, 4, seed=7)
    c = stratified_folds(LABELS, 4, seed=8)
    assert all(np.array_equal(x.test, y.test) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x.test, y.test) for x, y in zip(a, c, strict=True))


def test_one_fold_holds_out_a_fifth() -> None:
    (fold,) = stratified_folds(LABELS, 1, seed=0)
    assert fold.test.size == 20 and fold.train.size == 80


def test_fold_errors() -> None:
    with pytest.raises(LearnError, match="fewer than the 25 parts"):
        stratified_folds(LABELS, 25, seed=0)
    with pytest.raises(LearnError, match="integer >= 1"):
        stratified_folds(LABELS, 0, seed=0)


def test_accuracy_and_confusion() -> None:
    predicted = [0, 1, 1, 2, 0]
    truth = [0, 1, 2, 2, 1]
    assert accuracy(predicted, truth) == pytest.approx(3 / 5)
    matrix = confusion_matrix(predicted, truth, 3)
    assert matrix.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    assert matrix.trace() == 3


def test_summary_matches_statistics_module() -> None:
    values = [0.9, 0.95, 0.925, 1.0]
    summary = summarise(values)
    assert summary.mean == pytest.approx(statistics.mean(values))
    assert summary.std == pytest.approx(statistics.stdev(values))
    assert summarise([0.5]).std == 0.0


def test_scalers_fit_on_training_data() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(200, 3))
    z = Scaler.standard(x)(x)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-12)
    m = Scaler.min_max(x, -1.0, 1.0)(x)
    np.testing.assert_allclose(m.min(axis=0), -1.0)
    np.testing.assert_allclose(m.max(axis=0), 1.0)


def test_metrics_file_is_plain_json(tmp_path: Path) -> None:
    path = write_metrics(
        tmp_path / "metrics.json",
        {"accuracy_mean": np.float64(0.95), "folds": np.array([1, 2]), "bad": float("nan")},
    )
    loaded = json.loads(path.read_text())
    assert loaded == {"accuracy_mean": 0.95, "folds": [1, 2], "bad": None}
