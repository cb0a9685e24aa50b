"""``spicegen train METHOD``: train a network on simulated hardware, one module per method.

A method is a module ``spicegen/cli/train_<name>.py`` with ``register(methods)``, which adds its
sub-command parser(s) and sets ``handler``; add one by writing its module and naming it in
``METHODS`` (``train_snn`` adds ``vdsp`` and ``stdp``; ``fd``, ``mcmc``, ``bnn`` the same way).
"""

from __future__ import annotations

from spicegen.cli import train_snn
from spicegen.cli.common import CliError, SubParsers

METHODS = (train_snn,)


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
    names = ", ".join(methods.choices)
    parser.set_defaults(handler=lambda _: _no_method(names))


def _no_method(names: str) -> None:
    raise CliError(f"choose a training method: {names} (see spicegen train --help)")
