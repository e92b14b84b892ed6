"""Every script in examples/ runs and does what its docstring says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devid._capture import CapturedMessage
from devid._cbor import encode
from devid._token import create_token
from tests.plugins.live import FleetThread
from tests.plugins.pki import TestPKI

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _run(*args: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, check=False, env={**os.environ, **(env or {})})


def test_verify_identity_self_contained() -> None:
    proc = _run(str(EXAMPLES / "verify_identity.py"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "token for urn:dev:ops:32473-Plug-0001: VALID" in proc.stdout
    assert "certificate urn:dev:ops:32473-Plug-0001: VALID" in proc.stdout


def test_verify_identity_with_files(pki: TestPKI, foreign_pki: TestPKI, tmp_path: Path) -> None:
    dev = pki.device
    token = create_token(dev.key, [dev.certificate, pki.vendor.certificate], sub=dev.urn,
                         iat=int(time.time()))
    (tmp_path / "t.cbor").write_bytes(token)
    (tmp_path / "d.pem").write_bytes(pki.pem(dev.certificate) + pki.pem(pki.vendor.certificate))
    good = _run(str(EXAMPLES / "verify_identity.py"), str(tmp_path / "t.cbor"),
                str(pki.trust_dir), str(tmp_path / "d.pem"))
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _run(str(EXAMPLES / "verify_identity.py"), str(tmp_path / "t.cbor"),
               str(foreign_pki.trust_dir))
    assert bad.returncode == 1
    assert "INVALID" in bad.stdout and "ID-CHAIN-UNTRUSTED" in bad.stdout


def test_check_custom_profile_sample() -> None:
    proc = _run(str(EXAMPLES / "check_custom_profile.py"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "acme-smart-plug/1 extends smart-plug/1 -> core/1" in proc.stdout
    assert "lint:" not in proc.stdout  # the example profile is clean
    problems = [line for line in proc.stdout.splitlines() if line.startswith("  error")]
    assert len(problems) == 2
    assert all("AcmePlug-0002" in line for line in problems)
    assert any("MSG-RANGE" in p and "power_factor" in p for p in problems)
    assert any("MSG-REQUIRED-MISSING" in p and "channel2_on" in p for p in problems)


def test_check_custom_profile_capture_file(tmp_path: Path) -> None:
    now = time.time()
    urn = "urn:dev:ops:32473-AcmePlug-0009"
    props = {"on": True, "power": 10.0, "energy": 0.5, "accuracy_class": "1",
             "channel2_on": True}
    msgs = [CapturedMessage(now, f"devid/1/{urn}/state",
                            encode({"ts": int(now * 1000), "seq": 1, "props": props}), 1, True)]
    capture = tmp_path / "c.jsonl"
    capture.write_text("".join(json.dumps(m.to_json()) + "\n" for m in msgs))
    proc = _run(str(EXAMPLES / "check_custom_profile.py"), str(capture))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 message(s) from 1 device(s): VALID" in proc.stdout


@pytest.fixture(scope="module")
def plugs(mosquitto_url: str) -> Iterator[FleetThread]:
    fleet = FleetThread(mosquitto_url, {"smart-plug/1": 3}, faults={"wrong-key": 1, "no-ack": 1},
                        seed=424242, interval=2.0).start()
    try:
        yield fleet
    finally:
        fleet.stop()


@pytest.mark.slow
def test_scan_network(plugs: FleetThread, mosquitto_url: str) -> None:
    proc = _run(str(EXAMPLES / "scan_network.py"), "--broker", mosquitto_url, "--trust",
                str(plugs.trust_dir), "--interface", "127.0.0.1", "--timeout", "4")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the wrong-key plug
    lines = {m["urn"]: next(line for line in proc.stdout.splitlines() if m["urn"] in line)
             for m in plugs.manifest}
    for m in plugs.manifest:
        line = lines[m["urn"]]
        assert "mdns,mqtt" in line
        if m["faults"] == ["wrong-key"]:
            assert "FAILED" in line and "ID-SIG-INVALID" in line
        else:
            assert "proven" in line


@pytest.mark.slow
def test_firmware_suite(plugs: FleetThread, mosquitto_url: str, tmp_path: Path) -> None:
    faults = {m["urn"]: m["faults"] for m in plugs.manifest}
    healthy = next(u for u, f in faults.items() if not f)
    no_ack = next(u for u, f in faults.items() if f == ["no-ack"])
    env = {"DEVID_BROKER": mosquitto_url, "DEVID_TRUST": str(plugs.trust_dir),
           "DEVID_PROFILE": "smart-plug/1", "DEVID_DURATION": "1"}
    suite = str(EXAMPLES / "firmware_suite")
    ok = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", suite,
              env={**env, "DEVID_DEVICE": healthy, "DEVID_REPORTS": str(tmp_path / "ok")})
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "passed" in ok.stdout and "failed" not in ok.stdout
    assert (tmp_path / "ok" / "devid-junit.xml").is_file()
    bad = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", suite,
               env={**env, "DEVID_DEVICE": no_ack, "DEVID_REPORTS": str(tmp_path / "bad")})
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "2 failed" in bad.stdout
    assert "test_device[cmd.on.ack]" in bad.stdout and "MSG-ACK-MISSING" in bad.stdout


def test_firmware_suite_skips_without_a_device() -> None:
    proc = _run("-m", "pytest", "-q", "-p", "no:cacheprovider",
                str(EXAMPLES / "firmware_suite"), env={"DEVID_DEVICE": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "skipped" in proc.stdout
