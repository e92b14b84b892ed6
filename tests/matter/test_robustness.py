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
