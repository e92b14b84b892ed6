"""Mutators for the hostile-input harnesses: valid seeds from the vectors, made hostile.

Byte-level (bit flips, truncation, splicing, insertion), DER-aware (a node retagged,
emptied, duplicated, deeply nested, given an inflated length, an unknown algorithm, a huge
integer), Matter-TLV-aware (deep nesting, inflated lengths, repeated tags, wrong types) and
JSON-aware (type swaps, deep nesting, huge values) mutations. Everything here is test code:
it never touches the library's parsers, so a seed is mutated the same way whatever the
library does with it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

# --- seeds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeds:
    certs: tuple[bytes, ...]  # DACs, PAIs, PAAs, CD signers (DER)
    cds: tuple[bytes, ...]  # CMS envelopes (DER)
    cd_contents: tuple[bytes, ...]  # TLV contents of CDs
    revocation: tuple[bytes, ...]  # revocation-set JSON documents


def load_seeds(matter: Path, limit: int = 12) -> Seeds:
    from asn1crypto import cms

    from devid.matter import CertStore

    certs: list[bytes] = []
    cds: list[bytes] = []
    folders = sorted((matter / "commissioner_dut").iterdir())
    step = max(1, len(folders) // limit)
    for folder in folders[::step][:limit]:
        data = json.loads((folder / "test_case_vector.json").read_text())
        certs += [bytes.fromhex(data["dac_cert"]), bytes.fromhex(data["pai_cert"])]
        cds.append(bytes.fromhex(data["certification_declaration"]))
    store = CertStore.from_directory(matter / "paa")
    from cryptography.hazmat.primitives.serialization import Encoding

    certs += [c.public_bytes(Encoding.DER) for c in store.certificates]
    contents = []
    for cd in cds:
        try:
            contents.append(cms.ContentInfo.load(cd)["content"]["encap_content_info"]["content"]
                            .native)
        except Exception:  # a seed that does not parse is simply not a content seed
            continue
    revocation = tuple(
        p.read_bytes() for p in sorted((matter / "revocation" / "revocation-sets").glob("*.json"))
    )
    return Seeds(tuple(certs), tuple(cds), tuple(c for c in contents if isinstance(c, bytes)),
                 revocation)


# --- DER tree ----------------------------------------------------------------------------


@dataclass
class Node:
    tag: int
    content: bytes = b""
    children: list[Node] | None = None  # constructed
    encap: Node | None = None  # DER inside an OCTET STRING / BIT STRING
    prefix: bytes = b""  # the BIT STRING's unused-bits octet when encapsulating
    length_override: bytes | None = field(default=None)
    raw: bytes | None = None  # emitted as is (a pre-built, deeply nested encoding)


def _read_der(data: bytes, pos: int, depth: int = 0) -> tuple[Node, int]:
    if depth > 100:
        raise ValueError("too deep to mutate as a tree")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tags are not mutated")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4:
            raise ValueError("length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    end = pos + length
    if end > len(data):
        raise ValueError("truncated")
    body = data[pos:end]
    node = Node(tag)
    if tag & 0x20:
        node.children = []
        p = 0
        while p < len(body):
            child, p = _read_der(body, p, depth + 1)
            node.children.append(child)
    else:
        node.content = body
        inner, prefix = (body, b"") if tag == 0x04 else (body[1:], body[:1])
        if tag in (0x03, 0x04) and len(inner) >= 2 and inner[0] in (0x30, 0x31, 0x03, 0x04):
            try:
                child, p = _read_der(inner, 0, depth + 1)
            except (ValueError, IndexError):
                child, p = None, -1
            if child is not None and p == len(inner):
                node.encap, node.prefix = child, prefix
    return node, end


def parse_der(data: bytes) -> Node:
    node, end = _read_der(data, 0)
    if end != len(data):
        raise ValueError("trailing")
    return node


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def dump_der(node: Node) -> bytes:
    if node.raw is not None:
        return node.raw
    if node.children is not None:
        body = b"".join(dump_der(c) for c in node.children)
    elif node.encap is not None:
        body = node.prefix + dump_der(node.encap)
    else:
        body = node.content
    length = node.length_override if node.length_override is not None else _length(len(body))
    return bytes([node.tag]) + length + body


def walk(node: Node, parent: Node | None = None) -> list[tuple[Node, Node | None]]:
    out = [(node, parent)]
    for child in node.children or []:
        out += walk(child, node)
    if node.encap is not None:
        out += walk(node.encap, node)
    return out


OTHER_OIDS = [
    "2a864886f70d010101",  # rsaEncryption
    "2a864886f70d01010b",  # sha256WithRSAEncryption
    "2b6570",  # Ed25519
    "2a8648ce3d040304",  # ecdsa-with-SHA512
    "2b81040022",  # secp384r1
    "2a8648ce380401",  # DSA
    "2a03",  # 1.2.3 (unknown)
    "2a864886f70d010702",  # signedData where something else belongs
    "2b0601040182a27c0201",  # Matter VID OID
    "551d0f",  # keyUsage
    "551d13",  # basicConstraints
    "ffffffffffffffffffff7f",  # an OID arc far larger than 64 bits
    "",  # empty OID
]
_RETAGS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09, 0x0A, 0x0C, 0x13, 0x16, 0x17, 0x18, 0x1E,
           0x30, 0x31, 0x80, 0xA0, 0xA3]


def _contents(rng: random.Random) -> bytes:
    return rng.choice([
        b"",
        b"\x00",
        b"\x80",
        b"\xff" * rng.randint(1, 40),
        rng.randbytes(rng.randint(1, 64)),
        b"\x03\x31\x2e\x30",  # REAL in NR1 form
        b"\x00" * 12000,  # a huge integer / long string
        b"\x40",  # REAL PLUS-INFINITY
        bytes([0x80 | 0x03]) + b"\x7f" * 5,  # binary REAL with a big exponent
    ])


def mutate_der(data: bytes, rng: random.Random) -> bytes:
    """A structure-aware mutation of one DER document (falls back to bytes when it is not DER)."""
    try:
        root = parse_der(data)
    except (ValueError, IndexError, RecursionError):
        return mutate_bytes(data, rng, [data])
    nodes = walk(root)
    node, parent = rng.choice(nodes)
    kind = rng.choice(["retag", "empty", "duplicate", "deep", "inflate", "oid", "content",
                       "drop", "swap"])
    if kind == "retag":
        new = rng.choice(_RETAGS)
        if new & 0x20 and node.children is None:
            node.children = [] if not node.content else [Node(0x04, node.content)]
            node.encap = None
        elif not new & 0x20 and node.children is not None:
            node.content = b"".join(dump_der(c) for c in node.children)
            node.children = None
        node.tag = new
    elif kind == "empty":
        node.encap = None
        node.content = b""
        if node.children is not None:
            node.children = []
    elif kind == "duplicate" and parent is not None and parent.children is not None:
        index = parent.children.index(node) if node in parent.children else 0
        for _ in range(rng.choice([1, 1, 2, 50])):
            parent.children.insert(index, Node(node.tag, node.content,
                                               None if node.children is None else
                                               list(node.children), node.encap, node.prefix))
    elif kind == "deep":
        depth = rng.choice([40, 200, 1100, 5000])
        encoded = dump_der(node)
        for _ in range(depth):
            encoded = bytes([rng.choice([0x30, 0x31, 0xA0])]) + _length(len(encoded)) + encoded
        node.raw = encoded
    elif kind == "inflate":
        node.length_override = rng.choice([b"\x84\xff\xff\xff\xff", b"\x84\x7f\xff\xff\xff",
                                           b"\x81\xff", b"\x80", b"\x89" + b"\xff" * 9])
    elif kind == "oid":
        oids = [n for n, _ in nodes if n.tag == 0x06] or [node]
        target = rng.choice(oids)
        target.tag = 0x06
        target.children = None
        target.encap = None
        target.content = bytes.fromhex(rng.choice(OTHER_OIDS))
    elif kind == "content":
        node.encap = None
        if node.children is not None:
            node.children = None
            node.tag &= ~0x20
        node.content = _contents(rng)
    elif kind == "drop" and parent is not None and parent.children:
        if node in parent.children:
            parent.children.remove(node)
        else:
            parent.encap = None
    elif kind == "swap" and parent is not None and parent.children and len(parent.children) > 1:
        rng.shuffle(parent.children)
    out = dump_der(root)
    return out if out != data else mutate_bytes(data, rng, [data])


# --- bytes -------------------------------------------------------------------------------


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    buf = bytearray(data)
    kind = rng.choice(["flip", "truncate", "splice", "insert", "repeat", "set"])
    if not buf:
        return rng.randbytes(rng.randint(1, 32))
    pos = rng.randrange(len(buf))
    if kind == "flip":
        for _ in range(rng.randint(1, 4)):
            p = rng.randrange(len(buf))
            buf[p] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del buf[pos:]
    elif kind == "splice":
        other = rng.choice(others)
        cut = rng.randrange(len(other) + 1)
        buf[pos:] = other[cut:]
    elif kind == "insert":
        buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
    elif kind == "repeat":
        chunk = bytes(buf[pos : pos + rng.randint(1, 64)])
        buf[pos:pos] = chunk * rng.randint(2, 200)
    else:
        buf[pos] = rng.choice([0x00, 0x7F, 0x80, 0x81, 0x84, 0xFF])
    return bytes(buf)


# --- Matter TLV --------------------------------------------------------------------------


def mutate_tlv(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["bytes", "deep", "inflate", "dup", "wrongtype", "bigarray"])
    if kind == "deep":
        depth = rng.choice([17, 100, 5000, 60000])
        opener = bytes([rng.choice([0x15, 0x16, 0x17, 0x35])]) * depth
        return opener + data + b"\x18" * rng.choice([0, depth])
    if kind == "inflate":
        pos = rng.randrange(len(data) + 1)
        return data[:pos] + rng.choice([b"\x13\xff\xff\xff\xff\xff\xff\xff\xff",
                                        b"\x0f\xff\xff\xff\x7f", b"\x32\x01\xff\xff\xff\xff",
                                        b"\x10\xff"]) + data[pos:]
    if kind == "dup":
        # repeat a context-tagged unsigned member inside the outer structure
        return data[:1] + b"\x24\x00\x01" * rng.choice([2, 3, 300]) + data[1:]
    if kind == "wrongtype":
        pos = rng.randrange(len(data))
        buf = bytearray(data)
        buf[pos] = (buf[pos] & 0xE0) | rng.choice([0x0A, 0x0B, 0x14, 0x19, 0x1F, 0x08, 0x0C])
        return bytes(buf)
    if kind == "bigarray":
        return b"\x15\x36\x02" + b"\x04\x01" * rng.choice([101, 5000, 20000]) + b"\x18\x18"
    return mutate_bytes(data, rng, [data])


# --- JSON --------------------------------------------------------------------------------


def _mutate_value(value: Any, rng: random.Random) -> Any:
    choice = rng.randrange(8)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([0, -1, 10**40, 1.5, True, "", "zz", [], {}])
    if choice == 2:
        return [value] * rng.choice([2, 1000])
    if choice == 3:
        return {"x": value}
    if choice == 4 and isinstance(value, str):
        return value[: rng.randrange(len(value) + 1)] + rng.choice(["=", "!", "\u00e9", "\x00"])
    if choice == 5 and isinstance(value, str):
        return value * rng.choice([2, 20])
    if choice == 6:
        return 1e308 * 10  # inf: json.dumps writes Infinity
    return value


def mutate_json(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["structure", "structure", "bytes", "deep", "number"])
    if kind == "deep":
        depth = rng.choice([20, 1000, 100_000])
        return rng.choice([b"[", b'{"a":', b"[{\"type\":"]) * depth + rng.choice([b"", b"1"])
    if kind == "number":
        return b"[" + b"9" * rng.choice([5000, 50000]) + b"]"
    if kind == "bytes":
        return mutate_bytes(data, rng, [data])
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return mutate_bytes(data, rng, [data])
    if isinstance(doc, list) and doc and rng.random() < 0.8:
        entry = rng.choice(doc)
        if isinstance(entry, dict) and entry:
            key = rng.choice(sorted(entry))
            entry[key] = _mutate_value(entry[key], rng)
            if rng.random() < 0.2:
                doc.extend([entry] * rng.choice([2, 500]))
        else:
            doc.append(_mutate_value(entry, rng))
    else:
        doc = _mutate_value(doc, rng)
    out = json.dumps(doc).encode()
    return out if len(out) <= 1 << 21 else out[: 1 << 21]


# --- strategies --------------------------------------------------------------------------


def mutated(seeds: tuple[bytes, ...], mutator: Callable[[bytes, random.Random], bytes],
            max_rounds: int = 3) -> st.SearchStrategy[bytes]:
    """A seed, then 1..max_rounds mutations driven by a hypothesis-drawn random seed."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = draw(st.sampled_from(seeds))
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        for _ in range(draw(st.integers(1, max_rounds))):
            data = mutator(data, rng)
        return data

    return build()


def der_mutator(others: tuple[bytes, ...]) -> Callable[[bytes, random.Random], bytes]:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        if rng.random() < 0.7:
            return mutate_der(data, rng)
        return mutate_bytes(data, rng, list(others))

    return mutate


# --- certificate surgery for the reproducers ------------------------------------------------

OID_KEY_USAGE = "551d0f"
OID_CERT_POLICIES = "551d20"
OID_MATTER_VID = "2b0601040182a27c0201"


def _tbs(root: Node) -> list[Node]:
    assert root.children is not None and root.children[0].children is not None
    return root.children[0].children


def extension_list(root: Node) -> list[Node]:
    explicit = next(n for n in _tbs(root) if n.tag == 0xA3)
    assert explicit.children is not None and explicit.children[0].children is not None
    return explicit.children[0].children


def with_extension_value(der: bytes, oid_hex: str, value: bytes) -> bytes:
    """``der`` with the value (the OCTET STRING's content) of extension ``oid_hex`` replaced."""
    root = parse_der(der)
    for ext in extension_list(root):
        assert ext.children is not None
        if ext.children[0].content.hex() == oid_hex:
            octet = ext.children[-1]
            octet.encap, octet.content = None, value
            return dump_der(root)
    raise LookupError(oid_hex)


def with_extra_extension(der: bytes, oid_hex: str, value: bytes) -> bytes:
    root = parse_der(der)
    extension_list(root).append(
        Node(0x30, children=[Node(0x06, bytes.fromhex(oid_hex)), Node(0x04, value)])
    )
    return dump_der(root)


def with_name_attribute(der: bytes, which: str, oid_hex: str, tag: int, content: bytes) -> bytes:
    """``der`` with the first ``oid_hex`` attribute of the issuer or subject re-encoded."""
    root = parse_der(der)
    name = _tbs(root)[3 if which == "issuer" else 5]
    for rdn in name.children or []:
        for atv in rdn.children or []:
            assert atv.children is not None
            if atv.children[0].content.hex() == oid_hex:
                atv.children[1] = Node(tag, content)
                return dump_der(root)
    raise LookupError(oid_hex)


def with_empty_rdn(der: bytes, which: str) -> bytes:
    root = parse_der(der)
    name = _tbs(root)[3 if which == "issuer" else 5]
    assert name.children is not None
    name.children[0] = Node(0x31, children=[])
    return dump_der(root)


def der_oid(size: int) -> bytes:
    """An OID of ``size`` content bytes whose second arc is one huge number."""
    body = b"\x2a" + b"\xff" * (size - 2) + b"\x7f"
    return b"\x06" + (bytes([0x82]) + size.to_bytes(2, "big") if size > 255 else
                      bytes([0x81, size]) if size > 127 else bytes([size])) + body
