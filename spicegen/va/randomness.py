"""Seeded random draws for ``$rdist_*`` and ``$random``: device-to-device variability.

Each call site of a module is one *draw*, a subcircuit parameter holding a standard variate
(``N(0,1)``, ``U[0,1)``, ``Exp(1)`` or a 32-bit integer); the model's expression scales it
(``mean + sd*z``), so mean and spread stay instance parameters. The subcircuit's default
variates come from the compile seed; ``CompiledModel.instance`` draws fresh ones per instance
from (seed, instance name), so every instance differs and the same seed gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from spicegen.seeds import draw_seed

Distribution = Literal["normal", "uniform", "exponential", "integer"]
SYSTEM_DISTRIBUTIONS: dict[str, Distribution] = {
    "$rdist_normal": "normal",
    "$rdist_uniform": "uniform",
    "$rdist_exponential": "exponential",
    "$random": "integer",
}
# ``$dist_*`` (Verilog-HDL names): the ``$rdist_*`` draw of the same name, rounded to an integer
INTEGER_DISTRIBUTIONS: dict[str, str] = {
    "$dist_normal": "$rdist_normal",
    "$dist_uniform": "$rdist_uniform",
    "$dist_exponential": "$rdist_exponential",
}


@dataclass(frozen=True, slots=True)
class Draw:
    """One random call site: the subcircuit parameter ``parameter`` holds its variate."""

    parameter: str
    distribution: Distribution
    index: int


def variate(distribution: Distribution, stream_seed: int) -> float | int:
    """The standard variate of ``distribution`` drawn from ``stream_seed``."""
    rng = np.random.default_rng(stream_seed)
    if distribution == "normal":
        return float(rng.standard_normal())
    if distribution == "uniform":
        return float(rng.random())
    if distribution == "exponential":
        return float(rng.standard_exponential())
    return int(rng.integers(-(2**31), 2**31))


def draw_values(
    draws: Iterable[Draw], seed: int, module: str, instance: str = ""
) -> dict[str, float | int]:
    """Parameter name -> variate for every draw (``instance=""``: the subcircuit defaults)."""
    return {
        d.parameter: variate(d.distribution, draw_seed(seed, module, d.index, instance))
        for d in draws
    }
