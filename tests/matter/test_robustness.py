"""Device-supplied bytes never crash verify_matter: mutated DACs, PAIs and CDs are findings."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid.matter import CertStore, verify_matter

AT = datetime(2026, 1, 1, tzinfo=UTC)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(["dac", "pai", "cd"]),
    position=st.integers(min_value=0, max_value=700),
    noise=st.binary(min_size=1, max_size=6),
)
def test_mutations_give_findings_not_exceptions(
    matter_case,
    matter_paas: CertStore,
    which: str,
    position: int,
    noise: bytes,  # type: ignore[no-untyped-def]
) -> None:
    case = matter_case("struct_cd_dac_origin_vid_pid_missing")
    parts = {"dac": bytearray(case.dac), "pai": bytearray(case.pai), "cd": bytearray(case.cd)}
    target = parts[which]
    position %= len(target)
    target[position : position + len(noise)] = noise
    verdict = verify_matter(
        bytes(parts["dac"]),
        bytes(parts["pai"]),
        paa_store=matter_paas,
        at=AT,
        cd=bytes(parts["cd"]),
        cd_signers=matter_paas,
        vid=0xFFF1,
        pid=0x8000,
    )
    assert verdict.valid or any(f.is_error for f in verdict.findings)


def test_empty_and_absurd_inputs(matter_paas: CertStore) -> None:
    for dac, pai, cd in (
        (b"", b"", b""),
        (b"\x00" * 70000, b"-----BEGIN CERTIFICATE-----\n!!\n", b"\xff" * 5000),
    ):
        verdict = verify_matter(
            dac, pai, paa_store=matter_paas, at=AT, cd=cd, cd_signers=matter_paas
        )
        assert not verdict.valid
        assert {"MATTER-CERT-MALFORMED", "MATTER-CD-MALFORMED"} <= {
            f.code for f in verdict.findings
        }


def test_a_certificate_cryptography_only_warns_about_is_a_finding(
    matter_case, matter_paas: CertStore  # type: ignore[no-untyped-def]
) -> None:
    """A DAC whose serial number is zero (RFC 5280 §4.1.2.2 forbids it): cryptography loads
    it with a deprecation warning; devid reports it instead of letting the warning escape."""
    import warnings

    from asn1crypto import x509 as ax

    case = matter_case("struct_cd_dac_origin_vid_pid_missing")
    cert = ax.Certificate.load(case.dac)
    tbs = cert["tbs_certificate"].copy()
    tbs["serial_number"] = 0
    zero = ax.Certificate({"tbs_certificate": tbs,
                           "signature_algorithm": cert["signature_algorithm"],
                           "signature_value": cert["signature_value"]}).dump(force=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = verify_matter(zero, case.pai, paa_store=matter_paas, at=AT, vid=0xFFF1,
                                pid=0x8000)
    assert not verdict.valid
    messages = [f.message for f in verdict.findings if f.code == "MATTER-CERT-MALFORMED"]
    assert any("serial" in m.lower() for m in messages), messages
