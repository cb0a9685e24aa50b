"""``python -m spicegen``: the ``spicegen`` command."""

import sys

from spicegen.cli.main import main

sys.exit(main())
