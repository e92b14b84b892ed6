"""A simulated fleet running on its own event loop thread, for end-to-end scan/test runs.

``FleetThread(broker_url, profiles, faults=..., seed=...)`` starts a
:class:`simulator.Fleet` (mDNS on 127.0.0.1) on a background thread, so a test can
drive the CLI (``CliRunner``, which calls ``asyncio.run``) or ``asyncio.run`` its own
coroutines in the main thread while the devices keep running.

Fixture ``live_fleet`` (module scope): a mixed fleet on the session's Mosquitto with
the faults the scan and the suite must find (see ``LIVE_FAULTS``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

#: Faults of the end-to-end fleet: identity faults the scan must flag, and faults the
#: smart-plug suite must fail (the simulator's table says which finding each raises).
LIVE_FAULTS: Mapping[str, int] = {
    "wrong-key": 1,
    "stale-nonce": 1,
    "expired-cert": 1,
    "untrusted-ca": 1,
    "cloned-identity": 1,
    "evil-name": 1,
    "no-ack": 1,
    "ack-late": 1,
    "non-retained": 1,
}
LIVE_PROFILES: Mapping[str, int] = {"smart-plug/1": 11, "env-sensor/1": 2}


class FleetThread:
    """A :class:`simulator.Fleet` running on a background event loop."""

    def __init__(self, broker_url: str, profiles: Mapping[str, int], **options: Any) -> None:
        from simulator import Fleet

        options.setdefault("mdns_interface", "127.0.0.1")
        self.broker_url = broker_url
        self.loop = asyncio.new_event_loop()
        self.fleet = Fleet(dict(profiles), broker_url, **options)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="devid-test-fleet")

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        """Run ``coro`` on the fleet's loop and wait for its result."""
        fut: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return fut.result(timeout)

    def start(self) -> FleetThread:
        self._thread.start()
        self.call(self.fleet.start())
        return self

    def stop(self) -> None:
        try:
            self.call(self.fleet.stop(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    async def power_cut(self, urn: str) -> None:
        """Cut a device off without DISCONNECT (from any loop): its Last Will fires."""
        device = self.fleet.device(urn)
        fut = asyncio.run_coroutine_threadsafe(device.stop(graceful=False), self.loop)
        await asyncio.wrap_future(fut)

    @property
    def trust_dir(self) -> Path:
        return self.fleet.trust_dir

    @property
    def manifest(self) -> list[dict[str, Any]]:
        return self.fleet.manifest

    def urns(self, profile: str | None = None) -> list[str]:
        return [m["urn"] for m in self.manifest if profile is None or m["profile"] == profile]


@pytest.fixture(scope="module")
def live_fleet(mosquitto_url: str) -> Iterator[FleetThread]:
    fleet = FleetThread(mosquitto_url, LIVE_PROFILES, faults=dict(LIVE_FAULTS), seed=20261122,
                        interval=2.0).start()
    try:
        yield fleet
    finally:
        fleet.stop()
