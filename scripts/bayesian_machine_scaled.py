"""Both Bayesian machines at the fabricated prototype's scale, simulated in ngspice: 2 classes x
4 observations x 16 values x 8 bits = 1,024 stored bits in 2T2R pairs, 2,048 memristors
(resistive devices, 5 k / 100 k ohm, behind access switches, behavioural sense amplifiers) and
the XSPICE logic, from a naive-Bayes model fitted on breast cancer (worst radius, perimeter,
area, concave points, 16 quantile bins of fold 0's training part: ``naive_bayes.prototype_model``).
Stochastic: LFSRs, comparators, AND gates and counters over 255 cycles. Logarithmic: adders of
8-bit costs, one observation per cycle (4 cycles).

Per variant and each of ``--decisions`` test samples:

- the time of a decision (building the circuit, writing the deck, ngspice, reading the result),
  and ngspice's fixed cost (a one-cycle run of the same deck) against its cost per cycle;
- the decision against exact naive Bayes on the same 8-bit codes (costs);
- energy per decision, from a second ngspice run of the same machine with every gate and
  flip-flop output bridged out (``with_logic_probes``):
  * memory read: the integral of ``Vread`` times its simulated current. The 2T2R lines are read
    statically: the stochastic machine reads every block's selected row in every cycle, the
    logarithmic one each class's row of the current observation for one cycle;
  * sense amplifiers: behavioural here, so ASSUMED ``E_SENSE`` per bit read per cycle;
  * logic: the simulated toggles of every gate and flip-flop output times an ASSUMED ``C_NODE``
    and ``vdd**2``, plus the clock: two edges per cycle into every flip-flop's clock input
    (``C_NODE`` each);
- a microcontroller doing the same naive-Bayes decision (``mcu_energy``): cycles counted by hand
  for a straight-line Cortex-M0+ sum of log-likelihoods and argmax, times the energy per cycle
  of the STM32L031 datasheet (DS10668 Rev 6: "down to 76 uA/MHz in Run mode", at 1.8 V).

    .venv/bin/python scripts/bayesian_machine_scaled.py [--decisions 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from spicegen.circuits.bayesian_machine import (
    Memristor2T2R,
    decide,
    decode,
    from_likelihoods,
    toggles,
    with_logic_probes,
)
from spicegen.learn.naive_bayes import exact_decisions, log_costs, prototype_model, quantised_tables
from spicegen.netlist import Tran, to_ngspice
from spicegen.sim import simulate

BITS = 8
# ASSUMED, not measured: a small gate's load in a 130 nm process (its fan-out's input
# capacitance plus local wire) is of the order of 1 fF; the machine's logic runs at 1 V
C_NODE = 1e-15  # F per toggling node and per flip-flop clock input
E_SENSE = 4 * C_NODE * 1.0**2  # J per bit read: a pre-charge sense amplifier swings ~4 nodes
# A pulsed read (word line on for READ_PULSE of each cycle, as a pre-charge sense amplifier
# does) costs the static read times READ_PULSE / clock period: scaled, not simulated
READ_PULSE = 10e-9  # s
# STM32L031 (Cortex-M0+), datasheet DS10668 Rev 6: down to 76 uA/MHz in Run mode; at 1.8 V
MCU_JOULES_PER_CYCLE = 76e-6 / 1e6 * 1.8  # 137 pJ


def mcu_cycles(classes: int, observations: int) -> int:
    """Cortex-M0+ cycles of one naive-Bayes decision in log space, counted by hand (not
    compiled): per (class, observation) LDRB of the observed value (2), address arithmetic
    (2: ADDS of the row offset, LSLS), LDRH of the stored log-likelihood (2), ADDS (1); per
    class a CMP and a conditional move (3); and a call and return (6)."""
    return classes * observations * 7 + classes * 3 + 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3)
    args = parser.parse_args()
    model = prototype_model()
    stored = quantised_tables(model.table, BITS)
    costs, step = log_costs(model.table, BITS)
    test = model.test[: args.decisions]
    exact = {
        "stochastic": exact_decisions(stored, test),
        "logarithmic": exact_decisions(np.exp(-costs * step), test),
    }
    memory = Memristor2T2R()
    mcu = mcu_cycles(*model.table.shape[:2]) * MCU_JOULES_PER_CYCLE
    print(f"model: {model.table.shape} (classes, observations, values), {len(model.test)} "
          f"test samples; microcontroller: {mcu_cycles(*model.table.shape[:2])} cycles, "
          f"{mcu:.3g} J per decision")  # fmt: skip
    for variant in ("stochastic", "logarithmic"):
        phases: dict[str, list[float]] = {"build": [], "write": [], "ngspice": [], "read": []}
        energy: dict[str, list[float]] = {"read": [], "pulsed": [], "sense": [], "logic": []}
        agree, lines, cycles = 0, 0, 0
        setup: list[float] = []
        for k, observation in enumerate(test):
            start = time.perf_counter()
            table = (stored if variant == "stochastic" else model.table).tolist()
            circuit, machine = from_likelihoods(table, BITS, observation=observation.tolist(),
                                                memory=memory, variant=variant)  # fmt: skip
            built = time.perf_counter()
            deck = to_ngspice(circuit)
            written = time.perf_counter()
            result = simulate(circuit)
            simulated = time.perf_counter()
            decision = decide(result.waveforms, machine)
            done = time.perf_counter()
            # ngspice's fixed cost: the same deck over one cycle (parse, set-up, one cycle)
            one = Tran(step=machine.clock_period / 10, stop=1.5 * machine.clock_period,
                       max_step=machine.clock_period / 4)  # fmt: skip
            setup.append(simulate(dataclasses.replace(circuit, analyses=(one,))).elapsed)
            phases["build"].append(built - start)
            phases["write"].append(written - built)
            phases["ngspice"].append(result.elapsed)
            phases["read"].append(done - simulated + (simulated - written - result.elapsed))
            agree += int(decision == exact[variant][k])
            lines, cycles = len(deck.splitlines()), machine.cycles
            # energy: the same machine again, with the read supply's current and every probe
            probed, probes, flops = with_logic_probes(circuit)
            probed = dataclasses.replace(probed, saves=(*probed.saves, "i(vread)"))
            waves = simulate(probed).waveforms
            t = np.asarray(waves.axis, dtype=np.float64)
            power = np.abs(np.asarray(waves.i("vread"))) * memory.v_read
            read = float(np.sum((power[1:] + power[:-1]) / 2 * np.diff(t)))
            energy["read"].append(read)
            energy["pulsed"].append(read * READ_PULSE / machine.clock_period)
            bits_read = machine.bits * machine.cycles
            bits_read *= len(machine.block_order) if variant == "stochastic" else machine.classes
            energy["sense"].append(bits_read * E_SENSE)
            node_toggles = toggles(waves, machine.vdd, probes)
            clock = 2 * machine.cycles * flops
            energy["logic"].append((node_toggles + clock) * C_NODE * machine.vdd**2)
            print(f"{variant} decision {k}: {decode(result.waveforms, machine).tolist()} -> "
                  f"{decision}, exact naive Bayes {exact[variant][k]}; {node_toggles} node "
                  f"toggles, {flops} flip-flops", flush=True)  # fmt: skip
        total = sum(statistics.median(v) for v in phases.values())
        print(f"\n{variant}: {lines}-line deck, {cycles} cycles; median seconds per decision "
              "(a shared 2-core machine):")  # fmt: skip
        for name, values in phases.items():
            median = statistics.median(values)
            print(f"  {name:8s} {median:8.3f} s  ({100 * median / total:4.1f} %)")
        ngspice = statistics.median(phases["ngspice"])
        fixed = statistics.median(setup)
        print(f"  of ngspice: {fixed:.3f} s fixed (a one-cycle run of the same deck: parse, "
              f"set-up, one cycle), {(ngspice - fixed) / max(1, cycles - 1) * 1e3:.1f} ms per "
              "further clock cycle")  # fmt: skip
        print(f"  agreement with exact naive Bayes: {agree} of {len(test)}")
        medians = {name: statistics.median(values) for name, values in energy.items()}
        machine_total = medians["pulsed"] + medians["sense"] + medians["logic"]
        static_total = medians["read"] + medians["sense"] + medians["logic"]
        print(f"  energy per decision (median): static read {medians['read']:.3g} J, pulsed "
              f"read {medians['pulsed']:.3g} J, sense amplifiers {medians['sense']:.3g} J, "
              f"logic {medians['logic']:.3g} J; pulsed total {machine_total:.3g} J = "
              f"microcontroller / {mcu / machine_total:.3g}; static total "
              f"{static_total:.3g} J\n", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
