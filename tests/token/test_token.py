"""Identity tokens (spec §3): each rule passes on a good token, fails on a constructed bad one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from devid import has_errors
from devid._certs import ChainValidator, RevocationList, TrustStore, key_identifier
from devid._cose import EDDSA, ES256, ES384
from devid._token import TokenResult, check_ueid, create_token, verify_token
from tests.plugins.pki import TestPKI
from tests.token.helpers import make_token

NONCE = bytes(range(16))


@pytest.fixture(scope="module")
def validator(pki: TestPKI) -> ChainValidator:
    return ChainValidator(pki.trust)


def error_codes(result: TokenResult) -> set[str]:
    return {f.code for f in result.findings if f.is_error}


def good_claims(pki: TestPKI, **more: Any) -> dict[Any, Any]:
    claims: dict[Any, Any] = {2: pki.device.urn, 6: int(pki.now.timestamp()) - 60}
    claims.update(more)
    return claims


def signed(pki: TestPKI, claims: Any, *, protected: dict[Any, Any] | None = None,
           unprotected: dict[Any, Any] | None = None, sign_alg: int = ES256) -> bytes:
    prot = {1: ES256, 33: list(pki.device.chain_der)} if protected is None else protected
    return make_token(pki.device.key, protected=prot, claims=claims, unprotected=unprotected,
                      sign_alg=sign_alg)


# ------------------------------------------------------------------ valid tokens


@pytest.mark.parametrize("tagged", [True, False])
def test_good_token_with_validator(pki: TestPKI, validator: ChainValidator, tagged: bool) -> None:
    d = pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now, exp=pki.now + timedelta(hours=1),
                       nonce=NONCE, tagged=tagged,
                       claims={256: b"\x01" + bytes(16), 258: 32473, 259: b"SL-1",
                               271: ["1.2.0"], -70001: ["smart-lock/1"]})
    res = verify_token(tok, now=pki.now, validator=validator, nonce=NONCE)
    assert res.valid, res.findings
    assert res.findings == ()
    assert res.subject == res.urn == d.urn
    assert res.leaf == d.certificate
    assert res.claims[6] == int(pki.now.timestamp())
    assert res.to_dict("t.cbor") == {"input": "t.cbor", "valid": True, "subject": d.urn,
                                     "findings": []}


def test_good_token_with_a_trusted_key(pki: TestPKI) -> None:
    d = pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    res = verify_token(tok, now=pki.now, key=d.key.public_key())
    assert res.valid and res.findings == () and res.urn == d.urn


def test_leaf_only_chain_as_single_bstr(pki: TestPKI) -> None:
    d = pki.device
    tok = create_token(d.key, [d.certificate], sub=d.urn, iat=pki.now)
    protected = cbor2.loads(cbor2.loads(tok).value[0])
    assert isinstance(protected[33], bytes)
    assert verify_token(tok, now=pki.now, key=d.key.public_key()).valid
    # with a validator the vendor CA is not presented: the path cannot be built
    res = verify_token(tok, now=pki.now, validator=ChainValidator(pki.trust))
    assert "ID-CHAIN-UNTRUSTED" in error_codes(res)
    # ... unless the trust store holds the vendor CA too
    store = TrustStore.from_certs([pki.root.certificate, pki.vendor.certificate])
    assert verify_token(tok, now=pki.now, validator=ChainValidator(store)).valid


@pytest.mark.parametrize(("key_type", "alg"), [("p384", ES384), ("ed25519", EDDSA)])
def test_other_key_types(pki: TestPKI, validator: ChainValidator, key_type: str, alg: int) -> None:
    d = pki.issue(key_type=key_type)
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    assert cbor2.loads(cbor2.loads(tok).value[0])[1] == alg
    res = verify_token(tok, now=pki.now, validator=validator)
    assert res.valid, res.findings


# ------------------------------------------------------------------ header rules


def test_alg_only_unprotected(pki: TestPKI, validator: ChainValidator) -> None:
    tok = signed(pki, good_claims(pki), protected={33: list(pki.device.chain_der)},
                 unprotected={1: ES256})
    res = verify_token(tok, now=pki.now, validator=validator)
    assert error_codes(res) == {"ID-ALG-UNPROTECTED"}
    assert "unprotected" in next(f for f in res.findings if f.code == "ID-ALG-UNPROTECTED").message


def test_alg_missing(pki: TestPKI, validator: ChainValidator) -> None:
    tok = signed(pki, good_claims(pki), protected={33: list(pki.device.chain_der)})
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-ALG-UNPROTECTED"}


@pytest.mark.parametrize("alg", [-36, -46, -257, "ES256", 1.5])
def test_alg_not_a_token_algorithm(pki: TestPKI, validator: ChainValidator, alg: Any) -> None:
    tok = signed(pki, good_claims(pki), protected={1: alg, 33: list(pki.device.chain_der)})
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-ALG-UNSUPPORTED"}


def test_alg_does_not_match_leaf_key(pki: TestPKI, validator: ChainValidator) -> None:
    # the header says ES384, the leaf key is P-256 (signed with SHA-384 to make it "verify")
    tok = signed(pki, good_claims(pki), protected={1: ES384, 33: list(pki.device.chain_der)},
                 sign_alg=ES384)
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-ALG-KEY-MISMATCH"}
    tok = signed(pki, good_claims(pki), protected={1: EDDSA, 33: list(pki.device.chain_der)})
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-ALG-KEY-MISMATCH"}


def test_x5chain_missing_or_unprotected(pki: TestPKI, validator: ChainValidator) -> None:
    tok = signed(pki, good_claims(pki), protected={1: ES256})
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-X5CHAIN-MISSING"}
    tok = signed(pki, good_claims(pki), protected={1: ES256},
                 unprotected={33: list(pki.device.chain_der)})
    res = verify_token(tok, now=pki.now, validator=validator)
    assert error_codes(res) == {"ID-X5CHAIN-MISSING"}
    # with a trusted key the signature is still checked (and here it is fine)
    res = verify_token(tok, now=pki.now, key=pki.device.key.public_key())
    assert error_codes(res) == {"ID-X5CHAIN-MISSING"}


@pytest.mark.parametrize("value", [[], [b""], b"", "cert", [b"x", 5], {1: 2}])
def test_x5chain_wrong_type(pki: TestPKI, validator: ChainValidator, value: Any) -> None:
    tok = signed(pki, good_claims(pki), protected={1: ES256, 33: value})
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {
        "ID-COSE-STRUCTURE"}


def test_x5chain_garbage_certificate(pki: TestPKI, validator: ChainValidator) -> None:
    tok = signed(pki, good_claims(pki), protected={1: ES256, 33: [b"\x30\x03\x02\x01\x01"]})
    for res in (verify_token(tok, now=pki.now, validator=validator),
                verify_token(tok, now=pki.now, key=pki.device.key.public_key())):
        assert "ID-CERT-MALFORMED" in error_codes(res)
        assert not res.valid


# ------------------------------------------------------------------ chain rules


def test_untrusted_chain(pki: TestPKI, foreign_pki: TestPKI, validator: ChainValidator) -> None:
    d = foreign_pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    res = verify_token(tok, now=pki.now, validator=validator)
    assert "ID-CHAIN-UNTRUSTED" in error_codes(res)
    assert all(f.subject == d.urn for f in res.findings)


def test_trusted_key_is_not_the_leaf_key(pki: TestPKI, foreign_pki: TestPKI) -> None:
    # a token signed by a foreign device, checked against our device's key
    d = foreign_pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    res = verify_token(tok, now=pki.now, key=pki.device.key.public_key())
    assert error_codes(res) == {"ID-CHAIN-UNTRUSTED", "ID-SIG-INVALID"}


def test_expired_and_not_yet_valid_leaf(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.issue(not_after=pki.now - timedelta(days=1))
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    # expired is said once, as expired: not also as an untrusted chain
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {"ID-CERT-EXPIRED"}
    d = pki.issue(not_before=pki.now + timedelta(days=1))
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    assert "ID-CERT-NOT-YET-VALID" in error_codes(
        verify_token(tok, now=pki.now, validator=validator))


def test_revoked_device(pki: TestPKI) -> None:
    d = pki.issue()
    other = pki.issue()
    ski = key_identifier(pki.vendor.certificate)
    assert ski is not None
    revoked = RevocationList.from_entries(
        [{"issuer_ski": ski.hex(), "serial": f"{d.certificate.serial_number:x}"}])
    v = ChainValidator(pki.trust, revocation=revoked)
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    assert error_codes(verify_token(tok, now=pki.now, validator=v)) == {"ID-REVOKED"}
    tok = create_token(other.key, other.chain, sub=other.urn, iat=pki.now)
    assert verify_token(tok, now=pki.now, validator=v).valid


# ------------------------------------------------------------------ binding and signature


def test_sub_must_equal_leaf_urn(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    tok = create_token(d.key, d.chain, sub="urn:dev:ops:32473-SmartLock-9999", iat=pki.now)
    res = verify_token(tok, now=pki.now, validator=validator)
    assert error_codes(res) == {"ID-SUB-MISMATCH"}
    f = next(f for f in res.findings if f.code == "ID-SUB-MISMATCH")
    assert f.evidence["urn"] == d.urn and f.evidence["sub"].endswith("9999")
    res = verify_token(tok, now=pki.now, key=d.key.public_key())
    assert error_codes(res) == {"ID-SUB-MISMATCH"}


def test_tampered_claims_break_the_signature(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    body = list(cbor2.loads(tok).value)  # cbor2 6 decodes a tag's array as a tuple
    claims = cbor2.loads(body[2])
    claims[6] += 1
    body[2] = cbor2.dumps(claims)
    res = verify_token(cbor2.dumps(cbor2.CBORTag(18, body)), now=pki.now, validator=validator)
    assert error_codes(res) == {"ID-SIG-INVALID"}


def test_signed_by_another_key_of_the_same_type(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    tok = create_token(ec.generate_private_key(ec.SECP256R1()), d.chain, sub=d.urn, iat=pki.now)
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {"ID-SIG-INVALID"}


# ------------------------------------------------------------------ claims


@pytest.mark.parametrize("missing", [2, 6])
def test_required_claims(pki: TestPKI, validator: ChainValidator, missing: int) -> None:
    claims = good_claims(pki)
    del claims[missing]
    res = verify_token(signed(pki, claims), now=pki.now, validator=validator)
    assert error_codes(res) == {"ID-CLAIM-MISSING"}


@pytest.mark.parametrize(("key", "value"), [
    (2, 42), (2, "not-a-urn"), (2, "urn:dev:ops:32473-Smart/Lock-1"),
    (6, "2026-01-01"), (6, 1.5e9), (6, True), (4, "later"),
    (10, b"short"), (10, "text-nonce-123456"), (10, b"x" * 65),
    (256, b"\x01" + bytes(8)), (256, b"\x02" + bytes(7)),
    (256, b"\x03" + bytes([1] * 13) + b"\x0a"),
    (256, b"\x09" + bytes(16)), (256, "ueid"), (256, b"\x01" + bytes(40)),
    (258, "Acme"), (258, -1), (259, b""), (259, b"x" * 33), (259, "model"),
    (271, "1.0"), (271, [1]), (271, []), (271, ["1.0", "x"]),
    (-70001, "smart-lock/1"), (-70001, ["smart lock"]), (-70001, [1]),
    ("sub", "x"),
])
def test_invalid_claim_values(pki: TestPKI, validator: ChainValidator, key: Any,
                              value: Any) -> None:
    claims = good_claims(pki)
    claims[key] = value
    res = verify_token(signed(pki, claims), now=pki.now, validator=validator)
    codes = error_codes(res)
    assert "ID-CLAIM-INVALID" in codes
    assert codes <= {"ID-CLAIM-INVALID", "ID-SUB-MISMATCH"}


@pytest.mark.parametrize(("key", "value"), [
    (256, b"\x01" + bytes(16)), (256, b"\x01" + bytes(32)), (256, b"\x02" + bytes(6)),
    (256, b"\x02" + bytes(8)), (256, b"\x03" + bytes([3] * 14)),
    (258, 0), (259, b"x"), (259, b"x" * 32), (271, ["1.0"]), (271, ["1.0", 1]),
    (-70001, []), (-70001, ["smart-lock/1", "core/2"]), (10, b"n" * 8), (10, [b"n" * 64]),
    (-65537, {"vendor": "private claims are allowed"}),
])
def test_valid_optional_claims(pki: TestPKI, validator: ChainValidator, key: Any,
                               value: Any) -> None:
    res = verify_token(signed(pki, good_claims(pki, **{}) | {key: value}), now=pki.now,
                       validator=validator)
    assert res.valid, res.findings


def test_check_ueid_explains() -> None:
    assert check_ueid(b"\x01" + bytes(16)) is None
    assert "7-33" in (check_ueid(b"\x01") or "")


@pytest.mark.parametrize("payload", [cbor2.dumps([1, 2]), cbor2.dumps("text"), b"\xff\x00",
                                     b"\x81" * 20 + b"\x00", None])
def test_payload_not_a_claims_map(pki: TestPKI, validator: ChainValidator, payload: Any) -> None:
    res = verify_token(signed(pki, payload), now=pki.now, validator=validator)
    codes = error_codes(res)
    assert codes & {"ID-CLAIM-INVALID", "ID-CBOR-MALFORMED", "ID-TOO-LARGE", "ID-COSE-STRUCTURE"}
    assert not res.valid and res.subject is None


def test_exp(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    now_s = int(pki.now.timestamp())
    for exp, expired in ((now_s + 1, False), (now_s, True), (now_s - 3600, True)):
        tok = create_token(d.key, d.chain, sub=d.urn, iat=now_s - 7200, exp=exp)
        res = verify_token(tok, now=pki.now, validator=validator)
        assert error_codes(res) == ({"ID-TOKEN-EXPIRED"} if expired else set()), exp


def test_nonce(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    with_nonce = create_token(d.key, d.chain, sub=d.urn, iat=pki.now, nonce=NONCE)
    without = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    assert verify_token(with_nonce, now=pki.now, validator=validator, nonce=NONCE).valid
    # no challenge given: the nonce is not checked
    assert verify_token(with_nonce, now=pki.now, validator=validator).valid
    res = verify_token(with_nonce, now=pki.now, validator=validator, nonce=bytes(16))
    assert error_codes(res) == {"ID-NONCE-MISMATCH"}
    res = verify_token(without, now=pki.now, validator=validator, nonce=NONCE)
    assert error_codes(res) == {"ID-NONCE-MISMATCH"}
    assert "missing" in res.findings[0].message


# ------------------------------------------------------------------ misuse


def test_misuse_raises(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now)
    with pytest.raises(ValueError, match="exactly one"):
        verify_token(tok, now=pki.now)
    with pytest.raises(ValueError, match="exactly one"):
        verify_token(tok, now=pki.now, validator=validator, key=d.key.public_key())
    with pytest.raises(ValueError, match="timezone"):
        verify_token(tok, now=pki.now.replace(tzinfo=None), validator=validator)
    with pytest.raises(TypeError):
        verify_token("text", now=pki.now, validator=validator)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chain"):
        create_token(d.key, [], sub=d.urn, iat=pki.now)
    with pytest.raises(ValueError, match="token algorithm"):
        create_token(d.key, d.chain, sub=d.urn, iat=pki.now, alg=-36)
    with pytest.raises(ValueError, match="own argument"):
        create_token(d.key, d.chain, sub=d.urn, iat=pki.now, claims={2: "x"})
    with pytest.raises(ValueError, match="timezone"):
        create_token(d.key, d.chain, sub=d.urn, iat=pki.now.replace(tzinfo=None))


def test_findings_are_all_errors_or_known(pki: TestPKI, validator: ChainValidator) -> None:
    tok = signed(pki, {6: "x"}, protected={1: -46})
    res = verify_token(tok, now=pki.now, validator=validator)
    assert has_errors(res.findings)
    assert {"ID-CLAIM-MISSING", "ID-CLAIM-INVALID", "ID-ALG-UNSUPPORTED",
            "ID-X5CHAIN-MISSING"} <= error_codes(res)


def test_sub_compares_urn_prefix_case_insensitively(pki: TestPKI,
                                                    validator: ChainValidator) -> None:
    d = pki.device
    upper = "URN:DEV:" + d.urn[8:]
    tok = create_token(d.key, d.chain, sub=upper, iat=pki.now)
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == set()
    other_case = d.urn.replace("SmartLock", "smartlock")
    tok = create_token(d.key, d.chain, sub=other_case, iat=pki.now)
    assert error_codes(verify_token(tok, now=pki.now, validator=validator)) == {"ID-SUB-MISMATCH"}


def _leaf_with_san(pki: TestPKI, uri: str) -> tuple[Any, Any]:
    """A device certificate like the PKI's but with ``uri`` as its URI SAN."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    key = ec.generate_private_key(ec.SECP256R1())
    template = pki.device.certificate
    builder = x509.CertificateBuilder().subject_name(template.subject).issuer_name(
        pki.vendor.certificate.subject).public_key(key.public_key()).serial_number(
        x509.random_serial_number()).not_valid_before(template.not_valid_before_utc
                                                      ).not_valid_after(template.not_valid_after_utc)
    for ext in template.extensions:
        if isinstance(ext.value, x509.SubjectAlternativeName):
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), ext.critical)
        elif isinstance(ext.value, x509.SubjectKeyIdentifier):
            builder = builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), ext.critical)
        else:
            builder = builder.add_extension(ext.value, ext.critical)
    return key, builder.sign(pki.vendor.key, hashes.SHA256())


def test_leaf_without_a_device_urn(pki: TestPKI, validator: ChainValidator) -> None:
    key, cert = _leaf_with_san(pki, "https://example.com/device")
    tok = create_token(key, [cert, pki.vendor.certificate], sub=pki.device.urn, iat=pki.now)
    for res in (verify_token(tok, now=pki.now, validator=validator),
                verify_token(tok, now=pki.now, key=key.public_key())):
        assert "ID-URN-SAN-MISSING" in error_codes(res)
        assert "ID-SUB-MISMATCH" not in error_codes(res)  # nothing to compare with
        assert res.urn is None and not res.valid
