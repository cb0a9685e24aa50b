"""Read a sweep spec from a TOML file (stdlib ``tomllib``); every mistake names its key.

Tables: ``[sweep]`` (name, seed, samples, timeout, ladder, batch), ``[circuit]`` (``netlist``
file, inline ``text``, or ``factory``: one of spicegen's generators by name, or a Python
``"module:function"`` when the caller passes ``allow_code``), ``[analysis]`` (``type`` = op, dc,
tran, ac and its fields), ``[parameters.grid]``, ``[parameters.zip]``, ``[parameters.random]``,
``[measure.NAME]`` and ``[waveforms]``. See docs/sweep.md. A hostile file (deep nesting, huge
numbers or strings, ``/dev/zero`` as its netlist) gets a ``SpecError``, never a traceback.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spicegen.netlist import Ac, Dc, NetlistError, Op, Tran
from spicegen.sim import Analysis
from spicegen.sweep.checks import check_number, split_python_name
from spicegen.sweep.distributions import distribution_from_table
from spicegen.sweep.errors import SpecError
from spicegen.sweep.generators import GENERATORS
from spicegen.sweep.ladder import RUNGS
from spicegen.sweep.measures import measure_from_table
from spicegen.sweep.spec import Factory, SweepSpec, Template, Waves, parameters

MAX_SPEC_BYTES = 2**20  # a spec file is a page of settings; 1 MiB is far more than any needs
MAX_NETLIST_BYTES = 64 * 2**20  # a template netlist is copied into every point's task
_MAX_NESTING = 32  # arrays and inline tables; a spec needs two levels
_MAX_DIGITS = 4300  # Python's limit on int(str) (sys.get_int_max_str_digits)
_LONG_NUMBER = re.compile(rf"[0-9_]{{{_MAX_DIGITS + 1},}}")

_TOP = {"sweep", "circuit", "analysis", "parameters", "measure", "waveforms"}
_SWEEP = {"name", "seed", "samples", "timeout", "ladder", "batch"}
_ANALYSES: dict[str, tuple[Callable[..., Analysis], tuple[str, ...]]] = {
    "op": (Op, ()),
    "dc": (Dc, ("source", "start", "stop", "step")),
    "tran": (Tran, ("step", "stop", "start", "max_step", "uic")),
    "ac": (Ac, ("variation", "points", "fstart", "fstop")),
}


def load_spec(path: str | Path, *, allow_code: bool = False) -> SweepSpec:
    """Parse the TOML spec at ``path``; relative file names are taken from its directory.

    A spec file is data: ``factory`` names one of spicegen's ``GENERATORS``; naming any other
    Python function (``module:function``) imports and runs it, so it needs ``allow_code``.
    """
    file = Path(path)
    text = _read(file, MAX_SPEC_BYTES, "")
    return spec_from_dict(parse_toml(text, str(file)), file.resolve().parent, allow_code=allow_code)


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, with every failure a ``SpecError`` that says where in ``where``.

    Nesting is checked before parsing (tomllib recurses once per level); an integer of more
    digits than Python converts (4300) is located after tomllib refuses it.
    """
    _check_nesting(text, where)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError("", f"{where} is not valid TOML: {err}") from None
    except RecursionError:
        raise SpecError("", f"{where}: nested too deeply for the TOML parser") from None
    except ValueError as err:
        long = _LONG_NUMBER.search(text)
        if long is not None:
            line, column = _position(text, long.start())
            raise SpecError(
                "",
                f"{where}:{line}:{column}: a number of {len(long.group())} digits; "
                f"numbers in a spec have at most {_MAX_DIGITS}",
            ) from None
        raise SpecError("", f"{where} is not valid TOML: {err}") from None


def _check_nesting(text: str, where: str) -> None:
    """Refuse arrays and inline tables nested deeper than ``_MAX_NESTING``, at the bracket."""
    depth = 0
    position = 0
    size = len(text)
    while position < size:
        char = text[position]
        if char == "#":
            end = text.find("\n", position)
            position = size if end < 0 else end
        elif char in "\"'":
            position = _string_end(text, position)
        elif char in "[{":
            depth += 1
            if depth > _MAX_NESTING:
                line, column = _position(text, position)
                raise SpecError(
                    "",
                    f"{where}:{line}:{column}: arrays or tables nested more than "
                    f"{_MAX_NESTING} deep",
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        position += 1


def _string_end(text: str, start: int) -> int:
    """The index of the last character of the TOML string starting at ``start``."""
    quote = text[start]
    triple = text.startswith(quote * 3, start)
    delimiter = quote * 3 if triple else quote
    position = start + len(delimiter)
    while position < len(text):
        if quote == '"' and text[position] == "\\":
            position += 2  # an escape: the next character never ends the string
            continue
        if text.startswith(delimiter, position):
            return position + len(delimiter) - 1
        if not triple and text[position] == "\n":
            return position  # an unterminated one-line string: tomllib reports it
        position += 1
    return len(text)


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _read(file: Path, limit: int, key: str) -> str:
    """The text of ``file``, refused when it is not a regular file or is above ``limit`` bytes
    (a spec naming ``/dev/zero`` or a huge file must not fill the memory)."""
    what = "spec file" if not key else "netlist"
    try:
        if not file.is_file():
            if not file.exists():
                raise SpecError(key, f"no such {what}: {file}")
            raise SpecError(key, f"{file} is not a regular file")
        with file.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as err:
        raise SpecError(key, f"cannot read {file}: {err.strerror or err}") from None
    if len(data) > limit:
        raise SpecError(key, f"{file} is larger than {limit // 2**20} MiB, the limit for a {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(
            key, f"cannot read {file}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None


def spec_from_dict(data: dict[str, Any], base: Path, *, allow_code: bool = False) -> SweepSpec:
    """Build the spec from parsed TOML; ``base`` resolves relative paths; ``allow_code`` lets
    ``circuit.factory`` name a Python function."""
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
        circuit=_circuit(_table(data, "circuit"), base, allow_code),
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


def _circuit(table: dict[str, Any], base: Path, allow_code: bool) -> Template | Factory:
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
        return Template(
            _read(file, MAX_NETLIST_BYTES, "circuit.netlist"), base_dir=str(file.parent)
        )
    return _factory(value, allow_code)


def _factory(value: str, allow_code: bool) -> Factory:
    """One of spicegen's generators by name; a Python function only with ``allow_code``.

    Nothing is imported before the flag is checked: importing a module runs its code.
    """
    if value in GENERATORS:
        return GENERATORS[value]
    ours = ", ".join(GENERATORS)
    if ":" not in value:
        raise SpecError(
            "circuit.factory",
            f"no spicegen factory {value!r}; the factories are {ours} (a Python function is "
            "named module:function and needs allow_code=True, CLI --allow-code)",
        )
    if not allow_code:
        raise SpecError(
            "circuit.factory",
            f"{value!r} names Python code, and a spec file is data: importing and calling it "
            "could do anything, so it needs allow_code=True (CLI --allow-code) from the person "
            f"running the sweep; spicegen's own factories need no flag: {ours}",
        )
    module_name, attribute = split_python_name("circuit.factory", value)
    try:
        found: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as err:
        raise SpecError(
            "circuit.factory", f"cannot import {value!r} (module:function): {err}"
        ) from None
    if not callable(found):
        raise SpecError("circuit.factory", f"{value!r} is not a function")
    result: Factory = found
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
    fields_given = {k: v for k, v in table.items() if k != "type"}
    for name, value in fields_given.items():
        if name not in ("source", "variation", "uic"):
            check_number(f"analysis.{name}", value)
    try:
        return cls(**fields_given)
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
