"""Signed reports: detached COSE_Sign1 over the report file, ``devid verify report``."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from devid import _cose, parse_sign1
from devid._certs import TrustStore, cert_der
from devid._reports import ResultStore, Signer, SigningError, sign_file, verify_report
from devid._reports._signing import PASSPHRASE_ENV
from devid._reports._trace import trust_sha256
from devid.cli import cli
from tests.plugins.message_captures import Session

from ._lab import NOW, Lab, make_lab, make_lab_cert, write_certs, write_key
from ._samples import sample_run


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200", **(env or {})})


def flip(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    return make_lab(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "r.sqlite"
    sample = sample_run()
    with ResultStore(db) as s:
        rid = s.begin_run(sample.profile, started=sample.started, devices=dict(sample.devices))
        for r in sample.results:
            s.record(rid, r)
        s.finish_run(rid)
    return db


def codes(result: Result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


# -- library -------------------------------------------------------------------------------


def test_the_key_is_written_0600_and_a_signature_verifies(lab: Lab, tmp_path: Path) -> None:
    assert stat.S_IMODE(lab.key.stat().st_mode) == 0o600
    report = tmp_path / "r.json"
    report.write_bytes(b'{"devices": [], "findings": []}\n')
    sig = sign_file(report, Signer.load(lab.key, lab.chain))
    assert sig == tmp_path / "r.json.cose"
    msg, problems = parse_sign1(sig.read_bytes())
    assert msg is not None and not problems and msg.tagged and msg.payload is None
    assert msg.protected[_cose.HDR_ALG] == _cose.ES256
    assert msg.protected[_cose.HDR_CTY] == "application/json"
    assert msg.protected[_cose.HDR_X5CHAIN] == cert_der(Signer.load(lab.key, lab.chain).chain[0])
    verdict = verify_report(report.read_bytes(), sig.read_bytes(), TrustStore.from_dir(lab.trust))
    assert verdict.valid and verdict.findings == () and verdict.alg == "ES256"
    assert verdict.signer is not None and "lab report signer" in verdict.signer


@pytest.mark.parametrize("offset", [0, 17, -1])
def test_one_changed_byte_breaks_the_signature(lab: Lab, tmp_path: Path, offset: int) -> None:
    report = tmp_path / "r.html"
    report.write_text("<!DOCTYPE html><p>3 of 3 devices passed</p>\n", encoding="utf-8")
    sig = sign_file(report, Signer.load(lab.key, lab.chain))
    flip(report, offset % report.stat().st_size)
    verdict = verify_report(report.read_bytes(), sig.read_bytes(), TrustStore.from_dir(lab.trust))
    assert not verdict.valid
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNATURE-INVALID"]


def test_a_signature_by_another_key_is_rejected(lab: Lab, tmp_path: Path) -> None:
    """The lab's certificate in x5chain, but the signature made with some other key."""
    data = b"report bytes\n"
    other = make_lab(tmp_path, "other")
    lab_cert = Signer.load(lab.key, lab.chain).chain[0]
    forged = _cose.sign1(None, Signer.load(other.key, other.chain).key,
                         protected={_cose.HDR_X5CHAIN: cert_der(lab_cert)},
                         detached_payload=data)
    verdict = verify_report(data, forged, TrustStore.from_dir(lab.trust))
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNATURE-INVALID"]
    with pytest.raises(SigningError, match="does not belong"):
        Signer(Signer.load(other.key, other.chain).key, (lab_cert,))


def test_a_signer_outside_the_trust_store_is_rejected(lab: Lab, tmp_path: Path) -> None:
    data = b"report bytes\n"
    outsider = make_lab(tmp_path, "outsider")
    sig = _sign(data, outsider)
    verdict = verify_report(data, sig, TrustStore.from_dir(lab.trust))
    assert not verdict.valid
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNER-UNTRUSTED"]
    # and valid against its own anchors
    assert verify_report(data, sig, TrustStore.from_dir(outsider.trust)).valid


def _sign(data: bytes, lab: Lab) -> bytes:
    from devid._reports import sign_report

    return sign_report(data, Signer.load(lab.key, lab.chain))


def test_an_expired_lab_certificate_is_rejected(tmp_path: Path) -> None:
    data = b"report bytes\n"
    old = make_lab(tmp_path, "old", not_before=NOW - timedelta(days=30),
                   not_after=NOW - timedelta(days=1))
    trust = TrustStore.from_dir(old.trust)
    verdict = verify_report(data, _sign(data, old), trust)
    assert not verdict.valid
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNER-EXPIRED"]
    assert "expired" in verdict.findings[0].message
    # at a time inside the certificate's validity it verifies
    assert verify_report(data, _sign(data, old), trust, now=NOW - timedelta(days=10)).valid
    assert [f.code for f in verify_report(data, _sign(data, old), trust,
                                          now=NOW - timedelta(days=40)).findings] == [
        "REPORT-SIGNER-EXPIRED"]


def test_a_lab_certificate_without_digital_signature_is_rejected(tmp_path: Path) -> None:
    data = b"x"
    lab = make_lab(tmp_path, "ku", digital_signature=False)
    verdict = verify_report(data, _sign(data, lab), TrustStore.from_dir(lab.trust))
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNER-KEY-USAGE"]


def test_a_chain_with_an_intermediate_verifies(lab: Lab, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from ._lab import make_root

    # an intermediate CA issued by the lab root, then the signer issued by it
    inter_key, inter_self = make_root("Lab issuing CA")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    inter = (x509.CertificateBuilder().subject_name(inter_self.subject)
             .issuer_name(lab.root.subject).public_key(inter_key.public_key())
             .serial_number(x509.random_serial_number())
             .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=900))
             .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
             .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                          False), critical=True)
             .sign(lab.root_key, hashes.SHA256()))
    key, leaf = make_lab_cert(inter_key, inter, curve=ec.SECP384R1())
    write_key(tmp_path / "i.key", key)
    write_certs(tmp_path / "i.pem", leaf, inter)
    data = b"{}\n"
    from devid._reports import sign_report

    sig = sign_report(data, Signer.load(tmp_path / "i.key", tmp_path / "i.pem"))
    verdict = verify_report(data, sig, TrustStore.from_dir(lab.trust))
    assert verdict.valid, verdict.findings
    assert verdict.alg == "ES384" and len(verdict.chain) == 2
    # without the intermediate in x5chain the path cannot be built
    write_certs(tmp_path / "leaf-only.pem", leaf)
    alone = sign_report(data, Signer.load(tmp_path / "i.key", tmp_path / "leaf-only.pem"))
    assert [f.code for f in verify_report(data, alone, TrustStore.from_dir(lab.trust)).findings
            ] == ["REPORT-SIGNER-UNTRUSTED"]


@pytest.mark.parametrize("signature", [b"", b"not cbor \xff", b"\xa0"])
def test_a_malformed_signature_is_a_finding(lab: Lab, signature: bytes) -> None:
    verdict = verify_report(b"x", signature, TrustStore.from_dir(lab.trust))
    assert [f.code for f in verdict.findings] == ["REPORT-SIGNATURE-MALFORMED"]


def test_an_attached_payload_or_missing_x5chain_is_malformed(lab: Lab) -> None:
    key = Signer.load(lab.key, lab.chain).key
    trust = TrustStore.from_dir(lab.trust)
    attached = _cose.sign1(b"x", key)
    assert [f.code for f in verify_report(b"x", attached, trust).findings] == [
        "REPORT-SIGNATURE-MALFORMED"]
    bare = _cose.sign1(None, key, detached_payload=b"x")
    assert [f.code for f in verify_report(b"x", bare, trust).findings] == [
        "REPORT-SIGNATURE-MALFORMED"]


# -- command line ----------------------------------------------------------------------------


def test_results_report_signs_every_report_and_each_verifies(lab: Lab, store: Path,
                                                             tmp_path: Path) -> None:
    paths = {ext: tmp_path / f"run.{ext}" for ext in ("json", "xml", "html")}
    result = run("results", "report", "--db", str(store), "--json", str(paths["json"]),
                 "--junit", str(paths["xml"]), "--html", str(paths["html"]),
                 "--sign-key", str(lab.key), "--sign-chain", str(lab.chain))
    assert result.exit_code == 1, result.output  # the sample run has failures
    for path in paths.values():
        assert f"wrote signature: {path}.cose" in result.stderr
        ok = run("verify", "report", str(path), "--trust", str(lab.trust), "--json")
        assert ok.exit_code == 0, ok.output
        doc = json.loads(ok.stdout)
        assert doc["valid"] is True and doc["alg"] == "ES256" and doc["findings"] == []
        assert doc["signature"] == f"{path}.cose"
    table = run("verify", "report", str(paths["json"]), "--trust", str(lab.trust))
    assert table.exit_code == 0 and "valid" in table.stdout
    # trace: in the JSON, the JUnit properties and the HTML footer
    trace = json.loads(paths["json"].read_text())["trace"]
    assert trace["time_source"] == "system clock" and trace["command"] == "devid results report"
    assert trace["results_chain"]["state"] == "chained"
    assert trace["options"]["sign_key"] == str(lab.key)
    assert [p["id"] for p in trace["profiles"]] == ["smart-lock/1", "core/1"]
    assert all(len(p["sha256"]) == 64 for p in trace["profiles"])
    assert "devid.trace" in paths["xml"].read_text()
    html = paths["html"].read_text()
    assert "time source: system clock" in html and trace["results_chain"]["head"] in html
    # one byte changed in each report: exit 1
    for path in paths.values():
        flip(path)
        bad = run("verify", "report", str(path), "--trust", str(lab.trust), "--json")
        assert bad.exit_code == 1, bad.output
        assert codes(bad) == ["REPORT-SIGNATURE-INVALID"]


def test_verify_report_rejects_outsiders_and_expired_certificates(lab: Lab, tmp_path: Path
                                                                  ) -> None:
    report = tmp_path / "r.json"
    report.write_text('{"ok": true}\n')
    outsider = make_lab(tmp_path, "outsider")
    sign_file(report, Signer.load(outsider.key, outsider.chain))
    res = run("verify", "report", str(report), "--trust", str(lab.trust), "--json")
    assert res.exit_code == 1 and codes(res) == ["REPORT-SIGNER-UNTRUSTED"]
    sign_file(report, Signer.load(lab.key, lab.chain))
    later = (NOW + timedelta(days=400)).isoformat()
    res = run("verify", "report", str(report), "--trust", str(lab.trust), "--at", later, "--json")
    assert res.exit_code == 1 and codes(res) == ["REPORT-SIGNER-EXPIRED"]
    res = run("verify", "report", str(report), "--trust", str(lab.trust), "--json")
    assert res.exit_code == 0


def test_verify_report_missing_files(lab: Lab, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("{}\n")
    unsigned = run("verify", "report", str(report), "--trust", str(lab.trust), "--json")
    assert unsigned.exit_code == 1 and codes(unsigned) == ["REPORT-SIGNATURE-MISSING"]
    for args in (["verify", "report", str(tmp_path / "none.json"), "--trust", str(lab.trust)],
                 ["verify", "report", str(report), "--trust", str(lab.trust),
                  "--signature", str(tmp_path / "none.cose")],
                 ["verify", "report", str(report), "--trust", str(tmp_path / "no-dir")],
                 ["verify", "report", str(report), "--trust", str(lab.trust), "--at", "soon"]):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_check_json_signed_on_stdout(lab: Lab, tmp_path: Path) -> None:
    s = Session("smart-lock/1")
    s.healthy(30)
    capture = s.write(tmp_path / "c.jsonl")
    sig = tmp_path / "check.json.cose"
    res = run("check", str(capture), "--profile", "smart-lock/1", "--json", "--trust",
              str(lab.trust), "--sign-key", str(lab.key), "--sign-chain", str(lab.chain),
              "--sign-out", str(sig))
    assert res.exit_code == 1, res.output  # with --trust, the capture's missing token is an error
    out = tmp_path / "check.json"
    out.write_bytes(res.stdout_bytes)  # as a shell redirect would
    doc = json.loads(res.stdout)
    assert doc["trace"]["command"] == "devid check"
    assert doc["trace"]["trust_store"] == {"sha256": trust_sha256(TrustStore.from_dir(lab.trust)),
                                           "anchors": 1}
    assert doc["trace"]["profiles"][0]["id"] == "smart-lock/1"
    ok = run("verify", "report", str(out), "--signature", str(sig), "--trust", str(lab.trust))
    assert ok.exit_code == 0, ok.output
    flip(out)
    assert run("verify", "report", str(out), "--signature", str(sig), "--trust",
               str(lab.trust)).exit_code == 1


def test_signing_usage_errors_are_one_line(lab: Lab, store: Path, tmp_path: Path) -> None:
    base = ["results", "report", "--db", str(store), "--json", str(tmp_path / "r.json")]
    cases = [
        (["--sign-key", str(lab.key)], "go together"),
        (["--sign-key", str(tmp_path / "none.key"), "--sign-chain", str(lab.chain)],
         "--sign-key"),
        (["--sign-key", str(lab.key), "--sign-chain", str(lab.key)], "--sign-chain"),
        (["--sign-key", str(lab.chain), "--sign-chain", str(lab.chain)], "private key"),
        (["--sign-key", str(make_lab(tmp_path, "x").key), "--sign-chain", str(lab.chain)],
         "does not belong"),
        (["--sign-out", str(tmp_path / "s.cose")], "--sign-out"),
    ]
    for extra, text in cases:
        res = run(*base, *extra)
        assert res.exit_code == 2, (extra, res.output)
        assert text in res.stderr and res.stderr.count("\n") == 1, (extra, res.stderr)
        assert "Traceback" not in res.output
    stdout = run("results", "report", "--db", str(store), "--json", "-", "--sign-key",
                 str(lab.key), "--sign-chain", str(lab.chain))
    assert stdout.exit_code == 2 and "--sign-out" in stdout.stderr


def test_an_encrypted_key_takes_its_passphrase_from_the_environment(store: Path,
                                                                    tmp_path: Path) -> None:
    lab = make_lab(tmp_path, "enc", passphrase=b"correct horse")
    assert stat.S_IMODE(lab.key.stat().st_mode) == 0o600
    out = tmp_path / "r.json"
    args = ["results", "report", "--db", str(store), "--json", str(out),
            "--sign-key", str(lab.key), "--sign-chain", str(lab.chain)]
    missing = run(*args)
    assert missing.exit_code == 2 and PASSPHRASE_ENV in missing.stderr
    wrong = run(*args, env={PASSPHRASE_ENV: "wrong"})
    assert wrong.exit_code == 2 and "decrypt" in wrong.stderr
    good = run(*args, env={PASSPHRASE_ENV: "correct horse"})
    assert good.exit_code == 1, good.output  # the run's verdict; the report is signed
    assert run("verify", "report", str(out), "--trust", str(lab.trust)).exit_code == 0
    assert "correct horse" not in out.read_text()


def test_a_key_readable_by_others_is_warned_about(lab: Lab, store: Path, tmp_path: Path) -> None:
    lab.key.chmod(0o644)
    res = run("results", "report", "--db", str(store), "--json", str(tmp_path / "r.json"),
              "--sign-key", str(lab.key), "--sign-chain", str(lab.chain))
    assert "readable by other users" in res.stderr
