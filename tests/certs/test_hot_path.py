"""The cached-vendor-CA path answers exactly as the full path does.

A validator that has validated the vendor CA takes its short path for later leaves
(one verifier call with minimal callbacks, then one pass over the leaf). Every leaf
below is checked twice: by a warmed validator (short path) and by a fresh one (full
path, vendor CA validated too); verdicts, finding codes, URN and chain must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devid._certs import ChainResult, ChainValidator, _subject_flags, cert_der
from devid._provision import generate_key
from tests.certs import helpers as h
from tests.plugins.pki import TestPKI


def _uri_san(*uris: str) -> tuple[x509.SubjectAlternativeName, bool]:
    return x509.SubjectAlternativeName([x509.UniformResourceIdentifier(u) for u in uris]), False


LEAVES: dict[str, dict[str, Any]] = {
    "conforming": {},
    "no-organization": {"org": None},
    "no-serial": {"serial": None},
    "ca-true": {"bc": (x509.BasicConstraints(ca=True, path_length=None), True)},
    "bc-not-critical": {"bc": (x509.BasicConstraints(ca=False, path_length=None), False)},
    "ku-extra-bit": {"ku": (h.ku(digital_signature=True, key_encipherment=True), True)},
    "ku-missing": {"ku": None},
    "two-uris": {"san": _uri_san("urn:dev:ops:32473-A-1", "urn:dev:ops:32473-A-2")},
    "not-a-urn": {"san": _uri_san("https://acme.example/1")},
    "slash-in-urn": {"san": _uri_san("urn:dev:ops:32473-Lock/1")},
    "no-ski": {"ski": None},
    "no-aki": {"aki": None},
    "p521-key": {"key": ec.generate_private_key(ec.SECP521R1())},
    "long-org": {"org": "A" * 300},  # long-form DER lengths in the subject
    "utf8-org": {"org": "Acmé Gerätebau"},
}


def _same(a: ChainResult, b: ChainResult) -> None:
    assert a.valid == b.valid
    assert [(f.code, f.severity, f.message) for f in a.findings] == [
        (f.code, f.severity, f.message) for f in b.findings
    ]
    assert a.urn == b.urn
    assert a.chain == b.chain


@pytest.mark.parametrize("name", list(LEAVES))
def test_short_path_agrees_with_full_path(pki: TestPKI, name: str) -> None:
    cert = h.leaf(pki, **LEAVES[name])
    der, vendor = cert_der(cert), cert_der(pki.vendor.certificate)

    warm = ChainValidator(pki.trust)
    assert warm.validate(cert_der(pki.device.certificate), [vendor], now=pki.now).valid
    assert vendor in warm._validated
    short = warm.validate(der, [vendor], now=pki.now)

    full = ChainValidator(pki.trust).validate(der, [vendor], now=pki.now)
    _same(short, full)
    assert short.valid == (name in ("conforming", "long-org", "utf8-org"))


def test_short_path_result_names_the_whole_chain(pki: TestPKI) -> None:
    vendor = cert_der(pki.vendor.certificate)
    validator = ChainValidator(pki.trust)
    validator.validate(cert_der(pki.device.certificate), [vendor], now=pki.now)
    device = pki.issue()
    result = validator.validate(cert_der(device.certificate), [vendor], now=pki.now)
    assert result.valid and result.findings == ()
    assert result.urn == device.urn
    assert result.chain == (device.certificate, pki.vendor.certificate, pki.root.certificate)


def test_tampered_leaf_is_refused_on_the_short_path(pki: TestPKI) -> None:
    vendor = cert_der(pki.vendor.certificate)
    warm = ChainValidator(pki.trust)
    warm.validate(cert_der(pki.device.certificate), [vendor], now=pki.now)
    der = bytearray(cert_der(pki.issue().certificate))
    der[-5] ^= 0x01  # inside the signature
    short = warm.validate(bytes(der), [vendor], now=pki.now)
    full = ChainValidator(pki.trust).validate(bytes(der), [vendor], now=pki.now)
    assert not short.valid
    assert "ID-CHAIN-UNTRUSTED" in {f.code for f in short.findings}
    _same(short, full)


def _name_flags(cert: x509.Certificate) -> tuple[bool, bool]:
    attrs = list(cert.subject)
    return (
        any(a.oid == NameOID.SERIAL_NUMBER and a.value for a in attrs),
        any(a.oid == NameOID.ORGANIZATION_NAME for a in attrs),
    )


@pytest.mark.parametrize(
    "kw",
    [{}, {"org": None}, {"serial": None}, {"org": "A" * 300}, {"org": "Acmé"},
     {"serial": "x" * 200}],
    ids=["default", "no-o", "no-serial", "long-o", "utf8-o", "long-serial"],
)
def test_der_subject_read_agrees_with_cryptography(pki: TestPKI, kw: dict[str, Any]) -> None:
    cert = h.leaf(pki, **kw)
    flags = _subject_flags(cert_der(cert))
    if any(v is not None and len(v) > 100 for v in kw.values()):
        assert flags is None  # long-form lengths inside the subject: left to cryptography
    else:
        assert flags == _name_flags(cert)


def test_der_subject_read_leaves_unusual_subjects_to_cryptography(pki: TestPKI) -> None:
    bmp = x509.Name([
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "1", _type=x509.name._ASN1Type.BMPString),
    ])
    multi = x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "1"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"),
    ])])
    key = generate_key("p256")
    for subject in (bmp, multi):
        cert = h.build(issuer=pki.vendor, subject=subject, key=key, extensions={})
        assert _subject_flags(cert_der(cert)) is None  # the caller asks cryptography
    assert _subject_flags(b"\x30\x03\x02\x01\x00") is None
    assert _subject_flags(b"") is None
