"""The public API of ``spicegen``: every name resolves on first use to the object its package
defines, and ``import spicegen`` alone loads none of the heavy dependencies."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import spicegen


def test_every_public_name_is_the_object_of_its_module() -> None:
    exports = spicegen._EXPORTS
    assert set(spicegen.__all__) == {"SpicegenError", *exports}
    for name, module in exports.items():
        assert getattr(spicegen, name) is getattr(importlib.import_module(module), name), name
    assert set(spicegen.__all__) <= set(dir(spicegen))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nosuch"):
        spicegen.nosuch  # type: ignore[attr-defined]  # noqa: B018


def test_import_spicegen_loads_no_numpy_compiler_or_simulator() -> None:
    probe = "import sys, spicegen; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split())  # fmt: skip
    assert not loaded & {"numpy", "lark", "spicegen.sim", "spicegen.va", "spicegen.netlist"}


def test_the_version_is_pyprojects() -> None:
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text())["project"]["version"]
    assert spicegen.__version__ == declared == version("spicegen")


@pytest.mark.parametrize("package", ["spicegen.netlist", "spicegen.sim", "spicegen.waves"])
def test_every_name_a_package_lists_resolves_and_unknown_ones_do_not(package: str) -> None:
    # the packages import their names on first use (PEP 562): each listed name must resolve
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="nosuch"):
        module.nosuch  # noqa: B018
