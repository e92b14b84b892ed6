"""A test lab PKI made with cryptography: root CA -> lab certificate (report signer)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime.now(UTC).replace(microsecond=0)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_root(cn: str = "Test Lab Root", *, days: int = 3650
              ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=365))
            .not_valid_after(NOW + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_lab_cert(root_key: ec.EllipticCurvePrivateKey, root: x509.Certificate, *,
                  cn: str = "Test Lab report signer", not_before: datetime | None = None,
                  not_after: datetime | None = None, digital_signature: bool = True,
                  curve: ec.EllipticCurve | None = None
                  ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(curve or ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - timedelta(days=1))
            .not_valid_after(not_after or NOW + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature, not digital_signature, False, False,
                                         False, False, False, False, False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    return key, cert


def write_key(path: Path, key: ec.EllipticCurvePrivateKey, passphrase: bytes | None = None
              ) -> Path:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    return path


def write_certs(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


@dataclass
class Lab:
    """Files of one lab: ``trust/`` (the root), ``lab.key`` (0600), ``chain.pem``."""

    dir: Path
    trust: Path
    key: Path
    chain: Path
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate


def make_lab(base: Path, name: str = "lab", *, passphrase: bytes | None = None,
             not_before: datetime | None = None, not_after: datetime | None = None,
             digital_signature: bool = True) -> Lab:
    d = base / name
    (d / "trust").mkdir(parents=True)
    root_key, root = make_root(f"{name} root")
    key, cert = make_lab_cert(root_key, root, cn=f"{name} report signer",
                              not_before=not_before, not_after=not_after,
                              digital_signature=digital_signature)
    write_certs(d / "trust" / "root.pem", root)
    return Lab(d, d / "trust", write_key(d / "lab.key", key, passphrase),
               write_certs(d / "chain.pem", cert), root_key, root)
