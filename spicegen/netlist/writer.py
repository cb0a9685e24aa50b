"""The one writer of ngspice netlist text: data in, deterministic text out.

Every value was validated on construction, so each card here is a plain f-string: names and
nodes as given, floats in shortest round-trip form (``repr``: ``1e-12`` stays ``1e-12``; the
text is exact, though ngspice's own number parser is not correctly rounded and may read it an
ulp or so away), ints as digits, SPICE number strings as given and expressions inside ``{...}``
(bare in B-sources). One card per line, single spaces, no trailing blanks, ``\\n`` line ends.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from spicegen.netlist.analyses import Ac, Analysis, Dc, Op, Tran
from spicegen.netlist.bulk import ColumnValue, ElementBlock, column_strings
from spicegen.netlist.circuit import Circuit, Model, Option, Param, Subckt
from spicegen.netlist.elements import (
    BSource,
    Capacitor,
    Cccs,
    Ccvs,
    CSwitch,
    CurrentSource,
    Element,
    Inductor,
    Mosfet,
    OsdiInstance,
    Resistor,
    SubcktInstance,
    Vccs,
    Vcvs,
    VoltageSource,
    VSwitch,
    XspiceInstance,
)
from spicegen.netlist.validate import Value, expression_body, is_number_text
from spicegen.netlist.waveforms import (
    TRRANDOM_CODES,
    Exp,
    Pulse,
    Pwl,
    Sine,
    TrNoise,
    TrRandom,
    Waveform,
)

_float_text = float.__repr__  # numpy float64 is a float subclass whose repr() is 'np.float64(..)'
_CHUNK = 8192  # element cards joined per chunk: bounds the number of live line strings


@functools.lru_cache(maxsize=65536)
def _string_text(text: str) -> str:
    return text if is_number_text(text) else "{" + expression_body(text) + "}"


def _value(value: Value) -> str:
    """A value as it goes on a card: numbers bare, expressions in braces."""
    if type(value) is float:
        return _float_text(value)
    if type(value) is str:
        return _string_text(value)
    return int.__repr__(value)  # validated: an exact int (never bool)


def _bare(value: Value) -> str:
    """A B-source expression: written without braces."""
    if type(value) is str:
        return expression_body(value)
    return _value(value)


def _params(params: tuple[tuple[str, Any], ...]) -> str:
    return " ".join(f"{name}={_param_value(value)}" for name, value in params)


def _param_value(value: Value | tuple[Value, ...]) -> str:
    if type(value) is tuple:
        return "[" + " ".join(map(_value, value)) + "]"
    return _value(value)  # type: ignore[arg-type]


def _with_params(card: str, params: tuple[tuple[str, Any], ...]) -> str:
    return f"{card} {_params(params)}" if params else card


# -- elements ----------------------------------------------------------------------------------
def _resistor(e: Resistor) -> str:
    value = e.value
    text = _float_text(value) if type(value) is float else _value(value)
    if e.params:
        return f"{e.name} {e.p} {e.n} {text} {_params(e.params)}"
    return f"{e.name} {e.p} {e.n} {text}"


def _storage(e: Capacitor | Inductor) -> str:
    card = f"{e.name} {e.p} {e.n} {_value(e.value)}"
    if e.ic is not None:
        card = f"{card} ic={_value(e.ic)}"
    return _with_params(card, e.params)


def _call(function: str, *values: Value) -> str:
    return f"{function}({' '.join(map(_value, values))})"


def _waveform(w: Waveform) -> str:
    if isinstance(w, Pulse):
        return _call("pulse", w.v1, w.v2, w.delay, w.rise, w.fall, w.width, w.period)
    if isinstance(w, Sine):
        return _call("sin", w.offset, w.amplitude, w.frequency, w.delay, w.damping)
    if isinstance(w, Pwl):
        return _call("pwl", *(value for point in w.points for value in point))
    if isinstance(w, Exp):
        return _call("exp", w.v1, w.v2, w.rise_delay, w.rise_tau, w.fall_delay, w.fall_tau)
    if isinstance(w, TrNoise):
        return _call(
            "trnoise",
            w.rms,
            w.step,
            w.alpha,
            w.amplitude_1f,
            w.rts_amplitude,
            w.rts_capture,
            w.rts_emission,
        )
    if isinstance(w, TrRandom):
        return _call("trrandom", TRRANDOM_CODES[w.kind], w.step, w.delay, w.param1, w.param2)
    raise TypeError(f"not a waveform: {w!r}")


def _source(e: VoltageSource | CurrentSource) -> str:
    if e.external:
        # 'dc 0' next to 'external' crashes ngspice 39: 'Vx n 0 dc 0 external' segfaults the
        # process that loaded the library (exit 139).
        return f"{e.name} {e.p} {e.n} external"
    card = f"{e.name} {e.p} {e.n} dc {_value(e.dc)}"
    if e.ac is not None:
        card = f"{card} ac {_value(e.ac)}"
    if e.waveform is not None:
        card = f"{card} {_waveform(e.waveform)}"
    return card


def _bsource(e: BSource) -> str:
    return f"{e.name} {e.p} {e.n} {e.kind.upper()}={_bare(e.expression)}"


def _voltage_controlled(e: Vcvs | Vccs) -> str:
    return f"{e.name} {e.p} {e.n} {e.cp} {e.cn} {_value(e.gain)}"


def _current_controlled(e: Cccs | Ccvs) -> str:
    return f"{e.name} {e.p} {e.n} {e.vsource} {_value(e.gain)}"


def _instance(e: SubcktInstance) -> str:
    card = " ".join((e.name, *e.nodes, e.subckt))
    return _with_params(card, e.params)


def _vswitch(e: VSwitch) -> str:
    card = f"{e.name} {e.p} {e.n} {e.cp} {e.cn} {e.model}"
    return f"{card} {e.initial}" if e.initial else card


def _cswitch(e: CSwitch) -> str:
    card = f"{e.name} {e.p} {e.n} {e.vsource} {e.model}"
    return f"{card} {e.initial}" if e.initial else card


def _xspice(e: XspiceInstance) -> str:
    ports = (c if type(c) is str else "[" + " ".join(c) + "]" for c in e.connections)
    return " ".join((e.name, *ports, e.model))


def _osdi(e: OsdiInstance) -> str:
    return _with_params(" ".join((e.name, *e.nodes, e.model)), e.params)


def _mosfet(e: Mosfet) -> str:
    return _with_params(" ".join((e.name, e.d, e.g, e.s, e.b, e.model)), e.params)


_CARDS: dict[type, Callable[[Any], str]] = {
    Resistor: _resistor,
    Capacitor: _storage,
    Inductor: _storage,
    VoltageSource: _source,
    CurrentSource: _source,
    BSource: _bsource,
    Vcvs: _voltage_controlled,
    Vccs: _voltage_controlled,
    Cccs: _current_controlled,
    Ccvs: _current_controlled,
    SubcktInstance: _instance,
    VSwitch: _vswitch,
    CSwitch: _cswitch,
    XspiceInstance: _xspice,
    OsdiInstance: _osdi,
    Mosfet: _mosfet,
}


def _card_function(kind: type) -> Callable[[Any], str]:
    card = _CARDS.get(kind)
    if card is None:
        for base, function in _CARDS.items():
            if issubclass(kind, base):
                return function
        raise TypeError(f"not a netlist element: {kind.__name__}")
    return card


def element_card(element: Element) -> str:
    """One element as its ngspice card (one line, no newline)."""
    return _card_function(type(element))(element)


def _element_chunks(elements: tuple[Element, ...]) -> Iterator[str]:
    """Element cards joined in chunks; far fewer live strings than one per line."""
    cards = _CARDS
    for start in range(0, len(elements), _CHUNK):
        chunk = elements[start : start + _CHUNK]
        try:
            yield "\n".join([cards[type(e)](e) for e in chunk])
        except KeyError:  # a subclass of an element type
            yield "\n".join(map(element_card, chunk))


def _column_texts(value: ColumnValue, count: int, name: str = "") -> list[str]:
    """A block's value column as card text (``name=`` before each when given)."""
    head = f"{name}=" if name else ""
    if type(value) is tuple:
        texts = [_float_text(v) if type(v) is float else int.__repr__(v) for v in value]
        return [head + text for text in texts] if head else texts
    return [head + _value(value)] * count  # type: ignore[arg-type]


def _block_chunks(block: ElementBlock) -> Iterator[str]:
    """A block's cards, exactly as its ``elements()`` would be written, in chunks."""
    count = len(block)
    columns = [column_strings(block.names), *(column_strings(c) for c in block.nodes)]
    if block.kind in "RC":
        columns.append(_column_texts(block.values, count))
    else:
        columns.append([block.target] * count)
        columns += [_column_texts(value, count, name) for name, value in block.params]
    for start in range(0, count, _CHUNK):
        chunk = [column[start : start + _CHUNK] for column in columns]
        yield "\n".join(map(" ".join, zip(*chunk, strict=True)))


# -- cards -------------------------------------------------------------------------------------
def analysis_card(analysis: Analysis) -> str:
    """``.op``, ``.dc``, ``.tran`` or ``.ac`` card for an analysis."""
    if isinstance(analysis, Op):
        return ".op"
    if isinstance(analysis, Dc):
        values = " ".join(map(_value, (analysis.start, analysis.stop, analysis.step)))
        return f".dc {analysis.source} {values}"
    if isinstance(analysis, Tran):
        card = f".tran {_value(analysis.step)} {_value(analysis.stop)}"
        if analysis.start != 0 or analysis.max_step is not None:
            card = f"{card} {_value(analysis.start)}"
        if analysis.max_step is not None:
            card = f"{card} {_value(analysis.max_step)}"
        return f"{card} uic" if analysis.uic else card
    if isinstance(analysis, Ac):
        frequencies = f"{_value(analysis.fstart)} {_value(analysis.fstop)}"
        return f".ac {analysis.variation} {analysis.points} {frequencies}"
    raise TypeError(f"not an analysis: {analysis!r}")


def model_card(model: Model) -> str:
    """``.model name kind(p=v ...)``."""
    if model.params:
        return f".model {model.name} {model.kind}({_params(model.params)})"
    return f".model {model.name} {model.kind}"


def param_card(param: Param) -> str:
    """``.param name=value``."""
    return f".param {param.name}={_value(param.value)}"


def option_card(option: Option) -> str:
    """``.options name`` or ``.options name=value``; a str value is written as given, never
    braced (it is a word such as ``gear`` or a SPICE number)."""
    if option.value is None:
        return f".options {option.name}"
    value = option.value if type(option.value) is str else _value(option.value)
    return f".options {option.name}={value}"


def _subckt_chunks(subckt: Subckt) -> Iterator[str]:
    header = " ".join((".subckt", subckt.name, *subckt.ports))
    yield _with_params(f"{header} params:", subckt.params) if subckt.params else header
    for param in subckt.param_statements:
        yield param_card(param)
    for model in subckt.models:
        yield model_card(model)
    for nested in subckt.subckts:
        yield from _subckt_chunks(nested)
    yield from _element_chunks(subckt.elements)
    for block in subckt.blocks:
        yield from _block_chunks(block)
    yield f".ends {subckt.name}"


def subckt_text(subckt: Subckt) -> str:
    """A ``.subckt`` ... ``.ends`` block, newline-terminated."""
    return "\n".join(_subckt_chunks(subckt)) + "\n"


def _deck_chunks(circuit: Circuit) -> Iterator[str]:
    yield circuit.title
    for path in circuit.includes:
        yield f'.include "{path}"'
    for param in circuit.params:
        yield param_card(param)
    for model in circuit.models:
        yield model_card(model)
    for subckt in circuit.subckts:
        yield from _subckt_chunks(subckt)
    yield from _element_chunks(circuit.elements)
    for condition in circuit.initial_conditions:
        yield f".ic v({condition.node})={_value(condition.value)}"
    for option in circuit.options:
        yield option_card(option)
    for vector in circuit.saves:
        yield f".save {vector}"
    for analysis in circuit.analyses:
        yield analysis_card(analysis)
    yield ".end"


def to_ngspice(circuit: Circuit) -> str:
    """The whole deck as text: title, includes, params, models, subckts, elements, .ic,
    .options, .save, analyses, .end; newline-terminated, byte-identical for equal circuits."""
    return "\n".join(_deck_chunks(circuit)) + "\n"


def write_ngspice(circuit: Circuit, path: str | os.PathLike[str]) -> Path:
    """Write the deck to ``path`` chunk by chunk (no full copy in memory); returns the path."""
    target = Path(path)
    with target.open("w", encoding="utf-8", newline="\n") as file:
        for chunk in _deck_chunks(circuit):
            file.write(chunk)
            file.write("\n")
    return target
