"""Runtime messages judged against the config that named their topic."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devid._findings import Finding
from devid.ecosystems._ha import HaInventory
from devid.ecosystems._ha_template import MISSING, plan_template, walk

DEVICE = {"identifiers": ["dev1"], "name": "Hall sensor"}


def inventory(*configs: tuple[str, dict[str, Any]]) -> HaInventory:
    inv = HaInventory()
    for topic, cfg in configs:
        assert inv.add(topic, json.dumps(cfg).encode(), retain=True, t=1.0)
    return inv


def sensor(**extra: Any) -> tuple[str, dict[str, Any]]:
    cfg = {"name": "Temperature", "unique_id": "t1", "state_topic": "dev1/state",
           "device": DEVICE, "unit_of_measurement": "°C", "device_class": "temperature"}
    cfg.update(extra)
    return "homeassistant/sensor/dev1/t/config", cfg


def binary(**extra: Any) -> tuple[str, dict[str, Any]]:
    cfg = {"name": "Door", "unique_id": "d1", "state_topic": "dev1/door", "device": DEVICE}
    cfg.update(extra)
    return "homeassistant/binary_sensor/dev1/door/config", cfg


def findings(inv: HaInventory) -> list[Finding]:
    return [f for d in inv.devices() for f in d.findings] + inv.orphan_findings()


def codes(inv: HaInventory) -> list[str]:
    return sorted(f.code for f in findings(inv))


def test_a_numeric_sensor_that_gets_text_is_a_warning_on_its_device() -> None:
    inv = inventory(sensor())
    assert inv.add("dev1/state", b"21.5", t=2.0)
    assert codes(inv) == []
    inv.add("dev1/state", b"abc", t=3.0)
    (f,) = findings(inv)
    assert (f.code, f.subject, f.t) == ("HA-STATE-NOT-NUMERIC", "ha:dev1", 3.0)
    assert f.evidence["topic"] == "dev1/state" and f.evidence["value"] == "abc"
    assert f.evidence["entity"] == "sensor/dev1 t"


@pytest.mark.parametrize("payload", [b"", b"None", b"-4", b"1e3", b" 7 "])
def test_empty_none_and_numbers_are_what_a_numeric_sensor_accepts(payload: bytes) -> None:
    inv = inventory(sensor())
    inv.add("dev1/state", payload, t=2.0)
    assert codes(inv) == []


def test_a_sensor_without_unit_state_class_or_numeric_class_is_not_numeric() -> None:
    inv = inventory(sensor(unit_of_measurement=None, device_class=None))
    inv.add("dev1/state", b"sunny", t=2.0)
    assert codes(inv) == []
    inv = inventory(sensor(unit_of_measurement=None, device_class="enum",
                           options=["sunny", "rain"]))
    inv.add("dev1/state", b"sunny", t=2.0)
    assert codes(inv) == []


def test_repeated_runtime_findings_are_aggregated_with_a_count() -> None:
    inv = inventory(sensor())
    for i in range(500):
        inv.add("dev1/state", b"warm", t=10.0 + i)
    (f,) = findings(inv)
    assert f.evidence["count"] == 500
    assert f.evidence["first_t"] == 10.0 and f.evidence["last_t"] == 509.0


def test_a_binary_sensor_payload_must_be_payload_on_or_off() -> None:
    inv = inventory(binary())
    for p in (b"ON", b"OFF", b"None", b""):
        inv.add("dev1/door", p, t=2.0)
    assert codes(inv) == []
    inv.add("dev1/door", b"open", t=3.0)
    assert codes(inv) == ["HA-STATE-PAYLOAD"]
    inv = inventory(binary(payload_on="open", payload_off="closed"))
    inv.add("dev1/door", b"open", t=2.0)
    inv.add("dev1/door", b"ON", t=3.0)
    (f,) = findings(inv)
    assert f.code == "HA-STATE-PAYLOAD" and f.evidence["value"] == "ON"
    assert f.evidence["allowed"] == ["closed", "open"]


def test_json_booleans_render_as_python_does_before_the_comparison() -> None:
    # Z2M: payload_on true with {{ value_json.contact }} renders 'True' (as HA's Jinja).
    inv = inventory(binary(value_template="{{ value_json.contact }}", payload_on=True,
                           payload_off=False))
    inv.add("dev1/door", b'{"contact": true}', t=2.0)
    inv.add("dev1/door", b'{"contact": false}', t=2.0)
    assert codes(inv) == []


def test_availability_payloads_default_to_online_offline_and_follow_the_config() -> None:
    inv = inventory(sensor(availability_topic="dev1/avail"))
    inv.add("dev1/avail", b"online", t=2.0)
    inv.add("dev1/avail", b"offline", t=2.0)
    assert codes(inv) == []
    inv.add("dev1/avail", b"Online", t=3.0)
    assert codes(inv) == ["HA-AVAILABILITY-PAYLOAD"]
    inv = inventory(sensor(availability=[{"topic": "dev1/lwt", "payload_available": "Up",
                                          "payload_not_available": "Down"}]))
    inv.add("dev1/lwt", b"Up", t=2.0)
    inv.add("dev1/lwt", b"online", t=3.0)
    (f,) = findings(inv)
    assert f.code == "HA-AVAILABILITY-PAYLOAD" and f.evidence["role"] == "availability.0"


def test_an_availability_template_of_the_simple_forms_is_applied() -> None:
    inv = inventory(sensor(availability=[{"topic": "bridge/state",
                                          "value_template": "{{ value_json.state }}"}]))
    inv.add("bridge/state", b'{"state": "online"}', t=2.0)
    assert codes(inv) == []
    inv.add("bridge/state", b'{"state": "starting"}', t=3.0)
    assert codes(inv) == ["HA-AVAILABILITY-PAYLOAD"]


def test_value_json_path_on_a_matching_message_is_fine() -> None:
    inv = inventory(sensor(value_template="{{ value_json.temperature }}"))
    inv.add("dev1/state", b'{"temperature": 21.5}', t=2.0)
    assert codes(inv) == []


def test_value_json_path_on_a_missing_key_is_a_finding() -> None:
    inv = inventory(sensor(value_template="{{ value_json.temperature }}"))
    inv.add("dev1/state", b'{"humidity": 40}', t=2.0)
    (f,) = findings(inv)
    assert f.code == "HA-TEMPLATE-KEY-MISSING"


def test_a_non_json_message_for_a_value_json_template_is_a_finding() -> None:
    inv = inventory(sensor(value_template="{{ value_json['temperature'] }}"))
    inv.add("dev1/state", b"21.5 C", t=2.0)
    assert codes(inv) == ["HA-STATE-NOT-JSON"]


def test_nested_and_bracketed_paths_and_their_mixture() -> None:
    inv = inventory(sensor(value_template="{{value_json['ENERGY'].Today}}"))
    inv.add("dev1/state", b'{"ENERGY": {"Today": 1.25}}', t=2.0)
    assert codes(inv) == []
    inv.add("dev1/state", b'{"ENERGY": {"Today": "n/a"}}', t=3.0)
    assert codes(inv) == ["HA-STATE-NOT-NUMERIC"]


def test_a_template_outside_the_subset_is_reported_once_per_entity_not_guessed() -> None:
    inv = inventory(sensor(value_template="{{ value_json.t | float(0) * 10 }}"))
    for _ in range(3):
        inv.add("dev1/state", b'{"t": "not a number"}', t=2.0)
    (f,) = findings(inv)
    assert f.code == "HA-TEMPLATE-NOT-EVALUATED" and f.severity.value == "info"
    assert f.evidence["count"] == 3


def test_a_path_the_sandbox_must_resolve_goes_through_the_jinja_sandbox() -> None:
    plan = plan_template("{{ value_json.values }}")
    assert plan.mode == "sandbox" and plan.compiled is not None
    inv = inventory(sensor(value_template="{{ value_json.values }}"))
    inv.add("dev1/state", b'{"values": 3}', t=2.0)  # a dict method: not a number
    assert codes(inv) == ["HA-STATE-NOT-NUMERIC"]


def test_the_fast_path_walks_json_as_jinja_would() -> None:
    plan = plan_template("{{ value_json.a[1]['b'] }}")
    assert plan.mode == "path" and plan.path == ("a", 1, "b")
    assert walk({"a": [0, {"b": 5}]}, plan.path) == 5
    assert walk({"a": [0]}, plan.path) is MISSING
    assert walk({"a": "xy"}, ("a", 1)) == "y"
    assert walk([1], ("a",)) is MISSING
    assert plan_template("{{ value }}").mode == "value"
    assert plan_template("{{ value_json }}").mode == "other"
    assert plan_template(" {{ value }}").mode == "other"


def test_json_attributes_must_be_an_object() -> None:
    inv = inventory(sensor(json_attributes_topic="dev1/attr"))
    inv.add("dev1/attr", b'{"rssi": -60}', t=2.0)
    assert codes(inv) == []
    inv.add("dev1/attr", b"-60", t=3.0)
    assert codes(inv) == ["HA-ATTRIBUTES-NOT-OBJECT"]


def test_messages_before_their_config_are_judged_when_it_arrives() -> None:
    inv = HaInventory()
    assert not inv.add("dev1/state", b"abc", t=0.5)
    assert not inv.claims("dev1/state")
    topic, cfg = sensor()
    inv.add(topic, json.dumps(cfg).encode(), retain=True, t=1.0)
    assert inv.claims("dev1/state")
    (f,) = findings(inv)
    assert f.code == "HA-STATE-NOT-NUMERIC" and f.t == 0.5
    assert inv.messages == 2


def test_the_early_message_buffer_is_bounded() -> None:
    inv = HaInventory()
    for i in range(50):
        inv.add("dev1/state", b"abc", t=float(i))
    topic, cfg = sensor()
    inv.add(topic, json.dumps(cfg).encode(), retain=True, t=100.0)
    (f,) = findings(inv)
    assert f.evidence["count"] == 4
    assert inv.pending_dropped == 46


def test_a_wildcard_state_topic_claims_the_topics_it_matches() -> None:
    inv = inventory(sensor(state_topic="+/gw/rtl/sensor1"))
    assert inv.add("a/gw/rtl/sensor1", b"20", t=2.0)
    assert inv.add("b/gw/rtl/sensor1", b"x", t=3.0)
    assert not inv.add("b/gw/rtl/sensor2", b"x", t=3.0)
    assert "HA-STATE-NOT-NUMERIC" in codes(inv)


def test_a_replaced_config_judges_later_messages_by_the_new_one_and_removal_forgets() -> None:
    inv = inventory(binary())
    inv.add("dev1/door", b"open", t=2.0)
    topic, cfg = binary(payload_on="open", payload_off="closed")
    inv.add(topic, json.dumps(cfg).encode(), retain=True, t=3.0)
    inv.add("dev1/door", b"open", t=4.0)
    assert codes(inv) == ["HA-STATE-PAYLOAD"]  # only the message before the update
    inv.add(topic, b"", retain=True, t=5.0)
    assert not inv.claims("dev1/door")
    assert [d.entities for d in inv.devices()] == [()]  # the device keeps its finding


def test_shared_topics_parse_json_once_and_judge_every_entity() -> None:
    t_cfg = sensor(value_template="{{ value_json.t }}")
    h_cfg = ("homeassistant/sensor/dev1/h/config",
             {"name": "Humidity", "unique_id": "h1", "state_topic": "dev1/state",
              "device": DEVICE, "unit_of_measurement": "%", "device_class": "humidity",
              "value_template": "{{ value_json.h }}"})
    inv = inventory(t_cfg, h_cfg)
    inv.add("dev1/state", b'{"t": 20, "h": "wet"}', t=2.0)
    (f,) = findings(inv)
    assert f.evidence["entity"] == "sensor/dev1 h"
    (dev,) = inv.devices()
    assert dev.messages == 3  # two configs and one state message


def test_bad_runtime_bytes_are_findings_not_exceptions() -> None:
    inv = inventory(sensor(value_template="{{ value_json.t }}"),
                    binary(json_attributes_topic="dev1/state"))
    for payload in (b"\xff\xfe", b"[" * 5000, b'{"t": 1e999}', b"x" * 70_000,
                    b'{"t": {"a": [1, 2]}}', b"18446744073709551616" * 20):
        inv.add("dev1/state", payload, t=2.0)
    assert {"HA-STATE-ENCODING", "HA-STATE-NOT-JSON", "HA-PAYLOAD-LIMIT",
            "HA-STATE-NOT-NUMERIC"} <= set(codes(inv))


def test_an_enum_sensor_state_must_be_one_of_its_options() -> None:
    inv = inventory(sensor(unit_of_measurement=None, device_class="enum",
                           options=["sunny", "rain"]))
    inv.add("dev1/state", b"rain", t=2.0)
    assert codes(inv) == []
    inv.add("dev1/state", b"snow", t=3.0)
    assert codes(inv) == ["HA-STATE-PAYLOAD"]
