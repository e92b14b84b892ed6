"""A pytest suite a manufacturer keeps beside its firmware: devid's profile suite on one device.

Flash the device, connect it to a test broker, then:

    DEVID_BROKER=mqtt://127.0.0.1:1883 DEVID_TRUST=./trust \\
    DEVID_DEVICE=urn:dev:ops:32473-SmartPlug-0001 DEVID_PROFILE=smart-plug/1 \\
        pytest examples/firmware_suite -v

Each test of the profile's suite (``devid test --list``) becomes one pytest test, so the
firmware CI shows exactly which behaviour broke. The run's JUnit XML and JSON are kept in
``DEVID_REPORTS`` (default: pytest's temporary folder). Without ``DEVID_DEVICE`` the tests
are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devid import load_profile
from devid.live import suite_for

PROFILE = os.environ.get("DEVID_PROFILE", "smart-plug/1")
DEVICE = os.environ.get("DEVID_DEVICE", "")
DURATION = os.environ.get("DEVID_DURATION", "5")

pytestmark = pytest.mark.skipif(not DEVICE, reason="set DEVID_DEVICE, DEVID_BROKER, DEVID_TRUST")


@pytest.fixture(scope="session")
def devid_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Run ``devid test`` once for the session; results by test id."""
    out = Path(os.environ.get("DEVID_REPORTS") or tmp_path_factory.mktemp("devid"))
    out.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("devid")
    assert exe, "devid is not installed (pip install devid)"
    # broker and trust anchors come from DEVID_BROKER and DEVID_TRUST
    proc = subprocess.run(
        [exe, "test", "--profile", PROFILE, "--device", DEVICE, "--duration", DURATION,
         "--json", str(out / "devid.json"), "--junit", str(out / "devid-junit.xml"),
         "--db", str(out / "devid.sqlite")],
        capture_output=True, text=True, timeout=300, check=False)
    # 0: all passed, 1: some failed (the tests below say which), 2: could not run
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads((out / "devid.json").read_text(encoding="utf-8"))
    return {r["test_id"]: r for r in data["results"] if r["device"] == DEVICE}


@pytest.mark.parametrize("test_id", [c.id for c in suite_for(load_profile(PROFILE))])
def test_device(devid_results: dict[str, dict[str, Any]], test_id: str) -> None:
    result = devid_results.get(test_id)
    assert result is not None, f"devid ran no {test_id}"
    findings = "\n".join(f"{f['code']}: {f['message']}" for f in result["findings"])
    if result["status"] == "skipped":
        pytest.skip(findings)
    assert result["status"] == "passed", findings
