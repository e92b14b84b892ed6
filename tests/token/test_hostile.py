"""Hostile input to verify_token: findings, fast; never an exception."""

from __future__ import annotations

import os
import time

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid._certs import ChainValidator
from devid._token import create_token, verify_token
from tests.plugins.pki import PKI_NOW, TestPKI


@pytest.fixture(scope="module")
def validator(pki: TestPKI) -> ChainValidator:
    return ChainValidator(pki.trust)


def _nested_claims() -> bytes:
    return cbor2.dumps(cbor2.CBORTag(18, [b"\xa1\x01\x26", {}, b"\x81" * 30 + b"\x00",
                                          b"\x00" * 64]))


HOSTILE = {
    "empty": b"",
    "one byte": b"\xd2",
    "random": os.urandom(2048),
    "truncated array": b"\xd2\x84\x43\xa1\x01\x26",
    "deep arrays": b"\x81" * 10000 + b"\x00",
    "deep maps": b"\xa1\x00" * 10000 + b"\x00",
    "deep tags": b"\xd8\x2a" * 10000 + b"\x00",
    "indefinite": b"\x9f" * 5000,
    "huge bstr": b"\x5b\x7f\xff\xff\xff\xff\xff\xff\xff",
    "huge array": b"\x9b\x7f\xff\xff\xff\xff\xff\xff\xff",
    "huge map": b"\xbb\x7f\xff\xff\xff\xff\xff\xff\xff",
    "huge text": b"\x7b\x7f\xff\xff\xff\xff\xff\xff\xff",
    "over 64 KiB": cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"x" * 70000, b""])),
    "wrong tag": cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""])),
    "a map": cbor2.dumps({1: 2}),
    "five items": cbor2.dumps([b"", {}, b"", b"", b""]),
    "nested claims": _nested_claims(),
    "bad utf8": b"\x63\xff\xfe\xfd",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_yields_findings_fast(name: str, validator: ChainValidator) -> None:
    start = time.perf_counter()
    res = verify_token(HOSTILE[name], now=PKI_NOW, validator=validator)
    assert time.perf_counter() - start < 0.5
    assert not res.valid and res.findings
    assert {f.code for f in res.findings} <= {
        "ID-CBOR-MALFORMED", "ID-TOO-LARGE", "ID-COSE-STRUCTURE", "ID-ALG-UNPROTECTED",
        "ID-X5CHAIN-MISSING", "ID-CLAIM-MISSING", "ID-CLAIM-INVALID"}


def test_size_limit_is_64_kib(pki: TestPKI, validator: ChainValidator) -> None:
    d = pki.device
    pad = 65536 - 1400
    tok = create_token(d.key, d.chain, sub=d.urn, iat=pki.now, claims={-65537: b"p" * pad})
    assert len(tok) <= 65536
    assert verify_token(tok, now=pki.now, validator=validator).valid
    big = create_token(d.key, d.chain, sub=d.urn, iat=pki.now, claims={-65537: b"p" * 65536})
    res = verify_token(big, now=pki.now, validator=validator)
    assert [f.code for f in res.findings] == ["ID-TOO-LARGE"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes(validator: ChainValidator, data: bytes) -> None:
    res = verify_token(data, now=PKI_NOW, validator=validator)
    assert not res.valid and res.findings


@pytest.fixture(scope="module")
def good_token(pki: TestPKI) -> bytes:
    d = pki.device
    return create_token(d.key, d.chain, sub=d.urn, iat=pki.now, nonce=bytes(16))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_tokens(validator: ChainValidator, good_token: bytes, data: st.DataObject) -> None:
    buf = bytearray(good_token)
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(0, len(buf) - 1))] = data.draw(st.integers(0, 255))
    mutated = bytes(buf[:data.draw(st.integers(1, len(buf)))])
    res = verify_token(mutated, now=PKI_NOW, validator=validator)
    # every byte is signed or structural (the unprotected map is the empty a0;
    # any other byte there breaks the structure), so any change invalidates
    assert res.valid == (mutated == good_token)
    assert res.valid or res.findings


def test_truncations_of_a_good_token(good_token: bytes, validator: ChainValidator) -> None:
    for cut in range(len(good_token)):
        res = verify_token(good_token[:cut], now=PKI_NOW, validator=validator)
        assert not res.valid
