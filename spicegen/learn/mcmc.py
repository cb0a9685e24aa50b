"""Bayesian learning with device randomness: Metropolis-Hastings in which the proposals are
programming cycles of memristors (Dalgaty et al., Nat. Electron. 4, 151 (2021); physics.md 7).

Each weight of a logistic (or softmax) regression, or of a network with one ``tanh`` hidden
layer, is the difference of two device conductances, ``w = (G+ - G-) / g_unit``. A proposal
reprograms every device (or a random ``block`` of weights) with the cycle centred on its
present conductance, so the new conductance is a draw from the device's own cycle-to-cycle
distribution (``mcmc_devices``); the proposal is written into the next free line of the array,
whose reads give the likelihood of the training data (``mcmc_engines``: ngspice through the
crossbar, or the read surrogate). The walk is accepted with probability
``min(1, p(D|w') p(w') q(G|G') / (p(D|w) p(w) q(G'|G)))``: the Hastings factor weighs the
little asymmetry left once the centre is matched (the spread depends on the level). Accepted
samples stay in their line; predictions average the model over the stored lines, each weighted
by the iterations it was the chain's state (``weighting="holds"``, the exact MCMC average;
``"rows"`` weighs every stored line equally, as the paper's array does).

The prior is ``N(0, prior_sd^2)`` on every weight inside the devices' window. ``device=None``
is the software baseline: Metropolis-Hastings on the weights themselves with Gaussian
proposals of sd ``step * weight_range`` and exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from spicegen.learn.errors import LearnError
from spicegen.learn.evaluation import Scaler, accuracy
from spicegen.learn.mcmc_devices import DeviceKind, in_window
from spicegen.learn.mcmc_engines import Engine, FastEngine, Reading, SpiceEngine
from spicegen.learn.mcmc_precondition import (
    Preconditioner,
    laplace_preconditioner,
    sample_preconditioner,
)
from spicegen.seeds import stream, stream_seed
from spicegen.sweep.progress import Progress

__all__ = [
    "Architecture",
    "Energy",
    "HardwareModel",
    "MCMCClassifier",
    "Run",
    "StoredRows",
    "forward",
    "log_likelihood",
    "probabilities",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


# -- the model ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Architecture:
    """``inputs`` features, ``classes`` labels, ``hidden`` tanh units (0: a linear model).

    Two classes have one output (a sigmoid), more have one per class (a softmax). Every layer
    has a bias row: shapes are ``(inputs + 1, hidden), (hidden + 1, outputs)``.
    """

    inputs: int
    classes: int
    hidden: int = 0

    def __post_init__(self) -> None:
        for name in ("inputs", "classes", "hidden"):
            value = getattr(self, name)
            if type(value) is not int or value < (0 if name == "hidden" else 1):
                raise LearnError(f"architecture: {name} must be a non-negative int, got {value!r}")
        if self.classes < 2:
            raise LearnError("architecture: at least two classes are needed")

    @property
    def outputs(self) -> int:
        return 1 if self.classes == 2 else self.classes

    @property
    def shapes(self) -> tuple[tuple[int, int], ...]:
        if self.hidden == 0:
            return ((self.inputs + 1, self.outputs),)
        return ((self.inputs + 1, self.hidden), (self.hidden + 1, self.outputs))

    @property
    def parameters(self) -> int:
        return sum(rows * columns for rows, columns in self.shapes)

    def split(self, flat: FloatArray) -> list[FloatArray]:
        """``flat`` (..., parameters) as the layers' matrices (..., rows, columns)."""
        layers, start = [], 0
        for rows, columns in self.shapes:
            size = rows * columns
            layers.append(flat[..., start : start + size].reshape(*flat.shape[:-1], rows, columns))
            start += size
        return layers


def _with_bias(a: FloatArray, value: float = 1.0) -> FloatArray:
    return np.concatenate([a, np.full((*a.shape[:-1], 1), value)], axis=-1)


def forward(
    architecture: Architecture, weights: FloatArray, x: FloatArray, bias_input: float = 1.0
) -> FloatArray:
    """Exact logits (chains, samples, outputs) of ``weights`` (chains, parameters) on ``x``;
    ``bias_input``: the first layer's bias row input (1 unless preconditioned)."""
    a: FloatArray = np.broadcast_to(x, (weights.shape[0], *x.shape))
    layers = architecture.split(weights)
    for index, w in enumerate(layers):
        a = np.matmul(_with_bias(a, bias_input if index == 0 else 1.0), w)
        if index < len(layers) - 1:
            a = np.tanh(a)
    return a


def log_likelihood(logits: FloatArray, y: IntArray) -> FloatArray:
    """Log-likelihood (chains,) of labels ``y`` under ``logits`` (chains, samples, outputs)."""
    if logits.shape[-1] == 1:
        z = logits[..., 0]
        # log sigma(z) for y = 1, log(1 - sigma(z)) for y = 0, without overflow
        return np.asarray(np.sum(y * z - np.logaddexp(0.0, z), axis=-1))
    top = logits.max(axis=-1, keepdims=True)
    normaliser = top[..., 0] + np.log(np.exp(logits - top).sum(axis=-1))
    chosen = np.take_along_axis(logits, y[None, :, None], axis=-1)[..., 0]
    return np.asarray(np.sum(chosen - normaliser, axis=-1))


def probabilities(logits: FloatArray) -> FloatArray:
    """Class probabilities (..., samples, classes) of ``logits`` (..., samples, outputs)."""
    if logits.shape[-1] == 1:
        p = 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))
        return np.concatenate([1.0 - p, p], axis=-1)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=-1, keepdims=True))


@dataclass(frozen=True, slots=True, eq=False)
class HardwareModel:
    """The network on differential pairs of ``device``, read by ``engine``.

    State: (chains, 2 x parameters) conductances (S), each weight's ``G+`` then ``G-``.
    ``weight_range``: |w| reached when one device of a pair is at each end of the window, so
    ``g_unit = (window span) / weight_range``. A layer's inputs (clipped to ``input_clip``)
    and its bias row of 1 are read as row voltages ``a * read_voltage / input_clip``; a
    column pair's current difference over ``v_unit * g_unit`` is the pre-activation.
    ``bias_input``: the first layer's bias row input (1 unless preconditioned).
    """

    device: DeviceKind
    architecture: Architecture
    engine: Engine
    weight_range: float = 4.0
    input_clip: float = 4.0
    bias_input: float = 1.0

    @property
    def g_unit(self) -> float:
        low, high = self.device.window
        return (high - low) / self.weight_range

    @property
    def v_unit(self) -> float:
        return self.device.read_voltage / self.input_clip

    @property
    def size(self) -> int:
        return 2 * self.architecture.parameters

    def weights(self, states: FloatArray) -> FloatArray:
        """Weights (..., parameters) of conductance states (..., 2 x parameters)."""
        pairs = states.reshape(*states.shape[:-1], -1, 2)
        return np.asarray((pairs[..., 0] - pairs[..., 1]) / self.g_unit)

    def arrays(self, states: FloatArray) -> list[FloatArray]:
        """Each layer's conductances (chains, rows, 2 x columns), ``p``/``n`` interleaved."""
        result, start = [], 0
        for rows, columns in self.architecture.shapes:
            size = 2 * rows * columns
            result.append(states[:, start : start + size].reshape(-1, rows, 2 * columns))
            start += size
        return result

    def logits(
        self, states: FloatArray, x: FloatArray, *, together: bool = False
    ) -> tuple[FloatArray, FloatArray]:
        """Logits (chains, samples, outputs) read from the arrays, and the read energy
        (chains,; J). ``together``: the chains' arrays share rows (one array, one read)."""
        layers = self.arrays(states)
        scale = self.v_unit
        a: FloatArray = np.asarray(x)
        energy = np.zeros(states.shape[0])
        for index, conductance in enumerate(layers):
            bias = self.bias_input if index == 0 else 1.0
            volts = _with_bias(np.clip(a, -self.input_clip, self.input_clip), bias) * scale
            if volts.ndim == 2:
                reading = self.engine.read(conductance, volts, together=together)
            else:  # a hidden layer's inputs differ between chains: one read each
                parts = [
                    self.engine.read(g[None], v) for g, v in zip(conductance, volts, strict=True)
                ]
                reading = Reading(
                    np.concatenate([p.currents for p in parts]),
                    np.concatenate([p.energy for p in parts]),
                )
            energy += reading.energy
            currents = reading.currents
            a = (currents[..., 0::2] - currents[..., 1::2]) / (scale * self.g_unit)
            if index < len(layers) - 1:
                a = np.tanh(a)
        return a, energy


# -- what a run records ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class StoredRows:
    """The array's stored lines after burn-in: ``states`` (rows, size), how many iterations
    each was its chain's state (``holds``), its ``chain`` and the iteration it was written."""

    states: FloatArray
    holds: IntArray
    chain: IntArray
    written: IntArray

    def __len__(self) -> int:
        return int(self.states.shape[0])

    def thinned(self, count: int, burn_in: int, iterations: int) -> StoredRows:
        """The ``count`` lines a physical array of ``count`` rows would hold: each chain's
        state at evenly spaced iterations after ``burn_in`` (``count // chains`` per chain,
        the remainder to the first chains), each weighed once (``holds`` 1).

        Writing the chain's state into the next row every few iterations, rather than every
        accepted proposal, is the thinned MCMC estimator: still an unbiased average over the
        posterior, with fewer draws."""
        chains = int(self.chain.max()) + 1 if len(self) else 0
        if type(count) is not int or count < chains or count < 1:
            raise LearnError(f"mcmc: rows must be an int >= the chains ({chains}), got {count!r}")
        picked: list[int] = []
        owners: list[int] = []
        times: list[int] = []
        for c in range(chains):
            mine = np.flatnonzero(self.chain == c)
            share = count // chains + (1 if c < count % chains else 0)
            # the middle of ``share`` equal slices of the post-burn-in iterations
            at = burn_in + ((np.arange(share) + 0.5) * (iterations - burn_in) / share).astype(
                np.int64
            )
            # the line that was the chain's state at iteration t: the last written at or before
            index = np.searchsorted(self.written[mine], at, side="right") - 1
            picked += mine[index].tolist()
            owners += [c] * share
            times += at.tolist()
        return StoredRows(
            self.states[picked],
            np.ones(len(picked), dtype=np.int64),
            np.array(owners, dtype=np.int64),
            np.array(times, dtype=np.int64),
        )


@dataclass(frozen=True, slots=True)
class Energy:
    """Energy of a training run (J): programming (every proposal's cycles, accepted or not)
    and reading (every likelihood evaluation), with the counts they come from."""

    programming: float
    reading: float
    proposals: int
    evaluations: int

    @property
    def total(self) -> float:
        return self.programming + self.reading

    @property
    def per_proposal(self) -> float:
        return self.programming / max(self.proposals, 1)

    @property
    def per_evaluation(self) -> float:
        return self.reading / max(self.evaluations, 1)


@dataclass(frozen=True, slots=True, eq=False)
class Run:
    """One run of the sampler: per chain and every ``trace_every``-th iteration the
    ``weights`` (chains, recorded, parameters) and the ``log_density`` of the chain's state;
    per chain and iteration whether the proposal was ``accepted``; the ``rows`` stored after
    ``burn_in`` (iterations), and the ``energy``."""

    weights: FloatArray
    accepted: BoolArray
    log_density: FloatArray
    rows: StoredRows
    burn_in: int
    energy: Energy
    trace_every: int = 1

    @property
    def iterations(self) -> int:
        return int(self.accepted.shape[1])

    @property
    def acceptance(self) -> float:
        """Share of proposals accepted (all chains, after burn-in)."""
        return float(self.accepted[:, self.burn_in :].mean())

    @property
    def _first_kept(self) -> int:
        return -(-self.burn_in // self.trace_every)  # the first recorded iteration >= burn_in

    @property
    def draws(self) -> FloatArray:
        """The recorded weights after burn-in (chains, recorded, parameters)."""
        return self.weights[:, self._first_kept :]

    @property
    def log_density_draws(self) -> FloatArray:
        """The recorded log posterior density after burn-in (chains, recorded)."""
        return self.log_density[:, self._first_kept :]


# -- the sampler -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class _Target:
    """log prior + log likelihood of states, through hardware reads or exact arithmetic."""

    x: FloatArray
    y: IntArray
    prior_sd: float
    hardware: HardwareModel | None
    architecture: Architecture
    preconditioner: Preconditioner | None = None

    def held(self, states: FloatArray) -> FloatArray:
        """The weights the devices (or the software chain) hold."""
        return states if self.hardware is None else self.hardware.weights(states)

    def weights(self, states: FloatArray) -> FloatArray:
        """The model's weights (``held`` mapped back if preconditioned)."""
        held = self.held(states)
        return held if self.preconditioner is None else self.preconditioner.weights(held)

    @property
    def bias_input(self) -> float:
        return 1.0 if self.preconditioner is None else self.preconditioner.bias_input

    def __call__(self, states: FloatArray) -> tuple[FloatArray, FloatArray]:
        w = self.weights(states)
        prior = -0.5 * np.sum((w / self.prior_sd) ** 2, axis=-1)
        if self.hardware is None:
            logits = forward(self.architecture, self.held(states), self.x, self.bias_input)
            energy = np.zeros(states.shape[0])
        else:
            logits, energy = self.hardware.logits(states, self.x)
        return prior + log_likelihood(logits, self.y), energy


@dataclass(slots=True)
class _Kernel:
    """Proposals: device programming cycles, or Gaussian steps on the weights."""

    device: DeviceKind | None
    parameters: int
    block: int
    step: float
    weight_range: float
    generators: list[np.random.Generator] = field(default_factory=list)

    def _mask(self, chains: int) -> BoolArray | None:
        """Which weights each chain reprograms (None: all of them)."""
        if self.block >= self.parameters:
            return None
        mask = np.zeros((chains, self.parameters), dtype=bool)
        for c, rng in enumerate(self.generators):
            mask[c, rng.choice(self.parameters, self.block, replace=False)] = True
        return mask

    def propose(self, states: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Proposals (chains, size) and the programming energy of each chain's cycles (J)."""
        chains, size = states.shape
        mask = self._mask(chains)
        if self.device is None:
            steps = np.stack([rng.standard_normal(size) for rng in self.generators])
            moved = steps * (self.step * self.weight_range)
            if mask is not None:
                moved *= mask
            return states + moved, np.zeros(chains)
        if self.device.noise == "normal":
            noise = np.stack([rng.standard_normal(size) for rng in self.generators])
        else:
            noise = np.stack([rng.random(size) for rng in self.generators])
        proposal = self.device.propose(states, noise)
        energy = self.device.programming_energy(states)
        if mask is not None:
            devices = np.repeat(mask, 2, axis=1)  # both devices of a reprogrammed weight
            proposal = np.where(devices, proposal, states)
            energy = energy * devices
        return proposal, np.asarray(energy.sum(axis=1))

    def inside(self, proposal: FloatArray) -> BoolArray:
        if self.device is None:
            return np.asarray(np.all(np.abs(proposal) <= self.weight_range, axis=-1))
        return np.asarray(np.all(in_window(self.device, proposal), axis=-1))

    def log_ratio(self, proposal: FloatArray, states: FloatArray) -> FloatArray:
        """``log q(state | proposal) - log q(proposal | state)`` per chain (0 if symmetric).

        Devices left alone contribute ``log q(G | G) - log q(G | G) = 0``, so every device
        can be summed."""
        if self.device is None:
            return np.zeros(states.shape[0])
        back = self.device.log_proposal(states, proposal)
        there = self.device.log_proposal(proposal, states)
        return np.asarray(np.sum(back - there, axis=1))


def _initial(
    device: DeviceKind | None,
    parameters: int,
    chains: int,
    seed: int,
    kind: str = "dispersed",
    weight_range: float = 4.0,
) -> FloatArray:
    """Each chain's first state. ``"zero"``: w = 0, both devices of a pair at one random
    conductance in the middle half of the window (software: all weights 0). ``"dispersed"``:
    the two devices of a pair at independent random conductances in the middle half, so each
    weight starts anywhere in +-weight_range / 2 (software: uniform there), two prior sds
    for the default range and prior: wider than the posterior, as R-hat needs."""
    states = np.empty((chains, parameters if device is None else 2 * parameters))
    for c in range(chains):
        rng = stream(seed, "init", c)
        if device is None:
            spread = weight_range / 2 if kind == "dispersed" else 0.0
            states[c] = rng.uniform(-spread, spread, parameters)
            continue
        low, high = device.window
        quarter = (high - low) / 4
        if kind == "dispersed":
            states[c] = device.snap(rng.uniform(low + quarter, high - quarter, 2 * parameters))
        else:
            states[c] = np.repeat(
                device.snap(rng.uniform(low + quarter, high - quarter, parameters)), 2
            )
    return states


def _stored(
    lines: list[FloatArray], owner: list[int], written: list[int], chains: int, iterations: int
) -> StoredRows:
    """The stored lines with their holds: a line is its chain's state from the iteration it
    was written until the chain's next line (or the end)."""
    chain = np.array(owner, dtype=np.int64)
    start = np.array(written, dtype=np.int64)
    holds = np.zeros(chain.size, dtype=np.int64)
    for c in range(chains):
        mine = np.flatnonzero(chain == c)
        ends = np.append(start[mine][1:], iterations)
        holds[mine] = ends - start[mine]
    return StoredRows(np.array(lines), holds, chain, start)


def _metropolis(
    target: _Target,
    kernel: _Kernel,
    initial: FloatArray,
    iterations: int,
    burn_in: int,
    seed: int,
    progress: bool | None,
    trace_every: int = 1,
) -> Run:
    chains = initial.shape[0]
    accept_rngs = [stream(seed, "accept", c) for c in range(chains)]
    kernel.generators = [stream(seed, "propose", c) for c in range(chains)]
    state = initial.copy()
    log_p, read_energy = target(state)
    evaluations = chains
    programming = 0.0
    recorded = -(-iterations // trace_every)
    weights = np.empty((chains, recorded, target.architecture.parameters))
    accepted = np.zeros((chains, iterations), dtype=bool)
    log_density = np.empty((chains, recorded))
    lines: list[FloatArray] = []  # the stored lines, in the order they are written
    owner: list[int] = []
    written: list[int] = []
    bar = Progress(iterations, enabled=progress, desc="mcmc", unit="proposal")
    try:
        for it in range(iterations):
            if it == burn_in:  # the chains' states are in the array: the first stored lines
                lines += list(state.copy())
                owner += range(chains)
                written += [it] * chains
            proposal, energy = kernel.propose(state)
            programming += float(energy.sum())
            valid = kernel.inside(proposal)
            log_alpha = np.full(chains, -np.inf)
            new = np.full(chains, -np.inf)
            if valid.any():
                new_log_p, energy = target(proposal[valid])
                read_energy = read_energy + energy.sum()
                evaluations += int(valid.sum())
                ratio = kernel.log_ratio(proposal[valid], state[valid])
                log_alpha[valid] = new_log_p - log_p[valid] + ratio
                new[valid] = new_log_p
            u = np.array([rng.random() for rng in accept_rngs])
            take = np.log(u) < log_alpha
            if take.any():
                state[take] = proposal[take]
                log_p[take] = new[take]
                if it >= burn_in:
                    chosen = np.flatnonzero(take)
                    lines += list(state[chosen].copy())
                    owner += chosen.tolist()
                    written += [it] * chosen.size
            accepted[:, it] = take
            if it % trace_every == 0:
                log_density[:, it // trace_every] = log_p
                weights[:, it // trace_every] = target.weights(state)
            bar.update(1, 0)
    finally:
        bar.close()
    stored = _stored(lines, owner, written, chains, iterations)
    energy_record = Energy(
        programming, float(np.sum(read_energy)), chains * iterations, evaluations
    )
    return Run(weights, accepted, log_density, stored, burn_in, energy_record, trace_every)


# -- the estimator -----------------------------------------------------------------------------
class MCMCClassifier:
    """Bayesian classifier sampled by memristor Metropolis-Hastings (scikit-learn's shape).

    ``device``: a ``mcmc_devices`` kind (``None``: the software baseline). ``engine``:
    ``"fast"``, ``"spice"`` or an engine instance. ``hidden``: tanh units (0: logistic or
    softmax regression). ``samples``: proposals per chain; ``burn_in``: the first proposals,
    not stored (default half). ``block``: weights reprogrammed per proposal (default all).
    ``step`` (software only): proposal sd as a fraction of ``weight_range``. ``seed``: the
    training seed (``spicegen.seeds``: init, propose, accept streams per chain).
    ``initial``: ``"dispersed"`` starts every weight of every chain at its own random value
    across half the weight range (over-dispersed against the posterior, as R-hat assumes);
    ``"zero"`` starts every chain at w = 0. ``trace_every``: record the weights and log
    density every that many iterations (long chains in bounded memory; the stored lines and
    acceptance count every iteration). ``precondition``: sample a linear model in the
    coordinates its Laplace approximation makes round (``mcmc_precondition``; the same
    model and prior, transformed row inputs), so the random walk mixes; the posterior sd of
    each held weight is then about ``precondition_width`` (match it to the proposals' spread
    in weight units). ``pilot``: proposals per chain of a pilot run (Laplace-preconditioned,
    its own seed stream and over-dispersed starts) whose post-burn-in sample covariance and
    mean then replace the Laplace ones (``sample_preconditioner``); the chains start afresh
    under that fixed transform, and the pilot's cycles count in the energy.
    """

    def __init__(
        self,
        device: DeviceKind | None = None,
        *,
        engine: str | Engine = "fast",
        hidden: int = 0,
        samples: int = 2000,
        burn_in: int | None = None,
        chains: int = 4,
        prior_sd: float = 1.0,
        weight_range: float = 4.0,
        block: int | None = None,
        step: float = 0.02,
        input_clip: float = 4.0,
        weighting: str = "holds",
        initial: str = "dispersed",
        trace_every: int = 1,
        precondition: bool = False,
        precondition_width: float = 0.4,
        pilot: int = 0,
        seed: int = 0,
        progress: bool | None = None,
    ) -> None:
        for name, value in (("samples", samples), ("chains", chains)):
            if type(value) is not int or value < 1:
                raise LearnError(f"mcmc: {name} must be an int >= 1, got {value!r}")
        if burn_in is not None and (type(burn_in) is not int or not 0 <= burn_in < samples):
            raise LearnError(f"mcmc: burn_in must be an int in 0..samples-1, got {burn_in!r}")
        if block is not None and (type(block) is not int or block < 1):
            raise LearnError(f"mcmc: block must be an int >= 1, got {block!r}")
        for name, number in (("prior_sd", prior_sd), ("weight_range", weight_range),
                            ("step", step), ("input_clip", input_clip)):  # fmt: skip
            if not isinstance(number, int | float) or not number > 0:
                raise LearnError(f"mcmc: {name} must be a number > 0, got {number!r}")
        if type(pilot) is not int or pilot < 0:
            raise LearnError(f"mcmc: pilot must be an int >= 0, got {pilot!r}")
        if pilot and not precondition:
            raise LearnError("mcmc: pilot sets the preconditioner: it needs precondition=True")
        if precondition and hidden:
            raise LearnError("mcmc: precondition applies to linear models (hidden = 0) only")
        if initial not in ("dispersed", "zero"):
            raise LearnError(f"mcmc: initial must be 'dispersed' or 'zero', got {initial!r}")
        if type(trace_every) is not int or not 1 <= trace_every <= samples:
            raise LearnError(f"mcmc: trace_every must be an int in 1..samples, got {trace_every!r}")
        if weighting not in ("holds", "rows"):
            raise LearnError(f"mcmc: weighting must be 'holds' or 'rows', got {weighting!r}")
        if isinstance(engine, str) and engine not in ("fast", "spice"):
            raise LearnError(f"mcmc: engine must be 'fast' or 'spice', got {engine!r}")
        if device is None and engine == "spice":
            raise LearnError("mcmc: the software baseline (no device) has no array to simulate")
        self.device = device
        self.engine = engine
        self.hidden = hidden
        self.samples = samples
        self.burn_in = samples // 2 if burn_in is None else burn_in
        self.chains = chains
        self.prior_sd = float(prior_sd)
        self.weight_range = float(weight_range)
        self.block = block
        self.step = float(step)
        self.input_clip = float(input_clip)
        self.weighting = weighting
        self.initial = initial
        self.trace_every = trace_every
        self.precondition = bool(precondition)
        if not 0 < precondition_width < weight_range / 2:
            raise LearnError(f"mcmc: precondition_width must be in (0, weight_range / 2), got "
                             f"{precondition_width!r}")  # fmt: skip
        self.precondition_width = float(precondition_width)
        self.pilot = pilot
        self.pilot_run_: Run | None = None
        self.preconditioner_: Preconditioner | None = None
        self.seed = seed
        self.progress = progress
        self.run_: Run | None = None
        self.scaler_: Scaler | None = None
        self.architecture_: Architecture | None = None
        self.hardware_: HardwareModel | None = None

    def _engine(self) -> Engine:
        assert self.device is not None
        if isinstance(self.engine, FastEngine | SpiceEngine):
            return self.engine
        return FastEngine(self.device) if self.engine == "fast" else SpiceEngine(self.device)

    def fit(self, x: FloatArray, y: Sequence[int] | IntArray) -> MCMCClassifier:
        """Sample the posterior of the weights given training samples ``x`` and labels ``y``
        (integers 0 .. classes-1); features are standardised on ``x``."""
        data = np.asarray(x, dtype=np.float64)
        labels = np.asarray(y, dtype=np.int64)
        if data.ndim != 2 or labels.shape != (data.shape[0],) or data.shape[0] < 2:
            raise LearnError(f"mcmc: expected x (samples, features) and y (samples,), got "
                             f"{data.shape} and {labels.shape}")  # fmt: skip
        classes = int(labels.max()) + 1
        if labels.min() < 0 or np.unique(labels).size != classes:
            raise LearnError("mcmc: labels must be 0 .. classes-1, each present")
        self.scaler_ = Scaler.standard(data)
        architecture = Architecture(data.shape[1], classes, self.hidden)
        self.architecture_ = architecture
        inputs = self.scaler_(data)
        self.preconditioner_ = None
        if self.precondition:
            self.preconditioner_ = laplace_preconditioner(
                inputs, labels, architecture.outputs, self.prior_sd,
                width=self.precondition_width, weight_range=self.weight_range,
            )  # fmt: skip
        parameters = architecture.parameters
        kernel = _Kernel(
            self.device, parameters, min(self.block or parameters, parameters), self.step,
            self.weight_range,
        )  # fmt: skip
        pilot_energy = None
        self.pilot_run_ = None
        if self.pilot:
            # a separate run before the chains: its draws set the transform, which is then
            # fixed, so the run below is a plain Metropolis-Hastings chain of the same posterior
            pilot_seed = stream_seed(self.seed, "pilot")
            self.pilot_run_ = _metropolis(
                self._target(inputs, labels, architecture), kernel,
                _initial(self.device, parameters, self.chains, pilot_seed, self.initial,
                         self.weight_range),
                self.pilot, self.pilot // 2, pilot_seed, self.progress,
            )  # fmt: skip
            pilot_energy = self.pilot_run_.energy
            self.preconditioner_ = sample_preconditioner(
                self.pilot_run_.draws.reshape(-1, parameters), architecture.outputs,
                width=self.precondition_width, weight_range=self.weight_range,
            )  # fmt: skip
        target = self._target(inputs, labels, architecture)
        self.hardware_ = target.hardware
        initial = _initial(
            self.device, parameters, self.chains, self.seed, self.initial, self.weight_range
        )
        run = _metropolis(
            target, kernel, initial, self.samples, self.burn_in, self.seed, self.progress,
            self.trace_every,
        )  # fmt: skip
        if pilot_energy is not None:  # the pilot's cycles and reads are part of the training
            run = replace(run, energy=Energy(
                run.energy.programming + pilot_energy.programming,
                run.energy.reading + pilot_energy.reading,
                run.energy.proposals + pilot_energy.proposals,
                run.energy.evaluations + pilot_energy.evaluations,
            ))  # fmt: skip
        self.run_ = run
        return self

    def _target(self, inputs: FloatArray, labels: IntArray, architecture: Architecture) -> _Target:
        """The log density of the standardised ``inputs`` under the present preconditioner,
        read through a fresh hardware model (or exact, for the software baseline)."""
        clip, bias_input = self.input_clip, 1.0
        if self.preconditioner_ is not None:
            inputs = self.preconditioner_.transform(inputs)
            bias_input = self.preconditioner_.bias_input
            # no training input clipped: the transformed inputs set the full-scale voltage
            clip = max(clip, float(np.max(np.abs(inputs))), abs(bias_input))
        hardware = None
        if self.device is not None:
            hardware = HardwareModel(
                self.device, architecture, self._engine(), self.weight_range, clip, bias_input
            )
        return _Target(inputs, labels, self.prior_sd, hardware, architecture, self.preconditioner_)

    def _fitted(self) -> tuple[Run, Scaler, Architecture]:
        if self.run_ is None or self.scaler_ is None or self.architecture_ is None:
            raise LearnError("mcmc: call fit first")
        return self.run_, self.scaler_, self.architecture_

    def stored_rows(self, rows: int | None = None) -> StoredRows:
        """The lines predictions average: every stored line (``rows=None``), or the ``rows``
        lines of a physical array thinned evenly over the post-burn-in iterations."""
        run, _, _ = self._fitted()
        if rows is None:
            return run.rows
        return run.rows.thinned(rows, run.burn_in, run.iterations)

    def predict_proba(
        self, x: FloatArray, *, rows: int | None = None, rows_per_array: int = 64
    ) -> FloatArray:
        """The model average over the stored lines: class probabilities (samples, classes).

        ``rows``: average only the lines an array of that many rows holds (``stored_rows``);
        thinned lines weigh equally. Hardware reads go through the fitted engine,
        ``rows_per_array`` stored lines side by side in one array (sharing its rows) for a
        linear model.
        """
        _, scaler, architecture = self._fitted()
        data = scaler(np.asarray(x, dtype=np.float64))
        bias_input = 1.0
        if self.preconditioner_ is not None:
            data = self.preconditioner_.transform(data)
            bias_input = self.preconditioner_.bias_input
        stored = self.stored_rows(rows)
        weight = (
            stored.holds
            if self.weighting == "holds" or rows is not None
            else np.ones(len(stored), dtype=np.int64)
        )
        total = np.zeros((data.shape[0], architecture.classes))
        for start in range(0, len(stored), rows_per_array):
            states = stored.states[start : start + rows_per_array]
            if self.hardware_ is None:
                logits = forward(architecture, states, data, bias_input)
            else:
                together = architecture.hidden == 0
                logits, _ = self.hardware_.logits(states, data, together=together)
            p = probabilities(logits)
            total += np.einsum("r,rsc->sc", weight[start : start + rows_per_array], p)
        return np.asarray(total / weight.sum())

    def predict(self, x: FloatArray, *, rows: int | None = None) -> IntArray:
        """The most probable class of each sample (``rows``: as ``predict_proba``)."""
        return np.asarray(self.predict_proba(x, rows=rows).argmax(axis=1), dtype=np.int64)

    def score(self, x: FloatArray, y: Sequence[int] | IntArray) -> float:
        """Accuracy (0..1) of ``predict(x)`` against ``y``."""
        return accuracy(self.predict(x), np.asarray(y))
