"""What an ecosystem validator (Home Assistant discovery, Homie) reports. Pure.

Each ecosystem has an *inventory*: a streaming, pure object fed MQTT messages
(topic, payload bytes, retain flag, receive time) in capture order. It keeps
what it needs (configs, descriptions, a bounded amount of runtime state), judges
every message it claims, and at the end returns one :class:`EcoDevice` per
device it saw, each with its entities and findings.

Memory is bounded by devices × entities × codes, never by the number of
messages: repeated runtime findings of one code on one entity are aggregated
(:class:`FindingCounter`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from devid._findings import Finding, Severity, finding

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity (HA) or property (Homie) of a device.

    - ``key``: unique within the device. HA: ``<component>/<discovery id>``
      (``sensor/0AFFD2 bla2``); Homie: ``<node>/<property>``.
    - ``kind``: HA component (``sensor``) or Homie datatype (``float``).
    - ``topics``: role → topic (``state_topic``, ``command_topic``,
      ``availability_topic``; Homie ``value``, ``set``).
    - ``detail``: JSON-friendly extras (device_class, unit, format, settable, ...).
    """

    key: str
    kind: str
    name: str | None = None
    unique_id: str | None = None
    topics: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    detail: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "unique_id": self.unique_id,
            "topics": dict(self.topics),
            "detail": dict(self.detail),
        }


@dataclass(frozen=True, slots=True)
class EcoDevice:
    """One device as an ecosystem announced it.

    - ``ecosystem``: ``"ha"`` or ``"homie"``.
    - ``id``: stable key ``ha:<first identifier>`` (or ``ha:<conn type>:<value>``,
      or ``ha:entity:<component>/<discovery id>`` for an entity without a device),
      ``homie:<domain>/<device id>``.
    - ``connections``: ``(("mac", "aa:bb:..."), ...)`` as announced (HA) or from
      Homie v4 ``$mac``; used to merge with mDNS records.
    - ``identifiers``: the raw identifier values (HA ``device.identifiers``).
    - ``messages``: how many messages of the capture/scan belong to this device.
    """

    ecosystem: str
    id: str
    name: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    sw_version: str | None = None
    serial_number: str | None = None
    identifiers: tuple[str, ...] = ()
    connections: tuple[tuple[str, str], ...] = ()
    entities: tuple[Entity, ...] = ()
    findings: tuple[Finding, ...] = ()
    messages: int = 0
    state: str | None = None
    """Homie ``$state`` (last seen); HA: ``None``."""

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ecosystem": self.ecosystem,
            "id": self.id,
            "name": self.name,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "sw_version": self.sw_version,
            "serial_number": self.serial_number,
            "identifiers": list(self.identifiers),
            "connections": [list(c) for c in self.connections],
            "entities": [e.to_dict() for e in self.entities],
            "findings": [f.to_dict() for f in self.findings],
            "messages": self.messages,
            "state": self.state,
        }


class Inventory(Protocol):
    """The streaming interface every ecosystem validator implements."""

    ecosystem: str
    messages: int
    """Messages this inventory claimed (belonged to its ecosystem)."""
    generation: int
    """Grows whenever the inventory may start claiming topics it declined before (a
    router that remembers who claimed a topic re-asks the earlier inventories then)."""

    def claims(self, topic: str) -> bool:
        """Whether ``topic`` belongs to this ecosystem *as known so far* (cheap)."""
        ...

    def add(self, topic: str, payload: bytes, *, retain: bool = False,
            t: float | None = None) -> bool:
        """Judge one message; return whether it was claimed."""
        ...

    def devices(self) -> list[EcoDevice]:
        """One record per device, sorted by id, findings included."""
        ...

    def orphan_findings(self) -> list[Finding]:
        """Findings tied to no device (an illegal discovery topic, ...)."""
        ...


class FindingCounter:
    """Aggregates repeated findings: one per (subject, code, key), with a count.

    ``add`` keeps the first finding of each key and counts the rest; ``result``
    returns the first findings with ``count``, ``first_t`` and ``last_t`` added to
    their evidence when a finding repeated. Memory is bounded by the number of
    distinct keys (capped at ``max_keys``; beyond it findings are counted only).
    """

    def __init__(self, max_keys: int = 100_000) -> None:
        self._first: dict[tuple[str | None, str, str], Finding] = {}
        self._count: dict[tuple[str | None, str, str], list[float | int | None]] = {}
        self._max = max_keys
        self.dropped = 0

    def add(self, f: Finding, key: str = "") -> None:
        k = (f.subject, f.code, key)
        slot = self._count.get(k)
        if slot is not None:
            slot[0] = int(slot[0] or 0) + 1
            slot[2] = f.t
            return
        if len(self._first) >= self._max:
            self.dropped += 1
            return
        self._first[k] = f
        self._count[k] = [1, f.t, f.t]

    def result(self) -> list[Finding]:
        out: list[Finding] = []
        for k, f in self._first.items():
            n, first_t, last_t = self._count[k]
            if n == 1:
                out.append(f)
                continue
            ev = dict(f.evidence)
            ev.update({"count": n, "first_t": first_t, "last_t": last_t})
            out.append(finding(f.code, f"{f.message} (×{n})", subject=f.subject,
                               evidence=ev, t=f.t, severity=f.severity))
        return out
