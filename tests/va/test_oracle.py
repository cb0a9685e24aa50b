"""OpenVAF (openvaf-py) as an independent oracle for what a Verilog-A model means.

For each two-terminal test model, OpenVAF evaluates the static terminal current on a grid of
voltages; spicegen compiles the same source to a subcircuit and ngspice sweeps it. Issue 3
asks for agreement within 1e-3 relative. For models with internal nodes, OpenVAF gives only
residuals at given node voltages, so the oracle solves the internal nodes' KCL itself
(scipy ``fsolve`` on OpenVAF's residuals) before reading the terminal current.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openvaf_py
import pytest

from spicegen import simulate
from spicegen.netlist import Circuit, Dc, Option, SubcktInstance, VoltageSource
from spicegen.va.compile import compile_va
from tests.va.targets import TARGETS

HEADER = '`include "disciplines.vams"\n`include "constants.vams"\n'

MODELS = {
    "diode": """module diode(a, c);
  inout a, c; electrical a, c;
  parameter real is = 1e-14 from (0:inf);
  parameter real n = 1.5;
  analog I(a, c) <+ is*(exp(V(a, c)/(n*$vt)) - 1);
endmodule
""",
    "tanh_synapse": """module tanh_synapse(a, c);
  inout a, c; electrical a, c;
  parameter real g0 = 1m;
  parameter real vs = 0.4;
  real x;
  analog begin
    x = V(a, c)/vs;
    I(a, c) <+ g0*vs*tanh(x) + 1e-6*V(a, c);
  end
endmodule
""",
    "piecewise": """module piecewise(a, c);
  inout a, c; electrical a, c;
  parameter real ron = 100;
  parameter real roff = 10k;
  parameter real vth = 0.5;
  real g;
  analog begin
    if (V(a, c) > vth)
      g = 1/ron;
    else
      g = 1/roff;
    I(a, c) <+ g*(V(a, c) - vth) + vth/roff;
  end
endmodule
""",
}
VOLTAGES = np.round(np.linspace(-0.8, 0.8, 17), 12)

# models with internal nodes: (source, internal nets in declaration order)
INTERNAL = {
    "series_diode": (
        """module series_diode(a, c);
  inout a, c; electrical a, c, ai;
  parameter real is = 1e-12, rs = 100, n = 1.2;
  analog begin
    I(a, ai) <+ V(a, ai)/rs;
    I(ai, c) <+ is*(limexp(V(ai, c)/(n*$vt)) - 1);
  end
endmodule
""",
        ("ai",),
    ),
    "state_conductance": (
        """module state_conductance(a, c);
  inout a, c; electrical a, c; electrical s;
  parameter real vs = 0.3, tau = 1n, g0 = 1m;
  analog begin
    I(s) <+ V(s) - tanh(V(a, c)/vs);
    I(s) <+ ddt(tau*V(s));
    I(a, c) <+ g0*(1 + 0.5*V(s))*V(a, c);
  end
endmodule
""",
        ("s",),
    ),
    "thermal_resistor": (
        """module thermal_resistor(a, c);
  inout a, c; electrical a, c; electrical t;
  parameter real r0 = 1k, alpha = 4e-3, rth = 1e5, cth = 1e-12, tamb = 300;
  real r;
  analog begin
    r = r0*(1 + alpha*(V(t) - tamb));
    I(a, c) <+ V(a, c)/r;
    I(t) <+ (V(t) - tamb)/rth - V(a, c)*V(a, c)/r + ddt(cth*V(t));
  end
endmodule
""",
        ("t",),
    ),
}


def _openvaf_currents(path: Path, params: dict[str, float]) -> np.ndarray:
    (module,) = openvaf_py.compile_va(str(path))
    branch_voltage = next(n for n in module.param_names if n.startswith("V("))
    currents = []
    for volts in VOLTAGES:
        inputs = {**params, branch_voltage: float(volts), "mfactor": 1.0}
        for name, kind in zip(module.param_names, module.param_kinds, strict=True):
            if kind == "temperature" or name == "$temperature":
                inputs[name] = 300.15
        residuals, _ = module.run_init_eval(inputs)
        currents.append(residuals[0][0])  # resistive residual at node a: current a -> device
    return np.array(currents)


def _openvaf_solved_currents(
    path: Path,
    internal: tuple[str, ...],
    *,
    nets: tuple[str, ...] | None = None,
    fixed: dict[str, float] | None = None,
) -> np.ndarray:
    """Terminal current at each voltage with the ``internal`` nets solved by Newton's method on
    OpenVAF's own residuals and Jacobian. ``nets`` lists every net in OpenVAF's order (ports
    first, then internal nets in declaration order; default ``("a", "c", *internal)``);
    ``fixed`` holds nets at given potentials (state nodes at their DC value)."""
    (module,) = openvaf_py.compile_va(str(path))
    defaults = dict(module.get_param_defaults())
    nets = nets or ("a", "c", *internal)
    fixed = fixed or {}
    rows = [nets.index(net) for net in internal]
    size = len(module.nodes)
    branches = [
        (name, re.fullmatch(r"V\((\w+)(?:,(\w+))?\)", name))
        for name, kind in zip(module.param_names, module.param_kinds, strict=True)
        if kind == "voltage"
    ]

    def evaluate(volts: float, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        potentials = {nets[0]: volts, nets[1]: 0.0, **fixed, **dict(zip(internal, x, strict=True))}
        inputs = {**defaults, "mfactor": 1.0, "$temperature": 300.15}  # ngspice's 27 degC
        for name, match in branches:
            assert match is not None
            p, n = match.group(1), match.group(2)
            inputs[name] = potentials[p] - (potentials[n] if n else 0.0)
        found, entries = module.run_init_eval(inputs)
        residual = np.array([resistive for resistive, _reactive in found])
        jacobian = np.zeros((size, size))
        for row, column, resistive, _reactive in entries:
            jacobian[row, column] = resistive
        return residual, jacobian

    currents = []
    x = np.full(len(internal), defaults.get("tamb", 0.0) if not fixed else 0.0)
    for volts in VOLTAGES:
        for _ in range(200):
            if not internal:
                break
            residual, jacobian = evaluate(float(volts), x)
            block = jacobian[np.ix_(rows, rows)]
            if not np.all(np.isfinite(block)):  # e.g. d sqrt(|v|)/dv at v = 0: difference it
                block = np.column_stack(
                    [
                        (evaluate(float(volts), x + 1e-7 * np.eye(len(x))[k])[0][rows]
                         - residual[rows]) / 1e-7
                        for k in range(len(x))
                    ]
                )  # fmt: skip
            step = np.linalg.solve(block, -residual[rows])
            # damped: at most 50 mV, or 10 % on nodes far from zero (a temperature node)
            limit = np.maximum(0.05, 0.1 * np.abs(x))
            x = x + step / max(1.0, float(np.max(np.abs(step) / limit)))
            if np.max(np.abs(step)) < 1e-12 * max(1.0, float(np.max(np.abs(x)))):
                break
        else:
            raise AssertionError(f"the oracle's Newton iteration did not converge at {volts} V")
        currents.append(evaluate(float(volts), x)[0][0])
    return np.array(currents)


def _spicegen_currents(path: Path, target: str) -> np.ndarray:
    subckt = compile_va(path, target=target)  # type: ignore[arg-type]
    circuit = Circuit(
        title="oracle sweep",
        elements=(
            VoltageSource("V1", "a", "0", dc=0.0),
            SubcktInstance("X1", ("a", "0"), subckt.name),
        ),
        subckts=(subckt,),
        # tight tolerances: ngspice's default abstol (1 pA) would hide the sub-pA currents
        # the diode carries near 0 V
        options=(Option("abstol", 1e-18), Option("vntol", 1e-12), Option("reltol", 1e-7)),
    )
    step = float(VOLTAGES[1] - VOLTAGES[0])
    waves = simulate(circuit, Dc("V1", float(VOLTAGES[0]), float(VOLTAGES[-1]), step)).waveforms
    return -np.asarray(waves.i("v1"))  # the source delivers what the device draws


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_static_currents_agree_with_openvaf(name: str, target: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.va"
    path.write_text(HEADER + MODELS[name])
    (module,) = openvaf_py.compile_va(str(path))
    expected = _openvaf_currents(path, dict(module.get_param_defaults()))
    measured = _spicegen_currents(path, target)
    # 1e-3 relative (issue 3), with a floor for currents near zero
    np.testing.assert_allclose(measured, expected, rtol=1e-3, atol=1e-15)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(INTERNAL))
def test_models_with_internal_nodes_agree_with_openvaf(
    name: str, target: str, tmp_path: Path
) -> None:
    source, internal = INTERNAL[name]
    path = tmp_path / f"{name}.va"
    path.write_text(HEADER + source)
    expected = _openvaf_solved_currents(path, internal)
    measured = _spicegen_currents(path, target)
    assert np.ptp(expected) > 1e-4  # the grid exercises the nonlinearity, not just zeros
    np.testing.assert_allclose(measured, expected, rtol=1e-3, atol=1e-15)


# Shipped models OpenVAF can compile (the others use spicegen's seeded $noise_* functions,
# which OpenVAF lacks by design). In DC analyses an idt state holds its initial condition, so
# the static terminal current at that state is compared; other internal nets are solved.
SHIPPED = {
    "vteam": dict(internal=(), nets=("p", "n", "x"), fixed={"x": 0.5}),
    "nbox": dict(internal=("m",), nets=("a", "c", "m", "th", "ts"), fixed={"th": 0.0, "ts": 0.0}),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_models_agree_with_openvaf(name: str, target: str) -> None:
    path = Path(__file__).resolve().parents[2] / "models" / f"{name}.va"
    expected = _openvaf_solved_currents(path, **SHIPPED[name])  # type: ignore[arg-type]
    measured = _spicegen_currents(path, target)
    assert np.ptp(expected) > 1e-6
    np.testing.assert_allclose(measured, expected, rtol=1e-3, atol=1e-15)
