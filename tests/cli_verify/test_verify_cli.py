"""``devid verify token|cose|cert``: the exact CLI contract (click's CliRunner and subprocess)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization

from devid._certs import key_identifier
from devid._token import create_token
from devid.cli import cli
from tests.cose.test_vectors import jwk_public_key
from tests.plugins.pki import TestPKI

AT = "2026-06-01T12:00:00Z"
NONCE = bytes(range(16))


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"DEVID_TRUST": "", "COLUMNS": "200",
                                                     **(env or {})},
                              catch_exceptions=False)


def json_lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def tokens(tmp_path: Path, pki: TestPKI, foreign_pki: TestPKI) -> Path:
    """A directory with two valid tokens and one of each kind of failure."""
    d = pki.device
    out = tmp_path / "tokens"
    out.mkdir()
    good = create_token(d.key, d.chain, sub=d.urn, iat=pki.now, nonce=NONCE)
    (out / "a-good.cbor").write_bytes(good)
    (out / "b-good.hex").write_text(good.hex() + "\n")
    f = foreign_pki.device
    (out / "c-foreign.cbor").write_bytes(create_token(f.key, f.chain, sub=f.urn, iat=pki.now))
    (out / "d-garbage.cbor").write_bytes(b"\xd2\x84\x40")
    return out


@pytest.fixture
def good_token(tokens: Path) -> Path:
    return tokens / "a-good.cbor"


def test_directory_batch_json(tokens: Path, pki: TestPKI) -> None:
    res = run("verify", "token", str(tokens), "--trust", str(pki.trust_dir), "--at", AT, "--json")
    assert res.exit_code == 1
    lines = json_lines(res)
    assert [Path(str(x["input"])).name for x in lines] == [
        "a-good.cbor", "b-good.hex", "c-foreign.cbor", "d-garbage.cbor"]
    assert [x["valid"] for x in lines] == [True, True, False, False]
    assert lines[0] == {"input": str(tokens / "a-good.cbor"), "valid": True,
                        "subject": pki.device.urn, "findings": []}
    codes = [{f["code"] for f in x["findings"]} for x in lines]  # type: ignore[attr-defined]
    assert "ID-CHAIN-UNTRUSTED" in codes[2]
    assert codes[3] == {"ID-CBOR-MALFORMED"}
    finding = lines[3]["findings"][0]  # type: ignore[index]
    assert set(finding) >= {"code", "severity", "message", "subject", "evidence", "spec_ref"}


def test_all_valid_exits_0(good_token: Path, pki: TestPKI) -> None:
    res = run("verify", "token", str(good_token), str(good_token), "--trust", str(pki.trust_dir),
              "--at", AT)
    assert res.exit_code == 0, res.output
    assert "2 checked: 2 valid, 0 invalid" in res.stdout
    assert pki.device.urn in res.stdout


def test_text_forms(tmp_path: Path, good_token: Path, pki: TestPKI) -> None:
    raw = good_token.read_bytes()
    (tmp_path / "b64").write_bytes(base64.b64encode(raw))
    (tmp_path / "b64url").write_bytes(base64.urlsafe_b64encode(raw).rstrip(b"="))
    (tmp_path / "hex").write_text(" ".join(raw[i:i + 16].hex() for i in range(0, len(raw), 16)))
    res = run("verify", "token", str(tmp_path), "--trust", str(pki.trust_dir), "--at", AT,
              "--json")
    assert res.exit_code == 0, res.output
    assert len(json_lines(res)) == 3


@pytest.mark.parametrize("form", ["cert", "public"])
def test_key_option(tmp_path: Path, good_token: Path, pki: TestPKI, form: str) -> None:
    pem = tmp_path / "key.pem"
    if form == "cert":
        pem.write_bytes(pki.pem(pki.device.certificate))
    else:
        pem.write_bytes(pki.device.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert run("verify", "token", str(good_token), "--key", str(pem), "--at", AT).exit_code == 0
    other = pki.issue()
    pem.write_bytes(pki.pem(other.certificate))
    res = run("verify", "token", str(good_token), "--key", str(pem), "--at", AT, "--json")
    assert res.exit_code == 1
    assert "ID-SIG-INVALID" in {f["code"] for f in json_lines(res)[0]["findings"]}  # type: ignore[attr-defined]


def test_trust_from_environment(good_token: Path, pki: TestPKI) -> None:
    res = run("verify", "token", str(good_token), "--at", AT,
              env={"DEVID_TRUST": str(pki.trust_dir)})
    assert res.exit_code == 0, res.output


def test_nonce(good_token: Path, pki: TestPKI) -> None:
    base = ["verify", "token", str(good_token), "--trust", str(pki.trust_dir), "--at", AT]
    assert run(*base, "--nonce", NONCE.hex()).exit_code == 0
    res = run(*base, "--nonce", "00" * 16, "--json")
    assert res.exit_code == 1
    assert [f["code"] for f in json_lines(res)[0]["findings"]] == ["ID-NONCE-MISMATCH"]  # type: ignore[attr-defined]


def test_at_changes_the_verdict(tmp_path: Path, pki: TestPKI) -> None:
    d = pki.device
    tok = tmp_path / "t.cbor"
    tok.write_bytes(create_token(d.key, d.chain, sub=d.urn, iat=pki.now,
                                 exp=int(pki.now.timestamp()) + 60))
    base = ["verify", "token", str(tok), "--trust", str(pki.trust_dir), "--json"]
    assert run(*base, "--at", AT).exit_code == 0
    res = run(*base, "--at", "2026-06-01T12:05:00")
    assert res.exit_code == 1
    assert json_lines(res)[0]["findings"][0]["code"] == "ID-TOKEN-EXPIRED"  # type: ignore[index]


def test_revoked(tmp_path: Path, pki: TestPKI, good_token: Path) -> None:
    ski = key_identifier(pki.vendor.certificate)
    assert ski is not None
    revoked = tmp_path / "revoked.json"
    revoked.write_text(json.dumps([{"issuer_ski": ski.hex(),
                                    "serial": f"{pki.device.certificate.serial_number:x}"}]))
    res = run("verify", "token", str(good_token), "--trust", str(pki.trust_dir), "--at", AT,
              "--revoked", str(revoked), "--json")
    assert res.exit_code == 1
    assert [f["code"] for f in json_lines(res)[0]["findings"]] == ["ID-REVOKED"]  # type: ignore[attr-defined]
    revoked.write_text("[]")
    assert run("verify", "token", str(good_token), "--trust", str(pki.trust_dir), "--at", AT,
               "--revoked", str(revoked)).exit_code == 0


def test_oversized_file_is_a_finding(tmp_path: Path, pki: TestPKI) -> None:
    big = tmp_path / "big.cbor"
    big.write_bytes(b"\xd2" + b"\x00" * (300 * 1024))
    res = run("verify", "token", str(big), "--trust", str(pki.trust_dir), "--json")
    assert res.exit_code == 1
    assert json_lines(res)[0]["findings"][0]["code"] == "ID-TOO-LARGE"  # type: ignore[index]


def test_table_does_not_interpret_device_strings_as_markup(tmp_path: Path, pki: TestPKI) -> None:
    d = pki.device
    tok = tmp_path / "t.cbor"
    tok.write_bytes(create_token(d.key, d.chain, sub="urn:dev:ops:1-[bold]x-1", iat=pki.now))
    res = run("verify", "token", str(tok), "--trust", str(pki.trust_dir), "--at", AT)
    assert res.exit_code == 1
    assert "[bold]x" in res.stdout
    assert "ID-SUB-MISMATCH" in res.stdout and "INVALID" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--trust", "T", "--key", "K"], "not both"),
    ([], "no trust given"),
    (["--trust", "T", "--at", "yesterday"], "--at"),
    (["--trust", "T", "--nonce", "zz"], "--nonce"),
    (["--trust", "/nonexistent-dir"], "--trust"),
    (["--key", "/nonexistent.pem"], "--key"),
    (["--key", "PRIV"], "private key"),
    (["--key", "JUNK"], "not a PEM/DER"),
    (["--key", "K", "--revoked", "R"], "--revoked needs --trust"),
    (["--trust", "T", "--revoked", "JUNK"], "--revoked"),
    (["--trust", "T", "--revoked", "DEEP"], "JSON nested too deeply"),
    (["--trust", "T", "--nonce", ""], "--nonce: a challenge nonce is 16-64 bytes"),
    (["--trust", "T", "--nonce", "00" * 15], "not 15"),
    (["--trust", "T", "--nonce", "00" * 65], "not 65"),
])
def test_usage_errors_exit_2(tmp_path: Path, good_token: Path, pki: TestPKI, args: list[str],
                             message: str) -> None:
    priv = tmp_path / "priv.pem"
    priv.write_bytes(pki.device.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    junk = tmp_path / "junk"
    junk.write_text("hello")
    cert = tmp_path / "cert.pem"
    cert.write_bytes(pki.pem(pki.device.certificate))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    subst = {"T": str(pki.trust_dir), "K": str(cert), "PRIV": str(priv), "JUNK": str(junk),
             "R": str(junk), "DEEP": str(deep)}
    res = run("verify", "token", str(good_token), *[subst.get(a, a) for a in args])
    assert res.exit_code == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert res.stdout == ""


def test_missing_path_and_empty_directory_exit_2(tmp_path: Path, pki: TestPKI) -> None:
    res = run("verify", "token", str(tmp_path / "nope"), "--trust", str(pki.trust_dir))
    assert res.exit_code == 2 and "no such file" in res.stderr
    (tmp_path / "empty").mkdir()
    res = run("verify", "token", str(tmp_path / "empty"), "--trust", str(pki.trust_dir))
    assert res.exit_code == 2 and "nothing to verify" in res.stderr


# ------------------------------------------------------------------ verify cose


def _vector_files(vectors: Path, tmp_path: Path, rel: str) -> tuple[Path, Path, str]:
    case = json.loads((vectors / rel).read_text())
    msg = tmp_path / (Path(rel).stem + ".cbor")
    msg.write_bytes(bytes.fromhex(case["output"]["cbor"]))
    key = jwk_public_key(case["input"]["sign0"]["key"])
    assert key is not None
    pem = tmp_path / (Path(rel).stem + ".pem")
    pem.write_bytes(key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return msg, pem, case["input"]["sign0"].get("external", "")


@pytest.mark.parametrize(("rel", "code"), [
    ("sign1-tests/sign-pass-03.json", 0), ("ecdsa-examples/ecdsa-sig-02.json", 0),
    ("eddsa-examples/eddsa-sig-01.json", 0), ("sign1-tests/sign-fail-02.json", 1),
    ("sign1-tests/sign-fail-01.json", 1), ("sign1-tests/sign-pass-01.json", 0),
])
def test_cose_vectors(cose_wg_vectors: Path, tmp_path: Path, rel: str, code: int) -> None:
    msg, pem, _ = _vector_files(cose_wg_vectors, tmp_path, rel)
    res = run("verify", "cose", str(msg), "--key", str(pem), "--json")
    assert res.exit_code == code, res.output
    line = json_lines(res)[0]
    assert line["valid"] is (code == 0) and line["subject"] is None


def test_cose_external_aad(cose_wg_vectors: Path, tmp_path: Path) -> None:
    msg, pem, aad = _vector_files(cose_wg_vectors, tmp_path, "sign1-tests/sign-pass-02.json")
    assert aad
    assert run("verify", "cose", str(msg), "--key", str(pem), "--external-aad", aad).exit_code == 0
    res = run("verify", "cose", str(msg), "--key", str(pem), "--json")
    assert res.exit_code == 1
    assert json_lines(res)[0]["findings"][0]["code"] == "ID-SIG-INVALID"  # type: ignore[index]


def test_cose_requires_key(good_token: Path) -> None:
    res = CliRunner().invoke(cli, ["verify", "cose", str(good_token)])
    assert res.exit_code == 2 and "--key" in res.stderr


# ------------------------------------------------------------------ verify cert


@pytest.fixture
def cert_files(tmp_path: Path, pki: TestPKI) -> dict[str, Path]:
    files = {
        "leaf": tmp_path / "leaf.pem",
        "chain": tmp_path / "chain.pem",
        "full": tmp_path / "full.pem",
        "der": tmp_path / "leaf.der",
        "junk": tmp_path / "junk.pem",
    }
    files["leaf"].write_bytes(pki.pem(pki.device.certificate))
    files["chain"].write_bytes(pki.pem(pki.vendor.certificate))
    files["full"].write_bytes(pki.pem(pki.device.certificate) + pki.pem(pki.vendor.certificate))
    files["der"].write_bytes(pki.der(pki.device.certificate))
    files["junk"].write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    return files


def test_cert_valid(cert_files: dict[str, Path], pki: TestPKI) -> None:
    for leaf, extra in (("leaf", ["--chain", str(cert_files["chain"])]), ("full", []),
                        ("der", ["--chain", str(cert_files["chain"])])):
        res = run("verify", "cert", str(cert_files[leaf]), *extra, "--trust", str(pki.trust_dir),
                  "--at", AT, "--json")
        assert res.exit_code == 0, res.output
        assert json_lines(res) == [{"input": str(cert_files[leaf]), "valid": True,
                                    "subject": pki.device.urn, "findings": []}]


def test_cert_invalid(cert_files: dict[str, Path], pki: TestPKI, foreign_pki: TestPKI) -> None:
    res = run("verify", "cert", str(cert_files["leaf"]), "--trust", str(pki.trust_dir), "--json")
    assert res.exit_code == 1
    assert "ID-CHAIN-UNTRUSTED" in {f["code"] for f in json_lines(res)[0]["findings"]}  # type: ignore[attr-defined]
    res = run("verify", "cert", str(cert_files["full"]), "--trust", str(foreign_pki.trust_dir))
    assert res.exit_code == 1 and "ID-CHAIN-UNTRUSTED" in res.stdout
    res = run("verify", "cert", str(cert_files["junk"]), "--trust", str(pki.trust_dir), "--json")
    assert res.exit_code == 1
    assert json_lines(res)[0]["findings"][0]["code"] == "ID-CERT-MALFORMED"  # type: ignore[index]


def test_cert_revoked_and_usage(cert_files: dict[str, Path], pki: TestPKI,
                                tmp_path: Path) -> None:
    ski = key_identifier(pki.vendor.certificate)
    assert ski is not None
    rev = tmp_path / "rev.json"
    rev.write_text(json.dumps([{"issuer_ski": ski.hex(),
                                "serial": f"{pki.device.certificate.serial_number:x}"}]))
    res = run("verify", "cert", str(cert_files["full"]), "--trust", str(pki.trust_dir),
              "--revoked", str(rev), "--at", AT, "--json")
    assert res.exit_code == 1
    assert [f["code"] for f in json_lines(res)[0]["findings"]] == ["ID-REVOKED"]  # type: ignore[attr-defined]
    assert run("verify", "cert", str(cert_files["full"])).exit_code == 2
    assert run("verify", "cert", str(tmp_path / "nope"), "--trust",
               str(pki.trust_dir)).exit_code == 2
    res = run("verify", "cert", str(cert_files["leaf"]), "--chain", str(tmp_path / "nope"),
              "--trust", str(pki.trust_dir))
    assert res.exit_code == 2 and "--chain" in res.stderr
    res = run("verify", "cert", str(tmp_path), "--trust", str(pki.trust_dir))
    assert res.exit_code == 2 and "is a directory" in res.stderr


# ------------------------------------------------------------------ a real process


def _devid(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from devid.cli import main; sys.argv[0] = 'devid'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True,
                          text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "DEVID_TRUST": ""},
                          cwd=Path(__file__).resolve().parents[2])


def test_exit_codes_in_a_subprocess(tokens: Path, pki: TestPKI) -> None:
    good = _devid("verify", "token", str(tokens / "a-good.cbor"), "--trust", str(pki.trust_dir),
                  "--at", AT, "--json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["valid"] is True
    mixed = _devid("verify", "token", str(tokens), "--trust", str(pki.trust_dir), "--at", AT,
                   "--json")
    assert mixed.returncode == 1
    assert len(mixed.stdout.splitlines()) == 4
    usage = _devid("verify", "token", str(tokens))
    assert usage.returncode == 2
    assert usage.stderr.startswith("devid: error:") and "Traceback" not in usage.stderr
    assert len(usage.stderr.strip().splitlines()) == 1


def test_verify_group_is_shared(tmp_path: Path) -> None:
    from devid.cli import cli as root

    group = root.commands["verify"]
    assert {"token", "cose", "cert"} <= set(group.commands)  # type: ignore[attr-defined]


def test_large_batches_list_only_invalid_inputs(tmp_path: Path, pki: TestPKI) -> None:
    d = pki.device
    good = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    for i in range(60):
        (tmp_path / f"t{i:02d}.cbor").write_bytes(good)
    (tmp_path / "zz-bad.cbor").write_bytes(b"\x00")
    res = run("verify", "token", str(tmp_path), "--trust", str(pki.trust_dir), "--at", AT)
    assert res.exit_code == 1
    assert "zz-bad.cbor" in res.stdout and "t00.cbor" not in res.stdout
    assert "61 checked: 60 valid, 1 invalid (valid inputs not listed" in res.stdout


@pytest.mark.parametrize(("argv", "expected"), [
    (["verify", "token", "x", "--bogus"],
     "devid: error: No such option '--bogus'. (see 'devid verify token --help')"),
    (["verify", "cose", "x"],
     "devid: error: Missing option '--key'. (see 'devid verify cose --help')"),
    (["nosuch"], "devid: error: No such command 'nosuch'. (see 'devid --help')"),
    (["ca", "fleet", "d", "--vendor", "v", "--count", "0"],
     "devid: error: Invalid value for '--count'"),
])
def test_usage_errors_are_one_line(argv: list[str], expected: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from devid.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(expected), err


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from devid.cli import main

    for argv in (["--help"], ["verify", "token", "--help"], ["--version"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0, argv
    assert "devid, version" in capsys.readouterr().out


def test_cert_without_its_chain_hints_at_chain(cert_files: dict[str, Path], pki: TestPKI) -> None:
    res = run("verify", "cert", str(cert_files["leaf"]), "--trust", str(pki.trust_dir),
              "--at", AT)
    assert res.exit_code == 1
    assert "hint: only the leaf was given" in res.stderr and "--chain" in res.stderr
    res = run("verify", "cert", str(cert_files["full"]), "--trust", str(pki.trust_dir),
              "--at", AT)
    assert res.exit_code == 0 and "hint" not in res.stderr


def test_cert_from_a_pipe(cert_files: dict[str, Path], pki: TestPKI) -> None:
    """`devid verify cert <(cat leaf.pem) --chain chain.pem`: a pipe is not a regular file."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, cert_files["full"].read_bytes())
    os.close(write_fd)
    try:
        res = run("verify", "cert", f"/dev/fd/{read_fd}", "--trust", str(pki.trust_dir),
                  "--at", AT, "--json")
    finally:
        os.close(read_fd)
    assert res.exit_code == 0, res.output


def test_certificate_parse_errors_are_plain_words(tmp_path: Path, pki: TestPKI) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(pki.device.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    res = run("verify", "cert", str(key), "--trust", str(pki.trust_dir), "--json")
    assert res.exit_code == 1
    findings = json_lines(res)[0]["findings"]
    assert isinstance(findings, list)
    assert [f["message"] for f in findings] == [
        "LEAF: a PEM file of PRIVATE KEY, not of CERTIFICATE"]
    garbage = tmp_path / "trust"
    garbage.mkdir()
    (garbage / "root.der").write_bytes(b"\x30\x82\xff\xff" + bytes(40))
    res = run("verify", "cert", str(key), "--trust", str(garbage))
    assert res.exit_code == 2
    assert "malformed DER" in res.stderr
    assert "ParseError" not in res.stderr and "https://" not in res.stderr
