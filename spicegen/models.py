"""The device models shipped with spicegen (``models/*.va``), compiled on demand.

``models/`` is installed with the package (as ``spicegen/model_files``), so these work from a
wheel as from a checkout::

    from spicegen import models
    models.available()                       # ('dw_synapse', 'mtj', 'mtj_sp', ...)
    mtj = models.load("mtj", seed=7)         # a CompiledModel
    x1 = mtj.instance("X1", ("bl", "sl"), state0=1)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from spicegen.va import CompiledModel
from spicegen.va.compile import compile_model

MODEL_DIR = Path(__file__).resolve().parent / "model_files"


def available() -> tuple[str, ...]:
    """Names of the shipped models (the module names, which are also the file names)."""
    return tuple(sorted(path.stem for path in MODEL_DIR.glob("*.va")))


def path(name: str) -> Path:
    """The Verilog-A source of model ``name``; ``KeyError`` lists the available ones."""
    candidate = MODEL_DIR / f"{name}.va"
    if name not in available():
        raise KeyError(f"no shipped model {name!r}; available: {', '.join(available())}")
    return candidate


@lru_cache(maxsize=64)
def load(name: str, *, seed: int | None = None) -> CompiledModel:
    """Model ``name`` compiled with ``seed`` (cached: compiling is done once per process)."""
    return compile_model(path(name), seed=seed)
