"""Cortex-M0+ cycles of one naive-Bayes decision, compiled and counted along the executed path.

The microcontroller that the Bayesian machines are compared with does the same decision as
the logarithmic machine: per class, the sum of the stored 8-bit costs ``round(-ln p / step)``
of the observed values, then the smallest sum wins (lowest class on ties). This script writes
that decision in C with the prototype model's table (``naive_bayes.prototype_model``: 2
classes x 4 observations x 16 values, breast cancer), compiles it with ``arm-none-eabi-gcc
-mcpu=cortex-m0plus -mthumb -O2``, links it, disassembles ``decide`` with ``objdump`` and
runs the disassembly on a small interpreter of the Thumb instructions it contains, once per
test sample: the decision must equal numpy's, and each executed instruction adds its cycles
from the Cortex-M0+ Technical Reference Manual (ARM DDI 0484C, Table 3.1, zero wait
states): data processing 1; loads and stores 2 (the single-cycle I/O port is not used);
PUSH/POP 1+N, POP with PC 3+N; a conditional branch 2 when taken, 1 when not; B 2, BL 3,
BX 2. The call's BL (3) is added to the function's count. Flash wait states are left out:
the STM32L031 needs none at or below 16 MHz (range 1), where its 76 uA/MHz holds.

The compiler is a build-time tool (Debian ``gcc-arm-none-eabi``), not a dependency: without
it the script says so and exits 0.

    .venv/bin/python scripts/mcu_cycles.py [--show]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from spicegen.learn.naive_bayes import log_costs, logarithmic_model_sums, prototype_model

BITS = 8
FLAGS = ("-mcpu=cortex-m0plus", "-mthumb", "-O2")
TEXT, DATA, RETURN = 0x08000000, 0x20000000, 0xFFFFFFF0  # flash, RAM, a return sentinel
MASK = 0xFFFFFFFF

SOURCE = """#include <stdint.h>
#define CLASSES {classes}
#define OBSERVATIONS {observations}
#define VALUES {values}
const uint8_t costs[CLASSES][OBSERVATIONS][VALUES] = {{{table}}};
/* naive Bayes in log space: the class with the smallest summed cost (lowest on ties) */
int decide(const uint8_t *observation) {{
    int best = 0;
    unsigned best_sum = ~0u;
    for (int c = 0; c < CLASSES; c++) {{
        unsigned sum = 0;
        for (int i = 0; i < OBSERVATIONS; i++) sum += costs[c][i][observation[i]];
        if (sum < best_sum) {{ best_sum = sum; best = c; }}
    }}
    return best;
}}
"""


def c_source(costs: np.ndarray) -> str:
    """The decision in C with ``costs`` (classes, observations, values) as its table."""
    rows = ", ".join(
        "{" + ", ".join("{" + ", ".join(str(int(v)) for v in row) + "}" for row in block) + "}"
        for block in costs
    )
    classes, observations, values = costs.shape
    return SOURCE.format(classes=classes, observations=observations, values=values, table=rows)


def compile_decision(
    source: str, folder: Path
) -> tuple[list[tuple[int, str, str]], dict[int, int]]:
    """Compile and link ``source``; the disassembly of ``decide`` as (address, mnemonic,
    operands) and the image's bytes by address."""
    c_file, elf = folder / "decide.c", folder / "decide.elf"
    c_file.write_text(source)
    subprocess.run(["arm-none-eabi-gcc", *FLAGS, "-nostdlib", "-Wl,-e,decide",
                    f"-Wl,-Ttext={TEXT:#x}", str(c_file), "-o", str(elf)],
                   check=True, capture_output=True, text=True)  # fmt: skip
    listing = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", str(elf)],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
    dump = subprocess.run(["arm-none-eabi-objdump", "-s", "-j", ".text", "-j", ".rodata", str(elf)],
                          check=True, capture_output=True, text=True).stdout  # fmt: skip
    image: dict[int, int] = {}
    for line in dump.splitlines():
        words = line[1:].split("  ")[0].split()  # " address word word ...  ascii"
        if line.startswith(" ") and words and all(re.fullmatch(r"[0-9a-f]+", w) for w in words):
            address = int(words[0], 16)
            for byte in bytes.fromhex("".join(words[1:])):
                image[address] = byte
                address += 1
    body = listing.split("<decide>:", 1)[1].split("\n\n", 1)[0]
    code = []
    for line in body.splitlines():
        match = re.match(r"^\s*([0-9a-f]+):\s+(\S+)\s*([^@;]*)", line)
        if match and not match.group(2).startswith("."):
            code.append((int(match.group(1), 16), match.group(2), match.group(3).strip()))
    return code, image


class Thumb:
    """Registers, flags and memory of an interpreter for the Thumb instructions ``decide``
    compiles to; an instruction it does not know stops it with a clear message."""

    def __init__(self, code: list[tuple[int, str, str]], memory: dict[int, int]) -> None:
        self.code = {address: (mnemonic, operands) for address, mnemonic, operands in code}
        self.memory = memory
        self.r = [0] * 16
        self.n = self.z = self.c = self.v = False

    def value(self, operand: str) -> int:
        operand = operand.strip()
        if operand.startswith("#"):
            return int(operand[1:], 0) & MASK
        return self.r[register(operand)]

    def load(self, address: int, size: int) -> int:
        return int.from_bytes(bytes(self.memory.get(address + k, 0) for k in range(size)), "little")

    def add(self, a: int, b: int, carry: int = 0) -> int:
        total = a + b + carry
        result = total & MASK
        self.n, self.z, self.c = bool(result >> 31), result == 0, total > MASK
        self.v = ((a ^ result) & (b ^ result)) >> 31 == 1
        return result

    def sub(self, a: int, b: int, carry: int = 1) -> int:
        return self.add(a, ~b & MASK, carry)

    def condition(self, code: str) -> bool:
        tests: dict[str, Callable[[], bool]] = {
            "eq": lambda: self.z, "ne": lambda: not self.z,
            "cs": lambda: self.c, "hs": lambda: self.c, "cc": lambda: not self.c,
            "lo": lambda: not self.c, "mi": lambda: self.n, "pl": lambda: not self.n,
            "hi": lambda: self.c and not self.z, "ls": lambda: not self.c or self.z,
            "ge": lambda: self.n == self.v, "lt": lambda: self.n != self.v,
            "gt": lambda: not self.z and self.n == self.v,
            "le": lambda: self.z or self.n != self.v,
        }  # fmt: skip
        return tests[code]()

    def run(self, observation_address: int) -> tuple[int, int, list[str]]:
        """Run ``decide`` from its first instruction: its result (r0), its cycles and the
        executed mnemonics."""
        self.r[0], self.r[13], self.r[14] = observation_address, DATA + 0x1000, RETURN | 1
        pc, cycles, path = min(self.code), 0, []
        while pc != RETURN:
            if pc not in self.code or len(path) > 100_000:
                raise SystemExit(f"the interpreter left decide at {pc:#x}")
            mnemonic, operands = self.code[pc]
            pc, spent = self.step(pc, mnemonic.split(".")[0], operands)
            cycles += spent
            path.append(mnemonic)
        return self.r[0], cycles, path

    def step(self, pc: int, op: str, operands: str) -> tuple[int, int]:
        """Execute one instruction; the next address and the instruction's cycles."""
        parts = [p.strip() for p in re.split(r",(?![^{]*})(?![^\[]*\])", operands) if p.strip()]
        following = pc + 2
        if op in ("push", "pop"):
            names = [register(x) for x in parts[0].strip("{}").split(",")]
            if op == "push":
                self.r[13] -= 4 * len(names)
                return following, 1 + len(names)
            self.r[13] += 4 * len(names)
            if 15 in names:  # the return address pushed by the call: the sentinel
                return RETURN, 3 + len(names)
            return following, 1 + len(names)
        if op in ("movs", "mov"):
            self.r[register(parts[0])] = result = self.value(parts[1])
            if op == "movs":
                self.n, self.z = bool(result >> 31), result == 0
            return following, 1
        if op.startswith("ldr"):
            size = {"ldr": 4, "ldrb": 1, "ldrh": 2}[op]
            address_text = operands.split(",", 1)[1].strip()
            if address_text.startswith("[pc"):  # literal: word-aligned pc + 4 + offset
                offset = int(address_text.strip("[]").split("#")[1], 0)
                address = ((pc + 4) & ~3) + offset
            else:
                inside = [x.strip() for x in address_text.strip("[]").split(",")]
                address = self.value(inside[0]) + (self.value(inside[1]) if len(inside) > 1 else 0)
            self.r[register(parts[0])] = self.load(address & MASK, size)
            return following, 2
        if op in ("adds", "subs", "adcs", "sbcs", "cmp", "cmn"):
            if op in ("cmp", "cmn"):
                a, b = self.value(parts[0]), self.value(parts[1])
                (self.sub if op == "cmp" else self.add)(a, b)
                return following, 1
            a, b = (self.value(parts[1]), self.value(parts[2])) if len(parts) == 3 else (
                self.value(parts[0]), self.value(parts[1]))  # fmt: skip
            carry = int(self.c)
            results = {"adds": lambda: self.add(a, b), "subs": lambda: self.sub(a, b),
                       "adcs": lambda: self.add(a, b, carry),
                       "sbcs": lambda: self.sub(a, b, carry)}  # fmt: skip
            self.r[register(parts[0])] = results[op]()
            return following, 1
        if op in ("negs", "rsbs"):
            self.r[register(parts[0])] = self.sub(0, self.value(parts[1]))
            return following, 1
        if op in ("lsls", "lsrs"):
            source, shift = (parts[1], parts[2]) if len(parts) == 3 else (parts[0], parts[1])
            a, amount = self.value(source), self.value(shift) & 0xFF
            if amount:
                if op == "lsls":
                    self.c = bool((a << amount) >> 32 & 1)
                    result = (a << amount) & MASK
                else:
                    self.c = bool(a >> (amount - 1) & 1)
                    result = a >> amount
            else:
                result = a
            self.r[register(parts[0])] = result
            self.n, self.z = bool(result >> 31), result == 0
            return following, 1
        if op in ("ands", "orrs", "eors", "bics", "uxtb"):
            if op == "uxtb":
                self.r[register(parts[0])] = self.value(parts[1]) & 0xFF
                return following, 1
            a, b = self.value(parts[0]), self.value(parts[-1])
            result = {"ands": a & b, "orrs": a | b, "eors": a ^ b, "bics": a & ~b & MASK}[op]
            self.r[register(parts[0])] = result
            self.n, self.z = bool(result >> 31), result == 0
            return following, 1
        if op == "b":
            return int(parts[0].split()[0], 16), 2
        if len(op) == 3 and op.startswith("b") and op[1:] in ("eq", "ne", "cs", "cc", "hs", "lo",
                                                              "mi", "pl", "hi", "ls", "ge", "lt",
                                                              "gt", "le"):  # fmt: skip
            if self.condition(op[1:]):
                return int(parts[0].split()[0], 16), 2
            return following, 1
        if op == "bx" and parts[0] == "lr":
            return self.r[14] & ~1, 2
        raise SystemExit(f"the interpreter does not know '{op} {operands}' at {pc:#x}")


def register(name: str) -> int:
    """The index of a register name (r0..r12, sp, lr, pc)."""
    name = name.strip()
    special = {"sp": 13, "lr": 14, "pc": 15, "ip": 12, "fp": 11, "sl": 10, "sb": 9}
    return special[name] if name in special else int(name.lstrip("r"))


def compiled_cycles(show: bool = False, listing: bool = False) -> tuple[int, str] | None:
    """The median cycles of a compiled decision over the prototype model's test samples
    (the call's BL included) and the compiler's version; ``None`` without the compiler.
    ``show`` prints a summary, ``listing`` the disassembly."""
    if shutil.which("arm-none-eabi-gcc") is None or shutil.which("arm-none-eabi-objdump") is None:
        return None
    model = prototype_model()
    costs, _ = log_costs(model.table, BITS)
    expected = logarithmic_model_sums(costs, model.test)[:, :, -1].argmin(axis=1)
    with tempfile.TemporaryDirectory() as folder:
        code, image = compile_decision(c_source(costs), Path(folder))
    version = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True,
                             text=True, check=True).stdout.splitlines()[0]  # fmt: skip
    if listing:
        print("\n".join(f"{a:8x}: {m} {o}" for a, m, o in code))
    counts, paths = [], set()
    for k, observation in enumerate(model.test):
        memory = dict(image)
        for i, value in enumerate(observation):
            memory[DATA + i] = int(value)
        decision, cycles, path = Thumb(code, memory).run(DATA)
        if decision != expected[k]:
            raise SystemExit(f"sample {k}: the compiled decision {decision} is not {expected[k]}")
        counts.append(cycles + 3)  # the caller's BL
        paths.add(len(path))
    if show:
        print(f"{version}, {' '.join(FLAGS)}: decide() is {len(code)} instructions; "
              f"{len(counts)} decisions equal numpy's")  # fmt: skip
        print(f"cycles per decision, including the call's BL: min {min(counts)}, median "
              f"{int(np.median(counts))}, max {max(counts)}; executed instructions "
              f"{min(paths)}..{max(paths)}")  # fmt: skip
    return int(np.median(counts)), version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the disassembly")
    args = parser.parse_args()
    if compiled_cycles(show=True, listing=args.show) is None:
        print("skipped: arm-none-eabi-gcc and arm-none-eabi-objdump are not installed "
              "(Debian: apt-get install gcc-arm-none-eabi)")  # fmt: skip


if __name__ == "__main__":
    main()
