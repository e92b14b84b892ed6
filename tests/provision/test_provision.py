"""Provisioning library: certificates of the profile, 0600 keys, the directory layout."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from devid._certs import ChainValidator, Role, TrustStore, profile_findings, urn_problem
from devid._provision import (
    NO_EXPIRY,
    CertificateAuthority,
    create_root,
    create_vendor_ca,
    ensure_vendor,
    generate_key,
    issue_device,
    load_private_key,
    load_root,
    load_vendor,
    make_urn,
    write_private_key,
)
from tests.plugins.pki import TestPKI


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_make_urn() -> None:
    assert make_urn(32473, "SmartLock", "0001") == "urn:dev:ops:32473-SmartLock-0001"
    assert make_urn(1, "Cam.v2", "A-1") == "urn:dev:ops:1-Cam.v2-A-1"
    for pen, product, serial in [
        (0, "Lock", "1"),
        (-1, "Lock", "1"),
        (1, "Lo-ck", "1"),
        (1, "Lock", "a/b"),
        (1, "Lock", "a+b"),
        (1, "Lock", "a#b"),
        (1, "Lock", ""),
        (1, "", "1"),
        (1, "Lock", "a b"),
    ]:
        with pytest.raises(ValueError):
            make_urn(pen, product, serial)


@pytest.mark.parametrize(
    ("urn", "ok"),
    [
        ("urn:dev:ops:32473-SmartLock-0001", True),
        ("URN:DEV:ops:32473-SmartLock-0001", True),
        ("urn:dev:os:32473-123456", True),
        ("urn:dev:org:32473-foo", True),
        ("urn:dev:mac:0024befffe804ff1", True),
        ("urn:dev:mac:0024befffe80", True),
        ("urn:dev:mac:0024befffe804ff1_port1", True),
        ("urn:dev:ow:10e2073a01080063", False),  # RFC 9039 form devid/1 §1 does not list
        ("urn:dev:ops:32473-Smart%2FLock-1", True),
        ("urn:dev:mac:0024beff", False),
        ("urn:dev:ops:032473-Lock-1", False),
        ("urn:dev:ops:32473-Lock", False),
        ("urn:dev:ops:32473-Lock-1/2", False),
        ("urn:dev:ops:32473-Lock-1+", False),
        ("urn:dev:ops:32473-Lock-1#", False),
        ("urn:dev:ops:32473-Lock-1\x00", False),
        ("urn:dev:xyz:1-2", False),
        ("urn:isbn:123", False),
        ("urn:dev", False),
        ("", False),
        ("urn:dev:ops:1-a-" + "x" * 300, False),
    ],
)
def test_urn_problem(urn: str, ok: bool) -> None:
    assert (urn_problem(urn) is None) is ok


def test_urn_problem_non_string() -> None:
    assert urn_problem(b"urn:dev:ops:1-a-1") is not None
    assert urn_problem(None) is not None


@pytest.mark.parametrize("key_type", ["p256", "p384", "ed25519"])
def test_issued_certificates_follow_the_profile(key_type: str) -> None:
    root = create_root("Root")
    vendor = create_vendor_ca(root, "Acme", pen=32473)
    device = issue_device(vendor, urn=make_urn(32473, "Lock", "7"), serial="7", key_type=key_type)
    assert profile_findings(root.certificate, Role.ROOT) == []
    assert profile_findings(vendor.certificate, Role.VENDOR_CA) == []
    assert profile_findings(device.certificate, Role.DEVICE) == []
    subject = device.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "7"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Acme"
    assert device.certificate.not_valid_after_utc == NO_EXPIRY
    assert vendor.pen == 32473
    expected = {
        "p256": ec.EllipticCurvePublicKey,
        "p384": ec.EllipticCurvePublicKey,
        "ed25519": ed25519.Ed25519PublicKey,
    }[key_type]
    assert isinstance(device.certificate.public_key(), expected)
    result = ChainValidator(TrustStore.from_certs([root.certificate])).validate(
        device.certificate, [vendor.certificate], now=datetime.now(UTC)
    )
    assert result.valid, result.findings


def test_issue_with_given_key_and_window() -> None:
    root = create_root("Root")
    vendor = create_vendor_ca(root, "Acme", pen=1)
    key = generate_key("p384")
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    device = issue_device(
        vendor,
        urn="urn:dev:ops:1-A-1",
        serial="1",
        key=key,
        not_before=start,
        not_after=end,
        vendor_name="Other",
    )
    assert device.key is key
    assert device.certificate.not_valid_before_utc == start
    assert device.certificate.not_valid_after_utc == end
    org = device.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert org[0].value == "Other"
    with pytest.raises(ValueError):
        issue_device(vendor, urn="urn:dev:ops:1-A-1", serial="1", not_before=end, not_after=start)
    with pytest.raises(ValueError):
        issue_device(vendor, urn="urn:dev:ops:1-A-1", serial="")


def test_write_private_key_mode_0600(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask
    try:
        path = tmp_path / "k.pem"
        path.write_text("old, world-readable")
        os.chmod(path, 0o644)
        key = generate_key("ed25519")
        write_private_key(path, key)
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    loaded = load_private_key(path)
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    assert loaded.public_key() == key.public_key()


def test_ca_save_and_load(tmp_path: Path, pki: TestPKI) -> None:
    pki.vendor.save(tmp_path / "v")
    assert mode(tmp_path / "v" / "key.pem") == 0o600
    back = CertificateAuthority.load(tmp_path / "v")
    assert back.certificate == pki.vendor.certificate
    assert back.pen == 32473
    assert back.name == "Acme"
    assert back.key.public_key() == pki.vendor.key.public_key()


def test_device_save(tmp_path: Path, pki: TestPKI) -> None:
    pki.device.save(tmp_path / "d")
    assert mode(tmp_path / "d" / "key.pem") == 0o600
    chain = x509.load_pem_x509_certificates((tmp_path / "d" / "chain.pem").read_bytes())
    assert chain == [pki.device.certificate, pki.vendor.certificate]
    assert x509.load_pem_x509_certificate((tmp_path / "d" / "cert.pem").read_bytes()) == (
        pki.device.certificate
    )


def test_ensure_vendor_creates_then_reuses(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    vendor, created = ensure_vendor(base, "Acme", pen=32473)
    assert created == ["root", "vendor"]
    assert (base / "trust" / "root.pem").is_file()
    assert mode(base / "root" / "key.pem") == 0o600
    assert mode(base / "vendors" / "Acme" / "key.pem") == 0o600
    again, created = ensure_vendor(base, "Acme")
    assert created == []
    assert again.certificate == vendor.certificate
    other, created = ensure_vendor(base, "Globex", pen=99)
    assert created == ["vendor"]
    assert other.certificate.issuer == load_root(base).certificate.subject
    assert load_vendor(base, "Globex").pen == 99
    store = TrustStore.from_dir(base / "trust")
    assert store.certificates == (load_root(base).certificate,)


def test_bad_vendor_names(tmp_path: Path) -> None:
    for name in ("", "../x", "a/b", ".hidden", "x" * 65):
        with pytest.raises(ValueError):
            ensure_vendor(tmp_path, name)


def test_load_missing_ca(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_root(tmp_path)
