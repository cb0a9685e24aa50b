"""A run as data: what is to be simulated, kept as values until ``sim/deck.py`` writes the deck.

Sweeps, the convergence-recovery ladder and ``Session`` build and change a ``Run`` with
``dataclasses.replace`` (``replace(run, options=run.options + (Option("method", "gear"),))``);
none of them edits netlist text.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spicegen.sim.errors import InvalidRequestError

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from spicegen.netlist import Analysis, Circuit, Option, Param

# A `set` value reaches ngspice's command parser: a plain word or number only (no spaces,
# quotes, `$` substitutions, backquotes or `;`).
_WORD = re.compile(r"[A-Za-z0-9_.+\-]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Variables that change where ngspice looks for files or what it runs for unknown commands:
# spicegen checks includes by predicting ngspice's search, so these stay out of data.
_REFUSED_VARIABLES = frozenset({"sourcepath", "unixcom"})


@dataclass(frozen=True, slots=True)
class Variable:
    """An ngspice ``set`` variable, set before the netlist is read (as ``.spiceinit`` would).

    ``Variable("ngbehavior", "ps")`` selects PSpice compatibility; ``Variable("ngdebug")`` is a
    flag (``value=True``). A value is one word or a number.
    """

    name: str
    value: str | float | int | bool = True

    def __post_init__(self) -> None:
        if type(self.name) is not str or not _NAME.fullmatch(self.name):
            raise InvalidRequestError(f"Variable.name: {self.name!r} is not a variable name")
        if self.name.lower() in _REFUSED_VARIABLES:
            raise InvalidRequestError(
                f"Variable.name: {self.name!r} changes where ngspice finds files or what it "
                "runs; spicegen does not set it"
            )
        value = self.value
        if value is True:
            return
        if isinstance(value, bool):
            raise InvalidRequestError(
                f"Variable.value: {self.name} = False; leave the variable out instead"
            )
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise InvalidRequestError(f"Variable.value: {value!r} is not a finite number")
            return
        if type(value) is not str or not _WORD.fullmatch(value):
            raise InvalidRequestError(
                f"Variable.value: {value!r} is not one word of letters, digits and '_.+-'"
            )

    @property
    def command(self) -> str:
        """The ngspice command that sets it: ``set ngbehavior=ps``."""
        if self.value is True:
            return f"set {self.name}"
        return f"set {self.name}={self.value}"


def variables_from_init(path: str | os.PathLike[str]) -> tuple[Variable, ...]:
    """The ``set`` variables of an ngspice start-up file (``.spiceinit``), read as data.

    ngspice never reads a deck folder's ``.spiceinit`` under spicegen (docs/security.md); a
    deck that relies on one (``set ngbehavior=ltpsa``) gets its variables this way. Any line
    other than a comment or ``set name[=value] ...`` is refused: it would be a command.
    """
    from spicegen.sim.errors import UnsafeNetlistError

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise InvalidRequestError(f"cannot read {str(file)!r}: {err.strerror}") from None
    variables: list[Variable] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("*"):
            continue
        words = re.sub(r"\s*=\s*", "=", line).split()
        if words[0].lower() != "set" or len(words) == 1:
            raise UnsafeNetlistError(
                f"line {number} of {file} is the command {words[0]!r}; spicegen takes only "
                "`set` variables from a start-up file"
            )
        for word in words[1:]:
            name, equals, value = word.partition("=")
            value = value.strip('"')
            variables.append(Variable(name, value) if equals else Variable(name))
    return tuple(variables)


@dataclass(frozen=True, slots=True)
class Run:
    """One simulation as data.

    ``netlist`` is a ``Circuit`` or netlist text. ``analysis`` replaces a Circuit's own
    analyses; netlist text that holds an analysis card of its own cannot take one (spicegen
    refuses the pair rather than run two). ``params`` and ``options`` override the netlist's
    own ``.param``/``.options`` of the same name (later ones win, so ``options + more`` adds or
    overrides). ``variables`` are ngspice ``set`` variables read before the netlist (compatibility
    modes such as ``Variable("ngbehavior", "ps")``). ``codemodels`` are XSPICE ``.cm`` files to
    load; ``osdi`` are OSDI device libraries to load (a Circuit's compiled models name their
    own in ``Model.library`` and need not be listed). ``base_dir`` is where relative
    ``.include``/``.lib`` paths are found (default: the current directory). ``allow_control``
    lets the netlist run ngspice commands (``.control`` blocks, ``*#`` lines, command scripts),
    which can run any program: only for trusted decks.
    """

    netlist: Circuit | str
    analysis: Analysis | None = None
    params: tuple[Param, ...] = ()
    options: tuple[Option, ...] = ()
    variables: tuple[Variable, ...] = ()
    codemodels: tuple[str, ...] = ()
    osdi: tuple[str, ...] = ()
    base_dir: str | None = None
    allow_control: bool = False

    def __post_init__(self) -> None:
        # netlist text needs none of the netlist types (nor their import, a good part of
        # `spicegen run`'s start-up): they are imported only for what the Run holds
        if not isinstance(self.netlist, str) and not isinstance(self.netlist, _circuit_type()):
            raise InvalidRequestError(
                "Run.netlist: expected a Circuit or netlist text, not "
                f"{type(self.netlist).__name__}"
            )
        if self.analysis is not None and not isinstance(self.analysis, _analysis_types()):
            raise InvalidRequestError(
                f"Run.analysis: expected Op, Dc, Tran or Ac, not {self.analysis!r}"
            )
        _set(self, "params", _items(self.params, "Param", "Run.params"))
        _set(self, "options", _items(self.options, "Option", "Run.options"))
        _set(self, "variables", _items(self.variables, "Variable", "Run.variables"))
        if isinstance(self.codemodels, str | os.PathLike):
            raise InvalidRequestError("Run.codemodels: expected a tuple of paths, not one path")
        _set(self, "codemodels", tuple(_path(p, "Run.codemodels") for p in self.codemodels))
        if isinstance(self.osdi, str | os.PathLike):
            raise InvalidRequestError("Run.osdi: expected a tuple of paths, not one path")
        _set(self, "osdi", tuple(_path(p, "Run.osdi") for p in self.osdi))
        if self.base_dir is not None:
            _set(self, "base_dir", _path(self.base_dir, "Run.base_dir"))
        if type(self.allow_control) is not bool:
            raise InvalidRequestError(
                f"Run.allow_control: expected True or False, not {self.allow_control!r}"
            )


def _set(run: Run, field: str, value: object) -> None:
    object.__setattr__(run, field, value)


def _circuit_type() -> type:
    from spicegen.netlist.circuit import Circuit

    return Circuit


def _analysis_types() -> tuple[type, ...]:
    from spicegen.netlist.analyses import ANALYSIS_TYPES

    return ANALYSIS_TYPES


def _items(items: object, kind_name: str, field: str) -> tuple[object, ...]:
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise InvalidRequestError(f"{field}: expected a tuple of {kind_name}, not {items!r}")
    result = tuple(items)
    if not result:
        return result
    if kind_name == "Variable":
        kind: type = Variable
    else:  # the card types, imported only when a Run has cards
        from spicegen.netlist.circuit import Option, Param

        kind = Param if kind_name == "Param" else Option
    for item in result:
        if not isinstance(item, kind):
            raise InvalidRequestError(f"{field}: expected {kind.__name__} items, not {item!r}")
    return result


def _path(value: object, field: str) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if type(value) is not str or not value or "\0" in value:
        raise InvalidRequestError(f"{field}: expected a file-system path, not {value!r}")
    return str(Path(value))
