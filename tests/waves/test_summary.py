"""spicegen.waves.summary: the numpy-free summary equals numpy's on real ngspice raw files.

The reference is computed here with numpy straight from ``read_raw_plots`` (``min``, ``max``,
``abs`` of the arrays), independently of ``summarise_waveforms``; equality is exact (the same
doubles), not within a tolerance.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicegen.waves import RawFileError, read_raw_plots
from spicegen.waves.summary import (
    PRINTED_DIGITS,
    PURE_LIMIT,
    PlotSummary,
    VectorSummary,
    summarise_raw_plots,
    summarise_waveforms,
)

ALL_FILES = [
    f"{name}{flavour}"
    for name in (
        "rc_tran",
        "rc_ac",
        "rc_ac_small",
        "divider_dc",
        "multi",
        "control",
        "one_point",
        "zero_points",
    )
    for flavour in ("", "_ascii")
]


def numpy_reference(path: Path) -> tuple[PlotSummary, ...]:
    """The summary as numpy computes it from the arrays of ``read_raw_plots``."""
    plots = []
    for waveforms in read_raw_plots(path):
        vectors = []
        for vector in waveforms.vectors:
            data = vector.data
            if data.size == 0:
                vectors.append(VectorSummary(vector.name, vector.kind, 0, None, None, None))
            elif np.iscomplexobj(data):
                magnitude = np.abs(data)
                vectors.append(
                    VectorSummary(
                        vector.name,
                        vector.kind,
                        data.size,
                        float(np.min(magnitude)),
                        float(np.max(magnitude)),
                        complex(data[-1]),
                    )
                )
            else:
                vectors.append(
                    VectorSummary(
                        vector.name,
                        vector.kind,
                        data.size,
                        float(np.min(data)),
                        float(np.max(data)),
                        float(data[-1]),
                    )
                )
        plots.append(
            PlotSummary(waveforms.title, waveforms.plotname, len(waveforms), tuple(vectors))
        )
    return tuple(plots)


def printed(plots: tuple[PlotSummary, ...]) -> str:
    """``plots`` with the extremes of complex vectors as ``spicegen run`` prints them: numpy
    computes those magnitudes with vector instructions where the CPU has them, C's hypot
    elsewhere, which differ in the last bit; every other value is kept exactly (repr tells
    NaN from NaN and the sign of a zero)."""

    def brief(vector: VectorSummary) -> VectorSummary | tuple[str, ...]:
        if not isinstance(vector.last, complex):
            return vector
        low, high = (f"{value:.{PRINTED_DIGITS}g}" for value in (vector.low, vector.high))
        return (vector.name, vector.kind, str(vector.points), repr(vector.last), low, high)

    return repr(
        [(p.title, p.plotname, p.points, [brief(vector) for vector in p.vectors]) for p in plots]
    )


def same(left: tuple[PlotSummary, ...], right: tuple[PlotSummary, ...]) -> bool:
    """Equal summaries, as printed for complex extremes, exactly for everything else."""
    return printed(left) == printed(right)


@pytest.mark.parametrize("name", ALL_FILES)
def test_the_summary_equals_numpys_on_real_ngspice_files(raw_files, name):
    expected = numpy_reference(raw_files[name])
    assert same(summarise_raw_plots(raw_files[name]), expected)
    assert same(tuple(map(summarise_waveforms, read_raw_plots(raw_files[name]))), expected)


def test_the_summary_holds_what_the_files_hold(raw_files):
    plots = {plot.plotname: plot for plot in summarise_raw_plots(raw_files["multi"])}
    assert {"Operating Point", "Transient Analysis", "AC Analysis"} <= set(plots)
    ac = plots["AC Analysis"]
    frequency = ac.vectors[0]
    assert frequency.name == "frequency" and frequency.unit == "Hz"
    assert isinstance(frequency.last, float)  # the complex AC axis is made real
    assert frequency.low == pytest.approx(1e3) and frequency.high == pytest.approx(1e6)
    # v(in) is the AC source of magnitude 1 at every frequency
    source = next(vector for vector in ac.vectors if vector.name == "v(in)")
    assert isinstance(source.last, complex)
    assert source.low == pytest.approx(1.0) and source.high == pytest.approx(1.0)
    zero = summarise_raw_plots(raw_files["zero_points"])[0]
    assert zero.points == 0


def _raw(path: Path, columns: list[list[float]], plotname: str = "DC transfer characteristic"):
    """A binary raw file of real ``columns`` written here (values ngspice rarely writes)."""
    points = len(columns[0])
    header = (
        f"Title: made\nDate: now\nPlotname: {plotname}\nFlags: real\n"
        f"No. Variables: {len(columns)}\nNo. Points: {points}\nVariables:\n"
        + "".join(f"\t{k}\tv(n{k})\tvoltage\n" for k in range(len(columns)))
        + "Binary:\n"
    )
    data = [columns[k][p] for p in range(points) for k in range(len(columns))]
    path.write_bytes(header.encode() + struct.pack(f"={len(data)}d", *data))
    return path


@pytest.mark.parametrize(
    "column",
    [
        [0.0, -0.0, 1.0, 0.0],  # zeros of both signs: numpy's order picks the sign
        [-0.0, -0.0, 2.0],
        [1.0, math.nan, -1.0],
        [math.inf, -math.inf, 0.5],
        [5e-324, -5e-324, 0.0],
        [-0.0, 3.0, 0.0, -0.0] * 40,
    ],
)
def test_signed_zeros_nans_and_infinities_as_numpy_sees_them(tmp_path, column):
    path = _raw(tmp_path / "made.raw", [list(range(len(column))), column])
    assert same(summarise_raw_plots(path), numpy_reference(path))


def test_a_large_file_is_read_with_numpy_and_summarised_the_same(tmp_path):
    points = PURE_LIMIT // 16 + 1000  # two vectors of doubles: a little over the limit
    time = [k * 1e-9 for k in range(points)]
    wave = [math.sin(k * 1e-3) for k in range(points)]
    path = _raw(tmp_path / "large.raw", [time, wave], plotname="Transient Analysis")
    assert path.stat().st_size > PURE_LIMIT
    assert same(summarise_raw_plots(path), numpy_reference(path))


def test_errors_are_the_readers_errors(raw_files, tmp_path):
    content = raw_files["divider_dc"].read_bytes()
    path = tmp_path / "cut.raw"
    path.write_bytes(content[:-8])
    with pytest.raises(RawFileError) as pure:
        summarise_raw_plots(path)
    with pytest.raises(RawFileError) as reference:
        read_raw_plots(path)
    assert str(pure.value) == str(reference.value)
    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    with pytest.raises(RawFileError, match="the file is empty"):
        summarise_raw_plots(empty)
    with pytest.raises(RawFileError, match="cannot open or read"):
        summarise_raw_plots(tmp_path / "nothing.raw")


def _outcome(path: Path) -> str:
    """What reading ``path`` gives: the summary, or the error up to a decoder's own reason."""
    try:
        return printed(summarise_raw_plots(path))
    except RawFileError as err:
        return f"{err.offset}: {err.expected.split(' (')[0]}"


def _reference_outcome(path: Path) -> str:
    try:
        return printed(numpy_reference(path))
    except RawFileError as err:
        return f"{err.offset}: {err.expected.split(' (')[0]}"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    garbage=st.binary(min_size=1, max_size=32),
    where=st.floats(0.0, 1.0),
    name=st.sampled_from(["divider_dc", "divider_dc_ascii", "rc_ac_small", "rc_ac_small_ascii"]),
)
def test_overwritten_bytes_give_numpys_summary_or_the_same_error(
    raw_files, tmp_path, garbage, where, name
):
    """Garbage anywhere in a real file (other doubles: NaNs, infinities, signed zeros,
    subnormals; broken headers; bad ASCII numbers): the pure summary and numpy agree."""
    content = bytearray(raw_files[name].read_bytes())
    at = int(where * (len(content) - 1))
    content[at : at + len(garbage)] = garbage
    path = tmp_path / "garbage.raw"
    path.write_bytes(bytes(content))
    assert _outcome(path) == _reference_outcome(path)


def test_summarising_a_raw_file_loads_no_numpy(raw_files):
    # every real file above is read by the pure reader, not handed to numpy
    probe = (
        "import sys\n"
        "from spicegen.waves import summarise_raw_plots\n"
        f"for name in {[str(raw_files[name]) for name in ALL_FILES]!r}:\n"
        "    assert summarise_raw_plots(name)\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.split() == ["False"]
