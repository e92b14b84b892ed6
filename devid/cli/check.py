"""``devid check``: validate captured MQTT messages against a device profile (offline)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from devid.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    check_sign_out,
    command_trace,
    emit_json_line,
    expand_inputs,
    fail,
    load_signer,
    load_trust_store,
    middle,
    sign_options,
    sign_stdout,
)


def _validator(trust_dir: str | None) -> Any:
    if trust_dir is None:
        return None
    from devid._certs import ChainValidator

    return ChainValidator(load_trust_store(trust_dir))


#: ``-`` on the command line: the capture read from standard input.
STDIN = Path("-")


@click.command("check")
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE...")
@click.option("--profile", "profile_ref", metavar="ID|FILE",
              help="Profile applied to every devid/1 device of the capture (e.g. smart-lock/1), "
                   "or a profile YAML file. Default: each device is judged by the profile its "
                   "identity token claims.")
@click.option("--ecosystem", "ecosystems", multiple=True,
              type=click.Choice(["auto", "devid", "ha", "homie"]), default=("auto",),
              show_default=True,
              help="What to judge: devid/1, Home Assistant MQTT discovery (ha), Homie 4/5; "
                   "auto = every ecosystem found in the capture. Repeatable.")
@click.option("--ha-prefix", default="homeassistant", show_default=True, metavar="PREFIX",
              help="Home Assistant's discovery prefix.")
@click.option("--trust", "trust_dir", metavar="DIR",
              help="Trust anchor directory: verify each device's retained identity token as of "
                   "the capture's start.")
@click.option("--profile-dir", "profile_dirs", multiple=True, metavar="DIR",
              help="Extra directory of profile documents (searched before the shipped ones).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per capture per line.")
@sign_options(stdout=True)
def check_cmd(*, captures: tuple[str, ...], profile_ref: str | None,
              ecosystems: tuple[str, ...], ha_prefix: str, trust_dir: str | None,
              profile_dirs: tuple[str, ...], as_json: bool, sign_key: str | None = None,
              sign_chain: str | None = None, sign_out: str | None = None) -> None:
    """Check capture files (JSON Lines, spec devid/1 §6): devid/1 devices against a
    profile, Home Assistant discovery and Homie devices against their conventions.
    CAPTURE '-' reads standard input (`devid record --out - ... | devid check -`).

    devid/1: topics, payload size, CBOR, envelopes, property types, units, ranges and
    enums, required and unknown properties, seq and clock skew, heartbeat, command acks,
    retained flags and sensitive data without TLS; with --trust, identity tokens.
    Home Assistant: discovery topics and configs as HA would accept them, and each
    entity's state and availability messages (docs/ha.md). Homie 4/5: lifecycle,
    attributes or $description, property values (docs/homie.md).

    A capture in which nothing of what was asked for could be judged is not valid
    (MSG-NO-DEVICE says what it held instead).

    \b
    Exit code: 0 no error finding, 1 some error finding, 2 usage or I/O error.
    --json prints one object per capture:
      {"input", "valid", "profile", "devices", "messages",
       "findings": [{"code", "severity", "message", "subject", "t", ...}],
       "ecosystems", "judged", "other_topics", "device_list", "trace"}
    With --sign-key/--sign-chain the JSON lines printed are signed (--sign-out FILE).
    """
    from datetime import UTC, datetime

    from devid._capture import bounded_lines
    from devid._check import CheckResult, check_lines
    from devid._multicheck import check_capture_lines
    from devid._profiles import Profile, ProfileError, load_profile
    from devid._reports._trace import profiles_by_id

    if "auto" in ecosystems and len(set(ecosystems)) > 1:
        fail("--ecosystem: auto cannot be combined with another ecosystem")
    asked = None if "auto" in ecosystems else frozenset(ecosystems)
    if not ha_prefix or any(c in ha_prefix for c in "+#\x00") or ha_prefix.startswith("/") \
            or ha_prefix.endswith("/"):
        fail(f"--ha-prefix: {ha_prefix!r} is not a topic prefix")
    profile: Profile | None = None
    if profile_ref is not None:
        try:
            profile = load_profile(profile_ref, extra_dirs=[Path(d) for d in profile_dirs])
        except ProfileError as exc:
            fail(f"--profile: {exc}")
    validator = _validator(trust_dir)
    signer = load_signer(sign_key, sign_chain)
    if signer is not None and not as_json:
        fail("--sign-key signs the --json report: add --json")
    check_sign_out(signer, as_json, sign_out, [])
    started = datetime.now(UTC)
    printed: list[bytes] = []
    if captures.count("-") > 1:
        fail("'-' (standard input) can be given once")
    paths = [p for raw in captures
             for p in ([STDIN] if raw == "-" else expand_inputs([raw]))]
    if not paths:
        fail(f"no capture file in {', '.join(captures)}")
    all_valid = True
    results: list[tuple[Path, CheckResult]] = []
    for path in paths:
        try:
            with (contextlib.nullcontext(sys.stdin.buffer) if path is STDIN
                  else path.open("rb")) as fh:
                if asked == frozenset({"devid"}) and profile is not None:
                    result = check_lines(bounded_lines(fh, str(path)), profile,
                                         source=str(path), validator=validator)
                else:
                    result = check_capture_lines(
                        bounded_lines(fh, str(path)), profile, ecosystems=asked,
                        ha_prefix=ha_prefix, source=str(path), validator=validator,
                        profile_dirs=profile_dirs)
        except OSError as exc:
            fail(f"{path}: {exc.strerror or exc}")
        all_valid &= result.valid
        if as_json:
            doc = result.to_dict(str(path))
            ids = [profile, result.profile, *result.device_profiles.values()]
            doc["trace"] = command_trace(started, profiles=profiles_by_id(ids, profile_dirs),
                                         trust=validator.trust if validator else None)
            printed.append(emit_json_line(doc))
        else:
            results.append((path, result))
    if not as_json:
        _print(results)
    sign_stdout(b"".join(printed), signer, sign_out)
    sys.exit(EXIT_OK if all_valid else EXIT_INVALID)


_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
_ECO = {"devid": "devid/1", "ha": "Home Assistant", "homie": "Homie"}
_MAX_PER_DEVICE = 12


def _print(results: Sequence[tuple[Path, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    # ids keep their start and end on a narrow terminal or a pipe (80 columns); --json
    # has them whole
    id_width = max(30, console.width - 70)
    for path, result in results:
        verdict = Text("valid", style="bold green") if result.valid else \
            Text("INVALID", style="bold red")
        head = Text(f"{path}: ")
        head.append(verdict)
        plural = "" if len(result.devices) == 1 else "s"
        head.append(f"  {result.messages} messages, {len(result.devices)} device{plural}")
        if result.profile:
            head.append(f", profile {result.profile}")
        if result.judged:
            head.append(" (" + ", ".join(f"{_ECO.get(e, e)} {n}"
                                         for e, n in sorted(result.judged.items())) + ")")
        console.print(head)
        names = {d.id: d for d in result.eco_devices}
        start = result.started if result.started is not None else 0.0
        by_subject: dict[str | None, list[Any]] = {}
        for f in result.findings:
            by_subject.setdefault(f.subject, []).append(f)
        table = Table(box=None, pad_edge=False)
        table.add_column("device", no_wrap=True)
        table.add_column("msgs", justify="right")
        table.add_column("err", justify="right")
        table.add_column("warn", justify="right")
        table.add_column("findings", overflow="fold", ratio=1)
        subjects: list[str | None] = list(result.devices)
        subjects += [s for s in by_subject if s not in result.device_messages]
        for subject in subjects:
            found = by_subject.get(subject, [])
            errors = sum(f.severity.value == "error" for f in found)
            warnings = sum(f.severity.value == "warning" for f in found)
            notes = Text()
            for i, f in enumerate(found[:_MAX_PER_DEVICE]):
                if i:
                    notes.append("\n")
                notes.append(f.code, style=_STYLE.get(f.severity.value, ""))
                when = f" +{f.t - start:.3f}s" if f.t is not None else ""
                notes.append(f"{when} {f.message}")  # Text: device strings are never markup
            if len(found) > _MAX_PER_DEVICE:
                notes.append(f"\n... {len(found) - _MAX_PER_DEVICE} more (use --json)")
            if not found:
                notes.append("ok", style="green")
            label = Text(middle(subject, id_width) if subject else "(capture)")
            eco = names.get(subject)
            if eco is not None and (eco.name or eco.model):
                label.append("\n" + middle(f"{eco.name or ''}"
                                           + (f" ({eco.model})" if eco.model else ""), id_width),
                             style="dim")
            elif subject in result.device_profiles:
                label.append(f"\n{result.device_profiles[subject]}", style="dim")
            table.add_row(label,
                          str(result.device_messages.get(subject, "-")),
                          Text(str(errors), style="red" if errors else ""),
                          Text(str(warnings), style="yellow" if warnings else ""), notes)
        console.print(table)


def register(root: click.Group) -> None:
    """Add ``devid check`` to ``root``."""
    root.add_command(check_cmd)
