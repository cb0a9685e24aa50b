"""The engine-independent parts of the spiking network: its description, the VDSP and STDP
updates in spike order, threshold adaptation, the labelling of physics.md 3.2, the pattern
task. Expected values are computed here from the rules' closed forms, step by step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen.learn import LearnError, load_dataset
from spicegen.learn.errors import DatasetError
from spicegen.learn.patterns import PATTERN_CLASSES, downsample, pattern_templates, patterns
from spicegen.learn.snn import (
    NO_PREDICTION,
    NetworkState,
    Stdp,
    Vdsp,
    assign_labels,
    initial_state,
    plasticity,
    predict,
)
from spicegen.learn.snn_network import NeuronCircuit, PresentationResult, SpikingNetworkParams


def _result(
    output_spikes: list[list[float]],
    input_spikes: list[list[float]],
    pre_voltages: list[list[list[float]]] | None = None,
) -> PresentationResult:
    inputs = len(input_spikes)
    voltages = pre_voltages or [[[0.85] * inputs for _ in times] for times in output_spikes]
    pairs = zip(voltages, output_spikes, strict=True)
    return PresentationResult(
        tuple(np.array(t, dtype=float) for t in output_spikes),
        tuple(np.array(t, dtype=float) for t in input_spikes),
        tuple(np.array(v, dtype=float).reshape(len(t), inputs) for v, t in pairs),
        0.0,
        20e-6,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inputs": 0}, "inputs"),
        ({"neurons": 2.0}, "neurons"),
        ({"inputs": 16, "image_shape": (3, 5)}, "15 pixels"),
        ({"neuron_model": "mtj"}, "neuron_model"),
        ({"synapse_model": "vteam"}, "synapse_model"),
        ({"g_min": 1e-4, "g_max": 1e-5}, "g_max"),
        ({"v_reset": 1.0, "v_threshold": 0.7}, "v_threshold"),
        ({"max_step": 1e-3}, "max_step"),
        ({"presentation": -1.0}, "presentation"),
        ({"inhibition": math.nan}, "inhibition"),
        ({"synapse_params": {"tnoise": "x"}}, "synapse_params"),
        ({"seed": -1}, "seed"),
    ],
)
def test_params_reject_bad_fields(changes: dict[str, object], message: str) -> None:
    with pytest.raises(LearnError, match=message):
        SpikingNetworkParams(**changes)  # type: ignore[arg-type]


def test_neuron_circuit_checks_and_sorts() -> None:
    with pytest.raises(LearnError, match="c"):
        NeuronCircuit(5e3, -1e-9)
    circuit = NeuronCircuit(5e3, 1e-9, 60.0, {"vth": 1.0, "tjitter": 1.0})
    assert circuit.device_params == (("tjitter", 1.0), ("vth", 1.0))


def test_samples_and_weights_are_checked() -> None:
    params = SpikingNetworkParams(inputs=16, neurons=2, image_shape=(4, 4))
    with pytest.raises(LearnError, match=r"16 inputs \(4x4 pixels\), got shape \(25,\)"):
        params.check_sample(np.zeros(25))
    with pytest.raises(LearnError, match=r"\[0, 1\]"):
        params.check_sample(np.full(16, 1.5))
    with pytest.raises(LearnError, match="shape"):
        params.check_weights(np.zeros((2, 16)))
    with pytest.raises(LearnError, match=">= 0"):
        params.check_thresholds([-0.1, 0.0])


def test_mappings_of_the_description() -> None:
    params = SpikingNetworkParams(inputs=2, neurons=1, g_min=5e-6, g_max=100e-6)
    np.testing.assert_allclose(params.conductances([[0.0], [1.0]]).ravel(), [5e-6, 100e-6])
    np.testing.assert_allclose(params.supplies([0.0, 1.0]), [1.05, 1.95])
    np.testing.assert_allclose(params.lif_units([0.7, 0.85, 1.0]), [-1.0, 0.0, 1.0])
    # adaptation: (theta + increment * spikes) * exp(-T / tau)
    decay = math.exp(-params.presentation / params.adaptation_tau)
    assert params.adapt([0.1], [3])[0] == pytest.approx((0.1 + 3 * 0.02) * decay)


def _vdsp_by_hand(w: float, v: float, lr: float) -> float:
    """physics.md 3.1: +lr (1-w)(exp(-v)-1) for v < 0, -lr w (exp(v)-1) for v > 0, clipped."""
    dw = lr * (1 - w) * (math.exp(-v) - 1) if v < 0 else -lr * w * (math.exp(v) - 1)
    return min(max(w + dw, 0.0), 1.0)


def test_vdsp_updates_in_spike_order() -> None:
    params = SpikingNetworkParams(inputs=2, neurons=2)
    w0 = np.array([[0.3, 0.6], [0.5, 0.2]])
    # output 1 fires at 2 us, output 0 at 1 us and 3 us; input membranes in volts at each
    result = _result(
        [[1e-6, 3e-6], [2e-6]],
        [[0.5e-6], []],
        [[[0.70, 0.95], [0.78, 0.95]], [[0.73, 0.95]]],
    )
    lr = 0.1
    w, updates = plasticity(params, result, w0, Vdsp(lr=lr))
    expected = w0.copy()
    for column, volts in ((0, (0.70, 0.95)), (1, (0.73, 0.95)), (0, (0.78, 0.95))):
        for row, v in enumerate(volts):
            expected[row, column] = _vdsp_by_hand(
                expected[row, column], float(params.lif_units(v)), lr
            )
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    assert updates == 6  # 3 output spikes x 2 synapses, none at a bound
    assert w[0, 0] > w0[0, 0] and w[1, 0] < w0[1, 0]  # recently fired grows, silent shrinks


def test_vdsp_alpha_variant_is_used_when_asked() -> None:
    params = SpikingNetworkParams(inputs=1, neurons=1)
    result = _result([[1e-6]], [[0.9e-6]], [[[0.75]]])
    plain, _ = plasticity(params, result, [[0.4]], Vdsp(lr=0.1))
    alpha, _ = plasticity(params, result, [[0.4]], Vdsp(lr=0.1, alpha=5.0))
    v = float(params.lif_units(0.75))
    # f_pot = exp(-alpha w)(1 - w) replaces (1 - w)
    assert alpha[0, 0] == pytest.approx(0.4 + 0.1 * math.exp(-5 * 0.4) * 0.6 * math.expm1(-v))
    assert plain[0, 0] == pytest.approx(_vdsp_by_hand(0.4, v, 0.1))


def test_stdp_pairs_nearest_spikes() -> None:
    params = SpikingNetworkParams(inputs=3, neurons=1)
    rule = Stdp(a_plus=0.1, a_minus=0.12, tau_plus=2e-6, tau_minus=3e-6)
    w0 = np.array([[0.5], [0.5], [0.5]])
    # input 0 fires at 1 and 2 us (only the later pairs), input 1 after the post spike,
    # input 2 never: post at 3 us
    result = _result([[3e-6]], [[1e-6, 2e-6], [4.5e-6], []])
    w, updates = plasticity(params, result, w0, rule)
    assert w[0, 0] == pytest.approx(0.5 + 0.1 * math.exp(-1e-6 / 2e-6) * 0.5)
    assert w[1, 0] == pytest.approx(0.5 - 0.12 * math.exp(-1.5e-6 / 3e-6) * 0.5)
    assert w[2, 0] == 0.5
    assert updates == 2


def _stdp_one_event_at_a_time(
    result: PresentationResult, w0: np.ndarray, rule: Stdp
) -> tuple[np.ndarray, int]:
    """The nearest-neighbour rule written out event by event (post before pre at a tie)."""
    from spicegen.learn import rules

    w = w0.copy()
    events = sorted(
        [(float(t), 0, j) for j, times in enumerate(result.output_spikes) for t in times]
        + [(float(t), 1, i) for i, times in enumerate(result.input_spikes) for t in times]
    )
    last_pre, last_post = np.full(w.shape[0], -np.inf), np.full(w.shape[1], -np.inf)
    updates = 0
    settings = {k: getattr(rule, k) for k in ("a_plus", "a_minus", "tau_plus", "tau_minus")}
    for time, kind, index in events:
        last = last_pre if kind == 0 else last_post
        row = w[:, index] if kind == 0 else w[index, :]
        seen = np.isfinite(last)
        dt = np.where(seen, time - last, 0.0) if kind == 0 else np.where(seen, last - time, 0.0)
        dw = np.where(seen, rules.stdp(row, dt, **settings), 0.0)
        if kind == 0:
            w[:, index] = rules.apply(row, dw)
            last_post[index] = time
        else:
            w[index, :] = rules.apply(row, dw)
            last_pre[index] = time
        updates += int(np.count_nonzero(dw))
    return w, updates


def test_stdp_matches_the_rule_applied_one_event_at_a_time() -> None:
    # many inputs firing several times between output spikes, ties between input and output
    # spikes and between two outputs: the batched update must give the same weights
    rng = np.random.default_rng(5)
    grid = 0.25e-6 * np.arange(40)
    inputs = [list(np.sort(rng.choice(grid, rng.integers(0, 6), replace=False))) for _ in range(30)]
    outputs = [[grid[8], grid[20]], [grid[20]], [], [grid[3], grid[9], grid[33]]]
    result = _result(outputs, inputs)
    w0 = rng.uniform(0.0, 1.0, (30, 4))
    rule = Stdp(a_plus=0.2, a_minus=0.25, tau_plus=2e-6, tau_minus=3e-6)
    w, updates = plasticity(SpikingNetworkParams(inputs=30, neurons=4), result, w0, rule)
    expected, expected_updates = _stdp_one_event_at_a_time(result, w0, rule)
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-15)  # the same operations per weight
    assert updates == expected_updates > 0


def test_rule_settings_are_checked() -> None:
    with pytest.raises(LearnError, match="lr"):
        Vdsp(lr=2.0)
    with pytest.raises(LearnError, match="lr"):
        Vdsp(lr=0.0)
    with pytest.raises(LearnError, match="alpha"):
        Vdsp(alpha=-1.0)
    with pytest.raises(LearnError, match="tau_plus"):
        Stdp(tau_plus=0.0)
    with pytest.raises(LearnError, match="rule"):
        plasticity(SpikingNetworkParams(inputs=1, neurons=1), _result([[]], [[]]), [[0.5]], "hebb")  # type: ignore[arg-type]


def test_presentation_result_checks_shapes() -> None:
    with pytest.raises(LearnError, match="pre_voltages"):
        PresentationResult((np.array([1e-6]),), (np.array([]),), (np.zeros((2, 1)),), 0.0, 1e-5)


def test_initial_state_is_seeded() -> None:
    params = SpikingNetworkParams(inputs=4, neurons=3)
    first, again, other = (
        initial_state(params, 7),
        initial_state(params, 7),
        initial_state(params, 8),
    )
    np.testing.assert_array_equal(first.weights, again.weights)
    assert not np.array_equal(first.weights, other.weights)
    assert first.weights.shape == (4, 3) and np.all(first.thresholds == 0)
    assert isinstance(first, NetworkState) and first.updates == 0


def test_labelling_and_prediction() -> None:
    # neuron 0 answers class 1, neuron 1 class 0, neuron 2 never spikes
    counts = np.array([[0, 5, 0], [4, 0, 0], [1, 6, 0], [5, 1, 0]])
    labels = np.array([0, 1, 0, 1])
    assigned = assign_labels(counts, labels, 2)
    np.testing.assert_array_equal(assigned, [1, 0, NO_PREDICTION])
    test = np.array([[7, 1, 0], [0, 3, 0], [0, 0, 0]])
    np.testing.assert_array_equal(predict(test, assigned, 2), [1, 0, NO_PREDICTION])
    with pytest.raises(LearnError, match="labels"):
        assign_labels(counts, [0, 1, 2, 5], 2)


def test_patterns_are_balanced_seeded_and_overlapping() -> None:
    data = patterns(40, seed=3)
    assert data.x.shape == (40, 16) and data.image_shape == (4, 4)
    assert np.bincount(data.y).tolist() == [10, 10, 10, 10]
    assert data.classes == PATTERN_CLASSES
    assert data.x.min() >= 0.0 and data.x.max() <= 1.0
    np.testing.assert_array_equal(data.x, patterns(40, seed=3).x)
    templates = pattern_templates(4)
    assert templates.sum(axis=1).tolist() == [4, 4, 4, 4]
    assert (templates[0] * templates[1]).sum() == 1  # the bars cross in one pixel
    # every bar pixel is bright, the background mostly dark
    bars = templates[data.y] > 0
    assert data.x[bars].min() >= 0.7 and np.mean(data.x[~bars] > 0) < 0.2
    with pytest.raises(DatasetError):
        patterns(40, noise=1.5)


def test_downsample_averages_blocks() -> None:
    digits = load_dataset("digits")
    small = downsample(digits, 4)
    assert small.x.shape == (digits.samples, 16) and small.image_shape == (4, 4)
    # block (0, 0) of sample 0: the mean of its top-left 2x2 pixels over the dataset's maximum
    image = digits.x[0].reshape(8, 8)
    assert small.x[0, 0] == pytest.approx(image[:2, :2].mean() / digits.x.max())
    with pytest.raises(DatasetError, match="divide"):
        downsample(digits, 3)
