"""One discovery config in isolation: topic grammar, abbreviations, '~', device discovery."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import devid
from devid.ecosystems._ha import (
    HaInventory,
    expand_abbreviations,
    parse_discovery_topic,
    validate_config,
)
from devid.ecosystems._ha_tables import (
    ABBREVIATIONS,
    HA_RULES_VERSION,
    SENSOR_DEVICE_CLASS_STATE_CLASSES,
    SENSOR_DEVICE_CLASS_UNITS,
    SENSOR_TABLE_SOURCE,
    SUPPORTED_COMPONENTS,
)


def codes(topic: str, payload: dict[str, Any] | bytes, **kw: Any) -> list[str]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return sorted(f.code for f in validate_config(topic, data, **kw).findings)


# -- topics ------------------------------------------------------------------------------


def test_the_discovery_topic_grammar() -> None:
    t = parse_discovery_topic("homeassistant/sensor/node-1/obj_2/config")
    assert t is not None and t.valid
    assert (t.component, t.node_id, t.object_id, t.discovery_id) == (
        "sensor", "node-1", "obj_2", "node-1 obj_2")
    t = parse_discovery_topic("homeassistant/switch/D04DF5_RL_1/config")
    assert t is not None and t.discovery_id == "D04DF5_RL_1" and t.node_id is None
    t = parse_discovery_topic("homeassistant/device/0AFFD2/config")
    assert t is not None and t.valid and t.device_based


@pytest.mark.parametrize("topic", [
    "zigbee2mqtt/bridge/state", "homeassistant/status", "homeassistant/sensor/x/state",
    "home/sensor/x/config", "homeassistant/sensor/xconfig",
])
def test_topics_that_are_not_discovery_topics_at_all(topic: str) -> None:
    assert parse_discovery_topic(topic) is None


@pytest.mark.parametrize(("topic", "code"), [
    ("homeassistant/sensor/my node/config", "HA-TOPIC-ILLEGAL"),        # mitsubishi2MQTT#256
    ("homeassistant/sensor/aa:bb:cc/t/config", "HA-TOPIC-ILLEGAL"),     # ha-openwrt#60
    ("homeassistant/sensor/a.b/config", "HA-TOPIC-ILLEGAL"),            # Unifi-Device-info#18
    ("homeassistant/light/a&b/config", "HA-TOPIC-ILLEGAL"),             # zigbee2mqtt#29857
    ("homeassistant/sensor//x/config", "HA-TOPIC-ILLEGAL"),             # PythonProtocolGateway#68
    ("homeassistant/sensor/a/b/c/config", "HA-TOPIC-ILLEGAL"),
    ("homeassistant/config", "HA-TOPIC-ILLEGAL"),
    ("homeassistant/timer/x/config", "HA-TOPIC-COMPONENT"),
])
def test_topics_that_break_the_grammar(topic: str, code: str) -> None:
    t = parse_discovery_topic(topic, t=5.0)
    assert t is not None and not t.valid
    (f,) = t.findings
    assert f.code == code and f.subject == topic and f.t == 5.0
    assert f.evidence["topic"] == topic


def test_a_configurable_prefix() -> None:
    assert parse_discovery_topic("homeassistant/sensor/x/config", prefix="home") is None
    t = parse_discovery_topic("home/cover/garage-door/config", prefix="home")
    assert t is not None and t.valid and t.component == "cover"
    inv = HaInventory(prefix="home")
    assert inv.claims("home/cover/garage-door/config")
    assert not inv.claims("homeassistant/cover/garage-door/config")


def test_supported_components_follow_ha() -> None:
    assert {"sensor", "binary_sensor", "switch", "light", "lock", "cover", "climate",
            "alarm_control_panel", "button", "number", "select", "event", "camera", "siren",
            "device_tracker"} <= SUPPORTED_COMPONENTS
    assert "device" not in SUPPORTED_COMPONENTS and "timer" not in SUPPORTED_COMPONENTS


# -- abbreviations and the topic base ----------------------------------------------------


def test_abbreviations_are_expanded_where_ha_expands_them_and_nowhere_else() -> None:
    payload = {
        "stat_t": "a/state", "dev": {"ids": ["x"], "mf": "Acme", "stat_t": "kept"},
        "o": {"name": "b", "sw": "1.0", "url": "https://b.example"},
        "avty": [{"t": "a/avail", "pl_avail": "up", "val_tpl": "{{ value }}"}],
        "json_attributes": {"uniq_id": "not expanded"},
    }
    out = expand_abbreviations(payload)
    assert out["state_topic"] == "a/state" and "stat_t" not in out
    assert out["device"] == {"identifiers": ["x"], "manufacturer": "Acme", "stat_t": "kept"}
    assert out["origin"] == {"name": "b", "sw_version": "1.0",
                             "support_url": "https://b.example"}
    assert out["availability"] == [{"topic": "a/avail", "payload_available": "up",
                                     "value_template": "{{ value }}"}]
    assert out["json_attributes"] == {"uniq_id": "not expanded"}
    assert payload["avty"] == [{"t": "a/avail", "pl_avail": "up", "val_tpl": "{{ value }}"}]


def test_the_abbreviated_value_wins_over_the_full_key() -> None:
    assert expand_abbreviations({"stat_t": "short", "state_topic": "long"}) == {
        "state_topic": "short"}


def test_cmps_entries_expand_their_top_level_and_availability_but_not_their_device() -> None:
    out = expand_abbreviations({"cmps": {"a": {"p": "sensor", "stat_t": "s", "dev": {"ids": "x"},
                                               "avty": [{"t": "av"}]}}})
    comp = out["components"]["a"]
    assert comp["platform"] == "sensor" and comp["state_topic"] == "s"
    assert comp["device"] == {"ids": "x"} and comp["availability"] == [{"topic": "av"}]


def test_every_abbreviation_maps_to_a_full_key_of_lowercase_words() -> None:
    for short, full in ABBREVIATIONS.items():
        assert full.replace("_", "").isalpha() and full.islower(), short


def test_topic_base_is_replaced_in_topic_values_only_at_either_end() -> None:
    r = validate_config("homeassistant/sensor/522851_ENERGY_Today/config", json.dumps({
        "~": "tasmota01/tele/", "stat_t": "~SENSOR", "avty_t": "~LWT", "name": "~x",
        "json_attr_t": "pre/~", "cmd_t": "a~b", "uniq_id": "u",
        "avty": None}).encode())
    cfg = r.components[0].config
    assert cfg["state_topic"] == "tasmota01/tele/SENSOR"
    assert cfg["availability_topic"] == "tasmota01/tele/LWT"
    assert cfg["json_attributes_topic"] == "pre/tasmota01/tele/"
    assert cfg["name"] == "~x" and cfg["command_topic"] == "a~b" and "~" not in cfg
    r = validate_config("homeassistant/sensor/x/config", json.dumps({
        "~": "base", "stat_t": "s", "uniq_id": "u",
        "avty": [{"t": "~/avail"}, {"t": "other"}]}).encode())
    assert [a["topic"] for a in r.components[0].config["availability"]] == [
        "base/avail", "other"]


# -- device, origin, device-based discovery ----------------------------------------------


def test_device_ids_follow_identifiers_then_connections_then_the_entity() -> None:
    base = {"stat_t": "s", "uniq_id": "u"}
    r = validate_config("homeassistant/sensor/a/config",
                        json.dumps(dict(base, dev={"ids": "48e729"})).encode())
    assert r.components[0].device_id == "ha:48e729"
    r = validate_config("homeassistant/sensor/a/config", json.dumps(dict(
        base, dev={"cns": [["mac", "84:0D:8E:52:28:51"]]})).encode())
    assert r.components[0].device_id == "ha:mac:84:0D:8E:52:28:51"
    r = validate_config("homeassistant/sensor/n/a/config", json.dumps(base).encode())
    assert r.components[0].device_id == "ha:entity:sensor/n a"
    r = validate_config("homeassistant/sensor/a/config",
                        json.dumps(dict(base, dev={"name": "no ids"})).encode())
    assert r.components[0].device_id == "ha:entity:sensor/a" and not r.valid


def test_identifiers_coerce_numbers_like_ha_and_reject_nested_values() -> None:
    assert codes("homeassistant/sensor/a/config",
                 {"stat_t": "s", "uniq_id": "u", "dev": {"ids": [123]}}) == []
    assert codes("homeassistant/sensor/a/config",
                 {"stat_t": "s", "uniq_id": "u", "dev": {"ids": [None]}}) == [
        "HA-DEVICE-INVALID"]


def test_a_device_based_config_yields_one_entity_per_component_with_shared_options() -> None:
    payload = {
        "dev": {"ids": ["ea334450945afc"], "name": "Kitchen"}, "o": {"name": "bla2mqtt"},
        "stat_t": "sensorBedroom/state", "avty_t": "sensorBedroom/avail", "qos": 2,
        "cmps": {
            "t": {"p": "sensor", "dev_cla": "temperature", "unit_of_meas": "°C",
                  "val_tpl": "{{ value_json.temperature }}", "uniq_id": "temp01ae_t"},
            "h": {"p": "sensor", "dev_cla": "humidity", "unit_of_meas": "%",
                  "val_tpl": "{{ value_json.humidity }}", "uniq_id": "temp01ae_h",
                  "stat_t": "own/state"},
            "gone": {"p": "sensor"},
        },
    }
    r = validate_config("homeassistant/device/rtlamr/config", json.dumps(payload).encode())
    assert r.valid and [f.code for f in r.findings] == []
    by_key = {c.entity.key: c for c in r.components}
    assert set(by_key) == {"sensor/rtlamr t", "sensor/rtlamr h"}
    assert by_key["sensor/rtlamr t"].config["state_topic"] == "sensorBedroom/state"
    assert by_key["sensor/rtlamr h"].config["state_topic"] == "own/state"
    assert by_key["sensor/rtlamr t"].config["availability_topic"] == "sensorBedroom/avail"
    assert "qos" not in by_key["sensor/rtlamr t"].config  # not a shared option
    assert {c.device_id for c in r.components} == {"ha:ea334450945afc"}
    assert r.removed_ids == (("sensor", "rtlamr gone"),)


def test_an_invalid_device_payload_drops_every_component() -> None:
    r = validate_config("homeassistant/device/x/config", json.dumps({
        "dev": {"ids": ["x"]}, "cmps": {"a": {"p": "sensor", "stat_t": "s", "uniq_id": "u"}},
    }).encode())
    assert [f.code for f in r.findings] == ["HA-ORIGIN-MISSING"]
    assert all(c.dropped for c in r.components)


def test_an_empty_payload_removes_every_component_of_a_device() -> None:
    inv = HaInventory()
    payload = json.dumps({"dev": {"ids": ["x"]}, "o": {"name": "o"}, "cmps": {
        "a": {"p": "sensor", "stat_t": "s/a", "uniq_id": "ua"},
        "b": {"p": "binary_sensor", "stat_t": "s/b", "uniq_id": "ub"}}}).encode()
    inv.add("homeassistant/device/x/config", payload, retain=True, t=1.0)
    assert [len(d.entities) for d in inv.devices()] == [2]
    assert inv.claims("s/a") and inv.claims("s/b")
    inv.add("homeassistant/device/x/config", b"", retain=True, t=2.0)
    assert inv.devices() == [] and not inv.claims("s/a")


def test_a_config_ha_cannot_parse_leaves_the_previous_one_in_place() -> None:
    inv = HaInventory()
    topic = "homeassistant/sensor/a/config"
    inv.add(topic, json.dumps({"stat_t": "s", "uniq_id": "u", "dev": {"ids": "x"}}).encode(),
            retain=True, t=1.0)
    inv.add(topic, b"{not json", retain=True, t=2.0)
    (dev,) = inv.devices()
    assert [e.key for e in dev.entities] == ["sensor/a"]
    (orphan,) = inv.orphan_findings()
    assert orphan.code == "HA-JSON-INVALID" and orphan.subject == topic


def test_sensor_rules_device_class_unit_and_state_class() -> None:
    topic = "homeassistant/sensor/a/config"
    base = {"stat_t": "s", "uniq_id": "u"}
    ok = [("temperature", "°C", "measurement"), ("energy", "kWh", "total_increasing"),
          ("Energy", "Wh", "TOTAL"), ("monetary", "EUR", "total"), ("aqi", None, None),
          ("power_factor", None, "measurement"), ("enum", None, None)]
    for dc, unit, sc in ok:
        cfg = dict(base, device_class=dc, unit_of_measurement=unit, state_class=sc)
        assert codes(topic, cfg) == [], (dc, unit, sc)
    assert codes(topic, dict(base, device_class="duration", unit_of_measurement="hours")) == [
        "HA-UNIT-DEVICE-CLASS"]
    assert codes(topic, dict(base, device_class="illuminance", unit_of_measurement="Lux")) == [
        "HA-UNIT-DEVICE-CLASS"]
    assert codes(topic, dict(base, device_class="timestamp", state_class="measurement")) == [
        "HA-OPTION-CONFLICT"]
    assert codes(topic, dict(base, options=["a"])) == ["HA-OPTION-CONFLICT"]
    assert codes(topic, dict(base, device_class="energy", unit_of_measurement="kWh",
                             state_class="measurement")) == ["HA-STATE-CLASS-DEVICE-CLASS"]


def test_unit_tables_are_versioned_and_consistent() -> None:
    assert HA_RULES_VERSION.startswith("2025.")
    assert "00eb6680" in SENSOR_TABLE_SOURCE
    assert set(SENSOR_DEVICE_CLASS_UNITS) <= set(SENSOR_DEVICE_CLASS_STATE_CLASSES)
    assert SENSOR_DEVICE_CLASS_UNITS["energy"] >= {"Wh", "kWh", "MWh"}
    assert "mAh" not in SENSOR_DEVICE_CLASS_UNITS["energy"]


@pytest.mark.parametrize(("component", "payload", "code"), [
    ("select", {"cmd_t": "c", "uniq_id": "u"}, "HA-REQUIRED-MISSING"),
    ("select", {"cmd_t": "c", "uniq_id": "u", "ops": "one"}, None),
    ("event", {"stat_t": "s", "uniq_id": "u"}, "HA-REQUIRED-MISSING"),
    ("camera", {"uniq_id": "u"}, "HA-REQUIRED-MISSING"),
    ("alarm_control_panel", {"cmd_t": "c", "uniq_id": "u"}, "HA-REQUIRED-MISSING"),
    ("number", {"cmd_t": "c", "uniq_id": "u", "min": 10, "max": 1}, "HA-OPTION-CONFLICT"),
    ("climate", {"uniq_id": "u", "modes": ["heat", "boost"]}, "HA-VALUE-INVALID"),
    ("climate", {"uniq_id": "u", "max_temp": "35", "temp_unit": "C"}, None),
    ("light", {"cmd_t": "c", "uniq_id": "u", "schema": "template"}, "HA-REQUIRED-MISSING"),
    ("light", {"cmd_t": "c", "uniq_id": "u", "sup_clrm": ["xy", "rainbow"]},
     "HA-VALUE-INVALID"),
    ("lock", {"uniq_id": "u"}, "HA-REQUIRED-MISSING"),
    ("cover", {"uniq_id": "u", "dev_cla": "garage"}, None),
    ("cover", {"uniq_id": "u", "dev_cla": "garage_door"}, "HA-DEVICE-CLASS-UNKNOWN"),
    ("button", {"cmd_t": "c", "uniq_id": "u", "dev_cla": "restart"}, None),
    ("siren", {"uniq_id": "u", "cmd_t": "c", "sup_dur": "maybe"}, "HA-VALUE-INVALID"),
    ("device_tracker", {"uniq_id": "u", "src_type": "wifi"}, "HA-VALUE-INVALID"),
    ("binary_sensor", {"stat_t": "s", "uniq_id": "u", "off_dly": -1}, "HA-VALUE-INVALID"),
    ("switch", {"cmd_t": "c", "uniq_id": "u", "ic": "lightbulb"}, "HA-VALUE-INVALID"),
])
def test_per_component_rules(component: str, payload: dict[str, Any], code: str | None) -> None:
    found = sorted(set(codes(f"homeassistant/{component}/a/config", payload)))
    assert found == ([code] if code else []), found


@pytest.mark.parametrize("payload", [b"[]", b'"x"', b"null", b"1", b'{"a": NaN}',
                                     b'{"a": 18446744073709551616}', b"\xef\xbb\xbf{}"])
def test_payloads_ha_cannot_read_as_a_json_object(payload: bytes) -> None:
    found = codes("homeassistant/sensor/a/config", payload)
    assert found in (["HA-JSON-INVALID"], ["HA-PAYLOAD-ENCODING"]), found


def test_deep_nesting_and_size_are_bounded() -> None:
    deep = b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert codes("homeassistant/sensor/a/config", deep) == ["HA-PAYLOAD-LIMIT"]
    deeper = b"[" * 100_000 + b"]" * 100_000
    assert codes("homeassistant/sensor/a/config", deeper) == ["HA-PAYLOAD-LIMIT"]
    (f,) = validate_config("homeassistant/sensor/a/config", b'{"a": "' + b"x" * 70_000 + b'"}',
                           t=3.0).findings
    assert f.code == "HA-PAYLOAD-LIMIT" and f.t == 3.0


def test_evidence_strings_are_cut_at_256_characters() -> None:
    r = validate_config("homeassistant/sensor/a/config", json.dumps(
        {"stat_t": "s", "uniq_id": "u", "dev_cla": "x" * 1000}).encode())
    (f,) = r.findings
    assert len(f.evidence["value"]) <= 257 and f.evidence["key"] == "device_class"


def test_an_empty_payload_is_a_removal_not_a_finding() -> None:
    r = validate_config("homeassistant/sensor/a/config", b"")
    assert r.removed and r.findings == () and r.components == ()


def test_the_validator_imports_no_transport() -> None:
    root = Path(devid.__file__).parent / "ecosystems"
    for path in sorted(root.glob("_ha*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad = [n for n in names
                   if n.split(".")[0] in {"paho", "zeroconf", "socket", "asyncio", "amqtt"}]
            assert not bad, f"{path.name} imports {bad}"
