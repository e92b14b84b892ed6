"""``devid demo``: a simulated home, scanned and tested, in about half a minute.

Thin: the demo is :func:`devid.live._demo.async_run_demo`; this module shows
progress, prints the scan and suite tables, explains the deliberate faults and
lists the report files. Exit 0 when the demo ran (its faults are expected), 2
when it could not run (e.g. the output folder cannot be written).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from devid.cli._common import EXIT_OK, fail
from devid.cli.scan import print_table, safe_text, stdout_console
from devid.cli.test import print_run


@click.command("demo")
@click.option("--out", "out_dir", default="devid-demo", show_default=True, metavar="DIR",
              help="Folder for the reports (HTML, JSON, JUnit, SQLite).")
def demo_command(out_dir: str) -> None:
    """Start a broker and a simulated home, scan it, test it, write reports.

    \b
    Needs nothing but devid: the broker is Mosquitto when installed, else an
    in-process one. A few simulated devices carry deliberate faults, so the
    scan and the suite report problems: that is what the demo shows.
    """
    from rich.console import Console
    from rich.text import Text

    from devid._broker import BrokerError
    from devid.cli._common import mqtt_settings
    from devid.live._demo import async_run_demo

    mqtt_settings()  # a bad MQTT config file: one line now, not from inside the fleet
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        fail(f"--out {out_dir}: exists and is not a directory (the demo writes its "
             "reports into a directory)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".devid-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        fail(f"--out {out_dir}: {exc.strerror or exc}")
    console = stdout_console()
    err = Console(stderr=True)
    try:
        with err.status("devid demo…") as status:
            result = asyncio.run(async_run_demo(
                out, progress=lambda text: status.update(safe_text(text, 100))))
    except BrokerError as exc:
        fail(f"cannot start the embedded broker: {exc}")

    console.rule("1. Scan: what is on this (simulated) network")
    print_table(result.scan, console)
    if result.others:
        console.print(Text(f"({result.others} other device(s) advertised on 127.0.0.1 by other "
                           "programs are left out)", style="dim"))
    console.rule(f"2. Test: the {result.run.profile} suite")
    print_run(result.run, console)
    console.rule("3. The faults are deliberate")
    console.print(Text("The demo home has devices with injected faults; the findings above "
                       "are expected:"))
    for m in result.manifest:
        if m["faults"]:
            console.print(Text(f"  {', '.join(m['faults']):<16} {safe_text(m['name'], 40)}  "
                               f"({m['urn']})"))
    console.print(Text("  (evil-name: its name is HTML and script; the reports show it as "
                       "text and run none of it)", style="dim"))
    console.rule("Reports")
    for name, path in result.files.items():
        console.print(Text(f"  {name:<24} {path}"))
    console.print(Text(f"Done in {result.timings['total']:.1f} s (broker: {result.engine}). "
                       f"Open {result.files['scan.html']} in a browser.", style="bold green"))
    raise SystemExit(EXIT_OK)


def register(root: click.Group) -> None:
    """Add ``demo`` to ``root``."""
    root.add_command(demo_command)
