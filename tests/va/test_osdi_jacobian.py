"""The native devices' Jacobians are exact: each entry equals the finite difference of the
residual at random points, for the shipped models and for every built-in function."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen.va.builtins import BUILTINS
from spicegen.va.compile import compile_model
from tests.va.osdi_harness import OPERATING_POINT, TRANSIENT, Device

MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.va"))
HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'


def _worst_error(device: Device, rng: np.random.Generator, trials: int = 6) -> float:
    """The largest |J - J_fd| relative to the largest entry, over flags and random points.

    Central differences with h = 1e-6 (1 + |x|) are accurate to ~1e-9 relative for these
    smooth functions (truncation h^2 f''' and rounding eps/h both far below that)."""
    size = len(device.nodes)
    worst = 0.0
    for flags, time in ((OPERATING_POINT, 0.0), (TRANSIENT, 1e-9)):
        for _ in range(trials):
            x = rng.uniform(-0.8, 0.8, size)
            _, _, jacobian, charges = device.evaluate(x, flags, time)
            numeric = np.zeros((size, size))
            numeric_charges = np.zeros((size, size))
            for k in range(size):
                h = 1e-6 * (1 + abs(x[k]))
                up, down = x.copy(), x.copy()
                up[k] += h
                down[k] -= h
                r_up, q_up, _, _ = device.evaluate(up, flags, time)
                r_down, q_down, _, _ = device.evaluate(down, flags, time)
                numeric[:, k] = (r_up - r_down) / (2 * h)
                numeric_charges[:, k] = (q_up - q_down) / (2 * h)
            for exact, estimate in ((jacobian, numeric), (charges, numeric_charges)):
                scale = np.abs(exact).max()
                if scale > 0:
                    worst = max(worst, float(np.abs(exact - estimate).max() / scale))
    return worst


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_shipped_models_have_exact_jacobians(path: Path) -> None:
    device = Device(compile_model(path, target="osdi").library)  # type: ignore[arg-type]
    assert _worst_error(device, np.random.default_rng(1)) < 1e-6


# every built-in with a C form, on arguments kept inside its domain
ARGUMENTS = {"x": "V(a)", "y": "(V(b) + 0.1)"}
DOMAIN = {
    "ln": "(V(a)*V(a) + 0.5)",
    "log": "(V(a)*V(a) + 0.5)",
    "sqrt": "(V(a)*V(a) + 0.5)",
    "acosh": "(V(a)*V(a) + 1.5)",
    "asin": "(0.5*tanh(V(a)))",
    "acos": "(0.5*tanh(V(a)))",
    "atanh": "(0.5*tanh(V(a)))",
    "pow": "(V(a)*V(a) + 0.5), (V(b) + 1.5)",
}


def _call(name: str) -> str:
    if name in DOMAIN:
        return f"{name}({DOMAIN[name]})"
    low, _ = BUILTINS[name].arity
    return f"{name}({', '.join(list(ARGUMENTS.values())[:low])})"


FUNCTIONS = sorted(name for name, entry in BUILTINS.items() if entry.c is not None)


def test_every_builtin_has_an_exact_derivative() -> None:
    terms = " + ".join(f"{k + 1}m*{_call(name)}" for k, name in enumerate(FUNCTIONS))
    source = (
        HEADER
        + f"""module fns(a, b);
  inout a, b; electrical a, b;
  analog begin
    I(a) <+ {terms};
    I(b) <+ ddt(1p*V(a)*V(b)) + V(b)*exp(V(a))/1k;
  end
endmodule
"""
    )
    device = Device(compile_model(source, target="osdi").library)  # type: ignore[arg-type]
    assert _worst_error(device, np.random.default_rng(2), trials=10) < 1e-6
