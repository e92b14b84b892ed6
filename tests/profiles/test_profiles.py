"""Profile documents: the shipped ones, the schema, loading, extends and lint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid._check import value_problem
from devid._profiles import (
    UCUM_UNITS,
    ProfileError,
    builtin_profile_dir,
    lint_profile,
    list_profiles,
    load_profile,
    profile_json_schema,
    read_document,
)
from devid.cli import cli

SHIPPED = sorted(builtin_profile_dir().glob("*.yaml"))
CLASSES = [
    "smart-lock/1", "door-window-contact/1", "motion-sensor/1", "smoke-co-alarm/1",
    "water-leak-sensor/1", "siren/1", "alarm-panel/1", "ip-camera/1", "access-terminal/1",
    "light/1", "smart-plug/1", "thermostat/1", "env-sensor/1",
]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_profile_lints_clean(path: Path) -> None:
    assert lint_profile(path) == []


def test_the_device_classes_of_the_issue_are_shipped() -> None:
    ids = {s.id for s in list_profiles()}
    assert set(CLASSES) <= ids
    assert "core/1" in ids
    assert len(SHIPPED) >= 14


@pytest.mark.parametrize("pid", CLASSES)
def test_each_class_extends_core_and_cites_standards(pid: str) -> None:
    p = load_profile(pid)
    assert p.lineage[-1] == "core/1"
    assert p.retained == {"identity", "status", "state"}
    assert p.heartbeat_s > 0
    assert len(p.standards) > len(load_profile("core/1").standards)
    assert p.required, "a device class states what it must report"
    for name, spec in p.properties.items():
        if spec.unit is not None:
            assert spec.unit in UCUM_UNITS, (pid, name)
    for cmd in p.commands.values():
        assert cmd.ack_deadline_s > 0


def test_smart_lock_exact_content() -> None:
    p = load_profile("smart-lock/1")
    assert (p.id, p.name, p.version, p.heartbeat_s) == ("smart-lock/1", "smart-lock", 1, 60)
    locked, battery, door = p.properties["locked"], p.properties["battery"], p.properties["door"]
    assert (locked.type, locked.required) == ("boolean", True)
    assert (battery.type, battery.unit, battery.minimum, battery.maximum, battery.required) == (
        "integer", "%", 0, 100, True)
    assert (door.type, door.enum, door.required) == ("enum", ("open", "closed", "unknown"), False)
    assert {"tamper", "jammed"} <= set(p.events)
    assert {"lock", "unlock", "set-code"} <= set(p.commands)
    for name in ("lock", "unlock", "set-code"):
        assert p.commands[name].ack_deadline_s == 2
    code = p.commands["set-code"].args["code"]
    assert (code.data_class, code.required, code.type) == ("sensitive", True, "string")
    assert p.apply_command("lock", {}) == {"locked": True}
    assert p.apply_command("unlock", {}) == {"locked": False}
    assert p.apply_command("set-code", {"code": "1"}) == {}


def test_env_sensor_exact_content() -> None:
    p = load_profile("env-sensor/1")
    assert p.heartbeat_s == 300
    t, h = p.properties["temperature"], p.properties["humidity"]
    assert (t.type, t.unit, t.minimum, t.maximum, t.required) == ("number", "Cel", -40, 85, True)
    assert (h.type, h.unit, h.minimum, h.maximum, h.required) == ("number", "%", 0, 100, True)
    assert "temperature_uncertainty" in p.properties


def test_access_terminal_and_camera_keep_sensitive_media_off_the_wire() -> None:
    at = load_profile("access-terminal/1")
    assert {"template", "face_image", "iris_code", "vein_pattern"} <= set(at.forbidden_fields)
    modalities = at.properties["modalities"].items
    assert modalities is not None and set(modalities.enum or ()) == {
        "face", "finger-vein", "iris", "card", "pin"}
    for event in at.events.values():
        assert not set(event.data) & set(at.forbidden_fields)
        assert all(spec.type != "bytes" for spec in event.data.values())
    cam = load_profile("ip-camera/1")
    assert {"video", "frame", "image"} <= set(cam.forbidden_fields)
    assert "streams" in cam.properties


def test_smart_plug_meters_energy_with_an_accuracy_class() -> None:
    p = load_profile("smart-plug/1")
    assert p.properties["power"].unit == "W"
    assert p.properties["energy"].unit == "kW.h"
    assert "1" in (p.properties["accuracy_class"].enum or ())
    assert any("62053" in s for s in p.standards)


def test_declarative_sets_with_argument_references() -> None:
    p = load_profile("thermostat/1")
    assert p.apply_command("set-target", {"temperature": 21.5}) == {"target_temperature": 21.5}
    assert load_profile("siren/1").apply_command("activate", {"tone": "fire"}) == {
        "active": True, "tone": "fire"}
    assert p.apply_command("no-such-command", {}) == {}


def test_initial_state_is_valid_for_every_profile() -> None:
    for pid in CLASSES:
        p = load_profile(pid)
        for name, value in p.initial_state().items():
            assert value_problem(p.properties[name], value) is None, (pid, name, value)


# -- loading and errors --------------------------------------------------------------------


def test_unknown_id_is_a_one_line_profile_error() -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile("no-such/1")
    assert "\n" not in str(exc.value) and "no-such/1" in str(exc.value)
    assert isinstance(exc.value, ValueError)
    with pytest.raises(ProfileError):
        load_profile("Smart Lock")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_key_is_named_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.yaml", (
        "id: acme-lock/1\n"
        "extends: smart-lock/1\n"
        "properties:\n"
        "  auto_relock:\n"
        "    type: integer\n"
        "    units: s\n"          # line 6: the typo
    ))
    [f] = lint_profile(path)
    assert f.code == "PROFILE-INVALID"
    assert f"{path}:6" in f.message and "'units'" in f.message
    assert f.evidence["line"] == 6
    with pytest.raises(ProfileError, match=r"x\.yaml:6: unknown key 'units'"):
        load_profile(path)


def test_vendor_extension_resolves_against_the_shipped_parent(tmp_path: Path) -> None:
    path = _write(tmp_path, "acme-plug-1.yaml", (
        "id: acme-plug/1\nextends: smart-plug/1\ntitle: Acme plug\n"
        "standards: [\"IEC 62053-21\"]\n"
        "properties:\n  power_factor:\n    type: number\n    unit: \"1\"\n"
        "    minimum: -1\n    maximum: 1\n"
        "commands:\n  \"on\":\n    ack_deadline_s: 1\n    sets: {\"on\": true}\n"))
    assert lint_profile(path) == []
    p = load_profile("acme-plug/1", extra_dirs=[tmp_path])
    assert p.lineage == ("acme-plug/1", "smart-plug/1", "core/1")
    assert {"power", "energy", "power_factor"} <= set(p.properties)
    assert p.commands["on"].ack_deadline_s == 1
    assert p.commands["off"].ack_deadline_s == 2
    assert p.heartbeat_s == 60
    assert load_profile(path).id == "acme-plug/1"
    assert "acme-plug/1" in {s.id for s in list_profiles(extra_dirs=[tmp_path])}


@pytest.mark.parametrize(("body", "needle"), [
    ("id: a/1\nextends: nope/1\n", "extends unknown profile"),
    ("id: a/1\nextends: b/1\nheartbeat_s: 5\n", "cycle"),
    ("id: a/1\nheartbeat_s: 5\n", "must extend core/1"),
    ("id: Bad Id\nextends: core/1\n", "not name/version"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: enum}\n", "non-empty 'enum'"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: number, minimum: 5, maximum: 1}\n",
     "minimum 5.0 > maximum 1.0"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: boolean, unit: Cel}\n",
     "unit applies"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: boolean}\n"
     "commands:\n  go:\n    sets: {x: 3}\n", "expected boolean"),
    ("id: a/1\nextends: core/1\ncommands:\n  go:\n    sets: {y: true}\n", "not a property"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: boolean}\n"
     "commands:\n  go:\n    sets: {x: \"$args.v\"}\n", "no argument 'v'"),
    ("id: a/1\nextends: core/1\nforbidden_fields: {x: why}\nproperties:\n  x: {type: boolean}\n",
     "also declared"),
    ("id: a/1\nextends: core/1\nproperties:\n  x: {type: text}\n", "properties.x.type"),
    ("id: a/1\nextends: core/1\nproperties: [1, 2]\n", "properties"),
    ("- just\n- a list\n", "YAML mapping"),
    ("id: a/1\n  bad: [indent\n", "x.yaml"),
    ("id: a/1\nid: b/1\n", "duplicate"),
])
def test_lint_problems(tmp_path: Path, body: str, needle: str) -> None:
    if "cycle" in needle:
        _write(tmp_path, "b.yaml", "id: b/1\nextends: a/1\n")
    path = _write(tmp_path, "x.yaml", body)
    found = lint_profile(path)
    assert any(f.is_error for f in found)
    assert any(needle in f.message for f in found), [f.message for f in found]


def test_unit_outside_the_table_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.yaml",
                  "id: a/1\nextends: core/1\nproperties:\n  x: {type: number, unit: furlong}\n")
    [f] = lint_profile(path)
    assert (f.code, f.is_error) == ("PROFILE-UNIT", False)


def test_json_schema_validates_shipped_documents() -> None:
    """What `devid profile schema` prints is what an editor validates the raw YAML with."""
    import jsonschema
    from ruamel.yaml import YAML

    schema = profile_json_schema()
    assert schema["additionalProperties"] is False
    for path in SHIPPED:
        raw = YAML(typ="safe").load(path.read_text())
        jsonschema.validate(raw, schema)
        doc = read_document(path).model_dump(mode="json", exclude_none=True)
        jsonschema.validate(doc, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "a/1", "typo": 1}, schema)


# -- CLI -------------------------------------------------------------------------------------


def test_cli_list_show_schema() -> None:
    r = CliRunner().invoke(cli, ["profile", "list", "--json"])
    assert r.exit_code == 0
    ids = [json.loads(line)["id"] for line in r.stdout.splitlines()]
    assert set(CLASSES) <= set(ids)
    r = CliRunner().invoke(cli, ["profile", "show", "smart-lock/1", "--json"])
    assert r.exit_code == 0
    shown = json.loads(r.stdout)
    assert shown["heartbeat_s"] == 60 and shown["lineage"] == ["smart-lock/1", "core/1"]
    assert shown["commands"]["set-code"]["args"]["code"]["data_class"] == "sensitive"
    r = CliRunner().invoke(cli, ["profile", "show", "smart-lock/1"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "set-code" in r.stdout and "EN 14846" in r.stdout
    r = CliRunner().invoke(cli, ["profile", "list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "access-terminal/1" in r.stdout
    r = CliRunner().invoke(cli, ["profile", "schema"])
    assert r.exit_code == 0 and json.loads(r.stdout)["title"] == "devid profile document"
    r = CliRunner().invoke(cli, ["profile", "show", "no-such/1"])
    assert r.exit_code == 2 and "unknown profile" in r.output


def test_cli_lint(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["profile", "lint", str(builtin_profile_dir())])
    assert r.exit_code == 0, r.output
    bad = _write(tmp_path, "bad.yaml", "id: a/1\nextends: core/1\nheartbeat: 5\n")
    r = CliRunner().invoke(cli, ["profile", "lint", str(bad), "--json"])
    assert r.exit_code == 1
    obj = json.loads(r.stdout)
    assert obj["valid"] is False and "'heartbeat'" in obj["findings"][0]["message"]
    r = CliRunner().invoke(cli, ["profile", "lint", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2
