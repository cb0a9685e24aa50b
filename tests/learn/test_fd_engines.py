"""The MTJ engines against each other and against ngspice: the surrogate must reproduce the
SPICE engine (issue 12: layer outputs within 0.5 % of full scale on random inputs and
weights), the Dask engine must give the local SPICE engine's numbers, and training curves of
the two engines with the same seed must agree.

Tolerances: the surrogate's tables agree with fresh operating points to ~1e-4 of full scale
(tests/surrogate/test_mtj_neuron.py) and the crossbar map to round-off, so 0.5 % is the
specification, not the noise; the measured agreement is asserted at 1e-3 as well.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest

from spicegen import models
from spicegen.circuits import Wires
from spicegen.learn import load_dataset
from spicegen.learn.fd import FiniteDifferenceTrainer
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_spice import SpiceEngine
from spicegen.learn.fd_surrogate import SurrogateEngine
from spicegen.surrogate import compare
from spicegen.va import CompiledModel

SIZES = (4, 5, 3)
CHIP = MtjChip(rp_spread=0.05, mismatch=0.005, seed=3)


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPICEGEN_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def mtj() -> CompiledModel:
    return models.load("mtj")


@pytest.fixture(scope="module")
def spice(mtj: CompiledModel) -> Iterator[SpiceEngine]:
    engine = SpiceEngine(mtj, CHIP, SIZES)
    yield engine
    engine.close()


def _random(seed: int, scale: float = 0.8) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-scale, scale, (a + 1, b)) for a, b in itertools.pairwise(SIZES)]
    return weights, rng.uniform(-1, 1, (8, SIZES[0]))


def _agree(mtj: CompiledModel, spice: SpiceEngine, chip: MtjChip) -> None:
    surrogate = SurrogateEngine(mtj, chip, SIZES)
    for seed in (1, 2):  # the second programming changes the loaded circuit in place
        weights, inputs = _random(seed)
        spice.program(weights)
        surrogate.program(weights)
        ours, theirs = surrogate.forward(inputs), spice.forward(inputs)
        for layer, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            for what in ("y", "slope"):
                check = compare(f"layer {layer} {what}", getattr(a, what), getattr(b, what))
                assert check.within(5e-3) and check.max_error < 1e-3, check
        assert surrogate.outside == 0.0  # every current inside the characterised grid


def test_surrogate_reproduces_the_spice_engine(mtj: CompiledModel, spice: SpiceEngine) -> None:
    _agree(mtj, spice, CHIP)


def test_the_engines_agree_at_the_mnist_operating_point(mtj: CompiledModel) -> None:
    # MNIST-5k's pairs sit at 40 uA, 40 uA per unit: u = -1 is 0 A, where the AP junction's
    # V(I) bends most and a negative current nears the switching limit (-45 uA)
    chip = MtjChip(rp_spread=0.05, mismatch=0.005, seed=3, bias_current=40e-6,
                   current_scale=40e-6)  # fmt: skip
    engine = SpiceEngine(mtj, chip, SIZES)
    try:
        _agree(mtj, engine, chip)
    finally:
        engine.close()


def test_the_engines_agree_beyond_the_current_window(
    mtj: CompiledModel, spice: SpiceEngine
) -> None:
    # where a training run's currents go when a step overshoots (the digits subset's fold 2
    # reached -93 and +318 uA before its loss jumped): outside the devices' window, still
    # inside the characterised grid. The two engines must agree there too (they did, to
    # 4e-6 of full scale, step by step up to the jump: its cause was the penalty's step)
    surrogate = SurrogateEngine(mtj, CHIP, SIZES)
    signs = np.random.default_rng(4)
    weights = [np.where(signs.random((a + 1, b)) < 0.5, -1.0, 1.0)
               for a, b in itertools.pairwise(SIZES)]  # fmt: skip
    inputs = np.vstack([np.ones(SIZES[0]), -np.ones(SIZES[0]),
                        signs.choice([-1.0, 1.0], (6, SIZES[0]))])  # fmt: skip
    spice.program(weights)
    surrogate.program(weights)
    ours, theirs = surrogate.forward(inputs), spice.forward(inputs)
    currents = np.concatenate([surrogate.currents(0, inputs)[1].ravel(),
                               surrogate.currents(1, ours[0].y)[1].ravel()])  # fmt: skip
    low, high = CHIP.current_window
    assert currents.min() < low - 50e-6 and currents.max() > high + 50e-6
    assert surrogate.outside == 0.0  # inside the grid: interpolated, not extrapolated
    for layer, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for what in ("y", "slope"):
            check = compare(f"layer {layer} {what}", getattr(a, what), getattr(b, what))
            assert check.within(5e-3) and check.max_error < 1e-3, check


def test_with_ir_drop(mtj: CompiledModel) -> None:
    chip = MtjChip(g_min=1e-5, g_max=1e-3, rp_spread=0.05, seed=3,
                   wires=Wires(row_segment=20.0, column_segment=20.0))  # fmt: skip
    with_drop = SpiceEngine(mtj, chip, SIZES)
    try:
        _agree(mtj, with_drop, chip)
        weights, inputs = _random(1)
        ideal = SurrogateEngine(mtj, MtjChip(g_min=1e-5, g_max=1e-3, rp_spread=0.05, seed=3), SIZES)
        ideal.program(weights)
        drop = np.abs(with_drop.forward(inputs)[0].y - ideal.forward(inputs)[0].y).max()
        assert drop > 5e-3  # the lines matter: this is not two ideal products compared
    finally:
        with_drop.close()


def test_supply_power_matches(mtj: CompiledModel, spice: SpiceEngine) -> None:
    weights, inputs = _random(4)
    surrogate = SurrogateEngine(mtj, CHIP, SIZES)
    surrogate.program(weights)
    spice.program(weights)
    ours, theirs = surrogate.power(inputs[:3]), spice.power(inputs[:3])
    assert ours.inference == pytest.approx(theirs.inference, rel=1e-3)
    assert ours.training == pytest.approx(theirs.training, rel=1e-3)
    # the second device of each pair runs at I + dI, so training reads cost a bit more than
    # twice the neurons' share of an inference read
    assert np.all(theirs.training > theirs.inference)


def test_dask_engine_gives_the_local_numbers(mtj: CompiledModel, spice: SpiceEngine) -> None:
    distributed = pytest.importorskip("distributed")
    from spicegen.learn.fd_dask import DaskSpiceEngine

    weights, inputs = _random(5)
    spice.program(weights)
    local = spice.read(inputs)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as client:
        engine = DaskSpiceEngine(mtj, CHIP, SIZES, client)
        try:
            assert engine.workers == 2
            engine.program(weights)
            outputs = engine.forward(inputs)
        finally:
            engine.close()
    expected = spice.normalise(local)
    for a, b in zip(outputs, expected, strict=True):
        np.testing.assert_array_equal(a.y, b.y)
        np.testing.assert_array_equal(a.slope, b.slope)


def test_training_curves_of_the_two_engines_agree(mtj: CompiledModel) -> None:
    iris = load_dataset("iris")
    subset = np.arange(0, 150, 3)  # 50 samples, all classes
    histories = {}
    for engine in ("spice", "surrogate"):
        with FiniteDifferenceTrainer((4,), engine=engine, device=mtj, chip=CHIP, epochs=2,
                                     batch_size=10, seed=1) as trainer:  # fmt: skip
            trainer.fit(iris.x[subset], iris.y[subset])
            histories[engine] = trainer.history_
            predictions = trainer.predict(iris.x[subset])
            histories[engine]["predicted"] = predictions.tolist()
    spice_run, surrogate_run = histories["spice"], histories["surrogate"]
    assert spice_run["predicted"] == surrogate_run["predicted"]
    assert spice_run["validation_accuracy"] == surrogate_run["validation_accuracy"]
    assert spice_run["train_loss"] == pytest.approx(surrogate_run["train_loss"], rel=1e-3)


def test_per_layer_mirrors(mtj: CompiledModel) -> None:
    # reference_fan_in 3: both layers (5 and 6 rows) get their own, smaller mirror in the
    # netlist; the surrogate must follow the SPICE engine layer by layer
    chip = MtjChip(rp_spread=0.05, mismatch=0.005, seed=3, reference_fan_in=3)
    assert chip.layer_mirror(5) != chip.layer_mirror(6) != chip.mirror
    narrow = SpiceEngine(mtj, chip, SIZES)
    try:
        _agree(mtj, narrow, chip)
    finally:
        narrow.close()
