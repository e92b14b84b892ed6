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
REGISTER_CONCURRENCY = 100


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
        """Register every advert (with probing; names made unique by zeroconf if taken)."""
        from zeroconf import ServiceInfo

        assert self._azc is not None, "start() first"
        address = ipaddress.ip_address(self.interface).packed
        server = f"devid-sim-{os.getpid()}.local."
        gate = asyncio.Semaphore(REGISTER_CONCURRENCY)

        async def one(advert: Advert) -> None:
            info = ServiceInfo(
                SERVICE_TYPE,
                f"{instance_label(advert.name)}.{SERVICE_TYPE}",
                port=advert.port,
                properties=dict(advert.txt),
                server=server,
                addresses=[address],
            )
            async with gate:
                waiter = await self._azc.async_register_service(info, allow_name_change=True)
                self._infos.append(info)
                await waiter

        # Two adverts of one name (a cloned device) must not register concurrently: zeroconf's
        # registry check races and raises ServiceNameAlreadyRegistered. Firsts in parallel,
        # then the repeats one by one (each renamed by zeroconf).
        firsts: dict[str, Advert] = {}
        repeats = [a for a in adverts if firsts.setdefault(instance_label(a.name), a) is not a]
        await asyncio.gather(*(one(a) for a in firsts.values()))
        for advert in repeats:
            await one(advert)

    async def close(self) -> None:
        azc, self._azc = self._azc, None
        if azc is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(azc.async_unregister_all_services(), 5.0)
        with contextlib.suppress(Exception):
            await azc.async_close()


__all__ = ["SERVICE_TYPE", "Advert", "Advertiser", "instance_label"]
