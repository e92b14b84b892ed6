"""JSON and JUnit renderings of the one result model."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from devid import finding
from devid._reports import (
    ScanReport,
    SuiteRun,
    TestResult,
    TestStatus,
    render_junit,
    render_scan_json,
    render_suite_json,
    scan_to_dict,
)

from ._samples import EVIL_NAMES, T0, sample_run, sample_scan

DEVICE_KEYS = ["id", "ecosystem", "name", "sources", "addresses", "profile", "identity", "findings"]


def test_scan_json_shape_is_exact() -> None:
    data = json.loads(render_scan_json(sample_scan()))
    assert list(data) == ["devices", "findings"]
    assert len(data["devices"]) == 3
    for device in data["devices"]:
        assert list(device) == DEVICE_KEYS
        assert list(device["identity"]) == ["valid", "possession", "findings"]
        assert isinstance(device["sources"], list) and isinstance(device["addresses"], list)
    door = next(d for d in data["devices"] if d["name"] == "Front Door")
    assert door["sources"] == ["mdns", "mqtt"]
    assert door["identity"]["valid"] is True and door["identity"]["possession"] is True
    plug = next(d for d in data["devices"] if d["name"] == "Kitchen Plug")
    assert plug["identity"]["findings"][0]["code"] == "ID-CERT-EXPIRED"
    assert [f["code"] for f in data["findings"]] == ["SCAN-MDNS-UNAVAILABLE"]
    hk = next(d for d in data["devices"] if d["ecosystem"] == "homekit")
    assert hk["identity"] == {"valid": None, "possession": None, "findings": []}


def test_scan_json_extended_and_empty() -> None:
    ext = scan_to_dict(sample_scan(), extended=True)
    assert {"vendor", "model", "ids", "txt", "services"} <= set(ext["devices"][0])
    assert ext["broker"] == "mqtt://127.0.0.1:1883"
    assert json.loads(render_scan_json(ScanReport(()))) == {"devices": [], "findings": []}


def test_scan_has_errors() -> None:
    assert sample_scan().has_errors
    assert not ScanReport(()).has_errors


def test_suite_json() -> None:
    data = json.loads(render_suite_json(sample_run()))
    assert data["summary"] == {"total": 12, "passed": 9, "failed": 1, "error": 1, "skipped": 1}
    assert data["profile"] == "smart-lock/1" and data["run_id"] == "run-1"
    assert len(data["results"]) == 12
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert failed[0]["device"] == "urn:dev:ops:32473-SmartLock-0001"
    assert failed[0]["findings"][0]["code"] == "ID-CERT-EXPIRED"


def test_junit_counts_classnames_and_failures() -> None:
    run = sample_run()
    root = ET.fromstring(render_junit(run))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "12",
        "1",
        "1",
        "1",
    )
    suites = root.findall("testsuite")
    assert len(suites) == 3
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 12  # one per device × test
    for suite in suites:
        # the Ant/Jenkins schema's order: properties, testcase*, system-out, system-err
        children = [c.tag for c in suite]
        assert children[0] == "properties" and children[-2:] == ["system-out", "system-err"]
        assert set(children[1:-2]) == {"testcase"}
        for attr in (
            "name",
            "tests",
            "failures",
            "errors",
            "skipped",
            "time",
            "timestamp",
            "hostname",
            "id",
            "package",
        ):
            assert suite.get(attr) is not None, attr
        own = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(own)
        assert int(suite.get("failures", "")) == len(
            [c for c in own if c.find("failure") is not None]
        )
        assert all(c.get("classname") == suite.get("name") for c in own)
        # durations run from the device's start to each verdict: the suite's time is the
        # last verdict's, not their sum
        assert suite.get("time") == max((c.get("time") or "") for c in own)
        assert float(suite.get("time") or 0) < sum(float(c.get("time") or 0) for c in own)
    (failure,) = root.findall(".//failure")
    case = next(c for c in cases if c.find("failure") is not None)
    assert case.get("classname") == "urn:dev:ops:32473-SmartLock-0001"
    assert case.get("name") == "identity.token: Identity token verifies"
    assert failure.get("type") == "ID-CERT-EXPIRED"
    assert "ID-CERT-EXPIRED error: expired: Back Door" in (failure.text or "")
    assert "DISC-TXT-ENCODING warning: bad <b>txt</b>" in (failure.text or "")
    (error,) = root.findall(".//error")
    assert error.get("type") == "TEST-TIMEOUT" and "\\u0001" in (error.text or "")
    assert len(root.findall(".//skipped")) == 1
    assert "DISC-OFFLINE" in (root.find(".//testcase/system-out").text or "")  # type: ignore[union-attr]


def test_junit_survives_hostile_strings() -> None:
    evil = "\x00\x1b]0;x\x07<![CDATA[ ]]> & </testcase>\ud800"
    results = tuple(
        TestResult(
            f"urn:dev:ops:1-P-{i}",
            f"t{i}",
            name,
            TestStatus.FAILED,
            (finding("TEST-ERROR", name, subject=name),),
            0.1,
            T0,
        )
        for i, name in enumerate((*EVIL_NAMES, evil))
    )
    run = SuiteRun("p/1", "r", T0, results, None, {"urn:dev:ops:1-P-0": evil})
    root = ET.fromstring(render_junit(run))
    assert len(root.findall(".//testcase")) == len(results)
    names = [c.get("name") for c in root.iter("testcase")]
    assert names[0] == f"t0: {EVIL_NAMES[0]}"
    assert root.get("failures") == str(len(results))
