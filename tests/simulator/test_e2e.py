"""End to end: simulate a faulty fleet → record → ``devid check`` finds each fault on its device.

The fleet uses a copy of smart-lock/1 with a 2 s heartbeat (so ``missing-heartbeat``
shows within a short recording). While recording, the test sends every device a
command and a challenge, as a tester would. Each faulty device (by the manifest) must
carry its fault's finding code; no healthy device may have an error.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid import _cbor
from devid._broker import broker
from devid._mqtt import MqttClient, MqttSettings
from devid._profiles import load_profile
from devid._record import record
from devid.cli import cli
from simulator import FAULTS, Fleet

CHECKABLE = [name for name, f in FAULTS.items() if "check" in f.seen_by]
FAST_LOCK = "id: fast-lock/1\ntitle: Smart lock, 2 s heartbeat\nextends: smart-lock/1\n" \
            "heartbeat_s: 2\n"


def _session(url: str, tmp_path: Path) -> tuple[Path, list[dict[str, object]], Path, Path]:
    profile_path = tmp_path / "fast-lock-1.yaml"
    profile_path.write_text(FAST_LOCK)
    profile = load_profile(profile_path)
    out = io.StringIO()

    async def main() -> list[dict[str, object]]:
        ready = asyncio.Event()
        stop = asyncio.Event()
        rec = asyncio.create_task(record(url, out, stop=stop, ready=ready,
                                         settings=MqttSettings()))
        await asyncio.wait_for(ready.wait(), 10)
        fleet = Fleet([(profile, len(CHECKABLE) + 4)], url, ca_dir=tmp_path / "ca",
                      faults={name: 1 for name in CHECKABLE}, seed=2024, interval=0.5,
                      mdns_interface=None, settings=MqttSettings())
        async with fleet, MqttClient(url, settings=MqttSettings()) as tester:
            for i, device in enumerate(fleet.devices):
                base = f"devid/1/{device.urn}/"
                await tester.publish(base + "cmd/lock", _cbor.encode(
                    {"id": f"t-{i}", "args": {}, "ts": 0}), qos=1)
                await tester.publish(base + "challenge", _cbor.encode(
                    {"nonce": os.urandom(16)}), qos=1)
            await asyncio.sleep(5.5)
        stop.set()
        await rec
        return fleet.manifest

    manifest = asyncio.run(asyncio.wait_for(main(), 60))
    capture = tmp_path / "session.jsonl"
    capture.write_text(out.getvalue())
    return capture, manifest, profile_path, tmp_path / "ca" / "trust"


@pytest.fixture(params=["mosquitto", "amqtt"])
def fresh_broker_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A broker of its own: no retained messages left by other tests."""
    if request.param == "mosquitto":
        request.getfixturevalue("mosquitto_url")  # skips (or fails in CI) without mosquitto
    with broker(request.param) as running:
        yield running.url


@pytest.mark.slow
def test_check_finds_every_fault_on_its_device(fresh_broker_url: str, tmp_path: Path) -> None:
    capture, manifest, profile_path, trust = _session(fresh_broker_url, tmp_path)
    # on amqtt (MQTT 3.1.1) the recorder infers retain flags (header retain_inferred);
    # the check still judges them: a topic with no retained message at all is MSG-RETAIN
    result = CliRunner().invoke(cli, ["check", str(capture), "--profile", str(profile_path),
                                      "--trust", str(trust), "--json"])
    assert result.exit_code == 1, result.output  # faulty devices make the capture invalid
    report = json.loads(result.output.strip().splitlines()[-1])
    by_device: dict[str, list[dict[str, object]]] = {}
    for f in report["findings"]:
        by_device.setdefault(str(f["subject"]), []).append(f)
    missed = []
    for entry in manifest:
        urn = str(entry["urn"])
        found = by_device.get(urn, [])
        faults = list(entry["faults"])  # type: ignore[call-overload]
        if not faults:
            # a healthy session produces no error and no warning
            assert found == [], f"healthy {urn} has findings: {found}"
            continue
        fault = FAULTS[faults[0]]
        codes = {f["code"] for f in found}
        for code in fault.codes:
            if code not in codes:
                missed.append((fault.name, code, sorted(codes)))
    assert missed == []
    assert set(by_device) <= {str(e["urn"]) for e in manifest}  # nothing outside the fleet
