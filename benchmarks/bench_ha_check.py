"""Benchmark: `devid check` on a Home Assistant discovery capture against its floor.

Generates a capture of N devices announced through Home Assistant MQTT discovery the
way Zigbee2MQTT does it (default 1,000 devices, 200,000 messages): four kinds of
device (a temperature/humidity sensor, a plug with power metering, a door contact, a
dimmable light), each with its retained discovery configs (1-3 entities sharing one
JSON state topic), a retained availability message, then state messages in turn.

Measured in the same run, on the same file:

- floor A: ``json.loads`` of every message payload, and nothing else (the payloads
  held in memory beforehand);
- floor B: reading the capture the bare way: ``json.loads`` of each line, base64, and
  ``json.loads`` of its payload;
- devid: ``devid._multicheck.check_capture_lines`` as ``devid check`` runs it by default
  (every ecosystem, detected from the topics: read the capture, route each message,
  validate every config, judge every state and availability message against its
  entities' configs, value templates included).

Target (issue 9): devid >= 0.5 x floor A. ``--smoke`` runs a tiny capture.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devid._multicheck import check_capture_lines

T0 = 1_700_000_000.0
#: As ``devid check`` does by default: every ecosystem, detected from the topics.
ECOSYSTEMS = None
PREFIX = "homeassistant"

ORIGIN = {"name": "Zigbee2MQTT", "sw": "2.1.0", "url": "https://www.zigbee2mqtt.io"}
KINDS = ("climate", "plug", "contact", "light")


def _device(i: int, kind: str) -> dict[str, Any]:
    ieee = f"0x00158d00{i:08x}"
    return {"identifiers": [f"zigbee2mqtt_{ieee}"], "name": f"{kind}_{i}",
            "manufacturer": "Acme", "model": f"{kind.title()} model", "sw_version": "1.0"}


def configs(i: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """(state topic, [(discovery topic, config)]) of device ``i``."""
    kind = KINDS[i % len(KINDS)]
    ieee = f"0x00158d00{i:08x}"
    state = f"zigbee2mqtt/{kind}_{i}"
    common = {"state_topic": state, "device": _device(i, kind), "origin": ORIGIN,
              "availability": [{"topic": "zigbee2mqtt/bridge/state",
                                "value_template": "{{ value_json.state }}"}]}
    out: list[tuple[str, dict[str, Any]]] = []

    def add(component: str, key: str, extra: dict[str, Any]) -> None:
        cfg = {**common, "unique_id": f"{ieee}_{key}_zigbee2mqtt", **extra}
        out.append((f"{PREFIX}/{component}/{ieee}/{key}/config", cfg))

    if kind == "climate":
        add("sensor", "temperature", {"name": "Temperature", "device_class": "temperature",
                                      "unit_of_measurement": "°C", "state_class": "measurement",
                                      "value_template": "{{ value_json.temperature }}"})
        add("sensor", "humidity", {"name": "Humidity", "device_class": "humidity",
                                   "unit_of_measurement": "%", "state_class": "measurement",
                                   "value_template": "{{ value_json.humidity }}"})
        add("sensor", "battery", {"name": "Battery", "device_class": "battery",
                                  "unit_of_measurement": "%", "state_class": "measurement",
                                  "value_template": "{{ value_json['battery'] }}"})
    elif kind == "plug":
        add("switch", "switch", {"name": None, "command_topic": f"{state}/set",
                                 "payload_on": "ON", "payload_off": "OFF",
                                 "value_template": "{{ value_json.state }}"})
        add("sensor", "power", {"name": "Power", "device_class": "power",
                                "unit_of_measurement": "W", "state_class": "measurement",
                                "value_template": "{{ value_json.power }}"})
    elif kind == "contact":
        add("binary_sensor", "contact", {"name": "Door", "device_class": "door",
                                         "payload_on": False, "payload_off": True,
                                         "value_template": "{{ value_json.contact }}"})
    else:
        add("light", "light", {"name": None, "command_topic": f"{state}/set",
                               "brightness": True, "schema": "json"})
    return state, out


def state_payload(i: int, k: int) -> bytes:
    kind = KINDS[i % len(KINDS)]
    if kind == "climate":
        value: dict[str, Any] = {"temperature": round(19 + (i + k) % 60 / 10, 1),
                                 "humidity": 40 + k % 20, "battery": 100 - k % 50,
                                 "linkquality": 120}
    elif kind == "plug":
        value = {"state": "ON" if k % 2 else "OFF", "power": round((i * 7 + k) % 2000 / 3, 2),
                 "linkquality": 90}
    elif kind == "contact":
        value = {"contact": k % 3 != 0, "battery": 90, "linkquality": 100}
    else:
        value = {"state": "ON", "brightness": k % 255, "linkquality": 80}
    return json.dumps(value, separators=(",", ":")).encode()


def generate(path: Path, devices: int, total: int) -> int:
    """Write the capture (devid's own canonical line form); returns the message count."""
    count = 0

    def line(fh: Any, t: float, topic: str, payload: bytes, retain: bool) -> None:
        nonlocal count
        fh.write(json.dumps({"t": round(t, 3), "topic": topic,
                             "payload": base64.b64encode(payload).decode(), "qos": 0,
                             "retain": retain}, separators=(",", ":")) + "\n")
        count += 1

    states: list[str] = []
    with path.open("w") as fh:
        fh.write(json.dumps({"capture": 1, "broker": "mqtt://127.0.0.1:1883", "tls": False,
                             "started": T0}) + "\n")
        line(fh, T0, "zigbee2mqtt/bridge/state", b'{"state":"online"}', True)
        for i in range(devices):
            state, cfgs = configs(i)
            states.append(state)
            for topic, cfg in cfgs:
                line(fh, T0 + i * 0.001, topic, json.dumps(cfg).encode(), True)
        k = 0
        while count < total:
            for i, state in enumerate(states):
                if count >= total:
                    break
                line(fh, T0 + 10 + k * 60 + i * 0.01, state, state_payload(i, k), False)
            k += 1
    return count


def payloads(path: Path) -> list[bytes]:
    with path.open("rb") as fh:
        return [base64.b64decode(json.loads(raw)["payload"]) for raw in fh
                if b'"payload"' in raw]


def floor_a(items: list[bytes]) -> float:
    loads = json.loads
    start = time.perf_counter()
    for p in items:
        loads(p)
    return time.perf_counter() - start


def floor_b(path: Path) -> float:
    loads, b64 = json.loads, base64.b64decode
    start = time.perf_counter()
    with path.open("rb") as fh:
        for raw in fh:
            payload = loads(raw).get("payload")
            if payload is not None:
                loads(b64(payload))
    return time.perf_counter() - start


def devid_check(path: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    with path.open("rb") as fh:
        result = check_capture_lines(fh, None, ecosystems=ECOSYSTEMS, source=str(path))
    elapsed = time.perf_counter() - start
    bad = [f for f in result.findings if f.severity.value != "info"]
    if bad:
        raise SystemExit(f"benchmark capture is not healthy: {bad[0].code} {bad[0].subject} "
                         f"{bad[0].message}")
    return elapsed, result.messages, result.judged.get("ha", 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny capture (a second)")
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    devices, total, repeat = args.devices, args.messages, args.repeat
    if args.smoke:
        devices, total, repeat = 20, 1000, 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-ha.jsonl"
        n = generate(path, devices, total)
        items = payloads(path)
        fa = min(floor_a(items) for _ in range(repeat))
        fb = min(floor_b(path) for _ in range(repeat))
        runs = [devid_check(path) for _ in range(repeat)]
        ours = min(r[0] for r in runs)
        if runs[0][1] != n or runs[0][2] != devices:
            raise SystemExit(f"judged {runs[0][1]} messages / {runs[0][2]} devices, "
                             f"expected {n} / {devices}")
    print(f"capture: {n} messages, {devices} Home Assistant devices (Zigbee2MQTT style)")
    print(f"floor A (json.loads of the payloads):        {n / fa:12,.0f} messages/s")
    print(f"floor B (read capture + json.loads payload): {n / fb:12,.0f} messages/s")
    print(f"devid check (ecosystems detected):           {n / ours:12,.0f} messages/s")
    print(f"ratio: {fa / ours:.2f} x floor A (target >= 0.50), {fb / ours:.2f} x floor B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
