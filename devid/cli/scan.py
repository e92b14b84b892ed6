"""``devid scan``: find the devices on a network, check their identity, challenge them.

Thin: the scan is :func:`devid.live.async_scan`; this module parses the options,
shows progress on stderr, prints the table (or ``--json``) and writes ``--html``.
Exit 0 when no device has an error finding, 1 otherwise, 2 on a usage or I/O error.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from pathlib import Path
from typing import Any

import click

from devid.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    check_sign_out,
    command_trace,
    emit_json,
    emit_json_line,
    fail,
    load_signer,
    load_trust_store,
    middle,
    sign_options,
    sign_stdout,
    sign_written,
)
from devid.cli._output import check_outputs

TRUST_ENV = "DEVID_TRUST"
BROKER_ENV = "DEVID_BROKER"


def safe_text(value: object, limit: int = 60) -> str:
    """A device-supplied string made safe for a terminal: control characters shown as
    ``\\xNN`` (no escape sequences reach the terminal), clipped to ``limit``."""
    text = "" if value is None else str(value)
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    clean = "".join(out)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def load_validator(trust_dir: str | None, revoked: str | None = None) -> Any:
    """A ChainValidator for ``--trust DIR`` (and ``--revoked FILE``); ``None`` without trust."""
    from devid._certs import ChainValidator, RevocationList

    if trust_dir is None:
        if revoked:
            fail("--revoked needs --trust")
        return None
    trust = load_trust_store(trust_dir)
    try:
        revocation = RevocationList.load(revoked) if revoked else None
    except (ValueError, OSError) as exc:
        fail(f"--revoked {revoked}: {exc}")
    return ChainValidator(trust, revocation=revocation)


def check_broker_url(url: str | None, option: str = "--broker") -> None:
    """The broker URL (if any) and the MQTT config file: either problem is one line, exit 2."""
    from devid.cli._common import check_broker

    check_broker(url, option)


def stdout_console() -> Any:
    """A rich console for stdout: the terminal's width, or 160 columns when piped."""
    import sys

    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=160)


def _identity_cell(device: Any) -> tuple[str, str]:
    ident = device.identity
    if device.record.ecosystem != "devid":
        return "n/a", "dim"
    if ident.valid is True:
        return "valid", "green"
    if ident.valid is False:
        return "INVALID", "bold red"
    if any(f.is_error for f in ident.findings):
        return "INVALID", "bold red"
    return "not checked", "yellow"


def _possession_cell(device: Any) -> tuple[str, str]:
    if device.record.ecosystem != "devid":
        return "n/a", "dim"
    p = device.identity.possession
    if p is True:
        return "proven", "green"
    if p is False:
        return "FAILED", "bold red"
    return "not tested", "yellow"


def print_table(report: Any, console: Any) -> None:
    """The scan table on ``console`` (every device string is plain text, never markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"devid scan: {len(report.devices)} device(s) in "
                        f"{report.duration:.1f} s", title_justify="left")
    for col in ("device", "ecosystem", "class", "vendor/model", "identity", "possession",
                "findings"):
        table.add_column(col, overflow="fold")
    for d in report.devices:
        rec = d.record
        name = Text(middle(safe_text(rec.name, 200), 36))
        if rec.id != rec.name:  # an id keeps its start and end (--json has it whole)
            name.append("\n" + middle(safe_text(rec.id, 200), 36), style="dim")
        vm = " / ".join(safe_text(v, 30) for v in (rec.vendor, rec.model) if v) or "-"
        codes: dict[str, str] = {}
        for f in d.findings:
            codes.setdefault(f.code, f.severity.value)
        styles = {"error": "red", "warning": "yellow", "info": "dim"}
        found = Text()
        for i, (code, sev) in enumerate(codes.items()):
            found.append(("\n" if i else "") + code, style=styles.get(sev, ""))
        ident, ident_style = _identity_cell(d)
        pos, pos_style = _possession_cell(d)
        kind = Text(safe_text(rec.profile or "-", 30))
        if rec.entities:
            what = "properties" if rec.ecosystem == "homie" else "entities"
            kind.append(f"\n{len(rec.entities)} {what}", style="dim")
        table.add_row(name, Text(safe_text(rec.ecosystem, 20)), kind, Text(vm),
                      Text(ident, style=ident_style), Text(pos, style=pos_style),
                      found or Text("-", style="green"))
    console.print(table)
    for f in report.findings:
        console.print(Text(f"{f.severity.value}: {f.code}: {safe_text(f.message, 200)}",
                           style="yellow" if f.severity.value != "info" else "dim"))
    bad = sum(1 for d in report.devices if d.has_errors)
    if bad:
        console.print(Text(f"{bad} device(s) with problems", style="bold red"))
    elif report.devices:
        console.print(Text("no problems found", style="bold green"))


def run_scan(*, broker: str | None, trust_dir: str | None, timeout: float,
             interface: str | None, quiet: bool, mdns: bool = True,
             ha_prefix: str = "homeassistant") -> Any:
    """Run the scan with a progress display on stderr (unless ``quiet``)."""
    from rich.console import Console

    from devid.live import async_scan

    validator = load_validator(trust_dir)
    if quiet:
        return asyncio.run(async_scan(broker=broker, validator=validator, interface=interface,
                                      timeout=timeout, mdns=mdns, ha_prefix=ha_prefix))
    err = Console(stderr=True)
    with err.status("scanning…") as status:
        def progress(text: str) -> None:
            status.update(safe_text(text, 100))

        return asyncio.run(async_scan(broker=broker, validator=validator, interface=interface,
                                      timeout=timeout, mdns=mdns, progress=progress,
                                      ha_prefix=ha_prefix))


def write_html(report: Any, path: str, trace: Any = None) -> None:
    from devid._reports import render_scan_html

    try:
        Path(path).write_text(render_scan_html(report, trace=trace), encoding="utf-8")
    except OSError as exc:
        fail(f"--html {path}: {exc.strerror or exc}")


@click.command("scan")
@click.option("--broker", metavar="URL",
              help="MQTT broker (mqtt://host:port or mqtts://...). Default: $DEVID_BROKER, else "
                   "the broker the devices advertise (mq in their _devid._tcp TXT records).")
@click.option("--trust", "trust_dir", metavar="DIR",
              help=f"Directory of trust anchor certificates. Default: ${TRUST_ENV} when set; "
                   "without trust anchors chains are not validated.")
@click.option("--timeout", type=click.FloatRange(min=0.5, max=600), default=5.0,
              show_default=True, help="Time budget of the whole scan, in seconds.")
@click.option("--interface", metavar="IP",
              help="IP address of the interface to browse DNS-SD on (default: all).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"devices": [...], "findings": [...]} as one JSON line.')
@click.option("--html", "html_file", metavar="FILE", help="Write an HTML report to FILE.")
@click.option("--ha-prefix", default="homeassistant", show_default=True, metavar="PREFIX",
              help="Home Assistant's MQTT discovery prefix on the broker.")
@sign_options(stdout=True)
def scan_command(  # noqa: PLR0917 (click passes options positionally)
        broker: str | None, trust_dir: str | None, timeout: float,
                 interface: str | None, as_json: bool, html_file: str | None,
                 ha_prefix: str, sign_key: str | None = None, sign_chain: str | None = None,
                 sign_out: str | None = None) -> None:
    """Find devices (DNS-SD and MQTT), verify their identity and challenge them.

    \b
    Each devid device's retained identity token is verified against the trust
    anchors and the device is sent a fresh challenge nonce; the table shows the
    identity verdict, whether the device proved possession of its key, and the
    findings. Home Assistant discovery and Homie devices on the broker are listed
    and judged beside them (ecosystem ha / homie, with their entities and findings).
    Exit 0: no device has an error finding; 1: some device does, or nothing was found.
    """
    from datetime import UTC, datetime

    started = datetime.now(UTC)
    if not ha_prefix or any(c in ha_prefix for c in "+#\x00") or ha_prefix.strip("/") != ha_prefix:
        fail(f"--ha-prefix: {ha_prefix!r} is not a topic prefix")
    broker = broker or os.environ.get(BROKER_ENV) or None
    check_broker_url(broker)
    trust_dir = trust_dir or os.environ.get(TRUST_ENV) or None
    if interface is not None:
        from devid.cli._common import check_interface

        interface = check_interface(interface)
    check_outputs(html=html_file)
    signer = load_signer(sign_key, sign_chain)
    check_sign_out(signer, as_json, sign_out, [html_file])
    report = run_scan(broker=broker, trust_dir=trust_dir, timeout=timeout,
                      interface=interface, quiet=as_json, ha_prefix=ha_prefix)
    unreachable = [f for f in report.findings if f.code == "SCAN-BROKER-UNREACHABLE"]
    if broker is not None and unreachable:
        fail(f"--broker: {unreachable[0].message}")
    from devid._reports._trace import profiles_by_id

    trace = command_trace(started, profiles=profiles_by_id(d.record.profile
                                                           for d in report.devices),
                          trust=load_trust_store(trust_dir) if trust_dir else None)
    if as_json:
        from devid._reports import scan_to_dict

        if signer is None:  # the documented {"devices", "findings"} shape
            emit_json(scan_to_dict(report))
        else:  # a signed report carries its trace
            sign_stdout(emit_json_line(scan_to_dict(report, trace=trace)), signer, sign_out)
    else:
        if report.broker is None:
            click.echo("devid: note: no MQTT broker was given (--broker) or advertised (mq): "
                       "only the DNS-SD inventory is shown; identities were not checked.",
                       err=True)
        print_table(report, stdout_console())
    if html_file:  # after the results are shown: a failed write loses nothing
        write_html(report, html_file, trace)
        sign_written(html_file, signer)
    raise SystemExit(EXIT_INVALID if report.has_errors else EXIT_OK)


def register(root: click.Group) -> None:
    """Add ``scan`` to ``root``."""
    root.add_command(scan_command)
