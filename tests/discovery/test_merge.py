"""One device seen through several sources is one record; clones are ID-CLONE."""

from __future__ import annotations

import cbor2

from devid.discovery import (
    DeviceRecord,
    MqttInventory,
    merge_records,
    parse_service,
    token_hints,
    token_tk,
)

URN = "urn:dev:ops:32473-SmartLock-0001"


def fake_token(sub: str = URN, profiles: list[str] | None = None) -> bytes:
    claims = {
        2: sub,
        6: 1_700_000_000,
        258: 32473,
        259: b"SL-100",
        -70001: profiles or ["smart-lock/1"],
    }
    return cbor2.dumps(
        cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, cbor2.dumps(claims), b"\x00" * 64])
    )


def advert(
    name: str = "Front Door",
    urn: str = URN,
    tk: str | None = None,
    port: int = 1883,
    host: str = "sim.local.",
) -> DeviceRecord:
    txt = {
        "txtvers": "1",
        "id": urn,
        "cls": "smart-lock/1",
        "vid": "32473",
        "mq": "mqtt://127.0.0.1:1883",
    }
    txt["tk"] = tk or token_tk(fake_token(urn))
    return parse_service("_devid._tcp", name, txt, addresses=["127.0.0.1"], port=port, host=host)


def on_broker(urn: str = URN, token: bytes | None = None, state: str = "online") -> DeviceRecord:
    inv = MqttInventory()
    inv.add(f"devid/1/{urn}/identity", token if token is not None else fake_token(urn))
    inv.add(f"devid/1/{urn}/status", cbor2.dumps({"state": state, "ts": 1_700_000_000_000}))
    (rec,) = inv.records()
    return rec


def test_mdns_and_mqtt_become_one_record() -> None:
    token = fake_token()
    merged = merge_records(
        [advert(tk=token_tk(token)), on_broker(token=token)], searched=("mdns", "mqtt")
    )
    assert len(merged) == 1
    rec = merged[0]
    assert rec.sources == ("mdns", "mqtt")
    assert rec.name == "Front Door"  # the DNS-SD display name, not the URN
    assert rec.token == token and rec.status == {"state": "online", "ts": 1_700_000_000_000}
    assert rec.addresses == ("127.0.0.1",)
    assert rec.findings == ()


def test_order_of_sources_does_not_matter() -> None:
    token = fake_token()
    a = merge_records([on_broker(token=token), advert(tk=token_tk(token))])
    assert a[0].sources == ("mdns", "mqtt") and a[0].name == "Front Door"


def test_same_urn_advertised_twice_with_different_details_is_a_clone() -> None:
    merged = merge_records(
        [advert("Front Door", port=1883), advert("Back Door", port=1884), on_broker()]
    )
    assert len(merged) == 1
    clone = [f for f in merged[0].findings if f.code == "ID-CLONE"]
    assert len(clone) == 1 and clone[0].is_error
    assert {a["name"] for a in clone[0].evidence["advertisements"]} == {"Front Door", "Back Door"}


def test_same_advertisement_seen_twice_is_not_a_clone() -> None:
    merged = merge_records([advert(), advert()])
    assert [f.code for f in merged[0].findings] == []


def test_tk_mismatch() -> None:
    merged = merge_records([advert(tk="0000000000000000"), on_broker()])
    assert [f.code for f in merged[0].findings] == ["DISC-TK-MISMATCH"]


def test_presence_findings_only_for_searched_sources() -> None:
    other = "urn:dev:ops:32473-SmartLock-0002"
    recs = [advert(), on_broker(urn=other)]
    assert all(r.findings == () for r in merge_records(recs))
    both = {
        r.id: [f.code for f in r.findings] for r in merge_records(recs, searched=("mdns", "mqtt"))
    }
    assert both == {URN: ["DISC-NOT-ON-BROKER"], other: ["DISC-NOT-ADVERTISED"]}


def test_other_ecosystems_join_by_host_but_devid_never_does() -> None:
    hap = parse_service(
        "_hap._tcp",
        "Lamp",
        {
            b"id": b"AA:BB:CC:DD:EE:FF",
            b"md": b"Lamp",
            b"c#": b"1",
            b"s#": b"1",
            b"sf": b"0",
            b"ci": b"5",
        },
        host="lamp.local.",
        addresses=["192.0.2.5"],
    )
    matter = parse_service(
        "_matter._tcp",
        "2906C908D115D362-8FC7772401CD0696",
        {},
        host="lamp.local.",
        addresses=["fe80::1"],
    )
    http = parse_service("_http._tcp", "Lamp web", {}, host="LAMP.local", addresses=["192.0.2.5"])
    d1 = advert("A", urn="urn:dev:ops:32473-Plug-1", host="sim.local.")
    d2 = advert("B", urn="urn:dev:ops:32473-Plug-2", host="sim.local.")
    merged = merge_records([hap, matter, http, d1, d2])
    assert len(merged) == 3
    lamp = merged[0]
    assert lamp.ecosystem == "matter"  # highest in ECOSYSTEM_PRIORITY
    assert set(lamp.services) == {"_hap._tcp", "_matter._tcp", "_http._tcp"}
    assert lamp.addresses == ("fe80::1", "192.0.2.5")
    assert lamp.profile == "light" and lamp.model == "Lamp"
    assert lamp.name == "Lamp"  # the announced name, not "Matter node ..."


def test_token_hints_and_garbage_tokens() -> None:
    hints = token_hints(fake_token(profiles=["smart-plug/1"]))
    assert hints == {"token_sub": URN, "pen": 32473, "hwmodel": "SL-100", "profile": "smart-plug/1"}
    for junk in (
        b"",
        b"\xff",
        cbor2.dumps([1, 2]),
        cbor2.dumps([b"", {}, b"\xff", b""]),
        b"\x9f" * 100,
    ):
        assert token_hints(junk) == {}
