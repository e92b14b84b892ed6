"""``devid demo`` runs end to end (embedded broker, simulated home, scan, suite, reports)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid.cli import cli
from devid.live._demo import run_demo

pytestmark = pytest.mark.slow


def test_devid_demo_cli(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "The faults are deliberate" in result.output
    for name in ("scan.html", "scan.json", "test-smart-plug.html", "test-smart-plug.json",
                 "test-smart-plug.xml", "manifest.json", "results.sqlite"):
        assert (out / name).is_file(), name
    scan = json.loads((out / "scan.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    by_id = {d["id"]: d for d in scan["devices"]}
    for m in manifest:
        d = by_id[m["urn"]]
        codes = {f["code"] for f in d["findings"] + d["identity"]["findings"]}
        if "wrong-key" in m["faults"]:
            assert "ID-SIG-INVALID" in codes
        elif "stale-nonce" in m["faults"]:
            assert "ID-NONCE-MISMATCH" in codes
        elif "cloned-identity" in m["faults"]:
            assert "ID-CLONE" in codes
        elif not m["faults"] or m["faults"] == ["evil-name"] or m["faults"] == ["no-ack"]:
            assert d["identity"]["possession"] is True, d
    suite = json.loads((out / "test-smart-plug.json").read_text())
    no_ack = {m["urn"] for m in manifest if m["faults"] == ["no-ack"]}
    failed = {r["device"] for r in suite["results"] if r["status"] == "failed"}
    assert failed == no_ack
    ET.parse(out / "test-smart-plug.xml")


def test_demo_without_mosquitto_uses_amqtt(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "d", engine="amqtt", scan_timeout=4, duration=1)
    assert result.engine == "amqtt"
    assert result.timings["total"] < 120
    urns = {m["urn"] for m in result.manifest}
    found = {d.record.id for d in result.scan.devices if d.record.id in urns}
    assert found == urns
    assert result.run.counts()["failed"] >= 2  # the no-ack plug fails its two commands
