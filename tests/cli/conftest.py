"""Shared by the command-line tests: small netlists, and running ``main`` as a user would."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from spicegen.cli import main
from tests.sim.conftest import DIVIDER, NO_CONVERGENCE, SYNTAX_ERROR

RC = "rc\nV1 in 0 pulse(0 1 0 1n 1n 5u 10u)\nR1 in out 1k\nC1 out 0 1n\n.tran 10n 5u\n.end\n"
SPICEGEN = str(Path(sys.executable).parent / "spicegen")  # the installed console script


@dataclass(frozen=True)
class Done:
    """What one ``spicegen`` call did: exit status and the two streams."""

    status: int
    out: str
    err: str


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A directory of netlists: working, failing, and one with a ``.control`` block."""
    for name, text in {
        "divider.cir": DIVIDER,
        "rc.cir": RC,
        "bad.cir": SYNTAX_ERROR,
        "diverge.cir": NO_CONVERGENCE,
        "control.cir": DIVIDER.replace(".end", ".control\nshell echo hi\n.endc\n.end"),
    }.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``cli(*args)`` runs ``spicegen args...`` in this process and returns a ``Done``."""

    def run(*args: object) -> Done:
        try:
            status = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse: --help, usage mistakes
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def console(*args: object, cwd: Path | None = None) -> Done:
    """Run the installed ``spicegen`` console script in a child process."""
    done = subprocess.run(
        [SPICEGEN, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )
    return Done(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(done: Done, expected: str) -> None:
    """Status 2, one line on stderr containing ``expected``, no traceback."""
    assert done.status == 2, done
    assert "Traceback" not in done.err
    assert len(done.err.strip().splitlines()) == 1, done.err
    assert expected in done.err, done.err
