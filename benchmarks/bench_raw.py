"""Raw-file reading speed, measured against baselines and peers in the same run.

Generates once (cached in ``--workdir``, default ``out/bench``) two raw files of a crossbar-like
RC network (a grid of cell capacitors joined by wire resistors, rows driven by pulse sources)
with ngspice -b: a binary one of >= 100 MB and an ASCII one of >= 20 MB. Then times, on a warm
page cache, the median of ``--repeat`` runs of:

- binary: ``read_raw``; ``np.fromfile`` of the same data bytes (the practical limit, baseline);
  PySpice's raw reader (``PySpice.Spice.NgSpice.RawFile.RawFile``, made for ngspice server
  output: fed the file through a small adapter); spicelib's ``RawRead``;
- ASCII: ``read_raw``; ``np.fromstring`` of the data section (numpy's own text parser, the
  baseline); spicelib's ``RawRead``; PySpice (no ASCII reader: reported as not supported).

Prints medians, MB/s and ratios; never asserts on time. ``python benchmarks/bench_raw.py``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np

from spicegen.waves import read_raw

ROWS, COLUMNS = 16, 12
STEP = 1e-9  # s, also the maximum internal step: one output point per ns at least
BINARY_STOP = 45e-6  # s -> ~66,000 points (pulse edges add breakpoints) x 225 x 8 B = ~120 MB
ASCII_STOP = 4e-6  # s -> ~5,900 points x 225 vectors x ~23 B = ~30 MB


def crossbar_netlist(stop: float) -> str:
    """A ROWS x COLUMNS grid: cell capacitors to ground, 10 ohm row/column wire segments, each
    row driven through 100 ohm by a pulse source of its own period, columns sensed by 50 ohm."""
    lines = [f"crossbar-like RC network {ROWS}x{COLUMNS}"]
    for r in range(ROWS):
        period = 200e-9 * (1 + r % 5)
        lines.append(
            f"Vrow{r} in{r} 0 pulse(0 {0.2 + 0.01 * r:.3f} {5e-9 * r:.3g} 2n 2n "
            f"{period / 2:.4g} {period:.4g})"
        )
        lines.append(f"Rdrv{r} in{r} n{r}_0 100")
        for c in range(COLUMNS):
            lines.append(f"Ccell{r}_{c} n{r}_{c} 0 {1e-12 * (1 + (r * COLUMNS + c) % 7):.3g}")
            if c + 1 < COLUMNS:
                lines.append(f"Rrow{r}_{c} n{r}_{c} n{r}_{c + 1} 10")
            if r + 1 < ROWS:
                lines.append(f"Rcol{r}_{c} n{r}_{c} n{r + 1}_{c} 10")
    lines += [f"Rsense{c} n{ROWS - 1}_{c} 0 50" for c in range(COLUMNS)]
    lines += [f".tran {STEP:g} {stop:g} 0 {STEP:g}", ".end", ""]
    return "\n".join(lines)


def generate(workdir: Path, name: str, stop: float, ascii_file: bool) -> Path:
    """Run ngspice once for ``name`` (cached: skipped if the raw file of this netlist exists)."""
    workdir.mkdir(parents=True, exist_ok=True)
    netlist = crossbar_netlist(stop)
    circuit, raw = workdir / f"{name}.cir", workdir / f"{name}.raw"
    if raw.exists() and circuit.exists() and circuit.read_text() == netlist:
        return raw
    circuit.write_text(netlist)
    env = dict(os.environ)
    if ascii_file:
        env["SPICE_ASCIIRAWFILE"] = "1"
    start = time.perf_counter()
    subprocess.run(
        ["ngspice", "-b", "-r", str(raw), str(circuit)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    print(f"generated {raw} ({raw.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f} s")
    return raw


def data_offset(path: Path, marker: bytes) -> int:
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    return head.index(marker) + len(marker)


def median_times(
    readers: dict[str, Callable[[], object] | str], repeat: int
) -> dict[str, float | str]:
    """Median wall time (s) of each reader over ``repeat`` rounds, or the text of its failure.

    One warm-up call each, then the readers take turns within every round, so that the machine's
    drift (page cache, memory pressure from the previous 100 MB result) spreads evenly."""
    times: dict[str, list[float]] = {}
    results: dict[str, float | str] = {}
    for name, reader in readers.items():
        if isinstance(reader, str):
            results[name] = reader
            continue
        try:
            reader()
        except Exception as exc:  # a peer that cannot read the file is a result, not a crash
            results[name] = f"fails: {type(exc).__name__}: {str(exc)[:72]}"
            continue
        times[name] = []
    for _ in range(repeat):
        for name in times:
            reader = readers[name]
            assert callable(reader)
            gc.collect()
            start = time.perf_counter()
            reader()
            times[name].append(time.perf_counter() - start)
    for name, samples in times.items():
        results[name] = statistics.median(samples)
    return {name: results[name] for name in readers}


# -- peers --------------------------------------------------------------------------------------
def pyspice_reader(numpy_shim: bool) -> Callable[[Path], object]:
    """PySpice's ngspice RawFile parses the stdout of ``ngspice -s`` (server mode): a
    'Circuit:' and a 'Doing analysis' line before the header, no 'Command:' line, and a 'No. of
    Data Columns' line after 'Variables:'. The adapter rebuilds that from the file's header and
    reads the data bytes straight behind it (no extra copy)."""
    import PySpice.Spice.RawFile as base
    from PySpice.Spice.NgSpice.RawFile import RawFile

    if numpy_shim:
        # PySpice 1.5 calls np.fromstring(binary), removed in numpy 2: give it the old
        # semantics (a copy) so that its reader can be timed at all.
        proxy = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if k[0] != "_"})
        proxy.fromstring = lambda data, count=-1, dtype=float: np.frombuffer(
            data, dtype=dtype, count=count
        ).copy()
        base.np = proxy  # type: ignore[attr-defined]
    else:
        base.np = np  # type: ignore[attr-defined]

    def read(path: Path) -> object:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(1 << 20)
            end = head.index(b"Binary:\n") + len(b"Binary:\n")
            lines = head[:end].decode().splitlines()
            title = lines[0].partition(": ")[2]
            variables = next(int(x.split(":")[1]) for x in lines if x.startswith("No. Var"))
            points = next(int(x.split(":")[1]) for x in lines if x.startswith("No. Points"))
            kept = []
            for line in lines:
                if line.startswith("Command:"):
                    continue
                kept.append(line)
                if line == "Variables:":
                    kept.append(f"No. of Data Columns : {variables}")
            prefix = (
                f"Circuit: {title}\n\nDoing analysis at TEMP = 27.000000 and TNOM = 27.000000\n\n"
                + "\n".join(kept)
                + "\n"
            ).encode()
            buffer = bytearray(len(prefix) + size - end)
            buffer[: len(prefix)] = prefix
            handle.seek(end)
            handle.readinto(memoryview(buffer)[len(prefix) :])
        # As shipped it needs bytes (its np.fromstring call rejects a bytearray).
        return RawFile(buffer if numpy_shim else bytes(buffer), points)

    return read


def spicelib_read(path: Path) -> object:
    import logging

    from spicelib import RawRead

    logging.getLogger("spicelib").setLevel(logging.ERROR)
    return RawRead(path, traces_to_read="*", dialect="ngspice", verbose=False)


# -- report -------------------------------------------------------------------------------------
def report(title: str, size: int, results: dict[str, float | str], baseline: str) -> None:
    """Median, throughput, speed relative to ``baseline`` and read_raw's speed-up over each."""
    print(f"\n{title}, {size / 1e6:.1f} MB; speed relative to {baseline}")
    print(f"{'reader':<32}{'median s':>10}{'MB/s':>8}{'rel. speed':>12}{'read_raw is':>16}")
    ours = results["spicegen read_raw"]
    base = results[baseline]
    for name, value in results.items():
        if isinstance(value, str):
            print(f"{name:<32}  {value}")
            continue
        relative = f"{base / value:.2f}x" if isinstance(base, float) else "-"
        speedup = f"{value / ours:.2f}x faster" if isinstance(ours, float) else "-"
        print(f"{name:<32}{value:>10.4f}{size / 1e6 / value:>8.0f}{relative:>12}{speedup:>16}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("out/bench"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    repeat = max(args.repeat, 1)

    binary = generate(args.workdir, "crossbar_binary", BINARY_STOP, ascii_file=False)
    text = generate(args.workdir, "crossbar_ascii", ASCII_STOP, ascii_file=True)
    waves = read_raw(binary)
    print(f"binary: {len(waves)} points x {len(waves.vectors)} vectors")
    offset = data_offset(binary, b"Binary:\n")
    count = len(waves) * len(waves.vectors)
    text_waves = read_raw(text)
    print(f"ascii:  {len(text_waves)} points x {len(text_waves.vectors)} vectors")
    text_offset = data_offset(text, b"Values:\n")

    as_shipped = median_times({"x": lambda: pyspice_reader(numpy_shim=False)(binary)}, 1)["x"]
    shimmed = pyspice_reader(numpy_shim=True)
    binary_results = median_times(
        {
            "spicegen read_raw": lambda: read_raw(binary),
            "np.fromfile (data bytes)": lambda: np.fromfile(
                binary, dtype=np.float64, count=count, offset=offset
            ),
            "PySpice RawFile (as shipped)": str(as_shipped),
            "PySpice RawFile (numpy-2 shim)": lambda: shimmed(binary),
            "spicelib RawRead": lambda: spicelib_read(binary),
        },
        repeat,
    )
    report("binary raw file", binary.stat().st_size, binary_results, "np.fromfile (data bytes)")

    def numpy_text() -> np.ndarray:
        with open(text, "rb") as handle:
            handle.seek(text_offset)
            return np.fromstring(handle.read(), dtype=np.float64, sep=" ")

    ascii_results = median_times(
        {
            "spicegen read_raw": lambda: read_raw(text),
            "np.fromstring (data section)": numpy_text,
            "PySpice RawFile": "not supported: it reads binary server output only",
            "spicelib RawRead": lambda: spicelib_read(text),
        },
        repeat,
    )
    report("ASCII raw file", text.stat().st_size, ascii_results, "np.fromstring (data section)")
    versions = f"python {sys.version.split()[0]}, numpy {np.__version__}"
    print(f"\nmedians of {repeat} interleaved runs after a warm-up, warm page cache; {versions}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
