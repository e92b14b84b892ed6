"""devid identity tokens (spec devid/1 §3): create and verify.

An identity token is a COSE_Sign1 whose protected header carries ``alg``
(ES256, ES384 or EdDSA) and ``x5chain`` (33: the device certificate's DER
first, then the vendor CA), and whose payload is a CWT claims set with the
device URN as ``sub`` (2) and the issue time ``iat`` (6).

:func:`verify_token` applies every rule of §3 and returns a :class:`TokenResult`
carrying all findings; it never raises for anything the token contains. Trust
comes either from a :class:`devid._certs.ChainValidator` (the certificate chain
is validated against trust anchors, profile §2 and revocation included) or from
a public key the caller trusts directly (``key=``; the chain then only supplies
the leaf, whose key must be that key, and its URN for the ``sub`` binding).

Pure: bytes and an explicit ``now`` in, findings out.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from devid import _cbor
from devid._certs import ChainValidator, _aware, parse_certificate, read_leaf, urn_problem
from devid._cose import (
    _EC_PUBLIC_TYPE,
    _ECDSA_SIG,
    _SCALARS,
    EDDSA,
    ES256,
    ES384,
    HDR_ALG,
    HDR_X5CHAIN,
    TAG_SIGN1,
    _check_signature,
    _decode,
    _fast_decode,
    _sig1_tbs,
    alg_name,
    default_alg,
    parse_sign1,
    sign1,
    verify_sign1,
)
from devid._findings import Finding, bounded, finding, has_errors, safe_repr

#: CWT / EAT claim keys devid checks (RFC 8392 §4, RFC 9711 §4).
SUB, IAT, EXP, EAT_NONCE, UEID, OEMID, HWMODEL, SWVERSION, PROFILES = (
    2, 6, 4, 10, 256, 258, 259, 271, -70001)
#: Token algorithms of spec §3, with the leaf key each requires.
TOKEN_ALGS: Mapping[int, str] = MappingProxyType(
    {ES256: "EC P-256", ES384: "EC P-384", EDDSA: "Ed25519"})
MAX_TOKEN_SIZE = 64 * 1024

_PROFILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[0-9]+$")
_EMPTY: Mapping[int, Any] = MappingProxyType({})


class _ChainResultLike(Protocol):
    @property
    def valid(self) -> bool: ...
    @property
    def leaf(self) -> x509.Certificate | None: ...
    @property
    def urn(self) -> str | None: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...


class ChainValidatorLike(Protocol):
    """What :func:`verify_token` needs of :class:`devid._certs.ChainValidator`."""

    def validate(self, leaf: bytes | x509.Certificate,
                 intermediates: Sequence[bytes | x509.Certificate], *,
                 now: datetime) -> _ChainResultLike: ...


@dataclass(frozen=True, slots=True)
class TokenResult:
    """The verdict on one identity token.

    ``valid`` is true when no finding is an error. ``subject`` is the ``sub``
    claim when it is a string (whether or not it matched); ``urn`` is the leaf
    certificate's URN; ``claims`` the decoded claims set (empty if undecodable).
    """

    valid: bool
    subject: str | None
    claims: Mapping[int, Any]
    findings: tuple[Finding, ...]
    leaf: x509.Certificate | None = None
    urn: str | None = None
    chain: tuple[bytes, ...] = field(default=(), repr=False)

    def to_dict(self, input_name: str | None = None) -> dict[str, Any]:
        """The ``--json`` shape: input, valid, subject, findings."""
        return {
            "input": input_name,
            "valid": self.valid,
            "subject": self.subject,
            "findings": [f.to_dict() for f in self.findings],
        }


# --------------------------------------------------------------------------- create


def _der(cert: bytes | x509.Certificate) -> bytes:
    if isinstance(cert, x509.Certificate):
        return cert.public_bytes(serialization.Encoding.DER)
    return bytes(cert)


def _seconds(value: int | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime must be timezone-aware")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a time is an int (Unix seconds) or an aware datetime")
    return value


def create_token(
    key: PrivateKeyTypes,
    chain: Sequence[bytes | x509.Certificate],
    *,
    sub: str,
    iat: int | datetime,
    exp: int | datetime | None = None,
    nonce: bytes | None = None,
    claims: Mapping[int, Any] | None = None,
    alg: int | None = None,
    tagged: bool = True,
) -> bytes:
    """Sign an identity token with the device ``key``.

    ``chain`` is the device certificate first, then intermediates (DER or
    certificates); one certificate is carried as a single bstr. ``claims`` adds
    further claims (e.g. ``{256: ueid, 271: ["1.2.0"]}``) but may not repeat
    sub/iat/exp/eat_nonce. ``alg`` defaults from the key (ES256 for P-256,
    ES384 for P-384, EdDSA for Ed25519). Raises ``ValueError`` on misuse.
    """
    if not chain:
        raise ValueError("chain: at least the device certificate is needed")
    if alg is None:
        alg = default_alg(key)
    if alg not in TOKEN_ALGS:
        raise ValueError(f"alg {alg_name(alg)} is not a devid/1 token algorithm")
    payload: dict[int, Any] = {SUB: sub, IAT: _seconds(iat)}
    if exp is not None:
        payload[EXP] = _seconds(exp)
    if nonce is not None:
        payload[EAT_NONCE] = bytes(nonce)
    for k, v in (claims or {}).items():
        if k in payload:
            raise ValueError(f"claim {k} is set by its own argument")
        payload[k] = v
    ders = [_der(c) for c in chain]
    x5chain: bytes | list[bytes] = ders[0] if len(ders) == 1 else ders
    return sign1(_cbor.encode(payload), key, alg=alg, protected={HDR_X5CHAIN: x5chain},
                 tagged=tagged)


# --------------------------------------------------------------------------- file forms

_TEXT_BYTES = frozenset(b"\t\n\r\x0b\x0c" + bytes(range(0x20, 0x7f)))


def token_bytes(data: bytes) -> bytes:
    """The token in a file's content: raw CBOR as is, or hex / base64 text decoded.

    A COSE_Sign1 always starts with a non-ASCII byte (0xD2 tagged, 0x84
    untagged, 0xD8 for a CWT tag), so content that is entirely printable ASCII
    is taken as text: hex digits first (whitespace, ``:`` and a ``0x`` prefix
    allowed), else base64 or base64url (padding optional). Text that is
    neither is returned unchanged (and then fails to parse as CBOR).
    """
    if not data or not all(b in _TEXT_BYTES for b in data[:4096]) or any(
            b not in _TEXT_BYTES for b in data):
        return data
    text = b"".join(data.split())
    try:
        return bytes.fromhex(text.removeprefix(b"0x").replace(b":", b"").decode("ascii"))
    except ValueError:
        pass
    alphabet = text.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    try:
        return base64.b64decode(alphabet + b"=" * (-len(alphabet) % 4), validate=True)
    except (ValueError, binascii.Error):
        return data


# --------------------------------------------------------------------------- verify


def _f(code: str, message: str, subject: str | None, **evidence: Any) -> Finding:
    return finding(code, message, subject=subject, evidence=evidence or None)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_ALG_CURVE: Mapping[int, str] = MappingProxyType({ES256: "secp256r1", ES384: "secp384r1"})


def _key_fits(alg: int, key: object) -> bool:
    if type(key) is _EC_PUBLIC_TYPE:
        curve: str = key.curve.name  # type: ignore[attr-defined]
        return curve == _ALG_CURVE.get(alg)
    if alg == EDDSA:
        return isinstance(key, ed25519.Ed25519PublicKey)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name == {ES256: "secp256r1", ES384: "secp384r1"}[alg]
    return False


def _key_desc(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__.removeprefix("_").removesuffix("PublicKey") or "unknown"


def _same_key(a: PublicKeyTypes, b: PublicKeyTypes) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        return a.public_bytes(*spki) == b.public_bytes(*spki)
    except (ValueError, TypeError):
        return False


def verify_token(
    data: bytes,
    *,
    now: datetime,
    validator: ChainValidatorLike | None = None,
    key: PublicKeyTypes | None = None,
    nonce: bytes | None = None,
) -> TokenResult:
    """Verify an identity token as of ``now`` (timezone-aware) against spec §3.

    Pass exactly one of ``validator`` (trust anchors, profile, revocation) and
    ``key`` (a public key trusted directly). With ``nonce`` (a challenge), the
    token's ``eat_nonce`` must equal it. Raises ``ValueError`` only on misuse.
    """
    if (validator is None) == (key is None):
        raise ValueError("pass exactly one of validator= and key=")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if type(validator) is ChainValidator and type(data) is bytes:
        hot = _verify_hot(data, now, validator, nonce)
        if hot is not None:
            return hot
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("verify_token() takes bytes")

    msg, parse_findings = parse_sign1(bytes(data), max_size=MAX_TOKEN_SIZE)
    if msg is None:
        return TokenResult(False, None, _EMPTY, parse_findings)
    out: list[Finding] = []

    # claims first: the subject names every later finding
    claims, subject = _decode_claims(msg.payload, out)
    subj = subject

    # alg: protected, and one of the token algorithms
    alg = msg.protected.get(HDR_ALG)
    alg_ok = False
    if alg is None:
        where = "only in the unprotected header" if HDR_ALG in msg.unprotected else "missing"
        out.append(_f("ID-ALG-UNPROTECTED", f"alg is {where}; spec §3 requires it protected",
                      subj))
    elif not _is_int(alg) or alg not in TOKEN_ALGS:
        out.append(_f("ID-ALG-UNSUPPORTED",
                      f"alg {alg_name(alg)} is not a token algorithm (ES256, ES384, EdDSA)",
                      subj, alg=alg if _is_int(alg) or isinstance(alg, str) else repr(alg)[:40]))
    else:
        alg_ok = True

    # x5chain
    ders = _x5chain(msg.protected, msg.unprotected, out, subj)

    # certificates: validator or directly trusted key
    leaf: x509.Certificate | None = None
    urn: str | None = None
    sig_key: PublicKeyTypes | None = None
    if ders:
        if validator is not None:
            res = validator.validate(ders[0], ders[1:], now=now)
            out.extend(res.findings)
            leaf, urn = res.leaf, res.urn
            if leaf is not None:
                sig_key = _leaf_key(leaf, out, subj, res.valid)
        else:
            assert key is not None
            leaf = _parse_leaf(ders[0], out, subj)
            if leaf is not None:
                urn, leaf_key, leaf_findings = read_leaf(leaf)
                out.extend(replace(f, subject=subj) for f in leaf_findings)
                if leaf_key is None or not _same_key(leaf_key, key):
                    out.append(_f("ID-CHAIN-UNTRUSTED",
                                  "the device certificate's key is not the trusted key", subj))
            sig_key = key
    elif key is not None:
        sig_key = key

    # sub = leaf URN
    if (subject is not None and urn is not None and subject != urn
            and _urn_key(subject) != _urn_key(urn)):
        out.append(_f("ID-SUB-MISMATCH", "sub differs from the device certificate's URN", subj,
                      sub=subject, urn=urn))

    # key type must match alg, then the signature
    if alg_ok and sig_key is not None:
        assert isinstance(alg, int)
        if not _key_fits(alg, sig_key):
            out.append(_f("ID-ALG-KEY-MISMATCH",
                          f"alg {alg_name(alg)} needs an {TOKEN_ALGS[alg]} key, the signer has "
                          f"{_key_desc(sig_key)}", subj, alg=alg, key=_key_desc(sig_key)))
        elif not (type(sig_key) is _EC_PUBLIC_TYPE and msg.payload is not None
                  and _check_signature(msg, sig_key, alg, b"", None)):
            # anything but a good ECDSA signature: verify_sign1 decides and explains
            out.extend(verify_sign1(msg, sig_key, strict=True))

    # time and nonce claims
    if EXP in claims:
        _check_times(claims, now, out, subj)
    if nonce is not None:
        _check_nonce(claims, nonce, out, subj)

    # name the device in every finding (the chain checks do not know the sub)
    if not out:
        return TokenResult(True, subject, MappingProxyType(claims) if claims else _EMPTY, (),
                           leaf, urn, tuple(ders))
    # COSE-level findings name the structure ("COSE_Sign1"); in a token they are the device's
    who = subj if subj is not None else urn
    findings = tuple(
        replace(f, subject=who) if who is not None and f.subject in (None, "COSE_Sign1") else f
        for f in out)
    return TokenResult(
        valid=not has_errors(findings),
        subject=subject,
        claims=MappingProxyType(claims) if claims else _EMPTY,
        findings=findings,
        leaf=leaf,
        urn=urn,
        chain=tuple(ders),
    )


#: ECDSA token algorithms of the short path: the leaf key's curve, r/s size, signature
#: algorithm.
_HOT_ALGS: Mapping[int, tuple[str, int, ec.ECDSA]] = MappingProxyType({
    ES256: ("secp256r1", 32, _ECDSA_SIG[ES256]), ES384: ("secp384r1", 48, _ECDSA_SIG[ES384])})


#: map(2), 1: -7 (ES256), 33: array(2), then a byte string with a 2-byte length (RFC 8949).
_ES256_X5CHAIN_HEAD = b"\xa2\x01\x26\x18\x21\x82\x59"


def _sign1_parts(data: bytes) -> tuple[bytes, bytes, bytes] | None:
    """``(protected, payload, signature)`` when ``data`` is ``18([h'..', {}, h'..', h'..'])``
    with the usual heads (protected with a 2-byte length, payload with a 1- or 2-byte
    length, a 64- or 96-byte signature), read in place; else ``None`` (the caller then
    decodes it). Bytes accepted here decode to exactly that message."""
    if data[:3] != b"\xd2\x84\x59":
        return None
    end = 5 + int.from_bytes(data[3:5], "big")
    if data[end:end + 1] != b"\xa0":
        return None
    head = data[end + 1:end + 2]
    if head == b"\x58":
        start = end + 3
        stop = start + data[end + 2] if len(data) > end + 2 else -1
    elif head == b"\x59":
        start = end + 4
        stop = start + int.from_bytes(data[end + 2:end + 4], "big")
    else:
        return None
    if stop < 0 or data[stop:stop + 1] != b"\x58" or len(data) != stop + 2 + (
            size := data[stop + 1] if len(data) > stop + 1 else -1) or size not in (64, 96):
        return None
    return data[5:end], data[start:stop], data[stop + 2:]


def _es256_x5chain(prot_b: bytes) -> tuple[bytes, bytes] | None:
    """``(leaf, vendor)`` when ``prot_b`` is ``{1: -7, 33: [h'leaf', h'vendor']}`` as devid
    encodes it (each certificate with a 2-byte length), read in place; else ``None`` (the
    caller then decodes it). Bytes accepted here decode to exactly that map."""
    if prot_b[:7] != _ES256_X5CHAIN_HEAD:
        return None
    end = 9 + int.from_bytes(prot_b[7:9], "big")
    if prot_b[end:end + 1] != b"\x59" or end + 3 + int.from_bytes(
            prot_b[end + 1:end + 3], "big") != len(prot_b):
        return None
    return prot_b[9:end], prot_b[end + 3:]


def _verify_hot(data: bytes, now: datetime, validator: ChainValidator,
                nonce: bytes | None) -> TokenResult | None:
    """The usual token, fully verified in the fewest steps, or ``None``.

    The usual token: a COSE_Sign1 whose protected header is exactly ``{alg: ES256 or
    ES384, x5chain: [leaf, vendor CA]}``, with an empty unprotected header and an attached
    payload, whose vendor CA ``validator`` has already validated (no revocation list).
    The same rules as the general path of :func:`verify_token`, and only a token that
    passes all of them with no finding is answered here; for anything else (``None``)
    the general path decides and names what fails. The leaf goes through
    :meth:`ChainValidator._hot_leaf` (path validation by the verifier, the device rules).
    """
    if len(data) > MAX_TOKEN_SIZE or validator._revocation is not None:
        return None
    parts = _sign1_parts(data)
    if parts is not None:
        prot_b, payload, signature = parts
    else:
        outer = _fast_decode(data)
        if type(outer) is cbor2.CBORTag:
            if outer.tag != TAG_SIGN1:
                return None
            outer = outer.value
        if type(outer) is not list or len(outer) != 4:
            return None
        prot_b, unprot, payload, signature = outer
        if (type(prot_b) is not bytes or type(unprot) is not dict or unprot
                or type(payload) is not bytes or type(signature) is not bytes):
            return None
    alg: Any
    pair = _es256_x5chain(prot_b)
    if pair is not None:
        alg, (leaf_der, vendor_der) = ES256, pair
    else:
        prot = _fast_decode(prot_b)  # _BREAK (not a dict) for h'' and for bad bytes
        if type(prot) is not dict or len(prot) != 2 or _cbor.map_count(prot_b) != 2:
            return None  # (a third pair whose key repeats one of the two: the general path)
        for label in prot:  # 1.0 or True would also find alg with .get(1)
            if type(label) is not int:
                return None
        alg, x5chain = prot.get(HDR_ALG), prot.get(HDR_X5CHAIN)
        if type(alg) is not int or type(x5chain) is not list or len(x5chain) != 2:
            return None
        leaf_der, vendor_der = x5chain
    spec = _HOT_ALGS.get(alg)
    if (spec is None or type(leaf_der) is not bytes or type(vendor_der) is not bytes
            or not leaf_der or not vendor_der):
        return None

    # the claims: what _decode_claims accepts without a finding
    claims = _fast_decode(payload)
    if type(claims) is not dict or _cbor.map_count(payload) != len(claims):
        return None  # not a map, or two keys collapsed into one: the general path says so
    subject = claims.get(SUB)
    if type(subject) is not str or IAT not in claims or urn_problem(subject) is not None:
        return None
    for claim, value in claims.items():  # with _plain(claims, 3): int keys, plain values
        if type(claim) is not int:
            return None
        kind = type(value)
        if kind not in _SCALARS and (kind is not list or not _flat(value)):
            return None  # nested maps (whose keys only the general path checks) and deeper
        rule = _CLAIM_RULES.get(claim)
        if rule is None or (kind is int and claim in _INT_CLAIMS) or (
                claim == EAT_NONCE and kind is bytes and 8 <= len(value) <= 64):
            continue
        if rule(value):
            return None
    if EXP in claims or nonce is not None:
        out: list[Finding] = []
        if EXP in claims:
            _check_times(claims, now, out, subject)
        _check_nonce(claims, nonce, out, subject)
        if out:
            return None

    # the device certificate, then sub = its URN, the key type and the token signature
    hot = validator._hot_leaf(leaf_der, vendor_der, _aware(now), subject)  # sub: a URN
    if hot is None:
        return None
    leaf, urn, key, _ = hot
    curve, size, sig_alg = spec
    if (subject != urn or type(key) is not _EC_PUBLIC_TYPE or key.curve.name != curve
            or len(signature) != 2 * size):
        return None
    der = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                               int.from_bytes(signature[size:], "big"))
    try:
        key.verify(der, _sig1_tbs(prot_b, b"", payload), sig_alg)
    except InvalidSignature:
        return None
    return TokenResult(True, subject, MappingProxyType(claims), (), leaf, urn,
                       (leaf_der, vendor_der))


def _leaf_key(leaf: x509.Certificate, out: list[Finding], subj: str | None,
              explain: bool) -> PublicKeyTypes | None:
    """The device certificate's public key; ``None`` (and, when ``explain``, a finding)
    when it does not load, e.g. an EC point that is not on its curve."""
    try:
        return leaf.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        if explain:
            out.append(_f("ID-CERT-MALFORMED",
                          f"the device certificate's public key does not load: {exc}", subj))
        return None


def _urn_key(urn: str) -> str:
    # RFC 8141 §3: "urn:" and the NID "dev" compare case-insensitively, the rest exactly
    return urn[:8].lower() + urn[8:] if urn[:8].lower() == "urn:dev:" else urn


def _parse_leaf(der: bytes, out: list[Finding], subj: str | None) -> x509.Certificate | None:
    try:
        return parse_certificate(der)
    except ValueError as exc:
        out.append(_f("ID-CERT-MALFORMED", f"x5chain[0] is not an X.509 certificate: {exc}",
                      subj))
        return None


def _x5chain(protected: Mapping[Any, Any], unprotected: Mapping[Any, Any], out: list[Finding],
             subj: str | None) -> list[bytes]:
    if HDR_X5CHAIN not in protected:
        where = " (only in the unprotected header)" if HDR_X5CHAIN in unprotected else ""
        out.append(_f("ID-X5CHAIN-MISSING", f"no x5chain (33) in the protected header{where}",
                      subj))
        return []
    value = protected[HDR_X5CHAIN]
    if isinstance(value, bytes) and value:
        return [value]
    if (isinstance(value, list) and value
            and all(isinstance(v, bytes) and v for v in value)):
        return list(value)
    out.append(_f("ID-COSE-STRUCTURE",
                  "x5chain is neither a certificate bstr nor a non-empty array of them", subj,
                  type=type(value).__name__))
    return []


def _flat(items: list[Any]) -> bool:
    """An array of scalars (``swversion``, ``profiles``)."""
    return all(type(item) in _SCALARS for item in items)


def _decode_claims(payload: bytes | None, out: list[Finding]) -> tuple[dict[int, Any], str | None]:
    if payload is None:
        out.append(_f("ID-COSE-STRUCTURE", "detached payload: a token carries its claims", None))
        return {}, None
    try:
        claims = _decode(payload, MAX_TOKEN_SIZE)
    except _cbor.CborError as exc:
        code = "ID-TOO-LARGE" if exc.kind == "limit" else "ID-CBOR-MALFORMED"
        out.append(_f(code, f"the claims set is not decodable CBOR: {exc}", None))
        return {}, None
    if not isinstance(claims, dict):
        out.append(_f("ID-CLAIM-INVALID", "the payload is not a CBOR map of claims", None,
                      type=type(claims).__name__))
        return {}, None

    sub = claims.get(SUB)
    subject = sub if isinstance(sub, str) else None
    subj = subject
    if SUB not in claims:
        out.append(_f("ID-CLAIM-MISSING", "sub (2) is required", subj, claim="sub"))
    elif subject is None:
        out.append(_f("ID-CLAIM-INVALID", "sub (2) is not a text string", subj, claim="sub"))
    elif (problem := urn_problem(subject)) is not None:
        out.append(_f("ID-CLAIM-INVALID", f"sub (2) is not a device URN: {problem}",
                      subj, claim="sub", value=subject[:200]))
    if IAT not in claims:
        out.append(_f("ID-CLAIM-MISSING", "iat (6) is required", subj, claim="iat"))
    bad_keys: list[Any] = []
    invalid: list[Finding] = []
    for key, value in claims.items():
        if type(key) is not int:
            bad_keys.append(key)
            continue
        rule = _CLAIM_RULES.get(key)
        if rule is None or (type(value) is int and key in _INT_CLAIMS) or (
                key == EAT_NONCE and type(value) is bytes and 8 <= len(value) <= 64):
            continue
        if (problem := rule(value)):
            invalid.append(_f("ID-CLAIM-INVALID", f"{_CLAIM_NAMES[key]} ({key}): {problem}",
                              subj, claim=_CLAIM_NAMES[key], value=_show(value)))
    if bad_keys:
        out.append(_f("ID-CLAIM-INVALID", "claim keys must be integers", subj,
                      keys=[repr(k)[:40] for k in bad_keys[:8]]))
    out.extend(invalid)
    return claims, subject


def _show(value: Any) -> Any:
    if isinstance(value, bytes):
        return value[:64].hex()
    if isinstance(value, int | float | bool) or value is None:
        return bounded(value)
    return safe_repr(value, 120)


def _numeric_date(value: Any) -> str | None:
    return None if _is_int(value) else "must be an integer (seconds)"


def _nonce_rule(value: Any) -> str | None:
    # RFC 9711 §4.1: bstr .size (8..64), or an array of them
    items = value if isinstance(value, list) and value else [value]
    if all(isinstance(v, bytes) and 8 <= len(v) <= 64 for v in items):
        return None
    return "must be a byte string of 8-64 bytes (or an array of them)"


def check_ueid(value: Any) -> str | None:
    """Why ``value`` is not an EAT UEID (RFC 9711 §4.2.1), or ``None`` when it is one."""
    if not isinstance(value, bytes):
        return "must be a byte string"
    if not 7 <= len(value) <= 33:
        return "must be 7-33 bytes"
    kind, body = value[0], value[1:]
    if kind == 0x01:
        return None if len(body) >= 16 else "a random UEID (0x01) needs at least 16 bytes"
    if kind == 0x02:
        return None if len(body) in (6, 8) else "an EUI UEID (0x02) is 6 or 8 bytes"
    if kind == 0x03:
        if len(body) == 14 and all(b <= 9 for b in body):
            return None
        return "an IMEI UEID (0x03) is 14 digit bytes (0-9)"
    return f"unknown UEID type 0x{kind:02x}"


def _oemid(value: Any) -> str | None:
    return None if _is_int(value) and value >= 0 else "must be a non-negative integer (PEN)"


def _hwmodel(value: Any) -> str | None:
    ok = isinstance(value, bytes) and 1 <= len(value) <= 32
    return None if ok else "must be a byte string of 1-32 bytes"


def _swversion(value: Any) -> str | None:
    ok = (isinstance(value, list) and 1 <= len(value) <= 2 and isinstance(value[0], str)
          and (len(value) == 1 or _is_int(value[1])))
    return None if ok else "must be [version text] (optionally [text, scheme int])"


def _profiles(value: Any) -> str | None:
    ok = (isinstance(value, list)
          and all(isinstance(v, str) and _PROFILE_ID.match(v) for v in value))
    return None if ok else "must be an array of profile ids like \"smart-lock/1\""


_CLAIM_RULES: dict[int, Callable[[Any], str | None]] = {
    IAT: _numeric_date, EXP: _numeric_date, EAT_NONCE: _nonce_rule, UEID: check_ueid,
    OEMID: _oemid, HWMODEL: _hwmodel, SWVERSION: _swversion, PROFILES: _profiles,
}
#: Claims whose rule an int (not bool) always satisfies (the common case, decided inline).
_INT_CLAIMS = frozenset({IAT, EXP})
_CLAIM_NAMES: Mapping[int, str] = MappingProxyType({
    SUB: "sub", IAT: "iat", EXP: "exp", EAT_NONCE: "eat_nonce", UEID: "ueid", OEMID: "oemid",
    HWMODEL: "hwmodel", SWVERSION: "swversion", PROFILES: "profiles",
})


def _check_times(claims: Mapping[int, Any], now: datetime, out: list[Finding],
                 subj: str | None) -> None:
    exp = claims.get(EXP)
    if isinstance(exp, int) and not isinstance(exp, bool) and exp <= now.timestamp():
        out.append(_f("ID-TOKEN-EXPIRED", "the token has expired (exp is not after now)", subj,
                      exp=exp, now=int(now.timestamp())))


def _check_nonce(claims: Mapping[int, Any], nonce: bytes | None, out: list[Finding],
                 subj: str | None) -> None:
    if nonce is None:
        return
    if EAT_NONCE not in claims:
        out.append(_f("ID-NONCE-MISMATCH", "eat_nonce (10) is missing from a challenge response",
                      subj, expected=nonce.hex()))
        return
    value = claims[EAT_NONCE]
    got = value if isinstance(value, list) else [value]
    if bytes(nonce) not in got:
        out.append(_f("ID-NONCE-MISMATCH", "eat_nonce differs from the challenge nonce", subj,
                      expected=nonce.hex(), got=_show(value)))


__all__ = [
    "ChainValidatorLike",
    "TokenResult",
    "check_ueid",
    "create_token",
    "token_bytes",
    "verify_token",
]
