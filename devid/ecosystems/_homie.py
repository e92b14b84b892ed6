"""Homie convention 4 and 5: a pure, streaming validator (HOMIE-*; see docs/homie.md).

Three entry points:

- :func:`check_value` judges one property payload against a datatype and format;
- :func:`validate_description` judges a Homie 5 ``$description`` document and
  returns what it describes (:class:`HomieDescription`);
- :class:`HomieInventory` is fed MQTT messages in capture order and reports one
  :class:`~devid.ecosystems.EcoDevice` per device (``homie:<domain>/<device id>``).

Topic layouts (Homie 4 §Base Topic, Homie 5 §Base Topic): ``<root>/<device>/...``
for v4 and ``<domain>/5/<device>/...`` for v5. ``homie`` is known from the start;
another root is learned from the discovery topics the convention names
(``+/+/$homie`` for v4, ``+/5/+/$state`` for v5, and ``$description``), and the
messages seen under it before (a bounded number) are then replayed.

Messages arrive in any order: a value may precede its ``$datatype`` or the
``$description``. Values are buffered per property (bounded) and judged once the
property is known (v5: the description; v4: its attributes and the device's
first ``ready``); whatever is still buffered is judged by :meth:`devices`.
The per-message path is dictionary look-ups and a payload check; a
:class:`~devid._findings.Finding` is only built when something is wrong, and
repeated runtime findings are aggregated by a :class:`FindingCounter`.

Pure: no MQTT, mDNS, socket or asyncio. Device input never raises.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from devid._findings import Finding, Severity, finding
from devid.ecosystems import _homie_tables as T
from devid.ecosystems._model import EcoDevice, Entity, FindingCounter

__all__ = ["HomieDescription", "HomieInventory", "HomieProperty", "check_value",
           "validate_description"]

Checker = Callable[[str], "str | None"]
_Emit = Callable[..., None]


def _cut(text: str) -> str:
    return text[:T.EVIDENCE_CUT]


def _show(payload: bytes) -> str:
    return _cut(payload[:T.EVIDENCE_CUT * 4].decode("utf-8", errors="replace"))


# =========================================================================================
# ids
# =========================================================================================

def _id_problem(value: str, version: int) -> tuple[str, str, Severity | None] | None:
    """(code, why, severity override) when ``value`` is not a topic id (Homie §Topic IDs)."""
    if not T.ID_CHARS.fullmatch(value):
        return ("HOMIE-ID-INVALID",
                "is empty" if not value else "has characters other than a-z, 0-9 and '-'", None)
    if value[0] == "-" or value[-1] == "-":
        sev = None if T.HYPHEN_IS_ERROR[version] else Severity.WARNING
        return "HOMIE-ID-HYPHEN", "starts or ends with a hyphen", sev
    return None


# =========================================================================================
# values and formats
# =========================================================================================

def _parse_int(text: str) -> tuple[int | None, str | None]:
    if not T.INTEGER_RE.fullmatch(text):
        return None, "not an integer (only digits and a leading '-')"
    if len(text.lstrip("-").lstrip("0")) > 19:
        return None, "outside the 64-bit integer range"
    value = int(text)
    if not T.INT64_MIN <= value <= T.INT64_MAX:
        return None, "outside the 64-bit integer range"
    return value, None


def _parse_float(text: str) -> tuple[float | None, str | None]:
    if not T.FLOAT_RE.fullmatch(text):
        return None, "not a float (digits, one '-', one '.', 'e'/'E'; no spaces or '+')"
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None, "not a float"
    if not math.isfinite(value):
        return None, "outside the 64-bit float range"
    return value, None


def _number(kind: str, text: str) -> tuple[float | int | None, str | None]:
    return _parse_int(text) if kind == "integer" else _parse_float(text)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A datatype+format ready to judge payload text.

    ``check`` is ``None`` when values cannot be judged (unknown datatype, missing
    or unusable format). ``code``/``problem`` describe what is wrong with the
    datatype or format itself (``severity`` overrides the code's default).
    """

    check: Checker | None
    code: str | None = None
    problem: str | None = None
    severity: Severity | None = None


def _range_checker(kind: str, lo: float | None, hi: float | None) -> Checker:
    def check(text: str) -> str | None:
        value, why = _number(kind, text)
        if why is not None or value is None:
            return why
        if lo is not None and value < lo:
            return f"{_cut(text)} is below the format's minimum {lo:g}"
        if hi is not None and value > hi:
            return f"{_cut(text)} is above the format's maximum {hi:g}"
        return None
    return check


def _compile_range(kind: str, fmt: str | None) -> _Compiled:
    plain = _range_checker(kind, None, None)
    if not fmt:
        return _Compiled(plain)
    parts = fmt.split(":")
    if len(parts) not in (2, 3):
        return _Compiled(plain, "HOMIE-FORMAT-INVALID",
                         f"{kind} format {_cut(fmt)!r} is not [min]:[max][:step]")
    bounds: list[float | None] = []
    for part in parts:
        if part == "":
            bounds.append(None)
            continue
        value, why = _number(kind, part)
        if why is not None or value is None:
            return _Compiled(plain, "HOMIE-FORMAT-INVALID",
                             f"{kind} format {_cut(fmt)!r}: {_cut(part)!r} {why}")
        bounds.append(float(value))
    lo, hi = bounds[0], bounds[1]
    if len(parts) == 3 and (bounds[2] is None or bounds[2] <= 0):
        return _Compiled(_range_checker(kind, lo, hi), "HOMIE-FORMAT-INVALID",
                         f"{kind} format {_cut(fmt)!r}: the step must be greater than 0")
    if lo is not None and hi is not None and lo > hi:
        return _Compiled(plain, "HOMIE-FORMAT-INVALID",
                         f"{kind} format {_cut(fmt)!r}: the minimum is above the maximum")
    return _Compiled(_range_checker(kind, lo, hi))


def _compile_enum(fmt: str, version: int) -> _Compiled:
    entries = fmt.split(",")
    if version == 4:  # Homie 4 §Enum: leading and trailing whitespace should be removed
        entries = [e.strip() for e in entries]
    members = frozenset(entries)
    strip = version == 4

    def check(text: str) -> str | None:
        probe = text.strip() if strip else text
        if probe not in members:
            return f"{_cut(text)!r} is not one of the enum's values"
        return None

    if "" in members:
        return _Compiled(check, "HOMIE-FORMAT-INVALID",
                         f"enum format {_cut(fmt)!r} has an empty value")
    if len(members) != len(entries):
        return _Compiled(check, "HOMIE-FORMAT-INVALID",
                         f"enum format {_cut(fmt)!r} lists a value twice")
    return _Compiled(check)


def _v4_color_checker(kind: str) -> Checker:
    ranges = T.COLOR_RANGES[kind]

    def check(text: str) -> str | None:
        parts = text.split(",")
        if len(parts) != 3 or not all(T.V4_COLOR_NUMBER_RE.fullmatch(p) for p in parts):
            return f"{_cut(text)!r} is not three comma-separated whole numbers ({kind})"
        for part, (lo, hi) in zip(parts, ranges, strict=True):
            if len(part) > 6 or not lo <= int(part) <= hi:
                return f"{_cut(text)!r}: {part} is outside {lo:g}..{hi:g} ({kind})"
        return None
    return check


def _v5_color_checker(allowed: tuple[str, ...]) -> Checker:
    def check(text: str) -> str | None:
        parts = text.split(",")
        kind = parts[0]
        if kind not in allowed:
            hint = " (Homie 5 colours start with their type, e.g. rgb,255,0,0)" \
                if kind not in T.COLOR_RANGES else ""
            return f"{_cut(text)!r}: colour type {_cut(kind)!r} is not in the format{hint}"
        ranges = T.COLOR_RANGES[kind]
        if len(parts) - 1 != len(ranges):
            return f"{_cut(text)!r}: {kind} takes {len(ranges)} numbers"
        for part, (lo, hi) in zip(parts[1:], ranges, strict=True):
            value, why = _parse_float(part)
            if why is not None or value is None:
                return f"{_cut(text)!r}: {_cut(part)!r} {why}"
            if not lo <= value <= hi:
                return f"{_cut(text)!r}: {_cut(part)} is outside {lo:g}..{hi:g} ({kind})"
        return None
    return check


def _compile_color(fmt: str, version: int) -> _Compiled:
    if version == 4:
        if fmt not in T.COLOR_FORMATS[4]:
            return _Compiled(None, "HOMIE-FORMAT-INVALID",
                             f"color format {_cut(fmt)!r} is not rgb or hsv")
        return _Compiled(_v4_color_checker(fmt))
    entries = fmt.split(",")
    bad = [e for e in entries if e not in T.COLOR_FORMATS[5]]
    if bad or len(set(entries)) != len(entries):
        return _Compiled(None, "HOMIE-FORMAT-INVALID",
                         f"color format {_cut(fmt)!r} is not a list of rgb, hsv, xyz")
    return _Compiled(_v5_color_checker(tuple(entries)))


def _check_boolean(text: str) -> str | None:
    if text not in T.BOOLEANS:
        return f"{_cut(text)!r} is not exactly true or false"
    return None


def _check_string(text: str) -> str | None:
    return None


def _check_datetime(text: str) -> str | None:
    if T.DATETIME_RE.fullmatch(text):
        try:
            datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return None
    return f"{_cut(text)!r} is not an ISO 8601 date and time"


def _check_duration(text: str) -> str | None:
    if text == "PT" or not T.DURATION_RE.fullmatch(text):
        return f"{_cut(text)!r} is not an ISO 8601 duration of the form PTxHxMxS"
    return None


def _load_json(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "is nested too deeply"
    except ValueError as exc:
        return None, f"is not JSON ({_cut(str(exc))})"


def _check_json(text: str) -> str | None:
    value, why = _load_json(text)
    if why is not None:
        return f"the payload {why}"
    if not isinstance(value, list | dict):
        return "a json value must be a JSON array or object"
    return None


_PLAIN: Mapping[str, Checker] = {
    "boolean": _check_boolean, "string": _check_string, "datetime": _check_datetime,
    "duration": _check_duration, "json": _check_json,
}


@lru_cache(maxsize=4096)
def _compile(datatype: str, fmt: str | None, version: int) -> _Compiled:
    """Judge a datatype and format once; the result judges values (Homie §Formats)."""
    if datatype not in T.DATATYPES[version]:
        return _Compiled(None, "HOMIE-DATATYPE-UNKNOWN",
                         f"datatype {_cut(datatype)!r} is not one of "
                         f"{', '.join(sorted(T.DATATYPES[version]))}")
    if not fmt and datatype in T.FORMAT_REQUIRED:
        return _Compiled(None, "HOMIE-FORMAT-MISSING", f"a {datatype} property needs a format")
    if datatype in T.RANGE_TYPES:
        return _compile_range(datatype, fmt)
    if datatype == "enum":
        return _compile_enum(fmt or "", version)
    if datatype == "color":
        return _compile_color(fmt or "", version)
    if datatype == "boolean" and fmt and version == 5:
        labels = fmt.split(",")
        if len(labels) != 2 or "" in labels:
            return _Compiled(_check_boolean, "HOMIE-FORMAT-INVALID",
                             f"boolean format {_cut(fmt)!r} is not two labels false,true")
    if datatype == "json" and fmt:
        schema, why = _load_json(fmt)
        if why is not None or not isinstance(schema, dict | bool):
            return _Compiled(_check_json, "HOMIE-FORMAT-INVALID",
                             f"json format {why or 'is not a JSON schema object'}",
                             Severity.WARNING)
    return _Compiled(_PLAIN[datatype])


def _decode(payload: bytes, version: int) -> tuple[str | None, str | None]:
    """(text, problem): UTF-8 text of a payload (Homie 4 §Payload, Homie 5 §Payloads)."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None, "the payload is not UTF-8"
    if version == 5 and text.startswith(T.BOM):
        return text[1:], "the payload starts with a UTF-8 byte order mark"
    return text, None


def _judge_text(compiled: _Compiled, datatype: str, text: str, version: int) -> str | None:
    if compiled.check is None:
        return None
    if version == 5:
        if text == "":
            return ("a zero-length payload deletes the topic; an empty string is sent as "
                    "one 0x00 byte")
        if text == T.V5_EMPTY_STRING:
            return None if datatype == "string" else f"an empty string is not a valid {datatype}"
    elif text == "":
        return None if datatype == "string" else f"an empty string is not a valid {datatype}"
    return compiled.check(text)


def check_value(datatype: str, format: str | None, payload: bytes, *,
                version: int = 5) -> str | None:
    """Why ``payload`` is not a valid value of a ``datatype``/``format`` property, or None.

    ``version`` is the Homie major version (4 or 5): colours, empty strings and
    the known datatypes differ. A problem with the format itself is not a value
    problem: with an unusable format only the datatype is judged (an enum or color
    value cannot be judged without its format and passes). An unknown datatype is
    a problem. Never raises on device input.
    """
    if version not in T.DATATYPES:
        raise ValueError(f"Homie version must be 4 or 5, not {version!r}")
    compiled = _compile(datatype, format or None, version)
    if compiled.code == "HOMIE-DATATYPE-UNKNOWN":
        return compiled.problem
    if len(payload) > T.MAX_PAYLOAD:
        return f"the payload is larger than devid's {T.MAX_PAYLOAD}-byte limit"
    text, why = _decode(payload, version)
    if text is None:
        return why
    return why or _judge_text(compiled, datatype, text, version)


# =========================================================================================
# Homie 5 $description
# =========================================================================================

@dataclass(frozen=True, slots=True)
class HomieProperty:
    """One property of a Homie 5 description (defaults applied)."""

    node: str
    id: str
    datatype: str
    format: str | None = None
    settable: bool = False
    retained: bool = True
    unit: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class HomieDescription:
    """What a Homie 5 ``$description`` says (fields of the wrong type read as absent)."""

    homie: str | None
    version: int | None
    name: str | None
    type: str | None = None
    nodes: Mapping[str, str | None] = field(default_factory=dict)
    """node id → node name"""
    properties: tuple[HomieProperty, ...] = ()
    children: tuple[str, ...] = ()
    root: str | None = None
    parent: str | None = None
    extensions: tuple[str, ...] = ()


def _jtype(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _fits(kind: str, value: Any) -> bool:
    if kind == T.STR:
        return isinstance(value, str)
    if kind == T.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == T.BOOL:
        return isinstance(value, bool)
    if kind == T.OBJ:
        return isinstance(value, dict)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _short(value: Any) -> str:
    try:
        return _cut(json.dumps(value, ensure_ascii=False)[:T.EVIDENCE_CUT * 2])
    except (ValueError, RecursionError):
        return "<unprintable>"


class _DescReader:
    """Reads one description document, emitting findings as it goes."""

    def __init__(self, emit: _Emit) -> None:
        self.emit = emit
        self.props = 0

    def fields(self, obj: dict[str, Any], table: Mapping[str, tuple[str, bool]],
               where: str) -> dict[str, Any]:
        """The known fields of ``obj`` with the right type; reports missing/mistyped ones."""
        out: dict[str, Any] = {}
        for name, (kind, required) in table.items():
            if name not in obj:
                if required:
                    alias = [a for a, real in T.FIELD_ALIASES.items() if real == name and a in obj]
                    hint = f" (it has {alias[0]!r}; the field is {name!r})" if alias else ""
                    self.emit("HOMIE-DESC-FIELD-MISSING",
                              f"{where} has no {name!r}, which is required{hint}",
                              {"where": where, "field": name})
                continue
            value = obj[name]
            if not _fits(kind, value):
                self.emit("HOMIE-DESC-FIELD-TYPE",
                          f"{where}: {name!r} is {_jtype(value)}, not {kind}",
                          {"where": where, "field": name, "value": _short(value)})
                continue
            out[name] = value
        return out

    def unknown(self, obj: dict[str, Any], table: Mapping[str, Any], where: str,
                skip: frozenset[str] = frozenset()) -> None:
        extra = [k for k in obj if k not in table and k not in skip]
        if extra:
            shown = [_cut(k) for k in extra[:T.MAX_UNKNOWN_REPORTED]]
            self.emit("HOMIE-DESC-UNKNOWN-FIELD",
                      f"{where} has fields the convention does not define: {', '.join(shown)}",
                      {"where": where, "fields": shown, "count": len(extra)})

    def ident(self, value: str, what: str) -> None:
        problem = _id_problem(value, 5)
        if problem is not None:
            code, why, sev = problem
            self.emit(code, f"{what} {_cut(value)!r} {why}", {"id": _cut(value), "what": what},
                      severity=sev)

    def device(self, doc: dict[str, Any]) -> HomieDescription:
        f = self.fields(doc, T.DEVICE_FIELDS, "the device")
        self.unknown(doc, T.DEVICE_FIELDS, "the device")
        homie = f.get("homie")
        if homie is not None and not T.V5_VERSION_RE.fullmatch(homie):
            self.emit("HOMIE-VERSION-MISMATCH",
                      f"the description's homie is {_cut(homie)!r}, not \"5.x\" (judged as 5)",
                      {"homie": _cut(homie)})
        children = tuple(f.get("children", ())[:T.MAX_LISTED])
        for child in children:
            self.ident(child, "child id")
        for key in ("root", "parent"):
            if key in f:
                self.ident(f[key], f"{key} id")
        if "parent" in f and "root" not in f:
            self.emit("HOMIE-DESC-FIELD-MISSING",
                      "the device has a parent but no 'root', which a child device requires",
                      {"where": "the device", "field": "root"})
        nodes: dict[str, str | None] = {}
        props: list[HomieProperty] = []
        for node_id, node in list(f.get("nodes", {}).items()):
            if len(nodes) >= T.MAX_NODES:
                self.emit("HOMIE-LIMIT", f"more than {T.MAX_NODES} nodes; the rest not judged",
                          {"limit": T.MAX_NODES})
                break
            nodes[node_id] = self.node(node_id, node, props)
        return HomieDescription(
            homie=homie, version=f.get("version"), name=f.get("name"), type=f.get("type"),
            nodes=nodes, properties=tuple(props), children=children, root=f.get("root"),
            parent=f.get("parent"), extensions=tuple(f.get("extensions", ())[:T.MAX_LISTED]))

    def node(self, node_id: str, node: Any, props: list[HomieProperty]) -> str | None:
        where = f"node {_cut(node_id)!r}"
        self.ident(node_id, "node id")
        if not isinstance(node, dict):
            self.emit("HOMIE-DESC-FIELD-TYPE", f"{where} is {_jtype(node)}, not object",
                      {"where": where, "value": _short(node)})
            return None
        f = self.fields(node, T.NODE_FIELDS, where)
        misplaced = frozenset(
            k for k, v in node.items() if k not in T.NODE_FIELDS and isinstance(v, dict)
            and (T.PROPERTY_HINTS & v.keys() or "type" in v))
        for key in sorted(misplaced)[:T.MAX_UNKNOWN_REPORTED]:
            value = node[key]
            hint = " and names its datatype 'type' instead of 'datatype'" \
                if "type" in value and "datatype" not in value else ""
            self.emit("HOMIE-DESC-MISPLACED-PROPERTY",
                      f"{where}: {_cut(key)!r} looks like a property but sits in the node, not "
                      f"under 'properties'{hint}; controllers ignore it",
                      {"node": _cut(node_id), "key": _cut(key),
                       "fields": [_cut(k) for k in list(value)[:T.MAX_UNKNOWN_REPORTED]]})
        self.unknown(node, T.NODE_FIELDS, where, skip=misplaced)
        for prop_id, prop in list(f.get("properties", {}).items()):
            if self.props >= T.MAX_PROPERTIES:
                self.emit("HOMIE-LIMIT",
                          f"more than {T.MAX_PROPERTIES} properties; the rest not judged",
                          {"limit": T.MAX_PROPERTIES})
                break
            self.props += 1
            parsed = self.prop(node_id, prop_id, prop)
            if parsed is not None:
                props.append(parsed)
        name = f.get("name")
        return name if isinstance(name, str) else None

    def prop(self, node_id: str, prop_id: str, prop: Any) -> HomieProperty | None:
        where = f"property {_cut(node_id)}/{_cut(prop_id)}"
        self.ident(prop_id, "property id")
        if not isinstance(prop, dict):
            self.emit("HOMIE-DESC-FIELD-TYPE", f"{where} is {_jtype(prop)}, not object",
                      {"where": where, "value": _short(prop)})
            return None
        f = self.fields(prop, T.PROPERTY_FIELDS, where)
        self.unknown(prop, T.PROPERTY_FIELDS, where)
        datatype = f.get("datatype")
        if datatype is None:
            return None
        fmt = f.get("format")
        compiled = _compile(datatype, fmt or None, 5)
        if compiled.code is not None:
            self.emit(compiled.code, f"{where}: {compiled.problem}",
                      {"property": f"{_cut(node_id)}/{_cut(prop_id)}",
                       "datatype": _cut(datatype), "format": _cut(fmt or "")},
                      severity=compiled.severity)
        return HomieProperty(node=node_id, id=prop_id, datatype=datatype, format=fmt,
                             settable=f.get("settable", False), retained=f.get("retained", True),
                             unit=f.get("unit"), name=f.get("name"))


def validate_description(payload: bytes, *, subject: str | None = None,
                         t: float | None = None) -> tuple[list[Finding], HomieDescription | None]:
    """Judge a Homie 5 ``$description`` payload (Homie 5 §Device, Node, Property Attributes).

    Returns the findings and what the document describes (``None`` when it is not
    a JSON object). Properties without a string ``datatype`` are left out of the
    result; fields of the wrong type read as absent. Never raises on device input.
    """
    out: list[Finding] = []

    def emit(code: str, message: str, evidence: Mapping[str, Any] | None = None, *,
             severity: Severity | None = None) -> None:
        out.append(finding(code, message, subject=subject, evidence=evidence, t=t,
                           severity=severity))

    if len(payload) > T.MAX_PAYLOAD:
        emit("HOMIE-LIMIT", f"the description is larger than {T.MAX_PAYLOAD} bytes; not judged",
             {"size": len(payload), "limit": T.MAX_PAYLOAD})
        return out, None
    text, why = _decode(payload, 5)
    if why is not None:
        emit("HOMIE-PAYLOAD-ENCODING", f"$description: {why}", {"payload": _show(payload)})
    if text is None:
        return out, None
    doc, why = _load_json(text)
    if why is not None:
        emit("HOMIE-DESC-INVALID-JSON", f"$description {why}", {"payload": _cut(text)})
        return out, None
    if not isinstance(doc, dict):
        emit("HOMIE-DESC-INVALID-JSON", f"$description is {_jtype(doc)}, not a JSON object",
             {"payload": _cut(text)})
        return out, None
    try:
        parsed = _DescReader(emit).device(doc)
    except RecursionError:  # pragma: no cover - json.loads already bounds the depth
        emit("HOMIE-DESC-INVALID-JSON", "$description is nested too deeply", None)
        return out, None
    return out, parsed


# =========================================================================================
# the inventory
# =========================================================================================

@dataclass(slots=True)
class _Spec:
    """What devid judges a property's values against."""

    datatype: str
    format: str | None
    settable: bool
    retained: bool
    unit: str | None
    name: str | None
    compiled: _Compiled


_Attr = tuple[str, float | None]
"""An attribute value (text) and the receive time of its message."""
_Pending = tuple[str, bytes, bool, float | None]
"""A buffered value: (kind value|set|target, payload, retain flag, t)."""


@dataclass(slots=True)
class _Prop:
    attrs: dict[str, _Attr] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    spec: _Spec | None = None
    dirty: bool = True


@dataclass(slots=True)
class _Node:
    attrs: dict[str, _Attr] = field(default_factory=dict)
    props: dict[str, _Prop] = field(default_factory=dict)


@dataclass(slots=True)
class _Dev:
    domain: str
    version: int
    did: str
    key: str
    counter: FindingCounter
    messages: int = 0
    state: str | None = None
    removed: bool = False
    live: bool = False
    """v4: the device said ready once; values are judged as they arrive."""
    attrs: dict[str, _Attr] = field(default_factory=dict)
    nodes: dict[str, _Node] = field(default_factory=dict)
    nprops: int = 0
    pending_bytes: int = 0
    checked_ids: set[str] = field(default_factory=set)
    desc_hash: bytes | None = None
    desc: HomieDescription | None = None
    desc_findings: list[Finding] = field(default_factory=list)
    specs: dict[tuple[str, str], _Spec] = field(default_factory=dict)


_MAX_PENDING_BYTES_PER_DEVICE = 256 * 1024
_MAX_PENDING_BYTES = 32 * 1024 * 1024


class HomieInventory:
    """Streaming Homie 4/5 validator (implements :class:`~devid.ecosystems.Inventory`).

    ``domains`` are the roots known from the start (v4 base topics and v5 homie
    domains alike). Others are learned from ``<root>/<id>/$homie`` (v4) and
    ``<domain>/5/<id>/$state|$description`` (v5). ``judge_retain`` (default on)
    judges the retain flags; turn it off for captures whose flags say nothing
    about the publisher (no MQTT 5 retain-as-published, documentation excerpts).
    """

    ecosystem = "homie"

    def __init__(self, domains: tuple[str, ...] = ("homie",), *, judge_retain: bool = True,
                 max_devices: int = T.MAX_DEVICES) -> None:
        self.messages = 0
        self.generation = 0
        self._roots: set[str] = set(domains)
        self._judge_retain = judge_retain
        self._max_devices = max_devices
        self._devices: dict[tuple[str, int, str], _Dev] = {}
        self._orphans = FindingCounter()
        self._early: deque[tuple[str, str, bytes, bool, float | None]] = deque()
        self._early_bytes = 0
        self._pending_bytes = 0

    # -- Inventory protocol -------------------------------------------------------------
    def claims(self, topic: str) -> bool:
        levels = topic.split("/")
        return levels[0] in self._roots or self._learnable(levels)

    def add(self, topic: str, payload: bytes, *, retain: bool = False,
            t: float | None = None) -> bool:
        levels = topic.split("/")
        root = levels[0]
        if root not in self._roots:
            if not self._learnable(levels):
                self._keep_early(root, topic, payload, retain=retain, t=t, depth=len(levels))
                return False
            self._roots.add(root)
            self.generation += 1
            for _root, early_topic, early_payload, early_retain, early_t in self._take_early(root):
                self.messages += 1
                self._dispatch(early_topic.split("/"), early_payload, early_retain, early_t)
        self.messages += 1
        self._dispatch(levels, payload, retain, t)
        return True

    def devices(self) -> list[EcoDevice]:
        return [self._record(dev) for dev in
                sorted(self._devices.values(), key=lambda d: (d.key, d.version))]

    def orphan_findings(self) -> list[Finding]:
        return self._orphans.result()

    # -- roots ----------------------------------------------------------------------------
    @staticmethod
    def _learnable(levels: list[str]) -> bool:
        """The discovery topics of Homie 4 (+/+/$homie) and 5 (+/5/+/$state, $description)."""
        if not levels[0] or levels[0].startswith("$"):
            return False
        if len(levels) == 3:
            return levels[2] == "$homie"
        return len(levels) == 4 and levels[1] == "5" and levels[3] in ("$state", "$description")

    def _keep_early(self, root: str, topic: str, payload: bytes, *, retain: bool,
                    t: float | None, depth: int) -> None:
        if depth < 3 or not root or root.startswith("$") or len(payload) > T.MAX_PAYLOAD:
            return
        self._early.append((root, topic, payload, retain, t))
        self._early_bytes += len(payload) + len(topic)
        while self._early and (len(self._early) > T.PREBUFFER_MESSAGES
                               or self._early_bytes > T.PREBUFFER_BYTES):
            _, old_topic, old_payload, _, _ = self._early.popleft()
            self._early_bytes -= len(old_payload) + len(old_topic)

    def _take_early(self, root: str) -> list[tuple[str, str, bytes, bool, float | None]]:
        mine = [m for m in self._early if m[0] == root]
        if mine:
            self._early = deque(m for m in self._early if m[0] != root)
            self._early_bytes = sum(len(m[2]) + len(m[1]) for m in self._early)
        return mine

    # -- dispatch -------------------------------------------------------------------------
    def _dispatch(self, levels: list[str], payload: bytes, retain: bool,
                  t: float | None) -> None:
        if len(levels) < 2 or levels[1] == "$broadcast":
            return
        if levels[1] == "5" and len(levels) >= 3:
            if levels[2] != "$broadcast":
                self._v5(levels, payload, retain, t)
            return
        self._v4(levels, payload, retain, t)

    def _device(self, domain: str, version: int, did: str, t: float | None) -> _Dev | None:
        dev = self._devices.get((domain, version, did))
        if dev is not None:
            return dev
        if len(self._devices) >= self._max_devices:
            self._orphans.add(finding(
                "HOMIE-LIMIT", f"more than {self._max_devices} Homie devices; the rest not judged",
                evidence={"limit": self._max_devices}, t=t))
            return None
        dev = _Dev(domain=domain, version=version, did=did, key=f"homie:{domain}/{did}",
                   counter=FindingCounter(T.MAX_KEYS_PER_DEVICE))
        self._devices[(domain, version, did)] = dev
        self._ident(dev, domain, "domain" if version == 5 else "base topic", t)
        self._ident(dev, did, "device id", t)
        return dev

    def _note(self, dev: _Dev, code: str, message: str, key: str, t: float | None, *,
              evidence: Mapping[str, Any] | None = None,
              severity: Severity | None = None) -> None:
        dev.counter.add(finding(code, message, subject=dev.key, evidence=evidence, t=t,
                                severity=severity), key)

    def _ident(self, dev: _Dev, value: str, what: str, t: float | None) -> None:
        if value in dev.checked_ids:
            return
        if len(dev.checked_ids) < T.MAX_KEYS_PER_DEVICE:
            dev.checked_ids.add(value)
        problem = _id_problem(value, dev.version)
        if problem is not None:
            code, why, sev = problem
            self._note(dev, code, f"{what} {_cut(value)!r} {why}", value, t,
                       evidence={"id": _cut(value), "what": what}, severity=sev)

    def _unknown_topic(self, dev: _Dev, levels: list[str], t: float | None) -> None:
        topic = "/".join(levels)
        self._note(dev, "HOMIE-TOPIC-UNKNOWN", f"topic {_cut(topic)!r} is not a Homie topic",
                   "topic", t, evidence={"topic": _cut(topic)})

    def _too_large(self, dev: _Dev, what: str, payload: bytes, t: float | None) -> bool:
        if len(payload) <= T.MAX_PAYLOAD:
            return False
        self._note(dev, "HOMIE-LIMIT", f"{_cut(what)}: payload over {T.MAX_PAYLOAD} bytes; "
                   "not judged", f"size:{what}", t,
                   evidence={"size": len(payload), "what": _cut(what)})
        return True

    def _attr_text(self, dev: _Dev, what: str, payload: bytes, retain: bool,
                   t: float | None) -> str | None:
        """The text of an attribute message; None when deleted, too large or not text."""
        if self._judge_retain and not retain and payload:
            self._note(dev, "HOMIE-NOT-RETAINED", f"{_cut(what)} was published without the "
                       "retain flag", what, t, evidence={"attribute": _cut(what)})
        if not payload or self._too_large(dev, what, payload, t):
            return None
        text, why = _decode(payload, dev.version)
        if why is not None:
            self._note(dev, "HOMIE-PAYLOAD-ENCODING", f"{_cut(what)}: {why}", what, t,
                       evidence={"attribute": _cut(what), "payload": _show(payload)})
        return text

    # -- Homie 5 ----------------------------------------------------------------------------
    def _v5(self, levels: list[str], payload: bytes, retain: bool, t: float | None) -> None:
        dev = self._device(levels[0], 5, levels[2], t)
        if dev is None:
            return
        dev.messages += 1
        rest = levels[3:]
        if not rest:
            self._unknown_topic(dev, levels, t)
            return
        head = rest[0]
        if head.startswith("$"):
            if len(rest) == 1 and head == "$state":
                self._state(dev, payload, retain, t)
            elif len(rest) == 1 and head == "$description":
                self._description(dev, payload, retain, t)
            elif head == "$alert" and len(rest) == 2:
                self._ident(dev, rest[1], "alert id", t)
            elif not (head == "$log" and len(rest) == 2):
                self._unknown_topic(dev, levels, t)
            return
        if len(rest) == 2 and not rest[1].startswith("$"):
            self._value(dev, rest[0], rest[1], "value", payload, retain=retain, t=t)
        elif len(rest) == 3 and rest[2] in ("set", "$target") and not rest[1].startswith("$"):
            self._value(dev, rest[0], rest[1], "set" if rest[2] == "set" else "target",
                        payload, retain=retain, t=t)
        else:
            self._unknown_topic(dev, levels, t)

    def _description(self, dev: _Dev, payload: bytes, retain: bool, t: float | None) -> None:
        if self._judge_retain and not retain and payload:
            self._note(dev, "HOMIE-NOT-RETAINED", "$description was published without the "
                       "retain flag", "$description", t, evidence={"attribute": "$description"})
        if not payload:  # deleted
            dev.desc_hash, dev.desc, dev.desc_findings, dev.specs = None, None, [], {}
            return
        digest = hashlib.sha256(payload).digest()
        if digest == dev.desc_hash:
            return
        findings, parsed = validate_description(payload, subject=dev.key, t=t)
        if dev.desc_hash is not None:
            old = dev.desc.version if dev.desc is not None else None
            new = parsed.version if parsed is not None else None
            if dev.state in T.FROZEN_STATES:
                self._note(dev, "HOMIE-DESCRIPTION-CHANGED", f"$description changed while the "
                           f"device was {dev.state}", "state", t,
                           evidence={"state": dev.state, "old_version": old, "new_version": new})
            elif old is not None and new == old:
                self._note(dev, "HOMIE-DESCRIPTION-CHANGED", "$description changed but kept "
                           f"version {old}", "version", t, evidence={"version": old})
        dev.desc_hash, dev.desc, dev.desc_findings = digest, parsed, findings
        dev.specs = {} if parsed is None else {
            (p.node, p.id): _Spec(p.datatype, p.format, p.settable, p.retained, p.unit, p.name,
                                  _compile(p.datatype, p.format or None, 5))
            for p in parsed.properties}
        self._flush(dev)

    # -- Homie 4 ----------------------------------------------------------------------------
    def _v4(self, levels: list[str], payload: bytes, retain: bool, t: float | None) -> None:
        dev = self._device(levels[0], 4, levels[1], t)
        if dev is None:
            return
        dev.messages += 1
        rest = levels[2:]
        head = rest[0] if rest else ""
        if head.startswith("$"):
            name = "/".join(rest)
            if name == "$state":
                self._state(dev, payload, retain, t)
                return
            text = self._attr_text(dev, name, payload, retain, t)
            if name in T.V4_DEVICE_KEPT:
                self._set_attr(dev.attrs, name, text, t)
            return
        if len(rest) == 2 and rest[1].startswith("$"):
            node = self._node(dev, head, t)
            text = self._attr_text(dev, "/".join(rest), payload, retain, t)
            if node is not None and rest[1] in T.V4_NODE_KEPT:
                self._set_attr(node.attrs, rest[1], text, t)
        elif len(rest) == 2:
            self._value(dev, head, rest[1], "value", payload, retain=retain, t=t)
        elif len(rest) == 3 and rest[2].startswith("$") and not rest[1].startswith("$"):
            text = self._attr_text(dev, "/".join(rest), payload, retain, t)
            prop = self._prop(dev, head, rest[1], t)
            if prop is not None and rest[2] in T.V4_PROPERTY_KEPT:
                self._set_attr(prop.attrs, rest[2], text, t)
                prop.dirty = True
        elif len(rest) == 3 and rest[2] == "set" and not rest[1].startswith("$"):
            self._value(dev, head, rest[1], "set", payload, retain=retain, t=t)
        elif any(level.startswith("$") for level in rest):
            self._attr_text(dev, "/".join(rest), payload, retain, t)  # extension attributes
        else:
            self._unknown_topic(dev, levels, t)

    @staticmethod
    def _set_attr(attrs: dict[str, _Attr], name: str, text: str | None,
                  t: float | None) -> None:
        if text is None:
            attrs.pop(name, None)
        else:
            attrs[name] = (text, t)

    # -- shared -----------------------------------------------------------------------------
    def _state(self, dev: _Dev, payload: bytes, retain: bool, t: float | None) -> None:
        text = self._attr_text(dev, "$state", payload, retain, t)
        if not payload:  # Homie 5 §Auto-Discovery: a zero-length $state removes the device
            dev.state, dev.removed = None, True
            return
        if text is None:
            return
        dev.removed = False
        if text not in T.STATES[dev.version]:
            self._note(dev, "HOMIE-STATE-INVALID",
                       f"$state {_cut(text)!r} is not a Homie {dev.version} state",
                       f"state:{_cut(text)}", t,
                       evidence={"state": _cut(text), "allowed": sorted(T.STATES[dev.version])})
        dev.state = _cut(text)
        if text != T.READY:
            return
        if dev.version == 5 and dev.desc_hash is None:
            self._note(dev, "HOMIE-STATE-ORDER", "$state ready arrived before any $description",
                       "order", t, evidence={"missing": ["$description"]})
        if dev.version == 4:
            missing = [a for a in ("$homie", "$nodes") if a not in dev.attrs]
            if missing:
                self._note(dev, "HOMIE-STATE-ORDER", "$state ready arrived before "
                           f"{', '.join(missing)}", "order", t, evidence={"missing": missing})
            if not dev.live:
                dev.live = True
                self._flush(dev)

    def _node(self, dev: _Dev, node_id: str, t: float | None) -> _Node | None:
        node = dev.nodes.get(node_id)
        if node is None:
            if len(dev.nodes) >= T.MAX_NODES:
                self._note(dev, "HOMIE-LIMIT", f"more than {T.MAX_NODES} nodes; the rest not "
                           "judged", "nodes", t, evidence={"limit": T.MAX_NODES})
                return None
            node = dev.nodes[node_id] = _Node()
            self._ident(dev, node_id, "node id", t)
        return node

    def _prop(self, dev: _Dev, node_id: str, prop_id: str, t: float | None) -> _Prop | None:
        node = self._node(dev, node_id, t)
        if node is None:
            return None
        prop = node.props.get(prop_id)
        if prop is None:
            if dev.nprops >= T.MAX_PROPERTIES:
                self._note(dev, "HOMIE-LIMIT", f"more than {T.MAX_PROPERTIES} properties; the "
                           "rest not judged", "properties", t, evidence={"limit": T.MAX_PROPERTIES})
                return None
            prop = node.props[prop_id] = _Prop()
            dev.nprops += 1
            self._ident(dev, prop_id, "property id", t)
        return prop

    def _spec(self, dev: _Dev, node_id: str, prop_id: str, prop: _Prop) -> _Spec | None:
        if dev.version == 5:
            return dev.specs.get((node_id, prop_id))
        if prop.dirty:
            prop.spec, prop.dirty = _v4_spec(prop.attrs), False
        return prop.spec

    def _value(self, dev: _Dev, node_id: str, prop_id: str, kind: str, payload: bytes, *,
               retain: bool, t: float | None) -> None:
        prop = self._prop(dev, node_id, prop_id, t)
        if prop is None:
            return
        key = f"{node_id}/{prop_id}"
        if kind == "set" and retain and self._judge_retain:
            self._note(dev, "HOMIE-SET-RETAINED", f"a command on {_cut(key)}/set was published "
                       "retained", f"set:{key}", t, evidence={"property": _cut(key)})
        if not payload or self._too_large(dev, key, payload, t):
            return  # a zero-length payload deletes the topic: not a value
        spec = self._spec(dev, node_id, prop_id, prop)
        if spec is not None and (dev.version == 5 or dev.live):
            self._judge(dev, dev.counter, key, spec=spec, kind=kind, payload=payload,
                        retain=retain, t=t)
            return
        size = len(payload)
        if (len(prop.pending) >= T.MAX_PENDING
                or dev.pending_bytes + size > _MAX_PENDING_BYTES_PER_DEVICE
                or self._pending_bytes + size > _MAX_PENDING_BYTES):
            self._note(dev, "HOMIE-LIMIT", f"{_cut(key)}: more values arrived before the "
                       "property was described than devid buffers; those were not judged",
                       f"pending:{key}", t,
                       evidence={"property": _cut(key), "limit": T.MAX_PENDING})
            return
        prop.pending.append((kind, payload, retain, t))
        dev.pending_bytes += size
        self._pending_bytes += size

    def _judge(self, dev: _Dev, counter: FindingCounter, key: str, *, spec: _Spec, kind: str,
               payload: bytes, retain: bool, t: float | None) -> None:
        def note(code: str, message: str, evidence: dict[str, Any]) -> None:
            counter.add(finding(code, message, subject=dev.key, t=t,
                                evidence={"property": _cut(key), **evidence}), key)

        if self._judge_retain:
            if kind == "value" and spec.retained and not retain:
                note("HOMIE-NOT-RETAINED", f"a value of retained property {_cut(key)} was "
                     "published without the retain flag", {})
            elif kind == "value" and not spec.retained and retain:
                note("HOMIE-RETAINED-MISMATCH", f"a value of non-retained property {_cut(key)} "
                     "was published retained", {})
            elif kind == "target" and not retain:
                note("HOMIE-NOT-RETAINED", f"{_cut(key)}/$target was published without the "
                     "retain flag", {})
        if kind == "set" and not spec.settable:
            note("HOMIE-SET-NOT-SETTABLE", f"a command was sent to {_cut(key)}, which is not "
                 "settable", {"payload": _show(payload)})
        text, why = _decode(payload, dev.version)
        problem = why if text is None else (
            why or _judge_text(spec.compiled, spec.datatype, text, dev.version))
        if problem is not None:
            code = "HOMIE-SET-INVALID" if kind == "set" else "HOMIE-VALUE-INVALID"
            if text is None or why is not None:
                code = "HOMIE-PAYLOAD-ENCODING"
            where = {"set": f"{key}/set", "target": f"{key}/$target"}.get(kind, key)
            note(code, f"{_cut(where)}: {problem}",
                 {"payload": _show(payload), "datatype": spec.datatype,
                  "format": _cut(spec.format or "")})

    def _flush(self, dev: _Dev) -> None:
        """Judge buffered values whose property is now known."""
        for node_id, node in dev.nodes.items():
            for prop_id, prop in node.props.items():
                if not prop.pending:
                    continue
                spec = self._spec(dev, node_id, prop_id, prop)
                if spec is None:
                    continue
                for kind, payload, retain, t in prop.pending:
                    self._judge(dev, dev.counter, f"{node_id}/{prop_id}", spec=spec, kind=kind,
                                payload=payload, retain=retain, t=t)
                    dev.pending_bytes -= len(payload)
                    self._pending_bytes -= len(payload)
                prop.pending = []

    # -- records ----------------------------------------------------------------------------
    def _record(self, dev: _Dev) -> EcoDevice:
        findings = dev.counter.result()
        findings += self._v4_static(dev) if dev.version == 4 else self._v5_static(dev)
        late = FindingCounter(T.MAX_KEYS_PER_DEVICE)
        for node_id, node in dev.nodes.items():
            for prop_id, prop in node.props.items():
                if not prop.pending:
                    continue
                key = f"{node_id}/{prop_id}"
                spec = self._spec(dev, node_id, prop_id, prop)
                if spec is None:
                    kind, payload, _, t = prop.pending[0]
                    late.add(finding(
                        "HOMIE-VALUE-UNDESCRIBED",
                        f"{_cut(key)}: {len(prop.pending)} value(s) or command(s) for a property "
                        "that was never described", subject=dev.key, t=t,
                        evidence={"property": _cut(key), "count": len(prop.pending),
                                  "first": _show(payload), "kind": kind}), key)
                    continue
                for kind, payload, retain, t in prop.pending:
                    self._judge(dev, late, key, spec=spec, kind=kind, payload=payload,
                                retain=retain, t=t)
        findings += late.result()
        attrs = dev.attrs
        desc = dev.desc
        name = desc.name if dev.version == 5 and desc is not None else _get(attrs, "$name")
        mac = _get(attrs, "$mac")
        return EcoDevice(
            ecosystem="homie", id=dev.key, name=name,
            sw_version=_get(attrs, "$fw/version"),
            connections=(("mac", _cut(mac)),) if mac else (),
            entities=self._entities(dev), findings=tuple(findings), messages=dev.messages,
            state=dev.state)

    def _entities(self, dev: _Dev) -> tuple[Entity, ...]:
        base = f"{dev.domain}/5/{dev.did}" if dev.version == 5 else f"{dev.domain}/{dev.did}"
        items: list[tuple[str, str, _Spec]] = []
        if dev.version == 5:
            items = [(n, p, s) for (n, p), s in dev.specs.items()]
        else:
            for node_id, node in dev.nodes.items():
                for prop_id, prop in node.props.items():
                    spec = self._spec(dev, node_id, prop_id, prop)
                    if spec is not None:
                        items.append((node_id, prop_id, spec))
        out = []
        for node_id, prop_id, spec in items:
            topic = f"{base}/{node_id}/{prop_id}"
            topics = {"value": topic, "set": f"{topic}/set"} if spec.settable else {"value": topic}
            out.append(Entity(
                key=f"{node_id}/{prop_id}", kind=spec.datatype, name=spec.name, topics=topics,
                detail={"format": spec.format, "unit": spec.unit, "settable": spec.settable,
                        "retained": spec.retained, "homie": dev.version}))
        return tuple(sorted(out, key=lambda e: e.key))

    def _static(self, dev: _Dev) -> list[Finding]:
        out: list[Finding] = []
        if dev.state is None and not dev.removed:
            out.append(finding("HOMIE-STATE-MISSING", "the device never published $state",
                               subject=dev.key))
        if dev.state == T.INIT:
            out.append(finding("HOMIE-STATE-NOT-READY",
                               "the device's last $state is init: it never became ready",
                               subject=dev.key, evidence={"state": dev.state}))
        return out

    def _v5_static(self, dev: _Dev) -> list[Finding]:
        out = self._static(dev)
        if dev.desc_hash is None and not dev.removed:
            out.append(finding("HOMIE-DESCRIPTION-MISSING",
                               "the device never published a $description", subject=dev.key))
        return out + dev.desc_findings

    def _v4_static(self, dev: _Dev) -> list[Finding]:
        out = self._static(dev)
        subject = dev.key
        seen_ids = set(dev.checked_ids)

        def emit(code: str, message: str, t: float | None = None,
                 evidence: Mapping[str, Any] | None = None,
                 severity: Severity | None = None) -> None:
            out.append(finding(code, message, subject=subject, evidence=evidence, t=t,
                               severity=severity))

        def listed(attr: _Attr | None, where: str) -> list[str] | None:
            if attr is None:
                return None
            text, t = attr
            entries = text.split(",")[:T.MAX_LISTED]
            if "" in entries:
                emit("HOMIE-ATTR-INVALID", f"{where} {_cut(text)!r} has an empty entry", t,
                     {"attribute": where, "value": _cut(text)})
            for entry in entries:
                if entry and entry not in seen_ids:
                    seen_ids.add(entry)
                    problem = _id_problem(entry, 4)
                    if problem is not None:
                        code, why, sev = problem
                        emit(code, f"{where} lists {_cut(entry)!r}, which {why}", t,
                             {"id": _cut(entry), "what": where}, sev)
            return [e for e in entries if e]

        for attr in T.V4_DEVICE_REQUIRED:
            if attr not in dev.attrs:
                soft = attr in T.V4_SOFT_REQUIRED
                emit("HOMIE-ATTR-MISSING", f"the device never published {attr}" + (
                    " (an empty value cannot be retained: MQTT deletes the topic)"
                    if soft else ""), None, {"attribute": attr},
                    Severity.WARNING if soft else None)
        version = dev.attrs.get("$homie")
        if version is not None and not T.V4_VERSION_RE.fullmatch(version[0]):
            emit("HOMIE-VERSION-MISMATCH", f"$homie is {_cut(version[0])!r}, not 4.x; judged "
                 "by Homie 4 rules", version[1], {"homie": _cut(version[0])})
        nodes_listed = listed(dev.attrs.get("$nodes"), "$nodes")
        node_ids = list(dict.fromkeys((nodes_listed or []) + list(dev.nodes)))
        for node_id in node_ids[:T.MAX_NODES]:
            node = dev.nodes.get(node_id) or _Node()
            missing = [a for a in T.V4_NODE_REQUIRED if a not in node.attrs]
            if missing:
                emit("HOMIE-NODE-INCOMPLETE", f"node {_cut(node_id)!r} never published "
                     f"{', '.join(missing)}", None, {"node": _cut(node_id), "missing": missing})
            if nodes_listed is not None and node_id not in nodes_listed:
                emit("HOMIE-NODE-UNLISTED", f"node {_cut(node_id)!r} publishes topics but is "
                     "not in $nodes", None, {"node": _cut(node_id)})
            props_listed = listed(node.attrs.get("$properties"), f"{node_id}/$properties")
            prop_ids = [p for p, prop in node.props.items() if prop.attrs]
            for prop_id in dict.fromkeys((props_listed or []) + prop_ids):
                prop = node.props.get(prop_id) or _Prop()
                key = f"{_cut(node_id)}/{_cut(prop_id)}"
                missing = [a for a in T.V4_PROPERTY_REQUIRED if a not in prop.attrs]
                if missing:
                    emit("HOMIE-PROPERTY-INCOMPLETE", f"property {key} never published "
                         f"{', '.join(missing)}", None, {"property": key, "missing": missing})
                if props_listed is not None and prop_id not in props_listed:
                    emit("HOMIE-PROPERTY-UNLISTED", f"property {key} publishes attributes but "
                         f"is not in {_cut(node_id)}/$properties", None, {"property": key})
                self._v4_property_attrs(prop, key, emit)
        return out

    def _v4_property_attrs(self, prop: _Prop, key: str, emit: _Emit) -> None:
        for attr in T.V4_BOOLEAN_ATTRS:
            value = prop.attrs.get(attr)
            if value is not None and value[0] not in T.BOOLEANS:
                emit("HOMIE-ATTR-INVALID", f"{key}/{attr} is {_cut(value[0])!r}, not true or "
                     "false", value[1], {"property": key, "attribute": attr,
                                          "value": _cut(value[0])})
        spec = _v4_spec(prop.attrs)
        if spec is not None and spec.compiled.code is not None:
            t = prop.attrs["$datatype"][1]
            emit(spec.compiled.code, f"{key}: {spec.compiled.problem}", t,
                 {"property": key, "datatype": _cut(spec.datatype),
                  "format": _cut(spec.format or "")}, spec.compiled.severity)


def _get(attrs: Mapping[str, _Attr], name: str) -> str | None:
    value = attrs.get(name)
    return None if value is None else _cut(value[0])


def _v4_spec(attrs: Mapping[str, _Attr]) -> _Spec | None:
    """A v4 property's spec from its attributes (Homie 4 §Property Attributes defaults)."""
    datatype = attrs.get("$datatype")
    if datatype is None:
        return None
    fmt = attrs.get("$format")
    fmt_text = fmt[0] if fmt is not None else None
    settable = attrs.get("$settable")
    retained = attrs.get("$retained")
    name = attrs.get("$name")
    unit = attrs.get("$unit")
    return _Spec(datatype=datatype[0], format=fmt_text,
                 settable=settable is not None and settable[0] == "true",
                 retained=retained is None or retained[0] != "false",
                 unit=None if unit is None else unit[0],
                 name=None if name is None else _cut(name[0]),
                 compiled=_compile(datatype[0], fmt_text or None, 4))
