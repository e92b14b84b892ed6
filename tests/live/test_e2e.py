"""End to end: a simulated fleet on a real Mosquitto, advertised with zeroconf on 127.0.0.1.

The fleet's manifest is the ground truth: which device carries which fault, and the
simulator's fault table says which finding code each fault must raise.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid._certs import ChainValidator, TrustStore
from devid._findings import finding
from devid._profiles import load_profile
from devid._reports import ResultStore, TestResult, TestStatus
from devid.cli import cli
from devid.live import run_suite, suite_for
from simulator import EVIL_NAME, FAULTS
from tests.plugins.live import FleetThread

pytestmark = pytest.mark.slow

IDENTITY_FAULTS = ("wrong-key", "stale-nonce", "expired-cert", "untrusted-ca", "cloned-identity")


def _faults(fleet: FleetThread) -> dict[str, list[str]]:
    return {m["urn"]: m["faults"] for m in fleet.manifest}


@pytest.fixture(scope="module")
def scan_json(live_fleet: FleetThread, mosquitto_url: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [
        "scan", "--broker", mosquitto_url, "--trust", str(live_fleet.trust_dir),
        "--interface", "127.0.0.1", "--timeout", "6", "--json"])
    assert result.exit_code == 1, result.output  # the fleet has faulty devices
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _ours(scan: dict[str, Any], fleet: FleetThread) -> dict[str, dict[str, Any]]:
    # other tests may advertise on 127.0.0.1 at the same time: keep the fleet's devices
    urns = set(fleet.urns())
    return {d["id"]: d for d in scan["devices"] if d["id"] in urns}


def test_scan_json_shape(scan_json: dict[str, Any]) -> None:
    assert set(scan_json) == {"devices", "findings"}
    for d in scan_json["devices"]:
        assert set(d) == {"id", "ecosystem", "name", "sources", "addresses", "profile",
                          "identity", "findings"}
        assert set(d["identity"]) == {"valid", "possession", "findings"}


def test_scan_finds_every_device_through_both_sources(
        scan_json: dict[str, Any], live_fleet: FleetThread) -> None:
    ours = _ours(scan_json, live_fleet)
    assert set(ours) == set(live_fleet.urns())
    for urn, d in ours.items():
        assert d["sources"] == ["mdns", "mqtt"], (urn, d["sources"])
        assert d["ecosystem"] == "devid"
        assert d["profile"] == next(m["profile"] for m in live_fleet.manifest
                                    if m["urn"] == urn)
        assert "127.0.0.1" in d["addresses"]


def test_scan_proves_possession_on_healthy_devices(
        scan_json: dict[str, Any], live_fleet: FleetThread) -> None:
    ours = _ours(scan_json, live_fleet)
    faults = _faults(live_fleet)
    healthy = [u for u, f in faults.items() if not f or f == ["evil-name"] or
               "scan" not in FAULTS[f[0]].seen_by]
    assert len(healthy) >= 4
    for urn in healthy:
        d = ours[urn]
        assert d["identity"]["valid"] is True, d
        assert d["identity"]["possession"] is True, d
        assert not [f for f in d["identity"]["findings"] if f["severity"] == "error"], d


@pytest.mark.parametrize("fault", IDENTITY_FAULTS)
def test_scan_flags_identity_faults_with_their_codes(
        scan_json: dict[str, Any], live_fleet: FleetThread, fault: str) -> None:
    ours = _ours(scan_json, live_fleet)
    (urn,) = [u for u, f in _faults(live_fleet).items() if fault in f]
    d = ours[urn]
    codes = {f["code"] for f in d["identity"]["findings"] + d["findings"]}
    for code in FAULTS[fault].codes:
        assert code in codes, (fault, codes)
    assert d["identity"]["possession"] is False
    if fault in ("wrong-key", "expired-cert", "untrusted-ca"):
        assert d["identity"]["valid"] is False
    if fault == "stale-nonce":
        assert d["identity"]["valid"] is True  # its retained token is fine; the answer is not
        assert "ID-NONCE-MISMATCH" in {f["code"] for f in d["identity"]["findings"]}


def test_scan_exit_code_zero_for_a_healthy_home(mosquitto_url: str) -> None:
    fleet = FleetThread(mosquitto_url, {"env-sensor/1": 3}, seed=7, interval=2.0).start()
    try:
        result = CliRunner().invoke(cli, [
            "scan", "--broker", mosquitto_url, "--trust", str(fleet.trust_dir),
            "--interface", "127.0.0.1", "--timeout", "4", "--json"])
        data = json.loads(result.stdout)
        ours = _ours(data, fleet)
        assert set(ours) == set(fleet.urns())
        assert all(d["identity"]["possession"] is True for d in ours.values())
        # exit 0 unless a device of another test on 127.0.0.1 has an error
        others = [d for d in data["devices"] if d["id"] not in ours and any(
            f["severity"] == "error" for f in d["findings"] + d["identity"]["findings"])]
        assert result.exit_code == (1 if others else 0), result.output
    finally:
        fleet.stop()


def test_scan_html_with_evil_name_runs_no_script(
        live_fleet: FleetThread, mosquitto_url: str, tmp_path: Path,
        chromium: Any) -> None:
    page = tmp_path / "scan.html"
    result = CliRunner().invoke(cli, [
        "scan", "--broker", mosquitto_url, "--trust", str(live_fleet.trust_dir),
        "--interface", "127.0.0.1", "--timeout", "5", "--html", str(page)])
    assert result.exit_code == 1, result.output
    raw = page.read_text(encoding="utf-8")
    assert EVIL_NAME not in raw  # never verbatim in the file
    dom = chromium(page)
    # the name is shown, as text ...
    assert "&lt;script&gt;alert('devid')&lt;/script&gt;" in dom
    # ... and no element came out of it
    assert "<script>alert('devid')" not in dom
    assert 'src="x"' not in dom and "onerror=" not in dom.replace("onerror=alert(1)&gt;", "")


def test_scan_table_output(live_fleet: FleetThread, mosquitto_url: str) -> None:
    result = CliRunner().invoke(cli, [
        "scan", "--broker", mosquitto_url, "--trust", str(live_fleet.trust_dir),
        "--interface", "127.0.0.1", "--timeout", "4"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "possession" in result.output and "ID-SIG-INVALID" in result.output
    assert "proven" in result.output and "FAILED" in result.output


def _expected_failures(fleet: FleetThread, profile: str) -> set[str]:
    return {m["urn"] for m in fleet.manifest if m["profile"] == profile and m["faults"]
            and "test" in FAULTS[m["faults"][0]].seen_by}


def test_devid_test_fails_exactly_the_faulty_devices(
        live_fleet: FleetThread, mosquitto_url: str, tmp_path: Path) -> None:
    junit, report, db = tmp_path / "junit.xml", tmp_path / "run.json", tmp_path / "r.sqlite"
    html = tmp_path / "run.html"
    result = CliRunner().invoke(cli, [
        "test", "--profile", "smart-plug/1", "--all", "--broker", mosquitto_url,
        "--trust", str(live_fleet.trust_dir), "--duration", "2", "--junit", str(junit),
        "--json", str(report), "--html", str(html), "--db", str(db)])
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text())
    failed = {r["device"] for r in data["results"] if r["status"] in ("failed", "error")}
    plugs = set(live_fleet.urns("smart-plug/1"))
    tested = {r["device"] for r in data["results"]}
    assert tested == plugs
    assert failed == _expected_failures(live_fleet, "smart-plug/1")
    # each fault fails with its code
    faults = _faults(live_fleet)
    for urn in failed:
        codes = {f["code"] for r in data["results"] if r["device"] == urn for f in r["findings"]}
        fault = faults[urn][0]
        for code in FAULTS[fault].codes:
            if fault == "non-retained":
                assert {"MSG-RETAIN", "TEST-RETAINED-MISSING"} & codes, codes
            else:
                assert code in codes, (fault, codes)
    # JUnit: one testcase per device x test, failures carry the URN
    tree = ET.parse(junit)
    cases = tree.getroot().iter("testcase")
    n_cases = len(suite_for(load_profile("smart-plug/1")))
    assert sum(1 for _ in cases) == len(plugs) * n_cases
    failing = [c for c in tree.getroot().iter("testcase") if c.find("failure") is not None]
    assert {u for u in failed if any(u in (c.get("classname", "") + c.get("name", ""))
                                     for c in failing)} == failed
    # SQLite store in WAL mode holds every result
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == len(plugs) * n_cases
    page = html.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and all(u in page for u in failed)


def test_devid_test_device_list_and_healthy_exit_zero(
        live_fleet: FleetThread, mosquitto_url: str) -> None:
    faults = _faults(live_fleet)
    healthy = [u for u in live_fleet.urns("smart-plug/1") if not faults[u]][:2]
    args = ["test", "--profile", "smart-plug/1", "--broker", mosquitto_url,
            "--trust", str(live_fleet.trust_dir), "--duration", "1", "--json", "-"]
    for urn in healthy:
        args += ["--device", urn]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["device"] for r in data["results"]} == set(healthy)
    statuses = {r["test_id"]: r["status"] for r in data["results"]}
    assert statuses["lastwill"] == "skipped"  # no --power-cycle hook given
    assert statuses["identity.possession"] == "passed"


def test_devid_test_resumes_an_interrupted_run(
        live_fleet: FleetThread, mosquitto_url: str, tmp_path: Path) -> None:
    db = tmp_path / "resume.sqlite"
    faults = _faults(live_fleet)
    healthy = next(u for u in live_fleet.urns("smart-plug/1") if not faults[u])
    marker = finding("TEST-SKIPPED", "recorded before the interruption", subject=healthy)
    with ResultStore(db) as store:
        run_id = store.begin_run("smart-plug/1", devices={healthy: healthy})
        store.record(run_id, TestResult(healthy, "identity.token", "Identity token verifies",
                                        TestStatus.PASSED, (marker,)))
    result = CliRunner().invoke(cli, [
        "test", "--profile", "smart-plug/1", "--device", healthy, "--broker", mosquitto_url,
        "--trust", str(live_fleet.trust_dir), "--duration", "0", "--db", str(db),
        "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["run_id"] == run_id
    token = [r for r in data["results"] if r["test_id"] == "identity.token"]
    assert len(token) == 1
    assert token[0]["findings"][0]["message"] == "recorded before the interruption"
    assert len(data["results"]) == len(suite_for(load_profile("smart-plug/1")))


def test_lastwill_with_a_power_cut(mosquitto_url: str) -> None:
    fleet = FleetThread(mosquitto_url, {"smart-plug/1": 2}, seed=11, interval=2.0,
                        mdns_interface=None).start()
    try:
        validator = ChainValidator(TrustStore.from_dir(fleet.trust_dir))
        results = asyncio.run(run_suite(
            mosquitto_url, load_profile("smart-plug/1"), fleet.urns(), validator=validator,
            duration=0.5, power_cycle=fleet.power_cut))
        will = [r for r in results if r.test_id == "lastwill"]
        assert len(will) == 2 and all(r.status is TestStatus.PASSED for r in will), will
        assert all(r.status is not TestStatus.FAILED for r in results), [
            (r.test_id, r.findings) for r in results if r.status is TestStatus.FAILED]
    finally:
        fleet.stop()


def test_devid_test_missing_device(live_fleet: FleetThread, mosquitto_url: str) -> None:
    urn = "urn:dev:ops:32473-SmartPlug-nosuchdevice"
    result = CliRunner().invoke(cli, [
        "test", "--profile", "smart-plug/1", "--device", urn, "--broker", mosquitto_url,
        "--trust", str(live_fleet.trust_dir), "--duration", "0", "--json", "-"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {f["code"] for r in data["results"] for f in r["findings"]} == {"TEST-DEVICE-MISSING"}


def test_scan_without_broker_uses_the_advertised_one(live_fleet: FleetThread) -> None:
    result = CliRunner().invoke(cli, [
        "scan", "--trust", str(live_fleet.trust_dir), "--interface", "127.0.0.1",
        "--timeout", "6", "--json"], env={"DEVID_BROKER": ""})
    assert result.exit_code == 1, result.output
    ours = _ours(json.loads(result.stdout), live_fleet)
    assert set(ours) == set(live_fleet.urns())
    assert all(d["sources"] == ["mdns", "mqtt"] for d in ours.values())
    faults = _faults(live_fleet)
    healthy = [u for u, f in faults.items() if not f]
    assert healthy and all(ours[u]["identity"]["possession"] is True for u in healthy)
