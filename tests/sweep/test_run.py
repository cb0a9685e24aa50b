"""Sweeps on the real ngspice: local pool vs a real Dask cluster, failures, the recovery
ladder, timeouts, Monte Carlo seeds, the cache, kept waveforms and the report."""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from spicegen.netlist import Circuit, Op, Tran
from spicegen.sim import simulate
from spicegen.sim.deck import write_deck
from spicegen.sweep import (
    Measure,
    Normal,
    SweepSpec,
    Template,
    Waves,
    load,
    load_waves,
    parameters,
    report,
    run,
    to_xarray,
)
from spicegen.sweep.points import point_at, render
from spicegen.sweep.store import Store
from spicegen.waves import Waveforms
from tests.sweep.circuits import HANGS, INDUCTIVE_KICK, NO_SOLUTION, RC_TRAN, SYNTAX_ERROR
from tests.sweep.conftest import RC
from tests.sweep.factories import rc

FINAL = Measure("v_final", "final", "v(out)")


def _rc_monte_carlo(points_per_r: int, seed: int) -> SweepSpec:
    """RC grid over R (10 values) x ``points_per_r`` Monte Carlo draws of C (10 % spread)."""
    return SweepSpec(
        circuit=Template(RC),
        parameters=parameters(
            grid={"r": {"start": 500.0, "stop": 5e3, "num": 10}},
            random={"c": Normal(1e-9, 1e-10)},
        ),
        analysis=Tran(step=2e-8, stop=2e-6),
        measures=(FINAL, Measure("v_max", "max", "v(out)")),
        samples=points_per_r,
        seed=seed,
    )


def test_200_points_same_table_on_local_pool_and_dask(tmp_path: Path, dask_address: str) -> None:
    spec = _rc_monte_carlo(20, seed=7)
    local = run(spec, "local", store=tmp_path / "local", workers=2)
    dask = run(spec, dask_address, store=tmp_path / "dask")
    assert (local.total, local.done, dask.done) == (200, 200, 200)
    a, b = load(tmp_path / "local"), load(tmp_path / "dask")
    for column in ("index", "seed", "status", "netlist_hash", "r", "c", "v_final", "v_max"):
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)
    # the physics: v(out) at 2 us = 1 - exp(-t / RC); ngspice's step control -> 1e-3 V slack
    expected = 1 - np.exp(-2e-6 / (a["r"] * a["c"]))
    np.testing.assert_allclose(a["v_final"], expected, atol=1e-3)
    assert len(set(a["c"])) == 200  # every point drew its own C
    with Store.open(tmp_path / "dask") as store:
        workers = {row["worker"] for row in store.rows()}
    assert len(workers) == 2  # both Dask worker processes took part


def _failing(params: Mapping[str, float], seed: int) -> str:
    """20 points: index 3 has no solution, 7 is syntax-broken, 5 needs the ladder, 9 hangs."""
    kind = int(params["k"])
    return {3: NO_SOLUTION, 5: INDUCTIVE_KICK, 7: SYNTAX_ERROR, 9: HANGS}.get(
        kind, RC_TRAN.replace("{r}", str(1e3 * (1 + kind)))
    )


def test_failures_are_recorded_the_ladder_rescues_and_a_hang_times_out(tmp_path: Path) -> None:
    spec = SweepSpec(
        circuit=_failing,
        parameters=parameters(grid={"k": list(range(20))}),
        measures=(Measure("v_max", "max", "v(out)"),),
        timeout=1.5,
        batch=1,
    )
    summary = run(spec, store=tmp_path / "s", workers=2)
    assert (summary.done, summary.failed, summary.timeout) == (17, 2, 1)
    with Store.open(tmp_path / "s") as store:
        rows = {row["idx"]: row for row in store.rows()}
    assert len(rows) == 20
    no_solution, syntax, kick, hung = rows[3], rows[7], rows[5], rows[9]
    assert no_solution["status"] == "failed"
    assert no_solution["error"] == "ConvergenceError"
    assert "Timestep too small" in no_solution["message"]
    # every rung was tried and recorded; the last one is the final rung
    assert [a[0] for a in no_solution["attempts"]] == ["default", "gmin", "source", "relax", "gear"]
    assert no_solution["rung"] == "gear"
    assert syntax["error"] == "NetlistSyntaxError"
    assert "rx" in syntax["message"].lower()
    assert len(syntax["attempts"]) == 1  # a rejected netlist is not retried
    assert kick["status"] == "done"
    assert kick["rung"] == "relax"
    assert [a[1] for a in kick["attempts"]] == ["ConvergenceError"] * 3 + [None]
    assert hung["status"] == "timeout"
    assert hung["error"] == "SimulationTimeout"
    assert 1.5 <= hung["elapsed"] < 10
    # the worker that ran the hung point lived on and ran other points
    assert sum(row["worker"] == hung["worker"] for row in rows.values()) > 1
    table = load(tmp_path / "s")
    assert math.isnan(table["v_max"][3])
    # RC point k=0: the 1 V step charges out towards 1 V (RC = 1 us, 2 us run)
    assert table["v_max"][0] == pytest.approx(1 - math.exp(-2), abs=1e-3)


def test_monte_carlo_same_seed_same_table_other_seed_other_samples(tmp_path: Path) -> None:
    # C drawn in Python and R drawn by ngspice's own agauss(): both follow the point's seed
    text = RC.replace("R1 in out {r}", "R1 in out {agauss(r, 0.1*r, 1)}")
    spec = SweepSpec(
        circuit=Template(text),
        parameters=parameters(grid={"r": [1e3]}, random={"c": Normal(1e-9, 1e-10)}),
        analysis=Tran(step=2e-8, stop=2e-6),
        measures=(FINAL,),
        samples=6,
        seed=11,
    )
    run(spec, store=tmp_path / "a", workers=2)
    run(spec, store=tmp_path / "b", workers=1)
    other = SweepSpec(**{**{f: getattr(spec, f) for f in spec.__slots__}, "seed": 12})  # type: ignore[arg-type]
    run(other, store=tmp_path / "c", workers=2)
    a, b, c = load(tmp_path / "a"), load(tmp_path / "b"), load(tmp_path / "c")
    np.testing.assert_array_equal(a["c"], b["c"])
    np.testing.assert_array_equal(a["v_final"], b["v_final"])
    assert not np.any(a["c"] == c["c"])
    # the ngspice-side draw varies too: v_final is not a function of C alone
    tau = 2e-6 / -np.log(1 - a["v_final"])  # = R C
    assert np.std(tau / a["c"]) > 10.0  # ohm; R spreads by ~100 ohm


def test_identical_points_come_from_the_cache(tmp_path: Path) -> None:
    spec = SweepSpec(
        circuit=Template(RC),
        parameters=parameters(zipped={"r": [1e3, 2e3, 1e3, 1e3], "c": [1e-9, 1e-9, 1e-9, 1e-9]}),
        analysis=Tran(step=2e-8, stop=2e-6),
        measures=(FINAL,),
        batch=2,
    )
    summary = run(spec, store=tmp_path / "s", workers=1)
    assert summary.done == 4
    # points 2 and 3 repeat point 0 (same netlist): only points 0 and 1 run ngspice
    assert (summary.computed, summary.cached) == (2, 2)
    with Store.open(tmp_path / "s") as store:
        rows = list(store.rows())
    cached = [row for row in rows if row["cached_from"] is not None]
    assert all(row["cached_from"] == 0 for row in cached)
    table = load(tmp_path / "s")
    assert table["v_final"][0] == table["v_final"][2] == table["v_final"][3]


def test_kept_waveforms_load_and_report(tmp_path: Path) -> None:
    spec = SweepSpec(
        circuit=Template(RC),
        parameters=parameters(grid={"r": [1e3, 2e3], "c": [1e-9]}),
        analysis=Tran(step=1e-8, stop=2e-6),
        measures=(FINAL, Measure("t_rise", "rise_time", "v(out)", (("low", 0.0), ("high", 0.5)))),
        waves=Waves(keep="decimate", points=50, vectors=("v(out)",)),
    )
    run(spec, store=tmp_path / "s", workers=1)
    waves = load_waves(tmp_path / "s", 1)
    assert set(waves) == {"time", "v(out)"}
    assert waves["time"].size == 50
    assert waves["v(out)"][-1] == pytest.approx(load(tmp_path / "s")["v_final"][1], abs=0.05)
    assert not list((tmp_path / "s" / "waves").glob(".partial-*"))  # no temporary files left
    # 10 % -> 90 % of 0..0.5 V on an RC = 1 us, 2 us: t = RC ln((1-0.05)/(1-0.45))
    t_rise = load(tmp_path / "s")["t_rise"][0]
    assert t_rise == pytest.approx(1e-6 * math.log(0.95 / 0.55), rel=0.02)
    html = report(tmp_path / "s", tmp_path / "r.html")
    png = report(tmp_path / "s", tmp_path / "r.png")
    assert "data:image/png;base64," in html.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    try:
        import xarray  # noqa: F401
    except ImportError:
        from spicegen.sweep import SweepError

        with pytest.raises(SweepError, match="pip install"):
            to_xarray(tmp_path / "s")
    else:
        dataset = to_xarray(tmp_path / "s")
        assert dataset.sizes["point"] == 2


def _small(measure: Measure = FINAL) -> SweepSpec:
    return SweepSpec(
        circuit=Template(RC),
        parameters=parameters(grid={"r": [1e3, 2e3, 3e3]}, zipped={"c": [1e-9, 2e-9]}),
        analysis=Tran(step=2e-8, stop=2e-6),
        measures=(measure,),
        batch=1,
    )


def test_dask_client_and_dask_url_forms(tmp_path: Path, dask_address: str) -> None:
    from distributed import Client

    with Client(dask_address) as client:
        run(_small(), client, store=tmp_path / "client")
        assert client.status == "running"  # a caller's client stays open
    url = dask_address.replace("tcp://", "dask://")
    run(_small(), url, store=tmp_path / "url")
    a, b = load(tmp_path / "client"), load(tmp_path / "url")
    np.testing.assert_array_equal(a["v_final"], b["v_final"])
    assert list(a["status"]) == ["done"] * 6


def test_a_killed_local_worker_is_replaced_and_its_batch_rerun(tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"

    def kill_worker_once(waves: Waveforms) -> float:
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 of this pool worker
        return float(waves.v("out")[-1])

    summary = run(_small(Measure("v", function=kill_worker_once)), store=tmp_path / "s", workers=2)
    assert marker.exists()
    assert (summary.total, summary.done) == (6, 6)
    table = load(tmp_path / "s")
    assert list(table["index"]) == list(range(6))
    expected = 1 - np.exp(-2e-6 / (table["r"] * table["c"]))
    np.testing.assert_allclose(table["v"], expected, atol=1e-3)


def _with_or_without_mid(params: Mapping[str, float], seed: int) -> str:
    """An RC; point k = 1 has no node ``mid`` (its resistor is one piece)."""
    if int(params["k"]) == 1:
        return RC_TRAN.replace("{r}", "1000")
    return RC_TRAN.replace("R1 in out {r}", "R1 in mid 500\nR2 mid out 500")


def test_a_kept_vector_missing_from_one_point_fails_that_point_only(tmp_path: Path) -> None:
    spec = SweepSpec(
        circuit=_with_or_without_mid,
        parameters=parameters(grid={"k": [0.0, 1.0, 2.0]}),
        measures=(FINAL,),
        waves=Waves(keep="all", vectors=("v(out)", "v(mid)")),
        ladder=(),
        batch=3,  # all three in one batch: the failure must not take the other two with it
    )
    summary = run(spec, store=tmp_path / "s", workers=1)
    assert (summary.done, summary.failed) == (2, 1)
    with Store.open(tmp_path / "s") as store:
        rows = {row["idx"]: row for row in store.rows()}
    missing = rows[1]
    assert missing["status"] == "failed"
    assert missing["error"] == "MissingVectorError"
    assert "waveforms.vectors: no vector 'v(mid)'" in missing["message"]
    assert "v(out)" in missing["message"]  # what the point had
    # the simulation ran: its measurement stays (1 kohm x 1 nF over 2 us: 1 - e^-2)
    assert load(tmp_path / "s")["v_final"][1] == pytest.approx(1 - math.exp(-2), abs=1e-3)
    assert set(load_waves(tmp_path / "s", 0)) == {"time", "v(out)", "v(mid)"}


def _rc_with_its_own_op(params: Mapping[str, float], seed: int) -> Circuit:
    """The factory RC, but with an operating point as its own analysis."""
    return replace(rc(params, seed), analyses=(Op(),))


def test_the_sweeps_analysis_replaces_a_factory_circuits_own(tmp_path: Path) -> None:
    spec = SweepSpec(
        circuit=_rc_with_its_own_op,
        parameters=parameters(grid={"r": [1e3, 2e3]}),
        analysis=Tran(step=2e-8, stop=2e-6),
        measures=(FINAL,),
        waves=Waves(keep="all", vectors=("v(out)",)),
    )
    run_ = render(spec, point_at(spec, 0))
    deck = write_deck(run_).text
    assert ".tran 2e-08 2e-06" in deck and ".op" not in deck  # one analysis, the sweep's
    assert [plot.plotname for plot in simulate(run_).plots] == ["Transient Analysis"]
    summary = run(spec, store=tmp_path / "s", workers=1)
    assert summary.done == 2
    table = load(tmp_path / "s")
    # the transient's v(out) at 2 us, 1 - exp(-t / RC) with C = 1 nF (the .op would give 0 V:
    # the pulse source is at 0 V at t = 0)
    np.testing.assert_allclose(table["v_final"], 1 - np.exp(-2e-6 / (table["r"] * 1e-9)), atol=1e-3)
    assert load_waves(tmp_path / "s", 1)["time"].size > 50
