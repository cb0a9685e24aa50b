"""Session: a circuit kept loaded in libngspice for co-simulation loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spicegen.netlist import (
    Circuit,
    Param,
    Resistor,
    Subckt,
    SubcktInstance,
    Tran,
    VoltageSource,
)
from spicegen.sim import (
    Session,
    SessionError,
    SimulationError,
    SimulationTimeout,
    SimulatorCrashed,
    simulate,
)

DIVIDER = """divider with a parameter
.param rload=3k
V1 in 0 dc 1
R1 in out 1k
R2 out 0 {rload}
.end
"""

EXTERNAL = """externally driven divider
Vx in 0 external
R1 in out 1k
R2 out 0 3k
.end
"""


@pytest.fixture(scope="module")
def divider() -> Session:
    with Session(DIVIDER) as session:
        yield session


@pytest.mark.parametrize("r1", [100.0, 1e3, 7.5e3, 1e6])
def test_alter_element_then_op_follows_divider_law(divider: Session, r1: float) -> None:
    divider.alter("R1", r1)
    expected = 3e3 / (3e3 + r1)
    assert divider.op().v("out")[0] == pytest.approx(expected, rel=1e-12)


def test_alter_param_keeps_earlier_element_alterations(divider: Session) -> None:
    divider.alter("R1", 3e3)
    divider.alter("rload", 1e3)  # alterparam + reset must not undo R1 = 3k
    assert divider.op().v("out")[0] == pytest.approx(0.25, rel=1e-12)
    divider.alter("rload", 3e3)
    assert divider.op().v("out")[0] == pytest.approx(0.5, rel=1e-12)
    divider.alter("R1", 1e3)
    assert divider.op().v("out")[0] == pytest.approx(0.75, rel=1e-12)


def test_alter_inside_a_subcircuit() -> None:
    text = (
        "hierarchical divider\n.subckt half a b\nR1 a b 1k\n.ends\n"
        "V1 in 0 dc 1\nX1 in out half\nR2 out 0 1k\n.end\n"
    )
    with Session(text) as session:
        assert session.op().v("out")[0] == pytest.approx(0.5, rel=1e-12)
        session.alter("x1.r1", 3e3)
        assert session.op().v("out")[0] == pytest.approx(0.25, rel=1e-12)


def test_alter_instance_parameter(divider: Session) -> None:
    divider.alter("R1", 2e3, parameter="resistance")
    assert divider.op().v("out")[0] == pytest.approx(0.6, rel=1e-12)
    divider.alter("R1", 1e3)


def test_op_reads_only_requested_vectors(divider: Session) -> None:
    waves = divider.op(vectors=["v(out)"])
    assert waves.names == ("v(out)",)


def test_tran_subset_keeps_the_time_axis(divider: Session) -> None:
    waves = divider.tran(step=1e-9, stop=1e-8, vectors=["V(OUT)", "i(v1)"])
    assert waves.names == ("time", "v(out)", "i(v1)")
    assert waves.axis[-1] == pytest.approx(1e-8)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("R9", 1.0),  # no such element
        ("R1\nshell touch /tmp/x", 1.0),  # a second command smuggled in
        ("R1; shell ls", 1.0),
        ("R1", float("nan")),
        ("R1", "1k\nshell ls"),
    ],
)
def test_bad_alter_is_refused_with_a_clear_error(divider: Session, name: str, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SessionError) as caught:
        divider.alter(name, value)
    assert "alter" in str(caught.value)
    # the session is untouched and still works
    assert divider.op().v("out")[0] == pytest.approx(0.75, rel=1e-12)


def test_external_source_follows_python_callback() -> None:
    slope = 1e6  # V/s
    with Session(EXTERNAL, sources={"Vx": lambda t: slope * t}) as session:
        waves = session.tran(step=1e-8, stop=1e-6)
        t, v = waves.axis, waves.v("out")
        assert len(t) > 50
        # a resistive divider has no memory: v(out) = 0.75 * Vx(t) at every accepted step
        np.testing.assert_allclose(v, 0.75 * slope * t, rtol=1e-9, atol=1e-12)
        # a new callback replaces the old one for the next run
        session.set_sources({"Vx": lambda t: math.sin(2 * math.pi * 1e6 * t)})
        waves = session.tran(step=1e-8, stop=1e-6)
        expected = 0.75 * np.sin(2 * np.pi * 1e6 * waves.axis)
        np.testing.assert_allclose(waves.v("out"), expected, atol=1e-9)


def test_external_source_error_is_reported_not_swallowed() -> None:
    def broken(t: float) -> float:
        raise ZeroDivisionError("model exploded")

    with Session(EXTERNAL, sources={"Vx": broken}) as session:
        with pytest.raises(SimulationError) as caught:
            session.tran(step=1e-8, stop=1e-7)
        assert "model exploded" in str(caught.value)


def test_unknown_external_source_is_refused() -> None:
    with Session(EXTERNAL) as session, pytest.raises(SessionError):
        session.set_sources({"Vy": lambda t: 0.0})


def test_session_crash_then_restart_keeps_alterations(crashing_code_model) -> None:  # type: ignore[no-untyped-def]
    session = Session(DIVIDER)
    try:
        session.alter("R1", 3e3)
        worker = session._live()
        with pytest.raises(SimulatorCrashed):
            worker.request("command", (f"codemodel {crashing_code_model}",), timeout=30)
        with pytest.raises(SessionError, match="restart"):
            session.op()
        session.restart()
        assert session.op().v("out")[0] == pytest.approx(0.5, rel=1e-12)  # R1 = 3k kept
        session.alter("rload", 1e3)
        session.restart()  # params first, one reset, then element alterations
        assert session.op().v("out")[0] == pytest.approx(0.25, rel=1e-12)
    finally:
        session.close()


def test_closed_session_refuses_calls() -> None:
    session = Session(DIVIDER)
    session.close()
    with pytest.raises(SessionError, match="closed"):
        session.op()


def test_session_matches_batch_transient() -> None:
    text = DIVIDER.replace("V1 in 0 dc 1", "V1 in 0 pulse(0 1 0 1n 1n 5n 10n)").replace(
        "R2 out 0 {rload}", "R2 out 0 {rload}\nC1 out 0 1p"
    )
    expected = simulate(text, Tran(step=0.1e-9, stop=20e-9)).waveforms
    with Session(text) as session:
        waves = session.tran(step=0.1e-9, stop=20e-9)
    np.testing.assert_allclose(waves.v("out"), expected.v("out"), rtol=1e-12, atol=1e-18)


# -- many changes per round trip, names from a Circuit's data ---------------------------------
def _ladder(count: int) -> Circuit:
    """A chain of parallel loads on one source: Vin -- Rs -- node out -- R0..R{n-1} to 0."""
    loads = tuple(Resistor(f"R{k}", "out", "0", 1e4) for k in range(count))
    return Circuit(
        title="parallel loads",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            Resistor("Rs", "in", "out", "{rs}"),
            *loads,
        ),
        params=(Param("rs", 1e3),),
    )


def test_alter_many_changes_elements_and_params_in_one_go() -> None:
    count = 100
    rng = np.random.default_rng(3)
    values = rng.uniform(1e3, 1e5, size=count)
    with Session(_ladder(count)) as session:
        session.alter_many({f"R{k}": float(v) for k, v in enumerate(values)} | {"rs": 2e3})
        out = session.op(vectors=["v(out)"]).v("out")[0]
    # divider law with the loads in parallel: v = R || / (R|| + Rs)
    parallel = 1.0 / np.sum(1.0 / values)
    assert out == pytest.approx(parallel / (parallel + 2e3), rel=1e-9)


def test_element_changes_survive_a_later_param_change() -> None:
    with Session(_ladder(2)) as session:
        session.alter_many({"R0": 1e3, "R1": 1e3})
        session.op()
        session.alter("rs", 500.0)  # alterparam + reset, which undoes element alterations
        out = session.op().v("out")[0]
    assert out == pytest.approx(500.0 / (500.0 + 500.0), rel=1e-9)


def test_circuit_session_knows_subcircuit_paths_from_the_data() -> None:
    half = Subckt("half", ("a", "b"), elements=(Resistor("Rw", "a", "b", 1e3),))
    circuit = Circuit(
        title="cells",
        elements=(
            VoltageSource("V1", "in", "0", dc=1.0),
            SubcktInstance("X3", ("in", "out"), "half"),
            Resistor("R2", "out", "0", 1e3),
        ),
        subckts=(half,),
    )
    with Session(circuit) as session:
        session.alter_many({"x3.rw": 3e3})
        assert session.op().v("out")[0] == pytest.approx(0.25, rel=1e-12)
        for wrong in ("x3.nothing", "x9.rw", "r2.rw", "x3"):
            with pytest.raises(SessionError, match="no element"):
                session.alter(wrong, 1.0)


@pytest.mark.parametrize("name", ["R1\n", "R1 ", "v(out)\n"])
def test_a_trailing_newline_does_not_pass_a_name_check(divider: Session, name: str) -> None:
    with pytest.raises(SessionError):
        divider.alter(name, 1.0)
    with pytest.raises(SessionError):
        divider.op(vectors=[name])


def test_alter_many_refuses_bad_keys_before_sending_anything(divider: Session) -> None:
    with pytest.raises(SessionError):
        divider.alter_many({"R1": 2e3, ("R1", "w\n"): 1.0})
    with pytest.raises(SessionError):
        divider.alter_many([("R1", 1.0)])  # type: ignore[arg-type]
    assert divider.op().v("out")[0] == pytest.approx(0.75, rel=1e-12)


def test_a_per_call_timeout_stops_that_run_only() -> None:
    # a million 1 ns steps take seconds: a 50 ms bound on this call stops it, whatever the
    # session's own bound (600 s); the restart then finds the earlier alteration kept
    with Session(DIVIDER) as session:
        session.alter("R1", 3e3)
        with pytest.raises(SimulationTimeout, match=r"0\.05 s"):
            session.tran(1e-9, 1e-3, max_step=1e-9, timeout=0.05)
        session.restart()
        assert session.op().v("out")[0] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("timeout", [0, -1.0, math.nan, math.inf, True, "5"])
def test_a_bad_per_call_timeout_is_refused_and_loses_no_change(timeout: object) -> None:
    with Session(DIVIDER) as session:
        session.alter("R1", 3e3)
        with pytest.raises(SessionError, match="timeout"):
            session.run(Tran(1e-6, 1e-5), timeout=timeout)  # type: ignore[arg-type]
        assert session.op().v("out")[0] == pytest.approx(0.5, rel=1e-12)  # R1 = 3k still sent
