"""``spicegen plot``: draw vectors of an ngspice raw file into an image file."""

from __future__ import annotations

import argparse
from pathlib import Path

from spicegen.cli.common import OUTPUT_DIRECTORY_RULE, CliError, SubParsers, input_file, output_file


def register(commands: SubParsers) -> None:
    """Add ``plot`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "plot",
        help="plot vectors of a raw file",
        description="Plot vectors of an ngspice raw file against its axis.",
    )
    parser.add_argument("raw", type=Path, help="ngspice raw file (binary or ASCII)")
    parser.add_argument("vectors", nargs="+", metavar="VEC", help="e.g. v(out) i(v1)")
    parser.add_argument(
        "-o", "--output", type=Path, required=True,
        help=f"image file (.png, .svg, .pdf...), never the raw file; {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip
    parser.add_argument("--plot", type=int, default=0, metavar="N", help="plot index in the file")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Read ``args.raw`` and write the figure of ``args.vectors`` to ``args.output``."""
    input_file(args.raw, "raw file")
    output_file(args.output, "--output", inputs=[args.raw])

    from spicegen.plot import plot_waveforms
    from spicegen.waves import read_raw_plots

    plots = read_raw_plots(args.raw)
    if not -len(plots) <= args.plot < len(plots):
        raise CliError(f"{args.raw} has {len(plots)} plot(s); --plot {args.plot} is not one")
    path = plot_waveforms(plots[args.plot], args.vectors, args.output)
    print(f"figure written to {path}")
