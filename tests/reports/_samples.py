"""Sample scans and suite runs for the report tests (built from the real parsers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devid import Finding, finding
from devid._reports import (
    IdentityVerdict,
    ScannedDevice,
    ScanReport,
    SuiteRun,
    TestResult,
    TestStatus,
)
from devid.discovery import MqttInventory, merge_records, parse_service

T0 = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)

EVIL_NAMES = (
    "<script>document.title='PWNED';document.documentElement.setAttribute('data-pwned','script')</script>",
    "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
    "'><svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\"></svg>",
    "</style><script>document.documentElement.setAttribute('data-pwned','style')</script>",
    "</title><script>document.documentElement.setAttribute('data-pwned','title')</script>",
    "<iframe srcdoc=\"<script>parent.document.documentElement"
    ".setAttribute('data-pwned','iframe')</script>\">",
    "javascript:document.documentElement.setAttribute('data-pwned','href')",
    "Bidi \u202eevil\u202c name\x00\x07",
)


def devid_record(name: str, urn: str, cls: str = "smart-lock/1") -> object:
    txt = {
        "txtvers": "1",
        "id": urn,
        "cls": cls,
        "vid": "32473",
        "mq": "mqtt://127.0.0.1:1883",
        "tk": "0123456789abcdef",
    }
    return parse_service(
        "_devid._tcp", name, txt, addresses=["127.0.0.1"], port=1883, host="sim.local."
    )


def sample_scan(names: tuple[str, ...] = ("Front Door", "Kitchen Plug")) -> ScanReport:
    records = []
    for i, name in enumerate(names):
        records.append(devid_record(name, f"urn:dev:ops:32473-Dev-{i:04d}"))
    inv = MqttInventory()
    inv.add("devid/1/urn:dev:ops:32473-Dev-0000/identity", b"token")
    records.extend(inv.records())
    records.append(
        parse_service(
            "_hap._tcp",
            names[-1] + " (HomeKit)",
            {
                b"id": b"AA:BB:CC:DD:EE:FF",
                b"md": names[-1].encode(),
                b"c#": b"1",
                b"s#": b"1",
                b"sf": b"1",
                b"ci": b"7",
                b"x": b"\xff",
            },
            host="plug.local.",
        )
    )
    merged = merge_records(records, searched=("mdns", "mqtt"))  # type: ignore[arg-type]
    devices = []
    for n, rec in enumerate(merged):
        if rec.ecosystem != "devid":
            devices.append(ScannedDevice(rec))
        elif n == 0:
            devices.append(ScannedDevice(rec, IdentityVerdict(True, True)))
        else:
            bad = finding(
                "ID-CERT-EXPIRED",
                f"certificate of {rec.name} expired",
                subject=rec.id,
                evidence={"name": rec.name},
            )
            devices.append(ScannedDevice(rec, IdentityVerdict(False, None, (bad,))))
    scan_finding = finding("SCAN-MDNS-UNAVAILABLE", "mDNS on 192.0.2.1 failed", subject=names[0])
    return ScanReport(
        tuple(devices),
        (scan_finding,),
        started=T0,
        duration=3.2,
        broker="mqtt://127.0.0.1:1883",
        interface="127.0.0.1",
    )


TESTS = (
    ("identity.token", "Identity token verifies"),
    ("identity.possession", "Proves possession of its key"),
    ("status.retained", "Retained status"),
    ("cmd.lock", "lock acknowledged within deadline"),
)


def sample_run(device_names: tuple[str, ...] = ("Front Door", "Back Door", "Garage")) -> SuiteRun:
    results = []
    devices = {}
    t = T0
    for i, name in enumerate(device_names):
        urn = f"urn:dev:ops:32473-SmartLock-{i:04d}"
        devices[urn] = name
        for j, (test_id, test_name) in enumerate(TESTS):
            status = TestStatus.PASSED
            findings: tuple[Finding, ...] = ()
            if i == 1 and j == 0:
                status = TestStatus.FAILED
                findings = (
                    finding("ID-CERT-EXPIRED", f"expired: {name}", subject=urn),
                    finding("DISC-TXT-ENCODING", "bad <b>txt</b>", subject=urn),
                )
            elif i == 1 and j == 1:
                status = TestStatus.SKIPPED
                findings = (finding("TEST-SKIPPED", "identity failed", subject=urn),)
            elif i == 2 and j == 3:
                status = TestStatus.ERROR
                findings = (finding("TEST-TIMEOUT", f"no ack from {name} \x01", subject=urn),)
            elif i == 0 and j == 2:
                findings = (finding("DISC-OFFLINE", "was offline once", subject=urn),)
            results.append(TestResult(urn, test_id, test_name, status, findings, 0.25 + j, t))
            t += timedelta(seconds=1)
    return SuiteRun(
        "smart-lock/1", "run-1", T0, tuple(results), T0 + timedelta(seconds=30), devices
    )
