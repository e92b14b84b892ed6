"""Cross-implementation: identity tokens between devid and the ``cwt`` library."""

from __future__ import annotations

from datetime import UTC, datetime

import cbor2
import cwt
import pytest
from cryptography.hazmat.primitives import serialization

from devid._certs import ChainValidator
from devid._token import create_token, verify_token
from tests.plugins.pki import TestPKI

KEY_TYPES = [("p256", "ES256"), ("p384", "ES384"), ("ed25519", "EdDSA")]


@pytest.mark.parametrize(("key_type", "alg"), KEY_TYPES)
def test_devid_token_verifies_with_cwt(pki: TestPKI, key_type: str, alg: str) -> None:
    d = pki.issue(key_type=key_type)
    now = datetime.now(UTC)
    tok = create_token(d.key, d.chain, sub=d.urn, iat=now, exp=int(now.timestamp()) + 600,
                       claims={256: b"\x01" + bytes(16)})
    pem = d.certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    # cwt.decode() insists on a kid, which identity tokens do not carry (the key
    # comes from x5chain): verify at the COSE layer, then let cwt parse the claims.
    protected, _, payload = cwt.COSE.new().decode_with_headers(
        tok, cwt.COSEKey.from_pem(pem, alg=alg))
    assert protected[33] == list(d.chain_der)
    claims = cwt.Claims.new(cbor2.loads(payload))
    assert claims.sub == d.urn and claims.exp == int(now.timestamp()) + 600
    assert claims.to_dict()[256] == b"\x01" + bytes(16)
    # a flipped payload bit fails in cwt too
    body = cbor2.loads(tok).value
    body[2] = body[2][:-1] + bytes([body[2][-1] ^ 1])
    with pytest.raises(cwt.VerifyError):
        cwt.COSE.new().decode_with_headers(cbor2.dumps(cbor2.CBORTag(18, body)),
                                           cwt.COSEKey.from_pem(pem, alg=alg))


@pytest.mark.parametrize(("key_type", "alg"), KEY_TYPES)
def test_cwt_token_verifies_with_devid(pki: TestPKI, key_type: str, alg: str) -> None:
    d = pki.issue(key_type=key_type)
    pem = d.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    signer = cwt.COSEKey.from_pem(pem, alg=alg)
    claims = {2: d.urn, 6: int(pki.now.timestamp()), 10: bytes(16)}
    ctx = cwt.COSE.new()
    tok = ctx.encode_and_sign(cbor2.dumps(claims), signer,
                              protected={1: signer.alg, 33: list(d.chain_der)})
    res = verify_token(tok, now=pki.now, validator=ChainValidator(pki.trust), nonce=bytes(16))
    assert res.valid, res.findings
    assert res.subject == d.urn
    # a cwt token without x5chain is not an identity token
    bare = cwt.encode_and_sign(claims, signer)
    res = verify_token(bare, now=pki.now, validator=ChainValidator(pki.trust))
    assert {f.code for f in res.findings} == {"ID-X5CHAIN-MISSING"}
