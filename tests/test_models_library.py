"""spicegen.models: every shipped model compiles, loads by name and simulates its operating
point; unknown names get the list of available models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spicegen import models, simulate
from spicegen.netlist import Circuit, Op, VoltageSource

SHIPPED = {"dw_synapse", "mtj", "mtj_sp", "nbox", "rram_hfo2", "threshold_switch", "vteam"}


def test_every_model_of_the_issue_is_shipped() -> None:
    assert set(models.available()) >= SHIPPED


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_model_loads_and_conducts_at_a_small_bias(name: str) -> None:
    model = models.load(name, seed=1)
    assert model.name == name and len(model.ports) == 2
    circuit = Circuit(
        name,
        elements=(VoltageSource("V1", "a", "0", 0.05), model.instance("X1", ("a", "0"))),
        subckts=(model.subckt,),
    )
    current = -simulate(circuit, Op()).waveforms.i("V1")[0]
    assert 1e-9 < current < 1e-3  # a resistive device between 50 ohm and 50 Mohm at 50 mV


def test_unknown_model_names_list_the_available_ones() -> None:
    with pytest.raises(KeyError, match="available: dw_synapse"):
        models.path("mtj2")


@pytest.mark.parametrize(
    ("testbench", "figure"),
    [("rram_hfo2_weak_reset", "rram_hfo2.png"), ("dw_synapse_programming", "dw_synapse.png")],
)
def test_memory_testbenches_run_and_write_their_figures(
    testbench: str, figure: str, tmp_path: Path
) -> None:
    script = Path(__file__).resolve().parents[1] / "testbenches" / f"{testbench}.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / figure).stat().st_size > 10_000


def test_unknown_model_is_a_spicegen_error_and_a_key_error() -> None:
    from spicegen import SpicegenError

    with pytest.raises(SpicegenError) as caught:
        models.load("nosuch")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == (
        f"no shipped model 'nosuch'; available: {', '.join(models.available())}"
    )


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_describe_reads_the_ports_the_compiler_finds(name: str) -> None:
    info = models.describe(name)
    assert info.ports == models.load(name).ports  # the header scan against the real compiler
    assert info.path == models.path(name)
    assert info.description.endswith(".")
    assert not info.description.startswith(f"{name}:")
    assert "  " not in info.description and "//" not in info.description


def test_describe_joins_a_word_broken_across_lines() -> None:
    # dw_synapse.va breaks "wall-" / "position" over two comment lines
    assert "Gaussian wall-position noise" in models.describe("dw_synapse").description
