"""Device certificates: trust stores, revocation, the devid/1 profile, path validation.

Pure: bytes, certificates and an explicit ``now`` in; :class:`ChainResult` with findings
out. No sockets, no clock reads.

How a chain is checked (spec devid-1 §2):

* **Path validation** is done by :mod:`cryptography.x509.verification` (``PolicyBuilder`` /
  ``Store`` / ``ClientVerifier``), never by a hand-written chain walker. devid's profile is
  carried into the verifier by two :class:`~cryptography.x509.verification.ExtensionPolicy`
  objects whose validator callbacks run the same rule functions as the diagnostics below,
  so a chain the verifier accepts satisfies every error-level rule of the profile.
* **Diagnostics**: when the verifier rejects a chain, devid runs the profile rules as plain
  checks on each certificate (role: device, vendor CA, root) and on the validity windows
  at ``now``, so the result names the exact rule (``ID-KEY-USAGE``, ``ID-CERT-EXPIRED``, ...)
  rather than only ``ID-CHAIN-UNTRUSTED``. ``ID-CHAIN-UNTRUSTED`` is added when no anchor
  can be reached even with the profile relaxed, or when the verifier's reason is not one
  of devid's rules. A chain is valid only if the verifier accepted it.
* **Caching**: once a vendor CA (an intermediate issued directly by a trust anchor) has
  been validated as part of a full chain, it is remembered with the window in which both
  it and its anchor are valid. A later leaf that presents the same vendor CA (same DER)
  at a ``now`` inside that window is verified against a ``Store`` holding that vendor CA:
  one signature verification (the leaf's) instead of two, and no re-check of the vendor
  CA's profile. The verifier still checks the vendor CA's own validity at ``now``; devid
  still checks revocation of both each time. On this path the device policy has only two
  one-comparison callbacks (CA:FALSE, keyUsage digitalSignature only; presence and
  criticality are native) and the other device rules (one URN SAN, subject serialNumber,
  algorithms) run in one pass over the verified leaf (:func:`_leaf_fast_pass`). A leaf
  that fails any of them, or has any finding at all, is handed to the full path, which
  names the rule: diagnostics are only computed when something is wrong. Parsed
  certificates are cached by DER (bounded LRU; not the leaves of the fast path, each
  seen once in a fleet), verifiers by (intermediates, ``now``).

Known limit: ``cryptography`` (≤ 50) does not accept Ed25519 *signatures on certificates*
in path validation, so a CA whose key is Ed25519 cannot be validated (``ID-CHAIN-UNTRUSTED``
with the verifier's reason). Ed25519 **device** keys are fine: the leaf's own key is not
subject to that rule.
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtensionOID, NameOID, SignatureAlgorithmOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from devid._findings import Finding, Severity, finding, has_errors

#: What decoding a hostile certificate's parts may raise (turned into ID-CERT-MALFORMED).
DECODE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    UnsupportedAlgorithm,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    x509.InvalidVersion,  # not a ValueError: a version field other than v1/v3
)

_EXT_ERRORS: tuple[type[Exception], ...] = (x509.ExtensionNotFound, *DECODE_ERRORS)
_VERIFY_ERRORS: tuple[type[Exception], ...] = (VerificationError, *DECODE_ERRORS)

# --------------------------------------------------------------------------------------
# Device URNs (spec §1, RFC 9039)

_UNRESERVED = r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})"
_NODASH = r"(?:[A-Za-z0-9._~]|%[0-9A-Fa-f]{2})"
_POSNUM = r"[1-9][0-9]*"
_COMPONENTS = rf"(?:_{_UNRESERVED}+)*"
_URN_BODIES = {
    # RFC 9039 §3: macbody / orgbody / osbody / opsbody (devid/1 §1 accepts these four;
    # its hexdigit is lower case). EUI-48 or EUI-64 for mac.
    "mac": re.compile(rf"(?:[0-9a-f]{{12}}|[0-9a-f]{{16}}){_COMPONENTS}"),
    "org": re.compile(rf"{_POSNUM}-{_UNRESERVED}+"),
    "os": re.compile(rf"{_POSNUM}-{_UNRESERVED}+"),
    "ops": re.compile(rf"{_POSNUM}-{_NODASH}+-{_UNRESERVED}+"),
}
MAX_URN_LENGTH = 255


def urn_problem(urn: object) -> str | None:
    """Why ``urn`` is not a valid device URN (spec §1), or ``None`` when it is.

    Accepted: ``urn:dev:ops:<PEN>-<product>-<serial>`` (recommended), ``urn:dev:os:``,
    ``urn:dev:org:`` and ``urn:dev:mac:`` (EUI-48/64, lower-case hex) of RFC 9039. The URN
    must be usable as one MQTT topic level, so ``/``, ``+``, ``#`` and NUL are never
    allowed (RFC 9039's character set excludes them anyway).
    """
    if type(urn) is str and len(urn) <= MAX_URN_LENGTH:
        return None if _plain_ops_urn(urn) else _short_urn_problem(urn)
    if not isinstance(urn, str):
        return f"not a text string ({type(urn).__name__})"
    return _text_urn_problem(urn)


_NODASH_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~"
_UNRESERVED_CHARS = _NODASH_CHARS + "-"


def _plain_ops_urn(urn: str) -> bool:
    """True for the usual device URN, ``urn:dev:ops:<PEN>-<product>-<serial>`` in lower
    case with no percent-encoding, decided with string methods; ``False`` means "ask
    :func:`_text_urn_problem`" (which also accepts everything this accepts)."""
    if not urn.startswith("urn:dev:ops:") or not urn.isascii():
        return False
    pen, sep, rest = urn[12:].partition("-")
    if not sep or not pen.isdigit() or pen[0] == "0":
        return False
    product, sep, serial = rest.partition("-")
    # strip() leaves nothing when every character is in the set (the regex's classes)
    return bool(sep and product and serial and not product.strip(_NODASH_CHARS)
                and not serial.strip(_UNRESERVED_CHARS))


@lru_cache(maxsize=256)
def _short_urn_problem(urn: str) -> str | None:
    # Cached (bounded: at most 256 texts of at most MAX_URN_LENGTH characters): a token's
    # sub and its device certificate's URN SAN are the same text, checked once each.
    return _text_urn_problem(urn)


def _text_urn_problem(urn: str) -> str | None:
    if not urn:
        return "empty"
    if len(urn) > MAX_URN_LENGTH:
        return f"longer than {MAX_URN_LENGTH} characters"
    for bad in ("/", "+", "#", "\x00"):
        if bad in urn:
            return f"contains {bad!r}, which an MQTT topic level cannot carry"
    prefix, _, rest = urn.partition(":")
    nid, _, rest = rest.partition(":")
    if prefix.lower() != "urn" or nid.lower() != "dev":
        return "does not start with 'urn:dev:' (RFC 9039)"
    subtype, sep, body = rest.partition(":")
    if not sep:
        return "has no subtype (urn:dev:<subtype>:...)"
    pattern = _URN_BODIES.get(subtype)
    if pattern is None:
        return (f"the urn:dev:{subtype}: form is not one devid/1 accepts "
                "(ops, os, org, mac)")
    if not pattern.fullmatch(body):
        return f"malformed urn:dev:{subtype}: body {body!r} (RFC 9039 §3)"
    return None


def is_device_urn(urn: object) -> bool:
    """True when ``urn`` is a valid device URN (see :func:`urn_problem`)."""
    return urn_problem(urn) is None


# --------------------------------------------------------------------------------------
# Loading certificates


@lru_cache(maxsize=8192)
def _parse_der(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:  # not a ValueError in cryptography; callers expect one
        raise ValueError(str(exc)) from None


def parse_certificate(data: bytes | x509.Certificate) -> x509.Certificate:
    """One DER certificate (cached by its bytes, bounded LRU). Raises ``ValueError``."""
    if isinstance(data, x509.Certificate):
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"expected DER bytes, got {type(data).__name__}")
    return _parse_der(bytes(data))


def cert_der(cert: x509.Certificate) -> bytes:
    """A certificate's DER."""
    return cert.public_bytes(serialization.Encoding.DER)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM file (one or many) or the one certificate of a DER file.

    Raises ``ValueError`` with a readable message when ``data`` holds no certificate.
    """
    if b"-----BEGIN" in data:
        labels = sorted({m.decode("ascii", "replace") for m in
                         re.findall(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----", data)})
        if labels and "CERTIFICATE" not in labels:
            raise ValueError(f"a PEM file of {', '.join(labels)}, not of CERTIFICATE")
        try:
            certs = x509.load_pem_x509_certificates(data)
        except (ValueError, x509.InvalidVersion) as exc:
            raise ValueError(f"not a PEM certificate file: {_plain_error(exc)}") from None
        if not certs:  # pragma: no cover - cryptography raises instead
            raise ValueError("no certificate in the PEM file")
        return certs
    if not data:
        raise ValueError("empty file")
    try:
        return [_parse_der(bytes(data))]
    except ValueError as exc:
        raise ValueError(f"neither PEM nor DER X.509: {_plain_error(exc)}") from None


def _plain_error(exc: Exception) -> str:
    """cryptography's parse error without its Rust debug form or FAQ link."""
    text = str(exc)
    text = re.sub(r"\s*See https?://\S+ for more details\.?", "", text)
    match = re.search(r"ParseError \{ kind: (\w+)", text)
    if match:  # "error parsing asn1 value: ParseError { kind: InvalidLength, ... }"
        kind = re.sub(r"(?<!^)(?=[A-Z])", " ", match.group(1)).lower()
        return f"malformed DER ({kind})"
    return text.strip() or type(exc).__name__


# --------------------------------------------------------------------------------------
# Trust store


class TrustStore:
    """An immutable set of trust anchors (root CA certificates)."""

    __slots__ = ("_certs", "_store")

    def __init__(self, certs: Iterable[x509.Certificate]) -> None:
        unique: dict[bytes, x509.Certificate] = {}
        for cert in certs:
            if not isinstance(cert, x509.Certificate):
                raise TypeError(f"TrustStore holds certificates, not {type(cert).__name__}")
            unique.setdefault(cert_der(cert), cert)
        if not unique:
            raise ValueError("a trust store needs at least one certificate")
        self._certs: tuple[x509.Certificate, ...] = tuple(unique.values())
        self._store = Store(list(self._certs))

    @classmethod
    def from_certs(cls, certs: Iterable[x509.Certificate]) -> TrustStore:
        return cls(certs)

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str]) -> TrustStore:
        """Every certificate in every regular, non-hidden file of directory ``path``.

        Each file is PEM (one or more certificates) or DER (one). A single file is accepted
        too. Raises ``ValueError`` naming the file when one cannot be read or parsed, and
        when there is no certificate at all.
        """
        base = Path(path)
        if base.is_file():
            files = [base]
        elif base.is_dir():
            files = sorted(p for p in base.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            raise ValueError(f"{base}: trust directory not found")
        certs: list[x509.Certificate] = []
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise ValueError(f"{file}: cannot read: {exc.strerror or exc}") from None
            try:
                certs.extend(load_certificates(data))
            except ValueError as exc:
                raise ValueError(f"{file}: {exc}") from None
        if not certs:
            raise ValueError(f"{base}: no trust anchor certificate found (expected PEM or DER)")
        return cls(certs)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return self._certs

    @property
    def store(self) -> Store:
        """The ``cryptography`` Store of these anchors."""
        return self._store

    def __len__(self) -> int:
        return len(self._certs)

    def __repr__(self) -> str:
        return f"TrustStore({len(self._certs)} anchors)"


# --------------------------------------------------------------------------------------
# Revocation (spec §3)


def _hex_bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a hex string, not {type(value).__name__}")
    text = value.strip().lower().removeprefix("0x").replace(":", "").replace(" ", "")
    if len(text) % 2:
        text = "0" + text
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{what} is not hexadecimal: {value!r}") from None


def _serial_int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raw = _hex_bytes(value, "serial")
    if not raw:
        raise ValueError("serial is empty")
    return int.from_bytes(raw, "big")


def key_identifier(cert: x509.Certificate) -> bytes | None:
    """The certificate's SubjectKeyIdentifier, or ``None``."""
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except _EXT_ERRORS:
        return None


def authority_key_identifier(cert: x509.Certificate) -> bytes | None:
    """The key identifier of the certificate's AuthorityKeyIdentifier, or ``None``."""
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except _EXT_ERRORS:
        return None
    return aki.key_identifier


_CRL_KEY_TYPES = (rsa.RSAPublicKey, dsa.DSAPublicKey, ec.EllipticCurvePublicKey,
                  ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)


class RevocationList:
    """Revoked device certificates: spec §3's JSON list and/or PEM CRLs.

    JSON: ``[{"issuer_ski": "<hex>", "serial": "<hex>"}, ...]`` (hex is case-insensitive;
    ``:`` separators and a ``0x`` prefix are tolerated). An entry matches a certificate
    whose serial number equals ``serial`` and whose issuer's key identifier (the issuer's
    SKI, or the certificate's AKI) equals ``issuer_ski``.

    CRL: a certificate is revoked when a CRL whose issuer name equals the certificate's
    issuer name, and whose signature verifies with the issuer's public key, lists its
    serial number. A CRL not signed by the issuer is ignored for that issuer.
    """

    __slots__ = ("_crl_ok", "_crls", "_entries")

    def __init__(
        self,
        entries: Iterable[tuple[bytes, int]] = (),
        crls: Iterable[x509.CertificateRevocationList] = (),
    ) -> None:
        self._entries: frozenset[tuple[bytes, int]] = frozenset(entries)
        self._crls: tuple[x509.CertificateRevocationList, ...] = tuple(crls)
        self._crl_ok: dict[tuple[int, bytes], bool] = {}

    @classmethod
    def from_entries(
        cls, entries: Iterable[Mapping[str, Any] | tuple[bytes | str, int | str]]
    ) -> RevocationList:
        """From dicts ``{"issuer_ski": hex, "serial": hex}`` or ``(issuer_ski, serial)`` pairs."""
        parsed: list[tuple[bytes, int]] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                if "issuer_ski" not in entry or "serial" not in entry:
                    raise ValueError(f"entry {index}: needs 'issuer_ski' and 'serial'")
                ski, serial = entry["issuer_ski"], entry["serial"]
            elif isinstance(entry, tuple) and len(entry) == 2:
                ski, serial = entry
            else:
                raise ValueError(f"entry {index}: expected an object with issuer_ski and serial")
            try:
                parsed.append((_hex_bytes(ski, "issuer_ski"), _serial_int(serial)))
            except ValueError as exc:
                raise ValueError(f"entry {index}: {exc}") from None
        return cls(parsed)

    @classmethod
    def from_crls(cls, crls: Iterable[x509.CertificateRevocationList]) -> RevocationList:
        return cls((), crls)

    @classmethod
    def from_bytes(cls, data: bytes) -> RevocationList:
        """Parse a revocation file's content (JSON list, PEM CRL(s) or one DER CRL)."""
        if b"-----BEGIN X509 CRL-----" in data:
            crls = []
            for block in re.findall(
                rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", data, re.DOTALL
            ):
                try:
                    crls.append(x509.load_pem_x509_crl(block))
                except ValueError as exc:
                    raise ValueError(f"bad PEM CRL: {exc}") from None
            return cls.from_crls(crls)
        stripped = data.strip()
        if stripped[:1] in (b"[", b"{"):
            try:
                doc = json.loads(stripped.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise ValueError(f"not valid JSON: {exc}") from None
            except RecursionError:
                raise ValueError("not a revocation list: JSON nested too deeply") from None
            if not isinstance(doc, list):
                raise ValueError('expected a JSON list [{"issuer_ski": ..., "serial": ...}]')
            return cls.from_entries(doc)
        if stripped[:1] == b"\x30":
            try:
                return cls.from_crls([x509.load_der_x509_crl(stripped)])
            except ValueError as exc:
                raise ValueError(f"bad DER CRL: {exc}") from None
        raise ValueError("neither a JSON revocation list nor a CRL (PEM or DER)")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RevocationList:
        """Read a revocation file. Raises ``ValueError`` (with the path) on a bad file."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            return cls.from_bytes(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def __len__(self) -> int:
        return len(self._entries) + sum(len(crl) for crl in self._crls)

    def _crl_signed_by(self, index: int, issuer: x509.Certificate) -> bool:
        key = (index, cert_der(issuer))
        cached = self._crl_ok.get(key)
        if cached is None:
            try:
                pub = issuer.public_key()
                if not isinstance(pub, _CRL_KEY_TYPES):
                    raise TypeError(f"a {type(pub).__name__} cannot sign a CRL")
                cached = self._crls[index].is_signature_valid(pub)
            except (TypeError, ValueError, UnsupportedAlgorithm):
                cached = False
            self._crl_ok[key] = cached
        return cached

    def is_revoked(self, cert: x509.Certificate, issuer: x509.Certificate | None) -> bool:
        """True when ``cert`` (issued by ``issuer``, if known) is listed."""
        if self._entries:
            serial = cert.serial_number
            for ski in {
                key_identifier(issuer) if issuer is not None else None,
                authority_key_identifier(cert),
            }:
                if ski is not None and (ski, serial) in self._entries:
                    return True
        if self._crls and issuer is not None:
            for index, crl in enumerate(self._crls):
                if crl.issuer != cert.issuer:
                    continue
                if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is None:
                    continue
                if self._crl_signed_by(index, issuer):
                    return True
        return False

    def unverified_listing(self, cert: x509.Certificate, issuer: x509.Certificate) -> bool:
        """True when a CRL naming ``cert``'s issuer lists it but is not signed by ``issuer``.

        Such a CRL does not revoke anything (anyone can write one); the caller says so
        rather than passing it over in silence.
        """
        for index, crl in enumerate(self._crls):
            if crl.issuer == cert.issuer and crl.get_revoked_certificate_by_serial_number(
                    cert.serial_number) is not None and not self._crl_signed_by(index, issuer):
                return True
        return False


#: Certificate signatures cryptography's path validation refuses (up to 50 at least).
_EDDSA_SIG_OIDS = frozenset({x509.SignatureAlgorithmOID.ED25519,
                             x509.SignatureAlgorithmOID.ED448})


# --------------------------------------------------------------------------------------
# The devid/1 certificate profile (spec §2) as rule functions


class Role(Enum):
    """A certificate's place in a devid/1 chain."""

    DEVICE = "device"
    VENDOR_CA = "vendor CA"
    ROOT = "root"


def _subject_text(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except DECODE_ERRORS:  # pragma: no cover - undecodable names
        return "<undecodable subject>"


def _ext(cert: x509.Certificate, cls: type[Any]) -> x509.Extension[Any] | None:
    try:
        return cert.extensions.get_extension_for_class(cls)
    except x509.ExtensionNotFound:
        return None


def _role_of(cert: x509.Certificate) -> Role:
    """Role from the certificate itself (used inside verifier callbacks)."""
    bc = _ext(cert, x509.BasicConstraints)
    if bc is None or not bc.value.ca:
        return Role.DEVICE
    return Role.ROOT if cert.issuer == cert.subject else Role.VENDOR_CA


def _ev(cert: x509.Certificate, role: Role, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"role": role.value, "certificate": _subject_text(cert)}
    out.update(more)
    return out


def check_basic_constraints(cert: x509.Certificate, role: Role) -> list[Finding]:
    """basicConstraints critical; CA:FALSE (device), CA:TRUE pathLen 0 (vendor), CA:TRUE (root)."""
    ext = _ext(cert, x509.BasicConstraints)
    if ext is None:
        return [
            finding(
                "ID-CA-FLAG",
                f"{role.value} certificate has no basicConstraints",
                evidence=_ev(cert, role),
            )
        ]
    out: list[Finding] = []
    if not ext.critical:
        out.append(
            finding(
                "ID-CA-FLAG",
                f"{role.value} certificate's basicConstraints is not critical",
                evidence=_ev(cert, role),
            )
        )
    value: x509.BasicConstraints = ext.value
    if role is Role.DEVICE and value.ca:
        out.append(
            finding(
                "ID-CA-FLAG",
                "device certificate has CA:TRUE (must be CA:FALSE)",
                evidence=_ev(cert, role, ca=True),
            )
        )
    elif role is not Role.DEVICE and not value.ca:
        out.append(
            finding(
                "ID-CA-FLAG",
                f"{role.value} certificate has CA:FALSE (must be CA:TRUE)",
                evidence=_ev(cert, role, ca=False),
            )
        )
    elif role is Role.VENDOR_CA and value.path_length != 0:
        out.append(
            finding(
                "ID-CA-FLAG",
                f"vendor CA certificate has pathLen {_plen(value.path_length)} (must be 0)",
                evidence=_ev(cert, role, path_length=value.path_length),
            )
        )
    return out


def _plen(value: int | None) -> str:
    return "absent" if value is None else str(value)


_KU_BITS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def _ku_set(ku: x509.KeyUsage) -> set[str]:
    bits = {name for name in _KU_BITS if getattr(ku, name)}
    if ku.key_agreement:
        if ku.encipher_only:
            bits.add("encipher_only")
        if ku.decipher_only:
            bits.add("decipher_only")
    return bits


def check_key_usage(cert: x509.Certificate, role: Role) -> list[Finding]:
    """keyUsage critical; digitalSignature only (device); keyCertSign [+ cRLSign] (vendor);
    keyCertSign present (root, other bits tolerated)."""
    ext = _ext(cert, x509.KeyUsage)
    if ext is None:
        return [
            finding(
                "ID-KEY-USAGE",
                f"{role.value} certificate has no keyUsage",
                evidence=_ev(cert, role),
            )
        ]
    out: list[Finding] = []
    if not ext.critical:
        out.append(
            finding(
                "ID-KEY-USAGE",
                f"{role.value} certificate's keyUsage is not critical",
                evidence=_ev(cert, role),
            )
        )
    bits = _ku_set(ext.value)
    if role is Role.DEVICE:
        if bits != {"digital_signature"}:
            out.append(
                finding(
                    "ID-KEY-USAGE",
                    "device certificate's keyUsage must be digitalSignature only",
                    evidence=_ev(cert, role, key_usage=sorted(bits)),
                )
            )
    elif "key_cert_sign" not in bits:
        out.append(
            finding(
                "ID-KEY-USAGE",
                f"{role.value} certificate's keyUsage lacks keyCertSign",
                evidence=_ev(cert, role, key_usage=sorted(bits)),
            )
        )
    elif role is Role.VENDOR_CA and bits - {"key_cert_sign", "crl_sign"}:
        out.append(
            finding(
                "ID-KEY-USAGE",
                "vendor CA keyUsage may hold only keyCertSign and cRLSign",
                evidence=_ev(cert, role, key_usage=sorted(bits)),
            )
        )
    return out


def check_key_ids(cert: x509.Certificate, role: Role) -> list[Finding]:
    """SKI on every certificate; AKI on device and vendor CA certificates."""
    missing = []
    if _ext(cert, x509.SubjectKeyIdentifier) is None:
        missing.append("SubjectKeyIdentifier")
    if role is not Role.ROOT and _ext(cert, x509.AuthorityKeyIdentifier) is None:
        missing.append("AuthorityKeyIdentifier")
    if not missing:
        return []
    return [
        finding(
            "ID-KEYID-MISSING",
            f"{role.value} certificate lacks {' and '.join(missing)}",
            evidence=_ev(cert, role, missing=missing),
        )
    ]


#: The signatures of spec §2's table; the rest of _GOOD_SIG_OIDS is strong but not devid/1's.
PROFILE_SIG_OIDS = frozenset({
    SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    SignatureAlgorithmOID.ED25519,
})
_GOOD_SIG_OIDS = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256,
    SignatureAlgorithmOID.ECDSA_WITH_SHA384,
    SignatureAlgorithmOID.ECDSA_WITH_SHA512,
    SignatureAlgorithmOID.ED25519,
    SignatureAlgorithmOID.RSA_WITH_SHA256,
    SignatureAlgorithmOID.RSA_WITH_SHA384,
    SignatureAlgorithmOID.RSA_WITH_SHA512,
    SignatureAlgorithmOID.RSASSA_PSS,
}


#: The concrete class of cryptography's EC public keys (an exact type test is cheaper than
#: isinstance against the ABC on the per-token path; other classes take the full check).
_EC_PUBLIC_TYPE: type[Any] = type(
    ec.derive_private_key(1, ec.SECP256R1()).public_key()
)


def check_algorithms(cert: x509.Certificate, role: Role) -> list[Finding]:
    """The key is EC P-256/P-384, Ed25519 or RSA >= 2048; the signature hash is SHA-2."""
    out: list[Finding] = []
    try:
        key = cert.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        key = None
        out.append(
            finding(
                "ID-WEAK-ALGORITHM",
                f"{role.value} certificate's public key is of an unknown type",
                evidence=_ev(cert, role, error=str(exc)),
            )
        )
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ("secp256r1", "secp384r1"):
            out.append(
                finding(
                    "ID-WEAK-ALGORITHM",
                    f"{role.value} certificate uses curve {key.curve.name} "
                    "(only P-256 and P-384 are allowed)",
                    evidence=_ev(cert, role, curve=key.curve.name),
                )
            )
    elif isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            out.append(
                finding(
                    "ID-WEAK-ALGORITHM",
                    f"{role.value} certificate has a {key.key_size}-bit RSA key "
                    "(at least 2048 bits)",
                    evidence=_ev(cert, role, rsa_bits=key.key_size),
                )
            )
        else:  # not weak, but not devid/1's: an error on the device, whose key signs tokens
            out.append(finding(
                "ID-ALG-NOT-PROFILE",
                f"{role.value} certificate has an RSA key; devid/1 keys are EC P-256/P-384 "
                "or Ed25519",
                evidence=_ev(cert, role, rsa_bits=key.key_size),
                severity=Severity.ERROR if role is Role.DEVICE else Severity.WARNING))
    elif key is not None and not isinstance(key, ed25519.Ed25519PublicKey):
        out.append(
            finding(
                "ID-WEAK-ALGORITHM",
                f"{role.value} certificate's key type {type(key).__name__} is not allowed",
                evidence=_ev(cert, role, key_type=type(key).__name__),
            )
        )
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", None) or oid.dotted_string
    if oid not in _GOOD_SIG_OIDS:
        out.append(
            finding(
                "ID-WEAK-ALGORITHM",
                f"{role.value} certificate is signed with {name} (weak or unknown)",
                evidence=_ev(cert, role, signature_algorithm=oid.dotted_string),
            )
        )
    elif oid not in PROFILE_SIG_OIDS:
        out.append(finding(
            "ID-ALG-NOT-PROFILE",
            f"{role.value} certificate is signed with {name}; devid/1 certificates are "
            "signed with ECDSA-SHA256/384 or Ed25519",
            evidence=_ev(cert, role, signature_algorithm=oid.dotted_string)))
    return out


def device_urn(cert: x509.Certificate) -> tuple[str | None, list[Finding]]:
    """The URN of the single URI subjectAltName, and ``ID-URN-SAN-MISSING`` when absent/bad."""
    role = Role.DEVICE
    ext = _ext(cert, x509.SubjectAlternativeName)
    if ext is None:
        return None, [
            finding(
                "ID-URN-SAN-MISSING",
                "device certificate has no subjectAltName",
                evidence=_ev(cert, role),
            )
        ]
    uris = ext.value.get_values_for_type(x509.UniformResourceIdentifier)
    if len(uris) != 1:
        return None, [
            finding(
                "ID-URN-SAN-MISSING",
                f"device certificate has {len(uris)} URI subjectAltNames (needs exactly one)",
                evidence=_ev(cert, role, uris=uris[:8]),
            )
        ]
    problem = urn_problem(uris[0])
    if problem is not None:
        return None, [
            finding(
                "ID-URN-SAN-MISSING",
                f"device certificate's URI subjectAltName is not a device URN: {problem}",
                evidence=_ev(cert, role, uri=uris[0][:300]),
            )
        ]
    return uris[0], []


def read_leaf(cert: x509.Certificate) -> tuple[str | None, CertificatePublicKeyTypes | None,
                                               list[Finding]]:
    """A device certificate read without a trust store (token key mode, scans without
    anchors): ``(urn, public key, findings)``. Whatever its extensions or key hold
    (duplicates, a malformed SAN or AKI, an unsupported curve), the problem is an
    ``ID-CERT-MALFORMED`` finding, as in the validator, never an exception."""
    try:
        urn, found = device_urn(cert)
    except DECODE_ERRORS as exc:
        return None, None, [finding(
            "ID-CERT-MALFORMED",
            f"device certificate has malformed extensions: {str(exc)[:200]}",
            evidence={"certificate": _subject_text_safe(cert)})]
    try:
        key: CertificatePublicKeyTypes | None = cert.public_key()
    except DECODE_ERRORS as exc:
        found.append(finding(
            "ID-CERT-MALFORMED",
            f"the device certificate's public key does not load: {str(exc)[:200]}",
            evidence={"certificate": _subject_text_safe(cert)}))
        key = None
    return urn, key, found


def check_device_subject(cert: x509.Certificate) -> list[Finding]:
    """subject serialNumber (error when missing) and O (warning when missing)."""
    role = Role.DEVICE
    out: list[Finding] = []
    serials = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not serials or not serials[0].value:
        out.append(
            finding(
                "ID-SERIAL-MISSING",
                "device certificate's subject has no serialNumber (2.5.4.5)",
                evidence=_ev(cert, role),
            )
        )
    if not cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME):
        out.append(
            finding(
                "ID-SUBJECT-O-MISSING",
                "device certificate's subject has no organizationName (vendor)",
                evidence=_ev(cert, role),
            )
        )
    return out


def check_validity(cert: x509.Certificate, role: Role, now: datetime) -> list[Finding]:
    """The certificate is valid at ``now`` (notAfter 99991231235959Z never expires)."""
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now < start:
        return [
            finding(
                "ID-CERT-NOT-YET-VALID",
                f"{role.value} certificate is not valid before {start.isoformat()}",
                evidence=_ev(cert, role, not_before=start.isoformat(), at=now.isoformat()),
            )
        ]
    if now > end:
        return [
            finding(
                "ID-CERT-EXPIRED",
                f"{role.value} certificate expired at {end.isoformat()}",
                evidence=_ev(cert, role, not_after=end.isoformat(), at=now.isoformat()),
            )
        ]
    return []


def profile_findings(cert: x509.Certificate, role: Role) -> list[Finding]:
    """Every time-independent profile rule of spec §2 for ``cert`` in ``role``."""
    try:
        out = check_basic_constraints(cert, role)
        out += check_key_usage(cert, role)
        out += check_key_ids(cert, role)
        out += check_algorithms(cert, role)
        if role is Role.DEVICE:
            out += device_urn(cert)[1]
            out += check_device_subject(cert)
    except DECODE_ERRORS as exc:  # duplicate or undecodable extensions
        return [
            finding(
                "ID-CERT-MALFORMED",
                f"{role.value} certificate has malformed extensions: {exc}",
                evidence=_ev(cert, role),
            )
        ]
    return out


# --------------------------------------------------------------------------------------
# The profile as cryptography ExtensionPolicy callbacks


class ProfileViolation(Exception):
    """Raised inside a verifier callback; carries the findings that caused it."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__("; ".join(f"{f.code}: {f.message}" for f in findings))
        self.findings = tuple(findings)


def _raise_errors(found: list[Finding]) -> None:
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        raise ProfileViolation(errors)


#: keyUsage of a device certificate (spec §2): digitalSignature only.
LEAF_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)
_OID_BC = ExtensionOID.BASIC_CONSTRAINTS
_OID_KU = ExtensionOID.KEY_USAGE
_OID_SAN = ExtensionOID.SUBJECT_ALTERNATIVE_NAME
_OID_SKI = ExtensionOID.SUBJECT_KEY_IDENTIFIER
_OID_AKI = ExtensionOID.AUTHORITY_KEY_IDENTIFIER


def _violation(cert: x509.Certificate) -> ProfileViolation:
    """The exception a callback raises: the device rules that fail, by name."""
    errors = [f for f in profile_findings(cert, Role.DEVICE) if f.severity is Severity.ERROR]
    return ProfileViolation(errors or [finding("ID-CERT-MALFORMED", "device certificate")])


# Device rules as callbacks of the end-entity ExtensionPolicy. They look only at the value
# cryptography hands them (no re-parse of the certificate); SKI and AKI presence and the
# criticality of basicConstraints and keyUsage are enforced natively by the policy.


def _leaf_bc(_policy: Policy, cert: x509.Certificate, value: x509.BasicConstraints) -> None:
    if value.ca:
        raise _violation(cert)


def _leaf_ku(_policy: Policy, cert: x509.Certificate, value: x509.KeyUsage) -> None:
    if value != LEAF_KEY_USAGE:
        raise _violation(cert)


def _leaf_san(_policy: Policy, cert: x509.Certificate, value: x509.SubjectAlternativeName) -> None:
    # The SAN callback also carries the subject rule (serialNumber), which has no extension.
    uris = [g.value for g in value if type(g) is x509.UniformResourceIdentifier]
    if len(uris) != 1 or urn_problem(uris[0]) is not None:
        raise _violation(cert)
    if not any(a.oid == NameOID.SERIAL_NUMBER and a.value for a in cert.subject):
        raise _violation(cert)


def _ca_bc(_policy: Policy, cert: x509.Certificate, _ext_value: x509.BasicConstraints) -> None:
    role = _role_of(cert)
    if role is Role.DEVICE:
        role = Role.VENDOR_CA
    _raise_errors(check_basic_constraints(cert, role) + check_algorithms(cert, role))


def _ca_ku(_policy: Policy, cert: x509.Certificate, _ext_value: x509.KeyUsage) -> None:
    role = _role_of(cert)
    _raise_errors(check_key_usage(cert, Role.VENDOR_CA if role is Role.DEVICE else role))


def _ca_aki(
    _policy: Policy, cert: x509.Certificate, value: x509.AuthorityKeyIdentifier | None
) -> None:
    if value is None and cert.issuer != cert.subject:
        _raise_errors(check_key_ids(cert, Role.VENDOR_CA))


def _policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    crit, any_ = Criticality.CRITICAL, Criticality.AGNOSTIC
    ca = (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, crit, _ca_bc)
        .require_present(x509.KeyUsage, crit, _ca_ku)
        .require_present(x509.SubjectKeyIdentifier, any_, None)
        .may_be_present(x509.AuthorityKeyIdentifier, any_, _ca_aki)
    )
    ee = (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, crit, _leaf_bc)
        .require_present(x509.KeyUsage, crit, _leaf_ku)
        .require_present(x509.SubjectAlternativeName, any_, _leaf_san)
        .require_present(x509.SubjectKeyIdentifier, any_, None)
        .require_present(x509.AuthorityKeyIdentifier, any_, None)
    )
    return ca, ee


def _fast_leaf_bc(_policy: Policy, _cert: x509.Certificate, value: x509.BasicConstraints) -> None:
    if value.ca:
        raise ProfileViolation(())  # the full path names the rule


def _fast_leaf_ku(_policy: Policy, _cert: x509.Certificate, value: x509.KeyUsage) -> None:
    # value == LEAF_KEY_USAGE, read bit by bit (cheaper than KeyUsage.__eq__): encipherOnly and
    # decipherOnly cannot be set without keyAgreement (KeyUsage refuses that)
    if not value.digital_signature or (
            value.key_cert_sign or value.crl_sign or value.key_agreement
            or value.content_commitment or value.key_encipherment or value.data_encipherment):
        raise ProfileViolation(())


def _fast_ee_policy() -> ExtensionPolicy:
    """The device policy of the cached-vendor-CA path: minimal callbacks.

    The verifier enforces natively basicConstraints and keyUsage present and critical,
    subjectAltName, SKI and AKI present. Two one-comparison callbacks check the values
    cryptography has already decoded (CA:FALSE, keyUsage digitalSignature only); the
    rest (the URN SAN, the subject serialNumber, the algorithms) is checked afterwards by
    :func:`_leaf_fast_pass` on what the verifier returns. Any failure sends the leaf to
    the full path, whose diagnostics name the rule.
    """
    crit, any_ = Criticality.CRITICAL, Criticality.AGNOSTIC
    return (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, crit, _fast_leaf_bc)
        .require_present(x509.KeyUsage, crit, _fast_leaf_ku)
        .require_present(x509.SubjectAlternativeName, any_, None)
        .require_present(x509.SubjectKeyIdentifier, any_, None)
        .require_present(x509.AuthorityKeyIdentifier, any_, None)
    )


_URI = x509.UniformResourceIdentifier
_OID_SERIAL = NameOID.SERIAL_NUMBER
_OID_ORG = NameOID.ORGANIZATION_NAME
_FAST_CURVES = frozenset({"secp256r1", "secp384r1"})


_DER_OID_SERIAL = b"\x06\x03\x55\x04\x05"  # 2.5.4.5 serialNumber, as DER
_DER_OID_ORG = b"\x06\x03\x55\x04\x0a"  # 2.5.4.10 organizationName, as DER
_DER_STRINGS = frozenset({0x13, 0x0C})  # PrintableString, UTF8String
_PRINTABLE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?"


def _der_len(der: bytes, i: int) -> tuple[int, int]:
    """The length of the DER element whose length octets start at ``i``, and where its
    content starts."""
    first = der[i]
    if first < 0x80:
        return first, i + 1
    count = first & 0x7F
    if not 1 <= count <= 3:
        raise ValueError("DER length")
    return int.from_bytes(der[i + 1 : i + 1 + count], "big"), i + 1 + count


def _subject_flags(der: bytes) -> tuple[bool, bool] | None:
    """(has a non-empty serialNumber, has an organizationName) of a certificate's subject,
    read from its DER; ``None`` when anything is unusual (the caller then asks
    ``cryptography``'s :class:`~cryptography.x509.Name`).

    Only for a certificate ``cryptography`` has already parsed (so the DER is well formed):
    this reads where the subject sits in tbsCertificate (RFC 5280 §4.1) and the attribute
    types. Every value must be a valid PrintableString or UTF8String (anything else, which
    ``cryptography`` might refuse to decode, is left to it).
    """
    try:
        if der[0] != 0x30 or der[1] != 0x82 or der[4] != 0x30 or der[5] != 0x82:
            return None  # Certificate and tbsCertificate, both 256..65535 bytes long
        i = 8  # the first element of tbsCertificate
        if der[i] == 0xA0:  # [0] version
            i += 2 + der[i + 1]
        for tag in (0x02, 0x30, 0x30, 0x30):  # serialNumber, signature, issuer, validity
            if der[i] != tag:
                return None
            n = der[i + 1]
            if n < 0x80:
                i += 2 + n
            else:
                n, i = _der_len(der, i + 1)
                i += n
        if der[i] != 0x30:
            return None
        n, i = _der_len(der, i + 1)  # subject
        end = i + n
        serial = org = False
        while i < end:
            # RelativeDistinguishedName SET holding one AttributeTypeAndValue SEQUENCE
            # (short lengths only; anything else goes to cryptography)
            if der[i] != 0x31 or der[i + 2] != 0x30 or der[i + 4] != 0x06:
                return None
            set_end = i + 2 + der[i + 1]
            atv_end = i + 4 + der[i + 3]
            if atv_end != set_end or der[i + 1] >= 0x80 or der[i + 3] >= 0x80:
                return None
            oid_end = i + 6 + der[i + 5]
            vtag, vlen = der[oid_end], der[oid_end + 1]
            if vtag not in _DER_STRINGS or vlen >= 0x80 or oid_end + 2 + vlen != atv_end:
                return None
            value = der[oid_end + 2 : atv_end]
            if vtag == 0x0C:
                value.decode("utf-8")
            elif value.translate(None, _PRINTABLE):
                return None
            oid = der[i + 4 : oid_end]
            if oid == _DER_OID_ORG:
                org = True
            elif oid == _DER_OID_SERIAL and vlen:
                serial = True
            i = atv_end
        if i != end:
            return None
    except (IndexError, ValueError):
        return None
    return serial, org


def _leaf_fast_pass(
    leaf: x509.Certificate,
    subjects: Sequence[x509.GeneralName] | None,
    der: bytes | None,
    known_urn: str | None = None,
) -> tuple[str, Any] | None:
    """The device rules the verifier does not check, on a leaf it has just accepted.

    ``subjects`` are the leaf's SAN entries as the verifier returns them. Returns
    ``(urn, key)`` when the leaf meets every device rule left (exactly one URI SAN that is
    a device URN, a subject serialNumber and O, devid/1's key and signature algorithms),
    else ``None``: the caller then takes the full path. ``key`` is the leaf's public key
    (loaded here for the algorithm check; the token check verifies with it). ``known_urn``
    is a text the caller has already found to be a device URN (:func:`urn_problem`), e.g.
    the token's ``sub``: a SAN equal to it is not checked again.
    """
    try:
        if subjects is not None and len(subjects) == 1 and type(subjects[0]) is _URI:
            uris = [subjects[0].value]  # the usual SAN: one URI
        else:
            uris = [g.value for g in subjects or () if type(g) is _URI]
        if len(uris) != 1 or (uris[0] != known_urn and urn_problem(uris[0]) is not None):
            return None
        flags = _subject_flags(der) if der is not None else None
        if flags is None:
            flags = (
                any(a.oid == _OID_SERIAL and a.value for a in leaf.subject),
                any(a.oid == _OID_ORG for a in leaf.subject),
            )
        serial, has_o = flags
        if not serial or not has_o:  # an error-level subject rule fails: the full path
            return None
        key: Any = leaf.public_key()
        fast_ok = (
            type(key) is _EC_PUBLIC_TYPE
            and key.curve.name in _FAST_CURVES
            and leaf.signature_algorithm_oid in PROFILE_SIG_OIDS
        )
        if not fast_ok and check_algorithms(leaf, Role.DEVICE):
            return None
    except DECODE_ERRORS:
        return None
    return uris[0], key


def _trusted_ca_policy() -> ExtensionPolicy:
    """For vendor CAs already validated (and cached) by this validator: no callbacks."""
    return ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None
    )


def _relaxed_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    ca = ExtensionPolicy.permit_all().require_present(
        x509.BasicConstraints, Criticality.AGNOSTIC, None
    )
    return ca, ExtensionPolicy.permit_all()


# --------------------------------------------------------------------------------------
# Chain validation


@dataclass(frozen=True)
class ChainResult:
    """The verdict on one device certificate chain.

    ``chain`` is the validated path, leaf first, ending at the trust anchor. For an invalid
    result it is the path devid examined (the anchor is reachable but a rule fails), or empty
    when no path to an anchor exists. ``urn`` is the leaf's URN SAN when it is well-formed.
    """

    valid: bool
    leaf: x509.Certificate | None
    urn: str | None
    chain: tuple[x509.Certificate, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class _ValidatedCA:
    certificate: x509.Certificate
    anchor: x509.Certificate
    not_before: datetime
    not_after: datetime


class _LRU:
    """A tiny bounded mapping (least recently used entries leave first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self._size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def _subject_text_safe(cert: x509.Certificate) -> str:
    try:
        return _subject_text(cert)
    except Exception:  # pragma: no cover - defensive
        return "<undecodable subject>"


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    if now.tzinfo is UTC:
        return now
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


class ChainValidator:
    """Validates device certificate chains against a trust store (thread-compatible, not
    thread-safe: use one per thread).

    ``validate(leaf, intermediates, now=...)`` returns a :class:`ChainResult`; it never
    raises for bad certificates (they are findings).
    """

    def __init__(
        self,
        trust: TrustStore,
        *,
        revocation: RevocationList | None = None,
        cache_size: int = 1024,
    ) -> None:
        if not isinstance(trust, TrustStore):
            raise TypeError("trust must be a TrustStore")
        self._trust = trust
        self._revocation = revocation
        self._ca_policy, self._ee_policy = _policies()
        self._relaxed = _relaxed_policies()
        self._trusted_ca = _trusted_ca_policy()
        self._fast_ee = _fast_ee_policy()
        self._anchors = {cert_der(c): c for c in trust.certificates}
        self._validated: dict[bytes, _ValidatedCA] = {}
        self._hot: dict[bytes, tuple[datetime, Any]] = {}
        self._stores = _LRU(256)
        self._verifiers = _LRU(cache_size)
        self._max_validated = cache_size

    @property
    def trust(self) -> TrustStore:
        return self._trust

    @property
    def revocation(self) -> RevocationList | None:
        return self._revocation

    # -- verifiers ------------------------------------------------------------------------

    def _verifier(self, key: Any, store: Store, now: datetime, mode: str = "strict") -> Any:
        vkey = (key, now, mode)
        verifier = self._verifiers.get(vkey)
        if verifier is None:
            if mode == "relaxed":
                ca, ee = self._relaxed
            elif mode == "fast":
                ca, ee = self._trusted_ca, self._fast_ee
            else:
                ca, ee = self._ca_policy, self._ee_policy
            verifier = (
                PolicyBuilder()
                .store(store)
                .time(now)
                .extension_policies(ca_policy=ca, ee_policy=ee)
                .build_client_verifier()
            )
            self._verifiers.put(vkey, verifier)
        return verifier

    # -- the public entry point -------------------------------------------------------------

    def validate(
        self,
        leaf: bytes | x509.Certificate,
        intermediates: Sequence[bytes | x509.Certificate] = (),
        *,
        now: datetime,
    ) -> ChainResult:
        """Validate ``leaf`` (device certificate) with the presented ``intermediates`` at ``now``.

        Never raises for bad certificates: they are findings (``ID-CERT-MALFORMED`` when
        they do not parse).
        """
        now = _aware(now)
        if (type(leaf) is bytes and len(intermediates) == 1 and type(intermediates[0]) is bytes
                and self._revocation is None):
            hot = self._try_hot(leaf, intermediates[0], now)
            if hot is not None:
                return hot
        try:
            leaf_cert = parse_certificate(leaf)
        except ValueError as exc:
            return ChainResult(
                False,
                None,
                None,
                (),
                (
                    finding(
                        "ID-CERT-MALFORMED",
                        f"device certificate does not parse: {exc}",
                        evidence={"position": 0},
                    ),
                ),
            )
        findings: list[Finding] = []
        inters: list[x509.Certificate] = []
        ders: list[bytes] = []
        for index, item in enumerate(intermediates, start=1):
            try:
                cert = parse_certificate(item)
            except ValueError as exc:
                findings.append(
                    finding(
                        "ID-CERT-MALFORMED",
                        f"chain certificate {index} does not parse: {exc}",
                        evidence={"position": index},
                    )
                )
                continue
            inters.append(cert)
            if isinstance(item, x509.Certificate):
                ders.append(cert_der(cert))
            else:
                ders.append(item if type(item) is bytes else bytes(item))
        try:
            if not findings and ders:
                leaf_der = leaf if type(leaf) is bytes else None
                fast = self._try_fast(leaf_cert, ders, now, leaf_der)
                if fast is not None:
                    return fast
            return self._full(leaf_cert, inters, now, findings)
        except DECODE_ERRORS as exc:  # a part that fails only when decoded
            findings.append(
                finding(
                    "ID-CERT-MALFORMED",
                    f"certificate does not decode: {exc}",
                    evidence={"certificate": _subject_text_safe(leaf_cert)},
                )
            )
            return ChainResult(False, leaf_cert, None, (), tuple(findings))

    # -- fast path ---------------------------------------------------------------------------

    def _try_hot(self, leaf: bytes, vendor: bytes, now: datetime) -> ChainResult | None:
        """The fleet case in the fewest steps: a DER leaf and one DER vendor CA this
        validator has already validated, no revocation list. Only a valid leaf with no
        finding at all is answered here; anything else (``None``) takes :meth:`_try_fast`
        and the full path, which explain it. Same checks as :meth:`_try_fast`."""
        hot = self._hot_leaf(leaf, vendor, now)
        if hot is None:
            return None
        leaf_cert, urn, _key, entry = hot
        return ChainResult(True, leaf_cert, urn, (leaf_cert, entry.certificate, entry.anchor), ())

    def _hot_leaf(
        self, leaf: bytes, vendor: bytes, now: datetime, known_urn: str | None = None
    ) -> tuple[x509.Certificate, str, Any, _ValidatedCA] | None:
        """:meth:`_try_hot` without the result object: ``(leaf certificate, URN, leaf public
        key, vendor CA entry)`` for a leaf that passes every check with no finding, else
        ``None``. ``now`` must be aware UTC (:func:`_aware`); the caller checks that there
        is no revocation list. ``known_urn``: see :func:`_leaf_fast_pass`.
        (:func:`devid._token.verify_token` calls this directly.)"""
        entry = self._validated.get(vendor)
        if entry is None or not (entry.not_before <= now <= entry.not_after):
            return None
        hot = self._hot.get(vendor)
        if hot is None or hot[0] != now:
            key = (vendor,)
            store = self._stores.get(key)
            if store is None:
                store = Store([entry.certificate])
                self._stores.put(key, store)
            hot = (now, self._verifier(key, store, now, "fast"))
            if len(self._hot) >= 64:
                self._hot.clear()
            self._hot[vendor] = hot
        try:
            # not through the parse cache: a fleet's leaves are each seen once, and the
            # verifier and the checks below are redone per token anyway
            leaf_cert = x509.load_der_x509_certificate(leaf)
            verified = hot[1].verify(leaf_cert, [])
        except _VERIFY_ERRORS:
            return None
        # The verified chain is leaf -> this vendor CA (the store's only certificate; the
        # leaf cannot be it: the device policy refuses CA:TRUE), then its anchor.
        checked = _leaf_fast_pass(leaf_cert, verified.subjects, leaf, known_urn)
        if checked is None:  # a rule fails: the full path names it
            return None
        return leaf_cert, checked[0], checked[1], entry

    def _try_fast(
        self,
        leaf: x509.Certificate,
        ders: list[bytes],
        now: datetime,
        leaf_der: bytes | None = None,
    ) -> ChainResult | None:
        cas: list[_ValidatedCA] = []
        for der in ders:
            entry = self._validated.get(der)
            if entry is None:
                if der in self._anchors:  # a device that also sends the root: not needed
                    continue
                return None
            if not (entry.not_before <= now <= entry.not_after):
                return None
            cas.append(entry)
        if not cas:
            return None
        key = tuple(ders)
        store = self._stores.get(key)
        if store is None:
            store = Store([entry.certificate for entry in cas])
            self._stores.put(key, store)
        try:
            verified = self._verifier(key, store, now, "fast").verify(leaf, [])
        except _VERIFY_ERRORS:
            return None  # let the full path explain
        checked = _leaf_fast_pass(leaf, verified.subjects, leaf_der)
        if checked is None:
            return None  # a device rule fails: the full path names it
        urn, _key = checked
        chain = verified.chain
        top = chain[-1]
        path = list(chain)
        for entry in cas:
            if entry.certificate is top or entry.certificate == top:
                path.append(entry.anchor)
                break
        if self._revocation is None:
            return ChainResult(True, leaf, urn, tuple(path), ())
        findings = self._revocation_findings(path)
        return ChainResult(not has_errors(findings), leaf, urn, tuple(path), tuple(findings))

    def _finish(
        self,
        leaf: x509.Certificate,
        path: tuple[x509.Certificate, ...],
        now: datetime,
        findings: list[Finding],
        subjects: list[x509.GeneralName] | None,
    ) -> ChainResult:
        """A verified path (the verifier's callbacks enforced the device rules): the leaf's
        key algorithm, the subject-O warning, revocation, the URN."""
        urns = [g.value for g in subjects or () if type(g) is x509.UniformResourceIdentifier]
        urn = urns[0] if len(urns) == 1 else device_urn(leaf)[0]
        findings = findings + check_algorithms(leaf, Role.DEVICE)
        for index, ca in enumerate(path[1:], start=1):  # strong CA algorithms outside devid/1
            role = Role.ROOT if index == len(path) - 1 else Role.VENDOR_CA
            findings += [f for f in check_algorithms(ca, role) if f.severity is Severity.WARNING]
        if not any(a.oid == NameOID.ORGANIZATION_NAME for a in leaf.subject):
            findings += check_device_subject(leaf)
        if self._revocation is not None:
            findings += self._revocation_findings(path)
        return ChainResult(not has_errors(findings), leaf, urn, path, tuple(findings))

    def _revocation_findings(self, path: Sequence[x509.Certificate]) -> list[Finding]:
        if self._revocation is None:
            return []
        out = []
        for index, cert in enumerate(path[:-1]):
            issuer = path[index + 1]
            if cert_der(cert) in self._anchors:
                break
            if self._revocation.is_revoked(cert, issuer):
                role = Role.DEVICE if index == 0 else Role.VENDOR_CA
                out.append(
                    finding(
                        "ID-REVOKED",
                        f"{role.value} certificate is revoked",
                        evidence=_ev(
                            cert,
                            role,
                            serial=f"{cert.serial_number:x}",
                            issuer_ski=(key_identifier(issuer) or b"").hex(),
                        ),
                    )
                )
            elif self._revocation.unverified_listing(cert, issuer):
                role = Role.DEVICE if index == 0 else Role.VENDOR_CA
                out.append(finding(
                    "ID-CRL-UNVERIFIED",
                    f"a CRL in the revocation input lists this {role.value} certificate, but "
                    "its signature does not verify with the issuer's key: it was ignored",
                    evidence=_ev(cert, role, serial=f"{cert.serial_number:x}")))
        return out

    # -- full path (first sight of a vendor CA, and every failure) --------------------------

    def _full(
        self,
        leaf: x509.Certificate,
        inters: list[x509.Certificate],
        now: datetime,
        findings: list[Finding],
    ) -> ChainResult:
        error: str | None = None
        try:
            verified = self._verifier("roots", self._trust.store, now).verify(leaf, inters)
        except _VERIFY_ERRORS as exc:
            error = str(exc)
        if error is None:
            path = tuple(verified.chain)
            result = self._finish(leaf, path, now, findings, verified.subjects)
            if result.valid:
                self._remember(path)
            return result
        return self._diagnose(leaf, inters, now, findings, error)

    def _remember(self, path: tuple[x509.Certificate, ...]) -> None:
        """Cache the vendor CA of a verified leaf -> vendor CA -> anchor path."""
        if len(path) != 3:
            return
        vendor, anchor = path[1], path[2]
        der = cert_der(vendor)
        if der in self._validated or der in self._anchors:
            return
        if check_algorithms(vendor, Role.VENDOR_CA) or check_algorithms(anchor, Role.ROOT):
            return  # its warnings go with every result: no short path for this chain
        if len(self._validated) >= self._max_validated:
            self._validated.pop(next(iter(self._validated)))
        self._validated[der] = _ValidatedCA(
            certificate=vendor,
            anchor=anchor,
            not_before=max(vendor.not_valid_before_utc, anchor.not_valid_before_utc),
            not_after=min(vendor.not_valid_after_utc, anchor.not_valid_after_utc),
        )

    def _anchor_issuing(self, cert: x509.Certificate) -> list[x509.Certificate]:
        return [a for a in self._trust.certificates if a.subject == cert.issuer]

    def _diagnose(
        self,
        leaf: x509.Certificate,
        inters: list[x509.Certificate],
        now: datetime,
        findings: list[Finding],
        error: str,
    ) -> ChainResult:
        """The verifier said no: name the rules that fail, certificate by certificate."""
        # The candidate path by names (only to pick what to report on; the verifier decides).
        by_subject = {c.subject: c for c in inters}
        candidate = [leaf]
        seen = {cert_der(leaf)}
        current = leaf
        anchor: x509.Certificate | None = None
        while True:
            anchors = self._anchor_issuing(current)
            if anchors:
                anchor = anchors[0]
                break
            nxt = by_subject.get(current.issuer)
            if nxt is None or cert_der(nxt) in seen or len(candidate) > 8:
                break
            seen.add(cert_der(nxt))
            candidate.append(nxt)
            current = nxt
        diag: list[Finding] = []
        for index, cert in enumerate(candidate):
            role = Role.DEVICE if index == 0 else Role.VENDOR_CA
            diag += profile_findings(cert, role)
            diag += check_validity(cert, role, now)
        if anchor is not None:
            diag += profile_findings(anchor, Role.ROOT)
            diag += check_validity(anchor, Role.ROOT, now)
        try:
            urn = device_urn(leaf)[0]
        except DECODE_ERRORS:
            urn = None
        path: tuple[x509.Certificate, ...] = tuple(candidate) + ((anchor,) if anchor else ())
        findings = findings + diag
        eddsa = [c for c in candidate if c.signature_algorithm_oid in _EDDSA_SIG_OIDS]
        if eddsa:
            findings.append(finding(
                "ID-CHAIN-UNSUPPORTED",
                "a CA of this chain signs with EdDSA, which devid's path validation "
                "(cryptography's x509.verification) does not support yet: the chain cannot be "
                "validated; use an ECDSA P-256/P-384 CA",
                evidence={"reason": error[:500], "certificate": _subject_text(eddsa[0]),
                          "signature_algorithm": eddsa[0].signature_algorithm_oid.dotted_string}))
            path = ()
        elif not has_errors(diag) or not self._reaches_anchor(leaf, inters, candidate, anchor,
                                                              now):
            findings.append(
                finding(
                    "ID-CHAIN-UNTRUSTED",
                    "the certificate chain does not validate to a trust anchor",
                    evidence={"reason": error[:500], "certificate": _subject_text(leaf)},
                )
            )
            path = ()
        findings += self._revocation_findings(path) if path else []
        return ChainResult(False, leaf, urn, path, tuple(findings))

    def _reaches_anchor(
        self,
        leaf: x509.Certificate,
        inters: list[x509.Certificate],
        candidate: list[x509.Certificate],
        anchor: x509.Certificate | None,
        now: datetime,
    ) -> bool:
        """Does a signature path to an anchor exist with the profile relaxed and the time
        moved into the candidate path's common validity window (when it has one)?"""
        if anchor is None:
            return False
        certs = candidate + [anchor]
        start = max(c.not_valid_before_utc for c in certs)
        end = min(c.not_valid_after_utc for c in certs)
        when = min(max(now, start), end) if start <= end else now
        try:
            self._verifier("roots", self._trust.store, when, "relaxed").verify(leaf, inters)
        except _VERIFY_ERRORS:
            return False
        return True


__all__ = [
    "ChainResult",
    "ChainValidator",
    "ProfileViolation",
    "RevocationList",
    "Role",
    "TrustStore",
    "authority_key_identifier",
    "cert_der",
    "check_algorithms",
    "check_basic_constraints",
    "check_device_subject",
    "check_key_ids",
    "check_key_usage",
    "check_validity",
    "device_urn",
    "is_device_urn",
    "key_identifier",
    "load_certificates",
    "parse_certificate",
    "profile_findings",
    "urn_problem",
]
