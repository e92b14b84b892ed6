"""``devid record``: capture a live MQTT session for ``devid check`` (spec §6)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from devid.cli._common import broker_error, check_broker, fail

if TYPE_CHECKING:
    from devid._mqtt import MqttSettings

#: Seconds between two updates of the live message count (TTY only).
_REFRESH_S = 0.1


def _note(text: str) -> None:
    click.echo(text, err=True)
    sys.stderr.flush()


class _Counter:
    """The live message count: a rich status line on a terminal, nothing otherwise."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.count = 0
        self._status: Any = None
        self._shown = -1

    def start(self) -> None:
        if self.live and self._status is None:
            from rich.console import Console

            self._status = Console(stderr=True).status(self._text())
            self._status.start()

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _text(self) -> str:
        return f"recording: {self.count} message{'' if self.count == 1 else 's'}"

    def message(self, _captured: object) -> None:
        self.count += 1

    async def show(self) -> None:
        """Update the status line every :data:`_REFRESH_S` seconds (until cancelled)."""
        while True:
            if self._status is not None and self._shown != self.count:
                self._shown = self.count
                self._status.update(self._text())
            await asyncio.sleep(_REFRESH_S)


async def _run(broker_url: str, out: IO[str] | Callable[[], IO[str]], *,
               out_name: str, duration: float | None, topic: tuple[str, ...],
               settings: MqttSettings,
               live: bool) -> None:
    from devid._capture import CaptureOutage
    from devid._mqtt import MqttConnectError, MqttError
    from devid._record import record

    stop = asyncio.Event()
    ready = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    counter = _Counter(live)

    async def announce() -> None:
        await ready.wait()
        _note(f"broker    {broker_url}")
        _note(f"output    {out_name}")
        _note(f"topic     {', '.join(topic)}")
        _note("recording; Ctrl-C stops" if duration is None
              else f"recording for {duration:g} s (Ctrl-C stops sooner)")
        counter.start()
        if live:
            await counter.show()

    announcer = loop.create_task(announce())
    try:
        lost_at: list[float] = []

        def on_outage(marker: CaptureOutage) -> None:
            if marker.state == "lost":
                lost_at.append(marker.t)
                why = f" ({marker.reason})" if marker.reason else ""
                _note(f"devid record: lost the broker{why}; reconnecting with backoff")
            else:
                gone = marker.t - lost_at[-1] if lost_at else 0.0
                _note(f"devid record: broker back after {gone:.1f} s; the outage is marked "
                      "in the capture")

        result = await record(broker_url, out, topic_filter=topic, duration=duration,
                              stop=stop, settings=settings, ready=ready,
                              on_message=counter.message, on_outage=on_outage)
    except MqttConnectError as exc:
        fail(broker_error(exc, broker_url))
    except (MqttError, OSError) as exc:
        fail(f"--broker: {broker_url}: {exc}")
    finally:
        counter.stop()
        announcer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await announcer
    note = " (retain flags inferred: MQTT 3.1.1)" if result.retain_inferred else ""
    if result.outages:
        note += f"; the broker went away {result.outages} time(s), marked in the capture"
    _note(f"devid record: {result.messages} messages on {len(result.topics)} topics, "
          f"MQTT {result.protocol}{note}")


def filter_problem(text: str) -> str | None:
    """Why ``text`` is not an MQTT topic filter (MQTT 5 §4.7), or None."""
    if not text:
        return "it is empty"
    if "\x00" in text:
        return "it holds a NUL character"
    if len(text.encode("utf-8", "surrogatepass")) > 65535:
        return "it is longer than 65,535 bytes"
    levels = text.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return "'#' must be a whole level and the last one (e.g. 'devid/1/#')"
        if "+" in level and level != "+":
            return "'+' must be a whole level (e.g. 'devid/1/+/state')"
    return None


def register(root: click.Group) -> None:
    """Add ``devid record`` to ``root``."""

    @root.command("record")
    @click.option("--broker", "broker_url", required=True, metavar="URL",
                  help="mqtt://host:port or mqtts://host:port. Credentials come from "
                       "DEVID_MQTT_USERNAME/DEVID_MQTT_PASSWORD or the MQTT config file.")
    @click.option("--out", "out_path", required=True, metavar="FILE",
                  type=click.Path(dir_okay=False, allow_dash=True),
                  help="The capture file to write (JSON Lines; '-' for stdout).")
    @click.option("--duration", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                  help="Stop after this many seconds (more than 0; default: until "
                       "Ctrl-C/SIGTERM).")
    @click.option("--topic", multiple=True, default=("devid/1/#",), show_default=True,
                  metavar="FILTER",
                  help="MQTT topic filter to record; repeatable. Home Assistant devices "
                       "publish state on topics of their own: record them with '#' (or "
                       "'homeassistant/#' plus their base topics, e.g. 'zigbee2mqtt/#'); "
                       "Homie with 'homie/#'.")
    @click.option("--force", is_flag=True,
                  help="Overwrite FILE if it exists (without it, an existing capture is kept "
                       "and the command stops).")
    def record_cmd(broker_url: str, out_path: str, duration: float | None,
                   topic: tuple[str, ...], force: bool) -> None:
        """Record the messages on a broker into a capture file for `devid check`.

        The header line names the broker and whether the session used TLS. Each line's
        retain flag is the one the device published with (MQTT 5: Retain As Published;
        MQTT 3.1.1: inferred, and the header says so). Every line is flushed as it is
        written: Ctrl-C keeps everything recorded so far.

        Once subscribed it says so on stderr (broker, output file, topic, how long); on a
        terminal a status line counts the messages as they arrive. The last line on stderr
        is the total.

        \b
        Which filters:
          devid/1 devices        --topic 'devid/1/#' (the default)
          Home Assistant         --topic '#' (configs and the state topics they name)
          Homie                  --topic 'homie/#'
          a whole home           --topic '#'
        """
        settings = check_broker(broker_url)
        for one in topic:
            problem = filter_problem(one)
            if problem is not None:
                fail(f"--topic: {one!r} is not an MQTT topic filter: {problem}")
        live = sys.stderr.isatty()
        if out_path == "-":
            asyncio.run(_run(broker_url, sys.stdout, out_name="stdout", duration=duration,
                             topic=topic, settings=settings, live=live))
            return
        parent = Path(out_path).parent
        if not parent.is_dir():
            fail(f"{out_path}: no such directory {str(parent)!r}")
        if Path(out_path).exists() and not force:
            fail(f"--out: {out_path} exists; give --force to overwrite it")
        opened: list[IO[str]] = []

        def open_out() -> IO[str]:  # once the broker has answered: no empty file on failure
            try:
                fh = open(out_path, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                fail(f"{out_path}: {exc.strerror or exc}")
            opened.append(fh)
            return fh

        try:
            asyncio.run(_run(broker_url, open_out, out_name=out_path, duration=duration,
                             topic=topic, settings=settings, live=live))
        finally:
            for fh in opened:
                fh.close()
