"""Bad input is data: any bytes and any JSON give findings, never an exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid.ecosystems._ha import HaInventory, validate_config
from devid.ecosystems._ha_tables import ABBREVIATIONS, DEVICE_ABBREVIATIONS

KEYS = st.sampled_from(sorted(set(ABBREVIATIONS) | set(ABBREVIATIONS.values())
                              | set(DEVICE_ABBREVIATIONS) | {"~", "dev", "o", "cmps", "p"}))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["~", "~/x", "a/+/b", "#", ""]))
JSON: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.one_of(KEYS, st.text(max_size=8)), inner, max_size=6),
    max_leaves=30)
TOPICS = st.one_of(
    st.builds(lambda c, n: f"homeassistant/{c}/{n}/config",
              st.sampled_from(["sensor", "binary_sensor", "switch", "light", "device",
                               "select", "cover", "timer", "climate"]),
              st.text(alphabet="ab_-/ :é", min_size=0, max_size=6)),
    st.text(max_size=20))
SMOKE = settings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@SMOKE
@given(TOPICS, st.one_of(st.binary(max_size=200),
                         JSON.map(lambda v: json.dumps(v).encode())))
def test_validate_config_never_raises(topic: str, payload: bytes) -> None:
    result = validate_config(topic, payload, t=1.0)
    for f in result.findings:
        f.to_dict()
        json.dumps(dict(f.evidence))


@SMOKE
@given(st.lists(st.tuples(st.sampled_from(["homeassistant/sensor/a/config",
                                           "homeassistant/device/d/config",
                                           "homeassistant/binary_sensor/n/b/config",
                                           "s", "a/b", "x/y"]),
                          st.one_of(st.binary(max_size=64),
                                    JSON.map(lambda v: json.dumps(v).encode()),
                                    st.builds(lambda d, s: json.dumps(
                                        dict(d, stat_t=s, avty_t="a/b")).encode(),
                                        st.dictionaries(KEYS, SCALARS, max_size=5),
                                        st.sampled_from(["s", "x/y", "+/y"]))),
                          st.booleans()),
                max_size=12))
def test_the_inventory_never_raises_and_reports_json_ready_devices(
        messages: list[tuple[str, bytes, bool]]) -> None:
    inv = HaInventory()
    for i, (topic, payload, retain) in enumerate(messages):
        inv.add(topic, payload, retain=retain, t=float(i))
    for dev in inv.devices():
        json.dumps(dev.to_dict())
    for f in inv.orphan_findings():
        json.dumps(f.to_dict())


@SMOKE
@given(st.one_of(JSON.map(json.dumps), st.text(alphabet=' {}[]",:0123456789.eE-+ntrufalsx',
                                               max_size=30)))
def test_the_fast_json_reader_agrees_with_the_standard_library(text: str) -> None:
    from devid.ecosystems._ha import _loads

    def reject(name: str) -> Any:
        raise ValueError(name)

    try:
        expected: Any = json.loads(text, parse_constant=reject)
    except (ValueError, RecursionError):
        expected = ValueError
    try:
        got: Any = _loads(text)
    except (ValueError, RecursionError):
        got = ValueError
    assert got == expected or (got != got and expected != expected)
