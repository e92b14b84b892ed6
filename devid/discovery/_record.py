"""The one normalised device record every discovery source produces. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from devid._findings import Finding

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=True)
class DeviceRecord:
    """A device as discovery saw it.

    - ``id``: the device URN for devid devices; for other ecosystems a stable key
      ``<ecosystem>:<native id>`` (``homekit:AA:BB:..``, ``matter:<fabric>-<node>``).
    - ``ecosystem``: ``devid``, ``matter``, ``homekit``, ``esphome``, ``shelly``, ...
    - ``ids``: the identifiers the device announced (URN, PEN, MAC, Matter VID/PID,
      discriminator, HomeKit device id, ...), JSON-friendly values.
    - ``txt``: each DNS-SD service type it was seen under → its decoded TXT record.
    - ``profile``: for devid devices the profile id it claims (``smart-lock/1``); for
      other ecosystems a generic device class from the ecosystem's own category
      (``door-lock``, ``light``, ``outlet``, ...; never contains ``/``).
    - ``sources``: ``("mdns",)``, ``("mqtt",)`` or ``("mdns", "mqtt")``.
    - ``token``: the retained identity token (MQTT), unverified, for the identity checks.
    - ``status``: the decoded retained status map (MQTT), when it was well-formed.
    - ``entities``: for Home Assistant and Homie devices, what they expose.
    """

    id: str
    ecosystem: str
    name: str
    vendor: str | None = None
    model: str | None = None
    ids: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    addresses: tuple[str, ...] = ()
    port: int | None = None
    host: str | None = None
    txt: Mapping[str, Mapping[str, str | None]] = field(default_factory=lambda: _EMPTY)
    profile: str | None = None
    services: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    token: bytes | None = None
    status: Mapping[str, Any] | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    """Home Assistant entities / Homie properties (``Entity.to_dict()`` shape)."""

    def __hash__(self) -> int:
        return hash((self.id, self.ecosystem, self.name, self.sources, self.services))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (the token as hex)."""
        return {
            "id": self.id,
            "ecosystem": self.ecosystem,
            "name": self.name,
            "vendor": self.vendor,
            "model": self.model,
            "ids": dict(self.ids),
            "addresses": list(self.addresses),
            "port": self.port,
            "host": self.host,
            "txt": {svc: dict(kv) for svc, kv in self.txt.items()},
            "profile": self.profile,
            "services": list(self.services),
            "sources": list(self.sources),
            "findings": [f.to_dict() for f in self.findings],
            "token": self.token.hex() if self.token is not None else None,
            "status": dict(self.status) if self.status is not None else None,
            "entities": [dict(e) for e in self.entities],
        }


def freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of ``mapping``."""
    return MappingProxyType(dict(mapping))
