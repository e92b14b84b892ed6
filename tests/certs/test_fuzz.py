"""Hostile bytes never escape as anything but findings (validate) or ValueError (loading)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid._certs import ChainValidator, RevocationList, cert_der, load_certificates
from tests.plugins.pki import TestPKI

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 8))]
    return bytes(data)


def _assert_findings_only(validator: ChainValidator, leaf: bytes, inter: list[bytes]) -> None:
    result = validator.validate(leaf, inter, now=datetime(2026, 6, 1, tzinfo=UTC))
    if not result.valid:
        assert result.findings, "an invalid verdict always carries a finding"
    for f in result.findings:
        assert f.code.startswith("ID-")


def test_random_bytes(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)

    @SETTINGS
    @given(st.binary(max_size=2048), st.lists(st.binary(max_size=512), max_size=3))
    def run(leaf: bytes, inter: list[bytes]) -> None:
        _assert_findings_only(validator, leaf, inter)
        try:
            load_certificates(leaf)
        except ValueError:
            pass

    run()


def test_mutated_leaf(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    leaf_der = cert_der(pki.device.certificate)
    vendor_der = cert_der(pki.vendor.certificate)
    # Warm the cache so the fast path sees the mutations too.
    assert validator.validate(leaf_der, [vendor_der], now=pki.now).valid

    @SETTINGS
    @given(mutated(leaf_der))
    def run(data: bytes) -> None:
        _assert_findings_only(validator, data, [vendor_der])
        try:
            load_certificates(data)
        except ValueError:
            pass

    run()


def test_mutated_intermediate(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    leaf_der = cert_der(pki.device.certificate)
    vendor_der = cert_der(pki.vendor.certificate)

    @SETTINGS
    @given(mutated(vendor_der))
    def run(data: bytes) -> None:
        _assert_findings_only(validator, leaf_der, [data])

    run()


def test_mutated_pem(pki: TestPKI) -> None:
    pem = pki.pem(pki.device.certificate)

    @SETTINGS
    @given(mutated(pem))
    def run(data: bytes) -> None:
        try:
            load_certificates(data)
        except ValueError:
            pass
        try:
            RevocationList.from_bytes(data)
        except ValueError:
            pass

    run()


def test_a_certificate_with_an_unknown_version_is_a_clear_error(pki: TestPKI) -> None:
    """cryptography raises InvalidVersion (not a ValueError) for version 10: still one
    readable ValueError from load_certificates, and a finding from the validator."""
    from cryptography.hazmat.primitives.serialization import Encoding

    der = bytearray(pki.device.certificate.public_bytes(Encoding.DER))
    at = der.index(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    der[at + 4] = 0x0A
    with pytest.raises(ValueError, match=r"X\.509"):
        load_certificates(bytes(der))
    result = ChainValidator(pki.trust).validate(bytes(der), [], now=pki.now)
    assert not result.valid
    assert "ID-CERT-MALFORMED" in {f.code for f in result.findings}
