"""The per-token fast paths decide exactly as the general ones, and hostile input stays data."""

from __future__ import annotations

import time

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid import _cbor
from devid._certs import ChainValidator
from devid._cose import _decode, _sig1_tbs, parse_sign1
from devid._token import create_token, verify_token
from tests.plugins.pki import PKI_NOW, TestPKI

SELF_REF = b"\xd8\x1c\x81\xd8\x1d\x00"  # 28([29(0)]): a list that contains itself


def _shared_dag(levels: int) -> bytes:
    """Each level is an array holding the previous one (shared) 20 times: small bytes,
    an astronomically large tree when walked naively."""
    out = b"\xd8\x1c\x80"  # 28([]) -> shareable 0
    for level in range(1, levels + 1):
        out = b"\xd8\x1c\x94" + out + (b"\xd8\x1d" + bytes([level - 1])) * 19
    return out


def _outcome(fn: object, data: bytes) -> object:
    try:
        return ("ok", cbor2.dumps(fn(data)))  # type: ignore[operator]
    except _cbor.CborError as exc:
        return ("error", exc.kind)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.binary(max_size=60),
    st.recursive(st.none() | st.booleans() | st.integers() | st.binary(max_size=8)
                 | st.text(max_size=8),
                 lambda kids: st.lists(kids, max_size=3)
                 | st.dictionaries(st.integers() | st.text(max_size=3), kids, max_size=3),
                 max_leaves=12).map(cbor2.dumps),
    st.integers(1, 20).map(lambda n: b"\x81" * n + b"\x00"),
))
def test_fast_decode_agrees_with_the_strict_decoder(data: bytes) -> None:
    assert _outcome(lambda d: _decode(d, 65536), data) == _outcome(_cbor.decode, data)


@pytest.mark.parametrize("size", [0, 1, 23, 24, 255, 256, 65535, 65536])
def test_sig_structure_bytes_are_cbor2s(size: int) -> None:
    body, content = b"\xa1\x01\x26", bytes(range(256)) * (size // 256) + bytes(size % 256)
    for aad in (b"", b"x" * 30):
        assert _sig1_tbs(body, aad, content) == cbor2.dumps(["Signature1", body, aad, content])


@pytest.mark.parametrize("data", [SELF_REF, _shared_dag(12)], ids=["cycle", "shared-dag"])
def test_shared_references_are_a_limit_not_a_hang(data: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(_cbor.CborError):
        _decode(data, 65536)
    msg, findings = parse_sign1(data)
    assert msg is None and [f.code for f in findings] == ["ID-TOO-LARGE"]
    assert time.perf_counter() - start < 1


def test_shared_references_inside_a_token(pki: TestPKI) -> None:
    validator = ChainValidator(pki.trust)
    for prot, payload in ((SELF_REF, b"\xa0"), (b"\xa1\x01\x26", SELF_REF),
                          (b"\xa1\x01\x26", _shared_dag(12))):
        tok = cbor2.dumps(cbor2.CBORTag(18, [prot, {}, payload, bytes(64)]))
        start = time.perf_counter()
        res = verify_token(tok, now=PKI_NOW, validator=validator)
        assert time.perf_counter() - start < 1
        assert not res.valid
        assert "ID-TOO-LARGE" in {f.code for f in res.findings}


def test_bad_signature_on_the_fast_path_is_explained(pki: TestPKI) -> None:
    d = pki.device
    validator = ChainValidator(pki.trust)
    tok = bytearray(create_token(d.key, d.chain, sub=d.urn, iat=pki.now))
    assert verify_token(bytes(tok), now=pki.now, validator=validator).valid
    tok[-1] ^= 0x01
    res = verify_token(bytes(tok), now=pki.now, validator=validator)
    assert not res.valid
    # the finding names the device (reports group by subject), not the COSE structure
    assert [(f.code, f.subject) for f in res.findings] == [("ID-SIG-INVALID", d.urn)]


def test_leaf_with_a_key_off_its_curve_is_a_finding(pki: TestPKI) -> None:
    from cryptography.hazmat.primitives import serialization

    d = pki.device
    tok = bytearray(create_token(d.key, d.chain, sub=d.urn, iat=pki.now))
    point = d.key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    tok[bytes(tok).index(point) + 40] ^= 0x01  # the point leaves the curve
    res = verify_token(bytes(tok), now=pki.now, validator=ChainValidator(pki.trust))
    assert not res.valid and res.findings
    direct = verify_token(bytes(tok), now=pki.now, key=d.key.public_key())
    assert not direct.valid
    assert {"ID-CERT-MALFORMED", "ID-CHAIN-UNTRUSTED"} <= {f.code for f in direct.findings}



def _hot_cases(pki: TestPKI) -> dict[str, bytes]:
    """Tokens of the usual shape that the short path must answer exactly as the general one."""
    from datetime import timedelta

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from devid._cose import sign1

    d, other = pki.device, pki.issue()
    p384 = pki.issue(key_type="p384")
    now = pki.now

    def tok(**kw: object) -> bytes:
        args: dict[str, object] = {"sub": d.urn, "iat": now, **kw}
        return create_token(d.key, d.chain, **args)  # type: ignore[arg-type]

    bad_sig = bytearray(tok())
    bad_sig[-1] ^= 0x01
    payload = _cbor.encode({2: d.urn, 6: int(now.timestamp())})
    good = cbor2.loads(tok()).value
    x5chain = [TestPKI.der(c) for c in d.chain]
    bool_prot = cbor2.dumps({True: -7, 33: x5chain})  # True == 1, but not a label
    r, s = decode_dss_signature(d.key.sign(_sig1_tbs(bool_prot, b"", payload),  # type: ignore[call-arg]
                                           ec.ECDSA(hashes.SHA256())))
    bool_sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {
        "good": tok(),
        "good-nonce": tok(nonce=bytes(range(16))),
        "good-p384": create_token(p384.key, p384.chain, sub=p384.urn, iat=now),
        "untagged": tok(tagged=False),
        "bad-signature": bytes(bad_sig),
        "expired": tok(exp=now - timedelta(seconds=1)),
        "not-expired": tok(exp=now + timedelta(hours=1)),
        "other-device-sub": tok(sub=other.urn),
        "upper-case-urn-prefix": tok(sub="URN:DEV:" + d.urn[8:]),
        "bad-ueid": tok(claims={256: b"\x01\x02"}),
        "short-nonce": tok(nonce=b"1234"),
        "kid-header": sign1(payload, d.key, protected={33: x5chain, 4: b"k"}),
        "bool-alg-label": cbor2.dumps(cbor2.CBORTag(18, [bool_prot, {}, payload, bool_sig])),
        "float-claim-key": tok(claims={2.5: 1}),
        "other-device-key": create_token(other.key, d.chain, sub=d.urn, iat=now),
        "unprotected-header": cbor2.dumps(cbor2.CBORTag(18, [
            good[0], {4: b"k"}, good[2], good[3]])),
    }


def test_short_token_path_decides_as_the_general_path(pki: TestPKI) -> None:
    from devid._token import _verify_hot

    warm = ChainValidator(pki.trust)
    assert verify_token(create_token(pki.device.key, pki.device.chain, sub=pki.device.urn,
                                     iat=pki.now), now=pki.now, validator=warm).valid
    answered = set()
    for name, tok in _hot_cases(pki).items():
        for nonce in (None, bytes(range(16))):
            # a fresh validator: the first sight of the vendor CA takes the general path
            cold = verify_token(tok, now=pki.now, validator=ChainValidator(pki.trust),
                                nonce=nonce)
            hot = verify_token(tok, now=pki.now, validator=warm, nonce=nonce)
            assert hot.to_dict() == cold.to_dict(), (name, nonce)
            assert (hot.subject, dict(hot.claims), hot.urn, hot.chain) == (
                cold.subject, dict(cold.claims), cold.urn, cold.chain), (name, nonce)
            if _verify_hot(tok, pki.now, warm, nonce) is not None:
                answered.add((name, nonce is not None))
    # the short path answers the good tokens, and nothing that has a finding
    assert answered == {("good", False), ("good-nonce", False), ("good-nonce", True),
                        ("good-p384", False), ("untagged", False), ("not-expired", False)}


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=300), st.binary(min_size=0, max_size=300),
       st.integers(0, 12), st.binary(max_size=3), st.integers(0, 3))
def test_in_place_protected_header_read_agrees_with_cbor2(
        leaf: bytes, vendor: bytes, cut: int, junk: bytes, where: int) -> None:
    from devid._token import _es256_x5chain

    def bstr(b: bytes) -> bytes:
        return b"\x59" + len(b).to_bytes(2, "big") + b
    good = b"\xa2\x01\x26\x18\x21\x82" + bstr(leaf) + bstr(vendor)
    assert cbor2.loads(good) == {1: -7, 33: [leaf, vendor]}
    assert _es256_x5chain(good) == (leaf, vendor)
    # truncated, extended or with junk spliced in: either refused or still exactly the map
    variants = [good[:len(good) - cut], good + junk,
                good[:7 + where] + junk + good[7 + where:]]
    for data in variants:
        pair = _es256_x5chain(data)
        if pair is not None:
            assert cbor2.loads(data) == {1: -7, 33: list(pair)}


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=400), st.binary(min_size=0, max_size=400),
       st.sampled_from([64, 96, 63, 0]), st.integers(0, 12), st.binary(max_size=3),
       st.integers(0, 6))
def test_in_place_sign1_read_agrees_with_cbor2(
        prot: bytes, payload: bytes, sig_size: int, cut: int, junk: bytes, where: int) -> None:
    from devid._token import _sign1_parts

    sig = bytes(range(sig_size))
    data = cbor2.dumps(cbor2.CBORTag(18, [prot, {}, payload, sig]))
    if len(prot) >= 256 and len(payload) >= 24 and sig_size in (64, 96):
        assert _sign1_parts(data) == (prot, payload, sig)
    for variant in (data, data[:len(data) - cut], data + junk,
                    data[:3 + where] + junk + data[3 + where:]):
        parts = _sign1_parts(variant)
        if parts is not None:
            value = cbor2.loads(variant)
            assert value.tag == 18 and value.value == [parts[0], {}, parts[1], parts[2]]


def test_a_token_whose_certificate_has_an_unknown_version_is_a_finding(pki: TestPKI) -> None:
    """cryptography raises InvalidVersion, not ValueError, for an X.509 version of 10: a
    device sending such a certificate gets a finding on every path, never an exception."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from devid._cose import sign1

    d = pki.device
    der = bytearray(d.certificate.public_bytes(Encoding.DER))
    at = der.index(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    der[at + 4] = 0x0A
    vendor = d.chain[1].public_bytes(Encoding.DER)
    payload = cbor2.dumps({2: d.urn, 6: 1_700_000_000})
    tok = sign1(payload, d.key, protected={33: [bytes(der), vendor]})
    validator = ChainValidator(pki.trust)
    for _ in range(2):  # cold, then with the vendor CA cached (the short path)
        res = verify_token(tok, now=pki.now, validator=validator)
        assert not res.valid
        assert "ID-CERT-MALFORMED" in {f.code for f in res.findings}
    res = verify_token(tok, now=pki.now, key=d.certificate.public_key())
    assert not res.valid
