"""``spicegen train mcmc``: Bayesian learning with device randomness, cross-validated.

Memristor Metropolis-Hastings (``spicegen.learn.mcmc``): every weight a differential pair of
``--device`` devices, every proposal a programming cycle drawn from the device's own
cycle-to-cycle distribution (characterised by ngspice, cached), the likelihood read through the
array (``--engine spice``: ngspice through the crossbar; ``fast``: the read surrogate). Writes
into ``--out``: ``metrics.json`` (``accuracy_mean``, ``accuracy_std`` as fractions over folds,
``ece``, ``acceptance``, ``ess``, ``rhat``, ``energy_J``, per fold, and the two software
baselines on the same folds) and the figures ``traces.png``, ``posteriors.png``,
``calibration.png``, ``ood.png``, ``diagnostics.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    make_last_directory,
    non_negative_int,
)

DEVICES = ("rram_hfo2", "dw_synapse", "ideal")  # spicegen.learn.mcmc_devices.DEVICE_NAMES


def register(methods: SubParsers) -> None:
    """Add ``mcmc`` to the ``spicegen train`` methods."""
    parser = methods.add_parser(
        "mcmc",
        help="memristor Metropolis-Hastings: device programming cycles as proposals",
        description="Sample a Bayesian logistic regression (or a one-hidden-layer network) "
        "with proposals drawn from the devices' cycle-to-cycle randomness (Dalgaty et al., "
        "Nat. Electron. 2021), k-fold cross-validated against software Metropolis-Hastings "
        "and scikit-learn's logistic regression on the same folds.",
    )
    parser.add_argument("--dataset", required=True,
                        help="breast_cancer, wine, iris, or a CSV file (features, then the "
                        "label in the last column)")  # fmt: skip
    parser.add_argument("--device", choices=DEVICES, default="rram_hfo2",
                        help="the random source (default rram_hfo2)")  # fmt: skip
    parser.add_argument("--engine", choices=("spice", "fast"), default="fast",
                        help="where the array is read (default fast)")  # fmt: skip
    parser.add_argument("--chains", type=int, default=4, help="chains (default 4)")
    parser.add_argument("--samples", type=int, default=4000,
                        help="proposals per chain, burn-in included (default 4000)")  # fmt: skip
    parser.add_argument("--burn-in", type=int, default=None,
                        help="proposals not stored (default half of --samples)")  # fmt: skip
    parser.add_argument("--hidden", type=int, default=0,
                        help="tanh hidden units (default 0: logistic regression)")  # fmt: skip
    parser.add_argument("--block", type=int, default=4,
                        help="weights reprogrammed per proposal (default 4)")  # fmt: skip
    parser.add_argument("--prior-sd", type=float, default=1.0,
                        help="sd of the Gaussian prior on each weight (default 1)")  # fmt: skip
    parser.add_argument("--precondition", action="store_true",
                        help="sample a linear model in the coordinates its Laplace "
                        "approximation makes round (the same model; mixes far faster)")  # fmt: skip
    parser.add_argument("--precondition-width", type=float, default=0.4,
                        help="posterior sd per held weight when preconditioned (default 0.4; "
                        "the results use 0.25 for dw_synapse)")  # fmt: skip
    parser.add_argument("--floor", type=float, default=0.0,
                        help="rram_hfo2: share of the window's bottom left unused, where a "
                        "cycle barely moves (default 0; the results use 0.2)")  # fmt: skip
    parser.add_argument("--rows", type=int, default=None,
                        help="predict from an array of this many rows, thinned evenly over "
                        "the chains (default: every stored line)")  # fmt: skip
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (folds, chains, ...)")
    parser.add_argument(
        "--no-baselines",
        action="store_true",
        help="skip software Metropolis-Hastings and logistic regression",
    )
    parser.add_argument("--out", type=Path, required=True,
                        help=f"directory for the results; {OUTPUT_DIRECTORY_RULE}")  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> None:
    """Run the cross-validation and write its files into ``args.out``."""
    least_values = (("--folds", args.folds, 2), ("--chains", args.chains, 1),
                    ("--samples", args.samples, 2), ("--block", args.block, 1))  # fmt: skip
    for option, value, least in least_values:
        if value < least:
            raise CliError(f"{option} must be at least {least}, not {value}")
    if args.burn_in is not None and not 0 <= args.burn_in < args.samples:
        raise CliError(f"--burn-in must be in 0 .. --samples - 1, not {args.burn_in}")
    if args.hidden < 0:
        raise CliError(f"--hidden must be a non-negative integer, not {args.hidden}")
    if args.precondition and args.hidden:
        raise CliError("--precondition applies to linear models only (--hidden 0)")
    if not 0 <= args.floor < 1:
        raise CliError(f"--floor must be in [0, 1), not {args.floor}")
    if not 0 < args.precondition_width < 2:
        raise CliError(f"--precondition-width must be in (0, 2), not {args.precondition_width}")
    if args.rows is not None and args.rows < args.chains:
        raise CliError(f"--rows must be at least --chains ({args.chains}), not {args.rows}")
    if not args.prior_sd > 0:
        raise CliError(f"--prior-sd must be > 0, not {args.prior_sd}")
    non_negative_int(args.seed, "--seed")
    make_last_directory(args.out, "--out")

    from spicegen import models
    from spicegen.learn import load_dataset
    from spicegen.learn.mcmc_devices import device_kind
    from spicegen.learn.mcmc_run import cross_validate, write_run

    dataset = load_dataset(args.dataset)
    model = None if args.device == "ideal" else models.load(args.device)
    device = device_kind(model, floor=args.floor)
    cv = cross_validate(
        dataset, device, engine=args.engine, folds=args.folds, chains=args.chains,
        samples=args.samples, burn_in=args.burn_in, block=args.block, hidden=args.hidden,
        prior_sd=args.prior_sd, baselines=not args.no_baselines, seed=args.seed, progress=None,
        precondition=args.precondition, precondition_width=args.precondition_width,
        rows=args.rows,
    )  # fmt: skip
    paths = write_run(cv, args.out)
    for method in cv.methods:
        accuracy, ece = cv.summary("accuracy", method), cv.summary("ece", method)
        print(f"{method}: accuracy {accuracy}, ECE {ece.mean:.3f}")
    print(f"{dataset.name}, {device.name}, {cv.engine} engine, {args.folds} folds, "
          f"{cv.seconds:.1f} s; written to {args.out}: "
          + ", ".join(p.name for p in paths))  # fmt: skip
