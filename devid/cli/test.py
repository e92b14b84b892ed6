"""``devid test``: run a profile's test suite on live devices and report.

Thin: the suite and its runner are :mod:`devid.live._suite`; results go to the
SQLite store (:class:`devid._reports.ResultStore`) as each test finishes, and
every report (JUnit, JSON, HTML, the table) is rendered from the stored run.

A run is identified by its key: the profile (and its content), the devices, the
suite's test ids and the options that change results (broker, trust anchors,
duration, power-cycle command). With ``--db FILE`` an unfinished run with the
same key is resumed (announced: "resuming run N: K of T results kept"), and the
(device, test) pairs it already holds are not run again; an unfinished run with
another key is left alone and a new run starts in the same file (said so on
stderr). Planned tests without a result are reported as not run.

Exit 0 when every test passed (or was skipped), 1 when some failed, errored or
never ran, 2 on a usage or I/O error, 130 on Ctrl-C and 143 on SIGTERM (the
results recorded so far are kept in ``--db``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from devid.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    check_sign_out,
    command_trace,
    emit_json_line,
    fail,
    load_signer,
    sign_options,
    sign_stdout,
    sign_written,
)
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
#: The exit status of a run stopped by SIGTERM (128 + SIGTERM).
EXIT_TERMINATED = 143


def note(message: str) -> None:
    """A status line on stderr (stdout stays for the table or ``--json -``)."""
    click.echo(f"devid: {message}", err=True)


def write_report(path: str, text: str, option: str) -> None:
    """Write one report file and say where (``wrote junit: r.xml``)."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{option} {path}: {exc.strerror or exc}")
    note(f"wrote {option.lstrip('-')}: {path}")


def write_reports(run: Any, *, junit_file: str | None, json_file: str | None,
                  html_file: str | None, trace: Any = None, signer: Any = None,
                  sign_out: str | None = None) -> None:
    """The reports of ``run`` (``--json -`` prints the JSON on stdout as one line), each
    with ``trace`` and, with a ``signer``, signed (``FILE.cose``; ``--sign-out``)."""
    if junit_file:
        from devid._reports import render_junit

        write_report(junit_file, render_junit(run, trace=trace), "--junit")
        sign_written(junit_file, signer)
    if json_file:
        from devid._reports import render_suite_json, suite_to_dict

        if json_file == "-":
            sign_stdout(emit_json_line(suite_to_dict(run, trace=trace)), signer, sign_out)
        else:
            write_report(json_file, render_suite_json(run, trace=trace), "--json")
            sign_written(json_file, signer)
    if html_file:
        from devid._reports import render_suite_html

        write_report(html_file, render_suite_html(run, trace=trace), "--html")
        sign_written(html_file, signer)


def print_run(run: Any, console: Any) -> None:
    """A summary table (one row per device, by URN), the failures and errors with their
    findings, and the tests that never ran."""
    from rich.table import Table
    from rich.text import Text

    title = f"devid test {run.profile}: {len(run.device_urns())} device(s)"
    if run.number:
        title += f" (run {run.number})"
    table = Table(title=title, title_justify="left")
    for col in ("device", "passed", "failed", "errors", "skipped", "not run", "failed tests"):
        table.add_column(col, overflow="fold")
    by_device: dict[str, list[Any]] = {}
    for r in run.results:
        by_device.setdefault(r.device_urn, []).append(r)

    def n(rs: list[Any], status: str) -> int:
        return sum(r.status.value == status for r in rs)

    for urn in sorted(run.device_urns()):
        rs = by_device.get(urn, [])
        bad = [r for r in rs if r.status.value in ("failed", "error")]
        table.add_row(Text(safe_text(urn, 60)),
                      Text(str(n(rs, "passed")), style="green"),
                      Text(str(n(rs, "failed")), style="bold red" if n(rs, "failed") else ""),
                      Text(str(n(rs, "error")), style="bold red" if n(rs, "error") else ""),
                      Text(str(n(rs, "skipped")), style="dim"),
                      Text(str(n(rs, "not_run")), style="yellow" if n(rs, "not_run") else ""),
                      Text("\n".join(r.test_id for r in bad) or "-"))
    console.print(table)
    for urn in sorted(by_device):
        for r in by_device[urn]:
            if r.status.value not in ("failed", "error"):
                continue
            console.print(Text(f"{r.status.value.upper()} {safe_text(r.device_urn, 80)} "
                               f"{r.test_id}", style="red"))
            for f in r.findings[:8]:
                console.print(Text(f"    {f.code}: {safe_text(f.message, 160)}"))
        missing = [r for r in by_device[urn] if r.status.value == "not_run"]
        if missing:
            console.print(Text(f"NOT RUN {safe_text(urn, 80)}: {len(missing)} test(s): "
                               f"{safe_text(missing[0].reason, 160)}", style="yellow"))
    c = run.counts()
    style = "bold green" if run.ok else "bold red"
    console.print(Text(f"{c['passed']} passed, {c['failed']} failed, {c['error']} errors, "
                       f"{c['skipped']} skipped, {c['not_run']} not run in "
                       f"{run.duration:.1f} s", style=style))


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
              help="SQLite results store (WAL); an unfinished run with the same profile, "
                   "devices, suite and options is resumed ('devid results' reads it).")
@click.option("--power-cycle", "power_cycle", metavar="CMD",
              help="Command that cuts a device off without a clean disconnect (a switched "
                   "outlet, kill -9 of a simulator), run once per device after its other "
                   "tests; {urn} in it (and $DEVID_URN) is the device. Enables the lastwill "
                   "test, which is skipped without it.")
@click.option("--list", "list_only", is_flag=True, help="Print the suite's test ids and exit.")
@sign_options(stdout=True)
def test_command(  # noqa: PLR0917 (click passes options positionally)
        profile_ref: str, devices: tuple[str, ...], all_devices: bool,
                 broker: str | None, trust_dir: str | None, duration: float,
                 junit_file: str | None, json_file: str | None, html_file: str | None,
                 db_file: str | None, power_cycle: str | None, list_only: bool,
                 sign_key: str | None = None, sign_chain: str | None = None,
                 sign_out: str | None = None) -> None:
    """Run the test suite of a profile on live devices.

    \b
    Tests: identity.token, identity.possession, retained.identity|status|state,
    heartbeat, state.schema, cmd.<name>.ack (one per command; devid sends the
    command), events.wellformed, lastwill (needs --power-cycle). Devices are
    tested in parallel.
    """
    from devid._profiles import ProfileError, load_profile
    from devid.live import suite_for

    started = datetime.now(UTC)
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
    signer = load_signer(sign_key, sign_chain)
    check_sign_out(signer, json_file == "-", sign_out, [junit_file, json_file, html_file])
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
    options = {"broker": broker, "trust": str(Path(trust_dir).resolve()),
               "duration": duration, "power_cycle": power_cycle}
    chain: list[Any] = []
    with _terminate_as_interrupt() as terminated:
        try:
            run = _run(profile, sorted(set(devices)), broker, validator=validator,
                       duration=duration, db_file=db_file, power_cycle=hook, options=options,
                       terminated=terminated, chain=chain)
            if json_file != "-":  # the results first: a report that fails to write loses nothing
                print_run(run, stdout_console())
            from devid._reports._trace import profile_documents

            trace = command_trace(started, profiles=profile_documents(profile),
                                  trust=validator.trust,
                                  results_chain=chain_summary(chain[0]) if chain else None)
            write_reports(run, junit_file=junit_file, json_file=json_file, html_file=html_file,
                          trace=trace, signer=signer, sign_out=sign_out)
        except KeyboardInterrupt:
            word, code = (("terminated", EXIT_TERMINATED) if terminated
                          else ("interrupted", EXIT_INTERRUPTED))
            fail(word, code)
    raise SystemExit(EXIT_OK if run.ok else EXIT_INVALID)


@contextmanager
def _terminate_as_interrupt() -> Iterator[list[bool]]:
    """SIGTERM behaves like Ctrl-C while the block runs; the list yielded becomes
    ``[True]`` when it came. Outside the main thread nothing is installed."""
    flag: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def on_term(signum: int, frame: Any) -> None:
        flag.append(True)
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and handler is not signal.default_int_handler:
            handler(signal.SIGINT, frame)  # asyncio.run's: cancels the run, then interrupts
        else:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGTERM, previous)


def _canonical(value: Any) -> Any:
    """``value`` as JSON-able data with a stable order (sets sorted, mappings by key)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a pydantic model
        return _canonical(dump())
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def profile_digest(profile: Any) -> str:
    """SHA-256 of the resolved profile (its content, not where it was read from)."""
    plain = _canonical(dataclasses.replace(profile, source=None))
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_key(profile: Any, devices: list[str], cases: Any,
            options: Mapping[str, Any]) -> dict[str, Any]:
    """What makes two invocations the same run (stored with the run)."""
    return {"profile": profile.id, "profile_sha256": profile_digest(profile),
            "devices": sorted(devices), "suite": [c.id for c in cases], **options}


_KEY_WORDS = {"profile_sha256": "profile content", "devices": "devices", "suite": "suite",
              "broker": "broker", "trust": "trust anchors", "duration": "duration",
              "power_cycle": "power-cycle command", "profile": "profile"}


def key_difference(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """``"devices, duration"``: what differs between two run keys."""
    if old is None:
        return "devices"
    names = [_KEY_WORDS.get(k, k) for k in new if old.get(k) != new[k]]
    return ", ".join(names) or "options"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def chain_summary(verdict: Any) -> dict[str, Any]:
    """The ``results_chain`` of a report's trace: the run's chain state, rows and head."""
    return {"state": verdict.state, "rows": verdict.rows, "head": verdict.head,
            "run": verdict.number}


def _run(profile: Any, devices: list[str], broker: str, *, validator: Any, duration: float,
         db_file: str | None, power_cycle: Any, options: Mapping[str, Any],
         terminated: list[bool], chain: list[Any] | None = None) -> Any:
    from devid._reports import ResultStore, StoreError
    from devid.live import devices_on_broker, run_suite, suite_for

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if db_file is None:
        tmp = tempfile.TemporaryDirectory(prefix="devid-test-")
        db_file = str(Path(tmp.name) / "results.sqlite")
    try:
        with ResultStore(db_file) as store:
            if not devices:
                try:
                    devices = sorted(set(asyncio.run(devices_on_broker(broker, profile))))
                except ConnectionError as exc:
                    fail(f"--broker: {exc}")
                if not devices:
                    fail(f"no device on {broker} claims {profile.id}")
            cases = suite_for(profile)
            key = run_key(profile, devices, cases, options)
            plan = [(urn, c.id, c.name) for urn in devices for c in cases]
            run_id = _resumable(store, profile.id, key, devices, db_file, announce=tmp is None)
            run_id = store.begin_run(profile.id, run_id=run_id,
                                     devices={urn: urn for urn in devices}, key=key, plan=plan)
            number = store.number(run_id)
            done = store.done(run_id)
            planned = {(urn, cid) for urn, cid, _ in plan}
            todo = len(planned - done)
            progress = _Progress(devices, cases, done, todo, duration=duration,
                                 power_cycle=power_cycle is not None)

            def on_result(r: Any) -> None:
                store.record(run_id, r)
                progress.advance(r)

            try:
                with progress:
                    asyncio.run(run_suite(broker, profile, devices, validator=validator,
                                          duration=duration, done=done,
                                          power_cycle=power_cycle, on_result=on_result))
            except KeyboardInterrupt:
                word, code = (("terminated", EXIT_TERMINATED) if terminated
                              else ("interrupted", EXIT_INTERRUPTED))
                kept = len(store.done(run_id) & planned)
                if tmp is None:
                    fail(f"{word}: {kept} of {len(planned)} result(s) of run {number} kept in "
                         f"{db_file}; run the same command again to resume", code)
                fail(f"{word}: {kept} result(s) discarded (give --db FILE to keep results "
                     "and resume)", code)
            store.finish_run(run_id)
            if chain is not None:
                chain.extend(store.verify_chain(run_id))
            return store.load_run(run_id)
    except StoreError as exc:
        fail(f"--db: {exc}")
    finally:
        if tmp is not None:
            tmp.cleanup()


def _resumable(store: Any, profile_id: str, key: Mapping[str, Any], devices: list[str],
               db_file: str, *, announce: bool) -> str | None:
    """The run to resume (announced), or ``None`` for a new one (and, when another run
    of the profile is unfinished, say why it is not resumed)."""
    infos = [i for i in store.runs(profile_id) if i.finished is None]
    same = store.find_run(profile_id, key)
    if same is None:  # a run stored without a key (older devid): same devices suffice
        same = next((i.run_id for i in reversed(infos)
                     if i.key is None and sorted(i.devices) == devices), None)
    if same is not None:
        info = next(i for i in infos if i.run_id == same)
        kept = len(store.done(same) & {(u, c) for u in devices for c in key["suite"]})
        total = len(devices) * len(key["suite"])
        note(f"resuming run {info.number}: {kept} of {_plural(total, 'result')} kept "
             f"({db_file})")
        return str(same)
    if infos and announce:
        other = infos[-1]
        note(f"run {other.number} in {db_file} is unfinished but had other "
             f"{key_difference(other.key, key)}: starting run {len(store.runs()) + 1} "
             f"(run {other.number} is kept: devid results show --db {db_file} "
             f"--run {other.number})")
    return None


class _Progress:
    """Progress of a live run: a rich bar on a terminal (stderr), else one line per device."""

    def __init__(self, devices: list[str], cases: Any, done: set[tuple[str, str]], todo: int,
                 *, duration: float, power_cycle: bool) -> None:
        from devid.live._suite import (
            CHALLENGE_TIMEOUT_S,
            LASTWILL_WAIT_S,
            SETTLE_S,
        )

        self.cases = [c.id for c in cases]
        self.left = {u: {c for c in self.cases if (u, c) not in done} for u in devices}
        self.active = [u for u in devices if self.left[u]]
        self.total = todo
        self.devices_done = 0
        self.tests_done = 0
        self.counts: dict[str, dict[str, int]] = {}
        # the runner observes each device for the duration (at least the challenge
        # window), 32 devices at a time
        per = max(duration, CHALLENGE_TIMEOUT_S) + SETTLE_S * 3 + 1 + \
            (LASTWILL_WAIT_S if power_cycle else 0)
        self.expected_s = per * math.ceil(len(self.active) / 32) if self.active else 0.0
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.tty and self.total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("tests"),
                                 TextColumn("{task.fields[left]}"),
                                 console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._devices_text(), total=self.total,
                                            left=self._left_text())
            self._ticker = threading.Event()
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._ticker.set()
            self._bar.stop()

    def _tick(self) -> None:
        while not self._ticker.wait(0.5):
            self._bar.update(self._task, left=self._left_text())

    def _devices_text(self) -> str:
        return f"devices {self.devices_done}/{len(self.active)}"

    def _left_text(self) -> str:
        left = self.expected_s - (time.monotonic() - self.start)
        return f"~{left:.0f} s left" if left > 0 else "finishing"

    def advance(self, r: Any) -> None:
        pending = self.left.get(r.device_urn)
        if pending is None or r.test_id not in pending:
            return
        pending.discard(r.test_id)
        self.tests_done += 1
        c = self.counts.setdefault(r.device_urn, {})
        c[r.status.value] = c.get(r.status.value, 0) + 1
        if not pending:
            self.devices_done += 1
            if self._bar is None:
                parts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(c.items()))
                note(f"device {self.devices_done}/{len(self.active)} done: "
                     f"{safe_text(r.device_urn, 80)} ({parts})")
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=self._devices_text(),
                             left=self._left_text())


def register(root: click.Group) -> None:
    """Add ``test`` to ``root``."""
    root.add_command(test_command)
