"""spicegen.waves.names: one spelling for the batch raw file and the shared library's names."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.waves import WaveformError, canonical_kind, canonical_name, read_raw_plots, unit_of
from tests.waves.conftest import MULTI, run_ngspice


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("time", "time"),
        ("TIME", "time"),
        ("frequency", "frequency"),
        ("out", "v(out)"),
        ("OUT", "v(out)"),
        ("V(out)", "v(out)"),
        ("v( out )", "v(out)"),
        ("V(1)", "v(1)"),  # the shared library's spelling of a node named with a digit
        ("x1.n3", "v(x1.n3)"),
        ("i(v1)", "i(v1)"),
        ("v1#branch", "i(v1)"),
        ("L1#branch", "i(l1)"),
        ("x1.vsense#branch", "i(x1.vsense)"),
        ("i(v1#branch)", "i(v1)"),
        ("v-sweep", "v-sweep"),
        ("v(v-sweep)", "v-sweep"),  # what ngspice 46 writes for `.dc V1 ...`
        ("i(i-sweep)", "i-sweep"),
        ("i-sweep", "i-sweep"),
        ("temp-sweep", "temp-sweep"),
        ("res-sweep", "res-sweep"),
        ("@r1[i]", "@r1[i]"),
        ("i(@r1[i])", "@r1[i]"),
        ("v(@m1[vgs])", "@m1[vgs]"),
        ("@M1[GM]", "@m1[gm]"),
        ("onoise_spectrum", "onoise_spectrum"),
        ("v(time)", "v(time)"),  # a node called time stays a node
    ],
)
def test_canonical_names(name, expected):
    assert canonical_name(name) == expected


def test_empty_name_is_an_error():
    with pytest.raises(WaveformError, match="empty vector name"):
        canonical_name("  ")


# Node and element names as ngspice allows them (no whitespace, no parentheses).
identifiers = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_.:+-"),
    min_size=1,
    max_size=12,
).filter(lambda s: "-sweep" not in s.lower() and not s.lower().startswith(("onoise", "inoise")))


@given(identifiers)
def test_canonical_name_is_idempotent(name):
    once = canonical_name(name)
    assert canonical_name(once) == once
    assert once == once.lower()


@given(identifiers)
def test_raw_and_in_memory_spellings_agree(name):
    """Batch raw: v(node), i(source); shared library: node, source#branch."""
    if name.lower() not in ("time", "frequency", "speedcheck") and ":power" not in name.lower():
        assert canonical_name(name) == canonical_name(f"v({name})") == f"v({name.lower()})"
    assert canonical_name(f"{name}#branch") == canonical_name(f"i({name})") == f"i({name.lower()})"


# Runs in a child process: a libngspice in the test process could not be unloaded, and the
# sim package's worker is not part of this package.
_SHARED_NAMES = textwrap.dedent(
    """
    import json, logging, sys
    logging.disable(logging.CRITICAL)
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi
    ngspice = NgSpiceShared.new_instance()
    lib = ngspice._ngspice_shared

    def strings(array):
        out, i = [], 0
        while array != ffi.NULL and array[i] != ffi.NULL:
            out.append(ffi.string(array[i]).decode())
            i += 1
        return out

    lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
    keep = [ffi.new("char[]", line.encode()) for line in lines]
    lib.ngSpice_Circ(ffi.new("char *[]", [*keep, ffi.NULL]))
    lib.ngSpice_Command(b"run")
    plots = {}
    for plot in strings(lib.ngSpice_AllPlots()):
        if plot != "const":
            names = strings(lib.ngSpice_AllVecs(plot.encode()))
            types = [int(lib.ngGet_Vec_Info(f"{plot}.{n}".encode()).v_type) for n in names]
            plots[plot] = list(zip(names, types))
    print("JSON" + json.dumps(plots))
    """
)
# ngspice's enum simulation_types (sim.h) -> the type names the raw file writes.
_TYPE_NAMES = {1: "time", 2: "frequency", 3: "voltage", 4: "current", 14: "temp", 15: "res"}


def test_batch_and_shared_library_spellings_agree(tmp_path):
    """The same netlist through `ngspice -b -r` and through libngspice: after canonical_name
    (and canonical_kind) every plot has the same vector names and kinds."""
    batch = read_raw_plots(run_ngspice(tmp_path, MULTI, "multi"))
    done = subprocess.run(
        [sys.executable, "-c", _SHARED_NAMES],
        input=MULTI,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    payload = next(line for line in done.stdout.splitlines() if line.startswith("JSON"))
    shared = json.loads(payload[4:])
    assert len(shared) == len(batch) == 6
    in_memory = sorted(
        sorted((canonical_name(name), canonical_kind(_TYPE_NAMES[kind])) for name, kind in vectors)
        for vectors in shared.values()
    )
    from_file = sorted(sorted((v.name, v.kind) for v in plot.vectors) for plot in batch)
    assert in_memory == from_file


@pytest.mark.parametrize(
    ("kind", "unit"),
    [
        ("time", "s"),
        ("voltage", "V"),
        ("current", "A"),
        ("frequency", "Hz"),
        ("Voltage", "V"),
        ("notype", ""),
        ("temp-sweep", ""),
        ("res", "Ohm"),
    ],
)
def test_units_of_kinds(kind, unit):
    assert unit_of(kind) == unit


def test_kind_aliases():
    assert canonical_kind("temp") == "temp-sweep"
    assert canonical_kind("RES") == "res-sweep"
    assert canonical_kind(" Voltage ") == "voltage"
