"""Benchmark: discovery and the results store against the bare libraries.

Three figures, each beside its floor (the same work done by the bare library in
the same run):

- ``txt``: parse N ``_devid._tcp`` TXT records into DeviceRecords
  (floor: zeroconf's own TXT decoding, ``ServiceInfo.decoded_properties``);
- ``store``: record N test results, each committed (floor: bare ``sqlite3``
  INSERT + COMMIT per row, same WAL settings);
- ``mdns``: find and resolve N ``_devid._tcp`` services registered with zeroconf
  on 127.0.0.1 (floor: a bare ``AsyncServiceBrowser`` + ``AsyncServiceInfo``
  resolve of each; figure: time until all N are resolved).

Defaults: 10,000 TXT records, 5,000 results, 1,000 mDNS services. ``--smoke``
runs tiny sizes in a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from devid._reports import ResultStore, TestResult, TestStatus
from devid.discovery import async_browse, parse_service


def _txt(i: int, tag: str) -> dict[bytes, bytes]:
    return {
        b"txtvers": b"1",
        b"id": f"urn:dev:ops:32473-Lock{tag}-{i:06d}".encode(),
        b"cls": b"smart-lock/1",
        b"vid": b"32473",
        b"mq": b"mqtt://127.0.0.1:1883",
        b"tk": b"0123456789abcdef",
    }


def bench_txt(n: int) -> tuple[float, float]:
    from zeroconf import ServiceInfo

    infos = [
        ServiceInfo(
            "_devid._tcp.local.", f"Lock {i}._devid._tcp.local.", port=1883, properties=_txt(i, "x")
        )
        for i in range(n)
    ]
    raws = [info.text for info in infos]
    start = time.perf_counter()
    for raw in raws:
        fresh = ServiceInfo("_devid._tcp.local.", "x._devid._tcp.local.", properties=raw)
        fresh.decoded_properties  # noqa: B018 (the floor's work)
    floor = time.perf_counter() - start
    start = time.perf_counter()
    for i, raw in enumerate(raws):
        parse_service("_devid._tcp.local.", f"Lock {i}._devid._tcp.local.", raw, port=1883)
    ours = time.perf_counter() - start
    return n / floor, n / ours


def bench_store(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE r (run TEXT, dev TEXT, test TEXT, status TEXT, findings TEXT,"
            " PRIMARY KEY (run, dev, test))"
        )
        start = time.perf_counter()
        for i in range(n):
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO r VALUES (?, ?, ?, ?, ?)",
                ("run", f"urn:dev:ops:1-A-{i}", "t", "passed", "[]"),
            )
            db.execute("COMMIT")
        floor = time.perf_counter() - start
        db.close()
        with ResultStore(Path(tmp) / "ours.db") as store:
            run = store.begin_run("smart-lock/1")
            results = [
                TestResult(f"urn:dev:ops:1-A-{i}", "t", "test", TestStatus.PASSED) for i in range(n)
            ]
            start = time.perf_counter()
            for r in results:
                store.record(run, r)
            ours = time.perf_counter() - start
    return n / floor, n / ours


async def _register(n: int, tag: str) -> Any:
    from zeroconf import ServiceInfo
    from zeroconf.asyncio import AsyncZeroconf

    azc = AsyncZeroconf(interfaces=["127.0.0.1"])
    gate = asyncio.Semaphore(100)
    server = f"bench-{tag}.local."

    async def one(i: int) -> None:
        info = ServiceInfo(
            "_devid._tcp.local.",
            f"Lock {tag} {i}._devid._tcp.local.",
            addresses=[socket.inet_aton("127.0.0.1")],
            port=1883,
            properties=_txt(i, tag),
            server=server,
        )
        async with gate:
            await (await azc.async_register_service(info, cooperating_responders=True))

    await asyncio.gather(*(one(i) for i in range(n)))
    return azc


async def _floor_browse(n: int, tag: str, limit: float) -> float:
    from zeroconf import ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    azc = AsyncZeroconf(interfaces=["127.0.0.1"])
    done: set[str] = set()
    finished = asyncio.Event()
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter()

    async def resolve(stype: str, name: str) -> None:
        info = AsyncServiceInfo(stype, name)
        if await info.async_request(azc.zeroconf, 3000) and tag in name:
            done.add(name)
            if len(done) >= n:
                finished.set()

    def handler(
        zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added:
            task = asyncio.ensure_future(resolve(service_type, name))
            tasks.add(task)

    browser = AsyncServiceBrowser(azc.zeroconf, ["_devid._tcp.local."], handlers=[handler])
    try:
        await asyncio.wait_for(finished.wait(), limit)
    except TimeoutError:
        pass
    elapsed = time.perf_counter() - start if finished.is_set() else float("inf")
    for t in tasks:
        t.cancel()
    await browser.async_cancel()
    await azc.async_close()
    return elapsed


async def _devid_browse(n: int, tag: str, limit: float) -> float:
    start = time.perf_counter()
    seen = 0
    agen = async_browse(interface="127.0.0.1", timeout=limit, service_types=["_devid._tcp.local."])
    try:
        async for rec in agen:
            if tag in rec.name and not rec.findings:
                seen += 1
                if seen >= n:
                    return time.perf_counter() - start
    finally:
        await agen.aclose()
    return float("inf")


def bench_mdns(n: int) -> tuple[float, float, float]:
    async def run() -> tuple[float, float, float]:
        tag = uuid.uuid4().hex[:6]
        start = time.perf_counter()
        azc = await _register(n, tag)
        registering = time.perf_counter() - start
        try:
            limit = 30.0
            floor = await _floor_browse(n, tag, limit)
            ours = await _devid_browse(n, tag, limit)
        finally:
            await azc.async_unregister_all_services()
            await azc.async_close()
        return registering, floor, ours

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    ap.add_argument("--txt", type=int, default=10_000)
    ap.add_argument("--results", type=int, default=5_000)
    ap.add_argument("--services", type=int, default=1_000)
    args = ap.parse_args(argv)
    if args.smoke:
        args.txt, args.results, args.services = 300, 200, 10

    floor, ours = bench_txt(args.txt)
    print(
        f"txt    {args.txt} records: devid {ours:,.0f}/s   "
        f"floor (zeroconf decode) {floor:,.0f}/s   ratio {ours / floor:.2f}"
    )
    floor, ours = bench_store(args.results)
    print(
        f"store  {args.results} results: devid {ours:,.0f}/s   "
        f"floor (bare sqlite3) {floor:,.0f}/s   ratio {ours / floor:.2f}"
    )
    registering, floor, ours = bench_mdns(args.services)
    print(
        f"mdns   {args.services} services (registered in {registering:.1f} s): "
        f"devid all resolved in {ours:.2f} s   floor (bare zeroconf browse+resolve) {floor:.2f} s"
    )
    ok = ours != float("inf")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
