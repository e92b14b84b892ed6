"""``devid verify matter``: the exact CLI contract, through click's CliRunner."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid.cli import cli
from tests.plugins.matter import MatterCase

AT = "2026-01-01T00:00:00Z"


def _pem(der: bytes, label: str) -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        b"-----BEGIN "
        + label.encode()
        + b"-----\n"
        + b"\n".join(lines)
        + b"\n-----END "
        + label.encode()
        + b"-----\n"
    )


@pytest.fixture
def files(matter_case, matter_vectors: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(name: str, pem: bool = False) -> dict[str, str]:
        case: MatterCase = matter_case(name)
        folder = tmp_path / name
        folder.mkdir()
        signers = folder / "signers"
        signers.mkdir()
        (signers / "cd.pem").write_bytes(
            (matter_vectors / "paa" / "Chip-Test-CD-Signing-Cert.pem").read_bytes()
        )
        paths = {}
        for key, der, label in (
            ("dac", case.dac, "CERTIFICATE"),
            ("pai", case.pai, "CERTIFICATE"),
            ("cd", case.cd, "CMS"),
        ):
            path = folder / f"{key}.{'pem' if pem else 'der'}"
            path.write_bytes(_pem(der, label) if pem else der)
            paths[key] = str(path)
        paths["signers"] = str(signers)
        paths["paas"] = str(matter_vectors / "paa")
        return paths

    return write


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["verify", "matter", *args])
    return result.exit_code, result.stdout, result.stderr


def base(p: dict[str, str]) -> list[str]:
    return ["--dac", p["dac"], "--pai", p["pai"], "--paa-store", p["paas"], "--at", AT]


@pytest.mark.parametrize("pem", [False, True])
def test_valid_chain_and_cd_exit_0_with_one_json_line(files, pem: bool) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_cd_dac_origin_vid_pid_missing", pem=pem)
    code, out, _ = run(
        *base(p),
        "--cd",
        p["cd"],
        "--cd-signers",
        p["signers"],
        "--vid",
        "FFF1",
        "--pid",
        "0x8000",
        "--json",
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert set(doc) == {"input", "valid", "vid", "pid", "findings"}
    assert (
        doc["valid"] is True
        and doc["vid"] == "FFF1"
        and doc["pid"] == "8000"
        and doc["input"] == p["dac"]
    )
    for f in doc["findings"]:
        assert {"code", "severity", "message", "evidence"} <= set(f)
        assert "sdk_result" in f["evidence"] and "sdk_code" in f["evidence"]


def test_invalid_exit_1_and_sdk_result_in_json(files) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_dac_subject_vid_mismatch")
    code, out, _ = run(*base(p), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["valid"] is False
    hit = next(f for f in doc["findings"] if f["code"] == "MATTER-DAC-VID-MISMATCH")
    assert (
        hit["evidence"]["sdk_result"] == "kDacVendorIdMismatch"
        and hit["evidence"]["sdk_code"] == 305
    )


def test_reported_pid_is_judged_by_the_cd(files) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_cd_dac_origin_vid_pid_missing")  # CD FFF1 [8000], DAC FFF1/8000
    cd = ["--cd", p["cd"], "--cd-signers", p["signers"], "--vid", "FFF1"]
    code, out, _ = run(*base(p), *cd, "--pid", "8001", "--json")
    doc = json.loads(out)
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert code == 1 and [f["code"] for f in errors] == ["MATTER-CD-PID-MISMATCH"]
    assert errors[0]["evidence"]["sdk_result"] == "kCertificationDeclarationInvalidProductId"
    # Without a CD nothing can allow or forbid the difference: a warning, exit 0.
    code, out, _ = run(*base(p), "--pid", "8001", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["valid"] is True
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [
        ("MATTER-REPORTED-PID-MISMATCH", "warning")
    ]


def test_human_output_is_a_table(files) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_dac_valid_in_past")
    code, out, _ = run(*base(p))
    assert code == 1 and "INVALID" in out and "MATTER-CERT-EXPIRED" in out


def test_revocation_set_option(files, matter_vectors: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(
        (
            matter_vectors / "revocation" / "dac-provider-test-vectors" / "revoked-dac-01.json"
        ).read_text()
    )
    dac, pai = tmp_path / "r-dac.der", tmp_path / "r-pai.der"
    dac.write_bytes(bytes.fromhex(data["dac_cert"]))
    pai.write_bytes(bytes.fromhex(data["pai_cert"]))
    rs = matter_vectors / "revocation" / "revocation-sets" / "revocation-set.json"
    args = [
        "--dac",
        str(dac),
        "--pai",
        str(pai),
        "--paa-store",
        str(matter_vectors / "paa"),
        "--at",
        AT,
        "--json",
    ]
    assert run(*args)[0] == 0
    code, out, _ = run(*args, "--revocation-set", str(rs))
    assert code == 1 and "kDacRevoked" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, _, err = run(*args, "--revocation-set", str(bad))
    assert code == 2 and err.startswith("devid: error:") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "extra",
    [
        ["--vid", "xyz"],
        ["--pid", "10000"],
        ["--at", "yesterday"],
    ],
)
def test_usage_errors_exit_2(files, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_cd_dac_origin_vid_pid_missing")
    code, _, err = run(*base(p), *extra)
    assert code == 2 and "Traceback" not in err and err.startswith("devid: error:")


def test_io_errors_exit_2(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_cd_dac_origin_vid_pid_missing")
    code, _, err = run(
        "--dac", str(tmp_path / "missing.der"), "--pai", p["pai"], "--paa-store", p["paas"]
    )
    assert code == 2 and "missing.der" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("--dac", p["dac"], "--pai", p["pai"], "--paa-store", str(empty))
    assert code == 2 and "no certificates" in err
    code, _, _ = run("--dac", p["dac"], "--pai", p["pai"])
    assert code == 2  # --paa-store is required


def test_garbage_inputs_are_findings_not_tracebacks(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = files("struct_cd_dac_origin_vid_pid_missing")
    junk = tmp_path / "junk.der"
    junk.write_bytes(b"\x30\x82\xff\xff" + b"\x00" * 10)
    code, out, err = run(*base({**p, "dac": str(junk)}), "--cd", str(junk), "--json")
    assert code == 1 and "Traceback" not in out + err
    codes = {f["code"] for f in json.loads(out)["findings"]}
    assert {"MATTER-CERT-MALFORMED", "MATTER-CD-MALFORMED"} <= codes


def test_matter_is_listed_under_verify() -> None:
    result = CliRunner().invoke(cli, ["verify", "--help"])
    assert result.exit_code == 0 and "matter" in result.stdout
