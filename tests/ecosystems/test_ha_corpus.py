"""The 39 real discovery messages of ha_mqtt_discovery_examples.json, each judged.

Expectations are keyed by the example id (index+id where two examples share one), and
say what the case is about. Where devid judges a case differently from the source's
``ha_outcome_reported`` (HA has changed since), the ``why`` says so (docs/ha.md, "Corpus
cases judged differently").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devid import Severity
from devid._findings import Finding
from devid.ecosystems._ha import HaInventory, validate_config
from tests.plugins.vectors import vectors_dir


@dataclass(frozen=True)
class Expect:
    """``errors``: the exact set of error codes; ``present``/``absent``: other codes that
    must / must not be there; ``why``: what the case is about."""

    errors: frozenset[str] = frozenset()
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    why: str = ""


def E(errors: str = "", present: str = "", absent: str = "", why: str = "") -> Expect:
    return Expect(frozenset(errors.split()), frozenset(present.split()),
                  frozenset(absent.split()), why)


Z2M = E(absent="HA-OBJECT-ID-DEPRECATED HA-UNIQUE-ID-MISSING",
        why="accepted; Z2M sends object_id together with default_entity_id, so no "
            "deprecation warning")

EXPECT: dict[str, Expect] = {
    "0:z2m-light-light": E(absent=" ".join(Z2M.absent), present="HA-KEY-UNKNOWN",
                           why=Z2M.why + "; 'group' is not an HA light option (removed, info)"),
    "1:z2m-light-light": Z2M,
    "z2m-sensor-temperature": Z2M,
    "z2m-event-action": Z2M,
    "z2m-fan-fan": Z2M,
    "z2m-siren-siren": Z2M,
    "z2m-climate-climate": Z2M,
    "z2m-cover-cover": Z2M,
    "z2m-update-update": Z2M,
    "z2m-scene-scene_4": Z2M,
    "z2m-select-device_mode": Z2M,
    "ha-test-device-config": E(why="accepted: device-based discovery, mixed keys"),
    "ha-test-single-sensor": E(why="accepted"),
    "ha-test-single-trigger": E(why="accepted: device_automation is not an entity"),
    "ha-test-cleanup-device-p": E(why="accepted: 'p' expanded inside cmps"),
    "ha-test-binary-sensor-minimal": E(
        present="HA-UNIQUE-ID-MISSING",
        why="accepted by HA; no unique_id keeps it out of the registries (a warning)"),
    "ha-test-neg-no-device": E("HA-DEVICE-MISSING", why="device discovery without device"),
    "ha-test-neg-no-platform": E("HA-PLATFORM-INVALID", why="a cmps entry without platform"),
    "ha-test-neg-cmps-string": E("HA-COMPONENTS-INVALID", why="cmps given as a string"),
    "ha-test-neg-bad-qos": E("HA-VALUE-INVALID", why="qos 'some_invalid_value'"),
    "ha-test-neg-topic-chars": E(present="HA-TOPIC-ILLEGAL",
                                 why="non-ASCII object_id: HA logs a warning, ignores it"),
    "tasmota-9903-switch": E(why="accepted: abbreviated keys, ids only"),
    "tasmota-7097-energy-tilde": E(
        "HA-UNIT-DEVICE-CLASS",
        why="judged differently: no outcome in the source (2020: HA only warned); kWh with "
            "device_class power is rejected since HA 2025.7"),
    "esphome-2024-abbrev": E(present="HA-OBJECT-ID-DEPRECATED",
                             why="obj_id without default_entity_id (HA 2025.10)"),
    "esphome-2020-full": E(why="alone it is fine; the collision needs a second node "
                               "(CROSS_CASES: HA-UNIQUE-ID-DUPLICATE)"),
    "omg-409-empty-identifiers": E("HA-DEVICE-NO-ID", why="identifiers: []"),
    "omg-1900-rtl433-good": E(present="HA-STATE-TOPIC-WILDCARD HA-CONNECTION-MAC",
                              why="'+' in state_topic; a sensor name as 'mac'"),
    "omg-1900-rtl433-corrupt": E("HA-JSON-INVALID", why="truncated, interleaved buffer"),
    "shelly-script-virtual-switch": E(
        present="HA-NAME-IS-DEVICE-NAME",
        why="entity name = device name; the constant ids need a second Shelly "
            "(CROSS_CASES: HA-DEVICE-ID-SHARED)"),
    "shelly-script-1p-temperature": E(present="HA-TEMPLATE-EMPTY HA-NAME-IS-DEVICE-NAME",
                                      why="empty val_tpl; entity name = device name"),
    "ems-esp-1516-avty-list": E(
        present="HA-TEMPLATE-UNDEFINED HA-OBJECT-ID-DEPRECATED HA-NAME-IS-DEVICE-NAME",
        why="unquoted literal in the template; obj_id; the shared ids need a sibling "
            "(CROSS_CASES: HA-DEVICE-ID-SHARED)"),
    "sma-em-11-last-reset": E(
        present="HA-KEY-UNKNOWN",
        why="judged differently: dropped in 2021 (extra key last_reset); since HA PR "
            "#58390 unknown top-level keys are removed silently (info)"),
    "mppsolar-diybms-49-mixed": E(why="accepted: mixed keys at both levels"),
    "tiltbridge-194-no-uniq-trailing-comma": E(
        "HA-JSON-INVALID",
        why="as quoted (trailing comma) it is not JSON; the reporter's entity appeared, so "
            "the wire payload had no comma: without it, HA-UNIQUE-ID-MISSING (FIXED_CASES)"),
    "rtlamr2mqtt-device-template": E("HA-JSON-INVALID",
                                     why="missing and trailing commas in the source"),
    "node-red-ha-mqtt-41-nested-device": E("HA-DEVICE-KEY-UNKNOWN",
                                           why="device nested inside device"),
    "wyze-bridge-38-device-ip": E(
        "HA-DEVICE-KEY-UNKNOWN", absent="HA-CONNECTION-MAC",
        why="device.ip; a MAC without colons is a form HA's format_mac accepts (no "
            "finding); via_device naming no known device is not judged"),
    "hm2mqtt-107-unit-class": E("HA-UNIT-DEVICE-CLASS", why="mAh with device_class energy"),
    "ha-io-30919-cover-no-identifiers": E("HA-DEVICE-NO-ID", why="device without ids"),
}


def _examples() -> list[dict[str, Any]]:
    path = Path(vectors_dir("ecosystems")) / "ha_mqtt_discovery_examples.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    examples: list[dict[str, Any]] = data["examples"]
    return examples


def _key(index: int, example: dict[str, Any], examples: list[dict[str, Any]]) -> str:
    shared = sum(1 for e in examples if e["id"] == example["id"]) > 1
    return f"{index}:{example['id']}" if shared else str(example["id"])


def _payload(example: dict[str, Any]) -> bytes:
    p = example["payload"]
    return p.encode() if isinstance(p, str) else json.dumps(p).encode()


def _prefix(topic: str) -> str:
    return topic.split("/", 1)[0]  # every example's prefix is one level


def _cases() -> list[Any]:
    try:
        examples = _examples()
    except pytest.skip.Exception:
        return [pytest.param(None, None, id="vectors-missing")]
    return [pytest.param(i, e, id=_key(i, e, examples)) for i, e in enumerate(examples)]


@pytest.mark.parametrize(("index", "example"), _cases())
def test_each_corpus_example_is_judged_as_its_outcome_says(
        index: int | None, example: dict[str, Any] | None) -> None:
    if example is None or index is None:
        vectors_dir("ecosystems")  # skips, or fails in CI
        return
    key = _key(index, example, _examples())
    expect = EXPECT[key]
    result = validate_config(example["topic"], _payload(example),
                             prefix=_prefix(example["topic"]))
    codes = {f.code for f in result.findings}
    errors = {f.code for f in result.findings if f.severity is Severity.ERROR}
    assert errors == expect.errors, (key, expect.why, [f.message for f in result.findings])
    assert expect.present <= codes, (key, expect.why, sorted(codes))
    assert not expect.absent & codes, (key, expect.why, sorted(codes))


def test_every_corpus_example_has_an_expectation_and_no_more() -> None:
    examples = _examples()
    keys = {_key(i, e, examples) for i, e in enumerate(examples)}
    assert keys == set(EXPECT)
    assert len(examples) == 39


def test_outcomes_reported_as_dropped_map_to_an_error_and_accepted_to_none() -> None:
    """The table agrees with the source wherever devid does not say it judges differently."""
    examples = _examples()
    for i, e in enumerate(examples):
        expect = EXPECT[_key(i, e, examples)]
        outcome = str(e.get("ha_outcome_reported") or "")
        if "judged differently" in expect.why:
            continue
        if outcome.startswith("accepted"):
            assert not expect.errors, e["id"]
        if re.search(r"\b(dropped|error)\b", outcome):
            assert expect.errors, e["id"]


# -- cases that need more than one config ------------------------------------------------


def _run(messages: list[tuple[str, bytes]], prefix: str) -> list[Finding]:
    inv = HaInventory(prefix=prefix)
    for topic, payload in messages:
        inv.add(topic, payload, retain=True, t=1.0)
    return [f for d in inv.devices() for f in d.findings] + inv.orphan_findings()


def _example(example_id: str) -> dict[str, Any]:
    (found,) = [e for e in _examples() if e["id"] == example_id]
    return found


def _second_esphome_node() -> tuple[list[tuple[str, bytes]], str]:
    e = _example("esphome-2020-full")
    other = json.loads(_payload(e))
    other["device"] = dict(other["device"], identifiers="a4cf12aa0001", name="garage_node")
    other["state_topic"] = "garage/sensor/outside_humidy/state"
    return ([(e["topic"], _payload(e)),
             ("homeassistant/sensor/garage_node/outside_humidy/config",
              json.dumps(other).encode())], _prefix(e["topic"]))


def _second_shelly() -> tuple[list[tuple[str, bytes]], str]:
    e = _example("shelly-script-virtual-switch")
    text = _payload(e).decode()
    other = text.replace("A8032AB12345", "C4D8D5001122").replace("a8032ab12345", "c4d8d5001122")
    topic2 = e["topic"].replace("a8032ab12345", "c4d8d5001122")
    return [(e["topic"], _payload(e)), (topic2, other.encode())], _prefix(e["topic"])


def _ems_sibling() -> tuple[list[tuple[str, bytes]], str]:
    e = _example("ems-esp-1516-avty-list")
    sibling = json.loads(_payload(e))
    sibling.update({"uniq_id": "analogsensor_06", "obj_id": "analogsensor_06",
                    "name": "Temperatura CWU", "stat_t": "ems-esp/analogsensor_data"})
    sibling["dev"] = {"name": "Temperatura CWU", "ids": ["ems-esp"]}
    return ([(e["topic"], _payload(e)),
             ("homeassistant/binary_sensor/ems-esp/analogsensor_06/config",
              json.dumps(sibling).encode())], _prefix(e["topic"]))


CROSS_CASES = {
    "esphome-2020-full": (_second_esphome_node, "HA-UNIQUE-ID-DUPLICATE"),
    "shelly-script-virtual-switch": (_second_shelly, "HA-DEVICE-ID-SHARED"),
    "ems-esp-1516-avty-list": (_ems_sibling, "HA-DEVICE-ID-SHARED"),
}


@pytest.mark.parametrize("example_id", sorted(CROSS_CASES))
def test_mistakes_that_need_a_second_config_are_found_across_configs(example_id: str) -> None:
    build, code = CROSS_CASES[example_id]
    messages, prefix = build()
    codes = [f.code for f in _run(messages, prefix)]
    assert code in codes
    assert code not in [f.code for f in _run(messages[:1], prefix)]


def test_the_tiltbridge_payload_without_its_trailing_comma_is_accepted_but_unregistered() -> None:
    e = _example("tiltbridge-194-no-uniq-trailing-comma")
    fixed = re.sub(r",\s*}$", "}", e["payload"])
    result = validate_config(e["topic"], fixed.encode())
    assert result.valid
    assert "HA-UNIQUE-ID-MISSING" in {f.code for f in result.findings}


def test_the_whole_corpus_in_one_inventory_never_raises_and_keeps_every_finding() -> None:
    inv_findings: list[Finding] = []
    by_prefix: dict[str, list[tuple[str, bytes]]] = {}
    for e in _examples():
        by_prefix.setdefault(_prefix(e["topic"]), []).append((e["topic"], _payload(e)))
    for prefix, messages in by_prefix.items():
        inv_findings += _run(messages, prefix)
    codes = {f.code for f in inv_findings}
    assert {"HA-JSON-INVALID", "HA-DEVICE-NO-ID", "HA-UNIT-DEVICE-CLASS",
            "HA-TOPIC-ILLEGAL"} <= codes
    # Z2M's group light and its scene name the same identifier with different names
    assert "HA-DEVICE-ID-SHARED" in codes
