"""Identity in captures (--trust): the retained token verified as of the capture's time."""

from __future__ import annotations

from datetime import UTC, datetime

from devid._certs import ChainValidator
from devid._token import create_token
from tests.plugins.message_captures import LOCK_URN, T0, Session, codes
from tests.plugins.pki import TestPKI


def _token(pki: TestPKI, *, sub: str | None = None, profiles: list[str] | None = None,
           exp: int | None = None, nonce: bytes | None = None) -> bytes:
    claims = {-70001: profiles} if profiles else None
    return create_token(pki.device.key, pki.device.chain_der, sub=sub or pki.device.urn,
                        iat=int(T0) - 3600, exp=exp, claims=claims, nonce=nonce)


def test_valid_identity_token(pki: TestPKI) -> None:
    assert pki.device.urn == LOCK_URN
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token(pki, profiles=["smart-lock/1"]))
    result = s.check(validator=ChainValidator(pki.trust))
    assert result.findings == []


def test_untrusted_chain(pki: TestPKI, foreign_pki: TestPKI) -> None:
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token(pki))
    result = s.check(validator=ChainValidator(foreign_pki.trust))
    assert "ID-CHAIN-UNTRUSTED" in codes(result)
    assert all(f.subject == LOCK_URN for f in result.findings)


def test_token_of_another_device_on_this_topic(pki: TestPKI) -> None:
    other = pki.issue()
    token = create_token(other.key, other.chain_der, sub=other.urn, iat=int(T0) - 3600)
    s = Session("smart-lock/1")
    s.healthy(60, identity=token)
    result = s.check(validator=ChainValidator(pki.trust))
    assert codes(result) == ["ID-SUB-MISMATCH"]


def test_token_verified_as_of_the_capture_time(pki: TestPKI) -> None:
    # expires one hour after the capture started: valid then, though long expired now
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token(pki, exp=int(T0) + 3600))
    assert codes(s.check(validator=ChainValidator(pki.trust))) == []
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token(pki, exp=int(T0) - 10))
    assert codes(s.check(validator=ChainValidator(pki.trust))) == ["ID-TOKEN-EXPIRED"]
    assert datetime.now(UTC).timestamp() > T0


def test_identity_missing_with_trust(pki: TestPKI) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    assert codes(s.check()) == []
    assert codes(s.check(validator=ChainValidator(pki.trust))) == ["ID-TOKEN-MISSING"]


def test_garbage_identity_is_a_finding(pki: TestPKI) -> None:
    s = Session("smart-lock/1")
    s.healthy(60, identity=b"\x00\x01 not cose")
    result = s.check(validator=ChainValidator(pki.trust))
    assert result.findings and all(f.code.startswith("ID-") for f in result.findings)


def test_challenge_response_nonce(pki: TestPKI) -> None:
    nonce = bytes(range(16))
    for answer, expected in ((nonce, []), (b"\xee" * 16, ["ID-NONCE-MISMATCH"])):
        s = Session("smart-lock/1")
        s.healthy(60, identity=_token(pki))
        s.pub("challenge", {"nonce": nonce}, dt=1)
        s.raw("challenge/response", _token(pki, nonce=answer), dt=0.3)
        assert codes(s.check(validator=ChainValidator(pki.trust))) == expected
