"""TOML specs: a good one loads; every mistake is one message naming its key, exit status 2."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from spicegen.cli import main
from spicegen.netlist import Tran
from spicegen.sweep import Normal, SpecError, load_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweeps" / "rc_monte_carlo.toml"

GOOD = '''
[sweep]
seed = 3
samples = 2
[circuit]
text = """rc
V1 in 0 dc 1
R1 in out {r}
C1 out 0 {c}
.end
"""
[analysis]
type = "tran"
step = 1e-8
stop = 1e-6
[parameters.grid]
r = [1e3, 2e3]
[parameters.random]
c = { distribution = "normal", mean = 1e-9, std = 1e-10 }
[measure]
v = { kind = "final", vector = "v(out)" }
'''


def test_example_spec_loads() -> None:
    spec = load_spec(EXAMPLE)
    assert spec.name == "rc-monte-carlo"
    assert spec.parameters.names == ("r", "c")
    assert tuple(spec.parameters.grid[0][1]) == (500.0, 1000.0, 1500.0, 2000.0)
    assert spec.samples == 3
    assert [m.name for m in spec.measures] == ["v_final", "t_rise"]
    assert spec.waves.keep == "decimate"


def test_good_spec_fields(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    spec = load_spec(path)
    assert spec.analysis == Tran(step=1e-8, stop=1e-6)
    assert spec.parameters.random == (("c", Normal(1e-9, 1e-10)),)
    assert spec.seed == 3 and spec.samples == 2 and spec.stochastic


def test_log_range(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        GOOD.replace("r = [1e3, 2e3]", 'r = { start = 1e2, stop = 1e4, num = 3, scale = "log" }')
    )
    values = load_spec(path).parameters.grid[0][1]
    assert all(math.isclose(a, b) for a, b in zip(values, (1e2, 1e3, 1e4), strict=True))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("[measure]", "[measure\n"), "is not valid TOML"),
        (("[sweep]", "[sweep]\nworkers = 3"), "sweep.workers: unknown key"),
        (("r = [1e3, 2e3]", "rx = [1e3, 2e3]"), "parameters.grid.rx: unknown parameter"),
        (("r = [1e3, 2e3]", "r = [1e3, 'big']"), "parameters.grid.r[1]: expected a finite number"),
        (("r = [1e3, 2e3]", "r = { start = 1, stop = 2 }"), "parameters.grid.r.num: missing"),
        (('"normal", mean', '"gamma", mean'), "parameters.random.c.distribution: expected one of"),
        (("std = 1e-10", "std = -1e-10"), "parameters.random.c.std: expected a standard deviation"),
        (("std = 1e-10", "sd = 1e-10"), "parameters.random.c.sd: unknown key"),
        (('kind = "final"', 'kind = "median"'), "measure.v.kind: expected one of"),
        (('type = "tran"', 'type = "noise"'), "analysis.type: expected one of"),
        (("stop = 1e-6", "stop = -1e-6"), "Tran.stop"),
        (("samples = 2", "samples = 0"), "sweep.samples: expected an integer >= 1"),
        (("seed = 3", 'seed = 3\nladder = ["gmin", "magic"]'), "unknown rung 'magic'"),
        (("text = ", "netlist = 'missing.cir'\nx = "), "circuit.x: unknown key"),
    ],
)
def test_bad_spec_is_one_message_naming_the_key(  # type: ignore[no-untyped-def]
    tmp_path: Path, edit: tuple[str, str], expected: str, capsys
) -> None:
    path = tmp_path / "bad.toml"
    assert edit[0] in GOOD
    path.write_text(GOOD.replace(edit[0], edit[1], 1))
    with pytest.raises(SpecError):
        load_spec(path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert err.startswith("spicegen sweep: error:")


def test_missing_spec_file_and_bad_report_target(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["sweep", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such spec file" in capsys.readouterr().err
    assert main(["sweep-report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 2
    assert "not a sweep directory" in capsys.readouterr().err


def test_a_failing_factory_is_one_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text(
        '[circuit]\nfactory = "tests.sweep.factories:rc"\n[parameters.grid]\nrr = [1.0]\n'
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--allow-code"]) == 2
    err = capsys.readouterr().err
    assert "circuit.factory: rc failed on point 0 {'rr': 1.0}: KeyError: 'r'" in err
    assert "Traceback" not in err


HOSTILE_TOML = [
    (b"a = " + b"[" * 5000 + b"]" * 5000, "s.toml:1:37: arrays or tables nested more than 32 deep"),
    (b"a = " + b"{b = " * 5000 + b"1" + b"}" * 5000, "s.toml:1:165: arrays or tables nested"),
    (b"[sweep]\nseed = " + b"9" * 5000, "s.toml:2:8: a number of 5000 digits"),
    (b"[sweep]\nseed = 1_" + b"0" * 5000, "s.toml:2:8: a number of 5002 digits"),
    (b'[sweep]\nname = "' + b"x" * 2**20 + b'"', "larger than 1 MiB, the limit for a spec file"),
    (b'[sweep]\nname = "\xff"\n', "not UTF-8 text (invalid start byte at byte 16)"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_TOML)
def test_hostile_toml_is_one_located_message(  # type: ignore[no-untyped-def]
    tmp_path: Path, text: bytes, expected: str, capsys
) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert expected in str(caught.value)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert expected in err
    assert not (tmp_path / "out").exists()


def test_brackets_in_strings_and_comments_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    deep = "[" * 100
    text = GOOD.replace("[sweep]", f'[sweep]\nname = "{deep}" # {deep}\n', 1)
    text = text.replace("C1 out 0 {c}", f"C1 out 0 {{c}}\n* {'{' * 100} '\\\"", 1)
    path.write_text(text)
    assert load_spec(path).name == deep


@pytest.mark.parametrize(
    "edit",
    [
        ("seed = 3", "seed = 1" + "0" * 4000),
        ("samples = 2", "samples = 1" + "0" * 4000),
        ("r = [1e3, 2e3]", "r = [1" + "0" * 4000 + "]"),
        ("r = [1e3, 2e3]", "r = { start = 1, stop = 1" + "0" * 4000 + ", num = 3 }"),
        ("r = [1e3, 2e3]", "r = { start = 1, stop = 2, num = 1" + "0" * 4000 + " }"),
        ("mean = 1e-9", "mean = 1" + "0" * 4000),
        ("stop = 1e-6", "stop = 1" + "0" * 4000),
        ("stop = 1e-6", "stop = 1e999"),
    ],
)
def test_numbers_too_large_for_a_float_or_a_count_are_spec_errors(
    tmp_path: Path, edit: tuple[str, str]
) -> None:
    path = tmp_path / "s.toml"
    assert edit[0] in GOOD
    path.write_text(GOOD.replace(edit[0], edit[1], 1))
    with pytest.raises(SpecError, match=r"expected (a finite number|an integer)") as caught:
        load_spec(path)
    assert len(str(caught.value)) < 300  # the number is shortened in the message


def test_a_netlist_file_that_is_not_a_regular_file_or_too_big(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    for name, expected in (
        ("/dev/zero", "/dev/zero is not a regular file"),
        ("missing.cir", "no such netlist"),
        ("big.cir", "larger than 64 MiB, the limit for a netlist"),
    ):
        path.write_text(f'[circuit]\nnetlist = "{name}"\n')
        if name == "big.cir":
            with open(tmp_path / name, "wb") as stream:
                stream.truncate(64 * 2**20 + 1)  # sparse: no disk used
        with pytest.raises(SpecError, match=r"circuit\.netlist") as caught:
            load_spec(path)
        assert expected in str(caught.value)
