"""Preprocessor and parser together: errors point at the user's own file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicegen.va import VaError, read_model

DIODE = """`include "disciplines.vams"
`include "constants.vams"
`define VT(T) (`P_K*(T)/`P_Q)
module diode(a, c);
  inout a, c;
  electrical a, c;
  parameter real is = 1e-14 from (0:inf);
  analog I(a, c) <+ is*(limexp(V(a, c)/`VT(300.15)) - 1);
endmodule
"""


def test_a_model_with_standard_headers_and_macros_parses() -> None:
    tree = read_model(DIODE, filename="diode.va")
    assert [m.name for m in tree.modules] == ["diode"]
    assert {d.name for d in tree.disciplines} >= {"electrical", "thermal"}
    (parameter,) = tree.modules[0].parameters
    assert parameter.name == "is"


def test_error_after_a_macro_points_at_the_users_column() -> None:
    with pytest.raises(VaError) as caught:
        read_model(DIODE.replace("is*(limexp", "is*(+*limexp"), filename="diode.va")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.location.file, diagnostic.location.line) == ("diode.va", 8)
    assert diagnostic.location.column == 26
    assert "expected an expression" in diagnostic.message
    assert str(caught.value).splitlines()[2].strip() == "^"


def test_error_inside_an_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "helpers.vams").write_text("// helpers\nanalog function real sq;\n  input x\n")
    model = tmp_path / "top.va"
    model.write_text(
        '`include "disciplines.vams"\n`include "helpers.vams"\nmodule m(a); endmodule\n'
    )
    with pytest.raises(VaError) as caught:
        read_model(model)
    first = caught.value.diagnostics[0].location
    assert first.file.endswith("helpers.vams")
    assert first.line in (2, 3)


def test_preprocessor_errors_stop_before_parsing_and_name_the_macro() -> None:
    text = DIODE.replace("`VT(300.15)", "`NOPE") + "module m2(a) electrical a; endmodule\n"
    with pytest.raises(VaError) as caught:
        read_model(text, filename="two.va")
    (diagnostic,) = caught.value.diagnostics  # the syntax error in m2 is not reached
    assert diagnostic.location.line == 8
    assert "NOPE" in diagnostic.message


def test_checked_model_reports_ports_and_parameter_types() -> None:
    from spicegen.va import check

    checked = check(read_model(DIODE, filename="diode.va"))
    (module,) = checked.modules
    assert module.port_names == ("a", "c")
    assert dict(module.parameter_types) == {"is": "real"}
