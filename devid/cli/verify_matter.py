"""``devid verify matter``: Matter device attestation of a DAC/PAI pair (and a CD).

Which file problems are errors and which are findings (docs/matter.md, "Unusable files"):

- every option's path must exist and be of the right kind (a file for ``--dac``, ``--pai``,
  ``--cd``, ``--revocation-set``; a directory for ``--paa-store``, ``--cd-signers``) and be
  readable, else exit 2 with one line, ``devid: error: --opt PATH: reason``;
- the device's artefacts (``--dac``, ``--pai``, ``--cd``) are then judged: empty, garbage or
  oversized content is a finding (``MATTER-CERT-MALFORMED``, ``MATTER-CD-MALFORMED``) and
  exit 1;
- the caller's own trust inputs (``--paa-store``, ``--cd-signers``, ``--revocation-set``)
  must be usable: no certificate in a store, an oversized store file or a malformed
  revocation set is exit 2 with the reason.

Every file is read with a bound (the library's limit plus one byte), never whole.
"""

from __future__ import annotations

import errno
from pathlib import Path

import click

from devid._findings import Severity
from devid.cli._common import EXIT_INVALID, EXIT_OK, emit_json, fail, parse_at
from devid.matter import CertStore, parse_revocation_set, verify_matter
from devid.matter._cd import MAX_CD_INPUT_BYTES
from devid.matter._certs import MAX_CERT_BYTES
from devid.matter._revocation import MAX_REVOCATION_BYTES

_REASONS = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EISDIR: "is a directory, not a file",
    errno.ENOTDIR: "is not a directory",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def _read(option: str, path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a file option (the library reports anything longer)."""
    file = Path(path)
    try:
        if file.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        with file.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        fail(f"{option} {path}: {_reason(exc)}")


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
    directory = Path(path)
    if not directory.exists():
        fail(f"{option} {path}: no such file or directory")
    if not directory.is_dir():
        fail(f"{option} {path}: is not a directory")
    try:
        store = CertStore.from_directory(directory)
    except OSError as exc:
        inner = Path(exc.filename).name if exc.filename and exc.filename != path else None
        fail(f"{option} {path}: {inner + ': ' if inner else ''}{_reason(exc)}")
    if not store.certificates:
        fail(f"{option} {path}: no certificates found (DER or PEM)")
    return store


@click.command("matter")
@click.option(
    "--dac",
    "dac_path",
    required=True,
    type=click.Path(),
    help="Device Attestation Certificate (DER or PEM).",
)
@click.option(
    "--pai",
    "pai_path",
    required=True,
    type=click.Path(),
    help="Product Attestation Intermediate (DER or PEM).",
)
@click.option(
    "--paa-store",
    required=True,
    type=click.Path(),
    help="Directory of trusted PAA certificates.",
)
@click.option(
    "--cd",
    "cd_path",
    type=click.Path(),
    help="Certification Declaration (CMS, DER or PEM).",
)
@click.option(
    "--cd-signers",
    type=click.Path(),
    help="Directory of trusted CD signing certificates.",
)
@click.option("--vid", help="VendorID the device reports (hex).")
@click.option("--pid", help="ProductID the device reports (hex).")
@click.option("--at", "at_text", help="Validation time, ISO 8601 (default: now).")
@click.option(
    "--revocation-set",
    "revocation_path",
    type=click.Path(),
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
    dac = _read("--dac", dac_path, MAX_CERT_BYTES)
    pai = _read("--pai", pai_path, MAX_CERT_BYTES)
    paas = _store("--paa-store", paa_store)
    cd = _read("--cd", cd_path, MAX_CD_INPUT_BYTES) if cd_path is not None else None
    signers = _store("--cd-signers", cd_signers) if cd_signers is not None else None
    revocation = None
    if revocation_path is not None:
        data = _read("--revocation-set", revocation_path, MAX_REVOCATION_BYTES)
        revocation, problems = parse_revocation_set(data)
        if revocation is None:
            reason = problems[0].evidence.get("reason", problems[0].message)
            fail(f"--revocation-set {revocation_path}: not a revocation set: {reason}")

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
