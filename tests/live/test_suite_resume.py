"""Interrupted and resumed ``devid test`` runs, SIGTERM, ``devid results``: real
Mosquitto, a real ``devid simulate`` process and real signals (issue 10)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid.cli import cli

pytestmark = pytest.mark.slow

N_CASES = 11  # smart-plug/1
#: ``devid ARGS`` with Ctrl-C as on a terminal (a background job inherits SIGINT ignored)
LAUNCH = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "from devid.cli import main; main(sys.argv[1:])")


class Sim:
    def __init__(self, urns: list[str], trust: Path) -> None:
        self.urns, self.trust = urns, trust


@pytest.fixture(scope="module")
def sim(mosquitto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    tmp = tmp_path_factory.mktemp("sim")
    manifest = tmp / "manifest.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "devid", "simulate", "--profile", "smart-plug/1", "--count", "2",
         "--broker", mosquitto_url, "--ca", str(tmp / "ca"), "--seed",
         str(int.from_bytes(os.urandom(3))), "--interval", "1", "--no-mdns",
         "--manifest", str(manifest)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not manifest.exists() or not manifest.read_text():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)
        time.sleep(1.0)
        yield Sim(sorted(m["urn"] for m in json.loads(manifest.read_text())), tmp / "ca" / "trust")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def _args(sim: Sim, url: str, urn: str, db: Path, duration: str = "1") -> list[str]:
    return ["test", "--profile", "smart-plug/1", "--device", urn, "--broker", url,
            "--trust", str(sim.trust), "--duration", duration, "--db", str(db)]


def _stored(db: Path, run: int) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute(
                "SELECT COUNT(*) FROM results x JOIN runs r ON r.run_id = x.run_id "
                "WHERE r.rowid = ?", (run,)).fetchone()[0])
    except sqlite3.Error:
        return 0


def _interrupt(args: list[str], db: Path, run: int, sig: int) -> subprocess.CompletedProcess[str]:
    """Start ``devid`` ARGS, send ``sig`` once run ``run`` holds 2 results."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    deadline = time.monotonic() + 30
    while _stored(db, run) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_interrupt_new_run_report_and_resume(sim: Sim, mosquitto_url: str,
                                             tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    a, b = sim.urns
    first = _interrupt(_args(sim, mosquitto_url, a, db, "8"), db, 1, signal.SIGINT)
    assert first.returncode == 130, first
    kept = _stored(db, 1)
    assert 2 <= kept < N_CASES
    assert f"interrupted: {kept} of {N_CASES} result(s) of run 1 kept in {db}" in first.stderr
    assert "Traceback" not in first.stderr

    # another device: not a resume of run 1 (which used to pass A silently)
    junit = tmp_path / "b.xml"
    second = CliRunner().invoke(cli, [*_args(sim, mosquitto_url, b, db), "--junit", str(junit)])
    assert second.exit_code == 0, second.output
    assert "run 1 in" in second.stderr and "other devices" in second.stderr
    assert "starting run 2" in second.stderr and "resuming" not in second.stderr
    assert f"wrote junit: {junit}" in second.stderr
    root = ET.parse(junit).getroot()
    assert [s.get("name") for s in root.iter("testsuite")] == [b]
    assert root.get("tests") == str(N_CASES)

    # run 1 re-rendered from the store: the tests that never ran are not passes
    j1, x1 = tmp_path / "r1.json", tmp_path / "r1.xml"
    report = CliRunner().invoke(cli, ["results", "report", "--db", str(db), "--run", "1",
                                      "--json", str(j1), "--junit", str(x1)])
    assert report.exit_code == 1, report.output
    assert f"wrote junit: {x1}" in report.stderr and f"wrote json: {j1}" in report.stderr
    data = json.loads(j1.read_text())
    assert data["ok"] is False and data["run"] == 1 and data["finished"] is None
    assert data["summary"]["not_run"] == N_CASES - kept
    assert data["summary"]["total"] == N_CASES
    not_run = [r for r in data["results"] if r["status"] == "not_run"]
    assert all(r["device"] == a and "stopped before" in r["reason"] for r in not_run)
    root = ET.parse(x1).getroot()
    assert root.get("tests") == str(N_CASES) and root.get("failures") == "0"
    skipped = root.findall(".//skipped[@type='TEST-NOT-RUN']")
    assert len(skipped) == N_CASES - kept
    assert all(s.get("message", "").startswith("not run: ") for s in skipped)

    shown = CliRunner().invoke(cli, ["results", "show", "--db", str(db), "--run", "1"],
                               env={"COLUMNS": "200"})
    assert shown.exit_code == 1
    assert "did not finish" in shown.stdout and f"{N_CASES - kept} not run" in shown.stdout
    listed = CliRunner().invoke(cli, ["results", "list", "--db", str(db), "--json"])
    assert listed.exit_code == 0
    runs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["run"], r["devices"], r["finished"] is None) for r in runs] == [
        (1, [a], True), (2, [b], False)]

    # the same command resumes run 1, says so, and runs only what is missing
    before = {r["test_id"]: r["started"] for r in data["results"] if r["status"] != "not_run"}
    third = CliRunner().invoke(cli, [*_args(sim, mosquitto_url, a, db, "8"), "--json", "-"])
    assert third.exit_code == 0, third.output
    assert f"resuming run 1: {kept} of {N_CASES} results kept" in third.stderr
    resumed = json.loads(third.stdout)
    assert resumed["run"] == 1 and resumed["summary"]["total"] == N_CASES
    assert "not_run" not in resumed["summary"]
    after = {r["test_id"]: r["started"] for r in resumed["results"]}
    assert all(after[t] == s for t, s in before.items())  # kept, not re-run


def test_sigterm_behaves_like_ctrl_c(sim: Sim, mosquitto_url: str, tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    done = _interrupt(_args(sim, mosquitto_url, sim.urns[0], db, "8"), db, 1, signal.SIGTERM)
    assert done.returncode == 143, done
    kept = _stored(db, 1)
    assert f"terminated: {kept} of {N_CASES} result(s) of run 1 kept" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_mistyped_device_is_one_finding(sim: Sim, mosquitto_url: str, tmp_path: Path) -> None:
    urn = "urn:dev:ops:32473-SmartPlug-typo0001"
    result = CliRunner().invoke(cli, [*_args(sim, mosquitto_url, urn, tmp_path / "m.sqlite",
                                             "0"), "--json", "-"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    findings = [f for r in data["results"] for f in r["findings"]]
    assert [f["code"] for f in findings] == ["TEST-DEVICE-MISSING"]
    assert data["summary"] == {"total": N_CASES, "passed": 0, "failed": 1, "error": 0,
                               "skipped": 0, "not_run": N_CASES - 1}


def test_rows_are_in_urn_order(sim: Sim, mosquitto_url: str) -> None:
    args = ["test", "--profile", "smart-plug/1", "--broker", mosquitto_url, "--trust",
            str(sim.trust), "--duration", "0", "--json", "-"]
    for urn in reversed(sim.urns):
        args += ["--device", urn]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    devices = [r["device"] for r in json.loads(result.stdout)["results"]]
    assert devices == sorted(devices) and set(devices) == set(sim.urns)
