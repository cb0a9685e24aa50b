"""``spicegen train METHOD``: train a network on simulated hardware, one module per method.

A method is a module ``spicegen/cli/train_<name>.py`` with ``register(methods)``, which adds its
sub-command parser and sets ``handler``; add one by writing its module and naming it in
``METHODS`` (``fd`` now; ``vdsp``, ``stdp``, ``mcmc``, ``bnn`` the same way).
"""

from __future__ import annotations

import argparse

from spicegen.cli import train_fd
from spicegen.cli.common import CliError, SubParsers

METHODS = (train_fd,)


def register(commands: SubParsers) -> None:
    """Add ``train`` and its methods to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "train",
        help="train a network on simulated hardware",
        description="Train a network whose devices are simulated (ngspice, or a surrogate "
        "characterised from ngspice). Choose the learning method:",
    )
    methods = parser.add_subparsers(dest="method", metavar="METHOD")
    for method in METHODS:
        method.register(methods)
    parser.set_defaults(handler=_no_method)


def _no_method(args: argparse.Namespace) -> None:
    names = ", ".join(m.__name__.rsplit("_", 1)[-1] for m in METHODS)
    raise CliError(f"choose a training method: {names} (see spicegen train --help)")
