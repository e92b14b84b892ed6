"""The finding registry and the Finding type."""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

import devid
from devid import REGISTRY, Severity, finding

REQUIRED_ID_CODES = (
    "ID-SIG-INVALID ID-ALG-UNPROTECTED ID-ALG-KEY-MISMATCH ID-ALG-UNSUPPORTED ID-X5CHAIN-MISSING "
    "ID-CHAIN-UNTRUSTED ID-CERT-EXPIRED ID-CERT-NOT-YET-VALID ID-CA-FLAG ID-KEY-USAGE "
    "ID-SERIAL-MISSING ID-URN-SAN-MISSING ID-WEAK-ALGORITHM ID-SUB-MISMATCH ID-CLAIM-MISSING "
    "ID-CLAIM-INVALID ID-TOKEN-EXPIRED ID-NONCE-MISMATCH ID-REVOKED ID-CBOR-MALFORMED "
    "ID-COSE-STRUCTURE ID-TOO-LARGE"
).split()


def test_required_identity_codes_are_registered() -> None:
    missing = [c for c in REQUIRED_ID_CODES if c not in REGISTRY]
    assert missing == []


def test_every_code_is_well_formed_and_cites_a_clause() -> None:
    for code, spec in REGISTRY.items():
        assert spec.code == code
        assert re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)+", code), code
        assert spec.meaning.endswith("."), code
        assert spec.spec_ref, code
        assert isinstance(spec.severity, Severity)


def test_finding_takes_severity_and_clause_from_registry() -> None:
    f = finding("ID-SIG-INVALID", "bad", subject="urn:dev:ops:1-a-b", evidence={"alg": -7})
    assert f.severity is Severity.ERROR
    assert f.spec_ref == REGISTRY["ID-SIG-INVALID"].spec_ref
    assert f.to_dict()["evidence"] == {"alg": -7}
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.code = "X"  # type: ignore[misc]


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        finding("NO-SUCH-CODE", "x")


EXPECTED_API = {
    "REGISTRY", "Capture", "CaptureHeader", "CaptureWriter", "CapturedMessage", "CborError",
    "CertificateAuthority", "ChainResult", "ChainValidator", "CheckEngine", "CheckResult",
    "CodeSpec", "DeviceCredentials", "Finding", "IdentifierResult", "Profile", "ProfileError",
    "RevocationList", "Severity", "Sign1", "TokenResult", "TrustStore", "check_capture",
    "check_identifier", "check_lines", "check_messages",
    "create_root", "create_token", "create_vendor_ca", "finding", "has_errors", "issue_device",
    "lint_profile", "list_profiles", "load_certificates", "load_profile", "make_urn",
    "parse_sign1", "profile_json_schema", "read_capture", "sign1", "verify_sign1",
    "verify_token", "write_private_key",
}


def test_public_api_is_curated() -> None:
    assert set(devid.__all__) == EXPECTED_API
    assert len(devid.__all__) == len(EXPECTED_API)
    for name in devid.__all__:
        assert hasattr(devid, name), name


def test_importing_devid_loads_no_transport() -> None:
    """The top-level package is the pure core: importing it loads no MQTT or mDNS library."""
    code = ("import sys, devid; print(','.join(m for m in ('paho', 'zeroconf', 'amqtt') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


PURE_MODULES = ["_findings", "_codes", "_cbor", "_cose", "_certs", "_token", "_identifiers",
                "_provision", "_profiles", "_capture", "_check", "matter", "discovery/_txt.py",
                "discovery/_parsers.py", "discovery/_parsers_base.py",
                "discovery/_parsers_thread.py", "discovery/_parsers_shelly.py",
                "discovery/_parsers_vendors.py", "discovery/_merge.py",
                "discovery/_ecosystems.py", "discovery/_record.py", "live/_possession.py",
                "ecosystems", "_multicheck.py", "_export.py", "_audit.py",
                "_reports/_chain.py"]
TRANSPORTS = {"paho", "zeroconf", "socket", "asyncio", "amqtt", "ssl"}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_core_never_imports_a_transport(module: str) -> None:
    """Checks take bytes and an explicit now; sockets, MQTT and mDNS live elsewhere."""
    root = Path(devid.__file__).parent
    base = root / module
    files = [base] if base.suffix == ".py" else (
        sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")])
    assert files and all(f.exists() for f in files), module
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad = [n for n in names if n.split(".")[0] in TRANSPORTS]
            assert not bad, f"{path.relative_to(root)} imports {bad}"
