"""MQTT discovery against a real broker on loopback (Mosquitto and amqtt)."""

from __future__ import annotations

import asyncio
import uuid

import cbor2

from devid import Finding
from devid._broker import free_port
from devid._mqtt import MqttClient
from devid.discovery import DeviceRecord, async_discover_broker, token_tk

from .test_merge import fake_token


def test_retained_identity_and_status_become_records(broker_url: str) -> None:
    tag = uuid.uuid4().hex[:8]
    good, offline, bare = (f"urn:dev:ops:32473-Plug-{tag}{i}" for i in range(3))
    token = fake_token(good, ["smart-plug/1"])

    async def scenario() -> tuple[list[DeviceRecord], list[Finding]]:
        async with MqttClient(broker_url) as pub:
            await pub.publish(f"devid/1/{good}/identity", token, qos=1, retain=True)
            await pub.publish(
                f"devid/1/{good}/status",
                cbor2.dumps({"state": "online", "ts": 1}),
                qos=1,
                retain=True,
            )
            await pub.publish(
                f"devid/1/{offline}/identity", fake_token(offline), qos=1, retain=True
            )
            await pub.publish(
                f"devid/1/{offline}/status",
                cbor2.dumps({"state": "offline", "ts": 2}),
                qos=1,
                retain=True,
            )
            await pub.publish(f"devid/1/{bare}/status", b"\xff", qos=1, retain=True)
            try:
                return await async_discover_broker(broker_url, timeout=4.0, settle=1.0)
            finally:
                for urn in (good, offline, bare):
                    for suffix in ("identity", "status"):
                        await pub.publish(f"devid/1/{urn}/{suffix}", b"", qos=1, retain=True)

    records, findings = asyncio.run(scenario())
    mine = {r.id: r for r in records if tag in r.id}
    assert set(mine) == {good, offline, bare}
    assert mine[good].token == token and mine[good].ids["tk"] == token_tk(token)
    assert mine[good].profile == "smart-plug/1" and mine[good].sources == ("mqtt",)
    assert mine[good].findings == ()
    assert [f.code for f in mine[offline].findings] == ["DISC-OFFLINE"]
    assert sorted(f.code for f in mine[bare].findings) == [
        "DISC-IDENTITY-MISSING",
        "DISC-STATUS-INVALID",
    ]
    assert findings == []


def test_unreachable_broker_is_a_finding() -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    records, findings = asyncio.run(async_discover_broker(url, timeout=1.0, connect_timeout=1.0))
    assert records == []
    assert [f.code for f in findings] == ["SCAN-BROKER-UNREACHABLE"]


def test_live_non_retained_status_on_mosquitto(mosquitto_url: str) -> None:
    """MQTT 5 retain-as-published shows a status that was never retained."""
    urn = f"urn:dev:ops:32473-Plug-{uuid.uuid4().hex[:8]}"

    async def scenario() -> list[DeviceRecord]:
        async with MqttClient(mosquitto_url) as pub:
            await pub.publish(f"devid/1/{urn}/identity", fake_token(urn), qos=1, retain=True)

            async def late_status() -> None:
                # Not retained, so only a delivery after discovery subscribed counts:
                # publish a few times across the window instead of racing the subscription.
                for _ in range(6):
                    await asyncio.sleep(0.25)
                    status = cbor2.dumps({"state": "online", "ts": 1})
                    await pub.publish(f"devid/1/{urn}/status", status, qos=1)

            task = asyncio.ensure_future(late_status())
            try:
                records, _ = await async_discover_broker(mosquitto_url, timeout=2.5, settle=1.0)
            finally:
                await task
                await pub.publish(f"devid/1/{urn}/identity", b"", qos=1, retain=True)
            return records

    (rec,) = [r for r in asyncio.run(scenario()) if r.id == urn]
    assert [f.code for f in rec.findings] == ["DISC-STATUS-NOT-RETAINED"]
