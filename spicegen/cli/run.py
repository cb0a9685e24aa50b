"""``spicegen run``: simulate a netlist file with ngspice and summarise every plot."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    input_file,
    output_file,
    read_netlist,
)

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from spicegen.sim import Variable
    from spicegen.waves import PlotSummary, VectorSummary, Waveforms


def register(commands: SubParsers) -> None:
    """Add ``run`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "run",
        help="simulate a netlist with ngspice and summarise the result",
        description="Simulate an ngspice netlist and print a summary of every plot.",
    )
    parser.add_argument("netlist", type=Path, help="ngspice netlist file")
    parser.add_argument("--backend", choices=("batch", "shared"), default="batch")
    parser.add_argument(
        "--raw", type=Path, metavar="OUT.raw",
        help=f"keep the raw file (batch backend); {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip
    parser.add_argument(
        "--print", nargs="+", default=(), metavar="VEC", dest="vectors",
        help="print these vectors of the main plot as a table",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S", help="seconds")
    parser.add_argument(
        "--allow-control", action="store_true",
        help="run .control blocks (they can execute shell commands)",
    )  # fmt: skip
    parser.add_argument(
        "--osdi", action="append", default=[], type=Path, metavar="LIB",
        help="load this OSDI device library first (`spicegen compile --target osdi`; "
        "repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME[=VALUE]", dest="variables",
        help="an ngspice set variable read before the netlist, e.g. ngbehavior=ps (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--spiceinit", type=Path, metavar="FILE",
        help="take the set variables of this .spiceinit as data (ngspice never reads one itself)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Simulate ``args.netlist``; print a summary, then the ``--print`` table."""
    text = read_netlist(args.netlist)
    if not text.strip():
        raise CliError(f"{args.netlist} is empty (a netlist starts with a title line)")
    if args.raw is not None:
        output_file(args.raw, "--raw", inputs=[args.netlist])

    from spicegen.sim import Run

    run = Run(
        text,
        variables=_variables(args.variables, args.spiceinit),
        base_dir=str(args.netlist.resolve().parent),
        allow_control=args.allow_control,
        osdi=tuple(str(input_file(path, "OSDI library")) for path in args.osdi),
    )
    options = {"backend": args.backend, "timeout": args.timeout, "raw_path": args.raw}
    waveforms: Waveforms | None = None
    if args.vectors:  # the table needs the data themselves
        from spicegen.sim import simulate
        from spicegen.waves import summarise_waveforms

        result = simulate(run, **options)
        plots = tuple(summarise_waveforms(plot) for plot in result.plots)
        elapsed, waveforms = result.elapsed, result.waveforms
    else:  # the summary alone, read without numpy (most of a small run's start-up)
        from spicegen.sim import simulate_summary

        plots, elapsed = simulate_summary(run, **options)
    print(_report(args.netlist, plots, elapsed, args.backend), end="")
    if args.raw is not None and plots:
        print(f"raw file written to {args.raw}")
    if waveforms is not None:
        _print_table(waveforms, args.vectors)


def _report(netlist: Path, plots: Sequence[PlotSummary], elapsed: float, backend: str) -> str:
    """The summary lines: one per plot, then one per vector (range, last value, unit)."""
    lines = [f"{netlist}: {len(plots)} plot(s), ngspice {elapsed:.3f} s ({backend})"]
    for plot in plots:
        lines.append(f"  {plot.plotname}: {plot.points} point(s)")
        for vector in plot.vectors:
            lines.append(f"    {vector.name:<24} {_summary(vector)} {vector.unit}".rstrip())
    return "".join(f"{line}\n" for line in lines)


def _variables(settings: Sequence[str], spiceinit: Path | None) -> tuple[Variable, ...]:
    """The ``--spiceinit`` file's variables, then each ``--set`` (a later one wins in ngspice)."""
    from spicegen.sim import (
        InvalidRequestError,
        UnsafeNetlistError,
        Variable,
        variables_from_init,
    )

    found: list[Variable] = []
    if spiceinit is not None:
        try:
            found.extend(variables_from_init(spiceinit))
        except (InvalidRequestError, UnsafeNetlistError) as err:
            raise CliError(f"--spiceinit: {' '.join(err.message.split())}") from None
    for setting in settings:
        name, equals, value = setting.partition("=")
        try:
            variable = Variable(name.strip(), value.strip()) if equals else Variable(name.strip())
        except InvalidRequestError as err:
            raise CliError(f"--set {setting}: {' '.join(err.message.split())}") from None
        found.append(variable)
    return tuple(found)


def _print_table(waveforms: Waveforms, names: Sequence[str]) -> None:
    columns = ([waveforms.axis_name] if waveforms.axis_name else []) + list(names)
    data = [waveforms[name] for name in columns]
    print("\t".join(waveforms.vector(name).name for name in columns))
    for row in zip(*data, strict=True):
        print("\t".join(_number(value) for value in row))


def _summary(vector: VectorSummary) -> str:
    if vector.last is None or vector.low is None or vector.high is None:
        return "(empty)"
    if vector.points == 1:
        return f"= {_number(vector.last)}"
    if isinstance(vector.last, complex):
        return f"|.| {_number(vector.low)} .. {_number(vector.high)}"
    return f"{_number(vector.low)} .. {_number(vector.high)}, last {_number(vector.last)}"


def _number(value: complex | float) -> str:
    if isinstance(value, complex):  # numpy's complex128 is a complex
        return f"{value.real:.6g}{value.imag:+.6g}j"
    return f"{float(value):.6g}"
