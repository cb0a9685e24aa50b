"""Every route by which a netlist or a file beside it makes ngspice run a command or load code.

Each case is first run through bare ngspice, which must create the sentinel file (so the case
is a live route, and the test could fail), then through spicegen on both backends and through
``Session``, which must refuse it (or, for start-up files, not read them) and leave no
sentinel. The routes and their places in ngspice's source are listed in docs/security.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from spicegen.sim import Run, Session, UnsafeNetlistError, Variable, libngspice, simulate
from spicegen.sim.batch import ngspice_executable

BODY = "V1 in 0 dc 1\nR1 in 0 1k\n.op\n"
CONTROL = ".control\nshell touch {S}\n.endc\n"


@dataclass(frozen=True)
class Case:
    """A deck (``{S}``: the sentinel path, ``{D}``: the case folder) and the files beside it."""

    deck: str
    files: tuple[tuple[str, str], ...] = ()


CASES: dict[str, Case] = {
    "incxyz": Case("t\n" + BODY + ".incxyz evil.inc\n.end\n", (("evil.inc", CONTROL),)),
    "INCLUDEX": Case("t\n" + BODY + ".INCLUDEX evil.inc\n.end\n", (("evil.inc", CONTROL),)),
    "include-quoted-blank": Case(
        "t\n" + BODY + ".include 'evil dir/evil.inc' $ a comment\n.end\n",
        (("evil dir/evil.inc", CONTROL),),
    ),
    "include-double-quoted": Case(
        "t\n" + BODY + '.inc "evil.inc";comment\n.end\n', (("evil.inc", CONTROL),)
    ),
    "include-on-title-line": Case(".inc evil.inc\n" + BODY + ".end\n", (("evil.inc", CONTROL),)),
    "include-nested": Case(
        "t\n" + BODY + ".include a.inc\n.end\n",
        (("a.inc", ".incabc sub/evil.inc\n"), ("sub/evil.inc", CONTROL)),
    ),
    "lib-section": Case(
        "t\n" + BODY + ".lib evil.lib sec\n.end\n",
        (("evil.lib", ".lib sec\n" + CONTROL + ".endl\n"),),
    ),
    "LIBRARY-spelling": Case(
        "t\n" + BODY + ".LIBRARY 'evil.lib' sec\n.end\n",
        (("evil.lib", ".lib sec\n" + CONTROL + ".endl\n"),),
    ),
    "hash-line": Case("t\n*# shell touch {S}\n" + BODY + ".end\n"),
    "hash-line-indented": Case("t\n \t*#shell touch {S}\n" + BODY + ".end\n"),
    "double-hash-line": Case("t\n## shell touch {S}\n" + BODY + ".end\n"),
    "hash-line-in-include": Case(
        "t\n" + BODY + ".inc evil.inc\n.end\n", (("evil.inc", "*# shell touch {S}\n"),)
    ),
    "script-title": Case("*ng_script\nshell touch {S}\n"),
    "script-by-dot-title": Case("t\n.title *NG_SCRIPT\nshell touch {S}\n.end\n"),
    "control-crlf-mixed-case": Case(
        "t\r\n" + BODY.replace("\n", "\r\n") + "\t.CoNtRoL\r\nshell touch {S}\r\n.endc\r\n.end\r\n"
    ),
    "control-after-end": Case("t\n" + BODY + ".end\n" + CONTROL),
    "include-tabs-case": Case(
        "t\n" + BODY + "\t.InCxYz\tevil.inc\n.end\n", (("evil.inc", CONTROL),)
    ),
    "codemodel-command": Case("t\n*# codemodel {D}/evil.so\n" + BODY + ".end\n"),
    "pre-osdi-command": Case("t\n*#pre_osdi {D}/evil.so\n" + BODY + ".end\n"),
    "d_cosim-model": Case(
        "t\nv1 a 0 pulse(0 1 1n 1n 1n 5n 10n)\nabridge [a] [da] adc\n.model adc adc_bridge\n"
        'a1 [da] [q] cosim\n.model cosim d_cosim(simulation="{D}/evil.so")\n.tran 1n 20n\n.end\n'
    ),
    "d_process-model-continued": Case(
        "t\nv1 a 0 pulse(0 1 1n 1n 1n 5n 10n)\nabridge [a] [clk] adc\n.model adc adc_bridge\n"
        'a1 null clk null [q] proc\n.model proc\n+ D_Process(process_file="{D}/evil.sh")\n'
        ".tran 1n 20n\n.end\n"
    ),
}

_EVIL_LIBRARY = r"""
#include <fcntl.h>
#include <unistd.h>
/* what a hostile shared library does: act as soon as it is loaded */
__attribute__((constructor)) static void act(void) {
    int fd = open(SENTINEL, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) close(fd);
}
void Cosim_setup(void *info) { (void)info; }
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lower-case folder: ngspice lower-cases netlist lines, and a sentinel path it changed
    would make a test pass for the wrong reason."""
    folder = tmp_path_factory.mktemp("routes")
    assert str(folder) == str(folder).lower()
    return folder


def _prepare(root: Path, name: str, backend: str) -> tuple[Path, Path, str]:
    """Write the case's files; return (case folder, sentinel path, deck text)."""
    folder = root / f"{name.lower()}-{backend}"
    folder.mkdir()
    sentinel = folder / "sentinel"
    case = CASES[name]
    for relative, content in case.files:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content.replace("{S}", str(sentinel)).replace("{D}", str(folder)))
    if "evil.so" in case.deck:
        compiler = shutil.which("cc") or shutil.which("gcc")
        assert compiler, "a C compiler is needed (make test installs gcc)"
        source = folder / "evil.c"
        source.write_text(_EVIL_LIBRARY)
        subprocess.run(
            [compiler, "-shared", "-fPIC", f'-DSENTINEL="{sentinel}"', "-o",
             str(folder / "evil.so"), str(source)],
            check=True,
        )  # fmt: skip
    if "evil.sh" in case.deck:
        script = folder / "evil.sh"
        script.write_text(f"#!/bin/sh\ntouch {sentinel}\n")
        script.chmod(0o755)
    deck = case.deck.replace("{S}", str(sentinel)).replace("{D}", str(folder))
    return folder, sentinel, deck


def _bare_ngspice(folder: Path, deck: str, **environment: str) -> None:
    """Run the deck as a user would, in its own folder."""
    import os

    (folder / "deck.cir").write_text(deck)
    subprocess.run(
        [ngspice_executable(), "-b", "-r", "bare.raw", "deck.cir"],
        cwd=folder,
        env={**os.environ, **environment},
        capture_output=True,
        timeout=60,
    )


def _spicegen(backend: str) -> Callable[[str, Path], object]:
    def run(deck: str, folder: Path) -> object:
        if backend == "session":
            with Session(Run(deck, base_dir=str(folder))) as session:
                return session.op()
        return simulate(deck, backend=backend, base_dir=folder)  # type: ignore[arg-type]

    return run


@pytest.mark.parametrize("backend", ["batch", "shared", "session"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_route_runs_nothing(root: Path, name: str, backend: str) -> None:
    folder, sentinel, deck = _prepare(root, name, backend)
    _bare_ngspice(folder, deck)
    assert sentinel.exists(), f"bare ngspice did not take the route {name}: the case is dead"
    sentinel.unlink()
    with pytest.raises(UnsafeNetlistError, match="spicegen: netlist refused"):
        _spicegen(backend)(deck, folder)
    assert not sentinel.exists()


INIT_FILES = ["deck-folder", "deck-folder-spice.rc", "current-folder", "home", "userinit-dir"]


@pytest.mark.parametrize("backend", ["batch", "shared", "session"])
@pytest.mark.parametrize("where", INIT_FILES)
def test_start_up_files_are_never_read(
    root: Path, where: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = root / f"init-{where}-{backend}"
    init = folder / "init"
    init.mkdir(parents=True)
    sentinel = folder / "sentinel"
    name = "spice.rc" if where.endswith("spice.rc") else ".spiceinit"
    where_init = folder if where.startswith("deck-folder") else init
    (where_init / name).write_text(f"shell touch {sentinel}\n")
    deck = "t\n" + BODY + ".end\n"
    environment = {"home": {"HOME": str(init)}, "userinit-dir": {"SPICE_USERINIT_DIR": str(init)}}
    bare_folder = init if where == "current-folder" else folder
    _bare_ngspice(bare_folder, deck, **environment.get(where, {}))
    assert sentinel.exists(), f"bare ngspice did not read the {where} start-up file"
    sentinel.unlink()
    for key, value in environment.get(where, {}).items():
        monkeypatch.setenv(key, value)
    if where == "current-folder":
        monkeypatch.chdir(init)
    _spicegen(backend)(deck, folder)
    assert not sentinel.exists()


def test_allow_control_is_the_only_opt_in(root: Path) -> None:
    folder, sentinel, deck = _prepare(root, "hash-line", "opt-in")
    simulate(deck, allow_control=True, base_dir=folder)
    assert sentinel.exists()


DIGITAL = """an XSPICE AND gate: its models come from digital.cm, which the system spinit loads
V1 a 0 pulse(0 1 0 1n 1n 10n 20n)
V2 b 0 dc 1
abridge [a b] [da db] adc
.model adc adc_bridge(in_low=0.3 in_high=0.7)
agate [da db] dy and1
.model and1 d_and
abridge2 [dy] [y] dac
.model dac dac_bridge(out_low=0 out_high=1)
Ry y 0 1k
.tran 0.1n 40n
.end
"""


@pytest.mark.parametrize("backend", ["batch", "shared"])
def test_the_system_spinit_still_loads_the_xspice_code_models(backend: str) -> None:
    # no user start-up file is read, but spinit is: an AND gate of a pulse and 1 follows it
    waves = simulate(DIGITAL, backend=backend).waveforms  # type: ignore[arg-type]
    high = waves.v("y")[(waves.axis > 5e-9) & (waves.axis < 9e-9)]
    low = waves.v("y")[(waves.axis > 15e-9) & (waves.axis < 19e-9)]
    assert high.min() > 0.99 and low.max() < 0.01


def test_a_deck_folder_named_with_a_command_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shared worker adds the deck's folder to ngspice's sourcepath with a `set` command,
    # and ngspice's command line runs what stands between backquotes (a live route: checked
    # first in libngspice itself); such a folder is left out of sourcepath
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    sentinel = tmp_path / "homeS"
    folder = tmp_path / 'deck`touch "$HOME"S`'
    folder.mkdir()
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import libngspice\n"
        "ngspice = libngspice.Ngspice(None, lambda status, quit: None)\n"
        "ngspice.command('set sourcepath = ( \"' + sys.argv[2] + '\" )')\n"
    )
    sim_folder = Path(libngspice.__file__).parent
    subprocess.run(
        [sys.executable, "-c", probe, str(sim_folder), str(folder)], check=True, timeout=60
    )
    assert sentinel.exists()
    sentinel.unlink()
    # a deck with a variable gets a worker of its own, started with this HOME
    run = Run("t\n" + BODY + ".end\n", base_dir=folder, variables=(Variable("ngbehavior", "ps"),))
    assert simulate(run, backend="shared").waveforms.v("in")[0] == 1.0
    assert not sentinel.exists()
