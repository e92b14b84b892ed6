"""Every COSE_Sign1 case of the COSE WG examples gets the verdict the rules give.

The expected verdict is the file's own (``"fail": true`` or not) with one rule
applied on top: an algorithm devid does not implement (HSS-LMS) is invalid with
ID-ALG-UNSUPPORTED. No file name is special-cased.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from devid import has_errors
from devid._cose import ALG_NAMES, parse_sign1, sig_structure, verify_sign1

SUPPORTED = {"ES256", "ES384", "ES512", "EdDSA"}
_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1(),
}


def _b(jwk: dict[str, Any], name: str) -> bytes:
    if f"{name}_hex" in jwk:
        return bytes.fromhex(jwk[f"{name}_hex"])
    text = jwk[name]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_public_key(jwk: dict[str, Any]) -> PublicKeyTypes | None:
    """The public key of a COSE WG example key; None for key types devid cannot use."""
    if jwk["kty"] == "EC":
        nums = ec.EllipticCurvePublicNumbers(
            int.from_bytes(_b(jwk, "x"), "big"), int.from_bytes(_b(jwk, "y"), "big"),
            _CURVES[jwk["crv"]])
        return nums.public_key()
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(_b(jwk, "x"))
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed448":
        return ed448.Ed448PublicKey.from_public_bytes(_b(jwk, "x"))
    return None


def sign1_cases(root: Path) -> list[Path]:
    """Every example with a single signer (``input.sign0``): the COSE_Sign1 cases."""
    return sorted(p for p in root.rglob("*.json") if "sign0" in json.loads(p.read_text())
                  .get("input", {}))


def test_the_sign1_cases_listed_in_the_readme_are_all_found(cose_wg_vectors: Path) -> None:
    found = {p.relative_to(cose_wg_vectors).as_posix() for p in sign1_cases(cose_wg_vectors)}
    listed = {p.relative_to(cose_wg_vectors).as_posix() for pattern in (
        "sign1-tests/*.json", "ecdsa-examples/ecdsa-sig-*.json", "eddsa-examples/eddsa-sig-*.json",
        "CWT/A_3.json", "RFC8152/Appendix_C_2_1.json") for p in cose_wg_vectors.glob(pattern)}
    assert listed <= found
    assert len(found) >= 18


def _payload(case: dict[str, Any]) -> bytes:
    inp = case["input"]
    if "plaintext_hex" in inp:
        return bytes.fromhex(inp["plaintext_hex"])
    return str(inp.get("plaintext", "")).encode()


def test_every_sign1_vector(cose_wg_vectors: Path) -> None:
    results: dict[str, tuple[bool, list[str]]] = {}
    fallback = ec.generate_private_key(ec.SECP256R1()).public_key()
    for path in sign1_cases(cose_wg_vectors):
        case = json.loads(path.read_text())
        sign0 = case["input"]["sign0"]
        alg_label = sign0.get("alg") or sign0.get("protected", {}).get("alg")
        expected_valid = not case.get("fail", False) and alg_label in SUPPORTED
        key = jwk_public_key(sign0["key"])
        aad = bytes.fromhex(sign0.get("external", ""))
        data = bytes.fromhex(case["output"]["cbor"])
        msg, findings = parse_sign1(data)
        if msg is not None:
            # An unusable key type only occurs with unsupported algorithms; the
            # alg check comes first, so any key stands in.
            findings = verify_sign1(msg, key if key is not None else fallback,
                                    external_aad=aad)
            if not case.get("fail") and "ToBeSign_hex" in case.get("intermediates", {}):
                assert sig_structure(msg, external_aad=aad) == bytes.fromhex(
                    case["intermediates"]["ToBeSign_hex"]), path
                assert msg.payload == _payload(case), path
        codes = [f.code for f in findings]
        results[path.name] = (not has_errors(findings), codes)
        assert (not has_errors(findings)) == expected_valid, (path, findings)
        if alg_label not in SUPPORTED and not case.get("fail"):
            assert "ID-ALG-UNSUPPORTED" in codes, path
    assert len(results) >= 18


def test_hss_lms_is_named_in_the_finding(cose_wg_vectors: Path) -> None:
    case = json.loads((cose_wg_vectors / "hashsig" / "hsssig-sig-01.json").read_text())
    msg, _ = parse_sign1(bytes.fromhex(case["output"]["cbor"]))
    assert msg is not None
    findings = verify_sign1(msg, ed25519.Ed25519PrivateKey.generate().public_key())
    assert [f.code for f in findings] == ["ID-ALG-UNSUPPORTED"]
    assert ALG_NAMES[-46] in findings[0].message


@pytest.mark.parametrize("name", ["sign-fail-01", "sign-fail-02", "sign-fail-03", "sign-fail-04",
                                  "sign-fail-06", "sign-fail-07"])
def test_negative_sign1_cases_fail_for_the_right_reason(cose_wg_vectors: Path, name: str) -> None:
    case = json.loads((cose_wg_vectors / "sign1-tests" / f"{name}.json").read_text())
    failures = case["input"]["failures"]
    msg, findings = parse_sign1(bytes.fromhex(case["output"]["cbor"]))
    if msg is not None:
        findings = verify_sign1(msg, jwk_public_key(case["input"]["sign0"]["key"]))  # type: ignore[arg-type]
    codes = {f.code for f in findings if f.is_error}
    if "ChangeCBORTag" in failures:
        assert codes == {"ID-COSE-STRUCTURE"}
    elif "ChangeAttr" in failures:
        assert codes == {"ID-ALG-UNSUPPORTED"}
    else:  # a changed signature, payload or protected header
        assert codes == {"ID-SIG-INVALID"}


def test_empty_protected_h_a0_is_treated_as_empty(cose_wg_vectors: Path) -> None:
    case = json.loads((cose_wg_vectors / "sign1-tests" / "sign-pass-01.json").read_text())
    msg, _ = parse_sign1(bytes.fromhex(case["output"]["cbor"]))
    assert msg is not None and msg.protected_bytes == b"\xa0" and dict(msg.protected) == {}
    key = jwk_public_key(case["input"]["sign0"]["key"])
    assert key is not None
    lenient = verify_sign1(msg, key)
    # alg sits in the unprotected bucket: a warning for plain COSE, an error for tokens
    assert [(f.code, f.severity.value) for f in lenient] == [("ID-ALG-UNPROTECTED", "warning")]
    strict = verify_sign1(msg, key, strict=True)
    assert [(f.code, f.severity.value) for f in strict] == [("ID-ALG-UNPROTECTED", "error")]


def test_es512_with_p256_key_is_lenient_warning_strict_error(cose_wg_vectors: Path) -> None:
    case = json.loads((cose_wg_vectors / "ecdsa-examples" / "ecdsa-sig-04.json").read_text())
    msg, _ = parse_sign1(bytes.fromhex(case["output"]["cbor"]))
    key = jwk_public_key(case["input"]["sign0"]["key"])
    assert msg is not None and key is not None
    lenient = verify_sign1(msg, key)
    assert [(f.code, f.severity.value) for f in lenient] == [("ID-ALG-KEY-MISMATCH", "warning")]
    strict = verify_sign1(msg, key, strict=True)
    assert [(f.code, f.severity.value) for f in strict] == [("ID-ALG-KEY-MISMATCH", "error")]
    # the lenient path really checks the signature: one flipped bit fails it
    bad = bytearray(bytes.fromhex(case["output"]["cbor"]))
    bad[-1] ^= 1
    msg2, _ = parse_sign1(bytes(bad))
    assert msg2 is not None
    assert "ID-SIG-INVALID" in {f.code for f in verify_sign1(msg2, key)}
