"""The random sources of the memristor MCMC sampler, as ``docs/learn.md`` shows them: the
``rram_hfo2`` programming cycle against the SET compliance (ngspice Monte Carlo, its fits, the
model's closed form, and fresh runs at compliances the fit did not see), the ``dw_synapse``
landing odds, and the fast read against ngspice through the crossbar.

    .venv/bin/python scripts/plot_mcmc_devices.py [out_dir]   (default docs/learn/img/mcmc)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from spicegen import models
from spicegen.learn.mcmc_devices import DwDevice, IdealDevice, RramDevice, device_kind
from spicegen.learn.mcmc_engines import SpiceEngine, validate_reads
from spicegen.surrogate import rram_programming

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = [30e-6, 70e-6]  # A: between grid points of the default characterisation


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "learn" / "img" / "mcmc"
    out.mkdir(parents=True, exist_ok=True)
    rram = device_kind(models.load("rram_hfo2"))
    dw = device_kind(models.load("dw_synapse"))
    assert isinstance(rram, RramDevice) and isinstance(dw, DwDevice)
    p = rram.programming
    model = models.load("rram_hfo2")
    closed = rram_programming.closed_form(model, p.compliance)
    mean_check, sd_check = rram_programming.validate(model, p, UNSEEN, seed=7)

    figure, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    micro = 1e6
    icc = p.compliance * micro
    dense = np.linspace(p.compliance[0], p.compliance[-1], 200)
    axes[0].plot(icc, p.mean * micro, "o", label="ngspice mean (16 devices x 4 cycles)")
    axes[0].plot(dense * micro, p.mean_fit(dense) * micro, "-", label="fit")
    axes[0].plot(icc, closed["mean"] * micro, "--", label="closed form")
    axes[0].set_xlabel("SET compliance (uA)")
    axes[0].set_ylabel("conductance after the cycle (uS)")
    axes[0].set_title(f"rram_hfo2 cycle; unseen: {mean_check.max_error:.1%} of span")
    axes[0].legend(fontsize=7)
    axes[1].plot(icc, p.sd * micro, "o", label="ngspice sd")
    axes[1].plot(dense * micro, np.maximum(p.sd_fit(dense), 0.5 * p.sd.min()) * micro, "-",
                 label="fit (floored)")  # fmt: skip
    axes[1].plot(icc, closed["sd"] * micro, "--", label="closed form")
    axes[1].set_xlabel("SET compliance (uA)")
    axes[1].set_ylabel("cycle-to-cycle sd (uS)")
    axes[1].set_title(f"spread; unseen: {sd_check.max_error:.1%} of span")
    axes[1].legend(fontsize=7)
    image = axes[2].imshow(dw.programming.transition, cmap="viridis", vmin=0, vmax=1)
    axes[2].set_xlabel("level landed on")
    axes[2].set_ylabel("level aimed at")
    spacing = dw.programming.sd * (dw.programming.nlevels - 1)
    axes[2].set_title(f"dw_synapse landing odds (sd {spacing:.2f} level spacing)")
    figure.colorbar(image, ax=axes[2], fraction=0.046)
    figure.tight_layout()
    figure.savefig(out / "devices.png", dpi=110)
    print(f"rram mean at unseen compliances: {mean_check}")
    print(f"rram sd at unseen compliances: {sd_check}")
    for device in (IdealDevice(), rram, dw):
        check = validate_reads(device, SpiceEngine(device), rows=31, columns=8, samples=40)
        print(f"fast read against ngspice (31 x 8, 1 ohm segments), {device.name}: {check}")
    print(f"wrote {out / 'devices.png'}")


if __name__ == "__main__":
    main()
