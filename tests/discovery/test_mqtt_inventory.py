"""MQTT discovery, pure part: topics and retained messages → records."""

from __future__ import annotations

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devid.discovery import MqttInventory, parse_status, parse_topic, token_tk

from .test_merge import URN, fake_token


def test_parse_topic() -> None:
    assert parse_topic(f"devid/1/{URN}/identity") == (URN, "identity")
    assert parse_topic(f"devid/1/{URN}/cmd/lock/ack") == (URN, "cmd/lock/ack")
    for bad in ("devid/2/x/identity", "devid/1//identity", "devid/1/x", "other"):
        assert parse_topic(bad) is None


def test_records_carry_token_status_and_hints() -> None:
    token = fake_token()
    inv = MqttInventory()
    inv.add(f"devid/1/{URN}/status", cbor2.dumps({"state": "online", "ts": 5}))
    inv.add(f"devid/1/{URN}/identity", token)
    inv.add(f"devid/1/{URN}/state", b"ignored")
    (rec,) = inv.records()
    assert rec.id == URN and rec.ecosystem == "devid" and rec.sources == ("mqtt",)
    assert rec.token == token and rec.ids["tk"] == token_tk(token)
    assert rec.profile == "smart-lock/1" and rec.model == "SL-100"
    assert rec.findings == ()


def test_latest_message_wins() -> None:
    inv = MqttInventory()
    inv.add(f"devid/1/{URN}/identity", b"old")
    inv.add(f"devid/1/{URN}/identity", b"new")
    assert inv.records()[0].token == b"new"


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ({"status": cbor2.dumps({"state": "online", "ts": 1})}, "DISC-IDENTITY-MISSING"),
        ({"identity": b"x"}, "DISC-STATUS-MISSING"),
        ({"identity": b"x", "status": cbor2.dumps({"state": "offline", "ts": 1})}, "DISC-OFFLINE"),
        ({"identity": b"x", "status": b"\xff\xff"}, "DISC-STATUS-INVALID"),
        (
            {"identity": b"x", "status": cbor2.dumps({"state": "up", "ts": 1})},
            "DISC-STATUS-INVALID",
        ),
        (
            {"identity": b"x", "status": cbor2.dumps({"state": "online", "ts": True})},
            "DISC-STATUS-INVALID",
        ),
        ({"identity": b"x", "status": cbor2.dumps(["online"])}, "DISC-STATUS-INVALID"),
    ],
)
def test_device_findings(messages: dict[str, bytes], code: str) -> None:
    inv = MqttInventory()
    for suffix, payload in messages.items():
        inv.add(f"devid/1/{URN}/{suffix}", payload)
    assert [f.code for f in inv.records()[0].findings] == [code]


def test_invalid_urn_level_and_foreign_topics() -> None:
    inv = MqttInventory()
    inv.add("devid/1/not-a-urn/identity", b"x")
    inv.add("devid/1//identity", b"x")
    inv.add("home/other", b"x")
    (rec,) = inv.records()
    assert "DISC-URN-INVALID" in [f.code for f in rec.findings]
    assert [f.code for f in inv.findings] == ["DISC-MQTT-TOPIC"]


def test_device_limit() -> None:
    inv = MqttInventory(max_devices=3)
    for i in range(5):
        inv.add(f"devid/1/urn:dev:ops:1-P-{i}/identity", b"x")
    assert len(inv) == 3 and inv.dropped == 2


@given(st.binary(max_size=200))
def test_status_parser_never_raises(payload: bytes) -> None:
    value, problem = parse_status(payload)
    assert (value is None) != (problem is None)


@given(st.text(max_size=60), st.binary(max_size=100))
def test_inventory_never_raises(level: str, payload: bytes) -> None:
    inv = MqttInventory()
    inv.add(f"devid/1/{level}/identity", payload)
    inv.add(f"devid/1/{level}/status", payload)
    for rec in inv.records():
        rec.to_dict()


def test_non_retained_identity_is_a_finding_only_when_flags_are_reliable() -> None:
    for reliable, expected in ((False, []), (True, ["DISC-STATUS-NOT-RETAINED"])):
        inv = MqttInventory(retain_reliable=reliable)
        inv.add(f"devid/1/{URN}/identity", b"x", retain=False)
        inv.add(f"devid/1/{URN}/status", cbor2.dumps({"state": "online", "ts": 1}), retain=True)
        assert [f.code for f in inv.records()[0].findings] == expected
