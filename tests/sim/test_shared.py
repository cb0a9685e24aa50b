"""The shared-library backend: same numbers as batch, typed errors, crash isolation."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from spicegen.netlist import Ac, Dc, Tran
from spicegen.sim import (
    ConvergenceError,
    NetlistSyntaxError,
    SimulationTimeout,
    SimulatorCrashed,
    simulate,
)
from tests.sim.conftest import DIVIDER, HANGS, NO_CONVERGENCE, SYNTAX_ERROR

RLC = """rlc
V1 in 0 dc 0 ac 1 pulse(0 1 1n 1n 1n 20n 40n)
R1 in a 50
L1 a out 1u
C1 out 0 100p
R2 out 0 1k
.end
"""


@pytest.mark.parametrize(
    "analysis",
    [
        Tran(step=0.2e-9, stop=200e-9),
        Ac(variation="dec", points=20, fstart=1e5, fstop=1e9),
        Dc(source="V1", start=0.0, stop=2.0, step=0.25),
    ],
    ids=["tran", "ac", "dc"],
)
def test_both_backends_give_the_same_waveforms(analysis) -> None:  # type: ignore[no-untyped-def]
    batch = simulate(RLC, analysis, backend="batch").waveforms
    shared = simulate(RLC, analysis, backend="shared").waveforms
    assert set(batch.names) == set(shared.names)
    assert batch.axis_name == shared.axis_name
    assert batch.plotname == shared.plotname
    for name in batch.names:
        # Same engine, same time steps: only the binary raw file's float64 round trip differs.
        np.testing.assert_allclose(shared[name], batch[name], rtol=1e-12, atol=1e-18)


def test_shared_operating_point() -> None:
    waves = simulate(DIVIDER, backend="shared").waveforms
    assert waves.v("out")[0] == pytest.approx(0.75, rel=1e-12)
    assert waves.i("v1")[0] == pytest.approx(-0.25e-3, rel=1e-9)


def test_shared_convergence_error() -> None:
    with pytest.raises(ConvergenceError) as caught:
        simulate(NO_CONVERGENCE, backend="shared")
    assert "Timestep too small" in caught.value.message


def test_shared_syntax_error_then_recovers() -> None:
    with pytest.raises(NetlistSyntaxError) as caught:
        simulate(SYNTAX_ERROR, backend="shared")
    assert "Undefined parameter [rx]" in caught.value.message
    assert simulate(DIVIDER, backend="shared").waveforms.v("out")[0] == pytest.approx(0.75)


def test_shared_timeout_kills_worker_and_caller_goes_on() -> None:
    with pytest.raises(SimulationTimeout):
        simulate(HANGS, backend="shared", timeout=2.0)
    assert simulate(DIVIDER, backend="shared").waveforms.v("out")[0] == pytest.approx(0.75)


def test_segfault_in_shared_ngspice_raises_and_caller_survives(crashing_code_model: Path) -> None:
    pid = os.getpid()
    with pytest.raises(SimulatorCrashed) as caught:
        simulate(DIVIDER, backend="shared", codemodels=[crashing_code_model])
    assert caught.value.exit_status == -11  # the worker died of SIGSEGV, not us
    assert os.getpid() == pid
    assert simulate(DIVIDER, backend="shared").waveforms.v("out")[0] == pytest.approx(0.75)


def test_relative_include_works_in_both_backends(tmp_path: Path) -> None:
    (tmp_path / "load.inc").write_text("R2 out 0 3k\n")
    text = "t\nV1 in 0 dc 1\nR1 in out 1k\n.include load.inc\n.op\n.end\n"
    for backend in ("batch", "shared"):
        waves = simulate(text, backend=backend, base_dir=tmp_path).waveforms
        assert waves.v("out")[0] == pytest.approx(0.75, rel=1e-12), backend


def test_threads_sharing_the_pooled_worker_get_their_own_answers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def divider(r2: float) -> float:
        text = f"t\nV1 in 0 dc 1\nR1 in out 1k\nR2 out 0 {r2}\n.op\n.end\n"
        return float(simulate(text, backend="shared").waveforms.v("out")[0])

    values = [1e3 * (1 + k % 7) for k in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(divider, values))
    expected = [r2 / (1e3 + r2) for r2 in values]
    np.testing.assert_allclose(results, expected, rtol=1e-12)
