"""The hash chain of the results store (schema 3) and ``devid results verify``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from devid import finding
from devid._reports import ResultStore, TestResult, TestStatus
from devid.cli import cli

from ._samples import T0

URN = "urn:dev:ops:32473-Lock-0001"
URN2 = "urn:dev:ops:32473-Lock-0002"
TESTS = ("identity.token", "identity.possession", "retained.status", "heartbeat")


def _result(urn: str, test: str, status: TestStatus = TestStatus.PASSED) -> TestResult:
    found = () if status is TestStatus.PASSED else (finding("TEST-ERROR", "boom"),)
    return TestResult(urn, test, test.replace(".", " "), status, found, 1.25, T0)


def _store(path: Path, runs: int = 1) -> list[str]:
    ids = []
    with ResultStore(path) as store:
        for n in range(runs):
            rid = store.begin_run("smart-lock/1", run_id=f"run-{n + 1}", started=T0,
                                  plan=[(u, t, t) for u in (URN, URN2) for t in TESTS])
            for urn in (URN, URN2):
                for test in TESTS:
                    store.record(rid, _result(urn, test))
            store.finish_run(rid)
            ids.append(rid)
    return ids


def _sql(path: Path, statement: str, *params: Any) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(statement, params)


def _verify(path: Path, *more: str) -> Result:
    return CliRunner().invoke(cli, ["results", "verify", "--db", str(path), *more],
                              env={"COLUMNS": "200"})


def _codes(path: Path, run: str | None = None) -> list[str]:
    with ResultStore(path) as store:
        verdicts = store.verify_chain(run)
    return [f.code for v in verdicts for f in v.findings]


def test_an_untouched_store_verifies(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db, runs=2)
    with ResultStore(db) as store:
        verdicts = store.verify_chain()
        assert [(v.number, v.state, v.rows) for v in verdicts] == [(1, "chained", 8),
                                                                  (2, "chained", 8)]
        assert all(v.ok and not v.findings for v in verdicts)
        assert store.chain_head("run-1") == (8, verdicts[0].head)
    result = _verify(db)
    assert result.exit_code == 0, result.output
    assert "run 1: chained" in result.stdout and "0 tampered" in result.stdout
    lines = [json.loads(x) for x in _verify(db, "--json").stdout.splitlines()]
    assert [(x["run"], x["state"], x["findings"]) for x in lines] == [
        (1, "chained", []), (2, "chained", [])]


def test_editing_one_row_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db)
    # one field of one row: a failed test made to look passed, or a duration changed
    _sql(db, "UPDATE results SET duration = 1.5 WHERE device_urn = ? AND test_id = ?",
         URN2, "heartbeat")
    assert _codes(db) == ["REPORT-CHAIN-ALTERED"]
    result = _verify(db)
    assert result.exit_code == 1
    assert "tampered" in result.stdout and "REPORT-CHAIN-ALTERED" in result.stdout
    assert f"{URN2} heartbeat" in result.stdout


def test_editing_one_byte_of_the_findings_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with ResultStore(db) as store:
        rid = store.begin_run("smart-lock/1", started=T0)
        store.record(rid, _result(URN, "heartbeat", TestStatus.FAILED))
        store.record(rid, _result(URN, "identity.token"))
    with sqlite3.connect(db) as raw:
        text = raw.execute("SELECT findings FROM results WHERE test_id = 'heartbeat'").fetchone()[0]
        raw.execute("UPDATE results SET findings = ? WHERE test_id = 'heartbeat'",
                    (text.replace("boom", "Boom"),))
    assert _codes(db) == ["REPORT-CHAIN-ALTERED"]


def test_deleting_a_row_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db)
    _sql(db, "DELETE FROM results WHERE device_urn = ? AND test_id = ?", URN, "retained.status")
    codes = _codes(db)
    assert codes == ["REPORT-CHAIN-BROKEN"], codes
    assert _verify(db, "--run", "1").exit_code == 1


def test_deleting_the_last_row_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db)
    _sql(db, "DELETE FROM results WHERE rowid = (SELECT MAX(rowid) FROM results)")
    assert _codes(db) == ["REPORT-CHAIN-TRUNCATED"]
    # and also when the run's row count is lowered to match
    _sql(db, "UPDATE runs SET chain_rows = chain_rows - 1")
    assert _codes(db) == ["REPORT-CHAIN-TRUNCATED"]


def test_editing_the_run_or_stripping_hashes_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db, runs=2)
    _sql(db, "UPDATE runs SET profile = 'smart-plug/1' WHERE run_id = 'run-1'")
    assert _codes(db, "run-1") == ["REPORT-CHAIN-ALTERED"]
    assert _codes(db, "run-2") == []
    _sql(db, "UPDATE results SET seq = NULL, prev_hash = NULL, row_hash = NULL "
             "WHERE run_id = 'run-2' AND test_id = 'heartbeat'")
    assert "REPORT-CHAIN-BROKEN" in _codes(db, "run-2")
    result = _verify(db, "--run", "2")
    assert result.exit_code == 1 and "run 1" not in result.stdout


def test_a_re_recorded_result_keeps_the_chain_and_the_old_row(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with ResultStore(db) as store:
        rid = store.begin_run("smart-lock/1", started=T0)
        store.record(rid, TestResult(URN, "heartbeat", "hb", TestStatus.NOT_RUN, reason="stop"))
        store.record(rid, _result(URN, "identity.token"))
        store.record(rid, _result(URN, "heartbeat"))  # the resumed run runs it again
        assert [r.status for r in store.load_run(rid).results] == [TestStatus.PASSED] * 2
        (verdict,) = store.verify_chain(rid)
        assert verdict.state == "chained" and verdict.rows == 3 and not verdict.findings
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT status FROM replaced").fetchall() == [("not_run",)]
        # moving a superseded row back over its replacement is caught
        raw.execute("DELETE FROM replaced")
    assert _codes(db) == ["REPORT-CHAIN-BROKEN"]


V2 = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, profile TEXT NOT NULL, started TEXT NOT NULL,
    finished TEXT, devices TEXT NOT NULL DEFAULT '{}', key TEXT, plan TEXT);
CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs(run_id), device_urn TEXT NOT NULL,
    test_id TEXT NOT NULL, test_name TEXT NOT NULL, status TEXT NOT NULL
    CHECK (status IN ('passed', 'failed', 'error', 'skipped', 'not_run')),
    findings TEXT NOT NULL, duration REAL NOT NULL, started TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, device_urn, test_id));
INSERT INTO runs VALUES ('old', 'smart-lock/1', '2025-01-01T10:00:00+00:00', NULL, '{}',
    NULL, NULL);
INSERT INTO results VALUES ('old', 'urn:dev:ops:32473-Lock-0001', 't1', 'one', 'passed', '[]',
    0.5, '2025-01-01T10:00:01+00:00', '');
INSERT INTO results VALUES ('old', 'urn:dev:ops:32473-Lock-0001', 't2', 'two', 'failed', '[]',
    0.7, '2025-01-01T10:00:02+00:00', '');
PRAGMA user_version = 2;
"""


def test_a_version_2_store_is_upgraded_and_reported_not_chained(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as raw:
        raw.executescript(V2)
    result = _verify(db)
    assert result.exit_code == 0, result.output  # not chained is not tampered
    assert "run 1: not chained" in result.stdout
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 3
    (line,) = [json.loads(x) for x in _verify(db, "--json").stdout.splitlines()]
    assert line["state"] == "not chained"
    assert [f["code"] for f in line["findings"]] == ["REPORT-CHAIN-NONE"]
    # resuming the old run chains what it holds, then goes on
    with ResultStore(db) as store:
        store.record("old", _result(URN, "t3"))
        (verdict,) = store.verify_chain()
        assert (verdict.state, verdict.rows, verdict.adopted) == ("chained", 3, 2)
        assert [f.code for f in verdict.findings] == ["REPORT-CHAIN-ADOPTED"]
        assert [r.test_id for r in store.load_run("old").results] == ["t1", "t2", "t3"]
    _sql(db, "UPDATE results SET status = 'passed' WHERE test_id = 't2'")
    assert _codes(db) == ["REPORT-CHAIN-ALTERED"]


def test_a_new_store_records_a_chain_for_every_run(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with ResultStore(db) as store:
        rid = store.begin_run("smart-lock/1", started=T0)
        assert store.chain_head(rid)[0] == 0
        (verdict,) = store.verify_chain(rid)
        assert verdict.state == "chained" and verdict.rows == 0


def test_results_verify_errors_are_one_line(tmp_path: Path) -> None:
    missing = _verify(tmp_path / "none.sqlite")
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert not (tmp_path / "none.sqlite").exists()
    db = tmp_path / "r.sqlite"
    _store(db)
    bad = _verify(db, "--run", "7")
    assert bad.exit_code == 2 and "--run 7" in bad.stderr and "Traceback" not in bad.output


@pytest.mark.parametrize("status", [TestStatus.PASSED, TestStatus.FAILED])
def test_the_report_trace_carries_the_chain_head(tmp_path: Path, status: TestStatus) -> None:
    db = tmp_path / "r.sqlite"
    with ResultStore(db) as store:
        rid = store.begin_run("smart-lock/1", started=T0)
        store.record(rid, _result(URN, "heartbeat", status))
        store.finish_run(rid)
        rows, head = store.chain_head(rid)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli, ["results", "report", "--db", str(db), "--json", str(out)])
    assert result.exit_code == (0 if status is TestStatus.PASSED else 1), result.output
    trace = json.loads(out.read_text())["trace"]
    assert trace["results_chain"] == {"state": "chained", "rows": rows, "head": head, "run": 1}
