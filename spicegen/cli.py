"""The ``spicegen`` command line: a thin layer over the packages; no logic of its own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spicegen.errors import SpicegenError

if TYPE_CHECKING:
    from spicegen.netlist import Circuit


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
        help="generate a runnable circuit netlist (crossbar, neurons, Bayesian machine)",
        description="Generate a complete ngspice deck (sources and an analysis) with "
        "spicegen.circuits; simulate it with `spicegen run`. SI units throughout.",
    )
    circuits = build.add_subparsers(dest="circuit", metavar="CIRCUIT", required=True)
    _crossbar_parser(circuits)
    _oscillator_parser(circuits)
    _pair_parser(circuits)
    _bayesian_parser(circuits)

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
    sweep.add_argument(
        "--allow-code", action="store_true",
        help="let the spec name a Python factory (module:function), which runs as code",
    )  # fmt: skip
    sweep.add_argument(
        "--max-points", type=int, default=1_000_000, metavar="N",
        help="refuse a sweep of more than N points (default 1000000)",
    )  # fmt: skip
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


def _output_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, required=True, help="netlist file (.cir)")


def _crossbar_parser(circuits: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    crossbar = circuits.add_parser(
        "crossbar",
        help="a crossbar read: row voltages into virtual-ground columns (.op)",
        description="A crossbar array read: every row at --read V, columns at virtual ground; "
        "the column currents are i(v...) of the operating point.",
    )
    _output_argument(crossbar)
    source = crossbar.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--weights", type=Path, metavar="FILE", help="weight matrix, .npy or text (.csv, .txt)"
    )
    source.add_argument(
        "--random", nargs=2, type=int, metavar=("ROWS", "COLS"),
        help="uniform random weights in [0, 1] (signed for 2R/2T2R cells)",
    )  # fmt: skip
    crossbar.add_argument("--seed", type=int, default=0, help="seed of --random (default 0)")
    crossbar.add_argument("--cell", choices=("1R", "1T1R", "2R", "2T2R"), default="1R")
    crossbar.add_argument(
        "--g-min", type=float, default=1e-6, metavar="S", help="S at weight 0 (default 1e-6)"
    )
    crossbar.add_argument(
        "--g-max", type=float, default=1e-4, metavar="S", help="S at weight 1 (default 1e-4)"
    )
    crossbar.add_argument(
        "--wire", type=float, default=0.0, metavar="OHM", help="ohm per line segment (default 0)"
    )
    crossbar.add_argument(
        "--read", type=float, default=0.2, metavar="V", help="row read voltage (default 0.2)"
    )
    crossbar.set_defaults(handler=_build)


def _oscillator_parser(circuits: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    oscillator = circuits.add_parser(
        "oscillator-neuron",
        help="threshold-switch relaxation-oscillator neuron(s) under a supply step (.tran)",
        description="A relaxation-oscillator neuron (load resistor, membrane capacitor, "
        "threshold-switching device) stepped from 0 to --v-in V at t = 0. Nodes: vdd, m "
        "(membrane), out (spike output). Several --v-in values build a population with "
        "lateral inhibition (nodes vdd<i>, out<i>, membranes xpop.m<i>).",
    )
    _output_argument(oscillator)
    oscillator.add_argument(
        "--v-in", type=float, nargs="+", default=[1.5], metavar="V",
        help="supply step in V, one per neuron (default 1.5)",
    )  # fmt: skip
    oscillator.add_argument(
        "--r-load", type=float, default=5e3, metavar="OHM", help="load resistor (default 5e3)"
    )
    oscillator.add_argument(
        "--c", type=float, default=1e-9, metavar="F", help="membrane capacitor (default 1e-9)"
    )
    oscillator.add_argument(
        "--device", choices=("threshold_switch", "nbox"), default="threshold_switch",
        help="compiled device model (default threshold_switch)",
    )  # fmt: skip
    oscillator.add_argument(
        "--inhibition", type=float, default=0.0, metavar="S",
        help="lateral inhibition of a population, A per V of spike output (default 0)",
    )  # fmt: skip
    oscillator.add_argument(
        "--tran", type=float, metavar="STOP",
        help="transient end in s (default 6 r_load c)",
    )  # fmt: skip
    oscillator.set_defaults(handler=_build_oscillator)


def _pair_parser(circuits: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pair = circuits.add_parser(
        "neuron-pair",
        help="MTJ neuron pair: f(I) and the forward difference f(I + dI) - f(I) (.op)",
        description="Two mtj devices biased at --bias and --bias + --delta A, read by a "
        "differential amplifier. Nodes: v1 = f(I), dout = gain (f2(I + dI) - f(I)).",
    )
    _output_argument(pair)
    pair.add_argument(
        "--bias", type=float, default=50e-6, metavar="A", help="bias current (default 50e-6)"
    )
    pair.add_argument(
        "--delta", type=float, default=2e-6, metavar="A", help="current step dI (default 2e-6)"
    )
    pair.add_argument(
        "--mismatch", type=float, default=0.0, metavar="EPS",
        help="relative rp mismatch of the second device, > -1 (default 0)",
    )  # fmt: skip
    pair.add_argument(
        "--gain", type=float, default=1.0, metavar="V/V", help="readout gain (default 1)"
    )
    pair.add_argument(
        "--state", type=int, choices=(0, 1), default=1, help="device state: 0 P, 1 AP (default)"
    )
    pair.set_defaults(handler=_build_pair)


def _bayesian_parser(circuits: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bayes = circuits.add_parser(
        "bayesian-machine",
        help="stochastic naive-Bayes inference in XSPICE logic (.tran)",
        description="The Bayesian machine for one observation vector: per class an AND of "
        "LFSR likelihood streams and a counter (nodes cnt<class>_<bit>, LSB first; the "
        "inferred class has the largest count at the end of the transient).",
    )
    _output_argument(bayes)
    bayes.add_argument(
        "--likelihoods", type=Path, required=True, metavar="FILE.json",
        help="JSON array table[class][observation][value] = P(o_i = v | y), each in [0, 1]",
    )  # fmt: skip
    bayes.add_argument(
        "--observation", required=True, metavar="I,J,...",
        help="one value index per observation, comma-separated",
    )  # fmt: skip
    bayes.add_argument(
        "--priors", metavar="P,P,...", help="class priors P(y), comma-separated (default none)"
    )
    bayes.add_argument(
        "--bits", type=int, default=8, metavar="N", help="code and LFSR width, 3..12 (default 8)"
    )
    bayes.add_argument(
        "--cycles", type=int, metavar="N", help="clock cycles counted (default 2**bits - 1)"
    )
    bayes.add_argument(
        "--clock-period", type=float, default=1e-6, metavar="S", help="s (default 1e-6)"
    )
    bayes.set_defaults(handler=_build_bayesian)


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
    _write_deck(circuit, args.output)
    print(f"wrote {args.output}: {params.rows}x{params.columns} {args.cell} crossbar read")


def _build_oscillator(args: argparse.Namespace) -> None:
    from spicegen.demo import oscillator_neuron_deck

    circuit = oscillator_neuron_deck(
        args.v_in, r_load=args.r_load, c=args.c, device=args.device,
        inhibition=args.inhibition, stop=args.tran,
    )  # fmt: skip
    _write_deck(circuit, args.output)
    stop = max(getattr(analysis, "stop", 0.0) for analysis in circuit.analyses)
    print(f"wrote {args.output}: {circuit.title}, transient to {stop:g} s")


def _build_pair(args: argparse.Namespace) -> None:
    from spicegen.demo import neuron_pair_deck

    circuit = neuron_pair_deck(
        args.bias, args.delta, args.mismatch, gain=args.gain, state0=args.state
    )
    _write_deck(circuit, args.output)
    print(f"wrote {args.output}: {circuit.title}, operating point of v(v1) and v(dout)")


def _build_bayesian(args: argparse.Namespace) -> None:
    from spicegen.demo import bayesian_machine_deck

    table = _load_json(args.likelihoods)
    observation = _integers(args.observation, "--observation")
    priors = None if args.priors is None else _floats(args.priors, "--priors")
    circuit, machine = bayesian_machine_deck(
        table, observation, bits=args.bits, cycles=args.cycles, priors=priors,
        clock_period=args.clock_period,
    )  # fmt: skip
    _write_deck(circuit, args.output)
    print(
        f"wrote {args.output}: {circuit.title}, {machine.cycles} cycles; class counts on "
        f"cnt<class>_<bit> (LSB first) at t = {machine.stop_time:g} s"
    )


def _write_deck(circuit: Circuit, path: Path) -> None:
    from spicegen.netlist import write_ngspice

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_ngspice(circuit, path)
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror or err}") from None


def _load_json(path: Path) -> Any:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"no such likelihood file: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(f"cannot read {path}: {err}") from None
    except json.JSONDecodeError as err:
        raise CliError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from None


def _integers(text: str, option: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise CliError(f"{option} expects comma-separated integers, got {text!r}") from None


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise CliError(f"{option} expects comma-separated numbers, got {text!r}") from None


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
    if args.max_points < 1:
        raise CliError(f"--max-points must be >= 1, not {args.max_points}")
    if args.scheduler is not None and args.workers is not None:
        raise CliError("--workers is for the local pool; a Dask cluster has its own workers")
    spec = load_spec(args.spec, allow_code=args.allow_code)
    summary = run(
        spec,
        args.scheduler or "local",
        store=args.out,
        resume=args.resume,
        workers=args.workers,
        max_points=args.max_points,
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
