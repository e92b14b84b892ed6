"""COSE_Sign1 create / parse / verify on keys the tests generate."""

from __future__ import annotations

import time

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid import has_errors
from devid._cose import (
    EDDSA,
    ES256,
    ES384,
    ES512,
    default_alg,
    parse_sign1,
    sig_structure,
    sign1,
    verify_sign1,
)

P256 = ec.generate_private_key(ec.SECP256R1())
P384 = ec.generate_private_key(ec.SECP384R1())
P521 = ec.generate_private_key(ec.SECP521R1())
ED25519 = ed25519.Ed25519PrivateKey.generate()
ED448 = ed448.Ed448PrivateKey.generate()
KEYS: list[tuple[PrivateKeyTypes, int]] = [
    (P256, ES256), (P384, ES384), (P521, ES512), (ED25519, EDDSA), (ED448, EDDSA)]


def codes(findings: tuple[object, ...]) -> list[str]:
    return [f.code for f in findings]  # type: ignore[attr-defined]


def parsed(data: bytes):  # type: ignore[no-untyped-def]
    msg, findings = parse_sign1(data)
    assert msg is not None, findings
    return msg


@pytest.mark.parametrize(("key", "alg"), KEYS)
@pytest.mark.parametrize("tagged", [True, False])
def test_round_trip(key: PrivateKeyTypes, alg: int, tagged: bool) -> None:
    data = sign1(b"hello", key, tagged=tagged, unprotected={4: b"kid"})
    msg = parsed(data)
    assert msg.tagged is tagged
    assert msg.alg == alg == default_alg(key)
    assert msg.payload == b"hello" and msg.unprotected[4] == b"kid"
    assert verify_sign1(msg, key.public_key()) == ()
    if alg != EDDSA:
        size = {ES256: 32, ES384: 48, ES512: 66}[alg]
        assert len(msg.signature) == 2 * size  # raw r||s, RFC 9053 §2.1


@pytest.mark.parametrize(("key", "alg"), KEYS)
def test_tampered_payload_or_signature_is_invalid(key: PrivateKeyTypes, alg: int) -> None:
    msg = parsed(sign1(b"hello", key))
    pub = key.public_key()
    body = [msg.protected_bytes, {}, b"hellO", msg.signature]
    assert codes(verify_sign1(parsed(cbor2.dumps(body)), pub)) == ["ID-SIG-INVALID"]
    sig = bytearray(msg.signature)
    sig[3] ^= 0x40
    body = [msg.protected_bytes, {}, b"hello", bytes(sig)]
    assert codes(verify_sign1(parsed(cbor2.dumps(body)), pub)) == ["ID-SIG-INVALID"]


def test_wrong_key_same_type_is_invalid() -> None:
    msg = parsed(sign1(b"x", P256))
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert codes(verify_sign1(msg, other)) == ["ID-SIG-INVALID"]


def test_truncated_ecdsa_signature_is_invalid_not_an_exception() -> None:
    msg = parsed(sign1(b"x", P256))
    short = parsed(cbor2.dumps([msg.protected_bytes, {}, b"x", msg.signature[:-1]]))
    assert codes(verify_sign1(short, P256.public_key())) == ["ID-SIG-INVALID"]


def test_external_aad_is_bound() -> None:
    msg = parsed(sign1(b"x", P256, external_aad=b"context"))
    assert verify_sign1(msg, P256.public_key(), external_aad=b"context") == ()
    assert codes(verify_sign1(msg, P256.public_key())) == ["ID-SIG-INVALID"]
    assert codes(verify_sign1(msg, P256.public_key(), external_aad=b"other")) == ["ID-SIG-INVALID"]


def test_detached_payload() -> None:
    msg = parsed(sign1(None, ED25519, detached_payload=b"content"))
    assert msg.payload is None
    assert verify_sign1(msg, ED25519.public_key(), payload=b"content") == ()
    assert codes(verify_sign1(msg, ED25519.public_key(), payload=b"other")) == ["ID-SIG-INVALID"]
    assert codes(verify_sign1(msg, ED25519.public_key())) == ["ID-COSE-STRUCTURE"]


@pytest.mark.parametrize(("alg", "key"), [
    (ES256, ED25519.public_key()), (EDDSA, P256.public_key()),
    (ES256, rsa.generate_private_key(65537, 2048).public_key()),
    (ES256, ec.generate_private_key(ec.SECP256K1()).public_key()),
])
def test_key_type_not_matching_alg(alg: int, key: object) -> None:
    msg = parsed(sign1(b"x", P256 if alg == ES256 else ED25519))
    found = verify_sign1(msg, key)  # type: ignore[arg-type]
    assert codes(found) == ["ID-ALG-KEY-MISMATCH"]
    assert has_errors(found)


def test_es256_signed_with_p384_curve_mismatch_lenient_and_strict() -> None:
    msg = parsed(sign1(b"x", P384, alg=ES256))
    lenient = verify_sign1(msg, P384.public_key())
    assert [(f.code, f.severity.value) for f in lenient] == [("ID-ALG-KEY-MISMATCH", "warning")]
    strict = verify_sign1(msg, P384.public_key(), strict=True)
    assert [(f.code, f.severity.value) for f in strict] == [("ID-ALG-KEY-MISMATCH", "error")]


def test_alg_missing_everywhere() -> None:
    msg = parsed(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"x", b"\0" * 64])))
    assert codes(verify_sign1(msg, P256.public_key())) == ["ID-ALG-UNPROTECTED"]
    assert has_errors(verify_sign1(msg, P256.public_key()))


def test_alg_only_unprotected_strict_stops_before_the_signature() -> None:
    good = parsed(sign1(b"x", P256))
    # move alg to the unprotected bucket; the signature no longer matters in strict mode
    msg = parsed(cbor2.dumps([b"", {1: ES256}, b"x", good.signature]))
    assert codes(verify_sign1(msg, P256.public_key(), strict=True)) == ["ID-ALG-UNPROTECTED"]
    assert codes(verify_sign1(msg, P256.public_key())) == ["ID-ALG-UNPROTECTED", "ID-SIG-INVALID"]


def test_unprotected_alg_accepted_leniently_when_signature_is_good() -> None:
    data = sign1(b"x", P256)
    msg = parsed(data)
    tbs = cbor2.dumps(["Signature1", b"", b"", b"x"])
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    r, s = decode_dss_signature(P256.sign(tbs, ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    msg = parsed(cbor2.dumps([b"", {1: ES256}, b"x", sig]))
    found = verify_sign1(msg, P256.public_key())
    assert [(f.code, f.severity.value) for f in found] == [("ID-ALG-UNPROTECTED", "warning")]
    assert not has_errors(found)


@pytest.mark.parametrize("alg", [-46, -37, -999, "ES256", 0, True, [1], None])
def test_unsupported_alg(alg: object) -> None:
    prot = cbor2.dumps({1: alg})
    msg = parsed(cbor2.dumps([prot, {}, b"x", b"\0" * 64]))
    assert codes(verify_sign1(msg, P256.public_key())) == ["ID-ALG-UNSUPPORTED"]


def test_empty_protected_is_signed_as_empty_bstr_and_h_a0_literal_also_accepted() -> None:
    # devid's own encoding of an empty protected map is h''
    assert parsed(sign1(b"x", P256)).protected_bytes != b""
    tbs_literal = cbor2.dumps(["Signature1", b"\xa0", b"", b"x"])
    sig = ED25519.sign(tbs_literal)
    msg = parsed(cbor2.dumps([b"\xa0", {1: EDDSA}, b"x", sig]))
    assert sig_structure(msg) == cbor2.dumps(["Signature1", b"", b"", b"x"])
    assert not has_errors(verify_sign1(msg, ED25519.public_key()))


@pytest.mark.parametrize(("data", "code"), [
    (b"", "ID-CBOR-MALFORMED"),
    (b"\xd2", "ID-CBOR-MALFORMED"),
    (b"\xff", "ID-CBOR-MALFORMED"),
    (b"\x84\x40\xa0", "ID-CBOR-MALFORMED"),  # truncated array
    (b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff", "ID-CBOR-MALFORMED"),  # huge declared bstr
    (b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "ID-CBOR-MALFORMED"),  # huge declared array
    (b"\x81" * 40 + b"\x00", "ID-TOO-LARGE"),  # nested deeper than 16
    (b"\x00" * 70000, "ID-TOO-LARGE"),
    (cbor2.dumps(cbor2.CBORTag(998, [b"", {}, b"", b""])), "ID-COSE-STRUCTURE"),
    (cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", []])), "ID-COSE-STRUCTURE"),  # COSE_Sign
    (cbor2.dumps([b"", {}, b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps({"a": 1}), "ID-COSE-STRUCTURE"),
    (cbor2.dumps(["", {}, b"", b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([b"", [], b"", b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([b"", {}, 5, b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([b"", {}, b"", "sig"]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([b"\x01", {}, b"", b""]), "ID-COSE-STRUCTURE"),  # protected not a map
    (cbor2.dumps([b"\xa1\x01", {}, b"", b""]), "ID-CBOR-MALFORMED"),  # truncated protected
    (cbor2.dumps([cbor2.dumps({1: -7}), {1: -7}, b"", b""]), "ID-COSE-STRUCTURE"),  # both buckets
    (cbor2.dumps([b"", {1.5: 1}, b"", b""]), "ID-COSE-STRUCTURE"),  # bad label
    (cbor2.dumps([cbor2.dumps({1: -7, 2: [99]}), {}, b"", b""]), "ID-COSE-STRUCTURE"),  # crit
    (cbor2.dumps([cbor2.dumps({1: -7, 2: []}), {}, b"", b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([cbor2.dumps({1: -7, 2: [3]}), {}, b"", b""]), "ID-COSE-STRUCTURE"),
    (cbor2.dumps([cbor2.dumps({1: -7}), {2: [1]}, b"", b""]), "ID-COSE-STRUCTURE"),
])
def test_bad_structure_is_a_finding(data: bytes, code: str) -> None:
    msg, findings = parse_sign1(data)
    assert msg is None
    assert codes(findings)[0] == code
    assert has_errors(findings)


def test_crit_with_understood_protected_labels_is_accepted() -> None:
    data = sign1(b"x", P256, protected={2: [1]})
    assert verify_sign1(parsed(data), P256.public_key()) == ()


def test_cwt_tag_around_sign1_is_accepted() -> None:
    inner = cbor2.loads(sign1(b"x", P256))
    msg = parsed(cbor2.dumps(cbor2.CBORTag(61, inner)))
    assert msg.tagged and verify_sign1(msg, P256.public_key()) == ()


def test_max_size_is_configurable() -> None:
    data = sign1(b"x" * 200, P256)
    assert codes(parse_sign1(data, max_size=100)[1]) == ["ID-TOO-LARGE"]


def test_misuse_raises() -> None:
    with pytest.raises(ValueError, match="needs"):
        sign1(b"x", ED25519, alg=ES256)
    with pytest.raises(ValueError, match="EdDSA"):
        sign1(b"x", P256, alg=EDDSA)
    with pytest.raises(ValueError, match="not supported"):
        sign1(b"x", P256, alg=-46)
    with pytest.raises(ValueError, match="protected alg"):
        sign1(b"x", P256, alg=ES256, protected={1: ES384})
    with pytest.raises(ValueError):
        default_alg(rsa.generate_private_key(65537, 2048))
    with pytest.raises(TypeError):
        parse_sign1("text")  # type: ignore[arg-type]


def test_hostile_inputs_are_fast() -> None:
    inputs = [b"\x81" * 60000 + b"\x00", b"\x9f" * 60000, b"\xd2" * 60000 + b"\x00",
              b"\xbf" * 30000, b"\x84" * 16000, b"\xc0" * 60000]
    start = time.perf_counter()
    for data in inputs:
        msg, findings = parse_sign1(data)
        assert msg is None and has_errors(findings)
    assert time.perf_counter() - start < 1.0


GOOD = sign1(b"payload", P256, unprotected={4: b"k"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    msg, findings = parse_sign1(data)
    if msg is None:
        assert has_errors(findings)
    else:
        verify_sign1(msg, P256.public_key())


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_messages_never_raise(data: st.DataObject) -> None:
    buf = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(buf)))
    msg, findings = parse_sign1(bytes(buf[:cut]) if cut < len(buf) else bytes(buf))
    assert (msg is None) == has_errors(findings)
    if msg is not None:
        found = verify_sign1(msg, P256.public_key())
        if bytes(buf) != GOOD and cut == len(buf):
            # A mutation may leave the signed bytes intact (e.g. only the
            # unprotected kid changed); otherwise it must not verify.
            signed = (msg.protected_bytes, msg.payload, msg.signature)
            orig = parsed(GOOD)
            if signed != (orig.protected_bytes, orig.payload, orig.signature):
                assert has_errors(found)
