"""``spicegen build network-layer`` and ``neuron-pair``: thin shells over the generators.

The deck the command writes must be exactly what the Python API gives for the same
parameters, and run: each neuron's activation equals one ``mtj`` device simulated alone at
``bias + mirror * V_read * sum_i G_ik`` (ideal lines, ``G`` the default linear mapping).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen import models, simulate, to_ngspice
from spicegen.circuits import (
    CompiledDevice,
    NetworkLayerParams,
    NeuronPairParams,
    network_layer,
)
from spicegen.circuits.decks import neuron_pair_deck, resistive_crossbar
from spicegen.circuits.names import neuron_vectors
from spicegen.netlist import Circuit, CurrentSource, Op
from tests.cli.conftest import assert_one_line_error

WEIGHTS = np.array([[0.1, 0.9], [0.4, 0.2], [0.8, 0.3]])  # 3 rows, 2 neurons
G_MIN, G_MAX = 1e-6, 1e-4  # S, the command's defaults


def test_network_layer_deck_is_the_api_s_and_runs(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    np.savetxt(tmp_path / "w.csv", WEIGHTS, delimiter=",")
    deck = tmp_path / "layer.cir"
    done = cli(
        "build", "network-layer", "--weights", tmp_path / "w.csv", "--read", 0.1,
        "--bias", 20e-6, "--delta", 2e-6, "--gain", 10, "--mirror", 1.5, "-o", deck,
    )  # fmt: skip
    assert done.status == 0, done.err
    assert "v(v1_<k>)" in done.out and "k = 0..1" in done.out
    neuron = NeuronPairParams(20e-6, 2e-6, gain=10.0)
    params = NetworkLayerParams(resistive_crossbar(WEIGHTS), neuron, mirror=1.5)
    expected = network_layer(params, CompiledDevice(models.load("mtj")), [0.1] * 3)
    assert deck.read_text() == to_ngspice(expected)
    waves = simulate(deck.read_text()).waveforms
    currents = 20e-6 + 1.5 * 0.1 * (G_MIN + WEIGHTS * (G_MAX - G_MIN)).sum(axis=0)  # A
    mtj = models.load("mtj")
    alone = Circuit(
        "mtj alone",
        elements=tuple(
            element
            for k, current in enumerate(currents)
            for element in (
                CurrentSource(f"I{k}", "0", f"a{k}", dc=float(current)),
                mtj.instance(f"X{k}", ("0", f"a{k}"), stochastic=0, state0=1),
            )
        ),
        subckts=(mtj.subckt,),
    )
    reference = simulate(alone, Op()).waveforms
    for k in range(2):
        activation = waves.vector(neuron_vectors(k)[0]).data[0]
        # 1e-7: both are converged operating points of the same device equation
        assert activation == pytest.approx(reference.v(f"a{k}")[0], rel=1e-7)


def test_device_seed_repeats_the_rp_spread(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    def build(name: str, seed: int) -> str:
        deck = tmp_path / name
        args = ["--random", 4, 3, "--rp-spread", 0.05, "--device-seed", seed, "-o", deck]
        assert cli("build", "network-layer", *args).status == 0
        return deck.read_text()

    assert build("a.cir", 3) == build("b.cir", 3)
    assert build("a.cir", 3) != build("c.cir", 4)


def test_neuron_pair_takes_its_params_object(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    deck = tmp_path / "pair.cir"
    done = cli(
        "build", "neuron-pair", "--bias", 30e-6, "--delta", 1e-6, "--mismatch", 0.01,
        "--gain", 5, "--state", 0, "-o", deck,
    )  # fmt: skip
    assert done.status == 0, done.err
    params = NeuronPairParams(30e-6, 1e-6, 0.01, gain=5.0, state0=0)
    assert deck.read_text() == to_ngspice(neuron_pair_deck(models.load("mtj"), params))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--random", "2", "2", "--delta", "0"], "NeuronPairParams.delta_current"),
        (["--random", "2", "2", "--mismatch", "-1"], "NeuronPairParams.mismatch"),
        (["--random", "2", "2", "--rp-spread", "-0.1"], "NetworkLayerParams.rp_spread"),
        (["--random", "2", "2", "--mirror", "nan"], "NetworkLayerParams.mirror"),
        (["--random", "2", "2", "--device-seed", "-1"], "--device-seed must be a non-negative"),
        (["--random", "2", "2", "--bias", "inf"], "NeuronPairParams.bias_current"),
        (["--random", "0", "2"], "positive sizes"),
        (["--random", "2", "2", "--cell", "1T1R"], "invalid choice: '1T1R'"),
        (["--random", "2", "2", "--state", "2"], "invalid choice: 2"),
        (["--weights", "{d}/big.csv"], "weight [0, 0] = 2.0 is outside"),
        (["--weights", "{d}/missing.csv"], "no such weight matrix file"),
        (["--random", "2", "2", "-o", "{d}/a/b/x.cir"], "only the last level"),
    ],
)
def test_network_layer_errors_are_one_line(
    tmp_path: Path, args: list[str], message: str, cli
) -> None:  # type: ignore[no-untyped-def]
    np.savetxt(tmp_path / "big.csv", np.array([[2.0, 0.5]]), delimiter=",")
    argv = [a.replace("{d}", str(tmp_path)) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "layer.cir")]
    assert_one_line_error(cli("build", "network-layer", *argv), message)
