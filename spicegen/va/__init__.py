"""Verilog-A compact-model compiler: preprocess -> parse -> check -> lower -> Subckt.

Done so far: the preprocessor (with the standard ``disciplines.vams``/``constants.vams``), the
lark grammar and typed AST, ``read_model`` chaining them, and the semantic ``check``; lowering
to subcircuits follows.
"""

from spicegen.va.check import CheckedModel, CheckedModule, check
from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.frontend import read_model
from spicegen.va.parse import parse
from spicegen.va.preprocess import Preprocessed, preprocess

__all__ = [
    "CheckedModel",
    "CheckedModule",
    "Diagnostic",
    "Location",
    "Preprocessed",
    "VaError",
    "check",
    "parse",
    "preprocess",
    "read_model",
]
