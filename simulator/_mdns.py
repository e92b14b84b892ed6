"""DNS-SD advertisement of a fleet: one zeroconf instance, one ``_devid._tcp`` record per device."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SERVICE_TYPE = "_devid._tcp.local."
REGISTER_CONCURRENCY = 250


@dataclass(frozen=True)
class Advert:
    """One service instance: display name, TXT keys (spec §4), port of the broker."""

    name: str
    txt: Mapping[str, str]
    port: int


def instance_label(name: str) -> str:
    """A DNS-SD instance label from a display name: at most 63 UTF-8 bytes, no dots."""
    label = name.replace(".", "_").strip() or "device"
    data = label.encode("utf-8")[:63]
    return data.decode("utf-8", "ignore")


class Advertiser:
    """Registers and withdraws ``_devid._tcp`` records on one interface."""

    def __init__(self, interface: str) -> None:
        self.interface = interface
        self._azc: Any = None
        self._infos: list[Any] = []

    async def start(self) -> None:
        from zeroconf import IPVersion
        from zeroconf.asyncio import AsyncZeroconf

        version = IPVersion.V6Only if ":" in self.interface else IPVersion.V4Only
        self._azc = AsyncZeroconf(interfaces=[self.interface], ip_version=version)

    async def register(self, adverts: Sequence[Advert]) -> None:
        """Register every advert and wait for its announcements.

        Instance names are made unique within the fleet here (a clone's twin, several
        ``evil-name`` devices get `` (2)``, `` (3)``...), so no two registrations race
        for one name in zeroconf's registry, and the records skip the network probe
        (``cooperating_responders``): a thousand devices announce in about a second
        instead of probing in turn. Names carry a seed-derived serial, so two fleets do
        not collide in practice.
        """
        from zeroconf import ServiceInfo

        assert self._azc is not None, "start() first"
        address = ipaddress.ip_address(self.interface).packed
        server = f"devid-sim-{os.getpid()}.local."
        gate = asyncio.Semaphore(REGISTER_CONCURRENCY)
        taken: set[str] = set()

        def unique(name: str) -> str:
            label, n = instance_label(name), 2
            while label.lower() in taken:
                suffix = f" ({n})"
                head = instance_label(name).encode("utf-8")[:63 - len(suffix)]
                label = head.decode("utf-8", "ignore") + suffix
                n += 1
            taken.add(label.lower())
            return label

        async def one(advert: Advert, label: str) -> None:
            info = ServiceInfo(
                SERVICE_TYPE,
                f"{label}.{SERVICE_TYPE}",
                port=advert.port,
                properties=dict(advert.txt),
                server=server,
                addresses=[address],
            )
            async with gate:
                waiter = await self._azc.async_register_service(
                    info, cooperating_responders=True)
                self._infos.append(info)
            await waiter

        await asyncio.gather(*(one(a, unique(a.name)) for a in adverts))

    async def close(self) -> None:
        azc, self._azc = self._azc, None
        if azc is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(azc.async_unregister_all_services(), 5.0)
        with contextlib.suppress(Exception):
            await azc.async_close()


__all__ = ["SERVICE_TYPE", "Advert", "Advertiser", "instance_label"]
