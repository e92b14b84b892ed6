"""``devid audit --mdns`` against services advertised with real zeroconf on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt

from devid.live._audit import async_audit
from tests.plugins.discovery import Advertiser


def test_mdns_services_are_judged(mdns_advertiser: Advertiser) -> None:
    async def go() -> set[tuple[str, str | None]]:
        adv = mdns_advertiser
        try:
            await adv.add("_telnet._tcp", "audit-cam", {b"fw": b"2.1.7"}, port=23)
            await adv.add("_http._tcp", "audit-plug", {b"path": b"/admin"}, port=80)
            await adv.ready()
            report = await async_audit(mdns=True, interface="127.0.0.1", timeout=2.0,
                                       now=dt.datetime.now(dt.UTC))
        finally:
            await adv.close()
        return {(f.code, f.subject) for f in report.findings}

    found = asyncio.run(go())
    assert ("SEC-MDNS-TELNET", "audit-cam") in found
    assert ("SEC-MDNS-VERSION-LEAK", "audit-cam") in found
    assert ("SEC-MDNS-HTTP-NO-TLS", "audit-plug") in found
