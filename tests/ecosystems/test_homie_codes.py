"""Every HOMIE-* code: a case that triggers it, and the same case fixed (no findings at all)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from devid import REGISTRY, Severity
from devid.ecosystems._homie import HomieInventory
from devid.ecosystems._model import EcoDevice

Msg = tuple[str, bytes, bool]
"""(topic, payload, retain flag)"""


def _msgs(pairs: list[tuple[str, str | bytes | None]], *, live: tuple[str, ...] = ()) -> list[Msg]:
    """Messages from (topic suffix, payload) pairs; None payloads are left out.

    Everything is retained except set topics and the suffixes named in ``live``.
    """
    out: list[Msg] = []
    for topic, payload in pairs:
        if payload is None:
            continue
        data = payload if isinstance(payload, bytes) else payload.encode()
        out.append((topic, data, not topic.endswith("/set") and topic not in live))
    return out


V4_BASE: dict[str, str | bytes | None] = {
    "homie/dev/$state": "init",
    "homie/dev/$homie": "4.0.0",
    "homie/dev/$name": "Dev",
    "homie/dev/$extensions": "org.example.thing:1.0:[4.x]",
    "homie/dev/$nodes": "n",
    "homie/dev/n/$name": "Node",
    "homie/dev/n/$type": "sensor",
    "homie/dev/n/$properties": "p",
    "homie/dev/n/p/$name": "Level",
    "homie/dev/n/p/$datatype": "integer",
    "homie/dev/n/p/$format": "0:10",
    "homie/dev/n/p/$settable": "true",
    "homie/dev/n/p": "5",
}


def v4(changes: dict[str, str | bytes | None] | None = None, *, last_state: str = "ready",
       extra: Sequence[tuple[str, str | bytes | None]] = (), live: tuple[str, ...] = (),
       device: str = "dev") -> list[Msg]:
    pairs = list({**V4_BASE, **(changes or {})}.items()) + list(extra)
    pairs.append(("homie/dev/$state", last_state))
    pairs = [(topic.replace("homie/dev/", f"homie/{device}/", 1), p) for topic, p in pairs]
    return _msgs(pairs, live=live)


DESC: dict[str, Any] = {
    "homie": "5.0", "version": 1, "name": "Lamp",
    "nodes": {"light": {"name": "Light", "properties": {
        "power": {"datatype": "boolean", "settable": True},
        "level": {"datatype": "integer", "format": "0:100"}}}},
}


def v5(desc: dict[str, Any] | str | bytes | None = None, *,
       extra: Sequence[tuple[str, str | bytes | None]] = (),
       states: tuple[str | None, ...] = ("init", "DESC", "ready"),
       live: tuple[str, ...] = ()) -> list[Msg]:
    body = DESC if desc is None else desc
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    pairs: list[tuple[str, str | bytes | None]] = []
    for state in states:
        if state == "DESC":
            pairs.append(("homie/5/lamp/$description", data))
        elif state is not None:
            pairs.append(("homie/5/lamp/$state", state))
    pairs += [("homie/5/lamp/light/power", "true"), ("homie/5/lamp/light/level", "40")]
    return _msgs(pairs + list(extra), live=live)


def with_desc(**changes: Any) -> dict[str, Any]:
    desc: dict[str, Any] = json.loads(json.dumps(DESC))
    return {**desc, **changes}


def with_prop(**fields: Any) -> dict[str, Any]:
    desc = with_desc()
    desc["nodes"]["light"]["properties"]["extra"] = fields
    return desc


def run(msgs: list[Msg], **kwargs: Any) -> tuple[list[EcoDevice], HomieInventory]:
    inv = HomieInventory(**kwargs)
    for i, (topic, payload, retain) in enumerate(msgs):
        inv.add(topic, payload, retain=retain, t=float(i))
    return inv.devices(), inv


def codes(msgs: list[Msg], **kwargs: Any) -> set[str]:
    devices, inv = run(msgs, **kwargs)
    return {f.code for d in devices for f in d.findings} | {f.code for f in inv.orphan_findings()}


BIG = b"1" * (64 * 1024 + 1)
MISPLACED = with_desc()
MISPLACED["nodes"]["light"]["action"] = {"type": "enum", "format": "a,b"}
PLACED = with_prop(datatype="enum", format="a,b")

# code -> (triggering case, the same case fixed, inventory keyword arguments)
Case = Callable[[], list[Msg]]
TRIGGERS: dict[str, tuple[Case, Case, dict[str, Any]]] = {
    "HOMIE-ID-INVALID": (lambda: v4(device="Dev_1"), lambda: v4(device="dev-1"), {}),
    "HOMIE-ID-HYPHEN": (lambda: v4(device="dev-"), lambda: v4(device="dev"), {}),
    "HOMIE-PAYLOAD-ENCODING": (lambda: v4({"homie/dev/$name": b"\xffDev"}), v4, {}),
    "HOMIE-TOPIC-UNKNOWN": (lambda: v4(extra=[("homie/dev/n", "x")]), v4, {}),
    "HOMIE-LIMIT": (lambda: v4({"homie/dev/n/p": BIG}), v4, {}),
    "HOMIE-STATE-MISSING": (lambda: v5(states=("DESC",)), v5, {}),
    "HOMIE-STATE-INVALID": (lambda: v4(last_state="online"), v4, {}),
    "HOMIE-STATE-NOT-READY": (lambda: v4(last_state="init"), v4, {}),
    "HOMIE-STATE-ORDER": (lambda: v5(states=("ready", "DESC")),
                          lambda: v5(states=("init", "DESC", "ready")), {}),
    "HOMIE-ATTR-MISSING": (lambda: v4({"homie/dev/$homie": None}), v4, {}),
    "HOMIE-ATTR-INVALID": (lambda: v4({"homie/dev/n/p/$settable": "yes"}), v4, {}),
    "HOMIE-VERSION-MISMATCH": (lambda: v4({"homie/dev/$homie": "3.0.1"}), v4, {}),
    "HOMIE-NODE-INCOMPLETE": (lambda: v4({"homie/dev/n/$type": None}), v4, {}),
    "HOMIE-NODE-UNLISTED": (
        lambda: v4(extra=[("homie/dev/m/$name", "M"), ("homie/dev/m/$type", "t"),
                          ("homie/dev/m/$properties", "")]),
        lambda: v4({"homie/dev/$nodes": "n,m"},
                   extra=[("homie/dev/m/$name", "M"), ("homie/dev/m/$type", "t"),
                          ("homie/dev/m/$properties", "q"), ("homie/dev/m/q/$name", "Q"),
                          ("homie/dev/m/q/$datatype", "string")]), {}),
    "HOMIE-PROPERTY-INCOMPLETE": (lambda: v4({"homie/dev/n/p/$datatype": None}),
                                  v4, {}),
    "HOMIE-PROPERTY-UNLISTED": (
        lambda: v4(extra=[("homie/dev/n/q/$name", "Q"), ("homie/dev/n/q/$datatype", "string")]),
        lambda: v4({"homie/dev/n/$properties": "p,q"},
                   extra=[("homie/dev/n/q/$name", "Q"), ("homie/dev/n/q/$datatype", "string")]),
        {}),
    "HOMIE-DESCRIPTION-MISSING": (lambda: v5(states=("init", "ready")), v5, {}),
    "HOMIE-DESC-INVALID-JSON": (lambda: v5('{"homie": "5.0",'), v5, {}),
    "HOMIE-DESC-FIELD-MISSING": (lambda: v5({k: v for k, v in DESC.items() if k != "version"}),
                                 v5, {}),
    "HOMIE-DESC-FIELD-TYPE": (lambda: v5(with_desc(version="1")), v5, {}),
    "HOMIE-DESC-MISPLACED-PROPERTY": (lambda: v5(MISPLACED), lambda: v5(PLACED), {}),
    "HOMIE-DESC-UNKNOWN-FIELD": (lambda: v5(with_desc(id="lamp")), v5, {}),
    "HOMIE-DESCRIPTION-CHANGED": (
        lambda: v5(extra=[("homie/5/lamp/$description", json.dumps(with_desc(version=2)))]),
        lambda: v5(extra=[("homie/5/lamp/$state", "init"),
                          ("homie/5/lamp/$description", json.dumps(with_desc(version=2))),
                          ("homie/5/lamp/$state", "ready")]), {}),
    "HOMIE-DATATYPE-UNKNOWN": (lambda: v5(with_prop(datatype="number")),
                               lambda: v5(with_prop(datatype="float")), {}),
    "HOMIE-FORMAT-MISSING": (lambda: v5(with_prop(datatype="enum")),
                             lambda: v5(with_prop(datatype="enum", format="a,b")), {}),
    "HOMIE-FORMAT-INVALID": (lambda: v5(with_prop(datatype="integer", format="10:0")),
                             lambda: v5(with_prop(datatype="integer", format="0:10")), {}),
    "HOMIE-VALUE-INVALID": (lambda: v4({"homie/dev/n/p": "abc"}), v4, {}),
    "HOMIE-VALUE-UNDESCRIBED": (lambda: v5(extra=[("homie/5/lamp/light/color", "red")]),
                                v5, {}),
    "HOMIE-NOT-RETAINED": (lambda: v4(live=("homie/dev/$name",)), v4, {}),
    "HOMIE-RETAINED-MISMATCH": (
        lambda: v4({"homie/dev/n/p/$retained": "false"}),
        lambda: v4({"homie/dev/n/p/$retained": "false"}, live=("homie/dev/n/p",)), {}),
    "HOMIE-SET-RETAINED": (
        lambda: [*v4(), ("homie/dev/n/p/set", b"3", True)],
        lambda: [*v4(), ("homie/dev/n/p/set", b"3", False)], {}),
    "HOMIE-SET-NOT-SETTABLE": (lambda: v5(extra=[("homie/5/lamp/light/level/set", "3")]),
                               lambda: v5(extra=[("homie/5/lamp/light/power/set", "false")]), {}),
    "HOMIE-SET-INVALID": (lambda: v4(extra=[("homie/dev/n/p/set", "eleven")]),
                          lambda: v4(extra=[("homie/dev/n/p/set", "10")]), {}),
}


def test_every_homie_code_has_a_trigger() -> None:
    registered = {code for code in REGISTRY if code.startswith("HOMIE-")}
    assert registered == set(TRIGGERS)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_code_is_triggered(code: str) -> None:
    bad, _, kwargs = TRIGGERS[code]
    assert code in codes(bad(), **kwargs)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_fixed_case_has_no_findings(code: str) -> None:
    _, good, kwargs = TRIGGERS[code]
    devices, inv = run(good(), **kwargs)
    assert [(f.code, f.message) for d in devices for f in d.findings] == []
    assert inv.orphan_findings() == []
    assert all(d.valid for d in devices)


def test_hyphen_is_an_error_in_v4_and_a_warning_in_v5() -> None:
    devices, _ = run(v4(device="-dev"))
    [v4_hyphen] = [f for f in devices[0].findings if f.code == "HOMIE-ID-HYPHEN"]
    assert v4_hyphen.severity is Severity.ERROR
    msgs = [(t.replace("homie/5/lamp/", "homie/5/lamp-/"), p, r) for t, p, r in v5()]
    devices, _ = run(msgs)
    [v5_hyphen] = [f for f in devices[0].findings if f.code == "HOMIE-ID-HYPHEN"]
    assert v5_hyphen.severity is Severity.WARNING
    assert devices[0].valid


def test_missing_extensions_is_only_a_warning() -> None:
    devices, _ = run(v4({"homie/dev/$extensions": None}))
    [missing] = devices[0].findings
    assert missing.code == "HOMIE-ATTR-MISSING" and missing.severity is Severity.WARNING
    assert devices[0].valid


def test_invalid_json_schema_format_is_a_warning() -> None:
    devices, _ = run(v5(with_prop(datatype="json", format="{not json")))
    [bad] = devices[0].findings
    assert bad.code == "HOMIE-FORMAT-INVALID" and bad.severity is Severity.WARNING


def test_retain_flags_are_not_judged_when_told_not_to() -> None:
    msgs = v4(live=("homie/dev/$name", "homie/dev/n/p"))
    msgs.append(("homie/dev/n/p/set", b"3", True))
    assert codes(msgs, judge_retain=False) == set()
    assert {"HOMIE-NOT-RETAINED", "HOMIE-SET-RETAINED"} <= codes(msgs)
