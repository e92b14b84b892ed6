"""The message check engine (spec §5-7): captured messages in, findings out.

Pure: no network, no clock. Feed :class:`~devid._capture.CapturedMessage` objects
(or the raw fields, :meth:`CheckEngine.feed_raw`) in receive order, then call
:meth:`CheckEngine.finish`; or call :func:`check_messages` / :func:`check_capture`.
Every finding names the device URN (``subject``) and the receive time ``t`` of the
message it is about.

Speed: a profile is compiled once into tables of small closures (one per
property, event field and command argument), topics are parsed once and cached,
and each payload is decoded once. Pydantic is never on the per-message path.

Rules the spec leaves open, decided here (docs/check.md):

- clock skew: ``|ts/1000 - t| > 30 s`` is ``MSG-CLOCK-SKEW``; the first message of a
  retained topic is exempt (it may come from the broker's store, published long ago);
  commands are exempt (the controller's clock, not the device's).
- heartbeat: silences of ``state`` are measured from the device's first message, between
  state messages and up to the end of the capture; a retained ``status`` offline stops
  the clock until ``online``. Tolerance: 10 % of the interval, at least 2 s.
- seq: per topic; a repeat of the same seq with the same payload is a QoS 1 redelivery
  (ignored); after ``status`` goes offline then online (a restart) seq may start over.
- acks: a command whose deadline ends after the capture does is not judged.
- retain: with ``retain_inferred`` in the header (MQTT 3.1.1 recorder), a retained topic
  passes when any of its messages arrived retained.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import cbor2

from devid._capture import (
    MAX_LINE,
    MAX_T,
    MIN_T,
    Capture,
    CapturedMessage,
    CaptureHeader,
    CaptureOutage,
    iter_capture,
    parse_line,
)
from devid._cbor import BREAK_MARKER, MAX_DEPTH, REPLACEMENT, CborError, map_count, new_decoder
from devid._cbor import decode as _strict_decode
from devid._findings import Finding, Severity, bounded, finding, has_errors, safe_repr
from devid._identifiers import identifier_problem
from devid._profiles import DEFAULT_ACK_DEADLINE_S, Profile, PropertySpec

MAX_PAYLOAD = 64 * 1024
SKEW_S = 30.0
HEARTBEAT_GRACE_RATIO = 0.10
HEARTBEAT_GRACE_MIN_S = 2.0
TOPIC_PREFIX = "devid/1/"
NONCE_MIN, NONCE_MAX = 16, 64
_MAX_SHOWN = 80
#: Findings of one code kept per device; the rest are counted (issue 14 item 6).
KEEP_PER_CODE = 20

Problem = tuple[str, str]  # (code, message)
_S = TypeVar("_S", bound="LineSink")
Validator = Callable[[Any], "Problem | None"]

_NUMBER_TYPES = (int, float)
_CONTAINERS = (dict, list, tuple, cbor2.CBORTag)


# ---------------------------------------------------------------------------------------
# values: compiled validators
# ---------------------------------------------------------------------------------------


def outage_findings(outages: Sequence[tuple[float, float, str]],
                    excused: int) -> list[Finding]:
    """One ``MSG-BROKER-OUTAGE`` per outage the recorder marked."""
    out = []
    for i, (start, end, reason) in enumerate(outages):
        why = f" ({reason})" if reason else ""
        note = (f"; {excused} seq jump(s) across outages were not blamed on devices"
                if excused and i == len(outages) - 1 else "")
        out.append(finding("MSG-BROKER-OUTAGE",
                           f"the recorder lost the broker for {end - start:.1f} s{why}: what "
                           f"devices sent meanwhile is missing; silence and seq jumps across it "
                           f"are not device findings{note}",
                           evidence={"lost": start, "regained": end, "reason": reason,
                                     "excused_seq_jumps": excused}, t=start))
    return out


def _secs(ts: int) -> float:
    """A ``ts`` (milliseconds) in seconds; beyond a float's range, an infinity."""
    try:
        return ts / 1000.0
    except OverflowError:
        return math.inf if ts > 0 else -math.inf


def _show(value: Any) -> Any:
    """A JSON-friendly, bounded rendering of a device-supplied value."""
    if value is None or isinstance(value, bool | int):
        return bounded(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "..."
    if isinstance(value, bytes | bytearray):
        text = bytes(value[:32]).hex()
        return f"h'{text}{'...' if len(value) > 32 else ''}'"
    return safe_repr(value, _MAX_SHOWN)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def compile_spec(spec: PropertySpec, depth: int = 0) -> Validator:
    """A closure ``value -> (code, message) | None`` for one property spec."""
    redact = spec.data_class != "public"

    def shown(value: Any) -> str:
        return "<redacted>" if redact else repr(_show(value))

    kind = spec.type
    lo = spec.minimum if spec.minimum is not None else -math.inf
    hi = spec.maximum if spec.maximum is not None else math.inf
    bounded = spec.minimum is not None or spec.maximum is not None
    allowed = frozenset(spec.enum) if spec.enum is not None else None
    unit = f" {spec.unit}" if spec.unit else ""

    def wrong_type(value: Any) -> Problem:
        return ("MSG-TYPE", f"expected {kind}, got {_type_name(value)}")

    def range_problem(value: Any) -> Problem | None:
        if lo <= value <= hi:
            return None
        return ("MSG-RANGE", f"{shown(value)} is outside {_bound(spec.minimum)}..."
                             f"{_bound(spec.maximum)}{unit}")

    def enum_problem(value: Any) -> Problem | None:
        if allowed is not None and value not in allowed:
            return ("MSG-ENUM", f"{shown(value)} is not one of {sorted(map(str, allowed))}")
        return None

    min_len, max_len = spec.min_length, spec.max_length

    def length_problem(value: Any) -> Problem | None:
        n = len(value)
        if (min_len is not None and n < min_len) or (max_len is not None and n > max_len):
            return ("MSG-RANGE", f"length {n} is outside {min_len or 0}..."
                                 f"{'' if max_len is None else max_len}")
        return None

    if kind == "boolean":
        def check(value: Any) -> Problem | None:
            return None if value is True or value is False else wrong_type(value)
    elif kind == "integer":
        def check(value: Any) -> Problem | None:
            if type(value) is not int:
                return wrong_type(value)
            if allowed is not None and value not in allowed:
                return enum_problem(value)
            return range_problem(value) if bounded else None
    elif kind == "number":
        def check(value: Any) -> Problem | None:
            tp = type(value)
            if tp is not float and tp is not int:
                return wrong_type(value)
            if math.isnan(value):
                return ("MSG-RANGE", "NaN is not a measurement")
            if bounded or math.isinf(value):
                if math.isinf(value):
                    return ("MSG-RANGE", f"{shown(value)} is not a finite number")
                return range_problem(value)
            return None
    elif kind == "enum":
        def check(value: Any) -> Problem | None:
            if type(value) not in (str, int):
                return wrong_type(value)
            return enum_problem(value)
    elif kind == "string" and spec.format is not None:
        scheme = spec.format

        def check(value: Any) -> Problem | None:
            if type(value) is not str:
                return wrong_type(value)
            problem = enum_problem(value) or length_problem(value)
            if problem is not None:
                return problem
            bad = identifier_problem(scheme, value)
            if bad is None:
                return None
            # malformed: the profile's format is broken (MSG-FORMAT); a warning such as a
            # Matter test vendor keeps its own code
            code = "MSG-FORMAT" if bad[0] == "ID-IDENTIFIER-MALFORMED" else bad[0]
            return (code, f"{shown(value)} is not a well-formed {scheme} identifier: {bad[1]}")
    elif kind == "string":
        def check(value: Any) -> Problem | None:
            if type(value) is not str:
                return wrong_type(value)
            return enum_problem(value) or length_problem(value)
    elif kind == "bytes":
        def check(value: Any) -> Problem | None:
            if type(value) is not bytes:
                return wrong_type(value)
            return length_problem(value)
    elif kind == "array":
        item_check = compile_spec(spec.items, depth + 1) if spec.items is not None and depth < 8 \
            else None

        def check(value: Any) -> Problem | None:
            if type(value) is not list:
                return wrong_type(value)
            problem = length_problem(value)
            if problem is not None or item_check is None:
                return problem
            for index, item in enumerate(value):
                problem = item_check(item)
                if problem is not None:
                    return (problem[0], f"[{index}]: {problem[1]}")
            return None
    else:  # object
        fields = compile_fields(spec.properties or {}, depth + 1) if depth < 8 else None

        def check(value: Any) -> Problem | None:
            if type(value) is not dict:
                return wrong_type(value)
            if fields is None:
                return None
            for name, code, message in fields.problems(value):
                if code != "MSG-UNKNOWN-PROPERTY":  # unknown nested fields: tolerated
                    return (code, f".{_show(name)}: {message}")
            return None
    return check


def _bound(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else str(value)


def value_problem(spec: PropertySpec, value: Any) -> Problem | None:
    """Why ``value`` does not fit ``spec`` (code, message), or ``None``."""
    return compile_spec(spec)(value)


@dataclass(frozen=True, slots=True)
class CompiledFields:
    """A field table (state props, event data, command args) compiled for speed."""

    checks: Mapping[str, Validator]
    required: frozenset[str]
    sensitive: frozenset[str]

    def problems(self, values: Mapping[Any, Any]) -> list[tuple[Any, str, str]]:
        """``(name, code, message)`` for each problem of ``values`` (a dict)."""
        out: list[tuple[Any, str, str]] = []
        checks = self.checks
        for name, value in values.items():
            check = checks.get(name) if type(name) is str else None
            if check is None:
                out.append((name, "MSG-UNKNOWN-PROPERTY", "not declared by the profile"))
                continue
            problem = check(value)
            if problem is not None:
                out.append((name, problem[0], problem[1]))
        if not self.required <= values.keys():
            for name in sorted(self.required - values.keys()):
                out.append((name, "MSG-REQUIRED-MISSING", "required but missing"))
        return out


def field_key(name: str) -> str:
    """A field name as forbidden-field rules compare it: case, ``_`` and ``-`` ignored
    (``Template``, ``face_template`` and ``faceTemplate`` are the same field)."""
    return name.casefold().replace("_", "").replace("-", "")


def compile_fields(specs: Mapping[str, PropertySpec], depth: int = 0) -> CompiledFields:
    return CompiledFields(
        checks={name: compile_spec(spec, depth) for name, spec in specs.items()},
        required=frozenset(n for n, s in specs.items() if s.required),
        sensitive=frozenset(n for n, s in specs.items() if s.data_class == "sensitive"),
    )


@dataclass(frozen=True, slots=True)
class CompiledProfile:
    """Everything the engine needs of a profile, as tables."""

    profile: Profile
    state: CompiledFields
    events: Mapping[str, CompiledFields]
    commands: Mapping[str, CompiledFields]
    deadlines: Mapping[str, float]
    retained: frozenset[str]
    forbidden: Mapping[str, str]
    heartbeat_limit: float


_COMPILED: dict[int, tuple[Profile, CompiledProfile]] = {}


def compile_profile(profile: Profile) -> CompiledProfile:
    """Compile (and cache) a resolved profile's validators."""
    cached = _COMPILED.get(id(profile))
    if cached is not None and cached[0] is profile:
        return cached[1]
    hb = profile.heartbeat_s
    compiled = CompiledProfile(
        profile=profile,
        state=compile_fields(profile.properties),
        events={n: compile_fields(e.data) for n, e in profile.events.items()},
        commands={n: compile_fields(c.args) for n, c in profile.commands.items()},
        deadlines={n: c.ack_deadline_s for n, c in profile.commands.items()},
        retained=profile.retained,
        forbidden={field_key(k): v for k, v in profile.forbidden_fields.items()},
        heartbeat_limit=hb + max(HEARTBEAT_GRACE_MIN_S, HEARTBEAT_GRACE_RATIO * hb),
    )
    _COMPILED[id(profile)] = (profile, compiled)
    return compiled


# ---------------------------------------------------------------------------------------
# topics
# ---------------------------------------------------------------------------------------

# kind, for each known suffix shape
_RETAINED_KINDS = ("identity", "status", "state")
_DEVICE_TO = frozenset({"identity", "status", "state", "event", "ack", "response"})


@dataclass(frozen=True, slots=True)
class Topic:
    urn: str
    kind: str  # identity status state event cmd ack challenge response
    name: str  # event or command name ("" otherwise)


def parse_topic(topic: str) -> Topic | str:
    """A :class:`Topic`, or why ``topic`` is not a devid/1 topic (a string)."""
    from devid._certs import urn_problem

    if not topic.startswith(TOPIC_PREFIX):
        return f"topic {_show(topic)!r} is not under {TOPIC_PREFIX}"
    levels = topic[len(TOPIC_PREFIX):].split("/")
    urn = levels[0]
    problem = urn_problem(urn)
    if problem is not None:
        return f"device level {_show(urn)!r}: {problem}"
    rest = levels[1:]
    n = len(rest)
    if n == 1 and rest[0] in ("identity", "status", "state", "challenge"):
        return Topic(urn, rest[0], "")
    if n == 2 and rest == ["challenge", "response"]:
        return Topic(urn, "response", "")
    if n == 2 and rest[0] == "event" and _level_ok(rest[1]):
        return Topic(urn, "event", rest[1])
    if n == 2 and rest[0] == "cmd" and _level_ok(rest[1]):
        return Topic(urn, "cmd", rest[1])
    if n == 3 and rest[0] == "cmd" and rest[2] == "ack" and _level_ok(rest[1]):
        return Topic(urn, "ack", rest[1])
    return f"unknown topic suffix {_show('/'.join(rest))!r}"


def _level_ok(level: str) -> bool:
    return bool(level) and not any(c in level for c in "+#\x00")


# ---------------------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------------------


class _Decoder:
    """One reusable CBOR decoder: the common case at about the cost of ``cbor2.loads``.

    Anything unusual (an error, a tag, deep nesting) is decided by
    :func:`devid._cbor.decode`, so results and errors are exactly its own.
    """

    def __init__(self) -> None:
        self._dec = new_decoder(io.BytesIO(b""))

    def decode(self, data: bytes) -> Any:
        fp = io.BytesIO(data)
        try:
            self._dec.fp = fp
            value = self._dec.decode()
        except Exception:
            self._dec = new_decoder(io.BytesIO(b""))
            return _strict_decode(data)
        if fp.tell() != len(data) or not _shallow(value) or (
                type(value) is dict and _map_count(data) != len(value)):
            return _strict_decode(data)  # (a repeated top-level key: the strict decoder says so)
        return value


_SCALARS = frozenset({int, float, str, bytes, bool, type(None)})
_REPLACEMENT = REPLACEMENT
_BREAK = BREAK_MARKER
_map_count = map_count


def _shallow(value: Any) -> bool:
    """True when ``value`` is plain (no tags, no U+FFFD: see :data:`devid._cbor.REPLACEMENT`)
    and nested at most MAX_DEPTH (fast path)."""
    tp = type(value)
    if tp is dict:
        # the usual envelope: a map of scalars and maps of scalars (2 levels), inline
        scalars = _SCALARS
        rep = _REPLACEMENT
        for k, v in value.items():
            tv = type(v)
            if tv is dict:
                for k2, v2 in v.items():
                    t2 = type(v2)
                    if t2 not in scalars or type(k2) is not str or rep in k2 or (
                            t2 is str and rep in v2):
                        return _shallow_dict(value, 1)
            elif tv not in scalars or type(k) is not str or rep in k or (tv is str and rep in v):
                return _shallow_dict(value, 1)
        return True
    if tp is list:
        return _shallow_list(value, 1)
    if tp is str:
        return _REPLACEMENT not in value
    return tp is not cbor2.CBORTag and value is not _BREAK


def _shallow_dict(d: dict[Any, Any], depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    for k, v in d.items():
        tp = type(v)
        if tp is dict:
            if not _shallow_dict(v, depth + 1):
                return False
        elif tp is list:
            if not _shallow_list(v, depth + 1):
                return False
        elif tp not in _SCALARS or (tp is str and _REPLACEMENT in v):
            return False  # a tag, cbor2 5's break_marker (81 ff), U+FFFD: strict decode
        if type(k) not in (str, int) or (type(k) is str and _REPLACEMENT in k):
            return False
    return True


def _shallow_list(items: list[Any], depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    for v in items:
        tp = type(v)
        if tp is dict:
            if not _shallow_dict(v, depth + 1):
                return False
        elif tp is list:
            if not _shallow_list(v, depth + 1):
                return False
        elif tp not in _SCALARS or (tp is str and _REPLACEMENT in v):
            return False  # a tag, cbor2 5's break_marker (81 ff), U+FFFD: strict decode
    return True


# ---------------------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Device:
    urn: str
    first_t: float
    messages: int = 0
    last_state_t: float | None = None
    longest_gap: float = 0.0
    gap_from: float = 0.0
    gap_to: float = 0.0
    offline_since: float | None = None
    seq: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    retain_bad: dict[str, list[Any]] = field(default_factory=dict)  # kind -> [count, t, topic]
    retain_ok: set[str] = field(default_factory=set)
    kinds_seen: dict[str, float] = field(default_factory=dict)  # kind -> first t
    pending: dict[tuple[str, Any], tuple[float, float]] = field(default_factory=dict)
    identities: dict[bytes, float] = field(default_factory=dict)
    nonce: bytes | None = None
    responses: list[tuple[bytes, float, bytes | None]] = field(default_factory=list)
    device_to: bool = False
    # topic -> the seq seen last before a recorder outage: a jump from it is the outage's
    excused: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _TopicState:
    parsed: Topic
    dev: _Device
    seen: bool = False


@dataclass
class CheckResult:
    """The outcome of checking one capture."""

    profile: str
    messages: int
    devices: list[str]
    findings: list[Finding]
    device_messages: dict[str, int] = field(default_factory=dict)
    started: float | None = None  # the header's ``started``, else the first receive time
    ecosystems: dict[str, int] = field(default_factory=dict)
    """Messages per ecosystem (``devid``, ``ha``, ``homie``) when several were routed."""
    judged: dict[str, int] = field(default_factory=dict)
    """Devices judged per ecosystem (empty: a devid/1-only check)."""
    eco_devices: list[Any] = field(default_factory=list)
    """The :class:`devid.ecosystems.EcoDevice` s of other ecosystems."""
    other_topics: dict[str, int] = field(default_factory=dict)
    """Messages no judge claimed, by first topic level (the ten commonest)."""
    device_profiles: dict[str, str] = field(default_factory=dict)
    """devid/1 URN -> the profile it was judged against, when each device's claim chose."""

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    def to_dict(self, input_name: str | None = None) -> dict[str, Any]:
        """The ``devid check --json`` object."""
        out: dict[str, Any] = {
            "input": input_name,
            "valid": self.valid,
            "profile": self.profile,
            "devices": len(self.devices),
            "messages": self.messages,
            "findings": [{"t": None, **f.to_dict()} for f in self.findings],
        }
        if self.judged or self.ecosystems or self.other_topics:
            out["ecosystems"] = self.ecosystems
            out["judged"] = self.judged
            out["other_topics"] = self.other_topics
            eco_ids = {d.id for d in self.eco_devices}
            out["device_list"] = [
                {"id": urn, "ecosystem": "devid", "name": None, "manufacturer": None,
                 "model": None, "messages": self.device_messages.get(urn, 0),
                 "entities": None, "state": None,
                 "profile": self.device_profiles.get(urn, self.profile or None)}
                for urn in self.devices if urn not in eco_ids
            ] + [
                {"id": d.id, "ecosystem": d.ecosystem, "name": d.name,
                 "manufacturer": d.manufacturer, "model": d.model, "messages": d.messages,
                 "entities": len(d.entities), "state": d.state}
                for d in self.eco_devices
            ]
        return out


class CheckEngine:
    """Streaming checker for one capture and one profile.

    ``validator`` (a :class:`devid._certs.ChainValidator`) turns on identity
    verification: each device's retained identity token (and challenge responses) is
    verified as of the capture's start, and its ``sub`` must be the topic's URN.
    """

    def __init__(
        self,
        profile: Profile,
        *,
        header: CaptureHeader | None = None,
        validator: Any | None = None,
        max_payload: int = MAX_PAYLOAD,
        skew_s: float = SKEW_S,
    ) -> None:
        self.profile = profile
        self._c = compile_profile(profile)
        self.header = header
        self._tls = header.tls if header is not None else None
        self._retain_inferred = header.retain_inferred if header is not None else False
        self._validator = validator
        self._max_payload = max_payload
        self._skew = skew_s
        self._topics: dict[str, _TopicState | str] = {}
        self._t, self._topic, self._line = 0.0, "", 0
        self._urn: str | None = None
        self._end = -math.inf
        self._devices: dict[str, _Device] = {}
        self._decoder = _Decoder()
        self.findings: list[Finding] = []
        self.outages: list[tuple[float, float, str]] = []  # (lost, regained, reason)
        self._lost: tuple[float, str] | None = None
        self._excused_gaps = 0
        #: False when a router reports the outages itself (one finding, not one per engine)
        self.report_outages = True
        # (device, code) -> how many findings were made; past KEEP_PER_CODE only counted
        self._made: dict[tuple[str | None, str], int] = {}
        self._more: dict[tuple[str | None, str], tuple[int, float]] = {}  # -> (count, last t)
        self.messages = 0
        self.start_t: float | None = header.started if header is not None else None
        self._first_t: float | None = None

    @property
    def end_t(self) -> float | None:
        """The latest receive time seen (None before any message)."""
        return self._end if self._end != -math.inf else None

    # -- input ---------------------------------------------------------------------------

    def add_findings(self, findings: Iterable[Finding]) -> None:
        """Findings made outside the engine (capture lines) join the result."""
        self.findings.extend(findings)

    def add_outage(self, outage: CaptureOutage) -> None:
        """The recorder lost or regained the broker (a capture's outage marker line).

        Silence and seq jumps across an outage are the recorder's, not the devices':
        when the broker is back, each device's last state time moves forward by the
        outage (the heartbeat does not count it) and a seq jump from the last seq seen
        before it is excused. The outage itself is one ``MSG-BROKER-OUTAGE`` finding."""
        if outage.state == "lost":
            if self._lost is None:
                self._lost = (outage.t, outage.reason)
        elif self._lost is not None:
            self._close_outage(outage.t)

    def _close_outage(self, end: float) -> None:
        assert self._lost is not None
        start, reason = self._lost
        self._lost = None
        end = max(end, start)
        self.outages.append((start, end, reason))
        for dev in self._devices.values():
            last = dev.last_state_t
            if last is not None and dev.offline_since is None and last < end:
                dev.last_state_t = last + (end - max(start, last))
            dev.excused = {topic: seq for topic, (seq, _) in dev.seq.items()}

    def feed(self, message: CapturedMessage) -> None:
        self.feed_raw(message.t, message.topic, message.payload, message.retain, message.line)

    def feed_raw(self, t: float, topic: str, payload: bytes, retain: bool, line: int = 0) -> None:
        """Check one message given by its fields (no CapturedMessage needed)."""
        self.messages += 1
        self._t, self._topic, self._line = t, topic, line
        if t > self._end:  # noqa: PLR1730 (max() is slower on this path)
            self._end = t
        if self._first_t is None:
            self._first_t = t
        known = self._topics.get(topic)
        if known is None:
            known = self._topics[topic] = self._new_topic(topic, t)
        if type(known) is str:
            self._urn = _urn_guess(topic)
            self._emit("MSG-TOPIC", known,
                       severity=None if topic.startswith(TOPIC_PREFIX) else Severity.INFO)
            return
        assert isinstance(known, _TopicState)
        parsed = known.parsed
        dev = known.dev
        self._urn = dev.urn
        kind = parsed.kind
        dev.messages += 1
        first_on_topic = not known.seen
        known.seen = True

        # retain flags (spec §5 table)
        if kind in self._c.retained:
            if retain:
                dev.retain_ok.add(kind)
            elif not self._retain_inferred:
                _count(dev.retain_bad, kind, t, topic)
        elif retain and not self._retain_inferred and kind != "challenge":
            _count(dev.retain_bad, kind, t, topic)

        if len(payload) > self._max_payload:
            self._emit("MSG-TOO-LARGE", f"payload of {len(payload)} bytes exceeds "
                       f"{self._max_payload}", size=len(payload))
            if kind == "state":
                self._state_seen(dev, t)
            return
        if kind == "identity":
            self._identity(dev, payload)
            return
        if kind == "response":
            dev.responses.append((bytes(payload), t, dev.nonce))
            return
        try:
            value = self._decoder.decode(payload)
        except CborError as exc:
            self._emit("MSG-CBOR-MALFORMED", str(exc))
            if kind == "state":
                self._state_seen(dev, t)
            return
        if type(value) is not dict:
            self._emit("MSG-ENVELOPE", f"payload is {_type_name(value)}, not a map")
            if kind == "state":
                self._state_seen(dev, t)
            return
        if kind == "state":
            self._state(dev, value, payload, retain and first_on_topic)
        elif kind == "event":
            self._event(dev, parsed.name, value, payload)
        elif kind == "cmd":
            self._command(dev, parsed.name, value)
        elif kind == "ack":
            self._ack(dev, parsed.name, value)
        elif kind == "status":
            self._status(dev, value, retain and first_on_topic)
        else:  # challenge
            self._challenge(dev, value)

    def _new_topic(self, topic: str, t: float) -> _TopicState | str:
        parsed = parse_topic(topic)
        if isinstance(parsed, str):
            return parsed
        dev = self._devices.get(parsed.urn)
        if dev is None:
            dev = self._devices[parsed.urn] = _Device(parsed.urn, t)
        if parsed.kind in _DEVICE_TO:
            dev.device_to = True
        dev.kinds_seen.setdefault(parsed.kind, t)
        return _TopicState(parsed, dev)

    # -- per topic -----------------------------------------------------------------------

    def _state(self, dev: _Device, value: dict[Any, Any], payload: bytes,
               maybe_stale: bool) -> None:
        t = self._t
        # heartbeat: the longest silence (inline form of _state_seen: this is the hot path)
        if dev.offline_since is None:
            last = dev.last_state_t
            if last is None:
                last = dev.first_t
            if t - last > dev.longest_gap:
                dev.longest_gap, dev.gap_from, dev.gap_to = t - last, last, t
            dev.last_state_t = t
        ts = value.get("ts")
        seq = value.get("seq")
        props = value.get("props")
        if len(value) != 3 or type(ts) is not int or ts < 0 or type(seq) is not int or seq < 0 or \
                type(props) is not dict:
            self._envelope(dev, value, ("ts", "seq", "props"))
        if type(ts) is int and not maybe_stale and abs(_secs(ts) - t) > self._skew:
            self._skew_finding(dev, ts)
        if type(seq) is int and seq >= 0:
            seqs = dev.seq
            previous = seqs.get(self._topic)
            if previous is not None and seq == previous[0] + 1:
                seqs[self._topic] = (seq, payload)
            else:
                self._seq(dev, seq, payload)
        if type(props) is dict:
            fields = self._c.state
            checks = fields.checks
            for name, v in props.items():
                check = checks.get(name)
                if check is None or check(v) is not None:
                    self._fields(dev, fields, props, "property")
                    break
            else:
                if not fields.required <= props.keys():
                    self._fields(dev, fields, props, "property")
            if self._tls is False and fields.sensitive and not fields.sensitive.isdisjoint(props):
                self._plaintext(dev, fields.sensitive & props.keys())
            if self._c.forbidden:
                self._forbidden(dev, props)

    def _event(self, dev: _Device, name: str, value: dict[Any, Any], payload: bytes) -> None:
        t = self._t
        ts = value.get("ts")
        seq = value.get("seq")
        data = value.get("data", {})
        if len(value) != 3 or type(ts) is not int or ts < 0 or type(seq) is not int or seq < 0 or \
                type(data) is not dict:
            self._envelope(dev, value, ("ts", "seq", "data"))
        if type(ts) is int and abs(_secs(ts) - t) > self._skew:
            self._skew_finding(dev, ts)
        if type(seq) is int and seq >= 0:
            self._seq(dev, seq, payload)
        fields = self._c.events.get(name)
        if fields is None:
            self._emit("MSG-UNKNOWN-EVENT", f"event {_show(name)!r} is not declared by "
                       f"{self.profile.id}", event=_show(name))
        if type(data) is dict:
            if fields is not None:
                self._fields(dev, fields, data, "event field")
                if self._tls is False and not fields.sensitive.isdisjoint(data):
                    self._plaintext(dev, fields.sensitive & data.keys())
            if self._c.forbidden:
                self._forbidden(dev, data)

    def _command(self, dev: _Device, name: str, value: dict[Any, Any]) -> None:
        t = self._t
        cid = value.get("id")
        args = value.get("args", {})
        ts = value.get("ts")
        if type(cid) is not str or type(args) is not dict or type(ts) is not int or ts < 0 or \
                not value.keys() <= {"id", "args", "ts"}:
            self._envelope(dev, value, ("id", "args", "ts"))
        fields = self._c.commands.get(name)
        if fields is None:
            self._emit("MSG-UNKNOWN-COMMAND", f"command {_show(name)!r} is not declared by "
                       f"{self.profile.id}", command=_show(name))
        elif type(args) is dict:
            self._fields(dev, fields, args, "argument")
            if self._tls is False and not fields.sensitive.isdisjoint(args):
                self._plaintext(dev, fields.sensitive & args.keys())
        if isinstance(cid, str | int) and not isinstance(cid, bool):
            deadline = self._c.deadlines.get(name, DEFAULT_ACK_DEADLINE_S)
            dev.pending.setdefault((name, cid), (t, deadline))

    def _ack(self, dev: _Device, name: str, value: dict[Any, Any]) -> None:
        t = self._t
        cid = value.get("id")
        ok = value.get("ok")
        ts = value.get("ts")
        err = value.get("error")
        if type(cid) is not str or type(ok) is not bool or type(ts) is not int or ts < 0 or \
                (err is not None and type(err) is not str) or \
                not value.keys() <= {"id", "ok", "ts", "error"}:
            self._envelope(dev, value, ("id", "ok", "ts"), optional=("error",))
        if type(ts) is int and abs(_secs(ts) - t) > self._skew:
            self._skew_finding(dev, ts)
        if self._c.forbidden:
            self._forbidden(dev, value)
        if not isinstance(cid, str | int) or isinstance(cid, bool):
            return
        pending = dev.pending.pop((name, cid), None)
        if pending is None:
            self._emit("MSG-ACK-UNMATCHED", f"ack of {_show(name)!r} with id {_show(cid)!r} "
                       "matches no earlier command", id=_show(cid))
            return
        sent, deadline = pending
        delay = t - sent
        if delay > deadline:
            self._emit("MSG-ACK-LATE", f"ack of {_show(name)!r} id {_show(cid)!r} after "
                       f"{delay:.3f} s (deadline {deadline:g} s)",
                       id=_show(cid), delay_s=round(delay, 6), deadline_s=deadline)

    def _status(self, dev: _Device, value: dict[Any, Any], maybe_stale: bool) -> None:
        t = self._t
        state = value.get("state")
        ts = value.get("ts")
        if state not in ("online", "offline") or type(ts) is not int or ts < 0 or \
                not value.keys() <= {"state", "ts"}:
            self._envelope(dev, value, ("state", "ts"), values={
                "state": ("online", "offline")})
        if type(ts) is int and not maybe_stale and abs(_secs(ts) - t) > self._skew:
            self._skew_finding(dev, ts)
        if state == "offline" and dev.offline_since is None:
            self._close_gap(dev, t)
            dev.offline_since = t
        elif state == "online" and dev.offline_since is not None:
            dev.offline_since = None
            dev.last_state_t = t  # the clock starts again
            dev.seq.clear()  # a restart may start seq over

    def _challenge(self, dev: _Device, value: dict[Any, Any]) -> None:
        nonce = value.get("nonce")
        if type(nonce) is not bytes or not NONCE_MIN <= len(nonce) <= NONCE_MAX:
            self._emit("MSG-ENVELOPE", f"challenge nonce must be a byte string of {NONCE_MIN}-"
                       f"{NONCE_MAX} bytes, got {_show(nonce)!r}")
            return
        dev.nonce = nonce

    def _identity(self, dev: _Device, payload: bytes) -> None:
        data = bytes(payload)
        if not data:
            return  # an empty retained message deletes the topic
        if data not in dev.identities:
            dev.identities[data] = self._t
            if self._validator is None:  # with --trust the token's own checks say it (ID-*)
                try:
                    _strict_decode(data)
                except CborError as exc:
                    self._emit("MSG-CBOR-MALFORMED", f"identity token: {exc}")
                    return
            self._profile_claims(dev, data)

    # -- helpers -------------------------------------------------------------------------

    def _state_seen(self, dev: _Device, t: float) -> None:
        if dev.offline_since is not None:
            return
        last = dev.last_state_t if dev.last_state_t is not None else dev.first_t
        gap = t - last
        if gap > dev.longest_gap:
            dev.longest_gap, dev.gap_from, dev.gap_to = gap, last, t
        dev.last_state_t = t

    def _close_gap(self, dev: _Device, t: float) -> None:
        last = dev.last_state_t if dev.last_state_t is not None else dev.first_t
        gap = t - last
        if gap > dev.longest_gap:
            dev.longest_gap, dev.gap_from, dev.gap_to = gap, last, t

    def _seq(self, dev: _Device, seq: int, payload: bytes) -> None:
        topic = self._topic
        last = dev.seq.get(topic)
        dev.seq[topic] = (seq, payload)
        if last is None:
            return
        prev, prev_payload = last
        if seq == prev + 1:
            return
        if seq > prev + 1 and dev.excused.get(topic) == prev:
            self._excused_gaps += 1  # the messages were lost while the recorder was away
        elif seq > prev + 1:
            self._emit("MSG-SEQ-GAP", f"seq jumped from {_show(prev)} to {_show(seq)} "
                       f"({_show(seq - prev - 1)} missing)", previous=prev, seq=seq)
        elif seq == prev and payload == prev_payload:
            return  # a QoS 1 redelivery
        else:
            self._emit("MSG-SEQ-REGRESSION", f"seq went from {_show(prev)} to {_show(seq)}",
                       previous=prev, seq=seq)

    def _skew_finding(self, dev: _Device, ts: int) -> None:
        skew = _secs(ts) - self._t
        if math.isfinite(skew):
            self._emit("MSG-CLOCK-SKEW", f"ts is {skew:+.1f} s from the receive time (limit "
                       f"{self._skew:g} s)", skew_s=round(skew, 3))
        else:
            self._emit("MSG-CLOCK-SKEW", f"ts {_show(ts)} is no time at all (limit "
                       f"{self._skew:g} s from the receive time)", ts=_show(ts))

    def _envelope(self, dev: _Device, value: dict[Any, Any], keys: tuple[str, ...],
                  optional: tuple[str, ...] = (),
                  values: Mapping[str, tuple[str, ...]] | None = None) -> None:
        expect = {"ts": int, "seq": int, "props": dict, "data": dict, "args": dict, "id": str,
                  "ok": bool, "state": str, "error": str}
        for key in keys:
            if key not in value:
                if key in ("data", "args"):
                    continue  # an empty data/args map may be left out
                self._emit("MSG-ENVELOPE", f"{key!r} is missing",
                           key=key)
                continue
            v = value[key]
            want = expect[key]
            if type(v) is not want or (isinstance(v, int) and v < 0):
                self._emit("MSG-ENVELOPE", f"{key!r} must be "
                           f"{'a non-negative integer' if want is int else _type_name(want())}"
                           f", got {_show(v)!r}", key=key)
            elif values and key in values and v not in values[key]:
                self._emit("MSG-ENVELOPE", f"{key!r} must be one of {list(values[key])}, got "
                           f"{_show(v)!r}", key=key)
        for key in optional:
            if key in value and type(value[key]) is not expect[key]:
                self._emit("MSG-ENVELOPE", f"{key!r} must be {_type_name(expect[key]())}",
                           key=key)
        extra = [k for k in value if k not in keys and k not in optional]
        for key in extra[:8]:
            self._emit("MSG-UNKNOWN-PROPERTY", f"unknown envelope key {_show(key)!r}",
                       key=_show(key), where="envelope")

    def _fields(self, dev: _Device, fields: CompiledFields, values: dict[Any, Any],
                what: str) -> None:
        problems = fields.problems(values)
        for name, code, message in problems[:32]:
            self._emit(code, f"{what} {_show(name)!r}: {message}",
                       name=_show(name))

    def _plaintext(self, dev: _Device, names: Iterable[str]) -> None:
        for name in sorted(names):
            self._emit("MSG-SENSITIVE-PLAINTEXT", f"sensitive {name!r} sent on a session "
                       "without TLS", name=name)

    def _forbidden(self, dev: _Device, root: dict[Any, Any]) -> None:
        forbidden = self._c.forbidden
        stack: list[Any] = [root]
        seen = 0
        while stack and seen < 10_000:
            node = stack.pop()
            seen += 1
            if isinstance(node, dict):
                for k, v in node.items():
                    if isinstance(k, str) and field_key(k) in forbidden:
                        self._emit("MSG-FORBIDDEN-FIELD", f"field {_show(k)!r} must never be "
                                   f"sent: {forbidden[field_key(k)]}", name=_show(k))
                    if isinstance(v, dict | list):
                        stack.append(v)
            elif isinstance(node, list):
                stack.extend(v for v in node if isinstance(v, dict | list))

    def _profile_claims(self, dev: _Device, token: bytes) -> None:
        claims = _token_profiles(token)
        if claims is None:
            return
        if not set(self.profile.lineage) & set(claims):
            self._emit("MSG-PROFILE-OTHER", f"the identity token claims {claims}; "
                       f"checked against {self.profile.id}",
                       claims=claims)

    def _emit(self, code: str, message: str, *, severity: Severity | None = None,
              **evidence: Any) -> None:
        """A finding about the current message (device, receive time, topic, line).

        Past :data:`KEEP_PER_CODE` findings of one code on one device, the rest are
        counted, not kept (memory is bounded by devices x codes, not by messages); the
        last one kept then says how many more there were (:meth:`_fold_repeats`)."""
        key = (self._urn, code)
        made = self._made.get(key, 0) + 1
        self._made[key] = made
        if made > KEEP_PER_CODE:
            self._more[key] = (made - KEEP_PER_CODE, self._t)
            return
        evidence["topic"] = _show(self._topic)
        if self._line:
            evidence["line"] = self._line
        self.findings.append(finding(code, message, subject=self._urn, evidence=evidence,
                                     t=self._t, severity=severity))

    def _fold_repeats(self) -> None:
        """The last kept finding of each (device, code) that repeated past the cap says
        how many more there were and when the last was."""
        if not self._more:
            return
        last: dict[tuple[str | None, str], int] = {}
        for i, f in enumerate(self.findings):
            if (f.subject, f.code) in self._more:
                last[(f.subject, f.code)] = i
        for key, (extra, last_t) in self._more.items():
            at = last.get(key)
            if at is None:
                continue
            f = self.findings[at]
            self.findings[at] = finding(
                f.code, f"{f.message} (and {extra:,} more like it, the last at t={last_t:.3f})",
                subject=f.subject, t=f.t, severity=f.severity,
                evidence={**f.evidence, "more": extra, "last_t": last_t})
        self._more.clear()

    def _at(self, urn: str | None, t: float, topic: str) -> None:
        """Point :meth:`_emit` at a message of the end-of-capture checks."""
        self._urn, self._t, self._topic, self._line = urn, t, topic, 0

    # -- end -----------------------------------------------------------------------------

    def finish(self, end_t: float | None = None) -> CheckResult:
        """The checks that need the whole capture; returns the result."""
        end = self.end_t
        if end_t is not None and (end is None or end_t > end):
            end = end_t
        start = self.start_t if self.start_t is not None else self._first_t
        if self._lost is not None:  # the recording ended without the broker
            self._close_outage(end if end is not None else self._lost[0])
        if self.report_outages:
            self.findings.extend(outage_findings(self.outages, self._excused_gaps))
        for dev in self._devices.values():
            self._finish_retain(dev)
            if end is not None:
                self._finish_acks(dev, end)
            if not dev.device_to:
                continue  # only commands were seen: a URN the controller may have mistyped
            if end is not None:
                self._finish_heartbeat(dev, end)
            if self._validator is not None and start is not None:
                self._finish_identity(dev, start)
        self._fold_repeats()
        return CheckResult(self.profile.id, self.messages, sorted(self._devices), self.findings,
                           {urn: dev.messages for urn, dev in sorted(self._devices.items())},
                           start)

    def _finish_retain(self, dev: _Device) -> None:
        for kind, (count, t, topic) in sorted(dev.retain_bad.items(), key=lambda i: i[1][1]):
            must = kind in self._c.retained
            self._at(dev.urn, t, topic)
            self._emit("MSG-RETAIN", f"{count} {kind} message(s) published "
                       f"{'without' if must else 'with'} the retain flag",
                       severity=None if must else Severity.WARNING, count=count)
        if self._retain_inferred:
            for kind in _RETAINED_KINDS:
                if kind in self._c.retained and kind in dev.kinds_seen and \
                        kind not in dev.retain_ok:
                    self._at(dev.urn, dev.kinds_seen[kind], f"devid/1/{dev.urn}/{kind}")
                    self._emit("MSG-RETAIN", f"no {kind} message arrived retained")

    def _finish_heartbeat(self, dev: _Device, end: float) -> None:
        if dev.offline_since is None:
            self._close_gap(dev, end)
        limit = self._c.heartbeat_limit
        if dev.longest_gap > limit:
            never = dev.last_state_t is None
            what = "no state at all" if never else "no state"
            self._at(dev.urn, dev.gap_to, f"devid/1/{dev.urn}/state")
            self._emit("MSG-HEARTBEAT-MISSED", f"{what} for {dev.longest_gap:.1f} s (heartbeat "
                       f"{self.profile.heartbeat_s:g} s)", silence_s=round(dev.longest_gap, 3),
                       heartbeat_s=self.profile.heartbeat_s, since=dev.gap_from)

    def _finish_acks(self, dev: _Device, end: float) -> None:
        # a command whose deadline ends after the capture does is not judged
        for (name, cid), (sent, deadline) in dev.pending.items():
            if sent + deadline <= end:
                self._at(dev.urn, sent, f"devid/1/{dev.urn}/cmd/{name}")
                self._emit("MSG-ACK-MISSING", f"command {_show(name)!r} id {_show(cid)!r} was "
                           f"never acked (deadline {deadline:g} s)", id=_show(cid))

    def _finish_identity(self, dev: _Device, start: float) -> None:
        from devid._token import verify_token

        # feed_raw takes any float: a start no datetime holds is verified at the nearest
        # one (a capture file's times are checked when read, devid._capture.unix_time)
        if not MIN_T <= start <= MAX_T:
            start = MAX_T if start > 0 else MIN_T  # (NaN: the earliest)
        now = datetime.fromtimestamp(start, UTC)
        topic = f"devid/1/{dev.urn}/identity"
        if not dev.identities:
            self._at(dev.urn, start, topic)
            self._emit("ID-TOKEN-MISSING", "no identity token in the capture (devid/1/<urn>/"
                       "identity is a required retained topic)")
        for token, t in dev.identities.items():
            self._at(dev.urn, t, topic)
            self._verify(verify_token, token, now, None)
        for token, t, nonce in dev.responses[:16]:
            self._at(dev.urn, t, f"devid/1/{dev.urn}/challenge/response")
            self._verify(verify_token, token, now, nonce)

    def _verify(self, verify: Any, token: bytes, now: datetime, nonce: bytes | None) -> None:
        result = verify(token, now=now, validator=self._validator, nonce=nonce)
        for f in result.findings:
            evidence = dict(f.evidence)
            evidence.setdefault("topic", self._topic)
            self.findings.append(Finding(f.code, f.severity, f.message, self._urn, evidence,
                                         f.spec_ref, self._t))
        if result.subject is not None and result.subject != self._urn:
            self._emit("ID-SUB-MISMATCH", f"the token's sub {_show(result.subject)!r} is not "
                       "the URN of its topic", sub=_show(result.subject))


def _count(table: dict[str, list[Any]], kind: str, t: float, topic: str) -> None:
    entry = table.get(kind)
    if entry is None:
        table[kind] = [1, t, topic]
    else:
        entry[0] += 1


def _urn_guess(topic: str) -> str | None:
    if topic.startswith(TOPIC_PREFIX):
        level = topic[len(TOPIC_PREFIX):].split("/", 1)[0]
        return level[:_MAX_SHOWN] or None
    return None


def _token_profiles(token: bytes) -> list[str] | None:
    """The profiles claim (-70001) of an identity token, unverified; None if absent."""
    try:
        value = _strict_decode(token)
        if isinstance(value, cbor2.CBORTag) and value.tag == 18:
            value = value.value
        if not isinstance(value, list) or len(value) != 4 or not isinstance(value[2], bytes):
            return None
        claims = _strict_decode(value[2])
    except CborError:
        return None
    if not isinstance(claims, dict):
        return None
    profiles = claims.get(-70001)
    if not isinstance(profiles, list) or not all(isinstance(p, str) for p in profiles):
        return None
    return [p[:64] for p in profiles[:16]]


# ---------------------------------------------------------------------------------------
# one-call API
# ---------------------------------------------------------------------------------------


def check_messages(
    messages: Iterable[CapturedMessage],
    profile: Profile,
    *,
    header: CaptureHeader | None = None,
    validator: Any | None = None,
    end_t: float | None = None,
) -> CheckResult:
    """Check captured messages (in receive order) against ``profile``."""
    engine = CheckEngine(profile, header=header, validator=validator)
    for message in messages:
        engine.feed(message)
    return engine.finish(end_t)


def check_capture(capture: Capture, profile: Profile, *,
                  validator: Any | None = None) -> CheckResult:
    """Check a parsed capture file; its line findings come first."""
    engine = CheckEngine(profile, header=capture.header, validator=validator)
    engine.add_findings(capture.findings)
    outages = list(capture.outages)
    for message in capture.messages:
        while outages and outages[0].t <= message.t:  # markers in their place in time
            engine.add_outage(outages.pop(0))
        engine.feed(message)
    for outage in outages:
        engine.add_outage(outage)
    return _capture_result(engine.finish(_header_end(capture.header)))


class LineSink(Protocol):
    """What :func:`feed_lines` feeds: a check engine, or several behind one router."""

    findings: list[Finding]

    def add_findings(self, findings: Iterable[Finding]) -> None: ...

    def add_outage(self, outage: CaptureOutage) -> None: ...

    def feed_raw(self, t: float, topic: str, payload: bytes, retain: bool,
                 line: int = 0) -> None: ...


#: The line :class:`devid._capture.CaptureWriter` writes (compact separators, this key
#: order, a plain topic): read by a regular expression instead of a JSON parser. Any other
#: line (spaces, another key order, escapes in the topic) takes the JSON path.
_CANONICAL = re.compile(
    rb'\{"t":(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?),"topic":"([^"\\\x00-\x1f]+)",'
    rb'"payload":"([A-Za-z0-9+/]*={0,2})","qos":([012]),"retain":(true|false)\}\r?\n?'
)


def feed_lines(
    lines: Iterable[bytes | str | Finding],
    make_sink: Callable[[CaptureHeader | None], _S],
    *,
    source: str = "",
) -> tuple[_S, CaptureHeader | None]:
    """Feed the lines of a capture to the sink ``make_sink(header)`` builds.

    The fast path: each canonical line (as devid writes them) is read by a regular
    expression, each other well-formed line goes straight from JSON to the sink; any
    line that is not exactly well-formed goes through :func:`devid._capture.parse_line`,
    so its finding (``MSG-CAPTURE-LINE``) is the capture reader's own.
    """
    loads, b64, canonical = json.loads, base64.b64decode, _CANONICAL.fullmatch
    a2b = binascii.a2b_base64
    sink: _S | None = None
    header: CaptureHeader | None = None
    pending: list[Finding] = []
    feed = None
    for lineno, raw in enumerate(lines, start=1):
        if isinstance(raw, Finding):  # a finding of the reading (bounded_lines)
            if sink is None:
                pending.append(raw)
            else:
                sink.add_findings([raw])
            continue
        if sink is None:
            if lineno == 1:
                item = next(iter_capture([raw], source), None)
                if isinstance(item, CaptureHeader):
                    header = item
                    continue
            sink = make_sink(header)
            sink.add_findings(pending)
            feed = sink.feed_raw
        assert feed is not None
        if type(raw) is bytes and len(raw) <= MAX_LINE:
            m = canonical(raw)
            if m is not None:
                t_text, topic_b, payload_b, _qos, retain_b = m.groups()
                t = float(t_text)
                if MIN_T <= t <= MAX_T:  # (NaN and the infinities are not)
                    try:
                        topic = topic_b.decode("utf-8")
                        data = a2b(payload_b, strict_mode=True)
                    except (UnicodeDecodeError, binascii.Error, ValueError):
                        pass
                    else:
                        feed(t, topic, data, retain_b == b"true", lineno)
                        continue
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            obj = loads(text) if len(text) <= MAX_LINE else None
        except (ValueError, RecursionError):
            obj = None
        if type(obj) is dict:
            tv = obj.get("t")
            topic = obj.get("topic")
            payload = obj.get("payload")
            retain = obj.get("retain", False)
            qos = obj.get("qos", 0)
            if (type(tv) is float or type(tv) is int) and type(topic) is str and topic and \
                    type(payload) is str and (retain is True or retain is False) and \
                    type(qos) is int and 0 <= qos <= 2 and MIN_T <= tv <= MAX_T:
                try:
                    data = b64(payload, validate=True)
                except (binascii.Error, ValueError):
                    pass
                else:
                    feed(float(tv), topic, data, retain, lineno)
                    continue
        item = parse_line(raw, lineno, source)
        if isinstance(item, CapturedMessage):
            feed(item.t, item.topic, item.payload, item.retain, lineno)
        elif isinstance(item, CaptureOutage):
            sink.add_outage(item)
        elif item is not None:
            sink.findings.append(item)
    if sink is None:
        sink = make_sink(header)
        sink.add_findings(pending)
    return sink, header


def check_lines(
    lines: Iterable[bytes | str | Finding],
    profile: Profile,
    *,
    source: str = "",
    validator: Any | None = None,
) -> CheckResult:
    """Check a capture given as its lines (a file opened in binary mode will do)."""
    engine, header = feed_lines(
        lines, lambda h: CheckEngine(profile, header=h, validator=validator), source=source)
    return _capture_result(engine.finish(_header_end(header)), source)


def _capture_result(result: CheckResult, source: str = "") -> CheckResult:
    """A capture file with no message at all cannot pass: nothing was checked (a wrong
    file, an empty recording); say so instead of calling it valid."""
    if result.messages == 0:
        bad = sum(1 for f in result.findings if f.code == "MSG-CAPTURE-LINE")
        result.findings.append(finding(
            "MSG-CAPTURE-EMPTY",
            "the capture holds no message to check"
            + (f" ({bad} line(s) did not parse)" if bad else ""),
            evidence={"file": source, "unparsed_lines": bad},
        ))
    return result


def _header_end(header: CaptureHeader | None) -> float | None:
    if header is None:
        return None
    for key in ("ended", "stopped"):
        value = header.extra.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


__all__ = [
    "MAX_PAYLOAD",
    "SKEW_S",
    "CheckEngine",
    "CheckResult",
    "CompiledFields",
    "CompiledProfile",
    "Topic",
    "check_capture",
    "check_lines",
    "check_messages",
    "compile_fields",
    "compile_profile",
    "compile_spec",
    "feed_lines",
    "parse_topic",
    "value_problem",
]
