"""``spicegen sweep --max-points`` and ``--allow-code``: each mistake is one line and exit 2,
and nothing is created (the flags' effects are tested in test_points and test_factories)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicegen.cli import main
from spicegen.sweep import MAX_POINTS
from tests.cli.test_sweep import SPEC as CLI_SPEC

# the CLI tests' two-point divider sweep, with three samples of each point: 6 points
SPEC = CLI_SPEC.replace("seed = 3", "seed = 3\nsamples = 3")


def _sweep(directory: Path, *flags: str) -> int:
    (directory / "s.toml").write_text(SPEC)
    return main(["sweep", str(directory / "s.toml"), "--out", str(directory / "o"), *flags])


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--max-points", "5"], "the sweep has 6 points (2 (r) x 3 (samples)), more than"),
        (["--max-points", "0"], "--max-points must be >= 1, not 0"),
        (["--max-points", "-3"], "--max-points must be >= 1, not -3"),
    ],
)
def test_a_refused_size_is_one_line(  # type: ignore[no-untyped-def]
    tmp_path: Path, flags: list[str], expected: str, capsys
) -> None:
    assert _sweep(tmp_path, *flags) == 2
    err = capsys.readouterr().err
    assert err.startswith("spicegen sweep: error:") and expected in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--max-points", "many"], "argument --max-points: invalid int value: 'many'"),
        (["--allow-code=yes"], "argument --allow-code: ignored explicit argument 'yes'"),
    ],
)
def test_a_malformed_flag_is_a_usage_error(  # type: ignore[no-untyped-def]
    tmp_path: Path, flags: list[str], expected: str, capsys
) -> None:
    with pytest.raises(SystemExit) as caught:
        _sweep(tmp_path, *flags)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_limit_at_the_count_runs_and_the_default_is_documented(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys
) -> None:
    assert _sweep(tmp_path, "--max-points", "6", "--workers", "1") == 0
    assert "6 point(s): 6 done" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    assert f"(default {MAX_POINTS:,})" in capsys.readouterr().out.replace("\n", " ")
