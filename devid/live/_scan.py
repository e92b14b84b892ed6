"""The installer's scan: find every device, check its identity, challenge it.

:func:`async_scan` runs, within one time budget (``timeout``):

1. DNS-SD browsing (every service type devid parses, ``_devid._tcp`` first of
   all) and MQTT discovery of the retained ``identity``/``status`` topics, at
   the same time;
2. the verification of each devid device's retained identity token against the
   trust anchors (``sub`` must be the URN of its topic);
3. a challenge to every devid device found on the broker: a fresh random nonce
   (:data:`~devid.live._possession.NONCE_SIZE` bytes from :mod:`secrets`) on
   ``devid/1/<urn>/challenge``; the answers on ``challenge/response`` are
   collected until every device has answered and a short clone window has
   passed (or the budget ends), then judged by
   :func:`~devid.live._possession.judge_possession`;
4. one :class:`~devid._reports._model.ScanReport` (records merged by URN, clones
   and tk mismatches flagged by discovery).

Without a broker URL the scan uses the broker the devices advertise in the
``mq`` key of their ``_devid._tcp`` TXT records (at most :data:`MAX_BROKERS`
distinct ones). devid never sends the configured MQTT credentials to a broker a
device advertised: those connections are anonymous. Pass ``broker=`` for a
broker that needs credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from devid._findings import Finding, finding, has_errors
from devid._reports._model import IdentityVerdict, ScannedDevice, ScanReport
from devid._token import ChainValidatorLike, verify_token
from devid.discovery import DeviceRecord, merge_records
from devid.live._possession import (
    NONCE_SIZE,
    Possession,
    PossessionResult,
    Response,
    challenge_payload,
    judge_possession,
)

#: At most this many brokers advertised in ``mq`` TXT keys are scanned when none is given.
MAX_BROKERS = 4
#: After the last device's first answer, keep listening this long for a second responder.
CLONE_WINDOW_S = 0.5
#: How long MQTT discovery waits for more retained messages once they stop coming.
SETTLE_S = 0.4

Progress = Callable[[str], None]


@dataclass
class ScanStats:
    """What the scan did (for progress displays and the benchmark)."""

    mdns_records: int = 0
    mqtt_records: int = 0
    challenged: int = 0
    answered: int = 0
    phases: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Challenge:
    urn: str
    nonce: bytes
    sent: float


def _now(clock: Callable[[], float]) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def leaf_key(token: bytes) -> PublicKeyTypes | None:
    """The public key of the leaf certificate in a token's x5chain (unverified)."""
    from devid._certs import parse_certificate, read_leaf
    from devid._cose import HDR_X5CHAIN, parse_sign1

    msg, _ = parse_sign1(token, max_size=64 * 1024)
    if msg is None:
        return None
    chain = msg.protected.get(HDR_X5CHAIN)
    first = chain[0] if isinstance(chain, list) and chain else chain
    if not isinstance(first, bytes):
        return None
    try:
        return read_leaf(parse_certificate(first))[1]
    except ValueError:
        return None


def check_retained_token(
    record: DeviceRecord, *, now: datetime, validator: ChainValidatorLike | None
) -> tuple[bool | None, tuple[Finding, ...]]:
    """Verify a devid record's retained token: ``(valid, findings)``. Pure.

    ``valid`` is ``None`` when there is no token to check or no trust anchors
    (without anchors the signature is still checked against the presented
    certificate, and its findings reported).
    """
    if record.token is None:
        return None, ()
    if validator is not None:
        result = verify_token(record.token, now=now, validator=validator)
    else:
        key = leaf_key(record.token)
        if key is None:
            from devid._cose import parse_sign1

            _, problems = parse_sign1(record.token, max_size=64 * 1024)
            return False, tuple(problems) or (finding(
                "ID-X5CHAIN-MISSING", "the retained token carries no parsable device "
                "certificate", subject=record.id),)
        result = verify_token(record.token, now=now, key=key)
    found = list(result.findings)
    if result.subject is not None and result.subject != record.id:
        found.append(finding("ID-SUB-MISMATCH", "the retained token's sub is not the URN of "
                             "its topic", subject=record.id,
                             evidence={"sub": result.subject[:200]}))
    if validator is None:
        return (None if not has_errors(found) else False), tuple(found)
    return not has_errors(found), tuple(found)


async def _challenge_broker(
    url: str,
    records: Sequence[DeviceRecord],
    *,
    validator: ChainValidatorLike | None,
    deadline: float,
    clock: Callable[[], float],
    progress: Progress | None,
    stats: ScanStats,
    anonymous: bool,
    clone_window: float,
) -> tuple[dict[str, PossessionResult], list[Finding]]:
    """Challenge every record (all on the broker at ``url``) and judge the answers."""
    from devid._mqtt import MqttClient, MqttError, MqttSettings

    loop = asyncio.get_running_loop()
    targets = [r for r in records if r.token is not None
               and not (r.status is not None and r.status.get("state") == "offline")]
    if not targets:
        return {}, []
    options: dict[str, Any] = {"reconnect": False, "connect_timeout": 5.0}
    if anonymous:
        options["settings"] = MqttSettings()
    client = MqttClient(url, **options)
    try:
        await client.connect()
    except (MqttError, OSError, ValueError) as exc:
        return {}, [finding("SCAN-BROKER-UNREACHABLE", f"{url}: {exc}", subject=url)]
    answers: dict[str, list[Response]] = {r.id: [] for r in targets}
    challenges: dict[str, _Challenge] = {}
    first_answer: dict[str, float] = {}
    try:
        await client.subscribe("devid/1/+/challenge/response", qos=1, retain_as_published=True)
        # an optional key for the case without trust anchors
        for rec in targets:
            nonce = secrets.token_bytes(NONCE_SIZE)
            challenges[rec.id] = _Challenge(rec.id, nonce, clock())
            client.publish_nowait(f"devid/1/{rec.id}/challenge", challenge_payload(nonce), qos=1)
        stats.challenged += len(challenges)
        if progress:
            progress(f"challenged {len(challenges)} device(s) on {url}")
        messages = client.messages.__aiter__()
        last_first = loop.time()
        while True:
            now_l = loop.time()
            if now_l >= deadline:
                break
            everyone = len(first_answer) == len(challenges)
            if everyone and now_l >= last_first + clone_window:
                break
            wait = deadline - now_l
            if everyone:
                wait = min(wait, last_first + clone_window - now_l)
            try:
                msg = await asyncio.wait_for(messages.__anext__(), max(0.01, wait))
            except (TimeoutError, StopAsyncIteration):
                continue
            parts = msg.topic.split("/")
            if len(parts) != 5 or parts[3:] != ["challenge", "response"]:
                continue
            urn = parts[2]
            if urn not in answers or len(answers[urn]) >= 16:
                continue
            answers[urn].append(Response(bytes(msg.payload), msg.t, bool(msg.retain)))
            if urn not in first_answer and msg.t >= challenges[urn].sent and not msg.retain:
                first_answer[urn] = msg.t
                last_first = loop.time()
                stats.answered += 1
                if progress and len(first_answer) % 50 == 0:
                    progress(f"{len(first_answer)}/{len(challenges)} answered")
    finally:
        with contextlib.suppress(Exception):
            await client.close()

    timeout = max(0.1, max((clock() - c.sent for c in challenges.values()), default=0.1))
    results: dict[str, PossessionResult] = {}
    for rec in targets:
        ch = challenges[rec.id]
        key = None
        if validator is None:
            key = leaf_key(rec.token or b"")
            if key is None:
                results[rec.id] = PossessionResult(rec.id, Possession.NOT_TESTED, ())
                continue
        results[rec.id] = judge_possession(
            rec.id, ch.nonce, answers[rec.id], sent=ch.sent, timeout=timeout,
            validator=validator, key=key)
    return results, []


def _brokers_from(records: Iterable[DeviceRecord]) -> list[str]:
    counts: Counter[str] = Counter()
    for r in records:
        url = r.ids.get("broker")
        if r.ecosystem == "devid" and isinstance(url, str) and url.startswith(("mqtt://",
                                                                              "mqtts://")):
            counts[url] += 1
    return [url for url, _ in counts.most_common(MAX_BROKERS)]


async def async_scan(
    *,
    broker: str | None = None,
    validator: ChainValidatorLike | None = None,
    interface: str | None = None,
    timeout: float = 5.0,
    mdns: bool = True,
    discovery_time: float | None = None,
    clone_window: float = CLONE_WINDOW_S,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.time,
    stats: ScanStats | None = None,
    ha_prefix: str = "homeassistant",
) -> ScanReport:
    """Scan the network: discovery, identity verification and challenges (see module doc).

    ``timeout`` bounds the whole scan (seconds). ``discovery_time`` is how long DNS-SD
    browses (default: 40 % of ``timeout``, at most 3 s). ``validator`` holds the trust
    anchors (a :class:`devid._certs.ChainValidator`); without it, chains are not
    validated and the report says so (``SCAN-NO-TRUST``). ``ha_prefix`` is Home
    Assistant's discovery prefix: HA and Homie devices on the broker are listed and judged
    beside devid/1 devices (they have no devid identity to verify or challenge).
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    stats = stats if stats is not None else ScanStats()
    loop = asyncio.get_running_loop()
    started = _now(clock)
    t0 = loop.time()
    deadline = t0 + timeout
    browse = discovery_time if discovery_time is not None else min(3.0, timeout * 0.4)
    settle = min(SETTLE_S, timeout / 4)
    report_findings: list[Finding] = []
    if validator is None:
        report_findings.append(finding("SCAN-NO-TRUST", "no trust anchors given (--trust): "
                                       "certificate chains were not validated"))

    mdns_task: asyncio.Task[list[DeviceRecord]] | None = None
    if mdns:
        mdns_task = asyncio.create_task(_mdns(interface, browse, report_findings))
        if progress:
            progress("browsing DNS-SD" + (f" on {interface}" if interface else ""))

    brokers: list[str] = []
    anonymous = False
    if broker is not None:
        brokers = [broker]
    elif mdns_task is not None:
        mdns_records = await mdns_task
        brokers = _brokers_from(mdns_records)
        anonymous = True
        if progress:
            progress(f"brokers advertised: {', '.join(brokers) or 'none'}")

    mqtt_records: list[DeviceRecord] = []
    searched = {"mdns"} if mdns else set()
    possession: dict[str, PossessionResult] = {}
    challenge_tasks: list[asyncio.Task[tuple[dict[str, PossessionResult], list[Finding]]]] = []
    if progress and brokers:
        progress(f"reading retained topics on {', '.join(brokers)}")
    budget = min(timeout * 0.5, max(0.5, deadline - loop.time()))
    discovered = await asyncio.gather(*(_discover(url, budget, settle, anonymous, ha_prefix)
                                        for url in brokers))
    for url, (found, extra) in zip(brokers, discovered, strict=True):
        report_findings.extend(extra)
        if not any(f.code == "SCAN-BROKER-UNREACHABLE" for f in extra):
            searched.add("mqtt")
        mqtt_records.extend(found)
        stats.mqtt_records += len(found)
        if progress:
            progress(f"{len(found)} device(s) on {url}")
        devid_found = [r for r in found if r.ecosystem == "devid"]
        challenge_tasks.append(asyncio.create_task(_challenge_broker(
            url, devid_found, validator=validator, deadline=deadline, clock=clock,
            progress=progress, stats=stats, anonymous=anonymous, clone_window=clone_window)))
    stats.phases["discovery"] = loop.time() - t0

    mdns_records = await mdns_task if mdns_task is not None else []
    stats.mdns_records = len(mdns_records)
    for task in challenge_tasks:
        results, extra = await task
        possession.update(results)
        report_findings.extend(extra)
    stats.phases["challenge"] = loop.time() - t0 - stats.phases["discovery"]

    merged = merge_records([*mdns_records, *mqtt_records], searched=searched)
    now = _now(clock)
    devices: list[ScannedDevice] = []
    for rec in merged:
        if rec.ecosystem != "devid":
            devices.append(ScannedDevice(rec))
            continue
        valid, token_findings = check_retained_token(rec, now=now, validator=validator)
        pos = possession.get(rec.id)
        id_findings = list(token_findings)
        proven: bool | None = None
        if pos is not None and pos.possession is not Possession.NOT_TESTED:
            proven = pos.proven
            seen = {(f.code, f.message) for f in id_findings}
            id_findings.extend(f for f in pos.findings if (f.code, f.message) not in seen)
        devices.append(ScannedDevice(rec, IdentityVerdict(valid, proven, tuple(id_findings))))
    if not devices:
        looked = []
        if mdns:
            looked.append("no DNS-SD service answered" + (f" on {interface}" if interface else ""))
        if "mqtt" in searched:
            looked.append(f"the broker ({', '.join(brokers)}) held no devid/1, Home Assistant "
                          "discovery or Homie announcement")
        elif brokers:
            looked.append("the broker could not be read")
        else:
            looked.append("no broker was given or advertised")
        report_findings.append(finding(
            "SCAN-NO-DEVICES", "the scan found no device: " + "; ".join(looked),
            evidence={"mdns": mdns, "brokers": brokers, "searched": sorted(searched)}))
    stats.phases["total"] = loop.time() - t0
    return ScanReport(
        devices=tuple(sorted(devices, key=lambda d: d.record.id)),  # stable: by URN / id
        findings=tuple(report_findings),
        started=started,
        duration=loop.time() - t0,
        broker=", ".join(brokers) or None,
        interface=interface,
    )


async def _mdns(interface: str | None, browse: float, out: list[Finding]) -> list[DeviceRecord]:
    from devid.discovery import async_discover_mdns

    try:
        return await async_discover_mdns(interface=interface, timeout=browse)
    except (OSError, ValueError, RuntimeError) as exc:
        out.append(finding("SCAN-MDNS-UNAVAILABLE", f"DNS-SD browsing failed: {exc}",
                           subject=interface))
        return []


async def _discover(url: str, timeout: float, settle: float, anonymous: bool,
                    ha_prefix: str) -> tuple[list[DeviceRecord], list[Finding]]:
    from devid._mqtt import MqttSettings
    from devid.discovery import async_discover_broker

    options: dict[str, Any] = {"connect_timeout": max(0.5, min(5.0, timeout))}
    if anonymous:
        options["settings"] = MqttSettings()
    try:
        return await async_discover_broker(url, timeout=timeout, settle=settle,
                                           ha_prefix=ha_prefix, **options)
    except ValueError as exc:
        return [], [finding("SCAN-BROKER-UNREACHABLE", f"{url}: {exc}", subject=url)]


def scan(**kwargs: Any) -> ScanReport:
    """Blocking form of :func:`async_scan` (same arguments)."""
    return asyncio.run(async_scan(**kwargs))


def with_identity(device: ScannedDevice, **changes: Any) -> ScannedDevice:
    """A copy of ``device`` whose identity verdict has ``changes`` (helper for callers)."""
    return replace(device, identity=replace(device.identity, **changes))


__all__ = [
    "CLONE_WINDOW_S",
    "MAX_BROKERS",
    "ScanStats",
    "async_scan",
    "check_retained_token",
    "leaf_key",
    "scan",
]
