"""The README's examples run as written: its Python blocks in order, its CLI lines in a shell."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == language]


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert "Resistor.n" in capsys.readouterr().out


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NETLISTS = {
    "rc_sweep.toml": (EXAMPLES / "sweeps" / "rc_monte_carlo.toml").read_text(),
    "divider.cir": "divider\nV1 in 0 dc 1\nR1 in out 1k\nR2 out 0 3k\n.op\n.end\n",
    "rc.cir": "rc\nV1 in 0 pulse(0 1 0 1n 1n 5u 10u)\nR1 in out 1k\nC1 out 0 1n\n"
    ".tran 10n 5u\n.end\n",
    "deck.cir": "deck\nV1 in 0 dc 2\nR1 in out 1k\nR2 out 0 1k\n.dc V1 0 2 0.5\n.end\n",
    "likelihoods.json": "[[[0.2, 0.8], [0.7, 0.3]], [[0.9, 0.1], [0.4, 0.6]]]\n",
    "res.va": '`include "disciplines.vams"\nmodule res(p, n);\n  inout p, n;\n'
    "  electrical p, n;\n  parameter real r = 1k;\n  analog I(p, n) <+ V(p, n)/r;\nendmodule\n",
}


def test_readme_cli_lines_run(tmp_path: Path) -> None:
    for name, text in NETLISTS.items():
        (tmp_path / name).write_text(text)
    cli_blocks = [b for b in _blocks("sh") if "spicegen " in b]
    lines = [line.split("  #")[0].strip() for b in cli_blocks for line in b.splitlines()]
    lines = [line for line in lines if line.startswith("spicegen ")]
    assert len(lines) >= 5
    scripts = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}"}
    for line in lines:
        done = subprocess.run(
            shlex.split(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "out" / "rc.png").stat().st_size > 10_000
    assert (tmp_path / "out" / "res.lib").read_text().lower().startswith(".subckt res")
    assert "0.75" in subprocess.run(
        ["spicegen", "run", "divider.cir", "--print", "v(out)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
