"""``devid simulate``: run a fleet of simulated devices on a broker (the simulator package)."""

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
    from devid._mqtt import MqttSettings


def _say(text: str) -> None:
    click.echo(text)
    sys.stdout.flush()


async def _run(*, profile: str, count: int, broker_url: str | None, ca: str | None,
               faults: str | None, seed: int | None, interval: float | None,
               duration: float | None, manifest: str | None, interface: str | None,
               settings: MqttSettings) -> None:
    from devid._broker import BrokerError, start_broker
    from devid._mqtt import MqttConnectError, MqttError
    from simulator import Fleet, FleetError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    try:
        fleet = Fleet(profile, broker_url, count=count, ca_dir=ca, faults=faults, seed=seed,
                      interval=interval, mdns_interface=interface, settings=settings)
    except FleetError as exc:
        fail(str(exc))
    option: str | None = "--broker" if broker_url is not None else "embedded broker"
    async with contextlib.AsyncExitStack() as stack:
        if broker_url is None:
            try:
                embedded = await stack.enter_async_context(start_broker())
            except BrokerError as exc:
                fail(str(exc))
            broker_url = embedded.url
            _say(f"broker    {broker_url} (embedded {embedded.engine})")
        else:
            _say(f"broker    {broker_url}")
        if manifest is not None:
            try:
                fleet.write_manifest(manifest)
            except OSError as exc:
                fail(f"{manifest}: {exc.strerror or exc}")
        try:
            await fleet.start(broker_url)
        except MqttConnectError as exc:
            fail(broker_error(exc, broker_url, option))
        except (MqttError, OSError, ValueError) as exc:
            fail(f"cannot start the fleet: {exc}")
        try:
            faulty = [f"{d.fault.name}:{d.urn}" for d in fleet.devices if d.fault is not None]
            _say(f"devices   {len(fleet.devices)} x {profile}, seed {fleet.seed}"
                 + (f", {len(faulty)} faulty" if faulty else ""))
            for line in faulty:
                _say(f"  fault   {line}")
            _say(f"trust     {fleet.trust_dir}" + ("" if ca else " (temporary; use --ca DIR "
                                                        "to keep it)"))
            if manifest is not None:
                _say(f"manifest  {Path(manifest)}")
            _say("mdns      " + (f"_devid._tcp on {interface}" if interface else "off"))
            _say("running; Ctrl-C stops" if duration is None else f"running for {duration:g} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
        finally:
            await fleet.stop()
        _say("stopped (status offline published)")


def register(root: click.Group) -> None:
    """Add ``devid simulate`` to ``root``."""

    @root.command("simulate")
    @click.option("--profile", "profile", required=True, metavar="ID",
                  help="Profile of the simulated devices, e.g. env-sensor/1.")
    @click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Number of devices (URNs).")
    @click.option("--broker", "broker_url", metavar="URL",
                  help="mqtt://host:port or mqtts://host:port; default: an embedded broker "
                       "(Mosquitto if installed, else amqtt). Credentials come from "
                       "DEVID_MQTT_USERNAME/DEVID_MQTT_PASSWORD or the MQTT config file.")
    @click.option("--ca", "ca", metavar="DIR", type=click.Path(file_okay=False),
                  help="The simulator's PKI, created on first use; DIR/trust/ holds the "
                       "anchor for --trust. Default: a temporary folder.")
    @click.option("--faults", metavar="NAME:K,...",
                  help="K devices with fault NAME, e.g. range:2,no-ack:1 (see docs/simulator.md).")
    @click.option("--seed", type=int, help="Make URNs, keys, faults and values reproducible.")
    @click.option("--interval", type=click.FloatRange(min=0.01), metavar="SECONDS",
                  help="Seconds between state messages (default: half the heartbeat).")
    @click.option("--duration", type=click.FloatRange(min=0), metavar="SECONDS",
                  help="Stop after this many seconds (default: run until Ctrl-C/SIGTERM).")
    @click.option("--manifest", type=click.Path(dir_okay=False), metavar="FILE",
                  help='Write the ground truth as JSON: [{"urn", "profile", "faults"}].')
    @click.option("--interface", default="127.0.0.1", show_default=True, metavar="IP",
                  help="Interface address to advertise _devid._tcp on: an IPv4/IPv6 "
                       "address of this machine.")
    @click.option("--no-mdns", is_flag=True, help="Do not advertise over mDNS.")
    def simulate(*, profile: str, count: int, broker_url: str | None, ca: str | None,
                 faults: str | None, seed: int | None, interval: float | None,
                 duration: float | None, manifest: str | None, interface: str,
                 no_mdns: bool) -> None:
        """Run COUNT simulated devices of a profile, with optional faults.

        Each device has its own key, certificate and identity token, publishes status
        (online; offline as its Last Will), identity and state (retained), acks commands
        and answers challenges. Stops cleanly on Ctrl-C or SIGTERM.
        """
        from simulator import parse_faults

        settings = check_broker(broker_url)
        try:
            parse_faults(faults)
        except ValueError as exc:
            fail(f"--faults: {exc}")
        if not no_mdns:
            interface = check_interface(interface)
        asyncio.run(_run(profile=profile, count=count, broker_url=broker_url, ca=ca,
                         faults=faults, seed=seed, interval=interval, duration=duration,
                         manifest=manifest, interface=None if no_mdns else interface,
                         settings=settings))
