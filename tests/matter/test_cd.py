"""Certification Declarations built here (CMS by asn1crypto, content by devid's TLV codec)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from devid.matter import CertStore, VidPid, check_cd, encode_tlv, parse_cd
from devid.matter import _tlv as tlv

PAA_SKI = bytes.fromhex("6AFD22771F511FECBF1641976710DCDC31A1717E")


def content(**overrides: Any) -> bytes:
    fields: dict[str, Any] = {
        "format_version": tlv.uint(1, 0),
        "vendor_id": tlv.uint(0xFFF1, 1),
        "product_id_array": tlv.array(tlv.uint(0x8000), tag=2),
        "device_type_id": tlv.uint(0x0016, 3),
        "certificate_id": tlv.utf8("CSA00000SWC00000-00", 4),
        "security_level": tlv.uint(0, 5),
        "security_information": tlv.uint(0, 6),
        "version_number": tlv.uint(1, 7),
        "certification_type": tlv.uint(0, 8),
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return encode_tlv(tlv.structure(*fields.values()))


def sign_cd(
    payload: bytes,
    key: ec.EllipticCurvePrivateKey,
    ski: bytes,
    *,
    version: str = "v3",
    digest: str = "sha256",
    content_type: str = "data",
) -> bytes:
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    signer = cms.SignerInfo(
        {
            "version": "v3",
            "sid": cms.SignerIdentifier({"subject_key_identifier": ski}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": version,
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest})],
            "encap_content_info": cms.EncapsulatedContentInfo(
                {"content_type": content_type, "content": core.ParsableOctetString(payload)}
            ),
            "signer_infos": [signer],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


@pytest.fixture
def test_key(matter_vectors: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(
        (matter_vectors / "paa" / "Chip-Test-CD-Signing-Key.pem").read_bytes(), None
    )
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


TEST_SKI = bytes.fromhex("62FA823359ACFAA9963E1CFA140ADDF504F37160")


def codes(findings) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in findings]


def test_valid_development_cd(
    test_key: ec.EllipticCurvePrivateKey, matter_cd_signers: CertStore
) -> None:
    cd, findings = parse_cd(sign_cd(content(), test_key, TEST_SKI), matter_cd_signers)
    assert findings == [] and cd is not None
    assert cd.signed_by_test_key and cd.product_ids == (0x8000,) and cd.version_number == 1
    cross = check_cd(
        cd,
        dac=VidPid(0xFFF1, 0x8000),
        pai=VidPid(0xFFF1, None),
        paa_ski=PAA_SKI,
        vid=0xFFF1,
        pid=0x8000,
    )
    assert codes(cross) == ["MATTER-CD-DCL-UNCHECKED"]
    assert cd.to_dict()["certification_type"] == "development_and_test"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"certification_type": tlv.uint(2, 8)}, "MATTER-CD-TEST-SIGNER"),
        ({"certificate_id": tlv.utf8("short", 4)}, "MATTER-CD-CONTENT"),
        ({"vendor_id": None}, "MATTER-CD-CONTENT"),
        ({"vendor_id": tlv.utf8("FFF1", 1)}, "MATTER-CD-CONTENT"),
        (
            {"product_id_array": tlv.array(*[tlv.uint(i) for i in range(101)], tag=2)},
            "MATTER-CD-CONTENT",
        ),
        ({"dac_origin_vendor_id": tlv.uint(0xFFF1, 9)}, "MATTER-CD-CONTENT"),
        ({"authorized_paa_list": tlv.array(tlv.octets(b"short"), tag=11)}, "MATTER-CD-CONTENT"),
    ],
)
def test_content_rules(
    overrides: dict[str, Any],
    code: str,
    test_key: ec.EllipticCurvePrivateKey,
    matter_cd_signers: CertStore,
) -> None:
    _, findings = parse_cd(sign_cd(content(**overrides), test_key, TEST_SKI), matter_cd_signers)
    assert codes(findings) == [code]
    assert findings[0].evidence["sdk_code"] in (601, 603)


def test_fields_out_of_order(
    test_key: ec.EllipticCurvePrivateKey, matter_cd_signers: CertStore
) -> None:
    payload = encode_tlv(tlv.structure(tlv.uint(0xFFF1, 1), tlv.uint(1, 0)))
    _, findings = parse_cd(sign_cd(payload, test_key, TEST_SKI), matter_cd_signers)
    assert codes(findings) == ["MATTER-CD-CONTENT"]


def test_envelope_rules(test_key: ec.EllipticCurvePrivateKey, matter_cd_signers: CertStore) -> None:
    for kwargs, code in (
        ({"version": "v4"}, "MATTER-CD-CMS-PROFILE"),
        ({"digest": "sha384"}, "MATTER-CD-CMS-PROFILE"),
        ({"content_type": "1.3.6.1.4.1.311.2.1.4"}, "MATTER-CD-CMS-PROFILE"),
    ):
        _, findings = parse_cd(sign_cd(content(), test_key, TEST_SKI, **kwargs), matter_cd_signers)
        assert codes(findings) == [code], kwargs
    other = ec.generate_private_key(ec.SECP256R1())
    _, findings = parse_cd(sign_cd(content(), other, TEST_SKI), matter_cd_signers)
    assert codes(findings) == ["MATTER-CD-SIGNATURE"]
    _, findings = parse_cd(sign_cd(content(), test_key, b"\x01" * 20), matter_cd_signers)
    assert codes(findings) == ["MATTER-CD-SIGNER-UNKNOWN"]
    _, findings = parse_cd(sign_cd(content(), test_key, TEST_SKI), None)
    assert codes(findings) == ["MATTER-CD-SIGNER-UNKNOWN"] and "no trusted" in findings[0].message
    _, findings = parse_cd(b"\x30\x03\x02\x01\x01", matter_cd_signers)
    assert codes(findings) == ["MATTER-CD-MALFORMED"]


def _official_signer(tmp_path: Path) -> tuple[ec.EllipticCurvePrivateKey, bytes, CertStore]:
    """A CD signer issued by a separate root: not a development (self-signed) key."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CD Signing Key")])
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CD Root")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )
    (tmp_path / "signer.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return key, ski.digest, CertStore.from_directory(tmp_path)


def test_official_cd_from_a_non_development_signer(tmp_path: Path) -> None:
    key, ski, store = _official_signer(tmp_path)
    cd, findings = parse_cd(sign_cd(content(certification_type=tlv.uint(2, 8)), key, ski), store)
    assert findings == [] and cd is not None and not cd.signed_by_test_key


def test_cross_checks(test_key: ec.EllipticCurvePrivateKey, matter_cd_signers: CertStore) -> None:
    payload = content(
        dac_origin_vendor_id=tlv.uint(0xFFF2, 9),
        dac_origin_product_id=tlv.uint(0x8001, 10),
        authorized_paa_list=tlv.array(tlv.octets(PAA_SKI), tag=11),
        security_level=tlv.uint(3, 5),
    )
    cd, findings = parse_cd(sign_cd(payload, test_key, TEST_SKI), matter_cd_signers)
    assert cd is not None and findings == []
    ok = check_cd(
        cd,
        dac=VidPid(0xFFF2, 0x8001),
        pai=VidPid(0xFFF2, None),
        paa_ski=PAA_SKI,
        vid=0xFFF1,
        pid=0x8000,
    )
    assert codes(ok) == ["MATTER-CD-IGNORED-FIELD", "MATTER-CD-DCL-UNCHECKED"]
    bad = check_cd(
        cd,
        dac=VidPid(0xFFF1, 0x8000),
        pai=VidPid(0xFFF1, 0x8002),
        paa_ski=b"\x00" * 20,
        vid=0xFFF3,
        pid=0x9000,
    )
    assert set(codes(bad)) >= {
        "MATTER-CD-VID-MISMATCH",
        "MATTER-CD-PID-MISMATCH",
        "MATTER-CD-PAA-UNAUTHORIZED",
    }
    assert {f.evidence["sdk_code"] for f in bad if f.is_error} == {604, 605, 606}


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    cd, findings = parse_cd(data, None)
    assert cd is None or findings
    assert findings


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=8), st.integers(min_value=0, max_value=300))
def test_mutated_vector_cds_never_raise(noise: bytes, position: int) -> None:
    payload = sign_cd(content(), ec.generate_private_key(ec.SECP256R1()), TEST_SKI)
    mutated = bytearray(payload)
    position %= len(mutated)
    mutated[position : position + len(noise)] = noise
    parse_cd(bytes(mutated), None)
