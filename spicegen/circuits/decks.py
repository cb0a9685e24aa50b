"""Runnable decks of the generators: a deck = generator + sources + analysis, as a ``Circuit``.

``spicegen build``, the demo and ``scripts/regen_netlists.py`` write these; each is a complete
test circuit that ``simulate`` (or ``ngspice -b``) runs as it is. Devices are compiled models
handed in by the caller (``models.load("mtj")``), never loaded here. All in SI units.
"""

from __future__ import annotations

from collections.abc import Sequence

from spicegen.circuits import bayesian_machine
from spicegen.circuits._array import CellKind, CrossbarParams, Wires
from spicegen.circuits._checks import FloatArray, check_finite
from spicegen.circuits._weights import LinearConductance
from spicegen.circuits.crossbar import read_circuit
from spicegen.circuits.devices import CompiledDevice
from spicegen.circuits.errors import CircuitSpecError
from spicegen.circuits.neuron_pair import NeuronPairParams, neuron_pair
from spicegen.circuits.oscillator_neuron import (
    OscillatorNeuronParams,
    PopulationParams,
    oscillator_neuron,
    population,
)
from spicegen.netlist import Circuit, Op, Pulse, SubcktInstance, Tran, VoltageSource
from spicegen.seeds import circuit_rng
from spicegen.va import CompiledModel

__all__ = [
    "bayesian_machine_deck",
    "crossbar_read_deck",
    "neuron_pair_deck",
    "oscillator_neuron_deck",
    "random_weights",
    "resistive_crossbar",
]


def oscillator_neuron_deck(
    device: CompiledModel | CompiledDevice,
    v_in: Sequence[float] = (1.5,),
    *,
    r_load: float = 5e3,
    c: float = 1e-9,
    inhibition: float = 0.0,
    stop: float | None = None,
) -> Circuit:
    """Oscillator neurons of ``device`` driven by supply steps (0 -> ``v_in`` V at t = 0).

    One value of ``v_in``: one ``oscillator_neuron`` (``r_load`` ohm, ``c`` F), top-level
    nodes ``vdd``, ``m`` (membrane) and ``out`` (spike output, ``readout * I_device``). Several:
    a ``population`` of that size with lateral ``inhibition`` (S), nodes ``vdd{i}``, ``out{i}``
    and membranes ``xpop.m{i}``. ``stop`` (s): end of the transient, default ``6 r_load c``;
    the step is at most ``r_load c / 200``.
    """
    supplies = [check_finite(v, f"v_in[{i}]") for i, v in enumerate(v_in)]
    if not supplies:
        raise CircuitSpecError("expected at least one supply voltage", field="v_in")
    neuron = OscillatorNeuronParams(r_load=r_load, c=c)
    tau = neuron.r_load * neuron.c
    end = 6.0 * tau if stop is None else stop
    if not end > 0 or end == float("inf"):
        raise CircuitSpecError(f"expected a positive time, got {stop!r}", field="stop")
    # 200 steps per RC keep the relaxation's exponential segments within a fraction of a
    # percent; at least 100 steps over the run so a short --tran still resolves a spike
    step = min(tau / 200.0, end / 100.0)
    several = len(supplies) > 1
    sources = [
        VoltageSource(
            f"Vin{i}" if several else "Vin",
            f"vdd{i}" if several else "vdd",
            "0",
            waveform=Pulse(0.0, v, 0.0, 1e-12, 1e-12, 1.0, 2.0),
        )
        for i, v in enumerate(supplies)
    ]
    if not several:
        subckt = oscillator_neuron(device, neuron)
        instance = SubcktInstance("X1", ("vdd", "m", "out", "0"), subckt.name)
        title = f"oscillator neuron ({device.name}), {supplies[0]:g} V supply"
    else:
        n = len(supplies)
        subckt = population(device, PopulationParams(n, neuron, inhibition))
        ports = tuple(f"vdd{i}" for i in range(n)) + tuple(f"out{i}" for i in range(n))
        instance = SubcktInstance("Xpop", (*ports, "0"), subckt.name)
        title = f"{n} oscillator neurons ({device.name}), inhibition {inhibition:g} S"
    return Circuit(
        title=title,
        elements=(*sources, instance),
        subckts=(subckt,),
        analyses=(Tran(step=step, stop=end, max_step=step),),
    )


def neuron_pair_deck(
    mtj_model: CompiledModel | CompiledDevice, params: NeuronPairParams
) -> Circuit:
    """The MTJ ``neuron_pair`` at its operating point: top-level nodes ``v1`` (``f(I)``, V) and
    ``dout`` (``gain * (f2(I + dI) - f(I))``, V)."""
    pair = neuron_pair(mtj_model, params)
    bias, delta, mismatch = params.bias_current, params.delta_current, params.mismatch
    return Circuit(
        title=f"{mtj_model.name} neuron pair, I = {bias:g} A, dI = {delta:g} A, "
        f"mismatch {mismatch:g}",
        elements=(SubcktInstance("Xp", ("v1", "dout", "0"), pair.name),),
        subckts=(pair,),
        analyses=(Op(),),
    )


def bayesian_machine_deck(
    table: Sequence[Sequence[Sequence[float]]],
    observation: Sequence[int],
    *,
    bits: int = 8,
    cycles: int | None = None,
    priors: Sequence[float] | None = None,
    clock_period: float = 1e-6,
    variant: str = "stochastic",
) -> tuple[Circuit, bayesian_machine.BayesianMachine]:
    """``bayesian_machine.from_likelihoods`` (already a complete deck with its transient);
    ``variant="logarithmic"`` for the adders of log-likelihoods (then ``cycles`` is None)."""
    return bayesian_machine.from_likelihoods(
        table, bits, observation=observation, priors=priors, cycles=cycles,
        clock_period=clock_period, variant=variant,
    )  # fmt: skip


def crossbar_read_deck(
    weights: Sequence[Sequence[float]] | FloatArray,
    row_voltages: Sequence[float],
    *,
    cell: CellKind = "1R",
    g_min: float = 1e-6,
    g_max: float = 1e-4,
    wire: float = 0.0,
) -> tuple[Circuit, CrossbarParams]:
    """A resistive crossbar read at its operating point (``resistive_crossbar``), one row
    voltage (V) per row into virtual-ground columns. Column currents: ``column_currents``.
    """
    params = resistive_crossbar(weights, cell=cell, g_min=g_min, g_max=g_max, wire=wire)
    return read_circuit(params, list(row_voltages)), params


def resistive_crossbar(
    weights: Sequence[Sequence[float]] | FloatArray,
    *,
    cell: CellKind = "1R",
    g_min: float = 1e-6,
    g_max: float = 1e-4,
    wire: float = 0.0,
) -> CrossbarParams:
    """A crossbar of resistor cells: weights in [0, 1] (signed for 2R and 2T2R) mapped
    linearly to ``g_min`` .. ``g_max`` S, ``wire`` ohm per row and column segment."""
    return CrossbarParams(
        weights,  # type: ignore[arg-type]  # stored as a tuple of tuples by CrossbarParams
        cell=cell,
        mapping=LinearConductance(g_min, g_max),
        wires=Wires(wire, wire),
    )


def random_weights(rows: int, columns: int, *, signed: bool, seed: int) -> FloatArray:
    """Uniform weights in [0, 1) (``signed``: [-1, 1)), shape (rows, columns), from the
    ``circuit_seed`` ``seed``."""
    return circuit_rng(seed).uniform(-1.0 if signed else 0.0, 1.0, size=(rows, columns))
