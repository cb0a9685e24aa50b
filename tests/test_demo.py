"""`make demo` (python -m spicegen.demo) runs and writes every figure it announces."""

from __future__ import annotations

import ast
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
    # the device-randomness runs, each in its own folder through the command line
    assert "spicegen train mcmc (iris): accuracy" in printed
    assert "spicegen train bnn (digits): accuracy" in printed
    assert "decision class" in printed
    for name in ("mcmc/traces.png", "mcmc/calibration.png", "bnn_rram/accuracy.png"):
        assert (tmp_path / name).stat().st_size > 10_000 and str(tmp_path / name) in printed


def test_the_main_guard_comes_after_every_definition() -> None:
    # `python -m spicegen.demo` runs the guard as it is reached: a function defined below it
    # does not exist yet (the in-process test above cannot see that)
    tree = ast.parse(Path(demo.__file__).read_text())
    last = tree.body[-1]
    assert isinstance(last, ast.If) and "__main__" in ast.unparse(last.test)
    guards = [node for node in tree.body if isinstance(node, ast.If)]
    assert guards == [last]
