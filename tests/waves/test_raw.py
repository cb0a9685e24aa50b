"""spicegen.waves.raw against raw files written by the real ngspice, and against broken ones."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicegen.errors import SpicegenError
from spicegen.waves import RawFileError, read_raw, read_raw_plots
from tests.waves.conftest import C, R

RC = R * C  # s
FLAVOURS = ["", "_ascii"]  # binary, ASCII


# -- physics: closed forms ----------------------------------------------------------------------
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_rc_step_response_is_one_minus_exp(raw_files, flavour):
    """Charging an RC from 0 V (uic) towards 1 V: v(out) = 1 - exp(-t/RC). With a 1 ns maximum
    step (RC/1000) the trapezoidal rule's error is ~(h/RC)^2/12 ~ 1e-7 of the swing; 1e-6 V
    leaves margin."""
    waves = read_raw(raw_files[f"rc_tran{flavour}"])
    assert waves.plotname == "Transient Analysis"
    assert waves.title == "rc step response"  # ngspice lower-cases the title line
    assert waves.axis_name == "time"
    t = waves.axis
    assert t.dtype == np.float64 and t[-1] == pytest.approx(5e-6, rel=1e-12)
    assert len(t) > 5000  # one point per ns at least
    np.testing.assert_allclose(waves.v("out"), 1.0 - np.exp(-t / RC), rtol=0, atol=1e-6)
    # The source current is -(1 V - v(out))/R: into the + terminal of V1 (ngspice's sign).
    np.testing.assert_allclose(waves.i("v1"), -(1.0 - waves.v("out")) / R, rtol=1e-9)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_rc_low_pass_ac_magnitude_and_phase(raw_files, flavour):
    """H(f) = 1 / (1 + j 2 pi f RC): |H| and arg H to 1e-6 relative (the solver is exact for a
    linear AC problem up to rounding; ASCII keeps 16 significant digits)."""
    waves = read_raw(raw_files[f"rc_ac{flavour}"])
    assert waves.plotname == "AC Analysis"
    f = waves.axis
    assert f.dtype == np.float64  # stored complex by ngspice, returned real
    np.testing.assert_allclose(f[[0, -1]], [1.0, 1e8], rtol=1e-12)
    assert len(f) == 81  # 8 decades x 10 points + 1
    h = waves.v("out")
    assert h.dtype == np.complex128
    wrc = 2 * np.pi * f * RC
    np.testing.assert_allclose(np.abs(h), 1 / np.sqrt(1 + wrc**2), rtol=1e-6)
    np.testing.assert_allclose(np.angle(h), -np.arctan(wrc), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_divider_dc_sweep_is_exactly_linear(raw_files, flavour):
    """v(out) = v(in) R2/(R1+R2) = 3/4 v(in), i(v1) = -v(in)/4k, for v(in) from -2 to 2 V."""
    waves = read_raw(raw_files[f"divider_dc{flavour}"])
    assert waves.plotname == "DC transfer characteristic"
    assert waves.axis_name == "v-sweep"  # the raw file says v(v-sweep)
    sweep = waves.axis
    np.testing.assert_allclose(sweep, np.linspace(-2, 2, 17), rtol=0, atol=1e-15)
    np.testing.assert_allclose(waves.v("out"), 0.75 * sweep, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(waves.i("v1"), -sweep / 4e3, rtol=1e-12, atol=1e-18)
    assert waves.vector("v-sweep").kind == "voltage"


# -- binary and ASCII agree ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rc_tran", "rc_ac", "divider_dc", "multi", "control"])
def test_binary_and_ascii_files_hold_the_same_plots(raw_files, name):
    """ASCII prints 16 significant digits (%.15e): values agree to a relative 1e-15 (half a unit
    in the 16th digit is 5e-16 of the value); names, kinds and lengths exactly."""
    binary = read_raw_plots(raw_files[name])
    text = read_raw_plots(raw_files[f"{name}_ascii"])
    assert [p.plotname for p in binary] == [p.plotname for p in text]
    for left, right in zip(binary, text, strict=True):
        assert left.names == right.names
        assert left.axis_name == right.axis_name
        assert [v.kind for v in left.vectors] == [v.kind for v in right.vectors]
        for a, b in zip(left.vectors, right.vectors, strict=True):
            assert a.data.dtype == b.data.dtype
            np.testing.assert_allclose(a.data, b.data, rtol=1e-15, atol=1e-300)


# -- several plots --------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_six_analyses_in_one_batch_file(raw_files, flavour):
    plots = read_raw_plots(raw_files[f"multi{flavour}"])
    by_axis = {p.axis_name: p for p in plots}
    assert sorted(by_axis, key=str) == sorted(
        [None, "time", "frequency", "i-sweep", "temp-sweep", "res-sweep"], key=str
    )
    assert read_raw(raw_files[f"multi{flavour}"]).plotname == plots[0].plotname
    op = by_axis[None]
    assert op.plotname == "Operating Point" and len(op) == 1
    assert op.v("out")[0] == pytest.approx(1.0, rel=1e-12)  # no DC current through C1
    assert op.v("n2")[0] == pytest.approx(1.0, rel=1e-12)  # 1 mA into 1 kohm
    # .dc I1 0 1m 0.25m: v(n2) = I R2 exactly; ngspice writes the scale as i(i-sweep).
    sweep = by_axis["i-sweep"]
    np.testing.assert_allclose(sweep.axis, [0, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3], atol=1e-18)
    np.testing.assert_allclose(sweep.v("n2"), sweep.axis * 1e3, rtol=1e-12, atol=1e-15)
    assert sweep.vector("i-sweep").unit == "A"
    temperature = by_axis["temp-sweep"]
    np.testing.assert_allclose(temperature.axis, [0.0, 25.0, 50.0], atol=1e-12)
    resistance = by_axis["res-sweep"]
    np.testing.assert_allclose(resistance.axis, [1e3, 2e3, 3e3], rtol=1e-12)
    np.testing.assert_allclose(resistance.v("n2"), resistance.axis * 1e-3, rtol=1e-12)
    # `.save all @r1[i]`: written as i(@r1[i]), read as @r1[i]; it is the current in R1.
    tran = by_axis["time"]
    expected = (tran.v("in") - tran.v("out")) / R
    np.testing.assert_allclose(tran["@r1[i]"], expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(tran["i(@r1[i])"], expected, rtol=1e-9, atol=1e-15)
    ac = by_axis["frequency"]
    assert ac.axis.dtype == np.float64 and ac.v("out").dtype == np.complex128


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_plots_written_by_a_control_block(raw_files, flavour):
    """`write file op1.all tran1.all ac1.all` writes three plots in order; its ASCII layout
    differs from -r (leading space before the point index, a blank line after each point)."""
    plots = read_raw_plots(raw_files[f"control{flavour}"])
    assert [p.plotname for p in plots] == ["Operating Point", "Transient Analysis", "AC Analysis"]
    op, tran, ac = plots
    assert op.axis is None and op.v("out")[0] == pytest.approx(1.0, rel=1e-12)
    assert tran.axis[-1] == pytest.approx(1e-6, rel=1e-12)
    np.testing.assert_allclose(tran.v("out"), 1.0, rtol=1e-12)  # starts at its op point
    wrc = 2 * np.pi * ac.axis * RC
    np.testing.assert_allclose(np.abs(ac.v("out")), 1 / np.sqrt(1 + wrc**2), rtol=1e-6)


# -- edge cases of size -------------------------------------------------------------------------
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_one_point(raw_files, flavour):
    waves = read_raw(raw_files[f"one_point{flavour}"])
    assert len(waves) == 1
    assert waves.axis.tolist() == [1.0]
    assert waves.v("out").tolist() == [0.5]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_zero_points_then_a_transient(raw_files, flavour):
    """ngspice writes the variable list with the first point: an empty sweep leaves a header
    that ends at 'Variables:' - a plot of zero points and no vectors."""
    empty, tran = read_raw_plots(raw_files[f"zero_points{flavour}"])
    assert empty.plotname == "DC transfer characteristic"
    assert len(empty) == 0 and empty.vectors == () and empty.axis is None
    assert tran.plotname == "Transient Analysis" and len(tran) > 10
    np.testing.assert_allclose(tran.v("in"), 1.0)


# -- header variants (real files, edited) -------------------------------------------------------
def _edit_header(source: Path, target: Path, old: bytes, new: bytes) -> Path:
    content = source.read_bytes()
    header_end = content.index(b"Binary:\n") if b"Binary:\n" in content else len(content)
    assert old in content[:header_end], old
    target.write_bytes(content.replace(old, new, 1))
    return target


def test_extra_variable_attributes_and_unpadded_count(raw_files, tmp_path):
    """min=, max=, dims= attributes (written by `write`) and a count without its 8-space pad."""
    edited = _edit_header(
        raw_files["divider_dc"],
        tmp_path / "a.raw",
        b"v(out)\tvoltage",
        b"v(out)\tvoltage\tmin=0 dims=17",
    )
    edited = _edit_header(edited, tmp_path / "b.raw", b"No. Points: 17      ", b"No. Points:17")
    waves = read_raw(edited)
    np.testing.assert_allclose(waves.v("out"), read_raw(raw_files["divider_dc"]).v("out"))


def test_windows_line_ends_in_the_header(raw_files, tmp_path):
    content = raw_files["divider_dc"].read_bytes()
    end = content.index(b"Binary:\n") + len(b"Binary:\n")
    path = tmp_path / "crlf.raw"
    path.write_bytes(content[:end].replace(b"\n", b"\r\n") + content[end:])
    assert read_raw(path).v("out")[-1] == pytest.approx(1.5, rel=1e-12)


# -- broken files -------------------------------------------------------------------------------
def _message(path: Path) -> str:
    with pytest.raises(RawFileError) as caught:
        read_raw_plots(path)
    return str(caught.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.raw"
    path.write_bytes(b"")
    message = _message(path)
    assert str(path) in message and "byte 0" in message and "empty" in message


def test_missing_file_is_a_raw_file_error(tmp_path):
    message = _message(tmp_path / "nothing.raw")
    assert "nothing.raw" in message and "cannot open or read" in message
    assert "No such file" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b"No. Points: 17      ", b"No. Points: many", "No. Points: many"),
        (b"No. Points: 17      ", b"No. Points: -3", "integer >= 0"),
        (b"No. Variables: 4", b"No. Variables: four", "integer >= 1"),
        (b"Flags: real\n", b"Flags: double\n", "'real' or 'complex'"),
        (b"Flags: real\n", b"", "'Flags:' line"),
        (b"Plotname: DC transfer characteristic\n", b"", "'Plotname:' line"),
        (b"\t2\tv(out)\tvoltage", b"\t7\tv(out)\tvoltage", "variable line 2 of 4"),
        (b"\t2\tv(out)\tvoltage", b"\t2\tv(out)", "variable line 2 of 4"),
        (b"Variables:\n", b"Variables\n", "'Field: value'"),
    ],
)
def test_corrupt_header_fields(raw_files, tmp_path, old, new, expected):
    path = _edit_header(raw_files["divider_dc"], tmp_path / "bad.raw", old, new)
    message = _message(path)
    assert message.startswith(f"{path}: byte ")
    assert expected in message


def test_repeated_names_are_numbered_not_refused(tmp_path):
    # ngspice writes one i(adac) per port of a multi-port XSPICE dac_bridge
    deck = tmp_path / "dac.cir"
    deck.write_text(
        "dac\nV1 a 0 pulse(0 1 0 1n 1n 5u 10u)\nV2 b 0 dc 1\n"
        "aadc [a b] [da db] adc1\n.model adc1 adc_bridge(in_low=0.3 in_high=0.7)\n"
        "adac [da db] [oa ob] dac1\n.model dac1 dac_bridge(out_low=0 out_high=1)\n"
        "R1 oa 0 1k\nR2 ob 0 1k\n.tran 1u 20u\n.end\n"
    )
    raw = tmp_path / "dac.raw"
    subprocess.run(["ngspice", "-b", "-r", str(raw), str(deck)], capture_output=True, check=True)
    waves = read_raw(raw)
    assert "i(adac)" in waves.names and "i(adac)#2" in waves.names
    # port 2 drives ob, held high by V2: 1 V into 1 kohm
    assert waves["v(ob)"][-1] == pytest.approx(1.0)
    assert waves["i(adac)#2"][-1] == pytest.approx(-1e-3, rel=1e-3)


def test_binary_marker_without_variables(raw_files, tmp_path):
    content = raw_files["divider_dc"].read_bytes()
    start, end = content.index(b"Variables:\n"), content.index(b"Binary:\n")
    path = tmp_path / "novars.raw"
    path.write_bytes(content[:start] + content[end:])
    assert "'Variables:' section" in _message(path)


def test_not_a_header_at_the_start(tmp_path):
    path = tmp_path / "text.raw"
    path.write_bytes(b"Circuit: something else\nTitle: x\n")
    message = _message(path)
    assert "byte 0" in message and "'Title: ...'" in message and "Circuit" in message


def test_announced_points_beyond_the_data(raw_files, tmp_path):
    path = _edit_header(
        raw_files["divider_dc"], tmp_path / "more.raw", b"No. Points: 17      ", b"No. Points: 20"
    )
    message = _message(path)
    assert "expected 20 points" in message and "17 complete point(s)" in message


def test_data_beyond_the_announced_points(raw_files, tmp_path):
    """A killed ngspice leaves 'No. Points: 0' in front of the data it wrote."""
    path = _edit_header(
        raw_files["divider_dc"], tmp_path / "less.raw", b"No. Points: 17      ", b"No. Points: 0"
    )
    assert "No. Points" in _message(path)
    text = _edit_header(
        raw_files["divider_dc_ascii"],
        tmp_path / "less.txt",
        b"No. Points: 17      ",
        b"No. Points: 0",
    )
    assert "expected 0 points" in _message(text)


def test_ascii_point_indices_out_of_order(raw_files, tmp_path):
    content = raw_files["divider_dc_ascii"].read_bytes()
    path = tmp_path / "indices.raw"
    path.write_bytes(content.replace(b"\n3\t", b"\n4\t", 1))
    assert "point indices" in _message(path)


def test_ascii_garbage_in_the_values(raw_files, tmp_path):
    content = raw_files["divider_dc_ascii"].read_bytes()
    path = tmp_path / "garbage.raw"
    path.write_bytes(content.replace(b"e-01\n", b"e-0x\n", 1))
    assert "only numbers" in _message(path)


def test_error_is_a_spicegen_error_and_pickles(tmp_path):
    path = tmp_path / "empty.raw"
    path.write_bytes(b"")
    with pytest.raises(SpicegenError) as caught:
        read_raw(path)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, RawFileError) and str(copy) == str(caught.value)
    assert (copy.path, copy.offset) == (str(path), 0)


def _cuts(path: Path) -> list[int]:
    return list(range(path.stat().st_size))


@pytest.mark.parametrize(
    "name",
    ["divider_dc", "divider_dc_ascii", "rc_ac_small", "rc_ac_small_ascii", "one_point_ascii"],
)
def test_every_truncation_of_a_one_plot_file_is_a_raw_file_error(raw_files, tmp_path, name):
    """Cut at every byte offset (files of 0.5-2 kB): always RawFileError, never an IndexError,
    ValueError or UnicodeDecodeError, and never a silently shorter plot."""
    content = raw_files[name].read_bytes()
    path = tmp_path / "cut.raw"
    for cut in _cuts(raw_files[name]):
        path.write_bytes(content[:cut])
        with pytest.raises(RawFileError):
            read_raw_plots(path)


def _plot_starts(content: bytes) -> list[int]:
    """Byte offsets of every 'Title:' (binary data runs straight into the next header)."""
    starts, position = [], content.find(b"Title:")
    while position >= 0:
        starts.append(position)
        position = content.find(b"Title:", position + 1)
    return starts


@pytest.mark.parametrize("name", ["multi", "multi_ascii"])
def test_cut_at_a_plot_boundary_gives_the_plots_before_it(raw_files, tmp_path, name):
    content = raw_files[name].read_bytes()
    complete = read_raw_plots(raw_files[name])
    starts = _plot_starts(content)
    assert len(starts) == len(complete) == 6
    path = tmp_path / "boundary.raw"
    for count, start in enumerate(starts[1:], start=1):
        path.write_bytes(content[:start])
        plots = read_raw_plots(path)
        assert [p.plotname for p in plots] == [p.plotname for p in complete[:count]]


def _boundaries(content: bytes) -> set[int]:
    """Cuts that leave a valid file: at a plot start or the end, or anywhere in the blank lines
    before them (the `write` command ends each ASCII point with an empty line)."""
    cuts = set()
    for start in [*_plot_starts(content)[1:], len(content)]:
        cut = start
        while cut > 0 and content[cut - 1 : cut] in (b"\n", b" ", b"\t", b"\r"):
            cuts.add(cut)
            cut -= 1
        cuts.add(cut)
    return cuts


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_truncated_multi_plot_files_raise_raw_file_errors(raw_files, tmp_path, data):
    """Any cut of a multi-plot file except at a plot boundary (a valid shorter file)."""
    name = data.draw(st.sampled_from(["multi", "multi_ascii", "control", "control_ascii"]))
    content = raw_files[name].read_bytes()
    boundaries = _boundaries(content)
    cut = data.draw(st.integers(0, len(content) - 1).filter(lambda c: c not in boundaries))
    path = tmp_path / "cut.raw"
    path.write_bytes(content[:cut])
    with pytest.raises(RawFileError):
        read_raw_plots(path)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(min_size=0, max_size=4096))
def test_random_bytes_raise_raw_file_errors(tmp_path, content):
    path = tmp_path / "random.raw"
    path.write_bytes(content)
    with pytest.raises(RawFileError):
        read_raw_plots(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    garbage=st.binary(min_size=1, max_size=64),
    where=st.floats(0.0, 1.0),
    name=st.sampled_from(["divider_dc", "divider_dc_ascii", "rc_ac", "rc_ac_ascii"]),
)
def test_garbage_in_a_real_file_reads_or_raises_raw_file_error(
    raw_files, tmp_path, garbage, where, name
):
    """Bytes overwritten anywhere: the reader either reads the plots (binary data bytes are
    just other numbers) or raises RawFileError - no other exception escapes."""
    content = bytearray(raw_files[name].read_bytes())
    at = int(where * (len(content) - 1))
    content[at : at + len(garbage)] = garbage
    path = tmp_path / "garbage.raw"
    path.write_bytes(bytes(content))
    try:
        plots = read_raw_plots(path)
    except RawFileError:
        return
    assert all(len(p) == len(p.vectors[0].data) for p in plots if p.vectors)


def test_ngspice_killed_mid_run(tmp_path):
    """A real aborted run: ngspice fills in 'No. Points' only when the analysis ends, so a
    killed batch run leaves 0 there with data behind it."""
    netlist = tmp_path / "long.cir"
    netlist.write_text(
        "long transient\nV1 in 0 sin(0 1 1meg)\nR1 in out 1k\nC1 out 0 1n\n.tran 1p 1 0 1p\n.end\n"
    )
    raw = tmp_path / "long.raw"
    process = subprocess.Popen(
        ["ngspice", "-b", "-r", str(raw), str(netlist)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while (not raw.exists() or raw.stat().st_size < 200_000) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert raw.stat().st_size >= 200_000
    assert b"No. Points: 0       " in raw.read_bytes()[:1000]
    message = _message(raw)
    assert "No. Points" in message and str(raw) in message
