"""The logarithmic Bayesian machine (arXiv 2406.03492): adders of log-likelihoods in XSPICE.

Built through ``bayesian_machine.from_likelihoods(..., variant="logarithmic")``. Each
likelihood is stored as an ``n``-bit cost ``code = min(2**n - 1, round(-ln p / log_step))``
(``p = 0`` and anything beyond the range saturate at ``2**n - 1``), so a product of
likelihoods becomes a sum of codes and the most probable class has the smallest sum.

The memory is read one observation per clock cycle: a one-hot ring of D flip-flops
(``ph{i}``, high during cycle ``i``) gates the word lines, ``sel{i}_{v} = ph{i} AND
wl{i}_{v}``, so each class's code bus carries the stored cost of observation ``i``'s observed
value in cycle ``i`` (the prior's in the last cycle when ``priors`` are given). Per class a
ripple-carry adder (XOR / majority full adders) adds the bus to a register of D flip-flops
that latches the sum on every rising clock edge: after one cycle per observation the
register holds ``sum_i code[y][i][o_i]`` (later cycles add 0). The decision is the argmin.

Readable analog nodes: ``clk``, word lines ``wl{i}_{v}``, the ring ``ph{i}`` (``php`` the
prior's cycle), the row selects ``sel{i}_{v}`` and ``acc{y}_{k}`` (class ``y``'s register,
LSB first). With ``Memristor2T2R`` memory every class has one 2T2R array of ``sum(values)``
rows (observation-major) whose access switches follow ``sel{i}_{v}``; its sense amplifiers
``saL{y}_{k}`` are read into the adder only while an observation row is selected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from spicegen.circuits import _digital as dg
from spicegen.circuits import bayesian_machine as bm
from spicegen.circuits._checks import check_positive
from spicegen.netlist import (
    Circuit,
    Model,
    Tran,
    XspiceInstance,
)
from spicegen.seeds import circuit_rng

__all__ = ["default_log_step", "log_quantise"]


def default_log_step(probabilities: Sequence[float], bits: int) -> float:
    """Cost step (nats per code LSB) putting the smallest nonzero probability at full scale."""
    positive = [p for p in probabilities if p > 0.0]
    smallest = min(positive) if positive else 1.0
    if smallest >= 1.0:
        return 1.0  # every likelihood is 1 (or 0): any step stores them exactly
    return -math.log(smallest) / ((1 << bits) - 1)


def log_quantise(probability: float, bits: int, step: float) -> int:
    """Stored cost of a probability: ``min(2**bits - 1, round(-ln p / step))``."""
    full = (1 << bits) - 1
    if probability <= 0.0:
        return full
    return min(full, round(-math.log(probability) / step))


def build(
    probs: list[list[list[float]]],
    bits: int,
    obs: tuple[int, ...],
    priors: list[float] | None,
    log_step: float | None,
    period: float,
    high: float,
    memory: bm.Memory,
) -> tuple[Circuit, bm.BayesianMachine]:
    """The logarithmic machine from checked inputs (``from_likelihoods`` checks them)."""
    classes, values = len(probs), tuple(len(b) for b in probs[0])
    flat = [p for per_class in probs for block in per_class for p in block] + (priors or [])
    step = default_log_step(flat, bits) if log_step is None else log_step
    step = check_positive(step, "log_step")
    codes = tuple(
        tuple(tuple(log_quantise(p, bits, step) for p in block) for block in per_class)
        for per_class in probs
    )
    prior_codes = None if priors is None else tuple(log_quantise(p, bits, step) for p in priors)
    rows = len(values) + (prior_codes is not None)  # cycles: one per observation (+ prior)
    width = bits + max(1, rows.bit_length())  # the sum of `rows` codes never overflows

    elements, analog_in, digital_in = bm._sources(values, obs, period, high)
    word_lines = analog_in[2:]

    # the ring: ph0 starts high, each edge passes it on; after the last row all are low
    phases = [f"dph{i}" for i in range(len(values))] + (["dphp"] if prior_codes is not None else [])
    gates: list[XspiceInstance] = []
    for r, node in enumerate(phases):
        data = "dzero" if r == 0 else phases[r - 1]
        model = dg.DFF1 if r == 0 else dg.DFF0
        gates.append(
            XspiceInstance(f"Adff_ring{r}", (data, "dclk", "NULL", "NULL", node, "NULL"), model)
        )
    selects = {}
    for i, n in enumerate(values):
        for v in range(n):
            selects[i, v] = f"dsel{i}_{v}"
            gates.append(dg.gate(f"Aand_sel{i}_{v}", [f"dph{i}", f"dwl{i}_{v}"], selects[i, v]))
    dac_digital = [*phases, *selects.values()]
    dac_analog = [node[1:] for node in dac_digital]  # ph0.., php, sel{i}_{v}

    models: list[Model] = []
    resistances = []
    if isinstance(memory, bm.Memristor2T2R):
        bm._read_supplies(memory, high, elements, models)
        rng = circuit_rng(memory.seed)
        active = "dobs"  # an observation row is selected: the sense amplifiers are valid
        gates.append(dg.gate("Aor_obs", [f"dph{i}" for i in range(len(values))], active))

    counter_nodes = []
    for y in range(classes):
        bus = []
        if isinstance(memory, bm.Memristor2T2R):
            row_codes = [codes[y][i][v] for i, n in enumerate(values) for v in range(n)]
            controls = [f"sel{i}_{v}" for i, n in enumerate(values) for v in range(n)]
            cells = bm._memristor_bits(f"L{y}", controls, row_codes, bits, memory, rng, elements)
            resistances.append(cells)
            for k in range(bits):
                analog_in.append(f"saL{y}_{k}")
                digital_in.append(f"dsa{y}_{k}")
                gates.append(dg.gate(f"Aand_rd{y}_{k}", [f"dsa{y}_{k}", active], f"drd{y}_{k}"))
        for k in range(bits):
            lines = [f"drd{y}_{k}"] if isinstance(memory, bm.Memristor2T2R) else []
            if not lines:
                lines = [selects[i, v] for (i, v) in selects if (codes[y][i][v] >> k) & 1]
            if prior_codes is not None and (prior_codes[y] >> k) & 1:
                lines.append("dphp")
            if not lines:
                bus.append("dzero")
                continue
            bus.append(f"dbus{y}_{k}")
            gates.append(dg.gate(f"Aor_bus{y}_{k}", lines, bus[-1]))
        adder, register = _accumulator(f"a{y}", bus + ["dzero"] * (width - bits))
        gates += adder
        dac_digital += register
        nodes = tuple(f"acc{y}_{k}" for k in range(width))
        dac_analog += nodes
        counter_nodes.append(nodes)
    gates += dg.bridges("Adac", dg.DAC, dac_digital, dac_analog)
    gates += dg.bridges("Aadc", dg.ADC, analog_in, digital_in)

    machine = bm.BayesianMachine(
        classes=classes,
        values=values,
        bits=bits,
        cycles=rows,
        clock_period=period,
        vdd=high,
        observation=obs,
        codes=codes,
        prior_codes=prior_codes,
        block_order=tuple((y, i) for y in range(classes) for i in range(len(values))),
        taps=(),
        seeds=(),
        stream_nodes=(),
        block_nodes=(),
        counter_nodes=tuple(counter_nodes),
        cell_resistances=tuple(resistances) if bm._resistor_memory(memory) else None,
        variant="logarithmic",
        log_step=step,
    )
    circuit = Circuit(
        title=(
            f"logarithmic bayesian machine {classes} classes x {len(values)} observations, "
            f"{bits} bits"
        ),
        elements=(*elements, *gates),
        models=(*dg.digital_models(high), *models),
        subckts=bm._memory_subckts(memory),
        analyses=(Tran(step=period / 10, stop=machine.stop_time, max_step=period / 4),),
        saves=tuple(f"v({node})" for node in ["clk", *word_lines, *dac_analog]),
    )
    return circuit, machine


def _accumulator(prefix: str, bus: list[str]) -> tuple[list[XspiceInstance], list[str]]:
    """A register of D flip-flops (starting at 0) loading ``register + bus`` on every rising
    edge of ``dclk``: a ripple-carry adder of XOR sums and majority carries, LSB first."""
    q = [f"{prefix}q{k}" for k in range(len(bus))]
    elements: list[XspiceInstance] = []
    carry = "dzero"
    for k, b in enumerate(bus):
        total = f"{prefix}s{k}"
        inputs = [q[k]] if b == "dzero" else [q[k], b]
        if carry != "dzero":
            inputs.append(carry)
        elements.append(dg.gate(f"Axor_{prefix}s{k}", inputs, total))
        if k < len(bus) - 1:  # the top carry is never needed: the width holds every sum
            nxt = f"{prefix}c{k + 1}"
            if len(inputs) == 1:
                nxt = "dzero"
            elif len(inputs) == 2:
                elements.append(dg.gate(f"Aand_{prefix}c{k + 1}", inputs, nxt))
            else:
                pairs = [f"{prefix}m{k}_{j}" for j in range(3)]
                for j, (a, c) in enumerate(((0, 1), (0, 2), (1, 2))):
                    elements.append(
                        dg.gate(f"Aand_{prefix}m{k}_{j}", [inputs[a], inputs[c]], pairs[j])
                    )
                elements.append(dg.gate(f"Aor_{prefix}c{k + 1}", pairs, nxt))
            carry = nxt
        elements.append(
            XspiceInstance(
                f"Adff_{prefix}{k}", (total, "dclk", "NULL", "NULL", q[k], "NULL"), dg.DFF0
            )
        )
    return elements, q
