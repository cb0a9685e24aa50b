"""``spicegen train METHOD``: train a network on simulated hardware, one module per method.

A method is a module ``spicegen/cli/train_<name>.py`` with ``register(methods)``, which adds its
sub-command parser and sets ``handler``. Add one by writing its module and adding one line,
its name, to ``METHODS``; nothing else here changes.
"""

from __future__ import annotations

import argparse
import importlib

from spicegen.cli.common import CliError, SubParsers

METHODS = (
    "fd",  # finite-difference gradients with MTJ neuron pairs (train_fd.py)
    "bnn",  # binarized networks with SPICE-characterised synapse writes (train_bnn.py)
    "mcmc",  # memristor Metropolis-Hastings with device proposals (train_mcmc.py)
    "snn",  # spiking networks, VDSP or STDP: train vdsp|stdp (train_snn.py)
)


def register(commands: SubParsers) -> None:
    """Add ``train`` and its methods to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "train",
        help="train a network on simulated hardware",
        description="Train a network whose devices are simulated (ngspice, or a surrogate "
        "characterised from ngspice). Choose the learning method:",
    )
    methods = parser.add_subparsers(dest="method", metavar="METHOD")
    for name in METHODS:
        importlib.import_module(f"spicegen.cli.train_{name}").register(methods)
    # a module may add several sub-commands (train_snn.py: vdsp and stdp): list what was added
    parser.set_defaults(handler=_no_method, train_commands=tuple(methods.choices))


def _no_method(args: argparse.Namespace) -> None:
    commands = ", ".join(args.train_commands)
    raise CliError(f"choose a training method: {commands} (see spicegen train --help)")
