"""Home Assistant / Homie devices as discovery records, joined with DNS-SD by hardware id."""

from __future__ import annotations

from devid.discovery import DeviceRecord, merge_records
from devid.discovery._ecosystems import ecosystem_record, normalise_mac
from devid.ecosystems import EcoDevice, Entity


def ha_device(mac: str = "84:0D:8E:52:28:51") -> EcoDevice:
    return EcoDevice(
        ecosystem="ha", id="ha:522851", name="Garden relay", manufacturer="Shelly",
        model="Plus 1", identifiers=("522851",), connections=(("mac", mac),),
        entities=(Entity("switch/522851_RL_1", "switch", "Relay"),
                  Entity("binary_sensor/522851_door", "binary_sensor", "Door",
                         detail={"device_class": "door"})),
    )


def test_normalise_mac_accepts_the_usual_forms_only() -> None:
    assert normalise_mac("84:0D:8E:52:28:51") == "840d8e522851"
    assert normalise_mac("84-0d-8e-52-28-51") == "840d8e522851"
    assert normalise_mac("840d.8e52.2851") == "840d8e522851"
    assert normalise_mac("840D8E522851") == "840d8e522851"
    for bad in ("Acurite-01185M-0-64", "84:0D-8E:52:28:51", "84:0D:8E:52:28", "", "zz" * 6):
        assert normalise_mac(bad) is None, bad


def test_ecosystem_record_carries_identity_entities_and_class() -> None:
    rec = ecosystem_record(ha_device())
    assert rec.ecosystem == "ha" and rec.id == "ha:522851" and rec.sources == ("mqtt",)
    assert rec.vendor == "Shelly" and rec.model == "Plus 1"
    assert rec.ids["mac"] == "840d8e522851" and rec.ids["identifiers"] == ["522851"]
    assert rec.profile == "contact-sensor"  # a door binary_sensor outranks a switch
    assert [e["key"] for e in rec.entities] == ["switch/522851_RL_1",
                                                 "binary_sensor/522851_door"]
    assert rec.to_dict()["entities"][0]["kind"] == "switch"


def test_ha_and_dns_sd_records_of_one_mac_are_one_device() -> None:
    mdns = DeviceRecord(id="shelly:840d8e522851", ecosystem="shelly", name="shellyplus1-840d",
                        ids={"mac": "840d8e522851"}, sources=("mdns",),
                        services=("_shelly._tcp",), host="shellyplus1.local.")
    other = DeviceRecord(id="shelly:aabbccddeeff", ecosystem="shelly", name="other",
                         ids={"mac": "aabbccddeeff"}, sources=("mdns",))
    merged = merge_records([mdns, other, ecosystem_record(ha_device())],
                           searched={"mdns", "mqtt"})
    assert len(merged) == 2
    joined = next(r for r in merged if r.ecosystem == "ha")
    assert joined.sources == ("mdns", "mqtt")
    assert joined.services == ("_shelly._tcp",) and len(joined.entities) == 2
    assert joined.id == "ha:522851"


def test_devid_records_are_never_joined_by_mac() -> None:
    mac = {"mac": "aabbccddeeff"}
    a = DeviceRecord(id="urn:dev:ops:1-a-1", ecosystem="devid", name="a", ids=mac)
    b = DeviceRecord(id="urn:dev:ops:1-a-2", ecosystem="devid", name="b", ids=mac)
    assert len(merge_records([a, b])) == 2
