"""A transistor-level pre-charge sense amplifier (PCSA) reading one 2T2R pair (physics.md 4.1).

The kind of amplifier that reads the Bayesian machines' 2T2R bits (arXiv 2406.03492; Zhao et
al., IEEE TCAS-I 56, 2009): two cross-coupled inverters whose outputs ``q``/``qb`` are
pre-charged to ``vdd`` by two PMOS (``Mpre``/``Mpreb``) while the sense enable ``se`` is low.
When ``se`` rises the pre-charge turns off and the discharge NMOS ``Mdis`` pulls the common
source line ``sl`` to ground, so each inverter's NMOS discharges its output through one bit
line: ``bl`` (through ``Macc0``, then the ``bl`` device) and ``blb`` (``Maccb0``, the ``blb``
device). The branch whose device is in the low state discharges faster; its output falls and
the latch cuts the other branch off, so no static current flows once the bit is resolved.
Bit 1 stores the ``bl`` device low (``r_low``) and the ``blb`` device high (``r_high``), as
``bayesian_machine.Memristor2T2R`` does; then ``q`` falls and ``qb`` stays high: the bit read
is ``qb > vdd / 2`` at the end of the evaluation.

Each bit line carries ``rows`` access transistors (one per value row of a likelihood block);
row 0's word line is on for the whole read (the machine holds the observed value's row), the
others are off and add their junctions to the line. Both outputs carry ``c_load`` (the next
stage's input).

The MOSFETs are ngspice level-1 models with generic 130 nm values (``MODEL_CARDS``), chosen
by hand from textbook figures, not a foundry card: oxide 2.7 nm (Cox = 12.8 fF/um2),
|Vt| = 0.35 V, KP = mu Cox with mu = 235 (n) and 70 (p) cm2/Vs, overlap 0.3 fF/um, junctions
1.5 fF/um2 and 0.2 fF/um of sidewall; drain and source regions ``DIFFUSION`` long. Level 1
has no velocity saturation, so its delays are shorter than a real 130 nm device's; the energy
of a read is set by the capacitances and swings, which these values fix.

``read_circuit(bit, amplifier, reads)`` builds ``reads`` read cycles (period ``period``: the
first half pre-charges, the second evaluates); ``bits_read`` gives the bit of each read;
``read_energy`` integrates the supplies' ``v * i`` over the last cycle (a pre-charge and an
evaluation, from one resolved state to the next); ``node_capacitances`` and ``cv2_energy``
are the independent estimate: each node's capacitance from the model card's formulae times
``vdd`` times its swing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spicegen.circuits._checks import check_choice, check_positive
from spicegen.circuits._drives import Waves
from spicegen.circuits.errors import CircuitSpecError
from spicegen.netlist import Capacitor, Circuit, Model, Mosfet, Pulse, Resistor, Tran, VoltageSource

__all__ = [
    "DIFFUSION",
    "MODEL_CARDS",
    "ReadEnergy",
    "SenseAmplifier",
    "bits_read",
    "cv2_energy",
    "node_capacitances",
    "read_circuit",
    "read_energy",
]

OXIDE = 2.7e-9  # m
COX = 3.9 * 8.8541878128e-12 / OXIDE  # F/m2 (12.8 fF/um2)
OVERLAP = 3e-10  # F/m of width, gate-source and gate-drain each
JUNCTION = 1.5e-3  # F/m2 (bottom), zero bias
SIDEWALL = 2e-10  # F/m of perimeter, zero bias
JUNCTION_POTENTIAL, JUNCTION_GRADING, SIDEWALL_GRADING = 0.8, 0.4, 0.3
DIFFUSION = 0.32e-6  # m: length of a drain or source region (about 2.5 gate lengths)
_COMMON = (
    ("tox", OXIDE),
    ("cgso", OVERLAP),
    ("cgdo", OVERLAP),
    ("cj", JUNCTION),
    ("mj", JUNCTION_GRADING),
    ("pb", JUNCTION_POTENTIAL),
    ("cjsw", SIDEWALL),
    ("mjsw", SIDEWALL_GRADING),
)
MODEL_CARDS = (
    Model("n130", "nmos", (("level", 1), ("vto", 0.35), ("kp", 300e-6), ("gamma", 0.3),
                           ("phi", 0.85), ("lambda", 0.15), *_COMMON)),
    Model("p130", "pmos", (("level", 1), ("vto", -0.35), ("kp", 90e-6), ("gamma", 0.3),
                           ("phi", 0.85), ("lambda", 0.15), *_COMMON)),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SenseAmplifier:
    """A PCSA and the 2T2R pair it reads (SI units): ``vdd`` (V), the pair's ``r_low`` and
    ``r_high`` (ohm, ``Memristor2T2R``'s defaults), ``rows`` access transistors per bit line,
    gate ``length`` and widths (m) of the latch NMOS/PMOS, pre-charge PMOS, discharge NMOS and
    access NMOS, ``c_load`` (F) on each output, ``period`` (s) of one read and the control
    ``edge`` (s, rise and fall)."""

    vdd: float = 1.2
    r_low: float = 5e3
    r_high: float = 100e3
    rows: int = 16
    length: float = 130e-9
    w_latch_n: float = 0.4e-6
    w_latch_p: float = 0.4e-6
    w_precharge: float = 0.3e-6
    w_discharge: float = 0.6e-6
    w_access: float = 0.4e-6
    c_load: float = 1e-15
    period: float = 10e-9
    edge: float = 100e-12

    def __post_init__(self) -> None:
        for name in ("vdd", "r_low", "r_high", "length", "w_latch_n", "w_latch_p",
                     "w_precharge", "w_discharge", "w_access", "period", "edge"):  # fmt: skip
            object.__setattr__(
                self, name, check_positive(getattr(self, name), f"SenseAmplifier.{name}")
            )
        load = check_positive(self.c_load, "SenseAmplifier.c_load", allow_zero=True)
        object.__setattr__(self, "c_load", load)
        if type(self.rows) is not int or not 1 <= self.rows <= 1024:
            raise CircuitSpecError(f"expected an int in 1..1024, got {self.rows!r}",
                                   field="SenseAmplifier.rows")  # fmt: skip
        if self.r_high <= self.r_low:
            raise CircuitSpecError(f"expected r_high > r_low ({self.r_low!r}), got "
                                   f"{self.r_high!r}", field="SenseAmplifier.r_high")  # fmt: skip
        if not 4 * self.edge < self.period:
            raise CircuitSpecError(f"expected 4 edges < period ({self.period!r} s), got "
                                   f"{self.edge!r}", field="SenseAmplifier.edge")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReadEnergy:
    """Energy of one read (J): drawn from ``vdd`` and delivered by the ``se`` driver."""

    supply: float
    sense_enable: float

    @property
    def total(self) -> float:
        return self.supply + self.sense_enable


def _transistors(a: SenseAmplifier) -> list[tuple[str, str, str, str, str, str, float]]:
    """(name, drain, gate, source, bulk, model, width) of every MOSFET."""
    n, p = "n130", "p130"
    devices = [
        ("Mpre", "q", "se", "vdd", "vdd", p, a.w_precharge),
        ("Mpreb", "qb", "se", "vdd", "vdd", p, a.w_precharge),
        ("Mlp", "q", "qb", "vdd", "vdd", p, a.w_latch_p),
        ("Mlpb", "qb", "q", "vdd", "vdd", p, a.w_latch_p),
        ("Mln", "q", "qb", "bl", "0", n, a.w_latch_n),
        ("Mlnb", "qb", "q", "blb", "0", n, a.w_latch_n),
        ("Mdis", "sl", "se", "0", "0", n, a.w_discharge),
    ]
    for row in range(a.rows):  # row 0 is selected; the others are off and load the lines
        gate = "wl" if row == 0 else "0"
        devices.append((f"Macc{row}", "bl", gate, f"c{row}", "0", n, a.w_access))
        devices.append((f"Maccb{row}", "blb", gate, f"cb{row}", "0", n, a.w_access))
    return devices


def read_circuit(bit: int, amplifier: SenseAmplifier | None = None, reads: int = 2) -> Circuit:
    """``reads`` read cycles of the pair storing ``bit`` (0 or 1): pre-charge for the first
    half of each ``period``, evaluate for the second; supplies ``Vdd``, ``Vse``, ``Vwl``."""
    a = SenseAmplifier() if amplifier is None else amplifier
    check_choice(bit, (0, 1), "bit")
    if type(reads) is not int or not 1 <= reads <= 100:
        raise CircuitSpecError(f"expected an int in 1..100, got {reads!r}", field="reads")
    elements: list[object] = []
    for name, d, g, s, b, model, width in _transistors(a):
        area, perimeter = width * DIFFUSION, 2 * (width + DIFFUSION)
        size = (("w", width), ("l", a.length), ("ad", area), ("as", area))
        elements.append(
            Mosfet(name, d, g, s, b, model, (*size, ("pd", perimeter), ("ps", perimeter)))
        )
    r_bl, r_blb = (a.r_low, a.r_high) if bit == 1 else (a.r_high, a.r_low)
    elements += [Resistor("Rbl0", "c0", "sl", r_bl), Resistor("Rblb0", "cb0", "sl", r_blb)]
    for row in range(1, a.rows):  # unselected cells: their devices hold other values
        elements += [Resistor(f"Rbl{row}", f"c{row}", "sl", a.r_high),
                     Resistor(f"Rblb{row}", f"cb{row}", "sl", a.r_low)]  # fmt: skip
    if a.c_load > 0:
        elements += [Capacitor("Cq", "q", "0", a.c_load), Capacitor("Cqb", "qb", "0", a.c_load)]
    half = a.period / 2
    enable = Pulse(0.0, a.vdd, half, a.edge, a.edge, half - 2 * a.edge, a.period)
    elements += [
        VoltageSource("Vdd", "vdd", "0", dc=a.vdd),
        VoltageSource("Vse", "se", "0", waveform=enable),
        VoltageSource("Vwl", "wl", "0", dc=a.vdd),  # the observed row stays selected
    ]
    tran = Tran(step=a.edge / 5, stop=reads * a.period, max_step=a.edge / 5)
    return Circuit(
        "pre-charge sense amplifier reading a 2T2R pair",
        elements=tuple(elements),  # type: ignore[arg-type]
        models=MODEL_CARDS,
        analyses=(tran,),
        saves=(
            "v(q)",
            "v(qb)",
            "v(bl)",
            "v(blb)",
            "v(sl)",
            "v(se)",
            "v(c0)",
            "v(cb0)",
            "i(vdd)",
            "i(vse)",
        ),
    )


def _times(waveforms: Waves) -> np.ndarray:
    if waveforms.axis is None:
        raise CircuitSpecError("expected transient waveforms", field="waveforms")
    return np.asarray(waveforms.axis, dtype=np.float64)


def bits_read(waveforms: Waves, amplifier: SenseAmplifier | None = None) -> list[int]:
    """The bit of each read: ``qb > vdd / 2`` just before the evaluation ends."""
    a = SenseAmplifier() if amplifier is None else amplifier
    t = _times(waveforms)
    reads = round(t[-1] / a.period)
    ends = (np.arange(reads) + 1) * a.period - 2 * a.edge
    return [int(v > a.vdd / 2) for v in np.interp(ends, t, np.asarray(waveforms.v("qb")))]


def _window(waveforms: Waves, a: SenseAmplifier) -> tuple[np.ndarray, np.ndarray]:
    """Times and a mask of the last cycle (its pre-charge and its evaluation)."""
    t = _times(waveforms)
    return t, t >= t[-1] - a.period - 1e-6 * a.period


def _integral(y: np.ndarray, t: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(t)))


def read_energy(waveforms: Waves, amplifier: SenseAmplifier | None = None) -> ReadEnergy:
    """Over the last cycle: the integral of ``vdd * -i(Vdd)``, and ``vdd`` times the charge
    ``Vse`` pushes into the ``se`` net (J). An ideal ramp takes back on the falling edge what
    it gave on the rising one; a CMOS driver draws that charge from its supply and dumps it."""
    a = SenseAmplifier() if amplifier is None else amplifier
    t, last = _window(waveforms, a)
    supply = a.vdd * -np.asarray(waveforms.i("vdd"))
    into_enable = np.maximum(-np.asarray(waveforms.i("vse")), 0.0)
    return ReadEnergy(
        _integral(supply[last], t[last]), a.vdd * _integral(into_enable[last], t[last])
    )


def _junction(area: float, perimeter: float, swing: float) -> float:
    """Mean capacitance (F) of a reverse-biased junction over 0..``swing`` V: its charge
    ``Cj0 PB / (1 - m) ((1 + V / PB)**(1 - m) - 1)`` over the swing, bottom plus sidewall."""
    total = 0.0
    for c0, grading in ((JUNCTION * area, JUNCTION_GRADING), (SIDEWALL * perimeter,
                                                              SIDEWALL_GRADING)):  # fmt: skip
        pb = JUNCTION_POTENTIAL
        total += c0 * pb / (1 - grading) * ((1 + swing / pb) ** (1 - grading) - 1) / swing
    return total


def node_capacitances(amplifier: SenseAmplifier | None = None) -> dict[str, float]:
    """Each node's capacitance to the rails (F) from the model card's formulae: every gate on
    it (``Cox W L`` plus both overlaps), every drain or source on it (one overlap plus its
    junction, averaged over 0..vdd), and ``c_load``. Gate plates that move are taken as still
    (an estimate: the Miller effect and the bias dependence of the channel are left out)."""
    a = SenseAmplifier() if amplifier is None else amplifier
    nodes: dict[str, float] = {}
    for _, d, g, s, _, _, width in _transistors(a):
        nodes[g] = nodes.get(g, 0.0) + width * (COX * a.length + 2 * OVERLAP)
        junction = _junction(width * DIFFUSION, 2 * (width + DIFFUSION), a.vdd)
        for terminal in (d, s):
            nodes[terminal] = nodes.get(terminal, 0.0) + width * OVERLAP + junction
    for node in ("q", "qb"):
        nodes[node] += a.c_load
    return {node: c for node, c in nodes.items() if node not in ("0", "vdd", "wl")}


def cv2_energy(waveforms: Waves, amplifier: SenseAmplifier | None = None) -> ReadEnergy:
    """The independent estimate of ``read_energy``: every node the supply recharges gets
    ``C vdd dV`` (its capacitance from ``node_capacitances``, ``dV`` its simulated swing over
    the last cycle); the ``se`` driver charges its gates by ``C_se vdd**2``. Unselected cells'
    nodes follow ``sl`` through their devices and take its swing."""
    a = SenseAmplifier() if amplifier is None else amplifier
    _, last = _window(waveforms, a)
    capacitances = node_capacitances(a)
    supply = 0.0
    for node, c in capacitances.items():
        if node == "se":
            continue
        probe = node if node in ("q", "qb", "bl", "blb", "sl", "c0", "cb0") else "sl"
        v = np.asarray(waveforms.v(probe))[last]
        supply += c * a.vdd * float(v.max() - v.min())
    return ReadEnergy(supply, capacitances["se"] * a.vdd**2)
