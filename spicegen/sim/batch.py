"""The batch backend: one ``ngspice -b`` process per simulation, binary raw output."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from spicegen.sim.deck import Deck
from spicegen.sim.errors import SimulationError, SimulationTimeout
from spicegen.sim.log import classify_failure
from spicegen.waves import RawFileError, Waveforms, read_raw_plots


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


def run_batch(
    deck: Deck,
    *,
    timeout: float | None = 600.0,
    codemodels: Sequence[str] = (),
    keep_raw: str | os.PathLike[str] | None = None,
) -> tuple[tuple[Waveforms, ...], str, float]:
    """Run ``deck`` in ``ngspice -b``; return (plots, log, elapsed seconds).

    ``codemodels`` are ``codemodel`` commands run at start-up (through ``.spiceinit`` in the
    private working directory). ``keep_raw`` copies the raw file there.
    """
    executable = ngspice_executable()
    keep = _check_writable(Path(keep_raw)) if keep_raw is not None else None
    with tempfile.TemporaryDirectory(prefix="spicegen-") as workdir:
        work = Path(workdir)
        (work / "circuit.cir").write_text(deck.text, encoding="utf-8")
        if codemodels:
            (work / ".spiceinit").write_text("\n".join(codemodels) + "\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "SPICE_ASCIIRAWFILE"}
        start = time.perf_counter()
        process = subprocess.Popen(
            [executable, "-b", "-r", "out.raw", "circuit.cir"],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except KeyboardInterrupt:
            _kill_group(process)
            process.wait()
            raise
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
        elapsed = time.perf_counter() - start
        # stderr first: that is where ngspice prints errors; stdout holds the tables.
        log = _decode(stderr) + _decode(stdout)
        failure = classify_failure(log, process.returncode, analysis=deck.analysis)
        if failure is not None:
            raise failure
        raw = work / "out.raw"
        if not raw.exists():
            return (), log, elapsed
        if keep is not None:
            # copy next to the target, then rename: the target is whole or untouched
            partial = keep.with_name(keep.name + ".partial")
            shutil.copyfile(raw, partial)
            os.replace(partial, keep)
        try:
            plots = read_raw_plots(raw)
        except RawFileError as err:
            raise SimulationError(
                f"ngspice wrote an unreadable raw file: {err}", analysis=deck.analysis, log=log
            ) from err
        return plots, log, elapsed


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
