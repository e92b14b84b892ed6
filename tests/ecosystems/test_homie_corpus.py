"""The Homie corpus (../shared/vectors/ecosystems/homie_examples.json), each case judged.

The corpus gives messages in publication order where known, without retain flags
(documentation excerpts and mosquitto_sub output), so the retain flags are not
judged here (``judge_retain=False``); ``test_esp_idf_retained_flags`` feeds one
case with flags. Where this table differs from a case's ``note``, docs/homie.md
("Corpus cases") says why.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from devid.ecosystems._homie import HomieInventory
from devid.ecosystems._model import EcoDevice
from tests.plugins.vectors import vectors_dir


def _examples() -> dict[str, dict[str, Any]]:
    path = vectors_dir("ecosystems") / "homie_examples.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {ex["id"]: ex for ex in data["examples"]}


# case -> (valid, every HOMIE-* code its findings carry)
EXPECTED: dict[str, tuple[bool, frozenset[str]]] = {
    # Assembled from the spec's fragments: $state ready comes before $description (a note).
    "homie5-spec-supercar": (True, frozenset({"HOMIE-STATE-ORDER"})),
    # The v4.0.0 spec's own example: $homie 2.1.0 (warning), no $extensions (warning), and as a
    # fragment it never describes wheels, lights, speed, direction (errors).
    "homie4-spec-supercar": (False, frozenset({
        "HOMIE-ATTR-MISSING", "HOMIE-VERSION-MISMATCH", "HOMIE-NODE-INCOMPLETE",
        "HOMIE-PROPERTY-INCOMPLETE"})),
    # Complete device output: init ... ready, every attribute present.
    "microhomie-led": (True, frozenset()),
    # A subset of the lines: seven listed properties never described, reboot/set "(null)"
    # goes to an undescribed property, no $extensions.
    "esp-idf-homie-esp32": (False, frozenset({
        "HOMIE-ATTR-MISSING", "HOMIE-PROPERTY-INCOMPLETE", "HOMIE-VALUE-UNDESCRIBED"})),
    # First lines only: ready before $nodes, 14 listed properties undescribed, a value of one.
    "bwalink-spa": (False, frozenset({
        "HOMIE-STATE-ORDER", "HOMIE-ATTR-MISSING", "HOMIE-PROPERTY-INCOMPLETE",
        "HOMIE-VALUE-UNDESCRIBED"})),
    # A subset: node area has no $type, api and status never announce themselves.
    "eskomsepush": (False, frozenset({
        "HOMIE-STATE-ORDER", "HOMIE-ATTR-MISSING", "HOMIE-NODE-INCOMPLETE",
        "HOMIE-PROPERTY-INCOMPLETE"})),
    # Custom base topic homie-dev (learned from $homie); complete and valid.
    "node-homie-demo": (True, frozenset()),
    # $homie "4.0" is accepted; no $nodes, and node heat-pump never announces itself.
    "aurora-waterfurnace": (False, frozenset({
        "HOMIE-STATE-ORDER", "HOMIE-ATTR-MISSING", "HOMIE-NODE-INCOMPLETE"})),
    # <device-id> is a placeholder, no $state, no version; boolean format off,on is fine.
    "homie5-mertik-fireplace": (False, frozenset({
        "HOMIE-ID-INVALID", "HOMIE-STATE-MISSING", "HOMIE-DESC-FIELD-MISSING"})),
    # Custom domain ebus (learned from $state); placeholders as ids; no version.
    "homie5-ebus-panel-root": (False, frozenset({
        "HOMIE-ID-INVALID", "HOMIE-STATE-ORDER", "HOMIE-DESC-FIELD-MISSING"})),
    # version is a string; the extra id field is a note.
    "homie5-device123-arduino": (False, frozenset({
        "HOMIE-STATE-ORDER", "HOMIE-DESC-FIELD-TYPE", "HOMIE-DESC-UNKNOWN-FIELD"})),
    # The property sits in the node and is typed with 'type': controllers ignore it (a
    # warning: no MUST of the convention is broken, the device just exposes nothing).
    "homie5-capability-action": (True, frozenset({
        "HOMIE-STATE-ORDER", "HOMIE-DESC-MISPLACED-PROPERTY", "HOMIE-DESC-UNKNOWN-FIELD"})),
}


def _feed(example: dict[str, Any], **kwargs: Any) -> HomieInventory:
    inv = HomieInventory(**kwargs)
    for i, msg in enumerate(example["messages"]):
        # add() is False for the messages under a root not yet learned (node-homie-demo's
        # first two); they are replayed once $homie names the root.
        inv.add(msg["topic"], msg["payload"].encode("utf-8"), retain=True, t=float(i))
    return inv


def _device(example: dict[str, Any], **kwargs: Any) -> EcoDevice:
    devices = _feed(example, **kwargs).devices()
    assert len(devices) == 1
    return devices[0]


def test_every_corpus_case_has_an_expected_verdict() -> None:
    assert set(_examples()) == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_case_verdict_and_codes(case: str) -> None:
    valid, codes = EXPECTED[case]
    inv = _feed(_examples()[case], judge_retain=False)
    [device] = inv.devices()
    assert {f.code for f in device.findings} == codes
    assert device.valid is valid
    assert inv.orphan_findings() == []
    assert inv.messages == len(_examples()[case]["messages"])


def test_supercar5_value_is_judged_against_its_range() -> None:
    dev = _device(_examples()["homie5-spec-supercar"], judge_retain=False)
    [entity] = dev.entities
    assert (entity.key, entity.kind, entity.detail["format"]) == ("engine/temperature", "float",
                                                                  "-20:120")
    assert dev.id == "homie:homie/super-car" and dev.name == "Supercar" and dev.state == "ready"


def test_microhomie_lifecycle_and_mac() -> None:
    dev = _device(_examples()["microhomie-led"], judge_retain=False)
    assert dev.state == "ready"
    assert dev.connections == (("mac", "80:7d:3a:bb:c7:8a"),)
    assert dev.sw_version == "2.2.0"
    [entity] = dev.entities
    assert entity.key == "led/power" and entity.kind == "boolean"
    assert entity.topics == {"value": "homie/2fe65700/led/power",
                             "set": "homie/2fe65700/led/power/set"}


def test_node_homie_demo_custom_base_topic_is_learned() -> None:
    inv = _feed(_examples()["node-homie-demo"], judge_retain=False)
    [dev] = inv.devices()
    assert dev.id == "homie:homie-dev/my-homie-device"
    assert [e.key for e in dev.entities] == ["actor/switch", "sensors/temperature"]
    assert dev.messages == 22  # the two messages before $homie were replayed
    assert inv.claims("homie-dev/my-homie-device/$state")


def test_ebus_custom_domain_is_learned_from_state() -> None:
    inv = HomieInventory(judge_retain=False)
    assert not inv.claims("ebus/x/y")
    assert inv.claims("ebus/5/<serial>/$state")
    dev = _device(_examples()["homie5-ebus-panel-root"], judge_retain=False)
    assert dev.id == "homie:ebus/<serial>"
    child = [f for f in dev.findings if f.code == "HOMIE-ID-INVALID"
             and f.evidence["what"] == "child id"]
    assert child and child[0].evidence["id"] == "<serial>-<circuit>"


def test_mertik_boolean_labels_are_accepted_and_version_is_missing() -> None:
    dev = _device(_examples()["homie5-mertik-fireplace"], judge_retain=False)
    assert {e.key: e.detail["format"] for e in dev.entities} == {
        "flames/value": "0:100:1", "pilot/control": "off,on",
        "pilot/status": "off,igniting,on,extinguishing"}
    missing = [f for f in dev.findings if f.code == "HOMIE-DESC-FIELD-MISSING"]
    assert [f.evidence["field"] for f in missing] == ["version"]


def test_capability_action_exposes_no_property() -> None:
    dev = _device(_examples()["homie5-capability-action"], judge_retain=False)
    assert dev.entities == ()
    [misplaced] = [f for f in dev.findings if f.code == "HOMIE-DESC-MISPLACED-PROPERTY"]
    assert misplaced.evidence["key"] == "action"
    assert "'type' instead of 'datatype'" in misplaced.message


def test_device123_version_string() -> None:
    dev = _device(_examples()["homie5-device123-arduino"], judge_retain=False)
    [wrong] = [f for f in dev.findings if f.code == "HOMIE-DESC-FIELD-TYPE"]
    assert wrong.evidence["field"] == "version" and wrong.evidence["value"] == '"12"'


def test_esp_idf_retained_flags() -> None:
    """Fed as retained messages (the note says the set topic was retained)."""
    dev = _device(_examples()["esp-idf-homie-esp32"])
    codes = {f.code for f in dev.findings}
    assert "HOMIE-SET-RETAINED" in codes          # reboot/set "(null)" kept by the broker
    assert "HOMIE-RETAINED-MISMATCH" in codes     # ota is declared $retained false
    [stuck] = [f for f in dev.findings if f.code == "HOMIE-VALUE-UNDESCRIBED"]
    assert stuck.evidence["property"] == "esp/reboot" and stuck.evidence["first"] == "(null)"


@pytest.mark.parametrize(("case", "undescribed"), [
    ("esp-idf-homie-esp32", 7), ("bwalink-spa", 14), ("homie4-spec-supercar", 2),
    ("eskomsepush", 2)])
def test_excerpts_report_each_undescribed_property(case: str, undescribed: int) -> None:
    dev = _device(_examples()[case], judge_retain=False)
    incomplete = [f for f in dev.findings if f.code == "HOMIE-PROPERTY-INCOMPLETE"]
    assert len(incomplete) == undescribed
    assert all(f.evidence["missing"] == ["$name", "$datatype"] for f in incomplete)
