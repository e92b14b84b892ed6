"""``devid results``: the runs kept in a ``devid test --db`` results store.

``list`` shows every run (number, profile, devices, counts, finished or not);
``show`` prints one run's table (like ``devid test`` does at its end); ``report``
re-renders its JUnit, JSON and HTML reports from the store, without testing
again. ``--run N`` picks a run by number (or by run id); the default is the
newest. ``show`` and ``report`` exit with the run's verdict: 0 when every test
passed or was skipped, 1 when some failed, errored or never ran; 2 on a usage or
I/O error (a missing database is never created).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, fail
from devid.cli._output import check_outputs

_DB = click.option("--db", "db_file", required=True, metavar="FILE",
                   help="The results store written by 'devid test --db FILE'.")
_RUN = click.option("--run", "run_ref", metavar="N",
                    help="Run number (see 'devid results list') or run id. Default: the newest.")


def _open(db_file: str) -> Any:
    from devid._reports import ResultStore, StoreError

    path = Path(db_file)
    if not path.exists():
        fail(f"--db {db_file}: no such file")
    if not path.is_file():
        fail(f"--db {db_file}: not a file")
    try:
        return ResultStore(path)
    except StoreError as exc:
        fail(f"--db: {exc}")


def _load(db_file: str, run_ref: str | None) -> Any:
    from devid._reports import StoreError

    store = _open(db_file)
    try:
        return store.load_run(store.resolve(run_ref))
    except StoreError as exc:
        fail(f"--run {run_ref}: {exc}" if run_ref is not None else f"--db: {exc}")
    finally:
        store.close()


@click.group("results")
def results_group() -> None:
    """The test runs kept in a results store (devid test --db FILE)."""


@results_group.command("list")
@_DB
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, one per line.")
def list_command(db_file: str, as_json: bool) -> None:
    """List the runs in the store, oldest first."""
    from devid._reports import StoreError

    store = _open(db_file)
    try:
        infos = store.runs()
    except StoreError as exc:
        fail(f"--db: {exc}")
    finally:
        store.close()
    if as_json:
        for i in infos:
            emit_json({"run": i.number, "run_id": i.run_id, "profile": i.profile,
                       "started": i.started.isoformat(),
                       "finished": i.finished.isoformat() if i.finished else None,
                       "devices": list(i.devices), "planned": i.planned,
                       "results": i.results, "statuses": dict(i.statuses)})
        raise SystemExit(EXIT_OK)
    from rich.table import Table
    from rich.text import Text

    from devid.cli.scan import safe_text, stdout_console

    if not infos:
        click.echo(f"no runs in {db_file}")
        raise SystemExit(EXIT_OK)
    table = Table(title=f"{len(infos)} run(s) in {safe_text(db_file, 80)}", title_justify="left")
    for col in ("run", "profile", "started", "state", "devices", "results", "passed",
                "failed", "errors", "skipped", "not run", "run id"):
        table.add_column(col, overflow="fold")
    for i in infos:
        st = i.statuses
        stored = i.results - st.get("not_run", 0)
        not_run = max(0, i.planned - stored) if i.planned else st.get("not_run", 0)
        table.add_row(
            str(i.number), Text(safe_text(i.profile, 40)),
            i.started.strftime("%Y-%m-%d %H:%M:%S"),
            Text("finished", style="green") if i.finished else Text("unfinished",
                                                                   style="yellow"),
            str(len(i.devices)),
            f"{stored} of {i.planned}" if i.planned else str(stored),
            str(st.get("passed", 0)), str(st.get("failed", 0)), str(st.get("error", 0)),
            str(st.get("skipped", 0)), str(not_run), Text(safe_text(i.run_id, 40)))
    stdout_console().print(table)
    raise SystemExit(EXIT_OK)


@results_group.command("show")
@_DB
@_RUN
@click.option("--json", "as_json", is_flag=True, help="Print the run's JSON report as one line.")
def show_command(db_file: str, run_ref: str | None, as_json: bool) -> None:
    """Show one run: a row per device, the failures and the tests that never ran."""
    run = _load(db_file, run_ref)
    if as_json:
        from devid._reports import suite_to_dict

        emit_json(suite_to_dict(run))
    else:
        from devid.cli.scan import stdout_console
        from devid.cli.test import print_run

        if run.finished is None:
            click.echo(f"run {run.number} did not finish (interrupted, or still running)")
        print_run(run, stdout_console())
    raise SystemExit(EXIT_OK if run.ok else EXIT_INVALID)


@results_group.command("report")
@_DB
@_RUN
@click.option("--junit", "junit_file", metavar="FILE", help="Write JUnit XML to FILE.")
@click.option("--json", "json_file", metavar="FILE",
              help="Write the JSON report to FILE ('-' prints it as one line).")
@click.option("--html", "html_file", metavar="FILE", help="Write the HTML report to FILE.")
def report_command(db_file: str, run_ref: str | None, junit_file: str | None,
                   json_file: str | None, html_file: str | None) -> None:
    """Write a stored run's reports again (no device is contacted)."""
    if not (junit_file or json_file or html_file):
        fail("give at least one of --junit FILE, --json FILE, --html FILE")
    check_outputs(junit=junit_file, json=json_file, html=html_file)
    run = _load(db_file, run_ref)
    from devid.cli.test import write_reports

    write_reports(run, junit_file=junit_file, json_file=json_file, html_file=html_file)
    raise SystemExit(EXIT_OK if run.ok else EXIT_INVALID)


def register(root: click.Group) -> None:
    """Add ``results`` to ``root``."""
    root.add_command(results_group)
