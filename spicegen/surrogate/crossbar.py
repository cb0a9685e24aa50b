"""A resistive crossbar as a linear map: ideal vector-matrix product, or IR drop by a nodal solve.

The array is the one ``spicegen.circuits.crossbar`` generates (geometry in
``spicegen.circuits._array``): rows driven at their port by ideal sources, columns read at a
virtual ground at their port, a row line of ``columns`` segments (port to the first crosspoint,
then between neighbours), a column line of ``rows`` segments (between neighbours, then the last
crosspoint to the port). A resistive network is linear, so its column currents are exactly
``I = V @ G_eff`` and its row currents ``V @ R_eff``: ``CrossbarMap.solve`` finds both matrices
with one sparse LU factorisation and one solve per row (scipy), after which a batch of reads
costs one matrix product. With ideal lines ``G_eff`` is the conductance matrix itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from numpy.typing import NDArray

from spicegen.circuits import Wires
from spicegen.surrogate.errors import SurrogateError

__all__ = ["CrossbarMap"]

FloatArray = NDArray[np.float64]
_GROUND = -1  # node codes: >= 0 unknown, -1 ground, -(2 + i) held at row voltage i


@dataclass(frozen=True, slots=True, eq=False)
class CrossbarMap:
    """Column currents ``V @ column`` (A) and row-source currents ``V @ row`` (A) of an array
    whose rows are at ``V`` (V); ``column`` is (rows, physical columns), ``row`` (rows, rows)."""

    column: FloatArray
    row: FloatArray

    @classmethod
    def solve(cls, conductance: FloatArray, wires: Wires | None = None) -> CrossbarMap:
        """The map of devices ``conductance`` (S, rows x physical columns) on ``wires``."""
        g = np.asarray(conductance, dtype=np.float64)
        if g.ndim != 2 or g.size == 0 or not np.all(np.isfinite(g)) or (g < 0).any():
            raise SurrogateError(f"crossbar: expected finite conductances >= 0, got {g.shape}")
        lines = wires or Wires()
        if lines.row_segment == 0 and lines.column_segment == 0:
            return cls(g.copy(), np.diag(g.sum(axis=1)))
        return _nodal(g, lines.row_segment, lines.column_segment)

    def column_currents(self, voltages: FloatArray) -> FloatArray:
        """Current into each column's readout (A), (samples, physical columns)."""
        return np.asarray(np.asarray(voltages) @ self.column, dtype=np.float64)

    def power(self, voltages: FloatArray) -> FloatArray:
        """Power the row sources deliver (W), (samples,)."""
        v = np.asarray(voltages, dtype=np.float64)
        return np.asarray(np.einsum("si,ij,sj->s", v, self.row, v), dtype=np.float64)


def _nodal(g: FloatArray, row_segment: float, column_segment: float) -> CrossbarMap:
    rows, columns = g.shape
    count = rows * columns
    grid = np.arange(count).reshape(rows, columns)
    held = -(2 + np.arange(rows))[:, None] * np.ones((1, columns), dtype=np.int64)
    row_nodes = grid if row_segment > 0 else held
    column_nodes = (count * (row_segment > 0) + grid) if column_segment > 0 else None
    unknowns = count * ((row_segment > 0) + (column_segment > 0))
    if column_nodes is None:
        column_nodes = np.full((rows, columns), _GROUND)
    branches = [(row_nodes.ravel(), column_nodes.ravel(), g.ravel())]
    if row_segment > 0:
        ports = -(2 + np.arange(rows))
        branches.append((ports, row_nodes[:, 0], np.full(rows, 1 / row_segment)))
        branches.append(
            (row_nodes[:, :-1].ravel(), row_nodes[:, 1:].ravel(),
             np.full(rows * (columns - 1), 1 / row_segment))
        )  # fmt: skip
    if column_segment > 0:
        branches.append(
            (column_nodes[:-1].ravel(), column_nodes[1:].ravel(),
             np.full((rows - 1) * columns, 1 / column_segment))
        )  # fmt: skip
        branches.append(
            (column_nodes[-1], np.full(columns, _GROUND), np.full(columns, 1 / column_segment))
        )
    a = np.concatenate([b[0] for b in branches])
    b = np.concatenate([b[1] for b in branches])
    conductance = np.concatenate([b[2] for b in branches])
    matrix_rows: list[FloatArray] = []
    matrix_columns: list[FloatArray] = []
    values: list[FloatArray] = []
    drive_rows: list[FloatArray] = []
    drive_columns: list[FloatArray] = []
    drive_values: list[FloatArray] = []
    for one, other in ((a, b), (b, a)):
        mine = one >= 0
        matrix_rows.append(one[mine])
        matrix_columns.append(one[mine])
        values.append(conductance[mine])
        both = mine & (other >= 0)
        matrix_rows.append(one[both])
        matrix_columns.append(other[both])
        values.append(-conductance[both])
        driven = mine & (other <= -2)
        drive_rows.append(one[driven])
        drive_columns.append(-2 - other[driven])
        drive_values.append(conductance[driven])
    shape = (unknowns, unknowns)
    matrix = scipy.sparse.csc_matrix(
        (np.concatenate(values), (np.concatenate(matrix_rows), np.concatenate(matrix_columns))),
        shape=shape,
    )
    drive = scipy.sparse.csc_matrix(
        (np.concatenate(drive_values),
         (np.concatenate(drive_rows), np.concatenate(drive_columns))),
        shape=(unknowns, rows),
    ).toarray()  # fmt: skip
    # node voltages for a unit voltage on each row in turn: (unknowns, rows)
    solution = scipy.sparse.linalg.splu(matrix).solve(drive)

    def voltage(codes: NDArray[np.int64]) -> FloatArray:
        """Voltage of nodes ``codes`` for each unit row drive: (*codes.shape, rows)."""
        out = np.zeros((*codes.shape, rows))
        known = codes >= 0
        out[known] = solution[codes[known]]
        held_at = codes <= -2
        out[held_at, -2 - codes[held_at]] = 1.0
        return out

    row_v, column_v = voltage(row_nodes), voltage(column_nodes)
    if column_segment > 0:
        column_map = (voltage(column_nodes[-1]) * (1 / column_segment)).T
    else:
        column_map = np.einsum("ikr,ik->rk", row_v, g)
    unit = np.eye(rows)
    if row_segment > 0:
        row_map = (unit - voltage(row_nodes[:, 0])) * (1 / row_segment)
        row_map = row_map.T
    else:
        # source i delivers sum_k (V_i - V(col i,k)) G_ik
        row_map = (unit * g.sum(axis=1)[:, None] - np.einsum("ikr,ik->ir", column_v, g)).T
    return CrossbarMap(np.asarray(column_map), np.asarray(row_map))
