"""The root of every error spicegen raises for a user's mistake or a simulator failure."""


class SpicegenError(Exception):
    """Base class: the CLI prints ``str(err)`` and exits with status 2."""
