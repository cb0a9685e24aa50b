"""Many simulations: sweeps and Monte Carlo on a local pool or Dask, into a resumable store.

``run(spec, executor=None, store=DIR)`` runs a ``SweepSpec`` (or ``load_spec("spec.toml")``);
``load(DIR)`` reads the table back; ``report(DIR, "report.html")`` plots it. See docs/sweep.md.
"""

from spicegen.seeds import point_seed
from spicegen.sweep.distributions import Distribution, LogNormal, Normal, Uniform
from spicegen.sweep.errors import SpecError, StoreError, SweepError
from spicegen.sweep.executors import DaskExecutor, LocalExecutor
from spicegen.sweep.export import load, load_waves, to_xarray
from spicegen.sweep.generators import GENERATORS, Generator, Knob
from spicegen.sweep.ladder import RUNGS
from spicegen.sweep.measures import Measure
from spicegen.sweep.points import (
    MAX_POINTS,
    Point,
    count,
    expand,
    iter_points,
    point_at,
)
from spicegen.sweep.report import report
from spicegen.sweep.run import Summary, run
from spicegen.sweep.spec import Parameters, Range, SweepSpec, Template, Waves, parameters
from spicegen.sweep.specfile import load_spec
from spicegen.sweep.store import Store

__all__ = [
    "GENERATORS",
    "MAX_POINTS",
    "RUNGS",
    "DaskExecutor",
    "Distribution",
    "Generator",
    "Knob",
    "LocalExecutor",
    "LogNormal",
    "Measure",
    "Normal",
    "Parameters",
    "Point",
    "Range",
    "SpecError",
    "Store",
    "StoreError",
    "Summary",
    "SweepError",
    "SweepSpec",
    "Template",
    "Uniform",
    "Waves",
    "count",
    "expand",
    "iter_points",
    "load",
    "load_spec",
    "load_waves",
    "parameters",
    "point_at",
    "point_seed",
    "report",
    "run",
    "to_xarray",
]
