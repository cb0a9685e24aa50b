"""``spicegen models``: one line per shipped model with its ports and header description."""

from __future__ import annotations

from spicegen import models


def test_models_lists_every_shipped_model_once(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("models")
    assert done.status == 0
    lines = done.out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(models.available())
    mtj = next(line for line in lines if line.startswith("mtj "))
    assert "(p, n)" in mtj
    assert "spin-transfer-torque magnetic tunnel junction" in mtj
    nbox = next(line for line in lines if line.startswith("nbox "))
    assert "(a, c)" in nbox and "NbOx Mott threshold switch" in nbox


def test_models_takes_no_arguments(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("models", "mtj")
    assert done.status == 2
    assert "unrecognized arguments: mtj" in done.err
