"""The characterisation cache returns stored arrays for equal keys and recomputes otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spicegen.surrogate import SurrogateError, cache_key, cached_arrays, compare


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEGEN_CACHE", str(tmp_path))


def test_second_call_is_served_from_disk() -> None:
    calls = []

    def compute() -> dict[str, np.ndarray]:
        calls.append(1)
        return {"v": np.linspace(0, 1, 5), "n": np.array([3])}

    first, hit1 = cached_arrays("demo", 1, {"r": 1e3, "grid": np.arange(5)}, compute)
    second, hit2 = cached_arrays("demo", 1, {"r": 1e3, "grid": np.arange(5)}, compute)
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    np.testing.assert_array_equal(first["v"], second["v"])


def test_key_depends_on_every_part_and_the_version() -> None:
    base = cache_key("demo", 1, {"r": 1e3, "grid": np.arange(5)})
    assert base != cache_key("demo", 2, {"r": 1e3, "grid": np.arange(5)})
    assert base != cache_key("demo", 1, {"r": 1.1e3, "grid": np.arange(5)})
    assert base != cache_key("demo", 1, {"r": 1e3, "grid": np.arange(6)})
    assert base != cache_key("demo", 1, {"r": 1e3, "grid": np.arange(5.0)})  # dtype counts
    assert base == cache_key("demo", 1, {"grid": np.arange(5), "r": 1e3})  # order does not


def test_damaged_entry_is_recomputed(tmp_path: Path) -> None:
    cached_arrays("demo", 1, {}, lambda: {"v": np.ones(3)})
    (entry,) = (tmp_path / "surrogate" / "demo").glob("*.npz")
    entry.write_bytes(b"not a zip file")
    arrays, hit = cached_arrays("demo", 1, {}, lambda: {"v": np.zeros(3)})
    assert not hit and arrays["v"].tolist() == [0, 0, 0]


def test_compare_reports_fractions_of_full_scale() -> None:
    reference = np.array([0.0, 1.0, 2.0, 4.0])
    check = compare("v1", reference + np.array([0.0, 0.02, -0.04, 0.0]), reference)
    assert check.full_scale == 4.0
    assert check.max_error == pytest.approx(0.01)
    assert check.rms_error == pytest.approx(np.sqrt((0.005**2 + 0.01**2) / 4))
    assert check.within(0.0101) and not check.within(0.0099)
    with pytest.raises(SurrogateError, match="differ"):
        compare("v1", [1.0, 2.0], reference)
