"""DAC / PAI / PAA: certificate profile, vendor and product ids, trust store, chain.

The profile (Matter Core §6.2.2) is checked on the asn1crypto parse, extension
by extension, so a malformed or duplicated extension is a precise finding
rather than one parse error. Signatures and path validation go to
``cryptography.x509.verification`` (see :func:`validate_chain` for where the
Matter profile departs from its webpki defaults).
"""

from __future__ import annotations

import base64
import binascii
import errno
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import x509 as ax
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from devid._findings import Finding
from devid.matter._guard import PARSER_ERRORS, SIGNATURE_ERRORS, der_problem
from devid.matter._results import mfinding

OID_VENDOR_ID = "1.3.6.1.4.1.37244.2.1"
OID_PRODUCT_ID = "1.3.6.1.4.1.37244.2.2"
_OID_CN = "2.5.4.3"
_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
_MAX_CN_SCAN = 64  # the SDK scans at most 64 characters of the CN for Mvid:/Mpid:
_HEX4 = re.compile(r"[0-9A-F]{4}")
MAX_CERT_BYTES = 64 * 1024  # a certificate as given (DER or PEM)
MAX_STORE_FILE_BYTES = 1024 * 1024  # one file of a trust-store directory
# What loading or lazily parsing a certificate may raise: every parser error (see _guard).
LOAD_ERRORS: tuple[type[Exception], ...] = PARSER_ERRORS
EXT_ERRORS: tuple[type[Exception], ...] = PARSER_ERRORS

ROLES = ("dac", "pai", "paa")


@dataclass(frozen=True, slots=True)
class VidPid:
    """Vendor and product id found in a subject (None when absent)."""

    vid: int | None = None
    pid: int | None = None


@dataclass(frozen=True, slots=True)
class AttestationCert:
    """One parsed attestation certificate: both library views and the facts devid needs."""

    role: str
    der: bytes
    cert: x509.Certificate
    asn1: ax.Certificate
    ski: bytes | None
    aki: bytes | None
    ids: VidPid | None  # None when the subject's id encoding is invalid


def der_from_input(data: bytes) -> bytes:
    """DER bytes of a certificate (or CMS) given as DER or PEM (the first PEM block).

    A PEM block that cannot be decoded raises ``ValueError`` with a short reason.
    """
    text = data.lstrip()
    if not text.startswith(b"-----BEGIN"):
        return data
    parts = text.split(b"-----", 2)
    if len(parts) < 3:
        raise ValueError("has an incomplete PEM header")
    body = parts[2].split(b"-----END", 1)
    if len(body) < 2:
        raise ValueError("is PEM without an END line")
    try:
        return base64.b64decode(b"".join(body[0].split()), validate=False)
    except (binascii.Error, ValueError):
        raise ValueError("is PEM whose body is not base64") from None


def _malformed(role: str, message: str, **evidence: Any) -> Finding:
    return mfinding("MATTER-CERT-MALFORMED", message, role=role, **evidence)


def parse_cert(data: bytes, role: str) -> tuple[AttestationCert | None, list[Finding]]:
    """Parse one certificate (DER or PEM) and check the Matter profile of ``role``.

    Returns the parsed certificate (None when it cannot be used at all) and the
    profile findings.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    r = role.upper()
    if len(data) > MAX_CERT_BYTES:
        return None, [_malformed(role, f"{r} larger than {MAX_CERT_BYTES} bytes", length=len(data))]
    try:
        der = der_from_input(data)
    except ValueError as exc:
        return None, [_malformed(role, f"{r} {exc}", reason=str(exc))]
    problem = der_problem(der)
    if problem is not None:
        return None, [_malformed(role, f"{r} {problem}", reason=problem)]
    try:
        return _parse_der(der, role)
    except PARSER_ERRORS as exc:
        # The backstop: a parser error the finer guards below did not place.
        return None, [
            _malformed(
                role,
                f"{r} is not a well-formed X.509 certificate",
                parser_error=type(exc).__name__,
            )
        ]


def _parse_der(der: bytes, role: str) -> tuple[AttestationCert | None, list[Finding]]:
    r = role.upper()
    try:
        asn1 = ax.Certificate.load(der, strict=True)
        version = asn1["tbs_certificate"]["version"].native
    except PARSER_ERRORS as exc:
        return None, [
            _malformed(
                role,
                f"{r} does not have the structure of an X.509 certificate",
                parser_error=type(exc).__name__,
            )
        ]
    if version != "v3":
        return None, [
            mfinding(
                "MATTER-CERT-VERSION",
                f"{role.upper()} is X.509 {version}, not v3",
                role=role,
                version=str(version),
            )
        ]
    part = "certificate"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cert = x509.load_der_x509_certificate(der)
            # cryptography parses names lazily: parse them here, where errors become
            # findings, so that later uses (path validation, revocation) cannot raise.
            part = "issuer name"
            cert.issuer.public_bytes()
            part = "subject name"
            cert.subject.public_bytes()
    except PARSER_ERRORS as exc:
        return None, [
            _malformed(
                role,
                f"{r} {part} is not well-formed X.509",
                part=part,
                parser_error=type(exc).__name__,
            )
        ]
    findings, ski, aki = _check_profile(asn1, cert, role)
    # cryptography still loads some of what RFC 5280 forbids but warns (e.g. a serial
    # number that is not positive, §4.1.2.2): such a certificate is malformed; say so as data
    findings += [
        mfinding("MATTER-CERT-MALFORMED", f"{role.upper()}: {w.message}", role=role)
        for w in caught
    ]
    ids, id_findings = extract_vid_pid(asn1, role)
    findings += id_findings
    return AttestationCert(role, der, cert, asn1, ski, aki, ids), findings


def _check_profile(
    asn1: ax.Certificate, cert: x509.Certificate, role: str
) -> tuple[list[Finding], bytes | None, bytes | None]:
    """The certificate-format rules of Matter Core §6.2.2 for one role."""
    out: list[Finding] = []
    r = role.upper()
    try:
        sig_oid = asn1["signature_algorithm"]["algorithm"].dotted
    except PARSER_ERRORS:
        sig_oid = "?"
    if sig_oid != _ECDSA_SHA256:
        out.append(
            mfinding(
                "MATTER-SIG-ALG",
                f"{r} is signed with {sig_oid}, not ecdsa-with-SHA256",
                role=role,
                algorithm=sig_oid,
            )
        )
    try:
        key = cert.public_key()
        curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
    except PARSER_ERRORS:
        curve = "unparsable"
    if curve != "secp256r1":
        out.append(
            mfinding(
                "MATTER-KEY-CURVE", f"{r} public key is {curve}, not P-256", role=role, key=curve
            )
        )

    seen: set[str] = set()
    ski: bytes | None = None
    aki: bytes | None = None
    has_bc = has_ku = False
    try:
        extensions = list(asn1["tbs_certificate"]["extensions"] or [])
    except PARSER_ERRORS as exc:
        out.append(
            _malformed(role, f"{r} extensions do not parse", parser_error=type(exc).__name__)
        )
        extensions = []
    for ext in extensions:
        try:
            oid = ext["extn_id"].dotted
            critical = bool(ext["critical"].native)
        except PARSER_ERRORS as exc:
            out.append(
                _malformed(role, f"{r} extension does not parse", parser_error=type(exc).__name__)
            )
            continue
        if oid in seen:
            out.append(
                mfinding(
                    "MATTER-EXT-DUPLICATE",
                    f"{r} carries extension {oid} more than once",
                    role=role,
                    extension=oid,
                )
            )
            continue
        seen.add(oid)
        has_bc = has_bc or oid == "2.5.29.19"
        has_ku = has_ku or oid == "2.5.29.15"
        try:
            value = ext["extn_value"].parsed
            native = value.native if value is not None else None
        except PARSER_ERRORS as exc:
            code = "MATTER-KEYID" if oid in ("2.5.29.14", "2.5.29.35") else "MATTER-CERT-MALFORMED"
            out.append(
                mfinding(
                    code,
                    f"{r} extension {oid} does not parse",
                    role=role,
                    extension=oid,
                    parser_error=type(exc).__name__,
                )
            )
            continue
        if oid == "2.5.29.19":  # basicConstraints
            has_bc = True
            ca = bool(native.get("ca")) if isinstance(native, dict) else False
            path_len = native.get("path_len_constraint") if isinstance(native, dict) else None
            ok = {
                "dac": not ca and path_len is None,
                "pai": ca and path_len == 0,
                "paa": ca and path_len in (None, 1),
            }[role]
            if not critical or not ok:
                out.append(
                    mfinding(
                        "MATTER-BASIC-CONSTRAINTS",
                        f"{r} basicConstraints "
                        + ("not critical" if not critical else f"CA={ca} pathLen={path_len}"),
                        role=role,
                        critical=critical,
                        ca=ca,
                        path_len=path_len,
                    )
                )
        elif oid == "2.5.29.15":  # keyUsage
            has_ku = True
            bits = {str(b) for b in native} if isinstance(native, (set, list, tuple)) else set()
            if role == "dac":
                ok = bits == {"digital_signature"}
            else:
                ok = (
                    {"key_cert_sign", "crl_sign"}
                    <= bits
                    <= {"key_cert_sign", "crl_sign", "digital_signature"}
                )
            if not critical or not ok:
                out.append(
                    mfinding(
                        "MATTER-KEY-USAGE",
                        f"{r} keyUsage {'not critical' if not critical else sorted(bits)}",
                        role=role,
                        critical=critical,
                        key_usage=sorted(bits),
                    )
                )
        elif oid == "2.5.29.14":  # subjectKeyIdentifier
            ski = native if isinstance(native, bytes) else None
            if critical or ski is None or len(ski) != 20:
                out.append(
                    mfinding(
                        "MATTER-KEYID",
                        f"{r} subjectKeyIdentifier is critical or not 20 bytes",
                        role=role,
                        critical=critical,
                        length=len(ski or b""),
                    )
                )
        elif oid == "2.5.29.35":  # authorityKeyIdentifier
            kid = native.get("key_identifier") if isinstance(native, dict) else None
            aki = kid if isinstance(kid, bytes) else None
            if critical or aki is None or len(aki) != 20:
                out.append(
                    mfinding(
                        "MATTER-KEYID",
                        f"{r} authorityKeyIdentifier is critical or has no 20-byte key id",
                        role=role,
                        critical=critical,
                        length=len(aki or b""),
                    )
                )
    if not has_bc:
        out.append(
            mfinding(
                "MATTER-BASIC-CONSTRAINTS", f"{r} has no basicConstraints", role=role, present=False
            )
        )
    if not has_ku:
        out.append(mfinding("MATTER-KEY-USAGE", f"{r} has no keyUsage", role=role, present=False))
    if "2.5.29.14" not in seen:
        out.append(
            mfinding("MATTER-KEYID", f"{r} has no subjectKeyIdentifier", role=role, present=False)
        )
    if role in ("dac", "pai") and "2.5.29.35" not in seen:
        out.append(
            mfinding("MATTER-KEYID", f"{r} has no authorityKeyIdentifier", role=role, present=False)
        )
    return out, ski, aki


def _find_hex_after(text: str, prefix: str) -> int | str | None:
    """The fallback scan: the first ``prefix`` followed by 4 uppercase hex digits.

    Returns the value, None when the prefix never occurs, or "bad" when it occurs
    but never with a valid value after it.
    """
    found = False
    start = text.find(prefix)
    while start >= 0:
        found = True
        candidate = text[start + len(prefix) : start + len(prefix) + 4]
        if _HEX4.fullmatch(candidate):
            return int(candidate, 16)
        start = text.find(prefix, start + 1)
    return "bad" if found else None


def extract_vid_pid(asn1: ax.Certificate, role: str) -> tuple[VidPid | None, list[Finding]]:
    """Vendor / product id from the subject (Matter Core §6.2.2.2).

    Matter OID attributes win; the ``Mvid:``/``Mpid:`` fallback in the (first)
    common name counts only when no Matter OID attribute is present at all.
    """
    r = role.upper()
    matter: dict[str, int] = {}
    cn: str | None = None
    try:
        rdns = list(asn1.subject.chosen)
        for rdn in rdns:
            for atv in rdn:
                oid = atv["type"].dotted
                if oid in (OID_VENDOR_ID, OID_PRODUCT_ID):
                    key = "vid" if oid == OID_VENDOR_ID else "pid"
                    try:
                        raw = atv["value"].native
                    except PARSER_ERRORS as exc:
                        return None, [
                            mfinding(
                                "MATTER-VIDPID-ENCODING",
                                f"{r} {key.upper()} attribute is not a string "
                                f"(encoded as {type(atv['value']).__name__})",
                                role=role,
                                parser_error=type(exc).__name__,
                            )
                        ]
                    if not isinstance(raw, str) or not _HEX4.fullmatch(raw):
                        return None, [
                            mfinding(
                                "MATTER-VIDPID-ENCODING",
                                f"{r} {key.upper()} attribute {raw!r} is not 4 uppercase hex",
                                role=role,
                                value=str(raw),
                            )
                        ]
                    if key in matter:
                        return None, [
                            mfinding(
                                "MATTER-VIDPID-ENCODING",
                                f"{r} carries more than one {key.upper()} attribute",
                                role=role,
                            )
                        ]
                    matter[key] = int(raw, 16)
                elif oid == _OID_CN and cn is None:
                    value = atv["value"].native
                    cn = value if isinstance(value, str) else ""
    except PARSER_ERRORS as exc:
        return None, [
            _malformed(role, f"{r} subject does not parse", parser_error=type(exc).__name__)
        ]
    if matter:
        return VidPid(matter.get("vid"), matter.get("pid")), []
    if not cn:
        return VidPid(), []
    scan = cn[:_MAX_CN_SCAN]
    values: dict[str, int | None] = {}
    for key, prefix in (("vid", "Mvid:"), ("pid", "Mpid:")):
        found = _find_hex_after(scan, prefix)
        if found == "bad":
            return None, [
                mfinding(
                    "MATTER-VIDPID-ENCODING",
                    f"{r} common name has {prefix} without 4 uppercase hex digits after it",
                    role=role,
                    common_name=cn,
                )
            ]
        values[key] = found if isinstance(found, int) else None
    return VidPid(values["vid"], values["pid"]), []


# --- trust stores --------------------------------------------------------------------------


def ski_of(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except EXT_ERRORS:
        return None


@dataclass(frozen=True)
class CertStore:
    """Trusted certificates looked up by subject key identifier (PAAs or CD signers)."""

    certificates: tuple[x509.Certificate, ...]
    _index: dict[bytes, tuple[x509.Certificate, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[bytes, list[x509.Certificate]] = {}
        for cert in self.certificates:
            ski = ski_of(cert)
            if ski is not None:
                index.setdefault(ski, []).append(cert)
        self._index.update({k: tuple(v) for k, v in index.items()})

    @classmethod
    def from_certificates(cls, certs: Iterable[x509.Certificate]) -> CertStore:
        return cls(tuple(certs))

    @classmethod
    def from_directory(cls, path: str | Path) -> CertStore:
        """Every certificate (DER, PEM, one or more per file) in ``path``; other files are skipped.

        An unreadable directory raises ``OSError`` (the caller's own file).
        """
        directory = Path(path)
        if not directory.is_dir():
            raise NotADirectoryError(f"{directory}: not a directory")
        certs: list[x509.Certificate] = []
        for file in sorted(directory.iterdir()):
            if not file.is_file() or file.name.startswith("."):
                continue
            with file.open("rb") as handle:
                data = handle.read(MAX_STORE_FILE_BYTES + 1)
            if len(data) > MAX_STORE_FILE_BYTES:
                raise OSError(
                    errno.EFBIG, f"larger than {MAX_STORE_FILE_BYTES} bytes", str(file)
                )
            certs.extend(load_certificates(data))
        return cls(tuple(certs))

    def by_ski(self, ski: bytes) -> list[x509.Certificate]:
        return list(self._index.get(ski, ()))


@lru_cache(maxsize=128)
def parse_trusted(der: bytes, role: str) -> tuple[AttestationCert | None, tuple[Finding, ...]]:
    """:func:`parse_cert` for trust-store certificates, cached: they recur in every verification."""
    cert, findings = parse_cert(der, role)
    return cert, tuple(findings)


@lru_cache(maxsize=128)
def is_development_signer(der: bytes) -> bool:
    """A self-signed CD signer (cached per certificate)."""
    try:
        return is_self_signed(x509.load_der_x509_certificate(der))
    except LOAD_ERRORS:
        return False


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """All certificates in a file (PEM bundle or one DER); nothing for anything else."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            return list(x509.load_pem_x509_certificates(data))
        except LOAD_ERRORS:
            return []
    try:
        return [x509.load_der_x509_certificate(data)]
    except LOAD_ERRORS:
        return []


def is_self_signed(cert: x509.Certificate) -> bool:
    """Issuer equals subject and the certificate's own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    return verify_signed_by(cert, cert)


def verify_signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        key = issuer.public_key()
        algorithm = cert.signature_hash_algorithm
    except LOAD_ERRORS:
        return False
    if not isinstance(key, ec.EllipticCurvePublicKey) or algorithm is None:
        return False
    try:
        key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algorithm))
    except SIGNATURE_ERRORS:
        return False
    return True


# --- path validation -----------------------------------------------------------------------


def _ca_policy() -> ExtensionPolicy:
    # cryptography requires a CA policy to demand basicConstraints; the Matter rules on
    # its value (CA flag, pathLen per role, criticality) are checked by _check_profile.
    return ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None
    )


def _ee_policy() -> ExtensionPolicy:
    # The Matter profile is enforced by _check_profile (critical basicConstraints and
    # keyUsage with per-role bits, 20-byte key ids); webpki's defaults would also demand
    # an extendedKeyUsage and a subjectAltName, which Matter attestation certificates do
    # not carry. So path validation runs with permit_all and checks signatures, names,
    # validity and the CA/pathLen structure only.
    return ExtensionPolicy.permit_all()


def chain_time(certs: Sequence[x509.Certificate]) -> datetime | None:
    """A moment at which every certificate is valid (the latest notBefore), if any."""
    start = max(c.not_valid_before_utc for c in certs)
    end = min(c.not_valid_after_utc for c in certs)
    return start if start <= end else None


def validate_chain(
    dac: x509.Certificate, pai: x509.Certificate, paa: x509.Certificate
) -> str | None:
    """Path validation DAC -> PAI -> PAA with cryptography; the error text, or None when valid.

    Validity periods are judged separately (see :func:`check_validity`), as the SDK
    does: the chain is validated at a moment where all three certificates are valid,
    so a failure here is about signatures, names or constraints.
    """
    moment = chain_time([dac, pai, paa]) or dac.not_valid_before_utc
    try:
        verifier = (
            PolicyBuilder()
            .store(Store([paa]))
            .time(moment)
            .max_chain_depth(2)
            .extension_policies(ca_policy=_ca_policy(), ee_policy=_ee_policy())
            .build_client_verifier()
        )
        verifier.verify(dac, [pai])
    except VerificationError as exc:
        return str(exc)
    except LOAD_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_validity(
    dac: AttestationCert, pai: AttestationCert, paa: x509.Certificate | None, at: datetime
) -> list[Finding]:
    """DAC valid at ``at``; PAI and PAA valid when the DAC was issued (its notBefore)."""
    out: list[Finding] = []
    d = dac.cert
    if not d.not_valid_before_utc <= at <= d.not_valid_after_utc:
        state = "not yet valid" if at < d.not_valid_before_utc else "expired"
        out.append(
            mfinding(
                "MATTER-CERT-EXPIRED",
                f"DAC is {state} at {at.isoformat()}",
                role="dac",
                at=at.isoformat(),
                not_before=d.not_valid_before_utc.isoformat(),
                not_after=d.not_valid_after_utc.isoformat(),
            )
        )
    issued = d.not_valid_before_utc
    for role, cert in (("pai", pai.cert), ("paa", paa)):
        if cert is None:
            continue
        if not cert.not_valid_before_utc <= issued <= cert.not_valid_after_utc:
            out.append(
                mfinding(
                    "MATTER-CERT-EXPIRED",
                    f"{role.upper()} was not valid when the DAC was issued ({issued.isoformat()})",
                    role=role,
                    dac_not_before=issued.isoformat(),
                    not_before=cert.not_valid_before_utc.isoformat(),
                    not_after=cert.not_valid_after_utc.isoformat(),
                )
            )
    return out
