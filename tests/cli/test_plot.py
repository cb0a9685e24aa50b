"""``spicegen plot``: a figure of a raw file's vectors, never written over its input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import assert_one_line_error

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def raw(files: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """The raw file of the RC transient."""
    path = files / "rc.raw"
    assert cli("run", files / "rc.cir", "--raw", path).status == 0
    return path


def test_plot_writes_a_png_into_a_new_last_level_directory(raw: Path, cli) -> None:  # type: ignore[no-untyped-def]
    png = raw.parent / "fig" / "rc.png"
    assert cli("plot", raw, "v(in)", "v(out)", "-o", png).status == 0
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert png.stat().st_size > 10_000  # a real figure, not an empty canvas


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{d}/missing.raw", "v(out)", "-o", "{d}/x.png"], "no such raw file"),
        (["{d}", "v(out)", "-o", "{d}/x.png"], "is not a file"),
        (["{d}/divider.cir", "v(out)", "-o", "{d}/x.png"], "divider.cir"),
        (["{d}/empty.raw", "v(out)", "-o", "{d}/x.png"], "empty.raw"),
        (["{d}/noise.raw", "v(out)", "-o", "{d}/x.png"], "noise.raw"),
        (["{d}/rc.raw", "v(nope)", "-o", "{d}/x.png"], "v(out)"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/x.xyz"], "png"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/x.png", "--plot", "3"], "has 1 plot(s)"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/a/b/x.png"], "only the last level"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/rc.raw"], "would overwrite the input"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/link.png"], "would overwrite the input"),
        (["{d}/rc.raw", "v(out)", "-o", "{d}/sub/../rc.raw"], "would overwrite the input"),
    ],
)
def test_errors_are_one_line_and_leave_the_input_alone(  # type: ignore[no-untyped-def]
    raw: Path, args: list[str], expected: str, cli
) -> None:
    files = raw.parent
    (files / "empty.raw").write_bytes(b"")
    (files / "noise.raw").write_bytes(bytes(range(256)) * 40)
    (files / "link.png").symlink_to(raw)
    (files / "sub").mkdir()
    before = raw.read_bytes()
    assert_one_line_error(cli("plot", *(a.format(d=files) for a in args)), expected)
    assert raw.read_bytes() == before
    assert not (files / "x.png").exists()
    assert not (files / "a").exists()
