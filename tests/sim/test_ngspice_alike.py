"""Both backends behave like ngspice on its own kinds of deck (issue 10, "Parity")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from spicegen.sim import NetlistSyntaxError, Run, SimulationError, Variable, simulate
from spicegen.sim.batch import ngspice_executable

BACKENDS = ["batch", "shared"]
RC = "rc\nV1 in 0 dc 1\nR1 in out 1k\nC1 out 0 1n\n"


def _bare(folder: Path, deck: str) -> tuple[int, str]:
    """Run the deck as a user would, in its folder: (exit status, what ngspice printed)."""
    (folder / "bare.cir").write_text(deck)
    done = subprocess.run(
        [ngspice_executable(), "-b", "-r", "bare.raw", "bare.cir"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deck_without_end_runs(backend: str) -> None:
    result = simulate("x\nV1 a 0 1\nR1 a 0 1k\n.op\n", backend=backend)  # type: ignore[arg-type]
    assert result.waveforms.i("v1")[0] == pytest.approx(-1e-3, rel=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_quit_at_the_end_of_control_is_not_a_crash(backend: str, tmp_path: Path) -> None:
    deck = RC + ".tran 1u 10u\n.control\nrun\nquit\n.endc\n.end\n"
    status, _ = _bare(tmp_path, deck)
    assert status == 0
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert result.plots == ()  # ngspice's quit discards its plots; bare ngspice writes none


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_inside_control_runs_once(backend: str) -> None:
    # the control script's own transient (100 us) is the result, not the .tran card's (10 us)
    deck = RC + ".tran 1u 10u\n.control\ntran 1u 100u\n.endc\n.end\n"
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert len(result.plots) == 1
    assert result.waveforms.axis[-1] == pytest.approx(100e-6)
    assert result.log.count("Doing analysis") == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_plot_of_a_control_script_comes_back_in_order(backend: str) -> None:
    deck = RC + ".control\nop\ntran 1u 10u\ndc v1 0 1 0.5\n.endc\n.end\n"
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert [plot.plotname for plot in result.plots] == [
        "Operating Point",
        "Transient Analysis",
        "DC transfer characteristic",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_control_script_that_runs_nothing_leaves_the_deck_its_analysis(backend: str) -> None:
    deck = RC + ".tran 1u 10u\n.control\necho nothing to run\n.endc\n.end\n"
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert result.waveforms.axis[-1] == pytest.approx(10e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_error_line_ngspice_does_not_fail_on_does_not_fail_the_run(
    backend: str, tmp_path: Path
) -> None:
    # a measurement whose event never happens: ngspice prints "Error: measure ... out of
    # interval" and exits 0 (examples/measure/simple-meas-tran.sp)
    deck = RC + ".tran 1u 10u\n.control\nrun\nmeas tran never when v(out)=5\n.endc\n.end\n"
    status, printed = _bare(tmp_path, deck)
    assert status == 0 and "Error: measure" in printed
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert result.waveforms.axis[-1] == pytest.approx(10e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fatal_error_keeps_ngspices_cause(backend: str, tmp_path: Path) -> None:
    (tmp_path / "m.lib").write_text(".lib tt\nR2 a 0 1k\n.endl\n")
    deck = "t\n.lib m.lib nosuchsection\nV1 a 0 1\n.op\n.end\n"
    with pytest.raises(SimulationError) as caught:
        simulate(deck, backend=backend, base_dir=tmp_path)  # type: ignore[arg-type]
    assert "section definition nosuchsection not found" in str(caught.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_allowed_script_finds_its_files_beside_the_deck(backend: str, tmp_path: Path) -> None:
    (tmp_path / "more.sp").write_text("*ng_script\nop\n")
    deck = RC + ".control\nsource more.sp\nwrite out.raw\n.endc\n.end\n"
    result = simulate(deck, backend=backend, allow_control=True, base_dir=tmp_path)  # type: ignore[arg-type]
    assert result.waveforms.plotname == "Operating Point"
    assert result.waveforms.v("out")[0] == pytest.approx(1.0)  # no current through C1
    assert (tmp_path / "out.raw").is_file()


@pytest.mark.parametrize("backend", BACKENDS)
def test_compatibility_mode_is_data_on_the_run(backend: str, tmp_path: Path) -> None:
    # in PSpice mode ".lib file" includes the file; otherwise it opens a library section,
    # which a deck cannot hold ("unimplemented dot command")
    (tmp_path / "load.lib").write_text("R2 out 0 1k\n")
    deck = "t\nV1 in 0 1\nR1 in out 1k\n.lib load.lib\n.op\n.end\n"
    (tmp_path / ".spiceinit").write_text("set ngbehavior=ps\n")  # never read: see security.md
    with pytest.raises(NetlistSyntaxError, match="unimplemented dot command"):
        simulate(Run(deck, base_dir=str(tmp_path)), backend=backend)  # type: ignore[arg-type]
    pspice = Run(deck, base_dir=str(tmp_path), variables=(Variable("ngbehavior", "ps"),))
    result = simulate(pspice, backend=backend)  # type: ignore[arg-type]
    assert result.waveforms.v("out")[0] == pytest.approx(0.5, rel=1e-6)  # 1k / (1k + 1k)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spicegens_own_refusals_say_so(backend: str) -> None:
    with pytest.raises(SimulationError, match=r"^spicegen: netlist refused"):
        simulate("t\n*# echo hi\n.end\n", backend=backend)  # type: ignore[arg-type]


XSPICE_INTEGRATOR = """xspice integrator
V4 in 0 dc 0 pwl (0 0 1 1)
aint in out int_in
.model int_in int(in_offset=0.0 gain=1.0 out_lower_limit=-1e12 out_upper_limit=1e12
+ limit_range=1e-9 out_ic=0.0)
Rl out 0 1k
.tran 0.01 1
.end
"""


def test_both_backends_name_vectors_as_ngspice_writes_them() -> None:
    # in memory the XSPICE block's current is "aint#branch_1_0"; ngspice's raw writer calls
    # it i(aint) (rawfile.c), and so must the shared backend (examples/various/integrate1.cir)
    names = {
        backend: simulate(XSPICE_INTEGRATOR, backend=backend).waveforms.names  # type: ignore[arg-type]
        for backend in BACKENDS
    }
    assert "i(aint)" in names["batch"]
    assert sorted(names["shared"]) == sorted(names["batch"])


def test_a_session_reads_a_vector_by_its_written_name() -> None:
    from spicegen.sim import Session

    with Session(XSPICE_INTEGRATOR) as session:
        waves = session.tran(0.01, 1, vectors=["i(aint)", "v(out)"])
    assert waves.names == ("time", "i(aint)", "v(out)")
    # an integrator of a 1 V/s ramp: v(out) = t^2 / 2, 0.5 V at 1 s; the code model's own
    # integration over 0.01 s steps ends within 1 % of it (0.5049 V with ngspice 46)
    assert abs(waves.v("out")[-1] - 0.5) < 0.01
    batch = simulate(XSPICE_INTEGRATOR).waveforms
    assert abs(waves.v("out")[-1] - batch.v("out")[-1]) < 1e-12


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_xspice_model_finds_its_data_file_beside_the_deck(backend: str, tmp_path: Path) -> None:
    # filesource, d_state, table2D... open their files from the deck's folder (19 of
    # ngspice's example decks failed when that folder was spicegen's private one)
    (tmp_path / "ramp.txt").write_text("0 0\n1e-3 1\n")  # time (s), value (V): a 1 V/ms ramp
    deck = (
        'filesource\nafile %v([in]) src\n.model src filesource(file="ramp.txt" amploffset=[0]'
        " amplscale=[1] timeoffset=0 timescale=1 timerelative=false amplstep=false)\n"
        "R1 in 0 1k\n.tran 1e-5 1e-3\n.end\n"
    )
    waves = simulate(deck, backend=backend, base_dir=tmp_path).waveforms  # type: ignore[arg-type]
    # the source interpolates the file linearly: v(in) = t / 1 ms
    assert abs(waves.v("in")[-1] - 1.0) < 1e-6
    middle = len(waves) // 2
    assert abs(waves.v("in")[middle] - waves.axis[middle] / 1e-3) < 1e-6


NOISE = """resistive divider noise
V1 in 0 dc 0 ac 1
R1 in out 1k
R2 out 0 1k
.noise v(out) V1 dec 10 1k 1meg
.end
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_noise_plots_keep_their_names_and_scales(backend: str) -> None:
    # the integrated-noise plot has no scale vector; the shared backend named its first vector
    # as the axis under another spelling (examples/noise/resdiv.cir)
    result = simulate(NOISE, backend=backend)  # type: ignore[arg-type]
    names = [plot.plotname for plot in result.plots]
    assert names == ["Noise Spectral Density Curves", "Integrated Noise"]
    # thermal noise of 1k || 1k at 300.15 K: 4 k T R with R = 500 ohm
    density = result.plots[0]["onoise_spectrum"]
    assert abs(density[0] - (4 * 1.380649e-23 * 300.15 * 500.0) ** 0.5) / density[0] < 1e-3


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_script_that_only_computes_is_not_an_error(backend: str) -> None:
    # examples/various/compose-examples.cir: vectors made in the const plot, no analysis, and
    # an Error: line ngspice prints but does not fail on (exit 0)
    script = "compose v start=1 stop=2 step=0.5\ncompose w dec=3 start=-1 stop=1\n"
    deck = f"t\n.control\n{script}.endc\n.end\n"
    result = simulate(deck, backend=backend, allow_control=True)  # type: ignore[arg-type]
    assert result.plots == ()
