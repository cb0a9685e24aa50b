"""spicegen.seeds: each kind of seed derives its numbers exactly as the code it replaced did, so
rewiring the packages to it changed no result (the formulas are written out independently)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from spicegen import seeds


@pytest.mark.parametrize(("seed", "instance"), [(0, ""), (7, ""), (42, "X3"), (-5, "xa.x1")])
def test_draw_seed_is_sha256_of_seed_module_index_and_instance(seed: int, instance: str) -> None:
    key = f"{seed}\0mtj\0{2}" + (f"\0{instance}" if instance else "")
    expected = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    assert seeds.draw_seed(seed, "mtj", 2, instance) == expected


@pytest.mark.parametrize(("sweep_seed", "index"), [(0, 0), (1, 5), (2**40, 10**6)])
def test_point_seed_is_the_seed_sequence_spawned_at_the_index(sweep_seed: int, index: int) -> None:
    state = np.random.SeedSequence(sweep_seed, spawn_key=(index,)).generate_state(1)
    assert seeds.point_seed(sweep_seed, index) == int(state[0]) & 0x7FFFFFFF
    assert 0 <= seeds.point_seed(sweep_seed, index) < 2**31  # ngspice's seed option takes 31 bits


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**40 + 3])
def test_circuit_rng_is_numpys_default_rng_of_the_seed(seed: int) -> None:
    np.testing.assert_array_equal(
        seeds.circuit_rng(seed).uniform(size=5), np.random.default_rng(seed).uniform(size=5)
    )
    np.testing.assert_array_equal(
        seeds.circuit_rng(seed, 1).integers(0, 2**31 - 1, 4),
        np.random.default_rng([seed, 1]).integers(0, 2**31 - 1, 4),
    )


def test_streams_of_one_training_seed_are_independent_and_repeat() -> None:
    first = seeds.stream(3, "init", 0).standard_normal(4)
    np.testing.assert_array_equal(first, seeds.stream(3, "init", 0).standard_normal(4))
    assert not np.array_equal(first, seeds.stream(3, "init", 1).standard_normal(4))
    assert 0 <= seeds.stream_seed(3, "fold", 2) < 2**63
