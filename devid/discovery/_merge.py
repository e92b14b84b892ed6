"""Join what several sources saw into one record per device; spot clones. Pure.

- Records with the same ``id`` (the URN, for devid devices) are one device:
  ``sources`` becomes the union (``("mdns", "mqtt")``).
- The same URN advertised over DNS-SD by more than one service instance with
  different details (name, host, port, profile, tk, PEN, broker) is ``ID-CLONE``.
- A DNS-SD ``tk`` that does not match SHA-256 of the retained identity token is
  ``DISC-TK-MISMATCH``.
- Records of other ecosystems published by the same host (e.g. ``_hap._tcp`` and
  ``_matter._tcp`` from one accessory) are one device; the ecosystem listed
  first in :data:`ECOSYSTEM_PRIORITY` names it. devid records are never joined
  by host: many simulated devices share one host.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from typing import Any

from devid._findings import Finding, finding
from devid.discovery._record import DeviceRecord, freeze

ECOSYSTEM_PRIORITY: tuple[str, ...] = (
    "devid",
    "ha",
    "homie",
    "matter",
    "homekit",
    "esphome",
    "shelly",
    "hue",
    "googlecast",
    "airplay",
    "sonos",
    "thread",
    "home-assistant",
    "axis",
    "wled",
    "nanoleaf",
    "elgato",
    "ewelink",
    "xiaomi-miio",
    "homewizard",
    "bond",
    "enphase",
    "lutron",
    "overkiz",
    "plugwise",
    "zwave-js",
    "zigbee-coordinator",
    "openevse",
    "smappee",
    "roomba",
    "soundtouch",
    "bang-olufsen",
    "devolo",
    "freebox",
    "octoprint",
    "ipp",
    "printer",
    "android-tv",
    "kodi",
    "volumio",
    "spotify-connect",
    "companion-link",
    "mediaremote",
    "daap",
    "system-bridge",
    "mqtt-broker",
    "rtsp",
    "alexa",
    "ssh",
    "http",
    "dns-sd",
)
SOURCE_ORDER: tuple[str, ...] = ("mdns", "mqtt")


def token_tk(token: bytes) -> str:
    """The ``tk`` TXT value for an identity token: 16 hex digits of SHA-256 (spec §4)."""
    return hashlib.sha256(token).hexdigest()[:16]


def _rank(record: DeviceRecord) -> tuple[int, int]:
    eco = (
        ECOSYSTEM_PRIORITY.index(record.ecosystem) if record.ecosystem in ECOSYSTEM_PRIORITY else 99
    )
    return eco, 0 if "mdns" in record.sources else 1


def _details(record: DeviceRecord) -> tuple[Any, ...]:
    ids = record.ids
    return (
        record.name,
        record.host,
        record.port,
        record.profile,
        ids.get("tk"),
        ids.get("pen"),
        ids.get("broker"),
    )


def _clone_findings(group: list[DeviceRecord]) -> list[Finding]:
    ads = [r for r in group if "mdns" in r.sources and "_devid._tcp" in r.services]
    distinct = list(dict.fromkeys(_details(r) for r in ads))
    if len(distinct) < 2:
        return []
    urn = group[0].id
    return [
        finding(
            "ID-CLONE",
            f"{urn} is advertised by {len(distinct)} DNS-SD instances with different details",
            subject=urn,
            evidence={
                "advertisements": [
                    {"name": d[0], "host": d[1], "port": d[2], "profile": d[3], "tk": d[4]}
                    for d in distinct
                ]
            },
        )
    ]


def _tk_findings(group: list[DeviceRecord]) -> list[Finding]:
    token = next((r.token for r in group if r.token), None)
    if token is None:
        return []
    expected = token_tk(token)
    out: list[Finding] = []
    for r in group:
        tk = r.ids.get("tk") if "_devid._tcp" in r.services else None
        if isinstance(tk, str) and tk != expected:
            out.append(
                finding(
                    "DISC-TK-MISMATCH",
                    f"DNS-SD tk {tk} does not match the retained token ({expected})",
                    subject=r.id,
                    evidence={"tk": tk, "expected": expected, "instance": r.name},
                )
            )
    return out


def combine(parts: list[DeviceRecord], extra: Iterable[Finding] = ()) -> DeviceRecord:
    """Several records of one device → one record (the best-ranked part leads)."""
    parts = sorted(parts, key=_rank)
    lead = parts[0]
    # The display name: an announced name, not a URN (MQTT) or a Matter node id.
    named = min(parts, key=lambda p: ("mdns" not in p.sources, "node_id" in p.ids, _rank(p)))
    ids: dict[str, Any] = {}
    for p in reversed(parts):
        ids.update(p.ids)
    txt: dict[str, Any] = {}
    for p in parts:
        for svc, kv in p.txt.items():
            txt.setdefault(svc, kv)
    sources = {s for p in parts for s in p.sources}
    findings: dict[tuple[str, str, str | None], Finding] = {}
    for f in [*(f for p in parts for f in p.findings), *extra]:
        findings.setdefault((f.code, f.message, f.subject), f)
    return DeviceRecord(
        id=lead.id,
        ecosystem=lead.ecosystem,
        name=named.name,
        vendor=next((p.vendor for p in parts if p.vendor), None),
        model=next((p.model for p in parts if p.model), None),
        ids=freeze(ids),
        addresses=tuple(dict.fromkeys(a for p in parts for a in p.addresses)),
        port=next((p.port for p in parts if p.port is not None), None),
        host=next((p.host for p in parts if p.host), None),
        txt=freeze(txt),
        profile=next((p.profile for p in parts if p.profile), None),
        services=tuple(dict.fromkeys(s for p in parts for s in p.services)),
        sources=tuple(s for s in SOURCE_ORDER if s in sources)
        + tuple(sorted(sources - set(SOURCE_ORDER))),
        findings=tuple(findings.values()),
        token=next((p.token for p in parts if p.token is not None), None),
        status=next((p.status for p in parts if p.status is not None), None),
        entities=tuple(e for p in parts for e in p.entities),
    )


def merge_records(
    records: Iterable[DeviceRecord], *, searched: Collection[str] = ()
) -> list[DeviceRecord]:
    """One record per device, in first-seen order.

    ``searched`` names the sources that were actually searched (``"mdns"``,
    ``"mqtt"``); a devid device missing from one of them gets
    ``DISC-NOT-ADVERTISED`` (not on DNS-SD) or ``DISC-NOT-ON-BROKER``.
    """
    by_id: dict[str, list[DeviceRecord]] = {}
    for r in records:
        by_id.setdefault(r.id, []).append(r)
    merged: list[DeviceRecord] = []
    for group in by_id.values():
        extra = _clone_findings(group) + _tk_findings(group)
        rec = combine(group, extra) if len(group) > 1 or extra else group[0]
        if rec.ecosystem == "devid":
            rec = _presence(rec, searched)
        merged.append(rec)
    return _join_by_hardware(_join_by_host(merged))


def _presence(rec: DeviceRecord, searched: Collection[str]) -> DeviceRecord:
    extra: list[Finding] = []
    if "mdns" in searched and "mdns" not in rec.sources:
        extra.append(
            finding(
                "DISC-NOT-ADVERTISED",
                "seen on the broker but not advertised as _devid._tcp",
                subject=rec.id,
            )
        )
    if "mqtt" in searched and "mqtt" not in rec.sources:
        broker = rec.ids.get("broker")
        where = f" (it advertises mq={broker})" if broker else ""
        extra.append(
            finding(
                "DISC-NOT-ON-BROKER",
                f"advertised but no retained devid/1 topics on the scanned broker{where}",
                subject=rec.id,
            )
        )
    return combine([rec], extra) if extra else rec


def _join_by_host(records: list[DeviceRecord]) -> list[DeviceRecord]:
    slots: dict[str, int] = {}
    groups: list[list[DeviceRecord]] = []
    for r in records:
        host = (r.host or "").lower().rstrip(".")
        if r.ecosystem == "devid" or not host:
            groups.append([r])
            continue
        if host in slots:
            groups[slots[host]].append(r)
        else:
            slots[host] = len(groups)
            groups.append([r])
    return [g[0] if len(g) == 1 else combine(g) for g in groups]


#: The ids that name one piece of hardware whichever ecosystem announced it.
HARDWARE_IDS: tuple[str, ...] = ("mac", "serial")


def _join_by_hardware(records: list[DeviceRecord]) -> list[DeviceRecord]:
    """Join records of other ecosystems that name the same MAC address or serial number
    (a Shelly announced over DNS-SD and through Home Assistant discovery is one device).
    devid records are never joined this way: their URN is their identity."""
    slots: dict[tuple[str, str], int] = {}
    groups: list[list[DeviceRecord]] = []
    for r in records:
        keys = [] if r.ecosystem == "devid" else [
            (k, v.lower()) for k in HARDWARE_IDS for v in [r.ids.get(k)]
            if isinstance(v, str) and len(v) >= 6
        ]
        slot = next((slots[k] for k in keys if k in slots), None)
        if slot is None:
            slot = len(groups)
            groups.append([r])
        else:
            groups[slot].append(r)
        for k in keys:
            slots.setdefault(k, slot)
    return [g[0] if len(g) == 1 else combine(g) for g in groups]
