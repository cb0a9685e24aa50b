"""CompiledModel: per-instance random draws ($rdist_*, $random), seeded and reproducible, and
from/exclude ranges checked against an instance's values; simulated with the real ngspice."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import Circuit, Op, VoltageSource
from spicegen.va import CompiledModel, ParameterError, VaError
from spicegen.va.compile import compile_model

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'

VARIABLE_RESISTOR = """module vres(p, n);
  inout p, n; electrical p, n;
  parameter real r0 = 1k from (0:inf);
  parameter real sigma = 100 from [0:inf);
  parameter real tau = 50 from [0:inf);
  integer seed; real r, extra;
  analog begin
    r = $rdist_normal(seed, r0, sigma);
    extra = $rdist_exponential(seed, tau);
    I(p, n) <+ V(p, n)/(r + extra);
  end
endmodule
"""


def _model(body: str, seed: int | None = None) -> CompiledModel:
    return compile_model(HEADER + body, filename="m.va", seed=seed)


def _resistances(model: CompiledModel, count: int, seed: int | None, **params: float) -> np.ndarray:
    """Resistance of ``count`` instances, each across its own 1 V source, in one OP."""
    elements: list[object] = []
    for k in range(count):
        elements.append(VoltageSource(f"V{k}", f"a{k}", "0", 1.0))
        elements.append(model.instance(f"X{k}", (f"a{k}", "0"), seed=seed, **params))
    circuit = Circuit("instances", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    w = simulate(circuit, Op()).waveforms
    return np.array([1.0 / -w.i(f"V{k}")[0] for k in range(count)])


def test_every_instance_draws_its_own_device_and_the_spread_is_as_declared() -> None:
    model = _model(VARIABLE_RESISTOR)
    r = _resistances(model, 400, seed=11)
    # r0 + sigma*N(0,1) + Exp(mean tau): mean 1050, variance 100^2 + 50^2
    assert len(np.unique(r)) == 400
    standard_error = np.sqrt(100.0**2 + 50.0**2) / np.sqrt(400)
    assert abs(r.mean() - 1050.0) < 4 * standard_error
    assert np.std(r) == pytest.approx(np.sqrt(100.0**2 + 50.0**2), rel=0.12)


def test_same_seed_same_devices_other_seed_other_devices() -> None:
    model = _model(VARIABLE_RESISTOR)
    first = _resistances(model, 20, seed=3)
    np.testing.assert_array_equal(first, _resistances(model, 20, seed=3))
    assert not np.any(first == _resistances(model, 20, seed=4))


def test_instance_seed_defaults_to_the_compile_seed() -> None:
    seeded = _model(VARIABLE_RESISTOR, seed=5)
    np.testing.assert_array_equal(
        _resistances(seeded, 5, seed=None), _resistances(_model(VARIABLE_RESISTOR), 5, seed=5)
    )


def test_spread_parameters_stay_instance_parameters() -> None:
    model = _model(VARIABLE_RESISTOR)
    exact = _resistances(model, 3, seed=1, r0=2e3, sigma=0.0, tau=0.0)
    np.testing.assert_allclose(exact, 2e3, rtol=1e-9)


def test_random_gives_32_bit_integers_per_instance() -> None:
    model = _model(
        """module pick(p, n);
  inout p, n; electrical p, n;
  integer k;
  analog begin
    k = $random % 4;
    I(p, n) <+ V(p, n)*(1 + abs(k))/1k;
  end
endmodule
"""
    )
    r = _resistances(model, 60, seed=2)
    levels = 1e3 / r
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-9)  # integer arithmetic
    assert set(np.round(levels).astype(int)) == {1, 2, 3, 4}
    variates = [model.instance(f"X{k}", ("a", "0"), seed=2).params for k in range(5)]
    for params in variates:
        (value,) = (v for name, v in params if name == "rdist0")
        assert isinstance(value, int) and -(2**31) <= value < 2**31


RANGED = """module ranged(p, n);
  inout p, n; electrical p, n;
  parameter real rmax = 10k from (0:inf);
  parameter real r = 1k from (0:rmax];
  parameter integer levels = 4 from [2:16] exclude 3;
  parameter real g = 0 exclude [5:6);
  analog I(p, n) <+ V(p, n)/r + g*levels*0;
endmodule
"""


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"r": -1.0}, "parameter `r` = -1.0 is outside its range (0:10000]"),
        ({"r": 2e4}, "parameter `r` = 20000.0 is outside its range (0:10000]"),
        ({"levels": 3}, "parameter `levels` = 3 is an excluded value"),
        ({"levels": 17}, "parameter `levels` = 17 is outside its range [2:16]"),
        ({"g": 5.0}, "parameter `g` = 5.0 is in its excluded range [5:6)"),
        ({"rr": 1.0}, "no parameter 'rr'; it has rmax, r, levels, g"),
        ({"r": float("nan")}, "must be a finite number"),
    ],
)
def test_instance_values_outside_their_range_are_refused(
    params: dict[str, float], message: str
) -> None:
    model = _model(RANGED)
    with pytest.raises(ParameterError) as caught:
        model.instance("X1", ("a", "0"), **params)
    assert message in str(caught.value)
    if "range" in message or "excluded" in message:
        assert "ranged: " in str(caught.value) and "m.va:" in str(caught.value)


def test_bounds_follow_the_instance_values_they_depend_on() -> None:
    model = _model(RANGED)
    instance = model.instance("X1", ("a", "0"), r=2e4, rmax=3e4, g=6.0, levels=4.4)
    assert dict(instance.params) == {"r": 2e4, "rmax": 3e4, "g": 6.0, "levels": 4}
    assert model.parameter_values({"rmax": 5e3})["r"] == 1e3


def test_a_default_outside_its_own_range_is_a_located_compile_error() -> None:
    with pytest.raises(VaError) as caught:
        _model(RANGED.replace("parameter real r = 1k", "parameter real r = 20k"))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.location.line == 6
    assert "the default of parameter `r` = 20000.0 is outside its range" in diagnostic.message


def test_instance_needs_one_node_per_port() -> None:
    with pytest.raises(ParameterError, match="has 2 ports"):
        _model(RANGED).instance("X1", ("a",))


def test_expression_values_pass_through_unchecked() -> None:
    instance = _model(RANGED).instance("X1", ("a", "0"), r="{rload}")
    assert dict(instance.params) == {"r": "{rload}"}
