"""``spicegen sweep``: run every point of a TOML sweep spec into a results directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from spicegen.cli.common import CliError, SubParsers, input_file, output_directory


def register(commands: SubParsers) -> None:
    """Add ``sweep`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "sweep",
        help="run a parameter sweep or Monte Carlo from a TOML spec",
        description="Run every point of a sweep spec (TOML) into a results directory. The "
        "spec's seed is the sweep seed; each point's own seed derives from it and its index.",
    )
    parser.add_argument("spec", type=Path, help="sweep spec (.toml), see docs/sweep.md")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR",
        help="results directory; created if its parent exists (one level only)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, metavar="N", help="local processes (default: cores)")
    parser.add_argument(
        "--scheduler", metavar="ADDR", help="Dask scheduler, tcp://host:port (default: local pool)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="finish a sweep already in DIR (same spec)"
    )
    parser.add_argument(
        "--allow-code", action="store_true",
        help="let the spec name a Python factory (module:function): it runs as code",
    )  # fmt: skip
    parser.add_argument(
        "--max-points", type=int, metavar="N",
        help="refuse a sweep of more than N points (default 1,000,000)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Run the sweep of ``args.spec`` into ``args.out``; print the summary."""
    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers must be >= 1, not {args.workers}")
    if args.max_points is not None and args.max_points < 1:
        raise CliError(f"--max-points must be >= 1, not {args.max_points}")
    if args.scheduler is not None and args.workers is not None:
        raise CliError("--workers is for the local pool; a Dask cluster has its own workers")
    input_file(args.spec, "spec file")
    output_directory(args.out, "--out")

    from spicegen.sweep import MAX_POINTS, load_spec, run

    spec = load_spec(args.spec, allow_code=args.allow_code)
    summary = run(
        spec,
        args.scheduler or "local",
        store=args.out,
        resume=args.resume,
        workers=args.workers,
        max_points=MAX_POINTS if args.max_points is None else args.max_points,
    )
    print(
        f"{args.spec}: {summary.total} point(s): {summary.done} done, {summary.failed} failed, "
        f"{summary.timeout} timed out ({summary.computed} computed, {summary.cached} from the "
        f"cache, {summary.skipped} already there) -> {args.out}"
    )
