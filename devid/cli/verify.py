"""``devid verify token|cose|cert|id``: check identity tokens, COSE messages, certificates
and identifiers.

Thin: arguments are parsed here, the checks are :mod:`devid._token`,
:mod:`devid._cose` and :mod:`devid._certs`. Exit 0 when every input is valid,
1 when some input is invalid, 2 on a usage or I/O error (one line on stderr).
The ``verify`` group is shared: :mod:`devid.cli.verify_matter` adds ``matter``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from devid._findings import Finding, finding, has_errors
from devid.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    emit_json,
    expand_inputs,
    fail,
    load_trust_store,
    parse_at,
    parse_hex,
)

#: Files larger than this are not read: a token is at most 64 KiB, and its hex
#: text form about twice that.
MAX_READ = 4 * 64 * 1024
TRUST_ENV = "DEVID_TRUST"
#: Above this many inputs the table lists only the invalid ones.
MAX_TABLE_ROWS = 50


@dataclass(frozen=True)
class Verdict:
    """One line of output: an input and what was found."""

    input: str
    valid: bool
    subject: str | None
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "valid": self.valid, "subject": self.subject,
                "findings": [f.to_dict() for f in self.findings]}


# ------------------------------------------------------------------ shared helpers


def _read_limited(path: Path) -> bytes | None:
    """The file's bytes, or ``None`` when it is larger than :data:`MAX_READ`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_READ + 1)
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    return None if len(data) > MAX_READ else data


def _too_large(path: Path) -> Verdict:
    f = finding("ID-TOO-LARGE", f"file is larger than {MAX_READ} bytes; a token is at most 64 KiB",
                evidence={"limit": MAX_READ})
    return Verdict(str(path), False, None, (f,))


def _load_key(path: str) -> Any:
    """A public key from PEM/DER: a public key or a certificate (never a private key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        fail(f"--key {path}: {exc.strerror or exc}")
    if b"PRIVATE KEY-----" in data:
        fail(f"--key {path}: this is a private key; give the public key or the certificate")
    loaders = ((x509.load_pem_x509_certificate, True), (serialization.load_pem_public_key, False),
               (x509.load_der_x509_certificate, True), (serialization.load_der_public_key, False))
    for loader, is_cert in loaders:
        try:
            obj: Any = loader(data)
        except (ValueError, TypeError, x509.InvalidVersion):
            continue
        return obj.public_key() if is_cert else obj
    fail(f"--key {path}: not a PEM/DER public key or certificate")


def _trust_store(directory: str, option: str = "--trust") -> Any:
    return load_trust_store(directory, option)


def _revocation(path: str | None) -> Any:
    if path is None:
        return None
    from devid._certs import RevocationList

    try:
        return RevocationList.load(path)
    except (ValueError, OSError) as exc:
        fail(f"--revoked: {exc}")


def _report(verdicts: Iterable[Verdict], as_json: bool, subject_header: str = "subject") -> None:
    """Print every verdict (JSON lines or a table) and exit 0 / 1."""
    all_valid = True
    rows: list[Verdict] = []
    for v in verdicts:
        all_valid &= v.valid
        if as_json:
            emit_json(v.to_dict())
        else:
            rows.append(v)
    if not as_json:
        _print_table(rows, subject_header)
    sys.exit(EXIT_OK if all_valid else EXIT_INVALID)


def _print_table(rows: Sequence[Verdict], subject_header: str = "subject") -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    bad = sum(not v.valid for v in rows)
    shown = rows if len(rows) <= MAX_TABLE_ROWS else [v for v in rows if not v.valid]
    table = Table(box=None)
    table.add_column("input", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column(subject_header, overflow="fold")
    table.add_column("findings", overflow="fold", ratio=1)
    for v in shown:
        verdict = Text("valid", style="green") if v.valid else Text("INVALID", style="bold red")
        notes = Text()
        for i, f in enumerate(v.findings):
            if i:
                notes.append("\n")
            style = {"error": "red", "warning": "yellow"}.get(f.severity.value, "")
            notes.append(f.code, style=style)
            notes.append(f" {f.message}")  # Text: device strings are never markup
        table.add_row(Text(v.input), verdict, Text(v.subject or "-"), notes)
    if shown:
        console.print(table)
    summary = f"{len(rows)} checked: {len(rows) - bad} valid, {bad} invalid"
    if len(shown) < len(rows):
        summary += " (valid inputs not listed; --json lists every input)"
    console.print(Text(summary, style="bold red" if bad else "bold green"))


def _files(paths: Sequence[str]) -> list[Path]:
    files = list(expand_inputs(paths))
    if not files:
        fail(f"nothing to verify in {', '.join(paths)}")
    return files


# ------------------------------------------------------------------ commands


@click.group("verify")
def verify_group() -> None:
    """Verify identity tokens, COSE_Sign1 messages, device certificates and identifiers.

    \b
    Exit code: 0 every input valid, 1 some input invalid, 2 usage or I/O error.
    --json prints one object per input per line:
      {"input", "valid", "subject", "findings": [{"code", "severity", "message", ...}]}
    (verify id: "scheme" in place of "subject").
    """


@verify_group.command("token")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--trust", "trust_dir", metavar="DIR",
              help="Directory of trust anchor certificates (PEM/DER). "
                   f"Default: ${TRUST_ENV} when set.")
@click.option("--key", "key_file", metavar="PEM",
              help="Trust this public key (PEM public key or certificate) instead of a chain.")
@click.option("--at", "at", metavar="ISO8601", help="Validation time (default: now; naive = UTC).")
@click.option("--nonce", metavar="HEX", help="Challenge nonce the token's eat_nonce must equal.")
@click.option("--revoked", "revoked", metavar="FILE",
              help="Revocation file: JSON [{issuer_ski, serial}] or PEM CRL (with --trust).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input per line.")
def token_cmd(*, paths: tuple[str, ...], trust_dir: str | None, key_file: str | None,
              at: str | None, nonce: str | None, revoked: str | None, as_json: bool) -> None:
    """Verify identity tokens (spec devid/1 §3): signature, x5chain, claims, sub binding.

    A PATH may be a directory: every file in it is verified. A token file holds
    the raw CBOR, or the same bytes as hex or base64 text.

    Trust comes from --trust DIR (the chain must lead to one of its certificates,
    under the devid/1 certificate profile) or from --key PEM (the token's device
    certificate must carry that key; the chain is not validated). With neither,
    $DEVID_TRUST names the trust directory.
    """
    from devid._certs import ChainValidator
    from devid._token import token_bytes, verify_token

    if trust_dir and key_file:
        fail("give either --trust DIR or --key PEM, not both")
    if not trust_dir and not key_file:
        trust_dir = os.environ.get(TRUST_ENV) or None
        if not trust_dir:
            fail(f"no trust given: use --trust DIR (trust anchors), --key PEM (a trusted key), "
                 f"or set ${TRUST_ENV}")
    if key_file and revoked:
        fail("--revoked needs --trust (revocation is checked along the validated chain)")
    now = parse_at(at)
    from devid._check import NONCE_MAX, NONCE_MIN

    challenge = parse_hex("--nonce", nonce)
    if challenge is not None and not NONCE_MIN <= len(challenge) <= NONCE_MAX:
        fail(f"--nonce: a challenge nonce is {NONCE_MIN}-{NONCE_MAX} bytes "
             f"(spec §5), not {len(challenge)}")
    files = _files(paths)
    key = _load_key(key_file) if key_file else None
    validator = (ChainValidator(_trust_store(trust_dir), revocation=_revocation(revoked))
                 if trust_dir else None)

    def run() -> Iterable[Verdict]:
        for path in files:
            data = _read_limited(path)
            if data is None:
                yield _too_large(path)
                continue
            res = verify_token(token_bytes(data), now=now, validator=validator, key=key,
                               nonce=challenge)
            yield Verdict(str(path), res.valid, res.subject, res.findings)

    _report(run(), as_json)


@verify_group.command("cose")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--key", "key_file", required=True, metavar="PEM",
              help="Public key (PEM/DER public key or certificate).")
@click.option("--external-aad", "aad", metavar="HEX",
              help="External additional authenticated data.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input per line.")
def cose_cmd(paths: tuple[str, ...], key_file: str, aad: str | None, as_json: bool) -> None:
    """Verify only the signature of COSE_Sign1 messages (RFC 9052), e.g. COSE WG examples.

    Tagged and untagged messages; ES256, ES384, ES512, EdDSA. alg only in the
    unprotected header, or ES512 on a P-256 key, are warnings here (errors in
    identity tokens). Files: raw CBOR, or hex / base64 text.
    """
    from devid._cose import parse_sign1, verify_sign1
    from devid._token import token_bytes

    external = parse_hex("--external-aad", aad) or b""
    files = _files(paths)
    key = _load_key(key_file)

    def run() -> Iterable[Verdict]:
        for path in files:
            data = _read_limited(path)
            if data is None:
                yield _too_large(path)
                continue
            msg, found = parse_sign1(token_bytes(data))
            if msg is not None:
                found = verify_sign1(msg, key, external_aad=external)
            yield Verdict(str(path), not has_errors(found), None, found)

    _report(run(), as_json)


@verify_group.command("cert")
@click.argument("leaf", metavar="LEAF")
@click.option("--chain", "chain_file", metavar="PEM",
              help="Intermediate certificates (the vendor CA), PEM or DER.")
@click.option("--trust", "trust_dir", metavar="DIR",
              help=f"Directory of trust anchor certificates. Default: ${TRUST_ENV} when set.")
@click.option("--at", "at", metavar="ISO8601", help="Validation time (default: now; naive = UTC).")
@click.option("--revoked", "revoked", metavar="FILE",
              help="Revocation file: JSON [{issuer_ski, serial}] or PEM CRL.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on one line.")
def cert_cmd(*, leaf: str, chain_file: str | None, trust_dir: str | None, at: str | None,
             revoked: str | None, as_json: bool) -> None:
    """Validate a device certificate against the devid/1 profile (spec §2) and trust anchors.

    LEAF is PEM or DER; when it holds several certificates the first is the
    device's and the others are intermediates, like those of --chain.
    """
    from devid._certs import ChainValidator

    trust_dir = trust_dir or os.environ.get(TRUST_ENV) or None
    if not trust_dir:
        fail(f"no trust given: use --trust DIR or set ${TRUST_ENV}")
    now = parse_at(at)
    leaf_path = Path(leaf)
    if leaf_path.is_dir() or not leaf_path.exists():  # a pipe (<(...)) will do
        fail(f"{leaf}: " + ("is a directory" if leaf_path.exists() else "no such file"))
    data = _read_limited(leaf_path)
    validator = ChainValidator(_trust_store(trust_dir), revocation=_revocation(revoked))
    if data is None:
        _report([Verdict(leaf, False, None, (finding(
            "ID-CERT-MALFORMED", f"file is larger than {MAX_READ} bytes"),))], as_json)
    assert data is not None
    certs, problems = _split_certs(data, "LEAF")
    inters: list[Any] = certs[1:]
    if chain_file:
        chain_path = Path(chain_file)
        if chain_path.is_dir() or not chain_path.exists():
            fail(f"--chain {chain_file}: " + ("is a directory" if chain_path.exists()
                                              else "no such file"))
        chain_data = _read_limited(chain_path)
        if chain_data is None:
            fail(f"--chain {chain_file}: larger than {MAX_READ} bytes")
        more, more_problems = _split_certs(chain_data, "--chain")
        inters += more
        problems += more_problems
    if not certs:
        _report([Verdict(leaf, False, None, tuple(problems))], as_json)
    res = validator.validate(certs[0], inters, now=now)
    found = tuple(problems) + tuple(res.findings)
    if not inters and not chain_file and not as_json \
            and any(f.code == "ID-CHAIN-UNTRUSTED" for f in found):
        click.echo("devid: hint: only the leaf was given; pass its vendor CA with --chain FILE "
                   "(devid ca writes it as chain.pem beside cert.pem)", err=True)
    _report([Verdict(leaf, res.valid and not has_errors(found), res.urn, found)], as_json)


class _IdVerdict(Verdict):
    """A ``verify id`` line: the subject column is the identifier's scheme."""

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "scheme": self.subject, "valid": self.valid,
                "findings": [f.to_dict() for f in self.findings]}


@verify_group.command("id")
@click.argument("values", nargs=-1, required=True, metavar="VALUE...")
@click.option("--scheme", type=click.Choice(["urn", "ueid", "matter", "gb28181"]),
              help="Check every VALUE as this scheme (default: recognised from its shape).")
@click.option("--json", "as_json", is_flag=True,
              help='One JSON object per VALUE per line: {"input", "scheme", "valid", '
                   '"findings"}.')
def id_cmd(values: tuple[str, ...], scheme: str | None, as_json: bool) -> None:
    """Check identifiers for well-formedness (spec devid/1 §1).

    \b
    urn      devid device URN, e.g. urn:dev:ops:32473-SmartLock-0001
    ueid     EAT UEID in hex (RFC 9711 §4.2.1), e.g. 01 followed by 16 random bytes
    matter   Matter vendor id or VID:PID in hex, e.g. 0xFFF1:0x8000 (a test vendor)
    gb28181  20-digit GB/T 28181 device code, e.g. 34020000001320000001

    Without --scheme each VALUE's scheme is recognised from its shape; a VALUE of
    no known shape is ID-IDENTIFIER-UNKNOWN. A Matter test vendor (0xFFF1-0xFFF4)
    is a warning, not an error.
    """
    from devid._identifiers import check_identifier

    def run() -> Iterable[Verdict]:
        for value in values:
            res = check_identifier(value, scheme)
            yield _IdVerdict(value, res.valid, res.scheme, res.findings)

    _report(run(), as_json, subject_header="scheme")


@dataclass(frozen=True)
class _ReportVerdict(Verdict):
    """A ``verify report`` line: the subject is the lab certificate's subject."""

    signature: str = ""
    alg: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "valid": self.valid, "subject": self.subject,
                "signature": self.signature, "alg": self.alg,
                "findings": [f.to_dict() for f in self.findings]}


@verify_group.command("report")
@click.argument("report", metavar="FILE")
@click.option("--signature", "signature_file", metavar="FILE.cose",
              help="The detached COSE_Sign1 of FILE. Default: FILE.cose beside it.")
@click.option("--trust", "trust_dir", metavar="DIR",
              help=f"Directory of the trusted lab CA certificates. Default: ${TRUST_ENV} when set.")
@click.option("--at", "at", metavar="ISO8601",
              help="Time at which the lab certificate must be valid (default: now; naive = UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on one line.")
def report_cmd(*, report: str, signature_file: str | None, trust_dir: str | None,
               at: str | None, as_json: bool) -> None:
    """Verify a signed report (scan, test, check): the detached COSE_Sign1 over the file's
    exact bytes, and the lab certificate chain in its x5chain against --trust
    (docs/signing.md).

    \b
    Exit 0: the signature is valid and the lab certificate chains to --trust at --at;
    1: the report was changed, signed with another key, by a signer outside --trust,
    or with a lab certificate not valid at --at (or has no signature); 2: usage or I/O.
    """
    from dataclasses import replace

    from devid._reports._signing import MAX_SIGNATURE, signature_path, verify_report

    trust_dir = trust_dir or os.environ.get(TRUST_ENV) or None
    if not trust_dir:
        fail(f"no trust given: use --trust DIR or set ${TRUST_ENV}")
    now = parse_at(at)
    path = Path(report)
    if path.is_dir() or not path.exists():
        fail(f"{report}: " + ("is a directory" if path.exists() else "no such file"))
    trust = _trust_store(trust_dir)
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"{report}: {exc.strerror or exc}")
    sig_path = Path(signature_file) if signature_file else signature_path(path)
    if signature_file and (sig_path.is_dir() or not sig_path.exists()):
        fail(f"--signature {signature_file}: " + ("is a directory" if sig_path.exists()
                                                   else "no such file"))
    base = _ReportVerdict(report, False, None, ())
    base = replace(base, signature=str(sig_path))
    if not sig_path.is_file():
        _report([replace(base, findings=(finding(
            "REPORT-SIGNATURE-MISSING", f"no signature file {sig_path} (sign with --sign-key "
            "and --sign-chain)", subject="report signature",
            evidence={"signature": str(sig_path)}),))], as_json, "signer")
    try:
        with sig_path.open("rb") as fh:
            sig = fh.read(MAX_SIGNATURE + 1)
    except OSError as exc:
        fail(f"--signature {sig_path}: {exc.strerror or exc}")
    verdict = verify_report(data, sig, trust, now=now)
    _report([replace(base, valid=verdict.valid, subject=verdict.signer,
                     findings=verdict.findings, alg=verdict.alg)], as_json, "signer")


def _split_certs(data: bytes, what: str) -> tuple[list[Any], list[Finding]]:
    """Certificates of a PEM (one or more) or DER file; a bad file is a finding."""
    from devid._certs import load_certificates

    try:
        return list(load_certificates(data)), []
    except ValueError as exc:
        return [], [finding("ID-CERT-MALFORMED", f"{what}: {exc}")]


def register(root: click.Group) -> None:
    """Add the ``verify`` group (token, cose, cert, id, report) to ``root``."""
    root.add_command(verify_group)


__all__ = ["Verdict", "register", "verify_group"]
