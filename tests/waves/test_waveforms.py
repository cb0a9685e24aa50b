"""spicegen.waves.waveforms: lookup, immutability, derived views."""

from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spicegen.waves import MissingVectorError, Vector, WaveformError, Waveforms, read_raw_plots

T = np.linspace(0.0, 1e-6, 11)  # s


def divider() -> Waveforms:
    """A 3:1 divider driven by a 0..1 V ramp, as the shared library would hand it over."""
    return Waveforms.from_arrays(
        "divider",
        "Transient Analysis",
        [
            ("time", "time", T),
            ("in", "voltage", T * 1e6),
            ("OUT", "voltage", T * 0.75e6),
            ("V1#branch", "current", -T * 0.25e3),
        ],
        "time",
    )


def test_names_are_canonical_and_lookup_takes_any_spelling():
    waves = divider()
    assert waves.names == ("time", "v(in)", "v(out)", "i(v1)")
    assert waves.axis_name == "time"
    for spelling in ("out", "OUT", "v(out)", "V( OUT )"):
        np.testing.assert_array_equal(waves[spelling], T * 0.75e6)
    np.testing.assert_array_equal(waves["v1#branch"], waves["i(V1)"])
    assert "out" in waves and "V(IN)" in waves and "v1#branch" in waves
    assert "nowhere" not in waves and 3 not in waves
    assert len(waves) == 11
    assert waves.vector("out") == Vector("v(out)", "voltage", T * 0.75e6)


def test_node_voltages_differences_and_branch_currents():
    waves = divider()
    np.testing.assert_allclose(waves.v("in", "out"), T * 0.25e6, rtol=1e-15)
    np.testing.assert_array_equal(waves.v("out", "0"), waves.v("out"))
    np.testing.assert_array_equal(waves.v("gnd", "out"), -waves.v("out"))
    np.testing.assert_array_equal(waves.v("0"), np.zeros(11))
    np.testing.assert_array_equal(waves.v("V(in)"), T * 1e6)
    np.testing.assert_array_equal(waves.i("V1"), -T * 0.25e3)
    np.testing.assert_array_equal(waves.i("v1#branch"), -T * 0.25e3)
    with pytest.raises(MissingVectorError):
        waves.i("v2")


def test_missing_vector_error_lists_names_and_is_a_key_error():
    waves = divider()
    with pytest.raises(KeyError) as caught:
        waves["v(nowhere)"]
    error = caught.value
    assert isinstance(error, WaveformError) and isinstance(error, MissingVectorError)
    assert str(error) == (
        "no vector 'v(nowhere)' in the plot; available: time, v(in), v(out), i(v1)"
    )
    assert waves.to_dict().get("v(nowhere)") is None


def test_missing_vector_message_is_bounded_for_huge_plots():
    columns = [(f"n{k}", "voltage", np.zeros(2)) for k in range(1000)]
    waves = Waveforms.from_arrays("big", "Operating Point", columns, None)
    message = str(MissingVectorError("x", waves.names))
    assert "and 960 more" in message and len(message) < 1000


def test_data_are_read_only_and_the_callers_array_is_untouched():
    mine = np.arange(4.0)
    waves = Waveforms.from_arrays(
        "t", "DC transfer characteristic", [("v-sweep", "voltage", mine)], "v-sweep"
    )
    with pytest.raises(ValueError, match="read-only"):
        waves["v-sweep"][0] = 5.0
    assert mine.flags.writeable
    assert waves.axis.dtype == np.float64


def test_pickled_waveforms_stay_read_only_and_indexed():
    """Results cross process boundaries (sweeps): unpickling rebuilds through __init__."""
    again = pickle.loads(pickle.dumps(divider()))
    assert again == divider()
    assert not again["out"].flags.writeable
    np.testing.assert_array_equal(again["v1#branch"], -T * 0.25e3)


def test_integer_data_become_float64():
    waves = Waveforms.from_arrays("t", "Operating Point", [("n", "voltage", [1, 2])], None)
    assert waves["n"].dtype == np.float64


def test_complex_axis_becomes_real_and_complex_data_stay_complex():
    f = np.array([1.0, 10.0, 100.0]) + 4.6e-310j  # ngspice's garbage imaginary part
    h = 1 / (1 + 1j * f)
    waves = Waveforms.from_arrays(
        "ac", "AC Analysis", [("frequency", "frequency", f), ("out", "voltage", h)], "frequency"
    )
    assert waves.axis.dtype == np.float64
    np.testing.assert_array_equal(waves.axis, [1.0, 10.0, 100.0])
    assert waves["out"].dtype == np.complex128
    np.testing.assert_array_equal(waves.v("0"), np.zeros(3, dtype=np.complex128))


@pytest.mark.parametrize(
    ("columns", "axis", "message"),
    [
        ([("time", "time", [0.0, 1.0]), ("out", "voltage", [1.0])], "time", "differ in length"),
        ([("out", "voltage", [1.0])], "time", "axis 'time' is not one of its vectors"),
        ([("out", "voltage", [[1.0]])], None, "must be 1-D"),
    ],
)
def test_inconsistent_plots_are_rejected(columns, axis, message):
    with pytest.raises(WaveformError, match=message):
        Waveforms.from_arrays("bad", "Transient Analysis", columns, axis)


def test_units_dict_and_operating_point():
    waves = divider()
    assert waves.units == {"time": "s", "v(in)": "V", "v(out)": "V", "i(v1)": "A"}
    assert waves.vector("time").unit == "s"
    assert list(waves.to_dict()) == list(waves.names)
    op = Waveforms.from_arrays("op", "Operating Point", [("out", "voltage", [0.75])], None)
    assert op.axis is None and op.axis_name is None and len(op) == 1


def test_empty_plot():
    empty = Waveforms("t", "DC transfer characteristic", (), None)
    assert len(empty) == 0 and empty.names == () and empty.axis is None


def test_equality_and_hash():
    assert divider() == divider()
    assert hash(divider()) == hash(divider())
    other = Waveforms.from_arrays("divider", "Transient Analysis", [("time", "time", T)], "time")
    assert divider() != other
    assert Vector("v(a)", "voltage", [1.0, np.nan]) == Vector("v(a)", "voltage", [1.0, np.nan])
    assert Vector("v(a)", "voltage", [1.0]) != Vector("v(a)", "voltage", [1.0 + 0j])
    assert Vector("v(a)", "voltage", [1.0]) != "v(a)"


def test_to_xarray():
    waves = divider()
    if importlib.util.find_spec("xarray") is None:
        with pytest.raises(WaveformError, match="pip install xarray"):
            waves.to_xarray()
        return
    dataset = waves.to_xarray()
    np.testing.assert_array_equal(dataset["time"].values, T)
    np.testing.assert_array_equal(dataset["v(out)"].values, T * 0.75e6)
    assert dataset["i(v1)"].attrs["units"] == "A"
    assert dataset.attrs["plotname"] == "Transient Analysis"


def test_a_real_file_round_trips_through_from_arrays(raw_files):
    """What the batch backend reads equals what the shared backend would build from the same
    columns in its own spelling."""
    for plot in read_raw_plots(raw_files["multi"]):
        columns = [(v.name, v.kind, v.data) for v in plot.vectors]
        again = Waveforms.from_arrays(plot.title, plot.plotname, columns, plot.axis_name)
        assert again == plot


@given(
    hnp.arrays(np.float64, st.integers(0, 50), elements=st.floats(-1e300, 1e300)),
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
)
def test_from_arrays_keeps_every_value(values, nodes):
    columns = [(node, "voltage", values * (k + 1)) for k, node in enumerate(nodes)]
    waves = Waveforms.from_arrays("p", "Operating Point", columns, None)
    assert len(waves) == len(values)
    for k, node in enumerate(nodes):
        np.testing.assert_array_equal(waves.v(node), values * (k + 1))


def test_repeated_names_from_ngspice_are_numbered() -> None:
    waves = Waveforms.from_arrays(
        "t", "p", [("out", "voltage", [1.0]), ("V(OUT)", "voltage", [2.0])], None
    )
    assert waves.names == ("v(out)", "v(out)#2")
    assert waves["v(out)#2"][0] == 2.0
