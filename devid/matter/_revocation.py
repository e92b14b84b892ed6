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
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cryptography import x509

from devid._findings import Finding
from devid.matter._certs import EXT_ERRORS, LOAD_ERRORS, ski_of
from devid.matter._results import mfinding


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
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RevocationSetError(f"{what} is not base64: {exc}") from exc


def load_revocation_set(data: bytes | str) -> RevocationSet:
    """Parse a revocation-set JSON document; a malformed document raises RevocationSetError."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RevocationSetError(f"not JSON: {exc}") from exc
    if not isinstance(doc, list):
        raise RevocationSetError("a revocation set is a JSON list of entries")
    entries = []
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
    except EXT_ERRORS:
        return None
    return kid.hex().upper() if kid else None


def _cross_validates(entry: RevocationEntry, issuer_name: bytes, akid: str) -> bool:
    raw = entry.crl_signer_delegator if entry.crl_signer_delegator is not None else entry.crl_signer
    if raw is None:
        return False
    try:
        signer = x509.load_der_x509_certificate(raw)
    except LOAD_ERRORS:
        return False
    ski = ski_of(signer)
    return (
        signer.subject.public_bytes() == issuer_name
        and ski is not None
        and ski.hex().upper() == akid
    )


def check_revoked(cert: x509.Certificate, role: str, revocation: RevocationSet) -> list[Finding]:
    """Findings for ``cert`` (the DAC or PAI) against a revocation set."""
    akid = _aki(cert)
    if akid is None:
        return []
    issuer = cert.issuer.public_bytes()
    serial = _serial_hex(cert)
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
