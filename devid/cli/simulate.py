"""``devid simulate``: run simulated devices on a broker (the simulator package).

devid/1 devices (``--ecosystem devid``, the default), devices that announce
themselves through Home Assistant MQTT discovery (``ha``) or Homie 5 (``homie``), or
a whole mixed home from a YAML file (``--home FILE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from devid.cli._common import broker_error, check_broker, check_interface, fail

if TYPE_CHECKING:
    from collections.abc import Callable

    from devid._mqtt import MqttSettings
    from simulator import Fleet, Home, LinkEvent, StopReport
    from simulator._home import Ecosystem

ECOSYSTEM_CHOICES = ("devid", "ha", "homie")


def _say(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()


def _warn(text: str) -> None:
    click.echo(text, err=True)
    sys.stderr.flush()


def _link_listener(url: str) -> Callable[[LinkEvent], None]:
    """Say on stderr, once per outage, that the broker went away and when it is back."""

    def listener(event: LinkEvent) -> None:
        if event.kind == "lost":
            _warn(f"broker    {url}: {event.reason}; reconnecting with backoff")
        else:
            _warn(f"broker    {url}: reconnected after {event.outage_s:.1f} s; all "
                  f"{event.total} device connections are back")

    return listener


def _stopped(report: StopReport) -> str:
    """The last line: whether the devices could publish their offline presence."""
    if report.complete:
        return "stopped (offline published)" if report.devices else "stopped"
    missing = report.devices - report.offline_published
    if report.offline_published == 0:
        return (f"stopped (offline NOT published: none of the {report.devices} devices was "
                "connected to the broker)")
    return (f"stopped (offline published for {report.offline_published} of "
            f"{report.devices} devices; NOT published for {missing}: not connected to the "
            "broker)")


def _summary(runner: Fleet | Home, label: str) -> list[str]:
    """The lines that describe the running devices (after ``broker``)."""
    from simulator import Fleet

    if isinstance(runner, Fleet):
        faulty = [f"{d.fault.name}:{d.urn}" for d in runner.devices if d.fault is not None]
        lines = [f"devices   {len(runner.devices)} x {label}, seed {runner.seed}"
                 + (f", {len(faulty)} faulty" if faulty else "")]
        return lines + [f"  fault   {line}" for line in faulty]
    counts = ", ".join(f"{n} {eco}" for eco, n in runner.by_ecosystem().items())
    entries = runner.manifest
    faulty = [f"{','.join(e['faults'])}:{e['id']}" for e in entries if e["faults"]]
    lines = [f"devices   {len(entries)} ({counts}) from {label}, seed {runner.seed}"
             + (f", {len(faulty)} faulty" if faulty else "")]
    return lines + [f"  fault   {line}" for line in faulty]


async def _run(*, runner: Fleet | Home, label: str, broker_url: str | None, port: int | None,
               ca: str | None, duration: float | None, manifest: str | None,
               interface: str | None) -> None:
    from devid._broker import BrokerError, start_broker
    from devid._mqtt import MqttConnectError, MqttError
    from simulator import Fleet

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    option: str | None = "--broker" if broker_url is not None else "embedded broker"
    async with contextlib.AsyncExitStack() as stack:
        if broker_url is None:
            try:
                embedded = await stack.enter_async_context(start_broker(port=port))
            except BrokerError as exc:
                fail(f"--port {port}: {exc}" if port is not None else str(exc))
            broker_url = embedded.url
            _say(f"broker    {broker_url} (embedded {embedded.engine})")
        else:
            _say(f"broker    {broker_url}")
        if manifest is not None:
            try:
                runner.write_manifest(manifest)
            except OSError as exc:
                fail(f"{manifest}: {exc.strerror or exc}")
        runner.link.listener = _link_listener(broker_url)
        try:
            await runner.start(broker_url)
        except MqttConnectError as exc:
            fail(broker_error(exc, broker_url, option))
        except (MqttError, OSError, ValueError) as exc:
            fail(f"cannot start the devices: {exc}")
        try:
            for line in _summary(runner, label):
                _say(line)
            trust = runner.trust_dir
            if trust is not None:
                _say(f"trust     {trust}" + ("" if ca else " (temporary; use --ca DIR "
                                                      "to keep it)"))
            if manifest is not None:
                _say(f"manifest  {Path(manifest)}")
            has_devid = isinstance(runner, Fleet) or runner.fleet is not None
            _say("mdns      " + (f"_devid._tcp on {interface}" if interface and has_devid
                                 else "off"))
            _say("running; Ctrl-C stops" if duration is None else f"running for {duration:g} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
        finally:
            report = await runner.stop()
        _say(_stopped(report))


def _build(*, home: str | None, ecosystem: str, profile: str | None, count: int,
           ca: str | None, faults: str | None, seed: int | None, interval: float | None,
           interface: str | None, ha_prefix: str, settings: MqttSettings
           ) -> tuple[Fleet | Home, str]:
    from simulator import Fleet, FleetError, Home, load_home, parse_eco_faults, parse_faults

    try:
        if home is not None:
            spec = load_home(home)
            return Home(spec, ca_dir=ca, seed=seed, interval=interval,
                        mdns_interface=interface, settings=settings,
                        ha_prefix=ha_prefix), Path(home).name
        assert profile is not None
        if ecosystem == "devid":
            return Fleet(profile, count=count, ca_dir=ca, faults=faults, seed=seed,
                         interval=interval, mdns_interface=interface,
                         settings=settings), profile
        try:
            parse_eco_faults(faults, ecosystem)
        except ValueError as exc:
            known = parse_faults  # a devid/1 fault named on an HA/Homie device
            with contextlib.suppress(ValueError):
                if known(faults):
                    fail(f"--faults: {exc} (devid/1 faults apply to --ecosystem devid)")
            fail(f"--faults: {exc}")
        eco: Ecosystem = "ha" if ecosystem == "ha" else "homie"
        return Home.single(eco, profile, count, faults, seed=seed, interval=interval,
                           mdns_interface=None, settings=settings,
                           ha_prefix=ha_prefix), f"{profile} ({ecosystem})"
    except FleetError as exc:  # HomeError is one
        fail(str(exc))


def register(root: click.Group) -> None:
    """Add ``devid simulate`` to ``root``."""

    @root.command("simulate")
    @click.option("--profile", "profile", metavar="ID",
                  help="Profile of the simulated devices, e.g. env-sensor/1.")
    @click.option("--ecosystem", type=click.Choice(ECOSYSTEM_CHOICES), default="devid",
                  show_default=True,
                  help="How the devices announce themselves: devid/1, Home Assistant MQTT "
                       "discovery (ha) or Homie 5 (homie).")
    @click.option("--home", "home", metavar="FILE", type=click.Path(dir_okay=False),
                  help="Run a whole home from a YAML file: devices of several profiles and "
                       "ecosystems, names, faults (see docs/simulator.md). Replaces "
                       "--profile, --ecosystem, --count and --faults.")
    @click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Number of devices.")
    @click.option("--broker", "broker_url", metavar="URL",
                  help="mqtt://host:port or mqtts://host:port; default: an embedded broker "
                       "(Mosquitto if installed, else amqtt). Credentials come from "
                       "DEVID_MQTT_USERNAME/DEVID_MQTT_PASSWORD or the MQTT config file.")
    @click.option("--port", type=click.IntRange(min=1, max=65535), metavar="PORT",
                  help="Port of the embedded broker (Mosquitto only; default: a free one).")
    @click.option("--ca", "ca", metavar="DIR", type=click.Path(file_okay=False),
                  help="The simulator's PKI, created on first use; DIR/trust/ holds the "
                       "anchor for --trust. Default: a temporary folder.")
    @click.option("--faults", metavar="NAME:K,...",
                  help="K devices with fault NAME, e.g. range:2,no-ack:1 or, for ha/homie, "
                       "ha-unit-class:1 (see docs/simulator.md).")
    @click.option("--seed", type=int, help="Make ids, keys, faults and values reproducible.")
    @click.option("--interval", type=click.FloatRange(min=0.01), metavar="SECONDS",
                  help="Seconds between state messages (default: half the heartbeat).")
    @click.option("--duration", type=click.FloatRange(min=0), metavar="SECONDS",
                  help="Stop after this many seconds (default: run until Ctrl-C/SIGTERM).")
    @click.option("--manifest", type=click.Path(dir_okay=False), metavar="FILE",
                  help='Write the ground truth as JSON: [{"ecosystem", "id", "profile", '
                       '"name", "faults", ...}].')
    @click.option("--ha-prefix", default="homeassistant", show_default=True, metavar="P",
                  help="Discovery prefix of the HA devices.")
    @click.option("--interface", default="127.0.0.1", show_default=True, metavar="IP",
                  help="Interface address to advertise _devid._tcp on: an IPv4/IPv6 "
                       "address of this machine.")
    @click.option("--no-mdns", is_flag=True, help="Do not advertise over mDNS.")
    def simulate(*, profile: str | None, ecosystem: str, home: str | None, count: int,
                 broker_url: str | None, port: int | None, ca: str | None,
                 faults: str | None, seed: int | None, interval: float | None,
                 duration: float | None, manifest: str | None, ha_prefix: str,
                 interface: str, no_mdns: bool) -> None:
        """Run simulated devices of a profile (or a whole home), with optional faults.

        A devid/1 device has its own key, certificate and identity token, publishes
        status (online; offline as its Last Will), identity and state (retained), acks
        commands and answers challenges. An HA device publishes its discovery configs,
        availability and JSON state; a Homie device its $state, $description and
        property values. Stops cleanly on Ctrl-C or SIGTERM.
        """
        from simulator import parse_faults

        if home is not None:
            given = [opt for opt, value in (("--profile", profile), ("--faults", faults))
                     if value is not None]
            if ecosystem != "devid":
                given.append("--ecosystem")
            if given:
                fail(f"--home: the home file says which devices run; drop {', '.join(given)}")
        elif profile is None:
            fail("--profile ID or --home FILE is required")
        if port is not None and broker_url is not None:
            fail("--port: only for the embedded broker (leave out --broker)")
        if port is not None:
            from devid._broker import find_mosquitto

            if find_mosquitto() is None:
                fail("--port: needs Mosquitto (the amqtt fallback picks a free port)")
        settings = check_broker(broker_url)
        if home is None and ecosystem == "devid":
            try:
                parse_faults(faults)
            except ValueError as exc:
                fail(f"--faults: {exc}")
        if not no_mdns:
            interface = check_interface(interface)
        mdns = None if no_mdns else interface
        runner, label = _build(home=home, ecosystem=ecosystem, profile=profile, count=count,
                               ca=ca, faults=faults, seed=seed, interval=interval,
                               interface=mdns, ha_prefix=ha_prefix.strip("/") or "homeassistant",
                               settings=settings)
        asyncio.run(_run(runner=runner, label=label, broker_url=broker_url, port=port, ca=ca,
                         duration=duration, manifest=manifest, interface=mdns))
