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


def test_metaplastic_tasks_write_both_curves(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "meta"
    done = cli("train", "bnn", *SMALL, "--synapse", "ideal", "--metaplastic", "30", "--out", out)
    assert done.status == 0, done.err
    metrics = json.loads((out / "metrics.json").read_text())
    curves = metrics["curves"]
    assert set(curves) == {"30.0", "0.0"} and len(curves["0.0"]["task_a_during_b"]) == 2
    assert metrics["accuracy_mean"] == curves["30.0"]["task_a_during_b"][-1]
    assert (out / "task_a.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--synapse", "mram"], "needs --pulse-current"),
        (["--synapse", "ideal", "--energy-sweep"], "need --synapse mram"),
        (["--synapse", "mram", "--pulse-current", "1e-6", "--pulse-width", "1e-9"], "exceed ic0"),
        (["--synapse", "ideal", "--repeats", "0"], "--repeats"),
        (["--synapse", "ideal", "--dataset", "nope"], "nope"),
        (["--synapse", "dw"], "invalid choice"),
        (["--synapse", "ideal", "--devices", "2"], "--devices"),
        (["--synapse", "mram", "--energy-sweep", "--metaplastic", "3"], "--synapse ideal"),
        (["--synapse", "ideal", "--metaplastic", "-1"], "> 0"),
        (["--synapse", "ideal", "--metaplastic", "3", "--tasks", "split"], "invalid choice"),
        (["--synapse", "mram", "--energy-sweep", "--sweep-currents", "0.5"], "> 1"),
    ],
)
def test_bad_options_are_one_line_errors(
    cli, tmp_path: Path, extra: list[str], expected: str
) -> None:  # type: ignore[no-untyped-def]
    done = cli("train", "bnn", "--epochs", "1", *extra, "--out", tmp_path / "x")
    assert_one_line_error(done, expected)
