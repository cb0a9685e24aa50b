"""Layers only reach down: netlist, waves <- va <- circuits; netlist, waves <- sim <- sweep <-
learn; the top-level modules too: the CLI and the demo are shells over everything below, and
the CLI never imports the demo."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "spicegen"

# The base modules every layer may import (and which themselves import nothing of spicegen).
BASE = {"errors", "seeds", "lazy"}

# What each package may import from spicegen besides itself and BASE.
ALLOWED = {
    "netlist": set(),
    "waves": set(),
    "va": {"netlist"},
    "circuits": {"netlist", "va"},
    "sim": {"netlist", "waves"},
    "sweep": {"netlist", "sim", "waves", "circuits", "va", "models"},  # models: shipped .va files
    "surrogate": {"netlist", "sim", "waves", "circuits", "va", "sweep"},
    "learn": {"netlist", "sim", "waves", "circuits", "va", "sweep", "surrogate"},
}
BELOW = set(ALLOWED)  # every package: what the shells on top may use

# The top-level modules (``spicegen/*.py``) and the ``cli`` package.
TOP_LEVEL = {
    "errors": set(),
    "seeds": set(),
    "lazy": set(),
    "models": {"va"},
    "__init__": BELOW,
    "plot": BELOW,
    "demo": BELOW | {"models", "plot"},
    "cli": BELOW | {"models", "plot"},  # and never "demo": the CLI has no logic of its own
    "__main__": {"cli"},
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "spicegen":  # ``from spicegen import models`` (a module, not a name)
                found.update(f"spicegen.{a.name}" for a in node.names if _is_module(a.name))
    return {name for name in found if name.startswith("spicegen")}


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def _targets(path: Path) -> set[str]:
    """The spicegen modules or packages ``path`` imports: ``spicegen.sim.x`` -> ``sim``."""
    targets = set()
    for name in _imports(path):
        parts = name.split(".")
        targets.add(parts[1] if len(parts) > 1 else "")
    return targets


def _packages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())


@pytest.mark.parametrize("package", [p for p in _packages() if p not in TOP_LEVEL])
def test_package_imports_only_lower_layers(package: str) -> None:
    assert package in ALLOWED, f"new package {package!r}: add its layer to ALLOWED"
    for module in (PACKAGE / package).rglob("*.py"):
        for target in _targets(module) - {package} - BASE:
            assert target in ALLOWED[package], f"{module.relative_to(PACKAGE)} imports {target}"


def _top_level_files(name: str) -> list[Path]:
    directory = PACKAGE / name
    return sorted(directory.rglob("*.py")) if directory.is_dir() else [PACKAGE / f"{name}.py"]


def test_every_top_level_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} | {"cli"}
    assert modules == set(TOP_LEVEL), "add the new top-level module's layer to TOP_LEVEL"


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
def test_top_level_modules_import_only_what_they_sit_on(name: str) -> None:
    allowed = TOP_LEVEL[name] | {name} | (set() if name in BASE else BASE)
    for module in _top_level_files(name):
        for target in _targets(module) - {""}:  # "": ``import spicegen`` (the lazy __init__)
            assert target in allowed, f"{module.relative_to(PACKAGE)} imports {target}"


def test_the_base_modules_import_nothing_of_spicegen() -> None:
    for name in sorted(BASE):
        assert not _imports(PACKAGE / f"{name}.py"), name


def test_the_cli_never_imports_the_demo() -> None:
    for module in (PACKAGE / "cli").rglob("*.py"):
        assert "demo" not in _targets(module), module.relative_to(PACKAGE)


def test_every_module_imports() -> None:
    import importlib

    for module in PACKAGE.rglob("*.py"):
        relative = module.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)
