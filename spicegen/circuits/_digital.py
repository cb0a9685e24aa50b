"""XSPICE digital building blocks: gates, LFSRs, comparators and counters as ``A`` elements.

Private helpers of ``spicegen.circuits.bayesian_machine``. Every block is a list of
``XspiceInstance`` on digital (event) nodes; ``digital_models`` gives the ``.model`` cards they
name. Digital nodes are not in ngspice's raw output: bridge them to analog nodes with
``dac_bridge`` (``bridge_out``) to read them as waveforms.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

from spicegen.netlist import Model, XspiceInstance

GATE_DELAY = 1e-9  # s, rise and fall delay of every gate and flip-flop

# model names used by the blocks below
AND, OR, XOR, BUF = "dg_and", "dg_or", "dg_xor", "dg_buf"
DFF0, DFF1, TFF = "dg_dff0", "dg_dff1", "dg_tff"
ADC, DAC = "dg_adc", "dg_dac"


def digital_models(vdd: float) -> tuple[Model, ...]:
    """``.model`` cards of the gates, flip-flops and bridges (logic levels 0 and ``vdd`` V)."""
    delays = (("rise_delay", GATE_DELAY), ("fall_delay", GATE_DELAY))
    flop = (("clk_delay", GATE_DELAY), ("set_delay", GATE_DELAY), ("reset_delay", GATE_DELAY))
    return (
        Model(AND, "d_and", delays),
        Model(OR, "d_or", delays),
        Model(XOR, "d_xor", delays),
        Model(BUF, "d_buffer", delays),
        Model(DFF0, "d_dff", (*flop, ("ic", 0))),
        Model(DFF1, "d_dff", (*flop, ("ic", 1))),
        Model(TFF, "d_tff", (*flop, ("ic", 0))),
        Model(ADC, "adc_bridge", (("in_low", 0.4 * vdd), ("in_high", 0.6 * vdd))),
        Model(
            DAC,
            "dac_bridge",
            (
                ("out_low", 0.0),
                ("out_high", vdd),
                ("out_undef", vdd / 2),
                ("t_rise", GATE_DELAY),
                ("t_fall", GATE_DELAY),
            ),
        ),
    )


BRIDGE_PORTS = 64  # ports per bridge instance: ngspice 46 crashes on much longer vectors


def bridges(
    name: str, model: str, inputs: Sequence[str], outputs: Sequence[str]
) -> list[XspiceInstance]:
    """``adc_bridge``/``dac_bridge`` instances ``name``, ``name``1, .. of at most
    ``BRIDGE_PORTS`` ports each, port ``k`` from ``inputs[k]`` to ``outputs[k]``."""
    chunks = range(0, len(inputs), BRIDGE_PORTS)
    return [
        XspiceInstance(
            name if start == 0 else f"{name}{start // BRIDGE_PORTS}",
            (
                tuple(inputs[start : start + BRIDGE_PORTS]),
                tuple(outputs[start : start + BRIDGE_PORTS]),
            ),
            model,
        )
        for start in chunks
    ]


def driven_nodes(instances: Sequence[XspiceInstance]) -> tuple[list[str], int]:
    """The digital nodes driven by gates and flip-flops (not bridges), and the number of
    flip-flops (the clock's load)."""
    nodes: list[str] = []
    flops = 0
    for instance in instances:
        if instance.model in (DFF0, DFF1, TFF):
            flops += 1
            outputs = instance.connections[4:6]
        elif instance.model in (AND, OR, XOR, BUF):
            outputs = instance.connections[-1:]
        else:
            continue
        nodes += [node for node in outputs if isinstance(node, str) and node != "NULL"]
    return nodes, flops


def gate(name: str, inputs: Sequence[str], output: str) -> XspiceInstance:
    """``name`` is the instance name; its model is picked from the prefix: and/or/xor/buf."""
    kind = name.split("_", 1)[0][1:]
    model = {"and": AND, "or": OR, "xor": XOR}.get(kind)
    if model is None or len(inputs) == 1:
        return XspiceInstance(name, (inputs[0], output), BUF)
    return XspiceInstance(name, (tuple(inputs), output), model)


# -- LFSR --------------------------------------------------------------------------------------
def lfsr_step(state: int, taps: tuple[int, ...], bits: int) -> int:
    """One Fibonacci LFSR step: shift left, new bit 0 = XOR of the tapped state bits."""
    feedback = 0
    for tap in taps:
        feedback ^= (state >> tap) & 1
    return ((state << 1) & ((1 << bits) - 1)) | feedback


def _period(taps: tuple[int, ...], bits: int) -> int:
    state, count = 1, 0
    while True:
        state = lfsr_step(state, taps, bits)
        count += 1
        if state == 1 or count > 1 << bits:
            return count


@cache
def maximal_taps(bits: int) -> tuple[tuple[int, ...], ...]:
    """Tap sets (state-bit indices, MSB first) of maximal-length ``bits``-bit LFSRs.

    Two- and four-tap sets that include the MSB, in a fixed order; each has period
    ``2**bits - 1`` (every nonzero state once).
    """
    found = []
    for extra in (1, 3):
        for rest in itertools.combinations(range(bits - 1), extra):
            taps = (bits - 1, *sorted(rest, reverse=True))
            if _period(taps, bits) == (1 << bits) - 1:
                found.append(taps)
    return tuple(found)


def lfsr(
    prefix: str, clock: str, taps: tuple[int, ...], seed: int, bits: int
) -> tuple[list[XspiceInstance], list[str], list[str]]:
    """A Fibonacci LFSR of D flip-flops clocked on ``clock``'s rising edge, starting at ``seed``.

    Returns (elements, Q nodes LSB first, inverted-Q nodes LSB first). Flip-flop ``k`` holds
    bit ``k`` of the state; bit 0 takes the XOR of the tapped bits.
    """
    q = [f"{prefix}q{k}" for k in range(bits)]
    qn = [f"{prefix}qn{k}" for k in range(bits)]
    feedback = f"{prefix}fb"
    elements = [gate(f"Axor_{prefix}", [q[t] for t in taps], feedback)]
    for k in range(bits):
        data = feedback if k == 0 else q[k - 1]
        elements.append(
            XspiceInstance(
                f"Adff_{prefix}{k}",
                (data, clock, "NULL", "NULL", q[k], qn[k]),
                DFF1 if (seed >> k) & 1 else DFF0,
            )
        )
    return elements, q, qn


# -- comparator and counter --------------------------------------------------------------------
def less_or_equal(
    prefix: str, r_inverted: Sequence[str], code: Sequence[str], output: str
) -> list[XspiceInstance]:
    """``output = (r <= code)`` for unsigned buses given LSB first (``r`` as its inverse).

    A carry chain: ``r <= c`` is the carry out of ``c + ~r + 1``; bit ``k``'s carry is the
    majority of ``c_k``, ``~r_k`` and the carry below (bit 0: ``c_0 OR ~r_0``).
    """
    bits = len(code)
    elements = []
    carry = f"{prefix}le0" if bits > 1 else output
    elements.append(gate(f"Aor_{prefix}0", [code[0], r_inverted[0]], carry))
    for k in range(1, bits):
        a, b = code[k], r_inverted[k]
        pairs = [f"{prefix}m{k}_{j}" for j in range(3)]
        nxt = output if k == bits - 1 else f"{prefix}le{k}"
        elements += [
            gate(f"Aand_{prefix}{k}a", [a, b], pairs[0]),
            gate(f"Aand_{prefix}{k}b", [a, carry], pairs[1]),
            gate(f"Aand_{prefix}{k}c", [b, carry], pairs[2]),
            gate(f"Aor_{prefix}{k}", pairs, nxt),
        ]
        carry = nxt
    return elements


def counter(
    prefix: str, clock: str, enable: str, bits: int
) -> tuple[list[XspiceInstance], list[str]]:
    """A synchronous up-counter of T flip-flops: +1 on each rising clock edge with ``enable`` 1.

    Returns (elements, Q nodes LSB first); it starts at 0.
    """
    q = [f"{prefix}q{k}" for k in range(bits)]
    elements = []
    toggle = enable
    for k in range(bits):
        elements.append(
            XspiceInstance(f"Atff_{prefix}{k}", (toggle, clock, "NULL", "NULL", q[k], "NULL"), TFF)
        )
        if k < bits - 1:
            nxt = f"{prefix}t{k + 1}"
            elements.append(gate(f"Aand_{prefix}t{k + 1}", [toggle, q[k]], nxt))
            toggle = nxt
    return elements, q
