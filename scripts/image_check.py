"""Build the spicegen image with podman and run it for real (``make image-check``).

Steps: install podman, runc (and debootstrap when a base must be made) where missing; make a
stand-in for ``python:3.11-slim-bookworm`` only when podman's store has no such image (Debian's
own python3, debootstrapped once, the rootfs tarball cached under build/image-check/); build
``docker/Dockerfile`` from this checkout; run ``spicegen --version``; run
``examples/sweeps/rc_monte_carlo.toml`` in one container, then on a Dask scheduler and two
workers each in its own container with the driver in a fourth; run it on the host from this
checkout; check that the three tables are equal. Containers are removed by name whatever
happens; a summary ends the run and the exit status is 1 on any failure.

    make image-check                              # the host venv: .venv (make setup)
    python scripts/image_check.py                 # any venv with spicegen's dependencies

Everything runs on localhost with host networking (see docker/README.md).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "image-check"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
SPEC = ROOT / "examples" / "sweeps" / "rc_monte_carlo.toml"
IMAGE = "localhost/spicegen:image-check"
BASE = "docker.io/library/python:3.11-slim-bookworm"
BASE_TARBALL = BUILD / "base-bookworm.tar"
STAND_IN_LABEL = "org.spicegen.stand-in"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# Debian's python3 is 3.11 on bookworm, the version of the base the Dockerfile names.
STAND_IN_PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates"
# runc, because crun refuses the hybrid cgroup layout of some hosts; cgroupfs, because a
# container host without systemd has no systemd cgroup manager to talk to.
PODMAN = ("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs")
# Host networking is what runs on every container host, this sandbox too (docker/README.md).
_RUN = ("run", "--network", "host")
PREFIX = "spicegen-check-"
CONTAINERS = tuple(
    PREFIX + name for name in ("version", "sweep", "scheduler", "worker-1", "worker-2", "driver")
)
# Columns that say how a point ran (wall time), not what it computed; the rest must match.
RUN_SPECIFIC = frozenset({"elapsed"})
STEP_TIMEOUT = 1800.0  # s for one podman build or sweep; debootstrap and apt are the slow ones
READY_TIMEOUT = 120.0  # s for the scheduler to listen and both workers to register


class CheckError(Exception):
    """A step of the image check failed; the message says which and why."""


@dataclass(slots=True)
class Steps:
    """Seconds per step, in order, and the step that failed (if one did)."""

    seconds: dict[str, float] = field(default_factory=dict)
    failed: str = ""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block under ``name``; record it as the failed step if it raises."""
        print(f"== {name}", flush=True)
        start = time.monotonic()
        try:
            yield
        except BaseException:
            self.failed = name
            raise
        finally:
            self.seconds[name] = time.monotonic() - start


@dataclass(frozen=True, slots=True)
class Comparison:
    """How one sweep table differs from the reference: one line per difference."""

    name: str
    differences: tuple[str, ...]
    max_relative: float  # largest relative difference over the float columns (0 when exact)


# ---- pure parts (tested in tests/sweep/test_docker.py) ---------------------------------------


def debian_mirror(sources: Iterable[str]) -> str:
    """The first archive URL serving suite ``bookworm`` in apt source texts (one-line .list or
    deb822 .sources); Debian's own when none does."""
    for text in sources:
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            if words[:1] == ["deb"]:
                rest = words[1:]
                if rest and rest[0].startswith("["):  # options: [arch=amd64 signed-by=...]
                    while rest and not rest[0].endswith("]"):
                        rest = rest[1:]
                    rest = rest[1:]
                if len(rest) >= 2 and rest[1] == "bookworm":
                    return rest[0].rstrip("/")
        for stanza in text.split("\n\n"):
            fields = _deb822(stanza)
            if (
                "deb" in fields.get("types", "").split()
                and "bookworm" in fields.get("suites", "").split()
            ):
                return fields.get("uris", DEFAULT_MIRROR).split()[0].rstrip("/")
    return DEFAULT_MIRROR


def _deb822(stanza: str) -> dict[str, str]:
    """The fields of one deb822 stanza, keys lower-cased (comment lines skipped)."""
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line or line[:1].isspace():
            continue
        key, value = line.split(":", 1)
        fields[key.strip().lower()] = value.strip()
    return fields


def entry_point(pyproject: str) -> tuple[str, str]:
    """(module, function) of the ``spicegen`` console script declared in pyproject text."""
    target = tomllib.loads(pyproject)["project"]["scripts"]["spicegen"]
    module, function = target.split(":")
    return module, function


def compare_tables(
    name: str, reference: Mapping[str, np.ndarray], table: Mapping[str, np.ndarray]
) -> Comparison:
    """Compare a sweep table (``spicegen.sweep.load``) with the reference, point by point.

    Every column but ``RUN_SPECIFIC`` must be equal: integers and strings exactly, floats
    exactly too (NaN equal to NaN). Exact is the right bar: the parameters come from the same
    seeded draws, and the measurements from the same ngspice release (bookworm-backports, host
    and image alike) on the same deck text (``netlist_hash``), read by the same code.
    """
    differences: list[str] = []
    max_relative = 0.0
    columns = set(reference) - RUN_SPECIFIC
    if set(table) - RUN_SPECIFIC != columns:
        missing = sorted(columns - set(table))
        extra = sorted(set(table) - RUN_SPECIFIC - columns)
        differences.append(f"{name}: columns differ (missing {missing}, extra {extra})")
        columns &= set(table)
    rows = {len(reference[column]) for column in columns} | {len(table[c]) for c in columns}
    if len(rows) > 1:
        differences.append(f"{name}: row counts differ ({sorted(rows)})")
        return Comparison(name, tuple(differences), np.inf)
    for column in sorted(columns):
        expected, actual = np.asarray(reference[column]), np.asarray(table[column])
        if expected.dtype.kind == "f" or actual.dtype.kind == "f":
            expected, actual = expected.astype(np.float64), actual.astype(np.float64)
            same = (expected == actual) | (np.isnan(expected) & np.isnan(actual))
            with np.errstate(invalid="ignore", divide="ignore"):
                relative = np.abs(actual - expected) / np.maximum(np.abs(expected), 1e-300)
            finite = relative[np.isfinite(relative)]
            if finite.size:
                max_relative = max(max_relative, float(finite.max()))
        else:
            same = expected == actual
        for row in np.nonzero(~same)[0][:3]:
            differences.append(
                f"{name}: point {reference['index'][row]} column {column!r}: "
                f"{expected[row]!r} != {actual[row]!r}"
            )
        if (~same).sum() > 3:
            differences.append(f"{name}: column {column!r}: {(~same).sum()} points differ")
    return Comparison(name, tuple(differences), max_relative)


def not_done(name: str, table: Mapping[str, np.ndarray]) -> list[str]:
    """A line per point of ``table`` whose status is not ``done`` (and one if it is empty)."""
    if len(table["status"]) == 0:
        return [f"{name}: the sweep has no points"]
    return [
        f"{name}: point {index} is {status}: {error}"
        for index, status, error in zip(
            table["index"], table["status"], table["error"], strict=True
        )
        if status != "done"
    ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def summary_lines(
    steps: Steps, facts: Mapping[str, str], equal: bool | None, error: str
) -> list[str]:
    """The closing summary: base, build time, image size, seconds per step, tables equal."""
    lines = ["", "image-check summary"]
    lines += [f"  {key:<16} {value}" for key, value in facts.items()]
    lines += [f"  {name:<16} {seconds:7.1f} s" for name, seconds in steps.seconds.items()]
    verdict = "not compared" if equal is None else ("yes" if equal else "no")
    lines.append(f"  tables equal: {verdict}")
    if error:
        lines.append(f"FAILED at {steps.failed or 'setup'}: {error}")
    else:
        lines.append("passed")
    return lines


# ---- the host: tools, commands, folders -------------------------------------------------------


def run(
    command: Sequence[str],
    *,
    log: Path | None = None,
    show: bool = False,
    quiet: bool = False,
    timeout: float = STEP_TIMEOUT,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``command``, its output captured, appended to ``log`` and printed when ``show``;
    ``quiet`` does not echo the command (polls)."""
    line = "$ " + " ".join(command)
    if not quiet:
        print(line, flush=True)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except FileNotFoundError:
        raise CheckError(f"{command[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise CheckError(f"{line} did not finish in {timeout:.0f} s") from None
    output = done.stdout + done.stderr
    if log is not None:
        with log.open("a") as out:
            out.write(f"{line}\n{output}")
    if show:
        print(output.strip(), flush=True)
    if check and done.returncode != 0:
        raise CheckError(f"{line} exited {done.returncode}:\n{output.strip()[-3000:]}")
    return done


def podman(*arguments: str, **options: object) -> subprocess.CompletedProcess[str]:
    """Run podman with this check's runtime options."""
    return run([*PODMAN, *arguments], **options)  # type: ignore[arg-type]


def _which(command: str) -> str | None:
    """``command`` on PATH or in the sbin directories (debootstrap lives in /usr/sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(command, path=path)


def apt_install(packages: Sequence[str], log: Path) -> None:
    """Install Debian packages (as root, or through sudo)."""
    if not _which("apt-get"):
        raise CheckError(f"need {' '.join(packages)}; this is not a Debian-like system")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run([*sudo, "apt-get", "update", "-q"], log=log, env=environment)
    run([*sudo, "apt-get", "install", "-y", "-q", *packages], log=log, env=environment)


def ensure_tools(log: Path) -> None:
    """podman and runc, installed from Debian when missing; this check's containers.conf."""
    missing = [name for name in ("podman", "runc") if not _which(name)]
    if missing:
        apt_install(missing, log)
    # Some sandboxes refuse podman's default ulimits (nofile, nproc); a user's own
    # CONTAINERS_CONF wins.
    conf = BUILD / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n")
    os.environ.setdefault("CONTAINERS_CONF", str(conf))


def ensure_base(log: Path) -> str:
    """The base image's origin: found in the store, or imported from a (cached) debootstrap."""
    if podman("image", "exists", BASE, check=False).returncode == 0:
        label = podman("image", "inspect", BASE, "--format", "{{.Labels}}").stdout
        if STAND_IN_LABEL in label:
            return "stand-in (Debian's python3, debootstrapped), in podman's store"
        return f"{BASE} from podman's store"
    made = f"imported from {BASE_TARBALL.relative_to(ROOT)}"
    if not BASE_TARBALL.exists():
        if os.geteuid() != 0:
            raise CheckError(
                f"making a stand-in for {BASE} needs root (debootstrap); run as root, or "
                f"podman pull {BASE} first"
            )
        made = f"debootstrapped into {BASE_TARBALL.relative_to(ROOT)}"
        if not _which("debootstrap"):
            apt_install(["debootstrap"], log)
        sources = [
            path.read_text(errors="replace")
            for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
            if path.is_file() and path.suffix in (".list", ".sources")
        ]
        rootfs = BUILD / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        debootstrap = _which("debootstrap") or "debootstrap"
        variant = ["--variant=minbase", f"--include={STAND_IN_PACKAGES}"]
        run([debootstrap, *variant, "bookworm", str(rootfs), debian_mirror(sources)], log=log)
        for cached in (rootfs / "var" / "cache" / "apt" / "archives").glob("*.deb"):
            cached.unlink()  # the packages are installed; their .deb files are dead weight
        partial = BASE_TARBALL.with_suffix(".partial")
        run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], log=log)
        partial.rename(BASE_TARBALL)  # only a complete tarball is ever taken as the cache
        shutil.rmtree(rootfs)
    # the label tells a stand-in from the real image later; LANG as the real image sets it
    changes = ["--change", f"LABEL {STAND_IN_LABEL}=debootstrap", "--change", "ENV LANG=C.UTF-8"]
    podman("import", *changes, str(BASE_TARBALL), BASE, log=log)
    return f"stand-in (Debian's python3), {made}"


def build_image(log: Path) -> None:
    """``podman build`` of docker/Dockerfile from this checkout, on the host network, with the
    host's CA store and pip configuration mounted read-only so that pip trusts what it trusts."""
    volumes = [
        f"--volume={path}:{path}:ro"
        for path in ("/etc/ssl/certs", "/etc/pip.conf")
        if Path(path).exists()
    ]
    before = podman("image", "inspect", IMAGE, "--format", "{{.Id}}", check=False, quiet=True)
    podman("build", "--network", "host", *volumes, "-f", str(DOCKERFILE), "-t", IMAGE, str(ROOT),
           log=log)  # fmt: skip
    after = podman("image", "inspect", IMAGE, "--format", "{{.Id}}", quiet=True).stdout.strip()
    old = before.stdout.strip() if before.returncode == 0 else ""
    if old and old != after:  # the previous build of this tag only, never anything else's
        podman("rmi", old, check=False, log=log)


def image_user() -> str:
    """The image's ``USER`` (``uid[:gid]``): who must be able to write the mounted folder."""
    return podman("image", "inspect", IMAGE, "--format", "{{.Config.User}}").stdout.strip()


def fresh_folder(folder: Path, user: str) -> None:
    """An empty ``folder`` owned by the container's ``user`` (as podman maps it)."""
    if folder.exists():
        if os.geteuid() == 0:
            shutil.rmtree(folder)
        else:  # files written by the container belong to a subordinate uid
            podman("unshare", "rm", "-rf", str(folder))
    folder.mkdir(parents=True)
    uid, _, gid = user.partition(":")
    if os.geteuid() == 0:
        os.chown(folder, int(uid or 0), int(gid or uid or 0))
    else:
        podman("unshare", "chown", f"{uid}:{gid or uid}", str(folder))


def take_back(folder: Path) -> None:
    """Give a rootless user back the files the container wrote (root reads them as they are)."""
    if os.geteuid() != 0:
        podman("unshare", "chown", "-R", "0:0", str(folder), check=False)


def remove_containers() -> None:
    """``podman rm -f`` every container this check names, whether it exists or not."""
    subprocess.run(
        [*PODMAN, "rm", "--force", "--ignore", "--time", "2", *CONTAINERS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def container_running(name: str) -> bool:
    """Whether container ``name`` exists and runs."""
    done = podman(
        "container", "inspect", name, "--format", "{{.State.Running}}", check=False, quiet=True
    )
    return done.returncode == 0 and done.stdout.strip() == "true"


def wait_until(ready: Callable[[], bool], what: str, watched: Sequence[str]) -> None:
    """Poll ``ready()`` until it is true; fail when a ``watched`` container stops or time is up."""
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready():
        stopped = [name for name in watched if not container_running(name)]
        if stopped:
            logs = podman("logs", stopped[0], check=False)
            raise CheckError(f"{stopped[0]} stopped before {what}:\n{logs.stdout + logs.stderr}")
        if time.monotonic() > deadline:
            raise CheckError(f"no {what} after {READY_TIMEOUT:.0f} s")
        time.sleep(0.5)


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def registered_workers(scheduler: str) -> int:
    """How many workers the scheduler's log says have registered."""
    logs = podman("logs", scheduler, check=False, quiet=True)
    return (logs.stdout + logs.stderr).count("Register worker")


# ---- the check ---------------------------------------------------------------------------------


def container_sweep(out: str, *extra: str, name: str, log: Path) -> None:
    """The spec swept in container ``name`` into /work/out/``out`` (host network)."""
    sweep = ["sweep", f"sweeps/{SPEC.name}", "--out", f"out/{out}", *extra]
    podman(*_RUN, "--rm", "--name", name, *_mounts(), IMAGE, *sweep, log=log, show=True)


def _mounts(results: bool = True) -> list[str]:
    """The spec's folder read-only at /work/sweeps (specs may .include files beside them, as
    in docker/compose.yaml), and the results folder at /work/out."""
    mounts = [f"--volume={SPEC.parent}:/work/sweeps:ro"]
    return [*mounts, f"--volume={BUILD / 'out'}:/work/out"] if results else mounts


def dask_sweep(log: Path) -> None:
    """A scheduler and two workers, each in a detached container, then the driver in a fourth."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler, workers = PREFIX + "scheduler", (PREFIX + "worker-1", PREFIX + "worker-2")
    dask = (*_RUN, "--detach", "--entrypoint", "dask")
    # The HTTP server (metrics) runs even with --no-dashboard: on a port of the kernel's
    # choice on loopback, not on :8787 of every interface of the host.
    quiet = ("--no-dashboard", "--dashboard-address", "127.0.0.1:0")
    listen = ("--host", "127.0.0.1", "--port", str(port))
    podman(*dask, "--name", scheduler, IMAGE, "scheduler", *listen, *quiet, log=log)
    wait_until(lambda: listening(port), f"scheduler listening on {address}", [scheduler])
    single = ("--nworkers", "1", "--nthreads", "1")
    for worker in workers:
        podman(*dask, "--name", worker, *_mounts(False), IMAGE, "worker", address, *single,
               *quiet, log=log)  # fmt: skip
    wait_until(
        lambda: registered_workers(scheduler) >= len(workers),
        "two registered workers",
        [scheduler, *workers],
    )
    container_sweep("dask", "--scheduler", address, name=PREFIX + "driver", log=log)
    for name in (scheduler, *workers):
        logs = podman("logs", name, check=False, quiet=True)
        with log.open("a") as out:
            out.write(f"---- logs of {name}\n{logs.stdout}{logs.stderr}")


def local_sweep(spec: Path, out: Path, log: Path) -> None:
    """``spec`` swept into ``out`` on the host from this checkout (``PYTHONPATH``), by the
    console script that pyproject.toml declares, on two local workers."""
    module, function = entry_point((ROOT / "pyproject.toml").read_text())
    code = f"import sys; from {module} import {function}; sys.exit({function}())"
    sweep = ["sweep", str(spec), "--out", str(out), "--workers", "2"]
    path = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    environment = {**os.environ, "PYTHONPATH": path}
    run([sys.executable, "-c", code, *sweep], log=log, show=True, env=environment)


def compare(log: Path) -> tuple[bool, str]:
    """Load the three tables, check every point is done and that they are equal."""
    sys.path.insert(0, str(ROOT))
    from spicegen.sweep import load

    tables = {name: load(BUILD / "out" / name) for name in ("local", "container", "dask")}
    problems = [line for name, table in tables.items() for line in not_done(name, table)]
    comparisons = [compare_tables(name, tables["local"], tables[name]) for name in tables]
    problems += [line for comparison in comparisons for line in comparison.differences]
    largest = max(comparison.max_relative for comparison in comparisons)
    points = len(tables["local"]["index"])
    detail = f"{points} points each, largest relative difference {largest:.3g}"
    with log.open("a") as out:
        out.write(detail + "\n" + "\n".join(problems) + "\n")
    if problems:
        print("\n".join(problems[:20]))
    return not problems, detail


def _raise_on_signal(number: int, frame: FrameType | None) -> None:
    """Turn SIGTERM and SIGHUP into an exception so that the clean-up still runs."""
    raise CheckError(f"stopped by signal {signal.Signals(number).name}")


def main() -> int:
    """Run the check; 0 when every step passed and the tables are equal."""
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _raise_on_signal)
    BUILD.mkdir(parents=True, exist_ok=True)
    log = BUILD / "image-check.log"
    log.write_text("")
    steps, facts = Steps(), {}
    equal: bool | None = None
    error = ""
    try:
        with steps.step("tools"):
            ensure_tools(log)
        remove_containers()  # left over from a run that was killed outright
        with steps.step("base"):
            facts["base image"] = ensure_base(log)
        with steps.step("build"):
            build_image(log)
        size = int(podman("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout)
        facts["build time"] = f"{steps.seconds['build']:.1f} s"
        facts["image size"] = f"{size / 1e6:.0f} MB ({IMAGE})"
        with steps.step("version"):
            version = podman("run", "--rm", "--name", PREFIX + "version", IMAGE, "--version")
            if not version.stdout.startswith("spicegen "):
                raise CheckError(f"spicegen --version printed {version.stdout!r}")
            facts["version"] = version.stdout.strip()
        fresh_folder(BUILD / "out", image_user())
        with steps.step("sweep-container"):
            container_sweep("container", "--workers", "2", name=PREFIX + "sweep", log=log)
        with steps.step("sweep-dask"):
            dask_sweep(log)
        take_back(BUILD / "out")
        with steps.step("sweep-local"):
            local_sweep(SPEC, BUILD / "out" / "local", log)
        with steps.step("compare"):
            equal, facts["tables"] = compare(log)
        if not equal:
            error = "the tables differ (see above and the log)"
    except (CheckError, OSError, subprocess.SubprocessError) as err:
        error = str(err)
    except KeyboardInterrupt:
        error = "interrupted"
    except Exception as err:  # a spicegen error while loading a table, or a bug of the check
        error = f"{type(err).__name__}: {err}"
    finally:
        remove_containers()
    facts["log"] = str(log.relative_to(ROOT))
    print("\n".join(summary_lines(steps, facts, equal, error)))
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
