"""Many simulations: sweeps and Monte Carlo on a local pool or Dask, into a resumable store.

``run(spec, executor=None, store=DIR)`` runs a ``SweepSpec`` (or ``load_spec("spec.toml")``);
``load(DIR)`` reads the table back; ``report(DIR, "report.html")`` plots it. See docs/sweep.md.
"""

from spicegen.sweep.distributions import Distribution, LogNormal, Normal, Uniform
from spicegen.sweep.errors import SpecError, StoreError, SweepError
from spicegen.sweep.executors import DaskExecutor, LocalExecutor
from spicegen.sweep.export import load, load_waves, to_xarray
from spicegen.sweep.ladder import RUNGS
from spicegen.sweep.measures import Measure
from spicegen.sweep.points import Point, expand, point_seed
from spicegen.sweep.report import report
from spicegen.sweep.run import Summary, run
from spicegen.sweep.spec import Parameters, SweepSpec, Template, Waves, parameters
from spicegen.sweep.specfile import load_spec
from spicegen.sweep.store import Store

__all__ = [
    "RUNGS",
    "DaskExecutor",
    "Distribution",
    "LocalExecutor",
    "LogNormal",
    "Measure",
    "Normal",
    "Parameters",
    "Point",
    "SpecError",
    "Store",
    "StoreError",
    "Summary",
    "SweepError",
    "SweepSpec",
    "Template",
    "Uniform",
    "Waves",
    "expand",
    "load",
    "load_spec",
    "load_waves",
    "parameters",
    "point_seed",
    "report",
    "run",
    "to_xarray",
]
