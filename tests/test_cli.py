"""The command line: summaries, tables, plots, and one clear message (status 2) on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spicegen.cli import main
from tests.sim.conftest import DIVIDER, NO_CONVERGENCE, SYNTAX_ERROR

RC = "rc\nV1 in 0 pulse(0 1 0 1n 1n 5u 10u)\nR1 in out 1k\nC1 out 0 1n\n.tran 10n 5u\n.end\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name, text in {
        "divider.cir": DIVIDER,
        "rc.cir": RC,
        "bad.cir": SYNTAX_ERROR,
        "diverge.cir": NO_CONVERGENCE,
        "control.cir": DIVIDER.replace(".end", ".control\nshell echo hi\n.endc\n.end"),
    }.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_run_summarises_and_prints_a_vector(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(files / "divider.cir"), "--print", "v(out)"]) == 0
    out = capsys.readouterr().out
    assert "Operating Point" in out
    assert "v(out)" in out
    assert out.strip().splitlines()[-1] == "0.75"


@pytest.mark.parametrize("backend", ["batch", "shared"])
def test_run_both_backends(files: Path, backend: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(files / "rc.cir"), "--backend", backend]) == 0
    assert "Transient Analysis" in capsys.readouterr().out


def test_run_writes_raw_and_plot_reads_it(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    png = files / "fig" / "rc.png"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(in)", "v(out)", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "{d}/missing.cir"], "no such netlist file"),
        (["run", "{d}/bad.cir"], "Undefined parameter [rx]"),
        (["run", "{d}/diverge.cir"], "Timestep too small"),
        (["run", "{d}/control.cir"], "--allow-control"),
        (["plot", "{d}/missing.raw", "v(out)", "-o", "{d}/x.png"], "no such raw file"),
        (["plot", "{d}/divider.cir", "v(out)", "-o", "{d}/x.png"], "divider.cir"),
        (["run", "{d}/divider.cir", "--timeout", "nan"], "timeout must be"),
        (["run", "{d}/divider.cir", "--timeout", "inf"], "timeout must be"),
        (["run", "{d}/divider.cir", "--raw", "{d}/divider.cir"], "overwrite the netlist"),
    ],
)
def test_errors_are_one_message_and_status_2(files: Path, args, expected, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main([a.format(d=files) for a in args])
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err
    assert "Traceback" not in err


def test_plot_unknown_vector_lists_what_exists(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(nope)", "-o", str(files / "x.png")]) == 2
    assert "v(out)" in capsys.readouterr().err


def test_console_script_version_and_help() -> None:
    spicegen = str(Path(sys.executable).parent / "spicegen")
    version = subprocess.run([spicegen, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("spicegen ")
    for command in ("run", "plot"):
        shown = subprocess.run(
            [spicegen, command, "--help"], capture_output=True, text=True, check=True
        )
        assert "usage: spicegen " + command in shown.stdout


def test_console_script_error_has_no_traceback(files: Path) -> None:
    spicegen = str(Path(sys.executable).parent / "spicegen")
    done = subprocess.run([spicegen, "run", str(files / "bad.cir")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "netlist rejected at line 4" in done.stderr


def test_plot_refuses_unknown_image_format(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "rc.raw"
    assert main(["run", str(files / "rc.cir"), "--raw", str(raw)]) == 0
    assert main(["plot", str(raw), "v(out)", "-o", str(files / "fig.xyz")]) == 2
    err = capsys.readouterr().err
    assert "png" in err
    assert "Traceback" not in err


def test_failed_run_leaves_no_raw_file(files: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = files / "failed.raw"
    assert main(["run", str(files / "diverge.cir"), "--raw", str(raw)]) == 2
    assert not raw.exists()


RESISTOR_VA = """`include "disciplines.vams"
module res(p, n);
  inout p, n;
  electrical p, n;
  parameter real r = 2k from (0:inf);
  analog I(p, n) <+ V(p, n) / r;
endmodule
"""


def test_compile_writes_a_library_that_simulates(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "res.va"
    model.write_text(RESISTOR_VA)
    library = tmp_path / "lib" / "res.lib"
    assert main(["compile", str(model), "-o", str(library)]) == 0
    text = library.read_text()
    assert text.lower().startswith(".subckt res p n")
    deck = f"t\n{text}V1 in 0 dc 1\nX1 in out res r=3k\nR2 out 0 1k\n.op\n.end\n"
    from spicegen import simulate

    # 1 V across 3k (compiled model) + 1k: v(out) = 0.25 V
    assert simulate(deck).waveforms.v("out")[0] == pytest.approx(0.25, rel=1e-9)


def test_compile_error_is_located_with_a_caret(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "bad.va"
    model.write_text(RESISTOR_VA.replace("V(p, n) / r;", "V(p, n) / ;"))
    assert main(["compile", str(model)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{model}:6:")
    assert ": error: " in err
    assert "^" in err
    assert "Traceback" not in err


def test_compile_missing_file_is_one_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["compile", str(tmp_path / "none.va")]) == 2
    assert "no such Verilog-A file" in capsys.readouterr().err


def test_build_crossbar_then_run_gives_the_vector_matrix_product(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    weights = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    np.savetxt(tmp_path / "w.csv", weights, delimiter=",")
    deck = tmp_path / "xbar.cir"
    assert main(["build", "crossbar", "--weights", str(tmp_path / "w.csv"), "-o", str(deck)]) == 0
    assert "2x3 1R crossbar read" in capsys.readouterr().out
    from spicegen import simulate

    waves = simulate(deck.read_text()).waveforms
    conductance = 1e-6 + weights * (1e-4 - 1e-6)  # default mapping, S
    expected = 0.2 * conductance.sum(axis=0)  # every row read at 0.2 V into virtual grounds
    names = [n for n in waves.names if n.startswith("i(") and "col" in n.lower()]
    measured = sorted(abs(float(waves[n][0])) for n in names)
    np.testing.assert_allclose(measured, sorted(expected), rtol=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "missing.csv"], "cannot read a weight matrix"),
        (["--random", "0", "3"], "positive sizes"),
        (["--random", "2", "2", "--g-min", "-1"], "g_min"),
    ],
)
def test_build_errors_are_one_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "crossbar", *args, "-o", str(tmp_path / "x.cir")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_build_oscillator_neuron_spikes_at_the_closed_form_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spicegen import simulate
    from spicegen.circuits import oscillator_period
    from spicegen.waves.measure import crossings

    deck = tmp_path / "osc.cir"
    assert main(["build", "oscillator-neuron", "--v-in", "1.5", "-o", str(deck)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {deck}: oscillator neuron")
    waves = simulate(deck.read_text()).waveforms
    spikes = crossings(waves["time"], waves.v("m"), 0.85, "fall")  # (vth + vhold) / 2
    assert spikes.size >= 6
    # mean period after the first (full) charge against physics.md 2.3's ideal switch
    measured = (spikes[-1] - spikes[1]) / (spikes.size - 2)
    assert measured == pytest.approx(oscillator_period(1.5, 5e3, 1e-9)[2], rel=0.05)
    assert waves.v("out").max() > 0.5  # readout 200 ohm x ~V/ron during a spike


def test_build_neuron_pair_matches_single_device_operating_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spicegen import models, simulate
    from spicegen.netlist import Circuit, CurrentSource, Op

    deck = tmp_path / "pair.cir"
    args = ["--bias", "40e-6", "--delta", "3e-6", "--mismatch", "0.05", "--gain", "10"]
    assert main(["build", "neuron-pair", *args, "-o", str(deck)]) == 0
    assert "mtj neuron pair" in capsys.readouterr().out
    waves = simulate(deck.read_text()).waveforms
    mtj = models.load("mtj")
    single = Circuit(  # the two devices alone, each on its own current source
        title="two single mtj devices",
        elements=(
            CurrentSource("I1", "0", "a", dc=40e-6),
            mtj.instance("X1", ("0", "a"), stochastic=0, state0=1),
            CurrentSource("I2", "0", "b", dc=43e-6),
            mtj.instance("X2", ("0", "b"), stochastic=0, state0=1, rp=3979.0 * 1.05),
        ),
        subckts=(mtj.subckt,),
        analyses=(Op(),),
    )
    reference = simulate(single).waveforms
    v1, v2 = float(reference.v("a")[0]), float(reference.v("b")[0])
    assert float(waves.v("v1")[0]) == pytest.approx(v1, rel=1e-9)
    assert float(waves.v("dout")[0]) == pytest.approx(10 * (v2 - v1), rel=1e-6)
    assert v2 > v1 > 0


def test_build_bayesian_machine_counts_match_the_bit_level_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import numpy as np

    from spicegen import simulate
    from spicegen.circuits import bayesian_machine
    from tests.circuits.test_bayesian_machine import reference_counts

    table = [[[0.2, 0.8, 0.5], [0.7, 0.3]], [[0.9, 0.1, 0.3], [0.4, 0.6]]]
    (tmp_path / "lk.json").write_text(json.dumps(table))
    deck = tmp_path / "bm.cir"
    argv = ["--likelihoods", str(tmp_path / "lk.json"), "--observation", "1,0", "--bits", "5"]
    assert main(["build", "bayesian-machine", *argv, "-o", str(deck)]) == 0
    assert "31 cycles" in capsys.readouterr().out
    waves = simulate(deck.read_text()).waveforms
    _, machine = bayesian_machine.from_likelihoods(table, 5, observation=(1, 0))
    counts = bayesian_machine.decode(waves, machine)
    np.testing.assert_array_equal(counts, reference_counts(machine))  # independent LFSR model
    assert int(np.argmax(counts)) == 0  # 0.8 * 0.7 against 0.1 * 0.4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bayesian-machine", "--likelihoods", "{d}/none.json", "--observation", "0"],
         "no such likelihood file"),
        (["bayesian-machine", "--likelihoods", "{d}/bad.json", "--observation", "0"],
         "not valid JSON"),
        (["bayesian-machine", "--likelihoods", "{d}/neg.json", "--observation", "0"],
         "table[0][0][0]: expected a probability in [0, 1]"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "2"],
         "observation[0]"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "a,b"],
         "comma-separated integers"),
        (["bayesian-machine", "--likelihoods", "{d}/ok.json", "--observation", "0",
          "--cycles", "-1"], "cycles"),
        (["oscillator-neuron", "--r-load=-5e3"], "r_load"),
        (["oscillator-neuron", "--c=-1e-9"], "OscillatorNeuronParams.c"),
        (["oscillator-neuron", "--tran", "-1"], "stop: expected a positive time"),
        (["neuron-pair", "--mismatch", "-2"], "mismatch: expected > -1"),
        (["neuron-pair", "--delta", "0"], "delta_current"),
    ],
)  # fmt: skip
def test_build_generator_errors_are_one_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text("[[[0.5, ]]]")
    (tmp_path / "neg.json").write_text("[[[-0.5, 0.5]]]")
    (tmp_path / "ok.json").write_text("[[[0.5, 0.5]]]")
    argv = ["build", *(a.format(d=tmp_path) for a in args), "-o", str(tmp_path / "x.cir")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("spicegen build: error: ")
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.cir").exists()


def test_build_help_gives_units(capsys: pytest.CaptureFixture[str]) -> None:
    expected = {
        "oscillator-neuron": ("--v-in V", "--r-load OHM", "--c F", "--tran STOP", "nbox"),
        "neuron-pair": ("--bias A", "--delta A", "--mismatch EPS"),
        "bayesian-machine": ("--likelihoods FILE.json", "--observation I,J,..."),
        "crossbar": ("--g-min S", "--wire OHM", "--read V"),
    }
    for circuit, options in expected.items():
        with pytest.raises(SystemExit) as done:
            main(["build", circuit, "--help"])
        assert done.value.code == 0
        shown = capsys.readouterr().out
        assert all(option in shown for option in options), (circuit, shown)
