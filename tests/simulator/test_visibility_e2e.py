"""End to end on real Mosquitto processes, through the CLI: faults keep showing, and a
simulator whose broker dies says so, reconnects and tells the truth at stop.

1. The README's session, with a late recorder: ``devid simulate`` runs a fleet with
   every fault ``devid check`` can see; ``devid record`` starts seconds later (each
   device's first state is long replaced by then); ``devid check`` of that capture must
   find each fault on the device the manifest names, and nothing on a healthy device.
2. The broker of a ``--broker`` simulator (a Mosquitto this test starts) is killed:
   the simulator says so on stderr at once, reconnects once the broker is back, keeps
   publishing, and when it is stopped while the broker is gone again it does not claim
   that it published the offline status.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid import _cbor
from devid._broker import broker, find_mosquitto, free_port
from devid._mqtt import Message, MqttClient, MqttSettings
from devid.cli import cli
from simulator import FAULTS, showing

CHECKABLE = [name for name, f in FAULTS.items() if "check" in f.seen_by]
FIRST_STATE = ["range", "wrong-type", "missing-required", "malformed-cbor", "oversize",
               "seq-regression", "plaintext-sensitive"]
FAST_LOCK = "id: fast-lock/1\ntitle: Smart lock, 2 s heartbeat\nextends: smart-lock/1\n" \
            "heartbeat_s: 2\n"
DEVID = [sys.executable, "-c", "from devid.cli import main; main()"]
#: How long the fleet runs before the recorder starts: several intervals and heartbeats.
LATE_S = 5.0


def _wait_for(what: str, cond: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def fresh_mosquitto(mosquitto_url: str) -> Iterator[str]:
    """A Mosquitto of this test's own: no retained message of another test."""
    with broker("mosquitto") as running:
        yield running.url


@pytest.mark.slow
def test_late_recorder_still_sees_every_fault(fresh_mosquitto: str, tmp_path: Path) -> None:
    assert set(FIRST_STATE) <= set(CHECKABLE)
    url = fresh_mosquitto
    profile = tmp_path / "fast-lock-1.yaml"
    profile.write_text(FAST_LOCK)
    manifest_path, capture = tmp_path / "truth.json", tmp_path / "late.jsonl"
    sim_out = (tmp_path / "sim.out").open("w+")
    sim = subprocess.Popen(
        [*DEVID, "simulate", "--profile", str(profile), "--count", str(len(CHECKABLE) + 3),
         "--faults", ",".join(f"{name}:1" for name in CHECKABLE), "--broker", url,
         "--ca", str(tmp_path / "ca"), "--manifest", str(manifest_path), "--seed", "11",
         "--no-mdns"],  # no --interval: half the heartbeat, as in the README's session
        stdout=sim_out, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for("the simulator", lambda: "running" in Path(sim_out.name).read_text(), 60)
        time.sleep(LATE_S)
        rec = subprocess.Popen([*DEVID, "record", "--broker", url, "--out", str(capture),
                                "--duration", "8"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert rec.stderr is not None
        line = ""
        while "recording for" not in line:  # subscribed
            line = rec.stderr.readline()
            assert line, "devid record ended before it subscribed"
        manifest = json.loads(manifest_path.read_text())
        asyncio.run(asyncio.wait_for(_command_and_challenge(url, manifest), 20))
        rec.communicate(timeout=30)
        assert rec.returncode == 0
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(20)
        sim_out.close()
    assert sim.returncode == 0

    # the recording really started late: no device's first state is in it
    first_seq: dict[str, int] = {}
    for raw in capture.read_text().splitlines()[1:]:
        rec_line = json.loads(raw)
        parts = rec_line["topic"].split("/")
        if parts[-1] == "state" and parts[2] not in first_seq:
            try:
                body = _cbor.decode(base64.b64decode(rec_line["payload"]))
            except (KeyError, _cbor.CborError):
                continue  # malformed-cbor, oversize: unreadable on purpose
            first_seq[parts[2]] = int(body["seq"])
    ticking = {e["urn"] for e in manifest if e["faults"] != ["missing-heartbeat"]}
    assert first_seq.keys() >= ticking - {e["urn"] for e in manifest if e["faults"] in (
        ["malformed-cbor"], ["oversize"])}
    assert min(first_seq[urn] for urn in ticking if urn in first_seq) >= 3, first_seq

    result = CliRunner().invoke(cli, ["check", str(capture), "--profile", str(profile),
                                      "--trust", str(tmp_path / "ca" / "trust"), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    by_device: dict[str, set[str]] = {}
    for f in report["findings"]:
        by_device.setdefault(str(f["subject"]), set()).add(str(f["code"]))
    missed = []
    for entry in manifest:
        codes = by_device.get(entry["urn"], set())
        if not entry["faults"]:
            assert codes == set(), f"healthy {entry['urn']} has findings: {codes}"
            continue
        (name,) = entry["faults"]
        fault = FAULTS[name]
        # the manifest says when each fault shows
        assert entry["shows"] == {name: showing(fault, 1.0, 2.0)}
        missed += [(name, code, sorted(codes)) for code in fault.codes if code not in codes]
    assert missed == []
    assert {e["faults"][0] for e in manifest if e["faults"]} == set(CHECKABLE)


async def _command_and_challenge(url: str, manifest: list[dict[str, Any]]) -> None:
    """What a tester does while recording: a command and a challenge to every device."""
    async with MqttClient(url, settings=MqttSettings()) as tester:
        for i, entry in enumerate(manifest):
            base = f"devid/1/{entry['urn']}/"
            await tester.publish(base + "cmd/lock", _cbor.encode(
                {"id": f"late-{i}", "args": {}, "ts": int(time.time() * 1000)}), qos=1)
            await tester.publish(base + "challenge", _cbor.encode(
                {"nonce": os.urandom(16)}), qos=1)


# -- the broker goes away ----------------------------------------------------------------


class Mosquitto:
    """A Mosquitto process on a fixed port, that the test may kill and start again."""

    def __init__(self, tmp_path: Path) -> None:
        exe = find_mosquitto()
        assert exe is not None
        self.exe = exe
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.conf = tmp_path / "mosquitto.conf"
        self.conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                             "persistence false\nlog_dest none\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for("mosquitto", self._accepts, 10)

    def _accepts(self) -> bool:
        import socket

        assert self.proc is not None and self.proc.poll() is None, "mosquitto exited"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # no DISCONNECT to anyone: the TCP connections just end
            self.proc.wait(10)
            self.proc = None


async def _watch(url: str, seconds: float) -> list[Message]:
    out: list[Message] = []
    async with MqttClient(url, settings=MqttSettings(), reconnect=False) as obs:
        await obs.subscribe("devid/1/#", qos=1)
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0:
            try:
                out.append(await asyncio.wait_for(anext(obs.messages), left))
            except (TimeoutError, StopAsyncIteration):
                break
    return out


def _states(messages: list[Message]) -> dict[str, list[int]]:
    seqs: dict[str, list[int]] = {}
    for m in messages:
        if m.topic.endswith("/state") and not m.retain:
            seqs.setdefault(m.topic.split("/")[2], []).append(_cbor.decode(m.payload)["seq"])
    return seqs


@pytest.mark.slow
def test_simulator_reports_a_lost_broker_reconnects_and_tells_the_truth_at_stop(
        mosquitto_url: str, tmp_path: Path) -> None:
    mosq = Mosquitto(tmp_path)
    mosq.start()
    manifest = tmp_path / "m.json"
    out_path, err_path = tmp_path / "sim.out", tmp_path / "sim.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        sim = subprocess.Popen(
            [*DEVID, "simulate", "--profile", "env-sensor/1", "--count", "3",
             "--broker", mosq.url, "--no-mdns", "--interval", "0.3", "--seed", "9",
             "--manifest", str(manifest)], stdout=out, stderr=err, text=True)
    try:
        _wait_for("the simulator", lambda: "running" in out_path.read_text(), 60)
        urns = {e["urn"] for e in json.loads(manifest.read_text())}
        before = _states(asyncio.run(_watch(mosq.url, 1.0)))
        assert set(before) == urns
        assert err_path.read_text() == ""

        # 1. the broker dies: the simulator says so at once, and keeps running
        mosq.kill()
        lost_at = time.monotonic()
        _wait_for("the loss on stderr", lambda: "connection lost" in err_path.read_text(), 5)
        assert time.monotonic() - lost_at < 2.0
        lines = err_path.read_text().splitlines()
        assert lines == [f"broker    {mosq.url}: connection lost; reconnecting with backoff"]
        time.sleep(1.5)
        assert sim.poll() is None

        # 2. the broker comes back (empty: no persistence): the devices reconnect, publish
        # their presence again and keep publishing states
        mosq.start()
        _wait_for("the reconnect on stderr", lambda: "reconnected" in err_path.read_text(), 40)
        lines = err_path.read_text().splitlines()
        assert len(lines) == 2 and lines[1].startswith(f"broker    {mosq.url}: reconnected "
                                                       "after "), lines
        assert lines[1].endswith("all 3 device connections are back")
        after = asyncio.run(_watch(mosq.url, 1.5))
        statuses = {m.topic.split("/")[2]: _cbor.decode(m.payload)["state"] for m in after
                    if m.topic.endswith("/status")}
        assert statuses == {u: "online" for u in urns}  # republished after the reconnect
        live = _states(after)
        assert set(live) == urns
        for urn, seqs in live.items():
            assert len(seqs) >= 3 and seqs == sorted(seqs), seqs
            assert seqs[0] > max(before[urn])  # the same devices, carrying on

        # 3. the broker dies again; a stop now cannot publish the offline status
        mosq.kill()
        _wait_for("the second loss", lambda: err_path.read_text().count("connection lost") == 2,
                  5)
        sim.send_signal(signal.SIGTERM)
        assert sim.wait(30) == 0
    finally:
        _stop(sim)
        mosq.kill()
    stdout, stderr = out_path.read_text(), err_path.read_text()
    assert "stopped (offline published)" not in stdout
    assert stdout.splitlines()[-1] == ("stopped (offline NOT published: none of the 3 devices "
                                       "was connected to the broker)")
    assert "Traceback" not in stderr and "Traceback" not in stdout
