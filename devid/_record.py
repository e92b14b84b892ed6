"""``devid record``: capture a live MQTT session into a capture file (spec §6).

The ``retain`` field of each line must be the flag *as the device published it*:

* MQTT 5: the subscription asks for Retain As Published, so the broker forwards
  the publisher's flag unchanged.
* MQTT 3.1.1 (e.g. amqtt): a broker clears the flag on messages it forwards live
  and sets it only on stored messages sent to a new subscription. The recorder
  therefore infers it: when a topic is first seen live, a second connection
  subscribes afresh to that exact topic and looks at the retained message the
  broker holds for it. The live message was published retained when the stored
  payload is one the recorder saw live on that topic (a message retained before
  the recording does not count); the answer is kept for the topic. Stored messages
  sent for the recorder's own subscription keep their flag (they were retained).
  The capture header then says ``"retain_inferred": true``.

Lines are written in the order messages arrive (a line whose topic is being probed
waits for its answer) and each is flushed, so an interrupted recording keeps
everything received so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from devid._capture import CapturedMessage, CaptureHeader, CaptureOutage, CaptureWriter
from devid._mqtt import Message, MqttClient, MqttError, MqttSettings

DEFAULT_FILTER = "devid/1/#"
#: How long a probe waits, after its SUBACK, for the broker's retained message.
PROBE_WAIT_S = 0.3
PROBE_CONCURRENCY = 64


@dataclass
class RecordResult:
    """What a recording did: message count, negotiated protocol, retain inference."""

    messages: int = 0
    protocol: str = ""
    retain_inferred: bool = False
    topics: set[str] = field(default_factory=set)
    probes: int = 0
    outages: int = 0  # times the broker went away during the recording


class _RetainProber:
    """Infers per topic whether a device publishes it retained (MQTT 3.1.1 only)."""

    def __init__(self, client: MqttClient) -> None:
        self.client = client
        self.known: dict[str, bool] = {}
        self.live: dict[str, set[bytes]] = {}
        self.pending: dict[str, asyncio.Future[bool]] = {}
        self._stored: dict[str, list[bytes]] = {}
        self._gate = asyncio.Semaphore(PROBE_CONCURRENCY)
        self._reader: asyncio.Task[None] | None = None
        self.count = 0

    def start(self) -> None:
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.client.messages:
            if message.retain and message.topic in self._stored:
                self._stored[message.topic].append(message.payload)

    def saw_live(self, topic: str, payload: bytes) -> None:
        seen = self.live.setdefault(topic, set())
        if len(seen) < 64:
            seen.add(payload)

    def verdict(self, topic: str) -> asyncio.Future[bool]:
        fut = self.pending.get(topic)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            self.pending[topic] = fut
            asyncio.get_running_loop().create_task(self._probe(topic, fut))
        return fut

    async def _probe(self, topic: str, fut: asyncio.Future[bool]) -> None:
        retained = False
        async with self._gate:
            self.count += 1
            self._stored[topic] = []
            for _attempt in range(3):  # a dropped probe connection reconnects: try again
                try:
                    await self.client.subscribe(topic, qos=0)
                except (MqttError, TimeoutError):
                    for _ in range(20):
                        if self.client.connected:
                            break
                        await asyncio.sleep(0.1)
                    continue
                await asyncio.sleep(PROBE_WAIT_S)
                with contextlib.suppress(MqttError, TimeoutError):
                    await self.client.unsubscribe(topic)
                break
            stored = self._stored.pop(topic, [])
            seen = self.live.get(topic, set())
            retained = any(p in seen for p in stored)
        self.known[topic] = retained
        self.pending.pop(topic, None)
        if not fut.done():
            fut.set_result(retained)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


async def record(
    broker_url: str,
    out: IO[str] | Callable[[], IO[str]],
    *,
    topic_filter: str | Sequence[str] = DEFAULT_FILTER,
    duration: float | None = None,
    stop: asyncio.Event | None = None,
    settings: MqttSettings | None = None,
    ready: asyncio.Event | None = None,
    on_message: Callable[[CapturedMessage], None] | None = None,
    on_outage: Callable[[CaptureOutage], None] | None = None,
) -> RecordResult:
    """Record ``topic_filter`` on ``broker_url`` into ``out`` until ``duration`` or ``stop``.

    ``topic_filter`` is one MQTT filter or several (``("devid/1/#", "homeassistant/#")``).

    ``out`` is a text file, or a callable that opens one: it is called only once the
    broker has accepted the connection (so a failed connection leaves no empty file).
    ``ready`` is set once the subscription is in place. When the broker goes away the
    client reconnects (with backoff) and resubscribes; the outage is written into the
    capture as two marker lines (``{"t", "outage": "lost"|"regained"}``, spec §6) so
    ``devid check`` does not blame devices for it, and ``on_outage`` hears of each. Raises
    :class:`~devid._mqtt.MqttConnectError` when the broker cannot be reached.
    """
    filters = [topic_filter] if isinstance(topic_filter, str) else list(topic_filter)
    result = RecordResult()
    stop = stop if stop is not None else asyncio.Event()
    started = time.time()
    async with MqttClient(broker_url, settings=settings, clean_start=True) as client:
        result.protocol = client.protocol or ""
        result.retain_inferred = client.protocol != "5"
        header = CaptureHeader(broker=client.address.url, tls=client.address.tls,
                               started=started, retain_inferred=result.retain_inferred,
                               extra={"protocol": result.protocol,
                                      "topic": filters[0] if len(filters) == 1 else filters})
        writer = CaptureWriter(out() if callable(out) else out, header)
        prober: _RetainProber | None = None
        probe_client: MqttClient | None = None
        queue: asyncio.Queue[
            tuple[Message | CaptureOutage, asyncio.Future[bool] | None, bool] | None] = \
            asyncio.Queue()

        def outage(state: str, reason: str = "") -> None:
            marker = CaptureOutage(time.time(), state, reason)
            result.outages += state == "lost"
            queue.put_nowait((marker, None, False))

        client.on_connection_lost = lambda reason: outage("lost", reason)
        client.on_reconnect = lambda: outage("regained")

        def emit(message: Message, retain: bool) -> None:
            captured = CapturedMessage(message.t, message.topic, message.payload, message.qos,
                                       retain)
            writer.write(captured)
            result.messages += 1
            result.topics.add(message.topic)
            if on_message is not None:
                on_message(captured)

        async def write_in_order() -> None:
            while True:
                item = await queue.get()
                if item is None:
                    return
                message, fut, retain = item
                if isinstance(message, CaptureOutage):
                    writer.write_outage(message)
                    if on_outage is not None:
                        on_outage(message)
                    continue
                if fut is not None:
                    try:
                        retain = await asyncio.wait_for(asyncio.shield(fut), 5.0)
                    except TimeoutError:
                        retain = False
                emit(message, retain)

        async def receive() -> None:
            async for message in client.messages:
                if prober is None or message.retain:
                    # 3.1.1: retain=1 only on a stored message sent for our subscription
                    queue.put_nowait((message, None, message.retain))
                    continue
                prober.saw_live(message.topic, message.payload)
                known = prober.known.get(message.topic)
                if known is not None:
                    queue.put_nowait((message, None, known))
                else:
                    queue.put_nowait((message, prober.verdict(message.topic), False))

        try:
            if result.retain_inferred:
                # connected before the recording subscribes (the receiver needs it), but
                # amqtt may drop a connection that races another client's SUBSCRIBE: the
                # probe client reconnects and probes retry.
                probe_client = MqttClient(broker_url, settings=settings, protocol="3.1.1")
                await probe_client.connect()
                prober = _RetainProber(probe_client)
                prober.start()
        except BaseException:
            if probe_client is not None:
                await probe_client.close()
            raise
        writer_task = asyncio.get_running_loop().create_task(write_in_order())
        receiver = asyncio.get_running_loop().create_task(receive())
        try:
            for one in filters:
                await client.subscribe(one, qos=2, retain_as_published=True)
            if ready is not None:
                ready.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
            queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await writer_task
            if prober is not None:
                result.probes = prober.count
                await prober.close()
            if probe_client is not None:
                await probe_client.close()
    return result


__all__ = ["DEFAULT_FILTER", "RecordResult", "record"]
