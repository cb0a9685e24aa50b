"""What a finite-difference engine is: the trainer's one view of the hardware (or software).

An engine holds the programmed weights of every layer and answers forward passes with each
layer's normalised activation ``y`` and the slope ``dy/du`` it measured, per sample; the
trainer does everything else (loss, backpropagation, updates) in numpy. Engines:
``SoftwareEngine`` (tanh, exact derivative: the software baseline and a distillation teacher),
``SurrogateEngine`` (``fd_surrogate``: device curves characterised from SPICE), ``SpiceEngine``
(``fd_spice``: ngspice operating points through a ``Session``) and ``DaskSpiceEngine``
(``fd_dask``: the SPICE engine spread over a Dask cluster).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["Engine", "LayerOutput", "Power", "SoftwareEngine", "with_bias"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class LayerOutput:
    """One layer's answer for a batch: activations ``y`` and slopes ``dy/du``, (samples, n)."""

    y: FloatArray
    slope: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Power:
    """Supply power per sample (W), shape (samples,): a forward read (``inference``: the
    crossbars, buffers and the first device of each pair) and a training read (``training``:
    also the second device, which measures the derivative)."""

    inference: FloatArray
    training: FloatArray


class Engine(Protocol):
    """A network the trainer can program and read."""

    name: str
    weight_limit: float  # |w| the hardware can hold (inf for software)

    def program(self, weights: Sequence[FloatArray]) -> None:
        """Set every layer's weights, (inputs + 1, outputs) each, the last row the bias."""
        ...

    def forward(self, inputs: FloatArray) -> tuple[LayerOutput, ...]:
        """Each layer's output for ``inputs`` (samples, features), normalised to about [-1, 1]."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a simulator process, a cluster's actors)."""
        ...


def with_bias(x: FloatArray) -> FloatArray:
    """``x`` with a column of ones appended: the bias row every crossbar has."""
    return np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)


class SoftwareEngine:
    """A tanh network in numpy with the exact derivative: the software baseline."""

    name = "software"
    weight_limit = float("inf")

    def __init__(self) -> None:
        self._weights: tuple[FloatArray, ...] = ()

    def program(self, weights: Sequence[FloatArray]) -> None:
        self._weights = tuple(np.array(w, dtype=np.float64) for w in weights)

    def forward(self, inputs: FloatArray) -> tuple[LayerOutput, ...]:
        outputs = []
        x = np.asarray(inputs, dtype=np.float64)
        for weights in self._weights:
            y = np.tanh(with_bias(x) @ weights)
            outputs.append(LayerOutput(y, 1.0 - y * y))
            x = y
        return tuple(outputs)

    def close(self) -> None:
        """Nothing to release."""
