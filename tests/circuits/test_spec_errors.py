"""Every generator's bad input is a ``CircuitSpecError`` naming the field, never a TypeError,
a NetlistError or a ParameterError from a layer below (each case here raised one of those
before it was checked)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spicegen import models
from spicegen.circuits import (
    CircuitSpecError,
    CompiledDevice,
    CrossbarParams,
    NetworkLayerParams,
    NeuronPairParams,
    bayesian_machine,
    network_layer,
    oscillator_period,
    read_circuit,
    write_circuit,
)
from spicegen.circuits.crossbar import ideal_column_currents

ARRAY = CrossbarParams([[0.5, 0.5]])  # one row, two columns
ACCESS = CrossbarParams([[0.5]], cell="1T1R")
MTJ = models.load("mtj")
LAYER = NetworkLayerParams(ARRAY, NeuronPairParams(20e-6, 2e-6))
TABLE = [[[0.5, 0.5]]]  # one class, one observation, two values

CASES: list[tuple[str, Callable[[], object], str]] = [
    ("huge weight", lambda: CrossbarParams([[10**400]]), "CrossbarParams.weights"),
    ("analysis", lambda: read_circuit(ARRAY, [0.1], analysis="op"), "analysis"),  # type: ignore[arg-type]
    ("solver flag", lambda: read_circuit(ARRAY, [0.1], sparse_solver="yes"), "sparse_solver"),  # type: ignore[arg-type]
    ("bulk flag", lambda: write_circuit(ARRAY, (0, 0), 1.0, bulk=1), "bulk"),  # type: ignore[arg-type]
    ("word lines", lambda: read_circuit(ACCESS, [0.1], selected_rows=5), "selected_rows"),  # type: ignore[arg-type]
    ("ideal drives", lambda: ideal_column_currents(ARRAY, "ab"), "row_voltages"),  # type: ignore[arg-type]
    ("layer analysis", lambda: network_layer(LAYER, MTJ, [0.1], analysis=3), "analysis"),  # type: ignore[arg-type]
    ("layer bulk", lambda: network_layer(LAYER, MTJ, [0.1], bulk=None), "bulk"),  # type: ignore[arg-type]
    ("period input", lambda: oscillator_period("a", 1.0, 1.0), "v_in"),  # type: ignore[arg-type]
    ("period load", lambda: oscillator_period(2.0, -5e3, 1e-9), "r_load"),
    ("period hold", lambda: oscillator_period(2.0, 5e3, 1e-9, vhold=1.2), "vhold"),
    (
        "priors",
        lambda: bayesian_machine.from_likelihoods(TABLE, observation=(0,), priors=5),  # type: ignore[arg-type]
        "priors",
    ),
    (
        "seeds",
        lambda: bayesian_machine.from_likelihoods(TABLE, observation=(0,), seeds=5),  # type: ignore[arg-type]
        "seeds",
    ),
    ("device params", lambda: CompiledDevice(MTJ, params="rp=1"), "CompiledDevice.params"),  # type: ignore[arg-type]
    ("device range", lambda: CompiledDevice(MTJ, params={"state0": 2}), "CompiledDevice.params"),
    (
        "device expression",
        lambda: CompiledDevice(MTJ, params={"rp": "1}"}),
        "CompiledDevice.params",
    ),
    ("device seed", lambda: CompiledDevice(MTJ, seed=1.5), "CompiledDevice.seed"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("case", "build", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_the_field(case: str, build: Callable[[], object], field: str) -> None:
    with pytest.raises(CircuitSpecError) as info:
        build()
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert f"{field}: {field}" not in str(info.value)  # the field once, not twice
