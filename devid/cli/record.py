"""``devid record``: capture a live MQTT session for ``devid check`` (spec §6)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from devid.cli._common import fail


async def _run(broker_url: str, out: IO[str] | Callable[[], IO[str]], duration: float | None,
               topic: str) -> None:
    from devid._mqtt import MqttError
    from devid._record import record

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        result = await record(broker_url, out, topic_filter=topic, duration=duration, stop=stop)
    except (MqttError, OSError) as exc:
        fail(str(exc))
    note = " (retain flags inferred: MQTT 3.1.1)" if result.retain_inferred else ""
    click.echo(f"devid record: {result.messages} messages on {len(result.topics)} topics, "
               f"MQTT {result.protocol}{note}", err=True)


def register(root: click.Group) -> None:
    """Add ``devid record`` to ``root``."""

    @root.command("record")
    @click.option("--broker", "broker_url", required=True, metavar="URL",
                  help="mqtt://host:port or mqtts://host:port. Credentials come from "
                       "DEVID_MQTT_USERNAME/DEVID_MQTT_PASSWORD or the MQTT config file.")
    @click.option("--out", "out_path", required=True, metavar="FILE",
                  type=click.Path(dir_okay=False, allow_dash=True),
                  help="The capture file to write (JSON Lines; '-' for stdout).")
    @click.option("--duration", type=click.FloatRange(min=0), metavar="SECONDS",
                  help="Stop after this many seconds (default: until Ctrl-C/SIGTERM).")
    @click.option("--topic", default="devid/1/#", show_default=True, metavar="FILTER",
                  help="MQTT topic filter to record.")
    def record_cmd(broker_url: str, out_path: str, duration: float | None, topic: str) -> None:
        """Record the messages on a broker into a capture file for `devid check`.

        The header line names the broker and whether the session used TLS. Each line's
        retain flag is the one the device published with (MQTT 5: Retain As Published;
        MQTT 3.1.1: inferred, and the header says so). Every line is flushed as it is
        written: Ctrl-C keeps everything recorded so far.
        """
        from devid._mqtt import parse_url

        try:
            parse_url(broker_url)
        except ValueError as exc:
            fail(f"--broker: {exc}")
        if not topic or "\x00" in topic:
            fail("--topic: empty or invalid topic filter")
        if out_path == "-":
            asyncio.run(_run(broker_url, sys.stdout, duration, topic))
            return
        parent = Path(out_path).parent
        if not parent.is_dir():
            fail(f"{out_path}: no such directory {str(parent)!r}")
        opened: list[IO[str]] = []

        def open_out() -> IO[str]:  # once the broker has answered: no empty file on failure
            try:
                fh = open(out_path, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                fail(f"{out_path}: {exc.strerror or exc}")
            opened.append(fh)
            return fh

        try:
            asyncio.run(_run(broker_url, open_out, duration, topic))
        finally:
            for fh in opened:
                fh.close()
