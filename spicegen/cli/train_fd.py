"""``spicegen train fd``: finite-difference training of an MTJ network, cross-validated.

Writes into ``--out``: ``metrics.json`` (accuracy mean and sd over folds as fractions, per-fold
figures, the software tanh baseline on the same folds, energy per sample, engine, dataset,
seconds), ``learning_curve.png``, ``confusion.png``, the trained conductances
(``conductances.npz``) and the trained chip as a netlist (``network.cir``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    make_last_directory,
    non_negative_int,
)


def register(methods: SubParsers) -> None:
    """Add ``fd`` to the ``spicegen train`` methods."""
    parser = methods.add_parser(
        "fd",
        help="analog finite-difference gradients with MTJ neuron pairs",
        description="Train an MTJ network with the derivatives its neuron pairs measure "
        "(arXiv 2603.03947), k-fold cross-validated, with a software tanh baseline on the "
        "same folds.",
    )
    parser.add_argument("--dataset", required=True,
                        help="iris, digits, mnist5k, breast_cancer, wine, or a CSV file "
                        "(features, then the label in the last column)")  # fmt: skip
    parser.add_argument("--hidden", type=int, nargs="+", default=[8], metavar="N",
                        help="neurons per hidden layer (default 8)")  # fmt: skip
    parser.add_argument("--engine", choices=("surrogate", "spice", "software"),
                        default="surrogate",
                        help="where forward passes run (default surrogate)")  # fmt: skip
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs per fold (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (folds, init, ...)")
    parser.add_argument("--out", type=Path, required=True,
                        help=f"directory for the results; {OUTPUT_DIRECTORY_RULE}")  # fmt: skip
    parser.add_argument("--learning-rate", type=float, default=0.2, metavar="LR")
    parser.add_argument("--batch-size", type=int, default=8, metavar="B")
    parser.add_argument("--decay-every", type=int, default=50, metavar="N",
                        help="halve the learning rate every N epochs (default 50)")  # fmt: skip
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                        help="sgd (default; with --momentum) or adam (Kingma & Ba; its "
                        "learning rate is a step per weight, e.g. 5e-4)")  # fmt: skip
    parser.add_argument("--momentum", type=float, default=0.0,
                        help="heavy-ball momentum of sgd (default 0)")  # fmt: skip
    parser.add_argument("--init-scale", type=float, default=1.0, metavar="S",
                        help="initial weights in +-S / sqrt(fan-in) (default 1)")  # fmt: skip
    parser.add_argument("--loss", choices=("cross_entropy", "mse"), default="cross_entropy")
    parser.add_argument("--mismatch", type=float, default=0.005,
                        help="sd of the pair mismatch rp2/rp1 - 1 (default 0.005)")  # fmt: skip
    parser.add_argument("--spread", type=float, default=0.05,
                        help="device-to-device sd of rp (default 0.05)")  # fmt: skip
    parser.add_argument("--delta-ratio", type=float, default=0.02, help="dI / I (default 0.02)")
    parser.add_argument("--levels", type=int, default=None,
                        help="conductance levels per device (default continuous)")  # fmt: skip
    parser.add_argument("--write-noise", type=float, default=0.0,
                        help="sd of a write, fraction of g_max - g_min (default 0)")  # fmt: skip
    parser.add_argument("--bias-current", type=float, default=100e-6, metavar="A",
                        help="the pairs' bias point (default 100e-6 A; mnist5k's chosen "
                        "operating point is 40e-6 with --current-scale 40e-6)")  # fmt: skip
    parser.add_argument("--current-scale", type=float, default=50e-6, metavar="A",
                        help="current per unit pre-activation (default 50e-6 A)")  # fmt: skip
    parser.add_argument("--g-min", type=float, default=1e-6, help="S (default 1e-6)")
    parser.add_argument("--g-max", type=float, default=1e-4, help="S (default 1e-4)")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="spread the SPICE engine over the workers of a Dask scheduler "
                        "(tcp://host:port)")  # fmt: skip
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the software tanh baseline")  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Run the cross-validation and write its files into ``args.out``."""
    for option, value in (("--folds", args.folds), ("--epochs", args.epochs)):
        if value < 1:
            raise CliError(f"{option} must be at least 1, not {value}")
    non_negative_int(args.seed, "--seed")
    make_last_directory(args.out, "--out")

    from spicegen import models
    from spicegen.learn import load_dataset
    from spicegen.learn.fd_hardware import MtjChip
    from spicegen.learn.fd_run import cross_validate, write_run

    dataset = load_dataset(args.dataset)
    chip = MtjChip(
        g_min=args.g_min, g_max=args.g_max, delta_ratio=args.delta_ratio,
        bias_current=args.bias_current, current_scale=args.current_scale,
        rp_spread=args.spread, mismatch=args.mismatch, levels=args.levels,
        write_noise=args.write_noise,
    )  # fmt: skip
    client = _client(args.dask) if args.dask else None
    device = models.load("mtj")
    try:
        run = cross_validate(
            dataset, folds=args.folds, seed=args.seed, baseline=not args.no_baseline,
            engine=args.engine, device=device, chip=chip, hidden=tuple(args.hidden),
            epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size,
            loss=args.loss, scaling="global" if dataset.image_shape else "feature",
            decay_every=args.decay_every, optimizer=args.optimizer, momentum=args.momentum,
            init_scale=args.init_scale,
            client=client, progress=None,
        )  # fmt: skip
    finally:
        if client is not None:
            client.close()
    paths = write_run(run, args.out, device=device if args.engine != "software" else None)
    shape = "-".join(map(str, run.sizes))
    print(f"{dataset.name} {shape}, {run.engine} engine, {args.folds} folds: {run.summary}")
    if run.baseline_summary is not None:
        print(f"software tanh baseline, same folds: {run.baseline_summary}")
    print(
        f"{run.seconds:.1f} s; written to {args.out}: " + ", ".join(p.name for p in paths.values())
    )


def _client(address: str) -> Any:
    try:
        from distributed import Client as _Client
    except ImportError:
        raise CliError("--dask needs dask[distributed]: pip install 'spicegen[dask]'") from None
    if address.startswith("dask://"):
        address = "tcp://" + address.removeprefix("dask://")
    try:
        client: Any = _Client
        return client(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise CliError(f"--dask: cannot reach the Dask scheduler at {address}: {err}") from None
