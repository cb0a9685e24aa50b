"""docs/sweep.md as written: its TOML specs load (the first is the shipped example), its
Python example runs as a script, and its table of factories lists every generator and knob."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from spicegen.sweep import GENERATORS, load_spec

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "sweep.md").read_text()
EXAMPLE = ROOT / "examples" / "sweeps" / "rc_monte_carlo.toml"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, re.DOTALL)


def test_the_first_spec_is_the_shipped_example_and_every_spec_loads(tmp_path: Path) -> None:
    specs = _blocks("toml")
    example = EXAMPLE.read_text()
    assert example.endswith(specs[0])  # the file adds a header of comments
    for number, text in enumerate(specs):
        path = tmp_path / f"spec{number}.toml"
        path.write_text(text)
        load_spec(path)


def test_the_python_example_runs_as_a_script(tmp_path: Path) -> None:
    (python,) = _blocks("python")
    script = tmp_path / "example.py"
    script.write_text(python)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done_count, *_ = done.stdout.split()
    assert done_count == "10"  # 2 values of R x 5 samples, all done


def test_the_factory_table_lists_every_generator_and_knob() -> None:
    rows = {line.split("|")[1].strip(" `"): line for line in PAGE.splitlines()
            if line.startswith("| `") and "knobs" not in line}  # fmt: skip
    for name, generator in GENERATORS.items():
        assert name in rows, name
        for knob in generator.knobs:
            found = re.search(rf"`{knob.name}` \(([-+0-9.e]+)", rows[name])
            assert found, (name, knob.name)
            assert float(found.group(1)) == knob.default, (name, knob.name)
