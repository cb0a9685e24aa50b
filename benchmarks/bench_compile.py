"""Verilog-A compiler cost, measured against goals and a hand-written baseline in the same run.

1. ``compile_va`` time per model: a ~100-line memristor model (parameters with ranges, variables,
   ``if``/``else``, two analog functions, a loop, macros, ``idt`` and ``ddt``) and a one-line
   resistor; median of ``--compiles`` calls after a cold first call (which builds the lark
   parser), as a ratio to the goal of 100 ms.
2. Transient run time of a 32x32 crossbar of the compiled memristor vs the same physics written
   by hand as B-sources and capacitors (goal: compiled/hand <= 1.2; for the native osdi
   target <= 0.5), same deck otherwise, ``.options klu``; the column currents are compared
   once so the race is fair.
3. ``compile_va`` time of a chain of N assignments, each longer than the sharing threshold and
   read once by the next (N = 10, 100, 1,000): the shared nodes are inlined back, and the
   cost per 10x length should be ~10x (linear). ``--chain-only`` runs just this part.

Prints medians and ratios; never asserts on time. ``python benchmarks/bench_compile.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from spicegen import compile_va, simulate
from spicegen.netlist import (
    BSource,
    Capacitor,
    Circuit,
    Option,
    Sine,
    Subckt,
    SubcktInstance,
    Tran,
    VoltageSource,
)

COMPILE_GOAL = 0.100  # s for a 100-line model (issue 3)
RUN_GOAL = 1.2  # compiled / hand
NATIVE_GOAL = 0.5  # native (osdi) / hand (issue 14)

MEMRISTOR = """// Memristor-like device: linear ion drift, Joglekar window, junction capacitance.
`include "disciplines.vams"
`include "constants.vams"

`define SQ(a) ((a)*(a))

module memristor(p, n);
  inout p, n;
  electrical p, n;

  parameter real ron = 100 from (0:inf);
  parameter real roff = 16k from (0:inf);
  parameter real d = 10n from (0:inf);
  parameter real uv = 10f from (0:inf);
  parameter real w0 = 0.1 from [0:1];
  parameter real vth = 0.2 from [0:inf);
  parameter real cj = 1p from [0:inf);
  parameter real vj = 0.7 from (0:inf);
  parameter real mj = 0.5 from (0:1);
  parameter real fc = 0.5 from [0:1);
  parameter integer pwin = 2 from [1:10];
  parameter real tnom = 27 from [-273.15:inf);
  parameter real tcoff = 2m;
  parameter integer tmode = 1 from [0:2];
  localparam real k = uv*ron/(d*d);

  real v, i, x, rate, g, q, s, term, rhi, dt;
  integer j;

  // Joglekar window: 1 - (2x - 1)^(2p), zero at both ends of the film
  analog function real window;
    input xx, pp;
    real xx;
    integer pp;
    real base;
    begin
      base = 2*xx - 1;
      window = 1 - pow(`SQ(base), pp);
    end
  endfunction

  // depletion charge, linearised above fc*vj as in SPICE's diode
  analog function real qdep;
    input vd, c0, phi, m, f;
    real vd, c0, phi, m, f;
    begin
      if (vd < f*phi)
        qdep = c0*phi/(1 - m)*(1 - pow(1 - vd/phi, 1 - m));
      else
        qdep = c0*phi/(1 - m)*(1 - pow(1 - f, 1 - m))
             + c0/pow(1 - f, m)*(vd - f*phi + m/(2*phi*(1 - f))*(vd*vd - f*f*phi*phi));
    end
  endfunction

  analog begin
    v = V(p, n);
    // drift only above a threshold, with a smooth polynomial onset (loop unrolled)
    if (v > vth)
      rate = k*(v - vth);
    else if (v < -vth)
      rate = k*(v + vth);
    else
      rate = 0;
    s = 0;
    term = 1;
    for (j = 0; j < 4; j = j + 1) begin
      s = s + term;
      term = term*0.1*abs(v)/(j + 1);
    end
    rate = rate*s;
    x = w0 + idt(rate*window(w0, pwin), 0);
    if (x > 1)
      x = 1;
    else if (x < 0)
      x = 0;
    // off resistance: none, linear or quadratic temperature coefficient
    dt = $temperature - (tnom + `P_CELSIUS0);
    case (tmode)
      0: rhi = roff;
      2: rhi = roff*(1 + tcoff*dt + 0.5*tcoff*tcoff*dt*dt);
      default: rhi = roff*(1 + tcoff*dt);
    endcase
    g = 1/(ron*x + rhi*(1 - x));
    i = g*v;
    q = qdep(v, cj, vj, mj, fc);
    I(p, n) <+ i + ddt(q);
  end
endmodule
"""

RESISTOR = """`include "disciplines.vams"
module res(p, n);
  inout p, n; electrical p, n;
  parameter real r = 1k from (0:inf);
  analog I(p, n) <+ V(p, n)/r;
endmodule
"""

# The memristor's physics written by hand, as an engineer would without the compiler: the state
# integrates on a 1 F capacitor (pinned to 0 at the operating point, as idt's ic does), the
# depletion charge drives a 1 F capacitor whose series 0 V source reads dq/dt, and everything
# else is inline expressions of v(p,n).
_POLY = "(1 + {a} + {a}*{a}/2 + {a}*{a}*{a}/6)".format(a="(0.1*abs(v(p,n)))")  # the loop
_RATE = (
    "((v(p,n) > vth) ? uv*ron/(d*d)*(v(p,n) - vth)"
    " : ((v(p,n) < -vth) ? uv*ron/(d*d)*(v(p,n) + vth) : 0))"
    f"*{_POLY}*(1 - pow((2*w0 - 1)*(2*w0 - 1), pwin))"
)
_CHARGE = (
    "(v(p,n) < fc*vj) ? cj*vj/(1 - mj)*(1 - pow(1 - v(p,n)/vj, 1 - mj))"
    " : cj*vj/(1 - mj)*(1 - pow(1 - fc, 1 - mj)) + cj/pow(1 - fc, mj)"
    "*(v(p,n) - fc*vj + mj/(2*vj*(1 - fc))*(v(p,n)*v(p,n) - fc*fc*vj*vj))"
)
_STATE = "min(max(w0 + v(x), 0), 1)"
_ROFF = "roff*(1 + tcoff*(temper - tnom))"
HAND = Subckt(
    "memristor_hand",
    ("p", "n"),
    params=(
        ("ron", 100.0),
        ("roff", 16e3),
        ("d", 10e-9),
        ("uv", 10e-15),
        ("w0", 0.1),
        ("vth", 0.2),
        ("cj", 1e-12),
        ("vj", 0.7),
        ("mj", 0.5),
        ("fc", 0.5),
        ("pwin", 2),
        ("tnom", 27.0),
        ("tcoff", 2e-3),
    ),
    elements=(
        BSource("Bx", "0", "x", "i", f"time > 0 ? {_RATE} : -1e3*v(x)"),
        Capacitor("Cx", "x", "0", 1.0),
        BSource("Bq", "q", "0", "v", _CHARGE),
        Capacitor("Cq", "q", "qm", 1.0),
        VoltageSource("Vq", "qm", "0", dc=0.0),
        BSource("Bi", "p", "n", "i", f"v(p,n)/(ron*{_STATE} + {_ROFF}*(1 - {_STATE})) + i(Vq)"),
    ),
)


def chain_model(length: int) -> str:
    """``length`` chained assignments of ``y``, each adding 11 terms of V(p, n) (over 160
    characters, so each makes a shared node that only the next one reads)."""
    added = " + ".join(f"{k}e-6*V(p, n)" for k in range(1, 12))
    steps = "".join(f"    y = y + {added};\n" for _ in range(length))
    return (
        '`include "disciplines.vams"\nmodule chain(p, n);\n  inout p, n; electrical p, n;\n'
        f"  real y;\n  analog begin\n    y = V(p, n);\n{steps}    I(p, n) <+ 1m*y;\n"
        "  end\nendmodule\n"
    )


def chain_scaling(lengths: tuple[int, ...], repeat: int) -> None:
    """Median wall and CPU time of compiling each chain, and the ratio to the previous one."""
    print(f"compile_va of a chain of single-use shared assignments; median of {repeat}")
    print(f"{'length':>8}{'wall':>11}{'CPU':>11}{'CPU ratio':>11}")
    compile_va(chain_model(2), filename="chain.va")  # builds the parsers
    previous = None
    for length in lengths:
        text = chain_model(length)
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            compile_va(text, filename="chain.va")
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        cpu = statistics.median(cpus)
        ratio = f"{cpu / previous:.1f}x" if previous else ""
        print(f"{length:>8}{statistics.median(walls):>9.2f} s{cpu:>9.2f} s{ratio:>11}")
        previous = cpu


def median_time(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(first call, median of the ``repeat`` calls after it), in seconds."""
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def crossbar(device: Subckt, size: int, stop: float) -> Circuit:
    """``size`` x ``size`` devices from row drivers (1.2 V sines, phase-shifted by row delay) to
    columns held at 0 V by sense sources; only the column currents are saved."""
    elements: list[object] = []
    period = stop / 2
    for i in range(size):
        wave = Sine(0.0, 0.8 + 0.4 * i / size, 1 / period, delay=period * i / (4 * size))
        elements.append(VoltageSource(f"Vrow{i}", f"r{i}", "0", waveform=wave))
    for j in range(size):
        elements.append(VoltageSource(f"Vcol{j}", f"c{j}", "0", dc=0.0))
    for i in range(size):
        for j in range(size):
            # uv raised so the state moves by O(1) within the run; w0 spread over the array
            params = {"uv": 1e-12 * stop / 10e-6, "w0": 0.05 + 0.9 * ((i * size + j) % 31) / 30}
            elements.append(SubcktInstance(f"X{i}_{j}", (f"r{i}", f"c{j}"), device.name, params))
    return Circuit(
        title=f"{size}x{size} {device.name} crossbar",
        elements=tuple(elements),  # type: ignore[arg-type]
        subckts=(device,),
        options=(Option("klu"),),
        analyses=(Tran(step=stop / 200, stop=stop),),
        saves=tuple(f"i(Vcol{j})" for j in range(size)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compiles", type=int, default=30, help="compiles per median")
    parser.add_argument("--repeat", type=int, default=3, help="transient runs per median")
    parser.add_argument("--size", type=int, default=32, help="crossbar rows = columns")
    parser.add_argument("--stop", type=float, default=2e-6, help="transient length, s")
    parser.add_argument("--chain-repeat", type=int, default=3, help="compiles per chain median")
    parser.add_argument("--chain-only", action="store_true", help="only the chain scaling")
    args = parser.parse_args()
    chain_scaling((10, 100, 1000), args.chain_repeat)
    if args.chain_only:
        return
    print()

    goal_ms = COMPILE_GOAL * 1e3
    print(f"compile_va: cold first call, then median of {args.compiles} (goal {goal_ms:.0f} ms)")
    print(f"{'model':<24}{'lines':>6}{'first':>11}{'median':>11}{'/goal':>8}")
    for label, text in (("memristor (idt, ddt)", MEMRISTOR), ("resistor", RESISTOR)):
        first, median = median_time(
            lambda text=text: compile_va(text, filename="m.va"), args.compiles
        )
        print(f"{label:<24}{text.count(chr(10)):>6}{first * 1e3:>8.1f} ms{median * 1e3:>8.1f} ms"
              f"{median / COMPILE_GOAL:>7.2f}x")  # fmt: skip
    compiled = compile_va(MEMRISTOR, filename="memristor.va")
    native = compile_va(MEMRISTOR, filename="memristor.va", target="osdi")

    print(f"\n{args.size}x{args.size} memristor crossbar, .tran {args.stop:g} s, .options klu; "
          f"median of {args.repeat} runs")  # fmt: skip
    decks = {
        "compiled": crossbar(compiled, args.size, args.stop),
        "native (osdi)": crossbar(native, args.size, args.stop),
        "hand B-sources": crossbar(HAND, args.size, args.stop),
    }
    # the first run of each deck is also the fairness check, and one of the timed runs
    results = {label: simulate(deck) for label, deck in decks.items()}
    reference = results["hand B-sources"].waveforms
    grid = np.linspace(0.0, args.stop, 401)
    for label in ("compiled", "native (osdi)"):
        other = results[label].waveforms
        worst, scale = 0.0, 0.0
        for j in range(args.size):
            hand = np.interp(grid, reference["time"], reference.i(f"Vcol{j}"))
            ours = np.interp(grid, other["time"], other.i(f"Vcol{j}"))
            worst = max(worst, float(np.max(np.abs(ours - hand))))
            scale = max(scale, float(np.max(np.abs(hand))))
        print(f"  same physics: max |i(Vcol) {label} - hand| = {worst:.3e} A "
              f"({worst / scale:.2e} of the largest column current {scale:.3e} A)")  # fmt: skip
    times = {}
    for label, deck in decks.items():
        runs = [results[label].elapsed]
        runs += [simulate(deck).elapsed for _ in range(args.repeat - 1)]
        times[label] = statistics.median(runs)
    print(f"{'model':<18}{'simulate()':>14}")
    for label, seconds in times.items():
        print(f"{label:<18}{seconds:>11.2f} s")
    ratio = times["compiled"] / times["hand B-sources"]
    print(f"compiled / hand: {ratio:.2f}x (goal <= {RUN_GOAL})")
    native_ratio = times["native (osdi)"] / times["hand B-sources"]
    print(f"native / hand: {native_ratio:.2f}x (goal <= {NATIVE_GOAL})")


if __name__ == "__main__":
    main()
