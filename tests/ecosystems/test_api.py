"""The public API of devid.ecosystems: every exported name works as documented."""

from __future__ import annotations

import json

import devid.ecosystems as eco


def test_every_exported_name_exists() -> None:
    assert sorted(eco.__all__) == eco.__all__
    for name in eco.__all__:
        assert getattr(eco, name) is not None, name


def test_validate_config_accepts_a_good_sensor_and_drops_a_bad_one() -> None:
    good = json.dumps({
        "name": "Temperature", "uniq_id": "t1", "stat_t": "~/state", "~": "plug/1",
        "dev_cla": "temperature", "unit_of_meas": "°C",
        "dev": {"ids": ["plug-1"], "name": "Plug"},
    }).encode()
    result = eco.validate_config("homeassistant/sensor/plug1/temp/config", good)
    assert result.valid, result.findings
    assert result.config is not None
    assert result.config["state_topic"] == "plug/1/state"  # abbreviation and ~ expanded
    assert [e.name for e in result.entities] == ["Temperature"]

    bad = eco.validate_config("homeassistant/sensor/plug1/temp/config", b"{not json")
    assert not bad.valid
    assert {f.code for f in bad.findings} == {"HA-JSON-INVALID"}


def test_abbreviations_and_topics_without_a_broker() -> None:
    assert eco.expand_abbreviations({"stat_t": "a", "dev": {"mf": "Acme"}}) == {
        "state_topic": "a", "device": {"manufacturer": "Acme"}}
    topic = eco.parse_discovery_topic("homeassistant/light/node/obj/config")
    assert topic is not None and topic.component == "light"
    assert eco.parse_discovery_topic("zigbee2mqtt/bridge/state") is None


def test_homie_values_and_description() -> None:
    assert eco.check_value("integer", "0:100", b"42") is None
    assert eco.check_value("integer", "0:100", b"420") is not None
    findings, description = eco.validate_description(json.dumps({
        "homie": "5.0", "version": 1, "name": "Lamp",
        "nodes": {"light": {"properties": {"on": {"datatype": "boolean", "settable": True}}}},
    }).encode())
    assert description is not None
    assert not [f for f in findings if f.severity.value == "error"], findings
