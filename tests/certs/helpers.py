"""Build deliberately non-conforming certificates on the shared test PKI."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from devid._provision import LEAF_KEY_USAGE, NO_EXPIRY, CertificateAuthority, generate_key
from tests.plugins.pki import PKI_NOT_AFTER, PKI_NOT_BEFORE, TestPKI

KEEP: Any = object()  # "use the conforming default"

CA_KU = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def ku(**bits: bool) -> x509.KeyUsage:
    fields = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    fields.update(bits)
    return x509.KeyUsage(**fields)


def _hash_for(key: Any) -> Any:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def build(
    *,
    issuer: CertificateAuthority | None,
    subject: x509.Name,
    key: Any,
    extensions: dict[str, tuple[x509.ExtensionType, bool] | None],
    not_before: datetime = PKI_NOT_BEFORE,
    not_after: datetime = PKI_NOT_AFTER,
    sign_hash: Any = KEEP,
) -> x509.Certificate:
    """A certificate signed by ``issuer`` (self-signed with ``key`` when ``None``)."""
    signer_key = issuer.key if issuer is not None else key
    issuer_name = issuer.certificate.subject if issuer is not None else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for item in extensions.values():
        if item is not None:
            builder = builder.add_extension(item[0], critical=item[1])
    algorithm = _hash_for(signer_key) if sign_hash is KEEP else sign_hash
    return builder.sign(signer_key, algorithm)


def leaf(
    pki: TestPKI,
    *,
    urn: str = "urn:dev:ops:32473-SmartLock-9001",
    serial: str | None = "9001",
    org: str | None = "Acme",
    key: Any = None,
    issuer: CertificateAuthority | None = None,
    not_before: datetime = PKI_NOT_BEFORE,
    not_after: datetime = NO_EXPIRY,
    sign_hash: Any = KEEP,
    **overrides: Any,
) -> x509.Certificate:
    """A device certificate; ``bc=``, ``ku=``, ``san=``, ``ski=``, ``aki=`` override an
    extension with ``(value, critical)`` or drop it with ``None``."""
    vendor = issuer or pki.vendor
    key = key or generate_key("p256")
    attrs = []
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if serial is not None:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, "device"))
    exts: dict[str, tuple[x509.ExtensionType, bool] | None] = {
        "bc": (x509.BasicConstraints(ca=False, path_length=None), True),
        "ku": (LEAF_KEY_USAGE, True),
        "san": (x509.SubjectAlternativeName([x509.UniformResourceIdentifier(urn)]), False),
        "ski": (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        "aki": (
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                vendor.certificate.public_key()  # type: ignore[arg-type]
            ),
            False,
        ),
    }
    for name, value in overrides.items():
        if name not in exts:
            raise TypeError(f"unknown extension override {name}")
        exts[name] = value
    return build(
        issuer=vendor,
        subject=x509.Name(attrs),
        key=key,
        extensions=exts,
        not_before=not_before,
        not_after=not_after,
        sign_hash=sign_hash,
    )


def vendor_ca(
    pki: TestPKI,
    *,
    name: str = "Acme",
    key: Any = None,
    issuer: CertificateAuthority | None = None,
    not_before: datetime = PKI_NOT_BEFORE,
    not_after: datetime = PKI_NOT_AFTER,
    sign_hash: Any = KEEP,
    **overrides: Any,
) -> CertificateAuthority:
    """A vendor CA under the PKI's root with overridable extensions (see :func:`leaf`)."""
    root = issuer or pki.root
    key = key or generate_key("p256")
    exts: dict[str, tuple[x509.ExtensionType, bool] | None] = {
        "bc": (x509.BasicConstraints(ca=True, path_length=0), True),
        "ku": (CA_KU, True),
        "ski": (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        "aki": (
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root.certificate.public_key()  # type: ignore[arg-type]
            ),
            False,
        ),
    }
    for ext_name, value in overrides.items():
        if ext_name not in exts:
            raise TypeError(f"unknown extension override {ext_name}")
        exts[ext_name] = value
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = build(
        issuer=root,
        subject=subject,
        key=key,
        extensions=exts,
        not_before=not_before,
        not_after=not_after,
        sign_hash=sign_hash,
    )
    return CertificateAuthority(key=key, certificate=cert, pen=32473)


def root_ca(
    *,
    name: str = "Odd Root",
    key: Any = None,
    not_before: datetime = PKI_NOT_BEFORE,
    not_after: datetime = PKI_NOT_AFTER,
    **overrides: Any,
) -> CertificateAuthority:
    key = key or generate_key("p256")
    exts: dict[str, tuple[x509.ExtensionType, bool] | None] = {
        "bc": (x509.BasicConstraints(ca=True, path_length=None), True),
        "ku": (CA_KU, True),
        "ski": (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
    }
    exts.update(overrides)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = build(
        issuer=None,
        subject=subject,
        key=key,
        extensions=exts,
        not_before=not_before,
        not_after=not_after,
    )
    return CertificateAuthority(key=key, certificate=cert)


def rsa_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


DAY = timedelta(days=1)


def resign_sha1(cert: x509.Certificate, issuer_key: ec.EllipticCurvePrivateKey) -> bytes:
    """``cert`` re-signed with ECDSA-SHA1 (cryptography refuses to make such certificates)."""
    from asn1crypto import x509 as ax
    from cryptography.hazmat.primitives.serialization import Encoding

    parsed = ax.Certificate.load(cert.public_bytes(Encoding.DER))
    tbs = parsed["tbs_certificate"]
    tbs["signature"] = {"algorithm": "sha1_ecdsa"}
    parsed["signature_algorithm"] = {"algorithm": "sha1_ecdsa"}
    signature = issuer_key.sign(tbs.dump(force=True), ec.ECDSA(hashes.SHA1()))
    parsed["signature_value"] = signature
    return bytes(parsed.dump(force=True))
