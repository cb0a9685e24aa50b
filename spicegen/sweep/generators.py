"""spicegen's own circuit generators by name: the only factories a TOML spec may name as data.

A spec file is data: ``factory = "crossbar_read"`` picks one of ``GENERATORS``, whose knobs are
the sweep's parameters (each has a default, so a spec sweeps only the knobs it names). Any
other Python function (``factory = "module:function"``) is code and needs ``allow_code=True``
(CLI ``--allow-code``); see ``specfile.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from spicegen.netlist import Circuit
from spicegen.sweep.errors import SpecError

# Each entry wraps a deck of ``spicegen.circuits.decks``. The decks and the shipped models are
# imported when a point is built, not with the sweep package: a CLI call that only reads a
# spec does not pay for the compiler's import.


@dataclass(frozen=True, slots=True)
class Knob:
    """One parameter of a generator: its default, SI unit, and the values it accepts."""

    name: str
    default: float
    unit: str
    low: float = -math.inf
    high: float = math.inf
    integer: bool = False

    def check(self, key: str, value: float) -> float:
        """``value`` if the knob accepts it, else a ``SpecError`` at ``key``."""
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise SpecError(
                key, f"expected {self.low:g} <= {self.name} <= {self.high:g}, got {value!r}"
            )
        if self.integer and value != int(value):
            raise SpecError(key, f"expected an integer {self.name}, got {value!r}")
        return value


@dataclass(frozen=True, slots=True)
class Generator:
    """A named spicegen generator as a sweep factory: ``generator(params, seed) -> Circuit``.

    ``params`` holds the swept knobs (SI units); the others take their defaults.
    """

    name: str
    summary: str
    knobs: tuple[Knob, ...]
    build: Callable[[dict[str, float], int], Circuit] = field(repr=False, compare=False)

    def knob(self, name: str) -> Knob | None:
        """The knob called ``name``, or None."""
        return next((knob for knob in self.knobs if knob.name == name), None)

    def check(self, key: str, name: str) -> Knob:
        """The knob ``name``; a ``SpecError`` at ``key`` listing the knobs when there is none."""
        knob = self.knob(name)
        if knob is None:
            names = ", ".join(k.name for k in self.knobs)
            raise SpecError(key, f"factory {self.name!r} has no parameter {name!r}; it has {names}")
        return knob

    def __call__(self, params: Mapping[str, float], seed: int) -> Circuit:
        values = {knob.name: knob.default for knob in self.knobs}
        for name, value in params.items():
            values[name] = self.check(f"parameters.{name}", name).check(
                f"parameters.{name}", float(value)
            )
        return self.build(values, seed)


def _crossbar_read(values: dict[str, float], seed: int) -> Circuit:
    from spicegen.circuits.decks import crossbar_read_deck, random_weights

    rows, columns = int(values["rows"]), int(values["columns"])
    # the point's seed is the deck's circuit seed: each Monte Carlo sample reads another matrix
    weights = random_weights(rows, columns, signed=False, seed=seed)
    circuit, _ = crossbar_read_deck(
        weights, [values["read"]] * rows, g_min=values["g_min"], g_max=values["g_max"],
        wire=values["wire"],
    )  # fmt: skip
    return circuit


def _neuron_pair(values: dict[str, float], seed: int) -> Circuit:
    from spicegen.circuits import NeuronPairParams
    from spicegen.circuits.decks import neuron_pair_deck
    from spicegen.models import load as load_model

    params = NeuronPairParams(
        values["bias"], values["delta"], values["mismatch"], gain=values["gain"],
        state0=int(values["state0"]),
    )  # fmt: skip
    return neuron_pair_deck(load_model("mtj"), params)


def _oscillator_neuron(values: dict[str, float], seed: int) -> Circuit:
    from spicegen.circuits.decks import oscillator_neuron_deck
    from spicegen.models import load as load_model

    return oscillator_neuron_deck(
        load_model("threshold_switch"), (values["v_in"],), r_load=values["r_load"],
        c=values["c"], stop=values["stop"] or None,
    )  # fmt: skip


GENERATORS: dict[str, Generator] = {
    generator.name: generator
    for generator in (
        Generator(
            "crossbar_read",
            "rows x columns 1R crossbar read at its operating point: weights uniform in [0, 1] "
            "drawn from the point's seed, mapped linearly to g_min..g_max; every row at `read` "
            "V, every column at virtual ground (column currents i(vcol0), i(vcol1)...)",
            (
                Knob("rows", 8, "", low=1, high=1024, integer=True),
                Knob("columns", 8, "", low=1, high=1024, integer=True),
                Knob("g_min", 1e-6, "S", low=0),
                Knob("g_max", 1e-4, "S", low=0),
                Knob("wire", 0.0, "ohm", low=0),
                Knob("read", 0.2, "V"),
            ),
            _crossbar_read,
        ),
        Generator(
            "neuron_pair",
            "MTJ neuron pair (shipped mtj model) at its operating point: v(v1) = f(I), "
            "v(dout) = gain (f2(I + dI) - f(I))",
            (
                Knob("bias", 50e-6, "A"),
                Knob("delta", 2e-6, "A"),
                Knob("mismatch", 0.0, "", low=-1),
                Knob("gain", 1.0, "V/V"),
                Knob("state0", 1, "", low=0, high=1, integer=True),
            ),
            _neuron_pair,
        ),
        Generator(
            "oscillator_neuron",
            "relaxation-oscillator neuron (shipped threshold_switch model) stepped from 0 to "
            "v_in V at t = 0, transient to `stop` s (0: 6 r_load c); nodes vdd, m, out",
            (
                Knob("v_in", 1.5, "V"),
                Knob("r_load", 5e3, "ohm", low=0),
                Knob("c", 1e-9, "F", low=0),
                Knob("stop", 0.0, "s", low=0),
            ),
            _oscillator_neuron,
        ),
    )
}
