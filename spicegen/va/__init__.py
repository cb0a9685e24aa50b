"""Verilog-A compact-model compiler: preprocess -> parse -> check -> lower -> Subckt.

Done so far: the preprocessor (with the standard ``disciplines.vams``/``constants.vams``), the
lark grammar and typed AST, and ``read_model`` chaining them; checking and lowering follow.
"""

from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.frontend import read_model
from spicegen.va.parse import parse
from spicegen.va.preprocess import Preprocessed, preprocess

__all__ = [
    "Diagnostic",
    "Location",
    "Preprocessed",
    "VaError",
    "parse",
    "preprocess",
    "read_model",
]
