"""The ``spicegen`` command line: a thin shell over the packages, one module per verb.

``spicegen.cli:main`` is the console script; ``python -m spicegen`` and ``python -m
spicegen.cli`` run the same. Errors a user can act on print one line and exit with status 2.
"""

from spicegen.cli.main import main

__all__ = ["main"]
