"""Regenerate the example netlists in netlists/ from the generators that define them.

.venv/bin/python scripts/regen_netlists.py           # rewrite netlists/*.cir
.venv/bin/python scripts/regen_netlists.py --check   # exit 1 listing stale files
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spicegen import Tran, models, to_ngspice  # noqa: E402
from spicegen.circuits import NeuronPairParams  # noqa: E402
from spicegen.circuits.decks import (  # noqa: E402
    bayesian_machine_deck,
    neuron_pair_deck,
    oscillator_neuron_deck,
)
from spicegen.demo import LIKELIHOODS, rc_step_circuit  # noqa: E402


def _rc_step() -> str:
    circuit = rc_step_circuit()
    return to_ngspice(type(circuit)(**{**_fields(circuit), "analyses": (Tran(10e-9, 20e-6),)}))


def _crossbar_8x8() -> str:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import crossbar

    return to_ngspice(crossbar(rows=8, cols=8, wire=2.0))


def _oscillator_population_3() -> str:
    device = models.load("threshold_switch")
    return to_ngspice(oscillator_neuron_deck(device, (1.4, 1.5, 1.6), inhibition=1e-5))


def _neuron_pair() -> str:
    return to_ngspice(neuron_pair_deck(models.load("mtj"), NeuronPairParams(50e-6, 2e-6)))


def _bayesian_machine_2x2() -> str:
    return to_ngspice(bayesian_machine_deck(LIKELIHOODS, (1, 0), bits=4)[0])


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}  # type: ignore[attr-defined]


NETLISTS: dict[str, Callable[[], str]] = {
    "rc_step.cir": _rc_step,
    "crossbar_8x8.cir": _crossbar_8x8,
    "oscillator_population_3.cir": _oscillator_population_3,
    "neuron_pair.cir": _neuron_pair,
    "bayesian_machine_2x2.cir": _bayesian_machine_2x2,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    stale = []
    for name, build in NETLISTS.items():
        path = ROOT / "netlists" / name
        text = build()
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text)
    for name in stale:
        print(f"{'stale' if args.check else 'wrote'}: netlists/{name}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
