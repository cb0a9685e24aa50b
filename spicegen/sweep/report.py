"""``report``: plot every measurement against every parameter, as a PNG or a one-file HTML page."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path

import numpy as np

from spicegen.sweep.errors import SweepError
from spicegen.sweep.export import load
from spicegen.sweep.store import Store


def report(directory: str | os.PathLike[str], output: str | os.PathLike[str]) -> Path:
    """Write ``output`` (``.png`` or ``.html``): measurements (y) against parameters (x),
    failed points marked on the x axis; returns the path."""
    out = Path(output)
    if out.suffix.lower() not in (".png", ".html", ".htm"):
        raise SweepError(f"report must be .png or .html, not {out.name!r}")
    with Store.open(directory) as store:
        meta = store.meta()
        counts = store.counts()
    table = load(directory)
    params: list[str] = json.loads(meta.get("parameters", "[]"))
    measures: list[str] = json.loads(meta.get("measurements", "[]"))
    if not params or not measures:
        raise SweepError(f"{directory}: nothing to plot (no parameters or no measurements)")
    png = _figure(table, params, measures)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".png":
            out.write_bytes(png)
        else:
            out.write_text(_page(meta.get("name", "sweep"), counts, table, png), encoding="utf-8")
    except OSError as err:
        raise SweepError(f"cannot write {out}: {err.strerror or err}") from None
    return out


def _figure(table: dict[str, np.ndarray], params: list[str], measures: list[str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = table["status"] == "done"
    fig, axes = plt.subplots(
        len(measures), len(params), figsize=(4 * len(params), 3 * len(measures)), squeeze=False
    )
    for row, measure in enumerate(measures):
        for col, param in enumerate(params):
            axis = axes[row][col]
            axis.plot(table[param][ok], table[measure][ok], ".", label="done")
            if (~ok).any():
                low = np.nanmin(table[measure][ok]) if ok.any() else 0.0
                axis.plot(table[param][~ok], np.full((~ok).sum(), low), "rx", label="failed")
                axis.legend(fontsize="small")
            axis.set_xlabel(param)
            axis.set_ylabel(measure)
            axis.grid(True, alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def _page(name: str, counts: dict[str, int], table: dict[str, np.ndarray], png: bytes) -> str:
    image = base64.b64encode(png).decode("ascii")
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
    failed = [
        f"<tr><td>{table['index'][i]}</td><td>{html.escape(str(table['error'][i]))}</td>"
        f"<td>{html.escape(str(table['rung'][i]))}</td></tr>"
        for i in np.nonzero(table["status"] != "done")[0][:200]
    ]
    rows = "".join(failed) or "<tr><td colspan=3>none</td></tr>"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(name)}</title>"
        f"</head><body><h1>Sweep {html.escape(name)}</h1><p>{len(table['index'])} points "
        f"({html.escape(summary)})</p><img alt='measurements against parameters' "
        f"src='data:image/png;base64,{image}'><h2>Failed points</h2><table border=1>"
        f"<tr><th>index</th><th>error</th><th>rung</th></tr>{rows}</table></body></html>\n"
    )
