"""One spelling for every vector name and kind, whichever ngspice backend produced it.

A batch raw file and the shared library's in-memory plots name the same vectors differently:

| quantity                     | raw file (``ngspice -b -r``) | shared library   | canonical     |
|------------------------------|------------------------------|------------------|---------------|
| node voltage                 | ``v(out)``                   | ``out``, ``V(1)``| ``v(out)``    |
| branch current of V1 / L1    | ``i(v1)``                    | ``v1#branch``    | ``i(v1)``     |
| transient / AC scale         | ``time``, ``frequency``      | same             | same          |
| ``.dc`` scale of a V source  | ``v(v-sweep)``               | ``v-sweep``      | ``v-sweep``   |
| ``.dc`` scale of an I source | ``i(i-sweep)``               | ``i-sweep``      | ``i-sweep``   |
| ``.dc TEMP`` / ``.dc R1``    | ``temp-sweep``, ``res-sweep``| same             | same          |
| device parameter             | ``i(@r1[i])``, ``v(@m1[vgs])``| ``@r1[i]``      | ``@r1[i]``    |

(checked against ngspice 46: ``fileInit_pass2`` in ``outitf.c`` wraps voltage-typed names in
``v()`` and current-typed names in ``i()``, dropping ``#branch``; the in-memory names keep the
simulator's own spelling.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spicegen.waves.errors import WaveformError

_WRAPPED = re.compile(r"([vi])\((.+)\)")
_SCALES = frozenset({"time", "frequency", "speedcheck"})
_BRANCH = "#branch"

# The ngspice type names (``ft_typenames``) mapped to SI unit symbols.
_UNITS = {
    "time": "s",
    "frequency": "Hz",
    "voltage": "V",
    "current": "A",
    "res-sweep": "Ohm",
    "impedance": "Ohm",
    "admittance": "S",
    "power": "W",
    "capacitance": "F",
    "charge": "C",
    "decibel": "dB",
}

# Kind names some callers derive from ngspice's enum (``SV_TEMP``, ``SV_RES``) rather than from
# its type names; the raw file writes the type names.
_KIND_ALIASES = {"temp": "temp-sweep", "res": "res-sweep"}


def _is_bare_special(name: str) -> bool:
    """Names ngspice never wraps in v()/i(): scales, device parameters, noise spectra."""
    return (
        name in _SCALES
        or "-sweep" in name
        or name.startswith(("@", "onoise", "inoise"))
        or ":power" in name
    )


def canonical_name(name: str) -> str:
    """The canonical spelling of an ngspice vector name (see the module table).

    Lower-case, whitespace removed; ``x#branch`` -> ``i(x)``; a bare node ``out`` -> ``v(out)``;
    ``v(...)``/``i(...)`` kept except around scales and ``@device[param]`` vectors.
    """
    text = "".join(name.split()).lower()
    if not text:
        raise WaveformError(f"empty vector name {name!r}")
    wrapped = _WRAPPED.fullmatch(text)
    if wrapped is not None:
        prefix, inner = wrapped.groups()
        if inner.startswith("@") or "-sweep" in inner:  # only these does ngspice wrap
            return inner
        if inner.endswith(_BRANCH):
            return f"i({inner[: -len(_BRANCH)]})"
        return f"{prefix}({inner})"
    if text.endswith(_BRANCH) and len(text) > len(_BRANCH):
        return f"i({text[: -len(_BRANCH)]})"
    if _is_bare_special(text):
        return text
    return f"v({text})"


def canonical_kind(kind: str) -> str:
    """The ngspice type name of a vector kind, lower-case (``temp`` -> ``temp-sweep``)."""
    text = kind.strip().lower()
    return _KIND_ALIASES.get(text, text)


def unit_of(kind: str) -> str:
    """SI unit symbol of an ngspice vector kind: ``time`` -> ``s``, ``voltage`` -> ``V``,
    ``current`` -> ``A``, ``frequency`` -> ``Hz``; ``""`` for kinds without one (``notype``)."""
    return _UNITS.get(canonical_kind(kind), "")


def plot_names(names: Iterable[str]) -> tuple[str, ...]:
    """The canonical names of a plot's vectors, in order, each unique: a name that repeats
    (ngspice writes one ``i(adac)`` per port of a multi-port XSPICE bridge) keeps its first
    occurrence and numbers the next ones ``i(adac)#2``, ``i(adac)#3``..."""
    found = []
    seen: dict[str, int] = {}
    for name in names:
        canonical = canonical_name(name)
        seen[canonical] = seen.get(canonical, 0) + 1
        found.append(canonical if seen[canonical] == 1 else f"{canonical}#{seen[canonical]}")
    return tuple(found)
