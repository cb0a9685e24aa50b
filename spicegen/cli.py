"""The ``spicegen`` command line: a thin layer over the packages; no logic of its own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from spicegen.errors import SpicegenError


class CliError(SpicegenError):
    """A command-line mistake: a missing file, a vector that is not there..."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``spicegen`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        args.handler(args)
    except SpicegenError as err:
        if getattr(err, "diagnostics", None):  # compiler errors are already file:line:col
            print(err, file=sys.stderr)
        else:
            print(f"spicegen {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"spicegen {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spicegen",
        description="Compact models, neuromorphic circuits and ngspice co-simulation.",
    )
    parser.add_argument("--version", action="version", version=f"spicegen {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="simulate a netlist with ngspice and summarise the result",
        description="Simulate an ngspice netlist and print a summary of every plot.",
    )
    run.add_argument("netlist", type=Path, help="ngspice netlist file")
    run.add_argument("--backend", choices=("batch", "shared"), default="batch")
    run.add_argument("--raw", type=Path, metavar="OUT.raw", help="keep the raw file (batch)")
    run.add_argument(
        "--print", nargs="+", default=(), metavar="VEC", dest="vectors",
        help="print these vectors of the main plot as a table",
    )  # fmt: skip
    run.add_argument("--timeout", type=float, default=600.0, metavar="S", help="seconds")
    run.add_argument(
        "--allow-control", action="store_true",
        help="run .control blocks (they can execute shell commands)",
    )  # fmt: skip
    run.set_defaults(handler=_run)

    compile_ = commands.add_parser(
        "compile",
        help="compile a Verilog-A model into an ngspice subcircuit",
        description="Compile a Verilog-A compact model into an ngspice .subckt library.",
    )
    compile_.add_argument("model", type=Path, help="Verilog-A source (.va)")
    compile_.add_argument("-o", "--output", type=Path, help="library file (default: stdout)")
    compile_.add_argument(
        "-I", dest="include_dirs", action="append", default=[], type=Path, metavar="DIR",
        help="directory searched by `include (repeatable)",
    )  # fmt: skip
    compile_.add_argument("--seed", type=int, help="seed for $rdist_* device variability")
    compile_.add_argument("--module", help="module to compile when the file has several")
    compile_.set_defaults(handler=_compile)

    build = commands.add_parser(
        "build",
        help="generate a circuit netlist (crossbar read) from the command line",
        description="Generate a netlist with spicegen.circuits; simulate it with `spicegen run`.",
    )
    build.add_argument("circuit", choices=("crossbar",), help="generator")
    build.add_argument("-o", "--output", type=Path, required=True, help="netlist file (.cir)")
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--weights", type=Path, metavar="FILE", help="weight matrix, .npy or text (.csv, .txt)"
    )
    source.add_argument(
        "--random", nargs=2, type=int, metavar=("ROWS", "COLS"),
        help="uniform random weights in [0, 1] (signed for 2R/2T2R cells)",
    )  # fmt: skip
    build.add_argument("--seed", type=int, default=0, help="seed of --random (default 0)")
    build.add_argument("--cell", choices=("1R", "1T1R", "2R", "2T2R"), default="1R")
    build.add_argument("--g-min", type=float, default=1e-6, help="S at weight 0 (default 1e-6)")
    build.add_argument("--g-max", type=float, default=1e-4, help="S at weight 1 (default 1e-4)")
    build.add_argument("--wire", type=float, default=0.0, metavar="OHM", help="per segment")
    build.add_argument("--read", type=float, default=0.2, metavar="V", help="row read voltage")
    build.set_defaults(handler=_build)

    plot = commands.add_parser(
        "plot",
        help="plot vectors of a raw file",
        description="Plot vectors of an ngspice raw file against its axis.",
    )
    plot.add_argument("raw", type=Path, help="ngspice raw file (binary or ASCII)")
    plot.add_argument("vectors", nargs="+", metavar="VEC", help="e.g. v(out) i(v1)")
    plot.add_argument("-o", "--output", type=Path, required=True, help="image file (.png...)")
    plot.add_argument("--plot", type=int, default=0, metavar="N", help="plot index in the file")
    plot.set_defaults(handler=_plot)

    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep or Monte Carlo from a TOML spec",
        description="Run every point of a sweep spec (TOML) into a results directory.",
    )
    sweep.add_argument("spec", type=Path, help="sweep spec (.toml), see docs/sweep.md")
    sweep.add_argument("--out", type=Path, required=True, metavar="DIR", help="results directory")
    sweep.add_argument("--workers", type=int, metavar="N", help="local processes (default: cores)")
    sweep.add_argument(
        "--scheduler", metavar="ADDR", help="Dask scheduler, tcp://host:port (default: local pool)"
    )
    sweep.add_argument(
        "--resume", action="store_true", help="finish a sweep already in DIR (same spec)"
    )
    sweep.set_defaults(handler=_sweep)

    sweep_report = commands.add_parser(
        "sweep-report",
        help="plot a sweep's measurements against its parameters",
        description="Plot every measurement of a sweep directory against every parameter.",
    )
    sweep_report.add_argument("directory", type=Path, metavar="DIR", help="results directory")
    sweep_report.add_argument(
        "-o", "--output", type=Path, required=True, help="report.html or report.png"
    )
    sweep_report.set_defaults(handler=_sweep_report)
    return parser


def _run(args: argparse.Namespace) -> None:
    from spicegen.sim import simulate

    text = _read_text(args.netlist)
    if args.raw is not None and args.raw.resolve() == args.netlist.resolve():
        raise CliError(f"--raw {args.raw} would overwrite the netlist")
    result = simulate(
        text,
        backend=args.backend,
        timeout=args.timeout,
        allow_control=args.allow_control,
        raw_path=args.raw,
        base_dir=args.netlist.resolve().parent,
    )
    print(f"{args.netlist}: {len(result.plots)} plot(s), ngspice {result.elapsed:.3f} s "
          f"({result.backend})")  # fmt: skip
    for waveforms in result.plots:
        print(f"  {waveforms.plotname}: {len(waveforms)} point(s)")
        for vector in waveforms.vectors:
            print(f"    {vector.name:<24} {_summary(vector.data)} {vector.unit}".rstrip())
    if args.raw is not None and result.plots:
        print(f"raw file written to {args.raw}")
    if args.vectors:
        _print_table(result.waveforms, args.vectors)


def _compile(args: argparse.Namespace) -> None:
    from spicegen.netlist import subckt_text
    from spicegen.va.compile import compile_va

    if not args.model.is_file():
        raise CliError(f"no such Verilog-A file: {args.model}")
    subckt = compile_va(
        args.model, include_dirs=args.include_dirs, seed=args.seed, module=args.module
    )
    text = subckt_text(subckt)
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot write {args.output}: {err.strerror or err}") from None
    print(f"{args.model}: module {subckt.name} ({', '.join(subckt.ports)}) -> {args.output}")


def _build(args: argparse.Namespace) -> None:
    from spicegen.circuits import CrossbarParams, LinearConductance, Wires, read_circuit
    from spicegen.netlist import write_ngspice

    signed = args.cell in ("2R", "2T2R")
    if args.random is not None:
        rows, columns = args.random
        if rows < 1 or columns < 1:
            raise CliError(f"--random needs positive sizes, got {rows} x {columns}")
        rng = np.random.default_rng(args.seed)
        weights = rng.uniform(-1.0 if signed else 0.0, 1.0, size=(rows, columns))
    else:
        weights = _load_matrix(args.weights)
    params = CrossbarParams(
        tuple(tuple(float(w) for w in row) for row in weights),
        cell=args.cell,
        mapping=LinearConductance(args.g_min, args.g_max),
        wires=Wires(args.wire, args.wire),
    )
    circuit = read_circuit(params, [args.read] * params.rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_ngspice(circuit, args.output)
    print(f"wrote {args.output}: {params.rows}x{params.columns} {args.cell} crossbar read")


def _load_matrix(path: Path) -> np.ndarray:
    try:
        if path.suffix == ".npy":
            matrix = np.load(path, allow_pickle=False)
        else:
            matrix = np.loadtxt(path, delimiter="," if path.suffix == ".csv" else None, ndmin=2)
    except (OSError, ValueError) as err:
        raise CliError(f"cannot read a weight matrix from {path}: {err}") from None
    if matrix.ndim != 2:
        raise CliError(f"{path}: expected a 2-D weight matrix, got shape {matrix.shape}")
    return np.asarray(matrix, dtype=float)


def _plot(args: argparse.Namespace) -> None:
    from spicegen.plot import plot_waveforms
    from spicegen.waves import read_raw_plots

    if not args.raw.is_file():
        raise CliError(f"no such raw file: {args.raw}")
    plots = read_raw_plots(args.raw)
    if not -len(plots) <= args.plot < len(plots):
        raise CliError(f"{args.raw} has {len(plots)} plot(s); --plot {args.plot} is not one")
    path = plot_waveforms(plots[args.plot], args.vectors, args.output)
    print(f"figure written to {path}")


def _sweep(args: argparse.Namespace) -> None:
    from spicegen.sweep import load_spec, run

    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers must be >= 1, not {args.workers}")
    if args.scheduler is not None and args.workers is not None:
        raise CliError("--workers is for the local pool; a Dask cluster has its own workers")
    spec = load_spec(args.spec)
    summary = run(
        spec,
        args.scheduler or "local",
        store=args.out,
        resume=args.resume,
        workers=args.workers,
    )
    print(
        f"{args.spec}: {summary.total} point(s): {summary.done} done, {summary.failed} failed, "
        f"{summary.timeout} timed out ({summary.computed} computed, {summary.cached} from the "
        f"cache, {summary.skipped} already there) -> {args.out}"
    )


def _sweep_report(args: argparse.Namespace) -> None:
    from spicegen.sweep import report

    path = report(args.directory, args.output)
    print(f"report written to {path}")


def _print_table(waveforms, names: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
    columns = ([waveforms.axis_name] if waveforms.axis_name else []) + list(names)
    data = [waveforms[name] for name in columns]
    print("\t".join(waveforms.vector(name).name for name in columns))
    for row in zip(*data, strict=True):
        print("\t".join(_number(value) for value in row))


def _summary(data: np.ndarray) -> str:
    if data.size == 0:
        return "(empty)"
    if data.size == 1:
        return f"= {_number(data[0])}"
    if np.iscomplexobj(data):
        magnitude = np.abs(data)
        return f"|.| {_number(magnitude.min())} .. {_number(magnitude.max())}"
    return f"{_number(data.min())} .. {_number(data.max())}, last {_number(data[-1])}"


def _number(value: complex | float) -> str:
    if isinstance(value, complex | np.complexfloating):
        return f"{value.real:.6g}{value.imag:+.6g}j"
    return f"{float(value):.6g}"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"no such netlist file: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(f"cannot read {path}: {err}") from None


def _version() -> str:
    try:
        return version("spicegen")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
