"""Hostile devices on a real broker: whatever they publish, the scan and the suite report
findings and never crash, hang or print a traceback."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from click.testing import CliRunner

from devid import _cbor
from devid._certs import ChainValidator
from devid._mqtt import MqttClient
from devid._profiles import load_profile
from devid._reports import TestStatus
from devid._token import create_token
from devid.cli import cli
from devid.live import async_scan, run_suite
from tests.plugins.pki import TestPKI

pytestmark = pytest.mark.slow

Answer = Callable[[bytes], bytes | list[bytes] | None]


async def _device(url: str, urn: str, token: bytes, answer: Answer,
                  ready: asyncio.Event, stop: asyncio.Event, *, state: bytes | None = None) -> None:
    """A hand-made device: retained status/identity(/state), answers challenges with answer()."""
    async with MqttClient(url) as c:
        base = f"devid/1/{urn}/"
        await c.subscribe(base + "challenge", qos=1)
        await c.publish(base + "status", _cbor.encode({"state": "online",
                                                        "ts": int(time.time() * 1000)}),
                        qos=1, retain=True)
        await c.publish(base + "identity", token, qos=1, retain=True)
        if state is not None:
            await c.publish(base + "state", state, qos=1, retain=True)
        ready.set()
        it = c.messages.__aiter__()
        while not stop.is_set():
            try:
                m = await asyncio.wait_for(it.__anext__(), 0.1)
            except TimeoutError:
                continue
            try:
                nonce = _cbor.decode(m.payload)["nonce"]
            except Exception:
                continue
            out = answer(nonce)
            for payload in ([out] if isinstance(out, bytes) else out or []):
                await c.publish(base + "challenge/response", payload, qos=1)
        for suffix in ("status", "identity", "state"):  # leave the broker clean
            await c.publish(base + suffix, b"", qos=1, retain=True)


async def _with_devices(url: str, devices: list[tuple[str, bytes, Answer]],
                        body: Callable[[], Awaitable[Any]], state: bytes | None = None) -> Any:
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in devices]
    tasks = [asyncio.create_task(_device(url, urn, tok, ans, r, stop, state=state))
             for (urn, tok, ans), r in zip(devices, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 10)
    try:
        return await body()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


def _token(pki: TestPKI, dev: Any, nonce: bytes | None = None, sub: str | None = None) -> bytes:
    return create_token(dev.key, [dev.certificate, pki.vendor.certificate], sub=sub or dev.urn,
                        iat=int(time.time()), nonce=nonce)


def test_scan_of_hostile_answers(mosquitto_url: str, pki: TestPKI) -> None:
    tag = secrets.token_hex(3)
    good = pki.issue(f"g{tag}")
    garbage = pki.issue(f"x{tag}")
    chatty = pki.issue(f"c{tag}")
    liar = pki.issue(f"l{tag}")
    silent = pki.issue(f"s{tag}")
    other = pki.issue(f"o{tag}")
    devices: list[tuple[str, bytes, Answer]] = [
        (good.urn, _token(pki, good), lambda n: _token(pki, good, n)),
        (garbage.urn, _token(pki, garbage), lambda n: [b"\xff\x00", b"", b"\x9f" * 100,
                                                        b"x" * 70_000]),
        # a flood of valid-looking answers: two responders' worth, and more
        (chatty.urn, _token(pki, chatty), lambda n: [_token(pki, chatty, n) for _ in range(40)]),
        # answers in the name of another device
        (liar.urn, _token(pki, liar), lambda n: _token(pki, other, n)),
        (silent.urn, _token(pki, silent), lambda n: None),
        # a retained identity that is not a token at all
        (f"urn:dev:ops:32473-Junk-{tag}", b"\xa1\x01", lambda n: b"\x00"),
    ]
    validator = ChainValidator(pki.trust)

    async def body() -> Any:
        return await async_scan(broker=mosquitto_url, validator=validator, mdns=False,
                                timeout=4)

    report = asyncio.run(_with_devices(mosquitto_url, devices, body))
    by_id = {d.record.id: d for d in report.devices}

    def codes(urn: str) -> set[str]:
        return {f.code for f in by_id[urn].findings}

    assert by_id[good.urn].identity.possession is True
    assert by_id[good.urn].identity.valid is True
    assert by_id[garbage.urn].identity.possession is False
    assert {"ID-CBOR-MALFORMED", "ID-TOO-LARGE"} <= codes(garbage.urn) or \
        "ID-CBOR-MALFORMED" in codes(garbage.urn)
    assert by_id[chatty.urn].identity.possession is False
    assert "ID-CLONE" in codes(chatty.urn)
    assert "ID-RESPONSE-SUBJECT" in codes(liar.urn)
    assert by_id[silent.urn].identity.possession is False
    assert "ID-CHALLENGE-TIMEOUT" in codes(silent.urn)
    junk = by_id[f"urn:dev:ops:32473-Junk-{tag}"]
    assert junk.identity.valid is False and junk.has_errors
    assert report.has_errors


def test_suite_on_a_hostile_device(mosquitto_url: str, pki: TestPKI) -> None:
    tag = secrets.token_hex(3)
    dev = pki.issue(f"h{tag}", product="SmartPlug")
    state = b"\xbf" * 20  # an indefinite map that never ends
    devices: list[tuple[str, bytes, Answer]] = [
        (dev.urn, _token(pki, dev), lambda n: [b"\xff", _token(pki, dev, n)])]

    async def body() -> Any:
        return await run_suite(mosquitto_url, load_profile("smart-plug/1"), [dev.urn],
                               validator=ChainValidator(pki.trust), duration=0.5)

    results = asyncio.run(_with_devices(mosquitto_url, devices, body, state=state))
    status = {r.test_id: r for r in results}
    assert status["identity.token"].status is TestStatus.PASSED
    assert status["identity.possession"].status is TestStatus.FAILED  # a garbage answer too
    assert status["state.schema"].status is TestStatus.FAILED
    assert "MSG-CBOR-MALFORMED" in {f.code for f in status["state.schema"].findings}
    assert status["cmd.on.ack"].status is TestStatus.FAILED  # this device never acks


def test_scan_cli_json_on_hostile_names(mosquitto_url: str, pki: TestPKI) -> None:
    tag = secrets.token_hex(3)
    dev = pki.issue(f"n{tag}")
    # a hardware model that is rich markup: it must be shown literally, not interpreted
    token = create_token(dev.key, [dev.certificate, pki.vendor.certificate], sub=dev.urn,
                         iat=int(time.time()), claims={259: b"[red]EVIL[/red]"})
    devices: list[tuple[str, bytes, Answer]] = [(dev.urn, token, lambda n: _token(pki, dev, n))]

    async def body() -> Any:
        return await asyncio.to_thread(CliRunner().invoke, cli, [
            "scan", "--broker", mosquitto_url, "--trust", str(pki.trust_dir), "--timeout", "3",
            "--interface", "127.0.0.1"], env={"COLUMNS": "250"})

    result = asyncio.run(_with_devices(mosquitto_url, devices, body))
    assert result.exit_code in (0, 1), result.output
    assert "[red]EVIL[/red]" in result.output
    assert "Traceback" not in result.output
    # and the JSON form parses
    async def body_json() -> Any:
        return await asyncio.to_thread(CliRunner().invoke, cli, [
            "scan", "--broker", mosquitto_url, "--trust", str(pki.trust_dir), "--timeout", "3",
            "--interface", "127.0.0.1", "--json"])

    result = asyncio.run(_with_devices(mosquitto_url, devices, body_json))
    ours = [d for d in json.loads(result.stdout)["devices"] if d["id"] == dev.urn]
    assert ours and ours[0]["identity"]["possession"] is True
