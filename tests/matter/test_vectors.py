"""All 159 commissioner_dut vectors of the Matter SDK, judged by devid's documented rules.

Rules of this test (docs/matter.md, "How the vectors are judged"):

* Every ``is_success_case`` verdict must match, except
* the five cases a commissioner judges differently (README): device type id and
  certificate id need the DCL (reported as an **info** finding carrying the value),
  security level / information are ignored by commissioners (a **warning**) and
  the version number is not interpreted (the same info finding). Their own field
  never produces an error; and
* six vectors whose success verdict contradicts rules that the SDK's verifier and
  the issue apply (PAI ``pathLen`` must be 0; the PAA must be in a present
  ``authorized_paa_list``). They are listed below with the exact findings
  devid gives, so the list cannot grow silently.

The verdict itself always comes from the rules: no file name reaches the library.
"""

from __future__ import annotations

from datetime import UTC, datetime

from devid import Severity
from devid.matter import CertStore, verify_matter
from tests.plugins.matter import MatterCase

AT = datetime(2026, 1, 1, tzinfo=UTC)  # every success-case DAC is valid then

COMMISSIONER_RULES = {
    # case: (code, severity, evidence key that carries the field)
    "struct_cd_device_type_id_mismatch": (
        "MATTER-CD-DCL-UNCHECKED",
        Severity.INFO,
        "device_type_id",
    ),
    "struct_cd_cert_id_mismatch": ("MATTER-CD-DCL-UNCHECKED", Severity.INFO, "certificate_id"),
    "struct_cd_version_number_wrong": ("MATTER-CD-DCL-UNCHECKED", Severity.INFO, "version_number"),
    "struct_cd_security_level_wrong": ("MATTER-CD-IGNORED-FIELD", Severity.WARNING, "field"),
    "struct_cd_security_info_wrong": ("MATTER-CD-IGNORED-FIELD", Severity.WARNING, "field"),
}

# Success verdicts that contradict the SDK verifier's own rules (see the module docstring).
PAI_PATHLEN_1 = "MATTER-BASIC-CONSTRAINTS"
PAA_NOT_LISTED = "MATTER-CD-PAA-UNAUTHORIZED"
CONTRADICTING = {
    "struct_cd_authorized_paa_list_count1_valid": {PAI_PATHLEN_1},
    "struct_cd_cms_sig_algo_ecdsa_with_sha256": {PAI_PATHLEN_1, PAA_NOT_LISTED},
    "struct_cd_cms_v3": {PAA_NOT_LISTED},
    "struct_cd_pid_array_count10_valid": {PAI_PATHLEN_1, PAA_NOT_LISTED},
    "struct_cd_version_number_match": {PAA_NOT_LISTED},
    "struct_cd_version_number_missing": {PAI_PATHLEN_1, PAA_NOT_LISTED},
}


def _verify(case: MatterCase, paas: CertStore, signers: CertStore):  # type: ignore[no-untyped-def]
    return verify_matter(
        case.dac,
        case.pai,
        paa_store=paas,
        at=AT,
        cd=case.cd,
        cd_signers=signers,
        vid=case.reported_vid,
        pid=case.reported_pid,
    )


def test_all_159_vectors(
    matter_cases: list[MatterCase], matter_paas: CertStore, matter_cd_signers: CertStore
) -> None:
    assert len(matter_cases) == 159
    wrong: list[str] = []
    for case in matter_cases:
        verdict = _verify(case, matter_paas, matter_cd_signers)
        errors = {f.code for f in verdict.findings if f.severity is Severity.ERROR}
        for f in verdict.findings:
            assert isinstance(f.evidence["sdk_code"], int) and f.evidence["sdk_result"].startswith(
                "k"
            ), f
        if case.name in COMMISSIONER_RULES:
            code, severity, key = COMMISSIONER_RULES[case.name]
            hits = [f for f in verdict.findings if f.code == code]
            assert hits and all(f.severity is severity for f in hits), (case.name, verdict.findings)
            assert all(key in f.evidence for f in hits)
            assert not case.success  # the raw verdict is "false" ...
            # ... but the field itself never makes it invalid; only the stale PAA list may.
            assert errors <= {PAA_NOT_LISTED}, (case.name, errors)
            listed = verdict.cd is not None and verdict.cd.authorized_paa_list is not None
            if not listed:
                assert verdict.valid, case.name
            continue
        if case.name in CONTRADICTING:
            assert case.success and not verdict.valid
            assert errors == CONTRADICTING[case.name], (case.name, errors)
            continue
        if verdict.valid != case.success:
            wrong.append(f"{case.name}: expected {case.success}, got {sorted(errors)}")
    assert wrong == []


def test_failure_cases_name_the_sdk_result(
    matter_case, matter_paas: CertStore, matter_cd_signers: CertStore
) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "struct_dac_subject_vid_mismatch": ("MATTER-DAC-VID-MISMATCH", "kDacVendorIdMismatch", 305),
        "struct_pai_subject_pid_mismatch": (
            "MATTER-REPORTED-PID-MISMATCH",
            "kDacProductIdMismatch",
            306,
        ),
        "struct_dac_subject_pid_mismatch": (
            "MATTER-REPORTED-PID-MISMATCH",
            "kDacProductIdMismatch",
            306,
        ),
        "struct_dac_vidpid_fallback_encoding_17": (
            "MATTER-DAC-VID-MISMATCH",
            "kDacVendorIdMismatch",
            305,
        ),
        "invalid_paa": ("MATTER-PAA-NOT-FOUND", "kPaaNotFound", 101),
        "struct_dac_valid_in_past": ("MATTER-CERT-EXPIRED", "kDacExpired", 300),
        "struct_pai_valid_in_future": ("MATTER-CERT-EXPIRED", "kPaiExpired", 200),
        "struct_cd_cms_signature": (
            "MATTER-CD-SIGNATURE",
            "kCertificationDeclarationInvalidSignature",
            602,
        ),
        "struct_cd_vid_mismatch": (
            "MATTER-CD-VID-MISMATCH",
            "kCertificationDeclarationInvalidVendorId",
            604,
        ),
        "struct_cd_authorized_paa_list_count3_invalid": (
            PAA_NOT_LISTED,
            "kCertificationDeclarationInvalidPAA",
            606,
        ),
        "struct_cd_official_cd": (
            "MATTER-CD-TEST-SIGNER",
            "kCertificationDeclarationNoCertificateFound",
            601,
        ),
        "struct_cd_format_version_2": (
            "MATTER-CD-FORMAT-VERSION",
            "kAttestationElementsMalformed",
            501,
        ),
        "struct_cd_signer_info_skid_invalid": (
            "MATTER-CD-SIGNER-UNKNOWN",
            "kCertificationDeclarationNoCertificateFound",
            601,
        ),
        "struct_dac_sig_curve_secp256k1": ("MATTER-KEY-CURVE", "kDacFormatInvalid", 303),
        "struct_pai_sig_algo_ecdsa_with_sha1": ("MATTER-SIG-ALG", "kPaiFormatInvalid", 203),
        "struct_dac_fuzzed_skid_malformed": ("MATTER-CERT-MALFORMED", "kDacFormatInvalid", 303),
        "struct_dac_ext_skid_missing": ("MATTER-KEYID", "kDacFormatInvalid", 303),
        "struct_pai_ext_basic_pathlen1": (PAI_PATHLEN_1, "kPaiFormatInvalid", 203),
        "struct_dac_ext_key_usage_dig_sig_wrong": ("MATTER-KEY-USAGE", "kDacFormatInvalid", 303),
        "struct_pai_cert_version_v2": ("MATTER-CERT-VERSION", "kPaiFormatInvalid", 203),
        "struct_dac_vidpid_fallback_encoding_07": (
            "MATTER-VIDPID-ENCODING",
            "kDacFormatInvalid",
            303,
        ),
        "struct_cd_cms_digest_algo_sha1": (
            "MATTER-CD-CMS-PROFILE",
            "kCertificationDeclarationInvalidSignature",
            602,
        ),
        "struct_cd_signer_info_v2": (
            "MATTER-CD-SIGNER-INFO",
            "kCertificationDeclarationNoKeyId",
            600,
        ),
        "struct_cd_cert_id_len_wrong": (
            "MATTER-CD-CONTENT",
            "kCertificationDeclarationInvalidFormat",
            603,
        ),
    }
    for name, (code, sdk_name, sdk_code) in expected.items():
        verdict = _verify(matter_case(name), matter_paas, matter_cd_signers)
        hits = [f for f in verdict.findings if f.code == code]
        assert hits, (name, [f.code for f in verdict.findings])
        assert any(
            h.evidence["sdk_result"] == sdk_name and h.evidence["sdk_code"] == sdk_code
            for h in hits
        ), name
        assert not verdict.valid


def test_validation_time_decides_dac_validity(
    matter_case, matter_paas: CertStore, matter_cd_signers: CertStore
) -> None:  # type: ignore[no-untyped-def]
    case = matter_case("struct_cd_provisional_cd")  # DAC notBefore 2025-12-18
    before = verify_matter(
        case.dac, case.pai, paa_store=matter_paas, at=datetime(2025, 12, 1, tzinfo=UTC)
    )
    after = verify_matter(case.dac, case.pai, paa_store=matter_paas, at=AT)
    assert not before.valid and [f.code for f in before.findings if f.is_error] == [
        "MATTER-CERT-EXPIRED"
    ]
    assert after.valid


def test_origin_ids_replace_the_reported_ones(
    matter_case, matter_paas: CertStore, matter_cd_signers: CertStore
) -> None:  # type: ignore[no-untyped-def]
    case = matter_case(
        "struct_cd_origin_pid_vid_correct"
    )  # DAC FFF2/8001, device reports FFF1/8000
    verdict = _verify(case, matter_paas, matter_cd_signers)
    assert verdict.valid and (verdict.vid, verdict.pid) == (0xFFF2, 0x8001)
    # Without the CD there is no declared origin: the DAC must match what the device reports.
    bare = verify_matter(case.dac, case.pai, paa_store=matter_paas, at=AT, vid=0xFFF1, pid=0x8000)
    assert {f.code for f in bare.findings if f.is_error} == {
        "MATTER-REPORTED-VID-MISMATCH",
        "MATTER-REPORTED-PID-MISMATCH",
    }
