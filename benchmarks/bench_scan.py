"""Scan throughput: N simulated devices found, verified and challenged (default 1,000).

A real broker (Mosquitto when installed, else amqtt) and ``devid simulate`` in a separate
process (N env-sensor devices, their own keys and certificates) play the network. Then:

* **devid**: ``async_scan(broker=..., validator=ChainValidator(trust), mdns=False)``: MQTT
  discovery of the retained identity/status topics, verification of every retained token
  against the trust anchors (COSE signature, chain, devid/1 profile, sub = URN), a fresh
  random nonce to every device, answers collected until each device answered plus the
  clone window (0.5 s), every answer verified (signature, chain, ``eat_nonce``), one
  ScanReport. ``--mdns`` browses DNS-SD as well (the devices are then advertised).
* **floor**: the same round trips with bare paho-mqtt + cbor2 + cryptography, no checks
  beyond the signatures: subscribe to the retained identities, verify each token's ES256
  signature with the leaf key and the leaf's signature with the vendor CA; publish one
  challenge per device, collect one answer per device (no clone window), verify the answer's
  signature and compare its nonce.

Both run on the same broker and the same devices, alternately. Prints wall-clock seconds.
``--smoke``: 20 devices (a few seconds), for CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import cbor2
import paho.mqtt.client as paho
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devid._broker import start_broker
from devid._certs import ChainValidator, TrustStore
from devid.live import ScanStats, async_scan

PROFILE = "env-sensor/1"


# --------------------------------------------------------------------------- the floor


def _sig_ok(token: bytes) -> tuple[bool, dict[int, Any], x509.Certificate | None]:
    """Bare COSE_Sign1 ES256 check: Sig_structure, the leaf key, the raw r||s signature."""
    try:
        obj = cbor2.loads(token)
        if isinstance(obj, cbor2.CBORTag):
            obj = obj.value
        protected, _unprotected, payload, signature = obj
        header = cbor2.loads(protected)
        chain = header[33]
        leaf = x509.load_der_x509_certificate(chain[0] if isinstance(chain, list) else chain)
        to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        key = leaf.public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(utils.encode_dss_signature(r, s), to_be_signed, ec.ECDSA(hashes.SHA256()))
        return True, cbor2.loads(payload), leaf
    except Exception:
        return False, {}, None


def floor_round_trips(url: str, count: int, vendor: x509.Certificate,
                      timeout: float = 30.0) -> tuple[float, int, int]:
    """Bare paho: read retained identities, challenge each device, verify. (secs, ok, answered)"""
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"floor-{os.getpid()}")
    lock = threading.Lock()
    identities: dict[str, bytes] = {}
    answers: dict[str, bytes] = {}
    nonces: dict[str, bytes] = {}
    all_ids = threading.Event()
    all_answers = threading.Event()

    def on_message(_c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        parts = msg.topic.split("/")
        with lock:
            if parts[-1] == "identity":
                identities[parts[2]] = msg.payload
                if len(identities) >= count:
                    all_ids.set()
            elif parts[-1] == "response" and parts[2] in nonces and parts[2] not in answers:
                answers[parts[2]] = msg.payload
                if len(answers) >= count:
                    all_answers.set()

    client.on_message = on_message
    client.max_inflight_messages_set(1000)
    client.connect(host, int(port))
    client.loop_start()
    start = time.perf_counter()
    try:
        client.subscribe("devid/1/+/identity", qos=1)
        client.subscribe("devid/1/+/challenge/response", qos=1)
        all_ids.wait(timeout)
        with lock:
            ids = dict(identities)
        ok = 0
        for token in ids.values():
            good, _claims, leaf = _sig_ok(token)
            if good and leaf is not None:
                vkey = vendor.public_key()
                assert isinstance(vkey, ec.EllipticCurvePublicKey)
                vkey.verify(leaf.signature, leaf.tbs_certificate_bytes,
                            ec.ECDSA(leaf.signature_hash_algorithm or hashes.SHA256()))
                ok += 1
        for urn in ids:
            nonce = secrets.token_bytes(24)
            with lock:
                nonces[urn] = nonce
            client.publish(f"devid/1/{urn}/challenge", cbor2.dumps({"nonce": nonce}), qos=1)
        all_answers.wait(timeout)
        with lock:
            got = dict(answers)
        for urn, token in got.items():
            good, claims, _leaf = _sig_ok(token)
            if good and claims.get(10) == nonces[urn]:
                ok += 1
        return time.perf_counter() - start, ok, len(got)
    finally:
        client.loop_stop()
        client.disconnect()


# --------------------------------------------------------------------------- devid


async def devid_scan(url: str, trust: Path, *, mdns: bool, timeout: float) -> tuple[float, Any,
                                                                                     ScanStats]:
    validator = ChainValidator(TrustStore.from_dir(trust))
    stats = ScanStats()
    start = time.perf_counter()
    report = await async_scan(broker=url, validator=validator, mdns=mdns, timeout=timeout,
                              interface="127.0.0.1" if mdns else None, stats=stats,
                              discovery_time=3.0 if mdns else None)
    return time.perf_counter() - start, report, stats


# --------------------------------------------------------------------------- the fleet


def _count_retained(url: str, count: int, timeout: float) -> int:
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)
    seen: set[str] = set()
    done = threading.Event()

    def on_message(_c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        seen.add(msg.topic)
        if len(seen) >= count:
            done.set()

    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.connect(host, int(port))
    client.loop_start()
    client.subscribe("devid/1/+/identity", qos=1)
    done.wait(timeout)
    client.loop_stop()
    client.disconnect()
    return len(seen)


def start_fleet(url: str, count: int, ca: Path, *, mdns: bool) -> subprocess.Popen[bytes]:
    args = ["devid", "simulate", "--profile", PROFILE, "--count", str(count), "--broker", url,
            "--ca", str(ca), "--seed", "1", "--interval", "30"]
    if not mdns:
        args.append("--no-mdns")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"devid simulate exited: {proc.stderr.read().decode()[-500:]}"
                             if proc.stderr else "devid simulate exited")
        if (ca / "trust").is_dir() and _count_retained(url, count, 2.0) >= count:
            time.sleep(1.0 if not mdns else 3.0)  # let the advertisements settle too
            return proc
    proc.terminate()
    raise SystemExit("the simulated fleet did not come up in 120 s")


async def main_async(args: argparse.Namespace) -> int:
    count = 20 if args.smoke else args.count
    async with start_broker(args.engine) as broker:
        url = broker.url
        with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
            ca = Path(tmp) / "ca"
            t0 = time.perf_counter()
            proc = start_fleet(url, count, ca, mdns=args.mdns)
            print(f"{count} simulated {PROFILE} devices up in {time.perf_counter() - t0:.1f} s "
                  f"(broker: {broker.engine})")
            try:
                from devid._provision import load_vendor

                vendor = load_vendor(ca, "Devid-Sim").certificate
                best_devid, best_floor = float("inf"), float("inf")
                for i in range(args.repeat):
                    secs, report, stats = await devid_scan(url, ca / "trust", mdns=args.mdns,
                                                           timeout=args.timeout)
                    proven = sum(1 for d in report.devices if d.identity.possession)
                    valid = sum(1 for d in report.devices if d.identity.valid)
                    print(f"  devid run {i + 1}: {secs:6.2f} s  found {len(report.devices)}, "
                          f"valid {valid}, proven {proven}  phases "
                          + ", ".join(f"{k} {v:.2f}" for k, v in stats.phases.items()))
                    if proven != count or valid != count:
                        print("  devid: not every device was proven", file=sys.stderr)
                        return 1
                    best_devid = min(best_devid, secs)
                    fsecs, ok, answered = await asyncio.to_thread(
                        floor_round_trips, url, count, vendor)
                    print(f"  floor run {i + 1}: {fsecs:6.2f} s  answered {answered}, "
                          f"verified {ok}/{2 * count}")
                    best_floor = min(best_floor, fsecs)
                print(f"scan of {count} devices: devid {best_devid:.2f} s "
                      f"(target <= 15 s), floor {best_floor:.2f} s (bare paho + cryptography, "
                      f"no clone window), ratio {best_devid / best_floor:.1f}x")
                return 0 if best_devid <= 15 or args.smoke else 1
            finally:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=15.0, help="scan time budget")
    parser.add_argument("--mdns", action="store_true", help="advertise and browse DNS-SD too")
    parser.add_argument("--engine", default="auto", choices=["auto", "mosquitto", "amqtt"])
    parser.add_argument("--smoke", action="store_true", help="20 devices, one run")
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 1
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
