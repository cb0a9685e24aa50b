"""Native devices in the engine: both backends, Session and sweeps load a compiled library
without a ``.control`` block, and nothing else gets loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen import simulate
from spicegen.netlist import (
    Circuit,
    Dc,
    Model,
    Op,
    OsdiInstance,
    Resistor,
    Tran,
    VoltageSource,
)
from spicegen.sim import NetlistSyntaxError, Run, Session, UnsafeNetlistError, Variable
from spicegen.sim.deck import available_cores, write_deck
from spicegen.sweep import Measure, SweepSpec, load, parameters
from spicegen.sweep import run as run_sweep
from spicegen.va.compile import compile_model

RESISTOR = """`include "disciplines.vams"
module res(p, n);
  inout p, n; electrical p, n;
  parameter real r = 1k from (0:inf);
  analog I(p, n) <+ V(p, n)/r;
endmodule
"""


@pytest.fixture(scope="module")
def resistor():  # type: ignore[no-untyped-def]
    return compile_model(RESISTOR, target="osdi")


def _divider(model, r: float = 3e3) -> Circuit:  # type: ignore[no-untyped-def]
    return Circuit(
        "divider",
        elements=(
            VoltageSource("V1", "in", "0", 1.0),
            Resistor("R1", "in", "mid", 1e3),
            model.instance("X1", ("mid", "0"), r=r),
        ),
        subckts=(model.subckt,),
    )


@pytest.mark.parametrize("backend", ["batch", "shared"])
def test_both_backends_load_the_compiled_library(resistor, backend: str) -> None:  # type: ignore[no-untyped-def]
    w = simulate(_divider(resistor), Op(), backend=backend).waveforms  # type: ignore[arg-type]
    # 1 V over 1k + 3k: a linear device is solved exactly (float rounding only)
    assert w.v("mid")[0] == pytest.approx(0.75, abs=1e-12)


def test_session_loads_it_too(resistor) -> None:  # type: ignore[no-untyped-def]
    with Session(_divider(resistor)) as session:
        assert session.op().v("mid")[0] == pytest.approx(0.75, abs=1e-12)


def test_the_setup_loads_the_library_and_sets_the_thread_count(resistor) -> None:  # type: ignore[no-untyped-def]
    deck = write_deck(Run(_divider(resistor), Op()))
    assert f"osdi {Path(resistor.library).resolve()}" in deck.setup
    assert f"set num_threads={available_cores()}" in deck.setup
    assert "osdi" not in deck.text  # the deck itself loads nothing
    one = write_deck(Run(_divider(resistor), Op(), variables=(Variable("num_threads", 1),)))
    assert [c for c in one.setup if "num_threads" in c] == ["set num_threads=1"]


def test_a_library_that_is_not_there_is_refused_before_ngspice(tmp_path: Path) -> None:
    model = Model("m1", "res_va", library=str(tmp_path / "missing.osdi"))
    circuit = Circuit(
        "t",
        elements=(VoltageSource("V1", "a", "0", 1.0), OsdiInstance("N1", ("a", "0"), "m1")),
        models=(model,),
    )
    with pytest.raises(UnsafeNetlistError, match="OSDI library not found"):
        simulate(circuit, Op())
    with pytest.raises(UnsafeNetlistError, match="OSDI library not found"):
        simulate(Run("t\nR1 a 0 1\n.end\n", Op(), osdi=(str(tmp_path / "x.osdi"),)))


def test_netlist_text_cannot_name_a_library_itself(resistor) -> None:  # type: ignore[no-untyped-def]
    # a deck may use the device type, but only a Run (or a Model) loads a library
    text = "t\nV1 a 0 1\n.model m1 res_va\nN1 a 0 m1\n.op\n.end\n"
    with pytest.raises(NetlistSyntaxError, match=r"Unable to find definition of model m1"):
        simulate(text)
    loaded = simulate(Run(text, osdi=(str(resistor.library),))).waveforms
    assert -loaded.i("v1")[0] == pytest.approx(1e-3, rel=1e-12)


def _factory(params, seed):  # type: ignore[no-untyped-def]
    model = compile_model(RESISTOR, target="osdi")  # cached: compiled once
    return _divider(model, params["r"]).with_analyses(Dc("V1", 1.0, 1.0, 1.0))


def test_a_sweep_of_native_devices_loads_them_on_its_workers(tmp_path: Path) -> None:
    spec = SweepSpec(
        _factory,
        parameters(grid={"r": [1e3, 3e3]}),
        measures=(Measure("mid", "final", "v(mid)"),),
    )
    summary = run_sweep(spec, store=tmp_path / "store", workers=2, progress=False)
    assert summary.failed == 0
    table = load(tmp_path / "store")
    # r/(1k + r) for r = 1k, 3k
    assert list(table["mid"]) == pytest.approx([0.5, 0.75], abs=1e-12)


def test_the_wrapper_is_plain_netlist_data(resistor) -> None:  # type: ignore[no-untyped-def]
    from spicegen.netlist import NetlistError, subckt_text

    text = subckt_text(resistor.subckt)
    # the library is data on the Model, never text: the deck names only the device type
    assert text.splitlines()[1:3] == [".model res_m res_va", "N1 p n res_m r={r}"]
    assert str(resistor.library) not in text
    with pytest.raises(NetlistError, match=r"OsdiInstance\.name"):
        OsdiInstance("X1", ("a", "0"), "res_m")
    with pytest.raises(NetlistError, match=r"Model\.library"):
        Model("m1", "res_va", library="lib;rm -rf.osdi")


CHARGER = """`include "disciplines.vams"
module charger(p, n);
  inout p, n; electrical p, n;
  parameter real tau = 1u from (0:inf);
  real x, t_last;
  analog begin
    @(initial_step) begin x = 0; t_last = 0; end
    x = x + ($abstime - t_last)*(1 - x)/tau;
    t_last = $abstime;
    $bound_step(tau/20);
    I(p, n) <+ 1u*x + V(p, n)/1M;
  end
endmodule
"""
GRID = np.linspace(0.0, 1e-6, 21)  # s: where the two runs are compared


def test_instances_evaluated_on_many_threads_give_what_one_thread_gives() -> None:
    # ngspice evaluates OSDI instances on num_threads threads at once: generated code that
    # kept anything outside its instance would mix the 48 instances' held states
    model = compile_model(CHARGER, target="osdi")
    count = 48
    taus = [0.2e-6 * (1 + k / 8) for k in range(count)]  # s, every instance its own
    elements: list[object] = [VoltageSource("V0", "a", "0", 0.0)]
    for k, tau in enumerate(taus):
        elements.append(VoltageSource(f"VS{k}", "a", f"m{k}", 0.0))  # reads instance k
        elements.append(model.instance(f"X{k}", (f"m{k}", "0"), tau=tau))
    circuit = Circuit("chargers", elements=tuple(elements), subckts=(model.subckt,))  # type: ignore[arg-type]
    analysis = Tran(step=20e-9, stop=1e-6)

    def currents(threads: int) -> np.ndarray:
        run = Run(circuit, analysis, variables=(Variable("num_threads", threads),))
        w = simulate(run).waveforms
        axis = np.asarray(w.axis)
        # on one common time grid: the two runs may take different steps only if they differ
        return np.array([np.interp(GRID, axis, w.i(f"vs{k}")) for k in range(count)])

    one, eight = currents(1), currents(8)
    np.testing.assert_array_equal(eight, one)
    # and each instance follows its own first-order charge 1 - exp(-t/tau), to the explicit
    # step's first-order error (steps of at most tau/20: a few 1e-2 of the final value)
    for k, tau in enumerate(taus):
        np.testing.assert_allclose(one[k] / 1e-6, 1 - np.exp(-GRID / tau), atol=3e-2)
