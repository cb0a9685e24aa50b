"""``spicegen train bnn``: metrics.json with the issue's fields, the figure, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import assert_one_line_error

SMALL = ["--dataset", "digits", "--repeats", "2", "--epochs", "1", "--hidden", "16"]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path / "cache"))


def test_ideal_synapse_writes_metrics_and_the_figure(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli("train", "bnn", *SMALL, "--synapse", "ideal", "--out", out)
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.5 < metrics["accuracy_mean"] <= 1 and metrics["accuracy_std"] >= 0
    assert metrics["seeds"] == [0, 1] and metrics["energy_saved_at_1pct_loss"] == 0.0
    assert metrics["accuracy_mean"] == metrics["ideal_writes"]["mean"]  # the same runs
    assert (out / "accuracy_energy.png").stat().st_size > 1000
    assert "accuracy" in done.out


def test_one_mram_pulse_is_characterised_then_served_from_the_cache(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = [
        "train",
        "bnn",
        *SMALL,
        "--synapse",
        "mram",
        "--pulse-current",
        "136e-6",
        "--devices",
        "50",
    ]
    # 3 ic0 of reduced current, 8 ns: a cheap characterisation (50 devices, a few s)
    first = cli(*args, "--pulse-width", "8e-9", "--out", tmp_path / "a")
    second = cli(*args, "--pulse-width", "8e-9", "--out", tmp_path / "b")
    assert first.status == 0 and second.status == 0, first.err + second.err
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())
    b = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert (a["characterisation_cached"], b["characterisation_cached"]) == (False, True)
    (point,) = a["points"]
    assert point["current_A"] == pytest.approx(136e-6) and point["width_s"] == 8e-9
    assert 0 < point["write_error"] < 0.1 and point["energy_J"] > 0
    assert a["points"] == b["points"]  # same seeds, same characterisation: same numbers


def test_writes_to_minus_one_cost_the_p_to_ap_energy(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli(
        "train", "bnn", *SMALL, "--synapse", "mram", "--pulse-current", "136e-6",
        "--pulse-width", "8e-9", "--devices", "20", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    (point,) = json.loads((out / "metrics.json").read_text())["points"]
    to_p, to_ap = point["energy_per_write_J"], point["energy_per_write_to_ap_J"]
    # the same reduced current 3 and width: P -> AP drives ic_ratio = 1.5 times the current
    # through the same cell, so each write costs more (I^2 R t, R higher in AP as well)
    assert point["width_to_ap_s"] == 8e-9 and to_ap > 1.5 * to_p > 0
    # energy = to_p (writes - n) + to_ap n over the run's n writes to -1: n must be a count
    # strictly between 0 and the writes (both directions are written while training)
    reverse = (point["energy_J"] - to_p * point["writes"]) / (to_ap - to_p)
    assert 0.05 * point["writes"] < reverse < 0.95 * point["writes"]


def test_energy_sweep_prices_each_direction(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sweep"
    done = cli(
        "train", "bnn", *SMALL, "--repeats", "1", "--synapse", "mram", "--energy-sweep",
        "--sweep-currents", "3", "--devices", "10", "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    points = json.loads((out / "metrics.json").read_text())["points"]
    assert len(points) > 1
    for point in points:
        # each direction's width is solved for the same error rate; the P -> AP pulse
        # carries 1.5 times the current, so it costs more per write at about the same width
        assert point["width_to_ap_s"] == pytest.approx(point["width_s"], rel=0.1)
        assert point["energy_per_write_to_ap_J"] > 1.5 * point["energy_per_write_J"]


def test_metaplastic_tasks_write_both_curves(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "meta"
    done = cli("train", "bnn", *SMALL, "--synapse", "ideal", "--metaplastic", "30", "--out", out)
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    curves = metrics["curves"]
    assert set(curves) == {"30.0", "0.0"} and len(curves["0.0"]["task_a_during_b"]) == 2
    assert metrics["accuracy_mean"] == curves["30.0"]["task_a_during_b"][-1]
    assert (out / "task_a.png").stat().st_size > 1000


def test_metaplastic_split_tasks_match_the_api(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from spicegen.learn.datasets import load_dataset
    from spicegen.learn.metaplastic import sequential_tasks

    args = ["train", "bnn", *SMALL, "--synapse", "ideal", "--metaplastic", "30"]
    runs = {}
    for tasks in ("split", "permuted"):
        done = cli(*args, "--tasks", tasks, "--out", tmp_path / tasks)
        assert done.status == 0, done.err
        runs[tasks] = json.loads((tmp_path / tasks / "metrics.json").read_text())
    assert runs["split"]["tasks"] == "split"
    # the same seeds through the Python API: training is seeded, so the curves are the same
    expected = sequential_tasks(
        load_dataset("digits"), 30.0, [0, 1], epochs=1, hidden=(16,), tasks="split"
    )
    curve = runs["split"]["curves"]["30.0"]
    assert curve["task_b"] == pytest.approx(expected.task_b.mean, abs=1e-12)
    assert curve["task_a_during_b"] == pytest.approx(
        [s.mean for s in expected.task_a_during_b], abs=1e-12
    )
    # task B of the split pair is another test set (classes 5-9) than the permuted one
    assert curve["task_b"] != runs["permuted"]["curves"]["30.0"]["task_b"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--synapse", "mram"], "needs --pulse-current"),
        (["--synapse", "ideal", "--energy-sweep"], "need --synapse mram"),
        (["--synapse", "mram", "--pulse-current", "1e-6", "--pulse-width", "1e-9"], "exceed ic0"),
        (["--synapse", "ideal", "--repeats", "0"], "--repeats"),
        (["--synapse", "ideal", "--dataset", "nope"], "nope"),
        (["--synapse", "dw"], "needs --levels"),
        (["--synapse", "memristor"], "invalid choice"),
        (["--synapse", "mram", "--levels", "3"], "--levels needs --synapse dw"),
        (["--synapse", "dw", "--levels", "1"], "2..16"),
        (["--synapse", "dw", "--levels", "3", "--position-noise", "0.9"], "--position-noise"),
        (["--synapse", "rram", "--non-idealities", "c2c,heat"], "c2c,d2d,nonlinear"),
        (["--synapse", "ideal", "--ablation"], "need --synapse rram"),
        (["--synapse", "rram", "--pulse-current", "1e-4"], "need --synapse mram"),
        (["--synapse", "rram", "--metaplastic", "3"], "--synapse ideal"),
        (["--synapse", "ideal", "--devices", "2"], "--devices"),
        (["--synapse", "mram", "--energy-sweep", "--metaplastic", "3"], "--synapse ideal"),
        (["--synapse", "ideal", "--metaplastic", "-1"], "> 0"),
        (["--synapse", "ideal", "--metaplastic", "3", "--tasks", "mixed"], "invalid choice"),
        (["--synapse", "mram", "--energy-sweep", "--sweep-currents", "0.5"], "> 1"),
    ],
)
def test_bad_options_are_one_line_errors(
    cli, tmp_path: Path, extra: list[str], expected: str
) -> None:  # type: ignore[no-untyped-def]
    done = cli("train", "bnn", "--epochs", "1", *extra, "--out", tmp_path / "x")
    assert_one_line_error(done, expected)


def test_rram_weak_reset_pairs_write_metrics_and_the_figure(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ["train", "bnn", *SMALL, "--synapse", "rram", "--devices", "10"]
    first = cli(*args, "--non-idealities", "d2d", "--out", tmp_path / "a")
    second = cli(*args, "--non-idealities", "none", "--out", tmp_path / "b")
    assert first.status == 0 and second.status == 0, first.err + second.err
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())
    b = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert (a["characterisation_cached"], b["characterisation_cached"]) == (False, True)
    (setting,) = a["settings"]
    assert setting["non_idealities"] == "d2d" and setting["device_to_device"]
    assert not setting["cycle_to_cycle"] and not setting["nonlinear"]
    assert a["accuracy_mean"] == setting["accuracy"] and 0.3 < a["accuracy_mean"] <= 1
    assert setting["pulses"] > 0 and setting["energy_J"] > 0 and a["pulse_energy_J"] > 0
    assert a["full_precision"] == b["full_precision"]  # the same splits and seeds
    assert (tmp_path / "a" / "accuracy.png").stat().st_size > 1000
    assert "d2d" in first.out


def test_rram_ablation_trains_every_setting_and_names_the_costliest(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ablation"
    done = cli(
        "train", "bnn", *SMALL, "--synapse", "rram", "--devices", "10", "--ablation", "--out", out
    )
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    labels = [s["non_idealities"] for s in metrics["settings"]]
    assert len(set(labels)) == 8 and labels[0] == "none"
    assert metrics["most_harmful"] in {None, "cycle_to_cycle", "device_to_device", "nonlinear"}
    assert set(metrics["costs"]["device_to_device"]) == {
        "alone",
        "removed",
        "alone_se",
        "removed_se",
    }
    assert "most harmful" in done.out


@pytest.mark.parametrize("levels", [2, 3, 5])
def test_domain_wall_levels_train_in_situ(cli, tmp_path: Path, levels: int) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"dw{levels}"
    done = cli(
        "train", "bnn", *SMALL, "--synapse", "dw", "--levels", levels, "--devices", "20",
        "--out", out,
    )  # fmt: skip
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["levels"] == levels and 0.3 < metrics["accuracy_mean"] <= 1
    assert abs(sum(metrics["landing_probabilities"]) - 1) < 1e-9
    assert metrics["energy_J"] > 0 and metrics["step_energy_J"] > 0
    assert metrics["energy_per_training_sample_J"] == pytest.approx(
        metrics["energy_J"] / (1437 * 1)  # 80 % of 1,797 digits, one epoch
    )
    assert (out / "accuracy.png").stat().st_size > 1000
