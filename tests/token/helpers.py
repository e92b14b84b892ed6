"""Build tokens the rules reject: any headers and claims, correctly signed.

Independent of devid's signer: the Sig_structure and the raw ``r || s``
signature are made here with cbor2 + cryptography.
"""

from __future__ import annotations

from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

_HASH: dict[int, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    -7: hashes.SHA256, -35: hashes.SHA384, -36: hashes.SHA512}


def raw_sign(key: Any, alg: int, tbs: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(tbs)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    size = (key.curve.key_size + 7) // 8
    r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(_HASH[alg]())))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def make_token(
    key: Any,
    *,
    protected: dict[Any, Any],
    claims: dict[Any, Any] | bytes | None,
    unprotected: dict[Any, Any] | None = None,
    sign_alg: int = -7,
    tagged: bool = True,
) -> bytes:
    """A COSE_Sign1 over ``claims`` (a map, raw payload bytes, or None for detached)."""
    prot_b = cbor2.dumps(protected) if protected else b""
    payload = claims if isinstance(claims, bytes) or claims is None else cbor2.dumps(claims)
    tbs = cbor2.dumps(["Signature1", prot_b, b"", payload if payload is not None else b""])
    body = [prot_b, unprotected or {}, payload, raw_sign(key, sign_alg, tbs)]
    return cbor2.dumps(cbor2.CBORTag(18, body) if tagged else body)
