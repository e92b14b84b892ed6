"""Home Assistant MQTT discovery: configs and the runtime messages they announce. Pure.

Two layers (docs/ha.md):

- :func:`validate_config` judges one discovery message in isolation, as HA's
  ``discovery.py`` and the platform schemas would: topic grammar, JSON object,
  abbreviation expansion (:func:`expand_abbreviations`), ``~`` substitution, origin,
  device, device-based discovery (``cmps``) and the per-component rules of
  :mod:`devid.ecosystems._ha_tables`;
- :class:`HaInventory` is the streaming :class:`~devid.ecosystems.Inventory`: it keeps
  the latest config of each discovery id, judges the messages on the topics those
  configs name (state, availability, JSON attributes), and adds the findings that need
  several configs (duplicate ``unique_id``, one identifier shared by different devices).

Nothing here imports a transport; bad input (any bytes, any JSON) is a finding, never an
exception.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from devid._codes import REGISTRY
from devid._findings import Finding, Severity, finding
from devid.ecosystems._ha_tables import (
    ABBREVIATION_KEYS,
    ABBREVIATIONS,
    COMMON_VALUES,
    COMPONENT_RULES,
    CONFIGURATION_URL_SCHEMES,
    DEFAULT_PAYLOAD_AVAILABLE,
    DEFAULT_PAYLOAD_NOT_AVAILABLE,
    DEFAULT_PREFIX,
    DEVICE_ABBREVIATION_KEYS,
    DEVICE_ABBREVIATIONS,
    DEVICE_DISCOVERY_COMPONENT,
    DEVICE_KEYS,
    DEVICE_STRING_KEYS,
    ENUMS,
    ID_CHARS,
    KNOWN_KEYS,
    LIGHT_SCHEMA_REQUIRED,
    LOWERCASED_ENUMS,
    NON_ENTITY_COMPONENTS,
    ORIGIN_ABBREVIATION_KEYS,
    ORIGIN_ABBREVIATIONS,
    ORIGIN_KEYS,
    PAYLOAD_NONE,
    SENSOR_DEVICE_CLASS_STATE_CLASSES,
    SENSOR_DEVICE_CLASS_UNITS,
    SENSOR_NON_NUMERIC_CLASSES,
    SHARED_OPTIONS,
    SUPPORTED_COMPONENTS,
    VALUE_TEMPLATE_KEYS,
    ComponentRule,
)
from devid.ecosystems._ha_template import (
    MISSING,
    TemplatePlan,
    check_template,
    plan_template,
    render_sandbox,
    rendered,
    walk,
)
from devid.ecosystems._model import EcoDevice, Entity, FindingCounter

__all__ = [
    "ConfigResult",
    "DiscoveryTopic",
    "EntityConfig",
    "HaInventory",
    "expand_abbreviations",
    "parse_discovery_topic",
    "validate_config",
]

MAX_PAYLOAD: Final = 64 * 1024
"""Bytes of one message devid judges (configs and runtime messages)."""
MAX_DEPTH: Final = 32
"""Nesting of a config's JSON devid judges."""
MAX_EVIDENCE: Final = 256
"""Characters of a string kept in a finding's evidence."""
PENDING_PER_TOPIC: Final = 4
"""Runtime messages kept per topic that no config has named yet."""
PENDING_TOPICS: Final = 10_000
PENDING_BYTES: Final = 8 * 1024 * 1024
_ID_CHARS = frozenset(ID_CHARS)
_MAC_HEX = frozenset("0123456789abcdefABCDEF")

# -- helpers -----------------------------------------------------------------------------


def _cut(value: Any) -> Any:
    """A JSON-friendly, bounded copy of ``value`` for evidence."""
    if isinstance(value, str):
        return value if len(value) <= MAX_EVIDENCE else value[:MAX_EVIDENCE] + "…"
    if value is None or isinstance(value, bool | int):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return _cut(str(value))
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple) and len(value) <= 20 and all(
            x is None or isinstance(x, str | bool | int | float) for x in value):
        return [_cut(x) for x in value]
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        text = repr(type(value))
    return _cut(text)


def _is_string(v: Any) -> bool:
    """HA ``cv.string``: anything but null, a list or an object (numbers are stringified)."""
    return type(v) is str or (v is not None and not isinstance(v, list | dict))


def _ensure_list(v: Any) -> list[Any]:
    """HA ``cv.ensure_list``."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, counted up to ``limit + 1`` (iterative)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if d > deepest:
            deepest = d
            if deepest > limit:
                return deepest
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values() if isinstance(x, dict | list))
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v if isinstance(x, dict | list))
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_int(text: str) -> int:
    # HA parses with orjson: integers beyond 64 bits are not JSON to it.
    value = int(text)
    if not -(2**63) <= value < 2**64:
        raise ValueError("integer exceeds 64-bit range")
    return value


_Scanner = Callable[[str, int], tuple[Any, int]]
# The decoders' (C) scanners; typeshed does not declare the attribute.
_STRICT_SCAN: _Scanner = json.JSONDecoder(  # type: ignore[attr-defined]
    parse_constant=_reject_constant, parse_int=_parse_int).scan_once
_SCAN: _Scanner = json.JSONDecoder(  # type: ignore[attr-defined]
    parse_constant=_reject_constant).scan_once
_JSON_SPACE = " \t\n\r"


def _scan(scan: _Scanner, text: str) -> Any:
    """``json.loads`` without its wrapper layers (the C scanner, then the same checks)."""
    try:
        obj, end = scan(text, 0)
    except StopIteration:
        obj, end = None, -1
    if end == len(text):
        return obj
    if end >= 0 and not text[end:].strip(_JSON_SPACE):
        return obj
    # leading whitespace, trailing data or no value: the stdlib's answer (and error)
    return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int) \
        if scan is _STRICT_SCAN else json.loads(text, parse_constant=_reject_constant)


def _loads_strict(text: str) -> Any:
    """JSON as HA's orjson reads it (no NaN/Infinity, integers within 64 bits)."""
    return _scan(_STRICT_SCAN, text)


def _loads(text: str) -> Any:
    """JSON of a runtime message (the hot path)."""
    return _scan(_SCAN, text)


def _is_mac(value: str) -> bool:
    """The forms HA's ``format_mac`` recognises."""
    if len(value) == 17 and (value.count(":") == 5 or value.count("-") == 5):
        sep = ":" if ":" in value else "-"
        parts = value.split(sep)
    elif len(value) == 14 and value.count(".") == 2:
        parts = value.split(".")
    elif len(value) == 12:
        parts = [value]
    else:
        return False
    return all(p and set(p) <= _MAC_HEX for p in parts)


# -- the topic ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiscoveryTopic:
    """A topic under the discovery prefix whose last level is ``config``.

    ``findings`` is empty when the topic follows the grammar and names a supported
    component (or ``device``); otherwise HA ignores the message.
    """

    topic: str
    prefix: str
    component: str
    node_id: str | None
    object_id: str
    findings: tuple[Finding, ...] = ()

    @property
    def discovery_id(self) -> str:
        """HA's discovery id: ``"<node_id> <object_id>"`` or ``object_id``."""
        return f"{self.node_id} {self.object_id}" if self.node_id else self.object_id

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def device_based(self) -> bool:
        return self.component == DEVICE_DISCOVERY_COMPONENT


def parse_discovery_topic(topic: str, prefix: str = DEFAULT_PREFIX, *,
                          t: float | None = None) -> DiscoveryTopic | None:
    """Read ``<prefix>/<component>/[<node_id>/]<object_id>/config``.

    ``None``: not a discovery topic at all (not under ``prefix``, or its last level is
    not ``config``). A topic that is one but breaks the grammar comes back with
    ``HA-TOPIC-ILLEGAL`` (or ``HA-TOPIC-COMPONENT``) in its findings.
    """
    head = prefix + "/"
    if not topic.startswith(head) or not topic.endswith("/config"):
        return None
    levels = topic[len(head):].split("/")[:-1]
    component = levels[0] if levels else ""
    ids = levels[1:]
    node_id = ids[0] if len(ids) == 2 else None
    object_id = ids[-1] if ids else ""

    def bad(code: str, why: str) -> DiscoveryTopic:
        f = finding(code, f"discovery topic {_cut(topic)!r}: {why}", subject=topic,
                    evidence={"topic": _cut(topic), "prefix": _cut(prefix)}, t=t)
        return DiscoveryTopic(topic, prefix, component, node_id, object_id, (f,))

    # HA subscribes to <prefix>/<component>/+/config and <prefix>/<component>/+/+/config
    # and matches TOPIC_MATCHER (discovery.py): component \w+, ids [a-zA-Z0-9_-]+.
    if len(ids) not in (1, 2):
        return bad("HA-TOPIC-ILLEGAL", f"{len(ids)} id levels between the component and "
                   "config (HA takes [<node_id>/]<object_id>)")
    if not re.fullmatch(r"\w+", component):
        return bad("HA-TOPIC-ILLEGAL", "the component level is empty or not a word")
    for level in ids:
        if not level or not set(level) <= _ID_CHARS:
            shown = "an empty level" if not level else f"{_cut(level)!r}"
            return bad("HA-TOPIC-ILLEGAL", f"{shown} is not an id of [a-zA-Z0-9_-]")
    if component != DEVICE_DISCOVERY_COMPONENT and component not in SUPPORTED_COMPONENTS:
        return bad("HA-TOPIC-COMPONENT", f"HA does not support the component {component!r}")
    return DiscoveryTopic(topic, prefix, component, node_id, object_id)


# -- abbreviations and the topic base ----------------------------------------------------


def _expand(payload: dict[str, Any], table: Mapping[str, str],
            keys: frozenset[str]) -> None:
    # discovery.py _replace_abbreviations: the abbreviated value wins over the full key.
    for key in keys.intersection(payload):
        payload[table[key]] = payload.pop(key)


def _expand_component(payload: dict[str, Any]) -> None:
    _expand(payload, ABBREVIATIONS, ABBREVIATION_KEYS)
    if "availability" in payload:
        avail = payload["availability"]
        for i, original in enumerate(_ensure_list(avail)):
            if isinstance(original, dict):
                item = dict(original)
                _expand(item, ABBREVIATIONS, ABBREVIATION_KEYS)
                if isinstance(avail, list):
                    avail[i] = item
                else:
                    payload["availability"] = item


def expand_abbreviations(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Expand abbreviated keys exactly where HA does (``discovery.py``): the top level,
    each ``availability`` item, ``origin``, ``device`` and, for device-based discovery,
    each ``cmps`` entry's top level and availability items (not its device or origin).
    When both forms of a key are given, the abbreviated value wins. Returns a new dict;
    ``payload`` is not changed.
    """
    out = dict(payload)
    if isinstance(out.get("availability"), list):
        out["availability"] = list(out["availability"])
    for abbr in ("avty",):
        if isinstance(out.get(abbr), list):
            out[abbr] = list(out[abbr])
    _expand_component(out)
    if isinstance(out.get("origin"), dict):
        origin = dict(out["origin"])
        _expand(origin, ORIGIN_ABBREVIATIONS, ORIGIN_ABBREVIATION_KEYS)
        out["origin"] = origin
    if isinstance(out.get("device"), dict):
        device = dict(out["device"])
        _expand(device, DEVICE_ABBREVIATIONS, DEVICE_ABBREVIATION_KEYS)
        out["device"] = device
    comps = out.get("components")
    if isinstance(comps, dict):
        new: dict[str, Any] = {}
        for cid, original in comps.items():
            conf = original
            if isinstance(original, dict):
                conf = dict(original)
                if isinstance(conf.get("availability"), list):
                    conf["availability"] = list(conf["availability"])
                if isinstance(conf.get("avty"), list):
                    conf["avty"] = list(conf["avty"])
                _expand_component(conf)
            new[cid] = conf
        out["components"] = new
    return out


def _replace_topic_base(config: dict[str, Any]) -> None:
    # discovery.py _replace_topic_base: '~' at the start or end of a value whose key
    # ends in 'topic', and of each availability item's topic. Both tests read the
    # original value, so for '~x~' the second replacement wins, as in HA.
    base = config.pop("~")
    for key, value in list(config.items()):
        if isinstance(value, str) and value and key.endswith("topic"):
            if value[0] == "~":
                config[key] = f"{base}{value[1:]}"
            if value[-1] == "~":
                config[key] = f"{value[:-1]}{base}"
    if config.get("availability"):
        avail = config["availability"]
        items = _ensure_list(avail)
        for i, original in enumerate(items):
            if not isinstance(original, dict):
                continue
            topic = str(original.get("topic"))
            if topic:
                item = dict(original)
                if topic[0] == "~":
                    item["topic"] = f"{base}{topic[1:]}"
                if topic[-1] == "~":
                    item["topic"] = f"{topic[:-1]}{base}"
                if isinstance(avail, list):
                    avail[i] = item
                else:
                    config["availability"] = item


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityConfig:
    """One discovered component as HA would set it up.

    ``config``: expanded, ``~`` substituted, device-level options merged;
    ``device``: the expanded device block when it is an object; ``dropped``: HA would
    not create it (a finding of this config is an error).
    """

    entity: Entity
    component: str
    discovery_id: str
    device_id: str
    config: Mapping[str, Any]
    device: Mapping[str, Any] | None
    dropped: bool


@dataclass(frozen=True, slots=True)
class ConfigResult:
    """What one discovery message says, judged in isolation.

    ``topic``: the parsed topic (``None``: not a discovery topic); ``config``: the
    expanded payload (``None`` when it is not a JSON object); ``components``: the
    entities it announces (one, or one per ``cmps`` entry); ``removed``: an empty
    payload (the discovery id is removed) or a component sent with only its platform.
    """

    topic: DiscoveryTopic | None
    findings: tuple[Finding, ...]
    config: Mapping[str, Any] | None
    components: tuple[EntityConfig, ...] = ()
    removed: bool = False
    removed_ids: tuple[tuple[str, str], ...] = ()
    """(component, discovery id) pairs a device-based payload removes."""

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(c.entity for c in self.components)

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


_ERROR_CODES: frozenset[str] = frozenset(
    code for code, spec in REGISTRY.items() if spec.severity is Severity.ERROR)


class _Notes:
    """Findings of one config, collected before the subject (device id) is known."""

    __slots__ = ("items", "topic")

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.items: list[tuple[str, str, dict[str, Any]]] = []

    def add(self, code: str, message: str, **evidence: Any) -> None:
        ev = {"topic": _cut(self.topic)}
        ev.update({k: _cut(v) for k, v in evidence.items()})
        self.items.append((code, message, ev))

    def has_error(self, start: int = 0) -> bool:
        return any(c in _ERROR_CODES for c, _, _ in self.items[start:])

    def build(self, subject: str, t: float | None, start: int = 0) -> list[Finding]:
        return [finding(c, m, subject=subject, evidence=ev, t=t)
                for c, m, ev in self.items[start:]]


# -- value checks ------------------------------------------------------------------------


def _kind_ok(kind: str, v: Any) -> bool:
    """Whether ``v`` passes HA's validator of ``kind`` (see _ha_tables value kinds)."""
    if kind.endswith("?"):  # nullable (vol.Any(..., None))
        if v is None:
            return True
        kind = kind[:-1]
    if kind == "string":
        return _is_string(v)
    if kind == "string_or_null":
        return v is None or _is_string(v)
    if kind == "boolean":
        if isinstance(v, bool | int | float):
            return True
        return isinstance(v, str) and v.lower() in (
            "1", "true", "yes", "on", "enable", "0", "false", "no", "off", "disable")
    if kind in ("int", "positive_int", "qos"):
        try:
            n = int(v) if not isinstance(v, str) else int(v.strip())
        except (TypeError, ValueError, OverflowError):
            return False
        if kind == "qos":
            return n in (0, 1, 2)
        return kind == "int" or n >= 0
    if kind == "float":
        if isinstance(v, bool | int | float):
            return True
        if isinstance(v, str):
            try:
                float(v)
            except ValueError:
                return False
            return True
        return False
    if kind == "string_list":
        return all(_is_string(x) for x in _ensure_list(v))
    if kind == "icon":
        return isinstance(v, str) and ":" in v
    if kind == "url":
        return isinstance(v, str) and v.startswith(("http://", "https://"))
    if kind.startswith("enum:"):
        table = kind[5:]
        allowed = ENUMS[table]
        if not isinstance(v, str):
            return False
        return (v.lower() if table in LOWERCASED_ENUMS else v) in allowed
    if kind.startswith("list:"):
        allowed = ENUMS[kind[5:]]
        return all(isinstance(x, str) and x in allowed for x in _ensure_list(v))
    raise KeyError(kind)  # a table names an unknown kind: programming error


def _topic_problem(value: Any, publish: bool) -> str | None:
    """HA util.valid_subscribe_topic / valid_publish_topic (MQTT 3.1.1 §4.7)."""
    if not _is_string(value):
        return "not a string"
    text = str(value)
    if not text:
        return "empty"
    if len(text.encode("utf-8", "surrogatepass")) > 65535:
        return "longer than 65535 bytes"
    if "\0" in text:
        return "contains a NUL character"
    if publish:
        if "+" in text or "#" in text:
            return "wildcards cannot be used in a topic HA publishes to"
        return None
    levels = text.split("/")
    for i, level in enumerate(levels):
        if "+" in level and level != "+":
            return "'+' must occupy a whole level"
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return "'#' must be the whole last level"
    return None


def _is_publish_topic(key: str) -> bool:
    return "command" in key or key.startswith("set_")


def _key_role(key: str) -> str | None:
    if key.endswith("topic"):
        return "publish" if _is_publish_topic(key) else "subscribe"
    if key.endswith("_template"):
        return "value_template" if key in VALUE_TEMPLATE_KEYS else "template"
    return None


_KEY_ROLES: Mapping[str, str] = MappingProxyType(
    {k: r for k in KNOWN_KEYS if (r := _key_role(k)) is not None})
"""Known keys that hold a topic (``publish``/``subscribe``) or a template."""

_KINDS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    component: MappingProxyType(
        {**(COMMON_VALUES if component not in NON_ENTITY_COMPONENTS else {}), **rule.values})
    for component, rule in COMPONENT_RULES.items()})
"""Component → key → value kind (common entity options and the component's own)."""


# -- one config --------------------------------------------------------------------------


def _check_origin(origin: Any, notes: _Notes) -> None:
    # schemas.py MQTT_ORIGIN_INFO_SCHEMA; discovery.py drops the whole config.
    if not isinstance(origin, dict):
        notes.add("HA-ORIGIN-INVALID", "origin is not an object", key="origin", value=origin)
        return
    if not _is_string(origin.get("name")):
        notes.add("HA-ORIGIN-INVALID", "origin has no name", key="origin.name",
                  value=origin.get("name"))
    extra = sorted(k for k in origin if k not in ORIGIN_KEYS)
    if extra:
        notes.add("HA-ORIGIN-INVALID", f"origin has keys its schema does not allow: "
                  f"{', '.join(extra)}", key="origin", keys=extra)
    if "sw_version" in origin and not _is_string(origin["sw_version"]):
        notes.add("HA-ORIGIN-INVALID", "origin sw_version is not a string",
                  key="origin.sw_version", value=origin["sw_version"])
    url = origin.get("support_url")
    if "support_url" in origin and not (
            isinstance(url, str) and url.startswith(CONFIGURATION_URL_SCHEMES)):
        notes.add("HA-ORIGIN-INVALID", "origin support_url is not a URL",
                  key="origin.support_url", value=url)


def _check_device(device: Any, notes: _Notes) -> bool:
    """The device block (schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA); True when valid."""
    start = len(notes.items)
    if not isinstance(device, dict):
        notes.add("HA-DEVICE-INVALID", "device is not an object", key="device", value=device)
        return False
    extra = sorted(str(k) for k in device if k not in DEVICE_KEYS)
    if extra:
        notes.add("HA-DEVICE-KEY-UNKNOWN",
                  f"device has keys its closed schema does not allow: {', '.join(extra)}",
                  key="device", keys=extra)
    if "via_hub" in device:
        notes.add("HA-DEVICE-VIA-HUB", "device uses the deprecated via_hub (via_device)",
                  key="device.via_hub", value=device["via_hub"])
    ids = _ensure_list(device.get("identifiers"))
    if not all(_is_string(i) for i in ids):
        notes.add("HA-DEVICE-INVALID", "device identifiers are not strings",
                  key="device.identifiers", value=device.get("identifiers"))
    conns = _ensure_list(device.get("connections"))
    for conn in conns:
        if not (isinstance(conn, list) and len(conn) == 2 and all(_is_string(c) for c in conn)):
            notes.add("HA-DEVICE-INVALID", "a device connection is not a [type, value] pair "
                      "of strings", key="device.connections", value=conn)
            break
        if str(conn[0]) == "mac" and not _is_mac(str(conn[1])):
            notes.add("HA-CONNECTION-MAC", f"the 'mac' connection {_cut(str(conn[1]))!r} "
                      "is not a MAC address", key="device.connections", value=conn)
    for key in sorted(DEVICE_STRING_KEYS.intersection(device)):
        if not _is_string(device[key]):
            notes.add("HA-DEVICE-INVALID", f"device {key} is not a string",
                      key=f"device.{key}", value=device[key])
    url = device.get("configuration_url")
    if "configuration_url" in device and not (
            isinstance(url, str) and url.startswith(CONFIGURATION_URL_SCHEMES)):
        notes.add("HA-DEVICE-INVALID", "device configuration_url is not a URL",
                  key="device.configuration_url", value=url)
    if not ids and not conns:
        notes.add("HA-DEVICE-NO-ID", "device has no identifiers and no connections "
                  "(at least one identifying value is required)", key="device",
                  value=device)
    return not notes.has_error(start)


def _device_id(device: Any, fallback: str) -> str:
    if isinstance(device, dict):
        ids = _ensure_list(device.get("identifiers"))
        if ids and _is_string(ids[0]):
            return f"ha:{_cut(str(ids[0]))}"
        for conn in _ensure_list(device.get("connections")):
            if isinstance(conn, list) and len(conn) == 2 and all(_is_string(c) for c in conn):
                return f"ha:{_cut(str(conn[0]))}:{_cut(str(conn[1]))}"
    return fallback


def _check_availability(config: Mapping[str, Any], notes: _Notes) -> None:
    # schemas.py MQTT_AVAILABILITY_SCHEMA
    if "availability_topic" in config and "availability" in config:
        notes.add("HA-OPTION-CONFLICT", "availability_topic and availability are mutually "
                  "exclusive", key="availability")
    if "availability" in config:
        items = config["availability"]
        if not isinstance(items, list | dict):
            notes.add("HA-VALUE-INVALID", "availability is not a list of objects",
                      key="availability", value=items)
            return
        for i, item in enumerate(_ensure_list(items)):
            where = f"availability[{i}]"
            if not isinstance(item, dict):
                notes.add("HA-VALUE-INVALID", f"{where} is not an object", key=where,
                          value=item)
                continue
            if "topic" not in item:
                notes.add("HA-REQUIRED-MISSING", f"{where} has no topic", key=where)
            else:
                problem = _topic_problem(item["topic"], publish=False)
                if problem:
                    notes.add("HA-TOPIC-INVALID", f"{where}.topic: {problem}",
                              key=f"{where}.topic", value=item["topic"])
            for key in ("payload_available", "payload_not_available"):
                if key in item and not _is_string(item[key]):
                    notes.add("HA-VALUE-INVALID", f"{where}.{key} is not a string",
                              key=f"{where}.{key}", value=item[key])
            if "value_template" in item:
                _check_template_value(f"{where}.value_template", item["value_template"],
                                      True, notes)


def _check_template_value(key: str, value: Any, value_template: bool, notes: _Notes) -> None:
    # helpers/config_validation.py template: not None, not a list/object, valid Jinja.
    if value is None or isinstance(value, list | dict):
        notes.add("HA-TEMPLATE-INVALID", f"{key} is not a template string", key=key,
                  value=value)
        return
    text = str(value)
    if text == "" and value_template:
        notes.add("HA-TEMPLATE-EMPTY", f"{key} is empty: every message renders to nothing",
                  key=key, value=text)
        return
    checked = check_template(text, value_template)
    if checked.error is not None:
        notes.add("HA-TEMPLATE-INVALID", f"{key} is not a valid template: {checked.error}",
                  key=key, value=text)
    elif checked.undefined:
        notes.add("HA-TEMPLATE-UNDEFINED", f"{key} reads {', '.join(checked.undefined)}, "
                  "which HA does not define", key=key, value=text,
                  names=list(checked.undefined))


def _check_component(component: str, config: dict[str, Any], notes: _Notes) -> None:
    rule: ComponentRule = COMPONENT_RULES[component]
    entity = component not in NON_ENTITY_COMPONENTS
    # required keys (platform schemas)
    required = list(rule.required)
    if component == "light":
        schema = config.get("schema")
        required += LIGHT_SCHEMA_REQUIRED.get(str(schema).lower() if schema else "basic", ())
    for key in required:
        if key not in config:
            notes.add("HA-REQUIRED-MISSING", f"{component} requires {key}", key=key)
    # typed values
    kinds = _KINDS[component]
    for key in kinds.keys() & config.keys():
        kind = kinds[key]
        if not _kind_ok(kind, config[key]):
            notes.add("HA-VALUE-INVALID",
                      f"{key} is not a valid {kind.split(':')[-1].rstrip('?')}",
                      key=key, value=config[key])
    # device class (DEVICE_CLASSES_SCHEMA: lower-cased, or null)
    dc = config.get("device_class")
    if rule.device_classes is not None and dc is not None and (
            not isinstance(dc, str) or dc.lower() not in rule.device_classes):
            notes.add("HA-DEVICE-CLASS-UNKNOWN", f"{component} has no device class "
                      f"{_cut(dc)!r}", key="device_class", value=dc)
    # topics and templates of the keys HA knows (unknown keys are removed unchecked)
    unknown: list[str] = []
    for key, value in config.items():
        role = _KEY_ROLES.get(key)
        if role is None:
            if key not in KNOWN_KEYS:
                unknown.append(str(key))
            continue
        if role == "template" or role == "value_template":  # noqa: PLR1714
            _check_template_value(key, value, role == "value_template", notes)
            continue
        if value is None:
            continue
        publish = role == "publish"
        problem = _topic_problem(value, publish)
        if problem:
            notes.add("HA-TOPIC-INVALID", f"{key}: {problem}", key=key, value=value)
        elif not publish and ("+" in str(value) or "#" in str(value)):
            notes.add("HA-STATE-TOPIC-WILDCARD", f"{key} {_cut(str(value))!r} holds an "
                      "MQTT wildcard", key=key, value=value)
    _check_availability(config, notes)
    if component == "sensor":
        _check_sensor(config, notes)
    elif component == "number":
        lo, hi = config.get("min", 1), config.get("max", 100)
        try:
            if float(lo) > float(hi):
                notes.add("HA-OPTION-CONFLICT", "number max must be >= min", key="max",
                          value=[lo, hi])
        except (TypeError, ValueError, OverflowError):
            pass  # reported as HA-VALUE-INVALID above
    if not entity:
        return
    # hygiene and deprecations (HA accepts the config)
    if "unique_id" not in config:
        notes.add("HA-UNIQUE-ID-MISSING", "no unique_id: the entity is kept out of the "
                  "registries and its device block is ignored", key="unique_id")
    if "object_id" in config and "default_entity_id" not in config:
        notes.add("HA-OBJECT-ID-DEPRECATED", "object_id is deprecated since HA 2025.10 "
                  "(use default_entity_id)", key="object_id", value=config["object_id"])
    device = config.get("device")
    name = config.get("name")
    if isinstance(device, dict) and isinstance(name, str) and name:
        dev_name = device.get("name")
        if isinstance(dev_name, str) and dev_name and (
                name == dev_name or (name.startswith(dev_name)
                                     and not name[len(dev_name)].isalnum())):
            notes.add("HA-NAME-IS-DEVICE-NAME", f"entity name {_cut(name)!r} repeats the "
                      f"device name {_cut(dev_name)!r}", key="name", value=name,
                      device_name=dev_name)
    unknown.sort()
    if unknown:
        notes.add("HA-KEY-UNKNOWN", f"keys HA removes silently: {', '.join(unknown[:10])}",
                  key=unknown[0], keys=unknown[:20])


def _check_sensor(config: Mapping[str, Any], notes: _Notes) -> None:
    # mqtt sensor.py validate_sensor_state_and_device_class_config
    dc_raw = config.get("device_class")
    dc = dc_raw.lower() if isinstance(dc_raw, str) else None
    sc_raw = config.get("state_class")
    sc = sc_raw.lower() if isinstance(sc_raw, str) else None
    if "last_reset_value_template" in config and sc != "total":
        notes.add("HA-OPTION-CONFLICT", "last_reset_value_template needs state_class total",
                  key="last_reset_value_template", value=sc_raw)
    if dc in SENSOR_NON_NUMERIC_CLASSES and sc_raw is not None:
        notes.add("HA-OPTION-CONFLICT", f"state_class cannot be used with device class {dc}",
                  key="state_class", value=sc_raw)
    if "options" in config and dc != "enum":
        notes.add("HA-OPTION-CONFLICT", "options needs device_class enum", key="options",
                  value=dc_raw)
    unit = config.get("unit_of_measurement")
    if unit == "":
        unit = None
    if dc is not None and unit is not None and dc in SENSOR_DEVICE_CLASS_UNITS and (
            unit not in SENSOR_DEVICE_CLASS_UNITS[dc]):
            # An error since HA 2025.7 (a warning before): core#146957.
            notes.add("HA-UNIT-DEVICE-CLASS", f"unit {_cut(unit)!r} is not valid together "
                      f"with device class {dc!r}", key="unit_of_measurement", value=unit,
                      device_class=dc)
    if dc is not None and sc is not None and dc not in SENSOR_NON_NUMERIC_CLASSES:
        allowed = SENSOR_DEVICE_CLASS_STATE_CLASSES.get(dc)
        if allowed is not None and sc not in allowed:
            notes.add("HA-STATE-CLASS-DEVICE-CLASS", f"state class {sc!r} is not one device "
                      f"class {dc!r} allows ({', '.join(sorted(allowed)) or 'none'})",
                      key="state_class", value=sc_raw, device_class=dc)


def _make_entity(component: str, discovery_id: str, config: Mapping[str, Any],
                 dropped: bool) -> Entity:
    topics: dict[str, str] = {}
    for key, value in config.items():
        if key.endswith("topic") and isinstance(value, str):
            topics[key] = value
    avail = config.get("availability")
    if isinstance(avail, list | dict):
        for i, item in enumerate(_ensure_list(avail)):
            if isinstance(item, dict) and isinstance(item.get("topic"), str):
                topics[f"availability.{i}"] = item["topic"]
    detail: dict[str, Any] = {}
    for key in ("device_class", "unit_of_measurement", "state_class", "value_template"):
        if key in config and config[key] is not None:
            detail[key] = _cut(config[key])
    if dropped:
        detail["dropped"] = True
    name = config.get("name")
    uid = config.get("unique_id")
    return Entity(
        key=f"{component}/{discovery_id}", kind=component,
        name=_cut(str(name)) if _is_string(name) else None,
        unique_id=_cut(str(uid)) if _is_string(uid) else None,
        topics=topics, detail=detail)


def _finish_component(component: str, discovery_id: str, config: dict[str, Any],
                      notes: _Notes, *, start: int, t: float | None,
                      findings: list[Finding]) -> EntityConfig:
    if "~" in config:
        _replace_topic_base(config)
    device = config.get("device")
    _check_component(component, config, notes)
    fallback = f"ha:entity:{component}/{discovery_id}"
    device_ok = isinstance(device, dict) and not any(
        c in ("HA-DEVICE-INVALID", "HA-DEVICE-NO-ID") for c, _, _ in notes.items)
    device_id = _device_id(device, fallback) if device_ok else fallback
    dropped = notes.has_error(0)
    findings.extend(notes.build(device_id, t, start))
    entity = _make_entity(component, discovery_id, config, dropped)
    return EntityConfig(entity, component, discovery_id, device_id, config,
                        device if isinstance(device, dict) else None, dropped)


def validate_config(topic: str, payload: bytes, *, prefix: str = DEFAULT_PREFIX,
                    retain: bool | None = None, t: float | None = None) -> ConfigResult:
    """Judge one discovery message as HA would, in isolation (docs/ha.md).

    ``retain``: whether it was published retained (``None``: unknown, not judged);
    ``t``: its receive time, copied into the findings.
    """
    dt = parse_discovery_topic(topic, prefix, t=t)
    if dt is None:
        return ConfigResult(None, (), None)
    if dt.findings:
        return ConfigResult(dt, dt.findings, None)
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise TypeError("payload must be bytes")  # misuse, not device input
    payload = bytes(payload)
    if payload == b"":
        return ConfigResult(dt, (), None, removed=True)

    def orphan(code: str, message: str, **evidence: Any) -> ConfigResult:
        ev = {"topic": _cut(topic)}
        ev.update({k: _cut(v) for k, v in evidence.items()})
        return ConfigResult(dt, (finding(code, message, subject=topic, evidence=ev, t=t),),
                            None)

    if len(payload) > MAX_PAYLOAD:
        return orphan("HA-PAYLOAD-LIMIT", f"config of {len(payload)} bytes is larger than "
                      f"{MAX_PAYLOAD}; not judged", size=len(payload), limit=MAX_PAYLOAD)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return orphan("HA-PAYLOAD-ENCODING", f"config is not UTF-8 ({exc.reason} at byte "
                      f"{exc.start})", value=payload[:64].hex())
    try:
        data = _loads_strict(text)
    except (ValueError, RecursionError) as exc:
        return orphan("HA-JSON-INVALID", f"config is not JSON: {_cut(str(exc))}",
                      value=text)
    if not isinstance(data, dict):
        return orphan("HA-JSON-INVALID", f"config is JSON but not an object "
                      f"({type(data).__name__})", value=text)
    if text.count("{") + text.count("[") > MAX_DEPTH and _depth(data, MAX_DEPTH) > MAX_DEPTH:
        return orphan("HA-PAYLOAD-LIMIT", f"config nests deeper than {MAX_DEPTH} levels; "
                      "not judged", limit=MAX_DEPTH)
    notes = _Notes(topic)
    if retain is False:
        notes.add("HA-CONFIG-NOT-RETAINED", "discovery config published without retain")
    # discovery.py _async_process_discovery_migration: a migration request clears the
    # payload (it is neither a config nor checked further).
    if "migr_discvry" in data or "migrate_discovery" in data:
        return ConfigResult(dt, tuple(notes.build(topic, t)), data, removed=True)
    config = expand_abbreviations(data)
    if dt.device_based:
        return _validate_device_payload(dt, config, notes, t)
    if "origin" in config:
        _check_origin(config["origin"], notes)
    if "device" in config:
        _check_device(config["device"], notes)
    findings: list[Finding] = []
    comp = _finish_component(dt.component, dt.discovery_id, config, notes, start=0,
                             t=t, findings=findings)
    return ConfigResult(dt, tuple(findings), comp.config, (comp,))


def _validate_device_payload(dt: DiscoveryTopic, config: dict[str, Any], notes: _Notes,
                             t: float | None) -> ConfigResult:
    # schemas.py DEVICE_DISCOVERY_SCHEMA: any failure drops the whole device.
    device = config.get("device")
    if "device" not in config:
        notes.add("HA-DEVICE-MISSING", "device-based discovery needs a device block",
                  key="device")
    else:
        _check_device(device, notes)
    if "origin" not in config:
        notes.add("HA-ORIGIN-MISSING", "device-based discovery needs an origin block",
                  key="origin")
    else:
        _check_origin(config["origin"], notes)
    comps = config.get("components")
    entries: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(comps, dict):
        notes.add("HA-COMPONENTS-INVALID", "components (cmps) is missing or not an object",
                  key="components", value=comps)
    else:
        for cid, entry in comps.items():
            if not isinstance(entry, dict):
                notes.add("HA-COMPONENTS-INVALID", f"component {_cut(str(cid))!r} is not an "
                          "object", key=f"components.{cid}", value=entry)
                continue
            platform = entry.get("platform")
            if not isinstance(platform, str) or platform not in SUPPORTED_COMPONENTS:
                what = "has no platform" if platform is None else \
                    f"has an unsupported platform {_cut(platform)!r}"
                notes.add("HA-PLATFORM-INVALID", f"component {_cut(str(cid))!r} {what}",
                          key=f"components.{cid}.platform", value=platform)
                continue
            entries.append((str(cid), entry))
    for key in ("state_topic", "command_topic"):
        if key in config:
            problem = _topic_problem(config[key], _is_publish_topic(key))
            if problem:
                notes.add("HA-TOPIC-INVALID", f"{key}: {problem}", key=key, value=config[key])
    if "qos" in config and not _kind_ok("qos", config["qos"]):
        notes.add("HA-VALUE-INVALID", "qos is not 0, 1 or 2", key="qos", value=config["qos"])
    _check_availability(config, notes)
    device_level = len(notes.items)
    device_dropped = notes.has_error(0)
    fallback = f"ha:entity:device/{dt.discovery_id}"
    subject = _device_id(device, fallback)
    findings: list[Finding] = notes.build(subject, t)
    components: list[EntityConfig] = []
    removed: list[tuple[str, str]] = []
    for cid, entry in entries:
        conf = dict(entry)
        platform = conf.pop("platform")
        obj = f"{dt.node_id} {cid}" if dt.node_id else cid
        discovery_id = f"{dt.object_id} {obj}"
        if not conf:  # only the platform: the component is removed (discovery.py)
            removed.append((platform, discovery_id))
            continue
        conf["device"] = device
        conf["origin"] = config.get("origin")
        for option in SHARED_OPTIONS:  # _merge_common_device_options
            if option in config and option not in conf:
                conf[option] = config[option]
        sub = _Notes(dt.topic)
        if device_dropped:
            sub.items.extend(notes.items[:device_level])
        start = len(sub.items)
        comp = _finish_component(platform, discovery_id, conf, sub, start=start, t=t,
                                 findings=findings)
        components.append(comp)
    return ConfigResult(dt, tuple(findings), config, tuple(components),
                        removed_ids=tuple(removed))


# -- the runtime path --------------------------------------------------------------------

_UNSET: Final = object()
_BAD_JSON: Final = object()
_BAD_TEXT: Final = object()


class _Watch:
    """One judged role of one entity on one topic (a config compiled for the fast path).

    ``check``: ``"numeric"``, ``"states"`` (``allowed``), ``"availability"``
    (``allowed``), ``"attributes"`` (a JSON object) or ``""`` (counted only).
    """

    __slots__ = ("allowed", "check", "device_id", "entity_key", "mode", "owner", "path",
                 "plan", "role")

    def __init__(self, owner: tuple[str, str], device_id: str, entity_key: str, *,
                 role: str, plan: TemplatePlan | None, check: str,
                 allowed: frozenset[str] = frozenset()) -> None:
        self.owner = owner
        self.device_id = device_id
        self.entity_key = entity_key
        self.role = role
        self.plan = plan
        self.mode = "raw" if plan is None else plan.mode
        self.path = plan.path if plan is not None else ()
        self.check = check
        self.allowed = allowed

    @property
    def signature(self) -> tuple[Any, ...]:
        """Watches with one signature judge a message identically."""
        return (self.mode, self.path, self.plan, self.check, self.allowed)


class _Group:
    """The watches of one topic that judge a message the same way (evaluated once)."""

    __slots__ = ("allowed", "check", "fast", "first_t", "key0", "last_t", "mode", "path",
                 "plan", "skipped", "watches")

    def __init__(self, first: _Watch) -> None:
        self.mode = first.mode
        self.path = first.path
        self.key0: Any = first.path[0] if len(first.path) == 1 else MISSING
        self.plan = first.plan
        self.check = first.check
        self.allowed = first.allowed
        self.watches: list[_Watch] = []
        self.skipped = 0
        self.first_t: float | None = None
        self.last_t: float | None = None
        # the happy-path shortcut _judge takes (0: none, judge in full)
        single = self.mode == "path" and len(self.path) == 1
        lists = self.check in ("states", "availability")
        plain = self.mode in ("raw", "value")
        self.fast = (1 if single and self.check == "numeric" else 2 if single and lists
                     else 3 if plain and lists else 4 if plain and self.check == "numeric"
                     else 0)


class _Plan:
    """Every watch on one topic; the JSON is parsed once per message for all of them."""

    __slots__ = ("by_signature", "count", "groups", "needs_json", "topic")

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.groups: list[_Group] = []
        self.by_signature: dict[tuple[Any, ...], _Group] = {}
        self.count = 0
        self.needs_json = False

    def add(self, watch: _Watch) -> None:
        sig = watch.signature
        group = self.by_signature.get(sig)
        if group is None:
            group = self.by_signature[sig] = _Group(watch)
            self.groups.append(group)
            if group.mode in ("path", "sandbox"):
                self.needs_json = True
        group.watches.append(watch)

    def remove(self, owner: tuple[str, str]) -> None:
        for sig, group in list(self.by_signature.items()):
            kept = [w for w in group.watches if w.owner != owner]
            if len(kept) == len(group.watches):
                continue
            group.watches = kept
            if not kept:
                del self.by_signature[sig]
                self.groups.remove(group)
        self.needs_json = any(g.mode in ("path", "sandbox") for g in self.groups
                              if g.watches)

    @property
    def watches(self) -> list[_Watch]:
        return [w for g in self.groups for w in g.watches]

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.device_id for w in self.watches))


def _numeric_expected(component: str, config: Mapping[str, Any]) -> bool:
    # sensor __init__.py _numeric_state_expected
    if component == "number":
        return True
    if component != "sensor":
        return False
    dc = config.get("device_class")
    dc = dc.lower() if isinstance(dc, str) else None
    if dc in SENSOR_NON_NUMERIC_CLASSES:
        return False
    if config.get("state_class") is not None or config.get("unit_of_measurement") not in (
            None, "") or config.get("suggested_display_precision") is not None:
        return True
    return dc is not None


def _watches_for(owner: tuple[str, str], ec: EntityConfig) -> list[tuple[str, _Watch]]:
    """The (topic, watch) pairs an entity config asks the runtime path for."""
    cfg = ec.config
    out: list[tuple[str, _Watch]] = []

    def add(topic: Any, role: str, template_key: str | None, source: Mapping[str, Any],
            check: str, *, allowed: frozenset[str] = frozenset()) -> None:
        if not isinstance(topic, str) or not topic:
            return
        plan: TemplatePlan | None = None
        if template_key is not None and template_key in source:
            value = source[template_key]
            # a template that is not a string never matches one of the evaluated forms
            plan = plan_template(str(value) if _is_string(value) else "\0")
        out.append((topic, _Watch(owner, ec.device_id, ec.entity.key, role=role, plan=plan,
                                  check=check, allowed=allowed)))

    if ec.component not in NON_ENTITY_COMPONENTS:
        rule = COMPONENT_RULES[ec.component]
        state = cfg.get("state_topic")
        options = cfg.get(rule.options_key) if rule.options_key else None
        dc = cfg.get("device_class")
        if ec.component == "sensor" and isinstance(dc, str) and dc.lower() == "enum":
            options = cfg.get("options")  # an enum sensor's state is one of its options
        if _numeric_expected(ec.component, cfg):
            add(state, "state_topic", "value_template", cfg, "numeric")
        elif isinstance(options, list):
            add(state, "state_topic", "value_template", cfg, "states",
                allowed=frozenset(str(o) for o in options if _is_string(o)))
        elif rule.states:
            values = set()
            for opt, fallback, default in rule.states:
                v = cfg.get(opt, cfg.get(fallback, default) if fallback else default)
                if _is_string(v):
                    values.add(str(v))
            add(state, "state_topic", "value_template", cfg, "states",
                allowed=frozenset(values))
        else:
            add(state, "state_topic", "value_template", cfg, "")
    add(cfg.get("json_attributes_topic"), "json_attributes_topic", "json_attributes_template",
        cfg, "attributes")
    on = cfg.get("payload_available", DEFAULT_PAYLOAD_AVAILABLE)
    off = cfg.get("payload_not_available", DEFAULT_PAYLOAD_NOT_AVAILABLE)
    add(cfg.get("availability_topic"), "availability_topic", "availability_template", cfg,
        "availability", allowed=frozenset({str(on), str(off)}))
    avail = cfg.get("availability")
    if isinstance(avail, list | dict):
        for i, item in enumerate(_ensure_list(avail)):
            if isinstance(item, dict):
                on = item.get("payload_available", DEFAULT_PAYLOAD_AVAILABLE)
                off = item.get("payload_not_available", DEFAULT_PAYLOAD_NOT_AVAILABLE)
                add(item.get("topic"), f"availability.{i}", "value_template", item,
                    "availability", allowed=frozenset({str(on), str(off)}))
    return out


def _filter_match(levels: tuple[str, ...], topic: str) -> bool:
    parts = topic.split("/")
    for i, level in enumerate(levels):
        if level == "#":
            return True
        if i >= len(parts) or (level != "+" and level != parts[i]):
            return False
    return len(parts) == len(levels)


@dataclass(slots=True)
class _Stored:
    """The latest config read on one discovery topic."""

    result: ConfigResult
    seq: int
    t: float | None
    messages: int = 0


@dataclass(slots=True)
class _Live:
    """One discovered component HA would hold now (the latest config of its id)."""

    config: EntityConfig
    topic: str
    seq: int
    t: float | None
    plans: list[_Plan] = field(default_factory=list)


class HaInventory:
    """The streaming Home Assistant discovery validator (see the module doc).

    Claims the discovery configs under ``prefix`` (and anything else under it, such as
    HA's own ``<prefix>/status``), and the runtime messages on each state, availability
    and JSON attributes topic a config seen so far names. A runtime message that
    arrives before its config is kept (a few per topic, bounded) and judged when the
    config arrives.
    """

    ecosystem = "ha"

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix
        self._head = prefix + "/"
        self.messages = 0
        self.generation = 0
        self._stored: dict[str, _Stored] = {}
        self._live: dict[tuple[str, str], _Live] = {}
        self._plans: dict[str, _Plan] = {}
        self._wild: list[tuple[tuple[str, ...], _Plan]] = []
        self._wild_cache: dict[str, _Plan | None] = {}
        self._pending: dict[str, list[tuple[bytes, float | None]]] = {}
        self._pending_bytes = 0
        self.pending_dropped = 0
        self._runtime = FindingCounter()
        self._orphans = FindingCounter(max_keys=10_000)
        self._seq = 0

    # -- Inventory -----------------------------------------------------------------------

    def claims(self, topic: str) -> bool:
        return topic in self._plans or topic.startswith(self._head) or (
            bool(self._wild) and self._wild_plan(topic) is not None)

    def add(self, topic: str, payload: bytes, *, retain: bool = False,
            t: float | None = None) -> bool:
        plan = self._plans.get(topic)
        if plan is not None:
            self.messages += 1
            self._judge(plan, payload, t)
            return True
        if topic.startswith(self._head):
            self.messages += 1
            if topic.endswith("/config"):
                self._config(topic, payload, retain, t)
            return True
        if self._wild:
            plan = self._wild_plan(topic)
            if plan is not None:
                self.messages += 1
                self._judge(plan, payload, t)
                return True
        self._hold(topic, payload, t)
        return False

    def devices(self) -> list[EcoDevice]:
        return _Report(self).devices()

    def orphan_findings(self) -> list[Finding]:
        return self._orphans.result()

    # -- configs -------------------------------------------------------------------------

    def _config(self, topic: str, payload: bytes, retain: bool, t: float | None) -> None:
        result = validate_config(topic, payload, prefix=self.prefix, retain=retain, t=t)
        stored = self._stored.get(topic)
        if stored is not None:
            stored.messages += 1
        if result.topic is None:
            return
        if not result.removed and result.config is None:
            # Not a config HA reads (topic, encoding, JSON, devid's bounds): HA ignores
            # the message and keeps whatever it had.
            for f in result.findings:
                self._orphans.add(f)
            return
        self._seq += 1
        if stored is None:
            self._stored[topic] = _Stored(result, self._seq, t, messages=1)
        else:
            stored.result, stored.seq, stored.t = result, self._seq, t
        if result.removed and not result.removed_ids:
            # An empty payload removes the discovery id (every component of a device).
            for owner in [o for o, live in self._live.items() if live.topic == topic]:
                self._release(owner)
            return
        for owner in result.removed_ids:
            self._release(owner)
        for ec in result.components:
            owner = (ec.component, ec.discovery_id)
            self._release(owner)  # a later config on the same discovery id replaces it
            self._live[owner] = _Live(ec, topic, self._seq, t)
            live = self._live[owner]
            for rt_topic, watch in _watches_for(owner, ec):
                plan = self._watch(rt_topic, watch)
                if plan not in live.plans:
                    live.plans.append(plan)

    def _release(self, owner: tuple[str, str]) -> None:
        """Forget one discovered component (replaced or removed)."""
        live = self._live.pop(owner, None)
        if live is None:
            return
        for plan in live.plans:
            plan.remove(owner)
            if not plan.groups:
                if self._plans.get(plan.topic) is plan:
                    del self._plans[plan.topic]
                else:
                    self._wild = [(lv, p) for lv, p in self._wild if p is not plan]
                    self._wild_cache.clear()

    def _watch(self, topic: str, watch: _Watch) -> _Plan:
        plan = self._plans.get(topic)
        if plan is None:
            for _levels, wplan in self._wild:
                if wplan.topic == topic:
                    plan = wplan
                    break
        if plan is None:
            plan = _Plan(topic)
            self.generation += 1
            if "+" in topic or "#" in topic:
                self._wild.append((tuple(topic.split("/")), plan))
                self._wild_cache.clear()
            else:
                self._plans[topic] = plan
        plan.add(watch)
        self._replay(topic, plan)
        return plan

    def _wild_plan(self, topic: str) -> _Plan | None:
        if topic in self._wild_cache:
            return self._wild_cache[topic]
        found = None
        for levels, plan in self._wild:
            if plan.watches and _filter_match(levels, topic):
                found = plan
                break
        if len(self._wild_cache) >= 10_000:
            self._wild_cache.clear()
        self._wild_cache[topic] = found
        return found

    # -- messages before their config ----------------------------------------------------

    def _hold(self, topic: str, payload: bytes, t: float | None) -> None:
        held = self._pending.get(topic)
        if held is None:
            if len(self._pending) >= PENDING_TOPICS:
                self.pending_dropped += 1
                return
            held = self._pending[topic] = []
        if len(held) >= PENDING_PER_TOPIC or \
                self._pending_bytes + len(payload) > PENDING_BYTES:
            self.pending_dropped += 1
            return
        held.append((payload, t))
        self._pending_bytes += len(payload)

    def _replay(self, topic: str, plan: _Plan) -> None:
        if not self._pending:
            return
        if "+" in topic or "#" in topic:
            levels = tuple(topic.split("/"))
            topics = [p for p in self._pending if _filter_match(levels, p)]
        else:
            topics = [topic] if topic in self._pending else []
        for name in topics:
            for payload, t in self._pending.pop(name):
                self._pending_bytes -= len(payload)
                self.messages += 1
                self._judge(plan, payload, t)

    # -- judging runtime messages (the hot path) -----------------------------------------

    def _judge(self, plan: _Plan, payload: bytes, t: float | None) -> None:
        plan.count += 1
        if len(payload) > MAX_PAYLOAD:
            self._note_all(plan, plan.groups, t, "HA-PAYLOAD-LIMIT",
                           f"message of {len(payload)} bytes is larger than {MAX_PAYLOAD}; "
                           "not judged", size=len(payload))
            return
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            self._note_all(plan, plan.groups, t, "HA-STATE-ENCODING", "message is not UTF-8",
                           value=payload[:64].hex())
            return
        data: Any = _UNSET
        if plan.needs_json:
            try:
                data = _loads(text)
            except (ValueError, RecursionError):
                data = _BAD_JSON
        v: Any
        for g in plan.groups:
            # happy-path shortcuts: no finding to build, nothing else to do
            fast = g.fast
            if fast == 1:
                if type(data) is dict:
                    v = data.get(g.key0, MISSING)
                    tv = type(v)
                    if tv is float or tv is int:
                        continue
            elif fast == 2:
                if type(data) is dict:
                    v = data.get(g.key0, MISSING)
                    if type(v) is str and v in g.allowed:
                        continue
            elif fast == 3:
                if text in g.allowed:
                    continue
            elif fast == 4:
                try:
                    float(text)
                    continue
                except ValueError:
                    pass
            self._judge_group(plan, g, text, data, t)

    def _judge_group(self, plan: _Plan, g: _Group, text: str, data: Any,
                     t: float | None) -> None:
        """Judge one message for one group in full (the shortcuts did not decide)."""
        v: Any
        mode = g.mode
        if mode == "path":
            if data is _BAD_JSON:
                self._note_all(plan, (g,), t, "HA-STATE-NOT-JSON",
                               "the value template reads value_json but the message is "
                               "not JSON", value=text)
                return
            v = walk(data, g.path)
            if v is MISSING:
                self._note_all(plan, (g,), t, "HA-TEMPLATE-KEY-MISSING",
                               "the message has no "
                               + "".join(f"[{k!r}]" for k in g.path)
                               + " for the value template", value=text)
                return
        elif mode in ("raw", "value"):
            v = text
        elif mode == "sandbox":
            if data is _BAD_JSON:
                self._note_all(plan, (g,), t, "HA-STATE-NOT-JSON",
                               "the value template reads value_json but the message is "
                               "not JSON", value=text)
                return
            assert g.plan is not None
            v = render_sandbox(g.plan, text, data)
            if v is MISSING:
                self._note_all(plan, (g,), t, "HA-TEMPLATE-KEY-MISSING",
                               "the value template reads something the message does "
                               "not have", value=text)
                return
        else:  # "other" or "empty": counted, not judged
            if not g.skipped:
                g.first_t = t
            g.skipped += 1
            g.last_t = t
            return
        check = g.check
        if check == "numeric":
            tv = type(v)
            if tv is float or tv is int or v is None:
                return
            if tv is str:
                if v in ("", PAYLOAD_NONE):
                    return
                try:
                    float(v)
                    return
                except ValueError:
                    pass
            self._note_all(plan, (g,), t, "HA-STATE-NOT-NUMERIC",
                           f"expects a number, got {_cut(rendered(v))!r}",
                           value=rendered(v))
        elif check in ("states", "availability"):
            sv = v if type(v) is str else rendered(v)
            if sv in g.allowed or sv in ("", PAYLOAD_NONE):
                return
            code = "HA-STATE-PAYLOAD" if check == "states" else "HA-AVAILABILITY-PAYLOAD"
            self._note_all(plan, (g,), t, code,
                           f"got {_cut(sv)!r}, not one of "
                           f"{', '.join(sorted(g.allowed)[:8])}", value=sv,
                           allowed=sorted(g.allowed)[:20])
        elif check == "attributes":
            sv = v if type(v) is str else rendered(v)
            try:
                obj = json.loads(sv)
            except (ValueError, RecursionError):
                obj = None
            if not isinstance(obj, dict):
                self._note_all(plan, (g,), t, "HA-ATTRIBUTES-NOT-OBJECT",
                               "JSON attributes message is not a JSON object", value=sv)

    def _note_all(self, plan: _Plan, groups: Iterable[_Group], t: float | None, code: str,
                  message: str, **evidence: Any) -> None:
        """One runtime finding per watch of ``groups`` (aggregated by the counter)."""
        ev = {k: _cut(v) for k, v in evidence.items()}
        topic = _cut(plan.topic)
        for g in groups:
            for w in g.watches:
                e: dict[str, Any] = {"topic": topic, "entity": w.entity_key, "role": w.role}
                e.update(ev)
                self._runtime.add(
                    finding(code, f"{w.entity_key}: {message}", subject=w.device_id,
                            evidence=e, t=t),
                    key=f"{w.entity_key}|{w.role}")


# -- the end of a capture ----------------------------------------------------------------


class _Report:
    """Builds :meth:`HaInventory.devices` from the stored configs (pure, one pass)."""

    def __init__(self, inv: HaInventory) -> None:
        self.inv = inv

    def _current(self) -> list[tuple[_Live, EntityConfig]]:
        return [(live, live.config) for live in
                sorted(self.inv._live.values(), key=lambda x: x.seq)]

    def devices(self) -> list[EcoDevice]:
        inv = self.inv
        current = self._current()
        info: dict[str, dict[str, Any]] = {}
        entities: dict[str, list[Entity]] = {}
        findings: dict[str, list[Finding]] = {}
        messages: dict[str, int] = {}
        for _live, ec in current:
            dev = ec.device_id
            entities.setdefault(dev, []).append(ec.entity)
            if ec.device is not None and not dev.startswith("ha:entity:"):
                info[dev] = dict(ec.device)
            else:
                info.setdefault(dev, {})
        for stored in inv._stored.values():
            for f in stored.result.findings:
                findings.setdefault(f.subject or "", []).append(f)
            for dev in dict.fromkeys(ec.device_id for ec in stored.result.components):
                messages[dev] = messages.get(dev, 0) + stored.messages
        for f in self._cross(current):
            findings.setdefault(f.subject or "", []).append(f)
        for f in inv._runtime.result():
            findings.setdefault(f.subject or "", []).append(f)
        plans = list(inv._plans.values()) + [p for _, p in inv._wild]
        for plan in plans:
            for dev in plan.devices:
                messages[dev] = messages.get(dev, 0) + plan.count
            for group in plan.groups:
                if not group.skipped:
                    continue
                for w in group.watches:
                    findings.setdefault(w.device_id, []).append(finding(
                        "HA-TEMPLATE-NOT-EVALUATED",
                        f"{w.entity_key}: {group.skipped} message(s) on {w.role} not "
                        "judged: the template is not one of the forms devid evaluates",
                        subject=w.device_id, t=group.first_t,
                        evidence={"topic": _cut(plan.topic), "entity": w.entity_key,
                                  "role": w.role, "count": group.skipped,
                                  "first_t": group.first_t, "last_t": group.last_t}))
        out = []
        for dev in sorted(set(entities) | set(findings)):
            d = info.get(dev, {})
            ids = tuple(_cut(str(i)) for i in _ensure_list(d.get("identifiers"))
                        if _is_string(i))
            conns = tuple((_cut(str(c[0])), _cut(str(c[1])))
                          for c in _ensure_list(d.get("connections"))
                          if isinstance(c, list) and len(c) == 2
                          and all(_is_string(x) for x in c))

            def text(key: str, d: Mapping[str, Any] = d) -> str | None:
                v = d.get(key)
                return _cut(str(v)) if _is_string(v) else None

            out.append(EcoDevice(
                ecosystem="ha", id=dev, name=text("name"), manufacturer=text("manufacturer"),
                model=text("model"), sw_version=text("sw_version"),
                serial_number=text("serial_number"), identifiers=ids, connections=conns,
                entities=tuple(sorted(entities.get(dev, []), key=lambda e: e.key)),
                findings=tuple(findings.get(dev, [])), messages=messages.get(dev, 0)))
        return out

    def _cross(self, current: list[tuple[_Live, EntityConfig]]) -> Iterable[Finding]:
        """Findings that need several configs (HA entity registry, device registry)."""
        first_uid: dict[tuple[str, str], tuple[EntityConfig, _Live]] = {}
        for stored, ec in current:
            uid = ec.config.get("unique_id")
            if ec.dropped or not _is_string(uid) or ec.component in NON_ENTITY_COMPONENTS:
                continue
            k = (ec.component, str(uid))
            if k not in first_uid:
                first_uid[k] = (ec, stored)
                continue
            first, _ = first_uid[k]
            topic = stored.topic
            yield finding(
                "HA-UNIQUE-ID-DUPLICATE",
                f"{ec.entity.key} reuses unique_id {_cut(str(uid))!r} of {first.entity.key}; "
                "HA ignores the later entity", subject=ec.device_id,
                evidence={"topic": _cut(topic), "unique_id": _cut(str(uid)),
                          "entity": ec.entity.key, "first_entity": first.entity.key,
                          "first_device": first.device_id},
                t=stored.t)
        # one identifier, several physical devices (device registry merges them)
        by_id: dict[str, list[tuple[_Live, EntityConfig]]] = {}
        for stored, ec in current:
            if ec.device is None or ec.dropped:
                continue
            for ident in _ensure_list(ec.device.get("identifiers")):
                if _is_string(ident):
                    by_id.setdefault(str(ident), []).append((stored, ec))
        for ident, group in by_id.items():
            names = {str(ec.device.get("name")) for _, ec in group
                     if ec.device is not None and _is_string(ec.device.get("name"))}
            models = {str(ec.device.get("model")) for _, ec in group
                      if ec.device is not None and _is_string(ec.device.get("model"))}
            twins: dict[tuple[str, str], set[str]] = {}
            for _, ec in group:
                if ec.entity.name is not None:
                    twins.setdefault((ec.component, ec.entity.name), set()).add(
                        str(ec.entity.unique_id))
            doubled = sorted(f"{c}:{n}" for (c, n), uids in twins.items() if len(uids) > 1)
            if len(names) < 2 and len(models) < 2 and not doubled:
                continue
            stored, ec = group[-1]
            why = []
            if len(names) > 1:
                why.append(f"names {', '.join(sorted(repr(_cut(n)) for n in names)[:5])}")
            if len(models) > 1:
                why.append(f"models {', '.join(sorted(repr(_cut(m)) for m in models)[:5])}")
            if doubled:
                why.append(f"same-named entities {', '.join(doubled[:5])} with different "
                           "unique_ids")
            yield finding(
                "HA-DEVICE-ID-SHARED",
                f"identifier {_cut(ident)!r} is announced with {'; '.join(why)}: HA merges "
                "them into one device", subject=ec.device_id,
                evidence={"identifier": _cut(ident), "names": sorted(names)[:10],
                          "models": sorted(models)[:10], "entities": doubled[:10],
                          "topic": _cut(stored.topic)},
                t=stored.t)
