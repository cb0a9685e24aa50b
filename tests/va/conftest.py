"""Fixtures of the compiler tests: ``compiled`` runs a test on each target."""

from __future__ import annotations

import pytest

from tests.va.targets import TARGETS, Compiled


@pytest.fixture(params=TARGETS)
def compiled(request: pytest.FixtureRequest) -> Compiled:
    """Compile and simulate on one target; a test using it runs once per target."""
    return Compiled(request.param)
