"""Layers only reach down (DESIGN.md): netlist <- sim <- ...; waves never imports sim or netlist."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "spicegen"

# What each package may import from spicegen besides itself, spicegen.errors and spicegen.seeds
# (the two base modules every layer shares).
ALLOWED = {
    "netlist": set(),
    "waves": set(),
    "va": {"netlist"},
    "circuits": {"netlist", "va"},
    "sim": {"netlist", "waves"},
    "sweep": {"netlist", "sim", "waves", "circuits", "va", "models"},  # models: shipped .va files
    "learn": {"netlist", "sim", "waves", "circuits", "va", "sweep"},
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("spicegen")}


@pytest.mark.parametrize(
    "package",
    sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()),
)
def test_package_imports_only_lower_layers(package: str) -> None:
    assert package in ALLOWED, f"new package {package!r}: add its layer to ALLOWED"
    for module in (PACKAGE / package).rglob("*.py"):
        for name in _imports(module):
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target in (package, "errors", "seeds"):
                continue
            assert target in ALLOWED[package], f"{module.relative_to(PACKAGE)} imports {name}"


def test_every_module_imports() -> None:
    import importlib

    for module in PACKAGE.rglob("*.py"):
        relative = module.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)
