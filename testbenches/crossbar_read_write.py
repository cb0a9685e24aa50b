"""Testbench: a 16x16 crossbar read (vector-matrix product) and written (V/3 disturb).

Builds the array with ``spicegen.circuits.crossbar``, simulates it in ngspice and plots:
(a) column currents with ideal lines, with 5 ohm line segments, and the ideal product;
(b) the voltage across every cell while cell (5, 9) is written under V/3 on those lines;
(c) the state of stateful memristor cells (``tests/circuits/drift_memristor.va``) on a 4x4
array in transient, rows at +/-0.5 V.

    .venv/bin/python testbenches/crossbar_read_write.py [-o out/testbenches/crossbar.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spicegen import Tran, compile_model, simulate
from spicegen.circuits.crossbar import (
    CompiledDevice,
    CrossbarParams,
    LinearConductance,
    LinearState,
    Wires,
    cell_voltages,
    column_currents,
    device_node_voltage,
    ideal_column_currents,
    read_circuit,
    write_circuit,
)

ROOT = Path(__file__).resolve().parents[1]
MEMRISTOR = ROOT / "tests" / "circuits" / "drift_memristor.va"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(ROOT / "out/testbenches/crossbar.png"))
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    size = 16
    weights = rng.uniform(0, 1, (size, size))
    voltages = rng.uniform(0.1, 0.3, size).tolist()  # V
    mapping = LinearConductance(g_min=1e-5, g_max=1e-3)  # S
    ideal_params = CrossbarParams(weights, mapping=mapping)
    wired_params = CrossbarParams(weights, mapping=mapping, wires=Wires(5.0, 5.0))

    ideal = ideal_column_currents(ideal_params, voltages)
    ideal_sim = column_currents(
        simulate(read_circuit(ideal_params, voltages)).waveforms, ideal_params
    )
    wired_sim = column_currents(
        simulate(read_circuit(wired_params, voltages)).waveforms, wired_params
    )
    write = simulate(write_circuit(wired_params, (5, 9), 1.5, "V/3")).waveforms
    disturb = cell_voltages(write, wired_params)[0]

    device = CompiledDevice(compile_model(MEMRISTOR), "x0", "state", params=(("k", 5e6),))
    memristors = CrossbarParams(
        rng.uniform(0, 1, (4, 4)), device=device, mapping=LinearState(0.2, 0.7)
    )
    row_volts = [0.5, -0.5, 0.5, -0.5]
    tran = simulate(read_circuit(memristors, row_volts, analysis=Tran(1e-5, 1e-3))).waveforms

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    columns = np.arange(size)
    left.plot(columns, ideal * 1e3, "k-", label="ideal V @ G")
    left.plot(columns, ideal_sim[0] * 1e3, "o", label="ngspice, ideal lines")
    left.plot(columns, wired_sim[0] * 1e3, "s", label="ngspice, 5 ohm segments")
    left.set(xlabel="column", ylabel="column current (mA)", title="(a) 16x16 read")
    left.set_ylim(0, None)
    left.legend(loc="lower right", fontsize=8)
    image = middle.imshow(disturb, cmap="coolwarm", vmin=-1.5, vmax=1.5)
    figure.colorbar(image, ax=middle, label="cell voltage (V)")
    middle.set(xlabel="column", ylabel="row", title="(b) V/3 write of (5, 9), 1.5 V")
    assert tran.axis is not None
    for row in range(4):
        for column in range(4):
            state = device_node_voltage(tran, memristors, row, str(column), "s")
            right.plot(tran.axis * 1e3, state, color="C0" if row_volts[row] > 0 else "C3")
    right.set(xlabel="time (ms)", ylabel="state x", title="(c) 4x4 memristors, rows +/-0.5 V")
    figure.tight_layout()
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=110)
    ideal_error = np.abs(ideal_sim[0] / ideal - 1).max()
    line_effect = np.abs(wired_sim[0] / ideal - 1).max()
    worst_other = np.abs(np.delete(disturb.ravel(), 5 * size + 9)).max()
    print(f"ideal lines: max relative error {ideal_error:.1e}; "
          f"5 ohm segments move the currents by up to {line_effect:.1%}")  # fmt: skip
    print(f"V/3 write: selected cell {disturb[5, 9]:.3f} V (1.5 ideal), "
          f"worst other cell {worst_other:.3f} V (0.5 ideal)")  # fmt: skip
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
