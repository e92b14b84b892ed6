"""Every HA-* code: a case that triggers it, and the same case fixed (no findings at all)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devid import REGISTRY, Severity
from devid._findings import Finding
from devid.ecosystems._ha import HaInventory

Msg = tuple[str, bytes, bool]
"""(topic, payload, retain flag)"""

TOPIC = "homeassistant/sensor/dev1/temperature/config"
DEVICE: dict[str, Any] = {"identifiers": ["dev1"], "name": "Hall sensor", "model": "T-1"}
SENSOR: dict[str, Any] = {
    "name": "Temperature", "unique_id": "dev1-t", "state_topic": "dev1/state",
    "device_class": "temperature", "unit_of_measurement": "°C", "state_class": "measurement",
    "device": DEVICE, "origin": {"name": "test-bridge"},
}
BINARY: dict[str, Any] = {
    "name": "Door", "unique_id": "dev1-door", "state_topic": "dev1/door",
    "device_class": "door", "device": DEVICE,
}
SWITCH: dict[str, Any] = {
    "name": "Relay", "unique_id": "dev1-relay", "state_topic": "dev1/relay",
    "command_topic": "dev1/relay/set", "device": DEVICE,
}


def cfg(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``base`` with ``changes`` (a value of ``...`` removes the key)."""
    out = dict(base)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def config(payload: dict[str, Any] | bytes, topic: str = TOPIC, retain: bool = True) -> Msg:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return (topic, data, retain)


def state(topic: str, payload: str | bytes) -> Msg:
    return (topic, payload if isinstance(payload, bytes) else payload.encode(), False)


def device_config(**changes: Any) -> Msg:
    base: dict[str, Any] = {
        "dev": {"ids": ["dev2"], "name": "Multi"}, "o": {"name": "bridge"},
        "cmps": {"t": {"p": "sensor", "name": "Temperature", "stat_t": "dev2/t",
                       "uniq_id": "dev2-t"}},
    }
    return config(cfg(base, **changes), topic="homeassistant/device/dev2/config")


def with_value_template(template: str) -> dict[str, Any]:
    return cfg(SENSOR, value_template=template)


# code → (messages that trigger it, the same case fixed)
CASES: dict[str, tuple[list[Msg], list[Msg]]] = {
    "HA-TOPIC-ILLEGAL": ([config(SENSOR, "homeassistant/sensor/dev 1/temperature/config")],
                         [config(SENSOR, "homeassistant/sensor/dev_1/temperature/config")]),
    "HA-TOPIC-COMPONENT": ([config(SENSOR, "homeassistant/thermometer/dev1/t/config")],
                           [config(SENSOR, "homeassistant/sensor/dev1/t/config")]),
    "HA-PAYLOAD-LIMIT": ([config(cfg(SENSOR, name="x" * 70_000))], [config(SENSOR)]),
    "HA-PAYLOAD-ENCODING": ([config(json.dumps(SENSOR).encode().replace(b"Hall", b"H\xe9ll"))],
                            [config(json.dumps(SENSOR).encode())]),
    "HA-JSON-INVALID": ([config(json.dumps(SENSOR).encode()[:-1] + b",}")], [config(SENSOR)]),
    "HA-CONFIG-NOT-RETAINED": ([config(SENSOR, retain=False)], [config(SENSOR)]),
    "HA-ORIGIN-INVALID": ([config(cfg(SENSOR, origin={"sw": "1.0"}))],
                          [config(cfg(SENSOR, origin={"name": "test-bridge", "sw": "1.0"}))]),
    "HA-DEVICE-INVALID": ([config(cfg(SENSOR, device=dict(DEVICE, connections=["mac", "x"])))],
                          [config(cfg(SENSOR, device=dict(
                              DEVICE, connections=[["mac", "aa:bb:cc:dd:ee:ff"]])))]),
    "HA-DEVICE-KEY-UNKNOWN": ([config(cfg(SENSOR, device=dict(DEVICE, ip="192.0.2.1")))],
                              [config(SENSOR)]),
    "HA-DEVICE-NO-ID": ([config(cfg(SENSOR, device=dict(DEVICE, identifiers=[])))],
                        [config(SENSOR)]),
    "HA-DEVICE-VIA-HUB": ([config(cfg(SENSOR, device=dict(DEVICE, via_hub="hub1")))],
                          [config(cfg(SENSOR, device=dict(DEVICE, via_device="hub1")))]),
    "HA-CONNECTION-MAC": ([config(cfg(SENSOR, device=dict(DEVICE, connections=[
                              ["mac", "Acurite-01185M"]])))],
                          [config(cfg(SENSOR, device=dict(DEVICE, connections=[
                              ["mac", "84:0D:8E:52:28:51"]])))]),
    "HA-DEVICE-MISSING": ([device_config(dev=...)], [device_config()]),
    "HA-ORIGIN-MISSING": ([device_config(o=...)], [device_config()]),
    "HA-COMPONENTS-INVALID": ([device_config(cmps="")], [device_config()]),
    "HA-PLATFORM-INVALID": ([device_config(cmps={"t": {"p": "thermometer", "stat_t": "a"}})],
                            [device_config()]),
    "HA-REQUIRED-MISSING": ([config(cfg(SWITCH, command_topic=...),
                                    "homeassistant/switch/dev1/relay/config")],
                            [config(SWITCH, "homeassistant/switch/dev1/relay/config")]),
    "HA-VALUE-INVALID": ([config(cfg(SENSOR, qos="some_invalid_value"))],
                         [config(cfg(SENSOR, qos="1"))]),
    "HA-DEVICE-CLASS-UNKNOWN": ([config(cfg(SENSOR, device_class="temp"))],
                                [config(cfg(SENSOR, device_class="Temperature"))]),
    "HA-OPTION-CONFLICT": ([config(cfg(SENSOR, availability_topic="dev1/avail",
                                       availability=[{"topic": "dev1/avail"}]))],
                           [config(cfg(SENSOR, availability=[{"topic": "dev1/avail"}]))]),
    "HA-TOPIC-INVALID": ([config(cfg(SWITCH, command_topic="dev1/+/set"),
                                 "homeassistant/switch/dev1/relay/config")],
                         [config(SWITCH, "homeassistant/switch/dev1/relay/config")]),
    "HA-TEMPLATE-INVALID": ([config(with_value_template("{{ value_json.temperature "))],
                            [config(with_value_template("{{ value_json.temperature }}"))]),
    "HA-UNIT-DEVICE-CLASS": ([config(cfg(SENSOR, unit_of_measurement="C"))], [config(SENSOR)]),
    "HA-STATE-CLASS-DEVICE-CLASS": ([config(cfg(SENSOR, state_class="total_increasing"))],
                                    [config(SENSOR)]),
    "HA-STATE-TOPIC-WILDCARD": ([config(cfg(SENSOR, state_topic="+/dev1/state"))],
                                [config(SENSOR)]),
    "HA-TEMPLATE-EMPTY": ([config(with_value_template(""))],
                          [config(with_value_template("{{ value }}"))]),
    "HA-TEMPLATE-UNDEFINED": (
        [config(with_value_template("{{ value_json.t if value_json.t is defined else off }}"))],
        [config(with_value_template("{{ value_json.t if value_json.t is defined else 0 }}"))]),
    "HA-KEY-UNKNOWN": ([config(cfg(SENSOR, last_reset="2021-07-30T00:00:00"))],
                       [config(SENSOR)]),
    "HA-UNIQUE-ID-MISSING": ([config(cfg(SENSOR, unique_id=...))], [config(SENSOR)]),
    "HA-NAME-IS-DEVICE-NAME": ([config(cfg(SENSOR, name="Hall sensor temperature"))],
                               [config(SENSOR)]),
    "HA-OBJECT-ID-DEPRECATED": ([config(cfg(SENSOR, obj_id="hall_t"))],
                                [config(cfg(SENSOR, obj_id="hall_t",
                                            default_entity_id="sensor.hall_t"))]),
    "HA-UNIQUE-ID-DUPLICATE": (
        [config(SENSOR), config(cfg(SENSOR, name="Other"), "homeassistant/sensor/dev1/o/config")],
        [config(SENSOR), config(cfg(SENSOR, name="Other", unique_id="dev1-o"),
                                "homeassistant/sensor/dev1/o/config")]),
    "HA-DEVICE-ID-SHARED": (
        [config(SENSOR), config(cfg(BINARY, device=dict(DEVICE, name="Garage sensor")),
                                "homeassistant/binary_sensor/dev1/door/config")],
        [config(SENSOR), config(BINARY, "homeassistant/binary_sensor/dev1/door/config")]),
    "HA-STATE-NOT-NUMERIC": ([config(SENSOR), state("dev1/state", "warm")],
                             [config(SENSOR), state("dev1/state", "21.5")]),
    "HA-STATE-PAYLOAD": ([config(BINARY, "homeassistant/binary_sensor/dev1/door/config"),
                          state("dev1/door", "open")],
                         [config(BINARY, "homeassistant/binary_sensor/dev1/door/config"),
                          state("dev1/door", "ON")]),
    "HA-AVAILABILITY-PAYLOAD": (
        [config(cfg(SENSOR, availability_topic="dev1/avail")), state("dev1/avail", "up")],
        [config(cfg(SENSOR, availability_topic="dev1/avail")), state("dev1/avail", "online")]),
    "HA-STATE-NOT-JSON": (
        [config(with_value_template("{{ value_json.t }}")), state("dev1/state", "21.5 C")],
        [config(with_value_template("{{ value_json.t }}")), state("dev1/state", '{"t": 21}')]),
    "HA-TEMPLATE-KEY-MISSING": (
        [config(with_value_template("{{ value_json.t }}")), state("dev1/state", '{"x": 1}')],
        [config(with_value_template("{{ value_json.t }}")), state("dev1/state", '{"t": 1}')]),
    "HA-TEMPLATE-NOT-EVALUATED": (
        [config(with_value_template("{{ value_json.t | float }}")),
         state("dev1/state", '{"t": 1}')],
        [config(with_value_template("{{ value_json.t }}")), state("dev1/state", '{"t": 1}')]),
    "HA-STATE-ENCODING": ([config(SENSOR), state("dev1/state", b"2\xff")],
                          [config(SENSOR), state("dev1/state", b"2")]),
    "HA-ATTRIBUTES-NOT-OBJECT": (
        [config(cfg(SENSOR, json_attributes_topic="dev1/attrs")), state("dev1/attrs", "[1]")],
        [config(cfg(SENSOR, json_attributes_topic="dev1/attrs")),
         state("dev1/attrs", '{"rssi": -60}')]),
}


def run(messages: list[Msg]) -> list[Finding]:
    inv = HaInventory()
    for i, (topic, payload, retain) in enumerate(messages):
        inv.add(topic, payload, retain=retain, t=1000.0 + i)
    return [f for d in inv.devices() for f in d.findings] + inv.orphan_findings()


def test_every_registered_ha_code_has_a_case() -> None:
    registered = {c for c in REGISTRY if c.startswith("HA-")}
    assert registered == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_triggered_and_its_fix_is_clean(code: str) -> None:
    trigger, fixed = CASES[code]
    found = run(trigger)
    assert code in [f.code for f in found], [(f.code, f.message) for f in found]
    hit = next(f for f in found if f.code == code)
    assert hit.severity is REGISTRY[code].severity
    assert hit.t is not None and hit.subject
    assert hit.evidence.get("topic")
    clean = run(fixed)
    assert clean == [], [(f.code, f.message) for f in clean]


def test_severity_follows_what_home_assistant_does() -> None:
    # dropped configs are errors, logged or deprecated ones warnings, hygiene info
    assert REGISTRY["HA-UNIT-DEVICE-CLASS"].severity is Severity.ERROR
    assert REGISTRY["HA-UNIQUE-ID-DUPLICATE"].severity is Severity.ERROR
    assert REGISTRY["HA-OBJECT-ID-DEPRECATED"].severity is Severity.WARNING
    assert REGISTRY["HA-NAME-IS-DEVICE-NAME"].severity is Severity.WARNING
    assert REGISTRY["HA-KEY-UNKNOWN"].severity is Severity.INFO
    assert "2025.7" in REGISTRY["HA-UNIT-DEVICE-CLASS"].meaning
