"""What every verb shares: the one-line error, the parser class, and checked input/output paths.

Kept free of heavy imports (numpy, the compiler, the simulator): every ``spicegen`` call
imports this module, and a verb imports what it needs only when it runs.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
from collections.abc import Sequence
from pathlib import Path

from spicegen.errors import SpicegenError

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from typing import NoReturn, TypeAlias

# Said in the --help of every option that writes a file.
OUTPUT_DIRECTORY_RULE = (
    "its directory is created if missing, as the last level only (its parent must exist)"
)


class CliError(SpicegenError):
    """A command-line mistake: a missing file, an output that would overwrite an input..."""


class ArgumentParser(argparse.ArgumentParser):
    """``argparse`` with usage mistakes reported as one line (and status 2), like other errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# what ``add_subparsers`` returns (a string: argparse's class is not subscriptable at run time)
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def input_file(path: Path, what: str) -> Path:
    """``path`` if it is a readable regular file; otherwise a ``CliError`` naming ``what``."""
    if not path.exists():
        raise CliError(f"no such {what}: {path}")
    if not path.is_file():
        raise CliError(f"{path} is not a file (expected a {what})")
    if not os.access(path, os.R_OK):
        raise CliError(f"cannot read {path}: permission denied")
    return path


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of the ``what`` at ``path``, or one clear ``CliError``."""
    input_file(path, what)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise CliError(f"{path} is not a UTF-8 text file (byte {err.start}): {what}") from None
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror or err}") from None


def read_netlist(path: Path) -> str:
    """The text of the netlist at ``path``, its non-UTF-8 bytes kept as they are.

    ngspice reads any bytes (Latin-1 comments and titles are common in published decks);
    ``surrogateescape`` carries them through to ngspice byte for byte.
    """
    input_file(path, "netlist file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror or err}") from None
    nul = data.find(b"\0")
    if nul >= 0:  # a raw file or an image given by mistake: no netlist holds a NUL
        raise CliError(f"{path} is a binary file (byte {nul}), not a netlist")
    return data.decode("utf-8", errors="surrogateescape")


def _same_file(first: Path, second: Path) -> bool:
    if first.exists() and second.exists():
        return os.path.samefile(first, second)  # hard links and symlinks too
    return first.resolve() == second.resolve()


def output_file(path: Path, option: str, inputs: Sequence[Path] = ()) -> Path:
    """Check, before any work is done, that ``path`` can be written and is none of ``inputs``.

    Creates the parent directory when only that last level is missing (never more), and
    probes that a file can be created there, so a long simulation never ends in an unwritable
    output. Raises ``CliError`` naming ``option``.
    """
    for source in inputs:
        if _same_file(path, source):
            raise CliError(f"{option} {path} would overwrite the input {source}")
    if path.exists() and not path.is_file():
        raise CliError(f"{option} {path} is not a regular file")
    make_last_directory(path.parent, option)
    _probe_writable(path, option)
    return path


def output_directory(path: Path, option: str) -> Path:
    """Check that ``path`` is (or can become, one level only) a directory to write into."""
    if path.exists() and not path.is_dir():
        raise CliError(f"{option} {path} is not a directory")
    parent = path.parent
    if not path.exists() and not parent.is_dir():
        raise CliError(
            f"{option} {path}: the directory {parent} does not exist "
            "(only the last level is created)"
        )
    return path


def make_last_directory(directory: Path, option: str) -> None:
    """Create ``directory`` if its parent exists; a deeper missing path is a ``CliError``."""
    if directory.is_dir():
        return
    output_directory(directory, option)
    try:
        directory.mkdir()
    except FileExistsError:
        if not directory.is_dir():
            raise CliError(f"{option}: {directory} is not a directory") from None
    except OSError as err:
        raise CliError(f"{option}: cannot create {directory}: {err.strerror or err}") from None


def _probe_writable(path: Path, option: str) -> None:
    existed = path.exists()
    flags = os.O_WRONLY | (os.O_APPEND if existed else os.O_CREAT | os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as err:
        reason = err.strerror or str(err)
        if err.errno == errno.ENOENT:  # e.g. /proc, which refuses new files this way
            reason = "cannot create files in that directory"
        raise CliError(f"{option}: cannot write {path}: {reason}") from None
    os.close(descriptor)
    if not existed:
        path.unlink()


def non_negative_int(value: int, option: str) -> int:
    """``value`` if it is >= 0 (seeds, counts); otherwise a ``CliError`` naming ``option``."""
    if value < 0:
        raise CliError(f"{option} must be a non-negative integer, not {value}")
    return value


def integers(text: str, option: str) -> list[int]:
    """Comma-separated integers (``1,0,2``)."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise CliError(f"{option} expects comma-separated integers, got {text!r}") from None


def numbers(text: str, option: str) -> list[float]:
    """Comma-separated finite numbers (``0.3,0.7``)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise CliError(f"{option} expects comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(value) for value in values):
        raise CliError(f"{option} expects finite numbers, got {text!r}")
    return values
