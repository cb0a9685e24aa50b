"""``spicegen neuron-atlas``: the whole atlas of the piecewise model (all eight protocols in
ngspice), its JSON and figure; one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spicegen.learn.neuron_atlas import BEHAVIOURS
from tests.cli.conftest import assert_one_line_error

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_atlas_of_the_threshold_switch(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "atlas"
    done = cli("neuron-atlas", "--model", "threshold_switch", "--out", out)
    assert done.status == 0, done.err
    summary = json.loads((out / "atlas.json").read_text())
    assert summary["model"] == "threshold_switch"
    assert list(summary["behaviours"]) == list(BEHAVIOURS)
    # five of six: the piecewise switch has no slow variable, so no phasic bursting
    assert {k for k, v in summary["behaviours"].items() if not v} == {"phasic_bursting"}
    assert "not reachable" in summary["notes"]["phasic_bursting"]
    # the f-I curve against the ideal switch's closed form (physics.md 2.4: 356 kHz at 1.5 V)
    # where the model's 1 ns switching adds ~3 % per period (tests/learn/test_snn_spice.py)
    fi = summary["fi_curve"]
    for rate, expected in zip(fi["rate_hz"], fi["closed_form_rate_hz"], strict=True):
        assert rate == pytest.approx(expected, rel=0.1)
    assert fi["current_a"][3] == pytest.approx(1.5 / 5e3)
    assert fi["rate_hz"][3] == pytest.approx(356.1e3, rel=0.04)
    # the ON time per spike against the discharge time of the closed form (73.7 ns at
    # 1.5 V), plus the 1 ns switching at each end and the 0.3 V detection level
    assert summary["refractory_period_s"] == pytest.approx(73.7e-9, rel=0.2)
    assert (out / "atlas.png").read_bytes()[:8] == PNG_SIGNATURE
    assert "5 of 6 behaviours shown" in done.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--model", "mtj", "--out", "{d}/a"], "invalid choice: 'mtj'"),
        (["--out", "{d}/missing/deeper"], "only the last level"),
        (["--model", "nbox"], "--out"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], expected: str, cli) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(cli("neuron-atlas", *(a.format(d=tmp_path) for a in args)), expected)
