"""The SQLite results store: WAL, one commit per result, resume after a kill."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from devid._reports import ResultStore, StoreError, TestResult, TestStatus, render_junit

from ._samples import T0, sample_run

PAIRS = [(f"urn:dev:ops:32473-Lock-{d:03d}", f"test.{t}") for d in range(20) for t in range(10)]

WRITER = textwrap.dedent(
    """
    import sys, time
    from devid._reports import ResultStore, TestResult, TestStatus
    from devid import finding
    from tests.reports.test_store import PAIRS
    store = ResultStore(sys.argv[1])
    run = store.begin_run("smart-lock/1", run_id="run-1")
    done = store.done(run)
    for n, (urn, test) in enumerate(PAIRS):
        if (urn, test) in done:
            continue
        f = (finding("TEST-TIMEOUT", f"{urn} {test}", subject=urn),) if n % 7 == 0 else ()
        status = TestStatus.FAILED if f else TestStatus.PASSED
        store.record(run, TestResult(urn, test, "name " + test, status, f, 0.01))
        print(n, flush=True)
        time.sleep(float(sys.argv[2]))
    store.finish_run(run)
    print("finished", flush=True)
    """
)


def test_round_trip_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    original = sample_run()
    with ResultStore(path) as store:
        assert store.journal_mode == "wal"
        run_id = store.begin_run(
            original.profile, run_id="run-1", started=original.started, devices=original.devices
        )
        for r in original.results:
            store.record(run_id, r)
        store.finish_run(run_id, original.finished)
        loaded = store.load_run(run_id)
    assert loaded == original  # findings, times and order survive
    assert render_junit(loaded) == render_junit(original)  # reports render from stored results
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_result_is_committed_and_visible_to_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    writer = ResultStore(path)
    run_id = writer.begin_run("p/1")
    writer.record(run_id, TestResult("urn:dev:ops:1-A-1", "t1", "one", TestStatus.PASSED))
    reader = ResultStore(path)
    assert reader.done(run_id) == {("urn:dev:ops:1-A-1", "t1")}
    writer.record(
        run_id, TestResult("urn:dev:ops:1-A-1", "t1", "one", TestStatus.FAILED)
    )  # a re-run replaces
    assert [r.status for r in reader.load_run(run_id).results] == [TestStatus.FAILED]
    assert reader.latest_unfinished("p/1") == run_id
    writer.finish_run(run_id)
    assert reader.latest_unfinished("p/1") is None
    assert [(r.run_id, r.results) for r in reader.runs()] == [(run_id, 1)]
    writer.close()
    reader.close()


def test_resume_after_the_writer_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "0.01"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    reported: list[int] = []
    deadline = time.monotonic() + 30
    while len(reported) < 15 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(int(line))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert len(reported) >= 15

    with ResultStore(path) as store:
        done = store.done("run-1")
        # every result the writer reported was committed before it said so
        assert {PAIRS[n] for n in reported} <= done
        assert len(done) < len(PAIRS)
        assert store.latest_unfinished("smart-lock/1") == "run-1"
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # Resume: the second writer records only what is missing, then finishes.
    out = subprocess.run(
        [sys.executable, "-c", WRITER, str(path), "0"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    resumed = [int(x) for x in out.stdout.split() if x.isdigit()]
    assert out.stdout.strip().endswith("finished")
    assert len(resumed) == len(PAIRS) - len(done)
    assert not {PAIRS[n] for n in resumed} & done
    with ResultStore(path) as store:
        run = store.load_run("run-1")
    assert run.finished is not None
    assert len(run.results) == len(PAIRS)
    assert {(r.device_urn, r.test_id) for r in run.results} == set(PAIRS)
    failed = [r for r in run.results if r.status is TestStatus.FAILED]
    assert len(failed) == len([n for n in range(len(PAIRS)) if n % 7 == 0])
    assert failed[0].findings[0].code == "TEST-TIMEOUT"


def test_bad_databases_are_store_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        ResultStore(junk)
    with ResultStore(tmp_path / "ok.db") as store:
        with pytest.raises(StoreError):
            store.load_run("nope")
        rid = store.begin_run("a/1")
        with pytest.raises(StoreError):
            store.begin_run("b/1", run_id=rid)


def test_resume_keeps_start_and_merges_devices(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.db") as store:
        rid = store.begin_run("p/1", run_id="x", started=T0, devices={"urn:dev:ops:1-A-1": "A"})
        store.finish_run(rid, T0 + timedelta(seconds=5))
        again = store.begin_run(
            "p/1", run_id="x", started=T0 + timedelta(days=1), devices={"urn:dev:ops:1-A-2": "B"}
        )
        run = store.load_run(again)
    assert run.started == T0 and run.finished is None
    assert dict(run.devices) == {"urn:dev:ops:1-A-1": "A", "urn:dev:ops:1-A-2": "B"}
