"""``devid profile``: list, show, lint device profiles and print their JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, expand_inputs, fail

_DIR_OPTION = click.option(
    "--profile-dir", "profile_dirs", multiple=True, metavar="DIR",
    help="Extra directory of profile documents (searched before the shipped ones).")


def _dirs(profile_dirs: tuple[str, ...]) -> list[Path]:
    for d in profile_dirs:
        if not Path(d).is_dir():
            fail(f"--profile-dir {d}: not a directory")
    return [Path(d) for d in profile_dirs]


@click.group("profile")
def profile_group() -> None:
    """Device profiles (spec devid/1 §7): list, show, lint, schema.

    \b
    devid profile list                 every known profile
    devid profile show smart-lock/1    a resolved profile (extends merged)
    devid profile lint FILE...         check profile documents (exit 1 on errors)
    devid profile schema               the JSON Schema of profile documents
    devid profile export ID --to ha    HA discovery configs (or --to homie: $description)
    """


@profile_group.command("list")
@_DIR_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per profile per line.")
def list_cmd(*, profile_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the shipped profiles (and those of --profile-dir)."""
    from devid._profiles import list_profiles

    summaries = list_profiles(extra_dirs=_dirs(profile_dirs))
    if as_json:
        for s in summaries:
            emit_json({"id": s.id, "title": s.title, "extends": s.extends,
                       "abstract": s.abstract, "path": str(s.path)})
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None)
    for name in ("id", "title", "extends", "file"):
        table.add_column(name, overflow="fold")
    for s in summaries:
        title = s.title + (" (abstract)" if s.abstract else "")
        table.add_row(Text(s.id), Text(title), Text(s.extends or "-"), Text(s.path.name))
    Console(highlight=False).print(table)


@profile_group.command("show")
@click.argument("ref", metavar="ID|FILE")
@_DIR_OPTION
@click.option("--json", "as_json", is_flag=True, help="The resolved profile as one JSON object.")
def show_cmd(*, ref: str, profile_dirs: tuple[str, ...], as_json: bool) -> None:
    """Show a resolved profile (its parents merged in)."""
    from devid._profiles import ProfileError, load_profile

    try:
        profile = load_profile(ref, extra_dirs=_dirs(profile_dirs))
    except ProfileError as exc:
        fail(str(exc))
    if as_json:
        emit_json(profile.to_dict())
        return
    _print_profile(profile)


def _spec_row(name: str, spec: Any) -> list[str]:
    rng = ""
    if spec.enum is not None:
        rng = " | ".join(str(v) for v in spec.enum)
    elif spec.minimum is not None or spec.maximum is not None:
        lo = "" if spec.minimum is None else f"{spec.minimum:g}"
        hi = "" if spec.maximum is None else f"{spec.maximum:g}"
        rng = f"{lo} … {hi}"
    elif spec.min_length is not None or spec.max_length is not None:
        hi = "" if spec.max_length is None else str(spec.max_length)
        rng = f"len {spec.min_length or 0} … {hi}"
    if spec.format is not None:
        rng = f"format {spec.format}" + (f", {rng}" if rng else "")
    return [name, spec.type, spec.unit or "", rng, "yes" if spec.required else "",
            spec.data_class, spec.standard or spec.description]


def _print_profile(profile: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    console.print(Text(f"{profile.id}  {profile.title}", style="bold"))
    if profile.description:
        console.print(Text(profile.description))
    retained = ", ".join(sorted(profile.retained))
    console.print(Text(f"extends: {' -> '.join(profile.lineage[1:]) or '-'}   heartbeat: "
                       f"{profile.heartbeat_s:g} s   retained: {retained}"))
    for std in profile.standards:
        console.print(Text(f"  standard: {std}"))

    def table(title: str, rows: list[list[str]]) -> None:
        t = Table(title=title, box=None, title_justify="left")
        for col in ("name", "type", "unit", "range / values", "req", "class", "standard / notes"):
            t.add_column(col, overflow="fold")
        for row in rows:
            t.add_row(*(Text(c) for c in row))
        console.print(t)

    table("properties (state)", [_spec_row(n, s) for n, s in profile.properties.items()])
    rows: list[list[str]] = []
    for name, event in profile.events.items():
        rows.append([f"event/{name}", "", "", "", "", "", event.standard or event.description])
        rows.extend(_spec_row(f"  .{n}", s) for n, s in event.data.items())
    if rows:
        table("events", rows)
    rows = []
    for name, cmd in profile.commands.items():
        sets = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in cmd.sets.items())
        note = f"ack ≤ {cmd.ack_deadline_s:g} s" + (f"; sets {sets}" if sets else "")
        rows.append([f"cmd/{name}", "", "", "", "", "", note])
        rows.extend(_spec_row(f"  .{n}", s) for n, s in cmd.args.items())
    if rows:
        table("commands", rows)
    if profile.forbidden_fields:
        console.print(Text("never on the wire: " + ", ".join(profile.forbidden_fields)))


@profile_group.command("lint")
@click.argument("paths", nargs=-1, required=True, metavar="FILE...")
@_DIR_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
def lint_cmd(*, paths: tuple[str, ...], profile_dirs: tuple[str, ...], as_json: bool) -> None:
    """Check profile documents: schema (unknown keys named with their line), ids, ranges,
    enums, UCUM units, extends, command effects. Exit 1 when a document has an error.
    """
    from rich.console import Console
    from rich.text import Text

    from devid._findings import has_errors
    from devid._profiles import lint_profile

    dirs = _dirs(profile_dirs)
    # a directory stands for its YAML files; a file named explicitly is linted whatever its name
    files = [p for p in expand_inputs(paths)
             if p.suffix in (".yaml", ".yml") or str(p) in paths]
    if not files:
        fail(f"nothing to lint in {', '.join(paths)}")
    console = Console(highlight=False, stderr=False)
    ok = True
    for path in files:
        findings = lint_profile(path, extra_dirs=dirs)
        valid = not has_errors(findings)
        ok &= valid
        if as_json:
            emit_json({"input": str(path), "valid": valid,
                       "findings": [f.to_dict() for f in findings]})
            continue
        if not findings:
            console.print(Text(f"{path}: ok", style="green"), soft_wrap=True)
        for f in findings:  # one line each (file:line: problem), never wrapped
            console.print(Text(f"{f.severity.value}: {f.message}",
                               style="red" if f.is_error else "yellow"), soft_wrap=True)
    sys.exit(EXIT_OK if ok else EXIT_INVALID)


@profile_group.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of profile documents (for editors validating YAML)."""
    from devid._profiles import profile_json_schema

    click.echo(json.dumps(profile_json_schema(), indent=2))


_EXPORT_TARGETS = ("ha", "homie")


@profile_group.command("export")
@click.argument("ref", metavar="ID|FILE")
@click.option("--to", "target", required=True, metavar="ha|homie",
              help="ha: one Home Assistant MQTT discovery config per entity, as JSON lines "
                   '{"topic", "payload"}; homie: the Homie 5 $description document.')
@click.option("--device-id", default="devid-device-1", show_default=True, metavar="ID",
              help="The device's id: HA identifier and node_id, Homie device ID.")
@click.option("--name", "name", metavar="NAME", help="Device name (default: the profile's "
              "title).")
@click.option("--prefix", default="homeassistant", show_default=True, metavar="P",
              help="HA discovery prefix.")
@click.option("--base-topic", metavar="TOPIC",
              help="HA: where the device publishes state and availability (default: "
                   "devid-sim/<device id>).")
@_DIR_OPTION
def export_cmd(*, ref: str, target: str, device_id: str, name: str | None, prefix: str,
               base_topic: str | None, profile_dirs: tuple[str, ...]) -> None:
    """Export a profile as HA discovery configs or a Homie 5 $description.

    The simulator's HA and Homie devices (devid simulate --ecosystem ha|homie) publish
    exactly these documents.
    """
    from devid._export import export_ha, export_homie, ha_id, homie_id
    from devid._profiles import ProfileError, load_profile

    if target not in _EXPORT_TARGETS:
        fail(f"--to: {target!r} is not one of {', '.join(_EXPORT_TARGETS)}")
    if not device_id.strip():
        fail("--device-id: empty")
    if target == "ha" and (not prefix.strip("/") or any(c in prefix for c in "+#")):
        fail(f"--prefix: {prefix!r} is not a topic prefix")
    try:
        profile = load_profile(ref, extra_dirs=_dirs(profile_dirs))
    except ProfileError as exc:
        fail(str(exc))
    if profile.abstract:
        fail(f"{profile.id} is abstract: no device claims it directly")
    title = name or profile.title
    if target == "ha":
        if ha_id(device_id) != device_id:
            fail(f"--device-id: {device_id!r} is not an HA node_id ([a-zA-Z0-9_-])")
        base = base_topic or f"devid-sim/{device_id}"
        for topic, payload in export_ha(profile, device_id=device_id, name=title,
                                        prefix=prefix.strip("/"), base_topic=base):
            emit_json({"topic": topic, "payload": payload})
        return
    if homie_id(device_id) != device_id:
        fail(f"--device-id: {device_id!r} is not a Homie ID ([a-z0-9-], no '-' at either end)")
    click.echo(json.dumps(export_homie(profile, device_id=device_id, name=title), indent=2,
                          ensure_ascii=False))


def register(root: click.Group) -> None:
    """Add ``devid profile`` to ``root``."""
    root.add_command(profile_group)
