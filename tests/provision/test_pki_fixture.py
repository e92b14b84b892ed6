"""The shared PKI fixture produces what it promises."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509

from tests.plugins.pki import TestPKI


def test_pki_shape(pki: TestPKI) -> None:
    assert pki.device.urn == "urn:dev:ops:32473-SmartLock-0001"
    assert pki.device.chain == (pki.device.certificate, pki.vendor.certificate)
    assert pki.vendor.certificate.issuer == pki.root.certificate.subject
    assert (pki.trust_dir / "root.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    other = pki.issue()
    assert other.serial != pki.device.serial
    san = other.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.UniformResourceIdentifier) == [other.urn]


def test_ca_dir_layout(ca_dir: Path) -> None:
    assert (ca_dir / "trust" / "root.pem").is_file()
    for sub in ("root", "vendors/Acme"):
        assert (ca_dir / sub / "cert.pem").is_file()
        assert stat.S_IMODE((ca_dir / sub / "key.pem").stat().st_mode) == 0o600
