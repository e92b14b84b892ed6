"""An MQTT broker for when the user gives none: Mosquitto if installed, else amqtt.

:func:`start_broker` (async) and :func:`broker` (blocking) pick the engine:
``"mosquitto"`` starts the ``mosquitto`` executable (found on ``PATH`` or in
``/usr/sbin``) on a free loopback port with a generated minimal configuration
(anonymous access, no persistence); ``"amqtt"`` runs the pure-Python amqtt broker
(MQTT 3.1.1 only) in-process; ``"auto"`` (the default) prefers Mosquitto.

Both yield an :class:`EmbeddedBroker` whose ``url`` is ``mqtt://127.0.0.1:<port>``
and return only once the broker accepts TCP connections. The blocking variant
runs amqtt on an event loop in a background thread, so it works from code (and
test fixtures) that has no running event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Engine = Literal["auto", "mosquitto", "amqtt"]

#: How long to wait for a broker to accept connections.
START_TIMEOUT = 10.0

_SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin")


class BrokerError(RuntimeError):
    """The embedded broker could not be started."""


@dataclass(frozen=True, slots=True)
class EmbeddedBroker:
    """A running broker: its engine (``mosquitto`` or ``amqtt``), host and port."""

    engine: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    @property
    def mqtt5(self) -> bool:
        """Whether the engine speaks MQTT 5 (Mosquitto does, amqtt does not)."""
        return self.engine == "mosquitto"


def find_mosquitto() -> str | None:
    """The path of the ``mosquitto`` executable, or ``None`` (``PATH``, then ``/usr/sbin``)."""
    found = shutil.which("mosquitto")
    if found:
        return found
    for directory in _SBIN_DIRS:
        candidate = Path(directory) / "mosquitto"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _resolve_engine(engine: Engine) -> str:
    if engine == "auto":
        return "mosquitto" if find_mosquitto() else "amqtt"
    if engine not in ("mosquitto", "amqtt"):
        raise ValueError(f"unknown broker engine {engine!r}")
    return engine


# --- Mosquitto ---------------------------------------------------------------------------


class _Mosquitto:
    """A mosquitto child process on a loopback port, with its temporary config."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None,
                 extra_config: str = "") -> None:
        exe = find_mosquitto()
        if exe is None:
            raise BrokerError("mosquitto is not installed (looked on PATH and in /usr/sbin)")
        self.exe = exe
        self.host = host
        self.port = 0
        self.fixed_port = port
        self.extra_config = extra_config
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def _spawn(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="devid-mosquitto-")
        conf = Path(self._dir.name) / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} {self.host}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n"
            "max_keepalive 65535\n" + self.extra_config,
            encoding="utf-8",
        )
        self.proc = subprocess.Popen(
            [self.exe, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self, timeout: float = START_TIMEOUT) -> None:
        last = ""
        for _attempt in range(3):  # a port taken between free_port() and bind: try another
            self.port = self.fixed_port or free_port(self.host)
            self._spawn()
            assert self.proc is not None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _accepts(self.host, self.port):
                    return
                time.sleep(0.02)
            err = b""
            if self.proc.poll() is not None and self.proc.stderr is not None:
                err = self.proc.stderr.read() or b""
            lines = err.decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else "did not accept connections"
            self.stop()
        raise BrokerError(f"mosquitto could not be started: {last}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            if proc.stderr is not None:
                proc.stderr.close()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


# --- amqtt -------------------------------------------------------------------------------


def _amqtt_config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


def _quiet_amqtt() -> None:
    # amqtt logs every connection at INFO and transient client errors at ERROR/WARNING.
    for name in ("amqtt", "transitions"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


async def _start_amqtt(host: str) -> tuple[Any, int]:
    from amqtt.broker import Broker

    _quiet_amqtt()
    last: BaseException | None = None
    for _attempt in range(3):
        port = free_port(host)
        broker = Broker(_amqtt_config(host, port))
        try:
            await broker.start()
        except Exception as exc:
            last = exc
            continue
        return broker, port
    raise BrokerError(f"amqtt could not be started: {last}")


async def _stop_amqtt(broker: Any) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(broker.shutdown(), timeout=5)


# --- public API --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def start_broker(engine: Engine = "auto", host: str = "127.0.0.1", *,
                       port: int | None = None, extra_config: str = "") -> AsyncIterator[
        EmbeddedBroker]:
    """Run a broker for the duration of the ``async with`` block.

    amqtt runs on the current event loop; Mosquitto is a child process. ``port``
    (Mosquitto only) asks for a given port instead of a free one; ``extra_config``
    (Mosquitto only) is appended to the generated configuration (e.g. a TLS listener).
    Raises :class:`BrokerError` when the chosen engine cannot start.
    """
    chosen = _resolve_engine(engine)
    if chosen == "mosquitto":
        mosq = _Mosquitto(host, port, extra_config)
        await asyncio.to_thread(mosq.start)
        try:
            yield EmbeddedBroker("mosquitto", host, mosq.port)
        finally:
            await asyncio.to_thread(mosq.stop)
        return
    broker, port = await _start_amqtt(host)
    try:
        yield EmbeddedBroker("amqtt", host, port)
    finally:
        await _stop_amqtt(broker)


@contextlib.contextmanager
def broker(engine: Engine = "auto", host: str = "127.0.0.1", *, port: int | None = None,
           extra_config: str = "") -> Iterator[EmbeddedBroker]:
    """Blocking variant of :func:`start_broker`: amqtt runs on a background thread's loop."""
    chosen = _resolve_engine(engine)
    if chosen == "mosquitto":
        mosq = _Mosquitto(host, port, extra_config)
        mosq.start()
        try:
            yield EmbeddedBroker("mosquitto", host, mosq.port)
        finally:
            mosq.stop()
        return
    runner = _ThreadedAmqtt(host)
    port = runner.start()
    try:
        yield EmbeddedBroker("amqtt", host, port)
    finally:
        runner.stop()


class _ThreadedAmqtt:
    def __init__(self, host: str) -> None:
        self.host = host
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="devid-amqtt", daemon=True)
        self.broker: Any = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        # drain callbacks scheduled during shutdown, then close
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def start(self) -> int:
        self.thread.start()
        fut = asyncio.run_coroutine_threadsafe(_start_amqtt(self.host), self.loop)
        try:
            self.broker, port = fut.result(timeout=START_TIMEOUT)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
            raise
        deadline = time.monotonic() + START_TIMEOUT
        while not _accepts(self.host, port):
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError("amqtt did not accept connections")
            time.sleep(0.02)
        return int(port)

    def stop(self) -> None:
        if self.broker is not None:
            fut = asyncio.run_coroutine_threadsafe(_stop_amqtt(self.broker), self.loop)
            with contextlib.suppress(Exception):
                fut.result(timeout=10)
            self.broker = None

        async def _cancel_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_cancel_rest(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


__all__ = [
    "BrokerError",
    "EmbeddedBroker",
    "Engine",
    "broker",
    "find_mosquitto",
    "free_port",
    "start_broker",
]
