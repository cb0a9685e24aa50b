"""``CompiledModel``: a compiled Verilog-A module with what instances need beyond its text —
parameter ranges (``from``/``exclude``) checked against an instance's values, and fresh
per-instance variates for its ``$rdist_*``/``$random`` draws."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spicegen.errors import SpicegenError
from spicegen.netlist import Subckt, SubcktInstance
from spicegen.va import ast
from spicegen.va.builtins import Scalar
from spicegen.va.check import CheckedModule
from spicegen.va.randomness import Draw, draw_values
from spicegen.va.values import Val, binary, builtin, convert, located_error, number, unary


class ParameterError(SpicegenError, ValueError):
    """An instance parameter that the model does not have, or a value outside its range."""


@dataclass(frozen=True)
class CompiledModel:
    """A compiled module: ``subckt`` is its ngspice definition (``compile_va``'s result)."""

    subckt: Subckt
    checked: CheckedModule
    draws: tuple[Draw, ...]
    seed: int
    target: str = "subckt"
    library: Path | None = None  # the osdi target's compiled library, to load before a deck
    # parameters the subckt calls otherwise (ngspice reserves the name): Verilog-A -> subckt
    renamed: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.subckt.name

    @property
    def ports(self) -> tuple[str, ...]:
        return self.subckt.ports

    @property
    def parameters(self) -> tuple[str, ...]:
        """Instance parameters in declared order (random draws excluded), then those the
        compiler adds (``noise_step`` of ``white_noise``)."""
        declared = tuple(p.name for p in self.checked.module.parameters if not p.local)
        draws = {d.parameter for d in self.draws}
        renamed = set(self.renamed.values())
        added = tuple(
            name
            for name, _ in self.subckt.params
            if name not in declared and name not in draws and name not in renamed
        )
        return declared + added

    @property
    def libraries(self) -> tuple[Path, ...]:
        """What ngspice must load before a deck that uses this model."""
        return () if self.library is None else (self.library,)

    def parameter_values(self, values: Mapping[str, Scalar] | None = None) -> dict[str, Scalar]:
        """Every parameter's value for an instance given ``values``: defaults follow
        overrides as the LRM says; raises ``ParameterError`` for an unknown name or a value
        outside its declared ``from`` range or inside an ``exclude``."""
        given = dict(values or {})
        self._check_names(given)
        return evaluate_parameters(self.checked, given)

    def _check_names(self, names: Iterable[str]) -> None:
        unknown = sorted(set(names) - set(self.parameters))
        if unknown:
            raise ParameterError(
                f"{self.name}: no parameter {', '.join(map(repr, unknown))}; "
                f"it has {', '.join(self.parameters) or 'none'}"
            )

    def instance(
        self,
        name: str,
        nodes: Sequence[str],
        *,
        seed: int | None = None,
        **params: Scalar | str,
    ) -> SubcktInstance:
        """``X<name> <nodes> <model> p=v ...`` with numeric values range-checked and the
        model's random draws made for this instance from ``seed`` (default: the compile
        seed) and ``name``, so every instance differs and equal seeds repeat. String values
        are ngspice expressions (``"{w}"``), passed on unchecked."""
        if len(nodes) != len(self.ports):
            raise ParameterError(
                f"{self.name} has {len(self.ports)} ports ({', '.join(self.ports)}), "
                f"got {len(nodes)} nodes for {name}"
            )
        self._check_names(params)
        numeric = {k: v for k, v in params.items() if not isinstance(v, str)}
        checked = self.parameter_values(numeric)
        chosen = {k: (checked.get(k, v) if k in numeric else v) for k, v in params.items()}
        chosen = {self.renamed.get(k, k): v for k, v in chosen.items()}
        (variates,) = self.variates((name,), seed)
        return SubcktInstance(name, tuple(nodes), self.name, {**chosen, **variates})

    def variates(
        self, instances: Sequence[str], seed: int | None = None
    ) -> tuple[dict[str, Scalar], ...]:
        """The random draws ``instance`` makes for each named instance from ``seed`` (default:
        the compile seed): one ``{parameter: variate}`` per name, in order."""
        chosen = self.seed if seed is None else seed
        return tuple(draw_values(self.draws, chosen, self.name, instance=i) for i in instances)

    def parameter_column(
        self, values: Mapping[str, Scalar], name: str, column: Sequence[float]
    ) -> tuple[Scalar, ...]:
        """Parameter ``name`` at each value of ``column`` (the others as ``values``), checked and
        converted as ``instance`` does, in bulk: when no other parameter's default or range
        reads ``name``, its own range is checked with numpy at once; otherwise every distinct
        value is evaluated. Raises ``ParameterError`` for the first value that fails."""
        self._check_names([*values, name])
        return evaluate_column(self.checked, values, name, column)


class _Violation(Exception):
    def __init__(self, parameter: ast.Parameter, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def evaluate_parameters(checked: CheckedModule, values: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """Fold every parameter (``localparam`` too) to a number, in declared order, taking
    ``values`` over defaults; check ``from``/``exclude``. A violation raises
    ``ParameterError`` naming the parameter, its value, its range and where it is declared."""
    try:
        return _evaluate(checked, values)
    except _Violation as err:
        loc = err.parameter.loc
        raise ParameterError(
            f"{checked.module.name}: {err} (declared at {loc.file}:{loc.line})"
        ) from None


def constant_value(expr: ast.Expr, checked: CheckedModule) -> Scalar:
    """A constant expression (an array bound) folded with the parameters' defaults."""
    known = {
        name: number(value, expr.loc) for name, value in evaluate_parameters(checked, {}).items()
    }
    value = _fold(expr, known, checked).value
    assert value is not None
    return value


def check_defaults(checked: CheckedModule) -> None:
    """Raise a located ``VaError`` when a parameter's default breaks its own range."""
    try:
        _evaluate(checked, {})
    except _Violation as err:
        raise located_error(err.parameter.loc, f"the default of {err}") from None


def _evaluate(checked: CheckedModule, values: Mapping[str, Scalar]) -> dict[str, Scalar]:
    result: dict[str, Scalar] = {}
    for name, value in _evaluate_known(checked, values).items():
        assert value.value is not None
        result[name] = value.value
    return result


def _evaluate_known(checked: CheckedModule, values: Mapping[str, Scalar]) -> dict[str, Val]:
    """Every parameter folded in declared order (the dict keeps it), ranges checked."""
    known: dict[str, Val] = {}
    for parameter in checked.module.parameters:
        kind = checked.parameter_types.get(parameter.name, "real")
        if parameter.name in values and not parameter.local:
            raw = values[parameter.name]
            if not isinstance(raw, int | float) or isinstance(raw, bool) or not math.isfinite(raw):
                raise _Violation(
                    parameter, f"parameter `{parameter.name}` must be a finite number, got {raw!r}"
                )
            value = convert(number(raw, parameter.loc), kind)
        else:
            value = convert(_fold(parameter.default, known, checked), kind)
        assert value.value is not None
        problem = _range_problem(parameter, value.value, known, checked)
        if problem:
            raise _Violation(parameter, f"parameter `{parameter.name}` = {value.value!r} {problem}")
        known[parameter.name] = value
    return known


def evaluate_column(
    checked: CheckedModule, values: Mapping[str, Scalar], name: str, column: Sequence[float]
) -> tuple[Scalar, ...]:
    """``CompiledModel.parameter_column`` for a checked module (``name`` is a parameter)."""
    if not column:
        return ()
    parameter = next(p for p in checked.module.parameters if p.name == name)
    kinds = set(map(type, column))
    simple = (
        checked.parameter_types.get(name, "real") == "real"
        and all(issubclass(k, int | float) and not issubclass(k, bool) for k in kinds)
        and not any(
            _reads(other, name) for other in checked.module.parameters if other is not parameter
        )
    )
    if not simple:  # one evaluation per distinct value (and it raises the located error)
        evaluated = {v: evaluate_parameters(checked, {**values, name: v})[name] for v in column}
        return tuple(evaluated[v] for v in column)
    array = np.unique(np.asarray(column, dtype=np.float64))
    known = _known_or_raise(checked, {**values, name: float(array[0])})
    before: dict[str, Val] = {}
    for key, value in known.items():  # a parameter's range reads only the ones declared before
        if key == name:
            break
        before[key] = value
    fine = np.isfinite(array) & _inside_ranges(parameter, array, before, checked)
    if not fine.all():
        evaluate_parameters(checked, {**values, name: float(array[int(np.argmin(fine))])})
    return tuple(column) if kinds == {float} else tuple(map(float, column))


def _known_or_raise(checked: CheckedModule, values: Mapping[str, Scalar]) -> dict[str, Val]:
    try:
        return _evaluate_known(checked, values)
    except _Violation:
        evaluate_parameters(checked, values)  # raises the located ParameterError
        raise


def _reads(node: object, name: str) -> bool:
    """True when an AST node (any depth; a parameter's default, ranges, excludes) reads ``name``."""
    if isinstance(node, ast.Identifier):
        return node.name == name
    if isinstance(node, tuple):
        return any(_reads(item, name) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(
            _reads(getattr(node, f.name), name) for f in dataclasses.fields(node) if f.name != "loc"
        )
    return False


def _inside_ranges(
    parameter: ast.Parameter, array: np.ndarray, known: Mapping[str, Val], checked: CheckedModule
) -> np.ndarray:
    """Which values of ``array`` pass the parameter's ``from`` ranges and ``exclude``s."""

    def bound(expr: ast.Expr | None, infinite: float) -> float:
        return _bound(expr, infinite, known, checked)

    def inside(interval: ast.Range) -> np.ndarray:
        low, high = bound(interval.lower, -math.inf), bound(interval.upper, math.inf)
        above = array >= low if interval.lower_inclusive else array > low
        below = array <= high if interval.upper_inclusive else array < high
        return np.asarray(above & below)

    fine = np.ones(array.shape, dtype=bool)
    if parameter.ranges:
        fine = np.logical_or.reduce([inside(r) for r in parameter.ranges])
    for exclusion in parameter.excludes:
        if exclusion.range is not None:
            fine &= ~inside(exclusion.range)
        if exclusion.value is not None:
            fine &= array != bound(exclusion.value, math.nan)
    return fine


def _bound(
    expr: ast.Expr | None, infinite: float, known: Mapping[str, Val], checked: CheckedModule
) -> float:
    """A range bound folded to a float; ``infinite`` when the bound is open (``inf``)."""
    if expr is None:
        return infinite
    folded = _fold(expr, known, checked).value
    assert folded is not None
    return float(folded)


def _fold(expr: ast.Expr, known: Mapping[str, Val], checked: CheckedModule) -> Val:
    """A constant expression (the checker allows only literals and parameters) -> number."""
    match expr:
        case ast.Number():
            return number(expr.value, expr.loc, expr.is_integer)
        case ast.Identifier() if expr.name in known:
            return known[expr.name]
        case ast.Unary():
            return unary(expr.op, _fold(expr.operand, known, checked), expr.loc)
        case ast.Binary():
            left, right = _fold(expr.left, known, checked), _fold(expr.right, known, checked)
            division = checked.division_types.get(expr)
            return binary(expr.op, left, right, expr.loc, division != "real")
        case ast.Ternary():
            condition = _fold(expr.condition, known, checked)
            return _fold(expr.then if condition.value else expr.otherwise, known, checked)
        case ast.Call():
            return builtin(expr.name, [_fold(a, known, checked) for a in expr.args], expr.loc)
    raise located_error(expr.loc, "expected a constant expression of parameters")


def _range_problem(
    parameter: ast.Parameter, value: Scalar, known: Mapping[str, Val], checked: CheckedModule
) -> str:
    def bound(expr: ast.Expr | None, infinite: float) -> float:
        return _bound(expr, infinite, known, checked)

    def inside(interval: ast.Range) -> bool:
        low, high = bound(interval.lower, -math.inf), bound(interval.upper, math.inf)
        above = value >= low if interval.lower_inclusive else value > low
        below = value <= high if interval.upper_inclusive else value < high
        return above and below

    def text(interval: ast.Range) -> str:
        low, high = bound(interval.lower, -math.inf), bound(interval.upper, math.inf)
        opening = "[" if interval.lower_inclusive else "("
        closing = "]" if interval.upper_inclusive else ")"
        return f"{opening}{low:g}:{high:g}{closing}"

    if parameter.ranges and not any(inside(r) for r in parameter.ranges):
        allowed = " or ".join(text(r) for r in parameter.ranges)
        return f"is outside its range {allowed}"
    for exclusion in parameter.excludes:
        if exclusion.range is not None and inside(exclusion.range):
            return f"is in its excluded range {text(exclusion.range)}"
        if exclusion.value is not None and value == bound(exclusion.value, math.nan):
            return "is an excluded value"
    return ""
