"""The results store: SQLite in WAL mode, one committed row per finished test.

Each :meth:`ResultStore.record` is its own transaction, committed before it
returns, so a run that is killed loses nothing already recorded;
:meth:`ResultStore.done` tells a resumed run which (device, test) pairs to
skip; :meth:`ResultStore.load_run` rebuilds the :class:`SuiteRun` every report is
rendered from.

Schema (``PRAGMA user_version = 3``; version 1 and 2 files are upgraded in place)::

    runs(run_id PK, profile, started, finished NULL, devices JSON,
         key JSON NULL, plan JSON NULL, chain_rows NULL, chain_head NULL,
         chain_adopted NULL)
    results(run_id, device_urn, test_id, test_name, status, findings JSON,
            duration, started, reason, seq NULL, prev_hash NULL, row_hash NULL,
            PRIMARY KEY (run_id, device_urn, test_id))
    replaced(the columns of results, no key): rows a re-recorded result superseded

**Hash chain** (version 3, :mod:`devid._reports._chain`): each result row written
carries ``seq`` (1, 2, ... within its run), the SHA-256 of the previous row of its
run (``prev_hash``; for the first row, the hash of the run's id, profile and start
time) and its own ``row_hash`` (SHA-256 over ``prev_hash`` and the row's content);
the run keeps the last hash and the row count (``chain_head``, ``chain_rows``),
updated in the same transaction. Recording a (device, test) again moves the old row
to ``replaced`` (kept, still in the chain) and appends the new one, so the chain
only ever grows. :meth:`ResultStore.verify_chain` walks it: an edited, deleted,
inserted or moved row is a finding. Runs stored before version 3 have no hashes
(``chain_rows`` NULL: "not chained"); when such a run is resumed, its rows are
chained first (``chain_adopted`` says how many) and the chain goes on from there.

A run's number (``devid results show --run N``) is its ``rowid``: 1, 2, ... in the
order the runs began. ``key`` is what makes two invocations the same run (profile,
devices, suite and options, as the caller defines it): only a run with the same
key is resumed. ``plan`` lists every (device, test id, test name) the run means to
run; :meth:`ResultStore.load_run` reports each planned test without a result as
``not_run``, so an interrupted run can never look complete. Times are ISO 8601
text in UTC. Results load in plan order (those outside the plan after them, in
the order they were recorded). Recording the same (run, device, test) again
replaces the earlier row (a re-run of that test). ``not_run`` rows do not count
as done: a resumed run runs those tests again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any

from devid._reports import _chain
from devid._reports._model import SuiteRun, TestResult, TestStatus, finding_from_dict

SCHEMA_VERSION = 3

_RESULTS = """
CREATE TABLE IF NOT EXISTS {name} (
    run_id     TEXT NOT NULL REFERENCES runs(run_id),
    device_urn TEXT NOT NULL,
    test_id    TEXT NOT NULL,
    test_name  TEXT NOT NULL,
    status     TEXT NOT NULL
               CHECK (status IN ('passed', 'failed', 'error', 'skipped', 'not_run')),
    findings   TEXT NOT NULL,
    duration   REAL NOT NULL,
    started    TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    seq        INTEGER,
    prev_hash  TEXT,
    row_hash   TEXT,
    PRIMARY KEY (run_id, device_urn, test_id)
);
"""

_REPLACED = """
CREATE TABLE IF NOT EXISTS replaced (
    run_id     TEXT NOT NULL,
    device_urn TEXT NOT NULL,
    test_id    TEXT NOT NULL,
    test_name  TEXT NOT NULL,
    status     TEXT NOT NULL,
    findings   TEXT NOT NULL,
    duration   REAL NOT NULL,
    started    TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    seq        INTEGER,
    prev_hash  TEXT,
    row_hash   TEXT
);
"""

#: The columns of a result row, in the order the hash chain reads them.
_ROW = ("run_id, device_urn, test_id, test_name, status, findings, duration, started, reason, "
        "seq, prev_hash, row_hash")
_MARKS = ", ".join("?" * 12)
# the statements of the hash chain (constant text: only the column list is spliced in)
_SELECT_ONE = f"SELECT {_ROW} FROM results WHERE run_id = ? AND device_urn = ? AND test_id = ?"  # noqa: S608
_TO_REPLACED = f"INSERT INTO replaced ({_ROW}) VALUES ({_MARKS})"  # noqa: S608
_INSERT_ROW = f"INSERT INTO results ({_ROW}) VALUES ({_MARKS})"  # noqa: S608
_SELECT_RUN = f"SELECT {_ROW} FROM results WHERE run_id = ? ORDER BY rowid"  # noqa: S608
_SELECT_ADOPT = f"SELECT rowid, {_ROW} FROM results WHERE run_id = ? ORDER BY rowid"  # noqa: S608
_SELECT_REPLACED = f"SELECT {_ROW} FROM replaced WHERE run_id = ? ORDER BY rowid"  # noqa: S608

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id   TEXT PRIMARY KEY,
    profile  TEXT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    devices  TEXT NOT NULL DEFAULT '{}',
    key      TEXT,
    plan     TEXT,
    chain_rows    INTEGER,
    chain_head    TEXT,
    chain_adopted INTEGER
);
""" + _RESULTS.format(name="results") + _REPLACED

#: Why a planned test has no result, by whether its run finished.
NOT_RUN_UNFINISHED = "the run stopped before this test ran (interrupted, or still running)"
NOT_RUN_FINISHED = "the run finished without a result for this test"


class StoreError(Exception):
    """The results database cannot be used (not a devid store, newer schema, I/O)."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run as listed by :meth:`ResultStore.runs`.

    ``results`` counts the stored results (``not_run`` rows included); ``planned``
    the tests the run means to run (0: no plan was stored); ``statuses`` the stored
    results by status; ``key`` the run's identity (``None``: stored without one).
    """

    run_id: str
    profile: str
    started: datetime
    finished: datetime | None
    results: int
    number: int = 0
    devices: tuple[str, ...] = ()
    planned: int = 0
    statuses: Mapping[str, int] = field(default_factory=dict)
    key: Mapping[str, Any] | None = None


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
            if version < SCHEMA_VERSION:
                self._upgrade()
        except sqlite3.DatabaseError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: {exc}") from None
        self._lock = threading.Lock()

    def _upgrade(self) -> None:
        """Create the schema, or upgrade a version 1 or 2 file (one transaction). Results
        stored before version 3 keep no hashes: their runs are "not chained"."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have
        if version >= SCHEMA_VERSION:
            db.execute("COMMIT")
            return
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "runs" in tables:
            columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
            for column, kind in (("key", "TEXT"), ("plan", "TEXT"), ("chain_rows", "INTEGER"),
                                 ("chain_head", "TEXT"), ("chain_adopted", "INTEGER")):
                if column not in columns:
                    db.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
        if "results" in tables and version >= 2:
            # version 2 -> 3: the hash chain columns (existing rows stay unchained)
            columns = {r[1] for r in db.execute("PRAGMA table_info(results)")}
            for column, kind in (("seq", "INTEGER"), ("prev_hash", "TEXT"),
                                 ("row_hash", "TEXT")):
                if column not in columns:
                    db.execute(f"ALTER TABLE results ADD COLUMN {column} {kind}")
        elif "results" in tables:
            # version 1 had no 'not_run' status and no reason: rebuild the table
            db.execute(_RESULTS.format(name="results_v2"))
            db.execute(
                "INSERT INTO results_v2 (run_id, device_urn, test_id, test_name, status, "
                "findings, duration, started) SELECT run_id, device_urn, test_id, test_name, "
                "status, findings, duration, started FROM results ORDER BY rowid"
            )
            db.execute("DROP TABLE results")
            db.execute("ALTER TABLE results_v2 RENAME TO results")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")

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
        key: Mapping[str, Any] | None = None,
        plan: Iterable[tuple[str, str, str]] | None = None,
    ) -> str:
        """Start a run (or resume ``run_id`` if it exists); returns the run id.

        ``key`` (JSON-able) identifies the run for :meth:`find_run`; ``plan`` lists
        the (device URN, test id, test name) it means to run. Resuming keeps the
        original start time and profile; ``devices`` (URN → display name) and
        ``plan`` are merged into what was stored, and ``key`` is set when the run
        had none. A resumed run is unfinished again until :meth:`finish_run`.
        """
        rid = run_id or f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        new_plan = [list(p) for p in plan] if plan is not None else None
        existing = self._run_row(rid)
        if existing is None:
            start = _iso(started or datetime.now(UTC))
            self._write(
                "INSERT INTO runs (run_id, profile, started, finished, devices, key, plan, "
                "chain_rows, chain_head) VALUES (?, ?, ?, NULL, ?, ?, ?, 0, ?)",
                (
                    rid,
                    profile,
                    start,
                    json.dumps(dict(devices or {})),
                    _dump_key(key),
                    json.dumps(new_plan) if new_plan is not None else None,
                    _chain.genesis(rid, profile, start),
                ),
            )
        else:
            if existing[1] != profile:
                raise StoreError(f"run {rid} is a run of {existing[1]}, not {profile}")
            merged = {**json.loads(existing[4] or "{}"), **dict(devices or {})}
            old_plan = json.loads(existing[6]) if existing[6] else None
            if new_plan is not None:
                seen = {(p[0], p[1]) for p in old_plan or []}
                old_plan = [*(old_plan or []), *(p for p in new_plan if (p[0], p[1]) not in seen)]
            self._write(
                "UPDATE runs SET finished = NULL, devices = ?, key = COALESCE(key, ?), plan = ? "
                "WHERE run_id = ?",
                (
                    json.dumps(merged),
                    _dump_key(key),
                    json.dumps(old_plan) if old_plan is not None else None,
                    rid,
                ),
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
                "SELECT run_id, profile, started, finished, devices, key, plan, rowid "
                "FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        return tuple(row) if row is not None else None

    def runs(self, profile: str | None = None) -> list[RunInfo]:
        """Every run, oldest first (optionally only those of ``profile``)."""
        sql = (
            "SELECT r.run_id, r.profile, r.started, r.finished, COUNT(x.test_id), r.rowid, "
            "r.devices, r.plan, r.key FROM runs r "
            "LEFT JOIN results x ON x.run_id = r.run_id "
            "WHERE (? IS NULL OR r.profile = ?) "
            "GROUP BY r.run_id ORDER BY r.rowid"
        )
        with self._lock:
            rows = self._db.execute(sql, (profile, profile)).fetchall()
            status_rows = self._db.execute(
                "SELECT run_id, status, COUNT(*) FROM results GROUP BY run_id, status"
            ).fetchall()
        statuses: dict[str, dict[str, int]] = {}
        for rid, status, n in status_rows:
            statuses.setdefault(rid, {})[status] = n
        return [
            RunInfo(
                r[0],
                r[1],
                datetime.fromisoformat(r[2]),
                _parse(r[3]),
                r[4],
                number=r[5],
                devices=tuple(json.loads(r[6] or "{}")),
                planned=len(json.loads(r[7])) if r[7] else 0,
                statuses=MappingProxyType(statuses.get(r[0], {})),
                key=json.loads(r[8]) if r[8] else None,
            )
            for r in rows
        ]

    def latest_unfinished(self, profile: str) -> str | None:
        """The newest run of ``profile`` that never finished, if any."""
        candidates = [r for r in self.runs(profile) if r.finished is None]
        return candidates[-1].run_id if candidates else None

    def find_run(self, profile: str, key: Mapping[str, Any]) -> str | None:
        """The newest unfinished run of ``profile`` whose key is ``key`` (the one to
        resume), if any."""
        want = json.loads(_dump_key(key) or "null")
        for info in reversed(self.runs(profile)):
            if info.finished is None and info.key == want:
                return info.run_id
        return None

    def resolve(self, ref: str | int | None) -> str:
        """The run id of run number ``ref`` (``3``), of run id ``ref``, or of the newest
        run (``None``); :class:`StoreError` when there is none."""
        with self._lock:
            if ref is None:
                row = self._db.execute(
                    "SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1"
                ).fetchone()
                if row is None:
                    raise StoreError(f"{self.path}: no run is stored")
                return str(row[0])
            text = str(ref).strip()
            row = None
            if text.isdigit():
                row = self._db.execute(
                    "SELECT run_id FROM runs WHERE rowid = ?", (int(text),)
                ).fetchone()
            if row is None:
                row = self._db.execute(
                    "SELECT run_id FROM runs WHERE run_id = ?", (text,)
                ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {text!r}")
        return str(row[0])

    def number(self, run_id: str) -> int:
        """The run's number (its ordinal in this store)."""
        row = self._run_row(run_id)
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}")
        return int(row[7])

    # -- results ---------------------------------------------------------------------------

    def record(self, run_id: str, result: TestResult) -> None:
        """Write one result and commit it before returning.

        The row is appended to the run's hash chain in the same transaction; a result
        recorded again for the same (device, test) moves the earlier row to ``replaced``.
        """
        content = (
            run_id,
            result.device_urn,
            result.test_id,
            result.test_name,
            result.status.value,
            json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False, default=str),
            float(result.duration),
            _iso(result.started),
            result.reason,
        )
        db = self._db
        with self._lock:
            try:
                db.execute("BEGIN IMMEDIATE")
                head = db.execute(
                    "SELECT chain_rows, chain_head, profile, started FROM runs WHERE run_id = ?",
                    (run_id,),
                ).fetchone()
                if head is None:
                    raise StoreError(f"{self.path}: no run {run_id!r}")
                count, last = head[0], head[1]
                if count is None:  # a run stored before schema 3: chain its rows first
                    count, last = self._adopt(run_id, head[2], head[3])
                old = db.execute(
                    _SELECT_ONE, (run_id, result.device_urn, result.test_id)
                ).fetchone()
                if old is not None:
                    db.execute(_TO_REPLACED, tuple(old))
                    db.execute(
                        "DELETE FROM results WHERE run_id = ? AND device_urn = ? "
                        "AND test_id = ?",
                        (run_id, result.device_urn, result.test_id),
                    )
                seq = int(count) + 1
                digest = _chain.row_hash(last, seq, content)
                db.execute(_INSERT_ROW, (*content, seq, last, digest))
                db.execute("UPDATE runs SET chain_rows = ?, chain_head = ? WHERE run_id = ?",
                           (seq, digest, run_id))
                db.execute("COMMIT")
            except (sqlite3.DatabaseError, StoreError) as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, StoreError):
                    raise
                raise StoreError(f"{self.path}: {exc}") from None

    def _adopt(self, run_id: str, profile: str, started: str) -> tuple[int, str]:
        """Chain the rows of a run stored before schema 3 (inside the caller's
        transaction), in the order they were written; returns (rows, head)."""
        db = self._db
        last = _chain.genesis(run_id, profile, started)
        rows = db.execute(_SELECT_ADOPT, (run_id,)).fetchall()
        for seq, row in enumerate(rows, start=1):
            digest = _chain.row_hash(last, seq, row[1:10])
            db.execute("UPDATE results SET seq = ?, prev_hash = ?, row_hash = ? WHERE rowid = ?",
                       (seq, last, digest, row[0]))
            last = digest
        db.execute("UPDATE runs SET chain_rows = ?, chain_head = ?, chain_adopted = ? "
                   "WHERE run_id = ?", (len(rows), last, len(rows), run_id))
        return len(rows), last

    def verify_chain(self, run_id: str | None = None) -> list[_chain.ChainVerdict]:
        """Check the hash chain of ``run_id`` (default: every run, oldest first)."""
        with self._lock:
            runs = self._db.execute(
                "SELECT run_id, profile, started, rowid, chain_rows, chain_head, chain_adopted "
                "FROM runs WHERE (? IS NULL OR run_id = ?) ORDER BY rowid",
                (run_id, run_id),
            ).fetchall()
            out = []
            for run in runs:
                rows = self._db.execute(_SELECT_RUN, (run[0],)).fetchall()
                replaced = self._db.execute(_SELECT_REPLACED, (run[0],)).fetchall()
                out.append(_chain.walk(tuple(run), [tuple(r) for r in rows],
                                       [tuple(r) for r in replaced]))
        if run_id is not None and not out:
            raise StoreError(f"{self.path}: no run {run_id!r}")
        return out

    def chain_head(self, run_id: str) -> tuple[int | None, str | None]:
        """(rows, head hash) of the run's chain as stored; (None, None): not chained."""
        with self._lock:
            row = self._db.execute(
                "SELECT chain_rows, chain_head FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}")
        return (int(row[0]) if row[0] is not None else None), row[1]

    def done(self, run_id: str) -> set[tuple[str, str]]:
        """The (device URN, test id) pairs of ``run_id`` that already have a result
        (``not_run`` rows excluded: a resumed run runs those again)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT device_urn, test_id FROM results WHERE run_id = ? AND status != 'not_run'",
                (run_id,),
            ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def load_run(self, run_id: str) -> SuiteRun:
        """The stored run: its results in plan order, a ``not_run`` result for each
        planned test without one, then any results outside the plan (recording order)."""
        row = self._run_row(run_id)
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}")
        with self._lock:
            rows = self._db.execute(
                "SELECT device_urn, test_id, test_name, status, findings, duration, started, "
                "reason FROM results WHERE run_id = ? ORDER BY rowid",
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
                reason=r[7] or "",
            )
            for r in rows
        )
        started = datetime.fromisoformat(row[2])
        finished = _parse(row[3])
        if row[6]:
            stored: dict[tuple[str, str], TestResult | None] = {
                (r.device_urn, r.test_id): r for r in results
            }
            why = NOT_RUN_FINISHED if finished is not None else NOT_RUN_UNFINISHED
            ordered = [
                stored.pop((urn, tid), None)
                or TestResult(urn, tid, name, TestStatus.NOT_RUN, (), 0.0, started, reason=why)
                for urn, tid, name in json.loads(row[6])
            ]
            results = (*ordered, *(r for r in results if (r.device_urn, r.test_id) in stored))
        return SuiteRun(
            profile=row[1],
            run_id=row[0],
            started=started,
            results=results,
            finished=finished,
            devices=MappingProxyType(json.loads(row[4] or "{}")),
            number=int(row[7]),
        )


def _dump_key(key: Mapping[str, Any] | None) -> str | None:
    return json.dumps(dict(key), sort_keys=True, separators=(",", ":")) if key is not None else None
