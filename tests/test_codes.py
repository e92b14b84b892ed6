"""The finding registry and the Finding type."""

from __future__ import annotations

import dataclasses
import re

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


def test_public_api_is_curated() -> None:
    assert all(not name.startswith("_") for name in devid.__all__)
    for name in devid.__all__:
        assert hasattr(devid, name), name
