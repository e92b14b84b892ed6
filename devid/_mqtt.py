"""An asyncio MQTT client over paho-mqtt 2.x, shaped like aiomqtt 2.x.

```
async with MqttClient("mqtt://127.0.0.1:1883") as client:
    await client.subscribe("devid/1/#", qos=1, retain_as_published=True)
    await client.publish("devid/1/x/state", b"...", qos=1, retain=True)
    async for message in client.messages:
        ...
```

Design:

* paho's socket is driven by the running event loop (``add_reader``; writes are
  flushed from a ``call_soon`` callback and fall back to ``add_writer`` only when
  the socket buffer is full). No paho thread. The blocking TCP/TLS connect runs in
  the default executor; the socket callbacks paho fires there are marshalled back
  onto the loop.
* Each publish or subscribe is a future keyed by its message id. paho's types
  (``MQTTMessage``, ``ReasonCode``) are converted at the boundary into the frozen
  :class:`Message` and into plain ints.
* ``protocol="auto"`` tries MQTT 5 and falls back to 3.1.1 when the broker refuses
  it (amqtt answers a v5 CONNECT with "unacceptable protocol version");
  :attr:`MqttClient.protocol` says what was negotiated (``"5"`` or ``"3.1.1"``).
* An unexpected disconnect reconnects with exponential backoff (0.1 s doubling to
  30 s, with jitter) and restores the subscriptions; messages received in the
  meantime are lost (QoS 0) or redelivered by the broker (QoS > 0, persistent session).
  ``on_connection_lost(reason)`` is called (soon, on the loop) when the connection
  drops, ``on_reconnect()`` once it is back; :attr:`MqttClient.lost_reason` keeps the
  last reason (``"connection lost"``, ``"broker disconnected: Server shutting down"``).
* ``mqtts://`` verifies the broker's certificate by default (system store, or
  ``ca_file``); a client certificate comes from ``cert_file``/``key_file``.
* Credentials are never taken from a URL or the command line: see
  :func:`load_settings` (environment ``DEVID_MQTT_USERNAME``/``DEVID_MQTT_PASSWORD``,
  or the TOML file ``DEVID_MQTT_CONFIG`` / ``~/.config/devid/mqtt.toml``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import ssl
import threading
import time
import tomllib
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

Protocol = Literal["auto", "5", "3.1.1"]

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
CONFIG_ENV = "DEVID_MQTT_CONFIG"
USERNAME_ENV = "DEVID_MQTT_USERNAME"
PASSWORD_ENV = "DEVID_MQTT_PASSWORD"  # noqa: S105 (the variable's name, not a password)
DEFAULT_CONFIG = Path("~/.config/devid/mqtt.toml")

_BACKOFF_MIN = 0.1
_BACKOFF_MAX = 30.0
_UNSUPPORTED_PROTOCOL = 132  # MQTT 5 reason code "Unsupported Protocol Version"
_client_ids = itertools.count(1)
#: What each broker negotiated under protocol="auto", per event loop (so the other clients
#: of a fleet skip the probe). Per loop, not per process: a later run may find another
#: broker on the same port, and a 3.1.1 answer must not stop it from getting MQTT 5.
_NEGOTIATED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[BrokerAddress, str]] = \
    weakref.WeakKeyDictionary()


def _negotiated() -> dict[BrokerAddress, str]:
    return _NEGOTIATED.setdefault(asyncio.get_running_loop(), {})


class MqttError(Exception):
    """An MQTT operation failed (not connected, refused, timed out, closed)."""


class MqttConfigError(ValueError):
    """The MQTT config file is missing, unreadable or wrong. The message is one line that
    names the file (``MQTT config PATH: ...``)."""


class MqttConnectError(MqttError):
    """The broker could not be reached or refused the connection. ``reason`` is short text.

    The message does not repeat the broker URL (callers prefix it once, e.g.
    ``f"{url}: {exc}"``); ``url`` holds it (``""`` when unknown).
    """

    def __init__(self, message: str, reason: str = "", url: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message
        self.url = url


@dataclass(frozen=True, slots=True)
class Message:
    """A received message: ``t`` is the local receive time (Unix seconds).

    ``retain`` is the flag on the message as delivered: on MQTT 5 with
    ``retain_as_published`` it is the publisher's flag; otherwise it is true only
    for a retained message sent because of a new subscription.
    """

    topic: str
    payload: bytes
    qos: int
    retain: bool
    t: float


@dataclass(frozen=True, slots=True)
class Will:
    """The Last Will the broker publishes when the connection drops without DISCONNECT."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """A parsed broker URL."""

    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        return self.scheme == "mqtts"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Connection settings that never come from the command line: credentials and TLS files.

    ``tls_insecure`` turns off certificate verification (config file only; for labs).
    """

    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    tls_insecure: bool = False


def parse_url(url: str) -> BrokerAddress:
    """Parse ``mqtt://host[:port]`` or ``mqtts://host[:port]``.

    Raises ``ValueError`` for another scheme, a missing host, a bad port, or
    credentials in the URL (they must come from the environment or a config file).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a broker URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"broker URL must start with mqtt:// or mqtts://, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "credentials in the broker URL are not accepted: set "
            f"{USERNAME_ENV}/{PASSWORD_ENV} or use the config file ({CONFIG_ENV})"
        )
    if not parts.hostname:
        raise ValueError(f"broker URL has no host: {url!r}")
    return BrokerAddress(scheme, parts.hostname, port if port else DEFAULT_PORTS[scheme])


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The MQTT config file devid reads: ``$DEVID_MQTT_CONFIG`` or ``~/.config/devid/mqtt.toml``."""
    env = os.environ if env is None else env
    raw = env.get(CONFIG_ENV)
    return Path(raw).expanduser() if raw else DEFAULT_CONFIG.expanduser()


#: The keys the MQTT config file may hold.
CONFIG_KEYS = ("username", "password", "ca_file", "cert_file", "key_file", "tls_insecure")
_CONFIG_MAX = 1 << 20


def _file_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "not a regular file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def _read_config(path: Path) -> dict[str, Any]:
    where = f"MQTT config {path}"
    try:
        if path.exists() and not path.is_file():
            raise MqttConfigError(f"{where}: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(_CONFIG_MAX + 1)
    except OSError as exc:
        raise MqttConfigError(f"{where}: {_file_problem(exc)}") from None
    if len(raw) > _CONFIG_MAX:
        raise MqttConfigError(f"{where}: larger than 1 MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MqttConfigError(f"{where}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MqttConfigError(f"{where}: not valid TOML: {exc}") from None
    for key in data:
        if key not in CONFIG_KEYS:
            raise MqttConfigError(
                f"{where}: unknown key {key!r} (valid keys: {', '.join(CONFIG_KEYS)})")
    return data


def load_settings(env: Mapping[str, str] | None = None) -> MqttSettings:
    """Credentials and TLS files: the config file, overridden by the environment.

    The TOML file may hold ``username``, ``password``, ``ca_file``, ``cert_file``,
    ``key_file`` and ``tls_insecure`` (:data:`CONFIG_KEYS`; any other key is an error).
    A file named by ``DEVID_MQTT_CONFIG`` that is missing, unreadable, not a regular
    file or not TOML raises :class:`MqttConfigError` (a ``ValueError``) whose one-line
    message names the file; the default file may be absent.
    """
    env = os.environ if env is None else env
    path = config_path(env)
    data: dict[str, Any] = {}
    if path.exists() or env.get(CONFIG_ENV):
        data = _read_config(path)
    strings = {}
    for key in ("username", "password", "ca_file", "cert_file", "key_file"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise MqttConfigError(f"MQTT config {path}: {key} must be a string")
        strings[key] = value
    insecure = data.get("tls_insecure", False)
    if not isinstance(insecure, bool):
        raise MqttConfigError(f"MQTT config {path}: tls_insecure must be true or false")
    for key in ("ca_file", "cert_file", "key_file"):
        raw = strings[key]
        if raw:
            strings[key] = str(Path(raw).expanduser())
    settings = MqttSettings(tls_insecure=insecure, **strings)
    if env.get(USERNAME_ENV):
        settings = replace(settings, username=env[USERNAME_ENV])
    if PASSWORD_ENV in env:
        settings = replace(settings, password=env[PASSWORD_ENV])
    return settings


def _reason_value(rc: Any) -> int:
    value = getattr(rc, "value", rc)
    return int(value) if isinstance(value, int) else 0


def _reason_text(rc: Any) -> str:
    name = getattr(rc, "getName", None)
    return str(name()) if callable(name) else str(rc)


def _lost_reason(flags: Any, rc: Any) -> str:
    """Why an established connection dropped, in a few words."""
    text = _reason_text(rc)
    if getattr(flags, "is_disconnect_packet_from_server", False):
        return f"broker disconnected: {text}"
    if text == "Keep alive timeout":
        return "no answer from the broker within the keepalive"
    return "connection lost"


class _Messages:
    """``client.messages``: an async iterator over received messages."""

    def __init__(self, client: MqttClient) -> None:
        self._client = client

    def __aiter__(self) -> _Messages:
        return self

    async def __anext__(self) -> Message:
        item = await self._client._queue.get()
        if item is None:
            self._client._queue.put_nowait(None)  # let other iterators end too
            raise StopAsyncIteration
        return item

    def qsize(self) -> int:
        return self._client._queue.qsize()


class MqttClient:
    """An MQTT client session for ``async with`` (see the module docstring).

    ``settings`` defaults to :func:`load_settings` (environment / config file);
    ``ca_file``, ``cert_file`` and ``key_file`` override it. ``clean_start=False``
    asks the broker to keep the session (and its subscriptions) across reconnects.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        will: Will | None = None,
        keepalive: int = 60,
        protocol: Protocol = "auto",
        settings: MqttSettings | None = None,
        ca_file: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        clean_start: bool = True,
        reconnect: bool = True,
        connect_timeout: float = 10.0,
        max_inflight: int = 100,
    ) -> None:
        self.address = parse_url(url)
        base = settings if settings is not None else load_settings()
        if ca_file is not None:
            base = replace(base, ca_file=ca_file)
        if cert_file is not None:
            base = replace(base, cert_file=cert_file)
        if key_file is not None:
            base = replace(base, key_file=key_file)
        if base.key_file and not base.cert_file:
            raise ValueError("a client key needs a client certificate (cert_file)")
        if protocol not in ("auto", "5", "3.1.1"):
            raise ValueError(f"protocol must be auto, 5 or 3.1.1, not {protocol!r}")
        self.settings = base
        self.client_id = client_id or f"devid-{os.getpid()}-{next(_client_ids)}-" \
            f"{random.getrandbits(32):08x}"
        self.will = will
        self.keepalive = keepalive
        self.requested_protocol: Protocol = protocol
        self.clean_start = clean_start
        self.reconnect = reconnect
        self.connect_timeout = connect_timeout
        self.max_inflight = max_inflight
        self.protocol: str | None = None
        self.messages = _Messages(self)
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._paho: paho.Client | None = None
        self._fd: int | None = None
        self._writer_fd: int | None = None
        self._write_scheduled = False
        self._connecting = False
        self.on_reconnect: Callable[[], None] | None = None
        #: Called (via ``call_soon``) with a short reason when an established connection
        #: drops unexpectedly; a reconnect (when enabled) is already under way.
        self.on_connection_lost: Callable[[str], None] | None = None
        self.lost_reason = ""
        self._misc_handle: asyncio.TimerHandle | None = None
        self._connack: asyncio.Future[tuple[int, str, bool]] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._pending_acks: set[int] = set()  # mids of subscribe/unsubscribe in flight
        self._subscriptions: dict[str, tuple[int, bool, bool]] = {}
        self._connected = False
        self._closing = False
        self._closed = False
        self._disconnected: asyncio.Event | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self.reconnects = 0
        self._ssl: ssl.SSLContext | None = None

    # -- lifecycle -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    async def __aenter__(self) -> MqttClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect (trying MQTT 5 first under ``protocol="auto"``)."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._disconnected = asyncio.Event()
        if self.address.tls:
            self._ssl = self._ssl_context()
        order = {"auto": ("5", "3.1.1"), "5": ("5",), "3.1.1": ("3.1.1",)}[
            self.requested_protocol]
        negotiated = _negotiated()
        if self.requested_protocol == "auto" and self.address in negotiated:
            try:
                await self._connect_once(negotiated[self.address])
                return
            except MqttConnectError as exc:
                self._teardown()
                if exc.reason not in ("protocol", "closed", "timeout"):
                    raise
                negotiated.pop(self.address, None)  # another broker on that port now
        if self.requested_protocol == "auto":
            known = negotiated.get(self.address)
            if known is None and self.will is not None:
                # A broker that only speaks 3.1.1 may choke on a v5 CONNECT carrying a
                # Will (amqtt waits for bytes that never come): probe without one.
                known = await self._probe()
            if known is not None:
                order = (known,)
        last: MqttConnectError | None = None
        for proto in order:
            try:
                await self._connect_once(proto)
            except MqttConnectError as exc:
                last = exc
                self._teardown()
                if proto == "5" and len(order) > 1 and exc.reason in (
                        "protocol", "closed"):
                    continue
                raise
            if self.requested_protocol == "auto":
                negotiated[self.address] = proto
            return
        assert last is not None
        raise last

    async def _probe(self) -> str | None:
        """Which protocol the broker speaks, by a Will-less MQTT 5 connection attempt."""
        will, timeout = self.will, self.connect_timeout
        self.will, self.connect_timeout = None, min(timeout, 5.0)
        try:
            await self._connect_once("5")
        except MqttConnectError as exc:
            if exc.reason in ("protocol", "closed"):
                _negotiated()[self.address] = "3.1.1"
                return "3.1.1"
            raise
        finally:
            self.will, self.connect_timeout = will, timeout
            client = self._paho
            if client is not None and self._connected:
                self._connected = False  # a probe's DISCONNECT must not start a reconnect
                client.disconnect()
                client.loop_write()
            self._teardown()
            self._paho, self.protocol = None, None
        _negotiated()[self.address] = "5"
        return "5"

    def _ssl_context(self) -> ssl.SSLContext:
        s = self.settings
        url = self.address.url
        for name, file in (("ca_file", s.ca_file), ("cert_file", s.cert_file),
                           ("key_file", s.key_file)):
            if not file:
                continue
            problem = ""
            try:
                if Path(file).exists() and not Path(file).is_file():
                    problem = "not a regular file"  # and never open a FIFO
                else:
                    with open(file, "rb"):
                        pass
            except OSError as exc:
                problem = _file_problem(exc)
            if problem:
                raise MqttConnectError(f"TLS setup failed: {name} {file}: {problem}", "tls",
                                       url)
        try:
            ctx = ssl.create_default_context(cafile=s.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise MqttConnectError(f"TLS setup failed: ca_file {s.ca_file}: {exc}", "tls",
                                   url) from None
        try:
            if s.cert_file:
                ctx.load_cert_chain(s.cert_file, s.key_file)
        except (OSError, ssl.SSLError) as exc:
            files = f"{s.cert_file}" + (f" / key_file {s.key_file}" if s.key_file else "")
            raise MqttConnectError(f"TLS setup failed: cert_file {files}: {exc}", "tls",
                                   url) from None
        if s.tls_insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _make_paho(self, proto: str) -> paho.Client:
        version = MQTTProtocolVersion.MQTTv5 if proto == "5" else MQTTProtocolVersion.MQTTv311
        kwargs: dict[str, Any] = {}
        if proto != "5":
            kwargs["clean_session"] = self.clean_start
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=version,
            reconnect_on_failure=False,
            **kwargs,
        )
        client.max_inflight_messages_set(self.max_inflight)
        client.max_queued_messages_set(0)
        client.connect_timeout = self.connect_timeout
        if self.settings.username is not None:
            client.username_pw_set(self.settings.username, self.settings.password)
        if self._ssl is not None:
            client.tls_set_context(self._ssl)
            if self.settings.tls_insecure:
                client.tls_insecure_set(True)
        if self.will is not None:
            client.will_set(self.will.topic, self.will.payload, self.will.qos, self.will.retain)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        client.on_unsubscribe = self._on_unsubscribe
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        return client

    async def _connect_once(self, proto: str) -> None:
        assert self._loop is not None
        url = self.address.url
        self._paho = client = self._make_paho(proto)
        self._write_scheduled = False
        self._connack = self._loop.create_future()
        kwargs: dict[str, Any] = {}
        if proto == "5":
            kwargs["clean_start"] = self.clean_start
            if not self.clean_start:
                props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
                props.SessionExpiryInterval = 3600
                kwargs["properties"] = props
        try:
            await self._blocking(client, lambda: client.connect(
                self.address.host, self.address.port, self.keepalive, **kwargs))
        except ssl.SSLCertVerificationError as exc:
            raise MqttConnectError(
                f"TLS certificate verification failed: {exc.verify_message or exc}", "tls",
                url) from None
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise MqttConnectError(f"cannot connect: {exc}", "unreachable", url) from None
        try:
            rc, text, _present = await asyncio.wait_for(
                asyncio.shield(self._connack), self.connect_timeout)
        except TimeoutError:
            raise MqttConnectError(f"no CONNACK within {self.connect_timeout:g} s", "timeout",
                                   url) from None
        if rc == -1:
            raise MqttConnectError("connection closed before CONNACK", "closed", url)
        if rc != 0:
            reason = "protocol" if rc in (_UNSUPPORTED_PROTOCOL, 1) else "refused"
            raise MqttConnectError(f"connection refused: {text}", reason, url)
        self.protocol = proto

    async def _blocking(self, client: paho.Client, call: Callable[[], Any]) -> None:
        """Run paho's blocking connect/reconnect in the executor; the loop keeps its hands
        off that client meanwhile, then flushes what paho queued (the CONNECT)."""
        assert self._loop is not None
        self._connecting = True
        try:
            await self._loop.run_in_executor(None, call)
        finally:
            self._connecting = False
        if client is self._paho and client.want_write():
            self._write_scheduled = False
            self._schedule_write(client)

    async def close(self) -> None:
        """Disconnect cleanly (the broker discards the Will) and end ``messages``."""
        if self._closed:
            return
        self._closing = True
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reconnect_task
        client = self._paho
        if client is not None and self._connected and self._disconnected is not None:
            self._disconnected.clear()
            client.disconnect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._disconnected.wait(), 2.0)
        self._teardown()
        self._closed = True
        self._fail_pending(MqttError("client closed"))
        self._queue.put_nowait(None)

    def _teardown(self) -> None:
        self._connected = False
        if self._misc_handle is not None:
            self._misc_handle.cancel()
            self._misc_handle = None
        client = self._paho
        if client is not None:
            # Close the socket ourselves: no more callbacks from this paho client.
            client.on_socket_close = None
            client.on_socket_unregister_write = None
            client.on_disconnect = None
            with contextlib.suppress(Exception):
                client._sock_close()
        self._unregister_fd()

    def abort(self) -> None:
        """Drop the TCP connection without DISCONNECT (the broker then publishes the Will).

        For tests and fault injection; the client does not reconnect afterwards.
        """
        self._closing = True
        self._teardown()
        self._closed = True
        self._fail_pending(MqttError("client aborted"))
        self._queue.put_nowait(None)

    # -- operations ------------------------------------------------------------------

    def _require(self) -> paho.Client:
        if self._closed or self._paho is None:
            raise MqttError("client is closed")
        return self._paho

    async def publish(self, topic: str, payload: bytes, *, qos: int = 0,
                      retain: bool = False, wait: bool = True) -> None:
        """Publish; with ``wait`` returns once written (QoS 0) or acknowledged (QoS 1/2).

        Raises :class:`MqttError` when not connected (a QoS 0 message is then lost;
        QoS 1/2 messages are queued by paho up to ``max_inflight``).
        """
        client = self._require()
        if not self._connected and qos == 0:
            raise MqttError("not connected")
        info = client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN) or (
                info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN and qos == 0):
            raise MqttError(f"publish failed: {paho.error_string(info.rc)}")
        if not wait or info.is_published():
            return
        assert self._loop is not None
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._pending[info.mid] = fut
        await fut

    def publish_nowait(self, topic: str, payload: bytes, *, qos: int = 0,
                       retain: bool = False) -> None:
        """Queue a publish without waiting for it (raises :class:`MqttError` if offline)."""
        client = self._require()
        if not self._connected:
            raise MqttError("not connected")
        info = client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise MqttError(f"publish failed: {paho.error_string(info.rc)}")

    async def subscribe(self, topic_filter: str, *, qos: int = 0,
                        retain_as_published: bool = False, no_local: bool = False) -> int:
        """Subscribe; returns the granted QoS. Raises :class:`MqttError` if refused.

        ``retain_as_published`` and ``no_local`` are MQTT 5 options; on 3.1.1 they
        are ignored (check :attr:`protocol`).
        """
        self._subscriptions[topic_filter] = (qos, retain_as_published, no_local)
        codes = await self._send_subscribe(topic_filter, qos, retain_as_published, no_local)
        granted = codes[0] if codes else 0x80
        if granted >= 0x80:
            self._subscriptions.pop(topic_filter, None)
            raise MqttError(f"subscription to {topic_filter!r} refused (reason {granted})")
        return granted

    async def _send_subscribe(self, topic_filter: str, qos: int, rap: bool,
                              no_local: bool) -> list[int]:
        client = self._require()
        if not self._connected:
            raise MqttError("not connected")
        if self.protocol == "5":
            options = SubscribeOptions(qos=qos, retainAsPublished=rap, noLocal=no_local)
            rc, mid = client.subscribe(topic_filter, options=options)
        else:
            rc, mid = client.subscribe(topic_filter, qos)
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise MqttError(f"subscribe failed: {paho.error_string(rc)}")
        assert self._loop is not None
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._pending[mid] = fut
        self._pending_acks.add(mid)
        try:
            result: list[int] = await asyncio.wait_for(fut, self.connect_timeout)
        finally:
            self._pending_acks.discard(mid)
        return result

    async def unsubscribe(self, topic_filter: str) -> None:
        client = self._require()
        self._subscriptions.pop(topic_filter, None)
        rc, mid = client.unsubscribe(topic_filter)
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise MqttError(f"unsubscribe failed: {paho.error_string(rc)}")
        assert self._loop is not None
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._pending[mid] = fut
        self._pending_acks.add(mid)
        try:
            await asyncio.wait_for(fut, self.connect_timeout)
        finally:
            self._pending_acks.discard(mid)

    # -- paho callbacks (on the loop thread, except socket ones during connect) ---------

    def _on_connect(self, client: paho.Client, _u: Any, flags: Any, rc: Any,
                    _props: Any) -> None:
        if client is not self._paho:
            return
        code = _reason_value(rc)
        if code == 0:
            self._connected = True
            if self._disconnected is not None:
                self._disconnected.clear()
        present = bool(getattr(flags, "session_present", False))
        if self._connack is not None and not self._connack.done():
            self._connack.set_result((code, _reason_text(rc), present))

    def _on_disconnect(self, client: paho.Client, _u: Any, flags: Any, rc: Any,
                       _props: Any) -> None:
        if client is not self._paho:
            return
        was = self._connected
        self._connected = False
        if self._disconnected is not None:
            self._disconnected.set()
        if self._connack is not None and not self._connack.done():
            self._connack.set_result((-1, _reason_text(rc), False))
        if was and not self._closing:
            self.lost_reason = _lost_reason(flags, rc)
            self._fail_pending(MqttError("connection lost"), keep_publishes=True)
            if self.reconnect and self._loop is not None:
                self._reconnect_task = self._loop.create_task(self._reconnect_loop())
            else:
                self._closed = True
                self._queue.put_nowait(None)
            callback = self.on_connection_lost
            if callback is not None and self._loop is not None:
                # on the loop, outside paho's callback: an error there cannot upset paho
                self._loop.call_soon(callback, self.lost_reason)

    def _on_message(self, _c: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            topic = bytes(msg._topic).decode("utf-8", "replace")
        if self.clean_start and not any(
                paho.topic_matches_sub(f, topic) for f in self._subscriptions):
            # Not asked for. amqtt 0.12 sends a newly connected client the retained
            # messages of every filter any client ever subscribed to; drop those.
            return
        self._queue.put_nowait(
            Message(topic, bytes(msg.payload), int(msg.qos), bool(msg.retain), time.time()))

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        fut = self._pending.pop(mid, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, codes: list[Any],
                      _p: Any) -> None:
        fut = self._pending.pop(mid, None)
        if fut is not None and not fut.done():
            fut.set_result([_reason_value(c) for c in codes])

    def _on_unsubscribe(self, _c: paho.Client, _u: Any, mid: int, _codes: Any,
                        _p: Any) -> None:
        fut = self._pending.pop(mid, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _fail_pending(self, exc: MqttError, keep_publishes: bool = False) -> None:
        for mid, fut in list(self._pending.items()):
            if keep_publishes and mid not in self._pending_acks:
                # QoS>0 publishes stay queued in paho and complete after reconnect;
                # subscribe/unsubscribe acks will not come.
                continue
            self._pending.pop(mid, None)
            if not fut.done():
                fut.set_exception(exc)
                fut.exception()  # mark retrieved: nobody may be awaiting it

    # -- socket plumbing ---------------------------------------------------------------

    def _on_loop(self, fn: Callable[..., None], *args: Any) -> None:
        if threading.get_ident() == self._loop_thread:
            fn(*args)
        elif self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def _on_socket_open(self, client: paho.Client, _u: Any, sock: Any) -> None:
        self._on_loop(self._register_fd, client, sock.fileno())

    def _register_fd(self, client: paho.Client, fd: int) -> None:
        if client is not self._paho or self._loop is None:
            return
        self._unregister_fd()
        self._fd = fd
        self._loop.add_reader(fd, self._do_read)
        if self._misc_handle is None:
            self._misc_handle = self._loop.call_later(1.0, self._do_misc)

    def _on_socket_close(self, client: paho.Client, _u: Any, sock: Any) -> None:
        self._on_loop(self._unregister_client, client)

    def _unregister_client(self, client: paho.Client) -> None:
        if client is self._paho:
            self._unregister_fd()

    def _unregister_fd(self) -> None:
        if self._loop is None:
            return
        if self._fd is not None:
            self._loop.remove_reader(self._fd)
            self._fd = None
        if self._writer_fd is not None:
            self._loop.remove_writer(self._writer_fd)
            self._writer_fd = None

    def _on_register_write(self, client: paho.Client, _u: Any, _sock: Any) -> None:
        self._on_loop(self._schedule_write, client)

    def _schedule_write(self, client: paho.Client) -> None:
        if client is not self._paho or self._write_scheduled or self._loop is None:
            return
        self._write_scheduled = True
        self._loop.call_soon(self._do_write, client)

    def _on_unregister_write(self, client: paho.Client, _u: Any, _sock: Any) -> None:
        self._on_loop(self._remove_writer, client)

    def _remove_writer(self, client: paho.Client) -> None:
        if client is self._paho and self._writer_fd is not None and self._loop is not None:
            self._loop.remove_writer(self._writer_fd)
            self._writer_fd = None

    def _do_read(self) -> None:
        client = self._paho
        if client is None or self._connecting:
            return
        client.loop_read()
        sock = client.socket()
        pending = getattr(sock, "pending", None)
        if sock is not None and callable(pending) and pending() > 0 and self._loop is not None:
            self._loop.call_soon(self._do_read)

    def _do_write(self, scheduled_for: paho.Client) -> None:
        client = self._paho
        if client is not scheduled_for:
            return  # a callback left over from an earlier paho client
        self._write_scheduled = False
        if client is None or self._connecting or client.socket() is None:
            return
        client.loop_write()
        if client.want_write() and self._writer_fd is None and self._fd is not None \
                and self._loop is not None:
            self._writer_fd = self._fd
            self._loop.add_writer(self._fd, self._do_write_ready)

    def _do_write_ready(self) -> None:
        client = self._paho
        if client is None or self._connecting:
            return
        client.loop_write()
        if not client.want_write() and self._writer_fd is not None and self._loop is not None:
            self._loop.remove_writer(self._writer_fd)
            self._writer_fd = None

    def _do_misc(self) -> None:
        self._misc_handle = None
        client = self._paho
        if client is None or self._loop is None or self._connecting or client.socket() is None:
            return
        client.loop_misc()
        if client.socket() is not None:
            self._misc_handle = self._loop.call_later(1.0, self._do_misc)

    # -- reconnect ------------------------------------------------------------------

    async def _reconnect_loop(self) -> None:
        assert self._loop is not None
        delay = _BACKOFF_MIN
        while not self._closing:
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, _BACKOFF_MAX)
            client = self._paho
            if client is None:
                return
            self._connack = self._loop.create_future()
            try:
                await self._blocking(client, client.reconnect)
                rc, _text, present = await asyncio.wait_for(
                    asyncio.shield(self._connack), self.connect_timeout)
            except (OSError, ssl.SSLError, ValueError, TimeoutError):
                continue
            if rc != 0:
                continue
            self.reconnects += 1
            if not present:
                for topic_filter, (qos, rap, no_local) in list(self._subscriptions.items()):
                    with contextlib.suppress(MqttError, TimeoutError):
                        await self._send_subscribe(topic_filter, qos, rap, no_local)
            if self.on_reconnect is not None:
                self.on_reconnect()
            return


@contextlib.asynccontextmanager
async def connect(url: str, **kwargs: Any) -> AsyncIterator[MqttClient]:
    """``async with connect(url) as client``: shorthand for :class:`MqttClient`."""
    async with MqttClient(url, **kwargs) as client:
        yield client


__all__ = [
    "CONFIG_KEYS",
    "BrokerAddress",
    "Message",
    "MqttClient",
    "MqttConfigError",
    "MqttConnectError",
    "MqttError",
    "MqttSettings",
    "Will",
    "config_path",
    "connect",
    "load_settings",
    "parse_url",
]
