"""The Matter TLV codec: known encodings, round trips, limits, and random bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid.matter import Element, ElementType, ProfileTag, TLVError, decode_tlv, encode_tlv
from devid.matter import _tlv as tlv


def test_known_encoding_of_a_structure() -> None:
    # Matter Core Appendix A examples: context tag 1 uint8 42, context tag 2 octet string.
    data = bytes.fromhex("1524012a30020361626318")
    element = decode_tlv(data)
    assert element.type is ElementType.STRUCTURE and element.tag is None
    assert element.field(1) == Element(1, ElementType.UNSIGNED, 42)
    assert element.field(2) == Element(2, ElementType.BYTES, b"abc")
    assert encode_tlv(element) == data


def test_every_scalar_round_trips() -> None:
    members = (
        tlv.sint(-1, 1),
        tlv.sint(-40000, 2),
        tlv.uint(2**40, 3),
        tlv.boolean(True, 4),
        tlv.boolean(False, 5),
        tlv.utf8("grüezi", 6),
        tlv.octets(b"\x00" * 300, 7),
        Element(8, ElementType.NULL, None),
        Element(9, ElementType.FLOAT, 1.5),
        tlv.array(tlv.uint(1), tlv.uint(2), tag=10),
        Element(11, ElementType.LIST, (tlv.uint(1, 1), tlv.uint(2))),
        tlv.uint(7, ProfileTag(0xFFF1, 0xDEED, 1)),
        tlv.uint(8, ProfileTag(0xFFF1, 0xDEED, 0x12345)),
        tlv.uint(9, ProfileTag(0, 0, 5, "common")),
        tlv.uint(10, ProfileTag(0, 0, 0x10000, "implicit")),
    )
    element = tlv.structure(*members)
    assert decode_tlv(encode_tlv(element)) == element


@pytest.mark.parametrize(
    ("hexdata", "reason"),
    [
        ("", "truncated"),
        ("2401", "truncated"),
        ("1518", ""),  # valid: empty structure (control)
        ("15", "truncated"),
        ("18", "end-of-container"),
        ("040000", "trailing"),
        ("1c", "reserved"),
        ("0c02c328", "UTF-8"),
        ("15040018", "no tag"),
        ("1524010024010118", "repeated"),
        ("1624010018", "carries a tag"),
        ("10ff", "truncated"),
        ("13" + "ff" * 8, "truncated"),
    ],
)
def test_malformed_input_is_a_tlv_error(hexdata: str, reason: str) -> None:
    data = bytes.fromhex(hexdata)
    if not reason:
        assert decode_tlv(data).type is ElementType.STRUCTURE
        return
    with pytest.raises(TLVError, match=reason):
        decode_tlv(data)


def test_depth_and_length_limits() -> None:
    nested = b"\x16" * 17 + b"\x18" * 17
    with pytest.raises(TLVError, match="deeper"):
        decode_tlv(nested)
    assert decode_tlv(b"\x16" * 16 + b"\x18" * 16).type is ElementType.ARRAY
    with pytest.raises(TLVError, match="deeper"):
        decode_tlv(b"\x16" * 5 + b"\x18" * 5, max_depth=4)
    with pytest.raises(TLVError, match="exceed"):
        decode_tlv(bytes(11), max_length=10)
    # A huge declared length cannot allocate or hang: it is simply truncated input.
    with pytest.raises(TLVError, match="truncated"):
        decode_tlv(bytes.fromhex("13") + (2**63).to_bytes(8, "little"))


def test_decode_rejects_non_bytes() -> None:
    with pytest.raises(TypeError):
        decode_tlv("15 18")  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=256))
def test_random_bytes_never_raise_anything_but_tlv_error(data: bytes) -> None:
    try:
        element = decode_tlv(data)
    except TLVError:
        return
    # Whatever decodes re-encodes to a stable canonical form (compared as bytes: NaN is fine).
    canonical = encode_tlv(element)
    assert encode_tlv(decode_tlv(canonical)) == canonical


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=120))
def test_mutated_valid_encodings_never_crash(noise: bytes, position: int) -> None:
    base = bytearray(
        encode_tlv(
            tlv.structure(tlv.uint(1, 0), tlv.array(tlv.uint(0x8000), tag=2), tlv.utf8("x" * 19, 4))
        )
    )
    position %= len(base)
    base[position : position + len(noise)] = noise
    try:
        decode_tlv(bytes(base))
    except TLVError:
        pass
