"""``devid demo``: a simulated home, scanned and tested, with reports. Needs nothing installed.

:func:`async_run_demo` starts the embedded broker (Mosquitto when it is on the
PATH, else amqtt in-process), a mixed simulated home advertised over mDNS on
127.0.0.1 (several profiles; a few devices carry deliberate faults: a wrong
signing key, a stale challenge answer, a cloned identity, a display name full
of HTML, a plug that never acks), scans it, runs the smart-plug suite, and
writes the reports into ``out``:

- ``scan.html``, ``scan.json``: the scan;
- ``test-smart-plug.html``, ``test-smart-plug.json``, ``test-smart-plug.xml``
  (JUnit): the suite run, rendered from ``results.sqlite``;
- ``manifest.json``: the ground truth (which device carries which fault).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from devid._broker import Engine
from devid._reports._model import ScanReport, SuiteRun

#: The simulated home: profile -> count, and the faults each part carries.
HOME: dict[str, int] = {
    "env-sensor/1": 3,
    "light/1": 2,
    "door-window-contact/1": 2,
    "motion-sensor/1": 2,
    "smart-lock/1": 1,
    "thermostat/1": 1,
}
HOME_FAULTS = "wrong-key:1,stale-nonce:1,evil-name:1,cloned-identity:1"
PLUGS: dict[str, int] = {"smart-plug/1": 3}
PLUG_FAULTS = "no-ack:1"
SUITE_PROFILE = "smart-plug/1"
INTERFACE = "127.0.0.1"


@dataclass
class DemoResult:
    """What the demo did and where it wrote it."""

    scan: ScanReport
    run: SuiteRun
    manifest: list[dict[str, Any]]
    files: dict[str, Path]
    broker: str
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    others: int = 0  # devices found on the network that are not the demo's (left out)


async def async_run_demo(
    out: str | Path,
    *,
    engine: Engine = "auto",
    scan_timeout: float = 4.0,
    duration: float = 3.0,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo and write its reports into ``out`` (created if needed)."""
    from devid._broker import start_broker
    from devid._certs import ChainValidator, TrustStore
    from devid._profiles import load_profile
    from devid._reports import (
        ResultStore,
        render_junit,
        render_scan_html,
        render_scan_json,
        render_suite_html,
        render_suite_json,
    )
    from devid.live._scan import async_scan
    from devid.live._suite import run_suite
    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="devid-demo-ca-") as ca:
        say("starting the embedded MQTT broker")
        async with start_broker(engine) as broker:
            url = broker.url
            kind = broker.engine
            timings["broker"] = time.monotonic() - t0
            say(f"starting the simulated home on {url}")
            async with contextlib.AsyncExitStack() as stack:
                mdns: str | None = INTERFACE
                try:
                    home, plugs = await _start_home(stack, url, ca, mdns, seed)
                except OSError as exc:  # no multicast on loopback here: go on without mDNS
                    say(f"mDNS unavailable on {INTERFACE} ({exc}); continuing without it")
                    await stack.aclose()
                    mdns = None
                    home, plugs = await _start_home(stack, url, ca, mdns, seed)
                timings["home"] = time.monotonic() - t0
                manifest = [{**m, "name": home.device(m["urn"]).display_name}
                            for m in home.manifest]
                manifest += [{**m, "name": plugs.device(m["urn"]).display_name}
                             for m in plugs.manifest]
                validator = ChainValidator(TrustStore.from_dir(home.trust_dir))

                say("scanning (DNS-SD on 127.0.0.1 and the broker's retained topics)")
                t = time.monotonic()
                report = await async_scan(broker=url, validator=validator,
                                          interface=mdns, mdns=mdns is not None,
                                          timeout=scan_timeout, progress=progress)
                timings["scan"] = time.monotonic() - t
                # 127.0.0.1 may carry other programs' adverts: report the demo home only
                ours = {m["urn"] for m in manifest}
                others = sum(1 for d in report.devices if d.record.id not in ours)
                report = replace(report, devices=tuple(
                    d for d in report.devices if d.record.id in ours))

                say(f"running the {SUITE_PROFILE} suite on {len(plugs.devices)} plugs")
                t = time.monotonic()
                db = out_dir / "results.sqlite"
                with ResultStore(db) as store:
                    urns = [d.urn for d in plugs.devices]
                    run_id = store.begin_run(SUITE_PROFILE, devices={
                        d.urn: d.display_name for d in plugs.devices})

                    async def cut(urn: str) -> None:
                        await plugs.device(urn).stop(graceful=False)

                    await run_suite(url, load_profile(SUITE_PROFILE), urns,
                                    validator=validator, duration=duration,
                                    on_result=lambda r: store.record(run_id, r),
                                    power_cycle=cut)
                    store.finish_run(run_id)
                    run = store.load_run(run_id)
                timings["suite"] = time.monotonic() - t

    stem = "test-" + SUITE_PROFILE.split("/", maxsplit=1)[0]
    files = {
        "scan.html": out_dir / "scan.html",
        "scan.json": out_dir / "scan.json",
        f"{stem}.html": out_dir / f"{stem}.html",
        f"{stem}.json": out_dir / f"{stem}.json",
        f"{stem}.xml": out_dir / f"{stem}.xml",
        "manifest.json": out_dir / "manifest.json",
        "results.sqlite": out_dir / "results.sqlite",
    }
    files["scan.html"].write_text(render_scan_html(report), encoding="utf-8")
    files["scan.json"].write_text(render_scan_json(report), encoding="utf-8")
    files[f"{stem}.html"].write_text(render_suite_html(run), encoding="utf-8")
    files[f"{stem}.json"].write_text(render_suite_json(run), encoding="utf-8")
    files[f"{stem}.xml"].write_text(render_junit(run), encoding="utf-8")
    files["manifest.json"].write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    timings["total"] = time.monotonic() - t0
    return DemoResult(report, run, manifest, files, url, kind, timings, others)


async def _start_home(stack: contextlib.AsyncExitStack, url: str, ca: str, mdns: str | None,
                      seed: int | None) -> tuple[Any, Any]:
    from simulator import Fleet

    home = Fleet(HOME, url, ca_dir=ca, faults=HOME_FAULTS, interval=2.0, mdns_interface=mdns,
                 seed=seed)
    plugs = Fleet(PLUGS, url, ca_dir=ca, faults=PLUG_FAULTS, interval=2.0, mdns_interface=mdns,
                  seed=None if seed is None else seed + 1)
    await stack.enter_async_context(home)
    await stack.enter_async_context(plugs)
    return home, plugs


def run_demo(out: str | Path, **kwargs: Any) -> DemoResult:
    """Blocking form of :func:`async_run_demo`."""
    return asyncio.run(async_run_demo(out, **kwargs))


__all__ = ["HOME", "HOME_FAULTS", "PLUGS", "PLUG_FAULTS", "DemoResult", "async_run_demo",
           "run_demo"]
