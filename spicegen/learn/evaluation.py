"""Held-out evaluation shared by every trainer: stratified folds, scaling fitted on the
training split only, accuracy and confusion matrices, mean ± sd over folds, metrics files.

Every accuracy spicegen reports is measured on samples the training never saw; a trainer's
validation split (for early stopping) is carved out of the training part of a fold, never out
of its test part.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError
from spicegen.seeds import stream

__all__ = [
    "Fold",
    "Scaler",
    "Summary",
    "accuracy",
    "confusion_matrix",
    "stratified_folds",
    "summarise",
    "write_metrics",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Fold:
    """Sample indices of one fold: ``train`` and ``validation`` (disjoint) and ``test``."""

    index: int
    train: IntArray
    validation: IntArray
    test: IntArray


def stratified_folds(
    labels: Sequence[int] | IntArray,
    folds: int,
    *,
    seed: int,
    validation_fraction: float = 0.0,
) -> tuple[Fold, ...]:
    """``folds`` stratified folds of ``labels``: each sample is in exactly one test part.

    ``validation_fraction`` of each fold's training part (stratified too) becomes its
    validation split. ``seed`` is a training seed (``spicegen.seeds``); the same seed gives the
    same folds. ``folds=1`` is not cross-validation: it splits off 20 % as the test part.
    """
    y = np.asarray(labels, dtype=np.int64)
    if y.ndim != 1 or y.size == 0:
        raise LearnError(f"folds: expected a non-empty 1-D label array, got shape {y.shape}")
    if not isinstance(folds, int) or folds < 1:
        raise LearnError(f"folds: expected an integer >= 1, got {folds!r}")
    if not 0.0 <= validation_fraction < 1.0:
        raise LearnError(f"validation_fraction: expected [0, 1), got {validation_fraction!r}")
    if y.min() < 0:
        raise LearnError("folds: labels must be integers >= 0")
    present = np.unique(y)
    smallest = int(min(np.count_nonzero(y == c) for c in present))
    parts = max(folds, 5) if folds == 1 else folds
    if smallest < parts:
        raise LearnError(
            f"folds: the smallest class has {smallest} samples, fewer than the {parts} parts "
            "stratified splitting needs"
        )
    rng = stream(seed, "folds")
    assignment = np.empty(y.size, dtype=np.int64)
    for label in present:
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        # deal the class's samples round-robin so every part gets its share (+-1)
        assignment[members] = np.arange(members.size) % parts
    result = []
    for k in range(folds):
        test = np.flatnonzero(assignment == k)
        rest = np.flatnonzero(assignment != k)
        train, validation = _split_validation(rest, y, validation_fraction, stream(seed, "val", k))
        result.append(Fold(k, train, validation, test))
    return tuple(result)


def _split_validation(
    indices: IntArray, y: IntArray, fraction: float, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    if fraction == 0.0:
        return indices, np.zeros(0, dtype=np.int64)
    train, validation = [], []
    for label in np.unique(y[indices]):
        members = indices[y[indices] == label].copy()
        rng.shuffle(members)
        count = round(fraction * members.size)
        count = min(max(count, 1), members.size - 1) if members.size > 1 else 0
        validation.append(members[:count])
        train.append(members[count:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(validation))


@dataclass(frozen=True, slots=True, eq=False)
class Scaler:
    """Per-feature affine map fitted on training samples: ``(x - offset) / scale``."""

    offset: FloatArray
    scale: FloatArray

    @classmethod
    def standard(cls, x: FloatArray) -> Scaler:
        """Zero mean, unit sd on ``x``; constant features are left unscaled."""
        sd = x.std(axis=0)
        return cls(x.mean(axis=0), np.where(sd > 0, sd, 1.0))

    @classmethod
    def min_max(cls, x: FloatArray, low: float = 0.0, high: float = 1.0) -> Scaler:
        """Map each feature's training range onto [low, high]."""
        span = x.max(axis=0) - x.min(axis=0)
        span = np.where(span > 0, span, 1.0)
        return cls(x.min(axis=0) - low * span / (high - low), span / (high - low))

    def __call__(self, x: FloatArray) -> FloatArray:
        return np.asarray((x - self.offset) / self.scale, dtype=np.float64)


def accuracy(predicted: Sequence[int] | IntArray, labels: Sequence[int] | IntArray) -> float:
    """Fraction of ``predicted`` equal to ``labels`` (0..1)."""
    p, y = np.asarray(predicted), np.asarray(labels)
    if p.shape != y.shape or y.size == 0:
        raise LearnError(f"accuracy: shapes {p.shape} and {y.shape} differ or are empty")
    return float(np.mean(p == y))


def confusion_matrix(
    predicted: Sequence[int] | IntArray, labels: Sequence[int] | IntArray, classes: int
) -> IntArray:
    """``classes x classes`` counts: row = true label, column = predicted label."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels), np.asarray(predicted)), 1)
    return matrix


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean and sample standard deviation (ddof=1) of per-fold or per-seed figures."""

    mean: float
    std: float
    values: tuple[float, ...]

    def __str__(self) -> str:
        return f"{100 * self.mean:.2f} ± {100 * self.std:.2f} % (n={len(self.values)})"


def summarise(values: Sequence[float]) -> Summary:
    """Mean ± sd of ``values``; sd is 0 for a single value."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise LearnError("summarise: no values")
    std = float(data.std(ddof=1)) if data.size > 1 else 0.0
    return Summary(float(data.mean()), std, tuple(float(v) for v in data))


def write_metrics(path: str | os.PathLike[str], metrics: Mapping[str, Any]) -> Path:
    """Write ``metrics`` as indented JSON (numpy scalars and arrays become plain numbers and
    lists; NaN becomes null), atomically: the file is whole or absent."""
    target = Path(path)
    text = json.dumps(_plain(metrics), indent=2, sort_keys=True, allow_nan=False)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, target)
    return target


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Summary):
        return {"mean": value.mean, "std": value.std, "values": list(value.values)}
    return value
