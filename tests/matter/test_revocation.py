"""Revocation sets in the SDK's JSON format, against the SDK's revoked DAC/PAI pairs."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from devid import Severity
from devid.matter import (
    CertStore,
    RevocationSetError,
    check_revoked,
    load_revocation_set,
    verify_matter,
)

EXPECTED = {
    # vector: (revocation set, revoked roles)
    "indirect-revoked-dac-01-pai-03.json": ("indirect-revocation-set.json", {"DAC", "PAI"}),
    "indirect-revoked-dac-01.json": ("indirect-revocation-set.json", {"DAC"}),
    "indirect-revoked-pai-03.json": ("indirect-revocation-set.json", {"PAI"}),
    "revoked-dac-01.json": ("revocation-set.json", {"DAC"}),
    "revoked-dac-02.json": ("revocation-set.json", {"DAC"}),
    "revoked-dac-03.json": ("revocation-set.json", {"DAC"}),
    "revoked-dac-and-pai.json": ("revocation-set.json", {"DAC", "PAI"}),
    "revoked-pai.json": ("revocation-set-for-paa.json", {"PAI"}),
}


def _pair(path: Path) -> tuple[x509.Certificate, x509.Certificate, dict]:  # type: ignore[type-arg]
    data = json.loads(path.read_text())
    dac = x509.load_der_x509_certificate(bytes.fromhex(data["dac_cert"]))
    pai = x509.load_der_x509_certificate(bytes.fromhex(data["pai_cert"]))
    return dac, pai, data


def _revoked(dac: x509.Certificate, pai: x509.Certificate, rs) -> set[str]:  # type: ignore[no-untyped-def]
    findings = check_revoked(dac, "dac", rs) + check_revoked(pai, "pai", rs)
    assert all(f.code == "MATTER-REVOKED" for f in findings)
    return {f.evidence["certificate"] for f in findings}


def test_sdk_revocation_vectors(matter_vectors: Path) -> None:
    sets = matter_vectors / "revocation" / "revocation-sets"
    for name, (set_name, roles) in EXPECTED.items():
        dac, pai, data = _pair(matter_vectors / "revocation" / "dac-provider-test-vectors" / name)
        assert (
            set_name.split(".")[0] in data["description"]
            or "Revoked DAC and PAI" in data["description"]
        )
        rs = load_revocation_set((sets / set_name).read_bytes())
        assert _revoked(dac, pai, rs) == roles, name
        findings = check_revoked(dac, "dac", rs) + check_revoked(pai, "pai", rs)
        sdk = {f.evidence["sdk_result"] for f in findings}
        assert sdk == {"kDacRevoked" if r == "DAC" else "kPaiRevoked" for r in roles}


def test_unrevoked_chains_stay_clean(matter_vectors: Path, matter_cases) -> None:  # type: ignore[no-untyped-def]
    sets = [
        load_revocation_set(p.read_bytes())
        for p in (matter_vectors / "revocation" / "revocation-sets").iterdir()
    ]
    for case in matter_cases[:40]:
        if not case.success:
            continue
        dac = x509.load_der_x509_certificate(case.dac)
        pai = x509.load_der_x509_certificate(case.pai)
        for rs in sets:
            assert check_revoked(dac, "dac", rs) == [] and check_revoked(pai, "pai", rs) == []


def test_verify_matter_reports_revocation(matter_vectors: Path, matter_paas: CertStore) -> None:
    dac, pai, _ = _pair(
        matter_vectors / "revocation" / "dac-provider-test-vectors" / "revoked-dac-01.json"
    )
    rs = load_revocation_set(
        (matter_vectors / "revocation" / "revocation-sets" / "revocation-set.json").read_bytes()
    )
    der = [c.public_bytes(Encoding.DER) for c in (dac, pai)]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    clean = verify_matter(der[0], der[1], paa_store=matter_paas, at=at)
    revoked = verify_matter(der[0], der[1], paa_store=matter_paas, at=at, revocation=rs)
    assert clean.valid
    assert not revoked.valid
    assert [(f.code, f.evidence["sdk_code"]) for f in revoked.findings if f.is_error] == [
        ("MATTER-REVOKED", 302)
    ]


def test_entry_whose_crl_signer_is_not_the_issuer_is_ignored(matter_vectors: Path) -> None:
    _, pai, _ = _pair(
        matter_vectors / "revocation" / "dac-provider-test-vectors" / "revoked-pai.json"
    )
    doc = json.loads(
        (
            matter_vectors / "revocation" / "revocation-sets" / "revocation-set-for-paa.json"
        ).read_text()
    )
    other = (matter_vectors / "paa" / "Chip-Test-PAA-NoVID-Cert.pem").read_bytes()
    doc[0]["crl_signer_cert"] = base64.b64encode(
        x509.load_pem_x509_certificate(other).public_bytes(Encoding.DER)
    ).decode()
    rs = load_revocation_set(json.dumps(doc))
    findings = check_revoked(pai, "pai", rs)
    assert [f.code for f in findings] == ["MATTER-REVOCATION-ENTRY"]
    assert findings[0].severity is Severity.WARNING


_ENTRY = (
    '[{"type": "revocation_set", "issuer_subject_key_id": %s, "issuer_name": %s, '
    '"revoked_serial_numbers": []}]'
)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"type": "revocation_set"}',
        "[1]",
        _ENTRY % ('"AA"', '"!!"'),
        _ENTRY % ("5", '""'),
    ],
)
def test_malformed_revocation_sets_raise(text: str) -> None:
    with pytest.raises(RevocationSetError):
        load_revocation_set(text)


def test_other_entry_types_are_skipped() -> None:
    assert load_revocation_set('[{"type": "something_else"}]').entries == ()


def test_dac_and_pai_revoked_together_name_the_sdk_pair_result(
    matter_vectors: Path, matter_paas: CertStore
) -> None:
    dac, pai, _ = _pair(
        matter_vectors / "revocation" / "dac-provider-test-vectors" / "revoked-dac-and-pai.json"
    )
    rs = load_revocation_set(
        (matter_vectors / "revocation" / "revocation-sets" / "revocation-set.json").read_bytes()
    )
    verdict = verify_matter(
        dac.public_bytes(Encoding.DER),
        pai.public_bytes(Encoding.DER),
        paa_store=matter_paas,
        at=datetime(2026, 1, 1, tzinfo=UTC),
        revocation=rs,
    )
    revoked = [f for f in verdict.findings if f.code == "MATTER-REVOKED"]
    assert {f.evidence["sdk_result"] for f in revoked} == {"kDacRevoked", "kPaiRevoked"}
    assert all(f.evidence["sdk_chain_result"] == "kPaiAndDacRevoked" for f in revoked)
