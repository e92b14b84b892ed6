"""``devid check``: validate captured MQTT messages against a device profile (offline)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, expand_inputs, fail


def _validator(trust_dir: str | None) -> Any:
    if trust_dir is None:
        return None
    from devid._certs import ChainValidator, TrustStore

    try:
        store = TrustStore.from_dir(trust_dir)
    except (ValueError, OSError) as exc:
        fail(f"--trust {trust_dir}: {exc}")
    return ChainValidator(store)


@click.command("check")
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE...")
@click.option("--profile", "profile_ref", required=True, metavar="ID|FILE",
              help="Profile applied to every device of the capture (e.g. smart-lock/1), or a "
                   "profile YAML file.")
@click.option("--trust", "trust_dir", metavar="DIR",
              help="Trust anchor directory: verify each device's retained identity token as of "
                   "the capture's start.")
@click.option("--profile-dir", "profile_dirs", multiple=True, metavar="DIR",
              help="Extra directory of profile documents (searched before the shipped ones).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per capture per line.")
def check_cmd(*, captures: tuple[str, ...], profile_ref: str, trust_dir: str | None,
              profile_dirs: tuple[str, ...], as_json: bool) -> None:
    """Check capture files (JSON Lines, spec devid/1 §6) against a profile.

    Topics, payload size, CBOR, envelopes, property types, units, ranges and enums,
    required and unknown properties, seq and clock skew, heartbeat, command acks,
    retained flags and sensitive data without TLS; with --trust, identity tokens.

    \b
    Exit code: 0 no error finding, 1 some error finding, 2 usage or I/O error.
    --json prints one object per capture:
      {"input", "valid", "profile", "devices", "messages",
       "findings": [{"code", "severity", "message", "subject", "t", ...}]}
    """
    from devid._capture import bounded_lines
    from devid._check import CheckResult, check_lines
    from devid._profiles import ProfileError, load_profile

    try:
        profile = load_profile(profile_ref, extra_dirs=[Path(d) for d in profile_dirs])
    except ProfileError as exc:
        fail(f"--profile: {exc}")
    validator = _validator(trust_dir)
    paths = list(expand_inputs(captures))
    if not paths:
        fail(f"no capture file in {', '.join(captures)}")
    all_valid = True
    results: list[tuple[Path, CheckResult]] = []
    for path in paths:
        try:
            with path.open("rb") as fh:
                result = check_lines(bounded_lines(fh, str(path)), profile, source=str(path),
                                     validator=validator)
        except OSError as exc:
            fail(f"{path}: {exc.strerror or exc}")
        all_valid &= result.valid
        if as_json:
            emit_json(result.to_dict(str(path)))
        else:
            results.append((path, result))
    if not as_json:
        _print(results)
    sys.exit(EXIT_OK if all_valid else EXIT_INVALID)


_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
_MAX_PER_DEVICE = 12


def _print(results: Sequence[tuple[Path, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    for path, result in results:
        verdict = Text("valid", style="bold green") if result.valid else \
            Text("INVALID", style="bold red")
        head = Text(f"{path}: ")
        head.append(verdict)
        plural = "" if len(result.devices) == 1 else "s"
        head.append(f"  {result.messages} messages, {len(result.devices)} device{plural}, "
                    f"profile {result.profile}")
        console.print(head)
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
            table.add_row(Text(subject or "(capture)"),
                          str(result.device_messages.get(subject, "-")),
                          Text(str(errors), style="red" if errors else ""),
                          Text(str(warnings), style="yellow" if warnings else ""), notes)
        console.print(table)


def register(root: click.Group) -> None:
    """Add ``devid check`` to ``root``."""
    root.add_command(check_cmd)
