"""Attestation responses: elements signed with the DAC private keys from the vectors."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from devid.matter import _tlv as tlv
from devid.matter import build_attestation_elements, encode_tlv, verify_attestation_response
from tests.plugins.matter import MatterCase

CASE = "struct_cd_dac_origin_vid_pid_missing"


def sign_raw(private_scalar: bytes, message: bytes, curve: ec.EllipticCurve | None = None) -> bytes:
    key = ec.derive_private_key(int.from_bytes(private_scalar, "big"), curve or ec.SECP256R1())
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@pytest.fixture
def case(matter_case) -> MatterCase:  # type: ignore[no-untyped-def]
    return matter_case(CASE)  # type: ignore[no-any-return]


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in result.findings]


def test_right_nonce_and_dac_signature(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(
        case.cd, nonce, timestamp=1234, firmware_information=b"fw"
    )
    signature = sign_raw(case.dac_private_key, elements + challenge)
    result = verify_attestation_response(elements, challenge, signature, case.dac, nonce)
    assert result.valid and result.findings == ()
    assert result.elements is not None
    assert result.elements.certification_declaration == case.cd
    assert result.elements.timestamp == 1234 and result.elements.firmware_information == b"fw"


def test_wrong_nonce(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(case.cd, nonce)
    signature = sign_raw(case.dac_private_key, elements + challenge)
    result = verify_attestation_response(elements, challenge, signature, case.dac, os.urandom(32))
    assert not result.valid and codes(result) == ["MATTER-ATTESTATION-NONCE"]
    assert result.findings[0].evidence["sdk_result"] == "kAttestationNonceMismatch"
    assert result.findings[0].evidence["sdk_code"] == 502


def test_signature_by_another_key(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(case.cd, nonce)
    other = (
        ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    )
    result = verify_attestation_response(
        elements, challenge, sign_raw(other, elements + challenge), case.dac, nonce
    )
    assert codes(result) == ["MATTER-ATTESTATION-SIGNATURE"]
    assert result.findings[0].evidence["sdk_code"] == 500


def test_signature_over_another_challenge(case: MatterCase) -> None:
    nonce = os.urandom(32)
    elements = build_attestation_elements(case.cd, nonce)
    signature = sign_raw(case.dac_private_key, elements + b"A" * 16)
    result = verify_attestation_response(elements, b"B" * 16, signature, case.dac, nonce)
    assert codes(result) == ["MATTER-ATTESTATION-SIGNATURE"]


def test_truncated_elements(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(case.cd, nonce)[:-5]
    signature = sign_raw(
        case.dac_private_key, elements + challenge
    )  # validly signed, still malformed
    result = verify_attestation_response(elements, challenge, signature, case.dac, nonce)
    assert codes(result) == ["MATTER-ATTESTATION-ELEMENTS"]
    assert result.findings[0].evidence["sdk_result"] == "kAttestationElementsMalformed"


def test_der_signature_is_a_format_error(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(case.cd, nonce)
    key = ec.derive_private_key(int.from_bytes(case.dac_private_key, "big"), ec.SECP256R1())
    der = key.sign(elements + challenge, ec.ECDSA(hashes.SHA256()))
    result = verify_attestation_response(elements, challenge, der, case.dac, nonce)
    assert codes(result) == ["MATTER-ATTESTATION-SIGNATURE-FORMAT"]


def test_tag_order_and_required_elements(case: MatterCase) -> None:
    nonce, challenge = os.urandom(32), os.urandom(16)
    swapped = encode_tlv(
        tlv.structure(tlv.octets(nonce, 2), tlv.octets(case.cd, 1), tlv.uint(0, 3))
    )
    missing = encode_tlv(tlv.structure(tlv.octets(case.cd, 1), tlv.octets(nonce, 2)))
    vendor = encode_tlv(
        tlv.structure(
            tlv.octets(case.cd, 1),
            tlv.octets(nonce, 2),
            tlv.uint(0, 3),
            tlv.octets(b"v", tlv.ProfileTag(0xFFF1, 1, 1)),
        )
    )
    for elements, valid in ((swapped, False), (missing, False), (vendor, True)):
        signature = sign_raw(case.dac_private_key, elements + challenge)
        result = verify_attestation_response(elements, challenge, signature, case.dac, nonce)
        assert result.valid is valid, codes(result)
        if not valid:
            assert codes(result) == ["MATTER-ATTESTATION-ELEMENTS"]


def test_arguments_are_bounded(case: MatterCase) -> None:
    nonce = os.urandom(32)
    big = build_attestation_elements(case.cd, nonce, firmware_information=b"x" * 900)
    result = verify_attestation_response(big, b"c" * 16, b"s" * 64, case.dac, nonce)
    assert codes(result) == ["MATTER-ATTESTATION-ARGUMENT"]
    result = verify_attestation_response(b"", b"c", b"s", case.dac, nonce[:5])
    assert codes(result) == ["MATTER-ATTESTATION-ARGUMENT"]


def test_secp256k1_dac_cannot_attest(matter_case) -> None:  # type: ignore[no-untyped-def]
    case = matter_case("struct_dac_sig_curve_secp256k1")
    nonce, challenge = os.urandom(32), os.urandom(16)
    elements = build_attestation_elements(case.cd, nonce)
    signature = sign_raw(case.dac_private_key, elements + challenge, ec.SECP256K1())
    result = verify_attestation_response(elements, challenge, signature, case.dac, nonce)
    assert codes(result) == ["MATTER-KEY-CURVE"] and not result.valid


def test_every_success_vector_attests(matter_cases: list[MatterCase]) -> None:
    for case in matter_cases:
        if not case.success:
            continue
        nonce, challenge = os.urandom(32), os.urandom(16)
        elements = build_attestation_elements(case.cd, nonce)
        signature = sign_raw(case.dac_private_key, elements + challenge)
        result = verify_attestation_response(elements, challenge, signature, case.dac, nonce)
        assert result.valid, (case.name, codes(result))
