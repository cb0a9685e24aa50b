"""Parity with ngspice: one small deck of our own for each root cause that ngspice's own decks
showed (docs/parity.md, found by scripts/parity.py).

Every case runs twice. ``test_ngspice_*`` checks what bare ``ngspice -b -r out.raw deck.cir``
does in the deck's own folder, the reference; it passes today and keeps the expectation honest
when ngspice changes. ``test_spicegen_*`` asks spicegen (``simulate`` with the deck's folder as
``base_dir``, ``allow_control=True`` for decks that carry a script) for the same thing on each
backend. Where spicegen differs today the backend's case is a strict xfail whose reason names
the cause; a fix makes it pass, and strict xfail then fails the suite until the mark goes.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from spicegen.cli import main as cli_main
from spicegen.sim import (
    Result,
    Run,
    SimulationError,
    SimulatorCrashed,
    Variable,
    simulate,
)
from spicegen.sim.batch import ngspice_environment, ngspice_executable
from spicegen.waves import Waveforms, read_raw_plots


@dataclass(frozen=True)
class Case:
    """A deck and the files that sit beside it."""

    deck: str
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bare:
    """What bare ngspice did: exit status, everything it printed, its raw file's plots and the
    vector names of its first plot exactly as it wrote them."""

    status: int
    log: str
    plots: tuple[Waveforms, ...]
    written: tuple[str, ...]


def folder_of(tmp_path: Path, case: Case) -> Path:
    """The deck's folder: ``deck.cir`` and its files."""
    folder = tmp_path / "deck"
    folder.mkdir(parents=True)
    (folder / "deck.cir").write_text(case.deck, encoding="utf-8")
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def bare_ngspice(folder: Path) -> Bare:
    """``ngspice -b -r out.raw deck.cir`` in ``folder``, as a user would run it there."""
    done = subprocess.run(
        [ngspice_executable(), "-b", "-r", "out.raw", "deck.cir"],
        cwd=folder,
        env=ngspice_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    raw = folder / "out.raw"
    plots = read_raw_plots(raw) if raw.exists() else ()
    written: tuple[str, ...] = ()
    if raw.exists():
        # the header of the first plot is text up to "Binary:"; a variable line is
        # "<tab>index<tab>name<tab>type"
        header = raw.read_bytes().split(b"Binary:", 1)[0].decode("utf-8", "replace")
        written = tuple(re.findall(r"^\t\d+\t(\S+)\t", header, re.MULTILINE))
    log = done.stderr.decode("utf-8", "replace") + done.stdout.decode("utf-8", "replace")
    return Bare(done.returncode, log, plots, written)


def spicegen_run(folder: Path, backend: str, **run: object) -> Result:
    """The deck through spicegen as ``spicegen run --allow-control`` would take it."""
    text = (folder / "deck.cir").read_text(encoding="utf-8")
    scripted = ".control" in text.lower()
    return simulate(
        Run(text, base_dir=str(folder), allow_control=scripted, **run),  # type: ignore[arg-type]
        backend=backend,  # type: ignore[arg-type]
        timeout=120,
    )


def assert_same_plots(bare: Bare, result: Result) -> None:
    """spicegen's plots are ngspice's: names, points and values.

    Every name ngspice wrote in the first plot is looked up as written (its n-th repetition as
    ``name#n``, the documented rule for names a multi-port device writes several times) and
    must hold the values ngspice wrote in that column. The same ngspice build computed both, so
    only a float64 round trip may differ: 1e-12 of a vector's peak.
    """
    assert [p.plotname for p in result.plots] == [p.plotname for p in bare.plots]
    for ours, theirs in zip(result.plots, bare.plots, strict=True):
        assert len(ours) == len(theirs), f"{theirs.plotname}: points"
        assert len(ours.vectors) == len(theirs.vectors), f"{theirs.plotname}: vectors"
    seen: dict[str, int] = {}
    for index, name in enumerate(bare.written):
        seen[name] = seen.get(name, 0) + 1
        wanted = name if seen[name] == 1 else f"{name}#{seen[name]}"
        expected = bare.plots[0].vectors[index].data
        got = result.plots[0][wanted]
        peak = float(np.max(np.abs(expected), initial=0.0))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * peak, err_msg=wanted)


def assert_parity(tmp_path: Path, case: Case, backend: str, **run: object) -> None:
    """Bare ngspice and spicegen on ``backend`` give the same plots for ``case``."""
    folder = folder_of(tmp_path, case)
    assert_same_plots(bare_ngspice(folder), spicegen_run(folder, backend, **run))


def backends(**reasons: str) -> list[object]:
    """Both backends as parameters; those named carry a strict xfail with the given reason."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reasons[name]))
        if name in reasons
        else name
        for name in ("batch", "shared")
    ]


# -- a deck without .end (cause no-end) ------------------------------------------------------------
NO_END = Case("a deck without an .end card\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\n.op\n")


def test_ngspice_runs_a_deck_without_end(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, NO_END))
    assert bare.status == 0
    assert bare.plots[0]["v(b)"][0] == pytest.approx(0.5, rel=1e-12)  # 1 V over two equal R


@pytest.mark.parametrize("backend", backends())
def test_spicegen_runs_a_deck_without_end(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, NO_END, backend)


# -- quit in .control (cause quit) -----------------------------------------------------------------
QUIT = Case(
    """quit ends the script
V1 a 0 1
R1 a b 1k
R2 b 0 1k
.control
op
echo "half: $&v(b)"
quit
.endc
.end
"""
)
QUIT_FAILING = Case(QUIT.deck.replace('echo "half: $&v(b)"\nquit', 'echo "check failed"\nquit 1'))


def test_ngspice_quit_ends_a_script_with_its_status(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, QUIT))
    assert bare.status == 0
    assert "half: 0.5" in bare.log
    failing = bare_ngspice(folder_of(tmp_path / "failing", QUIT_FAILING))
    assert failing.status == 1
    assert "check failed" in failing.log


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_quit_is_the_end_of_the_script(tmp_path: Path, backend: str) -> None:
    result = spicegen_run(folder_of(tmp_path, QUIT), backend)
    assert "half: 0.5" in result.log


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_quit_with_a_status_is_a_failure_not_a_crash(tmp_path: Path, backend: str) -> None:
    with pytest.raises(SimulationError) as caught:
        spicegen_run(folder_of(tmp_path, QUIT_FAILING), backend)
    assert not isinstance(caught.value, SimulatorCrashed)
    assert "check failed" in caught.value.message


# -- the deck's script runs the analysis, then spicegen runs it again (cause run-twice) ------------
# A digital oscillator whose frequency follows a control voltage, driving an analog load: an
# event-driven XSPICE circuit, where the time points depend on the digital events.
OSCILLATOR = """digital oscillator run from the deck's script
V1 ctl 0 pulse(-1 1 0 2m 2m 1n 4m)
a1 ctl dout osc
.model osc d_osc(cntl_array=[-2 -1 1 2] freq_array=[1e3 1e3 10e3 10e3] duty_cycle=0.4
+ init_phase=180 rise_delay=10n fall_delay=8n)
abridge [dout] [aout] dac
.model dac dac_bridge(out_low=0 out_high=1)
R1 aout 0 1k
.tran 10u 4m
.control
run
.endc
.end
"""
RUN_IN_SCRIPT = Case(OSCILLATOR)
# A .meas whose value is an expression of parameters: ngspice puts the number into the card
# in place when it measures, so measuring a second time in the same ngspice finds no
# placeholder left ("insertnumber: fails").
MEASURE_PARAM = Case(
    """a measure computed from parameters
.param fval=5
V1 a 0 1
R1 a 0 1k
.tran 1u 10u
.meas tran yadd param='fval + 7'
.control
run
.endc
.end
"""
)


def test_ngspice_runs_a_scripted_analysis_as_a_fresh_one(tmp_path: Path) -> None:
    scripted = bare_ngspice(folder_of(tmp_path, RUN_IN_SCRIPT))
    plain = Case(re.sub(r"\.control.*?\.endc\n", "", OSCILLATOR, flags=re.S))
    unscripted = bare_ngspice(folder_of(tmp_path / "plain", plain))
    assert scripted.status == 0 and unscripted.status == 0
    # the raw file holds the analysis run once more after the script: the same points as a
    # deck without the script
    assert len(scripted.plots[0]) == len(unscripted.plots[0])
    assert bare_ngspice(folder_of(tmp_path / "measure", MEASURE_PARAM)).status == 0


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_scripted_digital_transient_has_ngspice_points(
    tmp_path: Path, backend: str
) -> None:
    assert_parity(tmp_path, RUN_IN_SCRIPT, backend)


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_scripted_measure_of_parameters(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, MEASURE_PARAM, backend)


# -- Error: lines ngspice lives with (cause non-fatal-error) ---------------------------------------
NON_FATAL = Case(
    """errors the script survives
V1 a 0 pulse(0 1 0 1u 1u 5u 10u)
R1 a b 1k
C1 b 0 1n
.tran 1u 20u
.control
run
meas tran late when v(b)=5
let x = nosuch
echo "the script went on"
.endc
.end
"""
)
# batch ngspice skips `plot` ("not available during batch simulation"); the shared library
# evaluates its expression, and db() of a zero prints an Error line
PLOT_IN_SCRIPT = Case(
    """a plot the script asks for
V1 a 0 0
R1 a 0 1k
.op
.control
run
plot db(v(a))
echo "the script went on"
.endc
.end
"""
)


def test_ngspice_goes_on_after_errors_in_a_script(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, NON_FATAL))
    assert bare.status == 0
    assert "Error: measure  late  when(WHEN) : out of interval" in bare.log
    assert 'Error: RHS "nosuch" invalid' in bare.log
    assert "the script went on" in bare.log
    assert bare_ngspice(folder_of(tmp_path / "plot", PLOT_IN_SCRIPT)).status == 0


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_goes_on_after_errors_in_a_script(tmp_path: Path, backend: str) -> None:
    folder = folder_of(tmp_path, NON_FATAL)
    result = spicegen_run(folder, backend)
    assert_same_plots(bare_ngspice(folder), result)
    assert "out of interval" in result.log  # ngspice's complaint stays readable


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_plot_in_a_script_is_harmless(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, PLOT_IN_SCRIPT, backend)


# a script that runs its own sweep, then `run` with no analysis card ("simulation not
# started", a warning: batch ngspice exits 0) and plots a vector that does not exist
RUN_WITHOUT_JOB = Case(
    """a script's run with nothing to run
V1 a 0 1
R1 a 0 1k
.control
dc v1 0 1 0.5
run
plot v(nosuch)
.endc
.end
"""
)


def test_ngspice_goes_on_after_a_run_with_no_job(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, RUN_WITHOUT_JOB))
    assert bare.status == 0


@pytest.mark.parametrize("backend", backends())
def test_spicegen_goes_on_after_a_run_with_no_job(tmp_path: Path, backend: str) -> None:
    result = spicegen_run(folder_of(tmp_path, RUN_WITHOUT_JOB), backend)
    assert [plot.plotname for plot in result.plots] == ["DC transfer characteristic"]
    np.testing.assert_array_equal(result.plots[0]["v(a)"], [0.0, 0.5, 1.0])


# -- stop and resume (cause stop-resume) -----------------------------------------------------------
STOP_RESUME = Case(
    """stop a transient, change the source, resume
V1 a 0 1
R1 a b 1k
C1 b 0 1n
.control
stop when time = 2u
tran 10n 4u
alter V1 = 2
resume
let last = length(time)
echo "points: $&last"
.endc
.end
"""
)


def test_ngspice_resumes_a_stopped_transient(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, STOP_RESUME))
    assert bare.status == 0
    assert "tran simulation interrupted" in bare.log  # the breakpoint, not a failure
    assert "points: " in bare.log


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_resumes_a_stopped_transient(tmp_path: Path, backend: str) -> None:
    folder = folder_of(tmp_path, STOP_RESUME)
    bare = bare_ngspice(folder)
    result = spicegen_run(folder, backend)
    points = re.search(r"points: (\S+)", bare.log)
    assert points is not None and f"points: {points.group(1)}" in result.log


# -- .lib sections that use each other (cause lib-section) -----------------------------------------
LIB_SECTIONS = Case(
    """library sections that use each other
V1 a 0 1
X1 a b half
.lib 'parts.lib' divider
.op
.end
""",
    files={
        "parts.lib": """* a library whose sections use each other
.lib divider
.subckt half in out
.lib 'parts.lib' resistors
Xtop in out r1k
Xbottom out 0 r1k
.ends
.endl divider

.lib resistors
.subckt r1k p n
R1 p n 1k
.ends
.endl resistors
"""
    },
)


def test_ngspice_reads_a_section_of_the_library_it_is_reading(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, LIB_SECTIONS))
    assert bare.status == 0
    assert bare.plots[0]["v(b)"][0] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_reads_a_section_of_the_library_it_is_reading(
    tmp_path: Path, backend: str
) -> None:
    assert_parity(tmp_path, LIB_SECTIONS, backend)


# -- a compatibility mode set in the folder's .spiceinit (cause folder-spiceinit) ------------------
# Old-style `.lib file` (no section) is an include only in PSpice and LTspice compatibility.
COMPATIBILITY = Case(
    """a PSpice-style library
V1 a 0 1
R1 a b 1k
D1 b 0 dfast
.lib parts.lib
.op
.end
""",
    files={".spiceinit": "set ngbehavior=ps\n", "parts.lib": ".model dfast d(is=1e-14 n=1)\n"},
)


def test_ngspice_takes_the_compatibility_mode_from_the_folder(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, COMPATIBILITY)
    bare = bare_ngspice(folder)
    assert bare.status == 0 and "Compatibility modes selected: ps" in bare.log
    (folder / ".spiceinit").unlink()
    assert "can't find model 'dfast'" in bare_ngspice(folder).log


@pytest.mark.parametrize("backend", backends())
def test_spicegen_takes_the_compatibility_mode_as_data(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, COMPATIBILITY, backend, variables=(Variable("ngbehavior", "ps"),))


# -- files a code model reads beside the netlist (cause folder-data-file) --------------------------
# filesource plays a waveform from a text file: a ramp to 1 V at 1 ms, then 1 V.
DATA_FILE = Case(
    """a waveform played from a file beside the deck
a1 %v([out]) src
.model src filesource (file="wave.txt" amploffset=[0] amplscale=[1] timeoffset=0
+ timescale=1 timerelative=false amplstep=false)
R1 out 0 1k
.tran 0.1m 2m
.end
""",
    files={"wave.txt": "0 0\n1e-3 1\n2e-3 1\n"},
)
MISSING_DATA_FILE = Case(DATA_FILE.deck)


def test_ngspice_finds_a_code_model_file_beside_the_netlist(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, DATA_FILE))
    assert bare.status == 0
    assert bare.plots[0]["v(out)"][-1] == pytest.approx(1.0, rel=1e-12)
    missing = bare_ngspice(folder_of(tmp_path / "missing", MISSING_DATA_FILE))
    assert missing.status == 1
    assert "cannot open file wave.txt" in missing.log
    assert "fatal error in ngspice" in missing.log


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_finds_a_code_model_file_beside_the_netlist(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, DATA_FILE, backend)


# An inverter of the XSPICE "demo" family: ngspice bridges its analog input with the
# subcircuit of bridge_demo_d_in.subcir when it finds that file, and silently with its default
# bridge when it does not. The family's bridge switches at vcc/4 = 0.825 V, the default at
# vcc/2 = 1.65 V: on a 0.33 V/ns ramp the output falls 2.5 ns earlier with the file.
FAMILY_BRIDGE = Case(
    """an inverter whose input bridge comes from a file beside the deck
V1 in 0 pwl(0 0 10n 3.3)
a1 in out inv
.model inv d_inverter(rise_delay=1n fall_delay=1n) family="demo"
R1 out 0 1k
.tran 0.1n 10n
.end
""",
    files={
        "bridge_demo_d_in.subcir": """* the demo family: switches at a quarter of vcc
.subckt bridge_demo_d_in in out vcc=3.3
adc [ in ] [ out ] demo_adc
.model demo_adc adc_bridge in_low={vcc/4} in_high={vcc/4}
.ends
"""
    },
)


def fall_time(waveforms: Waveforms) -> float:
    """When v(out) first drops below half its peak, s."""
    output = waveforms["v(out)"]
    return float(waveforms["time"][np.argmax(output < 0.5 * output.max())])


def test_ngspice_bridges_a_family_with_the_file_beside_the_netlist(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, FAMILY_BRIDGE)
    with_file = bare_ngspice(folder)
    (folder / "bridge_demo_d_in.subcir").unlink()
    without_file = bare_ngspice(folder)
    assert with_file.status == 0 and without_file.status == 0
    earlier = fall_time(without_file.plots[0]) - fall_time(with_file.plots[0])
    assert earlier == pytest.approx(
        2.5e-9, abs=0.15e-9
    )  # 0.825 V sooner at 0.33 V/ns; 0.1 ns steps


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_bridges_a_family_with_the_file_beside_the_netlist(
    tmp_path: Path, backend: str
) -> None:
    folder = folder_of(tmp_path, FAMILY_BRIDGE)
    bare = bare_ngspice(folder)
    result = spicegen_run(folder, backend)
    assert fall_time(result.plots[0]) == fall_time(bare.plots[0])
    assert_same_plots(bare, result)


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_fatal_error_keeps_its_cause(tmp_path: Path, backend: str) -> None:
    with pytest.raises(SimulationError) as caught:
        spicegen_run(folder_of(tmp_path, MISSING_DATA_FILE), backend)
    assert "cannot open file wave.txt" in caught.value.message


# -- a script sourced by a relative path (cause folder-source) -------------------------------------
SOURCED = Case(
    """a script sourced by a relative path
V1 a 0 1
R1 a 0 1k
.op
.control
source helper.script
.endc
.end
""",
    files={"helper.script": '*ng_script\necho "the sourced script ran"\n'},
)


# $inputdir is the folder of the deck ngspice read: the user's, not spicegen's private one
SOURCED_FROM_INPUTDIR = Case(
    SOURCED.deck.replace("source helper.script", "source $inputdir/helper.script"),
    files=SOURCED.files,
)
SOURCED_CASES = {"beside": SOURCED, "inputdir": SOURCED_FROM_INPUTDIR}


@pytest.mark.parametrize("how", sorted(SOURCED_CASES))
def test_ngspice_sources_a_script_beside_the_deck(tmp_path: Path, how: str) -> None:
    bare = bare_ngspice(folder_of(tmp_path, SOURCED_CASES[how]))
    assert bare.status == 0 and "the sourced script ran" in bare.log


@pytest.mark.parametrize("how", sorted(SOURCED_CASES))
@pytest.mark.parametrize("backend", backends())
def test_spicegen_sources_a_script_beside_the_deck(tmp_path: Path, backend: str, how: str) -> None:
    result = spicegen_run(folder_of(tmp_path, SOURCED_CASES[how]), backend)
    assert "the sourced script ran" in result.log


# -- the names ngspice writes (causes names-branch and plotname) -----------------------------------
# An XSPICE gain block (one branch current) and a two-port dac_bridge (two, both written as
# i(adac) in the raw file).
BRANCHES = Case(
    """branch currents of XSPICE devices
V1 in 0 pulse(0 1 0 1n 1n 5n 10n)
R1 in 0 1k
aadc [in in] [d1 d2] adc
.model adc adc_bridge(in_low=0.3 in_high=0.7)
adac [d1 d2] [o1 o2] dac
.model dac dac_bridge(out_low=0 out_high=1)
R2 o1 0 1k
R3 o2 0 2k
again in out amp
.model amp gain(gain=2)
R4 out 0 1k
.tran 1n 20n
.end
"""
)
NOISE = Case(
    """noise of a divider
V1 in 0 dc 0 ac 1
R1 in out 1k
R2 out 0 1k
.noise v(out) V1 dec 5 1k 100k
.end
"""
)
S_PARAMETERS = Case(
    """s-parameters of a resistive attenuator
V1 in 0 dc 0 ac 1 portnum 1 z0 50
R1 in mid 10
R2 mid 0 200
V2 out 0 dc 0 ac 0 portnum 2 z0 50
R3 mid out 10
.sp lin 5 1e6 1e7
.end
"""
)


def test_ngspice_writes_one_name_per_port(tmp_path: Path) -> None:
    bare = bare_ngspice(folder_of(tmp_path, BRANCHES))
    assert bare.status == 0
    assert bare.written.count("i(adac)") == 2 and "i(again)" in bare.written


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_keeps_the_branch_names_ngspice_writes(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, BRANCHES, backend)


def test_ngspice_names_noise_and_sp_plots(tmp_path: Path) -> None:
    noise = bare_ngspice(folder_of(tmp_path, NOISE))
    assert [p.plotname for p in noise.plots] == [
        "Noise Spectral Density Curves",
        "Integrated Noise",
    ]
    sp = bare_ngspice(folder_of(tmp_path / "sp", S_PARAMETERS))
    assert [p.plotname for p in sp.plots] == ["SP Analysis"]


@pytest.mark.parametrize("backend", backends())
def test_spicegen_names_noise_plots_as_ngspice(tmp_path: Path, backend: str) -> None:
    folder = folder_of(tmp_path, NOISE)
    bare = bare_ngspice(folder)
    assert [p.plotname for p in spicegen_run(folder, backend).plots] == [
        p.plotname for p in bare.plots
    ]


@pytest.mark.parametrize("backend", backends())
def test_spicegen_names_sp_plots_as_ngspice(tmp_path: Path, backend: str) -> None:
    assert_parity(tmp_path, S_PARAMETERS, backend)


# -- a script that asks for batch mode (cause not-batchmode) ---------------------------------------
BATCH_MODE = Case(
    """a script that asks whether ngspice runs in batch mode
V1 a 0 1
R1 a 0 1k
.op
.control
if $?batchmode
  echo "mode: batch"
else
  echo "mode: interactive"
end
.endc
.end
"""
)


def test_ngspice_batch_mode_is_visible_to_scripts(tmp_path: Path) -> None:
    assert "mode: batch" in bare_ngspice(folder_of(tmp_path, BATCH_MODE)).log


@pytest.mark.parametrize(
    "backend",
    backends(),
)
def test_spicegen_runs_scripts_in_batch_mode(tmp_path: Path, backend: str) -> None:
    assert "mode: batch" in spicegen_run(folder_of(tmp_path, BATCH_MODE), backend).log


# -- a deck that is not UTF-8 (cause not-utf8) -----------------------------------------------------
LATIN_1 = "r\xe9sistance en Latin-1\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n".encode("latin-1")


def test_ngspice_reads_a_latin_1_deck(tmp_path: Path) -> None:
    folder = tmp_path / "deck"
    folder.mkdir()
    (folder / "deck.cir").write_bytes(LATIN_1)
    assert bare_ngspice(folder).status == 0


@pytest.mark.parametrize("backend", backends())
def test_spicegen_passes_a_latin_1_deck_byte_for_byte(backend: str) -> None:
    # text decoded with surrogateescape (how Python keeps bytes that are not UTF-8) reaches
    # ngspice as the bytes it came from, on both backends
    text = LATIN_1.decode("utf-8", "surrogateescape")
    result = simulate(text, backend=backend)  # type: ignore[arg-type]
    assert result.waveforms.i("v1")[0] == pytest.approx(-1e-3, rel=1e-12)


def test_spicegen_run_reads_a_latin_1_deck(tmp_path: Path) -> None:
    deck = tmp_path / "deck.cir"
    deck.write_bytes(LATIN_1)
    assert cli_main(["run", str(deck)]) == 0
