"""Revocation sets in the Matter SDK's JSON format (Matter Core §6.2.4).

A revocation set is a JSON list of entries::

    {"type": "revocation_set",
     "issuer_subject_key_id": "<20-byte AKID, uppercase hex>",
     "issuer_name": "<DER of the issuer Name, base64>",
     "revoked_serial_numbers": ["<serial, uppercase hex>", ...],
     "crl_signer_cert": "<DER, base64>",
     "crl_signer_delegator": "<DER, base64>"}          # optional

A certificate (DAC or PAI) is revoked when an entry has its issuer name and
authority key identifier and lists its serial number. As in the SDK, an entry
only counts when its CRL signer (or, when present, the delegator) has the
issuer's subject name and key identifier; a matching entry that fails this
cross-check is ignored and reported as a warning.

The document is bounded: at most :data:`MAX_REVOCATION_BYTES` before ``json`` sees it
(which bounds the decoder's time and memory), at most :data:`MAX_REVOCATION_ENTRIES`
entries and :data:`MAX_REVOKED_SERIALS` serial numbers. Nesting: what devid reads is 3
levels deep (the list, an entry, its serial numbers), enforced by the type of every field
it reads; deeper nesting elsewhere stops the decoder at the interpreter's recursion limit,
which is reported as a malformed document. :func:`parse_revocation_set` reports a malformed
document as a ``MATTER-REVOCATION-MALFORMED`` finding; :func:`load_revocation_set` raises
it as :class:`RevocationSetError`. Neither lets a parser's exception or text through.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509

from devid._findings import Finding
from devid.matter._certs import MAX_CERT_BYTES, ski_of
from devid.matter._guard import PARSER_ERRORS
from devid.matter._results import mfinding

MAX_REVOCATION_BYTES = 4 * 1024 * 1024
MAX_REVOCATION_ENTRIES = 10_000
MAX_REVOKED_SERIALS = 200_000  # in the whole document


class RevocationSetError(ValueError):
    """The revocation-set document itself is not in the expected format."""


@dataclass(frozen=True, slots=True)
class RevocationEntry:
    issuer_key_id: str  # uppercase hex
    issuer_name: bytes  # DER
    serials: frozenset[str]  # uppercase hex
    crl_signer: bytes | None
    crl_signer_delegator: bytes | None


@dataclass(frozen=True, slots=True)
class RevocationSet:
    entries: tuple[RevocationEntry, ...]


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise RevocationSetError(f"{what} is not a string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise RevocationSetError(f"{what} is not base64") from None
    if len(raw) > MAX_CERT_BYTES:
        raise RevocationSetError(f"{what} is larger than {MAX_CERT_BYTES} bytes")
    return raw


def parse_revocation_set(data: bytes | str) -> tuple[RevocationSet | None, list[Finding]]:
    """A revocation-set JSON document, or None and a ``MATTER-REVOCATION-MALFORMED`` finding."""
    try:
        return _load(data), []
    except RevocationSetError as exc:
        return None, [
            mfinding("MATTER-REVOCATION-MALFORMED", f"revocation set: {exc}", reason=str(exc))
        ]


def load_revocation_set(data: bytes | str) -> RevocationSet:
    """Parse a revocation-set JSON document; a malformed document raises RevocationSetError
    (its message is devid's reason, never the JSON decoder's text)."""
    return _load(data)


def _load(data: bytes | str) -> RevocationSet:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_REVOCATION_BYTES:
        raise RevocationSetError(f"larger than {MAX_REVOCATION_BYTES} bytes")
    if not raw.strip():
        raise RevocationSetError("empty document")
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RevocationSetError(
            f"not JSON (syntax error at line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise RevocationSetError("not JSON (not UTF-8 text)") from None
    except RecursionError:
        raise RevocationSetError("JSON nested too deeply") from None
    except PARSER_ERRORS:  # e.g. an integer of more than 4300 digits
        raise RevocationSetError("not JSON within the decoder's limits") from None
    if not isinstance(doc, list):
        raise RevocationSetError("a revocation set is a JSON list of entries")
    if len(doc) > MAX_REVOCATION_ENTRIES:
        raise RevocationSetError(f"more than {MAX_REVOCATION_ENTRIES} entries")
    entries = []
    serial_count = 0
    for index, item in enumerate(doc):
        where = f"entry {index}"
        if not isinstance(item, dict):
            raise RevocationSetError(f"{where} is not an object")
        if item.get("type") != "revocation_set":
            continue  # other entry types are not revocation sets
        akid = item.get("issuer_subject_key_id")
        serials = item.get("revoked_serial_numbers")
        if (
            not isinstance(akid, str)
            or not isinstance(serials, list)
            or not all(isinstance(s, str) for s in serials)
        ):
            raise RevocationSetError(
                f"{where}: issuer_subject_key_id or revoked_serial_numbers missing or malformed"
            )
        serial_count += len(serials)
        if serial_count > MAX_REVOKED_SERIALS:
            raise RevocationSetError(f"more than {MAX_REVOKED_SERIALS} revoked serial numbers")
        signer = item.get("crl_signer_cert")
        delegator = item.get("crl_signer_delegator")
        entries.append(
            RevocationEntry(
                issuer_key_id=akid.upper(),
                issuer_name=_b64(item.get("issuer_name"), f"{where}: issuer_name"),
                serials=frozenset(s.upper() for s in serials),
                crl_signer=_b64(signer, f"{where}: crl_signer_cert")
                if signer is not None
                else None,
                crl_signer_delegator=_b64(delegator, f"{where}: crl_signer_delegator")
                if delegator is not None
                else None,
            )
        )
    return RevocationSet(tuple(entries))


def _serial_hex(cert: x509.Certificate) -> str:
    n = cert.serial_number
    length = max(1, (n.bit_length() + 8) // 8) if n >= 0 else 20
    raw = n.to_bytes(length, "big", signed=True)
    # DER keeps a leading zero only when the next byte has its high bit set.
    while len(raw) > 1 and raw[0] == 0 and raw[1] < 0x80:
        raw = raw[1:]
    return raw.hex().upper()


def _aki(cert: x509.Certificate) -> str | None:
    try:
        kid = cert.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    except PARSER_ERRORS:
        return None
    return kid.hex().upper() if kid else None


@lru_cache(maxsize=256)
def _signer_facts(raw: bytes) -> tuple[bytes, str] | None:
    """(subject DER, SKI hex) of a CRL signer certificate, None when it does not parse.
    Cached: one signer recurs in many entries and across verifications."""
    try:
        signer = x509.load_der_x509_certificate(raw)
        subject = signer.subject.public_bytes()
    except PARSER_ERRORS:
        return None
    ski = ski_of(signer)
    return (subject, ski.hex().upper()) if ski is not None else None


def _cross_validates(entry: RevocationEntry, issuer_name: bytes, akid: str) -> bool:
    raw = entry.crl_signer_delegator if entry.crl_signer_delegator is not None else entry.crl_signer
    if raw is None:
        return False
    facts = _signer_facts(raw)
    return facts is not None and facts == (issuer_name, akid)


def check_revoked(cert: x509.Certificate, role: str, revocation: RevocationSet) -> list[Finding]:
    """Findings for ``cert`` (the DAC or PAI) against a revocation set."""
    akid = _aki(cert)
    if akid is None:
        return []
    try:
        issuer = cert.issuer.public_bytes()
        serial = _serial_hex(cert)
    except PARSER_ERRORS as exc:
        return [
            mfinding(
                "MATTER-CERT-MALFORMED",
                f"{role.upper()} issuer name or serial number is not well-formed",
                role=role,
                parser_error=type(exc).__name__,
            )
        ]
    out: list[Finding] = []
    for entry in revocation.entries:
        if entry.issuer_name != issuer or entry.issuer_key_id != akid:
            continue
        if not _cross_validates(entry, issuer, akid):
            out.append(
                mfinding(
                    "MATTER-REVOCATION-ENTRY",
                    f"revocation entry for the {role.upper()} issuer ignored: CRL signer is not it",
                    role=role,
                    issuer_key_id=akid,
                )
            )
            continue
        if serial in entry.serials:
            out.append(
                mfinding(
                    "MATTER-REVOKED",
                    f"{role.upper()} serial {serial} is revoked",
                    role=role,
                    serial=serial,
                    issuer_key_id=akid,
                )
            )
    return out
