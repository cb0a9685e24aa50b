"""The results store: one directory per sweep, an SQLite database in WAL mode, one row per point.

Rows are keyed by point index and inserted with ``INSERT OR IGNORE`` inside one transaction per
batch, so a crash leaves whole batches or nothing, and a point computed twice (a worker killed
after finishing) is never duplicated: the first row wins and keeps its timestamps. Waveforms
go to ``waves/NNNNNN.npz``, written to a temporary name and renamed before the row commits.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from spicegen.sweep.errors import StoreError
from spicegen.sweep.record import Record

DATABASE = "sweep.sqlite"
WAVES = "waves"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    idx           INTEGER PRIMARY KEY,  -- point index in the spec
    params        TEXT NOT NULL,        -- JSON object, SI units
    seed          INTEGER NOT NULL,
    netlist_hash  TEXT NOT NULL,        -- SHA-256 of the deck that ran (sim writes it)
    status        TEXT NOT NULL CHECK (status IN ('done', 'failed', 'timeout')),
    measurements  TEXT NOT NULL,        -- JSON object, NaN stored as null
    error         TEXT,                 -- typed error class name
    message       TEXT NOT NULL,        -- ngspice's message (or why a measurement is NaN)
    log           TEXT NOT NULL,        -- excerpt of ngspice's log for failures
    rung          TEXT NOT NULL,        -- ladder rung of the final attempt
    attempts      TEXT NOT NULL,        -- JSON list of [rung, error, seconds]
    elapsed       REAL NOT NULL,        -- s, wall time of the point
    started       REAL NOT NULL,        -- Unix time, s
    finished      REAL NOT NULL,        -- Unix time, s
    worker        TEXT NOT NULL,        -- host:pid that ran it
    waveform      TEXT,                 -- file under waves/, or NULL
    cached_from   INTEGER,              -- index of the row it was copied from, or NULL
    run           INTEGER NOT NULL      -- which invocation (1, 2... on resume) wrote it
);
CREATE INDEX IF NOT EXISTS points_hash ON points (netlist_hash);
"""
_COLUMNS = (
    "idx", "params", "seed", "netlist_hash", "status", "measurements", "error", "message",
    "log", "rung", "attempts", "elapsed", "started", "finished", "worker", "waveform",
    "cached_from", "run",
)  # fmt: skip


class Store:
    """An open sweep directory. ``Store.create`` starts one; ``Store.open`` resumes or reads."""

    def __init__(self, directory: Path, connection: sqlite3.Connection, run: int) -> None:
        self.directory = directory
        self._db = connection
        self.run = run

    @classmethod
    def create(
        cls, directory: str | os.PathLike[str], meta: dict[str, str], *, resume: bool
    ) -> Store:
        """Open ``directory`` for writing. A new one records ``meta``; one that holds rows
        needs ``resume`` and the same ``meta["fingerprint"]`` (the same spec).

        A store without a row (a sweep that stopped before its first point: a bad factory,
        no ngspice, an unreachable scheduler) holds nothing to keep, so it is started afresh.
        """
        path = Path(directory)
        database = path / DATABASE
        try:
            (path / WAVES).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"cannot create the results directory {path}: {err.strerror}"
            ) from None
        db = _connect(database)
        try:
            with db:
                db.executescript(_SCHEMA)
            rows = db.execute("SELECT COUNT(*) FROM points").fetchone()[0]
            old = dict(db.execute("SELECT key, value FROM meta").fetchall()) if rows else {}
        except sqlite3.DatabaseError as err:
            db.close()
            raise StoreError(f"cannot use the sweep database {database}: {err}") from None
        if rows and not resume:
            db.close()
            raise StoreError(
                f"{path} already holds a sweep ({rows} point(s)); pass --resume (resume=True) "
                "to finish it, or choose another directory"
            )
        if old and old.get("fingerprint") != meta.get("fingerprint"):
            db.close()
            raise StoreError(
                f"{path} holds a sweep of another spec (name {old.get('name')!r}); "
                "a resume needs the same spec file, unchanged"
            )
        run = int(old.get("runs", "0")) + 1
        with db:
            db.execute("DELETE FROM meta")
            db.executemany("INSERT INTO meta VALUES (?, ?)", [*meta.items(), ("runs", str(run))])
        return cls(path, db, run)

    @classmethod
    def open(cls, directory: str | os.PathLike[str]) -> Store:
        """Open an existing sweep directory to read it."""
        path = Path(directory)
        database = path / DATABASE
        if not database.is_file():
            raise StoreError(f"{path} is not a sweep directory (no {DATABASE})")
        db = _connect(database)
        runs = db.execute("SELECT value FROM meta WHERE key = 'runs'").fetchone()
        return cls(path, db, int(runs[0]) if runs else 0)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self) -> dict[str, str]:
        """The sweep's metadata (spec fingerprint, parameter and measurement names...)."""
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def finished(self) -> set[int]:
        """Indices of points that have a row (any status)."""
        return {row[0] for row in self._db.execute("SELECT idx FROM points")}

    def finished_between(self, low: int, high: int) -> set[int]:
        """Indices in ``[low, high)`` that have a row (any status)."""
        cursor = self._db.execute("SELECT idx FROM points WHERE idx >= ? AND idx < ?", (low, high))
        return {row[0] for row in cursor}

    def count(self, below: int | None = None) -> int:
        """How many rows there are (with an index below ``below``, if given)."""
        if below is None:
            return int(self._db.execute("SELECT COUNT(*) FROM points").fetchone()[0])
        cursor = self._db.execute("SELECT COUNT(*) FROM points WHERE idx < ?", (below,))
        return int(cursor.fetchone()[0])

    def cached(self, netlist_hash: str) -> dict[str, Any] | None:
        """A ``done`` row that ran the same netlist, or None. A stochastic point's netlist
        carries its seed (``.options seed=N``), so the hash covers the seed too."""
        cursor = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM points WHERE netlist_hash = ? "
            "AND status = 'done' ORDER BY idx LIMIT 1",
            (netlist_hash,),
        )
        row = cursor.fetchone()
        return dict(zip(_COLUMNS, row, strict=True)) if row else None

    def add(self, records: Iterable[Record]) -> int:
        """Write records (waveform files first, then the rows in one transaction); returns how
        many rows were new."""
        rows = [self._row(record) for record in records]
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                f"INSERT OR IGNORE INTO points ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                rows,
            )
            return self._db.total_changes - before

    def add_cached(
        self, index: int, params: dict[str, float], seed: int, source: dict[str, Any]
    ) -> None:
        """Record point ``index`` as a copy of the finished row ``source`` (same netlist, seed)."""
        row = dict(source)
        row.update(idx=index, params=json.dumps(params), seed=seed, cached_from=source["idx"],
                   run=self.run, elapsed=0.0)  # fmt: skip
        with self._db:
            self._db.execute(
                f"INSERT OR IGNORE INTO points ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                [row[name] for name in _COLUMNS],
            )

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row in index order, JSON columns decoded."""
        cursor = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM points ORDER BY idx")
        for values in cursor:
            row = dict(zip(_COLUMNS, values, strict=True))
            row["params"] = json.loads(row["params"])
            row["measurements"] = {
                k: math.nan if v is None else v for k, v in json.loads(row["measurements"]).items()
            }
            row["attempts"] = json.loads(row["attempts"])
            yield row

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        return dict(
            self._db.execute("SELECT status, COUNT(*) FROM points GROUP BY status").fetchall()
        )

    def _row(self, record: Record) -> list[Any]:
        waveform = self._write_waves(record) if record.waves else None
        return [
            record.index,
            json.dumps(dict(record.params)),
            record.seed,
            record.netlist_hash,
            record.status,
            json.dumps({k: None if math.isnan(v) else v for k, v in record.measurements}),
            record.error,
            record.message,
            record.log,
            record.rung,
            json.dumps([list(a) for a in record.attempts]),
            record.elapsed,
            record.started,
            record.finished,
            record.worker,
            waveform,
            None,
            self.run,
        ]

    def _write_waves(self, record: Record) -> str:
        name = f"{WAVES}/{record.index:06d}.npz"
        target = self.directory / name
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as stream:
                arrays: dict[str, Any] = dict(record.waves)
                np.savez(stream, **arrays)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name


def _connect(database: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(database, timeout=30.0)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as err:
        raise StoreError(f"cannot open the sweep database {database}: {err}") from None
    return db
