"""Netlists that fail (or need rescue) in known, measured ways on ngspice 46."""

from __future__ import annotations

# the engine tests' failing netlists: no solution ("Timestep too small"), an undefined
# parameter, and an operating point that never settles
from tests.sim.conftest import HANGS, SYNTAX_ERROR
from tests.sim.conftest import NO_CONVERGENCE as NO_SOLUTION

__all__ = ["HANGS", "INDUCTIVE_KICK", "NO_SOLUTION", "RC_TRAN", "SYNTAX_ERROR"]

# An inductor (1 mH, 5 A-ish after 1 us) is cut off by a switch and its current forced into a
# steep diode (n = 0.6). At default tolerances ngspice 46 stops with "Timestep too small";
# more gmin or source steps do not help; relaxed tolerances (reltol 1e-2, abstol 1e-9,
# itl4 100) carry it through (measured: default/gmin/source fail, relax passes).
INDUCTIVE_KICK = """inductive kick into a steep diode
V1 in 0 dc 5
L1 in a 1m
S1 a 0 ctl 0 sw
D1 a in dm
V2 ctl 0 pulse(1 0 1u 1p 1p 1 2)
.model sw sw vt=0.5 vh=0 ron=1e-3 roff=1e15
.model dm d is=1e-14 n=0.6
.tran 1n 3u
.end
"""


RC_TRAN = """RC {r}
V1 in 0 pulse(0 1 0 1n 1n 5u 10u)
R1 in out {r}
C1 out 0 1n
.tran 10n 2u
.end
"""
