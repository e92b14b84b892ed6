"""Issue 13 item 4: a broker outage during `devid record` is said on stderr, marked in the
capture, and `devid check` reports it once instead of blaming every device for the gap.

A real Mosquitto (started by the test on a fixed port) is killed for a few seconds while
`devid simulate` (its own process) and `devid record` run against it, then restarted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from devid._capture import read_capture
from tests.simulator.test_visibility_e2e import Mosquitto, _stop, _wait_for

DEVID = [sys.executable, "-m", "devid"]


def test_an_outage_is_recorded_not_blamed_on_devices(mosquitto_url: str,
                                                       tmp_path: Path) -> None:
    del mosquitto_url  # skips (or fails in CI) without mosquitto
    mosq = Mosquitto(tmp_path)
    mosq.start()
    manifest, capture = tmp_path / "m.json", tmp_path / "cap.jsonl"
    sim_out, rec_err = tmp_path / "sim.out", tmp_path / "rec.err"
    with sim_out.open("w") as out:
        sim = subprocess.Popen([*DEVID, "simulate", "--profile", "env-sensor/1", "--count", "5",
                                "--broker", mosq.url, "--no-mdns", "--interval", "0.3",
                                "--seed", "3", "--manifest", str(manifest)],
                               stdout=out, stderr=subprocess.DEVNULL, text=True)
    rec = None
    try:
        _wait_for("the simulator", lambda: "running" in sim_out.read_text(), 60)
        with rec_err.open("w") as err:
            rec = subprocess.Popen([*DEVID, "record", "--broker", mosq.url, "--out",
                                    str(capture), "--duration", "14"],
                                   stdout=subprocess.DEVNULL, stderr=err, text=True)
        _wait_for("the recorder", lambda: "recording" in rec_err.read_text(), 30)
        time.sleep(2)
        mosq.kill()
        _wait_for("the loss on stderr", lambda: "lost the broker" in rec_err.read_text(), 5)
        time.sleep(3)  # the devices' messages of these seconds are lost to everyone
        mosq.start()
        _wait_for("the recorder's reconnect",
                  lambda: "broker back after" in rec_err.read_text(), 30)
        assert rec.wait(60) == 0, rec_err.read_text()
    finally:
        if rec is not None and rec.poll() is None:
            rec.kill()
        _stop(sim)
        mosq.kill()

    parsed = read_capture(capture)
    assert [o.state for o in parsed.outages] == ["lost", "regained"]
    assert "marked in the capture" in rec_err.read_text()
    urns = {e["urn"] for e in json.loads(manifest.read_text())}
    lines = capture.read_text().splitlines()
    lost = next(i for i, line in enumerate(lines) if '"outage":"lost"' in line)
    # the devices went on after the outage (their seq jumped over what was lost)
    assert sum('"topic"' in line for line in lines[lost:]) > 10

    proc = subprocess.run([*DEVID, "check", str(capture), "--json"], capture_output=True,
                          text=True, timeout=60, check=False)
    [result] = [json.loads(line) for line in proc.stdout.splitlines()]
    codes = [f["code"] for f in result["findings"]]
    assert codes.count("MSG-BROKER-OUTAGE") == 1, codes
    outage = next(f for f in result["findings"] if f["code"] == "MSG-BROKER-OUTAGE")
    assert outage["evidence"]["excused_seq_jumps"] >= 1
    assert "MSG-SEQ-GAP" not in codes and "MSG-HEARTBEAT-MISSED" not in codes, codes
    assert {d["id"] for d in result["device_list"]} >= urns
    assert proc.returncode == 0, codes  # a warning about the recorder, no device error
    # the control: the same capture without its markers blames the devices, as before
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(line for line in lines if '"outage"' not in line) + "\n")
    proc = subprocess.run([*DEVID, "check", str(bare), "--json"], capture_output=True,
                          text=True, timeout=60, check=False)
    [result] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "MSG-SEQ-GAP" in {f["code"] for f in result["findings"]}
