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
            b"xa": bytes.fromhex("0a1b2c3d4e5f6a7b"),
            b"xp": b"\xde\xad\xbe\xef\x00\x01\x02\x03",
        },
    )
    assert thread.findings == ()
    assert (thread.vendor, thread.model, thread.ids["network_name"]) == (
        "OpenThread",
        "BorderRouter",
        "MyHome",
    )
    assert thread.ids["xa"] == "0a1b2c3d4e5f6a7b" and thread.ids["xp"] == "deadbeef00010203"
    assert thread.txt["_meshcop._udp"]["xp"] == "deadbeef00010203"
    assert thread.id == "thread:0a1b2c3d4e5f6a7b"
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


# -- vendors' service types: a realistic TXT (vendor docs / HA tests), then one bad value --

_UUID = "e91bf575-56f3-4c83-8f42-70ac17adcd33"
_RECORD_FIELDS = {"ecosystem", "id", "name", "vendor", "model", "profile"}

# (service type, instance, TXT, expected record fields or ids, (bad instance or None,
#  TXT changes, finding code, ids entry that must then be absent))
VENDOR_CASES: list[tuple[str, str, dict[str, str], dict[str, Any], tuple[Any, ...]]] = [
    (
        "_hwenergy._tcp",
        "p1meter-ABCDEF",
        {
            "api_enabled": "1",
            "path": "/api/v1",
            "serial": "5c2fafabcdef",
            "product_name": "P1 meter",
            "product_type": "HWE-P1",
        },
        {"id": "homewizard:5c2fafabcdef", "model": "HWE-P1", "profile": "energy-meter"},
        (None, {"serial": "5c2faf"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_hwenergy._tcp",
        "energysocket-ABCDEF",
        {
            "api_enabled": "0",
            "path": "/api/v1",
            "serial": "5C:2F:AF:AB:CD:EF",
            "product_type": "HWE-SKT",
            "product_name": "Energy Socket",
        },
        {"profile": "outlet", "mac": "5c2fafabcdef", "api_enabled": False},
        (None, {"api_enabled": "maybe"}, "DISC-TXT-VALUE", "api_enabled"),
    ),
    (
        "_bond._tcp",
        "ZXBL12345",
        {},
        {"ecosystem": "bond", "id": "bond:ZXBL12345", "profile": "bridge"},
        ("my bond hub", {}, "DISC-INSTANCE-NAME", "bond_id"),
    ),
    (
        "_enphase-envoy._tcp",
        "envoy",
        {"serialnum": "122125067925", "protovers": "7.6.175"},
        {"id": "enphase:122125067925", "firmware": "7.6.175"},
        (None, {"serialnum": "12A"}, "DISC-TXT-VALUE", "serial"),
    ),
    (
        "_printer._tcp",
        "Brother HL-L2350DW series",
        {
            "txtvers": "1",
            "qtotal": "1",
            "rp": "duerqxesz5090",
            "ty": "Brother HL-L2350DW series",
            "product": "(Brother HL-L2350DW series)",
            "usb_MFG": "Brother",
            "usb_MDL": "HL-L2350DW series",
            "UUID": "E3248000-80CE-11DB-8000-30055C773BCF",
        },
        {
            "id": "printer:e3248000-80ce-11db-8000-30055c773bcf",
            "vendor": "Brother",
            "model": "HL-L2350DW series",
            "profile": "printer",
        },
        (None, {"UUID": "not-a-uuid"}, "DISC-TXT-VALUE", "uuid"),
    ),
    (
        "_raop._tcp",
        "50DE069E507C@Living Room",
        {"am": "AppleTV6,2", "vs": "566.25.43", "ov": "15.0", "cn": "0,1,2,3", "tp": "UDP"},
        {
            "ecosystem": "airplay",
            "id": "airplay:50:DE:06:9E:50:7C",
            "name": "Living Room",
            "vendor": "Apple",
            "profile": "tv-set-top-box",
        },
        ("Living Room", {}, "DISC-INSTANCE-NAME", "deviceid"),
    ),
    (
        "_companion-link._tcp",
        "Living Room",
        {
            "rpMd": "AppleTV14,1",
            "rpMRtID": _UUID,
            "rpBA": "9D:19:F9:74:65:EA",
            "rpFl": "0x36782",
            "rpVr": "715.2",
            "rpHA": "9948cfb6da55",
        },
        {
            "id": f"companion-link:{_UUID}",
            "model": "AppleTV14,1",
            "vendor": "Apple",
            "bt_addr": "9D:19:F9:74:65:EA",
            "profile": "tv-set-top-box",
        },
        (None, {"rpBA": "9D:19"}, "DISC-TXT-VALUE", "bt_addr"),
    ),
    (
        "_mediaremotetv._tcp",
        "Living Room",
        {
            "UniqueIdentifier": _UUID.upper(),
            "Name": "Living Room",
            "ModelName": "Apple TV",
            "macAddress": "50:de:06:9e:50:7c",
            "AllowPairing": "YES",
            "SystemBuildVersion": "17K795",
        },
        {"id": f"mediaremote:{_UUID}", "name": "Living Room", "mac": "50de069e507c"},
        (None, {"macAddress": "50:de:06"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_octoprint._tcp",
        "OctoPrint instance on octopi",
        {"path": "/", "api": "0.1", "version": "1.9.3", "uuid": _UUID},
        {"id": f"octoprint:{_UUID}", "path": "/", "profile": "3d-printer"},
        (None, {"path": "octoprint"}, "DISC-TXT-VALUE", "path"),
    ),
    (
        "_lutron._tcp",
        "Lutron Status",
        {
            "SYSTYPE": "SmartBridge",
            "MACADDR": "90:70:65:12:34:56",
            "CODEVER": "08.25.17f000",
            "DEVCLASS": "08050100",
            "FW_STATUS": "1:NoUpdate",
        },
        {"id": "lutron:907065123456", "model": "SmartBridge", "vendor": "Lutron"},
        (None, {"MACADDR": "90:70:65"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_zwave-js-server._tcp",
        "zwave-js-server",
        {"homeId": "3967149237"},
        {"id": "zwave-js:3967149237", "home_id": "3967149237"},
        (None, {"homeId": "0xEC76C4F5"}, "DISC-TXT-VALUE", "home_id"),
    ),
    (
        "_slzb-06._tcp",
        "slzb-06",
        {"radio_type": "znp", "baud_rate": "115200", "data_flow_control": "software"},
        {
            "ecosystem": "zigbee-coordinator",
            "vendor": "SMLIGHT",
            "radio_type": "znp",
            "model_id": "slzb-06",
            "baud_rate": 115200,
        },
        (None, {"radio_type": "zigbee"}, "DISC-TXT-VALUE", "radio_type"),
    ),
    (
        "_uzg-01._tcp",
        "uzg-01",
        {"radio_type": "ezsp", "baud_rate": "115200"},
        {"radio_type": "ezsp", "model_id": "uzg-01"},
        (None, {"baud_rate": "fast"}, "DISC-TXT-VALUE", "baud_rate"),
    ),
    (
        "_kizbox._tcp",
        "gateway-1234-5678-9123",
        {"gateway_pin": "1234-5678-9123", "api_version": "1", "fw_version": "2021.5.4-29"},
        {"id": "overkiz:1234-5678-9123", "firmware": "2021.5.4-29"},
        (None, {"gateway_pin": "12345678"}, "DISC-TXT-VALUE", "gateway_id"),
    ),
    (
        "_kizboxdev._tcp",
        "gateway-1234-5678-9123",
        {"gateway_pin": "1234-5678-9123", "api_version": "1"},
        {"id": "overkiz:1234-5678-9123", "profile": "hub"},
        (None, {"gateway_pin": "pin"}, "DISC-TXT-VALUE", "gateway_id"),
    ),
    (
        "_xbmc-jsonrpc-h._tcp",
        "Kodi (htpc)",
        {"txtvers": "1", "uuid": _UUID},
        {"id": f"kodi:{_UUID}", "profile": "media-player"},
        (None, {"uuid": "1234"}, "DISC-TXT-VALUE", "uuid"),
    ),
    (
        "_daap._tcp",
        "OwnTone",
        {
            "txtvers": "1",
            "Machine Name": "Music",
            "Machine ID": "A1B2C3D4E5F6",
            "Database ID": "0123456789ABCDEF",
            "mtd-version": "28.9",
        },
        {"id": "daap:a1b2c3d4e5f6", "name": "Music", "owntone_version": "28.9"},
        (None, {"Machine ID": "xyz"}, "DISC-TXT-VALUE", "machine_id"),
    ),
    (
        "_plugwise._tcp",
        "smile1a2b3c",
        {"product": "smile_thermo", "version": "4.0.15"},
        {"id": "plugwise:smile1a2b3c", "profile": "thermostat", "model": "smile_thermo"},
        (None, {"version": "four"}, "DISC-TXT-VALUE", "firmware"),
    ),
    (
        "_Volumio._tcp",
        "Volumio",
        {"volumioName": "Living Room", "UUID": _UUID},
        {"id": f"volumio:{_UUID}", "name": "Living Room"},
        (None, {"UUID": "2222-2222-2222-2222"}, "DISC-TXT-VALUE", "uuid"),
    ),
    (
        "_fbx-api._tcp",
        "Freebox Server",
        {
            "api_version": "8.0",
            "device_type": "FreeboxServer7,1",
            "api_base_url": "/api/",
            "uid": "b15ab20debb399f95001a9ca207d2777",
            "https_available": "1",
            "https_port": "868",
            "box_model": "fbxgw7-r1/full",
            "box_model_name": "Freebox v7 (r1)",
            "api_domain": "abcdefg.fbxos.fr",
        },
        {
            "id": "freebox:b15ab20debb399f95001a9ca207d2777",
            "model": "Freebox v7 (r1)",
            "api_domain": "abcdefg.fbxos.fr",
        },
        (None, {"https_port": "port"}, "DISC-TXT-VALUE", "https_port"),
    ),
    (
        "_dvl-deviceapi._tcp",
        "devolo-1234",
        {
            "MT": "2730",
            "SN": "1234567890",
            "Product": "dLAN pro 1200+ WiFi ac",
            "Path": "abcdefghijkl/deviceapi",
            "Version": "v0",
            "PlcMacAddress": "AA:BB:CC:DD:EE:FF",
        },
        {"id": "devolo:1234567890", "model": "dLAN pro 1200+ WiFi ac", "plc_mac": "aabbccddeeff"},
        (None, {"SN": "x1"}, "DISC-TXT-VALUE", "serial"),
    ),
    (
        "_soundtouch._tcp",
        "Kitchen",
        {
            "DESCRIPTION": "SoundTouch",
            "MAC": "0CB2B709F837",
            "MANUFACTURER": "Bose Corporation",
            "MODEL": "SoundTouch",
        },
        {"id": "soundtouch:0cb2b709f837", "vendor": "Bose Corporation", "model": "SoundTouch"},
        (None, {"MAC": "0CB2B7"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_bangolufsen._tcp",
        "Beosound-Balance-12345678",
        {"fn": "Living room Balance", "sn": "12345678", "tn": "1234", "in": "1234567"},
        {"id": "bang-olufsen:12345678", "name": "Living room Balance"},
        (None, {"sn": "AB12"}, "DISC-TXT-VALUE", "serial"),
    ),
    (
        "_system-bridge._tcp",
        "DESKTOP",
        {
            "address": "ws://192.168.1.2:9170/api/websocket",
            "fqdn": "desktop.local",
            "host": "desktop",
            "ip": "192.168.1.2",
            "mac": "aa:bb:cc:dd:ee:ff",
            "port": "9170",
            "uuid": _UUID,
            "version": "4.0.2",
        },
        {"id": f"system-bridge:{_UUID}", "mac": "aabbccddeeff"},
        (None, {"mac": "aa:bb"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_openevse._tcp",
        "openevse-a7d4",
        {"type": "openevse_esp32-gateway-e", "version": "5.1.2", "id": "240ac411a7d4"},
        {"id": "openevse:240ac411a7d4", "profile": "ev-charger"},
        (None, {"id": "a7d4"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_ssh._tcp",
        "Smappee1006000212",
        {},
        {"ecosystem": "smappee", "id": "smappee:1006000212"},
        ("smappee-x", {}, None, "serial"),
    ),
    (
        "_amzn-alexa._tcp",
        "iRobot-0123456789ABCDEF0123456789ABCDEF",
        {},
        {"ecosystem": "roomba", "id": "roomba:0123456789ABCDEF0123456789ABCDEF"},
        ("iRobot-zz", {}, "DISC-INSTANCE-NAME", "blid"),
    ),
    (
        "_androidtvremote2._tcp",
        "Living Room TV",
        {"bt": "d8:13:99:ac:98:f1"},
        {"id": "android-tv:D8:13:99:AC:98:F1", "profile": "tv"},
        (None, {"bt": "D8:13"}, "DISC-TXT-VALUE", "bt_mac"),
    ),
    (
        "_sonos._tcp",
        "Sonos-542A1BC9220E",
        {
            "info": "/api/v1/players/RINCON_542A1BC9220E01400/info",
            "hhid": "Sonos_abc",
            "vers": "3",
            "protovers": "1.24.1",
            "bootseq": "11",
        },
        {"id": "sonos:RINCON_542A1BC9220E01400", "mac": "542a1bc9220e", "bootseq": 11},
        (None, {"info": "/api/v1/players/x/info"}, "DISC-TXT-VALUE", "player_id"),
    ),
    (
        "_wled._tcp",
        "wled-kitchen",
        {"mac": "A4CF12FDAEA2"},
        {"id": "wled:a4cf12fdaea2", "profile": "light"},
        (None, {"mac": "nope"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_axis-video._tcp",
        "AXIS M1065-LW - ACCC8E123456",
        {"macaddress": "ACCC8E123456"},
        {"id": "axis:accc8e123456", "profile": "camera"},
        (None, {"macaddress": "ACCC8E"}, "DISC-TXT-VALUE", "mac"),
    ),
    (
        "_http._tcp",
        "shellyplug-s-C45BBE6C2A1F",
        {
            "id": "shellyplug-s-C45BBE6C2A1F",
            "fw_id": "20230913-112003/v1.14.0-gcb84623",
            "arch": "esp8266",
        },
        {
            "ecosystem": "shelly",
            "id": "shelly:c45bbe6c2a1f",
            "model": "shellyplug-s",
            "profile": "outlet",
            "gen": 1,
        },
        (None, {"gen": "two"}, "DISC-TXT-VALUE", "gen"),
    ),
]


def _check(rec: DeviceRecord, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        got = getattr(rec, key) if key in _RECORD_FIELDS else rec.ids.get(key)
        assert got == value, (key, got, dict(rec.ids))


@pytest.mark.parametrize(
    ("stype", "instance", "txt", "expected", "bad"),
    VENDOR_CASES,
    ids=[f"{c[0]}-{n}" for n, c in enumerate(VENDOR_CASES)],
)
def test_vendor_service_types(
    stype: str,
    instance: str,
    txt: dict[str, str],
    expected: dict[str, Any],
    bad: tuple[Any, ...],
) -> None:
    rec = parse_service(f"{stype}.local.", f"{instance}.{stype}.local.", txt)
    assert rec.findings == ()
    _check(rec, expected)
    bad_instance, changes, code, gone = bad
    broken = parse_service(stype, bad_instance or instance, {**txt, **changes})
    assert [f.code for f in broken.findings] == ([code] if code else [])
    assert all(f.severity is Severity.WARNING for f in broken.findings)
    if gone:
        assert gone not in broken.ids


def test_new_service_types_are_in_the_table() -> None:
    ha_types = {
        "_hwenergy._tcp", "_bond._tcp", "_enphase-envoy._tcp", "_printer._tcp", "_raop._tcp",
        "_companion-link._tcp", "_mediaremotetv._tcp", "_octoprint._tcp", "_lutron._tcp",
        "_zwave-js-server._tcp", "_slzb-06._tcp", "_uzg-01._tcp", "_kizbox._tcp",
        "_kizboxdev._tcp", "_xbmc-jsonrpc-h._tcp", "_daap._tcp", "_plugwise._tcp",
        "_volumio._tcp", "_fbx-api._tcp", "_dvl-deviceapi._tcp", "_soundtouch._tcp",
        "_bangolufsen._tcp", "_system-bridge._tcp", "_ssh._tcp", "_amzn-alexa._tcp",
    }  # fmt: skip
    assert ha_types <= set(PARSERS)
    assert {"_androidtvremote._tcp", "_openevse._tcp"} <= set(PARSERS)


def test_shelly_gen2_on_http_and_shelly() -> None:
    http = parse_service("_http._tcp", "ShellyPlus1PM-80646FE1AB23", {b"gen": b"2"})
    native = parse_service(
        "_shelly._tcp", "shellyplus1pm-80646fe1ab23", {b"gen": b"2", b"app": b"Plus1PM"}
    )
    assert http.findings == () and native.findings == ()
    assert http.id == native.id == "shelly:80646fe1ab23"
    assert (http.model, http.profile, http.ids["gen"]) == ("Plus1PM", "relay", 2)
    assert native.ids["model_name"] == "Shelly Plus 1PM"
    plain = parse_service("_http._tcp", "printer web", {b"path": b"/"})
    assert (plain.ecosystem, plain.ids["path"]) == ("http", "/")


def test_shelly_unknown_model_falls_back_to_words() -> None:
    rec = parse_service("_shelly._tcp", "shellywalldimmer-aabbccddeeff", {b"gen": b"2"})
    assert codes(rec) == ["DISC-TXT-MISSING"]  # app is expected
    assert (rec.profile, rec.ids["mac"]) == ("light", "aabbccddeeff")
    bad = parse_service("_shelly._tcp", "my shelly", {b"gen": b"2", b"app": b"Pro4PM"})
    assert codes(bad) == ["DISC-INSTANCE-NAME"] and "mac" not in bad.ids


def test_meshcop_binary_lengths_are_checked() -> None:
    rec = parse_service(
        "_meshcop._udp",
        "BR",
        [
            b"nn=" + b"x" * 17,
            b"xa=\x01\x02",
            b"id=" + b"\xff" * 16,
            b"omr=\x40" + b"\xfd" + b"\0" * 7,
        ],
    )
    assert [f.evidence["key"] for f in rec.findings] == ["nn", "xa"]
    assert "xa" not in rec.ids and rec.ids["border_agent_id"] == "ff" * 16
    assert rec.ids["omr_prefix"] == "fd00::/64"
    assert "DISC-TXT-ENCODING" not in codes(rec)


wire_txt = st.one_of(
    st.binary(max_size=400),
    st.lists(st.binary(max_size=60), max_size=20),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "xa",
                    "xp",
                    "id",
                    "omr",
                    "sq",
                    "bb",
                    "gen",
                    "app",
                    "mac",
                    "serial",
                    "uuid",
                    "deviceid",
                    "bt",
                    "info",
                    "homeId",
                    "UUID",
                    "rpBA",
                    "MAC",
                    "nn",
                ]
            ),
            st.binary(max_size=40),
        ).map(lambda kv: kv[0].encode() + b"=" + kv[1]),
        max_size=12,
    ),
)


@settings(max_examples=200)
@given(st.sampled_from(sorted(PARSERS)), st.text(max_size=60), wire_txt)
def test_any_txt_bytes_for_every_service_type(stype: str, name: str, txt: Any) -> None:
    rec = parse_service(stype, name, txt)
    assert rec.id and isinstance(rec.name, str)
    if rec.ecosystem != "devid":
        assert all(f.severity is not Severity.ERROR for f in rec.findings)
    rec.to_dict()
