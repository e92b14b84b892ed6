"""Fixtures for discovery tests: advertise DNS-SD services with real zeroconf on 127.0.0.1.

``mdns_advertiser`` gives an :class:`Advertiser`; ``await adv.add(type, name, txt, port=...)``
registers a service (``txt`` may be raw TXT wire bytes, to send malformed records);
``await adv.ready()`` waits until all are announced; ``await adv.close()`` (inside the
test's event loop) unregisters everything.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest


class Advertiser:
    """Registers DNS-SD services on 127.0.0.1 (create and use inside one event loop)."""

    def __init__(self) -> None:
        self._zc: Any = None
        self.infos: list[Any] = []
        self._pending: list[Any] = []

    async def add(
        self,
        service_type: str,
        instance: str,
        txt: Mapping[bytes, bytes | None] | bytes,
        *,
        port: int = 1883,
        host: str | None = None,
    ) -> None:
        from zeroconf import ServiceInfo
        from zeroconf.asyncio import AsyncZeroconf

        if self._zc is None:
            self._zc = AsyncZeroconf(interfaces=["127.0.0.1"])
        stype = service_type if service_type.endswith(".") else f"{service_type}.local."
        info = ServiceInfo(
            stype,
            f"{instance}.{stype}",
            addresses=[socket.inet_aton("127.0.0.1")],
            port=port,
            properties=txt if isinstance(txt, bytes) else dict(txt),
            server=host or f"devid-test-{uuid.uuid4().hex[:8]}.local.",
        )
        self.infos.append(info)
        self._pending.append(
            await self._zc.async_register_service(info, cooperating_responders=True)
        )

    async def ready(self) -> None:
        """Wait until every service added so far has been probed and announced."""
        import asyncio

        pending, self._pending = self._pending, []
        await asyncio.gather(*pending)

    async def close(self) -> None:
        if self._zc is not None:
            await self._zc.async_unregister_all_services()
            await self._zc.async_close()
            self._zc = None


@pytest.fixture
def mdns_advertiser() -> Iterator[Advertiser]:
    adv = Advertiser()
    yield adv
    assert adv._zc is None, "call `await mdns_advertiser.close()` inside the test's event loop"
