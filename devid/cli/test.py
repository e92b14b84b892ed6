"""``devid test``: run a profile's test suite on live devices and report.

Thin: the suite and its runner are :mod:`devid.live._suite`; results go to the
SQLite store (:class:`devid._reports.ResultStore`) as each test finishes, and
every report (JUnit, JSON, HTML, the table) is rendered from the stored run.
With ``--db FILE`` an unfinished run of the same profile in FILE is resumed:
the (device, test) pairs it already holds are not run again.
Exit 0 when every test passed (or was skipped), 1 when some failed, 2 on a
usage or I/O error.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, fail
from devid.cli._output import check_outputs
from devid.cli.scan import (
    BROKER_ENV,
    TRUST_ENV,
    check_broker_url,
    load_validator,
    safe_text,
    stdout_console,
)

#: The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def _write(path: str, text: str, option: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{option} {path}: {exc.strerror or exc}")


def print_run(run: Any, console: Any) -> None:
    """A summary table (one row per device) and the failures with their findings."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"devid test {run.profile}: {len(run.device_urns())} device(s)",
                  title_justify="left")
    for col in ("device", "passed", "failed", "skipped", "failed tests"):
        table.add_column(col, overflow="fold")
    by_device: dict[str, list[Any]] = {}
    for r in run.results:
        by_device.setdefault(r.device_urn, []).append(r)
    for urn in run.device_urns():
        rs = by_device.get(urn, [])
        bad = [r for r in rs if r.status.value in ("failed", "error")]
        table.add_row(Text(safe_text(urn, 60)),
                      Text(str(sum(r.status.value == "passed" for r in rs)), style="green"),
                      Text(str(len(bad)), style="bold red" if bad else ""),
                      Text(str(sum(r.status.value == "skipped" for r in rs)), style="dim"),
                      Text("\n".join(r.test_id for r in bad) or "-"))
    console.print(table)
    for r in run.results:
        if r.status.value not in ("failed", "error"):
            continue
        console.print(Text(f"{r.status.value.upper()} {safe_text(r.device_urn, 80)} "
                           f"{r.test_id}", style="red"))
        for f in r.findings[:8]:
            console.print(Text(f"    {f.code}: {safe_text(f.message, 160)}"))
    c = run.counts()
    style = "bold green" if run.ok else "bold red"
    console.print(Text(f"{c['passed']} passed, {c['failed']} failed, {c['error']} errors, "
                       f"{c['skipped']} skipped in {run.duration:.1f} s", style=style))


@click.command("test")
@click.option("--profile", "profile_ref", required=True, metavar="ID",
              help="Profile whose suite to run (e.g. smart-plug/1, or a YAML file).")
@click.option("--device", "devices", multiple=True, metavar="URN",
              help="Device to test (repeat for several).")
@click.option("--all", "all_devices", is_flag=True,
              help="Test every device on the broker that claims the profile.")
@click.option("--broker", metavar="URL", help="MQTT broker URL. Default: $DEVID_BROKER.")
@click.option("--trust", "trust_dir", metavar="DIR",
              help=f"Directory of trust anchor certificates. Default: ${TRUST_ENV}.")
@click.option("--duration", type=click.FloatRange(min=0, max=86400), default=10.0,
              show_default=True, help="How long to observe each device, in seconds.")
@click.option("--junit", "junit_file", metavar="FILE", help="Write JUnit XML to FILE.")
@click.option("--json", "json_file", metavar="FILE",
              help="Write the JSON report to FILE ('-' prints it as one line).")
@click.option("--html", "html_file", metavar="FILE", help="Write the HTML report to FILE.")
@click.option("--db", "db_file", metavar="FILE",
              help="SQLite results store (WAL); an unfinished run of the profile is resumed.")
@click.option("--power-cycle", "power_cycle", metavar="CMD",
              help="Command that cuts a device off without a clean disconnect (a switched "
                   "outlet, kill -9 of a simulator), run once per device after its other "
                   "tests; {urn} in it (and $DEVID_URN) is the device. Enables the lastwill "
                   "test, which is skipped without it.")
@click.option("--list", "list_only", is_flag=True, help="Print the suite's test ids and exit.")
def test_command(  # noqa: PLR0917 (click passes options positionally)
        profile_ref: str, devices: tuple[str, ...], all_devices: bool,
                 broker: str | None, trust_dir: str | None, duration: float,
                 junit_file: str | None, json_file: str | None, html_file: str | None,
                 db_file: str | None, power_cycle: str | None, list_only: bool) -> None:
    """Run the test suite of a profile on live devices.

    \b
    Tests: identity.token, identity.possession, retained.identity|status|state,
    heartbeat, state.schema, cmd.<name>.ack (one per command; devid sends the
    command), events.wellformed, lastwill (needs --power-cycle). Devices are
    tested in parallel.
    """
    from devid._profiles import ProfileError, load_profile
    from devid.live import suite_for

    try:
        profile = load_profile(profile_ref)
    except (ProfileError, OSError) as exc:
        fail(f"--profile: {exc}")
    cases = suite_for(profile)
    if list_only:
        for case in cases:
            click.echo(f"{case.id}\t{case.name}")
        raise SystemExit(EXIT_OK)
    if bool(devices) == all_devices:
        fail("give either --device URN (one or more) or --all")
    broker = broker or os.environ.get(BROKER_ENV) or None
    if broker is None:
        fail(f"no broker: use --broker URL or set ${BROKER_ENV}")
    check_broker_url(broker)
    check_outputs(junit=junit_file, json=json_file, html=html_file, db=db_file)
    trust_dir = trust_dir or os.environ.get(TRUST_ENV) or None
    if trust_dir is None:
        fail(f"no trust anchors: use --trust DIR or set ${TRUST_ENV}")
    validator = load_validator(trust_dir)
    hook = None
    if power_cycle is not None:
        from devid.live import command_power_cycle

        try:
            hook = command_power_cycle(power_cycle)
        except ValueError as exc:
            fail(f"--power-cycle: {exc}")
    from devid.discovery import urn_problem

    for urn in devices:
        problem = urn_problem(urn)
        if problem:
            fail(f"--device {urn!r}: {problem}")
    run = _run(profile, list(devices), broker, validator=validator, duration=duration,
               db_file=db_file, power_cycle=hook)

    if json_file != "-":  # the results first: a report that fails to write loses nothing
        print_run(run, stdout_console())
    if junit_file:
        from devid._reports import render_junit

        _write(junit_file, render_junit(run), "--junit")
    if json_file:
        from devid._reports import render_suite_json, suite_to_dict

        if json_file == "-":
            emit_json(suite_to_dict(run))
        else:
            _write(json_file, render_suite_json(run), "--json")
    if html_file:
        from devid._reports import render_suite_html

        _write(html_file, render_suite_html(run), "--html")
    raise SystemExit(EXIT_OK if run.ok else EXIT_INVALID)


def _run(profile: Any, devices: list[str], broker: str, *, validator: Any, duration: float,
         db_file: str | None, power_cycle: Any) -> Any:
    from devid._reports import ResultStore, StoreError
    from devid.live import devices_on_broker, run_suite

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if db_file is None:
        tmp = tempfile.TemporaryDirectory(prefix="devid-test-")
        db_file = str(Path(tmp.name) / "results.sqlite")
    try:
        with ResultStore(db_file) as store:
            if not devices:
                try:
                    devices = asyncio.run(devices_on_broker(broker, profile))
                except ConnectionError as exc:
                    fail(f"--broker: {exc}")
                if not devices:
                    fail(f"no device on {broker} claims {profile.id}")
            run_id = store.begin_run(profile.id, run_id=store.latest_unfinished(profile.id),
                                     devices={urn: urn for urn in devices})
            done = store.done(run_id)
            try:
                asyncio.run(run_suite(broker, profile, devices, validator=validator,
                                      duration=duration, done=done, power_cycle=power_cycle,
                                      on_result=lambda r: store.record(run_id, r)))
            except KeyboardInterrupt:
                kept = len(store.done(run_id))
                if tmp is None:
                    fail(f"interrupted: {kept} result(s) kept in {db_file}; run the same "
                         "command again to resume", EXIT_INTERRUPTED)
                fail(f"interrupted: {kept} result(s) discarded (give --db FILE to keep "
                     "results and resume)", EXIT_INTERRUPTED)
            store.finish_run(run_id)
            return store.load_run(run_id)
    except StoreError as exc:
        fail(f"--db: {exc}")
    finally:
        if tmp is not None:
            tmp.cleanup()


def register(root: click.Group) -> None:
    """Add ``test`` to ``root``."""
    root.add_command(test_command)
