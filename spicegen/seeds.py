"""The kinds of seed in spicegen, each with one name and one place where it is derived.

Every random number spicegen uses comes from one of these, so results depend only on the seeds
a user gives, never on scheduling, worker count or the order of calls.

- ``compile_seed`` (``compile_va(..., seed=)``, used as given): the default variates a
  compiled subcircuit carries.
- ``instance_seed`` (``CompiledModel.instance(..., seed=)``, ``CompiledDevice(seed=)``),
  derived by ``draw_seed``: one device's ``$rdist_*``/``$random`` draws, and a generator's
  per-device spread of a parameter (a layer's ``rp`` spread, keyed by the pair's device).
- ``sweep_seed`` (``SweepSpec(seed=)``), derived by ``point_seed``: one sweep point's
  distribution draws and its ngspice ``seed`` option.
- ``ngspice_seed`` (``Option("seed", N)``, ngspice's own): ``trrandom``/``agauss``; a sweep
  point sets it to its ``point_seed``.
- ``training_seed`` (a trainer's ``seed=``), derived by ``stream``: a trainer's initial
  weights, shuffles, folds and write noise.
- ``circuit_seed`` (a generator's ``seed=``, ``spicegen build crossbar --seed``), used as given
  by ``circuit_rng``: what a circuit generator draws itself (2T2R cell resistances, random
  crossbar weights).

A trainer never calls ``numpy.random.default_rng(seed)`` on a user's seed directly: it asks
``stream(seed, "init", layer)`` for each independent use, so adding a new use of randomness
does not shift the numbers of the existing ones.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["circuit_rng", "draw_seed", "point_seed", "stream", "stream_seed"]

_MASK_31 = 0x7FFFFFFF


def draw_seed(instance_seed: int, module: str, index: int, instance: str = "") -> int:
    """A 64-bit seed for random call site ``index`` of ``module`` in one ``instance``.

    ``instance=""`` gives the subcircuit's default variates (from the compile seed).
    """
    key = f"{instance_seed}\0{module}\0{index}" + (f"\0{instance}" if instance else "")
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")


def point_seed(sweep_seed: int, index: int) -> int:
    """The seed of sweep point ``index``: 31 bits, because ngspice's ``seed`` option takes it."""
    state = np.random.SeedSequence(sweep_seed, spawn_key=(index,)).generate_state(1)
    return int(state[0]) & _MASK_31


def stream_seed(training_seed: int, *keys: str | int) -> int:
    """A 63-bit seed for one named use of randomness under ``training_seed``.

    ``keys`` name the use (``"init", 0`` for layer 0's initial weights, ``"fold", 3``...).
    """
    key = "\0".join([str(int(training_seed)), *map(str, keys)])
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little") >> 1


def stream(training_seed: int, *keys: str | int) -> np.random.Generator:
    """A numpy Generator for one named use of randomness under ``training_seed``."""
    return np.random.default_rng(stream_seed(training_seed, *keys))


def circuit_rng(circuit_seed: int | None, *keys: int) -> np.random.Generator:
    """The numpy Generator of a circuit generator's own draws under ``circuit_seed``.

    ``keys`` select a further independent stream (``circuit_rng(seed, 1)``); ``None`` draws
    fresh operating-system entropy, so only a given seed repeats.
    """
    if circuit_seed is None or not keys:
        return np.random.default_rng(circuit_seed)
    return np.random.default_rng([circuit_seed, *keys])
