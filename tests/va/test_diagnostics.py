"""Diagnostics: the compiler's error format and VaError's collection of them."""

from __future__ import annotations

import pickle

import pytest

from spicegen.va import Diagnostic, Location, VaError


def test_format_has_location_source_line_and_caret() -> None:
    diagnostic = Diagnostic(Location("m.va", 3, 5), "expected ';'", "  x = 1\n")
    assert diagnostic.format().splitlines() == [
        "m.va:3:5: error: expected ';'",
        "      x = 1",
        "        ^",
    ]


def test_identical_diagnostics_are_reported_once_in_order() -> None:
    first = Diagnostic(Location("m.va", 1, 1), "a")
    second = Diagnostic(Location("m.va", 2, 1), "b")
    error = VaError([first, second, first])
    assert error.diagnostics == (first, second)
    assert str(error).count("error: a") == 1


def test_va_error_needs_a_diagnostic_and_survives_pickling() -> None:
    with pytest.raises(ValueError):
        VaError([])
    error = VaError([Diagnostic(Location("m.va", 1, 2), "bad")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.diagnostics == error.diagnostics
    assert copy.location == Location("m.va", 1, 2)
