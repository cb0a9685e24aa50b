"""Shared fixtures for the engine tests: small netlists that succeed or fail in known ways."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DIVIDER = """voltage divider
V1 in 0 dc 1
R1 in out 1k
R2 out 0 3k
.op
.end
"""

# A B-source that jumps between two values as its own output crosses 0.5 V: no solution
# exists once the input exceeds 0.5 V, so the transient step shrinks until ngspice gives up
# ("Timestep too small").
NO_CONVERGENCE = """no solution
V1 in 0 pulse(0 1 1n 1n 1n 5n 10n)
R1 in out 1k
B1 out 0 V= v(out) > 0.5 ? 0 : v(in)*2
.tran 1n 20n
.end
"""

SYNTAX_ERROR = """undefined parameter
V1 in 0 dc 1
R1 in out {rx}
R2 out 0 1k
.op
.end
"""

# Gmin and source stepping both fail, then the transient operating point never settles:
# ngspice spins until it is stopped.
HANGS = """endless operating point
V1 in 0 pulse(0 1 1n 1n 1n 5n 10n)
R1 in out 1k
C1 out 0 1p
B1 out 0 I= 1e-3*sgn(v(out)-0.5)*(1+1e3*abs(v(out)-0.5))
.tran 1p 20n
.end
"""

_CRASHING_CODE_MODEL = r"""
/* An XSPICE code-model library whose entry point dereferences a null pointer, as a buggy
   user code model would. ngspice calls CMdevNum() when it loads the library. */
int *CMdevNum(void) { volatile int *p = 0; return (int *)(long)*p; }
"""


@pytest.fixture(scope="session")
def crashing_code_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a real code-model library that segfaults ngspice when loaded."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler, "a C compiler is needed (make test installs gcc)"
    directory = tmp_path_factory.mktemp("codemodel")
    source = directory / "crash.c"
    source.write_text(_CRASHING_CODE_MODEL)
    library = directory / "crash.cm"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library
