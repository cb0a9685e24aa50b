"""What the array generators share: row drives, solver options, and the waveforms they read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from spicegen.circuits._checks import FloatArray, check_finite
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import Analysis, Op, Option, VoltageSource, Waveform
from spicegen.netlist.analyses import ANALYSIS_TYPES
from spicegen.netlist.waveforms import WAVEFORM_TYPES

RowDrive = float | Waveform


def row_drives(row_voltages: Sequence[RowDrive], rows: int) -> list[RowDrive]:
    """One drive per row: a finite voltage (V, as float) or a ``Waveform``."""
    if isinstance(row_voltages, str) or not hasattr(row_voltages, "__len__"):
        raise CircuitSpecError("expected a sequence of voltages", field="row_voltages")
    drives = list(row_voltages)
    if len(drives) != rows:
        raise CircuitSpecError(
            f"expected {rows} drives (one per row), got {len(drives)}", field="row_voltages"
        )
    return [
        drive if isinstance(drive, WAVEFORM_TYPES) else check_finite(drive, f"row_voltages[{i}]")
        for i, drive in enumerate(drives)
    ]


def drive_source(name: str, node: str, drive: RowDrive) -> VoltageSource:
    """A voltage source from ``node`` to ground: DC for a float, else the waveform."""
    if isinstance(drive, float):
        return VoltageSource(name, node, "0", dc=drive)
    return VoltageSource(name, node, "0", waveform=drive)


def solver_options(sparse_solver: bool) -> tuple[Option, ...]:
    """``.options klu`` when asked for."""
    if type(sparse_solver) is not bool:
        raise CircuitSpecError(
            f"expected True or False, got {sparse_solver!r}", field="sparse_solver"
        )
    # KLU: ngspice 46's sparse solver, needed for large arrays; ngspice 39 ignores the option.
    return (Option("klu"),) if sparse_solver else ()


def analyses(analysis: Analysis | None) -> tuple[Analysis, ...]:
    """The circuit's one analysis: ``analysis``, or ``Op()`` when ``None``."""
    if analysis is None:
        return (Op(),)
    if not isinstance(analysis, ANALYSIS_TYPES):
        raise CircuitSpecError(f"expected Op, Dc, Tran or Ac, got {analysis!r}", field="analysis")
    return (analysis,)


class Waves(Protocol):
    """What the readers need from ``spicegen.waves.Waveforms`` (circuits may not import waves)."""

    @property
    def axis(self) -> FloatArray | None: ...

    def v(self, node: str, ref: str | None = None) -> FloatArray: ...

    def i(self, source: str) -> FloatArray: ...
