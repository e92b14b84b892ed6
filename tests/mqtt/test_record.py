"""``devid record``: capture header, retain flags as published, flushing, CLI errors."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from devid._broker import free_port
from devid._capture import read_capture
from devid._mqtt import MqttClient, MqttSettings
from devid._record import record
from simulator import Fleet


def _record_fleet(url: str, **fleet_kw: object) -> tuple[str, Fleet]:
    out = io.StringIO()

    async def main() -> Fleet:
        fleet = Fleet("smart-lock/1", url, count=3, faults="non-retained:1",
                      seed=int.from_bytes(os.urandom(4)),
                      interval=0.3, mdns_interface=None, settings=MqttSettings(), **fleet_kw)
        async with fleet:
            await record(url, out, duration=1.2, settings=MqttSettings())
        return fleet

    fleet = asyncio.run(asyncio.wait_for(main(), 30))
    return out.getvalue(), fleet


def test_retain_flag_as_published(broker_url: str, tmp_path: Path) -> None:
    text, fleet = _record_fleet(broker_url)
    path = tmp_path / "c.jsonl"
    path.write_text(text)
    capture = read_capture(path)
    assert capture.findings == []
    header = capture.header
    assert header is not None and header.broker == broker_url and header.tls is False
    v5 = header.extra["protocol"] == "5"
    assert header.retain_inferred is (not v5)
    bad = fleet.faulty("non-retained")[0].urn
    states: dict[tuple[bool, bool], int] = {}
    for m in capture.messages:
        urn = m.topic.split("/")[2]
        if m.topic.endswith("/state"):
            key = (urn == bad, m.retain)
            states[key] = states.get(key, 0) + 1
        if m.topic.endswith(("/identity", "/status")):
            assert m.retain, m.topic
        if "/event/" in m.topic:
            assert not m.retain
    # healthy devices: every state retained; the faulty one: none
    assert states.get((False, True), 0) >= 4 and (False, False) not in states
    assert states.get((True, False), 0) >= 2 and (True, True) not in states


def test_mqtt5_header_on_mosquitto(mosquitto_url: str, amqtt_url: str) -> None:
    text, _ = _record_fleet(mosquitto_url)
    assert json.loads(text.splitlines()[0])["protocol"] == "5"
    assert "retain_inferred" not in json.loads(text.splitlines()[0])
    text, _ = _record_fleet(amqtt_url)
    assert json.loads(text.splitlines()[0])["retain_inferred"] is True


def _cli(*args: str, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from devid.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)  # type: ignore[call-overload]


def test_cli_sigint_keeps_every_line(mosquitto_url: str, tmp_path: Path) -> None:
    out = tmp_path / "rec.jsonl"
    proc = _cli("record", "--broker", mosquitto_url, "--out", str(out), "--topic", "cli/#")

    async def publish() -> None:
        async with MqttClient(mosquitto_url, settings=MqttSettings()) as pub:
            for i in range(20):
                await pub.publish(f"cli/{i}", str(i).encode(), qos=1)

    deadline = time.monotonic() + 10
    while (not out.exists() or not out.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # subscription in place
    asyncio.run(publish())
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    capture = read_capture(out)
    assert [m.payload for m in capture.messages] == [str(i).encode() for i in range(20)]
    assert "20 messages" in err


def test_cli_errors_exit_2(tmp_path: Path) -> None:
    port = free_port()
    proc = _cli("record", "--broker", f"mqtt://127.0.0.1:{port}", "--out",
                str(tmp_path / "x.jsonl"), "--duration", "1")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "cannot connect" in err and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()  # no empty capture left behind
    proc = _cli("record", "--broker", "http://nope", "--out", str(tmp_path / "y.jsonl"))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--broker" in err
    proc = _cli("record", "--broker", "mqtt://127.0.0.1:1", "--out",
                str(tmp_path / "no" / "such" / "dir.jsonl"))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "no such directory" in err and "Traceback" not in err


def test_inferred_retain_ignores_what_was_retained_before(amqtt_url: str,
                                                          unique_prefix: str) -> None:
    """3.1.1: a topic that held a retained message before the recording, then gets live
    messages published without retain, is recorded retain=false (and vice versa)."""
    out = io.StringIO()

    async def main() -> None:
        async with MqttClient(amqtt_url, settings=MqttSettings()) as dev:
            await dev.publish(f"{unique_prefix}/was-retained", b"old", qos=1, retain=True)
            ready, stop = asyncio.Event(), asyncio.Event()
            task = asyncio.create_task(record(amqtt_url, out, topic_filter=f"{unique_prefix}/#",
                                              ready=ready, stop=stop, settings=MqttSettings()))
            await ready.wait()
            for i in range(3):
                await dev.publish(f"{unique_prefix}/was-retained", b"live%d" % i, qos=1)
                await dev.publish(f"{unique_prefix}/retained", b"r%d" % i, qos=1, retain=True)
                await dev.publish(f"{unique_prefix}/event", b"e%d" % i, qos=1)
            await asyncio.sleep(1.0)
            stop.set()
            result = await task
            assert result.retain_inferred and result.probes == 3

    asyncio.run(asyncio.wait_for(main(), 30))
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert lines[0]["retain_inferred"] is True
    flags = [(m["topic"].rsplit("/", 1)[1], m["retain"]) for m in lines[1:]]
    assert flags[0] == ("was-retained", True)  # the stored message, sent on subscribing
    live = flags[1:]
    assert len(live) == 9
    assert {f for t, f in live if t == "was-retained"} == {False}
    assert {f for t, f in live if t == "retained"} == {True}
    assert {f for t, f in live if t == "event"} == {False}


def test_cli_refuses_to_overwrite_a_capture_without_force(mosquitto_url: str,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "kept.jsonl"
    out.write_text("precious\n")
    proc = _cli("record", "--broker", mosquitto_url, "--out", str(out), "--duration", "0.5")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--force" in err and "Traceback" not in err
    assert out.read_text() == "precious\n"
    proc = _cli("record", "--broker", mosquitto_url, "--out", str(out), "--duration", "0.5",
                "--force")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.read_text().startswith('{"capture"')


def test_cli_topic_filter_errors_are_one_line() -> None:
    for bad, why in (("devid/#/x", "'#' must be a whole level and the last one"),
                     ("devid/a+/x", "'+' must be a whole level"), ("", "empty"),
                     ("a#", "'#'")):
        proc = _cli("record", "--broker", "mqtt://127.0.0.1:1", "--out", "-", "--topic", bad)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 2, err
        [line] = err.strip().splitlines()
        assert line.startswith("devid: error: --topic:") and why in line, line
        assert "ValueError" not in line


def test_record_to_stdout_piped_into_check_stdin(mosquitto_url: str) -> None:
    async def main() -> tuple[bytes, bytes, int]:
        fleet = Fleet("smart-lock/1", mosquitto_url, count=2, faults="non-retained:1",
                      seed=int.from_bytes(os.urandom(4)), interval=0.3, mdns_interface=None,
                      settings=MqttSettings())
        async with fleet:
            shell = (f"{sys.executable} -m devid record --broker {mosquitto_url} --out - "
                     f"--duration 1.5 | {sys.executable} -m devid check - --json")
            proc = await asyncio.create_subprocess_shell(
                shell, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await proc.communicate()
            assert proc.returncode is not None
            return out, err, proc.returncode

    out, err, rc = asyncio.run(asyncio.wait_for(main(), 60))
    [obj] = [json.loads(line) for line in out.decode().splitlines()]
    assert obj["input"] == "-" and obj["devices"] >= 2, err.decode()
    # the non-retained fault is found in what came through the pipe: exit 1
    assert "MSG-RETAIN" in {f["code"] for f in obj["findings"]} and rc == 1
