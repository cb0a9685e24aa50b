"""``spicegen train vdsp|stdp``: a small SPICE run end to end (metrics and figures), and one
clear line with status 2 for each kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli.conftest import assert_one_line_error

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_vdsp_in_spice_writes_metrics_and_figures(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli(
        "train", "vdsp", "--dataset", "patterns", "--samples", "8", "--neurons", "2",
        "--engine", "spice", "--synapse", "resistor", "--presentation", "10e-6",
        "--max-step", "20e-9", "--lr", "0.2", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    for field in ("accuracy_mean", "accuracy_std", "updates", "engine", "dataset", "seconds"):
        assert field in metrics
    assert metrics["engine"] == "spice" and metrics["dataset"] == "patterns"
    assert 0.0 <= metrics["accuracy_mean"] <= 1.0 and metrics["accuracy_std"] == 0.0
    # 4 training, 4 labelling and 4 test presentations of the 8 samples
    assert metrics["presentations"] == 12
    assert metrics["updates"] > 0 and metrics["rule"] == "vdsp"
    for name in ("fields.png", "accuracy.png", "learning.png", "raster.png"):
        assert (out / name).read_bytes()[:8] == PNG_SIGNATURE
    assert "vdsp, spice engine, patterns" in done.out
    # the small task keeps the small network's threshold adaptation
    assert metrics["threshold_adaptation"] == {"increment_v": 0.02, "tau_s": 200e-6}
    # where the SPICE engine's time went: 13 presentations (12 and the raster's)
    spent = metrics["timings_s"][0]
    assert spent["presentations"] == 13 and spent["simulate_s"] > 0
    assert metrics["failed_presentations"] == [] and spent["failed"] == 0


def test_presentations_ngspice_cannot_finish_are_recorded_not_fatal(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # a 0.1 ms bound (0.2 ms for the retry at half the step) that no transient meets: every
    # presentation fails twice, and the run still ends with its metrics and a warning each
    out = tmp_path / "run"
    done = cli(
        "train", "vdsp", "--dataset", "patterns", "--samples", "8", "--neurons", "2",
        "--engine", "spice", "--synapse", "resistor", "--presentation", "10e-6",
        "--max-step", "20e-9", "--timeout", "1e-4", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    failed = metrics["failed_presentations"]
    assert len(failed) == 13 and metrics["timings_s"][0]["failed"] == 13
    assert failed[0].startswith("seed 0, presentation 0: at a 2e-08 s step: timed out")
    assert "at 1e-08 s: timed out" in failed[0]
    assert metrics["updates"] == 0 and metrics["accuracy_mean"] == 0.0
    assert done.err.count("warning: not simulated") == 13


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["vdsp", "--neurons", "0"], "--neurons must be at least 1"),
        (["vdsp", "--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["vdsp", "--dataset", "digits", "--image-size", "3"], "do not divide into 3x3"),
        (["vdsp", "--lr", "2"], "Vdsp.lr: expected at most 1"),
        (["stdp", "--tau", "-1"], "Stdp.tau_plus"),
        (["vdsp", "--dataset", "digits", "--classes", "0,x"], "--classes expects"),
        (["vdsp", "--dataset", "digits", "--classes", "3"], "two or more"),
        (["vdsp", "--presentation", "0"], "presentation"),
        (["vdsp", "--engine", "fpga"], "invalid choice: 'fpga'"),
        (["vdsp", "--seed", "-2"], "--seed must be a non-negative integer"),
        (["vdsp", "--folds", "1"], "--folds must be at least 2"),
        (["vdsp", "--max-step", "1"], "max_step: expected less than the presentation"),
        (["vdsp", "--adaptation-tau", "-1"], "adaptation_tau"),
        (["stdp", "--adaptation-increment", "-0.1"], "adaptation_increment"),
        (["vdsp", "--timeout", "0"], "--timeout must be a positive number"),
        (["vdsp", "--engine", "fast", "--timeout", "5"], "--engine spice only"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], expected: str, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("train", *args, "--out", tmp_path / "out")
    assert_one_line_error(done, expected)


def test_train_help_names_vdsp_and_stdp(cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("train", "--help")
    assert shown.status == 0 and "vdsp" in shown.out and "stdp" in shown.out


def test_vdsp_with_the_fast_circuit_engine_on_digits(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """The older fast engine (its own circuit, the MNIST-5k runs') end to end on 8x8 digits
    0-1 (two seeds): metrics over both seeds."""
    out = tmp_path / "fast"
    done = cli(
        "train", "vdsp", "--dataset", "digits", "--classes", "0,1", "--samples", "20",
        "--neurons", "4", "--engine", "fast-circuit", "--seeds", "2", "--folds", "5",
        "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["engine"] == "fast-circuit" and metrics["dataset"] == "digits"
    # five folds: train and label on 16 of the 20, test on 4
    assert len(metrics["accuracy_per_seed"]) == 2 and metrics["presentations"] == 2 * 36
    assert metrics["updates"] > 0 and metrics["energy_per_presentation_j"] > 0
    assert (out / "fields.png").read_bytes()[:8] == PNG_SIGNATURE
    saved = np.load(out / "weights.npz")
    assert saved["final"].shape == (64, 4) and saved["neuron_labels"].shape == (4,)


def test_fast_engine_is_the_spice_netlist_in_numpy(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """``--engine fast`` trains the SPICE engine's own network (``FastNetworkEngine``): the
    run of ``test_vdsp_in_spice_writes_metrics_and_figures`` without ngspice per sample, its
    learned weights those of that engine trained from Python on the same seed."""
    from spicegen import models
    from spicegen.learn.patterns import spiking_dataset
    from spicegen.learn.snn import Vdsp
    from spicegen.learn.snn_fast_network import FastNetworkEngine, characterise_network
    from spicegen.learn.snn_network import SpikingNetworkParams
    from spicegen.learn.snn_run import run_seed

    out = tmp_path / "run"
    done = cli(
        "train", "vdsp", "--dataset", "patterns", "--samples", "8", "--neurons", "2",
        "--engine", "fast", "--synapse", "resistor", "--presentation", "10e-6",
        "--lr", "0.2", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["engine"] == "fast" and metrics["presentations"] == 12
    assert metrics["updates"] > 0 and "timings_s" not in metrics
    assert "vdsp, fast engine, patterns" in done.out
    # the engine behind the flag: the SPICE engine's params, simulated in numpy
    data = spiking_dataset("patterns", seed=0, samples=8)
    params = SpikingNetworkParams(
        inputs=16, neurons=2, image_shape=(4, 4), synapse_model="resistor", presentation=10e-6
    )
    devices = characterise_network(params, models.load("threshold_switch"), None)
    expected = run_seed(FastNetworkEngine(params, devices), data, Vdsp(lr=0.2), seed=0)
    saved = np.load(out / "weights.npz")
    np.testing.assert_array_equal(saved["final"], expected.weights)
    assert metrics["updates"] == expected.updates


def test_fast_engine_runs_past_the_spice_netlists_size(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # 64 inputs x 65 neurons = 4160 synapses, above the SPICE netlist's 4096: every cell is
    # still characterised in ngspice, and the run ends with its metrics
    out = tmp_path / "out"
    done = cli(
        "train", "vdsp", "--dataset", "digits", "--samples", "20", "--neurons", "65",
        "--engine", "fast", "--synapse-gain", "20", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["engine"] == "fast" and metrics["neurons"] == 65
    assert metrics["presentations"] == 30 and metrics["updates"] > 0


def test_synapse_gain_defaults_to_mnist5ks_scaled_by_the_inputs() -> None:
    import argparse

    from spicegen.cli.train_snn import _synapse_gain
    from spicegen.learn.snn_network import MNIST_SYNAPSE_GAIN_784

    def gain(dataset: str, inputs: int, given: float | None = None) -> dict[str, float]:
        return _synapse_gain(argparse.Namespace(dataset=dataset, synapse_gain=given), inputs)

    assert gain("mnist5k", 784) == {"synapse_gain": MNIST_SYNAPSE_GAIN_784}
    assert gain("mnist5k", 196) == {"synapse_gain": 4 * MNIST_SYNAPSE_GAIN_784}  # 14 x 14
    assert gain("patterns", 16) == {} and gain("digits", 64) == {}  # the network's own 60
    assert gain("mnist5k", 784, 7.5) == {"synapse_gain": 7.5}


def test_threshold_adaptation_defaults_to_the_one_chosen_for_the_dataset() -> None:
    """mnist5k gets the adaptation chosen on its validation images; others the network's own;
    a value given on the command line wins over both."""
    import argparse

    from spicegen.cli.train_snn import _adaptation

    def chosen(dataset: str, increment: float | None = None, tau: float | None = None):  # type: ignore[no-untyped-def]
        args = argparse.Namespace(
            dataset=dataset, adaptation_increment=increment, adaptation_tau=tau
        )
        return _adaptation(args)

    assert chosen("mnist5k") == {"adaptation_increment": 5e-3, "adaptation_tau": 50e-3}
    assert chosen("patterns") == {} and chosen("digits") == {}
    assert chosen("mnist5k", tau=1e-3) == {"adaptation_increment": 5e-3, "adaptation_tau": 1e-3}
    assert chosen("patterns", increment=0.0) == {"adaptation_increment": 0.0}
