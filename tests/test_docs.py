"""The Python examples of the documentation run as written (each page's blocks in order, in one
namespace, from the repository root so relative model paths resolve). docs/circuits.md has
its own test in tests/circuits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
PAGES = [
    "docs/compiler.md",
    "docs/learn.md",
    "docs/models/mtj.md",
    "docs/models/mtj_sp.md",
    "docs/models/rram_hfo2.md",
    "docs/models/dw_synapse.md",
    "docs/security.md",
    "docs/engine.md",
]


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocks = BLOCK.findall((ROOT / page).read_text())
    assert blocks, f"{page} has no python example"
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SPICEGEN_OUT", str(tmp_path))
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)
