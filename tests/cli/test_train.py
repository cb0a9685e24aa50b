"""``spicegen train fd``: a small cross-validated run writes what the issue lists, and every
mistake a user can make is one line and status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import assert_one_line_error


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path / "cache"))


def test_train_fd_writes_metrics_figures_conductances_and_netlist(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    done = cli("train", "fd", "--dataset", "iris", "--hidden", 4, "--engine", "surrogate",
               "--folds", 3, "--epochs", 4, "--seed", 3, "--out", out)  # fmt: skip
    assert done.status == 0, done.err
    assert "iris 4-4-3, surrogate engine, 3 folds:" in done.out
    assert "software tanh baseline, same folds:" in done.out
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"accuracy_mean", "accuracy_std", "folds", "engine", "dataset", "seconds"} <= set(
        metrics
    )
    assert len(metrics["folds"]) == 3 and metrics["engine"] == "surrogate"
    assert 0.0 <= metrics["accuracy_mean"] <= 1.0
    assert metrics["settings"]["seed"] == 3 and metrics["sizes"] == [4, 4, 3]
    for name in ("learning_curve.png", "confusion.png", "conductances.npz", "network.cir"):
        assert (out / name).stat().st_size > 0
    assert (out / "network.cir").read_text().startswith("MTJ finite-difference network 4-4-3")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--hidden", 8, 0], "hidden[1]: a hidden layer needs at least 1 neuron"),
        (["--g-min", 1e-4, "--g-max", 1e-5], "cannot hold any weight"),
        (["--g-min", 1e-10, "--g-max", 2e-10], "current mirror"),
        (["--folds", 0], "--folds must be at least 1"),
        (["--levels", 1], "levels"),
        (["--optimizer", "adam", "--momentum", 0.5], "Adam keeps its own moments"),
        (["--momentum", 1.5], "momentum: expected a number in [0, 1)"),
        (["--decay-every", 0], "decay_every: expected an integer >= 1"),
        (["--bias-current", 300e-6], "current_window: expected low < bias_current < high"),
        (["--current-scale", 0], "chip.current_scale"),
        (["--init-scale", 0], "init_scale: expected a finite number > 0"),
        (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    ],
)
def test_bad_settings_are_one_line(
    tmp_path: Path, cli, arguments: list[object], expected: str
) -> None:  # type: ignore[no-untyped-def]
    done = cli(
        "train", "fd", "--dataset", "iris", "--epochs", 1, "--out", tmp_path / "o", *arguments
    )
    assert_one_line_error(done, expected)


def test_bad_datasets_are_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    nan = tmp_path / "nan.csv"
    nan.write_text("a,b,label\n1,2,x\n3,nan,y\n4,5,x\n")
    assert_one_line_error(cli("train", "fd", "--dataset", nan, "--out", tmp_path / "o"), "NaN")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,x\n3,y\n4,5,x\n")
    assert_one_line_error(cli("train", "fd", "--dataset", ragged, "--out", tmp_path / "o"),
                          "2 columns, expected 3")  # fmt: skip
    assert_one_line_error(cli("train", "fd", "--dataset", "cifar", "--out", tmp_path / "o"),
                          "unknown dataset")  # fmt: skip


def test_too_large_for_spice_suggests_the_surrogate(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("train", "fd", "--dataset", "digits", "--engine", "spice", "--hidden", 512, 512,
               "--epochs", 1, "--out", tmp_path / "o")  # fmt: skip
    assert_one_line_error(done, "engine='surrogate'")
    assert "64-512-512-10 has" in done.err


def test_train_without_a_method(cli) -> None:  # type: ignore[no-untyped-def]
    # the sub-commands a user can type (train_snn.py adds two), not the module names
    expected = "choose a training method: fd, bnn, mcmc, vdsp, stdp (see spicegen train --help)"
    assert_one_line_error(cli("train"), expected)
