"""The simulator's faults, as data.

Each :class:`Fault` says what a faulty device does differently (the knobs the
device reads: ``first_state``, ``state_retain``, ``cert``, ``signing``, ...) and
which finding code a validator must raise for it (``codes``), seen by which tool
(``check`` on a recorded capture, ``scan`` and ``test`` live). Every fault shows
within the device's first three messages (status, identity, state), its first
challenge, or its first command; ``missing-heartbeat`` shows once the observation
outlasts the profile's heartbeat. docs/simulator.md renders this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Requirement = Literal["ranged-number", "required-property", "command", "sensitive"]
FirstState = Literal["out-of-range", "wrong-type", "drop-required", "truncate-cbor", "oversize",
                     "seq-regression", "sensitive"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault a simulated device can carry."""

    name: str
    changes: str
    codes: tuple[str, ...]
    seen_by: tuple[str, ...]
    requires: Requirement | None = None
    first_state: FirstState | None = None
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

_TABLE: tuple[Fault, ...] = (
    Fault("range", "first state: a ranged number property far outside its range",
          ("MSG-RANGE",), ("check", "test"), requires="ranged-number",
          first_state="out-of-range"),
    Fault("wrong-type", "first state: a required property with the wrong CBOR type "
          "(number as text, boolean as text, text as number)",
          ("MSG-TYPE",), ("check", "test"), requires="required-property",
          first_state="wrong-type"),
    Fault("missing-required", "first state: a required property left out",
          ("MSG-REQUIRED-MISSING",), ("check", "test"), requires="required-property",
          first_state="drop-required"),
    Fault("malformed-cbor", "first state: the CBOR payload cut short by one byte",
          ("MSG-CBOR-MALFORMED",), ("check", "test"), first_state="truncate-cbor"),
    Fault("non-retained", "every state published without the retain flag",
          ("MSG-RETAIN",), ("check", "test"), state_retain=False),
    Fault("seq-regression", "a second state right after the first, with a lower seq",
          ("MSG-SEQ-REGRESSION",), ("check", "test"), first_state="seq-regression"),
    Fault("missing-heartbeat", "one state at start, then none (shows once the observation "
          "outlasts the profile's heartbeat)",
          ("MSG-HEARTBEAT-MISSED",), ("check", "test"), heartbeat=False),
    Fault("clock-skew", f"every ts {CLOCK_SKEW_S:g} s ahead of the real time",
          ("MSG-CLOCK-SKEW",), ("check", "test"), ts_offset_s=CLOCK_SKEW_S),
    Fault("oversize", f"first state padded to {OVERSIZE_BYTES} bytes (limit 64 KiB)",
          ("MSG-TOO-LARGE",), ("check", "test"), first_state="oversize"),
    Fault("bad-signature", "identity token and challenge responses with a corrupted signature",
          ("ID-SIG-INVALID",), ("check", "scan", "test"), signing="bad-signature"),
    Fault("wrong-key", "tokens signed by a key that does not match the device certificate",
          ("ID-SIG-INVALID",), ("check", "scan", "test"), signing="wrong-key"),
    Fault("expired-cert", "device certificate expired a day ago",
          ("ID-CERT-EXPIRED",), ("check", "scan", "test"), cert="expired"),
    Fault("untrusted-ca", "device certificate issued under a root that is not in trust/",
          ("ID-CHAIN-UNTRUSTED",), ("check", "scan", "test"), cert="untrusted"),
    Fault("stale-nonce", "answers a challenge with an old token (an earlier nonce); check "
          "sees it when the capture holds the challenge",
          ("ID-NONCE-MISMATCH",), ("check", "scan", "test"), challenge="stale"),
    Fault("cloned-identity", "a second simulated device with the same URN, certificate and "
          "key (both answer challenges; their state seq interleave)",
          ("ID-CLONE",), ("scan", "test"), twin=True),
    Fault("ack-late", f"acks commands {ACK_LATE_EXTRA_S:g} s after the profile's deadline",
          ("MSG-ACK-LATE",), ("check", "test"), requires="command", ack="late"),
    Fault("no-ack", "never acks a command",
          ("MSG-ACK-MISSING",), ("check", "test"), requires="command", ack="none"),
    Fault("plaintext-sensitive", "sends a sensitive value without TLS: a sensitive state "
          "property or event field of its profile, else it echoes a command carrying a "
          "sensitive argument (a door code) on its own cmd topic",
          ("MSG-SENSITIVE-PLAINTEXT",), ("check", "test"), requires="sensitive",
          first_state="sensitive"),
    Fault("evil-name", "display name (the DNS-SD instance name) full of HTML and script",
          (), ("scan",), evil_name=True),
)

FAULTS: Mapping[str, Fault] = MappingProxyType({f.name: f for f in _TABLE})


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


__all__ = ["ACK_LATE_EXTRA_S", "CLOCK_SKEW_S", "EVIL_NAME", "FAULTS", "OVERSIZE_BYTES", "Fault",
           "parse_faults"]
