"""Shared fixtures of the device-model tests: each shipped model compiled once per session, and
the testbench modules of ``testbenches/`` (scripts, not a package) loaded by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from spicegen import Subckt, compile_va

ROOT = Path(__file__).resolve().parents[2]


def load_testbench(name: str) -> ModuleType:
    """The module ``testbenches/<name>.py``, imported once."""
    key = f"_spicegen_testbench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, ROOT / "testbenches" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module  # dataclasses look their module up while the body runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def threshold_switch() -> Subckt:
    return compile_va(ROOT / "models" / "threshold_switch.va")


@pytest.fixture(scope="session")
def vteam() -> Subckt:
    return compile_va(ROOT / "models" / "vteam.va")


@pytest.fixture(scope="session")
def nbox() -> Subckt:
    return compile_va(ROOT / "models" / "nbox.va")
