"""One capture, several ecosystems: devid/1, Home Assistant discovery, Homie. Pure.

:class:`MultiCheck` routes each captured message to the judge of its ecosystem:

- ``devid/…`` topics go to the devid/1 :class:`~devid._check.CheckEngine`: the one of
  the profile given, or else (:class:`ClaimedProfiles`) the one of the profile each
  device's identity token claims;
- topics a Homie or Home Assistant inventory claims go to it (Homie first: its topics
  are recognisable by their prefix; HA's runtime topics are whatever its configs name);
- anything else is counted by its first topic level (and, with a profile, still shown
  to the devid engine, which notes it as a foreign topic, as before).

At the end a check that judged no device of what was asked for is not valid: it is
``MSG-NO-DEVICE``, naming what the capture held instead (docs/check.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from typing import Any

from devid._capture import CaptureHeader, CaptureOutage
from devid._check import (
    TOPIC_PREFIX,
    CheckEngine,
    CheckResult,
    _header_end,
    _token_profiles,
    feed_lines,
    outage_findings,
)
from devid._findings import Finding, finding
from devid._profiles import PROFILE_ID_RE, Profile, ProfileError, load_profile
from devid.ecosystems._inventories import DEFAULT_HA_PREFIX, make_inventories
from devid.ecosystems._model import EcoDevice, Inventory

ECOSYSTEMS: tuple[str, ...] = ("devid", "ha", "homie")
_DEVID_PREFIX = "devid/"
_MAX_OTHER_PREFIXES = 10_000
_MAX_ROUTES = 100_000


#: A device's messages kept until its identity token says which profile judges it.
_WAIT_MESSAGES = 2_000
_WAIT_BYTES = 32 * 1024 * 1024
#: The profile a device is judged against when it claims none devid knows.
FALLBACK_PROFILE = "core/1"
#: Findings that only mean something against the device's own class profile.
_CLASS_CODES = frozenset({"MSG-UNKNOWN-PROPERTY", "MSG-UNKNOWN-EVENT", "MSG-UNKNOWN-COMMAND",
                          "MSG-PROFILE-OTHER"})


def profile_loader(extra_dirs: Iterable[str] = ()) -> Callable[[str], Profile | None]:
    """Load a claimed profile by id only (a device's claim never names a file)."""
    dirs = tuple(extra_dirs)
    cache: dict[str, Profile | None] = {}

    def load(profile_id: str) -> Profile | None:
        if profile_id not in cache:
            profile: Profile | None = None
            if PROFILE_ID_RE.fullmatch(profile_id):
                try:
                    profile = load_profile(profile_id, extra_dirs=dirs)
                except ProfileError:
                    profile = None
            cache[profile_id] = profile
        return cache[profile_id]

    return load


class ClaimedProfiles:
    """devid/1 devices, each judged by the profile its identity token claims (-70001).

    A device's messages wait (bounded) until its ``identity`` message arrives; the
    first claimed id devid can load (``load``) picks the engine, one per profile. A
    device that claims no profile devid knows, or shows no identity at all, is judged
    against ``core/1`` (identity, status, envelopes, heartbeat) without the findings
    that need its class (unknown properties, events, commands), and a
    ``MSG-PROFILE-UNCLAIMED``/``MSG-PROFILE-UNKNOWN`` warning says so.
    """

    def __init__(self, load: Callable[[str], Profile | None], *,
                 header: CaptureHeader | None = None, validator: Any | None = None) -> None:
        self._load = load
        self._header = header
        self._validator = validator
        self._engines: dict[str, CheckEngine] = {}
        self._device: dict[str | None, CheckEngine] = {}
        self._waiting: dict[str | None, list[tuple[float, str, bytes, bool, int]]] = {}
        self._waiting_bytes = 0
        self._notes: list[Finding] = []
        self._outages: list[CaptureOutage] = []
        self.profiles: dict[str, str] = {}
        """URN -> the id of the profile it was judged against."""
        self.messages = 0

    def _engine(self, profile: Profile) -> CheckEngine:
        engine = self._engines.get(profile.id)
        if engine is None:
            engine = self._engines[profile.id] = CheckEngine(
                profile, header=self._header, validator=self._validator)
            engine.report_outages = False  # said once, below
            for outage in self._outages:
                engine.add_outage(outage)
        return engine

    def add_outage(self, outage: CaptureOutage) -> None:
        self._outages.append(outage)
        for engine in self._engines.values():
            engine.add_outage(outage)

    def feed_raw(self, t: float, topic: str, payload: bytes, retain: bool,
                 line: int = 0) -> None:
        self.messages += 1
        urn, _, kind = topic[len(TOPIC_PREFIX):].partition("/") \
            if topic.startswith(TOPIC_PREFIX) else (None, "", "")
        engine = self._device.get(urn)
        if engine is not None:
            engine.feed_raw(t, topic, payload, retain, line)
            return
        if urn is None:  # not a device topic: the fallback engine names the problem
            self._fallback_engine().feed_raw(t, topic, payload, retain, line)
            return
        if kind == "identity":
            self._resolve(urn, _token_profiles(payload), t,
                          "its identity token claims no profile (-70001)")
            self._device[urn].feed_raw(t, topic, payload, retain, line)
            return
        waiting = self._waiting.setdefault(urn, [])
        waiting.append((t, topic, payload, retain, line))
        self._waiting_bytes += len(payload) + len(topic)
        if len(waiting) > _WAIT_MESSAGES or self._waiting_bytes > _WAIT_BYTES:
            self._resolve(urn, None, t, f"no identity message among its first "
                                        f"{len(waiting):,} messages")

    def _fallback_engine(self) -> CheckEngine:
        profile = self._load(FALLBACK_PROFILE)
        if profile is None:  # the shipped core profile is part of devid
            raise RuntimeError(f"the shipped profile {FALLBACK_PROFILE} cannot be loaded")
        return self._engine(profile)

    def _resolve(self, urn: str, claims: list[str] | None, t: float, why: str) -> None:
        """Pick ``urn``'s engine and replay what it published so far."""
        profile = next((p for p in map(self._load, claims or ()) if p is not None), None)
        if profile is None:
            if claims:
                self._notes.append(finding(
                    "MSG-PROFILE-UNKNOWN",
                    f"the identity token claims {claims}, no profile devid knows; judged "
                    f"against {FALLBACK_PROFILE} only (give --profile or --profile-dir)",
                    subject=urn, t=t, evidence={"claims": claims}))
            else:
                self._notes.append(finding(
                    "MSG-PROFILE-UNCLAIMED",
                    f"{why}; judged against {FALLBACK_PROFILE} only (give --profile)",
                    subject=urn, t=t))
            engine = self._fallback_engine()
        else:
            engine = self._engine(profile)
        self._device[urn] = engine
        self.profiles[urn] = engine.profile.id
        for message in self._waiting.pop(urn, ()):
            self._waiting_bytes -= len(message[2]) + len(message[1])
            engine.feed_raw(*message)

    def finish(self, end_t: float | None = None) -> CheckResult:
        for urn in list(self._waiting):
            if urn is not None:
                self._resolve(urn, None, self._waiting[urn][0][0],
                              "no identity message in the capture")
        ends = [e for e in (end_t, *(eng.end_t for eng in self._engines.values()))
                if e is not None]
        end = max(ends) if ends else None
        fallback = self._engines.get(FALLBACK_PROFILE)
        devices: list[str] = []
        findings: list[Finding] = []
        device_messages: dict[str, int] = {}
        starts: list[float] = []
        for engine in self._engines.values():
            result = engine.finish(end)
            devices.extend(result.devices)
            device_messages.update(result.device_messages)
            if result.started is not None:
                starts.append(result.started)
            if engine is fallback:
                findings.extend(f for f in result.findings if f.code not in _CLASS_CODES)
            else:
                findings.extend(result.findings)
        findings.extend(self._notes)
        if self._engines:
            first = next(iter(self._engines.values()))
            findings.extend(outage_findings(
                first.outages, sum(e._excused_gaps for e in self._engines.values())))
        profiles = sorted(set(self.profiles.values()))
        return CheckResult(", ".join(profiles), self.messages, sorted(devices), findings,
                           dict(sorted(device_messages.items())),
                           min(starts) if starts else None)


class MultiCheck:
    """A streaming check of one capture across ecosystems (see the module doc).

    ``ecosystems``: the ones asked for (``None``: every ecosystem found in the capture).
    ``profile``: the devid/1 profile applied to every devid device (``None``: each device
    is judged by the profile its identity token claims, looked up in ``profile_dirs``
    and the shipped profiles; see :class:`ClaimedProfiles`).
    """

    def __init__(
        self,
        profile: Profile | None = None,
        *,
        ecosystems: Collection[str] | None = None,
        ha_prefix: str = DEFAULT_HA_PREFIX,
        header: CaptureHeader | None = None,
        validator: Any | None = None,
        profile_dirs: Iterable[str] = (),
    ) -> None:
        unknown = set(ecosystems or ()) - set(ECOSYSTEMS)
        if unknown:
            raise ValueError(f"unknown ecosystem {sorted(unknown)[0]!r}; "
                             f"one of {', '.join(ECOSYSTEMS)}")
        self.asked: frozenset[str] | None = frozenset(ecosystems) if ecosystems else None
        want = self.asked if self.asked is not None else frozenset(ECOSYSTEMS)
        self.profile = profile
        self.header = header
        self.engine: CheckEngine | ClaimedProfiles | None = None
        if profile is not None and "devid" in want:
            self.engine = CheckEngine(profile, header=header, validator=validator)
        elif "devid" in want:
            self.engine = ClaimedProfiles(profile_loader(profile_dirs), header=header,
                                          validator=validator)
        # with one profile for all, foreign topics are shown to its engine (MSG-TOPIC)
        self._foreign = self.engine if profile is not None else None
        self.inventories = make_inventories(want, ha_prefix)
        # topic -> (the add of the inventory that claimed it, the inventories before it,
        # their generations then): the next message on the topic goes straight there.
        self._route: dict[str, tuple[Callable[..., bool], tuple[Inventory, ...], int]] = {}
        self.counts: Counter[str] = Counter()
        self.other: Counter[str] = Counter()
        self.findings: list[Finding] = []
        self.messages = 0
        self._first_t: float | None = None

    # -- LineSink ------------------------------------------------------------------------

    def add_findings(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def add_outage(self, outage: CaptureOutage) -> None:
        if self.engine is not None:
            self.engine.add_outage(outage)

    def feed_raw(self, t: float, topic: str, payload: bytes, retain: bool,
                 line: int = 0) -> None:
        """Route one message to the judge of its ecosystem."""
        self.messages += 1
        route = self._route.get(topic)
        if route is not None:  # the inventory that claimed this topic before
            add, earlier, stamp = route
            for inv in earlier:
                stamp -= inv.generation
            if stamp == 0 and add(topic, payload, retain=retain, t=t):
                return
            del self._route[topic]
        if self._first_t is None:
            self._first_t = t
        if topic.startswith(_DEVID_PREFIX):
            self.counts["devid"] += 1
            if self.engine is not None:
                self.engine.feed_raw(t, topic, payload, retain, line)
            return
        inventories = self.inventories
        for index, inv in enumerate(inventories):
            if inv.add(topic, payload, retain=retain, t=t):
                if len(self._route) < _MAX_ROUTES:
                    before = tuple(inventories[:index])
                    self._route[topic] = (inv.add, before, sum(i.generation for i in before))
                return
        level = topic.partition("/")[0]
        if level in self.other or len(self.other) < _MAX_OTHER_PREFIXES:
            self.other[level] += 1
        if self._foreign is not None:
            self._foreign.feed_raw(t, topic, payload, retain, line)

    # -- end -----------------------------------------------------------------------------

    def finish(self, end_t: float | None = None) -> CheckResult:
        """Every judge's verdict in one :class:`~devid._check.CheckResult`."""
        findings = list(self.findings)
        devices: list[str] = []
        device_messages: dict[str, int] = {}
        started = self.header.started if self.header is not None else None
        if started is None:
            started = self._first_t
        devid_devices = 0
        if self.engine is not None:
            base = self.engine.finish(end_t)
            findings.extend(base.findings)
            devices.extend(base.devices)
            device_messages.update(base.device_messages)
            devid_devices = len(base.devices)
            if base.started is not None:
                started = base.started
        for inv in self.inventories:  # messages each inventory claimed (counted there)
            if inv.messages:
                self.counts[inv.ecosystem] = inv.messages
        eco_devices: list[EcoDevice] = []
        judged: Counter[str] = Counter()
        if devid_devices:
            judged["devid"] = devid_devices
        for inv in self.inventories:
            found = inv.devices()
            findings.extend(inv.orphan_findings())
            for dev in found:
                findings.extend(dev.findings)
                devices.append(dev.id)
                device_messages[dev.id] = dev.messages
            eco_devices.extend(found)
            if found:
                judged[inv.ecosystem] = len(found)
        findings.extend(self._coverage(judged))
        profile_id = self.profile.id if self.profile is not None else None
        result = CheckResult(profile_id or "", self.messages, devices, findings,
                             device_messages, started)
        if isinstance(self.engine, ClaimedProfiles):
            result.device_profiles = dict(self.engine.profiles)
        result.ecosystems = dict(self.counts)
        result.judged = dict(judged)
        result.eco_devices = eco_devices
        result.other_topics = dict(self.other.most_common(10))
        return result

    def held(self) -> str:
        """What the capture held, in a few words (for ``MSG-NO-DEVICE``)."""
        parts = [f"{n} {_NAMES[eco]} message{'s' if n != 1 else ''}"
                 for eco, n in sorted(self.counts.items())]
        other = sum(self.other.values())
        if other:
            top = ", ".join(f"{p or '(empty)'}/… ×{n}" for p, n in self.other.most_common(3))
            parts.append(f"{other} other message{'s' if other != 1 else ''} ({top})")
        return "; ".join(parts) if parts else "no message"

    def _coverage(self, judged: Counter[str]) -> list[Finding]:
        out: list[Finding] = []
        evidence = {"messages": dict(self.counts), "other_topics": dict(self.other.most_common(5)),
                    "judged_devices": dict(judged)}
        if self.messages == 0:
            return out  # MSG-CAPTURE-EMPTY says it
        if ((self.profile is not None and self.asked is None)
                or (self.asked is not None and "devid" in self.asked)) \
                and not judged.get("devid"):
            out.append(finding(
                "MSG-NO-DEVICE",
                "no devid/1 device to judge"
                + (f" with profile {self.profile.id}" if self.profile is not None else "")
                + f"; the capture held {self.held()}", evidence=evidence))
        for eco in sorted(self.asked or ()):
            if eco != "devid" and not judged.get(eco):
                out.append(finding(
                    "MSG-NO-DEVICE",
                    f"no {_NAMES[eco]} device in the capture; it held {self.held()}",
                    evidence=evidence))
        if self.asked is None and not judged and not out:
            out.append(finding(
                "MSG-NO-DEVICE",
                f"no device of any ecosystem devid knows (devid/1, Home Assistant discovery, "
                f"Homie) was judged; the capture held {self.held()}",
                evidence=evidence))
        if self.engine is None and self.counts.get("devid"):
            out.append(finding(
                "MSG-NOT-JUDGED",
                f"{self.counts['devid']} devid/1 message(s) were not judged (--ecosystem "
                f"leaves devid/1 out)", evidence=evidence))
        return out


_NAMES = {"devid": "devid/1", "ha": "Home Assistant discovery", "homie": "Homie"}


def check_capture_lines(
    lines: Iterable[bytes | str | Finding],
    profile: Profile | None = None,
    *,
    ecosystems: Collection[str] | None = None,
    ha_prefix: str = DEFAULT_HA_PREFIX,
    source: str = "",
    validator: Any | None = None,
    profile_dirs: Iterable[str] = (),
) -> CheckResult:
    """Check a capture given as its lines across ecosystems (see :class:`MultiCheck`)."""
    from devid._check import _capture_result

    multi, header = feed_lines(
        lines,
        lambda h: MultiCheck(profile, ecosystems=ecosystems, ha_prefix=ha_prefix, header=h,
                             validator=validator, profile_dirs=profile_dirs),
        source=source,
    )
    return _capture_result(multi.finish(_header_end(header)), source)


__all__ = ["DEFAULT_HA_PREFIX", "ECOSYSTEMS", "FALLBACK_PROFILE", "ClaimedProfiles",
           "MultiCheck", "check_capture_lines", "profile_loader"]
