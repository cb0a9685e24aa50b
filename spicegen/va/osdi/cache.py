"""The compile cache of the osdi target: an unchanged model is neither generated nor compiled
again.

The key is a hash of everything the result depends on: the preprocessed source (includes
and macros expanded), where each of its lines came from, the module, the seed, and the
compiler itself (every source file of ``spicegen.va``, so a changed compiler never reuses an
old result). A hit loads the checked module and the wrapper subcircuit (pickled next to the
library, in the user's own cache directory, readable by the user only) instead of parsing,
checking and generating C again.
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import os
import pickle
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spicegen.va.osdi.build import FLAGS, cache_directory
from spicegen.va.preprocess import Preprocessed

_PACKAGE = Path(__file__).resolve().parents[1]  # spicegen/va
_SOURCES = ("*.py", "*.lark", "*.h", "*.vams")


@functools.cache
def compiler_version() -> str:
    """A hash of the compiler's own files (the front end, both targets, the runtime)."""
    digest = hashlib.sha256(" ".join(FLAGS).encode())
    for pattern in _SOURCES:
        for path in sorted(_PACKAGE.rglob(pattern)):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def compile_key(pre: Preprocessed, module: str | None, seed: int) -> str:
    digest = hashlib.sha256(compiler_version().encode())
    digest.update(pre.text.encode())
    digest.update(repr(pre.line_origins).encode())
    digest.update(f"\0{module}\0{seed}".encode())
    return digest.hexdigest()[:40]


def _path(key: str) -> Path:
    return cache_directory() / f"model-{key}.pickle"


def _proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def load(key: str) -> Any | None:
    """The cached compile result for ``key``, or None (absent, unreadable, library gone)."""
    path = _path(key)
    try:
        with open(path, "rb") as file:
            result = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    library = getattr(result, "library", None)
    if library is None or not Path(library).is_file():
        return None
    return result


def store(key: str, result: object) -> None:
    """Keep ``result`` (a CompiledModel) for ``key``; a write that fails is no error."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[MappingProxyType] = lambda proxy: (_proxy, (dict(proxy),))
    pickler.dispatch_table = table
    pickler.dump(result)
    path = _path(key)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(buffer.getvalue())
        os.replace(temporary, path)
    except OSError:
        return
