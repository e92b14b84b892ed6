"""Every rule of the devid/1 certificate profile (spec §2): a passing and a failing chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from devid._certs import ChainResult, ChainValidator, TrustStore, cert_der
from devid._findings import Severity
from devid._provision import create_root, create_vendor_ca, generate_key, issue_device
from tests.certs import helpers as h
from tests.plugins.pki import TestPKI


def check(pki: TestPKI, leaf: x509.Certificate, *chain: x509.Certificate, **kw: Any) -> ChainResult:
    validator = ChainValidator(kw.pop("trust", None) or pki.trust)
    inters = list(chain) if chain else [pki.vendor.certificate]
    return validator.validate(
        cert_der(leaf), [cert_der(c) for c in inters], now=kw.pop("now", pki.now)
    )


def codes(result: ChainResult) -> set[str]:
    return {f.code for f in result.findings}


# -- conforming chains -------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["p256", "p384", "ed25519"])
def test_conforming_chain_is_valid(pki: TestPKI, key_type: str) -> None:
    device = pki.issue(key_type=key_type)
    result = check(pki, device.certificate)
    assert result.valid, result.findings
    assert result.findings == ()
    assert result.urn == device.urn
    assert result.leaf == device.certificate
    assert result.chain == (device.certificate, pki.vendor.certificate, pki.root.certificate)


def test_conforming_helper_leaf_is_valid(pki: TestPKI) -> None:
    # The helper's defaults conform, so every failing test below changes exactly one thing.
    result = check(pki, h.leaf(pki))
    assert result.valid, result.findings


def test_p384_hierarchy(tmp_path: Any) -> None:
    now = datetime.now(UTC)
    root = create_root("R384", key_type="p384")
    vendor = create_vendor_ca(root, "V384", pen=32473, key_type="p384")
    device = issue_device(vendor, urn="urn:dev:ops:32473-Cam-1", serial="1", key_type="p384")
    result = ChainValidator(TrustStore.from_certs([root.certificate])).validate(
        device.certificate, [vendor.certificate], now=now
    )
    assert result.valid, result.findings


def test_device_default_has_no_expiry(pki: TestPKI) -> None:
    device = pki.issue()
    assert device.certificate.not_valid_after_utc == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    # Still valid long after the vendor CA would have to be renewed... up to the CA's end.
    assert check(pki, device.certificate, now=datetime(2039, 12, 31, tzinfo=UTC)).valid


# -- basicConstraints: ID-CA-FLAG ----------------------------------------------------------


@pytest.mark.parametrize(
    "override",
    [
        {"bc": (x509.BasicConstraints(ca=True, path_length=None), True)},
        {"bc": (x509.BasicConstraints(ca=False, path_length=None), False)},
        {"bc": None},
    ],
    ids=["leaf-ca-true", "leaf-bc-not-critical", "leaf-bc-missing"],
)
def test_leaf_basic_constraints(pki: TestPKI, override: dict[str, Any]) -> None:
    result = check(pki, h.leaf(pki, **override))
    assert not result.valid
    assert "ID-CA-FLAG" in codes(result)
    assert "ID-CHAIN-UNTRUSTED" not in codes(result)


@pytest.mark.parametrize(
    "override",
    [
        {"bc": (x509.BasicConstraints(ca=True, path_length=None), True)},
        {"bc": (x509.BasicConstraints(ca=True, path_length=1), True)},
        {"bc": (x509.BasicConstraints(ca=True, path_length=0), False)},
        {"bc": (x509.BasicConstraints(ca=False, path_length=None), True)},
    ],
    ids=["no-pathlen", "pathlen-1", "not-critical", "ca-false"],
)
def test_vendor_basic_constraints(pki: TestPKI, override: dict[str, Any]) -> None:
    vendor = h.vendor_ca(pki, **override)
    result = check(pki, h.leaf(pki, issuer=vendor), vendor.certificate)
    assert not result.valid
    assert "ID-CA-FLAG" in codes(result)


def test_root_without_ca_flag(pki: TestPKI) -> None:
    root = h.root_ca(bc=(x509.BasicConstraints(ca=False, path_length=None), True))
    vendor = h.vendor_ca(pki, issuer=root)
    result = check(
        pki,
        h.leaf(pki, issuer=vendor),
        vendor.certificate,
        trust=TrustStore.from_certs([root.certificate]),
    )
    assert not result.valid
    assert "ID-CA-FLAG" in codes(result)


# -- keyUsage: ID-KEY-USAGE -----------------------------------------------------------------


@pytest.mark.parametrize(
    "override",
    [
        {"ku": (h.ku(digital_signature=True, key_cert_sign=True), True)},
        {"ku": (h.ku(digital_signature=True, key_encipherment=True), True)},
        {"ku": (h.ku(key_agreement=True), True)},
        {"ku": (h.ku(digital_signature=True), False)},
        {"ku": None},
    ],
    ids=["plus-certsign", "plus-encipherment", "no-digital-signature", "not-critical", "missing"],
)
def test_leaf_key_usage(pki: TestPKI, override: dict[str, Any]) -> None:
    result = check(pki, h.leaf(pki, **override))
    assert not result.valid
    assert "ID-KEY-USAGE" in codes(result)
    assert "ID-CHAIN-UNTRUSTED" not in codes(result)


def test_vendor_key_usage_crl_sign_is_optional(pki: TestPKI) -> None:
    vendor = h.vendor_ca(pki, ku=(h.ku(key_cert_sign=True), True))
    assert check(pki, h.leaf(pki, issuer=vendor), vendor.certificate).valid


@pytest.mark.parametrize(
    "override",
    [
        {"ku": (h.ku(key_cert_sign=True, digital_signature=True), True)},
        {"ku": (h.ku(crl_sign=True, digital_signature=True), True)},
        {"ku": (h.ku(key_cert_sign=True), False)},
    ],
    ids=["plus-digital-signature", "no-certsign", "not-critical"],
)
def test_vendor_key_usage(pki: TestPKI, override: dict[str, Any]) -> None:
    vendor = h.vendor_ca(pki, **override)
    result = check(pki, h.leaf(pki, issuer=vendor), vendor.certificate)
    assert not result.valid
    assert "ID-KEY-USAGE" in codes(result)


# -- subject: ID-SERIAL-MISSING, ID-SUBJECT-O-MISSING ---------------------------------------


def test_serial_missing(pki: TestPKI) -> None:
    result = check(pki, h.leaf(pki, serial=None))
    assert not result.valid
    assert codes(result) == {"ID-SERIAL-MISSING"}


def test_organization_missing_is_an_error(pki: TestPKI) -> None:
    """Spec §2's table: the device subject carries O = vendor name, like serialNumber."""
    result = check(pki, h.leaf(pki, org=None))
    assert not result.valid
    assert codes(result) == {"ID-SUBJECT-O-MISSING"}
    assert result.findings[0].severity is Severity.ERROR


# -- subjectAltName: ID-URN-SAN-MISSING -------------------------------------------------------


@pytest.mark.parametrize(
    "san",
    [
        None,
        (x509.SubjectAlternativeName([x509.DNSName("lock.example")]), False),
        (
            x509.SubjectAlternativeName(
                [
                    x509.UniformResourceIdentifier("urn:dev:ops:32473-SmartLock-1"),
                    x509.UniformResourceIdentifier("urn:dev:ops:32473-SmartLock-2"),
                ]
            ),
            False,
        ),
        (
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier("https://acme.example/1")]),
            False,
        ),
        (
            x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier("urn:dev:ops:32473-Lock/1")]
            ),
            False,
        ),
        (
            x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier("urn:dev:ops:32473-Lock-#1")]
            ),
            False,
        ),
    ],
    ids=["missing", "dns-only", "two-uris", "not-urn", "slash", "hash"],
)
def test_urn_san(pki: TestPKI, san: Any) -> None:
    result = check(pki, h.leaf(pki, san=san))
    assert not result.valid
    assert "ID-URN-SAN-MISSING" in codes(result)
    assert "ID-CHAIN-UNTRUSTED" not in codes(result)
    assert result.urn is None


def test_urn_san_with_other_names_is_fine(pki: TestPKI) -> None:
    san = x509.SubjectAlternativeName(
        [
            x509.DNSName("lock.example"),
            x509.UniformResourceIdentifier("urn:dev:mac:0024befffe804ff1"),
        ]
    )
    result = check(pki, h.leaf(pki, san=(san, False)))
    assert result.valid, result.findings
    assert result.urn == "urn:dev:mac:0024befffe804ff1"


# -- SKI / AKI: ID-KEYID-MISSING --------------------------------------------------------------


@pytest.mark.parametrize("which", ["ski", "aki"])
def test_leaf_key_ids(pki: TestPKI, which: str) -> None:
    drop: dict[str, Any] = {which: None}
    result = check(pki, h.leaf(pki, **drop))
    assert not result.valid
    assert "ID-KEYID-MISSING" in codes(result)


@pytest.mark.parametrize("which", ["ski", "aki"])
def test_vendor_key_ids(pki: TestPKI, which: str) -> None:
    drop: dict[str, Any] = {which: None}
    vendor = h.vendor_ca(pki, **drop)
    result = check(pki, h.leaf(pki, issuer=vendor), vendor.certificate)
    assert not result.valid
    assert "ID-KEYID-MISSING" in codes(result)


def test_root_without_ski(pki: TestPKI) -> None:
    root = h.root_ca(ski=None)
    vendor = h.vendor_ca(pki, issuer=root)
    result = check(
        pki,
        h.leaf(pki, issuer=vendor),
        vendor.certificate,
        trust=TrustStore.from_certs([root.certificate]),
    )
    assert not result.valid
    assert "ID-KEYID-MISSING" in codes(result)


# -- algorithms: ID-WEAK-ALGORITHM ------------------------------------------------------------


def test_leaf_p521_key(pki: TestPKI) -> None:
    result = check(pki, h.leaf(pki, key=ec.generate_private_key(ec.SECP521R1())))
    assert not result.valid
    assert codes(result) == {"ID-WEAK-ALGORITHM"}


def test_leaf_small_rsa_key(pki: TestPKI) -> None:
    result = check(pki, h.leaf(pki, key=h.rsa_key(1024)))
    assert not result.valid
    assert "ID-WEAK-ALGORITHM" in codes(result)


def test_leaf_rsa_2048_key_is_outside_the_profile(pki: TestPKI) -> None:
    """Not weak, but a device's RSA key cannot sign a devid/1 token: an error on the leaf."""
    result = check(pki, h.leaf(pki, key=h.rsa_key(2048)))
    assert not result.valid
    assert [(f.code, f.severity.value) for f in result.findings] == [
        ("ID-ALG-NOT-PROFILE", "error")]


def test_rsa_vendor_ca_and_sha512_signature_are_warnings(pki: TestPKI) -> None:
    vendor = h.vendor_ca(pki, key=h.rsa_key(2048))
    result = check(pki, h.leaf(pki, issuer=vendor), vendor.certificate)
    assert result.valid  # strong, only outside the profile
    found = sorted((f.code, f.severity.value, f.evidence["role"]) for f in result.findings)
    assert ("ID-ALG-NOT-PROFILE", "warning", "vendor CA") in found
    assert all(code == "ID-ALG-NOT-PROFILE" and sev == "warning" for code, sev, _ in found)
    sha512 = check(pki, h.leaf(pki, sign_hash=hashes.SHA512()))
    assert sha512.valid
    assert [(f.code, f.evidence["signature_algorithm"]) for f in sha512.findings] == [
        ("ID-ALG-NOT-PROFILE", "1.2.840.10045.4.3.4")]


def test_leaf_signed_with_sha1(pki: TestPKI) -> None:
    assert isinstance(pki.vendor.key, ec.EllipticCurvePrivateKey)
    der = h.resign_sha1(h.leaf(pki), pki.vendor.key)
    result = ChainValidator(pki.trust).validate(
        der, [cert_der(pki.vendor.certificate)], now=pki.now
    )
    assert not result.valid
    assert "ID-WEAK-ALGORITHM" in codes(result)


def test_vendor_p521_key(pki: TestPKI) -> None:
    vendor = h.vendor_ca(pki, key=ec.generate_private_key(ec.SECP521R1()))
    result = check(pki, h.leaf(pki, issuer=vendor, sign_hash=hashes.SHA512()), vendor.certificate)
    assert not result.valid
    assert "ID-WEAK-ALGORITHM" in codes(result)


def test_ed25519_ca_cannot_be_path_validated() -> None:
    # Documented limit of cryptography's verifier: Ed25519 certificate signatures.
    root = create_root("EdRoot", key_type="ed25519")
    vendor = create_vendor_ca(root, "EdVendor", pen=32473, key_type="ed25519")
    device = issue_device(vendor, urn="urn:dev:ops:32473-X-1", serial="1")
    result = ChainValidator(TrustStore.from_certs([root.certificate])).validate(
        device.certificate, [vendor.certificate], now=datetime.now(UTC)
    )
    assert not result.valid
    assert codes(result) == {"ID-CHAIN-UNSUPPORTED"}  # the reason, not a bare "untrusted"


# -- trust: ID-CHAIN-UNTRUSTED ------------------------------------------------------------------


def test_foreign_chain_is_untrusted(pki: TestPKI, foreign_pki: TestPKI) -> None:
    result = check(pki, foreign_pki.device.certificate, foreign_pki.vendor.certificate)
    assert not result.valid
    assert codes(result) == {"ID-CHAIN-UNTRUSTED"}
    assert result.chain == ()


def test_missing_intermediate_is_untrusted(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    result = validator.validate(pki.device.certificate, [], now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-CHAIN-UNTRUSTED"}


def test_wrong_vendor_key_is_untrusted(pki: TestPKI) -> None:
    # Same vendor name and issuer, different key: the leaf's signature does not verify.
    impostor = h.vendor_ca(pki)
    leaf = h.leaf(pki, issuer=impostor)
    result = check(pki, leaf, pki.vendor.certificate)
    assert not result.valid
    assert "ID-CHAIN-UNTRUSTED" in codes(result)


def test_tampered_leaf_is_untrusted(pki: TestPKI) -> None:
    der = bytearray(cert_der(pki.device.certificate))
    index = der.find(b"SmartLock-0001")
    der[index + len("SmartLock-000")] = ord("9")  # the URN in the SAN: 0001 -> 0009
    result = ChainValidator(pki.trust).validate(
        bytes(der), [cert_der(pki.vendor.certificate)], now=pki.now
    )
    assert not result.valid
    assert "ID-CHAIN-UNTRUSTED" in codes(result)


# -- time: ID-CERT-EXPIRED, ID-CERT-NOT-YET-VALID ---------------------------------------------


def test_leaf_expired(pki: TestPKI) -> None:
    leaf = h.leaf(pki, not_after=pki.now - h.DAY)
    result = check(pki, leaf)
    assert not result.valid
    assert codes(result) == {"ID-CERT-EXPIRED"}
    assert check(pki, leaf, now=pki.now - 2 * h.DAY).valid


def test_leaf_not_yet_valid(pki: TestPKI) -> None:
    leaf = h.leaf(pki, not_before=pki.now + h.DAY)
    result = check(pki, leaf)
    assert not result.valid
    assert codes(result) == {"ID-CERT-NOT-YET-VALID"}
    assert check(pki, leaf, now=pki.now + 2 * h.DAY).valid


def test_vendor_expired(pki: TestPKI) -> None:
    vendor = h.vendor_ca(pki, not_after=pki.now - h.DAY)
    result = check(pki, h.leaf(pki, issuer=vendor), vendor.certificate)
    assert not result.valid
    assert codes(result) == {"ID-CERT-EXPIRED"}
    assert result.findings[0].evidence["role"] == "vendor CA"


def test_root_expired(pki: TestPKI) -> None:
    # The whole test PKI at a time after its CAs end (2040).
    result = check(pki, pki.device.certificate, now=datetime(2041, 1, 1, tzinfo=UTC))
    assert not result.valid
    assert "ID-CERT-EXPIRED" in codes(result)
    roles = {f.evidence.get("role") for f in result.findings}
    assert {"vendor CA", "root"} <= roles


def test_root_not_yet_valid(pki: TestPKI) -> None:
    result = check(pki, pki.device.certificate, now=datetime(2019, 1, 1, tzinfo=UTC))
    assert not result.valid
    assert "ID-CERT-NOT-YET-VALID" in codes(result)


def test_naive_now_is_utc(pki: TestPKI) -> None:
    result = check(pki, pki.device.certificate, now=pki.now.replace(tzinfo=None))
    assert result.valid


# -- malformed input: ID-CERT-MALFORMED ---------------------------------------------------------


def test_garbage_leaf(pki: TestPKI) -> None:
    result = ChainValidator(pki.trust).validate(b"\x30\x03\x02\x01\x00", [], now=pki.now)
    assert not result.valid
    assert codes(result) == {"ID-CERT-MALFORMED"}
    assert result.leaf is None


def test_garbage_intermediate(pki: TestPKI) -> None:
    result = ChainValidator(pki.trust).validate(
        cert_der(pki.device.certificate), [b"not a certificate"], now=pki.now
    )
    assert not result.valid
    assert "ID-CERT-MALFORMED" in codes(result)


def test_time_moves_per_call(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    leaf = h.leaf(pki, not_after=pki.now + timedelta(hours=1))
    inter = [pki.vendor.certificate]
    assert validator.validate(leaf, inter, now=pki.now).valid
    assert not validator.validate(leaf, inter, now=pki.now + timedelta(hours=2)).valid
    assert validator.validate(leaf, inter, now=pki.now).valid


def test_generate_key_rejects_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown key type"):
        generate_key("rsa")


def test_an_eddsa_ca_is_reported_as_unsupported_not_untrusted() -> None:
    """cryptography's path validation refuses EdDSA certificate signatures: say so."""
    from datetime import UTC, datetime

    from devid._certs import ChainValidator, TrustStore
    from devid._provision import create_root, create_vendor_ca, issue_device, make_urn
    from devid._token import create_token, verify_token

    root = create_root("Ed Root")
    vendor = create_vendor_ca(root, "EdVendor", pen=32473, key_type="ed25519")
    device = issue_device(vendor, urn=make_urn(32473, "Lock", "ed1"), serial="ed1")
    validator = ChainValidator(TrustStore.from_certs([root.certificate]))
    now = datetime.now(UTC)
    result = validator.validate(device.certificate, [vendor.certificate], now=now)
    assert not result.valid
    codes = [f.code for f in result.findings]
    assert codes == ["ID-CHAIN-UNSUPPORTED"], result.findings
    assert result.findings[0].evidence["signature_algorithm"] == "1.3.101.112"
    token = create_token(device.key, device.chain, sub=device.urn, iat=now)
    verdict = verify_token(token, now=now, validator=validator)
    assert [f.code for f in verdict.findings] == ["ID-CHAIN-UNSUPPORTED"]
