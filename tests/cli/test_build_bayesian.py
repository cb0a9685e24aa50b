"""``spicegen build bayesian-machine``: the prototype-size (``--scaled``) and logarithmic
options, checked by simulating the written decks in ngspice, and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spicegen import simulate
from spicegen.circuits import bayesian_machine
from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.naive_bayes import Discretiser, fit_tables
from tests.cli.conftest import assert_one_line_error


def _breast_cancer_model() -> tuple[np.ndarray, np.ndarray]:
    """The prototype's model, fitted here: 4 features, 16 quantile bins, fold 0's training."""
    data = load_dataset("breast_cancer")
    x = data.x[:, [20, 22, 23, 27]]
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    binning = Discretiser.fit(x[part.train], 16)
    return fit_tables(binning(x[part.train]), data.y[part.train], 16), binning(x[part.test])


def test_scaled_logarithmic_deck_sums_the_fitted_costs(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "bm.cir"
    done = cli("build", "bayesian-machine", "--scaled", "--variant", "logarithmic",
               "--sample", 3, "-o", deck)  # fmt: skip
    assert done.status == 0, done.err
    assert "1,024 stored bits in 2,048 memristors (2T2R)" in done.out
    text = deck.read_text()
    assert sum(1 for line in text.splitlines() if line.startswith("Rm")) == 2048
    table, test = _breast_cancer_model()
    observation = [int(v) for v in test[3]]
    _, machine = bayesian_machine.from_likelihoods(
        table.tolist(), 8, observation=observation, variant="logarithmic",
        memory=bayesian_machine.Memristor2T2R(),
    )  # fmt: skip
    sums = bayesian_machine.decode(simulate(text).waveforms, machine)
    step = -np.log(table.min()) / 255  # the default: the smallest likelihood at full scale
    costs = np.minimum(255, np.round(-np.log(table[:, np.arange(4), observation]) / step))
    np.testing.assert_array_equal(sums, costs.sum(axis=1))


def test_scaled_stochastic_deck_and_logarithmic_from_a_file(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "bm.cir"
    done = cli("build", "bayesian-machine", "--scaled", "--observation", "0,1,2,15", "-o", deck)
    assert done.status == 0, done.err
    assert "2,048 memristors" in done.out and "255 cycles" in done.out
    lines = deck.read_text().splitlines()
    assert sum(1 for line in lines if line.startswith("Rm")) == 2048
    assert sum(1 for line in lines if line.startswith("Adff_b")) == 8 * 8  # 8 LFSRs of 8 bits
    # a small table from a file: 0.8 * 0.7 against 0.1 * 0.4, costs of 5 bits
    table = [[[0.2, 0.8], [0.7, 0.3]], [[0.9, 0.1], [0.4, 0.6]]]
    (tmp_path / "lk.json").write_text(json.dumps(table))
    done = cli("build", "bayesian-machine", "--likelihoods", tmp_path / "lk.json",
               "--observation", "1,0", "--variant", "logarithmic", "--bits", "5",
               "-o", deck)  # fmt: skip
    assert "2 cycles" in done.out and "smallest sum wins" in done.out
    _, machine = bayesian_machine.from_likelihoods(
        table, 5, observation=(1, 0), variant="logarithmic"
    )
    waves = simulate(deck.read_text()).waveforms
    step = -np.log(0.1) / 31
    # class 1 observed its smallest likelihood, 0.1: the full-scale cost 31
    expected = [round(-np.log(0.8) / step) + round(-np.log(0.7) / step),
                31 + round(-np.log(0.4) / step)]  # fmt: skip
    assert bayesian_machine.decode(waves, machine).tolist() == expected
    assert bayesian_machine.decide(waves, machine) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scaled", "--likelihoods", "{d}/ok.json"], "not allowed with argument"),
        (["--likelihoods", "{d}/ok.json", "--observation", "0", "--bins", "4"],
         "--bins applies to --scaled only"),
        (["--likelihoods", "{d}/ok.json"], "--observation is required with --likelihoods"),
        (["--scaled", "--sample", "1000"], "--sample must be in 0..114, not 1000"),
        (["--scaled", "--sample", "1", "--observation", "0,0,0,0"], "exclude each other"),
        (["--scaled", "--features", "20,99"], "feature 99 is not a column index 0..29"),
        (["--scaled", "--features", "20,-1"], "--features must be a non-negative integer"),
        (["--scaled", "--bins", "1"], "--bins must be in 2..64"),
        (["--scaled", "--dataset", "{d}/none.csv"], "none.csv"),
        (["--scaled", "--bins", "64", "--features", ",".join(["0"] * 30), "--bits", "12"],
         "memristors is more than 65,536"),
        (["--scaled", "--observation", "0,0,0,16"], "observation[3]"),
        (["--scaled", "--variant", "logarithmic", "--cycles", "10"], "cycles"),
        (["--scaled", "--log-step", "0.1"], "log_step: applies to variant='logarithmic'"),
        (["--scaled", "--variant", "logarithmic", "--log-step", "-1"], "log_step"),
        (["--scaled", "--variant", "linear"], "invalid choice: 'linear'"),
        (["--scaled", "--memory", "3t3r"], "invalid choice: '3t3r'"),
    ],
)  # fmt: skip
def test_scaled_and_logarithmic_errors_are_one_line(  # type: ignore[no-untyped-def]
    args: list[str], message: str, tmp_path: Path, cli
) -> None:
    (tmp_path / "ok.json").write_text("[[[0.5, 0.5]]]")
    argv = [a.format(d=tmp_path) for a in args] + ["-o", str(tmp_path / "x.cir")]
    done = cli("build", "bayesian-machine", *argv)
    assert_one_line_error(done, message)
    assert done.status == 2
    assert not (tmp_path / "x.cir").exists()
