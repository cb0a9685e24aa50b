"""An independent nodal analysis of a resistive crossbar (scipy.sparse), for the tests.

Built from the physical description only (device conductances, segment resistances, boundary
conditions), not from the generator's elements or node names: the row line of row i has
``columns`` segments (driver end to crosspoint 0, then between crosspoints), the column line of
column j has ``rows`` segments (between crosspoints, then crosspoint rows-1 to the readout end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
import scipy.sparse.linalg


@dataclass(frozen=True)
class End:
    """A line end: a source of ``volts`` behind ``ohms`` (0: the end node is held at volts)."""

    volts: float
    ohms: float = 0.0


@dataclass(frozen=True)
class NodalSolution:
    """Crosspoint voltages (V) on rows and columns, each (rows, columns), and the current
    flowing out of each column's end into its boundary (A)."""

    row_voltages: np.ndarray
    column_voltages: np.ndarray
    column_end_currents: np.ndarray
    row_end_currents: np.ndarray


def solve_crossbar(
    conductance: np.ndarray,
    row_segment: float,
    column_segment: float,
    row_ends: list[End],
    column_ends: list[End],
) -> NodalSolution:
    """Solve G v = i for every crosspoint node and line-end node; segments must be > 0 ohm."""
    rows, columns = conductance.shape
    assert row_segment > 0 and column_segment > 0
    # unknowns: row crosspoints, column crosspoints, row-end nodes, column-end nodes
    n_row = rows * columns

    def row_node(i: int, j: int) -> int:
        return i * columns + j

    def column_node(i: int, j: int) -> int:
        return n_row + i * columns + j

    def row_end(i: int) -> int:
        return 2 * n_row + i

    def column_end(j: int) -> int:
        return 2 * n_row + rows + j

    size = 2 * n_row + rows + columns
    entries_r: list[int] = []
    entries_c: list[int] = []
    entries_v: list[float] = []
    rhs = np.zeros(size)
    fixed: dict[int, float] = {}

    def stamp(a: int, b: int, g: float) -> None:
        entries_r.extend((a, b, a, b))
        entries_c.extend((a, b, b, a))
        entries_v.extend((g, g, -g, -g))

    def stamp_to_source(a: int, g: float, volts: float) -> None:
        entries_r.append(a)
        entries_c.append(a)
        entries_v.append(g)
        rhs[a] += g * volts

    for i in range(rows):
        stamp(row_end(i), row_node(i, 0), 1 / row_segment)
        for j in range(1, columns):
            stamp(row_node(i, j - 1), row_node(i, j), 1 / row_segment)
        for j in range(columns):
            stamp(row_node(i, j), column_node(i, j), float(conductance[i, j]))
    for j in range(columns):
        for i in range(rows - 1):
            stamp(column_node(i, j), column_node(i + 1, j), 1 / column_segment)
        stamp(column_node(rows - 1, j), column_end(j), 1 / column_segment)
    for i, end in enumerate(row_ends):
        if end.ohms == 0:
            fixed[row_end(i)] = end.volts
        else:
            stamp_to_source(row_end(i), 1 / end.ohms, end.volts)
    for j, end in enumerate(column_ends):
        if end.ohms == 0:
            fixed[column_end(j)] = end.volts
        else:
            stamp_to_source(column_end(j), 1 / end.ohms, end.volts)

    matrix = scipy.sparse.csr_matrix((entries_v, (entries_r, entries_c)), shape=(size, size))
    known = np.array(sorted(fixed), dtype=int)
    unknown = np.setdiff1d(np.arange(size), known)
    known_v = np.array([fixed[k] for k in known])
    voltages = np.zeros(size)
    voltages[known] = known_v
    reduced = matrix[unknown][:, unknown].tocsc()
    coupling = matrix[unknown][:, known] if known.size else None
    right = rhs[unknown] - (coupling @ known_v if coupling is not None else 0.0)
    voltages[unknown] = scipy.sparse.linalg.spsolve(reduced, right)

    column_v = voltages[n_row : 2 * n_row].reshape(rows, columns)
    row_v = voltages[:n_row].reshape(rows, columns)
    end_c = voltages[2 * n_row + rows :]
    end_r = voltages[2 * n_row : 2 * n_row + rows]
    column_currents = (column_v[rows - 1, :] - end_c) / column_segment
    row_currents = (end_r - row_v[:, 0]) / row_segment
    return NodalSolution(row_v, column_v, column_currents, row_currents)
