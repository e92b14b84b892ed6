"""check_value per datatype, validate_description, the inventory's buffering and bounds, fuzz."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid.ecosystems._homie import HomieInventory, check_value, validate_description

# -- check_value: (datatype, format, payload) valid ------------------------------------------
VALID_V5 = [
    ("integer", None, b"0"), ("integer", None, b"-9223372036854775808"),
    ("integer", "0:10", b"10"), ("integer", ":10", b"-5"), ("integer", "2:6:2", b"4"),
    ("float", None, b"21.5"), ("float", None, b"-1.5e3"), ("float", None, b"5."),
    ("float", "-20:120", b"-20"), ("float", "0:", b"1e2"),
    ("boolean", None, b"true"), ("boolean", "off,on", b"false"),
    ("string", None, b"anything at all"), ("string", None, b"\x00"),
    ("enum", "a,b,c", b"b"), ("enum", "Car, car", b" car"),
    ("color", "rgb", b"rgb,255,0,0"), ("color", "rgb,hsv", b"hsv,360,100,0"),
    ("color", "xyz", b"xyz,0.25,0.34"), ("color", "rgb", b"rgb,12.5,0,0"),
    ("datetime", None, b"2024-05-01T12:00:00Z"),
    ("datetime", None, b"2099-01-01T01:01:01.000001+01:52"),
    ("datetime", None, b"2024-05-01"),
    ("duration", None, b"PT12H5M46S"), ("duration", None, b"PT5M"), ("duration", None, b"PT0.5S"),
    ("json", None, b'{"a": [1, 2]}'), ("json", None, b"[]"),
]
INVALID_V5 = [
    ("integer", None, b"1.0"), ("integer", None, b"-"), ("integer", None, b" 1"),
    ("integer", None, b"9223372036854775808"), ("integer", None, b"1" * 5000),
    ("integer", "0:10", b"11"), ("integer", None, b"\x00"),
    ("float", None, b"NaN"), ("float", None, b"Infinity"), ("float", None, b"1,5"),
    ("float", None, b"+1"), ("float", None, b"1e999"), ("float", "-20:120", b"121"),
    ("float", None, b"-"), ("float", None, b"1.2.3"),
    ("boolean", None, b"TRUE"), ("boolean", "off,on", b"on"), ("boolean", None, b"1"),
    ("enum", "a,b,c", b"d"), ("enum", "a,b", b"A"), ("enum", "a,b", b" a"),
    ("color", "rgb", b"255,0,0"), ("color", "rgb", b"hsv,1,1,1"), ("color", "rgb", b"rgb,256,0,0"),
    ("color", "rgb", b"rgb, 1,2,3"), ("color", "xyz", b"xyz,0.5,1.5"), ("color", "rgb", b"rgb,1,2"),
    ("datetime", None, b"yesterday"), ("datetime", None, b"2024-13-01"),
    ("duration", None, b"PT"), ("duration", None, b"5 minutes"), ("duration", None, b"P1D"),
    ("json", None, b"1"), ("json", None, b'"text"'), ("json", None, b"{"),
    ("string", None, b""), ("string", None, b"\xff\xfe"), ("string", None, b"\xef\xbb\xbfBOM"),
    ("number", None, b"1"),
]


@pytest.mark.parametrize(("datatype", "fmt", "payload"), VALID_V5)
def test_valid_v5_values(datatype: str, fmt: str | None, payload: bytes) -> None:
    assert check_value(datatype, fmt, payload) is None


@pytest.mark.parametrize(("datatype", "fmt", "payload"), INVALID_V5)
def test_invalid_v5_values(datatype: str, fmt: str | None, payload: bytes) -> None:
    problem = check_value(datatype, fmt, payload)
    assert isinstance(problem, str) and problem


@pytest.mark.parametrize(("datatype", "fmt", "payload", "ok"), [
    ("color", "rgb", b"255,255,0", True), ("color", "hsv", b"360,100,100", True),
    ("color", "rgb", b"256,0,0", False), ("color", "rgb", b"rgb,1,2,3", False),
    ("color", "hsv", b"60,101,0", False), ("color", "rgb", b"1.5,0,0", False),
    ("string", None, b"", True), ("integer", None, b"", False),
    ("enum", "on, off", b"off", True),          # v4: surrounding whitespace is not significant
    ("datetime", None, b"2024-05-01T12:00:00", True), ("json", None, b"[]", False),
    ("boolean", None, b"false", True), ("integer", "0:10", b"-1", False),
])
def test_v4_values(datatype: str, fmt: str | None, payload: bytes, ok: bool) -> None:
    assert (check_value(datatype, fmt, payload, version=4) is None) is ok


def test_value_with_an_unusable_format_is_judged_by_datatype_only() -> None:
    assert check_value("integer", "ten:twenty", b"5") is None
    assert check_value("integer", "ten:twenty", b"x") is not None
    assert check_value("enum", None, b"whatever") is None  # cannot be judged without a format


def test_unknown_version_is_misuse() -> None:
    with pytest.raises(ValueError, match="4 or 5"):
        check_value("string", None, b"x", version=3)


# -- validate_description -------------------------------------------------------------------
def _codes(payload: bytes) -> list[str]:
    return [f.code for f in validate_description(payload)[0]]


def test_description_defaults_and_fields() -> None:
    doc = {"homie": "5.0", "version": 3, "name": "Bridge", "type": "x.bridge",
           "children": ["a", "b"], "extensions": ["org.example.x"],
           "nodes": {"n": {"name": "N", "properties": {"p": {"datatype": "float"}}},
                     "m": {}}}
    findings, parsed = validate_description(json.dumps(doc).encode(), subject="s", t=1.0)
    assert findings == []
    assert parsed is not None
    assert (parsed.homie, parsed.version, parsed.name, parsed.type) == ("5.0", 3, "Bridge",
                                                                       "x.bridge")
    assert parsed.children == ("a", "b") and parsed.extensions == ("org.example.x",)
    assert dict(parsed.nodes) == {"n": "N", "m": None}
    [prop] = parsed.properties
    assert (prop.node, prop.id, prop.datatype, prop.settable, prop.retained) == (
        "n", "p", "float", False, True)


@pytest.mark.parametrize(("payload", "code"), [
    (b"[]", "HOMIE-DESC-INVALID-JSON"),
    (b"not json", "HOMIE-DESC-INVALID-JSON"),
    (b"[" * 60000, "HOMIE-DESC-INVALID-JSON"),
    (b"\xff{}", "HOMIE-PAYLOAD-ENCODING"),
    (b" " * (64 * 1024 + 1), "HOMIE-LIMIT"),
    (b'{"homie": "5.0", "version": true, "name": "x"}', "HOMIE-DESC-FIELD-TYPE"),
    (b'{"homie": 5, "version": 1, "name": "x"}', "HOMIE-DESC-FIELD-TYPE"),
    (b'{"homie": "4.0", "version": 1, "name": "x"}', "HOMIE-VERSION-MISMATCH"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": []}', "HOMIE-DESC-FIELD-TYPE"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "parent": "p"}', "HOMIE-DESC-FIELD-MISSING"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "children": ["A"]}', "HOMIE-ID-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": 1}}', "HOMIE-DESC-FIELD-TYPE"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"N": {}}}', "HOMIE-ID-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "string", "settable": "yes"}}}}}', "HOMIE-DESC-FIELD-TYPE"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "color", "format": "rgb,cmyk"}}}}}', "HOMIE-FORMAT-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "enum", "format": "a,,b"}}}}}', "HOMIE-FORMAT-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "enum", "format": "a,a"}}}}}', "HOMIE-FORMAT-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "boolean", "format": "off"}}}}}', "HOMIE-FORMAT-INVALID"),
    (b'{"homie": "5.0", "version": 1, "name": "x", "nodes": {"n": {"properties": '
     b'{"p": {"datatype": "float", "format": "0:10:0"}}}}}', "HOMIE-FORMAT-INVALID"),
])
def test_description_problems(payload: bytes, code: str) -> None:
    assert code in _codes(payload)


def test_description_evidence_is_cut() -> None:
    doc = {"homie": "5.0", "version": "x" * 5000, "name": "n"}
    [f] = validate_description(json.dumps(doc).encode())[0]
    assert f.code == "HOMIE-DESC-FIELD-TYPE" and len(f.evidence["value"]) <= 256


# -- the inventory ----------------------------------------------------------------------------
V5_DESC = json.dumps({"homie": "5.0", "version": 1, "name": "L", "nodes": {"n": {"properties": {
    "p": {"datatype": "integer", "format": "0:10"},
    "e": {"datatype": "enum", "format": "a,b", "retained": False}}}}}).encode()


def test_v5_values_before_the_description_are_judged_when_it_arrives() -> None:
    inv = HomieInventory()
    inv.add("homie/5/l/n/p", b"99", retain=True, t=1.0)
    inv.add("homie/5/l/$state", b"init", retain=True, t=2.0)
    inv.add("homie/5/l/$description", V5_DESC, retain=True, t=3.0)
    inv.add("homie/5/l/$state", b"ready", retain=True, t=4.0)
    [dev] = inv.devices()
    [bad] = dev.findings
    assert bad.code == "HOMIE-VALUE-INVALID" and bad.t == 1.0
    assert bad.evidence["property"] == "n/p" and bad.evidence["payload"] == "99"


def test_v4_value_before_its_datatype_is_judged_with_the_final_attributes() -> None:
    inv = HomieInventory()
    for topic, payload in [
        ("homie/d/n/p", b"12"), ("homie/d/$homie", b"4.0.0"), ("homie/d/$name", b"D"),
        ("homie/d/$extensions", b"x"), ("homie/d/$nodes", b"n"), ("homie/d/n/$name", b"N"),
        ("homie/d/n/$type", b"t"), ("homie/d/n/$properties", b"p"), ("homie/d/n/p/$name", b"P"),
        ("homie/d/n/p/$datatype", b"integer"), ("homie/d/n/p/$format", b"0:10"),
        ("homie/d/$state", b"ready"),
    ]:
        inv.add(topic, payload, retain=True)
    [dev] = inv.devices()
    assert [f.code for f in dev.findings] == ["HOMIE-VALUE-INVALID"]
    assert "above the format's maximum" in dev.findings[0].message


def test_runtime_findings_are_aggregated() -> None:
    inv = HomieInventory()
    inv.add("homie/5/l/$state", b"init", retain=True)
    inv.add("homie/5/l/$description", V5_DESC, retain=True)
    inv.add("homie/5/l/$state", b"ready", retain=True)
    for i in range(500):
        inv.add("homie/5/l/n/p", b"x", retain=True, t=float(i))
        inv.add("homie/5/l/n/e", b"a", retain=False, t=float(i))  # fine: non-retained
    [dev] = inv.devices()
    [agg] = dev.findings
    assert agg.code == "HOMIE-VALUE-INVALID"
    assert agg.evidence["count"] == 500 and agg.evidence["last_t"] == 499.0
    assert dev.messages == 1003


def test_pending_values_are_bounded() -> None:
    inv = HomieInventory()
    for i in range(50):
        inv.add("homie/5/l/n/p", str(i).encode(), retain=True)
    [dev] = inv.devices()
    by_code = {f.code: f for f in dev.findings}
    assert by_code["HOMIE-LIMIT"].evidence["count"] == 42
    assert by_code["HOMIE-VALUE-UNDESCRIBED"].evidence["count"] == 8


def test_devices_are_bounded_and_the_rest_are_orphan_findings() -> None:
    inv = HomieInventory(max_devices=2)
    for name in ("a", "b", "c", "d"):
        inv.add(f"homie/5/{name}/$state", b"ready", retain=True)
    assert [d.id for d in inv.devices()] == ["homie:homie/a", "homie:homie/b"]
    [limit] = inv.orphan_findings()
    assert limit.code == "HOMIE-LIMIT" and limit.evidence["count"] == 2


def test_zero_length_state_removes_the_device() -> None:
    inv = HomieInventory()
    inv.add("homie/5/l/$description", V5_DESC, retain=True)
    inv.add("homie/5/l/$state", b"ready", retain=True)
    inv.add("homie/5/l/$state", b"", retain=False)
    [dev] = inv.devices()
    assert dev.state is None and dev.findings == ()


def test_broadcast_and_foreign_topics() -> None:
    inv = HomieInventory()
    assert inv.add("homie/5/$broadcast/alert", b"x") and inv.add("homie/$broadcast/a", b"x")
    assert not inv.claims("homeassistant/sensor/x/config")
    assert not inv.add("homeassistant/sensor/x/config", b"{}")
    assert inv.devices() == [] and inv.messages == 2


def test_target_is_judged_like_a_value() -> None:
    inv = HomieInventory()
    inv.add("homie/5/l/$state", b"ready", retain=True)
    inv.add("homie/5/l/$description", V5_DESC, retain=True)
    inv.add("homie/5/l/n/p/$target", b"11", retain=True)
    [dev] = inv.devices()
    bad = [f for f in dev.findings if f.code == "HOMIE-VALUE-INVALID"]
    assert bad and "n/p/$target" in bad[0].message


def test_devices_is_a_snapshot() -> None:
    inv = HomieInventory()
    inv.add("homie/5/l/n/p", b"1", retain=True)
    first = inv.devices()
    assert first == inv.devices()
    assert {f.code for f in first[0].findings} == {
        "HOMIE-STATE-MISSING", "HOMIE-DESCRIPTION-MISSING", "HOMIE-VALUE-UNDESCRIBED"}
    inv.add("homie/5/l/$description", V5_DESC, retain=True)
    inv.add("homie/5/l/$state", b"ready", retain=True)
    assert inv.devices()[0].findings == ()


# -- fuzz ------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["homie", "version", "name", "nodes", "properties", "datatype",
                         "format", "settable", "retained", "children", "root", "parent", "x"]),
        inner, max_size=6),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_fuzz_validate_description(payload: bytes) -> None:
    findings, parsed = validate_description(payload)
    assert parsed is not None or findings


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["integer", "float", "boolean", "string", "enum", "color", "datetime",
                        "duration", "json", "x"]),
       st.none() | st.text(max_size=12), st.binary(max_size=40), st.sampled_from([4, 5]))
def test_fuzz_check_value(datatype: str, fmt: str | None, payload: bytes, version: int) -> None:
    problem = check_value(datatype, fmt, payload, version=version)
    assert problem is None or isinstance(problem, str)


topic_level = st.sampled_from(["homie", "5", "dev", "n", "p", "set", "$state", "$description",
                               "$homie", "$nodes", "$properties", "$datatype", "$format",
                               "$target", "$broadcast", "", "X", "-a"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(topic_level, min_size=1, max_size=6), st.binary(max_size=30),
                          st.booleans()), max_size=25))
def test_fuzz_inventory_add(messages: list[tuple[list[str], bytes, bool]]) -> None:
    inv = HomieInventory()
    for levels, payload, retain in messages:
        assert inv.add("/".join(levels), payload, retain=retain, t=0.0) in (True, False)
    for dev in inv.devices():
        assert dev.id.startswith("homie:")
        for f in dev.findings:
            assert f.code.startswith("HOMIE-") and f.subject == dev.id
            assert all(len(v) <= 256 for v in f.evidence.values() if isinstance(v, str))
    assert all(f.code == "HOMIE-LIMIT" for f in inv.orphan_findings())
