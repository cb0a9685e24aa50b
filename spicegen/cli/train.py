"""``spicegen train``: the trainers, one sub-command module each (``train_<name>.py``)."""

from __future__ import annotations

from spicegen.cli import train_bnn
from spicegen.cli.common import SubParsers

TRAINERS = (train_bnn,)


def register(commands: SubParsers) -> None:
    """Add ``train`` and its sub-commands to the ``spicegen`` commands."""
    parser = commands.add_parser("train", help="train a network on simulated hardware")
    trainers = parser.add_subparsers(dest="trainer", metavar="TRAINER", required=True)
    for trainer in TRAINERS:
        trainer.register(trainers)
