"""COSE_Sign1 (RFC 9052 §4.2) on cbor2 + cryptography: parse, verify, sign.

Pure: bytes in, findings out. Nothing here raises because of what a message
contains; :func:`parse_sign1` and :func:`verify_sign1` return findings. Only
misuse (a key type devid cannot sign with, conflicting arguments) raises.

Decisions (documented in docs/identity.md):

* **Empty protected header.** RFC 9052 §3 says senders SHOULD encode an empty
  protected map as ``h''`` and recipients MUST accept ``h'A0'`` too; §4.4 puts
  ``h''`` in the Sig_structure when there are no protected attributes. devid
  signs with ``h''``. When verifying a message whose protected bucket is
  ``h'A0'`` it builds the Sig_structure with ``h''`` (the rule of §4.4) and,
  for interoperability, also accepts a signature made over the literal
  ``h'A0'`` bytes: the authenticated content is the same empty map either way.
* **Lenient vs strict.** :func:`verify_sign1` applies the MUSTs of RFC 9052/9053
  by default. Two SHOULD-level deviations are reported as *warnings* and the
  signature is still checked: ``alg`` present only in the unprotected bucket
  (``ID-ALG-UNPROTECTED``), and an ECDSA hash paired with a NIST curve other
  than the one RFC 9053 §2.1 suggests, e.g. ES512 with a P-256 key
  (``ID-ALG-KEY-MISMATCH``; the signature is then as long as the key's curve
  requires). With ``strict=True`` (what identity tokens use, spec §3) both are
  errors and the signature is not checked.
* **Algorithms.** ES256, ES384, ES512 (raw ``r || s`` signatures, RFC 9053
  §2.1) and EdDSA with Ed25519 or Ed448. Anything else, HSS-LMS included, is
  ``ID-ALG-UNSUPPORTED``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from devid import _cbor
from devid._findings import Finding, Severity, finding, safe_repr

ES256, ES384, ES512, EDDSA = -7, -35, -36, -8

#: COSE header labels devid reads (RFC 9052 §3.1, RFC 9360 §2).
HDR_ALG, HDR_CRIT, HDR_CTY, HDR_KID, HDR_X5CHAIN = 1, 2, 3, 4, 33
#: CBOR tags: COSE_Sign1 (RFC 9052 §2) and CWT (RFC 8392 §6).
TAG_SIGN1, TAG_CWT = 18, 61

#: Names of algorithms, for messages (supported and a few well-known others).
ALG_NAMES: Mapping[int, str] = MappingProxyType(
    {
        ES256: "ES256",
        ES384: "ES384",
        ES512: "ES512",
        EDDSA: "EdDSA",
        -46: "HSS-LMS",
        -37: "PS256",
        -38: "PS384",
        -39: "PS512",
        -257: "RS256",
        -47: "ES256K",
        -19: "Ed25519",
        -53: "Ed448",
    }
)

# alg -> (hash, the curve RFC 9053 §2.1 pairs it with)
_ECDSA: Mapping[int, tuple[type[hashes.HashAlgorithm], str]] = MappingProxyType(
    {
        ES256: (hashes.SHA256, "secp256r1"),
        ES384: (hashes.SHA384, "secp384r1"),
        ES512: (hashes.SHA512, "secp521r1"),
    }
)
_ECDSA_SIG: Mapping[int, ec.ECDSA] = MappingProxyType(
    {alg: ec.ECDSA(h()) for alg, (h, _) in _ECDSA.items()})
_CURVE_ALG: Mapping[str, int] = MappingProxyType({c: a for a, (_, c) in _ECDSA.items()})
_CURVE_BYTES: Mapping[str, int] = MappingProxyType(
    {"secp256r1": 32, "secp384r1": 48, "secp521r1": 66}
)
#: Critical header labels devid understands (RFC 9052 §3.1 crit).
_UNDERSTOOD = frozenset({HDR_ALG, HDR_CRIT, HDR_CTY, HDR_KID, HDR_X5CHAIN})
_EMPTY: Mapping[Any, Any] = MappingProxyType({})
_SUBJECT = "COSE_Sign1"


def alg_name(alg: object) -> str:
    """A readable name for an ``alg`` header value."""
    if isinstance(alg, int) and not isinstance(alg, bool) and alg in ALG_NAMES:
        return ALG_NAMES[alg]
    return safe_repr(alg, 80)


@dataclass(frozen=True, slots=True)
class Sign1:
    """A parsed COSE_Sign1 message (RFC 9052 §4.2).

    ``protected_bytes`` are the protected bucket exactly as received (the
    signature covers them); ``payload`` is ``None`` for a detached payload.
    """

    protected: Mapping[Any, Any]
    protected_bytes: bytes
    unprotected: Mapping[Any, Any]
    payload: bytes | None
    signature: bytes
    tagged: bool

    @property
    def alg(self) -> Any:
        """The ``alg`` header: from the protected bucket, else the unprotected one."""
        if HDR_ALG in self.protected:
            return self.protected[HDR_ALG]
        return self.unprotected.get(HDR_ALG)

    def header(self, label: Any) -> Any:
        """A header parameter, protected bucket first (``None`` if absent)."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)


_SCALARS = frozenset({int, str, bytes, bool, float, type(None)})
_BREAK = _cbor.BREAK_MARKER  # also what _fast_decode returns for bytes it does not decode


def _plain(value: Any, levels: int) -> bool:
    """True when ``value`` holds no tags and no containers deeper than ``levels``."""
    tp = type(value)
    if tp in _SCALARS:
        return tp is not str or _cbor.REPLACEMENT not in value  # U+FFFD: strict decode
    if levels <= 0:
        return False
    if tp is list:
        for item in value:
            if (type(item) not in _SCALARS or type(item) is str) and not _plain(item, levels - 1):
                return False
        return True
    if tp is dict:
        for key, item in value.items():
            if type(key) not in _SCALARS or (type(key) is str and _cbor.REPLACEMENT in key):
                return False
            if (type(item) not in _SCALARS or type(item) is str) and not _plain(item, levels - 1):
                return False
        return True
    return False


_local = threading.local()


def _fast_decode(data: bytes) -> Any:
    """One data item decoded by a reused (per-thread) cbor2 decoder; ``_BREAK`` when the
    bytes are anything but exactly one well-formed item within the depth limit."""
    dec = getattr(_local, "decoder", None)
    if dec is None:
        # max_depth: recent cbor2 (5.9 here); without it _plain still bounds the depth
        dec = _cbor.new_decoder(io.BytesIO(b""), max_depth=_cbor.MAX_DEPTH + 1)
        _local.decoder = dec
    fp = io.BytesIO(data)
    try:
        dec.fp = fp
        value = dec.decode()
    except Exception:  # the strict decoder explains it
        _local.decoder = None  # a fresh decoder after any failure
        return _BREAK
    return value if fp.tell() == len(data) else _BREAK


def _decode(data: bytes, max_size: int) -> Any:
    """:func:`devid._cbor.decode` at about the cost of ``cbor2.loads`` for plain items.

    The common case (one data item, no trailing bytes, no tags, at most 3 levels of
    arrays/maps) is decided here; anything else (an error, a tag, deeper nesting) is
    decoded again by :func:`devid._cbor.decode`, so results and errors are its own.
    """
    if len(data) <= max_size:
        value = _fast_decode(data)
        if value is not _BREAK and _plain(value, 3) and _keys_unique(value, data):
            return value
    return _cbor.decode(data, max_size=max_size)


def _keys_unique(value: Any, data: bytes) -> bool:
    """For a fast-decoded plain value: True when no map in ``data`` can hide a duplicate
    key, decided in O(1) for the usual shape (one top-level map of non-map values: its
    declared pair count equals the dict's size). Other shapes with maps inside: False, and
    :func:`devid._cbor.decode` walks the bytes."""
    if type(value) is dict:
        if _cbor.map_count(data) != len(value):
            return False
        inner: Any = value.values()
    elif type(value) is list:
        inner = value
    else:
        return True
    for item in inner:
        if type(item) is dict or (type(item) is list and any(type(x) is dict for x in item)):
            return False
    return True


def _decode_sign1(data: bytes, max_size: int) -> Any:
    """The outer COSE_Sign1 (a tag around an array): :func:`_decode`, tag 18 allowed."""
    if len(data) <= max_size:
        value = _fast_decode(data)
        inner = value.value if type(value) is cbor2.CBORTag and value.tag == TAG_SIGN1 else value
        if _cbor.FROZEN_TAGS and type(inner) is tuple:  # cbor2 6: the array as a tuple
            value = _cbor.thaw(value)
            inner = value.value
        # a non-empty unprotected map goes to the strict decoder, which checks its keys
        if type(inner) is list and _plain(inner, 2) and not (
                len(inner) > 1 and type(inner[1]) is dict and inner[1]):
            return value
    return _cbor.decode(data, max_size=max_size)


def _f(code: str, message: str, **evidence: Any) -> Finding:
    return finding(code, message, subject=_SUBJECT, evidence=evidence or None)


def _is_label(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def parse_sign1(data: bytes, *, max_size: int = 65536) -> tuple[Sign1 | None, tuple[Finding, ...]]:
    """Parse a tagged (18) or untagged COSE_Sign1.

    Returns the message and no findings, or ``None`` and the findings that
    explain why not (``ID-TOO-LARGE``, ``ID-CBOR-MALFORMED``,
    ``ID-COSE-STRUCTURE``). A CWT tag (61) around the COSE_Sign1 is accepted.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_sign1() takes bytes")
    data = bytes(data)
    if len(data) > max_size:
        return None, (_f("ID-TOO-LARGE", f"{len(data)} bytes exceeds the {max_size}-byte limit",
                         size=len(data), limit=max_size),)
    try:
        value = _decode_sign1(data, max_size)
    except _cbor.CborError as exc:
        code = "ID-TOO-LARGE" if exc.kind == "limit" else "ID-CBOR-MALFORMED"
        return None, (_f(code, f"not decodable CBOR: {exc}", reason=str(exc)),)

    tagged = False
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_CWT:
        value = value.value
    if isinstance(value, cbor2.CBORTag):
        if value.tag != TAG_SIGN1:
            return None, (_f("ID-COSE-STRUCTURE",
                             f"CBOR tag {value.tag} is not COSE_Sign1 (tag 18)", tag=value.tag),)
        tagged = True
        value = value.value
    if not isinstance(value, list) or len(value) != 4:
        what = f"an array of {len(value)}" if isinstance(value, list) else type(value).__name__
        return None, (_f("ID-COSE-STRUCTURE",
                         f"COSE_Sign1 is an array of 4 items, got {what}"),)
    prot_b, unprot, payload, signature = value
    if (type(prot_b) is bytes and type(unprot) is dict and not unprot
            and type(payload) is bytes and type(signature) is bytes and prot_b):
        fast = _parse_common(prot_b, payload, signature, tagged, max_size)
        if fast is not None:
            return fast, ()
    problems: list[Finding] = []
    if not isinstance(prot_b, bytes):
        problems.append(_f("ID-COSE-STRUCTURE", "protected header is not a byte string"))
    if not isinstance(unprot, dict):
        problems.append(_f("ID-COSE-STRUCTURE", "unprotected header is not a map"))
    if payload is not None and not isinstance(payload, bytes):
        problems.append(_f("ID-COSE-STRUCTURE", "payload is neither a byte string nor nil"))
    if not isinstance(signature, bytes):
        problems.append(_f("ID-COSE-STRUCTURE", "signature is not a byte string"))
    if problems:
        return None, tuple(problems)
    assert isinstance(prot_b, bytes) and isinstance(unprot, dict) and isinstance(signature, bytes)

    protected: Any = {}
    if prot_b:
        try:
            protected = _decode(prot_b, max_size)
        except _cbor.CborError as exc:
            code = "ID-TOO-LARGE" if exc.kind == "limit" else "ID-CBOR-MALFORMED"
            return None, (_f(code, f"protected header is not decodable CBOR: {exc}",
                             reason=str(exc)),)
        if not isinstance(protected, dict):
            return None, (_f("ID-COSE-STRUCTURE", "protected header does not encode a map"),)

    for bucket, name in ((protected, "protected"), (unprot, "unprotected")):
        bad = [k for k in bucket if type(k) is not int and type(k) is not str]
        if bad and not all(_is_label(k) for k in bad):  # int/str subclasses are fine
            problems.append(_f("ID-COSE-STRUCTURE",
                               f"{name} header has a label that is neither int nor text",
                               label=repr(bad[0])[:80]))
    if unprot and protected:
        both = [k for k in protected if k in unprot]
        if both:
            # RFC 9052 §3: a label MUST NOT occur in both buckets.
            problems.append(_f("ID-COSE-STRUCTURE", "header label in both buckets",
                               label=repr(both[0])[:80]))
    if HDR_CRIT in protected or HDR_CRIT in unprot:
        problems.extend(_check_crit(protected, unprot))
    if problems:
        return None, tuple(problems)
    msg = Sign1(
        protected=MappingProxyType(protected) if protected else _EMPTY,
        protected_bytes=prot_b,
        unprotected=MappingProxyType(unprot) if unprot else _EMPTY,
        payload=payload,
        signature=signature,
        tagged=tagged,
    )
    return msg, ()


def _parse_common(prot_b: bytes, payload: bytes, signature: bytes, tagged: bool,
                  max_size: int) -> Sign1 | None:
    """The usual message (non-empty protected map with int labels and no crit, empty
    unprotected map, attached payload) without the general checks; ``None`` for anything
    else (the general path then decides, with its findings)."""
    value = _fast_decode(prot_b) if len(prot_b) <= max_size else _BREAK
    if type(value) is not dict or not value or HDR_CRIT in value or not _plain(value, 3) \
            or not _keys_unique(value, prot_b):
        return None
    for label in value:
        if type(label) is not int:
            return None
    return Sign1(MappingProxyType(value), prot_b, _EMPTY, payload, signature, tagged)


def _check_crit(protected: Mapping[Any, Any], unprot: Mapping[Any, Any]) -> list[Finding]:
    """RFC 9052 §3.1 crit: protected only, a non-empty array of labels devid understands."""
    if HDR_CRIT in unprot:
        return [_f("ID-COSE-STRUCTURE", "crit (2) must be in the protected header")]
    if HDR_CRIT not in protected:
        return []
    crit = protected[HDR_CRIT]
    if not isinstance(crit, list) or not crit or not all(_is_label(x) for x in crit):
        return [_f("ID-COSE-STRUCTURE", "crit (2) is not a non-empty array of labels")]
    unknown = [x for x in crit if x not in _UNDERSTOOD]
    if unknown:
        return [_f("ID-COSE-STRUCTURE", "crit names a header devid does not understand",
                   labels=[repr(x) for x in unknown][:8])]
    missing = [x for x in crit if x not in protected]
    if missing:
        return [_f("ID-COSE-STRUCTURE", "crit names a header that is not in the protected header",
                   labels=[repr(x) for x in missing][:8])]
    return []


def sig_structure(msg: Sign1, *, external_aad: bytes = b"", payload: bytes | None = None,
                  literal_protected: bool = False) -> bytes:
    """The ToBeSigned bytes (RFC 9052 §4.4) of ``msg``.

    An empty protected map contributes ``h''`` unless ``literal_protected`` asks
    for the received bytes (e.g. ``h'A0'``).
    """
    body = msg.protected_bytes if (msg.protected or literal_protected) else b""
    content = msg.payload if msg.payload is not None else payload
    if content is None:
        raise ValueError("detached payload: pass payload=")
    return _sig1_tbs(body, bytes(external_aad), bytes(content))


def _bstr_head(size: int) -> bytes:
    """The CBOR head of a byte string of ``size`` bytes (RFC 8949 §3, shortest form)."""
    if size < 24:
        return bytes((0x40 | size,))
    if size < 0x100:
        return bytes((0x58, size))
    if size < 0x10000:
        return b"\x59" + size.to_bytes(2, "big")
    if size < 0x100000000:
        return b"\x5a" + size.to_bytes(4, "big")
    return b"\x5b" + size.to_bytes(8, "big")


_SIG1_PREFIX = b"\x84\x6aSignature1"  # array(4), "Signature1"


def _sig1_tbs(body: bytes, aad: bytes, content: bytes) -> bytes:
    """``cbor2.dumps(["Signature1", body, aad, content])``, built directly (same bytes)."""
    return b"".join((_SIG1_PREFIX, _bstr_head(len(body)), body, _bstr_head(len(aad)), aad,
                     _bstr_head(len(content)), content))


#: The concrete class of cryptography's EC public keys: an exact type test is much cheaper
#: than isinstance against the ABC on the per-message path (other classes take the ABC test).
_EC_PUBLIC_TYPE: type[Any] = type(ec.derive_private_key(1, ec.SECP256R1()).public_key())


def _key_alg_problem(alg: int, key: object, strict: bool) -> tuple[Finding | None, bool]:
    """Check that ``key`` fits ``alg``: (finding or None, whether to go on verifying)."""
    if (type(key) is _EC_PUBLIC_TYPE and alg in _ECDSA
            and cast(ec.EllipticCurvePublicKey, key).curve.name == _ECDSA[alg][1]):
        return None, True
    if alg == EDDSA:
        if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            return None, True
        return _f("ID-ALG-KEY-MISMATCH", f"EdDSA needs an Ed25519/Ed448 key, got {_key_desc(key)}",
                  alg=alg, key=_key_desc(key)), False
    _, curve = _ECDSA[alg]
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return _f("ID-ALG-KEY-MISMATCH",
                  f"{alg_name(alg)} needs an EC key, got {_key_desc(key)}",
                  alg=alg, key=_key_desc(key)), False
    if key.curve.name == curve:
        return None, True
    if key.curve.name not in _CURVE_BYTES:
        return _f("ID-ALG-KEY-MISMATCH", f"{alg_name(alg)} with unsupported curve {key.curve.name}",
                  alg=alg, key=_key_desc(key)), False
    text = (f"{alg_name(alg)} with a {key.curve.name} key; RFC 9053 §2.1 pairs it with "
            f"{curve}")
    if strict:
        return _f("ID-ALG-KEY-MISMATCH", text, alg=alg, key=_key_desc(key)), False
    return finding("ID-ALG-KEY-MISMATCH", text, subject=_SUBJECT, severity=Severity.WARNING,
                   evidence={"alg": alg, "key": _key_desc(key)}), True


def _key_desc(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"EC {key.curve.name}"
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "Ed448"
    name = type(key).__name__.removeprefix("_")
    size = getattr(key, "key_size", None)
    return f"{name} {size}" if size else name


def verify_sign1(
    msg: Sign1,
    key: PublicKeyTypes,
    *,
    external_aad: bytes = b"",
    payload: bytes | None = None,
    strict: bool = False,
) -> tuple[Finding, ...]:
    """Verify ``msg``'s signature with ``key``; no error finding means valid.

    ``payload`` supplies a detached payload (used only when the message's
    payload is nil). ``strict`` applies the devid/1 token rules: ``alg`` must be
    protected and ECDSA curves must be the RFC 9053 pairing (see module doc).
    Findings: ``ID-ALG-UNPROTECTED``, ``ID-ALG-UNSUPPORTED``,
    ``ID-ALG-KEY-MISMATCH``, ``ID-SIG-INVALID``, ``ID-COSE-STRUCTURE``.
    """
    out: list[Finding] = []
    if HDR_ALG in msg.protected:
        alg = msg.protected[HDR_ALG]
    elif HDR_ALG in msg.unprotected:
        alg = msg.unprotected[HDR_ALG]
        text = "alg is only in the unprotected header"
        out.append(_f("ID-ALG-UNPROTECTED", text, alg=repr(alg)[:40]) if strict else
                   finding("ID-ALG-UNPROTECTED", text, subject=_SUBJECT,
                           severity=Severity.WARNING, evidence={"alg": repr(alg)[:40]}))
        if strict:
            return tuple(out)
    else:
        return (_f("ID-ALG-UNPROTECTED", "no alg header"),)

    if isinstance(alg, bool) or not isinstance(alg, int) or (alg not in _ECDSA and alg != EDDSA):
        out.append(_f("ID-ALG-UNSUPPORTED", f"alg {alg_name(alg)} is not supported",
                      alg=alg if isinstance(alg, int | str) else repr(alg)[:40]))
        return tuple(out)
    problem, go_on = _key_alg_problem(alg, key, strict)
    if problem is not None:
        out.append(problem)
    if not go_on:
        return tuple(out)
    if msg.payload is None and payload is None:
        out.append(_f("ID-COSE-STRUCTURE", "detached payload and none supplied"))
        return tuple(out)

    if not _check_signature(msg, key, alg, external_aad, payload):
        out.append(_f("ID-SIG-INVALID", f"{alg_name(alg)} signature does not verify",
                      alg=alg, signature_bytes=len(msg.signature)))
    return tuple(out)


def _check_signature(msg: Sign1, key: PublicKeyTypes, alg: int, aad: bytes,
                     payload: bytes | None) -> bool:
    if _verify_raw(key, alg, msg.signature, sig_structure(msg, external_aad=aad, payload=payload)):
        return True
    if msg.protected_bytes and not msg.protected:
        # h'A0' (or another empty-map encoding): accept a signature over the literal bytes.
        tbs = sig_structure(msg, external_aad=aad, payload=payload, literal_protected=True)
        return _verify_raw(key, alg, msg.signature, tbs)
    return False


def _verify_raw(key: PublicKeyTypes, alg: int, signature: bytes, tbs: bytes) -> bool:
    try:
        if type(key) is _EC_PUBLIC_TYPE or isinstance(key, ec.EllipticCurvePublicKey):
            key = cast(ec.EllipticCurvePublicKey, key)
            size = _CURVE_BYTES[key.curve.name]
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            der = encode_dss_signature(r, s)
            key.verify(der, tbs, _ECDSA_SIG[alg])
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, tbs)
        else:  # pragma: no cover - excluded by _key_alg_problem
            return False
    except InvalidSignature:
        return False
    return True


def default_alg(key: PrivateKeyTypes | PublicKeyTypes) -> int:
    """The alg devid uses for ``key``: ES256/384/512 by curve, EdDSA for Ed25519/Ed448."""
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if key.curve.name in _CURVE_ALG:
            return _CURVE_ALG[key.curve.name]
    elif isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey
                    | ed448.Ed448PrivateKey | ed448.Ed448PublicKey):
        return EDDSA
    raise ValueError(f"no COSE signature algorithm for a {_key_desc(key)} key")


def sign1(
    payload: bytes | None,
    key: PrivateKeyTypes,
    *,
    alg: int | None = None,
    protected: Mapping[Any, Any] | None = None,
    unprotected: Mapping[Any, Any] | None = None,
    external_aad: bytes = b"",
    tagged: bool = True,
    detached_payload: bytes | None = None,
) -> bytes:
    """Create a COSE_Sign1 signed with ``key``; ``alg`` defaults from the key.

    ``alg`` goes in the protected header. For a detached payload pass
    ``payload=None`` and the content as ``detached_payload``. The protected map
    is encoded canonically; an empty one as ``h''``. Raises ``ValueError`` for a
    key that cannot sign with ``alg``.
    """
    if alg is None:
        alg = default_alg(key)
    prot: dict[Any, Any] = dict(protected or {})
    if prot.get(HDR_ALG, alg) != alg:
        raise ValueError("protected alg differs from alg=")
    prot[HDR_ALG] = alg
    prot_b = _cbor.encode(prot) if prot else b""
    content = payload if payload is not None else detached_payload
    if content is None:
        raise ValueError("no payload: pass payload or detached_payload")
    tbs = cbor2.dumps(["Signature1", prot_b, bytes(external_aad), content])
    if alg in _ECDSA:
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name not in _CURVE_BYTES:
            raise ValueError(f"{alg_name(alg)} needs a P-256/P-384/P-521 private key")
        size = _CURVE_BYTES[key.curve.name]
        r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(_ECDSA[alg][0]())))
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    elif alg == EDDSA:
        if not isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
            raise ValueError("EdDSA needs an Ed25519 or Ed448 private key")
        signature = key.sign(tbs)
    else:
        raise ValueError(f"alg {alg_name(alg)} is not supported for signing")
    body = [prot_b, dict(unprotected or {}), payload, signature]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, body) if tagged else body)


__all__ = [
    "EDDSA",
    "ES256",
    "ES384",
    "ES512",
    "Sign1",
    "alg_name",
    "default_alg",
    "parse_sign1",
    "sig_structure",
    "sign1",
    "verify_sign1",
]
