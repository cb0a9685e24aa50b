"""Compiling a native device's C source with the system C compiler, cached by content hash:
an unchanged model never recompiles."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from spicegen.va.diagnostics import Diagnostic, Location, VaError

FLAGS = ("-O2", "-std=c11", "-fPIC", "-shared", "-fno-math-errno")
_SUFFIX = ".osdi"


def cache_directory() -> Path:
    """``$SPICEGEN_CACHE/osdi``, else ``$XDG_CACHE_HOME/spicegen/osdi`` (``~/.cache``)."""
    root = os.environ.get("SPICEGEN_CACHE")
    if root:
        return Path(root) / "osdi"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "spicegen" / "osdi"


def compiler() -> str:
    found = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not found:
        raise VaError(
            [
                Diagnostic(
                    Location("<osdi>", 1, 1),
                    "no C compiler found (cc or gcc); --target osdi needs one",
                )
            ]
        )
    return found


def library_key(c_source: str) -> str:
    """The cache key: the source and the flags it is compiled with."""
    digest = hashlib.sha256()
    digest.update(" ".join(FLAGS).encode())
    digest.update(b"\0")
    digest.update(c_source.encode())
    return digest.hexdigest()[:32]


def build(c_source: str, module: str, location: Location) -> Path:
    """The compiled library for ``c_source`` (compiled now, or found in the cache)."""
    directory = cache_directory()
    key = library_key(c_source)
    target = directory / f"{module}-{key}{_SUFFIX}"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spicegen-osdi-", dir=directory) as work:
        c_file = Path(work) / f"{module}.c"
        c_file.write_text(c_source, encoding="utf-8")
        output = Path(work) / f"{module}{_SUFFIX}"
        result = subprocess.run(
            [compiler(), *FLAGS, "-o", str(output), str(c_file), "-lm"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise VaError(
                [
                    Diagnostic(
                        location,
                        f"the C compiler rejected the generated code for `{module}` (a spicegen "
                        f"bug; please report it): {' | '.join(detail[:6])}",
                    )
                ]
            )
        os.replace(output, target)  # atomic: a concurrent build of the same key is harmless
        (directory / f"{module}-{key}.c").write_text(c_source, encoding="utf-8")
    return target
