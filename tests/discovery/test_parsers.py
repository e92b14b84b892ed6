"""Service parsers: one DNS-SD service → one DeviceRecord (pure, no zeroconf)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid import Severity
from devid.discovery import PARSERS, DeviceRecord, parse_service

URN = "urn:dev:ops:32473-SmartLock-0001"
GOOD_DEVID = {
    "txtvers": "1",
    "id": URN,
    "cls": "smart-lock/1",
    "vid": "32473",
    "mq": "mqtt://192.0.2.10:1883",
    "tk": "0123456789ABCDEF",
}


def devid(**changes: str | None) -> DeviceRecord:
    txt: dict[str, Any] = {
        k: v
        for k, v in {**GOOD_DEVID, **changes}.items()
        if k not in changes or changes[k] != "<drop>"
    }
    raw = [k.encode() if v is None else f"{k}={v}".encode() for k, v in txt.items()]
    return parse_service(
        "_devid._tcp.local.",
        "Front Door._devid._tcp.local.",
        raw,
        addresses=["192.0.2.7"],
        port=8883,
        host="lock.local.",
    )


def codes(rec: DeviceRecord) -> list[str]:
    return [f.code for f in rec.findings]


def test_devid_record() -> None:
    rec = devid()
    assert rec.findings == ()
    assert (rec.id, rec.ecosystem, rec.name, rec.profile, rec.model) == (
        URN,
        "devid",
        "Front Door",
        "smart-lock/1",
        "SmartLock",
    )
    assert rec.ids["pen"] == 32473 and rec.ids["serial"] == "0001"
    assert rec.ids["tk"] == "0123456789abcdef"
    assert rec.ids["broker"] == "mqtt://192.0.2.10:1883"
    assert rec.addresses == ("192.0.2.7",) and rec.port == 8883 and rec.host == "lock.local."
    assert rec.sources == ("mdns",) and rec.services == ("_devid._tcp",)
    assert rec.txt["_devid._tcp"]["cls"] == "smart-lock/1"


@pytest.mark.parametrize(
    ("changes", "code", "severity"),
    [
        ({"id": "<drop>"}, "DISC-TXT-MISSING", Severity.ERROR),
        ({"txtvers": "<drop>"}, "DISC-TXT-MISSING", Severity.ERROR),
        ({"cls": "<drop>"}, "DISC-TXT-MISSING", Severity.WARNING),
        ({"tk": "<drop>"}, "DISC-TXT-MISSING", Severity.WARNING),
        ({"id": None}, "DISC-TXT-NO-VALUE", Severity.WARNING),
        ({"txtvers": "2"}, "DISC-TXT-VERSION", Severity.WARNING),
        ({"txtvers": "one"}, "DISC-TXT-VALUE", Severity.ERROR),
        ({"id": "urn:dev:ops:32473-Smart/Lock-1"}, "DISC-URN-INVALID", Severity.ERROR),
        ({"id": "lock-0001"}, "DISC-URN-INVALID", Severity.ERROR),
        ({"cls": "Smart Lock"}, "DISC-CLASS-INVALID", Severity.ERROR),
        ({"cls": "smart-lock"}, "DISC-CLASS-INVALID", Severity.ERROR),
        ({"vid": "acme"}, "DISC-TXT-VALUE", Severity.ERROR),
        ({"vid": "99"}, "DISC-TXT-VALUE", Severity.WARNING),
        ({"mq": "http://x"}, "DISC-TXT-VALUE", Severity.ERROR),
        ({"mq": "mqtt://host:99999"}, "DISC-TXT-VALUE", Severity.ERROR),
        ({"tk": "0123"}, "DISC-TXT-VALUE", Severity.ERROR),
        ({"tk": "0123456789abcdeg"}, "DISC-TXT-VALUE", Severity.ERROR),
    ],
)
def test_devid_breaches(changes: dict[str, str | None], code: str, severity: Severity) -> None:
    rec = devid(**changes)
    assert codes(rec) == [code]
    assert rec.findings[0].severity is severity
    assert rec.findings[0].subject == "Front Door._devid._tcp.local."


def test_devid_invalid_urn_keeps_the_raw_id_for_merging() -> None:
    rec = devid(id="lock-0001")
    assert rec.id == "lock-0001" and "urn" not in rec.ids


def test_duplicate_key_in_devid_txt() -> None:
    raw = [
        b"txtvers=1",
        f"id={URN}".encode(),
        b"id=urn:dev:ops:32473-SmartLock-0002",
        b"cls=smart-lock/1",
    ]
    rec = parse_service("_devid._tcp", "X", raw)
    assert rec.id == URN
    assert "DISC-TXT-DUPLICATE" in codes(rec)


def test_matter_commissionable() -> None:
    rec = parse_service(
        "_matterc._udp.local.",
        "DD200C20D25AE5F7._matterc._udp.local.",
        {
            b"D": b"3840",
            b"VP": b"65521+32769",
            b"CM": b"1",
            b"DT": b"266",
            b"DN": b"Kitchen Plug",
            b"SII": b"5000",
            b"SAI": b"300",
            b"T": b"0",
        },
    )
    assert rec.findings == ()
    assert (rec.ecosystem, rec.name, rec.profile) == ("matter", "Kitchen Plug", "outlet")
    assert rec.ids["vid"] == 0xFFF1 and rec.ids["pid"] == 32769 and rec.ids["discriminator"] == 3840
    assert rec.vendor is not None and "test vendor" in rec.vendor
    assert rec.id == "matterc:DD200C20D25AE5F7"


@pytest.mark.parametrize(
    ("txt", "code"),
    [
        ({b"VP": b"65521"}, "DISC-TXT-MISSING"),
        ({b"D": b"5000"}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"VP": b"70000+1"}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"VP": b"abc"}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"CM": b"9"}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"SII": b"3600001"}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"DN": "é".encode() * 20}, "DISC-TXT-VALUE"),
        ({b"D": b"1", b"RI": b"XYZ"}, "DISC-TXT-VALUE"),
    ],
)
def test_matter_breaches_are_warnings(txt: dict[bytes, bytes], code: str) -> None:
    rec = parse_service("_matterc._udp", "DD200C20D25AE5F7", txt)
    assert codes(rec) == [code]
    assert rec.findings[0].severity is Severity.WARNING


def test_matter_operational_instance_name() -> None:
    good = parse_service("_matter._tcp", "2906C908D115D362-8FC7772401CD0696", {b"SII": b"5000"})
    assert good.findings == ()
    assert good.id == "matter:2906C908D115D362-8FC7772401CD0696"
    assert good.ids["node_id"] == "8FC7772401CD0696"
    bad = parse_service("_matter._tcp", "my-node", {})
    assert codes(bad) == ["DISC-INSTANCE-NAME"]


def test_homekit() -> None:
    raw = {
        b"c#": b"3",
        b"ff": b"0",
        b"id": b"a1:b2:c3:d4:e5:f6",
        b"md": b"Eve Door",
        b"pv": b"1.1",
        b"s#": b"1",
        b"sf": b"1",
        b"ci": b"6",
    }
    rec = parse_service("_hap._tcp.local.", "Eve Door 1A2B._hap._tcp.local.", raw)
    assert rec.findings == ()
    assert (rec.id, rec.ecosystem, rec.model, rec.profile) == (
        "homekit:A1:B2:C3:D4:E5:F6",
        "homekit",
        "Eve Door",
        "door-lock",
    )
    assert rec.ids["paired"] is False
    broken = parse_service("_hap._tcp", "X", {b"id": b"nope", b"ci": b"x"})
    assert {"DISC-TXT-VALUE", "DISC-TXT-MISSING"} <= set(codes(broken))
    assert all(f.severity is Severity.WARNING for f in broken.findings)


def test_esphome_shelly_cast() -> None:
    esp = parse_service(
        "_esphomelib._tcp",
        "living-room",
        {
            b"mac": b"AABBCCDDEEFF",
            b"friendly_name": b"Living Room",
            b"project_name": b"acme.sensor",
            b"version": b"2024.6.1",
            b"api_encryption": b"Noise_NNpsk0_25519_ChaChaPoly_SHA256",
        },
    )
    assert (esp.id, esp.name, esp.vendor, esp.model) == (
        "esphome:aabbccddeeff",
        "Living Room",
        "acme",
        "sensor",
    )
    assert esp.ids["api_encryption"] is True
    shelly = parse_service(
        "_shelly._tcp",
        "shellyplusplugs-a8032ab12345",
        {b"gen": b"2", b"app": b"PlugS", b"ver": b"1.0.8"},
    )
    assert (shelly.id, shelly.vendor, shelly.model, shelly.profile) == (
        "shelly:a8032ab12345",
        "Shelly",
        "PlugS",
        "outlet",
    )
    cast = parse_service(
        "_googlecast._tcp",
        "Chromecast-abc",
        {b"id": b"0123456789abcdef0123456789abcdef", b"fn": b"Living TV", b"md": b"Chromecast"},
    )
    assert (cast.name, cast.model, cast.profile) == ("Living TV", "Chromecast", "media-player")
    assert cast.id == "googlecast:0123456789abcdef0123456789abcdef"


def test_table_driven_parsers() -> None:
    hue = parse_service(
        "_hue._tcp",
        "Hue Bridge - 1A2B3C",
        {b"bridgeid": b"001788fffe1a2b3c", b"modelid": b"BSB002"},
    )
    assert (hue.ecosystem, hue.id, hue.model, hue.profile) == (
        "hue",
        "hue:001788fffe1a2b3c",
        "BSB002",
        "bridge",
    )
    thread = parse_service(
        "_meshcop._udp",
        "OTBR",
        {
            b"vn": b"OpenThread",
            b"mn": b"BorderRouter",
            b"nn": b"MyHome",
            b"xa": b"0a1b2c3d4e5f6a7b",
        },
    )
    assert (thread.vendor, thread.model, thread.ids["nn"]) == (
        "OpenThread",
        "BorderRouter",
        "MyHome",
    )
    unknown = parse_service("_foo._tcp", "Thing", {b"a": b"b"})
    assert (unknown.ecosystem, unknown.id) == ("dns-sd", "dns-sd:Thing")


def test_parsers_are_a_table_keyed_by_service_type() -> None:
    required = {
        "_devid._tcp",
        "_matterc._udp",
        "_matter._tcp",
        "_hap._tcp",
        "_esphomelib._tcp",
        "_shelly._tcp",
        "_googlecast._tcp",
        "_mqtt._tcp",
        "_http._tcp",
    }
    assert required <= set(PARSERS)
    assert all(t.startswith("_") and t.endswith(("._tcp", "._udp")) for t in PARSERS)


txt_values = st.one_of(st.none(), st.binary(max_size=60), st.text(max_size=60).map(str.encode))
txt_maps = st.dictionaries(
    st.sampled_from(
        [
            b"txtvers",
            b"id",
            b"cls",
            b"vid",
            b"mq",
            b"tk",
            b"D",
            b"VP",
            b"CM",
            b"DT",
            b"DN",
            b"c#",
            b"ci",
            b"sf",
            b"md",
            b"mac",
            b"gen",
            b"app",
            b"fn",
        ]
    )
    | st.binary(max_size=12),
    txt_values,
    max_size=12,
)


@settings(max_examples=300)
@given(st.sampled_from(sorted(PARSERS) + ["_other._tcp"]), st.text(max_size=70), txt_maps)
def test_any_txt_gives_a_record_and_never_raises(
    stype: str, name: str, txt: dict[bytes, bytes | None]
) -> None:
    rec = parse_service(stype, name, txt, addresses=["127.0.0.1"], port=1)
    assert rec.id and isinstance(rec.name, str)
    assert rec.sources == ("mdns",)
    if rec.ecosystem != "devid":
        assert all(f.severity is not Severity.ERROR for f in rec.findings)
    rec.to_dict()


@given(st.lists(st.binary(max_size=255), max_size=30))
def test_devid_fuzzed_wire_lists(raw: list[bytes]) -> None:
    rec = parse_service("_devid._tcp", "fuzz", raw)
    if rec.ids.get("urn"):
        assert not any(c in rec.id for c in "/+#\x00")
