"""A disk cache for characterisations: SPICE results keyed by what determines them.

A characterisation's key is the hash of everything its numbers depend on: the characterisation's
name and version, the compiled model's ngspice text (so editing the ``.va`` file invalidates it),
the device parameters, the stimulus grid, the seeds and the ngspice version. Equal keys give the
stored arrays back without running ngspice; anything else runs it again. Entries are ``.npz``
files written atomically, so an interrupted run leaves no half entry.

The directory is ``$SPICEGEN_CACHE`` or ``~/.cache/spicegen``, under ``surrogate/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spicegen.surrogate.errors import SurrogateError

__all__ = ["cache_dir", "cache_key", "cached_arrays"]

Arrays = dict[str, NDArray[Any]]


def cache_dir() -> Path:
    """Where characterisations are stored (created on first use)."""
    root = os.environ.get("SPICEGEN_CACHE") or Path.home() / ".cache" / "spicegen"
    return Path(root) / "surrogate"


def cache_key(name: str, version: int, parts: Mapping[str, Any]) -> str:
    """A hex SHA-256 of ``name``, ``version`` and ``parts`` (JSON-able values, numpy arrays,
    or objects with a stable ``repr``, e.g. frozen dataclasses)."""
    digest = hashlib.sha256(f"{name}\0{version}\0".encode())
    for key in sorted(parts):
        digest.update(key.encode() + b"\0" + _canonical(parts[key]) + b"\0")
    return digest.hexdigest()


def cached_arrays(
    name: str,
    version: int,
    parts: Mapping[str, Any],
    compute: Callable[[], Mapping[str, NDArray[Any]]],
    *,
    use_cache: bool = True,
) -> tuple[Arrays, bool]:
    """The arrays ``compute()`` returns, from the cache when an equal key is stored.

    Returns (arrays, hit). ``use_cache=False`` always computes (and stores the result).
    """
    key = cache_key(name, version, parts)
    path = cache_dir() / name / f"{key}.npz"
    if use_cache and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                return {k: stored[k] for k in stored.files}, True
        except (OSError, ValueError):
            pass  # a damaged entry is recomputed and replaced
    arrays = {k: np.asarray(v) for k, v in compute().items()}
    if any(a.dtype == object for a in arrays.values()):
        raise SurrogateError(f"{name}: characterisation returned a non-numeric array")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".partial.npz")
    os.close(handle)
    try:
        np.savez(partial, **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds as its flags
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return arrays, False


def _canonical(value: Any) -> bytes:
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        return f"{array.dtype.str}{array.shape}".encode() + array.tobytes()
    try:
        return json.dumps(value, sort_keys=True, allow_nan=True).encode()
    except TypeError:
        return repr(value).encode()
