"""Discovery over MQTT: the retained ``identity`` and ``status`` topics (spec §5).

The pure part is :class:`MqttInventory`: feed it messages (topic, payload,
retain flag) in any order, then ask for :class:`DeviceRecord` s. The
transport part (:func:`async_discover_mqtt`) subscribes with devid's MQTT
client and feeds the inventory for a short time.

Records built here carry the identity token bytes, unverified, for the identity
checks that follow; the token's claims are read only as display hints
(profile, vendor PEN, hardware model).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devid._cbor import CborError, decode
from devid._findings import Finding, finding
from devid.discovery._merge import token_tk
from devid.discovery._record import DeviceRecord, freeze
from devid.discovery._urn import parse_urn

if TYPE_CHECKING:
    from devid._mqtt import MqttClient

PREFIX = "devid/1/"
SUBSCRIPTIONS: tuple[str, ...] = ("devid/1/+/identity", "devid/1/+/status")
MAX_DEVICES = 100_000

_CLAIM_SUB, _CLAIM_OEMID, _CLAIM_HWMODEL, _CLAIM_PROFILES = 2, 258, 259, -70001


def parse_topic(topic: str) -> tuple[str, str] | None:
    """``devid/1/<urn>/<suffix>`` → ``(urn, suffix)``; ``None`` for anything else."""
    if not topic.startswith(PREFIX):
        return None
    urn, sep, suffix = topic[len(PREFIX) :].partition("/")
    if not sep or not urn or not suffix:
        return None
    return urn, suffix


@dataclass(frozen=True, slots=True)
class MqttMessage:
    """One message as the discovery saw it."""

    topic: str
    payload: bytes
    retain: bool = True
    t: float | None = None


class MqttInventory:
    """Collects identity/status messages and builds one record per device URN. Pure."""

    def __init__(self, *, max_devices: int = MAX_DEVICES, retain_reliable: bool = False) -> None:
        """``retain_reliable``: the ``retain`` flags given to :meth:`add` are the publisher's
        (MQTT 5 retain-as-published), so a non-retained identity/status is a finding."""
        self.retain_reliable = retain_reliable
        self._latest: dict[str, dict[str, MqttMessage]] = {}
        self._max = max_devices
        self.findings: list[Finding] = []
        self.dropped = 0

    def add(
        self, topic: str, payload: bytes, *, retain: bool = True, t: float | None = None
    ) -> None:
        """Record one message; the latest message per topic wins."""
        parsed = parse_topic(topic)
        if parsed is None:
            if topic.startswith(PREFIX) and len(self.findings) < 1000:
                self.findings.append(
                    finding(
                        "DISC-MQTT-TOPIC",
                        "topic does not name a device (devid/1/<urn>/...)",
                        subject=topic[:256],
                    )
                )
            return
        urn, suffix = parsed
        if suffix not in ("identity", "status"):
            return
        slot = self._latest.get(urn)
        if slot is None:
            if len(self._latest) >= self._max:
                self.dropped += 1
                return
            slot = self._latest[urn] = {}
        slot[suffix] = MqttMessage(topic, bytes(payload), retain, t)

    def extend(self, messages: Iterable[MqttMessage]) -> None:
        for m in messages:
            self.add(m.topic, m.payload, retain=m.retain, t=m.t)

    def __len__(self) -> int:
        return len(self._latest)

    def records(self) -> list[DeviceRecord]:
        """One :class:`DeviceRecord` per URN seen, in first-seen order."""
        return [
            device_record(
                urn, slot.get("identity"), slot.get("status"), retain_reliable=self.retain_reliable
            )
            for urn, slot in self._latest.items()
        ]


def device_record(
    urn: str,
    identity: MqttMessage | None,
    status: MqttMessage | None,
    *,
    retain_reliable: bool = False,
) -> DeviceRecord:
    """The record of one device from its retained identity and status messages."""
    findings: list[Finding] = []
    if retain_reliable:
        for suffix, msg in (("identity", identity), ("status", status)):
            if msg is not None and not msg.retain:
                findings.append(
                    finding(
                        "DISC-STATUS-NOT-RETAINED",
                        f"devid/1/<urn>/{suffix} was published without the retain flag",
                        subject=urn,
                        evidence={"topic": msg.topic[:256]},
                    )
                )
    ids: dict[str, Any] = {}
    model: str | None = None
    profile: str | None = None
    parsed = parse_urn(urn)
    if isinstance(parsed, str):
        findings.append(
            finding("DISC-URN-INVALID", f"topic level {urn[:80]!r}: {parsed}", subject=urn[:256])
        )
    else:
        ids["urn"] = urn
        if parsed.pen is not None:
            ids["pen"] = parsed.pen
        if parsed.serial:
            ids["serial"] = parsed.serial
        model = parsed.product
    token: bytes | None = None
    if identity is None or not identity.payload:
        findings.append(
            finding(
                "DISC-IDENTITY-MISSING",
                "no retained identity token on devid/1/<urn>/identity",
                subject=urn,
            )
        )
    else:
        token = identity.payload
        ids["tk"] = token_tk(token)
        hints = token_hints(token)
        profile = hints.pop("profile", None)
        model = hints.pop("hwmodel", None) or model
        ids.update(hints)
    status_map: Mapping[str, Any] | None = None
    if status is None:
        findings.append(
            finding(
                "DISC-STATUS-MISSING", "no retained status on devid/1/<urn>/status", subject=urn
            )
        )
    else:
        status_map, problem = parse_status(status.payload)
        if problem:
            findings.append(
                finding(
                    "DISC-STATUS-INVALID",
                    problem,
                    subject=urn,
                    evidence={"hex": status.payload[:64].hex()},
                )
            )
        elif status_map is not None and status_map["state"] == "offline":
            findings.append(
                finding("DISC-OFFLINE", "the retained status says offline", subject=urn)
            )
    return DeviceRecord(
        id=urn,
        ecosystem="devid",
        name=urn,
        model=model,
        ids=freeze(ids),
        profile=profile,
        sources=("mqtt",),
        findings=tuple(findings),
        token=token,
        status=freeze(status_map) if status_map is not None else None,
    )


def parse_status(payload: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Decode a status payload: ``({"state", "ts"}, None)`` or ``(None, problem)``."""
    try:
        value = decode(payload)
    except CborError as exc:
        return None, f"status is not CBOR: {exc}"
    if not isinstance(value, dict):
        return None, f"status is a CBOR {type(value).__name__}, not a map"
    state, ts = value.get("state"), value.get("ts")
    if state not in ("online", "offline"):
        return None, f"status state is {_show(state)}, not 'online' or 'offline'"
    if not isinstance(ts, int) or isinstance(ts, bool) or ts < 0:
        return None, f"status ts is {_show(ts)}, not a non-negative integer (ms)"
    return {"state": state, "ts": ts}, None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def token_hints(token: bytes) -> dict[str, Any]:
    """Unverified display hints from a token's claims: profile, pen, hwmodel, sub.

    Anything that does not decode yields no hints (the identity checks report
    it); this never raises for any bytes.
    """
    try:
        outer = decode(token)
        if getattr(outer, "tag", None) == 18:
            outer = outer.value
        if not isinstance(outer, list) or len(outer) != 4 or not isinstance(outer[2], bytes):
            return {}
        claims = decode(outer[2])
    except (CborError, TypeError, ValueError):
        return {}
    if not isinstance(claims, dict):
        return {}
    hints: dict[str, Any] = {}
    sub = claims.get(_CLAIM_SUB)
    if isinstance(sub, str):
        hints["token_sub"] = sub[:256]
    oemid = claims.get(_CLAIM_OEMID)
    if isinstance(oemid, int) and not isinstance(oemid, bool) and 0 < oemid < 2**32:
        hints["pen"] = oemid
    hw = claims.get(_CLAIM_HWMODEL)
    if isinstance(hw, bytes) and 0 < len(hw) <= 32:
        text = hw.decode("utf-8", "replace")
        hints["hwmodel"] = text if text.isprintable() and "\ufffd" not in text else hw.hex()
    profiles = claims.get(_CLAIM_PROFILES)
    if isinstance(profiles, list) and profiles and isinstance(profiles[0], str):
        from devid.discovery._parsers import PROFILE_ID

        if PROFILE_ID.fullmatch(profiles[0]):
            hints["profile"] = profiles[0]
    return hints


#: At most this many runtime topics (HA state/availability topics) are subscribed in a scan.
MAX_RUNTIME_TOPICS = 2000


async def async_discover_mqtt(
    client: MqttClient,
    *,
    timeout: float = 2.0,
    settle: float = 0.5,
    max_devices: int = MAX_DEVICES,
    ecosystems: Collection[str] = ("devid", "ha", "homie"),
    ha_prefix: str = "homeassistant",
) -> tuple[list[DeviceRecord], list[Finding]]:
    """Subscribe to the retained announcements of every ecosystem on a connected client.

    devid/1: the retained identity/status topics. Home Assistant: the discovery prefix;
    once its configs are read, the state and availability topics they name are
    subscribed as well, for what remains of the time, so their values are judged.
    Homie: ``homie/#`` and any v5 domain's ``$state``/``$description``.

    Collection stops at ``timeout`` seconds, or earlier once no message has
    arrived for ``settle`` seconds after the subscriptions were acknowledged
    (retained messages arrive at once). The client's message queue is consumed:
    give discovery its own client (:func:`async_discover_broker` does).
    Returns the records and the findings that belong to no device.
    """
    from devid.discovery._ecosystems import ecosystem_records
    from devid.ecosystems._inventories import discovery_filters, make_inventories

    inventory = MqttInventory(
        max_devices=max_devices, retain_reliable=getattr(client, "protocol", None) == "5"
    )
    others = make_inventories(ecosystems, ha_prefix)
    filters = (SUBSCRIPTIONS if "devid" in ecosystems else ()) + \
        discovery_filters(ecosystems, ha_prefix)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for topic in filters:
        await client.subscribe(topic, qos=1, retain_as_published=True)
    messages = client.messages.__aiter__()
    subscribed = list(filters)
    runtime_done = not any(inv.ecosystem == "ha" for inv in others)
    # The retained configs arrive at once; on a busy broker the stream never goes quiet
    # for ``settle`` seconds, so the runtime topics are subscribed by this time at the
    # latest, leaving the rest of the budget for their values.
    runtime_at = loop.time() + min(timeout / 2, max(2 * settle, 1.0))
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        msg = None
        if runtime_done or loop.time() < runtime_at:
            wait = min(remaining, settle) if runtime_done else \
                min(remaining, settle, runtime_at - loop.time())
            try:
                msg = await asyncio.wait_for(messages.__anext__(), wait)
            except (TimeoutError, StopAsyncIteration):
                if runtime_done:
                    break
        if msg is None:
            runtime_done = True
            extra = _runtime_topics(others, set(subscribed))
            for topic in extra:
                await client.subscribe(topic, qos=0)
            subscribed.extend(extra)
            continue
        if msg.topic.startswith(PREFIX):
            inventory.add(msg.topic, msg.payload, retain=msg.retain, t=msg.t)
            continue
        for inv in others:
            if inv.add(msg.topic, msg.payload, retain=msg.retain, t=msg.t):
                break
    for topic in subscribed:
        with contextlib.suppress(Exception):
            await client.unsubscribe(topic)
    records = inventory.records()
    findings = list(inventory.findings)
    for inv in others:
        records.extend(ecosystem_records(inv.devices()))
        findings.extend(inv.orphan_findings())
    return records, findings


def _runtime_topics(inventories: Iterable[Any], subscribed: set[str]) -> list[str]:
    """The state/availability topics HA configs named that no subscription covers yet."""
    out: list[str] = []
    seen: set[str] = set()
    for inv in inventories:
        if inv.ecosystem != "ha":
            continue
        for dev in inv.devices():
            for entity in dev.entities:
                for topic in entity.topics.values():
                    if not isinstance(topic, str) or not topic or "+" in topic or \
                            "#" in topic or "\x00" in topic or topic in seen or \
                            topic in subscribed or _covered(topic, subscribed):
                        continue
                    seen.add(topic)
                    out.append(topic)
                    if len(out) >= MAX_RUNTIME_TOPICS:
                        return out
    return out


def _covered(topic: str, filters: Iterable[str]) -> bool:
    return any(f.endswith("/#") and topic.startswith(f[:-1]) for f in filters)


async def async_discover_broker(
    url: str,
    *,
    timeout: float = 2.0,
    settle: float = 0.5,
    max_devices: int = MAX_DEVICES,
    ecosystems: Collection[str] = ("devid", "ha", "homie"),
    ha_prefix: str = "homeassistant",
    **client_options: Any,
) -> tuple[list[DeviceRecord], list[Finding]]:
    """Connect to the broker at ``url`` with a client of its own and discover devices.

    An unreachable broker is not an exception: the result is no records and one
    ``SCAN-BROKER-UNREACHABLE`` finding. ``client_options`` go to
    :class:`devid._mqtt.MqttClient` (credentials come from its settings, never
    from here).
    """
    from devid._mqtt import MqttClient, MqttError

    client = MqttClient(url, reconnect=False, **client_options)
    try:
        await client.connect()
    except (MqttError, OSError) as exc:
        return [], [
            finding(
                "SCAN-BROKER-UNREACHABLE",
                f"{url}: {exc}",
                subject=url,
            )
        ]
    try:
        return await async_discover_mqtt(
            client, timeout=timeout, settle=settle, max_devices=max_devices,
            ecosystems=ecosystems, ha_prefix=ha_prefix,
        )
    finally:
        await client.close()
