"""Read a sweep directory back: a pandas-free table (dict of numpy arrays), or xarray."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from spicegen.sweep.errors import SweepError
from spicegen.sweep.store import Store

Table = dict[str, np.ndarray]


def load(directory: str | os.PathLike[str]) -> Table:
    """The sweep's rows as a dict of equal-length arrays, in point order.

    Columns: ``index``, ``seed``, ``status``, ``error``, ``rung``, ``elapsed`` (s),
    ``netlist_hash``, ``waveform`` (file or ""), then one float column per parameter (SI units)
    and per measurement (NaN where it failed or does not exist).
    """
    with Store.open(directory) as store:
        meta = store.meta()
        rows = list(store.rows())
    params: list[str] = json.loads(meta.get("parameters", "[]"))
    measures: list[str] = json.loads(meta.get("measurements", "[]"))
    table: Table = {
        "index": np.array([r["idx"] for r in rows], dtype=np.int64),
        "seed": np.array([r["seed"] for r in rows], dtype=np.int64),
        "status": np.array([r["status"] for r in rows], dtype=str),
        "error": np.array([r["error"] or "" for r in rows], dtype=str),
        "rung": np.array([r["rung"] for r in rows], dtype=str),
        "elapsed": np.array([r["elapsed"] for r in rows], dtype=np.float64),
        "netlist_hash": np.array([r["netlist_hash"] for r in rows], dtype=str),
        "waveform": np.array([r["waveform"] or "" for r in rows], dtype=str),
    }
    for name in params:
        table[name] = np.array([r["params"].get(name, np.nan) for r in rows], dtype=np.float64)
    for name in measures:
        table[name] = np.array(
            [r["measurements"].get(name, np.nan) for r in rows], dtype=np.float64
        )
    return table


def load_waves(directory: str | os.PathLike[str], index: int) -> dict[str, np.ndarray]:
    """The kept waveforms of point ``index`` (vector name -> array)."""
    table = load(directory)
    where = np.nonzero(table["index"] == index)[0]
    if where.size == 0 or not table["waveform"][where[0]]:
        raise SweepError(f"point {index} has no kept waveforms in {directory}")
    with np.load(os.path.join(directory, str(table["waveform"][where[0]]))) as data:
        return {name: data[name] for name in data.files}


def to_xarray(source: str | os.PathLike[str] | Table) -> Any:
    """The table as an ``xarray.Dataset`` along dimension ``point`` (needs xarray)."""
    try:
        import xarray
    except ImportError:
        raise SweepError("to_xarray needs xarray: pip install 'spicegen[xarray]'") from None
    table = source if isinstance(source, dict) else load(source)
    return xarray.Dataset(
        {name: ("point", data) for name, data in table.items() if name != "index"},
        coords={"point": table["index"]},
    )
