"""DNS-SD browsing against services registered with real zeroconf on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
import uuid

from devid.discovery import async_browse, async_discover_mdns, merge_records
from tests.plugins.discovery import Advertiser


def test_browse_finds_resolves_and_parses(mdns_advertiser: Advertiser) -> None:
    tag = uuid.uuid4().hex[:8]
    urn = f"urn:dev:ops:32473-SmartLock-{tag}"
    clone_urn = f"urn:dev:ops:32473-Plug-{tag}"

    async def scenario() -> list:  # type: ignore[type-arg]
        adv = mdns_advertiser
        common = {
            b"txtvers": b"1",
            b"cls": b"smart-lock/1",
            b"vid": b"32473",
            b"mq": b"mqtt://127.0.0.1:1883",
            b"tk": b"0123456789abcdef",
        }
        await adv.add(
            "_devid._tcp", f"Front Door {tag}", {**common, b"id": urn.encode()}, port=1883
        )
        await adv.add(
            "_devid._tcp", f"Plug A {tag}", {**common, b"id": clone_urn.encode()}, port=1884
        )
        await adv.add(
            "_devid._tcp", f"Plug B {tag}", {**common, b"id": clone_urn.encode()}, port=1885
        )
        # Raw wire TXT: a duplicate key, a non-UTF-8 value, a string without '=' and an empty key.
        wire = b"".join(
            bytes([len(s)]) + s
            for s in (
                b"txtvers=1",
                b"id=" + f"urn:dev:ops:32473-Bad-{tag}".encode(),
                b"id=urn:dev:ops:1-X-2",
                b"cls=\xff\xfe",
                b"tk",
                b"=oops",
            )
        )
        await adv.add("_devid._tcp", f"Broken {tag}", wire, port=1886)
        await adv.add(
            "_hap._tcp",
            f"Lamp {tag}",
            {
                b"c#": b"1",
                b"id": b"AA:BB:CC:DD:EE:01",
                b"md": b"Lamp",
                b"s#": b"1",
                b"sf": b"0",
                b"ci": b"5",
            },
            port=51826,
        )
        await adv.add(
            "_matterc._udp",
            "DD200C20D25AE5F7",
            {b"D": b"3840", b"VP": b"65521+32768", b"DN": f"Plug {tag}".encode()},
            port=5540,
        )
        await adv.ready()
        try:
            started = time.monotonic()
            records = await async_discover_mdns(interface="127.0.0.1", timeout=2.0)
            assert time.monotonic() - started < 6.0  # 2 s browse, <= 0.5 s grace, close
            return records
        finally:
            await adv.close()

    records = asyncio.run(scenario())
    mine = [r for r in records if tag in r.name or tag in r.id]
    by_name = {r.name: r for r in mine}
    assert f"Front Door {tag}" in by_name, sorted(r.name for r in records)
    door = by_name[f"Front Door {tag}"]
    assert door.id == urn and door.profile == "smart-lock/1" and door.findings == ()
    assert door.addresses == ("127.0.0.1",) and door.port == 1883 and door.sources == ("mdns",)

    broken = by_name[f"Broken {tag}"]
    assert broken.id == f"urn:dev:ops:32473-Bad-{tag}"
    assert {
        "DISC-TXT-DUPLICATE",
        "DISC-TXT-ENCODING",
        "DISC-TXT-NO-VALUE",
        "DISC-TXT-KEY",
        "DISC-CLASS-INVALID",
    } <= {f.code for f in broken.findings}
    assert by_name[f"Lamp {tag}"].ecosystem == "homekit"
    assert by_name[f"Plug {tag}"].ids["discriminator"] == 3840

    merged = {r.id: r for r in merge_records(mine)}
    clone = merged[clone_urn]
    assert [f.code for f in clone.findings] == ["ID-CLONE"]
    assert "ID-CLONE" not in [f.code for f in merged[urn].findings]


def test_browse_yields_nothing_for_types_nobody_advertises() -> None:
    async def scenario() -> list:  # type: ignore[type-arg]
        return [
            r
            async for r in async_browse(
                interface="127.0.0.1", timeout=0.5, service_types=["_devid-nobody._tcp.local."]
            )
        ]

    assert asyncio.run(scenario()) == []
