"""Characterise the shipped ``mtj`` as an approximate memory and validate the fit against SPICE.

Writes ``docs/learn/img/mram_write.png`` and prints the figures of docs/learn.md
("Device-aware binary networks"): the fitted law against Butler's closed form, the physics.md
6.2 pulses, and the surrogate's error against a fresh Monte Carlo run it was not fitted on;
then the same for P -> AP writes (negative current, critical current 1.5 ic0), whose figures are
also written to ``docs/learn/mram_write_p_to_ap.json``.

    PYTHONPATH=. python scripts/characterise_mram_write.py
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from spicegen import models
from spicegen.surrogate import compare
from spicegen.surrogate.mram_write import (
    MramWriteSpec,
    butler_error,
    characterise_mram_write,
    pulse_for_error,
    tau_d,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> dict[str, object]:
    """Run the three characterisations (cached) and write the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mtj = models.load("mtj")
    began = time.perf_counter()
    nominal = characterise_mram_write(
        mtj, MramWriteSpec(currents=(2.0,), devices=400, sigma=0.0, seed=21)
    )
    spread = characterise_mram_write(mtj, MramWriteSpec())  # the trainer's: sigma/mu 7 %
    fresh = characterise_mram_write(  # not fitted on: another seed and current
        mtj, MramWriteSpec(currents=(2.25,), devices=200, seed=99)
    )
    reverse_nominal = characterise_mram_write(
        mtj, MramWriteSpec(currents=(2.0,), devices=400, sigma=0.0, seed=21, direction="p_to_ap")
    )
    reverse = characterise_mram_write(mtj, MramWriteSpec(direction="p_to_ap"))  # the trainer's
    seconds = time.perf_counter() - began
    current = float(nominal.currents[0])
    figures: dict[str, object] = {
        "nominal_k_per_ns": nominal.k * 1e-9,
        "closed_form_k_per_ns": 2 / tau_d() * 1e-9,
        "nominal_log_a": nominal.log_a,
        "closed_form_log_a": math.log(math.pi**2 * 40 / 4),
        "nominal_t_1e-6_ns": nominal.width_for_error(current, 1e-6) * 1e9,
        "nominal_t_1e-3_ns": nominal.width_for_error(current, 1e-3) * 1e9,
        "closed_form_t_1e-6_ns": pulse_for_error(1e-6, 2.0) * 1e9,
        "closed_form_t_1e-3_ns": pulse_for_error(1e-3, 2.0) * 1e9,
        "spread_k_per_ns": spread.k * 1e-9,
        "spread_log_a": spread.log_a,
        "spread_t_1e-6_ns_at_i2": spread.width_for_error(float(spread.currents[0]), 1e-6) * 1e9,
        "spread_t_1e-3_ns_at_i2": spread.width_for_error(float(spread.currents[0]), 1e-3) * 1e9,
        "cached": [nominal.cached, spread.cached, fresh.cached],
        "seconds": seconds,
    }
    predicted = spread.error(float(fresh.currents[0]), fresh.widths)
    validation = compare(
        "write error, i = 2.25, 200 fresh devices", predicted, fresh.error_mc[0], full_scale=1.0
    )
    figures["validation"] = str(validation)
    figures["validation_max_error"] = validation.max_error

    reverse_current = float(reverse_nominal.currents[0])
    reverse_figures = {
        "current_uA_at_i2": reverse_current * 1e6,
        "nominal_k_per_ns": reverse_nominal.k * 1e-9,
        "nominal_log_a": reverse_nominal.log_a,
        "nominal_t_1e-6_ns": reverse_nominal.width_for_error(reverse_current, 1e-6) * 1e9,
        "nominal_t_1e-3_ns": reverse_nominal.width_for_error(reverse_current, 1e-3) * 1e9,
        "spread_t_1e-6_ns_at_i2": reverse.width_for_error(reverse_current, 1e-6) * 1e9,
        "spread_t_1e-3_ns_at_i2": reverse.width_for_error(reverse_current, 1e-3) * 1e9,
        "spread_t_0.5_ns_at_i2": reverse.width_for_error(reverse_current, 0.5) * 1e9,
        "ap_to_p_spread_t_0.5_ns_at_i2": spread.width_for_error(current, 0.5) * 1e9,
        "energy_pJ_at_i2": {
            f"{w * 1e9:g} ns": [
                spread.energy_at(current, w) * 1e12,
                reverse.energy_at(reverse_current, w) * 1e12,
            ]
            for w in (5e-9, 10e-9, 20e-9)
        },
    }
    figures["p_to_ap"] = reverse_figures
    (ROOT / "docs" / "learn" / "mram_write_p_to_ap.json").write_text(
        json.dumps(reverse_figures, indent=1)
    )

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    t = spread.widths * 1e9
    for c, colour in zip(range(spread.currents.size), ("C0", "C1", "C2"), strict=True):
        i = spread.currents[c] / spread.spec.ic0
        mc = np.where(spread.error_mc[c] > 0, spread.error_mc[c], np.nan)
        left.semilogy(t, mc, ".", color=colour, ms=3, label=f"SPICE, i = {i:g}, sigma 7 %")
        left.semilogy(t, spread.error(float(spread.currents[c]), spread.widths), "-", color=colour)
        left.semilogy(t, butler_error(spread.widths, i), ":", color=colour)
    mc = np.where(fresh.error_mc[0] > 0, fresh.error_mc[0], np.nan)
    left.semilogy(t, mc, "x", color="k", ms=3, label="fresh SPICE, i = 2.25 (validation)")
    left.semilogy(t, predicted, "k-")
    left.axhline(1e-6, color="grey", lw=0.5)
    left.axhline(1e-3, color="grey", lw=0.5)
    left.set(
        xlabel="pulse width (ns)",
        ylabel="write error rate",
        ylim=(1e-8, 1.5),
        title="dots SPICE, lines fit + ic0 average, dotted Butler (no spread)",
    )
    left.legend(fontsize=7)
    for c in range(spread.currents.size):
        i = spread.currents[c] / spread.spec.ic0
        right.plot(t, spread.energy[c] * 1e12, label=f"AP -> P, i = {i:g}")
        right.plot(t, reverse.energy[c] * 1e12, "--", label=f"P -> AP, i = {i:g}")
    right.set(xlabel="pulse width (ns)", ylabel="mean write energy (pJ)", title="integral of v I")
    right.legend()
    fig.tight_layout()
    out = ROOT / "docs" / "learn" / "img" / "mram_write.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
