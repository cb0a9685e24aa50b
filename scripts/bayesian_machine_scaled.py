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
  * sense amplifiers: behavioural in the machine; each bit read per cycle costs the energy of
    one read of the transistor-level pre-charge sense amplifier
    (``sense_amplifier_bayesian``: generic 130 nm level-1 cards at the machine's ``vdd``, a
    2T2R pair of the same 5 k / 100 k ohm on bit lines of 16 rows), simulated here: its
    supply's ``v * i`` over a read plus the sense-enable driver's charge. That read
    discharges the bit lines through the devices, so it holds the cells' read current too:
    the total with it is sense amplifiers plus logic (the pulsed read of the resistive
    divider is a different read scheme, printed for comparison). Before this was simulated,
    4 fJ per read was ASSUMED (``E_SENSE_ASSUMED``);
  * logic: the simulated toggles of every gate and flip-flop output times an ASSUMED ``C_NODE``
    and ``vdd**2``, plus the clock: two edges per cycle into every flip-flop's clock input
    (``C_NODE`` each);
- a microcontroller doing the same naive-Bayes decision: its Cortex-M0+ cycles compiled with
  ``arm-none-eabi-gcc -O2`` and counted along the executed path (``scripts/mcu_cycles.py``;
  ``COMPILED_CYCLES`` when the compiler is absent), next to the earlier hand count
  (``mcu_cycles``), times the energy per cycle of the STM32L031 datasheet (DS10668 Rev 6:
  "down to 76 uA/MHz in Run mode", at 1.8 V).

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
from spicegen.circuits.sense_amplifier_bayesian import (
    SenseAmplifier,
    bits_read,
    read_circuit,
    read_energy,
)
from spicegen.learn.naive_bayes import exact_decisions, log_costs, prototype_model, quantised_tables
from spicegen.netlist import Tran, to_ngspice
from spicegen.sim import simulate

BITS = 8
VDD = 1.0  # V, the machines' logic (from_likelihoods' default vdd)
# ASSUMED, not measured: a small gate's load in a 130 nm process (its fan-out's input
# capacitance plus local wire) is of the order of 1 fF; the machine's logic runs at 1 V
C_NODE = 1e-15  # F per toggling node and per flip-flop clock input
E_SENSE_ASSUMED = 4 * C_NODE * 1.0**2  # J per bit read, the earlier assumption (~4 nodes)
# A pulsed read (word line on for READ_PULSE of each cycle, as a pre-charge sense amplifier
# does) costs the static read times READ_PULSE / clock period: scaled, not simulated
READ_PULSE = 10e-9  # s
# STM32L031 (Cortex-M0+), datasheet DS10668 Rev 6: down to 76 uA/MHz in Run mode; at 1.8 V
MCU_JOULES_PER_CYCLE = 76e-6 / 1e6 * 1.8  # 137 pJ
# scripts/mcu_cycles.py with arm-none-eabi-gcc 12.2.1 (Debian 15:12.2.rel1-1), -O2: the same
# for every test sample; used only when the compiler is not installed
COMPILED_CYCLES = 118


def sense_energy(vdd: float, memory: Memristor2T2R, rows: int) -> float:
    """J per bit read by the transistor-level PCSA at ``vdd`` (``memory``'s resistances,
    ``rows`` cells per bit line), from ngspice; it must read both bits right."""
    amplifier = SenseAmplifier(vdd=vdd, r_low=memory.r_low, r_high=memory.r_high, rows=rows)
    energies = []
    for bit in (0, 1):
        waves = simulate(read_circuit(bit, amplifier, reads=2)).waveforms
        if bits_read(waves, amplifier) != [bit, bit]:
            raise SystemExit(f"the sense amplifier misread a stored {bit}")
        energies.append(read_energy(waves, amplifier).total)
    return max(energies)


def microcontroller_cycles() -> tuple[int, str]:
    """The compiled count (``scripts/mcu_cycles.py``) and where it came from."""
    from mcu_cycles import compiled_cycles  # scripts/ is on the path when this script runs

    compiled = compiled_cycles()
    if compiled is None:
        return COMPILED_CYCLES, "recorded, arm-none-eabi-gcc 12.2.1 (the compiler is absent)"
    return compiled[0], f"compiled now, {compiled[1]}"


def mcu_cycles(classes: int, observations: int) -> int:
    """Cortex-M0+ cycles of one naive-Bayes decision in log space, the earlier hand count
    (superseded by the compiled one, ``microcontroller_cycles``): per (class, observation)
    LDRB of the observed value (2), address arithmetic (2: ADDS of the row offset, LSLS),
    LDRH of the stored log-likelihood (2), ADDS (1); per class a CMP and a conditional move
    (3); and a call and return (6). It left out the loops' counters and branches."""
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
    cycles_mcu, source = microcontroller_cycles()
    by_hand = mcu_cycles(*model.table.shape[:2])
    mcu = cycles_mcu * MCU_JOULES_PER_CYCLE
    print(f"model: {model.table.shape} (classes, observations, values), {len(model.test)} "
          f"test samples; microcontroller: {cycles_mcu} cycles ({source}), {mcu:.3g} J per "
          f"decision; the hand count was {by_hand} cycles, "
          f"{by_hand * MCU_JOULES_PER_CYCLE:.3g} J")  # fmt: skip
    e_sense = sense_energy(VDD, memory, model.table.shape[2])
    print(f"sense amplifier (transistor level, 130 nm level-1, 1.0 V): {e_sense:.3g} J per "
          f"bit read (assumed before: {E_SENSE_ASSUMED:.3g} J)")  # fmt: skip
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
            reads = machine.bits * machine.cycles
            reads *= len(machine.block_order) if variant == "stochastic" else machine.classes
            energy["sense"].append(reads * e_sense)
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
        machine_total = medians["sense"] + medians["logic"]  # the PCSA read holds the cells'
        pulsed_total = medians["pulsed"] + medians["sense"] + medians["logic"]
        print(f"  energy per decision (median): sense amplifiers (PCSA reads, cells included) "
              f"{medians['sense']:.3g} J, logic {medians['logic']:.3g} J; total "
              f"{machine_total:.3g} J = microcontroller / {mcu / machine_total:.3g} "
              f"(hand-counted microcontroller: / "
              f"{by_hand * MCU_JOULES_PER_CYCLE / machine_total:.3g}). For comparison, the "
              f"divider read: static {medians['read']:.3g} J, pulsed {medians['pulsed']:.3g} J; "
              f"pulsed + PCSA + logic {pulsed_total:.3g} J; with the assumed 4 fJ per read "
              f"the sense amplifiers were {medians['sense'] * E_SENSE_ASSUMED / e_sense:.3g} J"
              "\n", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
