"""``devid codes``: print the registry of finding codes."""

from __future__ import annotations

import click

from devid._codes import REGISTRY
from devid.cli._common import emit_json, fail


@click.command("codes")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per code.")
@click.argument("prefix", required=False)
def codes_cmd(as_json: bool, prefix: str | None) -> None:
    """List every finding code devid can emit, with its severity and the clause it enforces.

    PREFIX filters the list (e.g. `ID-`, `MSG-`, `MATTER-`); a PREFIX no code starts
    with is an error (exit 2).
    """
    specs = [s for s in REGISTRY.values() if prefix is None or s.code.startswith(prefix.upper())]
    if not specs:
        fail(f"no finding code starts with {prefix!r} (see 'devid codes' for the list)")
    if as_json:
        for s in specs:
            emit_json({"code": s.code, "severity": s.severity.value, "meaning": s.meaning,
                       "spec_ref": s.spec_ref})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("code", "severity", "meaning", "clause", box=None)
    for s in specs:
        table.add_row(s.code, s.severity.value, s.meaning, s.spec_ref)
    Console().print(table)


def register(root: click.Group) -> None:
    root.add_command(codes_cmd)
