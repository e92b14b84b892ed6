"""DNS-SD browsing with zeroconf (the transport; parsing is in ``_parsers``).

:func:`async_browse` browses every service type devid has a parser for on one
interface (or all), resolves each instance (SRV, TXT, addresses) and yields a
:class:`DeviceRecord` per instance as soon as it resolves. An instance that
does not resolve in time still yields a minimal record carrying
``DISC-RESOLVE-FAILED``. :func:`async_discover_mdns` collects them into a list.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

from devid._findings import finding
from devid.discovery._parsers import PARSERS, parse_service
from devid.discovery._record import DeviceRecord

SERVICE_TYPES: tuple[str, ...] = tuple(f"{t}.local." for t in PARSERS)
"""Every DNS-SD service type devid browses (``_devid._tcp.local.``, ...)."""

RESOLVE_CONCURRENCY = 64


def _zeroconf(interface: str | None) -> Any:
    from zeroconf import InterfaceChoice, IPVersion
    from zeroconf.asyncio import AsyncZeroconf

    if interface is None:
        return AsyncZeroconf(interfaces=InterfaceChoice.All)
    version = IPVersion.V6Only if ":" in interface else IPVersion.V4Only
    return AsyncZeroconf(interfaces=[interface], ip_version=version)


async def async_browse(
    *,
    interface: str | None = None,
    timeout: float = 3.0,
    service_types: Iterable[str] = SERVICE_TYPES,
    zeroconf: Any = None,
) -> AsyncIterator[DeviceRecord]:
    """Yield a record for each service instance found within ``timeout`` seconds.

    ``interface`` is the IP address of the interface to bind (``"127.0.0.1"`` in
    tests); ``None`` means all interfaces. Pass ``zeroconf`` (an
    ``AsyncZeroconf``) to reuse one; otherwise one is created and closed here.
    Each instance is yielded once, when it first resolves.
    """
    from zeroconf import ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo

    own = zeroconf is None
    azc = _zeroconf(interface) if own else zeroconf
    types = [t if t.endswith(".") else f"{t}." for t in service_types]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    queue: asyncio.Queue[DeviceRecord] = asyncio.Queue()
    seen: set[str] = set()
    tasks: set[asyncio.Task[None]] = set()
    gate = asyncio.Semaphore(RESOLVE_CONCURRENCY)

    async def resolve(service_type: str, name: str) -> None:
        info = AsyncServiceInfo(service_type, name)
        async with gate:
            ok = info.load_from_cache(azc.zeroconf)
            if not ok:
                wait_ms = max(200.0, (deadline - loop.time()) * 1000)
                with contextlib.suppress(Exception):
                    ok = await info.async_request(azc.zeroconf, wait_ms)
        if ok:
            record = parse_service(
                service_type,
                name,
                info.text or b"",
                addresses=info.parsed_scoped_addresses(),
                port=info.port,
                host=info.server,
            )
        else:
            record = parse_service(service_type, name, b"")
            record = _with_resolve_failure(record)
        await queue.put(record)

    def on_change(
        zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Removed or name in seen:
            return
        seen.add(name)
        task = asyncio.ensure_future(resolve(service_type, name))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    browser = AsyncServiceBrowser(azc.zeroconf, types, handlers=[on_change])
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                yield await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                break
        # Instances announced just before the deadline: give them a short grace.
        if tasks:
            await asyncio.wait(set(tasks), timeout=min(1.0, max(0.2, timeout / 4)))
        while not queue.empty():
            yield queue.get_nowait()
    finally:
        for task in list(tasks):
            task.cancel()
        await browser.async_cancel()
        if own:
            await azc.async_close()


def _with_resolve_failure(record: DeviceRecord) -> DeviceRecord:
    from dataclasses import replace

    f = finding(
        "DISC-RESOLVE-FAILED",
        f"{record.name} announced but did not resolve in time",
        subject=record.id,
    )
    return replace(record, findings=(f,), txt={})


async def async_discover_mdns(
    *,
    interface: str | None = None,
    timeout: float = 3.0,
    service_types: Iterable[str] = SERVICE_TYPES,
    zeroconf: Any = None,
) -> list[DeviceRecord]:
    """Every record :func:`async_browse` yields, as a list (one per service instance)."""
    return [
        r
        async for r in async_browse(
            interface=interface, timeout=timeout, service_types=service_types, zeroconf=zeroconf
        )
    ]
