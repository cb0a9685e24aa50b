"""One unsupervised run of the spiking network per seed, held out, beside software baselines.

For each seed: a stratified split of the data (the first of ``stratified_folds(y, folds,
seed=seed)``: with ``folds=2`` half to train on and half to test on, with ``folds=5`` the
issue's 4,000 / 1,000 of MNIST-5k), training for ``epochs`` with the rule, the labelling of
physics.md 3.2 on the training half (plasticity off), and the accuracy on the test half.
Two software baselines on the same split: k-means with as many clusters as the network has
neurons, labelled and used the same way (each cluster takes the class it holds most of; a
test sample takes its nearest centre's), which is the unsupervised competitive learning a
winner-take-all layer performs; and a logistic regression trained with the labels, the
supervised ceiling for these inputs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.datasets import Dataset
from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import accuracy, stratified_folds, summarise
from spicegen.learn.snn import (
    NetworkState,
    Rule,
    assign_labels,
    initial_state,
    predict,
    respond,
    train,
)
from spicegen.learn.snn_network import Engine, FloatArray, PresentationResult

__all__ = ["SeedResult", "balanced_prefix", "baselines", "evaluate", "metrics", "run_seed"]

IntArray = NDArray[np.int64]
OnSample = Callable[[int, PresentationResult], None]


@dataclass(frozen=True, slots=True, eq=False)
class SeedResult:
    """One seed's run: the held-out ``accuracy`` (fraction) and the fraction of test samples
    no neuron answered (``silent``), the baselines' accuracies on the same split, the rule's
    ``updates``, ``presentations`` (training, labelling and test), wall ``seconds``, the
    weights before and after training, the thresholds, each neuron's label, and the mean
    ``energy`` per presentation (J); ``snapshots`` the weights and thresholds at the
    checkpoints asked for (``snn.train``); ``train_seconds`` the wall time of training alone
    (s), ``seconds`` that of training, labelling and test."""

    seed: int
    accuracy: float
    silent: float
    kmeans: float
    logistic: float
    updates: int
    presentations: int
    seconds: float
    initial_weights: FloatArray
    weights: FloatArray
    thresholds: FloatArray
    neuron_labels: IntArray
    energy: float
    history: tuple[tuple[int, int, int], ...]
    snapshots: tuple[tuple[int, FloatArray, FloatArray], ...] = ()
    train_seconds: float = 0.0


def baselines(
    train_x: FloatArray,
    train_y: IntArray,
    test_x: FloatArray,
    test_y: IntArray,
    clusters: int,
    seed: int,
) -> tuple[float, float]:
    """``(k-means accuracy, logistic-regression accuracy)`` on one split (see the module)."""
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression

    clusters = min(clusters, train_x.shape[0])
    model = KMeans(n_clusters=clusters, n_init=10, random_state=seed % 2**31).fit(train_x)
    classes = int(max(train_y.max(), test_y.max())) + 1
    label = np.zeros(clusters, dtype=np.int64)
    for cluster in range(clusters):
        members = train_y[model.labels_ == cluster]
        label[cluster] = np.bincount(members, minlength=classes).argmax() if members.size else -1
    kmeans = accuracy(label[model.predict(test_x)], test_y)
    logistic = LogisticRegression(max_iter=2000).fit(train_x, train_y)
    return kmeans, accuracy(logistic.predict(test_x), test_y)


def balanced_prefix(labels: IntArray, count: int) -> IntArray:
    """The positions of ``count`` of ``labels`` balanced over the classes: the first of each
    class, then the second of each, and so on (every prefix is balanced)."""
    if type(count) is not int or not 1 <= count <= labels.size:
        raise LearnError(f"labelling: expected 1..{labels.size} samples, not {count!r}")
    rank = np.zeros(labels.size, dtype=np.int64)
    for label in np.unique(labels):
        members = labels == label
        rank[members] = np.arange(np.count_nonzero(members))
    return np.asarray(np.argsort(rank, kind="stable")[:count], dtype=np.int64)


def evaluate(
    engine: Engine,
    state: NetworkState,
    labelling: tuple[FloatArray, IntArray],
    test_x: FloatArray,
    classes: int,
    *,
    on_sample: OnSample | None = None,
) -> tuple[IntArray, IntArray]:
    """Label the neurons of ``state`` on ``labelling`` (samples, classes) without plasticity
    and predict ``test_x`` (physics.md 3.2): ``(neuron labels, predictions)``."""
    label_x, label_y = labelling
    labels = assign_labels(respond(engine, label_x, state, on_sample=on_sample), label_y, classes)
    return labels, predict(respond(engine, test_x, state, on_sample=on_sample), labels, classes)


def run_seed(
    engine: Engine,
    data: Dataset,
    rule: Rule,
    *,
    seed: int,
    epochs: int = 1,
    on_sample: OnSample | None = None,
    folds: int = 2,
    checkpoints: Sequence[int] = (),
    labelling: int | None = None,
) -> SeedResult:
    """Train, label and test the network of ``engine`` on ``data`` (intensities in [0, 1])
    with ``rule`` under ``seed``, on the first of ``folds`` stratified folds; ``on_sample`` is
    called after every presentation; ``checkpoints`` as in ``snn.train``; ``labelling``
    labels with that many of the training samples, balanced over the classes (default:
    all of them)."""
    if data.x.shape[1] != engine.params.inputs:
        shape = f" ({data.image_shape[0]}x{data.image_shape[1]})" if data.image_shape else ""
        raise LearnError(
            f"{data.name} has {data.x.shape[1]} features{shape} per sample but the network "
            f"has {engine.params.inputs} inputs"
        )
    fold = stratified_folds(data.y, folds, seed=seed)[0]
    train_x, train_y = data.x[fold.train], data.y[fold.train]
    test_x, test_y = data.x[fold.test], data.y[fold.test]
    started = time.perf_counter()
    energies: list[float] = []

    def seen(index: int, result: PresentationResult) -> None:
        energies.append(result.energy)
        if on_sample is not None:
            on_sample(index, result)

    start = initial_state(engine.params, seed)
    state = train(
        engine, train_x, rule, epochs=epochs, seed=seed, state=start, on_sample=seen,
        checkpoints=checkpoints,
    )  # fmt: skip
    train_seconds = time.perf_counter() - started
    chosen = balanced_prefix(train_y, train_y.size if labelling is None else labelling)
    labels, predicted = evaluate(
        engine, state, (train_x[chosen], train_y[chosen]), test_x, len(data.classes),
        on_sample=seen,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    kmeans, logistic = baselines(train_x, train_y, test_x, test_y, engine.params.neurons, seed)
    return SeedResult(
        seed=seed,
        accuracy=accuracy(predicted, test_y),
        silent=float(np.mean(predicted < 0)),
        kmeans=kmeans,
        logistic=logistic,
        updates=state.updates,
        presentations=len(energies),
        seconds=seconds,
        initial_weights=start.weights,
        weights=state.weights,
        thresholds=state.thresholds,
        neuron_labels=labels,
        energy=float(np.mean(energies)),
        history=state.history,
        snapshots=state.snapshots,
        train_seconds=train_seconds,
    )


def metrics(
    results: Sequence[SeedResult], *, rule: Rule, engine: str, dataset: str, neurons: int
) -> dict[str, Any]:
    """``metrics.json``'s content: accuracy mean and sd over seeds (fractions), the
    baselines' on the same splits, updates, engine, dataset, seconds."""
    if not results:
        raise LearnError("metrics: no seed results")
    network = summarise([r.accuracy for r in results])
    kmeans = summarise([r.kmeans for r in results])
    logistic = summarise([r.logistic for r in results])
    presentations = sum(r.presentations for r in results)
    seconds = sum(r.seconds for r in results)
    return {
        "rule": rule.name,
        "rule_settings": {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)},
        "engine": engine,
        "dataset": dataset,
        "neurons": neurons,
        "seeds": [r.seed for r in results],
        "accuracy_mean": network.mean,
        "accuracy_std": network.std,
        "accuracy_per_seed": list(network.values),
        "silent_fraction_mean": float(np.mean([r.silent for r in results])),
        "kmeans_accuracy_mean": kmeans.mean,
        "kmeans_accuracy_std": kmeans.std,
        "logistic_accuracy_mean": logistic.mean,
        "logistic_accuracy_std": logistic.std,
        "updates": int(np.mean([r.updates for r in results])),
        "updates_per_seed": [r.updates for r in results],
        "presentations": presentations,
        "seconds": seconds,
        "seconds_per_presentation": seconds / max(presentations, 1),
        "energy_per_presentation_j": float(np.mean([r.energy for r in results])),
    }
