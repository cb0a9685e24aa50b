"""``main()``: the top-level parser, one verb module per command, and the one error handler.

A verb is a module of this package with ``register(commands)``, which adds its parser and sets
``handler``; add a verb by writing its module and naming it in ``VERBS``. A call that names its
verb first (``spicegen run deck.cir``) imports and registers that verb's module only, and
``--version`` none; any other call (``--help``, a mistake) registers them all. A verb imports the
packages it drives when its handler runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from spicegen.cli.common import ArgumentParser
from spicegen.errors import SpicegenError

TYPE_CHECKING = False  # typing's flag (type checkers read it as True) without typing's import

if TYPE_CHECKING:
    from typing import Any

# verb -> its module in this package, in the order --help lists them
VERBS = {
    "run": "run",
    "compile": "compile",
    "build": "build",
    "plot": "plot",
    "sweep": "sweep",
    "sweep-report": "sweep_report",
    "models": "models",
    "train": "train",
    "neuron-atlas": "neuron_atlas",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``spicegen`` console script; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_verbs_needed(arguments))
    args = parser.parse_args(arguments)
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


def _verbs_needed(arguments: Sequence[str]) -> tuple[str, ...] | None:
    """The verbs whose parsers a call needs: the one it names first, none for ``--version``
    alone, all (``None``) for anything else (``--help``, a mistake); every verb's parser costs
    its import and argparse's set-up, a third of ``spicegen run``'s start-up."""
    if arguments and arguments[0] in VERBS:
        return (arguments[0],)
    return () if list(arguments) == ["--version"] else None


def build_parser(only: Sequence[str] | None = None) -> ArgumentParser:
    """The ``spicegen`` parser with every verb registered, or the verbs ``only``."""
    parser = ArgumentParser(
        prog="spicegen",
        description="Compact models, neuromorphic circuits and ngspice co-simulation.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb, module in VERBS.items():
        if only is None or verb in only:
            importlib.import_module(f"spicegen.cli.{module}").register(commands)
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
