"""k-state domain-wall synapses (2, 3, 5 levels): in-situ and ex-situ training (docs/learn.md).

The landing statistics of one programming step come from Monte Carlo SPICE of the shipped
``dw_synapse`` (``spicegen.surrogate.dw_write``). In-situ: the hidden weights are the
high-precision accumulator, a cell is programmed (through the SPICE statistics) when its
quantised level changes by more than a noise-tolerance margin. Ex-situ: trained with ideal
k-level weights, then every weight programmed once from the middle level. Writes
``docs/learn/bnn_domain_wall.json`` (digits: 15 epochs) or
``docs/learn/bnn_domain_wall_mnist5k.json`` (MNIST-5k, 784-128-128-128-128-10: 10 epochs).

    PYTHONPATH=. python scripts/bnn_domain_wall.py [digits|mnist5k]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from spicegen import models
from spicegen.learn.approximate_memory import seed_split, train_on_split
from spicegen.learn.bnn import BnnConfig, BnnNetwork
from spicegen.learn.datasets import load_dataset
from spicegen.learn.evaluation import summarise
from spicegen.learn.synapses import DwSteps
from spicegen.seeds import stream
from spicegen.surrogate.dw_write import DwWriteSpec, characterise_dw_write

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 1, 2)
HIDDEN = (128, 128, 128, 128)  # five weight layers: 64-128-128-128-128-10
EPOCHS = {"digits": 15, "mnist5k": 10}
SIGMA = 0.1  # position noise, fraction of the track per programming step


def ex_situ(network: BnnNetwork, steps: DwSteps, seed: int) -> tuple[BnnNetwork, float]:
    """Program every weight once from the middle level; the programmed network, its energy."""
    rng = stream(seed, "ex-situ")
    weights, energy = [], 0.0
    for w in network.weights:
        middle = np.zeros_like(w) if steps.characterised.spec.nlevels % 2 else -np.ones_like(w)
        programmed, spent = steps.write(middle, w, np.ones(w.shape, dtype=bool), rng)
        weights.append(programmed)
        energy += spent
    programmed_net = BnnNetwork(
        tuple(weights), network.mean, network.variance, network.gain, network.offset, True
    )
    return programmed_net, energy


def main(name: str) -> None:
    dataset = load_dataset(name)
    epochs = EPOCHS[name]
    out = (
        ROOT
        / "docs"
        / "learn"
        / ("bnn_domain_wall.json" if name == "digits" else f"bnn_domain_wall_{name}.json")
    )
    dw_model = models.load("dw_synapse")
    results: dict[str, object] = {}
    full = [
        train_on_split(
            seed_split(dataset, s), BnnConfig(hidden=HIDDEN, epochs=epochs, binary=False), None, s
        )[1]
        for s in SEEDS
    ]
    results["full_precision"] = [summarise(full).mean, summarise(full).std]
    print("full", results["full_precision"], flush=True)
    for levels in (2, 3, 5):
        dw = characterise_dw_write(dw_model, DwWriteSpec(nlevels=levels, sigma_pos=SIGMA))
        steps = DwSteps(dw)
        config = BnnConfig(
            hidden=HIDDEN, epochs=epochs, levels=levels, margin=0.2, learning_rate=0.02
        )
        ideal, insitu, exsitu, insitu_energy, exsitu_energy = [], [], [], [], []
        for s in SEEDS:
            split = seed_split(dataset, s)
            trained, accuracy = train_on_split(split, config, None, s)
            ideal.append(accuracy)
            programmed, energy = ex_situ(trained.network, steps, s)
            exsitu.append(float(np.mean(programmed.predict(split.x_test) == split.y_test)))
            exsitu_energy.append(energy)
            result, accuracy = train_on_split(split, config, steps, s)
            insitu.append(accuracy)
            insitu_energy.append(result.energy)
        results[str(levels)] = {
            "landing_offsets": dw.offsets.tolist(),
            "landing_probabilities": dw.probabilities.tolist(),
            "step_energy_J": dw.energy,
            "ideal_levels": [summarise(ideal).mean, summarise(ideal).std],
            "in_situ": [summarise(insitu).mean, summarise(insitu).std],
            "ex_situ": [summarise(exsitu).mean, summarise(exsitu).std],
            "in_situ_energy_J": float(np.mean(insitu_energy)),
            "ex_situ_energy_J": float(np.mean(exsitu_energy)),
        }
        print(levels, json.dumps(results[str(levels)]), flush=True)
        out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "digits")
