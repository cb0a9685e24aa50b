"""Finite-difference training of MTJ networks (arXiv 2603.03947, physics.md section 5).

Each neuron is a pair of nominally identical MTJs, one biased at ``I`` and one at ``I + dI``:
a layer outputs its activation ``V1 = f(I)`` and its own derivative ``(V2 - V1) / dI``.
Backpropagation then uses the measured derivatives:
``delta_L = dLoss/dy_L * f'_L``, ``delta_l = (W_{l+1}^T delta_{l+1}) * f'_l``,
``dW_l = -lr * x_{l-1}^T delta_l``; device-to-device variability is in the measurement, only
the mismatch between the two devices of a pair adds error (``~ epsilon V1 / dI``).

``FiniteDifferenceTrainer`` is engine-independent and seeded: ``engine="spice"`` runs every
forward pass as an ngspice operating point of the whole network (``fd_spice``),
``engine="surrogate"`` uses device curves characterised from ngspice (``fd_surrogate``),
``engine="software"`` is a tanh network with exact derivatives (the baseline). The trainer
owns the loss (cross-entropy on a softmax of the output activations, or MSE), SGD with
mini-batches and a step-decayed learning rate, early stopping on a validation split, and
knowledge distillation from a teacher; the engine only programs weights and reads layers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import Scaler, accuracy, stratified_folds
from spicegen.learn.fd_engines import (
    Engine,
    FloatArray,
    LayerOutput,
    Power,
    SoftwareEngine,
    with_bias,
)
from spicegen.learn.fd_hardware import MtjChip, Programmed, program
from spicegen.seeds import stream
from spicegen.sweep.progress import Progress
from spicegen.va import CompiledModel

__all__ = [
    "ENGINES",
    "FiniteDifferenceTrainer",
    "adam_direction",
    "backpropagate",
    "cross_entropy",
    "penalty_step_factor",
    "window_penalty",
]

ENGINES = ("surrogate", "spice", "software")
Loss = Literal["cross_entropy", "mse"]
Scaling = Literal["feature", "global"]
Optimizer = Literal["sgd", "adam"]
ADAM_BETAS = (0.9, 0.999)  # Kingma & Ba's defaults: first and second moment decay per step
ADAM_EPSILON = 1e-8
MSE_TARGET = 0.8  # one-hot targets as +-0.8: inside the activation's normalised range
# the safe range of the pre-activations (low, high) and the penalty's strength: one for every
# layer, or one per layer (a layer's current per unit pre-activation follows its fan-in)
Window = tuple[float, float, float] | Sequence[tuple[float, float, float]]


def cross_entropy(logits: FloatArray, labels: FloatArray) -> tuple[float, FloatArray]:
    """Mean cross-entropy of ``softmax(logits)`` against ``labels`` (one-hot or soft,
    (samples, classes)) and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    count = logits.shape[0]
    loss = float(-(labels * log_p).sum() / count)
    return loss, (np.exp(log_p) - labels) / count


def backpropagate(
    inputs: FloatArray,
    outputs: Sequence[LayerOutput],
    weights: Sequence[FloatArray],
    output_gradient: FloatArray,
    window: Window | None = None,
    rate: float | None = None,
) -> tuple[FloatArray, ...]:
    """Weight gradients of every layer from the measured slopes.

    ``inputs`` (samples, features) fed layer 0; ``outputs`` are the engine's layers (``y`` and
    ``dy/du``); ``weights`` the programmed ones (the transpose the backward pass goes through);
    ``output_gradient`` is dLoss/dy of the last layer. ``window = (low, high, strength)`` adds
    the gradient of ``strength / 2 * mean_samples sum (u - clip(u, low, high))^2`` on every
    pre-activation ``u``: the penalty that keeps neuron currents in the devices' safe range
    (or a sequence of one such triple per layer).

    ``rate``: the learning rate the step will be taken with. Given, each layer's penalty term
    is scaled by ``penalty_step_factor`` so that the step it contributes cannot increase that
    layer's penalty (on a wide layer of correlated inputs the plain gradient step throws the
    currents past the far side of the window, and the next step further back); None: the
    exact gradient.
    """
    gradient = output_gradient
    result: list[FloatArray] = [np.zeros(0)] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        delta = gradient * outputs[layer].slope
        below = with_bias(inputs if layer == 0 else outputs[layer - 1].y)
        if window is not None:
            low, high, strength = _layer_window(window, layer)
            u = below @ weights[layer]
            excess = u - np.clip(u, low, high)
            if rate is not None and excess.any():
                strength *= penalty_step_factor(below, u, (low, high, strength), rate)
            delta = delta + strength * excess / u.shape[0]
        result[layer] = below.T @ delta
        gradient = delta @ weights[layer][:-1].T
    return tuple(result)


def adam_direction(
    grads: Sequence[FloatArray],
    first: Sequence[FloatArray],
    second: Sequence[FloatArray],
    step: int,
) -> tuple[tuple[FloatArray, ...], list[FloatArray], list[FloatArray]]:
    """Adam's step direction for every layer at ``step`` (1, 2, ...): the bias-corrected first
    moment over the root of the second, and both moments updated (``ADAM_BETAS``)."""
    b1, b2 = ADAM_BETAS
    first = [b1 * m + (1 - b1) * g for m, g in zip(first, grads, strict=True)]
    second = [b2 * v + (1 - b2) * g * g for v, g in zip(second, grads, strict=True)]
    direction = tuple(
        (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + ADAM_EPSILON)
        for m, v in zip(first, second, strict=True)
    )
    return direction, first, second


def window_penalty(
    inputs: FloatArray,
    outputs: Sequence[LayerOutput],
    weights: Sequence[FloatArray],
    window: Window,
) -> float:
    """The safe-range penalty ``backpropagate`` differentiates (see there)."""
    total = 0.0
    for layer, w in enumerate(weights):
        low, high, strength = _layer_window(window, layer)
        u = with_bias(inputs if layer == 0 else outputs[layer - 1].y) @ w
        total += strength / 2 * float(np.sum((u - np.clip(u, low, high)) ** 2)) / u.shape[0]
    return total


def penalty_step_factor(
    below: FloatArray, u: FloatArray, window: tuple[float, float, float], rate: float
) -> float:
    """The factor (0, 1] on a layer's penalty gradient that keeps its step from raising the
    layer's penalty: 1 when the full step does not, else halved until it does not, and never
    below ``1 / (rate strength mean_s |x_s|^2)``, where the penalty must fall.

    ``below`` are the layer's inputs with the bias column (samples, rows), ``u`` its
    pre-activations, ``window`` its (low, high, strength). The step ``-rate c grad`` changes
    the pre-activations by ``-rate c strength K E / samples`` (``K = x x^T`` over the samples,
    ``E`` the excess beyond the window), so each trial costs a (samples, samples) product. The
    floor is the descent lemma's: the penalty's curvature in one neuron's weights is at most
    ``strength`` times the largest eigenvalue of ``x^T x / samples``, itself at most its trace.
    """
    low, high, strength = window
    count = u.shape[0]
    gram = below @ below.T
    excess = u - np.clip(u, low, high)
    push = rate * strength * (gram @ excess) / count

    def penalty(shifted: FloatArray) -> float:
        return float(np.sum((shifted - np.clip(shifted, low, high)) ** 2))

    before = penalty(u)
    floor = min(1.0, count / (rate * strength * float(np.trace(gram))))
    factor = 1.0
    while factor > floor and penalty(u - factor * push) > before:
        factor /= 2
    return float(max(factor, floor))


def _layer_window(window: Window, layer: int) -> tuple[float, float, float]:
    """``layer``'s (low, high, strength): its own, or the one for every layer."""
    chosen = window[layer] if isinstance(window[0], tuple | list) else window
    low, high, strength = cast(tuple[float, float, float], chosen)
    return float(low), float(high), float(strength)


class FiniteDifferenceTrainer:
    """A multilayer MTJ network trained with its own measured derivatives.

    ``hidden``: neurons per hidden layer. ``engine``: ``"surrogate"``, ``"spice"`` or
    ``"software"``; ``device``: the neuron device (``spicegen.models.load("mtj")``), needed by
    the MTJ engines; ``chip``: the simulated hardware (``MtjChip``: operating point,
    conductance range, variability, quantisation, write noise). ``epochs``, ``batch_size``,
    ``learning_rate`` (per unit weight), multiplied by ``decay`` every ``decay_every`` epochs;
    ``momentum``: heavy-ball SGD, each step ``rate * v`` with ``v = momentum v + gradient``
    (0: plain SGD); ``optimizer="adam"``: Adam (Kingma & Ba 2015, ``ADAM_BETAS``) instead,
    each weight stepping ``rate * m_hat / (sqrt(v_hat) + eps)``, so that a layer's step no
    longer scales with its gain (``momentum`` must then be 0);
    ``loss``: ``"cross_entropy"`` on ``softmax(logit_scale * y)`` or ``"mse"`` on ``y``.
    ``validation_fraction`` of the training data (stratified) is held out for early stopping
    (the best validation epoch is kept; ``patience`` epochs without improvement stop the run).
    ``teacher``: a fitted trainer to distil from (``distill_weight`` of the loss on its
    ``softmax(logits / distill_temperature)``). ``client``: a Dask client to spread the SPICE
    engine's operating points over. ``scaling``: inputs mapped onto [-1, 1] per feature, or
    with one range for all features (``"global"``, for pixels). ``window_strength``: weight of
    the penalty that keeps every neuron's current inside ``chip.current_window`` (the MTJ's
    safe range; 0 turns it off; the software engine has none). ``seed``: the training seed
    (``spicegen.seeds.stream``).
    """

    def __init__(
        self,
        hidden: Sequence[int] = (8,),
        *,
        engine: str = "surrogate",
        device: CompiledModel | None = None,
        chip: MtjChip | None = None,
        epochs: int = 100,
        batch_size: int = 8,
        learning_rate: float = 0.2,
        decay: float = 0.5,
        decay_every: int = 50,
        momentum: float = 0.0,
        optimizer: Optimizer = "sgd",
        loss: Loss = "cross_entropy",
        logit_scale: float = 4.0,
        init_scale: float = 1.0,
        validation_fraction: float = 0.2,
        patience: int | None = None,
        teacher: FiniteDifferenceTrainer | None = None,
        distill_temperature: float = 4.0,
        distill_weight: float = 0.5,
        scaling: Scaling = "feature",
        window_strength: float = 10.0,
        client: Any = None,
        seed: int = 0,
        progress: bool | None = False,
    ) -> None:
        self.hidden = _hidden(hidden)
        if engine not in ENGINES:
            raise LearnError(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
        if engine != "software" and not isinstance(device, CompiledModel):
            raise LearnError(
                f"engine {engine!r} needs the neuron device: pass "
                "device=spicegen.models.load('mtj') (a two-terminal CompiledModel)"
            )
        if client is not None and engine != "spice":
            raise LearnError("client: a Dask cluster spreads only the SPICE engine's work")
        if chip is not None and not isinstance(chip, MtjChip):
            raise LearnError(f"chip: expected an MtjChip, got {chip!r}")
        for name, value in (
            ("epochs", epochs),
            ("batch_size", batch_size),
            ("decay_every", decay_every),
        ):
            if type(value) is not int or value < 1:
                raise LearnError(f"{name}: expected an integer >= 1, got {value!r}")
        positive = {
            "learning_rate": learning_rate,
            "logit_scale": logit_scale,
            "init_scale": init_scale,
            "distill_temperature": distill_temperature,
        }
        for name, number in positive.items():
            if not isinstance(number, int | float) or not math.isfinite(number) or number <= 0:
                raise LearnError(f"{name}: expected a finite number > 0, got {number!r}")
        if not isinstance(momentum, int | float) or not 0 <= momentum < 1:
            raise LearnError(f"momentum: expected a number in [0, 1), got {momentum!r}")
        if optimizer not in ("sgd", "adam"):
            raise LearnError(f"optimizer: expected 'sgd' or 'adam', got {optimizer!r}")
        if optimizer == "adam" and momentum:
            raise LearnError("momentum: Adam keeps its own moments; leave momentum at 0")
        if not 0 < decay <= 1:
            raise LearnError(f"decay: expected a factor in (0, 1], got {decay!r}")
        if loss not in ("cross_entropy", "mse"):
            raise LearnError(f"loss: expected 'cross_entropy' or 'mse', got {loss!r}")
        if not 0 <= validation_fraction < 0.5:
            raise LearnError(f"validation_fraction: expected [0, 0.5), got {validation_fraction!r}")
        if patience is not None and (type(patience) is not int or patience < 1):
            raise LearnError(f"patience: expected an integer >= 1 or None, got {patience!r}")
        if teacher is not None and not getattr(teacher, "fitted", False):
            raise LearnError("teacher: expected a fitted trainer")
        if not isinstance(window_strength, int | float) or not 0 <= window_strength < math.inf:
            raise LearnError(f"window_strength: expected a number >= 0, got {window_strength!r}")
        if scaling not in ("feature", "global"):
            raise LearnError(f"scaling: expected 'feature' or 'global', got {scaling!r}")
        if not 0 <= distill_weight <= 1:
            raise LearnError(f"distill_weight: expected [0, 1], got {distill_weight!r}")
        self.engine = engine
        self.device = device
        self.chip = chip if chip is not None else MtjChip()
        self.epochs, self.batch_size = epochs, batch_size
        self.learning_rate, self.decay, self.decay_every = learning_rate, decay, decay_every
        self.momentum, self.optimizer = float(momentum), optimizer
        self.loss, self.logit_scale, self.init_scale = loss, logit_scale, init_scale
        self.validation_fraction, self.patience = validation_fraction, patience
        self.teacher = teacher
        self.distill_temperature, self.distill_weight = distill_temperature, distill_weight
        self.scaling, self.window_strength = scaling, window_strength
        self.client, self.seed, self.progress = client, seed, progress
        self.engine_: Engine | None = None
        self.fitted = False

    # -- scikit-learn shape ---------------------------------------------------------------
    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike,
        *,
        validation: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> FiniteDifferenceTrainer:
        """Train on samples ``x`` (n, features) with integer labels ``y`` (n,); ``validation``
        gives the early-stopping split explicitly (else ``validation_fraction`` of ``x``)."""
        features, labels = _samples(x, y)
        self.classes_ = np.unique(labels)
        if self.classes_.size < 2:
            raise LearnError("fit: the labels hold only one class")
        index = np.searchsorted(self.classes_, labels)
        if validation is None and self.validation_fraction > 0:
            parts = max(2, round(1 / self.validation_fraction))
            held = stratified_folds(index, parts, seed=self.seed)[0]
            validation = (features[held.test], self.classes_[index[held.test]])
            features, index = features[held.train], index[held.train]
        self.scaler_ = _input_scaler(features, self.scaling)
        inputs = self._scaled(features)
        sizes = (features.shape[1], *self.hidden, self.classes_.size)
        self.sizes_ = sizes
        soft = self._soft_targets(features)
        targets = np.eye(self.classes_.size)[index]
        check: tuple[FloatArray, FloatArray] | None = None
        if validation is not None:
            vx, vy = _samples(*validation)
            unknown = ~np.isin(vy, self.classes_)
            if unknown.any():
                raise LearnError(
                    f"validation: label {vy[unknown][0]!r} is not in the training labels"
                )
            check = (self._scaled(vx), np.searchsorted(self.classes_, vy).astype(np.float64))
        self.close()
        self.engine_ = self._make_engine(sizes)
        try:
            self._train(inputs, targets, soft, check)
        except BaseException:
            self.close()
            raise
        self.fitted = True
        return self

    def decision_function(self, x: ArrayLike) -> FloatArray:
        """Logits ``logit_scale * y`` of the output layer, (n, classes)."""
        engine = self._fitted_engine()
        features, _ = _samples(x, None)
        return self.logit_scale * engine.forward(self._scaled(features))[-1].y

    def predict(self, x: ArrayLike) -> NDArray[np.int64]:
        """The predicted class label of every sample."""
        logits = self.decision_function(x)
        labels = self.classes_[np.argmax(logits, axis=1)]
        return np.asarray(labels, dtype=np.int64)

    def score(self, x: ArrayLike, y: ArrayLike) -> float:
        """Accuracy (0..1) on ``x``, ``y``."""
        return accuracy(self.predict(x), np.asarray(y))

    def transform(self, x: ArrayLike) -> FloatArray:
        """Samples as the chip's normalised inputs: the training range mapped onto [-1, 1]
        (row voltages ``read_voltage`` times this), clipped at full scale."""
        self._fitted_engine()
        features, _ = _samples(x, None)
        return self._scaled(features)

    def supply_power(self, x: ArrayLike) -> Power | None:
        """Supply power per sample (W) of the chip reading ``x``; None for software."""
        engine = self._fitted_engine()
        measure = getattr(engine, "power", None)
        return None if measure is None else measure(self.transform(x))

    def close(self) -> None:
        """Release the engine (the SPICE engine's ngspice process, a cluster's actors)."""
        if self.engine_ is not None:
            self.engine_.close()
            self.engine_ = None

    def __enter__(self) -> FiniteDifferenceTrainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def programmed_weights(self) -> tuple[FloatArray, ...]:
        """The weights the chip holds (quantised, with write noise), (inputs + 1, outputs) each."""
        self._fitted_engine()
        return tuple(p.value for p in self.programmed_)

    # -- training -------------------------------------------------------------------------
    def _train(
        self,
        inputs: FloatArray,
        targets: FloatArray,
        soft: FloatArray | None,
        check: tuple[FloatArray, FloatArray] | None,
    ) -> None:
        engine = self.engine_
        assert engine is not None
        limit = engine.weight_limit
        weights = [
            np.clip(self._initial(layer, a + 1, b), -limit, limit)
            for layer, (a, b) in enumerate(itertools.pairwise(self.sizes_))
        ]
        writes = stream(self.seed, "write")
        programmed = self._write(weights, None, writes)
        window = self._window(engine)
        history: dict[str, list[float]] = {
            key: [] for key in ("epoch", "learning_rate", "train_loss", "train_accuracy",
                                "validation_loss", "validation_accuracy", "writes")
        }  # fmt: skip
        best: tuple[float, float, list[FloatArray], list[Programmed]] | None = None
        self.best_epoch_ = self.epochs - 1
        waited = 0
        velocity = [np.zeros_like(w) for w in weights]
        second = [np.zeros_like(w) for w in weights]  # Adam's second moments
        steps = 0
        bar = Progress(self.epochs, enabled=self.progress, desc=f"fd {self.engine}", unit="epoch")
        try:
            for epoch in range(self.epochs):
                rate = self.learning_rate * self.decay ** (epoch // self.decay_every)
                order = stream(self.seed, "shuffle", epoch).permutation(inputs.shape[0])
                losses, hits, written = 0.0, 0, 0
                for start in range(0, order.size, self.batch_size):
                    batch = order[start : start + self.batch_size]
                    outputs = engine.forward(inputs[batch])
                    logits = self.logit_scale * outputs[-1].y
                    loss, gradient = self._loss(logits, outputs[-1].y, targets[batch],
                                                None if soft is None else soft[batch])  # fmt: skip
                    losses += loss * batch.size
                    hits += int(np.sum(logits.argmax(1) == targets[batch].argmax(1)))
                    values = [p.value for p in programmed]
                    grads = backpropagate(inputs[batch], outputs, values, gradient, window, rate)
                    if self.optimizer == "adam":
                        # the penalty's step bound above assumed a plain step of ``rate``;
                        # here it only damps the penalty's share of the gradient Adam rescales
                        steps += 1
                        grads, velocity, second = adam_direction(grads, velocity, second, steps)
                    elif self.momentum > 0:
                        # the velocity lives in the trainer, in numpy: the chip only ever
                        # receives the weights, as with plain SGD
                        velocity = [
                            self.momentum * v + g for v, g in zip(velocity, grads, strict=True)
                        ]
                        grads = tuple(velocity)
                    weights = [
                        np.clip(w - rate * g, -limit, limit)
                        for w, g in zip(weights, grads, strict=True)
                    ]
                    before = programmed
                    programmed = self._write(weights, programmed, writes)
                    written += sum(
                        int(np.sum(a.level != b.level))
                        for a, b in zip(programmed, before, strict=True)
                    )
                history["epoch"].append(epoch)
                history["learning_rate"].append(rate)
                history["train_loss"].append(losses / order.size)
                history["train_accuracy"].append(hits / order.size)
                history["writes"].append(written)
                if check is not None:
                    val_loss, val_acc = self._evaluate(*check)
                    history["validation_loss"].append(val_loss)
                    history["validation_accuracy"].append(val_acc)
                    if best is None or (val_acc, -val_loss) > (best[0], -best[1]):
                        best = (val_acc, val_loss, [w.copy() for w in weights], list(programmed))
                        self.best_epoch_, waited = epoch, 0
                    else:
                        waited += 1
                bar.update(1, 0)
                if self.patience is not None and waited >= self.patience:
                    break
        finally:
            bar.close()
        if best is not None:
            # the chip keeps the cells of the best validation epoch (re-set as they were)
            weights, programmed = best[2], best[3]
            engine.program([p.value for p in programmed])
        self.weights_ = tuple(weights)
        self.programmed_ = tuple(programmed)
        self.history_ = history

    def _window(self, engine: Engine) -> list[tuple[float, float, float]] | None:
        """Every layer's safe current range as pre-activations (through the layer's own
        current per unit pre-activation), and the penalty's strength."""
        if engine.name == "software" or self.window_strength == 0:
            return None
        chip = self.chip
        low, high = (chip.current_window[k] - chip.bias_current for k in (0, 1))
        result = []
        for inputs in self.sizes_[:-1]:
            scale, strength = chip.layer_scale(inputs + 1), self.window_strength
            if chip.reference_fan_in is not None and inputs + 1 > chip.reference_fan_in:
                # the penalty's curvature in the weights grows with the rows' sum of x^2: a step
                # on a wide layer would throw its currents past the other end of the window
                strength *= chip.reference_fan_in / (inputs + 1)
            result.append((low / scale, high / scale, strength))
        return result

    def _initial(self, layer: int, rows: int, columns: int) -> FloatArray:
        """Uniform in +-init_scale / sqrt(fan-in), from the layer's own stream."""
        bound = self.init_scale / math.sqrt(rows)
        return stream(self.seed, "init", layer).uniform(-bound, bound, (rows, columns))

    def _write(
        self,
        weights: Sequence[FloatArray],
        previous: Sequence[Programmed] | None,
        rng: np.random.Generator,
    ) -> list[Programmed]:
        engine = self.engine_
        assert engine is not None
        if engine.name == "software":
            result = [Programmed(w.copy(), w.copy()) for w in weights]
        else:
            result = [
                program(self.chip, w, None if previous is None else previous[k], rng)
                for k, w in enumerate(weights)
            ]
        engine.program([p.value for p in result])
        return result

    def _loss(
        self, logits: FloatArray, y: FloatArray, targets: FloatArray, soft: FloatArray | None
    ) -> tuple[float, FloatArray]:
        """Loss and dLoss/dy of the output layer."""
        if self.loss == "mse":
            goal = MSE_TARGET * (2 * targets - 1)
            error = y - goal
            loss = float(0.5 * np.sum(error**2) / y.shape[0])
            return loss, error / y.shape[0]
        loss, gradient = cross_entropy(logits, targets)
        if soft is not None:
            # Hinton et al.: T^2 keeps the soft term's gradient on the hard term's scale
            temperature = self.distill_temperature
            soft_loss, soft_gradient = cross_entropy(logits / temperature, soft)
            alpha = self.distill_weight
            loss = (1 - alpha) * loss + alpha * temperature**2 * soft_loss
            gradient = (1 - alpha) * gradient + alpha * temperature * soft_gradient
        return loss, gradient * self.logit_scale

    def _evaluate(self, inputs: FloatArray, labels: FloatArray) -> tuple[float, float]:
        engine = self.engine_
        assert engine is not None
        logits = self.logit_scale * engine.forward(inputs)[-1].y
        targets = np.eye(self.classes_.size)[labels.astype(np.int64)]
        loss, _ = cross_entropy(logits, targets)
        return loss, float(np.mean(logits.argmax(1) == labels))

    def _soft_targets(self, features: FloatArray) -> FloatArray | None:
        if self.teacher is None:
            return None
        teacher_classes = getattr(self.teacher, "classes_", None)
        if teacher_classes is None or not np.array_equal(teacher_classes, self.classes_):
            raise LearnError("teacher: it was trained on other classes than these labels")
        logits = self.teacher.decision_function(features) / self.distill_temperature
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))

    def _make_engine(self, sizes: tuple[int, ...]) -> Engine:
        if self.engine == "software":
            return SoftwareEngine()
        assert self.device is not None
        if self.engine == "surrogate":
            from spicegen.learn.fd_surrogate import SurrogateEngine

            return SurrogateEngine(self.device, self.chip, sizes)
        if self.client is not None:
            from spicegen.learn.fd_dask import DaskSpiceEngine

            engine: Engine = DaskSpiceEngine(self.device, self.chip, sizes, self.client)
            return engine
        from spicegen.learn.fd_spice import SpiceEngine

        return SpiceEngine(self.device, self.chip, sizes)

    def _scaled(self, features: FloatArray) -> FloatArray:
        # the input DACs saturate at full scale: test samples beyond the training range clip
        if features.shape[1] != self.scaler_.offset.size:
            raise LearnError(
                f"expected {self.scaler_.offset.size} features per sample, got {features.shape[1]}"
            )
        return np.clip(self.scaler_(features), -1.0, 1.0)

    def _fitted_engine(self) -> Engine:
        if not self.fitted or self.engine_ is None:
            raise LearnError("the trainer is not fitted (or was closed): call fit() first")
        return self.engine_


def _input_scaler(features: FloatArray, scaling: Scaling) -> Scaler:
    """The training range onto [-1, 1], per feature or over all features at once."""
    if scaling == "feature":
        return Scaler.min_max(features, -1.0, 1.0)
    low, high = float(features.min()), float(features.max())
    span = high - low if high > low else 1.0
    count = features.shape[1]
    return Scaler(np.full(count, low + span / 2), np.full(count, span / 2))


def _hidden(hidden: Sequence[int]) -> tuple[int, ...]:
    if isinstance(hidden, int):
        hidden = (hidden,)
    sizes = tuple(hidden)
    for k, size in enumerate(sizes):
        if type(size) is not int or size < 1:
            raise LearnError(f"hidden[{k}]: a hidden layer needs at least 1 neuron, got {size!r}")
    return sizes


def _samples(x: ArrayLike, y: ArrayLike | None) -> tuple[FloatArray, Any]:
    try:
        features = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise LearnError("x: expected a numeric (samples, features) array") from None
    if features.ndim != 2 or features.shape[0] == 0 or features.shape[1] == 0:
        raise LearnError(
            f"x: expected a non-empty (samples, features) array, got shape {features.shape}"
        )
    if not np.all(np.isfinite(features)):
        row = int(np.argwhere(~np.isfinite(features))[0][0])
        raise LearnError(f"x: sample {row} holds a NaN or infinite feature")
    if y is None:
        return features, None
    labels = np.asarray(y)
    if labels.shape != (features.shape[0],):
        raise LearnError(f"y: expected {features.shape[0]} labels, got shape {labels.shape}")
    if labels.dtype.kind not in "iu":
        if (
            labels.dtype.kind == "f"
            and np.all(np.isfinite(labels))
            and np.all(labels == np.round(labels))
        ):
            labels = labels.astype(np.int64)
        else:
            raise LearnError("y: expected integer class labels")
    return features, labels.astype(np.int64)
