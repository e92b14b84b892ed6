"""A map with a repeated key is not valid CBOR (RFC 8949 §5.6) and never a valid token.

cbor2 (like most decoders) keeps the last of two equal keys; another implementation may
keep the first, and then read a different ``alg`` or ``sub`` from the same signed bytes.
devid refuses such tokens on every path: the short path (a fleet token, no revocation
list), the general path (with a revocation list) and plain COSE verification.
"""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from devid._certs import ChainValidator, RevocationList
from devid._cose import ES256, parse_sign1
from devid._token import verify_token
from tests.plugins.pki import TestPKI
from tests.token.helpers import raw_sign


def _pair(key: Any, value: Any) -> bytes:
    return cbor2.dumps(key) + cbor2.dumps(value)


def _map(*pairs: bytes) -> bytes:
    assert len(pairs) < 24
    return bytes([0xA0 + len(pairs)]) + b"".join(pairs)


def _token(pki: TestPKI, prot_b: bytes, payload: bytes, unprot: bytes = b"\xa0") -> bytes:
    tbs = cbor2.dumps(["Signature1", prot_b, b"", payload])
    sig = raw_sign(pki.device.key, ES256, tbs)
    body = b"\x84" + cbor2.dumps(prot_b) + unprot + cbor2.dumps(payload) + cbor2.dumps(sig)
    return b"\xd2" + body


def _prot(pki: TestPKI, *extra: bytes) -> bytes:
    return _map(_pair(1, ES256), _pair(33, list(pki.device.chain_der)), *extra)


def _claims(pki: TestPKI, *extra: bytes) -> bytes:
    return _map(_pair(2, pki.device.urn), _pair(6, int(pki.now.timestamp()) - 60), *extra)


def _validators(pki: TestPKI) -> list[ChainValidator]:
    warm = ChainValidator(pki.trust)  # the vendor CA cached: the short path is taken
    good = _token(pki, _prot(pki), _claims(pki))
    assert verify_token(good, now=pki.now, validator=warm).valid
    general = ChainValidator(pki.trust, revocation=RevocationList.from_entries([]))
    return [warm, general]


def _verdict(pki: TestPKI, token: bytes) -> list[tuple[bool, list[str], str]]:
    out = []
    for validator in _validators(pki):
        result = verify_token(token, now=pki.now, validator=validator)
        out.append((result.valid, [f.code for f in result.findings],
                    " ".join(f.message for f in result.findings)))
    return out


@pytest.mark.parametrize("where", ["protected-alg", "claims-sub", "claims-iat", "claims-nested"])
def test_a_repeated_key_makes_the_token_invalid_on_every_path(pki: TestPKI, where: str) -> None:
    prot, claims = _prot(pki), _claims(pki)
    if where == "protected-alg":  # {1: -7, 33: chain, 1: -35}: ES256 or ES384?
        prot = _prot(pki, _pair(1, -35))
    elif where == "claims-sub":  # {2: this device, 6: iat, 2: another device}
        claims = _claims(pki, _pair(2, "urn:dev:ops:32473-SmartLock-9999"))
    elif where == "claims-iat":
        claims = _claims(pki, _pair(6, 0))
    else:  # an unknown claim holding a map with a repeated key
        claims = _claims(pki, cbor2.dumps(-70099) + _map(_pair("a", 1), _pair("a", 2)))
    for valid, codes, messages in _verdict(pki, _token(pki, prot, claims)):
        assert not valid
        assert codes == ["ID-CBOR-MALFORMED"], codes
        assert "duplicate map key" in messages


def test_a_repeated_unprotected_label_is_refused(pki: TestPKI) -> None:
    unprot = _map(_pair(4, b"kid1"), _pair(4, b"kid2"))
    token = _token(pki, _prot(pki), _claims(pki), unprot)
    msg, findings = parse_sign1(token)
    assert msg is None and [f.code for f in findings] == ["ID-CBOR-MALFORMED"]
    for valid, codes, _ in _verdict(pki, token):
        assert not valid and codes == ["ID-CBOR-MALFORMED"]


def test_keys_equal_only_as_python_values_also_count(pki: TestPKI) -> None:
    """1 and 1.0 are different CBOR keys, but a decoded dict would keep only one."""
    claims = _claims(pki, cbor2.dumps(-70099) + _map(_pair(1, "x"), _pair(1.0, "y")))
    for valid, codes, _ in _verdict(pki, _token(pki, _prot(pki), claims)):
        assert not valid and codes == ["ID-CBOR-MALFORMED"]


def test_distinct_keys_in_nested_maps_are_fine(pki: TestPKI) -> None:
    claims = _claims(pki, cbor2.dumps(-70099) + _map(_pair("a", 1), _pair("b", 2)))
    for valid, codes, _ in _verdict(pki, _token(pki, _prot(pki), claims)):
        assert valid and codes == []
