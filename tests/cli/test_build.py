"""``spicegen build``: each generator's deck runs and gives its physics; bad input is one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spicegen import models, simulate
from spicegen.circuits import bayesian_machine, oscillator_period
from spicegen.circuits.decks import random_weights
from spicegen.netlist import Circuit, CurrentSource, Op
from spicegen.waves.measure import crossings
from tests.circuits.test_bayesian_machine import reference_counts
from tests.cli.conftest import assert_one_line_error


def _column_currents(deck: Path) -> list[float]:
    waves = simulate(deck.read_text()).waveforms
    names = [n for n in waves.names if n.startswith("i(") and "col" in n.lower()]
    return sorted(abs(float(waves[n][0])) for n in names)


def test_build_crossbar_then_run_gives_the_vector_matrix_product(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    weights = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    np.savetxt(tmp_path / "w.csv", weights, delimiter=",")
    deck = tmp_path / "xbar.cir"
    done = cli("build", "crossbar", "--weights", tmp_path / "w.csv", "-o", deck)
    assert "2x3 1R crossbar read" in done.out
    conductance = 1e-6 + weights * (1e-4 - 1e-6)  # default mapping, S
    expected = 0.2 * conductance.sum(axis=0)  # every row read at 0.2 V into virtual grounds
    np.testing.assert_allclose(_column_currents(deck), sorted(expected), rtol=1e-9)


def test_build_crossbar_random_weights_come_from_the_circuit_seed(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "xbar.cir"
    assert cli("build", "crossbar", "--random", 3, 2, "--seed", 7, "-o", deck).status == 0
    # the same numbers as numpy's default_rng(7) before the seeds module named the kind
    weights = np.random.default_rng(7).uniform(0.0, 1.0, size=(3, 2))
    np.testing.assert_array_equal(random_weights(3, 2, signed=False, seed=7), weights)
    expected = 0.2 * (1e-6 + weights * (1e-4 - 1e-6)).sum(axis=0)
    np.testing.assert_allclose(_column_currents(deck), sorted(expected), rtol=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "{d}/missing.csv"], "no such weight matrix file"),
        (["--weights", "{d}"], "is not a file"),
        (["--weights", "{d}/text.npy"], "expected numbers, got an array of <U3 values"),
        (["--weights", "{d}/complex.npy"], "expected numbers, got an array of complex128"),
        (["--weights", "{d}/cube.npy"], "expected a 2-D weight matrix, got shape (2, 2, 2)"),
        (["--weights", "{d}/archive.npy"], "got an archive"),
        (["--weights", "{d}/binary.npy"], "cannot read a weight matrix"),
        (["--weights", "{d}/binary.csv"], "cannot read a weight matrix"),
        (["--weights", "{d}/empty.csv"], "expected a 2-D weight matrix"),
        (["--weights", "{d}/ragged.csv"], "cannot read a weight matrix"),
        (["--weights", "{d}/nan.csv"], "weight [0, 1] is nan"),
        (["--weights", "{d}/w.csv", "-o", "{d}/w.csv"], "would overwrite the input"),
        (["--random", "0", "3"], "positive sizes"),
        (["--random", "-2", "3"], "positive sizes"),
        (["--random", "100000", "100000"], "10000000000 cells is more than --max-cells"),
        (["--random", "2", "3", "--seed", "-1"], "--seed must be a non-negative integer"),
        (["--random", "2", "3", "--max-cells", "-1"], "--max-cells must be a non-negative"),
        (["--random", "2", "3", "--seed", "1.5"], "invalid int value: '1.5'"),
        (["--random", "2", "2", "--g-min", "-1"], "g_min"),
        (["--random", "2", "2", "--wire", "nan"], "Wires.row_segment"),
        (["--random", "2", "2", "--read", "inf"], "row_voltages[0]"),
        (["--random", "2", "2", "-o", "{d}/a/b/x.cir"], "only the last level"),
    ],
)
def test_crossbar_errors_are_one_line(tmp_path: Path, args: list[str], message: str, cli) -> None:  # type: ignore[no-untyped-def]
    np.save(tmp_path / "text.npy", np.array([["0.5", "0.1"]]))  # numbers as strings: refused
    np.save(tmp_path / "complex.npy", np.array([[1j, 0.5]]))
    np.save(tmp_path / "cube.npy", np.zeros((2, 2, 2)))
    np.savez(tmp_path / "archive.npz", weights=np.zeros((2, 2)))
    (tmp_path / "archive.npz").rename(tmp_path / "archive.npy")
    (tmp_path / "binary.npy").write_bytes(bytes(range(256)))
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)))
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "ragged.csv").write_text("0.1,0.2\n0.3\n")
    (tmp_path / "nan.csv").write_text("0.1,nan\n0.1,0.2\n")
    (tmp_path / "w.csv").write_text("0.1,0.2\n")
    argv = [a.format(d=tmp_path) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "x.cir")]
    assert_one_line_error(cli("build", "crossbar", *argv), message)
    assert not (tmp_path / "x.cir").exists()
    assert (tmp_path / "w.csv").read_text() == "0.1,0.2\n"


def test_build_oscillator_neuron_spikes_at_the_closed_form_rate(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "osc.cir"
    done = cli("build", "oscillator-neuron", "--v-in", "1.5", "-o", deck)
    assert done.out.startswith(f"wrote {deck}: oscillator neuron")
    waves = simulate(deck.read_text()).waveforms
    spikes = crossings(waves["time"], waves.v("m"), 0.85, "fall")  # (vth + vhold) / 2
    assert spikes.size >= 6
    # mean period after the first (full) charge against physics.md 2.3's ideal switch;
    # 5 %: the device switches in tsw, not instantly, which lengthens each period a little
    measured = (spikes[-1] - spikes[1]) / (spikes.size - 2)
    assert measured == pytest.approx(oscillator_period(1.5, 5e3, 1e-9)[2], rel=0.05)
    assert waves.v("out").max() > 0.5  # readout 200 ohm x ~V/ron during a spike


def test_build_neuron_pair_matches_single_device_operating_points(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "pair.cir"
    args = ["--bias", "40e-6", "--delta", "3e-6", "--mismatch", "0.05", "--gain", "10"]
    assert "mtj neuron pair" in cli("build", "neuron-pair", *args, "-o", deck).out
    waves = simulate(deck.read_text()).waveforms
    mtj = models.load("mtj")
    single = Circuit(  # the two devices alone, each on its own current source
        title="two single mtj devices",
        elements=(
            CurrentSource("I1", "0", "a", dc=40e-6),
            mtj.instance("X1", ("0", "a"), stochastic=0, state0=1),
            CurrentSource("I2", "0", "b", dc=43e-6),
            mtj.instance("X2", ("0", "b"), stochastic=0, state0=1, rp=3979.0 * 1.05),
        ),
        subckts=(mtj.subckt,),
        analyses=(Op(),),
    )
    reference = simulate(single).waveforms
    v1, v2 = float(reference.v("a")[0]), float(reference.v("b")[0])
    assert float(waves.v("v1")[0]) == pytest.approx(v1, rel=1e-9)
    assert float(waves.v("dout")[0]) == pytest.approx(10 * (v2 - v1), rel=1e-6)
    assert v2 > v1 > 0


def test_build_bayesian_machine_counts_match_the_bit_level_model(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    table = [[[0.2, 0.8, 0.5], [0.7, 0.3]], [[0.9, 0.1, 0.3], [0.4, 0.6]]]
    (tmp_path / "lk.json").write_text(json.dumps(table))
    deck = tmp_path / "bm.cir"
    argv = ["--likelihoods", tmp_path / "lk.json", "--observation", "1,0", "--bits", "5"]
    assert "31 cycles" in cli("build", "bayesian-machine", *argv, "-o", deck).out
    waves = simulate(deck.read_text()).waveforms
    _, machine = bayesian_machine.from_likelihoods(table, 5, observation=(1, 0))
    counts = bayesian_machine.decode(waves, machine)
    np.testing.assert_array_equal(counts, reference_counts(machine))  # independent LFSR model
    assert int(np.argmax(counts)) == 0  # 0.8 * 0.7 against 0.1 * 0.4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bayesian-machine", "--likelihoods", "{d}/none.json", "--observation", "0"],
         "no such likelihood file"),
        (["bayesian-machine", "--likelihoods", "{d}/bad.json", "--observation", "0"],
         "not valid JSON"),
        (["bayesian-machine", "--likelihoods", "{d}/deep.json", "--observation", "0"],
         "JSON nested too deeply"),
        (["bayesian-machine", "--likelihoods", "{d}/digits.json", "--observation", "0"],
         "digits.json"),
        (["bayesian-machine", "--likelihoods", "{d}/binary.json", "--observation", "0"],
         "is not a UTF-8 text file"),
        (["bayesian-machine", "--likelihoods", "{d}/neg.json", "--observation", "0"],
         "table[0][0][0]: expected a probability in [0, 1]"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "2"],
         "observation[0]"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "a,b"],
         "comma-separated integers"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "0",
          "--priors", "nan"], "--priors expects finite numbers"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "0",
          "--cycles", "-1"], "cycles"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "0",
          "--bits", "100"], "bits: expected an int in 3..12"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "0",
          "-o", "{d}/ok.json"], "would overwrite the input"),
        (["oscillator-neuron", "--r-load=-5e3"], "r_load"),
        (["oscillator-neuron", "--c=-1e-9"], "OscillatorNeuronParams.c"),
        (["oscillator-neuron", "--tran", "-1"], "stop: expected a positive time"),
        (["oscillator-neuron", "--v-in", "1", "nan"], "v_in[1]: expected a finite number"),
        (["oscillator-neuron", "--v-in", *["1"] * 1001], "1001 neurons is more than 1000"),
        (["oscillator-neuron", "--device", "mtj"], "invalid choice: 'mtj'"),
        (["neuron-pair", "--mismatch", "-2"], "mismatch: expected > -1"),
        (["neuron-pair", "--delta", "0"], "delta_current"),
        (["neuron-pair", "--bias", "nan"], "bias_current"),
    ],
)  # fmt: skip
def test_build_generator_errors_are_one_line(  # type: ignore[no-untyped-def]
    args: list[str], message: str, tmp_path: Path, cli
) -> None:
    (tmp_path / "bad.json").write_text("[[[0.5, ]]]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "digits.json").write_text("[[[" + "1" * 5000 + "]]]")
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    (tmp_path / "neg.json").write_text("[[[-0.5, 0.5]]]")
    (tmp_path / "ok.json").write_text("[[[0.5, 0.5]]]")
    argv = [a.format(d=tmp_path) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "x.cir")]
    done = cli("build", *argv)
    assert_one_line_error(done, message)
    assert done.err.startswith("spicegen build")
    assert not (tmp_path / "x.cir").exists()
    assert (tmp_path / "ok.json").read_text() == "[[[0.5, 0.5]]]"


def test_build_writes_unicode_paths(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "réseau" / "neurone_ω.cir"
    assert cli("build", "oscillator-neuron", "-o", deck).status == 0
    assert deck.read_text().startswith("oscillator neuron")


def test_build_help_gives_units(cli) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "oscillator-neuron": ("--v-in V", "--r-load OHM", "--c F", "--tran STOP", "nbox"),
        "neuron-pair": ("--bias A", "--delta A", "--mismatch EPS"),
        "bayesian-machine": ("--likelihoods FILE.json", "--observation I,J,..."),
        "crossbar": ("--g-min S", "--wire OHM", "--read V", "circuit seed", "last level"),
    }
    for circuit, options in expected.items():
        done = cli("build", circuit, "--help")
        assert done.status == 0
        shown = " ".join(done.out.split())  # argparse wraps the lines
        assert all(option in shown for option in options), (circuit, shown)
