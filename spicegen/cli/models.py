"""``spicegen models``: the shipped device models, one line each."""

from __future__ import annotations

import argparse

from spicegen.cli.common import SubParsers


def register(commands: SubParsers) -> None:
    """Add ``models`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "models",
        help="list the shipped Verilog-A device models",
        description="List the shipped device models: name, ports and the first sentence of "
        "the model's header comment. `spicegen compile NAME` compiles one by name.",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Print one line per shipped model."""
    from spicegen import models

    infos = [models.describe(name) for name in models.available()]
    name_width = max((len(info.name) for info in infos), default=0)
    ports = [f"({', '.join(info.ports)})" for info in infos]
    ports_width = max((len(text) for text in ports), default=0)
    for info, port_text in zip(infos, ports, strict=True):
        print(f"{info.name:<{name_width}}  {port_text:<{ports_width}}  {info.description}")
