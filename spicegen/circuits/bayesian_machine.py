"""Bayesian machine: naive-Bayes inference in stochastic computing (physics.md section 4).

``from_likelihoods(table, bits, observation=...)`` builds the machine for one observation vector
as ngspice XSPICE digital logic and returns ``(Circuit, BayesianMachine)``; ``decode`` reads
each class's count from the simulated waveforms, ``decide`` the inferred class.

Per (class ``y``, observation ``i``) one likelihood block: a ROM holding
``code = round(p * (2**bits - 1))`` for every value of observation ``i`` (ideal bits: word line
``wl{i}_{v}`` is OR-ed into each bit line whose stored bit is 1), an LFSR of its own (own tap
polynomial and seed) and a comparator giving bit 1 when the LFSR value ``r`` (1 .. 2**bits - 1)
is ``<= code``, so a full LFSR period has exactly ``code`` ones (probability
``code / (2**bits - 1)``). One AND gate per class across its blocks (and a prior block when
``priors`` are given), one counter per class. Word lines are analog DC sources read through
``adc_bridge``; the streams and counter bits come back through ``dac_bridge``.

Analog (readable) nodes: ``wl{i}_{v}`` word lines, ``clk`` the clock (rising edges at
``k * clock_period``, k = 1 .. cycles), ``s{y}_{i}`` block streams (``s{y}_p`` the prior),
``and{y}`` the AND streams, ``cnt{y}_{k}`` counter bit k. Cycle ``k`` (0-based) holds its bits
from ``k * clock_period`` to the next edge; the counters count cycles 0 .. cycles-1.

Memory: ``IdealBits()`` (default) or ``Memristor2T2R(...)``: 2T2R pairs of resistive devices
behind access switches on the word lines, read by a behavioural differential sense amplifier
(nodes ``bl{y}_{i}_{k}``, ``blb{y}_{i}_{k}``, ``sa{y}_{i}_{k}``). The devices are resistors or
any two-terminal compiled model (``Memristor2T2R(device=CompiledDevice(...))``, each cell its
own instance with its own draws). Left out: a transistor-level pre-charge sense amplifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from spicegen.circuits import _digital as dg
from spicegen.circuits._checks import FloatArray, check_positive
from spicegen.circuits._drives import Waves
from spicegen.circuits._weights import (
    LinearConductance,
    WeightMapping,
    check_device_mapping,
    mapped_values,
)
from spicegen.circuits.devices import (
    CompiledDevice,
    Device,
    ResistorDevice,
    device_instance,
    instance_values,
)
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import (
    Circuit,
    Element,
    Model,
    Pulse,
    Resistor,
    Subckt,
    Tran,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
)
from spicegen.seeds import circuit_rng

IntArray = np.ndarray


@dataclass(frozen=True, slots=True)
class IdealBits:
    """Likelihood memory of ideal bits: each code bit is the OR of the word lines storing a 1."""


@dataclass(frozen=True, slots=True)
class Memristor2T2R:
    """Likelihood memory of binary memristors in 2T2R pairs with a differential sense amplifier.

    Each stored bit is a pair of resistive devices on bit lines ``bl``/``blb``, one per value
    row, each behind an access switch (``r_access`` ohm when its word line is high): bit 1 =
    ``bl`` device in the low state ``r_low``, ``blb`` device in ``r_high`` (bit 0 the reverse).
    Both lines are pulled up from ``v_read`` V through ``r_load`` ohm; the sense amplifier is
    behavioural: a VCVS of gain ``sense_gain`` on ``V(blb) - V(bl)`` around ``vdd/2``, read by
    the ``adc_bridge`` (it decides as a pre-charge sense amplifier does, on which device of the
    pair conducts more; the transistor-level latch is not modelled). ``sigma``: lognormal
    device-to-device spread of every resistance (log-space SD), drawn with ``seed``.

    ``device``: ``ResistorDevice()`` (default; the resistances above) or a ``CompiledDevice``
    whose ``parameter`` a stored bit sets through ``mapping`` (bit 1 is weight 1 on ``bl``;
    default ``LinearConductance(1/r_high, 1/r_low)``, a ``LinearState`` for a state
    parameter). Each compiled cell draws its own variates from the device's seed (``sigma``
    must then be 0: the model's own spread applies).
    """

    r_low: float = 5e3
    r_high: float = 100e3
    sigma: float = 0.0
    seed: int = 0
    v_read: float = 0.2
    r_load: float = 20e3
    r_access: float = 1e3
    sense_gain: float = 1e3
    device: Device = field(default_factory=ResistorDevice)
    mapping: WeightMapping | None = None

    def __post_init__(self) -> None:
        for name in ("r_low", "r_high", "v_read", "r_load", "r_access", "sense_gain"):
            field = f"Memristor2T2R.{name}"
            object.__setattr__(self, name, check_positive(getattr(self, name), field))
        value = check_positive(self.sigma, "Memristor2T2R.sigma", allow_zero=True)
        object.__setattr__(self, "sigma", value)
        if type(self.seed) is not int or self.seed < 0:
            raise CircuitSpecError(
                f"expected an int >= 0, got {self.seed!r}", field="Memristor2T2R.seed"
            )
        if self.r_high <= self.r_low:
            raise CircuitSpecError(
                f"expected r_high > r_low, got {self.r_high!r} <= {self.r_low!r}",
                field="Memristor2T2R.r_high",
            )
        mapping = self.mapping
        if mapping is None:
            mapping = LinearConductance(1.0 / self.r_high, 1.0 / self.r_low)
        check_device_mapping(self.device, mapping, "Memristor2T2R")
        object.__setattr__(self, "mapping", mapping)
        if isinstance(self.device, CompiledDevice) and self.sigma != 0:
            raise CircuitSpecError(
                "a compiled device brings its own spread; leave sigma at 0",
                field="Memristor2T2R.sigma",
            )


Memory = IdealBits | Memristor2T2R


@dataclass(frozen=True, slots=True)
class BayesianMachine:
    """What ``from_likelihoods`` built: sizes, stored codes, LFSRs and the readable nodes.

    ``codes[y][i][v]``: stored code of P(o_i = v | y); ``prior_codes[y]`` or ``None``.
    ``taps[b]``/``seeds[b]``: LFSR of block ``b`` in ``block_order`` (``(y, i)``, ``i == -1``
    for a prior block). ``stream_nodes[y]``: the AND output of class ``y``;
    ``block_nodes[y]``: its block streams; ``counter_nodes[y]``: its counter bits, LSB first.
    ``cell_resistances[b][v][k]``: ohm of the (``bl``, ``blb``) devices of block ``b``, value
    row ``v``, bit ``k`` (``Memristor2T2R`` memories only, observation blocks only).

    ``variant="logarithmic"`` (``log_bayesian_machine``): ``codes`` and ``prior_codes`` are
    the stored costs ``round(-ln p / log_step)``, ``counter_nodes[y]`` the bits of class
    ``y``'s accumulator, ``cycles`` one per observation (and one for the prior); no LFSRs
    (``taps``, ``seeds``, ``stream_nodes`` and ``block_nodes`` empty), and
    ``cell_resistances[y][r][k]`` per class over the rows ``r`` (observation-major).
    """

    classes: int
    values: tuple[int, ...]
    bits: int
    cycles: int
    clock_period: float
    vdd: float
    observation: tuple[int, ...]
    codes: tuple[tuple[tuple[int, ...], ...], ...]
    prior_codes: tuple[int, ...] | None
    block_order: tuple[tuple[int, int], ...]
    taps: tuple[tuple[int, ...], ...]
    seeds: tuple[int, ...]
    stream_nodes: tuple[str, ...]
    block_nodes: tuple[tuple[str, ...], ...]
    counter_nodes: tuple[tuple[str, ...], ...]
    cell_resistances: tuple[tuple[tuple[tuple[float, float], ...], ...], ...] | None = None
    variant: str = "stochastic"
    log_step: float | None = None

    @property
    def observations(self) -> int:
        return len(self.values)

    @property
    def full_scale(self) -> int:
        """``2**bits - 1``: the LFSR period and the code of probability 1."""
        return (1 << self.bits) - 1

    def sample_times(self) -> FloatArray:
        """Mid-cycle times (s) at which cycle k's bits are read, k = 0 .. cycles-1."""
        return np.asarray((np.arange(self.cycles) + 0.5) * self.clock_period, dtype=np.float64)

    @property
    def stop_time(self) -> float:
        """End of the transient (s): half a period after the last counting edge."""
        return (self.cycles + 0.5) * self.clock_period


def quantise(probability: float, bits: int) -> int:
    """Stored code of a probability: ``round(p * (2**bits - 1))``."""
    return round(probability * ((1 << bits) - 1))


def _probability(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise CircuitSpecError(f"expected a probability, got {value!r}", field=field)
    p = float(value)
    if not 0.0 <= p <= 1.0:
        raise CircuitSpecError(f"expected a probability in [0, 1], got {p!r}", field=field)
    return p


def _check_table(table: object) -> list[list[list[float]]]:
    if isinstance(table, str) or not isinstance(table, Sequence | np.ndarray):
        raise CircuitSpecError("expected table[class][observation][value]", field="table")
    rows = list(table)
    if not rows:
        raise CircuitSpecError("expected at least one class", field="table")
    result: list[list[list[float]]] = []
    shape: list[int] | None = None
    for y, per_class in enumerate(rows):
        if isinstance(per_class, str) or not isinstance(per_class, Sequence | np.ndarray):
            raise CircuitSpecError("expected a list of observations", field=f"table[{y}]")
        blocks = []
        for i, per_obs in enumerate(per_class):
            if isinstance(per_obs, str) or not isinstance(per_obs, Sequence | np.ndarray):
                raise CircuitSpecError("expected a list of values", field=f"table[{y}][{i}]")
            values = [_probability(p, f"table[{y}][{i}][{v}]") for v, p in enumerate(list(per_obs))]
            if not values:
                raise CircuitSpecError("expected at least one value", field=f"table[{y}][{i}]")
            blocks.append(values)
        if not blocks:
            raise CircuitSpecError("expected at least one observation", field=f"table[{y}]")
        lengths = [len(b) for b in blocks]
        if shape is not None and lengths != shape:
            raise CircuitSpecError(
                f"class {y} has value counts {lengths}, class 0 has {shape}", field="table"
            )
        shape = lengths
        result.append(blocks)
    return result


def _check_observation(observation: object, values: Sequence[int]) -> tuple[int, ...]:
    if isinstance(observation, str) or not isinstance(observation, Sequence | np.ndarray):
        raise CircuitSpecError("expected one value index per observation", field="observation")
    obs = list(observation)
    if len(obs) != len(values):
        raise CircuitSpecError(
            f"expected {len(values)} values, got {len(obs)}", field="observation"
        )
    for i, (o, n) in enumerate(zip(obs, values, strict=True)):
        if isinstance(o, bool) or not isinstance(o, int | np.integer) or not 0 <= o < n:
            raise CircuitSpecError(
                f"expected a value index in 0..{n - 1}", field=f"observation[{i}]"
            )
    return tuple(int(o) for o in obs)


# 8-bit seeds picked greedily (block b's seed minimises its worst |correlation| with blocks
# 0..b-1 over codes 32, 64, .., 224, each block on its own polynomial ``maximal_taps(8)[b]``):
# worst pair 0.085 up to 7 blocks, 0.111 up to 12
_SEEDS_8 = (1, 175, 11, 70, 161, 115, 190, 123, 28, 247, 182, 141)


def default_lfsrs(blocks: int, bits: int) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    """Taps and seeds of ``blocks`` decorrelated LFSRs: distinct polynomials, chosen seeds.

    Block ``b`` uses the ``b``-th maximal polynomial of ``_digital.maximal_taps`` (cycling when
    there are fewer). Seeds: for 8 bits the first 12 blocks take greedily decorrelated seeds,
    others (and other widths) ``1 + (b * 97) % (2**bits - 1)``.
    """
    polys = dg.maximal_taps(bits)
    full = (1 << bits) - 1
    taps = tuple(polys[b % len(polys)] for b in range(blocks))
    seeds = tuple(
        _SEEDS_8[b] if bits == 8 and b < len(_SEEDS_8) else 1 + (b * 97) % full
        for b in range(blocks)
    )
    return taps, seeds


def from_likelihoods(
    table: Sequence[Sequence[Sequence[float]]],
    bits: int = 8,
    *,
    observation: Sequence[int],
    priors: Sequence[float] | None = None,
    cycles: int | None = None,
    clock_period: float = 1e-6,
    vdd: float = 1.0,
    seeds: Sequence[int] | None = None,
    memory: Memory | None = None,
    variant: str = "stochastic",
    log_step: float | None = None,
) -> tuple[Circuit, BayesianMachine]:
    """The machine for ``table[class][observation][value]`` = P(o_i = v | y), given ``observation``.

    ``bits``: likelihood code and LFSR width (3..12). ``observation``: one value index per
    observation (selects the word lines). ``priors``: P(y), adds one constant block per class.
    ``cycles``: clock cycles counted (default one LFSR period, ``2**bits - 1``).
    ``clock_period`` in s, ``vdd`` logic high in V. ``seeds``: one nonzero LFSR seed per block
    (blocks ordered class-major, observations then the prior); default ``default_lfsrs``.
    ``memory``: ``IdealBits()`` (default) or ``Memristor2T2R(...)`` (priors stay ideal bits).
    The circuit carries its ``Tran``; simulate it and read it with ``decode``/``decide``.

    ``variant="logarithmic"``: the machine of arXiv 2406.03492 (``log_bayesian_machine``):
    costs ``round(-ln p / log_step)`` (default step: the smallest nonzero probability at full
    scale) summed by adders, one observation per cycle; ``cycles`` and ``seeds`` do not apply.
    """
    if type(bits) is not int or not 3 <= bits <= 12:
        raise CircuitSpecError(f"expected an int in 3..12, got {bits!r}", field="bits")
    probs = _check_table(table)
    classes, values = len(probs), tuple(len(b) for b in probs[0])
    obs = _check_observation(observation, values)
    full = (1 << bits) - 1
    n_cycles = full if cycles is None else cycles
    if type(n_cycles) is not int or not 1 <= n_cycles <= 1 << 16:
        raise CircuitSpecError(f"expected an int in 1..65536, got {cycles!r}", field="cycles")
    period = check_positive(clock_period, "clock_period")
    high = check_positive(vdd, "vdd")
    memory = IdealBits() if memory is None else memory
    if not isinstance(memory, IdealBits | Memristor2T2R):
        raise CircuitSpecError(
            f"expected IdealBits or Memristor2T2R, got {memory!r}", field="memory"
        )
    if variant not in ("stochastic", "logarithmic"):
        raise CircuitSpecError(
            f"expected 'stochastic' or 'logarithmic', got {variant!r}", field="variant"
        )
    if variant == "logarithmic":
        return _logarithmic(probs, bits, obs, priors, cycles, seeds, log_step, period, high, memory)
    if log_step is not None:
        raise CircuitSpecError("applies to variant='logarithmic' only", field="log_step")
    codes = tuple(tuple(tuple(quantise(p, bits) for p in blk) for blk in c) for c in probs)
    prior_codes: tuple[int, ...] | None = None
    if priors is not None:
        if isinstance(priors, str) or not hasattr(priors, "__len__") or len(priors) != classes:
            raise CircuitSpecError(f"expected {classes} probabilities", field="priors")
        prior_codes = tuple(
            quantise(_probability(p, f"priors[{y}]"), bits) for y, p in enumerate(priors)
        )
    order = [(y, i) for y in range(classes) for i in range(len(values))]
    if prior_codes is not None:
        order = [(y, i) for y in range(classes) for i in [*range(len(values)), -1]]
    taps, default_seeds = default_lfsrs(len(order), bits)
    if seeds is None:
        seed_list = default_seeds
    else:
        if isinstance(seeds, str) or not hasattr(seeds, "__len__") or len(seeds) != len(order):
            raise CircuitSpecError(f"expected {len(order)} seeds", field="seeds")
        for b, s in enumerate(seeds):
            if type(s) is not int or not 1 <= s <= full:
                raise CircuitSpecError(f"expected an int in 1..{full}", field=f"seeds[{b}]")
        seed_list = tuple(seeds)
    counter_bits = max(1, n_cycles.bit_length())

    elements, analog_in, digital_in = _sources(values, obs, period, high)
    word_lines = analog_in[2:]
    if prior_codes is not None:
        elements.append(VoltageSource("Vone", "one", "0", dc=high))
        analog_in.append("one")
        digital_in.append("done")
    gates: list[XspiceInstance] = []
    models: list[Model] = []
    resistances: list[tuple[tuple[tuple[float, float], ...], ...]] = []
    if isinstance(memory, Memristor2T2R):
        _read_supplies(memory, high, elements, models)
        rng = circuit_rng(memory.seed)

    dac_digital: list[str] = []
    dac_analog: list[str] = []
    block_nodes: list[list[str]] = [[] for _ in range(classes)]
    for b, (y, i) in enumerate(order):
        tag = f"{y}_{i}" if i >= 0 else f"{y}_p"
        prefix = f"b{tag}"
        code_nodes = []
        if i >= 0 and isinstance(memory, Memristor2T2R):
            word_lines_i = [f"wl{i}_{v}" for v in range(values[i])]
            cells = _memristor_bits(tag, word_lines_i, codes[y][i], bits, memory, rng, elements)
            resistances.append(cells)
            for k in range(bits):
                analog_in.append(f"sa{tag}_{k}")
                digital_in.append(f"{prefix}c{k}")
                code_nodes.append(f"{prefix}c{k}")
        for k in range(0 if not code_nodes else bits, bits):
            if i >= 0:
                lines = [f"dwl{i}_{v}" for v in range(values[i]) if (codes[y][i][v] >> k) & 1]
            else:
                assert prior_codes is not None
                lines = ["done"] if (prior_codes[y] >> k) & 1 else []
            if not lines:
                code_nodes.append("dzero")
                continue
            node = f"{prefix}c{k}"
            gates.append(dg.gate(f"Aor_{prefix}c{k}", lines, node))
            code_nodes.append(node)
        lfsr_gates, _, qn = dg.lfsr(prefix, "dclk", taps[b], seed_list[b], bits)
        gates += lfsr_gates
        stream = f"{prefix}s"
        gates += dg.less_or_equal(f"{prefix}k", qn, code_nodes, stream)
        block_nodes[y].append(f"s{tag}")
        dac_digital.append(stream)
        dac_analog.append(f"s{tag}")

    counter_nodes = []
    for y in range(classes):
        streams = [f"b{y}_{i}s" for i in range(len(values))]
        if prior_codes is not None:
            streams.append(f"b{y}_ps")
        gates.append(dg.gate(f"Aand_class{y}", streams, f"dand{y}"))
        dac_digital.append(f"dand{y}")
        dac_analog.append(f"and{y}")
        count_gates, q = dg.counter(f"n{y}", "dclk", f"dand{y}", counter_bits)
        gates += count_gates
        dac_digital += q
        nodes = tuple(f"cnt{y}_{k}" for k in range(counter_bits))
        dac_analog += nodes
        counter_nodes.append(nodes)
    gates += dg.bridges("Adac", dg.DAC, dac_digital, dac_analog)
    gates += dg.bridges("Aadc", dg.ADC, analog_in, digital_in)

    machine = BayesianMachine(
        classes=classes,
        values=values,
        bits=bits,
        cycles=n_cycles,
        clock_period=period,
        vdd=high,
        observation=obs,
        codes=codes,
        prior_codes=prior_codes,
        block_order=tuple(order),
        taps=taps,
        seeds=seed_list,
        stream_nodes=tuple(f"and{y}" for y in range(classes)),
        block_nodes=tuple(tuple(nodes) for nodes in block_nodes),
        counter_nodes=tuple(counter_nodes),
        cell_resistances=tuple(resistances) if _resistor_memory(memory) else None,
    )
    circuit = Circuit(
        title=f"bayesian machine {classes} classes x {len(values)} observations, {bits} bits",
        elements=(*elements, *gates),
        models=(*dg.digital_models(high), *models),
        subckts=_memory_subckts(memory),
        analyses=(Tran(step=period / 10, stop=machine.stop_time, max_step=period / 4),),
        # node voltages only: a vector dac_bridge writes one 'i(adac)' per port to the raw file
        saves=tuple(f"v({node})" for node in ["clk", *word_lines, *dac_analog]),
    )
    return circuit, machine


def _sources(
    values: tuple[int, ...], obs: tuple[int, ...], period: float, high: float
) -> tuple[list[Element], list[str], list[str]]:
    """The clock and the word lines (``wl{i}_{v}`` high for the observed values), and the
    ``adc_bridge``'s analog and digital nodes so far (the clock, ground, the word lines)."""
    elements: list[Element] = [
        VoltageSource(
            "Vclk",
            "clk",
            "0",
            waveform=Pulse(0.0, high, period, period / 100, period / 100, period / 2, period),
        )
    ]
    analog_in, digital_in = ["clk", "0"], ["dclk", "dzero"]
    for i, n in enumerate(values):
        for v in range(n):
            elements.append(
                VoltageSource(f"Vwl{i}_{v}", f"wl{i}_{v}", "0", dc=high if v == obs[i] else 0.0)
            )
            analog_in.append(f"wl{i}_{v}")
            digital_in.append(f"dwl{i}_{v}")
    return elements, analog_in, digital_in


def _read_supplies(
    memory: Memristor2T2R, high: float, elements: list[Element], models: list[Model]
) -> None:
    """The 2T2R memory's read supply ``vread``, the sense reference ``half`` and the access
    switches' model."""
    elements += [
        VoltageSource("Vread", "vread", "0", dc=memory.v_read),
        VoltageSource("Vhalf", "half", "0", dc=high / 2),
    ]
    models.append(
        Model("sw_access", "sw", (("vt", high / 2), ("ron", memory.r_access), ("roff", 1e12)))
    )


def _logarithmic(
    probs: list[list[list[float]]],
    bits: int,
    obs: tuple[int, ...],
    priors: Sequence[float] | None,
    cycles: int | None,
    seeds: Sequence[int] | None,
    log_step: float | None,
    period: float,
    high: float,
    memory: Memory,
) -> tuple[Circuit, BayesianMachine]:
    """Check what only the logarithmic machine takes, then build it."""
    from spicegen.circuits import log_bayesian_machine

    for name, value in (("cycles", cycles), ("seeds", seeds)):
        if value is not None:
            raise CircuitSpecError(
                "the logarithmic machine takes one cycle per observation and no LFSRs",
                field=name,
            )
    prior_list = None
    if priors is not None:
        if isinstance(priors, str) or not hasattr(priors, "__len__") or len(priors) != len(probs):
            raise CircuitSpecError(f"expected {len(probs)} probabilities", field="priors")
        prior_list = [_probability(p, f"priors[{y}]") for y, p in enumerate(priors)]
    if log_step is not None:
        log_step = check_positive(log_step, "log_step")
    return log_bayesian_machine.build(probs, bits, obs, prior_list, log_step, period, high, memory)


def _resistor_memory(memory: Memory) -> bool:
    return isinstance(memory, Memristor2T2R) and isinstance(memory.device, ResistorDevice)


def _memory_subckts(memory: Memory) -> tuple[Subckt, ...]:
    """The compiled device's definition, when the memory has one."""
    if isinstance(memory, Memristor2T2R) and isinstance(memory.device, CompiledDevice):
        return (memory.device.model.subckt,)
    return ()


def _memristor_bits(
    tag: str,
    controls: Sequence[str],
    codes: Sequence[int],
    bits: int,
    memory: Memristor2T2R,
    rng: np.random.Generator,
    elements: list[Element],
) -> tuple[tuple[tuple[float, float], ...], ...]:
    """2T2R cells of one block (one row per code, its access switches on the analog node
    ``controls[row]``; one pair per bit) and their sense amplifiers ``sa{tag}_{k}``."""
    device = memory.device
    assert memory.mapping is not None
    # what the device's parameter takes for a stored 0 and 1 (weights 0 and 1 of the mapping)
    low_high = instance_values(device, mapped_values(np.array([0.0, 1.0]), memory.mapping))
    settings = low_high.tolist()
    cells = []
    for v, code in enumerate(codes):
        row = []
        for k in range(bits):
            bit = (code >> k) & 1
            nominal = (memory.r_low, memory.r_high) if bit else (memory.r_high, memory.r_low)
            spread = np.exp(memory.sigma * rng.standard_normal(2)) if memory.sigma else (1, 1)
            pair = (float(nominal[0] * spread[0]), float(nominal[1] * spread[1]))
            row.append(pair)
            sides = (("a", f"bl{tag}_{k}", pair[0], bit), ("b", f"blb{tag}_{k}", pair[1], 1 - bit))
            for side, line, r, stored in sides:
                mid = f"m{tag}_{v}_{k}{side}"
                elements.append(
                    VSwitch(f"S{tag}_{v}_{k}{side}", line, mid, controls[v], "0", "sw_access")
                )
                if isinstance(device, CompiledDevice):
                    assert device.parameter is not None
                    given = {device.parameter: settings[stored]}
                    name = f"Xm{tag}_{v}_{k}{side}"
                    elements.append(device_instance(device, name, (mid, "0"), "memory", given))
                else:
                    elements.append(Resistor(f"Rm{tag}_{v}_{k}{side}", mid, "0", r))
        cells.append(tuple(row))
    for k in range(bits):
        elements += [
            Resistor(f"Rld{tag}_{k}a", "vread", f"bl{tag}_{k}", memory.r_load),
            Resistor(f"Rld{tag}_{k}b", "vread", f"blb{tag}_{k}", memory.r_load),
            Vcvs(
                f"Esa{tag}_{k}",
                f"sa{tag}_{k}",
                "half",
                f"blb{tag}_{k}",
                f"bl{tag}_{k}",
                memory.sense_gain,
            ),
        ]
    return tuple(cells)


def with_logic_probes(circuit: Circuit) -> tuple[Circuit, tuple[str, ...], int]:
    """``circuit`` with every gate and flip-flop output bridged to an analog node ``p_<node>``
    and saved (to count the logic's toggles in ngspice; it slows the simulation), the probe
    nodes and the number of flip-flops."""
    instances = [e for e in circuit.elements if isinstance(e, XspiceInstance)]
    nodes, flops = dg.driven_nodes(instances)
    probes = tuple(f"p_{node}" for node in nodes)
    bridges = dg.bridges("Aprobe", dg.DAC, nodes, probes)
    saves = (*circuit.saves, *(f"v({p})" for p in probes))
    return replace(circuit, elements=(*circuit.elements, *bridges), saves=saves), probes, flops


def toggles(waveforms: Waves, vdd: float, nodes: Sequence[str]) -> int:
    """Logic transitions (crossings of ``vdd / 2``) on the analog ``nodes`` over the run."""
    total = 0
    for node in nodes:
        level = np.asarray(waveforms.v(node)) > vdd / 2
        total += int(np.count_nonzero(level[1:] != level[:-1]))
    return total


# -- reading results ---------------------------------------------------------------------------
def _bits_at(waveforms: Waves, machine: BayesianMachine, node: str, times: FloatArray) -> IntArray:
    time = waveforms.axis
    if time is None:
        raise CircuitSpecError("expected transient waveforms", field="waveforms")
    values = np.interp(times, np.asarray(time), np.asarray(waveforms.v(node)))
    return np.asarray(values > machine.vdd / 2, dtype=np.int64)


def _stochastic_only(machine: BayesianMachine, what: str) -> None:
    if machine.variant != "stochastic":
        raise CircuitSpecError(f"the {machine.variant} machine has no {what}", field="machine")


def partial_sums(waveforms: Waves, machine: BayesianMachine) -> IntArray:
    """The logarithmic machine's accumulators after each cycle, shape (classes, cycles):
    column ``k`` is the summed cost of rows 0..k (read mid-way through cycle ``k + 1``)."""
    if machine.variant != "logarithmic":
        raise CircuitSpecError("expected a logarithmic machine", field="machine")
    times = machine.sample_times() + machine.clock_period
    sums = np.zeros((machine.classes, machine.cycles), dtype=np.int64)
    for y, nodes in enumerate(machine.counter_nodes):
        for k, node in enumerate(nodes):
            sums[y] += _bits_at(waveforms, machine, node, times) << k
    return sums


def streams(waveforms: Waves, machine: BayesianMachine) -> IntArray:
    """Each class's AND stream as bits, shape (classes, cycles), read at mid-cycle."""
    _stochastic_only(machine, "streams")
    times = machine.sample_times()
    return np.stack([_bits_at(waveforms, machine, n, times) for n in machine.stream_nodes])


def block_streams(waveforms: Waves, machine: BayesianMachine) -> IntArray:
    """Every block's comparator stream, shape (classes, blocks per class, cycles)."""
    _stochastic_only(machine, "block streams")
    times = machine.sample_times()
    return np.stack(
        [
            np.stack([_bits_at(waveforms, machine, n, times) for n in nodes])
            for nodes in machine.block_nodes
        ]
    )


def decode(waveforms: Waves, machine: BayesianMachine) -> IntArray:
    """Each class's counter value at the end of the transient, shape (classes,); the
    logarithmic machine's accumulated costs."""
    end = np.array([machine.stop_time])
    counts = []
    for nodes in machine.counter_nodes:
        bits = [int(_bits_at(waveforms, machine, n, end)[0]) for n in nodes]
        counts.append(sum(bit << k for k, bit in enumerate(bits)))
    return np.array(counts, dtype=np.int64)


def decide(waveforms: Waves, machine: BayesianMachine, threshold: int | None = None) -> int:
    """The inferred class: argmax of the counters (lowest index on ties), or with ``threshold``
    the first class whose count reaches it (argmax when none does). The logarithmic machine:
    the argmin of its accumulated costs (lowest index on ties; no threshold)."""
    if machine.variant == "logarithmic":
        if threshold is not None:
            raise CircuitSpecError("the logarithmic machine has no threshold", field="threshold")
        return int(np.argmin(decode(waveforms, machine)))
    if threshold is not None:
        if type(threshold) is not int or threshold < 1:
            raise CircuitSpecError(f"expected an int >= 1, got {threshold!r}", field="threshold")
        cumulative = np.cumsum(streams(waveforms, machine), axis=1)
        reached = cumulative >= threshold
        if reached.any():
            first = np.where(reached.any(axis=1), reached.argmax(axis=1), machine.cycles)
            return int(np.argmin(first))
    return int(np.argmax(decode(waveforms, machine)))


__all__ = [
    "BayesianMachine",
    "IdealBits",
    "Memory",
    "Memristor2T2R",
    "block_streams",
    "decide",
    "decode",
    "default_lfsrs",
    "from_likelihoods",
    "partial_sums",
    "quantise",
    "streams",
    "toggles",
    "with_logic_probes",
]
