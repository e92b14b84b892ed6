"""Provisioning: root CA, vendor CA and device credentials of the devid/1 profile.

This module makes the certificates that :mod:`devid._certs` checks (spec §2):

* a root CA: ``CA:TRUE``, keyUsage ``keyCertSign, cRLSign``, SKI;
* a vendor CA: ``CA:TRUE, pathLen 0``, keyUsage ``keyCertSign, cRLSign``, SKI + AKI,
  subject ``O`` = the vendor name;
* a device certificate (IEEE 802.1AR IDevID): ``CA:FALSE``, keyUsage
  ``digitalSignature`` only, subject ``serialNumber`` + ``O``, one URI subjectAltName
  holding the device URN, SKI + AKI, and by default ``notAfter = 99991231235959Z``
  (no well-defined expiry, RFC 5280 §4.1.2.5; 802.1AR §8.5).

Everything here is pure (keys and certificates in memory) except :meth:`CertificateAuthority.save`,
:meth:`CertificateAuthority.load` and :func:`write_private_key`, which touch the caller's
files. Private keys are written PEM PKCS#8 unencrypted, in files created with mode 0600.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from devid._certs import LEAF_KEY_USAGE, urn_problem

KeyType: TypeAlias = Literal["p256", "p384", "ed25519"]
PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

KEY_TYPES: tuple[str, ...] = ("p256", "p384", "ed25519")

#: ``99991231235959Z``: "no well-defined expiration date" (RFC 5280 §4.1.2.5), the
#: default notAfter of device certificates (IEEE 802.1AR §8.5).
NO_EXPIRY = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

#: Default lifetime of a root CA and of a vendor CA from their notBefore.
ROOT_LIFETIME = timedelta(days=365 * 30)
VENDOR_LIFETIME = timedelta(days=365 * 25)
#: notBefore defaults to "now" minus this, so a clock slightly behind still accepts them.
BACKDATE = timedelta(hours=1)

_CA_META = "ca.json"


def generate_key(key_type: str = "p256") -> PrivateKey:
    """A fresh private key: ``p256`` (ECDSA P-256), ``p384`` (ECDSA P-384) or ``ed25519``."""
    if key_type == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"unknown key type {key_type!r} (choose from {', '.join(KEY_TYPES)})")


def _signing_hash(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384 | None:
    """The hash a CA signs with: SHA-384 for P-384, SHA-256 for P-256, none for Ed25519."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()
    return None


def make_urn(pen: int, product: str, serial: str) -> str:
    """The recommended device URN ``urn:dev:ops:<PEN>-<product>-<serial>`` (spec §1, RFC 9039).

    ``product`` may not contain ``-`` (RFC 9039 separates the parts with it); both parts use
    letters, digits and ``._~`` (``serial`` may also use ``-``). Raises ``ValueError`` when
    the result would not be a valid device URN (e.g. ``/``, ``+``, ``#``, spaces, PEN 0).
    """
    if not isinstance(pen, int) or isinstance(pen, bool) or pen < 1:
        raise ValueError(f"PEN must be a positive integer, not {pen!r}")
    urn = f"urn:dev:ops:{pen}-{product}-{serial}"
    problem = urn_problem(urn)
    if problem is None and "-" in product:
        problem = "'-' in the product makes the URN ambiguous"
    if problem is not None or not product or not serial:
        raise ValueError(
            f"product {product!r} / serial {serial!r} do not make a valid device URN: "
            f"{problem or 'empty part'} (use letters, digits and ._~; no '-' in the product)"
        )
    return urn


def write_private_key(path: str | os.PathLike[str], key: PrivateKey) -> None:
    """Write ``key`` as unencrypted PEM PKCS#8 to a new file created with mode 0600.

    The file is created with ``os.open(..., 0o600)`` (never chmod-ed afterwards), so the
    key is never readable by others, even for an instant. An existing file is replaced.
    """
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target = os.fspath(path)
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def load_private_key(path: str | os.PathLike[str]) -> PrivateKey:
    """Read a PEM private key written by :func:`write_private_key` (P-256, P-384, Ed25519)."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path}: unsupported key type {type(key).__name__}")
    return key


def cert_pem(cert: x509.Certificate) -> bytes:
    """One certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA's private key and certificate (a root or a vendor CA).

    ``pen`` is the vendor's IANA Private Enterprise Number (vendor CAs only), used to
    build device URNs; it is saved beside the certificate in ``ca.json``.
    """

    key: PrivateKey
    certificate: x509.Certificate
    pen: int | None = None

    @property
    def name(self) -> str:
        """The organizationName of the subject (else its commonName, else '')."""
        return _subject_attr(self.certificate, NameOID.ORGANIZATION_NAME) or _subject_attr(
            self.certificate, NameOID.COMMON_NAME
        )

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write ``cert.pem``, ``key.pem`` (mode 0600) and ``ca.json`` into ``directory``."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private_key(target / "key.pem", self.key)
        (target / "cert.pem").write_bytes(cert_pem(self.certificate))
        meta = {"name": self.name, "pen": self.pen}
        (target / _CA_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> CertificateAuthority:
        """Read a CA written by :meth:`save`. Raises ``OSError`` or ``ValueError``."""
        source = Path(directory)
        key = load_private_key(source / "key.pem")
        certificate = x509.load_pem_x509_certificate((source / "cert.pem").read_bytes())
        pen: int | None = None
        meta_path = source / _CA_META
        if meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ValueError(f"{meta_path}: not JSON: {exc}") from None
            raw = meta.get("pen") if isinstance(meta, dict) else None
            pen = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return cls(key=key, certificate=certificate, pen=pen)


@dataclass(frozen=True)
class DeviceCredentials:
    """What a device is provisioned with: its URN, serial, private key, certificate and chain.

    ``chain`` is leaf first, then the vendor CA (what goes into a token's ``x5chain``).
    """

    urn: str
    serial: str
    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    @property
    def chain_der(self) -> tuple[bytes, ...]:
        """The chain as DER, leaf first (the ``x5chain`` header value)."""
        return tuple(c.public_bytes(serialization.Encoding.DER) for c in self.chain)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write ``key.pem`` (0600), ``cert.pem`` and ``chain.pem`` (leaf, then vendor CA)."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private_key(target / "key.pem", self.key)
        (target / "cert.pem").write_bytes(cert_pem(self.certificate))
        (target / "chain.pem").write_bytes(b"".join(cert_pem(c) for c in self.chain))


def _subject_attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    for attr in cert.subject.get_attributes_for_oid(oid):
        value = attr.value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return ""


def _window(
    not_before: datetime | None, not_after: datetime | None, lifetime: timedelta | None
) -> tuple[datetime, datetime]:
    start = not_before if not_before is not None else datetime.now(UTC) - BACKDATE
    if not_after is not None:
        end = not_after
    elif lifetime is not None:
        end = start + lifetime
    else:
        end = NO_EXPIRY
    if end <= start:
        raise ValueError(f"notAfter {end.isoformat()} is not after notBefore {start.isoformat()}")
    return start, end


def _ca_name(name: str) -> x509.Name:
    if not name or "\x00" in name:
        raise ValueError(f"invalid CA name {name!r}")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )


def create_root(
    name: str,
    *,
    key_type: str = "p256",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> CertificateAuthority:
    """A self-signed root CA (trust anchor) named ``name`` (O and CN).

    Validity defaults to one hour ago until 30 years later.
    """
    key = generate_key(key_type)
    start, end = _window(not_before, not_after, ROOT_LIFETIME)
    subject = _ca_name(f"{name}")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, _signing_hash(key))
    )
    return CertificateAuthority(key=key, certificate=cert)


def create_vendor_ca(
    root: CertificateAuthority,
    name: str,
    *,
    pen: int,
    key_type: str = "p256",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> CertificateAuthority:
    """A vendor CA (intermediate, ``pathLen 0``) for vendor ``name`` with IANA PEN ``pen``.

    Validity defaults to one hour ago until 25 years later.
    """
    if not isinstance(pen, int) or isinstance(pen, bool) or pen < 0:
        raise ValueError(f"PEN must be a non-negative integer, not {pen!r}")
    key = generate_key(key_type)
    start, end = _window(not_before, not_after, VENDOR_LIFETIME)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_ca_name(name))
        .issuer_name(root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_aki(root.certificate), critical=False)
        .sign(root.key, _signing_hash(root.key))
    )
    return CertificateAuthority(key=key, certificate=cert, pen=pen)


def issue_device(
    vendor: CertificateAuthority,
    *,
    urn: str,
    serial: str,
    vendor_name: str | None = None,
    key_type: str = "p256",
    key: PrivateKey | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> DeviceCredentials:
    """A device (IDevID) certificate for ``urn`` / ``serial``, signed by ``vendor``.

    ``vendor_name`` (the subject ``O``) defaults to the vendor CA's organization name;
    ``key`` defaults to a fresh key of ``key_type``; ``not_after`` defaults to
    ``99991231235959Z`` (no expiry, 802.1AR). The URN is put in the subject's CN as well
    as in the URI subjectAltName (the SAN is what devid checks).
    """
    if not serial or "\x00" in serial:
        raise ValueError(f"invalid device serial {serial!r}")
    device_key = key if key is not None else generate_key(key_type)
    start, end = _window(not_before, not_after, None)
    org = vendor_name if vendor_name is not None else vendor.name
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
            x509.NameAttribute(NameOID.COMMON_NAME, urn[:64]),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(vendor.certificate.subject)
        .public_key(device_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(LEAF_KEY_USAGE, critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(urn)]), critical=False
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(device_key.public_key()), critical=False
        )
        .add_extension(_aki(vendor.certificate), critical=False)
        .sign(vendor.key, _signing_hash(vendor.key))
    )
    return DeviceCredentials(
        urn=urn,
        serial=serial,
        key=device_key,
        certificate=cert,
        chain=(cert, vendor.certificate),
    )




def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
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


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    try:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.public_key()  # type: ignore[arg-type]
        )
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


# --- the on-disk layout of ``devid ca`` (and of the simulator's ``--ca DIR``) -------------
#
#   DIR/root/cert.pem key.pem ca.json        the root CA (key mode 0600)
#   DIR/trust/root.pem                       the trust anchors (what --trust DIR reads)
#   DIR/vendors/<NAME>/cert.pem key.pem ca.json   one vendor CA per vendor name
#   DIR/devices/<URN>/key.pem cert.pem chain.pem token.cbor   (devid ca device / fleet)
#   DIR/tokens/<URN>.cbor                    every device's identity token (fleet)

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_vendor_name(name: str) -> str:
    """A vendor name usable as a directory name (letters, digits, ``._-``; 1-64 chars)."""
    if not _NAME_RE.match(name):
        raise ValueError(
            f"vendor name {name!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "(it names a directory)"
        )
    return name


def save_root(directory: str | os.PathLike[str], root: CertificateAuthority) -> None:
    """Write ``root`` into ``DIR/root/`` and its certificate as ``DIR/trust/root.pem``."""
    base = Path(directory)
    root.save(base / "root")
    (base / "trust").mkdir(parents=True, exist_ok=True)
    (base / "trust" / "root.pem").write_bytes(cert_pem(root.certificate))


def load_root(directory: str | os.PathLike[str]) -> CertificateAuthority:
    """The root CA of a ``devid ca`` directory (``OSError``/``ValueError`` when absent/bad)."""
    return CertificateAuthority.load(Path(directory) / "root")


def save_vendor(directory: str | os.PathLike[str], vendor: CertificateAuthority) -> Path:
    """Write a vendor CA into ``DIR/vendors/<name>/`` (its organization name); returns it."""
    target = Path(directory) / "vendors" / check_vendor_name(vendor.name)
    vendor.save(target)
    return target


def load_vendor(directory: str | os.PathLike[str], name: str) -> CertificateAuthority:
    """The vendor CA ``name`` of a ``devid ca`` directory."""
    return CertificateAuthority.load(Path(directory) / "vendors" / check_vendor_name(name))


def has_root(directory: str | os.PathLike[str]) -> bool:
    """True when ``DIR/root/`` holds a root CA."""
    base = Path(directory) / "root"
    return (base / "cert.pem").is_file() and (base / "key.pem").is_file()


def has_vendor(directory: str | os.PathLike[str], name: str) -> bool:
    """True when ``DIR/vendors/<name>/`` holds a vendor CA."""
    base = Path(directory) / "vendors" / check_vendor_name(name)
    return (base / "cert.pem").is_file() and (base / "key.pem").is_file()


def list_vendors(directory: str | os.PathLike[str]) -> list[str]:
    """The names of the vendor CAs in ``DIR/vendors/`` (sorted)."""
    base = Path(directory) / "vendors"
    try:
        entries = list(base.iterdir())
    except OSError:
        return []
    return sorted(
        p.name for p in entries if _NAME_RE.match(p.name) and has_vendor(directory, p.name)
    )


def init_ca_dir(
    directory: str | os.PathLike[str], *, name: str = "devid Root CA", key_type: str = "p256"
) -> CertificateAuthority:
    """Create a root CA in ``DIR/root/`` and ``DIR/trust/root.pem``."""
    root = create_root(name, key_type=key_type)
    save_root(directory, root)
    return root


def ensure_vendor(
    directory: str | os.PathLike[str],
    name: str,
    *,
    pen: int = 32473,
    key_type: str = "p256",
    root_name: str = "devid Root CA",
) -> tuple[CertificateAuthority, list[str]]:
    """The vendor CA ``name`` of a ``devid ca`` directory, creating the root CA and the
    vendor CA first when they are missing. Returns the vendor CA and a list of what was
    created (``"root"``, ``"vendor"``) so that callers can say so."""
    created: list[str] = []
    check_vendor_name(name)
    if has_vendor(directory, name):
        return load_vendor(directory, name), created
    if has_root(directory):
        root = load_root(directory)
    else:
        root = init_ca_dir(directory, name=root_name, key_type=key_type)
        created.append("root")
    vendor = create_vendor_ca(root, name, pen=pen, key_type=key_type)
    save_vendor(directory, vendor)
    created.append("vendor")
    return vendor, created


def urn_filename(urn: str) -> str:
    """A file-system-safe name for a device URN (':' becomes '_')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", urn)


__all__ = [
    "KEY_TYPES",
    "NO_EXPIRY",
    "CertificateAuthority",
    "DeviceCredentials",
    "KeyType",
    "PrivateKey",
    "cert_pem",
    "check_vendor_name",
    "create_root",
    "create_vendor_ca",
    "ensure_vendor",
    "generate_key",
    "has_root",
    "has_vendor",
    "init_ca_dir",
    "issue_device",
    "list_vendors",
    "load_private_key",
    "load_root",
    "load_vendor",
    "make_urn",
    "save_root",
    "save_vendor",
    "urn_filename",
    "write_private_key",
]
