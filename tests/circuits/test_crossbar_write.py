"""Write biasing: half-select disturb under V/2 and V/3, closed forms against ngspice."""

from __future__ import annotations

import numpy as np
import pytest

from spicegen import simulate
from spicegen.circuits.crossbar import (
    CrossbarParams,
    LinearConductance,
    Wires,
    WriteScheme,
    cell_voltages,
    disturb_voltages,
    write_circuit,
    write_line_voltages,
)
from tests.circuits.nodal import End, solve_crossbar

G_MIN, G_MAX = 1e-5, 1e-3  # S


def test_v_half_closed_form() -> None:
    volts = disturb_voltages(3, 4, (1, 2), 2.0, "V/2")
    expected = np.zeros((3, 4))
    expected[1, :] = 1.0  # half-selected on the selected row: V/2
    expected[:, 2] = 1.0  # half-selected on the selected column: V/2
    expected[1, 2] = 2.0  # the selected cell: V
    np.testing.assert_array_equal(volts, expected)


def test_v_third_closed_form() -> None:
    volts = disturb_voltages(3, 4, (0, 3), 3.0, "V/3")
    expected = np.full((3, 4), -1.0)  # unselected: V/3 - 2V/3 = -V/3
    expected[0, :] = 1.0  # selected row: V - 2V/3
    expected[:, 3] = 1.0  # selected column: V/3 - 0
    expected[0, 3] = 3.0
    np.testing.assert_array_equal(volts, expected)
    rows, columns = write_line_voltages(3, 4, (0, 3), 3.0, "V/3")
    np.testing.assert_array_equal(rows, [3.0, 1.0, 1.0])
    np.testing.assert_array_equal(columns, [2.0, 2.0, 2.0, 0.0])


@pytest.mark.parametrize("scheme", ["V/2", "V/3"])
def test_ideal_lines_put_the_closed_form_on_every_cell(scheme: WriteScheme) -> None:
    weights = np.random.default_rng(7).uniform(0, 1, (5, 6))
    params = CrossbarParams(weights, mapping=LinearConductance(G_MIN, G_MAX))
    waves = simulate(write_circuit(params, (3, 1), 1.2, scheme)).waveforms
    simulated = cell_voltages(waves, params)[0]
    np.testing.assert_allclose(simulated, disturb_voltages(5, 6, (3, 1), 1.2, scheme), atol=1e-9)


@pytest.mark.parametrize("scheme", ["V/2", "V/3"])
def test_resistive_lines_disturb_matches_nodal_analysis(scheme: WriteScheme) -> None:
    rows, columns, selected, v_write = 8, 7, (5, 2), 1.5
    weights = np.random.default_rng(8).uniform(0, 1, (rows, columns))
    wires = Wires(row_segment=5.0, column_segment=5.0)
    params = CrossbarParams(weights, mapping=LinearConductance(G_MIN, G_MAX), wires=wires)
    circuit = write_circuit(params, selected, v_write, scheme, driver_resistance=25.0)
    simulated = cell_voltages(simulate(circuit).waveforms, params)[0]

    row_lines, column_lines = write_line_voltages(rows, columns, selected, v_write, scheme)
    solution = solve_crossbar(
        G_MIN + weights * (G_MAX - G_MIN),
        row_segment=5.0,
        column_segment=5.0,
        row_ends=[End(v, 25.0) for v in row_lines],
        column_ends=[End(v, 25.0) for v in column_lines],
    )
    expected = solution.row_voltages - solution.column_voltages
    np.testing.assert_allclose(simulated, expected, rtol=0, atol=1e-3 * v_write)
    # IR drop: the selected cell gets less than v_write, and the lines move the disturb
    ideal = disturb_voltages(rows, columns, selected, v_write, scheme)
    assert expected[selected] < 0.99 * v_write
    assert np.abs(expected - ideal).max() > 10e-3 * v_write
