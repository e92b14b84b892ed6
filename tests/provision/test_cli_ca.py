"""``devid ca ...`` through click's CliRunner."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from devid._certs import ChainValidator, TrustStore, load_certificates
from devid._token import verify_token
from devid.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_help_explains_every_command() -> None:
    code, out, _ = run("ca", "--help")
    assert code == 0
    for word in ("init", "vendor", "device", "fleet", "DIR/trust/root.pem"):
        assert word in out
    for sub in ("init", "vendor", "device", "fleet"):
        code, out, _ = run("ca", sub, "--help")
        assert code == 0
        assert "--" in out


def test_init_vendor_device(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, _, err = run("ca", "init", str(base), "--name", "Test Root", "--key-type", "p384")
    assert code == 0, err
    assert mode(base / "root" / "key.pem") == 0o600
    assert (base / "trust" / "root.pem").is_file()
    code, _, err = run("ca", "init", str(base))
    assert code == 2
    assert "already exists" in err

    code, _, err = run("ca", "vendor", str(base), "--name", "Acme", "--pen", "32473")
    assert code == 0, err
    assert mode(base / "vendors" / "Acme" / "key.pem") == 0o600
    assert json.loads((base / "vendors" / "Acme" / "ca.json").read_text())["pen"] == 32473

    code, out, err = run(
        "ca",
        "device",
        str(base),
        "--vendor",
        "Acme",
        "--product",
        "SmartLock",
        "--serial",
        "0001",
        "--json",
    )
    assert code == 0, err
    info = json.loads(out)
    assert info["urn"] == "urn:dev:ops:32473-SmartLock-0001"
    device_dir = Path(info["dir"])
    assert sorted(p.name for p in device_dir.iterdir()) == [
        "cert.pem",
        "chain.pem",
        "key.pem",
        "token.cbor",
    ]
    assert mode(device_dir / "key.pem") == 0o600
    chain = load_certificates((device_dir / "chain.pem").read_bytes())
    trust = TrustStore.from_dir(base / "trust")
    result = ChainValidator(trust).validate(chain[0], chain[1:], now=datetime.now(UTC))
    assert result.valid, result.findings
    token = (device_dir / "token.cbor").read_bytes()
    assert Path(info["token"]).read_bytes() == token
    verdict = verify_token(token, validator=ChainValidator(trust), now=datetime.now(UTC))
    assert verdict.valid, verdict.findings


def test_device_creates_root_and_vendor_and_says_so(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    out_dir = tmp_path / "dev1"
    code, _, err = run(
        "ca",
        "device",
        str(base),
        "--vendor",
        "Globex",
        "--create-vendor",
        "--pen",
        "4242",
        "--product",
        "Cam",
        "--serial",
        "X1",
        "--out",
        str(out_dir),
        "--key-type",
        "ed25519",
    )
    assert code == 0, err
    assert "created root CA" in err
    assert "vendor CA 'Globex'" in err
    assert (out_dir / "token.cbor").is_file()
    assert (base / "tokens" / "urn_dev_ops_4242-Cam-X1.cbor").is_file()
    # The vendor's PEN is kept; a different one is refused.
    code, _, err = run(
        "ca",
        "device",
        str(base),
        "--vendor",
        "Globex",
        "--pen",
        "1",
        "--product",
        "Cam",
        "--serial",
        "X2",
    )
    assert code == 2
    assert "PEN 4242" in err


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    cases = [
        ("ca", "device", str(base), "--vendor", "../evil", "--product", "P", "--serial", "1"),
        ("ca", "device", str(base), "--vendor", "Acme", "--product", "P-Q", "--serial", "1"),
        ("ca", "device", str(base), "--vendor", "Acme", "--product", "P", "--serial", "a/b"),
        ("ca", "fleet", str(base), "--vendor", "Acme", "--create-vendor", "--count", "2",
         "--product", "a#b"),
    ]
    for args in cases:
        code, _, err = run(*args)
        assert code == 2, args
        lines = [line for line in err.splitlines() if line.startswith("devid: error")]
        assert len(lines) == 1, err
        assert "Traceback" not in err
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Acme", "--count", "0")
    assert code == 2


def test_io_error_is_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = run("ca", "init", str(blocker / "ca"))
    assert code == 2
    assert "devid: error" in err


def test_fleet_then_verify(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, out, err = run(
        "ca",
        "fleet",
        str(base),
        "--vendor",
        "Acme",
        "--create-vendor",
        "--count",
        "12",
        "--product",
        "SmartLock",
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["count"] == 12
    tokens = sorted((base / "tokens").iterdir())
    assert len(tokens) == 12
    assert tokens[0].name == "urn_dev_ops_32473-SmartLock-000001.cbor"
    assert len(list((base / "devices").iterdir())) == 12
    for device_dir in (base / "devices").iterdir():
        assert mode(device_dir / "key.pem") == 0o600
    code, out, err = run(
        "verify", "token", str(base / "tokens"), "--trust", str(base / "trust"), "--json"
    )
    assert code == 0, err + out
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 12
    assert all(line["valid"] for line in lines)
    assert {line["subject"] for line in lines} == {
        f"urn:dev:ops:32473-SmartLock-{n:06d}" for n in range(1, 13)
    }


def test_fleet_tokens_only_and_out(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    out_dir = tmp_path / "tokens"
    code, _, err = run(
        "ca",
        "fleet",
        str(base),
        "--vendor",
        "Acme",
        "--create-vendor",
        "--count",
        "3",
        "--start",
        "100",
        "--tokens-only",
        "--out",
        str(out_dir),
        "--token-days",
        "30",
    )
    assert code == 0, err
    assert "3 devices" in err
    assert not (base / "devices").exists()
    names = sorted(p.name for p in out_dir.iterdir())
    assert names[0] == "urn_dev_ops_32473-Device-000100.cbor"
    code, _, _ = run("verify", "token", str(out_dir), "--trust", str(base / "trust"))
    assert code == 0


def test_fleet_against_foreign_trust_is_invalid(tmp_path: Path) -> None:
    code, _, _ = run("ca", "fleet", str(tmp_path / "a"), "--vendor", "Acme", "--create-vendor",
                     "--count", "2", "-q")
    assert code == 0
    code, _, _ = run("ca", "init", str(tmp_path / "b"), "-q")
    assert code == 0
    code, out, _ = run(
        "verify",
        "token",
        str(tmp_path / "a" / "tokens"),
        "--trust",
        str(tmp_path / "b" / "trust"),
        "--json",
    )
    assert code == 1
    first = json.loads(out.splitlines()[0])
    assert "ID-CHAIN-UNTRUSTED" in {f["code"] for f in first["findings"]}


def test_revoke_device_then_verify(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, _, _ = run("ca", "fleet", str(base), "--vendor", "Acme", "--create-vendor",
                     "--count", "3", "-q")
    assert code == 0
    urn = "urn:dev:ops:32473-Device-000002"
    code, _, err = run("ca", "revoke", str(base), "--device", urn)
    assert code == 0, err
    code, _, _ = run("ca", "revoke", str(base), "--device", urn)  # twice: listed once
    assert code == 0
    entries = json.loads((base / "revoked.json").read_text())
    assert len(entries) == 1
    code, out, _ = run(
        "verify",
        "token",
        str(base / "tokens"),
        "--trust",
        str(base / "trust"),
        "--revoked",
        str(base / "revoked.json"),
        "--json",
    )
    assert code == 1
    verdicts = {line["subject"]: line for line in map(json.loads, out.splitlines())}
    assert not verdicts[urn]["valid"]
    assert [f["code"] for f in verdicts[urn]["findings"]] == ["ID-REVOKED"]
    assert sum(v["valid"] for v in verdicts.values()) == 2


def test_revoke_usage_errors(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, _, err = run("ca", "revoke", str(base))
    assert code == 2
    assert "exactly one" in err
    code, _, err = run("ca", "revoke", str(base), "--device", "urn:dev:ops:1-A-1")
    assert code == 2
    assert "devid: error" in err
    assert "no device with URN 'urn:dev:ops:1-A-1'" in err
    assert "No such file" not in err
    bad = tmp_path / "bad.pem"
    bad.write_text("nope")
    code, _, err = run("ca", "revoke", str(base), "--cert", str(bad))
    assert code == 2
    assert "bad.pem" in err


def _files(base: Path) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file()}


def test_device_is_not_replaced_without_force(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    args = ("ca", "device", str(base), "--vendor", "Acme", "--product", "Lock", "--serial", "7")
    code, _, err = run(*args, "--create-vendor")
    assert code == 0, err
    before = _files(base)
    code, _, err = run(*args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "urn:dev:ops:32473-Lock-7" in lines[0]
    assert "already exists" in lines[0] and "--force" in lines[0]
    assert _files(base) == before  # key, certificate and token untouched
    # --out DIR2 that already holds a device is refused too
    out_dir = tmp_path / "out"
    code, _, err = run(*args, "--serial", "8", "--out", str(out_dir))
    assert code == 0, err
    code, _, err = run(*args, "--serial", "9", "--out", str(out_dir))
    assert code == 2 and "already exists" in err
    code, _, err = run(*args, "--force")
    assert code == 0, err
    after = _files(base)
    key = "devices/urn_dev_ops_32473-Lock-7/key.pem"
    assert after[key] != before[key]
    assert mode(base / key) == 0o600


def test_fleet_refuses_existing_devices_before_writing(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Acme", "--create-vendor",
                       "--count", "3", "-q")
    assert code == 0, err
    before = _files(base)
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Acme", "--count", "4",
                       "--start", "3", "-q")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "1 of the 4 devices already exist" in lines[0]
    assert "urn:dev:ops:32473-Device-000003" in lines[0] and "--force" in lines[0]
    assert _files(base) == before  # not even the new serials 4-6 were written
    # tokens-only: an existing token counts
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Acme", "--count", "2",
                       "--tokens-only", "-q")
    assert code == 2 and "2 of the 2 devices" in err
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Acme", "--count", "4",
                       "--start", "3", "-q", "--force")
    assert code == 0, err
    assert len(list((base / "tokens").iterdir())) == 6
    assert _files(base)["tokens/urn_dev_ops_32473-Device-000001.cbor"] == \
        before["tokens/urn_dev_ops_32473-Device-000001.cbor"]


def test_unknown_vendor_is_refused_without_create_vendor(tmp_path: Path) -> None:
    base = tmp_path / "ca"
    code, _, err = run("ca", "device", str(base), "--vendor", "Acme", "--serial", "1")
    assert code == 2
    assert "no vendor 'Acme'" in err and "--create-vendor" in err
    assert not base.exists()  # nothing written, not even a root CA
    for name in ("Acme", "Globex"):
        code, _, err = run("ca", "vendor", str(base), "--name", name, "--pen", "32473", "-q")
        assert code == 0, err
    before = _files(base)
    for args in (("device", "--serial", "1"), ("fleet", "--count", "2")):
        code, _, err = run("ca", args[0], str(base), "--vendor", "Acmee", *args[1:])
        assert code == 2, args
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert "no vendor 'Acmee'" in lines[0]
        assert "existing vendors: Acme, Globex" in lines[0]
        assert "--create-vendor" in lines[0]
    assert _files(base) == before
    assert not (base / "vendors" / "Acmee").exists()
    code, _, err = run("ca", "fleet", str(base), "--vendor", "Initech", "--create-vendor",
                       "--pen", "4242", "--count", "1")
    assert code == 0, err
    assert "vendor CA 'Initech'" in err
    assert (base / "tokens" / "urn_dev_ops_4242-Device-000001.cbor").is_file()
    code, out, _ = run("ca", "--help")
    assert "--create-vendor" in out
