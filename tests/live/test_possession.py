"""judge_possession: the pure verdict on the answers to one challenge."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from devid._certs import ChainValidator
from devid._provision import generate_key
from devid._token import create_token
from devid.live import Possession, Response, challenge_payload, judge_possession
from tests.plugins.pki import TestPKI

SENT = 1_780_000_000.0


def _answer(pki: TestPKI, nonce: bytes | None, *, dev=None, key=None, sub=None) -> bytes:
    dev = dev or pki.device
    return create_token(key or dev.key, [dev.certificate, pki.vendor.certificate],
                        sub=sub or dev.urn, iat=int(SENT), nonce=nonce)


def _judge(pki: TestPKI, responses: list[Response], nonce: bytes, timeout: float = 2.0):
    return judge_possession(pki.device.urn, nonce, responses, sent=SENT, timeout=timeout,
                            validator=ChainValidator(pki.trust), now=pki.now)


def _codes(result) -> set[str]:
    return {f.code for f in result.findings}


def test_fresh_answer_proves_possession(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [Response(_answer(pki, nonce), SENT + 0.05)], nonce)
    assert res.possession is Possession.PROVEN, res.findings
    assert res.proven and res.findings == ()
    assert res.latency == pytest.approx(0.05)


def test_duplicate_delivery_of_one_answer_is_not_a_clone(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    answer = _answer(pki, nonce)
    res = _judge(pki, [Response(answer, SENT + 0.1), Response(answer, SENT + 0.2)], nonce)
    assert res.possession is Possession.PROVEN


def test_stale_nonce_is_nonce_mismatch(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    old = _answer(pki, secrets.token_bytes(24))
    res = _judge(pki, [Response(old, SENT + 0.1)], nonce)
    assert res.possession is Possession.FAILED
    assert "ID-NONCE-MISMATCH" in _codes(res)


def test_answer_without_nonce_is_nonce_mismatch(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [Response(_answer(pki, None), SENT + 0.1)], nonce)
    assert _codes(res) == {"ID-NONCE-MISMATCH"}


@pytest.mark.parametrize("retain, dt", [(True, 0.1), (False, -0.5)])
def test_replayed_response_is_flagged_even_with_the_right_nonce(
        pki: TestPKI, retain: bool, dt: float) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [Response(_answer(pki, nonce), SENT + dt, retain=retain)], nonce)
    assert res.possession is Possession.FAILED
    assert "ID-NONCE-MISMATCH" in _codes(res)


def test_wrong_key_is_signature_invalid(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [Response(_answer(pki, nonce, key=generate_key()), SENT + 0.1)], nonce)
    assert res.possession is Possession.FAILED
    assert "ID-SIG-INVALID" in _codes(res)


def test_untrusted_chain(pki: TestPKI, foreign_pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    dev = foreign_pki.issue(urn=pki.device.urn, serial="0001")
    answer = create_token(dev.key, [dev.certificate, foreign_pki.vendor.certificate],
                          sub=dev.urn, iat=int(SENT), nonce=nonce)
    res = _judge(pki, [Response(answer, SENT + 0.1)], nonce)
    assert res.possession is Possession.FAILED
    assert "ID-CHAIN-UNTRUSTED" in _codes(res)


def test_expired_certificate(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    dev = pki.issue(not_after=pki.now - timedelta(days=1))
    answer = create_token(dev.key, [dev.certificate, pki.vendor.certificate], sub=dev.urn,
                          iat=int(SENT), nonce=nonce)
    res = judge_possession(dev.urn, nonce, [Response(answer, SENT + 0.1)], sent=SENT,
                           timeout=2, validator=ChainValidator(pki.trust), now=pki.now)
    assert "ID-CERT-EXPIRED" in _codes(res)
    assert not res.proven


def test_two_responders_are_a_clone(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    # ECDSA signatures are randomised: two devices holding the same key answer differently
    a, b = _answer(pki, nonce), _answer(pki, nonce)
    assert a != b
    res = _judge(pki, [Response(a, SENT + 0.1), Response(b, SENT + 0.15)], nonce)
    assert res.possession is Possession.FAILED
    assert "ID-CLONE" in _codes(res)


def test_clone_with_another_certificate(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    twin = pki.issue(urn=pki.device.urn, serial="0001")
    b = create_token(twin.key, [twin.certificate, pki.vendor.certificate], sub=twin.urn,
                     iat=int(SENT), nonce=nonce)
    res = _judge(pki, [Response(_answer(pki, nonce), SENT + 0.1), Response(b, SENT + 0.2)],
                 nonce)
    clone = [f for f in res.findings if f.code == "ID-CLONE"]
    assert clone and clone[0].evidence["certificates"] and len(
        clone[0].evidence["certificates"]) == 2


def test_answer_for_another_device(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    other = pki.issue()
    answer = _answer(pki, nonce, dev=other)
    res = _judge(pki, [Response(answer, SENT + 0.1)], nonce)
    assert "ID-RESPONSE-SUBJECT" in _codes(res)
    assert not res.proven


def test_no_answer_and_late_answer(pki: TestPKI) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [], nonce)
    assert res.possession is Possession.NO_RESPONSE
    assert _codes(res) == {"ID-CHALLENGE-TIMEOUT"}
    late = _judge(pki, [Response(_answer(pki, nonce), SENT + 5)], nonce, timeout=2)
    assert late.possession is Possession.NO_RESPONSE
    assert late.findings[0].evidence["late"] == 1


@pytest.mark.parametrize("junk", [b"", b"\xff", b"\x9f" * 40, b"\xa1\x01" * 10, b"x" * 70_000])
def test_garbage_responses_are_findings(pki: TestPKI, junk: bytes) -> None:
    nonce = secrets.token_bytes(24)
    res = _judge(pki, [Response(junk, SENT + 0.1)], nonce)
    assert res.possession is Possession.FAILED
    assert res.findings and all(f.is_error for f in res.findings[:1])


def test_challenge_payload() -> None:
    from devid._cbor import decode

    nonce = secrets.token_bytes(16)
    assert decode(challenge_payload(nonce)) == {"nonce": nonce}
    with pytest.raises(ValueError):
        challenge_payload(b"short")
