"""Whether the simulated devices are connected to their broker, and what a stop published.

Every device of a fleet or home reports to one :class:`LinkWatch`: its connection is up
(after the start), lost (the broker went away: its MQTT client then reconnects with
backoff), back (reconnected; the device has published its presence again) or gone (the
device stops). The watch calls its ``listener`` once per outage: ``lost`` when the first
device loses its connection while all were connected, ``back`` when the last one has
reconnected. ``devid simulate`` prints both on stderr.

:class:`StopReport` says how many devices published their offline presence (devid/1
``status`` offline, HA availability ``offline``, Homie ``$state`` ``disconnected``) on a
clean stop: a device without a connection cannot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """``lost``: a device lost its connection (``reason``) while every device was connected;
    ``back``: every device is connected again, ``outage_s`` after the first loss."""

    kind: Literal["lost", "back"]
    reason: str
    down: int
    total: int
    outage_s: float = 0.0


class LinkWatch:
    """Counts the devices without a broker connection (see the module docstring)."""

    def __init__(self, listener: Callable[[LinkEvent], None] | None = None) -> None:
        self.listener = listener
        self._members: set[int] = set()
        self._down: set[int] = set()
        self._since: float | None = None
        self.outages = 0
        self.last_reason = ""

    @property
    def total(self) -> int:
        return len(self._members)

    @property
    def down(self) -> int:
        """Devices that lost their connection and have not reconnected yet."""
        return len(self._down)

    def up(self, device: object) -> None:
        """``device`` is connected (after its start)."""
        self._members.add(id(device))

    def lost(self, device: object, reason: str) -> None:
        key = id(device)
        if key not in self._members or key in self._down:
            return
        self._down.add(key)
        if len(self._down) == 1 and self._since is None:
            self._since = time.monotonic()
            self.outages += 1
            self.last_reason = reason
            self._emit(LinkEvent("lost", reason, 1, self.total))

    def back(self, device: object) -> None:
        key = id(device)
        if key not in self._down:
            return
        self._down.discard(key)
        self._settle()

    def gone(self, device: object) -> None:
        """``device`` stops: it no longer counts (a stop is not an outage)."""
        key = id(device)
        self._members.discard(key)
        self._down.discard(key)
        if not self._down:
            self._since = None  # the outage ends with the devices, not with a reconnect

    def _settle(self) -> None:
        if not self._down and self._since is not None:
            outage = time.monotonic() - self._since
            self._since = None
            self._emit(LinkEvent("back", "", 0, self.total, outage))

    def _emit(self, event: LinkEvent) -> None:
        if self.listener is not None:
            self.listener(event)


@dataclass(frozen=True, slots=True)
class StopReport:
    """What a stop did: ``devices`` that were running, how many of them published their
    offline presence (``offline_published``) before disconnecting."""

    devices: int = 0
    offline_published: int = 0

    @property
    def complete(self) -> bool:
        return self.offline_published == self.devices

    def __add__(self, other: StopReport) -> StopReport:
        return StopReport(self.devices + other.devices,
                          self.offline_published + other.offline_published)


__all__ = ["LinkEvent", "LinkWatch", "StopReport"]
