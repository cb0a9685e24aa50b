"""``spicegen run``: summaries, tables, the raw file kept, and one clear message on bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.conftest import assert_one_line_error


def test_run_summarises_and_prints_a_vector(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("run", files / "divider.cir", "--print", "v(out)")
    assert done.status == 0
    assert "Operating Point" in done.out
    assert "v(out)" in done.out
    assert done.out.strip().splitlines()[-1] == "0.75"  # 1 V over 1k + 3k, read across 3k


@pytest.mark.parametrize("backend", ["batch", "shared"])
def test_run_both_backends(files: Path, backend: str, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("run", files / "rc.cir", "--backend", backend)
    assert done.status == 0
    assert "Transient Analysis" in done.out


def test_run_keeps_the_raw_file_in_a_new_last_level_directory(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    raw = files / "new" / "rc.raw"
    assert cli("run", files / "rc.cir", "--raw", raw).status == 0
    assert raw.read_bytes().startswith(b"Title:")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "{d}/missing.cir"], "no such netlist file"),
        (["run", "{d}"], "is not a file"),
        (["run", "{d}/binary.cir"], "is a binary file (byte 0), not a netlist"),
        (["run", "{d}/divider.cir", "--timeout", "x"], "invalid float value: 'x'"),
        (["run", "{d}/divider.cir", "--backend", "spice3"], "invalid choice: 'spice3'"),
        (["run", "{d}/divider.cir", "--raw", "{d}/divider.cir"], "would overwrite the input"),
        (["run", "{d}/divider.cir", "--raw", "{d}/link.raw"], "would overwrite the input"),
        (["run", "{d}/divider.cir", "--raw", "{d}/hard.raw"], "would overwrite the input"),
        (["run", "{d}/divider.cir", "--raw", "{d}"], "is not a regular file"),
        (["run", "{d}/divider.cir", "--raw", "{d}/a/b/c.raw"], "only the last level"),
        (["run", "{d}/divider.cir", "--raw", "{d}/divider.cir/c.raw"], "is not a directory"),
        (["run", "{d}/divider.cir", "--raw", "/proc/x.raw"], "cannot write /proc/x.raw"),
    ],
)
def test_errors_are_one_line_and_status_2(files: Path, args, expected, cli) -> None:  # type: ignore[no-untyped-def]
    (files / "binary.cir").write_bytes(bytes(range(256)))
    (files / "link.raw").symlink_to(files / "divider.cir")
    os.link(files / "divider.cir", files / "hard.raw")
    done = cli(*(a.format(d=files) for a in args))
    assert_one_line_error(done, expected)
    assert "plot(s)" not in done.out  # refused before ngspice ran
    assert (files / "divider.cir").read_text().startswith("voltage divider")
    assert not (files / "a").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bad.cir"], "Undefined parameter [rx]"),
        (["diverge.cir"], "Timestep too small"),
        (["control.cir"], "--allow-control"),
        (["divider.cir", "--timeout", "nan"], "timeout must be"),
        (["divider.cir", "--timeout", "inf"], "timeout must be"),
        (["divider.cir", "--timeout", "-1"], "timeout must be"),
    ],
)
def test_simulation_errors_keep_the_engines_lines_and_status_2(
    files: Path, args: list[str], expected: str, cli
) -> None:  # type: ignore[no-untyped-def]
    done = cli("run", files / args[0], *args[1:])
    assert done.status == 2
    assert done.err.startswith("spicegen run: error: ")
    assert expected in done.err  # the engine's error, quoting ngspice below its first line
    assert "Traceback" not in done.err


def test_an_unwritable_raw_path_is_refused_before_the_simulation(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # the case: /proc accepts os.access(W_OK) as root but refuses new files, and the
    # copy used to fail only after ngspice had run
    done = cli("run", files / "diverge.cir", "--raw", "/proc/x.raw")
    assert_one_line_error(done, "--raw: cannot write /proc/x.raw")
    assert "Timestep too small" not in done.err


def test_an_empty_netlist_is_refused(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # bare ngspice -b exits 1 on it ("incomplete or empty netlist")
    (files / "empty.cir").write_text(" \n\n")
    assert_one_line_error(cli("run", files / "empty.cir"), "is empty")


def test_an_unknown_vector_lists_what_exists(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("run", files / "divider.cir", "--print", "v(nope)")
    assert_one_line_error(done, "v(out)")


def test_failed_run_leaves_no_raw_file(files: Path, cli) -> None:  # type: ignore[no-untyped-def]
    raw = files / "failed.raw"
    assert cli("run", files / "diverge.cir", "--raw", raw).status == 2
    assert not raw.exists()


PSPICE_LIBRARY = "t\nV1 in 0 1\nR1 in out 1k\n.lib load.lib\n.op\n.end\n"


@pytest.mark.parametrize("how", ["set", "spiceinit"])
def test_run_takes_a_compatibility_mode_as_data(tmp_path: Path, how: str, cli) -> None:  # type: ignore[no-untyped-def]
    # in PSpice mode ".lib file" includes the file (R2 makes a 1k/1k divider); otherwise it
    # opens a library section, which a deck cannot hold: the mode must reach ngspice
    (tmp_path / "load.lib").write_text("R2 out 0 1k\n")
    (tmp_path / "deck.cir").write_text(PSPICE_LIBRARY)
    (tmp_path / "init").write_text("* compatibility\nset ngbehavior=ps\n")
    plain = cli("run", tmp_path / "deck.cir", "--print", "v(out)")
    assert plain.status == 2
    assert "unimplemented dot command" in plain.err
    mode = ["--set", "ngbehavior=ps"] if how == "set" else ["--spiceinit", tmp_path / "init"]
    done = cli("run", tmp_path / "deck.cir", *mode, "--print", "v(out)")
    assert done.status == 0, done.err
    assert float(done.out.strip().splitlines()[-1]) == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "sourcepath=/tmp"], "changes where ngspice finds files"),
        (["--set", "ngbehavior=p s"], "is not one word"),
        (["--set", "=ps"], "is not a variable name"),
        (["--spiceinit", "{d}/hostile"], "hostile"),
        (["--spiceinit", "{d}/absent"], "cannot read"),
    ],
)
def test_run_refuses_variables_that_are_not_data(
    files: Path,
    args: list[str],
    expected: str,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    (files / "hostile").write_text("set ngbehavior=ps\nshell touch SENTINEL\n")
    done = cli("run", files / "divider.cir", *[a.replace("{d}", str(files)) for a in args])
    assert_one_line_error(done, expected)
    assert not (files / "SENTINEL").exists()
