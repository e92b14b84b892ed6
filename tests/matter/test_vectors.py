"""All 159 commissioner_dut vectors of the Matter SDK, judged by devid's documented rules.

Rules of this test (docs/matter.md, "How the public vectors are judged"):

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

import re
from datetime import UTC, datetime
from pathlib import Path

from devid import Severity
from devid.matter import CertStore, verify_matter
from devid.matter._certs import ski_of
from tests.matter._sdk_blame import blamed, sdk_would_blame
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
        # DAC PID 8001 under a PID-less PAI: the SDK's DAC/PAI comparison passes and the CD
        # decides (reported PID 8000 not in [8001] / DAC PID 8001 not in [8000]): 605.
        "struct_pai_subject_pid_mismatch": (
            "MATTER-CD-PID-MISMATCH",
            "kCertificationDeclarationInvalidProductId",
            605,
        ),
        "struct_dac_subject_pid_mismatch": (
            "MATTER-CD-PID-MISMATCH",
            "kCertificationDeclarationInvalidProductId",
            605,
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
    # Without the CD nothing says whether the DAC may carry other ids than the device
    # reports: the difference is a warning (no SDK failure is claimed), not a verdict.
    bare = verify_matter(case.dac, case.pai, paa_store=matter_paas, at=AT, vid=0xFFF1, pid=0x8000)
    assert bare.valid
    assert {(f.code, f.severity, f.evidence["sdk_result"]) for f in bare.findings} == {
        ("MATTER-REPORTED-VID-MISMATCH", Severity.WARNING, "kSuccess"),
        ("MATTER-REPORTED-PID-MISMATCH", Severity.WARNING, "kSuccess"),
    }


def test_no_finding_blames_a_dac_id_mismatch_the_sdk_would_not(
    matter_cases: list[MatterCase], matter_paas: CertStore, matter_cd_signers: CertStore
) -> None:
    """kDacVendorIdMismatch / kDacProductIdMismatch only where the SDK's DAC/PAI check fails."""
    blaming = 0
    for case in matter_cases:
        verdict = _verify(case, matter_paas, matter_cd_signers)
        named = blamed(verdict.findings)
        assert named <= sdk_would_blame(case.dac, case.pai), (case.name, verdict.findings)
        blaming += bool(named)
    assert blaming > 0  # the oracle is exercised: some vectors do fail that comparison


def _stale_section(readme: str) -> str:
    start = readme.index("## Stale vectors")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def test_stale_vectors_are_rejected_by_rule(
    matter_vectors: Path, matter_paas: CertStore, matter_cd_signers: CertStore, matter_case
) -> None:  # type: ignore[no-untyped-def]
    """README "Stale vectors": six "true" cases that break a rule the SDK verifier applies.

    devid rejects each with the finding that names the rule, exactly as it rejects the
    "false" twin that differs only in that field.
    """
    section = _stale_section((matter_vectors / "README.md").read_text())
    named = set(re.findall(r"`(struct_[a-z0-9_]+)`", section))
    listed = {n for n in named if matter_case(n).success}
    assert listed == set(CONTRADICTING)  # the README's six, no more, no fewer
    twins = {
        PAI_PATHLEN_1: "struct_pai_ext_basic_pathlen1",
        PAA_NOT_LISTED: "struct_cd_authorized_paa_list_count3_invalid",
    }
    assert set(twins.values()) <= named - listed
    twin_evidence = {}
    for rule, twin in twins.items():
        twin_case = matter_case(twin)
        assert not twin_case.success
        twin_verdict = _verify(twin_case, matter_paas, matter_cd_signers)
        (hit,) = [f for f in twin_verdict.findings if f.code == rule]
        twin_evidence[rule] = hit.evidence
    for name, rules in CONTRADICTING.items():
        case = matter_case(name)
        verdict = _verify(case, matter_paas, matter_cd_signers)
        assert case.success and not verdict.valid
        assert {f.code for f in verdict.findings if f.is_error} == rules, name
        for f in verdict.findings:
            if f.code == PAI_PATHLEN_1:
                # The PAI profile requires pathLen 0 (Matter Core §6.2.2.4).
                assert f.subject == "PAI" and f.evidence["path_len"] == 1
                assert (f.evidence["sdk_result"], f.evidence["sdk_code"]) == (
                    "kPaiFormatInvalid",
                    203,
                )
                assert f.evidence == twin_evidence[PAI_PATHLEN_1]  # the same breach
            if f.code == PAA_NOT_LISTED:
                assert verdict.paa is not None
                paa_ski = ski_of(verdict.paa).hex().upper()
                assert f.evidence["paa_key_id"] == paa_ski
                assert paa_ski not in f.evidence["authorized_paa_list"]
                assert (f.evidence["sdk_result"], f.evidence["sdk_code"]) == (
                    "kCertificationDeclarationInvalidPAA",
                    606,
                )
                twin_list = twin_evidence[PAA_NOT_LISTED]["authorized_paa_list"]
                assert set(f.evidence["authorized_paa_list"]) <= set(twin_list)
                assert f.evidence["paa_key_id"] == twin_evidence[PAA_NOT_LISTED]["paa_key_id"]
