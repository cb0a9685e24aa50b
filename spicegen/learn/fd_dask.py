"""The SPICE engine spread over a Dask cluster: one ``Session`` per worker, loaded once.

Each worker holds a ``SpiceEngine`` of the same chip in a Dask actor (the netlist is loaded
into its ngspice once, when the actor starts). Programming sends the weights to every actor
(each changes only the resistors that differ from what it holds); a forward pass splits the
batch into one contiguous chunk per worker and joins the answers in sample order. Operating
points do not depend on which process computes them, so a run gives the same numbers as the
local SPICE engine for the same seed.

A worker must be allowed to start the ngspice worker process: with ``LocalCluster(processes=
True)`` set ``distributed.worker.daemon`` to False (daemonic processes cannot have children);
a threaded ``LocalCluster(processes=False)`` needs nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from spicegen.learn.errors import LearnError
from spicegen.learn.fd_engines import FloatArray, LayerOutput, Power
from spicegen.learn.fd_hardware import MtjChip
from spicegen.learn.fd_spice import SpiceEngine
from spicegen.va import CompiledModel

__all__ = ["DaskSpiceEngine"]


class _Actor:
    """What lives on one worker: its own SPICE engine of the chip."""

    def __init__(self, device: CompiledModel, chip: MtjChip, sizes: tuple[int, ...]) -> None:
        self.engine = SpiceEngine(device, chip, sizes)

    def program(self, weights: Sequence[FloatArray]) -> None:
        self.engine.program(weights)

    def values(self, inputs: FloatArray) -> FloatArray:
        """Read-back voltages of every sample, as ``SpiceEngine.vectors``."""
        return self.engine.read(inputs)

    def power(self, inputs: FloatArray) -> Power:
        return self.engine.power(inputs)

    def close(self) -> None:
        self.engine.close()


class DaskSpiceEngine:
    """``SpiceEngine``'s interface, its operating points computed on ``client``'s workers."""

    name = "spice"
    weight_limit = 1.0

    def __init__(
        self, device: CompiledModel, chip: MtjChip, sizes: Sequence[int], client: Any
    ) -> None:
        try:
            workers = sorted(client.scheduler_info()["workers"])
        except (AttributeError, KeyError, TypeError):
            raise LearnError(f"client: expected a distributed.Client, got {client!r}") from None
        if not workers:
            raise LearnError("client: the Dask cluster has no workers")
        self.chip = chip
        self.sizes = tuple(int(s) for s in sizes)
        # the local engine only normalises and exports; its session stays closed
        self._local = SpiceEngine(device, chip, self.sizes, start=False)
        self.calibration = self._local.calibration
        self.resistances = self._local.resistances
        self.circuit = self._local.circuit
        futures = [
            client.submit(_Actor, device, chip, self.sizes, actor=True, workers=[address],
                          pure=False)
            for address in workers
        ]  # fmt: skip
        self._actors = [future.result() for future in futures]
        self.workers = len(self._actors)

    def program(self, weights: Sequence[FloatArray]) -> None:
        plain = [np.asarray(w, dtype=np.float64) for w in weights]
        for pending in [actor.program(plain) for actor in self._actors]:
            pending.result()

    def forward(self, inputs: FloatArray) -> tuple[LayerOutput, ...]:
        x = np.asarray(inputs, dtype=np.float64)
        chunks = [c for c in np.array_split(np.arange(x.shape[0]), self.workers) if c.size]
        pending = [self._actors[k].values(x[c]) for k, c in enumerate(chunks)]
        values = np.concatenate([p.result() for p in pending], axis=0)
        return self._local.normalise(values)

    def power(self, inputs: FloatArray) -> Power:
        x = np.asarray(inputs, dtype=np.float64)
        chunks = [c for c in np.array_split(np.arange(x.shape[0]), self.workers) if c.size]
        parts = [self._actors[k].power(x[c]) for k, c in enumerate(chunks)]
        powers = [p.result() for p in parts]
        return Power(
            np.concatenate([p.inference for p in powers]),
            np.concatenate([p.training for p in powers]),
        )

    def close(self) -> None:
        for actor in self._actors:
            # a worker already gone has nothing left to close
            with contextlib.suppress(Exception):
                actor.close().result()
        self._actors = []
