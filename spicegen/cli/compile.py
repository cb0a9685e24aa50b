"""``spicegen compile``: a Verilog-A model (a file, or a shipped model by name) to an ngspice
subcircuit library (``--target subckt``) or a native OSDI device library (``--target osdi``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spicegen.cli.common import (
    OUTPUT_DIRECTORY_RULE,
    CliError,
    SubParsers,
    input_file,
    output_file,
)


def register(commands: SubParsers) -> None:
    """Add ``compile`` to the ``spicegen`` commands."""
    parser = commands.add_parser(
        "compile",
        help="compile a Verilog-A model into an ngspice subcircuit or OSDI library",
        description="Compile a Verilog-A compact model into an ngspice .subckt library "
        "(--target subckt) or a native OSDI device library ngspice loads (--target osdi). MODEL "
        "is a .va file or the name of a shipped model (`spicegen models` lists them); a file "
        "of that name wins when one exists.",
    )
    parser.add_argument("model", metavar="MODEL", help="Verilog-A file (.va) or shipped model")
    parser.add_argument(
        "-o", "--output", type=Path,
        help=f"library file (default: stdout); {OUTPUT_DIRECTORY_RULE}",
    )  # fmt: skip
    parser.add_argument(
        "-I", dest="include_dirs", action="append", default=[], type=Path, metavar="DIR",
        help="directory searched by `include (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, metavar="N",
        help="compile seed: the default $rdist_* variates the subcircuit carries",
    )  # fmt: skip
    parser.add_argument("--module", help="module to compile when the file has several")
    parser.add_argument(
        "--target", choices=("subckt", "osdi"), default=None,
        help="subckt: ngspice B-sources (text); osdi: C compiled with the system C compiler "
        "(default: %(default)s, see docs/compiler.md)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def model_source(model: str) -> Path:
    """The file ``model`` names: an existing path first, else a shipped model's source."""
    from spicegen import models

    path = Path(model)
    if path.exists():
        return input_file(path, "Verilog-A file")
    if model in models.available():
        return models.path(model)
    raise CliError(
        f"no such Verilog-A file or shipped model: {model!r} "
        f"(shipped models: {', '.join(models.available())})"
    )


def handle(args: argparse.Namespace) -> None:
    """Compile ``args.model``; write the library to ``--output`` or standard output."""
    source = model_source(args.model)
    for directory in args.include_dirs:
        if not directory.is_dir():
            raise CliError(f"-I {directory}: no such directory")
    if args.output is not None:
        output_file(args.output, "--output", inputs=[source])

    from spicegen.netlist import subckt_text
    from spicegen.va.compile import DEFAULT_TARGET, compile_model

    target = args.target or DEFAULT_TARGET
    model = compile_model(
        source, include_dirs=args.include_dirs, seed=args.seed, module=args.module, target=target
    )
    subckt = model.subckt
    if model.library is not None:
        _native(source, model, args.output)
        return
    text = subckt_text(subckt)
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot write {args.output}: {err.strerror or err}") from None
    print(f"{source}: module {subckt.name} ({', '.join(subckt.ports)}) -> {args.output}")


def _native(source: Path, model: object, output: Path | None) -> None:
    """Copy the compiled library to ``output`` (or name the cached one) and say how plain
    ngspice loads it."""
    import shutil

    from spicegen.va import CompiledModel

    assert isinstance(model, CompiledModel) and model.library is not None
    library = model.library
    if output is not None:
        try:
            shutil.copyfile(library, output)
        except OSError as err:
            raise CliError(f"cannot write {output}: {err.strerror or err}") from None
        library = output
    kind = model.subckt.models[0].kind
    ports = " ".join(model.ports)
    print(f"{source}: module {model.name} ({', '.join(model.ports)}) -> {library}")
    print(f"load it in ngspice (a .spiceinit line): osdi {Path(library).resolve()}")
    print(f"then: .model {model.name}1 {kind}  and  N1 {ports} {model.name}1 [param=value ...]")
