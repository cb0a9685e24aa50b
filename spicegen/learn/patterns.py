"""Small image tasks for spiking networks small enough to simulate in SPICE.

``patterns(samples, seed=)``: noisy bars on a ``size`` x ``size`` grid, four classes (a
horizontal bar, a vertical bar, the diagonal, the anti-diagonal) that overlap in a pixel or
two, so a neuron must learn a whole shape to tell them apart. Each sample's bar pixels have
intensities drawn from U(``1 - jitter``, 1); each background pixel is lit with probability
``noise`` at an intensity from U(0, 0.5). Classes are balanced and the order shuffled.

``downsample(dataset, size)`` averages square blocks of an image dataset (``digits`` 8x8 ->
4x4) and scales intensities to [0, 1] by the dataset's largest value.
"""

from __future__ import annotations

import numpy as np

from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import DatasetError
from spicegen.seeds import stream

__all__ = ["PATTERN_CLASSES", "downsample", "pattern_templates", "patterns"]

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
