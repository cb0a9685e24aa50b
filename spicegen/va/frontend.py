"""The compiler's front end: Verilog-A source (file or text) -> preprocessed -> typed AST."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from spicegen.va.ast import SourceFile
from spicegen.va.parse import parse
from spicegen.va.preprocess import Preprocessed, preprocess


def read_source(
    source: str | os.PathLike[str],
    *,
    filename: str | None = None,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    defines: Mapping[str, str] | None = None,
) -> tuple[Preprocessed, SourceFile]:
    """Preprocess and parse; return both, since later stages need the line map for their own
    diagnostics. Raises ``VaError`` located in the user's original files."""
    pre = preprocess(source, filename=filename, include_dirs=include_dirs, defines=defines)
    return pre, parse_preprocessed(pre, filename)


def parse_preprocessed(pre: Preprocessed, filename: str | None = None) -> SourceFile:
    """Parse preprocessed text, locating everything in the user's original files."""
    name = pre.line_origins[0][0] if pre.line_origins else (filename or "<string>")
    return parse(pre.text, filename=name, locate=pre.locate, source_line=pre.source_line)


def read_model(
    source: str | os.PathLike[str],
    *,
    filename: str | None = None,
    include_dirs: Sequence[str | os.PathLike[str]] = (),
    defines: Mapping[str, str] | None = None,
) -> SourceFile:
    """Preprocess and parse a Verilog-A file or text into its typed AST."""
    return read_source(source, filename=filename, include_dirs=include_dirs, defines=defines)[1]
