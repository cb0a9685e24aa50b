"""``spicegen build CIRCUIT``: write a runnable deck of one of the circuit generators.

Each circuit registers its own sub-parser (``CIRCUITS``); the decks themselves are
``spicegen.circuits.decks``. A new circuit may live in a module of its own with a
``register(circuits)`` function, named in ``CIRCUITS``.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from spicegen.cli import build_bayesian
from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    input_file,
    non_negative_int,
    output_file,
)

if TYPE_CHECKING:
    import numpy as np

    from spicegen.netlist import Circuit

# Bounds on what one command line may ask for, so a typo cannot exhaust the machine's memory:
# the project's largest benchmarked crossbar is 1024 x 1024; a population's lateral inhibition
# has size^2 elements.
MAX_CELLS = 1024 * 1024
MAX_NEURONS = 1000


def register(commands: SubParsers) -> None:
    """Add ``build`` and its circuits to the ``spicegen`` commands."""
    build = commands.add_parser(
        "build",
        help="generate a runnable circuit netlist (crossbar, neurons, layer, Bayesian machine)",
        description="Generate a complete ngspice deck (sources and an analysis) with "
        "spicegen.circuits; simulate it with `spicegen run`. SI units throughout.",
    )
    circuits = build.add_subparsers(dest="circuit", metavar="CIRCUIT", required=True)
    for add in CIRCUITS:
        add(circuits)


def _output_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", type=Path, required=True,
        help=f"netlist file (.cir); {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip


def _crossbar(circuits: SubParsers) -> None:
    crossbar = circuits.add_parser(
        "crossbar",
        help="a crossbar read: row voltages into virtual-ground columns (.op)",
        description="A crossbar array read: every row at --read V, columns at virtual ground; "
        "the column currents are i(v...) of the operating point.",
    )
    _output_argument(crossbar)
    _array_arguments(crossbar, ("1R", "1T1R", "2R", "2T2R"))
    crossbar.set_defaults(handler=_build_crossbar)


def _array_arguments(parser: argparse.ArgumentParser, cells: tuple[str, ...]) -> None:
    """The weights, cells, conductance range, lines and read voltage of a resistive array."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--weights", type=Path, metavar="FILE", help="weight matrix, .npy or text (.csv, .txt)"
    )
    source.add_argument(
        "--random", nargs=2, type=int, metavar=("ROWS", "COLS"),
        help="uniform random weights in [0, 1) (signed for 2R/2T2R cells)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N",
        help="circuit seed of --random, an integer >= 0 (default 0)",
    )  # fmt: skip
    parser.add_argument("--cell", choices=cells, default="1R")
    parser.add_argument(
        "--g-min", type=float, default=1e-6, metavar="S", help="S at weight 0 (default 1e-6)"
    )
    parser.add_argument(
        "--g-max", type=float, default=1e-4, metavar="S", help="S at weight 1 (default 1e-4)"
    )
    parser.add_argument(
        "--wire", type=float, default=0.0, metavar="OHM", help="ohm per line segment (default 0)"
    )
    parser.add_argument(
        "--read", type=float, default=0.2, metavar="V", help="row read voltage (default 0.2)"
    )
    parser.add_argument(
        "--max-cells", type=int, default=MAX_CELLS, metavar="N",
        help=f"refuse larger arrays (default {MAX_CELLS}, 1024 x 1024)",
    )  # fmt: skip


def _array_weights(args: argparse.Namespace) -> np.ndarray:
    """The weight matrix of ``_array_arguments``, once the output path has been checked."""
    from spicegen.circuits.decks import random_weights

    non_negative_int(args.max_cells, "--max-cells")
    if args.random is not None:
        rows, columns = args.random
        if rows < 1 or columns < 1:
            raise CliError(f"--random needs positive sizes, got {rows} x {columns}")
        _check_cells(rows * columns, args.max_cells, f"--random {rows} {columns}")
        seed = non_negative_int(args.seed, "--seed")
        output_file(args.output, "--output")
        return random_weights(rows, columns, signed=args.cell in ("2R", "2T2R"), seed=seed)
    inputs = [input_file(args.weights, "weight matrix file")]
    output_file(args.output, "--output", inputs=inputs)
    return _load_matrix(args.weights, args.max_cells)


def _build_crossbar(args: argparse.Namespace) -> None:
    from spicegen.circuits.decks import crossbar_read_deck

    weights = _array_weights(args)
    circuit, params = crossbar_read_deck(
        weights, [args.read] * len(weights), cell=args.cell, g_min=args.g_min,
        g_max=args.g_max, wire=args.wire,
    )  # fmt: skip
    _write_deck(circuit, args.output)
    print(f"wrote {args.output}: {params.rows}x{params.columns} {args.cell} crossbar read")


def _check_cells(cells: int, limit: int, what: str) -> None:
    if cells > limit:
        raise CliError(f"{what}: {cells} cells is more than --max-cells {limit}")


def _load_matrix(path: Path, max_cells: int) -> np.ndarray:
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loadtxt warns on an empty file; we say it below
            if path.suffix == ".npy":
                matrix = np.load(path, allow_pickle=False)
            else:
                delimiter = "," if path.suffix == ".csv" else None
                matrix = np.loadtxt(path, delimiter=delimiter, ndmin=2)
    except (OSError, ValueError, EOFError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CliError(f"cannot read a weight matrix from {path}: {reason}") from None
    if not isinstance(matrix, np.ndarray):  # an .npz archive
        raise CliError(f"{path}: expected one array (.npy), got an archive")
    if matrix.dtype.kind not in "biuf":
        raise CliError(f"{path}: expected numbers, got an array of {matrix.dtype} values")
    if matrix.ndim != 2 or matrix.size == 0:
        raise CliError(f"{path}: expected a 2-D weight matrix, got shape {matrix.shape}")
    _check_cells(matrix.size, max_cells, str(path))
    return np.asarray(matrix, dtype=float)


def _oscillator_neuron(circuits: SubParsers) -> None:
    oscillator = circuits.add_parser(
        "oscillator-neuron",
        help="threshold-switch relaxation-oscillator neuron(s) under a supply step (.tran)",
        description="A relaxation-oscillator neuron (load resistor, membrane capacitor, "
        "threshold-switching device) stepped from 0 to --v-in V at t = 0. Nodes: vdd, m "
        "(membrane), out (spike output). Several --v-in values build a population with "
        "lateral inhibition (nodes vdd<i>, out<i>, membranes xpop.m<i>).",
    )
    _output_argument(oscillator)
    oscillator.add_argument(
        "--v-in", type=float, nargs="+", default=[1.5], metavar="V",
        help=f"supply step in V, one per neuron, at most {MAX_NEURONS} (default 1.5)",
    )  # fmt: skip
    oscillator.add_argument(
        "--r-load", type=float, default=5e3, metavar="OHM", help="load resistor (default 5e3)"
    )
    oscillator.add_argument(
        "--c", type=float, default=1e-9, metavar="F", help="membrane capacitor (default 1e-9)"
    )
    oscillator.add_argument(
        "--device", choices=("threshold_switch", "nbox"), default="threshold_switch",
        help="compiled device model (default threshold_switch)",
    )  # fmt: skip
    oscillator.add_argument(
        "--inhibition", type=float, default=0.0, metavar="S",
        help="lateral inhibition of a population, A per V of spike output (default 0)",
    )  # fmt: skip
    oscillator.add_argument(
        "--tran", type=float, metavar="STOP",
        help="transient end in s (default 6 r_load c)",
    )  # fmt: skip
    oscillator.set_defaults(handler=_build_oscillator_neuron)


def _build_oscillator_neuron(args: argparse.Namespace) -> None:
    if len(args.v_in) > MAX_NEURONS:
        raise CliError(f"--v-in: {len(args.v_in)} neurons is more than {MAX_NEURONS}")
    output_file(args.output, "--output")

    from spicegen import models
    from spicegen.circuits.decks import oscillator_neuron_deck

    circuit = oscillator_neuron_deck(
        models.load(args.device), args.v_in, r_load=args.r_load, c=args.c,
        inhibition=args.inhibition, stop=args.tran,
    )  # fmt: skip
    _write_deck(circuit, args.output)
    stop = max(getattr(analysis, "stop", 0.0) for analysis in circuit.analyses)
    print(f"wrote {args.output}: {circuit.title}, transient to {stop:g} s")


def _neuron_pair(circuits: SubParsers) -> None:
    pair = circuits.add_parser(
        "neuron-pair",
        help="MTJ neuron pair: f(I) and the forward difference f(I + dI) - f(I) (.op)",
        description="Two mtj devices biased at --bias and --bias + --delta A, read by a "
        "differential amplifier. Nodes: v1 = f(I), dout = gain (f2(I + dI) - f(I)).",
    )
    _output_argument(pair)
    _pair_arguments(pair, bias=50e-6)
    pair.set_defaults(handler=_build_neuron_pair)


def _pair_arguments(parser: argparse.ArgumentParser, *, bias: float) -> None:
    """The fields of ``NeuronPairParams`` a command line sets."""
    parser.add_argument(
        "--bias", type=float, default=bias, metavar="A", help=f"bias current (default {bias:g})"
    )
    parser.add_argument(
        "--delta", type=float, default=2e-6, metavar="A", help="current step dI (default 2e-6)"
    )
    parser.add_argument(
        "--mismatch", type=float, default=0.0, metavar="EPS",
        help="relative rp mismatch of the second device, > -1 (default 0)",
    )  # fmt: skip
    parser.add_argument(
        "--gain", type=float, default=1.0, metavar="V/V", help="readout gain (default 1)"
    )
    parser.add_argument(
        "--state", type=int, choices=(0, 1), default=1, help="device state: 0 P, 1 AP (default)"
    )


def _build_neuron_pair(args: argparse.Namespace) -> None:
    output_file(args.output, "--output")

    from spicegen import models
    from spicegen.circuits import NeuronPairParams
    from spicegen.circuits.decks import neuron_pair_deck

    params = NeuronPairParams(args.bias, args.delta, args.mismatch, args.gain, args.state)
    circuit = neuron_pair_deck(models.load("mtj"), params)
    _write_deck(circuit, args.output)
    print(f"wrote {args.output}: {circuit.title}, operating point of v(v1) and v(dout)")


def _network_layer(circuits: SubParsers) -> None:
    layer = circuits.add_parser(
        "network-layer",
        help="a crossbar driving one MTJ neuron pair per column: f(I) and f(I + dI) (.op)",
        description="A network layer: every row at --read V; each weight column's current, "
        "times --mirror, biases an mtj neuron pair on top of --bias (and --bias + --delta). "
        "Nodes: v1_<k> = f(I_k), dout_<k> = gain (f2(I_k + dI) - f(I_k)); column ammeters "
        "Vcol<t>.",
    )
    _output_argument(layer)
    _array_arguments(layer, ("1R", "2R"))
    _pair_arguments(layer, bias=20e-6)
    layer.add_argument(
        "--mirror", type=float, default=1.0, metavar="A/A",
        help="column current into each pair, A per A (default 1)",
    )  # fmt: skip
    layer.add_argument(
        "--rp-spread", type=float, default=0.0, metavar="SD",
        help="relative sd of rp from pair to pair, >= 0 (default 0)",
    )  # fmt: skip
    layer.add_argument(
        "--device-seed", type=int, metavar="N",
        help="instance seed of the neuron devices: their own draws and the rp spread "
        "(default: the model's compile seed)",
    )  # fmt: skip
    layer.set_defaults(handler=_build_network_layer)


def _build_network_layer(args: argparse.Namespace) -> None:
    weights = _array_weights(args)
    seed = args.device_seed
    device_seed = None if seed is None else non_negative_int(seed, "--device-seed")

    from spicegen import models
    from spicegen.circuits import CompiledDevice, NetworkLayerParams, NeuronPairParams
    from spicegen.circuits import network_layer as layer_circuit
    from spicegen.circuits.decks import resistive_crossbar

    array = resistive_crossbar(
        weights, cell=args.cell, g_min=args.g_min, g_max=args.g_max, wire=args.wire
    )
    neuron = NeuronPairParams(args.bias, args.delta, args.mismatch, args.gain, args.state)
    params = NetworkLayerParams(array, neuron, mirror=args.mirror, rp_spread=args.rp_spread)
    device = CompiledDevice(models.load("mtj"), seed=device_seed)
    circuit = layer_circuit(params, device, [args.read] * array.rows)
    _write_deck(circuit, args.output)
    print(
        f"wrote {args.output}: {circuit.title}, operating point of v(v1_<k>) and "
        f"v(dout_<k>), k = 0..{array.columns - 1}"
    )


def _write_deck(circuit: Circuit, path: Path) -> None:
    from spicegen.netlist import write_ngspice

    try:
        write_ngspice(circuit, path)
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror or err}") from None


CIRCUITS: tuple[Callable[[SubParsers], None], ...] = (
    _crossbar,
    _oscillator_neuron,
    _neuron_pair,
    _network_layer,
    build_bayesian.register,
)
