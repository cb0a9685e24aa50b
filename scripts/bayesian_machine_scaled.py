"""The Bayesian machine at the fabricated prototype's scale, simulated in ngspice: 2 classes x
4 observations x 16 values x 8 bits = 1,024 stored bits in 2T2R pairs, 2,048 memristors
(resistive devices, 5 k / 100 k ohm, behind access switches, behavioural sense amplifiers) and
the XSPICE logic (LFSRs, comparators, AND gates, counters), built from a naive-Bayes model
fitted on breast cancer (4 features binned at 16 quantiles of the training part of fold 0).

For each of ``--decisions`` test samples: one machine built for its observation and simulated
for 255 cycles (one LFSR period); prints where the time of a decision goes (building the
circuit, writing the deck, ngspice, reading the counters) and the decision against exact naive
Bayes on the same 8-bit codes, and an energy estimate per decision: the memory read from the
simulated current of the read supply ``Vread`` (the 2T2R lines are read statically, so its
power times the decision's duration), and the logic from the toggles of the nodes ngspice
writes out (block streams, AND streams, counter bits, clock) times ``C_NODE`` and ``vdd**2``
(an assumed 1 fF per node and 1 V: a small digital gate's load in a 130 nm process; the LFSRs'
and comparators' internal toggles are not written out and not counted).

    .venv/bin/python scripts/bayesian_machine_scaled.py [--decisions 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from spicegen.circuits.bayesian_machine import Memristor2T2R, decode, from_likelihoods
from spicegen.learn import load_dataset, stratified_folds
from spicegen.learn.naive_bayes import Discretiser, exact_decisions, fit_tables, quantised_tables
from spicegen.netlist import to_ngspice
from spicegen.sim import simulate

FEATURES = (20, 22, 23, 27)  # worst radius, perimeter, area, concave points: 4 observations
BITS, VALUES = 8, 16
C_NODE = 1e-15  # F per toggling logic node (assumed, see the docstring)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=4)
    args = parser.parse_args()
    data = load_dataset("breast_cancer")
    x = data.x[:, FEATURES]
    part = next(iter(stratified_folds(data.y, 5, seed=0)))
    binning = Discretiser.fit(x[part.train], VALUES)
    stored = quantised_tables(fit_tables(binning(x[part.train]), data.y[part.train], VALUES), BITS)
    test = binning(x[part.test])[: args.decisions]
    machine_read_voltage = Memristor2T2R().v_read
    exact = exact_decisions(stored, test)
    phases: dict[str, list[float]] = {"build": [], "write": [], "ngspice": [], "parse+decode": []}
    read_energy, logic_energy = [], []
    agree = 0
    for k, observation in enumerate(test):
        start = time.perf_counter()
        circuit, machine = from_likelihoods(stored.tolist(), BITS,
                                            observation=observation.tolist(),
                                            memory=Memristor2T2R())  # fmt: skip
        # the read supply's current too (the machine saves its nodes' voltages only)
        circuit = dataclasses.replace(circuit, saves=(*circuit.saves, "i(vread)"))
        built = time.perf_counter()
        deck = to_ngspice(circuit)
        written = time.perf_counter()
        result = simulate(circuit)
        simulated = time.perf_counter()
        counts = decode(result.waveforms, machine)
        done = time.perf_counter()
        phases["build"].append(built - start)
        phases["write"].append(written - built)
        phases["ngspice"].append(result.elapsed)
        phases["parse+decode"].append(done - simulated + (simulated - written - result.elapsed))
        agree += int(int(np.argmax(counts)) == exact[k])
        waves = result.waveforms
        time_axis = np.asarray(waves.axis, dtype=np.float64)
        power = np.abs(np.asarray(waves.i("vread"))) * machine_read_voltage
        read_energy.append(float(np.sum((power[1:] + power[:-1]) / 2 * np.diff(time_axis))))
        nodes = ["clk", *machine.stream_nodes]
        nodes += [n for group in machine.block_nodes for n in group]
        nodes += [n for group in machine.counter_nodes for n in group]
        toggles = 0
        for node in nodes:
            level = np.asarray(waves.v(node)) > machine.vdd / 2
            toggles += int(np.count_nonzero(level[1:] != level[:-1]))
        logic_energy.append(toggles * C_NODE * machine.vdd**2)
        if k == 0:
            memristors = sum(1 for line in deck.splitlines() if line[:1] in "Rr")
            print(f"deck: {len(deck.splitlines())} lines, {memristors} resistor lines "
                  f"(2,048 memristors, the loads and access resistors)")  # fmt: skip
        print(f"decision {k}: counts {counts.tolist()}, exact naive Bayes class {exact[k]}",
              flush=True)  # fmt: skip
    total = sum(statistics.median(v) for v in phases.values())
    print(f"median seconds per decision (a shared 2-core machine), {BITS}-bit codes, 255 cycles:")
    for name, values in phases.items():
        median = statistics.median(values)
        print(f"  {name:8s} {median:8.3f} s  ({100 * median / total:4.1f} %)")
    print(f"agreement with exact naive Bayes: {agree} of {len(test)}")
    print(f"energy per decision (median): memory read {statistics.median(read_energy):.3g} J "
          f"(Vread = {machine_read_voltage} V), logic {statistics.median(logic_energy):.3g} J "
          f"({C_NODE:g} F per toggle, counted nodes only)")  # fmt: skip


if __name__ == "__main__":
    main()
