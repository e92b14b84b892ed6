"""``devid verify matter``: Matter device attestation of a DAC/PAI pair (and a CD)."""

from __future__ import annotations

from pathlib import Path

import click

from devid._findings import Severity
from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, fail, parse_at, read_input
from devid.matter import CertStore, RevocationSetError, load_revocation_set, verify_matter


def _hex16(option: str, value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().lower().removeprefix("0x")
    try:
        number = int(text, 16)
    except ValueError:
        fail(f"{option}: not a hexadecimal number: {value!r}")
    if not 0 <= number <= 0xFFFF:
        fail(f"{option}: {value!r} is not a 16-bit id")
    return number


def _store(option: str, path: str) -> CertStore:
    try:
        store = CertStore.from_directory(path)
    except OSError as exc:
        fail(f"{option} {path}: {exc.strerror or exc}")
    if not store.certificates:
        fail(f"{option} {path}: no certificates found")
    return store


@click.command("matter")
@click.option(
    "--dac",
    "dac_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Device Attestation Certificate (DER or PEM).",
)
@click.option(
    "--pai",
    "pai_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Product Attestation Intermediate (DER or PEM).",
)
@click.option(
    "--paa-store",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory of trusted PAA certificates.",
)
@click.option(
    "--cd",
    "cd_path",
    type=click.Path(dir_okay=False),
    help="Certification Declaration (CMS, DER or PEM).",
)
@click.option(
    "--cd-signers",
    type=click.Path(file_okay=False),
    help="Directory of trusted CD signing certificates.",
)
@click.option("--vid", help="VendorID the device reports (hex).")
@click.option("--pid", help="ProductID the device reports (hex).")
@click.option("--at", "at_text", help="Validation time, ISO 8601 (default: now).")
@click.option(
    "--revocation-set",
    "revocation_path",
    type=click.Path(dir_okay=False),
    help="Revocation set (SDK JSON format).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on one line.")
def matter_command(  # noqa: PLR0917 - one parameter per click option
    dac_path: str,
    pai_path: str,
    paa_store: str,
    cd_path: str | None,
    cd_signers: str | None,
    vid: str | None,
    pid: str | None,
    at_text: str | None,
    revocation_path: str | None,
    as_json: bool,
) -> None:
    """Verify Matter device attestation: DAC -> PAI -> PAA, ids, the CD and revocation.

    Exit code 0 valid, 1 invalid, 2 usage or I/O error.
    """
    at = parse_at(at_text)
    reported_vid = _hex16("--vid", vid)
    reported_pid = _hex16("--pid", pid)
    dac = read_input(Path(dac_path))
    pai = read_input(Path(pai_path))
    paas = _store("--paa-store", paa_store)
    cd = read_input(Path(cd_path)) if cd_path else None
    if cd is not None and cd.lstrip().startswith(b"-----BEGIN"):
        import base64

        body = cd.lstrip().split(b"-----", 2)[2].split(b"-----END", 1)[0]
        try:
            cd = base64.b64decode(b"".join(body.split()))
        except ValueError:
            fail(f"{cd_path}: PEM body is not base64")
    signers = _store("--cd-signers", cd_signers) if cd_signers else None
    revocation = None
    if revocation_path:
        try:
            revocation = load_revocation_set(read_input(Path(revocation_path)))
        except RevocationSetError as exc:
            fail(f"{revocation_path}: {exc}")

    verdict = verify_matter(
        dac,
        pai,
        paa_store=paas,
        at=at,
        cd=cd,
        cd_signers=signers,
        vid=reported_vid,
        pid=reported_pid,
        revocation=revocation,
    )
    if as_json:
        emit_json(verdict.to_dict(dac_path))
    else:
        _render(dac_path, verdict.valid, verdict.vid, verdict.pid, verdict.findings)
    raise SystemExit(EXIT_OK if verdict.valid else EXIT_INVALID)


def _render(name: str, valid: bool, vid: int | None, pid: int | None, findings: tuple) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    ids = f"VID {vid:04X}" if vid is not None else "VID ?"
    ids += f"  PID {pid:04X}" if pid is not None else "  PID ?"
    verdict = Text("VALID", style="bold green") if valid else Text("INVALID", style="bold red")
    console.print(Text(f"{name}: ") + verdict + Text(f"  ({ids})"))
    if findings:
        table = Table(show_header=True, header_style="bold")
        for column in ("severity", "code", "SDK result", "message"):
            table.add_column(column)
        colours = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
        for f in findings:
            sdk = f"{f.evidence.get('sdk_result', '')} ({f.evidence.get('sdk_code', '')})"
            table.add_row(
                Text(f.severity.value, style=colours[f.severity]), f.code, sdk, Text(f.message)
            )
        console.print(table)


def register(root: click.Group) -> None:
    """Add ``matter`` to the ``verify`` group (created here if the verify module has not)."""
    group = root.commands.get("verify")
    if not isinstance(group, click.Group):
        group = click.Group(
            "verify", help="Verify device identity: tokens, COSE, certificates, Matter."
        )
        root.add_command(group)
    group.add_command(matter_command)
