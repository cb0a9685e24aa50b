"""``spicegen neuron-atlas``: the six behaviours of the NbOx neuron, the f-I curve and the
refractory period, simulated in ngspice and classified; ``DIR/atlas.json`` and
``DIR/atlas.png``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spicegen.cli.common import OUTPUT_DIRECTORY_RULE, SubParsers, make_last_directory

MODELS = ("nbox", "threshold_switch")


def register(commands: SubParsers) -> None:
    """Add ``neuron-atlas`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "neuron-atlas",
        help="the NbOx neuron's behaviours, simulated and classified",
        description="Run one stimulus protocol per behaviour of the NbOx neuron (tonic "
        "spiking, phasic bursting, leaky integrate-and-fire, spike latency, temporal "
        "integration, stochastic spiking; Drouhin et al. 2022) on the oscillator neuron in "
        "ngspice, classify each by quantitative criteria, and measure the f-I curve and the "
        "refractory period. Writes DIR/atlas.json and DIR/atlas.png.",
    )
    parser.add_argument("--model", choices=MODELS, default="nbox",
                        help="the device model of the neuron (default nbox, the thermal "
                        "model; threshold_switch is the piecewise one)")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="directory for atlas.json and atlas.png; "
                        f"{OUTPUT_DIRECTORY_RULE}")  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Run the atlas of ``args.model`` and write its files into ``args.out``."""
    make_last_directory(args.out, "--out")

    from spicegen import models
    from spicegen.learn.atlas_figure import atlas_figure
    from spicegen.learn.neuron_atlas import STEPS, atlas_summary, run_atlas
    from spicegen.sweep.progress import Progress

    bar = Progress(STEPS, desc=f"atlas {args.model}", unit="protocol")
    try:
        atlas = run_atlas(models.load(args.model), on_step=lambda _: bar.update(1, 0))
    finally:
        bar.close()
    summary = atlas_summary(atlas)
    path = args.out / "atlas.json"
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    figure = atlas_figure(atlas, args.out / "atlas.png")
    behaviours = {name: atlas.verdicts[name].shown for name in atlas.verdicts}
    shown = [name for name, value in behaviours.items() if value]
    print(f"{args.model}: {len(shown)} of 6 behaviours shown ({', '.join(shown)})")
    print(f"wrote {path} and {figure}")
