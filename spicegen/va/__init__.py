"""Verilog-A compact-model compiler: preprocess -> parse -> check -> lower -> Subckt.

``compile_va`` returns the ``Subckt``; ``compile_model`` a ``CompiledModel`` that also makes
range-checked instances with per-instance random draws. The rules are in ``docs/compiler.md``.
"""

from spicegen.va.check import CheckedModel, CheckedModule, check
from spicegen.va.diagnostics import Diagnostic, Location, VaError
from spicegen.va.frontend import read_model
from spicegen.va.model import CompiledModel, ParameterError
from spicegen.va.parse import parse
from spicegen.va.preprocess import Preprocessed, preprocess

__all__ = [
    "CheckedModel",
    "CheckedModule",
    "CompiledModel",
    "Diagnostic",
    "Location",
    "ParameterError",
    "Preprocessed",
    "VaError",
    "check",
    "parse",
    "preprocess",
    "read_model",
]
