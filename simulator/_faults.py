"""The simulator's faults, as data.

Each :class:`Fault` says what a faulty device does differently (the knobs the
device reads: ``state_change``, ``state_retain``, ``cert``, ``signing``, ...) and
which finding code a validator must raise for it (``codes``), seen by which tool
(``check`` on a recorded capture, ``scan`` and ``test`` live). Every fault shows from
the device's first messages on and **keeps showing** (``shows``, ``repeat``): in every
state, in a retained message, at least once per heartbeat, or on every challenge or
command it is sent, so an observer that starts late (a recorder, a scan, a test) still
sees it. ``missing-heartbeat`` shows once the observation outlasts the profile's
heartbeat. :func:`showing` says it per device (the manifest's ``shows``).
docs/simulator.md renders this table.

The devices that announce themselves through Home Assistant (HA) MQTT discovery or
Homie 5 have faults of their own (:class:`EcoFault`, ``HA_FAULTS``, ``HOMIE_FAULTS``):
the mistakes real firmware makes (see the shared vectors' ``ha_mqtt_rules.md``). An
HA or Homie device may carry several of them. Each keeps showing for the device's
whole life: it is in a retained message (a discovery config, ``$description``,
``$state``, a property value) or in every state publication, never only in a first
message that a later one replaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Requirement = Literal["ranged-number", "required-property", "command", "sensitive"]
#: How a fault bends the device's state messages (or, for ``sensitive``, what it leaks).
StateChange = Literal["out-of-range", "wrong-type", "drop-required", "truncate-cbor",
                      "oversize", "seq-regression", "sensitive"]
#: How often a fault shows without anyone asking: ``state`` in every state message,
#: ``heartbeat`` at start and then at least once per profile heartbeat, ``retained`` in a
#: retained message republished on every (re)connection, ``challenge``/``command`` in the
#: answer to every challenge/command, ``silence`` once the observation outlasts the
#: heartbeat, ``advert`` in the DNS-SD advert for the device's whole life.
Repeat = Literal["state", "heartbeat", "retained", "challenge", "command", "silence", "advert"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault a simulated device can carry."""

    name: str
    changes: str
    codes: tuple[str, ...]
    seen_by: tuple[str, ...]
    shows: str
    repeat: Repeat
    requires: Requirement | None = None
    state_change: StateChange | None = None
    state_retain: bool = True
    heartbeat: bool = True
    ts_offset_s: float = 0.0
    cert: Literal["valid", "expired", "untrusted"] = "valid"
    signing: Literal["valid", "bad-signature", "wrong-key"] = "valid"
    challenge: Literal["fresh", "stale"] = "fresh"
    ack: Literal["on-time", "late", "none"] = "on-time"
    twin: bool = False
    evil_name: bool = False


#: A display name full of HTML and script (mDNS instance names are at most 63 bytes).
EVIL_NAME = "<script>alert('devid')</script><img src=x onerror=alert(1)>&"

#: How late an ``ack-late`` device acks: this many seconds after the deadline.
ACK_LATE_EXTRA_S = 1.0
#: The ``clock-skew`` offset of every ``ts`` (the check warns beyond 30 s).
CLOCK_SKEW_S = 3600.0
#: Size of the ``oversize`` state payload (the limit is 64 KiB).
OVERSIZE_BYTES = 70_000

#: The ``shows`` text of the faults in every state message, retained or not.
_EVERY_STATE = "every state message (retained: a new subscriber gets it at once)"
_IDENTITY = ("the retained identity token (republished on every (re)connection) and "
             "every challenge response")

_TABLE: tuple[Fault, ...] = (
    Fault("range", "a ranged number property far outside its range",
          ("MSG-RANGE",), ("check", "test"), _EVERY_STATE, "state",
          requires="ranged-number", state_change="out-of-range"),
    Fault("wrong-type", "a required property with the wrong CBOR type "
          "(number as text, boolean as text, text as number)",
          ("MSG-TYPE",), ("check", "test"), _EVERY_STATE, "state",
          requires="required-property", state_change="wrong-type"),
    Fault("missing-required", "a required property left out",
          ("MSG-REQUIRED-MISSING",), ("check", "test"), _EVERY_STATE, "state",
          requires="required-property", state_change="drop-required"),
    Fault("malformed-cbor", "the state's CBOR payload cut short by one byte",
          ("MSG-CBOR-MALFORMED",), ("check", "test"), _EVERY_STATE, "state",
          state_change="truncate-cbor"),
    Fault("non-retained", "every state published without the retain flag",
          ("MSG-RETAIN",), ("check", "test"),
          "every state message (live only: the broker keeps none)", "state",
          state_retain=False),
    Fault("seq-regression", "a state followed at once by a second one with a lower seq",
          ("MSG-SEQ-REGRESSION",), ("check", "test"),
          "at start, then at least once per heartbeat (a pair of live states)", "heartbeat",
          state_change="seq-regression"),
    Fault("missing-heartbeat", "one state at start, then none",
          ("MSG-HEARTBEAT-MISSED",), ("check", "test"),
          "once the observation outlasts the profile's heartbeat (plus the validator's "
          "grace)", "silence", heartbeat=False),
    Fault("clock-skew", f"every ts {CLOCK_SKEW_S:g} s ahead of the real time",
          ("MSG-CLOCK-SKEW",), ("check", "test"),
          "every live message (a retained one may be old, so validators do not judge its "
          "ts)", "state", ts_offset_s=CLOCK_SKEW_S),
    Fault("oversize", f"every state padded to {OVERSIZE_BYTES} bytes (limit 64 KiB)",
          ("MSG-TOO-LARGE",), ("check", "test"), _EVERY_STATE, "state",
          state_change="oversize"),
    Fault("bad-signature", "identity token and challenge responses with a corrupted signature",
          ("ID-SIG-INVALID",), ("check", "scan", "test"), _IDENTITY, "retained",
          signing="bad-signature"),
    Fault("wrong-key", "tokens signed by a key that does not match the device certificate",
          ("ID-SIG-INVALID",), ("check", "scan", "test"), _IDENTITY, "retained",
          signing="wrong-key"),
    Fault("expired-cert", "device certificate expired a day ago",
          ("ID-CERT-EXPIRED",), ("check", "scan", "test"), _IDENTITY, "retained",
          cert="expired"),
    Fault("untrusted-ca", "device certificate issued under a root that is not in trust/",
          ("ID-CHAIN-UNTRUSTED",), ("check", "scan", "test"), _IDENTITY, "retained",
          cert="untrusted"),
    Fault("stale-nonce", "answers a challenge with an old token (an earlier nonce); check "
          "sees it when the capture holds the challenge",
          ("ID-NONCE-MISMATCH",), ("check", "scan", "test"),
          "the answer to every challenge", "challenge", challenge="stale"),
    Fault("cloned-identity", "a second simulated device with the same URN, certificate and "
          "key (both answer challenges; their state seq interleave)",
          ("ID-CLONE",), ("scan", "test"),
          "every challenge (two answers); the interleaved seq in every state", "challenge",
          twin=True),
    Fault("ack-late", f"acks commands {ACK_LATE_EXTRA_S:g} s after the profile's deadline",
          ("MSG-ACK-LATE",), ("check", "test"), "the ack of every command", "command",
          requires="command", ack="late"),
    Fault("no-ack", "never acks a command",
          ("MSG-ACK-MISSING",), ("check", "test"), "every command (its deadline passes)",
          "command", requires="command", ack="none"),
    Fault("plaintext-sensitive", "sends a sensitive value without TLS: a sensitive state "
          "property or event field of its profile, else it echoes a command carrying a "
          "sensitive argument (a door code) on its own cmd topic",
          ("MSG-SENSITIVE-PLAINTEXT",), ("check", "test"),
          "at start, then at least once per heartbeat (a sensitive state property: every "
          "state)", "heartbeat", requires="sensitive", state_change="sensitive"),
    Fault("evil-name", "display name (the DNS-SD instance name) full of HTML and script",
          (), ("scan",), "the DNS-SD advert, for the device's whole life", "advert",
          evil_name=True),
)

FAULTS: Mapping[str, Fault] = MappingProxyType({f.name: f for f in _TABLE})


def heartbeat_ticks(interval: float, heartbeat_s: float) -> int:
    """Every how many state ticks a ``heartbeat`` fault shows again: as many intervals as
    fit in one heartbeat (at least one), so it shows at least once per heartbeat."""
    return max(1, int(heartbeat_s / interval + 1e-9))


def showing(fault: Fault, interval: float, heartbeat_s: float) -> dict[str, object]:
    """When a device with ``fault`` shows it (the manifest's ``shows`` entry).

    ``when``: the table's text; ``at_once``: a new observer gets it at once (from a
    retained message or the DNS-SD advert); ``every_s``: the longest time between two
    showings nobody asked for (``None``: it shows in retained messages, on a request or
    as a silence only).
    """
    every: float | None = None
    if fault.repeat == "state":
        every = interval
    elif fault.repeat == "heartbeat":
        every = heartbeat_ticks(interval, heartbeat_s) * interval
    at_once = fault.repeat in ("retained", "advert") or (
        fault.repeat == "state" and fault.state_retain and fault.ts_offset_s == 0.0)
    return {"when": fault.shows, "at_once": at_once,
            "every_s": None if every is None else round(every, 3)}


def parse_faults(text: str | None) -> dict[str, int]:
    """``NAME:K,NAME:K`` (``NAME`` alone means K = 1) → ``{name: k}``.

    Raises ``ValueError`` for an unknown fault or a bad count.
    """
    out: dict[str, int] = {}
    if not text:
        return out
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        name, _, count = part.partition(":")
        name = name.strip()
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
        try:
            k = int(count) if count.strip() else 1
        except ValueError:
            raise ValueError(f"fault {name}: count {count!r} is not an integer") from None
        if k < 0:
            raise ValueError(f"fault {name}: count must not be negative")
        out[name] = out.get(name, 0) + k
    return out


# ---------------------------------------------------------------------------------------
# Home Assistant discovery and Homie 5 devices
# ---------------------------------------------------------------------------------------

EcoRequirement = Literal["device-class-sensor", "numeric-sensor", "two-entities",
                         "numeric-or-boolean", "ranged-number"]


@dataclass(frozen=True, slots=True)
class EcoFault:
    """One fault an HA or Homie device can carry.

    ``family``: the finding-code family a validator must report (the code starts with
    it); ``subject``: ``device`` when the finding belongs to the device's record,
    ``entity`` when it belongs to the entity's own record (HA cannot tie the entity to
    the device: ``ha:entity:<component>/<node_id> <object_id>``, named in the manifest's
    ``details``), ``topic`` when it may be tied to a discovery topic only (the config
    cannot be read as belonging to a device); ``shows``: when and where it can be seen;
    ``reaction``: what Home Assistant or a Homie controller does with it.
    """

    name: str
    ecosystem: Literal["ha", "homie"]
    changes: str
    shows: str
    family: str
    reaction: str
    subject: Literal["device", "entity", "topic"] = "device"
    requires: EcoRequirement | None = None
    every_interval: bool = False  # also republished every interval


def eco_showing(fault: EcoFault, interval: float) -> dict[str, object]:
    """The manifest's ``shows`` entry of an HA or Homie fault (see :func:`showing`): all
    of them sit in retained messages; some are republished every interval too."""
    return {"when": fault.shows, "at_once": True,
            "every_s": round(interval, 3) if fault.every_interval else None}


#: A unit that HA rejects for each sensor device class (HA 2025.7 on: an error; before,
#: a warning). ``ha-unit-class`` takes the first class the device has, in this order.
HA_BAD_UNITS: Mapping[str, str] = MappingProxyType({
    "temperature": "C", "humidity": "%RH", "battery": "pct", "illuminance": "Lux",
    "energy": "mAh", "power": "watts", "voltage": "volts", "current": "amps",
    "carbon_monoxide": "PPM", "carbon_dioxide": "PPM", "pressure": "mbars",
    "signal_strength": "rssi", "duration": "hours",
})
#: The availability payload of ``ha-availability-bad`` (neither online nor offline).
HA_BAD_AVAILABILITY = "up"
#: The text ``ha-state-not-number`` sends instead of a number.
HA_NOT_A_NUMBER = "n/a"
#: What ``homie-wrong-datatype`` sends for a number (and for a boolean).
HOMIE_WRONG_NUMBER = "abc"
HOMIE_WRONG_BOOLEAN = "yes"

_ECO_TABLE: tuple[EcoFault, ...] = (
    EcoFault("ha-illegal-topic", "ha",
             "one entity's discovery topic has a space and ':' in its object_id "
             "(`<object_id> 02:00:00:00:00:01`)",
             "retained discovery config, republished on every (re)connection",
             "HA-TOPIC", "warning; the config is dropped", subject="topic"),
    EcoFault("ha-bad-json", "ha",
             "one entity's discovery config is truncated JSON (cut in the middle)",
             "retained discovery config, republished on every (re)connection",
             "HA-JSON", "warning \"Unable to parse JSON\"; the config is dropped",
             subject="topic"),
    EcoFault("ha-no-identifiers", "ha",
             "one entity's `device` has `identifiers: []` and no connections",
             "retained discovery config", "HA-DEVICE",
             "error; the entity is not created", subject="entity"),
    EcoFault("ha-device-unknown-key", "ha",
             "every config's `device` carries an unknown key `ip`",
             "every retained discovery config", "HA-DEVICE",
             "error \"extra keys not allowed\"; no entity is created"),
    EcoFault("ha-unit-class", "ha",
             "a sensor's unit is not valid for its device class (`C` for temperature; "
             "else `pct` for battery, ..., `hours` for duration)",
             "retained discovery config", "HA-UNIT",
             "warning before HA 2025.7, error (config rejected) from 2025.7",
             requires="device-class-sensor"),
    EcoFault("ha-duplicate-unique-id", "ha",
             "a second entity of the device reuses the first entity's unique_id",
             "retained discovery configs", "HA-UNIQUE-ID",
             "error; the later entity is ignored", requires="two-entities"),
    EcoFault("ha-name-repeats-device", "ha",
             "one entity's name starts with the device's name (`<device> Battery`)",
             "retained discovery config", "HA-NAME",
             "warning and repair issue; HA strips the device name"),
    EcoFault("ha-state-not-number", "ha",
             f"a numeric sensor's value is the text `{HA_NOT_A_NUMBER}` in every state "
             "message", "every state publication (retained)", "HA-STATE",
             "error \"non-numeric value\"; the sensor shows unknown",
             requires="numeric-sensor", every_interval=True),
    EcoFault("ha-availability-bad", "ha",
             f"publishes availability `{HA_BAD_AVAILABILITY}` (neither the config's "
             "online nor offline payload)",
             "retained availability, republished on every (re)connection",
             "HA-AVAILABILITY", "the payload is ignored; entities stay unavailable"),
    EcoFault("homie-never-ready", "homie",
             "`$state` stays `init`: the device never publishes `ready`",
             "retained `$state` for the device's whole life", "HOMIE-STATE",
             "controllers never treat the device as ready"),
    EcoFault("homie-wrong-datatype", "homie",
             f"a numeric property's value is `{HOMIE_WRONG_NUMBER}` (a boolean's "
             f"`{HOMIE_WRONG_BOOLEAN}`), not its datatype",
             "retained property value, republished every interval", "HOMIE-VALUE",
             "the value is rejected", requires="numeric-or-boolean", every_interval=True),
    EcoFault("homie-no-version", "homie",
             "`$description` has no `version`",
             "retained `$description`", "HOMIE-DESC",
             "the description is invalid; the device is not usable"),
    EcoFault("homie-bad-id", "homie",
             "the device ID has uppercase letters and `_` (`SmartLock_5A1F0C0001`)",
             "every topic of the device", "HOMIE-ID",
             "not a valid topic ID; controllers ignore the device"),
    EcoFault("homie-out-of-range", "homie",
             "a ranged numeric property's value is outside its `format` min:max",
             "retained property value, republished every interval", "HOMIE-VALUE",
             "the value is rejected", requires="ranged-number", every_interval=True),
)

HA_FAULTS: Mapping[str, EcoFault] = MappingProxyType(
    {f.name: f for f in _ECO_TABLE if f.ecosystem == "ha"})
HOMIE_FAULTS: Mapping[str, EcoFault] = MappingProxyType(
    {f.name: f for f in _ECO_TABLE if f.ecosystem == "homie"})
ECO_FAULTS: Mapping[str, EcoFault] = MappingProxyType({f.name: f for f in _ECO_TABLE})


def parse_eco_faults(text: str | None, ecosystem: str) -> dict[str, int]:
    """``NAME:K,...`` for the HA or Homie devices of ``ecosystem`` → ``{name: k}``.

    Raises ``ValueError`` for an unknown fault, one of another ecosystem or a bad count.
    """
    table = HA_FAULTS if ecosystem == "ha" else HOMIE_FAULTS
    out: dict[str, int] = {}
    for raw in (text or "").split(","):
        part = raw.strip()
        if not part:
            continue
        name, _, count = part.partition(":")
        name = name.strip()
        if name not in table:
            raise ValueError(f"unknown {ecosystem} fault {name!r} (known: {', '.join(table)})")
        try:
            k = int(count) if count.strip() else 1
        except ValueError:
            raise ValueError(f"fault {name}: count {count!r} is not an integer") from None
        if k < 0:
            raise ValueError(f"fault {name}: count must not be negative")
        out[name] = out.get(name, 0) + k
    return out


__all__ = [
    "ACK_LATE_EXTRA_S",
    "CLOCK_SKEW_S",
    "ECO_FAULTS",
    "EVIL_NAME",
    "FAULTS",
    "HA_BAD_AVAILABILITY",
    "HA_BAD_UNITS",
    "HA_FAULTS",
    "HA_NOT_A_NUMBER",
    "HOMIE_FAULTS",
    "HOMIE_WRONG_BOOLEAN",
    "HOMIE_WRONG_NUMBER",
    "OVERSIZE_BYTES",
    "EcoFault",
    "Fault",
    "eco_showing",
    "heartbeat_ticks",
    "parse_eco_faults",
    "parse_faults",
    "showing",
]
