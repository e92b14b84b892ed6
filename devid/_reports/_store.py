"""The results store: SQLite in WAL mode, one committed row per finished test.

Each :meth:`ResultStore.record` is its own transaction, committed before it
returns, so a run that is killed loses nothing already recorded;
:meth:`ResultStore.done` tells a resumed run which (device, test) pairs to
skip; :meth:`ResultStore.load_run` rebuilds the :class:`SuiteRun` every report is
rendered from.

Schema (``PRAGMA user_version = 1``)::

    runs(run_id PK, profile, started, finished NULL, devices JSON)
    results(run_id, device_urn, test_id, test_name, status, findings JSON,
            duration, started, PRIMARY KEY (run_id, device_urn, test_id))

Times are ISO 8601 text in UTC. Results load in the order they were recorded
(rowid). Recording the same (run, device, test) again replaces the earlier row
(a re-run of that test).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any

from devid._reports._model import SuiteRun, TestResult, TestStatus, finding_from_dict

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id   TEXT PRIMARY KEY,
    profile  TEXT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    devices  TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS results (
    run_id     TEXT NOT NULL REFERENCES runs(run_id),
    device_urn TEXT NOT NULL,
    test_id    TEXT NOT NULL,
    test_name  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'error', 'skipped')),
    findings   TEXT NOT NULL,
    duration   REAL NOT NULL,
    started    TEXT NOT NULL,
    PRIMARY KEY (run_id, device_urn, test_id)
);
"""


class StoreError(Exception):
    """The results database cannot be used (not a devid store, newer schema, I/O)."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run as listed by :meth:`ResultStore.runs`."""

    run_id: str
    profile: str
    started: datetime
    finished: datetime | None
    results: int


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class ResultStore:
    """A results database (``path``; ``":memory:"`` for a throw-away one).

    Safe to share between threads (one connection behind a lock). Use as a
    context manager or call :meth:`close`.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a committed transaction survives the process being killed;
            # only an OS crash or power loss may lose the last commits.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: results schema {version} is newer than devid's {SCHEMA_VERSION}"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {exc}") from None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def journal_mode(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    def _write(self, sql: str, params: Iterable[Any]) -> None:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(sql, tuple(params))
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: {exc}") from None

    # -- runs ------------------------------------------------------------------------------

    def begin_run(
        self,
        profile: str,
        *,
        run_id: str | None = None,
        started: datetime | None = None,
        devices: Mapping[str, str] | None = None,
    ) -> str:
        """Start a run (or resume ``run_id`` if it exists); returns the run id.

        Resuming keeps the original start time and profile; ``devices`` (URN →
        display name) is merged into what was stored. A resumed run is unfinished
        again until :meth:`finish_run`.
        """
        rid = run_id or f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        existing = self._run_row(rid)
        if existing is None:
            self._write(
                "INSERT INTO runs (run_id, profile, started, finished, devices) "
                "VALUES (?, ?, ?, NULL, ?)",
                (rid, profile, _iso(started or datetime.now(UTC)), json.dumps(dict(devices or {}))),
            )
        else:
            if existing[1] != profile:
                raise StoreError(f"run {rid} is a run of {existing[1]}, not {profile}")
            merged = {**json.loads(existing[4] or "{}"), **dict(devices or {})}
            self._write(
                "UPDATE runs SET finished = NULL, devices = ? WHERE run_id = ?",
                (json.dumps(merged), rid),
            )
        return rid

    def finish_run(self, run_id: str, finished: datetime | None = None) -> None:
        self._write(
            "UPDATE runs SET finished = ? WHERE run_id = ?",
            (_iso(finished or datetime.now(UTC)), run_id),
        )

    def _run_row(self, run_id: str) -> tuple[Any, ...] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT run_id, profile, started, finished, devices FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        return tuple(row) if row is not None else None

    def runs(self, profile: str | None = None) -> list[RunInfo]:
        """Every run, oldest first (optionally only those of ``profile``)."""
        sql = (
            "SELECT r.run_id, r.profile, r.started, r.finished, COUNT(x.test_id) FROM runs r "
            "LEFT JOIN results x ON x.run_id = r.run_id "
            "WHERE (? IS NULL OR r.profile = ?) "
            "GROUP BY r.run_id ORDER BY r.started, r.run_id"
        )
        with self._lock:
            rows = self._db.execute(sql, (profile, profile)).fetchall()
        return [RunInfo(r[0], r[1], datetime.fromisoformat(r[2]), _parse(r[3]), r[4]) for r in rows]

    def latest_unfinished(self, profile: str) -> str | None:
        """The newest run of ``profile`` that never finished (the one to resume), if any."""
        candidates = [r for r in self.runs(profile) if r.finished is None]
        return candidates[-1].run_id if candidates else None

    # -- results ---------------------------------------------------------------------------

    def record(self, run_id: str, result: TestResult) -> None:
        """Write one result and commit it before returning."""
        self._write(
            "INSERT OR REPLACE INTO results "
            "(run_id, device_urn, test_id, test_name, status, findings, duration, started) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                result.device_urn,
                result.test_id,
                result.test_name,
                result.status.value,
                json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False, default=str),
                float(result.duration),
                _iso(result.started),
            ),
        )

    def done(self, run_id: str) -> set[tuple[str, str]]:
        """The (device URN, test id) pairs of ``run_id`` that already have a result."""
        with self._lock:
            rows = self._db.execute(
                "SELECT device_urn, test_id FROM results WHERE run_id = ?", (run_id,)
            ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def load_run(self, run_id: str) -> SuiteRun:
        """The stored run with its results in the order they were recorded."""
        row = self._run_row(run_id)
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}")
        with self._lock:
            rows = self._db.execute(
                "SELECT device_urn, test_id, test_name, status, findings, duration, started "
                "FROM results WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            ).fetchall()
        results = tuple(
            TestResult(
                device_urn=r[0],
                test_id=r[1],
                test_name=r[2],
                status=TestStatus(r[3]),
                findings=tuple(finding_from_dict(f) for f in json.loads(r[4])),
                duration=r[5],
                started=datetime.fromisoformat(r[6]),
            )
            for r in rows
        )
        return SuiteRun(
            profile=row[1],
            run_id=row[0],
            started=datetime.fromisoformat(row[2]),
            results=results,
            finished=_parse(row[3]),
            devices=MappingProxyType(json.loads(row[4] or "{}")),
        )
