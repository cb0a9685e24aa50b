"""Where the memristor MCMC sampler reads its arrays: ngspice through the crossbar, or the
read surrogate in numpy.

An engine reads a batch of arrays of device conductances ``G`` (batch, rows, physical columns;
S) with one set of row voltages per data sample ``V`` (samples, rows; V), and returns every
column current (batch, samples, physical columns; A) and the energy the row drivers delivered
(batch,; J) if each sample's read lasts ``read_time`` s.

- ``SpiceEngine``: each array is the crossbar generator's array (``crossbar``: rows driven,
  virtual-ground columns) of the device's compiled model holding ``G`` on lines of
  ``wires`` (IR drop included); the samples are successive slots of one transient, the row
  sources stepping through them. The arrays of a batch run as separate ngspice processes,
  ``workers`` at a time, or side by side in one array (``together=True``: stored posterior
  samples sharing rows, as in the paper's inference).
- ``FastEngine``: the device's read equation ``I = G drive(V)`` summed along ideal lines, one
  matrix product; its error against the SPICE engine is measured by ``validate_reads``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from spicegen.circuits import CrossbarParams, Wires, crossbar
from spicegen.circuits.crossbar import ARRAY_INSTANCE, column_tags
from spicegen.learn.errors import LearnError
from spicegen.learn.mcmc_devices import DeviceKind
from spicegen.netlist import (
    BSource,
    Circuit,
    Dc,
    Element,
    Option,
    SubcktInstance,
    VoltageSource,
)
from spicegen.sim import simulate
from spicegen.surrogate import Validation, compare

__all__ = ["Engine", "FastEngine", "Reading", "SpiceEngine", "read_sweep", "validate_reads"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Reading:
    """Column currents (batch, samples, physical columns; A) and read energy (batch,; J)."""

    currents: FloatArray
    energy: FloatArray


def _check(conductances: FloatArray, voltages: FloatArray) -> tuple[FloatArray, FloatArray]:
    g = np.asarray(conductances, dtype=np.float64)
    v = np.asarray(voltages, dtype=np.float64)
    if g.ndim != 3 or v.ndim != 2 or v.shape[1] != g.shape[1] or v.shape[0] < 1:
        raise LearnError(
            f"read: expected conductances (batch, rows, columns) and voltages (samples, rows), "
            f"got {g.shape} and {v.shape}"
        )
    return g, v


@dataclass(frozen=True, slots=True, eq=False)
class FastEngine:
    """The read surrogate: ``I[s, j] = sum_i G[i, j] drive(V[s, i])`` on ideal lines."""

    device: DeviceKind
    read_time: float = 10e-9
    name: str = "fast"

    def read(
        self, conductances: FloatArray, voltages: FloatArray, *, together: bool = False
    ) -> Reading:
        """Read every array of the batch (``together`` changes nothing on ideal lines)."""
        g, v = _check(conductances, voltages)
        drive = self.device.drive(v)
        currents = np.matmul(drive, g)  # (samples, rows) @ (batch, rows, columns)
        # each row delivers V_i * sum_j I_ij for read_time per sample
        energy = np.einsum("sr,br->b", v * drive, g.sum(axis=2)) * self.read_time
        return Reading(np.asarray(currents), np.asarray(energy))


@dataclass(frozen=True, slots=True, eq=False)
class SpiceEngine:
    """ngspice through the crossbar: ``wires`` (ohm per segment), ``workers`` ngspice processes
    at a time, ``read_time`` s per sample's read (for the energy)."""

    device: DeviceKind
    wires: Wires = field(default_factory=lambda: Wires(1.0, 1.0))
    read_time: float = 10e-9
    workers: int = 2
    timeout: float = 600.0
    name: str = "spice"

    def read(
        self, conductances: FloatArray, voltages: FloatArray, *, together: bool = False
    ) -> Reading:
        """Read each array of the batch in its own run, or all in one array (``together``)."""
        g, v = _check(conductances, voltages)
        if together:
            wide = np.concatenate(list(g), axis=1)[None]
            currents, energy = self._run(wide[0], v)
            columns = g.shape[2]
            split = currents.reshape(v.shape[0], g.shape[0], columns).transpose(1, 0, 2)
            # the shared rows' energy is split in proportion to each array's conductance
            share = g.sum(axis=(1, 2)) / g.sum()
            return Reading(np.ascontiguousarray(split), energy * share)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:  # each run is a process
            results = list(pool.map(lambda array: self._run(array, v), list(g)))
        return Reading(
            np.stack([currents for currents, _ in results]),
            np.array([energy for _, energy in results]),
        )

    def _params(self, conductance: FloatArray) -> CrossbarParams:
        cell = self.device.spice_cell()
        entries = np.clip(cell.entries(conductance), 0.0, 1.0)
        return CrossbarParams(
            entries,  # type: ignore[arg-type]  # stored as a tuple of tuples by CrossbarParams
            cell="1R",
            device=cell.device,
            mapping=cell.mapping,
            wires=self.wires,
            name="mcmc_array",
        )

    def _run(self, conductance: FloatArray, voltages: FloatArray) -> tuple[FloatArray, float]:
        """One array read with every sample: (samples, columns) currents and the energy."""
        params = self._params(conductance)
        waves = simulate(read_sweep(params, voltages), timeout=self.timeout).waveforms
        tags = column_tags(params)
        samples = voltages.shape[0]
        columns = np.stack([np.asarray(waves.i(f"vcol{tag}"))[:samples] for tag in tags], axis=1)
        rows = np.stack(
            [np.asarray(waves.i(f"vrow{i}"))[:samples] for i in range(voltages.shape[1])], axis=1
        )
        energy = float(np.sum(voltages * rows) * self.read_time)
        return np.ascontiguousarray(columns), energy


def read_sweep(params: CrossbarParams, voltages: FloatArray) -> Circuit:
    """The array read with every row of ``voltages`` (samples, rows; V) as one ``.dc`` sweep.

    The sweep source ``Vsample`` steps through the sample index; row ``i`` is driven by a B
    source ``V = pwl(sample, 0, V[0, i], 1, V[1, i], ...)`` through the 0 V meter ``Vrow{i}``
    (its current is the current the row delivers) into port ``row{i}``; column ``t`` is held at
    0 V by its ammeter ``Vcol{t}`` (an ideal virtual ground). Each operating point starts from
    the previous sample's solution: about a tenth of the Newton iterations a transient through
    the same samples needs (measured: 2.4 s against 26 s for 455 samples of a 31 x 2 array).
    Compiled devices hold their initial state in DC analyses, which is the state to read.
    """
    samples, rows = voltages.shape
    tags = column_tags(params)
    ports = (*(f"row{i}" for i in range(rows)), *(f"col{tag}" for tag in tags))
    elements: list[Element] = [
        SubcktInstance(ARRAY_INSTANCE, ports, params.name),
        VoltageSource("Vsample", "sample", "0", 0.0),
    ]
    index = [f"{k}" for k in range(samples)]
    for i in range(rows):
        pairs = ",".join(
            f"{k},{float(level)!r}" for k, level in zip(index, voltages[:, i], strict=True)
        )
        # pwl needs two points: a single sample is held flat up to index 1
        if samples == 1:
            pairs += f",1,{float(voltages[0, i])!r}"
        elements += [
            BSource(f"Brow{i}", f"in{i}", "0", "v", f"pwl(v(sample),{pairs})"),
            VoltageSource(f"Vrow{i}", f"in{i}", f"row{i}", 0.0),
        ]
    elements += [VoltageSource(f"Vcol{tag}", f"col{tag}", "0", 0.0) for tag in tags]
    return Circuit(
        title=f"{params.name} {params.rows}x{len(tags)} read of {samples} samples",
        elements=tuple(elements),
        subckts=(crossbar(params),),
        options=(Option("klu"),),
        analyses=(Dc("Vsample", 0.0, samples - 0.5, 1.0),),
    )


Engine = FastEngine | SpiceEngine


def validate_reads(
    device: DeviceKind,
    spice: SpiceEngine,
    *,
    rows: int = 31,
    columns: int = 8,
    samples: int = 40,
    seed: int = 0,
) -> Validation:
    """The fast read against the SPICE engine on random conductances (uniform in the device's
    window, snapped to its levels) and random row voltages (uniform within the read voltage):
    errors as fractions of the largest current the array can draw."""
    rng = np.random.default_rng(seed)
    low, high = device.window
    g = device.snap(rng.uniform(low, high, (1, rows, columns)))
    v = rng.uniform(-device.read_voltage, device.read_voltage, (samples, rows))
    fast = FastEngine(device).read(g, v).currents
    reference = spice.read(g, v).currents
    full_scale = float(high * device.drive(np.array(device.read_voltage)) * rows)
    return compare("column current", fast, reference, full_scale=full_scale)
