"""Benchmark: `devid check` engine throughput against the decoding floor.

Generates a capture of N env-sensor/1 devices (default 1,000 devices, 200,000
messages: one retained status and 199 states each, a state per device every 60 s),
then measures, in the same run and on the same file:

- floor: reading it with ``json`` + ``base64`` + ``cbor2.loads`` and nothing else;
- devid: ``devid._check.check_lines`` (parse, decode with spec §3 limits, validate
  every message against the profile, seq/skew/heartbeat/retain checks).

Target (issue 3): devid >= 0.5 x floor. ``--smoke`` runs a tiny capture.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path

import cbor2

from devid._check import check_lines
from devid._profiles import load_profile

T0 = 1_700_000_000.0


def generate(path: Path, devices: int, per_device: int) -> int:
    """Write the capture; returns the number of messages."""
    urns = [f"urn:dev:ops:32473-EnvSensor-{i:06d}" for i in range(devices)]
    count = 0
    with path.open("w") as fh:
        fh.write(json.dumps({"capture": 1, "broker": "mqtt://127.0.0.1:1883", "tls": True,
                             "started": T0}) + "\n")
        for i, urn in enumerate(urns):
            t = T0 + i * 0.001
            payload = cbor2.dumps({"state": "online", "ts": int(t * 1000)})
            fh.write(json.dumps({"t": t, "topic": f"devid/1/{urn}/status", "payload":
                                 base64.b64encode(payload).decode(), "qos": 1,
                                 "retain": True}) + "\n")
            count += 1
        step = 60.0 / devices
        for k in range(per_device - 1):
            for i, urn in enumerate(urns):
                t = T0 + 1.0 + k * 60.0 + i * step
                props = {"temperature": 20.0 + (i % 50) / 10, "humidity": 40.0 + (k % 20)}
                payload = cbor2.dumps({"ts": int(t * 1000), "seq": k, "props": props})
                fh.write(json.dumps({"t": round(t, 3), "topic": f"devid/1/{urn}/state",
                                     "payload": base64.b64encode(payload).decode(), "qos": 1,
                                     "retain": True}) + "\n")
                count += 1
    return count


def floor(path: Path) -> float:
    start = time.perf_counter()
    loads, b64, cbor_loads = json.loads, base64.b64decode, cbor2.loads
    with path.open("rb") as fh:
        for line in fh:
            obj = loads(line)
            payload = obj.get("payload")
            if payload is not None:
                cbor_loads(b64(payload))
    return time.perf_counter() - start


def devid_check(path: Path) -> tuple[float, int]:
    profile = load_profile("env-sensor/1")
    start = time.perf_counter()
    with path.open("rb") as fh:
        result = check_lines(fh, profile, source=str(path))
    elapsed = time.perf_counter() - start
    bad = [f for f in result.findings if f.severity.value != "info"]
    if bad:
        raise SystemExit(f"benchmark capture is not healthy: {bad[0].code} {bad[0].message}")
    return elapsed, result.messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny capture (a few seconds)")
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args(argv)
    devices, total, repeat = args.devices, args.messages, args.repeat
    if args.smoke:
        devices, total, repeat = 20, 1000, 1
    per_device = max(2, total // devices)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        n = generate(path, devices, per_device)
        floor_s = min(floor(path) for _ in range(repeat))
        runs = [devid_check(path) for _ in range(repeat)]
        ours_s = min(r[0] for r in runs)
        assert runs[0][1] == n
    floor_rate, our_rate = n / floor_s, n / ours_s
    ratio = our_rate / floor_rate
    print(f"capture: {n} messages, {devices} env-sensor/1 devices")
    print(f"floor (json + base64 + cbor2.loads): {floor_rate:12,.0f} messages/s")
    print(f"devid check engine:                   {our_rate:12,.0f} messages/s")
    print(f"ratio: {ratio:.2f} x floor (target >= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
