"""`make demo` (python -m spicegen.demo) runs and writes every figure it announces."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicegen import demo


def test_demo_writes_its_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo.main(str(tmp_path))
    printed = capsys.readouterr().out
    figures = sorted(tmp_path.glob("*.png"))
    names = {f.name for f in figures}
    assert {"rc_step.png", "oscillator_neuron.png", "neuron_pair.png"} <= names
    assert {"bayesian_machine.png", "crossbar.png", "fd_iris.png", "spiking_fields.png"} <= names
    assert "tonic_spiking: shown" in printed and "spike_latency: shown" in printed
    for figure in figures:
        assert figure.stat().st_size > 10_000
        assert figure.name in printed
