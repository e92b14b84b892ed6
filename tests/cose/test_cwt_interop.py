"""Cross-implementation: COSE_Sign1 made by devid verifies with the ``cwt`` library and back."""

from __future__ import annotations

import cbor2
import cwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from devid import has_errors
from devid._cose import EDDSA, ES256, ES384, parse_sign1, sign1, verify_sign1

CASES: list[tuple[str, int, PrivateKeyTypes]] = [
    ("ES256", ES256, ec.generate_private_key(ec.SECP256R1())),
    ("ES384", ES384, ec.generate_private_key(ec.SECP384R1())),
    ("EdDSA", EDDSA, ed25519.Ed25519PrivateKey.generate()),
]


def _pem_private(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_public(key: PrivateKeyTypes) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize(("name", "alg", "key"), CASES)
def test_devid_sign1_verifies_with_cwt(name: str, alg: int, key: PrivateKeyTypes) -> None:
    data = sign1(b"devid made this", key, external_aad=b"aad", unprotected={4: b"kid-1"})
    ctx = cwt.COSE.new()
    verifier = cwt.COSEKey.from_pem(_pem_public(key), alg=name, kid="kid-1")
    assert ctx.decode(data, verifier, external_aad=b"aad") == b"devid made this"
    with pytest.raises(cwt.VerifyError):
        ctx.decode(data, verifier, external_aad=b"other")


@pytest.mark.parametrize(("name", "alg", "key"), CASES)
def test_cwt_sign1_verifies_with_devid(name: str, alg: int, key: PrivateKeyTypes) -> None:
    signer = cwt.COSEKey.from_pem(_pem_private(key), alg=name, kid="k1")
    ctx = cwt.COSE.new(alg_auto_inclusion=True, kid_auto_inclusion=True)
    data = ctx.encode_and_sign(b"cwt made this", signer, external_aad=b"aad")
    msg, findings = parse_sign1(data)
    assert msg is not None, findings
    assert msg.alg == alg and msg.payload == b"cwt made this"
    assert verify_sign1(msg, key.public_key(), external_aad=b"aad", strict=True) == ()
    assert has_errors(verify_sign1(msg, key.public_key()))


@pytest.mark.parametrize(("name", "alg", "key"), CASES)
def test_cwt_made_cwt_verifies_with_devid(name: str, alg: int, key: PrivateKeyTypes) -> None:
    signer = cwt.COSEKey.from_pem(_pem_private(key), alg=name, kid="k1")
    token = cwt.encode_and_sign({2: "urn:dev:ops:32473-Lock-1", 6: 1_700_000_000}, signer)
    msg, findings = parse_sign1(token)
    assert msg is not None, findings
    assert verify_sign1(msg, key.public_key(), strict=True) == ()
    assert msg.payload is not None
    assert cbor2.loads(msg.payload)[2] == "urn:dev:ops:32473-Lock-1"
