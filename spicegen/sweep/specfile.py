"""Read a sweep spec from a TOML file (stdlib ``tomllib``); every mistake names its key.

Tables: ``[sweep]`` (name, seed, samples, timeout, ladder, batch), ``[circuit]`` (``netlist``
file, inline ``text``, or ``factory = "module:function"``), ``[analysis]`` (``type`` = op, dc,
tran, ac and its fields), ``[parameters.grid]``, ``[parameters.zip]``, ``[parameters.random]``,
``[measure.NAME]`` and ``[waveforms]``. See docs/sweep.md.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spicegen.netlist import Ac, Dc, NetlistError, Op, Tran
from spicegen.sim import Analysis
from spicegen.sweep.distributions import distribution_from_table
from spicegen.sweep.errors import SpecError
from spicegen.sweep.ladder import RUNGS
from spicegen.sweep.measures import measure_from_table
from spicegen.sweep.spec import Factory, SweepSpec, Template, Waves, parameters

_TOP = {"sweep", "circuit", "analysis", "parameters", "measure", "waveforms"}
_SWEEP = {"name", "seed", "samples", "timeout", "ladder", "batch"}
_ANALYSES: dict[str, tuple[Callable[..., Analysis], tuple[str, ...]]] = {
    "op": (Op, ()),
    "dc": (Dc, ("source", "start", "stop", "step")),
    "tran": (Tran, ("step", "stop", "start", "max_step", "uic")),
    "ac": (Ac, ("variation", "points", "fstart", "fstop")),
}


def load_spec(path: str | Path) -> SweepSpec:
    """Parse the TOML spec at ``path``; relative file names are taken from its directory."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError("", f"no such spec file: {file}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError("", f"cannot read {file}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError("", f"{file} is not valid TOML: {err}") from None
    return spec_from_dict(data, file.resolve().parent)


def spec_from_dict(data: dict[str, Any], base: Path) -> SweepSpec:
    """Build the spec from parsed TOML; ``base`` resolves relative paths."""
    _only(data, _TOP, "")
    sweep = _table(data, "sweep")
    _only(sweep, _SWEEP, "sweep")
    ladder = sweep.get("ladder", True)
    if ladder is True:
        rungs = tuple(RUNGS)
    elif ladder is False:
        rungs = ()
    elif isinstance(ladder, list) and all(isinstance(r, str) for r in ladder):
        rungs = tuple(ladder)
    else:
        raise SpecError("sweep.ladder", f"expected true, false or a list of rungs, got {ladder!r}")
    params = _table(data, "parameters")
    _only(params, {"grid", "zip", "random"}, "parameters")
    random = {
        name: distribution_from_table(f"parameters.random.{name}", table)
        for name, table in _table(params, "random", "parameters").items()
    }
    measures = tuple(
        measure_from_table(name, table) for name, table in _table(data, "measure").items()
    )
    waves = _table(data, "waveforms")
    _only(waves, {"keep", "points", "vectors"}, "waveforms")
    vectors = waves.get("vectors", [])
    if not isinstance(vectors, list) or not all(isinstance(v, str) for v in vectors):
        raise SpecError("waveforms.vectors", f"expected a list of vector names, got {vectors!r}")
    return SweepSpec(
        circuit=_circuit(_table(data, "circuit"), base),
        parameters=parameters(
            grid=_table(params, "grid", "parameters"),
            zipped=_table(params, "zip", "parameters"),
            random=random,
        ),
        analysis=_analysis(data.get("analysis")),
        measures=measures,
        samples=sweep.get("samples", 1),
        seed=sweep.get("seed", 0),
        timeout=sweep.get("timeout", 600.0),
        ladder=rungs,
        waves=Waves(
            keep=waves.get("keep", "none"), points=waves.get("points", 200), vectors=tuple(vectors)
        ),
        batch=sweep.get("batch", 0),
        name=str(sweep.get("name", "sweep")),
    )


def _circuit(table: dict[str, Any], base: Path) -> Template | Factory:
    _only(table, {"netlist", "text", "factory"}, "circuit")
    given = [key for key in ("netlist", "text", "factory") if key in table]
    if len(given) != 1:
        raise SpecError("circuit", "give exactly one of netlist (a file), text, or factory")
    key = given[0]
    value = table[key]
    if not isinstance(value, str):
        raise SpecError(f"circuit.{key}", f"expected a string, got {value!r}")
    if key == "text":
        return Template(value, base_dir=str(base))
    if key == "netlist":
        file = base / value
        try:
            return Template(file.read_text(encoding="utf-8"), base_dir=str(file.parent))
        except (OSError, UnicodeDecodeError) as err:
            raise SpecError("circuit.netlist", f"cannot read {file}: {err}") from None
    module_name, _, attribute = value.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as err:
        raise SpecError(
            "circuit.factory", f"cannot import {value!r} (module:function): {err}"
        ) from None
    if not callable(factory):
        raise SpecError("circuit.factory", f"{value!r} is not a function")
    result: Factory = factory
    return result


def _analysis(table: object) -> Analysis | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise SpecError("analysis", f"expected a table, got {table!r}")
    kind = table.get("type")
    if kind not in _ANALYSES:
        raise SpecError("analysis.type", f"expected one of {', '.join(_ANALYSES)}, got {kind!r}")
    cls, fields = _ANALYSES[kind]
    _only(table, {"type", *fields}, "analysis")
    try:
        return cls(**{k: v for k, v in table.items() if k != "type"})
    except NetlistError as err:
        raise SpecError("analysis", str(err)) from None
    except TypeError as err:
        raise SpecError("analysis", f"{kind}: {err}") from None


def _table(data: dict[str, Any], key: str, parent: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        name = f"{parent}.{key}" if parent else key
        raise SpecError(name, f"expected a table, got {value!r}")
    return value


def _only(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise SpecError(name, f"unknown key; expected one of {', '.join(sorted(allowed))}")
