"""The device models shipped with spicegen (``models/*.va``), compiled on demand.

``models/`` is installed with the package (as ``spicegen/model_files``), so these work from a
wheel as from a checkout::

    from spicegen import models
    models.available()                       # ('dw_synapse', 'mtj', 'mtj_sp', ...)
    models.describe("mtj").ports             # ('p', 'n'), without compiling
    mtj = models.load("mtj", seed=7)         # a CompiledModel
    x1 = mtj.instance("X1", ("bl", "sl"), state0=1)

Listing and describing read only the sources' header comments; the compiler is imported when a
model is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from spicegen.errors import SpicegenError

if TYPE_CHECKING:
    from spicegen.va import CompiledModel

MODEL_DIR = Path(__file__).resolve().parent / "model_files"


class UnknownModelError(SpicegenError, KeyError):
    """A name that is no shipped model; also a ``KeyError``, as a dict lookup would raise."""

    def __init__(self, name: str, available: tuple[str, ...]) -> None:
        super().__init__(name, available)
        self.name = name
        self.available = available

    def __str__(self) -> str:
        # KeyError.__str__ would repr-quote the whole message; give the plain text instead.
        return f"no shipped model {self.name!r}; available: {', '.join(self.available)}"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A shipped model as its source announces it: name, ports, the header's first sentence."""

    name: str
    ports: tuple[str, ...]
    description: str
    path: Path


def available() -> tuple[str, ...]:
    """Names of the shipped models (the module names, which are also the file names)."""
    return tuple(sorted(path.stem for path in MODEL_DIR.glob("*.va")))


def path(name: str) -> Path:
    """The Verilog-A source of model ``name``; ``UnknownModelError`` lists the available ones."""
    names = available()
    if name not in names:
        raise UnknownModelError(name, names)
    return MODEL_DIR / f"{name}.va"


def describe(name: str) -> ModelInfo:
    """Model ``name``'s ports and one-line description, read from its source without compiling.

    The description is the first sentence of the header comment (``// name: what it is.``);
    the ports are those of ``module name(...)``. Every shipped model follows that layout
    (the tests compare these ports with the compiled ones).
    """
    source = path(name)
    text = source.read_text(encoding="utf-8")
    return ModelInfo(name, _ports(text, name), _first_sentence(text, name), source)


def _first_sentence(text: str, name: str) -> str:
    paragraph: list[str] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        if not body:
            if paragraph:
                break
            continue
        # a word broken across lines ("wall-" / "position") joins without a space
        if paragraph and paragraph[-1].endswith("-"):
            paragraph[-1] += body
        else:
            paragraph.append(body)
    joined = " ".join(paragraph).removeprefix(f"{name}:").strip()
    sentence = re.split(r"(?<=\.)\s", joined, maxsplit=1)[0]
    return sentence or "(no description in the header comment)"


def _ports(text: str, name: str) -> tuple[str, ...]:
    found = re.search(rf"^\s*module\s+{re.escape(name)}\s*\(([^)]*)\)", text, re.MULTILINE)
    if found is None:
        return ()
    return tuple(port.strip() for port in found.group(1).split(",") if port.strip())


@lru_cache(maxsize=64)
def load(name: str, *, seed: int | None = None, target: str = "subckt") -> CompiledModel:
    """Model ``name`` compiled with ``seed`` for ``target`` (``"subckt"`` or ``"osdi"``),
    cached: compiling is done once per process."""
    from spicegen.va.compile import compile_model

    return compile_model(path(name), seed=seed, target=target)  # type: ignore[arg-type]
