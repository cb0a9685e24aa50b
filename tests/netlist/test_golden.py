"""Golden decks in tests/golden, compared byte for byte (regenerate: scripts/regen_golden.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.netlist.golden_cases import GOLDEN

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_deck_matches_golden_file(name: str) -> None:
    expected = (ROOT / "tests" / "golden" / name).read_bytes()
    assert GOLDEN[name]().encode("utf-8") == expected, (
        f"{name} changed; review the diff and run scripts/regen_golden.py"
    )


def regen(*args: str) -> subprocess.CompletedProcess[str]:
    script = str(ROOT / "scripts" / "regen_golden.py")
    return subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, timeout=60
    )


def test_regen_script_detects_and_rewrites_a_stale_golden(tmp_path: Path) -> None:
    for name in GOLDEN:
        (tmp_path / name).write_bytes((ROOT / "tests" / "golden" / name).read_bytes())
    assert regen("--check", "netlist_", "--golden-dir", str(tmp_path)).returncode == 0
    stale = tmp_path / "netlist_analyses.cir"
    stale.write_text("old\n", encoding="utf-8")
    check = regen("--check", "netlist_", "--golden-dir", str(tmp_path))
    assert check.returncode == 1
    assert "netlist_analyses.cir" in check.stdout
    assert stale.read_text(encoding="utf-8") == "old\n"  # --check never writes
    assert regen("netlist_", "--golden-dir", str(tmp_path)).returncode == 0
    assert stale.read_bytes() == (ROOT / "tests" / "golden" / stale.name).read_bytes()
