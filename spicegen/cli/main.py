"""``main()``: the top-level parser, one verb module per command, and the one error handler.

A verb is a module of this package with ``register(commands)``, which adds its parser and sets
``handler``; add a verb by writing its module and naming it in ``VERBS``. Registering is cheap
(argparse only): a verb imports the packages it drives when its handler runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from spicegen.cli import build, models, neuron_atlas, plot, run, sweep, sweep_report, train
from spicegen.cli import compile as compile_
from spicegen.cli.common import ArgumentParser
from spicegen.errors import SpicegenError

VERBS = (run, compile_, build, plot, sweep, sweep_report, models, train, neuron_atlas)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``spicegen`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
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
    except BrokenPipeError:
        # the reader of our output went away (``spicegen run ... | head``): stop quietly, and
        # point stdout at /dev/null so the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def build_parser() -> ArgumentParser:
    """The ``spicegen`` parser with every verb registered."""
    parser = ArgumentParser(
        prog="spicegen",
        description="Compact models, neuromorphic circuits and ngspice co-simulation.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb in VERBS:
        verb.register(commands)
    return parser


class _Version(argparse.Action):
    """``--version``: ``spicegen.__version__`` (importlib.metadata would cost more than the
    rest of the start-up)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from spicegen import __version__

        print(f"spicegen {__version__}")
        parser.exit(0)
