"""The progress bar: drawn on a terminal (or when asked), silent otherwise."""

from __future__ import annotations

import pytest

from spicegen.sweep.progress import Progress


def test_quiet_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress(10, 0)  # pytest captures stderr: not a TTY
    bar.update(5, 1)
    bar.close()
    assert capsys.readouterr().err == ""


def test_counts_done_failed_and_rate_when_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress(10, 2, enabled=True)
    bar.update(3, 1)
    bar.update(5, 0)
    bar.close()
    err = capsys.readouterr().err
    assert "10/10" in err
    assert "failed=1" in err
    assert "pt/s" in err
