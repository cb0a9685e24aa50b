"""Raw files made by the real ngspice, once per test session, in a temporary directory."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

R = 1e3  # ohm
C = 1e-9  # F; RC = 1 us, corner frequency 1/(2 pi RC) = 159.15 kHz

RC_TRAN = f"""RC step response
V1 in 0 dc 1
R1 in out {R:g}
C1 out 0 {C:g}
.tran 1n 5u 0 1n uic
.end
"""

RC_AC = f"""RC low-pass AC
V1 in 0 dc 0 ac 1
R1 in out {R:g}
C1 out 0 {C:g}
.ac dec 10 1 100meg
.end
"""

RC_AC_SMALL = f"""RC low-pass, four AC points
V1 in 0 dc 0 ac 1
R1 in out {R:g}
C1 out 0 {C:g}
.ac dec 1 1k 1meg
.end
"""

DIVIDER_DC = """divider DC sweep
V1 in 0 dc 0
R1 in out 1k
R2 out 0 3k
.dc V1 -2 2 0.25
.end
"""

# op, tran, ac and three kinds of .dc sweep in one batch run: six plots in one raw file.
MULTI = """several analyses
V1 in 0 dc 1 ac 1
I1 0 n2 dc 1m
R1 in out 1k
C1 out 0 1n
R2 n2 0 1k
.save all @r1[i]
.op
.tran 10n 2u
.ac dec 5 1k 1meg
.dc I1 0 1m 0.25m
.dc TEMP 0 50 25
.dc R2 1k 3k 1k
.end
"""

# A .control block writing three plots with `write` (another header and ASCII layout).
CONTROL = """control block write
V1 in 0 dc 1 ac 1
R1 in out 1k
C1 out 0 1n
.control
op
tran 10n 1u
ac dec 5 1k 1meg
set filetype={filetype}
write {path} op1.all tran1.all ac1.all
quit 0
.endc
.end
"""

ONE_POINT = """one point
V1 in 0 dc 0
R1 in out 1k
R2 out 0 1k
.dc V1 1 1 1
.end
"""

# A sweep from 1 to 0 in positive steps has no points; ngspice still writes the header.
ZERO_POINTS = """zero points, then a transient
V1 in 0 dc 1
R1 in out 1k
C1 out 0 1n
.dc V1 1 0 1
.tran 10n 100n
.end
"""

RunNgspice = Callable[..., Path]


def run_ngspice(directory: Path, netlist: str, name: str, *, ascii_file: bool = False) -> Path:
    """Run ``ngspice -b -r name.raw name.cir`` in ``directory``; return the raw file's path."""
    circuit, raw = directory / f"{name}.cir", directory / f"{name}.raw"
    circuit.write_text(netlist.format(path=raw, filetype="ascii" if ascii_file else "binary"))
    environment = {k: v for k, v in os.environ.items() if k != "SPICE_ASCIIRAWFILE"}
    if ascii_file:
        environment["SPICE_ASCIIRAWFILE"] = "1"
    command = ["ngspice", "-b", str(circuit)]
    if "write {path}" not in netlist:
        command[2:2] = ["-r", str(raw)]
    done = subprocess.run(
        command, cwd=directory, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert raw.is_file(), done.stdout + done.stderr
    return raw


@pytest.fixture(scope="session")
def raw_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> raw file, each circuit in binary (``name``) and ASCII (``name_ascii``)."""
    directory = tmp_path_factory.mktemp("raw")
    circuits = {
        "rc_tran": RC_TRAN,
        "rc_ac": RC_AC,
        "rc_ac_small": RC_AC_SMALL,
        "divider_dc": DIVIDER_DC,
        "multi": MULTI,
        "control": CONTROL,
        "one_point": ONE_POINT,
        "zero_points": ZERO_POINTS,
    }
    files = {}
    for name, netlist in circuits.items():
        files[name] = run_ngspice(directory, netlist, name)
        files[f"{name}_ascii"] = run_ngspice(directory, netlist, f"{name}_ascii", ascii_file=True)
    return files
