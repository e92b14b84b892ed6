"""The fuzz harness shared by ``tests/fuzz`` (hypothesis, smoke size) and
``benchmarks/fuzz.py`` (millions of inputs): seeds, mutations and entry points.

Seeds are made by the project's own builders (``tests/plugins/pki.py``,
``tests/plugins/message_captures.py``, the shipped profiles) and read in place from the
public vectors under ``../shared/vectors`` (when present). A mutation is a list of
operations (:data:`Op`), each a tuple of small integers, applied to a seed's bytes by
:func:`mutate`: hypothesis draws the operations in the tests, :func:`random_ops` in the
benchmark, so both exercise the same code.

Each :class:`Entry` runs one public entry point on one input and names the exceptions
its API documents (``CborError``, ``ProfileError``, ...). Anything else escaping is a
bug, and so is an input that takes longer than :data:`TIME_LIMIT_S`.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from devid import (
    CborError,
    ChainValidator,
    ProfileError,
    check_identifier,
    lint_profile,
    load_certificates,
    load_profile,
    parse_sign1,
    verify_sign1,
    verify_token,
)
from devid._capture import bounded_lines, iter_capture
from devid._cbor import decode
from devid._check import CheckEngine
from devid._multicheck import check_capture_lines
from devid._token import create_token
from devid.discovery import MqttInventory, parse_service
from devid.ecosystems import HaInventory, HomieInventory, validate_config

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(os.environ.get("DEVID_VECTORS", ROOT.parent / "shared" / "vectors"))
PROFILES = ROOT / "profiles"

#: No single input may take longer than this in any entry point (issue 13 item 2).
TIME_LIMIT_S = 0.5

#: One mutation: (kind, a, b, c); the meaning of a, b, c depends on the kind.
Op = tuple[int, int, int, int]

#: Separates the fields of a multi-part input (topic / payload, messages).
FIELD = b"\x00"
RECORD = b"\n\x1e\n"

# -- mutations ---------------------------------------------------------------------------

#: Bytes that tend to matter: CBOR heads with huge lengths, break codes, deep-nesting
#: openers, DER long-form lengths, non-UTF-8, JSON and YAML structure.
TOKENS: tuple[bytes, ...] = (
    b"\xff", b"\x00", b"\x9f", b"\xbf", b"\x5f", b"\x7f", b"\x81" * 40, b"\xa1\x01" * 20,
    b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff", b"\x9b\x7f\xff\xff\xff\xff\xff\xff\xff",
    b"\x1b\xff\xff\xff\xff\xff\xff\xff\xff", b"\x3b\xff\xff\xff\xff\xff\xff\xff\xff",
    b"\xc2\x58\x40" + b"\xff" * 64, b"\xd8\x1c\x81\xd8\x1d\x00", b"\xd8\x1d\x00",
    b"\xf9\x7e\x00", b"\xfb\x7f\xf0\x00\x00\x00\x00\x00\x00", b"\xf7", b"\xf8\x20",
    b"\x30\x84\xff\xff\xff\xff", b"\x30\x80", b"\x04\x82\xff\xff", b"\x06\x00",
    b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\x80", b"\xef\xbf\xbd",
    b"[" * 64, b"{" * 64, b'{"a":1,"a":2}', b'"\\ud800"', b"1e999999", b"-0",
    b"NaN", b"Infinity", b"99999999999999999999999999999999", b"\\u0000",
    b"&a [*a, *a]", b"!!python/object:os.system", b"<<: *a", b"\t", b"\r\n",
    b"%", b"\x1b[2J", b"\xe2\x80\xae", b"a" * 300, b"urn:dev:ops:", b"devid/1/",
)

KINDS = ("flip", "set", "truncate", "delete", "insert", "token", "dup", "splice",
         "inflate", "nest", "patch", "swap")


def _at(data: bytes, a: int) -> int:
    return a % (len(data) + 1)


def apply_op(data: bytes, op: Op, others: Sequence[bytes],
             patches: Sequence[tuple[bytes, bytes]]) -> bytes:
    """``data`` with one mutation applied (never raises)."""
    kind, a, b, c = op
    name = KINDS[kind % len(KINDS)]
    n = len(data)
    if name == "flip" and n:
        i = a % n
        return data[:i] + bytes([data[i] ^ (1 << (b % 8))]) + data[i + 1:]
    if name == "set" and n:
        i = a % n
        return data[:i] + bytes([b % 256]) + data[i + 1:]
    if name == "truncate":
        return data[:_at(data, a)]
    if name == "delete" and n:
        i = a % n
        return data[:i] + data[i + 1 + b % 64:]
    if name == "insert":
        i = _at(data, a)
        return data[:i] + random.Random(c).randbytes(1 + b % 16) + data[i:]
    if name == "token":
        i = _at(data, a)
        tok = TOKENS[b % len(TOKENS)]
        return data[:i] + tok + (data[i + len(tok):] if c % 2 else data[i:])
    if name == "dup" and n:  # a segment twice: duplicate keys, extensions, lines
        i = a % n
        j = min(n, i + 1 + b % 256)
        return data[:j] + data[i:j] * (1 + c % 3) + data[j:]
    if name == "splice" and others:
        other = others[c % len(others)]
        return data[:_at(data, a)] + other[_at(other, b):]
    if name == "inflate" and n:  # a length field made huge (CBOR head or DER length)
        i = a % n
        head = (b"\x5a\xff\xff\xff\xff", b"\x7a\xff\xff\xff\xff", b"\x9a\x7f\xff\xff\xff",
                b"\xba\x7f\xff\xff\xff", b"\x84\x7f\xff\xff\xff", b"\xff")[b % 6]
        if b % 6 in (0, 1, 2, 3) and data[i] >> 5 in (2, 3, 4, 5):
            head = bytes([(data[i] & 0xE0) | 0x1A]) + head[1:]
        return data[:i] + head + data[i + 1:]
    if name == "nest":
        depth = 1 + a % 2000
        opener = (b"\x81", b"\xa1\x00", b"\xd8\x18", b"[", b'{"a":', b"- ", b"\x30\x80")[b % 7]
        i = _at(data, c)
        return data[:i] + opener * depth + data[i:]
    if name == "patch" and patches:
        old, new = patches[a % len(patches)]
        if old in data:
            return data.replace(old, new, 1 + b % 2)
        return data
    if name == "swap" and n > 1:
        i, j = sorted((a % n, b % n))
        return data[:i] + data[j:j + 1] + data[i + 1:j] + data[i:i + 1] + data[j + 1:]
    return data


def mutate(seed: bytes, ops: Sequence[Op], others: Sequence[bytes] = (),
           patches: Sequence[tuple[bytes, bytes]] = (), max_size: int = 256 * 1024) -> bytes:
    data = seed
    for op in ops:
        data = apply_op(data, op, others, patches)[:max_size]
    return data


def random_ops(rng: random.Random, max_ops: int = 4) -> list[Op]:
    return [(rng.randrange(len(KINDS)), rng.getrandbits(24), rng.getrandbits(16),
             rng.getrandbits(16)) for _ in range(1 + rng.randrange(max_ops))]


# -- the world the entry points run in ---------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """One PKI, a validator, a device key and a few built messages."""

    pki: Any
    validator: ChainValidator
    device_key: Any
    device_der: bytes
    vendor_der: bytes
    root_der: bytes
    token: bytes
    odd_certs: list[bytes] = field(default_factory=list)
    odd_tokens: list[bytes] = field(default_factory=list)
    tmp: Path = Path()


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _odd_certificates(pki: Any) -> list[tuple[bytes, Any]]:
    """Device certificates (DER, private key) with duplicate extensions and unknown
    signature, key and extension algorithms: each is issued with an extra extension
    whose OID encodes to the same length as the one it is then patched into, so the DER
    lengths stay right (the signature does not; parsing is what is fuzzed)."""
    from cryptography.x509 import ObjectIdentifier, UnrecognizedExtension
    from cryptography.x509.oid import NameOID

    from devid._certs import LEAF_KEY_USAGE
    from devid._provision import generate_key

    out: list[tuple[bytes, Any]] = []
    vendor = pki.vendor
    ku_value = LEAF_KEY_USAGE.public_bytes()
    extras = ((b"\x0f", ku_value), (b"\x11", b"\x30\x00"), (b"\x13", b"\x30\x03\x01\x01\xff"),
              (b"\x0e", b"\x04\x01\x00"), (b"\x23", b"\x30\x00"), (b"\x25", b"\x30\x00"),
              (b"\x20", b"\x30\x00"), (b"\x1f", b"\x30\x00"))
    for n, (oid_tail, value) in enumerate(extras):
        key = generate_key("p256")
        urn = f"urn:dev:ops:32473-SmartLock-F{n:03d}"
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"F{n:03d}"),
                x509.NameAttribute(NameOID.COMMON_NAME, urn)]))
            .issuer_name(vendor.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(LEAF_KEY_USAGE, critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(urn)]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                vendor.certificate.public_key()), critical=False)
            .add_extension(UnrecognizedExtension(ObjectIdentifier("2.5.29.99"), value),
                           critical=bool(n % 2))
        )
        der = _der(builder.sign(vendor.key, _hash_for(vendor.key)))
        out.append((der.replace(b"\x06\x03\x55\x1d\x63", b"\x06\x03\x55\x1d" + oid_tail, 1), key))
    der = _der(pki.device.certificate)
    key = pki.device.key
    for old, new in CERT_PATCHES:
        out.append((der.replace(old, new, 1), key))
    return out


#: Algorithm OIDs swapped for unknown ones of the same encoded length.
CERT_PATCHES: tuple[tuple[bytes, bytes], ...] = (
    # ecdsa-with-SHA256 -> 1.2.840.10045.4.3.9
    (b"\x2a\x86\x48\xce\x3d\x04\x03\x02", b"\x2a\x86\x48\xce\x3d\x04\x03\x09"),
    # P-256 -> 1.2.840.10045.3.1.6 (prime239v3) and -> 1.2.840.10045.3.1.9
    (b"\x2a\x86\x48\xce\x3d\x03\x01\x07", b"\x2a\x86\x48\xce\x3d\x03\x01\x06"),
    (b"\x2a\x86\x48\xce\x3d\x03\x01\x07", b"\x2a\x86\x48\xce\x3d\x03\x01\x09"),
    # id-ecPublicKey -> 1.2.840.10045.2.9
    (b"\x2a\x86\x48\xce\x3d\x02\x01", b"\x2a\x86\x48\xce\x3d\x02\x09"),
    # basicConstraints / keyUsage / SAN / SKI / AKI renamed into one another (duplicates)
    (b"\x06\x03\x55\x1d\x13", b"\x06\x03\x55\x1d\x0f"),
    (b"\x06\x03\x55\x1d\x0e", b"\x06\x03\x55\x1d\x23"),
    (b"\x06\x03\x55\x1d\x11", b"\x06\x03\x55\x1d\x12"),
    (b"\x06\x03\x55\x1d\x0f", b"\x06\x03\x55\x1d\x11"),
    (b"\x06\x03\x55\x1d\x23", b"\x06\x03\x55\x1d\x0e"),
    # a BIT STRING's unused-bits count, a BOOLEAN's value, UTF8String -> BMPString
    (b"\x03\x02\x07\x80", b"\x03\x02\x09\x80"),
    (b"\x01\x01\xff", b"\x01\x01\x01"),
    (b"\x0c", b"\x1e"),
)


def _hash_for(key: Any) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        return hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()
    return None


@functools.cache
def world() -> World:
    """Built once per process (key generation costs a few milliseconds)."""
    from tests.plugins.pki import build_pki

    tmp = Path(tempfile.mkdtemp(prefix="devid-fuzz-"))
    pki = build_pki(tmp / "trust")
    dev = pki.device
    vendor_der = _der(pki.vendor.certificate)
    token = create_token(dev.key, [dev.certificate, pki.vendor.certificate], sub=dev.urn, iat=NOW)
    w = World(pki, ChainValidator(pki.trust), dev.key.public_key(), _der(dev.certificate),
              vendor_der, _der(pki.root.certificate), token, tmp=tmp)
    w.odd_certs = [der for der, _ in _odd_certificates(pki)]
    w.odd_tokens = [create_token(key, [der, vendor_der], sub=dev.urn, iat=NOW)
                    for der, key in _odd_certificates(pki)]
    return w


# -- seeds ---------------------------------------------------------------------------------


def _vector_files(*parts: str, pattern: str = "*.json") -> list[Path]:
    path = VECTORS.joinpath(*parts)
    return sorted(path.rglob(pattern)) if path.is_dir() else []


@functools.cache
def cose_vectors() -> tuple[bytes, ...]:
    """The COSE_Sign1 / COSE_Sign messages of the cose-wg examples (read in place)."""
    out: list[bytes] = []
    for sub in ("sign1-tests", "ecdsa-examples", "eddsa-examples", "CWT", "x509-examples"):
        for path in _vector_files("cose-wg", sub):
            try:
                hexed = json.loads(path.read_text())["output"]["cbor"]
                out.append(bytes.fromhex(hexed))
            except (KeyError, TypeError, ValueError):
                continue
    return tuple(out)


def _session() -> Any:
    from tests.plugins.message_captures import Session

    return Session("smart-lock/1")


@functools.cache
def capture_session() -> tuple[tuple[str, bytes, bool], ...]:
    """A healthy smart-lock session with identity, events and commands: (topic, payload,
    retain) per message."""
    w = world()
    s = _session()
    s.healthy(duration=90, identity=w.token)
    s.event("jammed", {})
    cid = s.cmd("lock", {})
    s.ack("lock", cid)
    s.status("offline", dt=1)
    return tuple((m.topic, m.payload, m.retain) for m in s.messages)


@functools.cache
def capture_files() -> tuple[bytes, ...]:
    s = _session()
    s.healthy(duration=90, identity=world().token)
    s.event("jammed", {})
    lock = ("\n".join(s.lines()) + "\n").encode()
    out = [lock, lock.replace(b'"tls": true', b'"tls": false')]
    ha = ha_messages()
    homie = homie_messages()
    for msgs in (ha[:6], homie[:6]):
        lines = [json.dumps({"t": 1_700_000_000.0 + i, "topic": t, "payload_b64":
                             base64.b64encode(p).decode(), "qos": 0, "retain": True})
                 for i, (t, p) in enumerate(msgs)]
        out.append(("\n".join(lines) + "\n").encode())
    return tuple(out)


@functools.cache
def ha_messages() -> tuple[tuple[str, bytes], ...]:
    out: list[tuple[str, bytes]] = []
    for path in _vector_files("ecosystems", pattern="ha_mqtt_discovery_examples.json"):
        for ex in json.loads(path.read_text())["examples"]:
            payload = ex.get("payload")
            raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            out.append((ex["topic"], raw))
    if not out:  # no vectors: a config of devid's own export
        out.append(("homeassistant/sensor/dev1/temp/config", json.dumps(
            {"name": "T", "state_topic": "dev1/temp", "unique_id": "dev1-t",
             "device": {"identifiers": ["dev1"]}, "value_template": "{{ value_json.t }}"}
        ).encode()))
    out.append(("homeassistant/sensor/dev1/temp/config", json.dumps(
        {"name": "T", "state_topic": "dev1/temp", "json_attributes_topic": "dev1/attr",
         "availability_topic": "dev1/avail", "unique_id": "dev1-t",
         "device": {"identifiers": ["dev1"]}, "value_template": "{{ value_json.t | float }}"}
    ).encode()))
    out += [("dev1/temp", b'{"t": 21.5}'), ("dev1/attr", b'{"a": [1, 2]}'),
            ("dev1/avail", b"online")]
    return tuple(out)


@functools.cache
def homie_messages() -> tuple[tuple[str, bytes], ...]:
    out: list[tuple[str, bytes]] = []
    for path in _vector_files("ecosystems", pattern="homie_examples.json"):
        for ex in json.loads(path.read_text())["examples"]:
            for m in ex.get("messages", ()):
                p = m.get("payload", "")
                raw = p.encode() if isinstance(p, str) else json.dumps(p).encode()
                out.append((m["topic"], raw))
    if not out:
        out += [("homie/5/d1/$state", b"ready"), ("homie/5/d1/$description", json.dumps(
            {"homie": "5.0", "version": 1, "nodes": {"n": {"properties": {
                "p": {"datatype": "float", "format": "-20:120"}}}}}).encode()),
            ("homie/5/d1/n/p", b"21.5")]
    return tuple(out)


def pack(messages: Sequence[tuple[str, bytes]]) -> bytes:
    """Several (topic, payload) messages as one fuzzable input (see :func:`unpack`)."""
    return RECORD.join(t.encode() + FIELD + p for t, p in messages)


def unpack(data: bytes, default_topic: str) -> list[tuple[str, bytes]]:
    out = []
    for part in data.split(RECORD)[:64]:
        topic, sep, payload = part.partition(FIELD)
        if not sep:
            topic, payload = default_topic.encode(), part
        out.append((topic.decode("utf-8", "replace"), payload))
    return out


def _txt_wire(entries: Sequence[str | bytes]) -> bytes:
    out = b""
    for e in entries:
        raw = e.encode() if isinstance(e, str) else e
        out += bytes([min(len(raw), 255)]) + raw[:255]
    return out


@functools.cache
def txt_seeds() -> tuple[bytes, ...]:
    out: list[bytes] = []
    for path in _vector_files("ecosystems", pattern="mdns_txt_examples.json"):
        for ex in json.loads(path.read_text())["examples"]:
            txt = ex.get("txt") or []
            if isinstance(txt, dict):
                txt = [f"{k}={v}" if v is not None else k for k, v in txt.items()]
            out.append(ex["service_type"].encode() + FIELD + ex.get("instance", "x").encode()
                       + FIELD + _txt_wire(txt))
    urn = world().pki.device.urn
    out.append(b"_devid._tcp" + FIELD + b"lock-0001" + FIELD + _txt_wire(
        ["txtvers=1", f"urn={urn}", "profile=smart-lock/1", "broker=mqtts://10.0.0.2:8883",
         "fw=1.2.3", "tk=abcdefgh"]))
    out.append(b"_matterc._udp" + FIELD + b"0123456789ABCDEF" + FIELD + _txt_wire(
        ["D=3840", "VP=65521+32768", "CM=1", "DT=10", "DN=Light", "SII=5000", "PH=33"]))
    out.append(b"_hap._tcp" + FIELD + b"Lamp" + FIELD + _txt_wire(
        ["c#=2", "ff=0", "id=AA:BB:CC:DD:EE:FF", "md=Lamp", "pv=1.1", "s#=1", "sf=1", "ci=5"]))
    return tuple(out)


IDENTIFIER_SEEDS: tuple[bytes, ...] = (
    b"urn:dev:ops:32473-SmartLock-0001", b"urn:dev:mac:0024befffe804ff1",
    b"urn:dev:ow:10e2073a0108006a", b"urn:dev:org:32473-abc",
    b"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    b"urn:ietf:params:eat:ueid:0102030405060708090a", b"01deadbeefdeadbeefdeadbeefdeadbeef",
    b"MT:Y.K9042C00KA0648G00", b"34970112332", b"3840:1234", b"0x FFF1 / 0x8000",
    b"AA:BB:CC:DD:EE:FF", b"aabb.ccdd.eeff", b"02:00:5e:10:00:00:00:01",
    b"EUI-64 00-13-a2-00-41-5b-c0-57",
    b"123-45-678", b"X-HM://0023ISYWY1234", b"f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
)


@functools.cache
def profile_seeds() -> tuple[bytes, ...]:
    return tuple(p.read_bytes() for p in sorted(PROFILES.glob("*.yaml")))


# -- entry points -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One public entry point: its seeds, how to run one input, what it may raise."""

    name: str
    run: Callable[[bytes], object]
    seeds: Callable[[], Sequence[bytes]]
    allowed: tuple[type[BaseException], ...] = ()
    patches: tuple[tuple[bytes, bytes], ...] = ()
    doc: str = ""

    def check(self, data: bytes) -> float:
        """Run one input; return its time. Raises AssertionError (with the exception
        as its cause) when an exception the entry point does not document escapes."""
        import time

        start = time.perf_counter()
        try:
            self.run(data)
        except self.allowed:
            pass
        except Exception as exc:
            raise AssertionError(f"{self.name}: {type(exc).__name__}: {exc!s:.300}") from exc
        return time.perf_counter() - start


#: COSE / CBOR substitutions: unknown and mismatched algorithms, unknown crit labels,
#: x5chain as an array, bstr payload as a map, huge ints.
COSE_PATCHES: tuple[tuple[bytes, bytes], ...] = (
    (b"\xa1\x01\x26", b"\xa1\x01\x39\x03\xe6"),  # ES256 -> -999
    (b"\x01\x26", b"\x01\x27"),  # ES256 -> EdDSA
    (b"\x01\x26", b"\x01\x38\x22"),  # ES256 -> ES384 (-35)
    (b"\x01\x26", b"\x01\x38\x24"),  # ES256 -> PS256 (-37)
    (b"\x01\x26", b"\x01\x63ES9"),  # alg as text
    (b"\x01\x26", b"\x01\x3b\x7f\xff\xff\xff\xff\xff\xff\xff"),
    (b"\x01\x26", b"\x02\x81\x19\x01\x00"),  # crit [256]
    (b"\x18\x21\x82", b"\x18\x21\x83"),  # x5chain with a missing third element
    (b"\x18\x21", b"\x18\x22"),  # x5chain -> x5bag label
    (b"\xd2\x84", b"\xd2\x85"),
    (b"\xd2\x84", b"\xd8\x62\x84"),  # COSE_Sign tag
    (b"\x0a\x4c", b"\x0a\x5b\x00\x00\x00\x00\x00\x00\x00\x0c"),  # nonce, long-form length
)


def _run_cbor(data: bytes) -> None:
    decode(data)


def _run_cose(data: bytes) -> None:
    msg, _ = parse_sign1(data)
    if msg is not None:
        w = world()
        verify_sign1(msg, w.device_key)
        verify_sign1(msg, w.device_key, strict=True)


def _run_token_validator(data: bytes) -> None:
    verify_token(data, now=NOW, validator=world().validator)


def _run_token_key(data: bytes) -> None:
    verify_token(data, now=NOW, key=world().device_key, nonce=b"0123456789ab")


def _run_certs(data: bytes) -> None:
    w = world()
    if b"-----BEGIN" not in data:
        w.validator.validate(data, [w.vendor_der], now=NOW)
        w.validator.validate(w.device_der, [data], now=NOW)
    certs = load_certificates(data)  # ValueError when no certificate: documented
    w.validator.validate(certs[0], certs[1:], now=NOW)


def _cert_seeds() -> list[bytes]:
    from devid._provision import cert_pem

    w = world()
    pem = cert_pem(w.pki.device.certificate) + cert_pem(w.pki.vendor.certificate)
    return [w.device_der, w.vendor_der, w.root_der, pem, *w.odd_certs]


def _token_seeds() -> list[bytes]:
    w = world()
    out = [w.token, *w.odd_tokens]
    dev = w.pki.device
    out.append(create_token(dev.key, [dev.certificate], sub=dev.urn, iat=NOW,
                            nonce=b"0123456789ab", claims={256: b"\x01" + b"\x02" * 16,
                                                           271: ["1.2.0"]}))
    out.append(create_token(dev.key, [dev.certificate, w.pki.vendor.certificate], sub=dev.urn,
                            iat=NOW, exp=datetime(2030, 1, 1, tzinfo=UTC), tagged=False))
    return out


def _run_txt(data: bytes) -> None:
    stype, _, rest = data.partition(FIELD)
    name, _, wire = rest.partition(FIELD)
    parse_service(stype.decode("utf-8", "replace"), name.decode("utf-8", "replace"), wire,
                  addresses=("10.0.0.2",), port=8883, host="dev.local.")
    parse_service(stype.decode("utf-8", "replace"), name.decode("utf-8", "replace"),
                  [e for e in wire.split(b"\x01") if e], host=None)


def _run_capture(data: bytes) -> None:
    for _ in iter_capture(bounded_lines(io.BytesIO(data), "fuzz"), "fuzz"):
        pass


def _run_check(data: bytes) -> None:
    """Mutated message payloads into a check engine that has seen a healthy session."""
    msgs = capture_session()
    engine = CheckEngine(_lock_profile(), validator=world().validator)
    t = 1_700_000_000.0
    pos = data[0] if data else 0
    for i, (given, payload) in enumerate(unpack(data[1:], msgs[0][0])):
        topic = msgs[pos % len(msgs)][0] if i == 0 and given == msgs[0][0] else given
        engine.feed_raw(t + i, topic, payload, bool(pos & 1), i + 1)
    engine.finish()


def _check_seeds() -> list[bytes]:
    msgs = capture_session()
    return [bytes([i]) + t.encode() + FIELD + p for i, (t, p, _r) in enumerate(msgs)] + [
        bytes([0]) + pack([(t, p) for t, p, _r in msgs[:8]])]


def _run_multicheck(data: bytes) -> None:
    check_capture_lines(bounded_lines(io.BytesIO(data), "fuzz"), None, source="fuzz",
                        validator=world().validator)


@functools.cache
def _lock_profile() -> Any:
    return load_profile("smart-lock/1")


def _run_profile(data: bytes) -> None:
    path = world().tmp / f"profile-{os.getpid()}.yaml"
    path.write_bytes(data)
    lint_profile(path)
    load_profile(path)  # ProfileError: documented


def _run_identifier(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    check_identifier(text)
    check_identifier(text, production=False)


def _run_mqtt(data: bytes) -> None:
    inv = MqttInventory(max_devices=16)
    urn = world().pki.device.urn
    for topic, payload in unpack(data, f"devid/1/{urn}/identity"):
        inv.add(topic, payload, retain=bool(len(payload) & 1), t=1.0)
    inv.records()


def _mqtt_seeds() -> list[bytes]:
    w = world()
    urn = w.pki.device.urn
    status = cbor2.dumps({"state": "online", "ts": 1_700_000_000_000, "fw": "1.0.0"})
    out = [pack([(f"devid/1/{urn}/identity", w.token), (f"devid/1/{urn}/status", status)])]
    out += [pack([(f"devid/1/{urn}/identity", t)]) for t in w.odd_tokens]
    out.append(pack([(f"devid/1/{urn}/status", status)]))
    return out


def _run_ha(data: bytes) -> None:
    inv = HaInventory()
    for topic, payload in unpack(data, "homeassistant/sensor/x/y/config"):
        inv.add(topic, payload, retain=True, t=1.0)
        if topic.endswith("/config"):
            validate_config(topic, payload, retain=True, t=1.0)
    inv.devices()
    inv.orphan_findings()


def _run_homie(data: bytes) -> None:
    inv = HomieInventory()
    for topic, payload in unpack(data, "homie/5/d1/$description"):
        inv.add(topic, payload, retain=True, t=1.0)
    inv.devices()
    inv.orphan_findings()


def _grouped(messages: Sequence[tuple[str, bytes]], prefix_len: int) -> list[bytes]:
    """Per device (topic prefix) one input holding its messages; plus one of all."""
    by: dict[str, list[tuple[str, bytes]]] = {}
    for t, p in messages:
        by.setdefault("/".join(t.split("/")[:prefix_len]), []).append((t, p))
    return [pack(v) for v in by.values()] + [pack(messages[:40])]


def _ha_seeds() -> list[bytes]:
    return _grouped(ha_messages(), 4)


def _homie_seeds() -> list[bytes]:
    return _grouped(homie_messages(), 3)


def _cbor_seeds() -> list[bytes]:
    w = world()
    out = [w.token, *cose_vectors(), *(p for _t, p, _r in capture_session())]
    out.append(cbor2.dumps({1: [1.5, -2, b"x", "y", None, True], "k": {2: cbor2.CBORTag(1, 0)}}))
    return out


ENTRIES: dict[str, Entry] = {e.name: e for e in (
    Entry("cbor", _run_cbor, _cbor_seeds, (CborError,), COSE_PATCHES,
          "devid._cbor.decode"),
    Entry("cose", _run_cose, lambda: [world().token, *world().odd_tokens, *cose_vectors()],
          (), COSE_PATCHES, "parse_sign1 + verify_sign1"),
    Entry("token-validator", _run_token_validator, _token_seeds, (), COSE_PATCHES + CERT_PATCHES,
          "verify_token(validator=ChainValidator)"),
    Entry("token-key", _run_token_key, _token_seeds, (), COSE_PATCHES + CERT_PATCHES,
          "verify_token(key=...)"),
    Entry("certs", _run_certs, _cert_seeds, (ValueError,), CERT_PATCHES,
          "load_certificates + ChainValidator.validate"),
    Entry("txt", _run_txt, txt_seeds, (), (), "discovery.parse_service (TXT parsers)"),
    Entry("capture", _run_capture, capture_files, (), (),
          "_capture.bounded_lines + iter_capture"),
    Entry("check", _run_check, _check_seeds, (), COSE_PATCHES, "CheckEngine.feed_raw + finish"),
    Entry("multicheck", _run_multicheck, capture_files, (), COSE_PATCHES,
          "_multicheck.check_capture_lines"),
    Entry("profile", _run_profile, profile_seeds, (ProfileError,), (),
          "lint_profile + load_profile on a file"),
    Entry("identifier", _run_identifier, lambda: IDENTIFIER_SEEDS, (), (), "check_identifier"),
    Entry("mqtt", _run_mqtt, _mqtt_seeds, (), COSE_PATCHES + CERT_PATCHES,
          "discovery.MqttInventory.add + records"),
    Entry("ha", _run_ha, _ha_seeds, (), (), "ecosystems.HaInventory.add + validate_config"),
    Entry("homie", _run_homie, _homie_seeds, (), (), "ecosystems.HomieInventory.add"),
)}


@functools.cache
def seeds(name: str) -> tuple[bytes, ...]:
    return tuple(ENTRIES[name].seeds())


def make_input(name: str, index: int, ops: Sequence[Op]) -> bytes:
    entry = ENTRIES[name]
    pool = seeds(name)
    return mutate(pool[index % len(pool)], ops, pool, entry.patches)
