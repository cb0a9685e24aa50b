"""The logarithmic Bayesian machine (arXiv 2406.03492) simulated as XSPICE logic in ngspice.

Its accumulated costs and decisions are checked against exact naive Bayes computed here with
numpy on the same quantised log-likelihoods (costs ``round(-ln p / step)``), including a case
whose posteriors are far below what 255 cycles of the stochastic machine can count.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from spicegen import simulate
from spicegen.circuits.bayesian_machine import (
    Memristor2T2R,
    decide,
    decode,
    from_likelihoods,
    partial_sums,
    streams,
)
from spicegen.circuits.errors import CircuitSpecError


def numpy_costs(table: np.ndarray, bits: int) -> tuple[np.ndarray, float]:
    """Costs of the default step (the smallest probability at full scale), computed apart."""
    full = 2**bits - 1
    step = -np.log(table[table > 0].min()) / full
    with np.errstate(divide="ignore"):
        costs = np.minimum(full, np.round(-np.log(table) / step))
    return costs.astype(np.int64), float(step)


def _table(rng: np.random.Generator, classes: int, observations: int, values: int) -> np.ndarray:
    raw = rng.uniform(0.05, 1.0, size=(classes, observations, values))
    return raw / raw.sum(axis=2, keepdims=True)


def test_decisions_equal_exact_naive_bayes_on_the_quantised_log_likelihoods() -> None:
    table = _table(np.random.default_rng(3), 3, 3, 3)
    costs, step = numpy_costs(table, 8)
    rows = np.arange(3)
    agree_float = 0
    for observation in itertools.product(range(3), repeat=3):
        circuit, machine = from_likelihoods(
            table.tolist(), 8, observation=observation, variant="logarithmic"
        )
        assert machine.cycles == 3 and machine.log_step == pytest.approx(step, rel=1e-12)
        waves = simulate(circuit).waveforms
        per_row = costs[:, rows, list(observation)]  # (classes, observations)
        np.testing.assert_array_equal(partial_sums(waves, machine), np.cumsum(per_row, axis=1))
        np.testing.assert_array_equal(decode(waves, machine), per_row.sum(axis=1))
        quantised_log = -(per_row.sum(axis=1)) * step  # sum of the stored log-likelihoods
        assert decide(waves, machine) == int(np.argmax(quantised_log))
        exact = np.log(table[:, rows, list(observation)]).sum(axis=1)
        agree_float += decide(waves, machine) == int(np.argmax(exact))
    # 8-bit costs rarely flip a decision of the unquantised model: measured 27 of 27
    assert agree_float >= 25


def test_small_posteriors_are_decided_where_the_stochastic_counters_stay_at_zero() -> None:
    # 12 observations of likelihoods 0.1..0.3: products ~1e-8, far below 1/255, so the
    # stochastic machine counts nothing in one LFSR period; the sums of costs do not vanish
    rng = np.random.default_rng(11)
    table = rng.uniform(0.1, 0.3, size=(2, 12, 4))
    observation = tuple(int(v) for v in rng.integers(0, 4, size=12))
    costs, _ = numpy_costs(table, 8)
    rows = np.arange(12)
    circuit, machine = from_likelihoods(
        table.tolist(), 8, observation=observation, variant="logarithmic", priors=[0.4, 0.6]
    )
    waves = simulate(circuit).waveforms
    prior_costs = np.minimum(255, np.round(-np.log([0.4, 0.6]) / machine.log_step))
    total = costs[:, rows, list(observation)].sum(axis=1) + prior_costs
    np.testing.assert_array_equal(decode(waves, machine), total)
    posterior = np.log(table[:, rows, list(observation)]).sum(axis=1) + np.log([0.4, 0.6])
    assert decide(waves, machine) == int(np.argmax(posterior))
    stochastic, smachine = from_likelihoods(table.tolist(), 8, observation=observation)
    assert decode(simulate(stochastic).waveforms, smachine).tolist() == [0, 0]


def test_memristor_memory_feeds_the_adders_what_its_cells_store() -> None:
    # a lognormal spread flips some 2T2R bits: the sums follow the drawn resistances
    table = _table(np.random.default_rng(5), 2, 2, 3)
    memory = Memristor2T2R(sigma=1.0, seed=2)
    observation = (2, 1)
    circuit, machine = from_likelihoods(
        table.tolist(), 6, observation=observation, variant="logarithmic", memory=memory
    )
    waves = simulate(circuit).waveforms
    assert machine.cell_resistances is not None
    read = []
    for y in range(2):
        total = 0
        for i, o in enumerate(observation):
            cells = machine.cell_resistances[y][3 * i + o]  # rows observation-major
            total += sum(1 << k for k, (r_bl, r_blb) in enumerate(cells) if r_bl < r_blb)
        read.append(total)
    np.testing.assert_array_equal(decode(waves, machine), read)
    stored = [sum(machine.codes[y][i][o] for i, o in enumerate(observation)) for y in range(2)]
    assert read != stored  # the spread did flip bits (sigma = 1 is large on purpose)


def test_logarithmic_spec_errors() -> None:
    table = [[[0.5, 0.5]], [[0.2, 0.8]]]
    with pytest.raises(CircuitSpecError, match="variant"):
        from_likelihoods(table, observation=(0,), variant="linear")
    with pytest.raises(CircuitSpecError, match="cycles"):
        from_likelihoods(table, observation=(0,), variant="logarithmic", cycles=10)
    with pytest.raises(CircuitSpecError, match="seeds"):
        from_likelihoods(table, observation=(0,), variant="logarithmic", seeds=[1, 2])
    with pytest.raises(CircuitSpecError, match="log_step"):
        from_likelihoods(table, observation=(0,), log_step=0.1)
    with pytest.raises(CircuitSpecError, match="log_step"):
        from_likelihoods(table, observation=(0,), variant="logarithmic", log_step=-1.0)
    with pytest.raises(CircuitSpecError, match="priors"):
        from_likelihoods(table, observation=(0,), variant="logarithmic", priors=[1.0])
    circuit, machine = from_likelihoods(table, observation=(1,), variant="logarithmic")
    waves = simulate(circuit).waveforms
    assert decide(waves, machine) == 1
    with pytest.raises(CircuitSpecError, match="threshold"):
        decide(waves, machine, threshold=3)
    with pytest.raises(CircuitSpecError, match="streams"):
        streams(waves, machine)


def test_a_machine_of_many_bridge_ports_simulates() -> None:
    # 10 classes x 13 observations x 4 values: 185 bridged digital outputs, which one
    # dac_bridge instance crashed ngspice 46 with (signal 11); bridges now hold 64 ports each
    table = _table(np.random.default_rng(9), 10, 13, 4)
    observation = tuple(int(v) for v in np.random.default_rng(10).integers(0, 4, size=13))
    circuit, machine = from_likelihoods(
        table.tolist(), 8, observation=observation, variant="logarithmic"
    )
    costs, _ = numpy_costs(table, 8)
    expected = costs[:, np.arange(13), list(observation)].sum(axis=1)
    np.testing.assert_array_equal(decode(simulate(circuit).waveforms, machine), expected)


def test_logic_probes_count_the_toggles_of_the_lfsr_and_the_counter() -> None:
    # one block at p = 0.5, 4 bits: 15 cycles. The LFSR's flip-flops toggle as the Hamming
    # distances of its state sequence, the counter's bits as the binary count's bits change
    from spicegen.circuits._digital import lfsr_step
    from spicegen.circuits.bayesian_machine import toggles, with_logic_probes

    circuit, machine = from_likelihoods([[[0.5]]], 4, observation=(0,))
    probed, probes, flops = with_logic_probes(circuit)
    assert flops == 4 + 4  # the LFSR's D and the counter's T flip-flops
    waves = simulate(probed).waveforms
    states = [machine.seeds[0]]
    for _ in range(machine.cycles):  # one state per edge, the last edge included
        states.append(lfsr_step(states[-1], machine.taps[0], 4))
    expected_lfsr = sum(bin(a ^ b).count("1") for a, b in itertools.pairwise(states))
    lfsr_nodes = [f"p_b0_0q{k}" for k in range(4)]
    assert set(lfsr_nodes) <= set(probes)
    assert toggles(waves, machine.vdd, lfsr_nodes) == expected_lfsr
    count = int(decode(waves, machine)[0])
    assert count == 8  # the 15 states hold 1..15 once each; codes <= 8 make 8 ones
    counter_nodes = [f"p_n0q{k}" for k in range(machine.counter_nodes[0].__len__())]
    per_step = np.cumsum(streams(waves, machine)[0])
    sequence = [0, *per_step.tolist()]
    expected_counter = sum(bin(a ^ b).count("1") for a, b in itertools.pairwise(sequence))
    assert toggles(waves, machine.vdd, counter_nodes) == expected_counter
