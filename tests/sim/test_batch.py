"""The batch backend against the real ngspice: results, failures, timeouts, crashes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from spicegen.netlist import Op, Tran
from spicegen.sim import (
    ConvergenceError,
    NetlistSyntaxError,
    SimulationTimeout,
    SimulatorCrashed,
    UnsafeNetlistError,
    simulate,
)
from spicegen.waves import read_raw
from tests.sim.conftest import DIVIDER, HANGS, NO_CONVERGENCE, SYNTAX_ERROR


def test_divider_operating_point() -> None:
    result = simulate(DIVIDER)
    # 1 V across 1k + 3k: v(out) = 0.75 V, i(v1) = -0.25 mA (SPICE: current into the + node).
    assert result.waveforms.v("out")[0] == pytest.approx(0.75, rel=1e-12)
    assert result.waveforms.i("v1")[0] == pytest.approx(-0.25e-3, rel=1e-9)
    assert result.backend == "batch"
    assert result.analysis == ".op"
    assert result.elapsed > 0


def test_analysis_argument_is_added_to_text() -> None:
    text = DIVIDER.replace(".op\n", "")
    result = simulate(text, Tran(step=1e-9, stop=1e-8))
    assert result.waveforms.plotname == "Transient Analysis"
    assert np.allclose(result.waveforms.v("out"), 0.75)


def test_raw_file_is_kept_when_asked(tmp_path: Path) -> None:
    raw = tmp_path / "kept.raw"
    simulate(DIVIDER, raw_path=raw)
    assert read_raw(raw).v("out")[0] == pytest.approx(0.75)


def test_no_convergence_raises_convergence_error_with_ngspice_message() -> None:
    with pytest.raises(ConvergenceError) as caught:
        simulate(NO_CONVERGENCE)
    assert "Timestep too small" in caught.value.message
    assert caught.value.analysis == ".tran 1n 20n"


def test_syntax_error_names_ngspice_line() -> None:
    with pytest.raises(NetlistSyntaxError) as caught:
        simulate(SYNTAX_ERROR)
    assert "Undefined parameter [rx]" in caught.value.message
    assert caught.value.line == 4


def test_timeout_stops_a_hanging_run() -> None:
    with pytest.raises(SimulationTimeout) as caught:
        simulate(HANGS, timeout=1.0)
    assert caught.value.timeout == 1.0


def test_control_block_is_refused_unless_allowed(tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    text = DIVIDER.replace(".end", f".control\nshell touch {marker}\n.endc\n.end")
    with pytest.raises(UnsafeNetlistError):
        simulate(text)
    assert not marker.exists()
    simulate(text, allow_control=True)
    assert marker.exists()


def test_crash_of_ngspice_process_is_simulator_crashed(crashing_code_model: Path) -> None:
    with pytest.raises(SimulatorCrashed) as caught:
        simulate(DIVIDER, codemodels=[crashing_code_model])
    assert caught.value.exit_status == -11  # SIGSEGV
    # and the next run is unaffected
    assert simulate(DIVIDER).waveforms.v("out")[0] == pytest.approx(0.75)


def test_rc_step_matches_closed_form() -> None:
    text = """rc
V1 in 0 pulse(0 1 0 1p 1p 1 2)
R1 in out 1k
C1 out 0 1n
.tran 1n 5u
.options reltol=1e-6
.end
"""
    waves = simulate(text).waveforms
    t, v = waves.axis, waves.v("out")
    expected = 1.0 - np.exp(-t / 1e-6)
    # trapezoidal integration with reltol 1e-6: within 1 mV of the exact exponential
    assert np.max(np.abs(v - expected)) < 1e-3
    assert v[-1] == pytest.approx(1.0 - math.exp(-5), abs=1e-4)


def test_op_analysis_object() -> None:
    result = simulate(DIVIDER.replace(".op\n", ""), Op())
    assert result.waveforms.axis_name is None
    assert result.waveforms.v("in", "out")[0] == pytest.approx(0.25)


def test_a_failing_reader_import_stops_ngspice(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The raw-file reader is loaded while ngspice runs; if loading it fails, ngspice (here
    a run that would never end) is stopped and its private folder removed, not left behind."""
    import tempfile

    from spicegen.sim import Run
    from spicegen.sim.batch import run_batch_read
    from spicegen.sim.deck import write_deck

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the private folder goes here

    def broken_loader() -> object:
        raise ImportError("no reader")

    with pytest.raises(ImportError, match="no reader"):
        run_batch_read(write_deck(Run(HANGS)), broken_loader, timeout=600.0)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    # no process still names a file of that folder on its command line (ngspice's deck)
    running = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:  # not a process, or one that ended meanwhile
            continue
        if str(tmp_path).encode() in command:
            running.append(command)
    assert running == []
