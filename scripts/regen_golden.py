"""Regenerate (or check) the golden files in tests/golden.

Each package that keeps goldens has a cases module listed in CASE_MODULES; the module exposes
``GOLDEN: dict[str, Callable[[], str]]`` mapping a file name in tests/golden to a function that
returns the file's text. Add a module to the tuple to add goldens; a changed golden is a reviewed
change, never a silent one.

    .venv/bin/python scripts/regen_golden.py           # rewrite every golden file
    .venv/bin/python scripts/regen_golden.py --check   # exit 1 listing files that differ
    .venv/bin/python scripts/regen_golden.py netlist_  # only files whose name starts so
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"

CASE_MODULES: tuple[str, ...] = ("tests.netlist.golden_cases",)


def registry() -> dict[str, Callable[[], str]]:
    """Every golden file name -> text builder, from all CASE_MODULES; names must be unique."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    cases: dict[str, Callable[[], str]] = {}
    for module_name in CASE_MODULES:
        module = importlib.import_module(module_name)
        for name, build in module.GOLDEN.items():
            if name in cases:
                raise SystemExit(f"golden file {name} is registered twice ({module_name})")
            cases[name] = build
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", nargs="?", default="", help="only goldens whose name starts so")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a diff")
    parser.add_argument("--golden-dir", type=Path, default=GOLDEN_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stale = []
    for name, build in sorted(registry().items()):
        if not name.startswith(args.prefix):
            continue
        path = args.golden_dir / name
        text = build()
        if path.exists() and path.read_bytes() == text.encode("utf-8"):
            continue
        stale.append(name)
        if not args.check:
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote {path}")
    if args.check and stale:
        print("golden files out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
