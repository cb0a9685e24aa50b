"""Small image tasks for spiking networks small enough to simulate in SPICE.

``patterns(samples, seed=)``: noisy bars on a ``size`` x ``size`` grid, four classes (a
horizontal bar, a vertical bar, the diagonal, the anti-diagonal) that overlap in a pixel or
two, so a neuron must learn a whole shape to tell them apart. Each sample's bar pixels have
intensities drawn from U(``1 - jitter``, 1); each background pixel is lit with probability
``noise`` at an intensity from U(0, 0.5). Classes are balanced and the order shuffled.

``downsample(dataset, size)`` averages square blocks of an image dataset (``digits`` 8x8 ->
4x4) and scales intensities to [0, 1] by the dataset's largest value.

``spiking_dataset(name, ...)``: ``patterns`` or a bundled image dataset (``digits``,
``mnist5k``) as intensities in [0, 1], optionally downsampled, restricted to some classes and
to a balanced number of samples: what a spiking network's inputs take.
"""

from __future__ import annotations

import numpy as np

from spicegen.learn.datasets import Dataset, load_dataset
from spicegen.learn.errors import DatasetError
from spicegen.seeds import stream

__all__ = [
    "PATTERN_CLASSES",
    "SPIKING_DATASETS",
    "downsample",
    "pattern_templates",
    "patterns",
    "spiking_dataset",
]

SPIKING_DATASETS = ("patterns", "digits", "mnist5k")

PATTERN_CLASSES = ("horizontal", "vertical", "diagonal", "anti-diagonal")


def pattern_templates(size: int = 4) -> np.ndarray:
    """The four class templates, shape (4, size * size), 1 on the bar and 0 elsewhere."""
    if type(size) is not int or size < 3:
        raise DatasetError(f"patterns: size must be an integer >= 3, not {size!r}")
    grids = np.zeros((4, size, size))
    grids[0, (size - 1) // 2, :] = 1.0  # horizontal bar, just above the middle
    grids[1, :, size // 2] = 1.0  # vertical bar, just right of the middle
    grids[2] = np.eye(size)
    grids[3] = np.fliplr(np.eye(size))
    return grids.reshape(4, size * size)


def patterns(
    samples: int = 200,
    *,
    seed: int = 0,
    size: int = 4,
    noise: float = 0.05,
    jitter: float = 0.3,
) -> Dataset:
    """``samples`` noisy bars (see the module docstring), intensities in [0, 1]."""
    if type(samples) is not int or samples < 4:
        raise DatasetError(f"patterns: samples must be an integer >= 4, not {samples!r}")
    for name, value in (("noise", noise), ("jitter", jitter)):
        if not 0.0 <= value <= 1.0:
            raise DatasetError(f"patterns: {name} must lie in [0, 1], not {value!r}")
    templates = pattern_templates(size)
    rng = stream(seed, "patterns", size)
    y = rng.permutation(np.arange(samples) % len(PATTERN_CLASSES)).astype(np.int64)
    bars = templates[y]
    on = bars * rng.uniform(1.0 - jitter, 1.0, bars.shape)
    lit = (rng.uniform(size=bars.shape) < noise) * rng.uniform(0.0, 0.5, bars.shape)
    x = np.where(bars > 0, on, lit)
    names = tuple(f"pixel_{r}_{c}" for r in range(size) for c in range(size))
    return Dataset("patterns", x, y, PATTERN_CLASSES, names, (size, size))


def downsample(dataset: Dataset, size: int) -> Dataset:
    """``dataset``'s images averaged over square blocks to ``size`` x ``size``, in [0, 1]."""
    if dataset.image_shape is None:
        raise DatasetError(f"downsample: {dataset.name} is not an image dataset")
    rows, columns = dataset.image_shape
    if type(size) is not int or size < 1 or rows % size or columns % size:
        raise DatasetError(
            f"downsample: {rows}x{columns} images do not divide into {size}x{size} blocks"
        )
    block_rows, block_columns = rows // size, columns // size
    images = dataset.x.reshape(-1, size, block_rows, size, block_columns).mean(axis=(2, 4))
    top = float(dataset.x.max())
    x = images.reshape(-1, size * size) / (top if top > 0 else 1.0)
    names = tuple(f"pixel_{r}_{c}" for r in range(size) for c in range(size))
    return Dataset(
        f"{dataset.name}_{size}x{size}", x, dataset.y, dataset.classes, names, (size, size)
    )


def spiking_dataset(
    name: str,
    *,
    seed: int = 0,
    samples: int | None = None,
    image_size: int | None = None,
    classes: tuple[int, ...] | None = None,
) -> Dataset:
    """``name`` (``SPIKING_DATASETS``) as intensities in [0, 1]: ``patterns`` drawn with
    ``seed`` (``samples`` of them, default 80); ``digits``/``mnist5k`` scaled by their
    largest pixel, ``image_size`` x ``image_size`` by block averages, only ``classes`` (label
    indices, relabelled 0..), and at most ``samples`` balanced over the classes (the first
    of each class, in the dataset's order)."""
    if name == "patterns":
        if classes is not None:
            raise DatasetError("patterns: --classes applies to digits and mnist5k only")
        size = 4 if image_size is None else image_size
        return patterns(80 if samples is None else samples, seed=seed, size=size)
    if name not in SPIKING_DATASETS:
        raise DatasetError(
            f"unknown dataset {name!r} for a spiking network: expected one of "
            f"{', '.join(SPIKING_DATASETS)}"
        )
    data = load_dataset(name)
    if classes is not None:
        chosen = tuple(dict.fromkeys(classes))
        unknown = [c for c in chosen if not 0 <= c < len(data.classes)]
        if unknown or len(chosen) < 2:
            raise DatasetError(
                f"{name}: classes must be two or more of 0..{len(data.classes) - 1}, "
                f"not {classes!r}"
            )
        keep = np.flatnonzero(np.isin(data.y, chosen))
        relabel = {old: new for new, old in enumerate(chosen)}
        y = np.array([relabel[int(label)] for label in data.y[keep]], dtype=np.int64)
        names = tuple(data.classes[c] for c in chosen)
        data = Dataset(name, data.x[keep], y, names, data.feature_names, data.image_shape)
    if samples is not None:
        if type(samples) is not int or samples < 2 * len(data.classes):
            raise DatasetError(
                f"{name}: samples must be an integer of at least two per class "
                f"({2 * len(data.classes)}), not {samples!r}"
            )
        per_class = samples // len(data.classes)
        picked = np.concatenate(
            [np.flatnonzero(data.y == label)[:per_class] for label in range(len(data.classes))]
        )
        data = data.subset(np.sort(picked))
    if image_size is not None and data.image_shape != (image_size, image_size):
        return downsample(data, image_size)
    top = float(data.x.max())
    x = data.x / (top if top > 0 else 1.0)
    return Dataset(name, x, data.y, data.classes, data.feature_names, data.image_shape)
