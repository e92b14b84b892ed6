"""Helpers shared by the CLI modules: exit codes, errors, time and hex options."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

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


# --- signed, traceable reports (docs/signing.md) ---------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])


def sign_options(stdout: bool) -> Callable[[_F], _F]:
    """``--sign-key KEY --sign-chain PEM`` (and, when the command can print its report on
    stdout, ``--sign-out FILE``) for a report command."""
    def decorate(func: _F) -> _F:
        if stdout:
            func = click.option(
                "--sign-out", "sign_out", metavar="FILE",
                help="Where to write the signature of the report printed on stdout "
                     "(redirect stdout to a file and verify that file with "
                     "'devid verify report FILE --signature FILE.cose').")(func)
        func = click.option(
            "--sign-chain", "sign_chain", metavar="PEM",
            help="The lab's certificate chain (PEM, lab certificate first), put in the "
                 "signature's x5chain.")(func)
        return click.option(
            "--sign-key", "sign_key", metavar="KEY",
            help="Sign each report file with this private key (PEM; an encrypted key's "
                 "passphrase comes from $DEVID_SIGN_PASSPHRASE): a detached COSE_Sign1 "
                 "beside it, REPORT.cose.")(func)
    return decorate


def load_signer(key_file: str | None, chain_file: str | None) -> Any:
    """The :class:`devid._reports.Signer` of ``--sign-key``/``--sign-chain`` (``None``
    when neither is given); any problem is one line (exit 2). The passphrase of an
    encrypted key is read from ``$DEVID_SIGN_PASSPHRASE``, never from the command line."""
    import os

    if key_file is None and chain_file is None:
        return None
    if key_file is None or chain_file is None:
        fail("--sign-key and --sign-chain go together")
    from devid._reports._signing import (
        PASSPHRASE_ENV,
        Signer,
        SigningError,
        load_chain,
        load_signing_key,
    )

    secret = os.environ.get(PASSPHRASE_ENV)
    option = "--sign-key"
    try:
        key = load_signing_key(key_file, secret.encode("utf-8") if secret else None)
        option = "--sign-chain"
        chain = load_chain(chain_file)
        option = "--sign-key"
        signer = Signer(key, tuple(chain))
        mode = Path(key_file).stat().st_mode
    except (SigningError, OSError) as exc:
        fail(f"{option}: {getattr(exc, 'strerror', None) or exc}")
    if mode & 0o077:
        click.echo(f"devid: warning: --sign-key {key_file} is readable by other users "
                   f"(mode {mode & 0o777:o}; use chmod 600)", err=True)
    return signer


def check_sign_out(signer: Any, stdout_report: bool, sign_out: str | None,
                   files: Iterable[str | None]) -> None:
    """Usage checks before any work: a report printed on stdout needs ``--sign-out``; there
    must be something to sign; ``--sign-out`` needs a report on stdout and a signer."""
    from devid.cli._output import output_problem

    if signer is None:
        if sign_out is not None:
            fail("--sign-out needs --sign-key and --sign-chain")
        return
    if stdout_report and sign_out is None:
        fail("--sign-key: the report goes to stdout: give --sign-out FILE for its signature")
    if sign_out is not None and not stdout_report:
        fail("--sign-out signs a report printed on stdout (--json); report files are "
             "signed as FILE.cose")
    wanted = [f for f in files if f and f != "-"]
    if not wanted and not stdout_report:
        fail("--sign-key: no report to sign (give a report option)")
    from devid._reports._signing import signature_path

    for option, target in [("--sign-out", sign_out),
                           *(("--sign-key", str(signature_path(f))) for f in wanted)]:
        problem = output_problem(target) if target is not None else None
        if problem is not None:
            fail(f"{option}: {target}: {problem}")


def sign_written(path: str, signer: Any) -> None:
    """Sign the report file ``path`` as written (``path.cose``) and say so on stderr."""
    if signer is None or path == "-":
        return
    from devid._reports._signing import sign_file

    try:
        out = sign_file(path, signer)
    except OSError as exc:
        fail(f"--sign-key: {path}: {exc.strerror or exc}")
    click.echo(f"devid: wrote signature: {out}", err=True)


def emit_json_line(obj: Any) -> bytes:
    """:func:`emit_json`, returning the exact bytes written (for a signature)."""
    data = (json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=str)
            + "\n").encode("utf-8")
    click.echo(data, nl=False)
    return data


def sign_stdout(data: bytes, signer: Any, sign_out: str | None) -> None:
    """Write the signature of the report bytes printed on stdout to ``--sign-out``."""
    if signer is None or sign_out is None:
        return
    from devid._reports._signing import sign_report

    try:
        Path(sign_out).write_bytes(sign_report(data, signer, content_type="application/json"))
    except OSError as exc:
        fail(f"--sign-out {sign_out}: {exc.strerror or exc}")
    click.echo(f"devid: wrote signature: {sign_out}", err=True)


def command_trace(started: datetime, *, profiles: Iterable[Any] = (), trust: Any = None,
                  results_chain: Any = None) -> dict[str, Any]:
    """The ``trace`` of the running command's report (docs/signing.md): its options are
    read from click's context (secret-looking values redacted)."""
    from devid._reports._trace import build_trace

    ctx = click.get_current_context(silent=True)
    command, options = "devid", {}
    if ctx is not None:
        parts = ctx.command_path.split(" ", 1)
        command = "devid" + (f" {parts[1]}" if len(parts) > 1 else "")
        options = dict(ctx.params)
    return build_trace(started=started, profiles=list(profiles), trust=trust, command=command,
                       options=options, results_chain=results_chain)
