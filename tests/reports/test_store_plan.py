"""Run plans, not-run tests, run numbers, the v1 → v2 upgrade and ``devid results`` errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from devid._reports import ResultStore, TestResult, TestStatus, render_junit, suite_to_dict
from devid.cli import cli

A, B = "urn:dev:ops:1-A-1", "urn:dev:ops:1-A-2"
PLAN = [(u, t, f"name {t}") for u in (A, B) for t in ("t1", "t2")]

V1 = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, profile TEXT NOT NULL, started TEXT NOT NULL,
                   finished TEXT, devices TEXT NOT NULL DEFAULT '{}');
CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs(run_id), device_urn TEXT NOT NULL,
    test_id TEXT NOT NULL, test_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'error', 'skipped')),
    findings TEXT NOT NULL, duration REAL NOT NULL, started TEXT NOT NULL,
    PRIMARY KEY (run_id, device_urn, test_id));
INSERT INTO runs VALUES ('old', 'p/1', '2026-01-01T00:00:00+00:00', NULL,
                         '{"urn:dev:ops:1-A-1": ""}');
INSERT INTO results VALUES ('old', 'urn:dev:ops:1-A-1', 't2', 'two', 'failed', '[]', 1.0,
                            '2026-01-01T00:00:00+00:00');
INSERT INTO results VALUES ('old', 'urn:dev:ops:1-A-1', 't1', 'one', 'passed', '[]', 1.0,
                            '2026-01-01T00:00:00+00:00');
PRAGMA user_version = 1;
"""


def test_planned_tests_without_a_result_are_not_run(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.db") as store:
        rid = store.begin_run("p/1", key={"devices": [A, B]}, plan=PLAN)
        store.record(rid, TestResult(B, "t2", "name t2", TestStatus.PASSED))
        store.record(rid, TestResult(A, "t1", "name t1", TestStatus.PASSED))
        store.record(rid, TestResult(B, "t1", "name t1", TestStatus.NOT_RUN, reason="gone"))
        assert store.done(rid) == {(A, "t1"), (B, "t2")}  # not_run rows are run again
        run = store.load_run(rid)
        assert store.find_run("p/1", {"devices": [A, B]}) == rid
        assert store.find_run("p/1", {"devices": [A]}) is None
        assert store.resolve("1") == rid and store.resolve(None) == rid
    # plan order, whatever the recording order
    assert [(r.device_urn, r.test_id) for r in run.results] == [(u, t) for u, t, _ in PLAN]
    assert [r.status.value for r in run.results] == ["passed", "not_run", "not_run", "passed"]
    assert run.results[1].reason.startswith("the run stopped before")
    assert run.results[2].reason == "gone"
    assert not run.ok and run.number == 1
    data = suite_to_dict(run)
    assert data["summary"]["not_run"] == 2 and data["ok"] is False
    assert render_junit(run).count('type="TEST-NOT-RUN"') == 2


def test_a_version_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(V1)
    with ResultStore(path) as store:
        run = store.load_run("old")
        assert [r.test_id for r in run.results] == ["t2", "t1"]  # recording order kept
        assert store.runs()[0].key is None and store.runs()[0].number == 1
        store.record("old", TestResult(A, "t3", "three", TestStatus.NOT_RUN, reason="r"))
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 3


def test_results_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = tmp_path / "nope.db"
    for args in (["results", "list", "--db", str(missing)],
                 ["results", "show", "--db", str(missing)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2 and "no such file" in result.stderr
        assert "Traceback" not in result.output
    assert not missing.exists()  # reading never creates a database
    db = tmp_path / "r.db"
    with ResultStore(db) as store:
        rid = store.begin_run("p/1", plan=PLAN[:1])
        store.record(rid, TestResult(A, "t1", "name t1", TestStatus.PASSED))
        store.finish_run(rid)
    bad = runner.invoke(cli, ["results", "show", "--db", str(db), "--run", "7"])
    assert bad.exit_code == 2 and "--run 7" in bad.stderr
    none = runner.invoke(cli, ["results", "report", "--db", str(db)])
    assert none.exit_code == 2 and "at least one of" in none.stderr
    ok = runner.invoke(cli, ["results", "show", "--db", str(db), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["summary"]["passed"] == 1
    html = tmp_path / "r.html"
    report = runner.invoke(cli, ["results", "report", "--db", str(db), "--html", str(html)])
    assert report.exit_code == 0 and f"wrote html: {html}" in report.stderr
    assert "Content-Security-Policy" in html.read_text()
