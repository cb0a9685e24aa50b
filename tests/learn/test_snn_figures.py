"""The spiking network's figures (``learn.snn_figures``): files a reader can open."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.image import imread

from spicegen.learn.snn_figures import raster
from spicegen.learn.snn_network import PresentationResult


def _result(inputs: int, outputs: int) -> PresentationResult:
    rng = np.random.default_rng(0)
    input_spikes = tuple(np.sort(rng.uniform(0, 20e-6, 5)) for _ in range(inputs))
    output_spikes = tuple(np.sort(rng.uniform(0, 20e-6, j % 3)) for j in range(outputs))
    pre = tuple(np.zeros((t.size, inputs)) for t in output_spikes)
    return PresentationResult(output_spikes, input_spikes, pre, 0.0, 20e-6)


def test_a_raster_of_hundreds_of_inputs_stays_a_readable_height(tmp_path: Path) -> None:
    # one row per neuron at 0.12 in each made a 784 x 100 raster 9,202 px tall; past 60 rows
    # the inputs and outputs get panels of their own in a figure of bounded height
    small = imread(raster(_result(16, 4), tmp_path / "small.png", "bars"))
    large = imread(raster(_result(784, 100), tmp_path / "large.png", "digit"))
    assert small.shape[0] < large.shape[0] <= 8 * 110  # 110 dpi
    assert small.shape[0] > 0.12 * 20 * 110  # the small one keeps a row per neuron
