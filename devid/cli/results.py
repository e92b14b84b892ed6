"""``devid results``: the runs kept in a ``devid test --db`` results store.

``list`` shows every run (number, profile, devices, counts, finished or not);
``show`` prints one run's table (like ``devid test`` does at its end); ``report``
re-renders its JUnit, JSON and HTML reports from the store, without testing
again (signed with ``--sign-key``/``--sign-chain``, docs/signing.md); ``verify``
checks the hash chain of the stored results. ``--run N`` picks a run by number (or
by run id); the default is the newest (``verify``: every run). ``show`` and
``report`` exit with the run's verdict: 0 when every test passed or was skipped, 1
when some failed, errored or never ran; ``verify`` exits 0 when no chain was
tampered with (runs stored before results schema 3 are "not chained"), 1 when one
was; 2 on a usage or I/O error (a missing database is never created).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from devid.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    check_sign_out,
    command_trace,
    emit_json,
    fail,
    load_signer,
    sign_options,
)
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


def _load(db_file: str, run_ref: str | None, chain: list[Any] | None = None) -> Any:
    from devid._reports import StoreError

    store = _open(db_file)
    try:
        run_id = store.resolve(run_ref)
        if chain is not None:
            chain.extend(store.verify_chain(run_id))
        return store.load_run(run_id)
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
@sign_options(stdout=True)
def report_command(  # noqa: PLR0917 (click passes options positionally)
        db_file: str, run_ref: str | None, junit_file: str | None,
                   json_file: str | None, html_file: str | None, sign_key: str | None = None,
                   sign_chain: str | None = None, sign_out: str | None = None) -> None:
    """Write a stored run's reports again (no device is contacted)."""
    from datetime import UTC, datetime

    started = datetime.now(UTC)
    if not (junit_file or json_file or html_file):
        fail("give at least one of --junit FILE, --json FILE, --html FILE")
    check_outputs(junit=junit_file, json=json_file, html=html_file)
    signer = load_signer(sign_key, sign_chain)
    check_sign_out(signer, json_file == "-", sign_out, [junit_file, json_file, html_file])
    chain: list[Any] = []
    run = _load(db_file, run_ref, chain)
    from devid._reports._trace import profiles_by_id
    from devid.cli.test import chain_summary, write_reports

    trace = command_trace(started, profiles=profiles_by_id([run.profile]),
                          results_chain=chain_summary(chain[0]) if chain else None)
    write_reports(run, junit_file=junit_file, json_file=json_file, html_file=html_file,
                  trace=trace, signer=signer, sign_out=sign_out)
    raise SystemExit(EXIT_OK if run.ok else EXIT_INVALID)


@results_group.command("verify")
@_DB
@click.option("--run", "run_ref", metavar="N",
              help="Run number (see 'devid results list') or run id. Default: every run.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run, one per line.")
def verify_command(db_file: str, run_ref: str | None, as_json: bool) -> None:
    """Check the hash chain of the stored results: an edited, deleted, inserted or moved
    result is reported (exit 1). Runs stored before results schema 3 are "not chained"."""
    from devid._reports import StoreError

    store = _open(db_file)
    try:
        verdicts = store.verify_chain(store.resolve(run_ref) if run_ref is not None else None)
    except StoreError as exc:
        fail(f"--run {run_ref}: {exc}" if run_ref is not None else f"--db: {exc}")
    finally:
        store.close()
    ok = all(v.ok for v in verdicts)
    if as_json:
        for v in verdicts:
            emit_json(v.to_dict())
        raise SystemExit(EXIT_OK if ok else EXIT_INVALID)
    from rich.text import Text

    from devid.cli.scan import safe_text, stdout_console

    console = stdout_console()
    if not verdicts:
        click.echo(f"no runs in {db_file}")
    styles = {"chained": "green", "not chained": "yellow", "tampered": "bold red"}
    for v in verdicts:
        line = Text(f"run {v.number}: ")
        line.append(v.state, style=styles.get(v.state, ""))
        if v.state != "not chained":
            line.append(f" ({v.rows} result(s), head {(v.head or '-')[:16]})")
        console.print(line)
        for f in v.findings:
            console.print(Text(f"    {f.code}: {safe_text(f.message, 200)}",
                               style="red" if f.is_error else "dim"))
    bad = sum(not v.ok for v in verdicts)
    console.print(Text(f"{len(verdicts)} run(s) checked: {bad} tampered with",
                       style="bold red" if bad else "bold green"))
    raise SystemExit(EXIT_OK if ok else EXIT_INVALID)


def register(root: click.Group) -> None:
    """Add ``results`` to ``root``."""
    root.add_command(results_group)
