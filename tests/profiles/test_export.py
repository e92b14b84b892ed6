"""``devid._export``: a profile as Home Assistant discovery configs and a Homie 5 description."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid._export import export_ha, export_homie, ha_entities, homie_layout, homie_value
from devid._profiles import list_profiles, load_profile
from devid.cli import cli

# HA's discovery topic grammar (homeassistant/components/mqtt/discovery.py TOPIC_MATCHER)
HA_TOPIC = re.compile(r"^(?P<prefix>[^/]+)/(?P<component>\w+)/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)?"
                      r"(?P<object_id>[a-zA-Z0-9_-]+)/config$")
HA_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
HOMIE_ID = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
HOMIE_DATATYPES = {"integer", "float", "boolean", "string", "enum", "color", "datetime",
                   "duration", "json"}

# Units HA accepts per sensor device class (a subset of HA's DEVICE_CLASS_UNITS, from the
# sensor documentation), held here independently of the exporter's own table.
HA_CLASS_UNITS: dict[str, set[str | None]] = {
    "temperature": {"°C", "°F", "K"},
    "humidity": {"%"},
    "battery": {"%"},
    "moisture": {"%"},
    "illuminance": {"lx"},
    "power": {"W", "kW", "mW", "MW", "GW", "TW", "BTU/h"},
    "energy": {"Wh", "kWh", "MWh", "GWh", "TWh", "J", "kJ", "MJ", "GJ", "cal", "kcal",
               "Mcal", "Gcal", "mWh"},
    "voltage": {"V", "mV", "µV", "kV", "MV"},
    "current": {"A", "mA"},
    "signal_strength": {"dB", "dBm"},
    "duration": {"d", "h", "min", "s", "ms", "µs"},
    "carbon_monoxide": {"ppm", "mg/m³", "µg/m³"},
    "carbon_dioxide": {"ppm"},
    "pressure": {"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi", "mmH₂O"},
    "frequency": {"Hz", "kHz", "MHz", "GHz"},
    "enum": {None},
}
SHIPPED = [s.id for s in list_profiles() if not s.abstract]
SAMPLES = ["smart-lock/1", "env-sensor/1", "smart-plug/1", "light/1", "alarm-panel/1",
           "thermostat/1", "siren/1", "ip-camera/1", "smoke-co-alarm/1"]


def _ha(pid: str, device_id: str = "dev-01") -> list[tuple[str, dict[str, Any]]]:
    return export_ha(load_profile(pid), device_id=device_id, name="Hall device",
                     base_topic=f"devid-sim/{device_id}")


def _components(pid: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for topic, payload in _ha(pid):
        match = HA_TOPIC.match(topic)
        assert match is not None, topic
        out.setdefault(match["component"], []).append(payload)
    return out


@pytest.mark.parametrize("pid", SHIPPED)
def test_every_shipped_profile_exports_valid_ha_configs(pid: str) -> None:
    configs = _ha(pid)
    assert configs
    unique_ids = [payload["unique_id"] for _t, payload in configs]
    assert len(set(unique_ids)) == len(unique_ids)
    for topic, payload in configs:
        match = HA_TOPIC.match(topic)
        assert match is not None and match["prefix"] == "homeassistant", topic
        assert match["node_id"] == "dev-01" and HA_ID.match(match["object_id"])
        json.dumps(payload)  # JSON-ready
        device = payload["device"]
        assert device["identifiers"] == ["dev-01"] and device["name"] == "Hall device"
        assert set(device) <= {"identifiers", "connections", "manufacturer", "model", "name",
                               "hw_version", "serial_number", "sw_version", "via_device",
                               "suggested_area", "configuration_url"}
        assert payload["origin"]["name"] == "devid-simulator" and payload["origin"]["sw_version"]
        assert payload["availability_topic"] == "devid-sim/dev-01/availability"
        assert (payload["payload_available"], payload["payload_not_available"]) == (
            "online", "offline")
        assert "object_id" not in payload  # deprecated since HA 2025.10
        template = payload.get("value_template")
        if template is not None:
            assert payload["state_topic"] == "devid-sim/dev-01/state"
            assert re.fullmatch(r"\{\{ value_json\.\w+( \| replace\('-', '_'\))? \}\}",
                                template), template
        if match["component"] in ("sensor", "number") and "device_class" in payload:
            allowed = HA_CLASS_UNITS[payload["device_class"]]
            assert payload.get("unit_of_measurement") in allowed, (topic, payload)
        if payload.get("device_class") == "enum":
            assert payload["options"] and "unit_of_measurement" not in payload
            assert "state_class" not in payload


def test_components_follow_the_profile() -> None:
    lock = _components("smart-lock/1")
    [entity] = lock["lock"]
    assert entity["value_template"] == "{{ value_json.locked }}"
    assert (entity["payload_lock"], entity["state_locked"]) == ("True", "True")
    assert {s["value_template"] for s in lock["sensor"]} >= {"{{ value_json.battery }}"}
    assert lock["event"][0]["event_types"] == ["tamper", "jammed"]
    assert "button" not in lock  # set-code needs a door code: not exported

    env = _components("env-sensor/1")
    by_prop = {p["value_template"][14:-3]: p for p in env["sensor"]}
    assert (by_prop["temperature"]["unit_of_measurement"],
            by_prop["temperature"]["device_class"]) == ("°C", "temperature")
    assert by_prop["humidity"]["device_class"] == "humidity"
    assert by_prop["battery"]["device_class"] == "battery"
    assert "device_class" not in by_prop["temperature_uncertainty"]  # a spread, not a reading
    assert by_prop["uptime"]["entity_category"] == "diagnostic"

    plug = _components("smart-plug/1")
    assert [s["value_template"] for s in plug["switch"]] == ["{{ value_json.on }}"]
    units = {p["value_template"][14:-3]: p.get("unit_of_measurement") for p in plug["sensor"]}
    assert (units["power"], units["energy"]) == ("W", "kWh")
    energy = next(p for p in plug["sensor"] if p.get("device_class") == "energy")
    assert energy["state_class"] == "total_increasing"

    [light] = _components("light/1")["light"]
    assert light["brightness_command_topic"].endswith("/brightness/set")
    assert light["brightness_scale"] == 100 and light["color_temp_kelvin"] is True
    assert (light["min_kelvin"], light["max_kelvin"]) == (1000, 10000)

    [panel] = _components("alarm-panel/1")["alarm_control_panel"]
    assert set(panel["supported_features"]) == {"arm_away", "arm_home", "arm_night"}
    assert panel["code"] == "REMOTE_CODE" and panel["code_disarm_required"] is True

    thermostat = _components("thermostat/1")
    [target] = thermostat["number"]
    assert (target["min"], target["max"], target["unit_of_measurement"]) == (5, 35, "°C")
    [mode] = thermostat["select"]
    assert mode["options"] == ["off", "heat", "cool", "auto"]

    [siren] = _components("siren/1")["siren"]
    assert siren["available_tones"] == ["intrusion", "fire", "co", "panic", "chime"]
    assert siren["support_duration"] is True
    assert "camera" in _components("ip-camera/1")
    buttons = {b["command_topic"].rsplit("/", 2)[1] for b in _components(
        "smoke-co-alarm/1")["button"]}
    assert buttons == {"self-test", "silence"}
    binary = {b["value_template"][14:-3]: b.get("device_class")
              for b in _components("motion-sensor/1")["binary_sensor"]}
    assert binary["motion"] == "motion" and binary["tamper"] == "tamper"


def test_ha_commands_map_back_to_profile_commands() -> None:
    profile = load_profile("light/1")
    [light] = [e for e in ha_entities(profile, device_id="l1", name="L", base_topic="b/l1")
               if e.component == "light"]
    by_topic = {(c.topic, c.payload): (c.command, c.arg) for c in light.commands}
    assert by_topic[("b/l1/on/set", "True")] == ("on", None)
    assert by_topic[("b/l1/on/set", "False")] == ("off", None)
    assert by_topic[("b/l1/brightness/set", None)] == ("set-brightness", "level")


def test_device_ids_are_made_legal_and_prefix_is_used() -> None:
    configs = export_ha(load_profile("env-sensor/1"), device_id="aa:bb cc", name="X",
                        prefix="ha-test", base_topic="x")
    for topic, payload in configs:
        assert topic.startswith("ha-test/sensor/aa_bb_cc/")
        assert payload["device"]["identifiers"] == ["aa:bb cc"]


@pytest.mark.parametrize("pid", SHIPPED)
def test_every_shipped_profile_exports_a_homie5_description(pid: str) -> None:
    profile = load_profile(pid)
    desc = export_homie(profile, device_id="dev-01", name="Hall device")
    assert desc["homie"] == "5.0" and desc["name"] == "Hall device"
    assert isinstance(desc["version"], int) and not isinstance(desc["version"], bool)
    assert desc["version"] == export_homie(profile, device_id="x", name="Hall device")["version"]
    json.dumps(desc)
    for node_id, node in desc["nodes"].items():
        assert HOMIE_ID.match(node_id), node_id
        assert node["properties"]
        for prop_id, prop in node["properties"].items():
            assert HOMIE_ID.match(prop_id), prop_id
            assert prop["datatype"] in HOMIE_DATATYPES
            assert isinstance(prop.get("settable", False), bool)
            assert isinstance(prop.get("retained", True), bool)
            fmt = prop.get("format")
            if prop["datatype"] in ("integer", "float") and fmt is not None:
                lo, hi = fmt.split(":")
                assert lo or hi
                for bound in (lo, hi):
                    if bound:
                        float(bound)
                if lo and hi:
                    assert float(lo) <= float(hi)
            if prop["datatype"] == "enum":
                assert fmt and all(fmt.split(","))


def test_homie_mapping_of_types() -> None:
    lock = export_homie(load_profile("smart-lock/1"), device_id="d", name="Front door")
    props = lock["nodes"]["smart-lock"]["properties"]
    assert props["locked"] == {"name": "Locked", "datatype": "boolean", "settable": True,
                               "retained": True}
    assert props["battery"]["datatype"] == "integer" and props["battery"]["format"] == "0:100"
    assert props["door"] == {"name": "Door", "datatype": "enum",
                             "format": "open,closed,unknown", "retained": True}
    assert lock["nodes"]["events"]["properties"]["tamper"]["retained"] is False
    env = export_homie(load_profile("env-sensor/1"), device_id="d", name="E")
    temp = env["nodes"]["env-sensor"]["properties"]["temperature"]
    assert temp == {"name": "Temperature", "datatype": "float", "format": "-40:85",
                    "unit": "°C", "retained": True}
    assert "temperature-uncertainty" in env["nodes"]["env-sensor"]["properties"]
    smoke = export_homie(load_profile("smoke-co-alarm/1"), device_id="d", name="S")
    assert smoke["nodes"]["actions"]["properties"]["self-test"]["settable"] is True
    thermostat = homie_layout(load_profile("thermostat/1"))
    target = next(p for p in thermostat if p.name == "target_temperature")
    assert target.setter == ("set-target", "temperature")
    assert export_homie(load_profile("smart-lock/1"), device_id="d", name="x",
                        version=42)["version"] == 42


def test_homie_values() -> None:
    assert homie_value("boolean", True) == "true"
    assert homie_value("float", 21.5) == "21.5" and homie_value("float", 3) == "3.0"
    assert "+" not in homie_value("float", 1e22)
    assert homie_value("integer", 7) == "7"
    assert homie_value("string", "") == "\x00"
    assert homie_value("json", {"a": 1}) == '{"a":1}'


def test_export_module_is_pure() -> None:
    import devid._export as module

    tree = ast.parse(Path(module.__file__).read_text())
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        assert not [n for n in names if n.split(".")[0] in
                    {"paho", "zeroconf", "socket", "asyncio", "amqtt", "ssl"}], names


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_export_ha_prints_json_lines() -> None:
    result = CliRunner().invoke(cli, ["profile", "export", "smart-lock/1", "--to", "ha",
                                      "--device-id", "lock-1", "--name", "Front door",
                                      "--prefix", "hass"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines and all(set(line) == {"topic", "payload"} for line in lines)
    assert lines[0]["topic"] == "hass/lock/lock-1/locked/config"
    assert lines[0]["payload"]["device"]["name"] == "Front door"
    assert [(line["topic"], line["payload"]) for line in lines] == export_ha(
        load_profile("smart-lock/1"), device_id="lock-1", name="Front door", prefix="hass",
        base_topic="devid-sim/lock-1")


def test_cli_export_homie_prints_the_description() -> None:
    result = CliRunner().invoke(cli, ["profile", "export", "env-sensor/1", "--to", "homie",
                                      "--device-id", "env-1"])
    assert result.exit_code == 0, result.output
    desc = json.loads(result.output)
    assert desc == export_homie(load_profile("env-sensor/1"), device_id="env-1",
                                name=load_profile("env-sensor/1").title)


@pytest.mark.parametrize(("args", "message"), [
    (["nope/1", "--to", "ha"], "unknown profile 'nope/1'"),
    (["smart-lock/1", "--to", "matter"], "--to: 'matter' is not one of ha, homie"),
    (["core/1", "--to", "ha"], "core/1 is abstract"),
    (["smart-lock/1", "--to", "homie", "--device-id", "Bad_Id"], "--device-id: 'Bad_Id'"),
    (["smart-lock/1", "--to", "ha", "--device-id", "a b"], "--device-id: 'a b'"),
])
def test_cli_export_errors_are_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["profile", "export", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("devid: error: ") and message in lines[0]
