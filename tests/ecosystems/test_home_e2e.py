"""End to end through the CLI on a real Mosquitto: a simulated mixed home (devid/1,
Home Assistant, Homie, with faults) is scanned and recorded while it runs; ``scan --json``
lists every device with its ecosystem and each fault on the device that carries it, and
``check`` of the recording finds the same.

The manifest the simulator writes is the ground truth: device ids, ecosystems, faults.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devid._broker import free_port
from simulator import ECO_FAULTS

HOME = """\
seed: 5
interval: 0.5
devices:
  - {profile: smart-lock/1, name: Back door}
  - {profile: smart-lock/1, name: Cloned key, faults: [wrong-key]}
  - {profile: env-sensor/1, name: Study sensor}
  - {profile: env-sensor/1, ecosystem: ha, name: Healthy climate}
  - {profile: env-sensor/1, ecosystem: ha, name: Bad climate,
     faults: [ha-unit-class, ha-state-not-number]}
  - {profile: light/1, ecosystem: ha, name: Hall light, faults: [ha-device-unknown-key]}
  - {profile: thermostat/1, ecosystem: homie, name: Healthy thermostat}
  - {profile: env-sensor/1, ecosystem: homie, name: Bad sensor, faults: [homie-out-of-range]}
  - {profile: motion-sensor/1, ecosystem: homie, name: Garage, faults: [homie-never-ready]}
"""

#: The finding family each devid/1 fault used here shows as (in the identity verdict).
DEVID_FAMILY = {"wrong-key": "ID-SIG"}


@dataclass
class Home:
    manifest: list[dict[str, Any]]
    scan: dict[str, Any]
    scan_rc: int
    check: dict[str, Any]
    check_rc: int


def _devid(*args: str) -> list[str]:
    return [sys.executable, "-m", "devid", *args]


@pytest.fixture(scope="module")
def home(mosquitto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    del mosquitto_url  # skips (or fails in CI) without mosquitto; simulate runs its own
    tmp = tmp_path_factory.mktemp("mixed-home")
    (tmp / "home.yaml").write_text(HOME)
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    sim = subprocess.Popen(
        _devid("simulate", "--home", str(tmp / "home.yaml"), "--port", str(port),
               "--manifest", str(tmp / "manifest.json"), "--no-mdns", "--duration", "14",
               "--ca", str(tmp / "ca")),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert sim.stdout is not None
        for line in sim.stdout:
            if line.startswith("running"):
                break
        else:
            pytest.fail(f"simulate did not start: {sim.communicate()}")
        capture = tmp / "home.jsonl"
        record = subprocess.Popen(
            _devid("record", "--broker", url, "--topic", "#", "--out", str(capture),
                   "--duration", "4"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        scan = subprocess.run(
            _devid("scan", "--broker", url, "--trust", str(tmp / "ca" / "trust"),
                   "--timeout", "5", "--interface", "127.0.0.1", "--json"),
            capture_output=True, text=True, timeout=60, check=False)
        _rec_out, rec_err = record.communicate(timeout=60)
        assert record.returncode == 0, rec_err
        check = subprocess.run(
            _devid("check", str(capture),  # each devid/1 device by the profile it claims
                   "--trust", str(tmp / "ca" / "trust"), "--json"),
            capture_output=True, text=True, timeout=60, check=False)
        sim.communicate(timeout=60)
    finally:
        if sim.poll() is None:
            sim.kill()
    assert scan.stdout.strip(), scan.stderr
    assert check.stdout.strip(), check.stderr
    yield Home(json.loads((tmp / "manifest.json").read_text()), json.loads(scan.stdout),
               scan.returncode, json.loads(check.stdout.splitlines()[0]), check.returncode)


def _family(fault: str) -> str:
    return DEVID_FAMILY[fault] if fault in DEVID_FAMILY else ECO_FAULTS[fault].family


def _problems(manifest: list[dict[str, Any]], codes: dict[str, set[str]],
              errors: dict[str, set[str]]) -> list[tuple[str, str, list[str]]]:
    """Manifest entries the report does not bear out: a device missing, a healthy device
    with an error, a fault without its finding family on the device."""
    problems = []
    for entry in manifest:
        dev = entry["id"]
        if dev not in codes:
            problems.append(("missing", dev, []))
        elif not entry["faults"] and errors[dev]:
            problems.append(("healthy device with errors", dev, sorted(errors[dev])))
        for fault in entry["faults"]:
            if not any(code.startswith(_family(fault)) for code in codes.get(dev, ())):
                problems.append((fault, dev, sorted(codes.get(dev, ()))))
    return problems


def test_scan_lists_every_device_with_its_ecosystem_and_faults(home: Home) -> None:
    ids = [d["id"] for d in home.scan["devices"]]
    assert ids == sorted(ids)  # a stable order: by URN / id
    devices = {d["id"]: d for d in home.scan["devices"]}
    for entry in home.manifest:
        assert entry["id"] in devices, entry["id"]
        assert devices[entry["id"]]["ecosystem"] == entry["ecosystem"]
    codes: dict[str, set[str]] = {}
    errors: dict[str, set[str]] = {}
    for dev_id, dev in devices.items():
        found = dev["findings"] + dev["identity"]["findings"]
        codes[dev_id] = {f["code"] for f in found}
        errors[dev_id] = {f["code"] for f in found if f["severity"] == "error"
                          # the simulator does not advertise itself on DNS-SD (--no-mdns)
                          and f["code"] != "DISC-NOT-ADVERTISED"}
    assert _problems(home.manifest, codes, errors) == []
    # the healthy devid/1 device proved possession of its key; the faulty one did not
    by_name = {e["name"]: devices[e["id"]] for e in home.manifest}
    assert by_name["Back door"]["identity"] == {"valid": True, "possession": True,
                                                "findings": []}
    assert by_name["Cloned key"]["identity"]["valid"] is False
    assert home.scan_rc == 1  # faulty devices: exit 1


def test_scan_shows_what_the_ha_and_homie_devices_are(home: Home) -> None:
    devices = {d["id"]: d for d in home.scan["devices"]}
    for entry in home.manifest:
        dev = devices[entry["id"]]
        if entry["ecosystem"] == "devid":
            continue
        assert dev["name"] == entry["name"]
        assert dev["entities"], entry["id"]  # entities (HA) or properties (Homie)


def test_record_then_check_finds_the_same(home: Home) -> None:
    listed = {d["id"]: d["ecosystem"] for d in home.check["device_list"]}
    assert listed == {e["id"]: e["ecosystem"] for e in home.manifest}
    codes: dict[str, set[str]] = {dev: set() for dev in listed}
    errors: dict[str, set[str]] = {dev: set() for dev in listed}
    for f in home.check["findings"]:
        if f["subject"] in codes:
            codes[f["subject"]].add(f["code"])
            if f["severity"] == "error":
                errors[f["subject"]].add(f["code"])
    assert _problems(home.manifest, codes, errors) == []
    assert home.check["valid"] is False and home.check_rc == 1
    assert home.check["judged"] == {"devid": 3, "ha": 3, "homie": 3}
    profiles = {d["id"]: d.get("profile") for d in home.check["device_list"]
                if d["ecosystem"] == "devid"}
    assert profiles == {e["id"]: e["profile"] for e in home.manifest
                        if e["ecosystem"] == "devid"}
