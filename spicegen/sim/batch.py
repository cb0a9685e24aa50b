"""The batch backend: one ``ngspice -b`` process per simulation, binary raw output."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from spicegen.sim.deck import Deck
from spicegen.sim.errors import SimulationError, SimulationTimeout
from spicegen.sim.log import classify_failure
from spicegen.waves.errors import RawFileError

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from typing import TypeVar

    from spicegen.waves import Waveforms

    _Plot = TypeVar("_Plot")


def ngspice_executable() -> str:
    """Path of the ngspice program: ``$SPICEGEN_NGSPICE`` or ``ngspice`` on the PATH."""
    name = os.environ.get("SPICEGEN_NGSPICE", "ngspice")
    found = shutil.which(name)
    if found is None:
        raise SimulationError(
            f"the ngspice program {name!r} was not found; install it with "
            "`apt-get install ngspice libngspice0` (or run `make demo`), "
            "or set SPICEGEN_NGSPICE to its path"
        )
    return found


# ngspice's start-up files: spicegen writes its own .spiceinit beside the deck, which ngspice 46
# reads first (main.c: the deck's folder, then SPICE_USERINIT_DIR, the current folder, HOME,
# USERPROFILE; the first one found is the only one read), so no user init file is ever read.
INIT_FILE = ".spiceinit"
DECK_FILE = "spicegen-deck.cir"  # a name no user include is likely to reach by accident
RAW_FILE = "spicegen-out.raw"
COLLECT_FILE = "spicegen-collect.cir"
_DROPPED_ENVIRONMENT = ("SPICE_ASCIIRAWFILE", "SPICE_USERINIT_DIR", "USERPROFILE")


def init_text(setup: Sequence[str]) -> str:
    """The private ``.spiceinit``: spicegen's start-up commands only."""
    return "* spicegen: start-up commands of this run\n" + "".join(f"{c}\n" for c in setup)


def collect_text(raw: Path) -> str:
    """A control section read after an allowed control script: it writes every plot the
    script made to ``raw`` and stops, so ``-r`` does not run the deck's analysis a second
    time; when the script made none, ngspice goes on to run the deck's analysis as usual."""
    if any(ch.isspace() or ch in "\"'`$;" for ch in str(raw)):
        raise SimulationError(f"the private folder's path {str(raw.parent)!r} has a blank or quote")
    return (
        "* spicegen: hand the plots of the control script back, then stop\n"
        ".control\n"
        "set appendwrite\n"
        "foreach spicegen_plot $plots\n"
        "  strcmp spicegen_is_const $spicegen_plot const\n"
        "  if $spicegen_is_const ne 0\n"
        "    setplot $spicegen_plot\n"
        f"    write {raw}\n"
        "    set spicegen_wrote\n"
        "  end\n"
        "end\n"
        "if $?spicegen_wrote\n"
        "  quit 0\n"
        "end\n"
        ".endc\n"
    )


def ngspice_environment() -> dict[str, str]:
    """The caller's environment without what would make ngspice read other start-up files or
    write ASCII raw files."""
    return {k: v for k, v in os.environ.items() if k not in _DROPPED_ENVIRONMENT}


def run_batch(
    deck: Deck,
    *,
    timeout: float | None = 600.0,
    keep_raw: str | os.PathLike[str] | None = None,
) -> tuple[tuple[Waveforms, ...], str, float]:
    """Run ``deck`` in ``ngspice -b``; return (plots, log, elapsed seconds).

    ngspice runs in a private directory holding the deck and spicegen's ``.spiceinit`` (the
    deck's ``setup`` commands). ``keep_raw`` copies the raw file there.
    """
    from spicegen.waves.raw import read_raw_plots

    return run_batch_read(deck, lambda: read_raw_plots, timeout=timeout, keep_raw=keep_raw)


def run_batch_read(
    deck: Deck,
    load_reader: Callable[[], Callable[[Path], tuple[_Plot, ...]]],
    *,
    timeout: float | None = 600.0,
    keep_raw: str | os.PathLike[str] | None = None,
) -> tuple[tuple[_Plot, ...], str, float]:
    """``run_batch`` with the raw file read by the reader ``load_reader()`` returns
    (``read_raw_plots``, or the summary reader of ``spicegen run``, which needs no numpy); a
    ``RawFileError`` becomes a ``SimulationError``.

    ``load_reader`` is called while ngspice runs, so that the reader's imports overlap the
    simulation (on a small deck, a good part of ``spicegen run``'s time after ngspice's start);
    the elapsed time then includes them when ngspice ends first.
    """
    executable = ngspice_executable()
    keep = _check_writable(Path(keep_raw)) if keep_raw is not None else None
    with tempfile.TemporaryDirectory(prefix="spicegen-") as workdir:
        work = Path(workdir)
        # a deck read from bytes that are not UTF-8 (surrogateescape) reaches ngspice byte for byte
        (work / DECK_FILE).write_text(deck.text, encoding="utf-8", errors="surrogateescape")
        (work / INIT_FILE).write_text(init_text(deck.setup), encoding="utf-8")
        raw = work / RAW_FILE
        command = [*_bound_to_parent(), executable, "-b", "-r", str(raw), str(work / DECK_FILE)]
        if deck.control:
            # ngspice reads the files given one after the other as one deck
            (work / COLLECT_FILE).write_text(collect_text(raw), encoding="utf-8")
            command.append(str(work / COLLECT_FILE))
        # an allowed control script finds its own files (source, load, write) beside the deck
        cwd = deck.base_dir if deck.control else work
        start = time.perf_counter()
        # XSPICE models open their data files (filesource, d_state, table2D...) from the deck's
        # folder, else from $NGSPICE_INPUT_DIR (dlmain.c fopen_with_path): the deck's folder
        # is the user's, not the private one ngspice runs in
        environment = ngspice_environment() | {"NGSPICE_INPUT_DIR": str(deck.base_dir)}
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            read = load_reader()
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            stdout, stderr = process.communicate()
            log = _decode(stderr) + _decode(stdout)
            raise SimulationTimeout(
                f"ngspice ran longer than {timeout} s and was stopped",
                timeout=float(timeout or 0.0),
                analysis=deck.analysis,
                log=log,
            ) from None
        except BaseException:  # Ctrl-C, or the reader's import failed: ngspice stops too
            _kill_group(process)
            process.wait()
            raise
        elapsed = time.perf_counter() - start
        # stderr first: that is where ngspice prints errors; stdout holds the tables.
        log = _decode(stderr) + _decode(stdout)
        failure = classify_failure(log, process.returncode, analysis=deck.analysis)
        if failure is not None:
            raise failure
        if not raw.exists():
            return (), log, elapsed
        if keep is not None:
            # copy next to the target, then rename: the target is whole or untouched
            partial = keep.with_name(keep.name + ".partial")
            shutil.copyfile(raw, partial)
            os.replace(partial, keep)
        try:
            plots = read(raw)
        except RawFileError as err:
            raise SimulationError(
                f"ngspice wrote an unreadable raw file: {err}", analysis=deck.analysis, log=log
            ) from err
        return plots, log, elapsed


def _bound_to_parent() -> list[str]:
    """A prefix that makes the kernel kill ngspice when the process that started it dies
    (even by SIGKILL), so a killed sweep leaves no ngspice running: util-linux's setpriv
    sets PR_SET_PDEATHSIG and then runs ngspice in its place. Nothing when it is missing."""
    found = shutil.which("setpriv")
    return [found, "--pdeathsig", "KILL", "--"] if found else []


def _check_writable(path: Path) -> Path:
    """Make sure the raw file can be kept before spending time on the simulation."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SimulationError(f"cannot write the raw file {str(path)!r}: {err.strerror}") from None
    if path.is_dir() or not os.access(path.parent, os.W_OK):
        raise SimulationError(f"cannot write the raw file {str(path)!r}")
    return path


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")
