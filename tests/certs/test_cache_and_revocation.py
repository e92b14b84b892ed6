"""Caching of validated vendor CAs, revocation (JSON list and CRL), trust stores, loading."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from devid._certs import (
    ChainValidator,
    RevocationList,
    TrustStore,
    cert_der,
    key_identifier,
    load_certificates,
)
from devid._provision import CertificateAuthority
from tests.certs import helpers as h
from tests.plugins.pki import TestPKI


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


# -- caching -------------------------------------------------------------------------------


def test_vendor_ca_is_cached_after_first_valid_leaf(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    vendor_der = cert_der(pki.vendor.certificate)
    assert validator._validated == {}
    first = validator.validate(pki.device.certificate, [vendor_der], now=pki.now)
    assert first.valid
    assert set(validator._validated) == {vendor_der}
    for _ in range(5):
        device = pki.issue()
        result = validator.validate(cert_der(device.certificate), [vendor_der], now=pki.now)
        assert result.valid
        assert result.urn == device.urn
        # The fast path still reports the full chain up to the root.
        assert result.chain == (device.certificate, pki.vendor.certificate, pki.root.certificate)
    # One fast Store for that vendor CA; verifiers: one full + one fast at this `now`.
    assert len(validator._stores) == 1


def test_failed_chain_is_not_cached(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    vendor = h.vendor_ca(pki, bc=(x509.BasicConstraints(ca=True, path_length=None), True))
    result = validator.validate(h.leaf(pki, issuer=vendor), [vendor.certificate], now=pki.now)
    assert not result.valid
    assert validator._validated == {}


def test_cached_path_still_checks_the_leaf(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    inter = [cert_der(pki.vendor.certificate)]
    assert validator.validate(pki.device.certificate, inter, now=pki.now).valid
    bad = h.leaf(pki, ku=(h.ku(digital_signature=True, key_cert_sign=True), True))
    result = validator.validate(bad, inter, now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-KEY-USAGE"}
    unsigned = h.leaf(pki, issuer=h.vendor_ca(pki))  # same issuer name, other key
    assert "ID-CHAIN-UNTRUSTED" in codes(validator.validate(unsigned, inter, now=pki.now))


def test_cached_path_checks_time_at_each_now(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    vendor = h.vendor_ca(pki, not_after=pki.now + timedelta(days=10))
    inter = [vendor.certificate]
    assert validator.validate(h.leaf(pki, issuer=vendor), inter, now=pki.now).valid
    assert cert_der(vendor.certificate) in validator._validated
    later = pki.now + timedelta(days=11)
    result = validator.validate(h.leaf(pki, issuer=vendor), inter, now=later)
    assert not result.valid
    assert codes(result) == {"ID-CERT-EXPIRED"}
    # Root window too: cached vendor CA, `now` after the root (and vendor) ends.
    validator2 = ChainValidator(pki.trust)
    assert validator2.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now).valid
    result = validator2.validate(
        pki.issue().certificate, [pki.vendor.certificate], now=datetime(2040, 6, 1, tzinfo=UTC)
    )
    assert not result.valid
    assert "ID-CERT-EXPIRED" in codes(result)


def test_cache_does_not_leak_between_calls(pki: TestPKI) -> None:
    # A leaf presented without its vendor CA does not borrow one cached from an earlier call.
    validator = ChainValidator(pki.trust)
    assert validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now).valid
    assert not validator.validate(pki.issue().certificate, [], now=pki.now).valid


def test_cached_path_checks_revocation(pki: TestPKI) -> None:
    device = pki.issue()
    ski = key_identifier(pki.vendor.certificate)
    assert ski is not None
    revoked = RevocationList.from_entries(
        [{"issuer_ski": ski.hex(), "serial": f"{device.certificate.serial_number:x}"}]
    )
    validator = ChainValidator(pki.trust, revocation=revoked)
    inter = [pki.vendor.certificate]
    assert validator.validate(pki.device.certificate, inter, now=pki.now).valid
    assert validator._validated  # cached now
    result = validator.validate(device.certificate, inter, now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-REVOKED"}


# -- revocation ----------------------------------------------------------------------------


def _json_entry(
    issuer: x509.Certificate, cert: x509.Certificate, upper: bool = False
) -> dict[str, str]:
    ski = key_identifier(issuer)
    assert ski is not None
    entry = {"issuer_ski": ski.hex(), "serial": f"{cert.serial_number:x}"}
    return {k: v.upper() for k, v in entry.items()} if upper else entry


@pytest.mark.parametrize("upper", [False, True])
def test_json_revocation_file(pki: TestPKI, tmp_path: Path, upper: bool) -> None:
    device = pki.issue()
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps([_json_entry(pki.vendor.certificate, device.certificate, upper)]))
    revocation = RevocationList.load(path)
    assert len(revocation) == 1
    validator = ChainValidator(pki.trust, revocation=revocation)
    result = validator.validate(device.certificate, [pki.vendor.certificate], now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-REVOKED"}
    assert result.findings[0].evidence["serial"] == f"{device.certificate.serial_number:x}"
    # Another device of the same vendor is not affected.
    assert validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now).valid


def test_json_entry_of_another_issuer_does_not_match(pki: TestPKI, foreign_pki: TestPKI) -> None:
    entry = _json_entry(foreign_pki.vendor.certificate, pki.device.certificate)
    validator = ChainValidator(pki.trust, revocation=RevocationList.from_entries([entry]))
    assert validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now).valid


def test_revoked_vendor_ca(pki: TestPKI) -> None:
    entry = _json_entry(pki.root.certificate, pki.vendor.certificate)
    validator = ChainValidator(pki.trust, revocation=RevocationList.from_entries([entry]))
    result = validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-REVOKED"}
    assert result.findings[0].evidence["role"] == "vendor CA"


def _crl(
    issuer: CertificateAuthority, *serials: int, signer: CertificateAuthority | None = None
) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(datetime(2026, 1, 1, tzinfo=UTC))
        .next_update(datetime(2027, 1, 1, tzinfo=UTC))
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(datetime(2026, 1, 1, tzinfo=UTC))
            .build()
        )
    crl = builder.sign((signer or issuer).key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM)


def test_pem_crl(pki: TestPKI, tmp_path: Path) -> None:
    device = pki.issue()
    path = tmp_path / "vendor.crl"
    path.write_bytes(_crl(pki.vendor, device.certificate.serial_number))
    validator = ChainValidator(pki.trust, revocation=RevocationList.load(path))
    result = validator.validate(device.certificate, [pki.vendor.certificate], now=pki.now)
    assert codes(result) == {"ID-REVOKED"}
    assert validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now).valid


def test_crl_not_signed_by_the_issuer_is_ignored(pki: TestPKI, foreign_pki: TestPKI) -> None:
    device = pki.issue()
    forged = _crl(pki.vendor, device.certificate.serial_number, signer=foreign_pki.vendor)
    validator = ChainValidator(pki.trust, revocation=RevocationList.from_bytes(forged))
    result = validator.validate(device.certificate, [pki.vendor.certificate], now=pki.now)
    assert result.valid  # a forged CRL revokes nothing ...
    assert codes(result) == {"ID-CRL-UNVERIFIED"}  # ... and the user is told it was ignored
    assert result.findings[0].evidence["serial"] == f"{device.certificate.serial_number:x}"
    # a device the forged CRL does not list: nothing to say
    other = validator.validate(pki.device.certificate, [pki.vendor.certificate], now=pki.now)
    assert other.valid and other.findings == ()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"issuer_ski": "00", "serial": "01"}',
        b'[{"issuer_ski": "zz", "serial": "01"}]',
        b'[{"serial": "01"}]',
        b"[1]",
        b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
        b"random text",
    ],
)
def test_bad_revocation_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "rev.dat"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"rev\.dat: "):
        RevocationList.load(path)


def test_missing_revocation_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        RevocationList.load(tmp_path / "absent.json")


def test_revocation_hex_forms(pki: TestPKI) -> None:
    ski = key_identifier(pki.vendor.certificate)
    assert ski is not None
    serial = pki.device.certificate.serial_number
    colon = ":".join(f"{b:02X}" for b in ski)
    revocation = RevocationList.from_entries([(colon, "0x" + f"{serial:X}")])
    assert revocation.is_revoked(pki.device.certificate, pki.vendor.certificate)
    # Without the issuer, the AKI of the certificate is used.
    assert revocation.is_revoked(pki.device.certificate, None)


# -- trust stores and loading --------------------------------------------------------------


def test_trust_store_from_dir(pki: TestPKI, foreign_pki: TestPKI, tmp_path: Path) -> None:
    (tmp_path / "a.pem").write_bytes(
        pki.pem(pki.root.certificate) + pki.pem(pki.vendor.certificate)
    )
    (tmp_path / "b.der").write_bytes(pki.der(foreign_pki.root.certificate))
    (tmp_path / ".hidden").write_bytes(b"ignored")
    store = TrustStore.from_dir(tmp_path)
    assert len(store) == 3
    assert pki.root.certificate in store.certificates
    assert foreign_pki.root.certificate in store.certificates


def test_trust_store_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no trust anchor"):
        TrustStore.from_dir(tmp_path)
    with pytest.raises(ValueError, match="not found"):
        TrustStore.from_dir(tmp_path / "missing")
    (tmp_path / "junk.pem").write_bytes(b"hello")
    with pytest.raises(ValueError, match=r"junk\.pem"):
        TrustStore.from_dir(tmp_path)
    with pytest.raises(ValueError):
        TrustStore.from_certs([])


def test_load_certificates(pki: TestPKI) -> None:
    pem = pki.pem(pki.device.certificate) + pki.pem(pki.vendor.certificate)
    assert load_certificates(pem) == [pki.device.certificate, pki.vendor.certificate]
    assert load_certificates(pki.der(pki.vendor.certificate)) == [pki.vendor.certificate]
    for bad in (b"", b"\x30\x00", b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"):
        with pytest.raises(ValueError):
            load_certificates(bad)


def test_chain_that_also_carries_the_root_uses_the_cache(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    inter = [pki.vendor.certificate, pki.root.certificate]
    assert validator.validate(pki.device.certificate, inter, now=pki.now).valid
    device = pki.issue()
    result = validator.validate(device.certificate, inter, now=pki.now)
    assert result.valid, result.findings
    assert result.chain == (device.certificate, pki.vendor.certificate, pki.root.certificate)
    assert len(validator._stores) == 1  # the fast path was taken
