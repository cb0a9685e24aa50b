"""The log classifier on ngspice 46's real messages (captured from runs of the conftest decks)."""

from spicegen.sim.errors import (
    ConvergenceError,
    NetlistSyntaxError,
    SimulationError,
    SimulatorCrashed,
)
from spicegen.sim.log import classify_failure

GMIN_THEN_SUCCESS = """Warning: singular matrix:  check node x
Note: Starting dynamic gmin stepping
Warning: Dynamic gmin stepping failed
Note: Starting true gmin stepping
Warning: True gmin stepping failed
Note: Starting source stepping
Warning: source stepping failed
Note: Transient op started
Note: Transient op finished successfully
"""


def test_warnings_and_notes_are_not_failures() -> None:
    assert classify_failure(GMIN_THEN_SUCCESS, 0) is None


def test_timestep_too_small_is_a_convergence_error() -> None:
    log = (
        "doAnalyses: TRAN:  Timestep too small; time = 1.25e-09, timestep = 5e-22: trouble "
        'with node "out"\nrun simulation(s) aborted\n'
    )
    error = classify_failure(log, 1, analysis=".tran 1n 20n")
    assert isinstance(error, ConvergenceError)
    assert "Timestep too small" in error.message
    assert error.analysis == ".tran 1n 20n"
    assert ".tran 1n 20n" in str(error)


def test_op_failure_after_stepping_is_a_convergence_error() -> None:
    log = GMIN_THEN_SUCCESS.replace(
        "Note: Transient op finished successfully",
        "Error: Transient op failed, timestep too small\n"
        'doAnalyses: OP:  Timestep too small; trouble with node "out"',
    )
    error = classify_failure(log, 1)
    assert isinstance(error, ConvergenceError)
    assert "gmin stepping failed" in error.message
    assert "source stepping failed" in error.message


def test_syntax_error_names_the_line() -> None:
    log = (
        "Error on line 4 or its substitute:\n  .tran 1n\n"
        "TSTOP is invalid, must be greater than zero.\n    Simulation interrupted due to error!\n"
    )
    error = classify_failure(log, 1)
    assert isinstance(error, NetlistSyntaxError)
    assert error.line == 4
    assert "TSTOP is invalid" in error.message


def test_an_ignored_element_line_is_a_syntax_error_even_with_status_zero() -> None:
    log = "\nWarning: 'r1 in out' is not a valid resistor instance line, ignored!\n"
    error = classify_failure(log, 0)
    assert isinstance(error, NetlistSyntaxError)
    assert "r1 in out" in error.message


def test_a_signal_is_a_crash() -> None:
    error = classify_failure("Circuit: t\n", -11)
    assert isinstance(error, SimulatorCrashed)
    assert error.exit_status == -11
    assert "signal 11" in str(error)


def test_unknown_failure_keeps_ngspice_text() -> None:
    error = classify_failure("Error: something new went wrong\n", 1)
    assert type(error) is SimulationError
    assert "something new went wrong" in error.message


def test_a_measurement_named_error_is_not_a_failure() -> None:
    assert classify_failure("error               =  7.50000e-01\n", 0) is None


def test_missing_sweep_source_is_a_netlist_error_with_ngspice_line() -> None:
    log = (
        "Doing analysis at TEMP = 27.000000 and TNOM = 27.000000\n"
        'Fatal error: DC Transfer Function: source "v9" is not in the circuit\n'
        + "Total DRAM available = 24105.559 MB.\n"
        * 12
    )
    error = classify_failure(log, 1)
    assert isinstance(error, NetlistSyntaxError)
    assert '"v9" is not in the circuit' in error.message
