"""``spicegen build bayesian-machine``: the Bayesian machine for one observation vector.

From a likelihood table (``--likelihoods FILE.json``) or, with ``--scaled``, from a naive-Bayes
model fitted here at the fabricated prototype's size (2 classes x 4 observations x 16 values x
8 bits in 2T2R pairs: 2,048 memristors). ``--variant logarithmic`` builds the adders of
log-likelihoods (arXiv 2406.03492) instead of the AND gates and counters.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    integers,
    non_negative_int,
    numbers,
    output_file,
    read_text,
)

MAX_MEMRISTORS = 1 << 16  # a typo in --bins or --features should not write a huge deck


def register(circuits: SubParsers) -> None:
    """Add ``bayesian-machine`` to ``spicegen build``'s circuits."""
    bayes = circuits.add_parser(
        "bayesian-machine",
        help="naive-Bayes inference in XSPICE logic, stochastic or logarithmic (.tran)",
        description="The Bayesian machine for one observation vector. Stochastic (default): "
        "per class an AND of LFSR likelihood streams and a counter (nodes cnt<class>_<bit>, "
        "LSB first; the inferred class has the largest count at the end of the transient). "
        "Logarithmic: per class an adder of stored costs round(-ln p / step), one "
        "observation per clock cycle (nodes acc<class>_<bit>; the smallest sum wins).",
    )
    bayes.add_argument(
        "-o", "--output", type=Path, required=True,
        help=f"netlist file (.cir); {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip
    source = bayes.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--likelihoods", type=Path, metavar="FILE.json",
        help="JSON array table[class][observation][value] = P(o_i = v | y), each in [0, 1]",
    )  # fmt: skip
    source.add_argument(
        "--scaled", action="store_true",
        help="the prototype's size: naive Bayes fitted on --dataset's --features in --bins "
        "quantile bins (fold 0 of 5), 8-bit codes in 2T2R memristor pairs "
        "(breast cancer: 2 x 4 x 16 x 8 = 2,048 memristors)",
    )  # fmt: skip
    bayes.add_argument(
        "--dataset", metavar="NAME|FILE.csv",
        help="with --scaled: a bundled dataset or a CSV (default breast_cancer)",
    )  # fmt: skip
    bayes.add_argument(
        "--features", metavar="I,J,...",
        help="with --scaled: feature columns (default 20,22,23,27: worst radius, perimeter, "
        "area, concave points)",
    )  # fmt: skip
    bayes.add_argument(
        "--bins", type=int, metavar="N", help="with --scaled: values per feature (default 16)"
    )
    bayes.add_argument(
        "--sample", type=int, metavar="K",
        help="with --scaled and no --observation: build for fold 0's K-th test sample "
        "(default 0)",
    )  # fmt: skip
    bayes.add_argument(
        "--observation", metavar="I,J,...",
        help="one value index per observation, comma-separated (required with --likelihoods)",
    )  # fmt: skip
    bayes.add_argument(
        "--variant", choices=("stochastic", "logarithmic"), default="stochastic",
        help="AND gates and counters (default) or adders of log-likelihoods",
    )  # fmt: skip
    bayes.add_argument(
        "--memory", choices=("ideal", "2t2r"), default=None,
        help="ideal bits or 2T2R memristor pairs (5 k / 100 k ohm) with sense amplifiers "
        "(default ideal; 2t2r with --scaled)",
    )  # fmt: skip
    bayes.add_argument(
        "--priors", metavar="P,P,...", help="class priors P(y), comma-separated (default none)"
    )
    bayes.add_argument(
        "--bits", type=int, default=8, metavar="N", help="code and LFSR width, 3..12 (default 8)"
    )
    bayes.add_argument(
        "--cycles", type=int, metavar="N",
        help="stochastic: clock cycles counted (default 2**bits - 1)",
    )  # fmt: skip
    bayes.add_argument(
        "--log-step", type=float, metavar="NATS",
        help="logarithmic: nats per code unit (default: the smallest likelihood at full scale)",
    )  # fmt: skip
    bayes.add_argument(
        "--clock-period", type=float, default=1e-6, metavar="S", help="s (default 1e-6)"
    )
    bayes.set_defaults(handler=_build)


def _build(args: argparse.Namespace) -> None:
    observation = None if args.observation is None else integers(args.observation, "--observation")
    priors = None if args.priors is None else numbers(args.priors, "--priors")
    inputs = [args.likelihoods] if args.likelihoods is not None else []
    if args.scaled:
        table, observation = _scaled_model(args, observation)
    else:
        for option in ("dataset", "features", "bins", "sample"):
            if getattr(args, option) is not None:
                raise CliError(f"--{option} applies to --scaled only")
        if observation is None:
            raise CliError("--observation is required with --likelihoods")
        table = _load_json(args.likelihoods)
    output_file(args.output, "--output", inputs=inputs)

    from spicegen.circuits.bayesian_machine import IdealBits, Memristor2T2R, from_likelihoods

    memory_kind = args.memory or ("2t2r" if args.scaled else "ideal")
    memory = Memristor2T2R() if memory_kind == "2t2r" else IdealBits()
    circuit, machine = from_likelihoods(
        table, args.bits, observation=observation, priors=priors, cycles=args.cycles,
        clock_period=args.clock_period, memory=memory, variant=args.variant,
        log_step=args.log_step,
    )  # fmt: skip
    from spicegen.netlist import write_ngspice

    try:
        write_ngspice(circuit, args.output)
    except OSError as err:
        raise CliError(f"cannot write {args.output}: {err.strerror or err}") from None
    stored = machine.classes * sum(machine.values) * machine.bits
    memory_note = f"{2 * stored:,} memristors (2T2R)" if memory_kind == "2t2r" else "ideal bits"
    nodes = "acc" if machine.variant == "logarithmic" else "cnt"
    rule = "smallest sum wins" if machine.variant == "logarithmic" else "largest count wins"
    print(
        f"wrote {args.output}: {circuit.title}, {stored:,} stored bits in {memory_note}, "
        f"{machine.cycles} cycles; class values on {nodes}<class>_<bit> (LSB first) at "
        f"t = {machine.stop_time:g} s ({rule})"
    )


def _scaled_model(args: argparse.Namespace, observation: list[int] | None) -> tuple[Any, Any]:
    """The fitted table and the observation for ``--scaled``."""
    from spicegen.learn.naive_bayes import PROTOTYPE_FEATURES, prototype_model

    features: tuple[int, ...] = PROTOTYPE_FEATURES
    if args.features is not None:
        listed = integers(args.features, "--features")
        features = tuple(non_negative_int(f, "--features") for f in listed)
    bins = 16 if args.bins is None else args.bins
    if not 2 <= bins <= 64:
        raise CliError(f"--bins must be in 2..64, not {bins}")
    model = prototype_model(args.dataset or "breast_cancer", features, bins)
    memristors = 2 * model.table.size * args.bits
    if memristors > MAX_MEMRISTORS:
        raise CliError(f"--scaled: {memristors:,} memristors is more than {MAX_MEMRISTORS:,}")
    if observation is None:
        sample = 0 if args.sample is None else args.sample
        if not 0 <= sample < len(model.test):
            raise CliError(f"--sample must be in 0..{len(model.test) - 1}, not {sample}")
        observation = [int(v) for v in model.test[sample]]
    elif args.sample is not None:
        raise CliError("--sample and --observation exclude each other")
    return model.table.tolist(), observation


def _load_json(path: Path) -> Any:
    text = read_text(path, "likelihood file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from None
    except RecursionError:
        raise CliError(f"{path}: JSON nested too deeply") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        raise CliError(f"{path}: {err}") from None
