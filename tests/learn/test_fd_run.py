"""A cross-validated run and what it writes: metrics with the baseline, figures, the trained
conductances, and a netlist that ngspice simulates into the trainer's own predictions."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import Session, models
from spicegen.circuits.network import activation_node, input_source
from spicegen.learn import load_dataset
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_run import cross_validate, write_run


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


def test_run_writes_metrics_figures_conductances_and_a_netlist(tmp_path: object) -> None:
    mtj = models.load("mtj")
    iris = load_dataset("iris")
    chip = MtjChip(levels=64, rp_spread=0.05, mismatch=0.005)
    run = cross_validate(iris, folds=3, seed=2, engine="surrogate", device=mtj, chip=chip,
                         hidden=(4,), epochs=3)  # fmt: skip
    assert len(run.folds) == len(run.baseline) == 3
    tested = np.sort(np.concatenate([fold.test for fold in run.folds]))
    assert tested.size == iris.samples  # every sample tested once
    paths = write_run(run, tmp_path / "out", device=mtj)  # type: ignore[operator]
    metrics = json.loads(paths["metrics"].read_text())
    accuracies = [fold["accuracy"] for fold in metrics["folds"]]
    assert metrics["accuracy_mean"] == pytest.approx(np.mean(accuracies))
    assert metrics["accuracy_std"] == pytest.approx(np.std(accuracies, ddof=1))
    assert metrics["engine"] == "surrogate" and metrics["dataset"] == "iris"
    assert metrics["baseline"]["accuracy_mean"] > 0.5 and metrics["seconds"] > 0
    assert np.sum(metrics["confusion_matrix"]) == iris.samples
    assert (
        1e-13 < metrics["energy_inference_per_sample_J"] < metrics["energy_training_per_sample_J"]
    )
    for kind in ("learning_curve", "confusion"):
        assert paths[kind].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    best = run.folds[metrics["exported_fold"]]
    with np.load(paths["conductances"]) as stored:
        plus = stored[f"fold{best.fold}_layer0_g_plus"]
        assert plus.min() >= chip.g_min and plus.max() <= chip.g_max
        offset, scale = (
            stored[f"fold{best.fold}_input_offset"],
            stored[f"fold{best.fold}_input_scale"],
        )
    # the netlist is the trained chip: ngspice's outputs give the trainer's predictions
    samples = iris.x[::10]
    volts = chip.read_voltage * np.clip((samples - offset) / scale, -1, 1)
    with Session(paths["netlist"].read_text()) as session:
        predicted = []
        for sample in volts:
            for i, value in enumerate(sample):
                session.alter(input_source(i), float(value))
            waves = session.op()
            outputs = [waves.v(activation_node(1, k))[0] for k in range(3)]
            predicted.append(int(np.argmax(outputs)))
    expected = _surrogate_predictions(run, best, volts / chip.read_voltage)
    assert predicted == expected


def _surrogate_predictions(run: object, best: object, inputs: np.ndarray) -> list[int]:
    from spicegen.learn.fd_surrogate import SurrogateEngine

    engine = SurrogateEngine(models.load("mtj"), run.chip, run.sizes)  # type: ignore[attr-defined]
    engine.program(best.weights)  # type: ignore[attr-defined]
    return [int(k) for k in engine.forward(inputs)[-1].y.argmax(axis=1)]
