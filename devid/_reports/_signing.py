"""Signed reports: a detached COSE_Sign1 over a report file's exact bytes.

What is signed is the report **file as written** (its bytes, byte for byte): no
re-serialisation, so any report format (JSON, JUnit XML, HTML) is signed the same
way and one changed byte breaks the signature. The signature is a tagged
COSE_Sign1 (RFC 9052 §4.2) with a nil payload (detached, §2), written beside the
report as ``<report file>.cose``. Its protected header holds ``alg`` (1; ES256,
ES384, ES512 or EdDSA, from the key), ``cty`` (3; the report's media type) and
``x5chain`` (33, RFC 9360 §2): the lab certificate first, then its CA
certificates (one certificate: a byte string; several: an array of them).

Verifying (:func:`verify_report`) checks, in order: the signature file's
structure, the signature over the report bytes with the key of the first
x5chain certificate, and the certificate chain: a plain X.509 path validation
(``cryptography.x509.verification``) to an anchor of the trust store at the
given time, with a signing-certificate policy (the lab certificate must not be
a CA and must allow ``digitalSignature``; CA certificates must be CAs). The lab
certificate is not a device certificate: devid/1's device profile (URN SAN,
serialNumber) does not apply.

Pure apart from :func:`load_signing_key` / :func:`load_chain` /
:func:`sign_file`, which read and write the caller's own files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    VerificationError,
)

from devid import _cose
from devid._certs import DECODE_ERRORS, TrustStore, cert_der, load_certificates
from devid._findings import Finding, finding, has_errors

#: The environment variable that holds the passphrase of an encrypted signing key.
PASSPHRASE_ENV = "DEVID_SIGN_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
#: The suffix of a report's detached signature file.
SIGNATURE_SUFFIX = ".cose"
#: A signature file larger than this is not read (a chain of a few certificates is ~4 KiB).
MAX_SIGNATURE = 1024 * 1024

_MEDIA_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
}
_SUBJECT = "report signature"
_LOAD_ERRORS: tuple[type[Exception], ...] = (ValueError, *DECODE_ERRORS)
_PATH_ERRORS: tuple[type[Exception], ...] = (VerificationError, *DECODE_ERRORS)


class SigningError(ValueError):
    """The signing key or chain cannot be used (one line, naming the file)."""


# -- loading the lab's key and chain (the caller's own files) ----------------------------------


def load_signing_key(path: str | os.PathLike[str], passphrase: bytes | None = None
                     ) -> PrivateKeyTypes:
    """The PEM (or DER) private key in ``path``; ``passphrase`` for an encrypted one
    (the CLI takes it from ``$DEVID_SIGN_PASSPHRASE``, never from the command line).
    Raises :class:`SigningError` with one line naming the file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise SigningError(f"{file}: {exc.strerror or exc}") from None
    loader = (serialization.load_pem_private_key if b"-----BEGIN" in data
              else serialization.load_der_private_key)
    try:
        key = loader(data, passphrase)
    except TypeError:
        if passphrase is None:
            raise SigningError(f"{file}: the key is encrypted: set ${PASSPHRASE_ENV} to its "
                               "passphrase") from None
        raise SigningError(f"{file}: the key is not encrypted: unset ${PASSPHRASE_ENV}") from None
    except _LOAD_ERRORS:
        if passphrase is not None and b"ENCRYPTED" in data:
            raise SigningError(f"{file}: cannot decrypt the key (wrong ${PASSPHRASE_ENV}?)"
                               ) from None
        raise SigningError(f"{file}: not a PEM or DER private key") from None
    try:
        _cose.default_alg(key)
    except ValueError as exc:
        raise SigningError(f"{file}: {exc} (use an EC P-256/P-384/P-521 or Ed25519 key)"
                           ) from None
    return key


def load_chain(path: str | os.PathLike[str]) -> list[x509.Certificate]:
    """The lab's certificate chain in ``path`` (PEM, lab certificate first). Raises
    :class:`SigningError` with one line naming the file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise SigningError(f"{file}: {exc.strerror or exc}") from None
    try:
        certs = load_certificates(data)
    except ValueError as exc:
        raise SigningError(f"{file}: {exc}") from None
    if not certs:
        raise SigningError(f"{file}: no certificate found")
    return certs


@dataclass(frozen=True)
class Signer:
    """A signing key and the certificate chain that names it (lab certificate first)."""

    key: PrivateKeyTypes
    chain: tuple[x509.Certificate, ...]

    def __post_init__(self) -> None:
        if not self.chain:
            raise SigningError("the certificate chain is empty")
        public = self.key.public_key()
        leaf_key = self.chain[0].public_key()
        fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if public.public_bytes(*fmt) != leaf_key.public_bytes(*fmt):
            raise SigningError("the signing key does not belong to the first certificate "
                               "of the chain")

    @classmethod
    def load(cls, key_path: str | os.PathLike[str], chain_path: str | os.PathLike[str],
             passphrase: bytes | None = None) -> Signer:
        return cls(load_signing_key(key_path, passphrase), tuple(load_chain(chain_path)))


# -- signing -------------------------------------------------------------------------------


def media_type(name: str | os.PathLike[str]) -> str:
    """The media type recorded in ``cty`` for a report file name."""
    return _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def sign_report(data: bytes, signer: Signer, *, content_type: str | None = None) -> bytes:
    """A detached, tagged COSE_Sign1 over ``data`` (the report's exact bytes)."""
    ders = [cert_der(c) for c in signer.chain]
    protected: dict[int, Any] = {_cose.HDR_X5CHAIN: ders[0] if len(ders) == 1 else ders}
    if content_type:
        protected[_cose.HDR_CTY] = content_type
    return _cose.sign1(None, signer.key, protected=protected, detached_payload=bytes(data))


def signature_path(report: str | os.PathLike[str]) -> Path:
    """``<report file>.cose``."""
    path = Path(report)
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def sign_file(report: str | os.PathLike[str], signer: Signer,
              out: str | os.PathLike[str] | None = None) -> Path:
    """Sign the file ``report`` as it is on disk; write the signature to ``out`` (default
    ``<report>.cose``) and return its path. ``OSError`` on I/O problems."""
    data = Path(report).read_bytes()
    target = Path(out) if out is not None else signature_path(report)
    target.write_bytes(sign_report(data, signer, content_type=media_type(report)))
    return target


# -- verifying -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportVerdict:
    """The verdict on one signed report: ``valid`` when no error finding; ``signer`` is
    the lab certificate's subject (when the signature file names one); ``chain`` the
    certificates of x5chain (lab certificate first)."""

    valid: bool
    signer: str | None
    findings: tuple[Finding, ...]
    chain: tuple[x509.Certificate, ...] = ()
    alg: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "signer": self.signer, "alg": self.alg,
                "findings": [f.to_dict() for f in self.findings]}


def _f(code: str, message: str, **evidence: Any) -> Finding:
    return finding(code, message, subject=_SUBJECT, evidence=evidence)


def _subject(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except DECODE_ERRORS:  # pragma: no cover - defensive
        return "<undecodable subject>"


def _x5chain(msg: _cose.Sign1) -> tuple[list[x509.Certificate], list[Finding]]:
    raw = msg.protected.get(_cose.HDR_X5CHAIN)
    if raw is None:
        where = " (it is unprotected)" if _cose.HDR_X5CHAIN in msg.unprotected else ""
        return [], [_f("REPORT-SIGNATURE-MALFORMED",
                       f"no x5chain (header 33) in the protected header{where}")]
    items = [raw] if isinstance(raw, bytes) else raw if isinstance(raw, list) else None
    if not items or not all(isinstance(i, bytes) for i in items):
        return [], [_f("REPORT-SIGNATURE-MALFORMED",
                       "x5chain is neither a certificate nor an array of certificates")]
    certs: list[x509.Certificate] = []
    for n, der in enumerate(items):
        try:
            certs.append(x509.load_der_x509_certificate(der))
        except DECODE_ERRORS:
            return [], [_f("REPORT-SIGNATURE-MALFORMED",
                           f"x5chain certificate {n} does not parse", position=n)]
    return certs, []


def verify_report(data: bytes, signature: bytes, trust: TrustStore, *,
                  now: datetime | None = None) -> ReportVerdict:
    """Verify the detached COSE_Sign1 ``signature`` over the report bytes ``data`` and its
    signer's chain against ``trust`` at ``now`` (default: the system clock). Never raises
    for a bad signature or certificate: they are findings."""
    if not isinstance(trust, TrustStore):
        raise TypeError("trust must be a TrustStore")
    moment = _aware(now or datetime.now(UTC))
    if len(signature) > MAX_SIGNATURE:
        return ReportVerdict(False, None, (_f(
            "REPORT-SIGNATURE-MALFORMED", f"the signature file is larger than {MAX_SIGNATURE} "
            "bytes", size=len(signature)),))
    msg, problems = _cose.parse_sign1(signature, max_size=MAX_SIGNATURE)
    if msg is None:
        text = "; ".join(p.message for p in problems) or "not a COSE_Sign1"
        return ReportVerdict(False, None, (_f("REPORT-SIGNATURE-MALFORMED",
                                              f"not a COSE_Sign1: {text}"),))
    if msg.payload is not None:
        return ReportVerdict(False, None, (_f(
            "REPORT-SIGNATURE-MALFORMED", "the COSE_Sign1 carries a payload; a report "
            "signature is detached (nil payload)"),))
    chain, found = _x5chain(msg)
    if not chain:
        return ReportVerdict(False, None, tuple(found))
    leaf = chain[0]
    signer = _subject(leaf)
    alg = _cose.alg_name(msg.alg) if msg.alg is not None else None
    out: list[Finding] = []
    try:
        leaf_key = leaf.public_key()
    except DECODE_ERRORS:
        leaf_key = None
    if leaf_key is None:
        out.append(_f("REPORT-SIGNATURE-MALFORMED", "the lab certificate's key cannot be read"))
    else:
        sig_findings = _cose.verify_sign1(msg, leaf_key, payload=bytes(data), strict=True)
        for f in sig_findings:
            if not f.is_error:
                continue
            if f.code == "ID-SIG-INVALID":
                out.append(_f("REPORT-SIGNATURE-INVALID",
                              f"the signature does not verify over the report's {len(data)} "
                              "bytes with the lab certificate's key: the report was changed "
                              "after signing, or signed with another key", signer=signer))
            else:
                out.append(_f("REPORT-SIGNATURE-INVALID", f"{f.code}: {f.message}",
                              cause=f.code))
    out.extend(check_signer_chain(chain, trust, moment))
    return ReportVerdict(not has_errors(out), signer, tuple(out), tuple(chain), alg)


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


# -- the lab certificate chain ------------------------------------------------------------------


def _digital_signature_leaf(_policy: Policy, cert: x509.Certificate, value: Any) -> None:
    if value is None or not value.digital_signature:
        raise ValueError("the lab certificate's keyUsage lacks digitalSignature")


def _not_a_ca(_policy: Policy, cert: x509.Certificate, value: Any) -> None:
    if value is not None and value.ca:
        raise ValueError("the lab certificate is a CA certificate")


def _policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    ca = ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None)
    ee = (ExtensionPolicy.permit_all()
          .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _digital_signature_leaf)
          .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _not_a_ca))
    return ca, ee


def _relaxed() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    ca = ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None)
    return ca, ExtensionPolicy.permit_all()


def _verify_path(leaf: x509.Certificate, inters: Sequence[x509.Certificate], trust: TrustStore,
                 now: datetime, policies: tuple[ExtensionPolicy, ExtensionPolicy]
                 ) -> tuple[list[x509.Certificate] | None, str]:
    ca, ee = policies
    verifier = (PolicyBuilder().store(trust.store).time(now)
                .extension_policies(ca_policy=ca, ee_policy=ee).build_client_verifier())
    try:
        verified = verifier.verify(leaf, list(inters))
    except _PATH_ERRORS as exc:
        return None, str(exc)
    return list(verified.chain), ""


def _key_usage_problem(leaf: x509.Certificate) -> str | None:
    try:
        bc = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            return "the lab certificate is a CA certificate (basicConstraints CA:TRUE)"
    except x509.ExtensionNotFound:
        pass
    except DECODE_ERRORS:
        return "the lab certificate's extensions do not decode"
    try:
        ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "the lab certificate has no keyUsage extension (digitalSignature is required)"
    except DECODE_ERRORS:
        return "the lab certificate's keyUsage does not decode"
    if not ku.digital_signature:
        return "the lab certificate's keyUsage lacks digitalSignature"
    return None


def check_signer_chain(chain: Sequence[x509.Certificate], trust: TrustStore,
                       now: datetime) -> list[Finding]:
    """Findings on the signer's chain (lab certificate first) at ``now``: none when a path
    to an anchor of ``trust`` validates under the signing-certificate policy."""
    now = _aware(now)
    leaf, inters = chain[0], list(chain[1:])
    path, reason = _verify_path(leaf, inters, trust, now, _policies())
    if path is not None:
        return []
    out: list[Finding] = []
    # diagnostics: which rule failed (validity, key usage), then whether any anchor is
    # reachable at all (relaxed policy, at a time when every certificate was valid)
    anchors = list(trust.certificates)
    for cert in [*chain, *anchors]:
        if cert in anchors and not _issues(cert, chain):
            continue
        role = "lab certificate" if cert is leaf else "CA certificate"
        if now > cert.not_valid_after_utc:
            out.append(_f("REPORT-SIGNER-EXPIRED",
                          f"the {role} {_subject(cert)!r} expired on "
                          f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC",
                          certificate=_subject(cert),
                          not_after=cert.not_valid_after_utc.isoformat(), at=now.isoformat()))
        elif now < cert.not_valid_before_utc:
            out.append(_f("REPORT-SIGNER-EXPIRED",
                          f"the {role} {_subject(cert)!r} is not valid before "
                          f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC",
                          certificate=_subject(cert),
                          not_before=cert.not_valid_before_utc.isoformat(), at=now.isoformat()))
    problem = _key_usage_problem(leaf)
    if problem is not None:
        out.append(_f("REPORT-SIGNER-KEY-USAGE", problem, certificate=_subject(leaf)))
    windows = [*chain, *(a for a in anchors if _issues(a, chain))]
    start = max(c.not_valid_before_utc for c in windows)
    end = min(c.not_valid_after_utc for c in windows)
    probe = start if start <= end else now
    relaxed, relaxed_reason = _verify_path(leaf, inters, trust, probe, _relaxed())
    if relaxed is None or not out:
        out.append(_f("REPORT-SIGNER-UNTRUSTED",
                      f"the lab certificate {_subject(leaf)!r} does not chain to a trust "
                      f"anchor of --trust ({relaxed_reason or reason})",
                      certificate=_subject(leaf), reason=relaxed_reason or reason,
                      anchors=len(anchors)))
    return out


def _issues(anchor: x509.Certificate, chain: Sequence[x509.Certificate]) -> bool:
    """Whether ``anchor`` issued (by name) the last certificate of ``chain`` or is in it."""
    last = chain[-1]
    return anchor.subject == last.issuer or cert_der(anchor) in {cert_der(c) for c in chain}


__all__ = [
    "PASSPHRASE_ENV",
    "SIGNATURE_SUFFIX",
    "ReportVerdict",
    "Signer",
    "SigningError",
    "check_signer_chain",
    "load_chain",
    "load_signing_key",
    "media_type",
    "sign_file",
    "sign_report",
    "signature_path",
    "verify_report",
]
