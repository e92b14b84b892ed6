"""Issue 14 item 3: a device certificate read without a trust store (``verify token --key``,
``scan`` without ``--trust``) is read at one place, ``read_leaf``: duplicate extensions, a
malformed SAN or AKI, a key on a curve nobody implements are ID-CERT-MALFORMED findings, as
in the validator, never exceptions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID, ObjectIdentifier

from devid._certs import ChainValidator, read_leaf
from devid._token import verify_token
from devid.discovery import DeviceRecord
from devid.live._scan import check_retained_token, leaf_key
from tests.plugins.pki import TestPKI
from tests.token.helpers import make_token

URN = "urn:dev:ops:32473-SmartLock-0001"
PLACEHOLDER = ObjectIdentifier("2.5.29.99")  # encodes as 06 03 55 1d 63
SAN_OID = b"\x06\x03\x55\x1d\x11"
AKI_OID = b"\x06\x03\x55\x1d\x23"


def _cert(key: Any, *, san: bool = True, raw: bytes | None = None) -> bytes:
    """A leaf signed by ``key`` with the URN SAN and, optionally, one raw placeholder
    extension (renamed afterwards by byte surgery into what cryptography would refuse)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lock"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, "0001")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(7)
               .not_valid_before(datetime.datetime(2024, 1, 1))
               .not_valid_after(datetime.datetime(2099, 1, 1)))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.UniformResourceIdentifier(URN)]), critical=False)
    if raw is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(PLACEHOLDER, raw),
                                        critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def _rename(der: bytes, to: bytes) -> bytes:
    placeholder = b"\x06\x03\x55\x1d\x63"
    assert der.count(placeholder) == 1
    return der.replace(placeholder, to)


def duplicate_san(key: Any) -> bytes:
    value = x509.SubjectAlternativeName([x509.UniformResourceIdentifier(URN)]).public_bytes()
    return _rename(_cert(key, raw=value), SAN_OID)


def san_with_tag_9(key: Any) -> bytes:
    return _rename(_cert(key, san=False, raw=b"\x30\x03\x89\x01\x00"), SAN_OID)


def half_filled_aki(key: Any) -> bytes:
    # authorityCertIssuer without authorityCertSerialNumber (RFC 5280 says both or neither)
    return _rename(_cert(key, raw=b"\x30\x06\xa1\x04\xa4\x02\x30\x00"), AKI_OID)


def unknown_curve(key: Any) -> bytes:
    del key  # a P-192 key whose curve OID becomes prime192v2's (same length), which
    # nobody implements
    p192 = b"\x2a\x86\x48\xce\x3d\x03\x01\x01"
    return _cert(ec.generate_private_key(ec.SECP192R1())).replace(p192, p192[:-1] + b"\x02")


HOSTILE: dict[str, Callable[[Any], bytes]] = {
    "duplicate SAN": duplicate_san, "SAN with a [9] name": san_with_tag_9,
    "half-filled AKI": half_filled_aki, "unknown curve": unknown_curve,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_read_leaf_turns_every_decoding_problem_into_a_finding(pki: TestPKI, name: str) -> None:
    der = HOSTILE[name](pki.device.key)
    cert = x509.load_der_x509_certificate(der)  # loads: the problem is in a part
    urn, key, findings = read_leaf(cert)
    assert "ID-CERT-MALFORMED" in {f.code for f in findings}, (name, findings)
    assert urn is None or key is None


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_key_mode_scan_and_validator_agree(pki: TestPKI, name: str) -> None:
    der = HOSTILE[name](pki.device.key)
    token = make_token(pki.device.key, protected={1: -7, 33: [der]},
                       claims={2: URN, 6: int(pki.now.timestamp()) - 60})
    by_key = verify_token(token, now=pki.now, key=pki.device.key.public_key())
    assert not by_key.valid and "ID-CERT-MALFORMED" in {f.code for f in by_key.findings}
    by_validator = verify_token(token, now=pki.now, validator=ChainValidator(pki.trust))
    assert not by_validator.valid  # ID-CERT-MALFORMED, or the curve as a weak algorithm
    # the scan without trust anchors: the leaf's key, or None; never an exception
    leaf_key(token)
    record = DeviceRecord(id=URN, ecosystem="devid", name=URN, token=token)
    valid, found = check_retained_token(record, now=pki.now, validator=None)
    assert valid is not True and found


def test_a_sound_leaf_reads_as_before(pki: TestPKI) -> None:
    urn, key, findings = read_leaf(pki.device.certificate)
    assert urn == pki.device.urn and key is not None and findings == []
