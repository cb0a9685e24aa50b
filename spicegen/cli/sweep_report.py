"""``spicegen sweep-report``: plot a sweep's measurements against its parameters."""

from __future__ import annotations

import argparse
from pathlib import Path

from spicegen.cli.common import OUTPUT_DIRECTORY_RULE, CliError, SubParsers, output_file


def register(commands: SubParsers) -> None:
    """Add ``sweep-report`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "sweep-report",
        help="plot a sweep's measurements against its parameters",
        description="Plot every measurement of a sweep directory against every parameter.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="results directory")
    parser.add_argument(
        "-o", "--output", type=Path, required=True,
        help=f"report.html or report.png, never a file of the store; {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Write the report of the sweep in ``args.directory`` to ``args.output``."""
    from spicegen.sweep import report
    from spicegen.sweep.store import DATABASE, WAVES

    if not args.directory.exists():
        raise CliError(f"no such sweep directory: {args.directory}")
    if not args.directory.is_dir():
        raise CliError(f"{args.directory} is not a directory (expected a sweep directory)")
    database = args.directory / DATABASE
    # SQLite keeps a WAL-mode database in three files; all of them are the store's
    store_files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
    waves = (args.directory / WAVES).resolve()
    if args.output.resolve().is_relative_to(waves):
        raise CliError(f"--output {args.output} is inside the store's {WAVES}/ directory")
    output_file(args.output, "--output", inputs=store_files)
    path = report(args.directory, args.output)
    print(f"report written to {path}")
