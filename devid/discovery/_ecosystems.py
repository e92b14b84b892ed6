"""Home Assistant and Homie devices as discovery records. Pure.

An :class:`~devid.ecosystems.EcoDevice` becomes a :class:`DeviceRecord` (ecosystem
``ha`` or ``homie``, source ``mqtt``) so a scan lists it beside devid/1 and DNS-SD
devices, and :func:`~devid.discovery.merge_records` can join it with the DNS-SD record
of the same hardware by MAC address or serial number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from devid.discovery._record import DeviceRecord, freeze
from devid.ecosystems._model import EcoDevice

_MAC = re.compile(r"(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2})|[0-9a-f]{12}"
                  r"|(?:[0-9a-f]{4}\.){2}[0-9a-f]{4}")

#: HA component (and binary_sensor device class) → devid's generic device class; the
#: first component of a device found in this order names the device.
HA_CLASSES: tuple[tuple[str, str | None, str], ...] = (
    ("lock", None, "door-lock"),
    ("alarm_control_panel", None, "alarm-panel"),
    ("camera", None, "camera"),
    ("climate", None, "thermostat"),
    ("siren", None, "siren"),
    ("cover", None, "cover"),
    ("light", None, "light"),
    ("binary_sensor", "smoke", "smoke-alarm"),
    ("binary_sensor", "moisture", "water-leak-sensor"),
    ("binary_sensor", "door", "contact-sensor"),
    ("binary_sensor", "window", "contact-sensor"),
    ("binary_sensor", "opening", "contact-sensor"),
    ("binary_sensor", "motion", "motion-sensor"),
    ("binary_sensor", "occupancy", "motion-sensor"),
    ("switch", None, "switch"),
    ("fan", None, "fan"),
    ("sensor", None, "sensor"),
)


def normalise_mac(value: str) -> str | None:
    """``AA:BB:CC:DD:EE:FF`` / ``aabb.ccdd.eeff`` / ``AABBCCDDEEFF`` → ``aabbccddeeff``."""
    text = value.strip().lower()[:32]
    if not _MAC.fullmatch(text):
        return None
    return re.sub(r"[^0-9a-f]", "", text)


def _device_class(dev: EcoDevice) -> str | None:
    kinds = {(e.kind, e.detail.get("device_class")) for e in dev.entities}
    components = {k for k, _ in kinds}
    for component, device_class, name in HA_CLASSES:
        if component in components and (device_class is None or
                                        (component, device_class) in kinds):
            return name
    return None


def ecosystem_record(dev: EcoDevice) -> DeviceRecord:
    """The discovery record of one Home Assistant or Homie device."""
    ids: dict[str, Any] = {}
    if dev.identifiers:
        ids["identifiers"] = list(dev.identifiers)
    macs = [m for kind, value in dev.connections if kind == "mac"
            for m in [normalise_mac(value)] if m]
    if macs:
        ids["mac"] = macs[0]
    if dev.serial_number:
        ids["serial"] = dev.serial_number
    if dev.sw_version:
        ids["sw_version"] = dev.sw_version
    if dev.state is not None:
        ids["state"] = dev.state
    return DeviceRecord(
        id=dev.id,
        ecosystem=dev.ecosystem,
        name=dev.name or dev.model or dev.id,
        vendor=dev.manufacturer,
        model=dev.model,
        ids=freeze(ids),
        profile=_device_class(dev) if dev.ecosystem == "ha" else None,
        sources=("mqtt",),
        findings=dev.findings,
        entities=tuple(freeze(e.to_dict()) for e in dev.entities),
    )


def ecosystem_records(devices: Iterable[EcoDevice]) -> list[DeviceRecord]:
    return [ecosystem_record(d) for d in devices]


__all__ = ["HA_CLASSES", "ecosystem_record", "ecosystem_records", "normalise_mac"]
