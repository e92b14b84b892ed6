"""The 51 cases of ../shared/vectors/matter-sdk (Matter SDK test and development material).

``cases.json`` gives, per case, the inputs (paths relative to the folder), the verdict and,
for an invalid case, the SDK ``AttestationVerificationResult`` one error finding must carry
(``sdk_result`` or ``sdk_chain_result``) with the SDK code or test that yields it (``basis``).
Every case is its own test; devid's verdict comes from its rules only (docs/matter.md,
"How the public vectors are judged", matter-sdk).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid import Severity
from devid.cli import cli
from devid.matter import CertStore, MatterVerdict, load_revocation_set, verify_matter
from tests.matter._sdk_blame import blamed, sdk_would_blame
from tests.plugins.vectors import VECTORS, vectors_dir

EXPECTED_CASES = 51


@dataclass(frozen=True)
class SdkCase:
    id: str
    title: str
    args: dict[str, str]
    valid: bool
    sdk_results: tuple[str, ...]
    basis: str


def _load(folder: Path) -> list[SdkCase]:
    doc = json.loads((folder / "cases.json").read_text())
    return [
        SdkCase(
            id=c["id"],
            title=c["title"],
            args=dict(c["args"]),
            valid=bool(c["expect"]["valid"]),
            sdk_results=tuple(c["expect"].get("sdk_result", ())),
            basis=c["expect"]["basis"],
        )
        for c in doc["cases"]
    ]


def _case_ids() -> list[str]:
    """Ids for parametrisation; when the folder is missing the fixture skips (or fails in CI)."""
    try:
        return [c.id for c in _load(VECTORS / "matter-sdk")]
    except (OSError, ValueError, KeyError):
        return ["vectors-missing"]


@pytest.fixture
def sdk_dir() -> Path:
    return vectors_dir("matter-sdk")


@pytest.fixture
def sdk_cases(sdk_dir: Path) -> dict[str, SdkCase]:
    return {c.id: c for c in _load(sdk_dir)}


def _run(folder: Path, case: SdkCase, **override: Any) -> MatterVerdict:
    a = {**case.args, **override}
    kwargs: dict[str, Any] = {}
    if a.get("cd"):
        kwargs["cd"] = (folder / a["cd"]).read_bytes()
    if a.get("cd_signers"):
        kwargs["cd_signers"] = CertStore.from_directory(folder / a["cd_signers"])
    if a.get("revocation_set"):
        kwargs["revocation"] = load_revocation_set((folder / a["revocation_set"]).read_bytes())
    for key in ("vid", "pid"):
        if a.get(key):
            kwargs[key] = int(a[key], 16)
    return verify_matter(
        (folder / a["dac"]).read_bytes(),
        (folder / a["pai"]).read_bytes(),
        paa_store=CertStore.from_directory(folder / a["paa_store"]),
        at=datetime.fromisoformat(a["at"].replace("Z", "+00:00")),
        **kwargs,
    )


def _errors(verdict: MatterVerdict) -> list[tuple[str, str | None, str | None]]:
    return [
        (f.code, f.evidence.get("sdk_result"), f.evidence.get("sdk_chain_result"))
        for f in verdict.findings
        if f.severity is Severity.ERROR
    ]


def test_the_set_has_51_cases_with_unique_ids(sdk_cases: dict[str, SdkCase]) -> None:
    assert len(sdk_cases) == EXPECTED_CASES
    assert sum(c.valid for c in sdk_cases.values()) == 26
    assert all(c.sdk_results for c in sdk_cases.values() if not c.valid)


@pytest.mark.parametrize("case_id", _case_ids())
def test_sdk_case(case_id: str, sdk_dir: Path, sdk_cases: dict[str, SdkCase]) -> None:
    case = sdk_cases[case_id]
    verdict = _run(sdk_dir, case)
    errors = _errors(verdict)
    assert verdict.valid is case.valid, (case.title, errors)
    if case.valid:
        assert errors == []
    else:
        # One error names the SDK result the case expects.
        names = {name for _, result, chain in errors for name in (result, chain)}
        assert names & set(case.sdk_results), (case.sdk_results, errors)
    for f in verdict.findings:
        assert isinstance(f.evidence["sdk_code"], int) and f.evidence["sdk_result"].startswith("k")
    # No finding blames a DAC/PAI id mismatch the SDK's own comparison would not make.
    dac = (sdk_dir / case.args["dac"]).read_bytes()
    pai = (sdk_dir / case.args["pai"]).read_bytes()
    assert blamed(verdict.findings) <= sdk_would_blame(dac, pai), verdict.findings


def test_reported_pid_other_than_the_dac_pid_is_judged_by_the_cd(
    sdk_dir: Path, sdk_cases: dict[str, SdkCase]
) -> None:
    """p20: DAC PID 8002, device reports 8001, both in product_id_array, no dac_origin."""
    case = sdk_cases["p20_cd_reported_pid_differs_from_dac_pid"]
    verdict = _run(sdk_dir, case)
    assert verdict.valid and verdict.pid == 0x8002
    assert verdict.cd is not None and verdict.cd.dac_origin_vendor_id is None
    assert {0x8001, 0x8002} <= set(verdict.cd.product_ids)
    assert not [f for f in verdict.findings if f.code.startswith("MATTER-REPORTED-")]
    assert [f.code for f in verdict.findings] == ["MATTER-CD-DCL-UNCHECKED"]

    # The same chain and CD with a reported PID the CD lacks: the CD rule fails (605) ...
    absent = _run(sdk_dir, case, pid="8003")
    assert _errors(absent) == [
        ("MATTER-CD-PID-MISMATCH", "kCertificationDeclarationInvalidProductId", None)
    ]
    # ... and a DAC whose PID the CD lacks fails the same rule, not kDacProductIdMismatch (n20).
    dac_absent = _run(sdk_dir, sdk_cases["n20_cd_dac_pid_not_in_cd"])
    assert _errors(dac_absent) == [
        ("MATTER-CD-PID-MISMATCH", "kCertificationDeclarationInvalidProductId", None)
    ]
    assert dac_absent.findings[0].evidence["value"] == "8003"


def test_without_a_cd_a_reported_id_difference_is_a_warning(
    sdk_dir: Path, sdk_cases: dict[str, SdkCase]
) -> None:
    """Only a CD can allow a DAC PID (or VID) other than the reported one: undecided without."""
    case = sdk_cases["p20_cd_reported_pid_differs_from_dac_pid"]
    bare = _run(sdk_dir, case, cd="", cd_signers="")
    assert bare.valid and bare.cd is None
    (warning,) = bare.findings
    assert warning.code == "MATTER-REPORTED-PID-MISMATCH"
    assert warning.severity is Severity.WARNING
    assert warning.evidence["sdk_result"] == "kSuccess"
    assert (warning.evidence["dac_pid"], warning.evidence["reported"]) == ("8002", "8001")
    other_vid = _run(sdk_dir, case, cd="", cd_signers="", vid="FFF1")
    assert other_vid.valid
    assert {(f.code, f.severity) for f in other_vid.findings} == {
        ("MATTER-REPORTED-VID-MISMATCH", Severity.WARNING),
        ("MATTER-REPORTED-PID-MISMATCH", Severity.WARNING),
    }
    # Matching ids give no finding at all.
    assert _run(sdk_dir, case, cd="", cd_signers="", pid="8002").findings == ()


def test_a_cd_that_does_not_parse_leaves_reported_ids_unjudged(
    sdk_dir: Path, sdk_cases: dict[str, SdkCase], tmp_path: Path
) -> None:
    case = sdk_cases["p20_cd_reported_pid_differs_from_dac_pid"]
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x03\x02\x01\x00")
    verdict = _run(sdk_dir, case, cd=str(junk))
    assert not verdict.valid
    codes = {(f.code, f.severity) for f in verdict.findings}
    assert ("MATTER-CD-MALFORMED", Severity.ERROR) in codes
    assert ("MATTER-REPORTED-PID-MISMATCH", Severity.WARNING) in codes


@pytest.mark.parametrize(
    ("case_id", "exit_code", "code"),
    [
        ("p20_cd_reported_pid_differs_from_dac_pid", 0, "MATTER-CD-DCL-UNCHECKED"),
        ("n20_cd_dac_pid_not_in_cd", 1, "MATTER-CD-PID-MISMATCH"),
        ("n24_rev_dac_and_pai", 1, "MATTER-REVOKED"),
        ("p09_pai_paa_expired_now_valid_at_dac_issuance", 0, None),
    ],
)
def test_cli_agrees(
    case_id: str,
    exit_code: int,
    code: str | None,
    sdk_dir: Path,
    sdk_cases: dict[str, SdkCase],
) -> None:
    a = sdk_cases[case_id].args
    argv = ["verify", "matter", "--json"]
    for key, option in (
        ("dac", "--dac"),
        ("pai", "--pai"),
        ("paa_store", "--paa-store"),
        ("cd", "--cd"),
        ("cd_signers", "--cd-signers"),
        ("revocation_set", "--revocation-set"),
    ):
        if key in a:
            argv += [option, str(sdk_dir / a[key])]
    for key in ("vid", "pid", "at"):
        argv += [f"--{key}", a[key]]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == exit_code, result.output
    doc = json.loads(result.stdout)
    assert doc["valid"] is (exit_code == 0)
    codes = [f["code"] for f in doc["findings"]]
    assert (code in codes) if code else codes == []
