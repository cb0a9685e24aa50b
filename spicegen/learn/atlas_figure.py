"""The atlas figure: one panel per behaviour in the layout of Drouhin et al.'s figure (the
stimulus above, the neuron's response below, on one time axis), plus the f-I curve and the
refractory period."""

from __future__ import annotations

import os
from pathlib import Path

from spicegen.learn.neuron_atlas import BEHAVIOURS, Atlas

__all__ = ["atlas_figure"]

_TITLES = {
    "tonic_spiking": "tonic spiking",
    "phasic_bursting": "phasic bursting",
    "leaky_integrate_and_fire": "leaky integrate-and-fire",
    "spike_latency": "spike latency",
    "temporal_integration": "temporal integration",
    "stochastic_spiking": "stochastic spiking",
}


def atlas_figure(atlas: Atlas, path: str | os.PathLike[str]) -> Path:
    """Write the atlas of one model as a PNG at ``path``; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(16, 8.5))
    grid = figure.add_gridspec(2, 4, hspace=0.45, wspace=0.3)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, name in enumerate(BEHAVIOURS):
        cell = grid[index // 4, index % 4].subgridspec(2, 1, height_ratios=(1, 3), hspace=0.05)
        top = figure.add_subplot(cell[0])
        bottom = figure.add_subplot(cell[1], sharex=top)
        verdict = atlas.verdicts[name]
        for k, trace in enumerate(atlas.traces[name]):
            colour = colours[k % len(colours)]
            time_us = trace.time * 1e6
            top.plot(time_us, trace.stimulus, color=colour, lw=1.0)
            bottom.plot(time_us, trace.membrane, color=colour, lw=1.0, label=trace.label)
        top.set_ylabel("V_in (V)", fontsize=8)
        top.tick_params(labelbottom=False, labelsize=7)
        bottom.tick_params(labelsize=7)
        bottom.set_xlabel("time (us)", fontsize=8)
        bottom.set_ylabel("membrane (V)", fontsize=8)
        bottom.legend(fontsize=6, loc="lower right")
        mark = "shown" if verdict.shown else "not shown"
        top.set_title(
            f"{_TITLES[name]}: {mark}", fontsize=10, color="k" if verdict.shown else "grey"
        )
    fi = figure.add_subplot(grid[1, 2])
    fi.plot(atlas.fi_current * 1e3, atlas.fi_rate / 1e3, "o-", label="ngspice")
    if atlas.fi_closed_form is not None:
        fi.plot(atlas.fi_current * 1e3, atlas.fi_closed_form / 1e3, "k--", label="closed form")
    fi.set_xlabel("input current V_in / R_L (mA)", fontsize=8)
    fi.set_ylabel("rate (kHz)", fontsize=8)
    fi.set_title("f-I curve", fontsize=10)
    fi.legend(fontsize=7)
    fi.tick_params(labelsize=7)
    text = figure.add_subplot(grid[1, 3])
    text.axis("off")
    lines = [f"model: {atlas.model}", ""]
    lines.append(f"refractory (ON time per spike): {atlas.refractory * 1e9:.1f} ns")
    if atlas.refractory_closed_form is not None:
        lines.append(f"  closed form (discharge): {atlas.refractory_closed_form * 1e9:.1f} ns")
    if atlas.fi_rate.max() > 0:
        lines.append(f"shortest interval (f-I): {1e6 / atlas.fi_rate.max():.2f} us")
    lines.append("")
    for name in BEHAVIOURS:
        lines.append(f"{_TITLES[name]}: {atlas.verdicts[name].reason}")
    text.text(0.0, 1.0, "\n".join(lines), va="top", fontsize=7.5, family="monospace", wrap=True)
    figure.suptitle(f"NbOx neuron atlas ({atlas.model}), ngspice", fontsize=13)
    target = Path(path)
    figure.savefig(target, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return target
