"""``devid audit``: the network-testable security baseline of named brokers and endpoints.

Thin: the probes are :func:`devid.live._audit.async_audit`, the judgement
:mod:`devid._audit`. This module parses the options, prints the table (or ``--json``)
and writes ``--html``. Exit 0 when no finding is an error, 1 otherwise, 2 on a usage or
I/O error. See docs/audit.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

import click

from devid.cli._common import EXIT_INVALID, EXIT_OK, check_broker, emit_json, fail
from devid.cli._output import check_outputs


def parse_endpoint(value: str, option: str = "--tls") -> tuple[str, int]:
    """``HOST:PORT`` or ``[IPv6]:PORT``; a problem is one line (exit 2)."""
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if text.startswith("["):
        end = text.find("]")
        host, port_text = text[1:end], text[end + 2:] if text[end + 1:end + 2] == ":" else ""
        sep = ":" if port_text else ""
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        fail(f"{option}: expected HOST:PORT (IPv6 as [ADDR]:PORT), not {value!r}")
    if ":" in host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            fail(f"{option}: expected HOST:PORT (IPv6 as [ADDR]:PORT), not {value!r}")
    return host, int(port_text)


def _check_ca(path: str) -> str:
    import ssl

    try:
        ssl.create_default_context().load_verify_locations(cafile=path)
    except FileNotFoundError:
        fail(f"--ca {path}: no such file")
    except OSError as exc:
        fail(f"--ca {path}: {(exc.strerror or str(exc)).lower()}")
    except ssl.SSLError as exc:
        fail(f"--ca {path}: not a PEM certificate file ({exc.reason or exc})")
    return path


def print_table(report: Any, console: Any) -> None:
    """The audit table (every device- or broker-supplied string as plain text)."""
    from rich.table import Table
    from rich.text import Text

    from devid.cli.scan import safe_text

    styles = {"error": "bold red", "warning": "yellow", "info": "dim"}
    table = Table(title=f"devid audit: {len(report.targets)} target(s) in "
                        f"{report.duration:.1f} s", title_justify="left")
    for col in ("target", "severity", "code", "provision", "what was seen"):
        table.add_column(col, overflow="fold")
    for target in report.targets:
        for f in target.findings:
            table.add_row(Text(safe_text(target.target, 60)),
                          Text(f.severity.value, style=styles.get(f.severity.value, "")),
                          Text(f.code), Text(f.spec_ref, style="dim"),
                          Text(safe_text(f.message, 300)))
    console.print(table)
    for target in report.targets:
        console.print(Text(f"tried on {safe_text(target.target, 60)}:", style="bold"))
        for line in target.tried:
            console.print(Text(f"  {safe_text(line, 200)}", style="dim"))
    counts = report.counts()
    summary = f"{counts['error']} error(s), {counts['warning']} warning(s), " \
              f"{counts['info']} note(s)"
    style = "bold red" if counts["error"] else "yellow" if counts["warning"] else "bold green"
    console.print(Text(summary, style=style))
    console.print(Text("This is evidence of what was tried and seen, not a certification.",
                       style="dim"))


def write_html(report: Any, path: str) -> None:
    from devid._audit import render_audit_html

    try:
        Path(path).write_text(render_audit_html(report), encoding="utf-8")
    except OSError as exc:
        fail(f"--html {path}: {exc.strerror or exc}")


@click.command("audit")
@click.option("--broker", "brokers", metavar="URL", multiple=True,
              help="An MQTT broker to audit (mqtt://host:port or mqtts://host:port); "
                   "repeatable. Credentials come from DEVID_MQTT_USERNAME/PASSWORD or the "
                   "MQTT config file, never from the command line.")
@click.option("--tls", "endpoints", metavar="HOST:PORT", multiple=True,
              help="A TLS endpoint to audit; repeatable.")
@click.option("--mdns", is_flag=True,
              help="Browse DNS-SD and judge the services announced (telnet, ftp, plain http, "
                   "versions in TXT records).")
@click.option("--interface", metavar="IP",
              help="IP address of the interface to browse DNS-SD on (default: all).")
@click.option("--ca", "ca_files", metavar="PEM", multiple=True,
              help="Extra trust anchors (PEM) for the TLS endpoints, besides the system "
                   "store and the MQTT config's ca_file; repeatable.")
@click.option("--try-defaults", is_flag=True,
              help="Also try a random username/password and the short documented list of "
                   "vendor-default MQTT credentials (docs/audit.md).")
@click.option("--timeout", type=click.FloatRange(min=0.2, max=120), default=5.0,
              show_default=True, help="Time limit of each connection, in seconds (and of "
                                      "the DNS-SD browse).")
@click.option("--listen", type=click.FloatRange(min=0.1, max=60), default=1.0,
              show_default=True, help="How long an anonymous subscription listens, seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--html", "html_file", metavar="FILE", help="Write an HTML report to FILE.")
def audit_command(  # noqa: PLR0917 (click passes options positionally)
        brokers: tuple[str, ...], endpoints: tuple[str, ...], mdns: bool,
                  interface: str | None, ca_files: tuple[str, ...], try_defaults: bool,
                  timeout: float, listen: float, as_json: bool, html_file: str | None) -> None:
    """Audit named MQTT brokers and TLS endpoints against a security baseline.

    \b
    Evidence in the style of ETSI EN 303 645 / TS 103 701: each finding cites the
    provision it relates to and says what was tried and what was seen. Only the
    targets you name are touched. It is not a certification.
    Exit 0: no error finding; 1: at least one; 2: usage or I/O error.
    """
    if not brokers and not endpoints and not mdns:
        fail("nothing to audit: give --broker URL, --tls HOST:PORT or --mdns")
    settings = check_broker(None)
    for url in brokers:
        check_broker(url)
    tls = [parse_endpoint(e) for e in endpoints]
    cas = [_check_ca(c) for c in ca_files]
    if interface is not None:
        from devid.cli._common import check_interface

        interface = check_interface(interface)
    if interface is not None and not mdns:
        fail("--interface is for --mdns")
    check_outputs(html=html_file)
    from devid.live._audit import async_audit

    if as_json:
        report = asyncio.run(async_audit(
            brokers=list(brokers), tls=tls, mdns=mdns, interface=interface, settings=settings,
            try_defaults=try_defaults, ca_files=cas, timeout=timeout, listen=listen))
        emit_json(report.to_dict())
    else:
        from rich.console import Console

        from devid.cli.scan import safe_text, stdout_console

        with Console(stderr=True).status("auditing…") as status:
            report = asyncio.run(async_audit(
                brokers=list(brokers), tls=tls, mdns=mdns, interface=interface,
                settings=settings, try_defaults=try_defaults, ca_files=cas, timeout=timeout,
                listen=listen, progress=lambda t: status.update(safe_text(t, 100))))
        print_table(report, stdout_console())
    if html_file:
        write_html(report, html_file)
    raise SystemExit(EXIT_INVALID if report.has_errors else EXIT_OK)


def register(root: click.Group) -> None:
    """Add ``audit`` to ``root``."""
    root.add_command(audit_command)
