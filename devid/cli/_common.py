"""Helpers shared by the CLI modules: exit codes, errors, time and hex options."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from devid._mqtt import MqttSettings

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit (2: usage or I/O error)."""
    click.echo(f"devid: error: {message}", err=True)
    sys.exit(code)


def parse_at(value: str | None) -> datetime:
    """``--at ISO8601`` (naive means UTC); ``None`` means now."""
    if value is None:
        return datetime.now(UTC)
    try:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at: not an ISO 8601 date-time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_hex(option: str, value: str | None) -> bytes | None:
    """A hex option (``--nonce``, ``--external-aad``); spaces and ``0x`` are allowed."""
    if value is None:
        return None
    text = value.strip().lower().removeprefix("0x").replace(" ", "").replace(":", "")
    try:
        return bytes.fromhex(text)
    except ValueError:
        fail(f"{option}: not hexadecimal: {value!r}")


def expand_inputs(paths: Iterable[str]) -> Iterator[Path]:
    """Each PATH; a directory stands for every regular file in it (sorted, not recursive)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = (p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            yield from sorted(files)
        elif path.exists():
            yield path
        else:
            fail(f"{raw}: no such file or directory")


def read_input(path: Path) -> bytes:
    """Read a file given on the command line; an I/O error is a usage error (exit 2)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")


def emit_json(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    click.echo(json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str))


# --- MQTT: broker URL, settings, connection errors, interfaces ------------------------------


def mqtt_settings() -> MqttSettings:
    """The MQTT settings (``DEVID_MQTT_*`` environment, MQTT config file); a missing,
    unreadable or wrong config file is a one-line error (exit 2) naming the file.

    Every command that talks to a broker calls this (or :func:`check_broker`) before
    connecting and passes the settings on, so the error never reaches the catch-all.
    """
    from devid._mqtt import load_settings

    try:
        return load_settings()
    except ValueError as exc:  # MqttConfigError: "MQTT config PATH: ..."
        fail(str(exc))


def check_broker(url: str | None, option: str = "--broker") -> MqttSettings:
    """Check a broker URL option (``mqtt://``/``mqtts://``, no credentials) and load the
    MQTT settings; either problem is a one-line error. ``None`` checks the settings only."""
    if url is not None:
        from devid._mqtt import parse_url

        try:
            parse_url(url)
        except ValueError as exc:
            fail(f"{option}: {exc}")
    return mqtt_settings()


def broker_error(exc: BaseException, url: str | None = None, option: str | None = "--broker"
                 ) -> str:
    """One line for a failed broker connection, naming the broker URL once:
    ``--broker: mqtt://host:1883: cannot connect: ...`` (``option`` ``None``: no prefix).

    :class:`devid._mqtt.MqttConnectError` messages do not hold the URL (it is in
    ``exc.url``); an older message that starts with it is not prefixed again.
    """
    where = getattr(exc, "url", "") or url or ""
    text = str(exc)
    if where and not text.startswith(f"{where}:"):
        text = f"{where}: {text}"
    return f"{option}: {text}" if option else text


def check_interface(value: str, option: str = "--interface") -> str:
    """An IPv4/IPv6 address of this machine (``--interface``): a one-line error names the
    option when ``value`` is not an IP address or no local interface has it (checked by
    binding a UDP socket to it). Returns the address, normalized."""
    import ipaddress
    import socket

    try:
        address = ipaddress.ip_address(value.strip())  # fe80::1%eth0 keeps its scope
    except ValueError:
        fail(f"{option}: not an IP address: {value!r}")
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((str(address), 0))
    except OSError as exc:
        fail(f"{option}: {address} is not an address of this machine "
             f"({(exc.strerror or str(exc)).lower()})")
    return str(address)


def middle(text: str, width: int = 30) -> str:
    """``text`` shortened to ``width`` characters by an ellipsis in the middle (ids stay
    recognisable by their start and end; --json keeps the full value)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def load_trust_store(directory: str, option: str = "--trust") -> Any:
    """The trust store in ``directory``; a problem is one line naming the option, the
    directory (once) and what is wrong (exit 2)."""
    from devid._certs import TrustStore

    try:
        return TrustStore.from_dir(directory)
    except (ValueError, OSError) as exc:
        reason = str(getattr(exc, "strerror", None) or exc)
        if reason.startswith(f"{directory}: "):
            reason = reason[len(directory) + 2:]
        fail(f"{option} {directory}: {reason}")
