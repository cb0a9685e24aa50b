"""The binarized trainer: gradients against finite differences, write models against their
definitions, seeds, and learning on digits against the software baseline on the same split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen.learn.approximate_memory import (
    energy_sweep,
    pulses_for_errors,
    seed_split,
    train_on_split,
)
from spicegen.learn.bnn import BnnConfig, _gradients, metaplastic_update, train_bnn
from spicegen.learn.datasets import load_dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.synapses import IdealWrite, MramPulse
from spicegen.seeds import stream
from spicegen.surrogate.mram_write import MramWrite, MramWriteSpec, tau_d

SMALL = BnnConfig(hidden=(64,), epochs=4, batch=32, learning_rate=0.01)


@pytest.fixture(scope="module")
def split():  # type: ignore[no-untyped-def]
    return seed_split(load_dataset("digits"), 0)


def _loss(x, y, weights, gain, offset) -> float:  # type: ignore[no-untyped-def]
    # the same network written independently: full precision, batch statistics, softmax
    h = x
    for k, w in enumerate(weights):
        z = h @ w / math.sqrt(w.shape[0])
        a = gain[k] * (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5) + offset[k]
        h = np.tanh(a) if k < len(weights) - 1 else a
    h = h - h.max(1, keepdims=True)
    log_p = h - np.log(np.exp(h).sum(1, keepdims=True))
    return float(-log_p[np.arange(y.size), y].mean())


def test_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 5))
    y = rng.integers(0, 3, 12)
    weights = [rng.normal(size=(5, 4)), rng.normal(size=(4, 3))]
    gain = [rng.uniform(0.5, 1.5, 4), rng.uniform(0.5, 1.5, 3)]
    offset = [rng.normal(size=4), rng.normal(size=3)]
    grads_w, grads_g, grads_b, _, _ = _gradients(x, y, weights, gain, offset, binary=False)
    step = 1e-6
    for params, grads in ((weights, grads_w), (gain, grads_g), (offset, grads_b)):
        for k, p in enumerate(params):
            numeric = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                saved = p[index]
                p[index] = saved + step
                up = _loss(x, y, weights, gain, offset)
                p[index] = saved - step
                down = _loss(x, y, weights, gain, offset)
                p[index] = saved
                numeric[index] = (up - down) / (2 * step)
            # central differences: error O(step^2) plus rounding ~1e-10/step
            np.testing.assert_allclose(grads[k], numeric, atol=1e-7, rtol=1e-5)


def test_metaplastic_factor_scales_only_updates_towards_zero() -> None:
    hidden = np.array([2.0, 2.0, -0.5, -0.5])
    delta = np.array([-0.1, 0.1, 0.1, -0.1])
    out = metaplastic_update(delta, hidden, m=1.5)
    f = 1 - np.tanh(1.5 * hidden) ** 2  # Laborieux et al. 2021, eq. of f_meta
    np.testing.assert_allclose(out, [-0.1 * f[0], 0.1, 0.1 * f[2], -0.1])
    np.testing.assert_array_equal(metaplastic_update(delta, hidden, m=0.0), delta)


def test_mram_pulse_fails_at_its_error_rate_and_charges_every_attempt() -> None:
    pulse = MramPulse(current=90e-6, width=10e-9, error=0.3, energy=0.5e-12)
    stored = -np.ones(20000)
    target = np.ones(20000)
    attempt = np.arange(20000) % 2 == 0
    new, energy = pulse.write(stored, target, attempt, np.random.default_rng(4))
    failed = np.mean(new[attempt] == -1)
    assert failed == pytest.approx(0.3, abs=4 * math.sqrt(0.3 * 0.7 / 10000))  # 4 sd
    assert np.all(new[~attempt] == -1)
    assert energy == pytest.approx(10000 * 0.5e-12)
    ideal, cost = IdealWrite().write(stored, target, attempt, np.random.default_rng(4))
    assert np.all(ideal[attempt] == 1) and cost == 0.0


def test_mram_pulse_writes_each_direction_with_its_own_law() -> None:
    # +1 is the parallel state: writes to +1 are AP -> P (error 0.1, 0.4 pJ), writes to -1
    # P -> AP (error 0.5, 1.0 pJ)
    pulse = MramPulse(90e-6, 6e-9, 0.1, 0.4e-12, 136e-6, 6.5e-9, 0.5, 1.0e-12)
    n = 20000
    stored = np.where(np.arange(n) % 2 == 0, -1.0, 1.0)
    target = -stored  # every bit asks to flip: half to +1, half to -1
    new, energy = pulse.write(stored, target, np.ones(n, dtype=bool), np.random.default_rng(1))
    to_p, to_ap = target > 0, target < 0
    sd = math.sqrt(0.25 / (n / 2))  # the binomial sd at p = 0.5, the larger of the two
    assert np.mean(new[to_p] != 1) == pytest.approx(0.1, abs=4 * sd)
    assert np.mean(new[to_ap] != -1) == pytest.approx(0.5, abs=4 * sd)
    assert energy == pytest.approx(n / 2 * 0.4e-12 + n / 2 * 1.0e-12)
    # without a law of its own the reverse write reuses the AP -> P figures
    symmetric = MramPulse(90e-6, 6e-9, 0.1, 0.4e-12)
    assert (symmetric.reverse_error, symmetric.reverse_energy) == (0.1, 0.4e-12)


def test_pulses_get_a_p_to_ap_width_of_the_same_error_rate() -> None:
    from spicegen.learn.synapses import mram_pulse

    def law(direction: str, critical: float, k: float) -> MramWrite:
        spec = MramWriteSpec(currents=(2.0,), sigma=0.0, direction=direction)
        widths = np.linspace(0, 30e-9, 31)
        energy = np.linspace(0, 30e-12, 31)[None, :] * (2.0 if direction == "p_to_ap" else 1.0)
        return MramWrite(spec, np.array([2 * critical]), widths, np.zeros((1, 31)), energy,
                         math.log(math.pi**2 * 10), k, True)  # fmt: skip

    to_p = law("ap_to_p", 45.3e-6, 2 / tau_d())
    to_ap = law("p_to_ap", 1.5 * 45.3e-6, 1.2 * 2 / tau_d())  # a faster law, for the test
    (pulse,) = pulses_for_errors(to_p, [2 * 45.3e-6], [0.3], to_ap)
    assert pulse.current_to_ap == pytest.approx(2 * 1.5 * 45.3e-6)  # the same reduced current
    assert pulse.error == pytest.approx(0.3, rel=1e-3)
    assert pulse.error_to_ap == pytest.approx(0.3, rel=1e-3)
    assert pulse.width_to_ap == pytest.approx(pulse.width / 1.2, rel=1e-3)  # x = (i - 1) t
    assert pulse.energy_to_ap == pytest.approx(2 * pulse.width_to_ap * 1e-3)  # 2 pJ per ns
    with pytest.raises(LearnError, match="p_to_ap"):
        mram_pulse(to_p, 2 * 45.3e-6, 5e-9, to_p)


def test_ideal_writes_keep_the_bits_equal_to_the_hidden_signs(split) -> None:  # type: ignore[no-untyped-def]
    result, hidden = train_bnn(split.x_train, split.y_train, 10, SMALL, seed=3)
    assert result.wrong_bits == 0 and result.writes > 0
    for stored, h in zip(result.network.weights, hidden, strict=True):
        np.testing.assert_array_equal(stored, np.where(h >= 0, 1.0, -1.0))


def test_a_memory_that_never_writes_keeps_the_initial_bits(split) -> None:  # type: ignore[no-untyped-def]
    stuck = MramPulse(current=90e-6, width=1e-9, error=1.0, energy=1e-12)
    result, _ = train_bnn(split.x_train, split.y_train, 10, SMALL, synapse=stuck, seed=3)
    assert result.wrong_bits > 0
    assert result.energy == pytest.approx(result.writes * 1e-12)
    sizes = (64, 64, 10)
    for k, stored in enumerate(result.network.weights):
        # the initial hidden weights, drawn as the trainer documents: stream(seed, "init", k)
        initial = stream(3, "init", k).uniform(-1, 1, (sizes[k], sizes[k + 1]))
        np.testing.assert_array_equal(stored, np.where(initial >= 0, 1.0, -1.0))


def test_same_seed_same_network_and_another_seed_differs(split) -> None:  # type: ignore[no-untyped-def]
    pulse = MramPulse(current=90e-6, width=8e-9, error=0.05, energy=1e-12)
    config = BnnConfig(hidden=(32,), epochs=1)
    a, _ = train_bnn(split.x_train, split.y_train, 10, config, synapse=pulse, seed=5)
    b, _ = train_bnn(split.x_train, split.y_train, 10, config, synapse=pulse, seed=5)
    c, _ = train_bnn(split.x_train, split.y_train, 10, config, synapse=pulse, seed=6)
    assert a.writes == b.writes and a.energy == b.energy
    for wa, wb in zip(a.network.weights, b.network.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.network.weights[0], c.network.weights[0])


def test_binarized_network_learns_digits_near_the_software_baseline(split) -> None:  # type: ignore[no-untyped-def]
    _, binary = train_on_split(split, SMALL, None, 0)
    full_config = BnnConfig(hidden=(64,), epochs=4, learning_rate=0.01, binary=False)
    _, full = train_on_split(split, full_config, None, 0)
    # 360 test digits; chance is 10 %. A 64-unit network after 4 epochs: both well above 85 %
    assert binary > 0.85 and full > 0.9
    assert binary > full - 0.08


def test_energy_sweep_accounts_energy_per_write_and_finds_the_saving() -> None:
    law = MramWrite(
        MramWriteSpec(currents=(2.0,), sigma=0.0),
        np.array([2 * 45.3e-6]),
        np.linspace(0, 30e-9, 31),
        np.zeros((1, 31)),
        np.linspace(0, 30e-12, 31)[None, :],  # 1 pJ per ns, for the accounting only
        math.log(math.pi**2 * 10),
        2 / tau_d(),
        True,
    )
    pulses = pulses_for_errors(law, [2 * 45.3e-6], [1e-6, 0.5])
    assert [p.error for p in pulses] == pytest.approx([1e-6, 0.5], rel=1e-3)
    assert pulses[0].width == pytest.approx(19.37e-9, rel=1e-3)  # physics.md 6.2
    config = BnnConfig(hidden=(16,), epochs=1)
    sweep = energy_sweep(load_dataset("digits"), pulses, [0], config)
    for p in sweep.points:
        assert p.energy.mean == pytest.approx(p.writes * p.energy_per_write)
    expected = 1 - sweep.points[1].energy.mean / sweep.points[0].energy.mean
    assert sweep.saving(1) == pytest.approx(expected)
    assert sweep.best_within(1.0) == 1  # everything is within 100 points: the cheapest wins


def test_bad_input_is_a_learn_error(split) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LearnError, match="labels"):
        train_bnn(split.x_train, split.y_train, 5, SMALL)
    with pytest.raises(LearnError, match="hidden"):
        train_bnn(split.x_train, split.y_train, 10, BnnConfig(hidden=()))
    with pytest.raises(LearnError, match="learning_rate"):
        train_bnn(split.x_train, split.y_train, 10, BnnConfig(learning_rate=-1))


def test_sequential_tasks_record_task_a_after_every_epoch_of_b() -> None:
    from spicegen.learn.metaplastic import permuted, sequential_tasks

    dataset = load_dataset("digits")
    split = seed_split(dataset, 0)
    task_b = permuted(split, 0)
    # the same samples with their features reordered by one permutation
    assert sorted(task_b.x_train[0]) == sorted(split.x_train[0])
    assert not np.array_equal(task_b.x_train, split.x_train)
    result = sequential_tasks(dataset, 2.0, [0], epochs=2, hidden=(16,))
    assert len(result.task_a_during_b) == 3  # after A, then each of 2 epochs of B
    assert result.task_a_during_b[0].mean > 0.5 and result.task_b.mean > 0.5


def test_task_a_is_read_with_its_own_batch_norm_state() -> None:
    # m = 1e6 makes f_meta = 0 for every hidden weight above 1e-5 in size: no update moves one
    # towards zero, no sign flips, the stored bits of task A stay. Read with task A's own
    # batch-norm state, task A is then exactly as good after task B as before it; read with
    # task B's (what the monitor used before), it is not.
    from spicegen.learn.metaplastic import sequential_tasks

    dataset = load_dataset("digits")
    kept = sequential_tasks(dataset, 1e6, [0], epochs=2, hidden=(32,))
    assert [s.mean for s in kept.task_a_during_b] == [kept.task_a_during_b[0].mean] * 3
    shared = sequential_tasks(dataset, 1e6, [0], epochs=2, hidden=(32,), task_norm=False)
    assert shared.task_a_during_b[-1].mean < shared.task_a_during_b[0].mean - 0.1


def test_metaplasticity_keeps_split_task_a_that_the_plain_network_forgets() -> None:
    from spicegen.learn.metaplastic import sequential_tasks

    dataset = load_dataset("digits")
    plain = sequential_tasks(dataset, 0.0, [0], epochs=6, hidden=(64,), tasks="split")
    meta = sequential_tasks(dataset, 30.0, [0], epochs=6, hidden=(64,), tasks="split")
    # both learn task A (5 classes); after B the plain network is near chance (0.2), the
    # metaplastic one within a few points of where it was (measured: see docs/learn.md)
    assert plain.task_a_during_b[0].mean > 0.9 and meta.task_a_during_b[0].mean > 0.9
    assert plain.task_a_during_b[-1].mean < 0.6
    assert meta.task_a_during_b[-1].mean > meta.task_a_during_b[0].mean - 0.05
    assert meta.task_b.mean > 0.7


def test_split_classes_halves_the_labels() -> None:
    from spicegen.learn.metaplastic import split_classes

    split = seed_split(load_dataset("digits"), 0)
    task_a, task_b = split_classes(split)
    assert task_a.classes == task_b.classes == 5
    assert set(task_a.y_train) == set(task_b.y_train) == set(range(5))
    assert task_a.x_train.shape[0] + task_b.x_train.shape[0] == split.x_train.shape[0]
    # task B's samples are exactly the training samples labelled 5..9
    np.testing.assert_array_equal(task_b.x_train, split.x_train[split.y_train >= 5])
    with pytest.raises(LearnError, match="tasks"):
        from spicegen.learn.metaplastic import sequential_tasks

        sequential_tasks(load_dataset("digits"), 1.0, [0], tasks="rotated")


def test_quantise_rounds_to_equally_spaced_levels() -> None:
    from spicegen.learn.bnn import quantise

    w = np.array([-1.0, -0.6, -0.2, 0.0, 0.24, 0.26, 0.8, 3.0])
    np.testing.assert_array_equal(quantise(w, 2), [-1, -1, -1, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(quantise(w, 3), [-1, -1, 0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(quantise(w, 5), [-1, -0.5, 0, 0, 0, 0.5, 1, 1])


def test_domain_wall_steps_land_with_the_characterised_offsets() -> None:
    from spicegen.learn.synapses import DwSteps
    from spicegen.surrogate.dw_write import DwWrite, DwWriteSpec

    law = DwWrite(
        DwWriteSpec(nlevels=5), np.array([-1, 0, 1]), np.array([0.1, 0.8, 0.1]), 2e-13, True
    )
    n = 20000
    stored = np.full(n, -1.0)  # level 0
    target = np.full(n, 0.0)  # level 2: two steps
    new, energy = DwSteps(law).write(
        stored, target, np.ones(n, dtype=bool), np.random.default_rng(2)
    )
    assert energy == pytest.approx(2 * n * 2e-13)
    # two independent steps: offset -2..2 with P(0) = 0.8^2 + 2 (0.1)^2 = 0.66, P(+-1) = 0.16 each
    offsets = np.rint((new + 1) / 2 * 4).astype(int) - 2
    assert np.mean(offsets == 0) == pytest.approx(0.66, abs=4 * math.sqrt(0.66 * 0.34 / n))
    assert np.mean(offsets == 1) == pytest.approx(0.16, abs=4 * math.sqrt(0.16 * 0.84 / n))
    unchanged, cost = DwSteps(law).write(
        stored, target, np.zeros(n, dtype=bool), np.random.default_rng(2)
    )
    np.testing.assert_array_equal(unchanged, stored)
    assert cost == 0.0


def test_multilevel_training_stores_quantised_levels(split) -> None:  # type: ignore[no-untyped-def]
    config = BnnConfig(hidden=(32,), epochs=2, levels=3, margin=0.2, learning_rate=0.02)
    result, _ = train_bnn(split.x_train, split.y_train, 10, config, seed=1)
    for stored in result.network.weights:
        assert set(np.unique(stored)) <= {-1.0, 0.0, 1.0}
    assert np.mean(result.network.predict(split.x_test) == split.y_test) > 0.7


def test_the_pulse_is_chosen_on_validation_when_held_out() -> None:
    from spicegen.learn.approximate_memory import EnergyPoint, EnergySweep
    from spicegen.learn.evaluation import summarise

    def point(energy: float, test: float, validation: float | None) -> EnergyPoint:
        return EnergyPoint(
            1e-4, 5e-9, 0.1, 1e-12, summarise([energy]), summarise([test]), 1.0,
            validation=None if validation is None else summarise([validation]),
        )  # fmt: skip

    # the cheap pulse looks fine on test but lost 3 points on validation: not chosen
    chosen = EnergySweep(
        (point(10.0, 0.95, 0.95), point(5.0, 0.95, 0.94), point(1.0, 0.95, 0.92)),
        0, summarise([0.9]), summarise([0.9]), (0,),
    )  # fmt: skip
    assert chosen.best_within(0.01) == 1
    test_only = EnergySweep(
        (point(10.0, 0.95, None), point(5.0, 0.95, None), point(1.0, 0.95, None)),
        0, summarise([0.9]), summarise([0.9]), (0,),
    )  # fmt: skip
    assert test_only.best_within(0.01) == 2


def test_a_validation_part_leaves_the_test_part_alone() -> None:
    dataset = load_dataset("digits")
    plain, held = seed_split(dataset, 4), seed_split(dataset, 4, 0.2)
    np.testing.assert_array_equal(plain.y_test, held.y_test)
    assert held.x_validation is not None and held.y_validation is not None
    assert held.x_train.shape[0] + held.x_validation.shape[0] == plain.x_train.shape[0]
    assert held.x_validation.shape[0] == pytest.approx(0.2 * plain.x_train.shape[0], abs=10)
    assert plain.x_validation is None
