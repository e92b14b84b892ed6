"""The curated public surface of devid.matter and the registry entries it relies on."""

from __future__ import annotations

import devid.matter as matter
from devid import REGISTRY
from devid._codes import matter as matter_codes
from devid.matter._results import _SDK_FOR_CODE, SDK_RESULTS, sdk_result


def test_exports_are_exactly_the_intended_names() -> None:
    assert sorted(matter.__all__) == sorted(
        [
            "SDK_RESULTS",
            "AttestationCert",
            "AttestationElements",
            "AttestationResponse",
            "CertStore",
            "CertificationDeclaration",
            "Element",
            "ElementType",
            "MatterVerdict",
            "ProfileTag",
            "RevocationSet",
            "RevocationSetError",
            "TLVError",
            "VidPid",
            "build_attestation_elements",
            "check_cd",
            "check_revoked",
            "decode_tlv",
            "encode_tlv",
            "load_revocation_set",
            "parse_attestation_elements",
            "parse_cd",
            "parse_cert",
            "parse_revocation_set",
            "sdk_result",
            "verify_attestation_response",
            "verify_matter",
        ]
    )
    for name in matter.__all__:
        assert hasattr(matter, name)


def test_every_matter_code_maps_to_an_sdk_result() -> None:
    codes = {spec.code for spec in matter_codes.CODES}
    assert codes == set(_SDK_FOR_CODE)
    for code in codes:
        assert code in REGISTRY and code.startswith("MATTER-")
        for role in ("dac", "pai", "paa"):
            name, number = sdk_result(code, role)
            assert SDK_RESULTS[name] == number
    assert sdk_result("MATTER-CERT-EXPIRED", "pai") == ("kPaiExpired", 200)
    assert sdk_result("MATTER-DAC-VID-MISMATCH") == ("kDacVendorIdMismatch", 305)
