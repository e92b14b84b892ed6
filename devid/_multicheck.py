"""One capture, several ecosystems: devid/1, Home Assistant discovery, Homie. Pure.

:class:`MultiCheck` routes each captured message to the judge of its ecosystem:

- ``devid/…`` topics go to the devid/1 :class:`~devid._check.CheckEngine` (when a
  profile is given);
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

from devid._capture import CaptureHeader
from devid._check import CheckEngine, CheckResult, _header_end, feed_lines
from devid._findings import Finding, finding
from devid._profiles import Profile
from devid.ecosystems._inventories import DEFAULT_HA_PREFIX, make_inventories
from devid.ecosystems._model import EcoDevice, Inventory

ECOSYSTEMS: tuple[str, ...] = ("devid", "ha", "homie")
_DEVID_PREFIX = "devid/"
_MAX_OTHER_PREFIXES = 10_000
_MAX_ROUTES = 100_000


class MultiCheck:
    """A streaming check of one capture across ecosystems (see the module doc).

    ``ecosystems``: the ones asked for (``None``: every ecosystem found in the capture).
    ``profile``: the devid/1 profile applied to devid devices (``None``: devid/1 traffic
    is counted, not judged).
    """

    def __init__(
        self,
        profile: Profile | None = None,
        *,
        ecosystems: Collection[str] | None = None,
        ha_prefix: str = DEFAULT_HA_PREFIX,
        header: CaptureHeader | None = None,
        validator: Any | None = None,
    ) -> None:
        unknown = set(ecosystems or ()) - set(ECOSYSTEMS)
        if unknown:
            raise ValueError(f"unknown ecosystem {sorted(unknown)[0]!r}; "
                             f"one of {', '.join(ECOSYSTEMS)}")
        self.asked: frozenset[str] | None = frozenset(ecosystems) if ecosystems else None
        want = self.asked if self.asked is not None else frozenset(ECOSYSTEMS)
        self.profile = profile
        self.header = header
        self.engine: CheckEngine | None = None
        if profile is not None and "devid" in want:
            self.engine = CheckEngine(profile, header=header, validator=validator)
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
        if self.engine is not None:
            self.engine.feed_raw(t, topic, payload, retain, line)

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
        if self.profile is not None and (self.asked is None or "devid" in self.asked) \
                and not judged.get("devid"):
            out.append(finding(
                "MSG-NO-DEVICE",
                f"no devid/1 device to judge with profile {self.profile.id}; "
                f"the capture held {self.held()}", evidence=evidence))
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
                f"Homie) was judged; the capture held {self.held()}"
                + (" (devid/1 devices are judged against a profile: give --profile)"
                   if self.counts.get("devid") and self.profile is None else ""),
                evidence=evidence))
        if self.profile is None and self.counts.get("devid") and judged:
            out.append(finding(
                "MSG-NOT-JUDGED",
                f"{self.counts['devid']} devid/1 message(s) were not judged: give --profile",
                evidence=evidence))
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
) -> CheckResult:
    """Check a capture given as its lines across ecosystems (see :class:`MultiCheck`)."""
    from devid._check import _capture_result

    multi, header = feed_lines(
        lines,
        lambda h: MultiCheck(profile, ecosystems=ecosystems, ha_prefix=ha_prefix, header=h,
                             validator=validator),
        source=source,
    )
    return _capture_result(multi.finish(_header_end(header)), source)


__all__ = ["DEFAULT_HA_PREFIX", "ECOSYSTEMS", "MultiCheck", "check_capture_lines"]
