"""Points: index order, seeds that depend only on (sweep seed, index), netlist rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from spicegen.netlist import Op, Option, Param, Tran
from spicegen.seeds import point_seed
from spicegen.sim import Run
from spicegen.sim.deck import write_deck
from spicegen.sweep import (
    Measure,
    Normal,
    SpecError,
    SweepSpec,
    Template,
    Uniform,
    count,
    expand,
    iter_points,
    parameters,
    point_at,
    run,
)
from spicegen.sweep.ladder import RUNGS, on_rung, rung_applies
from spicegen.sweep.points import netlist_hash, render
from tests.sweep.conftest import RC


def _spec(**changes: object) -> SweepSpec:
    fields: dict[str, object] = {
        "circuit": Template(RC),
        "parameters": parameters(grid={"r": [1e3, 2e3]}, zipped={"c": [1e-9, 2e-9, 3e-9]}),
        "samples": 2,
        "seed": 5,
    }
    fields.update(changes)
    return SweepSpec(**fields)  # type: ignore[arg-type]


def test_points_are_grid_then_zip_then_samples() -> None:
    points = expand(_spec())
    assert len(points) == 2 * 3 * 2
    assert [p.index for p in points] == list(range(12))
    assert points[0].params == (("r", 1e3), ("c", 1e-9))
    assert points[1].params == (("r", 1e3), ("c", 1e-9))  # second Monte Carlo sample
    assert points[2].params == (("r", 1e3), ("c", 2e-9))
    assert points[6].params == (("r", 2e3), ("c", 1e-9))
    assert len({p.seed for p in points}) == 12


def test_a_point_seed_depends_only_on_the_sweep_seed_and_its_index() -> None:
    assert point_seed(5, 3) == point_seed(5, 3)
    assert point_seed(5, 3) != point_seed(6, 3)
    assert point_seed(5, 3) != point_seed(5, 4)
    assert 0 <= point_seed(2**40, 10**6) < 2**31
    small = expand(
        _spec(parameters=parameters(grid={"r": [1e3]}, random={"c": Normal(1e-9, 1e-10)}))
    )
    large = expand(
        _spec(
            parameters=parameters(grid={"r": [1e3]}, random={"c": Normal(1e-9, 1e-10)}), samples=50
        )
    )
    # more samples do not change the draws of the first points
    assert [p.params for p in small] == [p.params for p in large[:2]]


def test_random_draws_follow_their_distribution() -> None:
    spec = _spec(
        parameters=parameters(random={"c": Uniform(1.0, 2.0), "r": Normal(10.0, 1.0)}),
        circuit=Template(RC),
        samples=4000,
    )
    draws = np.array([[v for _, v in p.params] for p in expand(spec)])
    assert draws[:, 0].min() >= 1.0 and draws[:, 0].max() < 2.0
    # 4000 samples: the standard error of the mean is 1/sqrt(4000) = 0.016; 5 sigma = 0.08
    assert abs(draws[:, 1].mean() - 10.0) < 0.08
    assert abs(draws[:, 1].std() - 1.0) < 0.05


def test_render_gives_a_run_with_the_points_values_and_seed_as_data() -> None:
    spec = _spec(parameters=parameters(grid={"r": [1e3]}, random={"c": Normal(1e-9, 0.0)}))
    point = expand(spec)[0]
    run = render(spec, point)
    assert run.netlist == RC  # the template itself, untouched
    assert run.params == (Param("r", 1000.0), Param("c", 1e-09))
    assert run.options == (Option("seed", point.seed),)
    lines = write_deck(run).text.splitlines()
    assert lines[0] == "RC low-pass"
    # sim writes the cards before the final .end; ngspice reads .param and .options anywhere
    assert lines[-4:] == [
        ".param r=1000.0",
        ".param c=1e-09",
        f".options seed={point.seed}",
        ".end",
    ]
    deterministic = _spec(parameters=parameters(grid={"r": [1e3], "c": [1e-9]}), samples=1)
    assert render(deterministic, expand(deterministic)[0]).options == ()
    run = render(deterministic, expand(deterministic)[0])
    op, tran = replace(run, analysis=Op()), replace(run, analysis=Tran(1e-9, 1e-6))
    assert netlist_hash(write_deck(op)) != netlist_hash(write_deck(tran))


def test_a_rung_adds_options_as_data_and_tmax_needs_a_transient() -> None:
    run = Run(RC.replace("{r}", "1k").replace("{c}", "1n"), Tran(1e-9, 1e-6))
    gear = on_rung(run, "gear")
    assert gear.options == RUNGS["gear"] == (Option("method", "gear"), Option("maxord", 2))
    assert ".options method=gear" in write_deck(gear).text
    # (stop - start) / 1000, computed in floats
    assert on_rung(run, "tmax").analysis == Tran(1e-9, 1e-6, max_step=1e-6 / 1000.0)
    assert on_rung(run, "default") is run
    assert rung_applies("tmax", run) and not rung_applies("tmax", replace(run, analysis=Op()))
    # a factory's Circuit with one transient of its own: tmax changes that one
    from tests.sweep.factories import rc

    own = Run(rc({"r": 1e3}, 0))
    assert rung_applies("tmax", own)
    assert on_rung(own, "tmax").analysis == Tran(1e-8, 2e-6, max_step=2e-6 / 1000.0)
    assert rung_applies("gear", Run("t\nR1 a 0 1\n.op\n"))
    assert not rung_applies("tmax", Run("t\nR1 a 0 1\n.tran 1n 1u\n"))  # text: not data


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        (
            lambda: {"parameters": parameters(zipped={"r": [1.0, 2.0], "c": [1.0]})},
            "parameters.zip",
        ),
        (lambda: {"parameters": parameters(grid={"r": [1.0], "R": [2.0]})}, "parameters.grid.R"),
        (lambda: {"parameters": parameters(grid={"r": []})}, "parameters.grid.r"),
        (lambda: {"parameters": parameters(grid={"r": [1.0], "rx": [2.0]})}, "parameters.grid.rx"),
        (lambda: {"timeout": 0}, "sweep.timeout"),
        (lambda: {"ladder": ("gmin", "pray")}, "sweep.ladder"),
        (lambda: {"samples": 1.5}, "sweep.samples"),
    ],
)
def test_bad_python_specs_name_the_key(changes: Callable[[], dict[str, object]], key: str) -> None:
    with pytest.raises(SpecError) as caught:
        _spec(**changes())
    assert caught.value.key == key


def test_points_computed_from_the_index_match_the_outer_product() -> None:
    import itertools

    spec = _spec(
        parameters=parameters(
            grid={"r": [1e3, 2e3, 3e3], "c": {"start": 1e-9, "stop": 4e-9, "num": 4}},
            zipped={"a": [1.0, 2.0], "b": [3.0, 4.0]},
            random={"d": Normal(0.0, 1.0)},
        ),
        circuit=Template("t\nR1 a 0 {r+c+a+b+d}\n"),
        samples=2,
    )
    # the reference order, written out independently: grid row-major, zip, then samples
    expected = [
        (("r", r), ("c", c), ("a", a), ("b", b))
        for r, c in itertools.product((1e3, 2e3, 3e3), (1e-9, 2e-9, 3e-9, 4e-9))
        for a, b in ((1.0, 3.0), (2.0, 4.0))
        for _ in range(2)
    ]
    points = expand(spec)
    assert count(spec) == len(points) == 3 * 4 * 2 * 2
    assert [tuple(name for name, _ in p.params) for p in points] == [("r", "c", "a", "b", "d")] * 48
    # c comes from a range: start + (stop - start) i / (num - 1), equal to 1e-9 (i + 1) to 1 ulp
    np.testing.assert_allclose(
        [[v for _, v in p.params[:4]] for p in points],
        [[v for _, v in row] for row in expected],
        rtol=1e-15,
    )
    assert point_at(spec, 37) == points[37]
    assert list(iter_points(spec, 40)) == list(points[40:])


def test_a_huge_sweep_is_counted_and_refused_without_being_made(tmp_path: Path) -> None:
    import tracemalloc

    tracemalloc.start()
    spec = _spec(
        parameters=parameters(grid={"r": {"start": 1.0, "stop": 2.0, "num": 10_000_000_000}}),
        samples=1,
    )
    assert count(spec) == 10_000_000_000
    assert next(iter_points(spec, 9_999_999_999)).values == {"r": 2.0}  # lazy: made on demand
    with pytest.raises(SpecError, match=r"10,000,000,000 points \(10,000,000,000 \(r\)"):
        run(spec, store=tmp_path / "s")
    with pytest.raises(SpecError, match="more than max_points = 1,000,000"):
        expand(spec)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000  # bytes: nothing of the size of the sweep was allocated
    assert not (tmp_path / "s").exists()  # refused before the store was made
    many = _spec(parameters=parameters(grid={"r": [1.0, 2.0]}), samples=10**12)
    with pytest.raises(SpecError, match=r"2,000,000,000,000 points \(2 \(r\) x 1,000,000,000,000"):
        run(many, store=tmp_path / "s")
    assert count(many) == 2 * 10**12
    small = _spec(parameters=parameters(grid={"r": [1.0, 2.0]}), samples=3)
    with pytest.raises(SpecError, match=r"6 points .* more than max_points = 5"):
        run(small, store=tmp_path / "s", max_points=5)


def test_names_are_ascii_identifiers_checked_with_fullmatch() -> None:
    for bad in ("r\n", "r x", "ρ", "1r", ""):
        with pytest.raises(SpecError, match="ASCII identifier"):
            parameters(grid={bad: [1.0]})
        with pytest.raises(SpecError, match="ASCII identifier"):
            Measure(bad, "final", "v(out)")
