"""Matter TLV (Matter Core Specification, Appendix A): a pure, bounded codec.

A TLV element is one control octet (tag form in the top three bits, element
type in the low five), the tag, an optional length, and the value. Integers
and lengths are little-endian. Containers (structure, array, list) end with an
end-of-container octet (0x18).

:func:`decode` reads exactly one element and rejects anything else with
:class:`TLVError`: truncation, trailing bytes, unknown element types, invalid
UTF-8, a member of a structure without a tag or with a repeated tag, an array
member with a tag, nesting deeper than ``max_depth`` or input longer than
``max_length``. No other exception escapes it, whatever the bytes (a property
test holds this). :func:`encode` is its inverse for well-formed elements.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterator
from dataclasses import dataclass

MAX_DEPTH = 16
MAX_LENGTH = 64 * 1024
# Hard ceilings for the caller's limits: decoding recurses once per nesting level, and every
# byte may start an element, so these bound stack, memory and time (64 KiB: about 0.1 s).
DEPTH_CEILING = 64
LENGTH_CEILING = 1024 * 1024


class TLVError(ValueError):
    """The bytes are not one well-formed Matter TLV element within the limits."""


class ElementType(enum.Enum):
    """The value kinds of Matter TLV (the integer forms are folded into two)."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    BOOL = "bool"
    FLOAT = "float"
    UTF8 = "utf8"
    BYTES = "bytes"
    NULL = "null"
    STRUCTURE = "structure"
    ARRAY = "array"
    LIST = "list"


CONTAINERS = frozenset({ElementType.STRUCTURE, ElementType.ARRAY, ElementType.LIST})


@dataclass(frozen=True, slots=True)
class ProfileTag:
    """A profile-specific tag: fully qualified (vendor, profile, number) or common/implicit."""

    vendor_id: int
    profile: int
    number: int
    form: str = "full"  # "full", "common" or "implicit"


# None: anonymous; int: context-specific tag; ProfileTag: the profile forms.
Tag = int | ProfileTag | None
Value = int | float | bool | str | bytes | None | tuple["Element", ...]


@dataclass(frozen=True, slots=True)
class Element:
    """One TLV element. Containers hold a tuple of member elements as ``value``."""

    tag: Tag
    type: ElementType
    value: Value

    def members(self) -> tuple[Element, ...]:
        """The members of a container (empty for a scalar)."""
        return self.value if isinstance(self.value, tuple) else ()

    def field(self, context_tag: int) -> Element | None:
        """The member with this context tag, or None."""
        for member in self.members():
            if member.tag == context_tag:
                return member
        return None

    def __iter__(self) -> Iterator[Element]:
        return iter(self.members())


# --- constructors used by tests, tools and the encoder ---------------------------------


def uint(value: int, tag: Tag = None) -> Element:
    return Element(tag, ElementType.UNSIGNED, value)


def sint(value: int, tag: Tag = None) -> Element:
    return Element(tag, ElementType.SIGNED, value)


def octets(value: bytes, tag: Tag = None) -> Element:
    return Element(tag, ElementType.BYTES, bytes(value))


def utf8(value: str, tag: Tag = None) -> Element:
    return Element(tag, ElementType.UTF8, value)


def boolean(value: bool, tag: Tag = None) -> Element:
    return Element(tag, ElementType.BOOL, value)


def structure(*members: Element, tag: Tag = None) -> Element:
    return Element(tag, ElementType.STRUCTURE, tuple(members))


def array(*members: Element, tag: Tag = None) -> Element:
    return Element(tag, ElementType.ARRAY, tuple(members))


# --- decoding --------------------------------------------------------------------------

_INT_SIZES = (1, 2, 4, 8)
_TAG_SIZES = {0: 0, 1: 1, 2: 2, 3: 4, 4: 2, 5: 4, 6: 6, 7: 8}
_END = 0x18


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise TLVError(f"truncated at offset {self.pos}: {n} more bytes needed")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")


def _read_tag(reader: _Reader, form: int) -> Tag:
    if form == 0:
        return None
    if form == 1:
        return reader.uint(1)
    if form in (2, 3):
        return ProfileTag(0, 0, reader.uint(_TAG_SIZES[form]), "common")
    if form in (4, 5):
        return ProfileTag(0, 0, reader.uint(_TAG_SIZES[form]), "implicit")
    vendor = reader.uint(2)
    profile = reader.uint(2)
    return ProfileTag(vendor, profile, reader.uint(2 if form == 6 else 4), "full")


def _read_element(reader: _Reader, depth: int, max_depth: int) -> Element | None:
    """One element; None for an end-of-container octet."""
    control = reader.uint(1)
    if control == _END:
        return None
    form, kind = control >> 5, control & 0x1F
    tag = _read_tag(reader, form)
    if kind <= 0x03:
        size = _INT_SIZES[kind]
        return Element(
            tag, ElementType.SIGNED, int.from_bytes(reader.take(size), "little", signed=True)
        )
    if kind <= 0x07:
        return Element(tag, ElementType.UNSIGNED, reader.uint(_INT_SIZES[kind - 4]))
    if kind in (0x08, 0x09):
        return Element(tag, ElementType.BOOL, kind == 0x09)
    if kind == 0x0A:
        return Element(tag, ElementType.FLOAT, struct.unpack("<f", reader.take(4))[0])
    if kind == 0x0B:
        return Element(tag, ElementType.FLOAT, struct.unpack("<d", reader.take(8))[0])
    if kind <= 0x13:
        is_text = kind <= 0x0F
        length = reader.uint(_INT_SIZES[(kind - 0x0C) % 4])
        raw = reader.take(length)
        if not is_text:
            return Element(tag, ElementType.BYTES, raw)
        try:
            return Element(tag, ElementType.UTF8, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise TLVError(f"invalid UTF-8 string at offset {reader.pos - length}") from exc
    if kind == 0x14:
        return Element(tag, ElementType.NULL, None)
    if kind in (0x15, 0x16, 0x17):
        if depth >= max_depth:
            raise TLVError(f"containers nested deeper than {max_depth}")
        ctype = {0x15: ElementType.STRUCTURE, 0x16: ElementType.ARRAY, 0x17: ElementType.LIST}[kind]
        members: list[Element] = []
        seen: set[Tag] = set()
        while True:
            member = _read_element(reader, depth + 1, max_depth)
            if member is None:
                break
            if ctype is ElementType.STRUCTURE:
                if member.tag is None:
                    raise TLVError("a structure member has no tag")
                if member.tag in seen:
                    raise TLVError(f"tag {member.tag!r} repeated in a structure")
                seen.add(member.tag)
            elif ctype is ElementType.ARRAY and member.tag is not None:
                raise TLVError("an array member carries a tag")
            members.append(member)
        return Element(tag, ctype, tuple(members))
    raise TLVError(f"reserved element type 0x{kind:02x} at offset {reader.pos - 1}")


def decode(data: bytes, *, max_depth: int = MAX_DEPTH, max_length: int = MAX_LENGTH) -> Element:
    """Decode exactly one TLV element from ``data``; anything else is a :class:`TLVError`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("decode() takes bytes")
    if not 0 <= max_depth <= DEPTH_CEILING or not 0 <= max_length <= LENGTH_CEILING:
        raise ValueError(
            f"max_depth is at most {DEPTH_CEILING} and max_length at most {LENGTH_CEILING}"
        )
    raw = bytes(data)
    if len(raw) > max_length:
        raise TLVError(f"{len(raw)} bytes exceed the limit of {max_length}")
    reader = _Reader(raw)
    try:
        element = _read_element(reader, 0, max_depth)
    except RecursionError:  # only with a caller's stack already near its end
        raise TLVError("containers nested too deeply for the stack") from None
    if element is None:
        raise TLVError("end-of-container outside a container")
    if reader.pos != len(raw):
        raise TLVError(f"{len(raw) - reader.pos} trailing bytes after the element")
    return element


# --- encoding --------------------------------------------------------------------------


def _encode_tag(tag: Tag) -> tuple[int, bytes]:
    if tag is None:
        return 0, b""
    if isinstance(tag, int):
        if not 0 <= tag <= 0xFF:
            raise ValueError(f"context tag {tag} out of range")
        return 1, bytes([tag])
    if tag.form in ("common", "implicit"):
        base = 2 if tag.form == "common" else 4
        if tag.number <= 0xFFFF:
            return base, tag.number.to_bytes(2, "little")
        return base + 1, tag.number.to_bytes(4, "little")
    head = tag.vendor_id.to_bytes(2, "little") + tag.profile.to_bytes(2, "little")
    if tag.number <= 0xFFFF:
        return 6, head + tag.number.to_bytes(2, "little")
    return 7, head + tag.number.to_bytes(4, "little")


def _size_code(n: int, signed: bool) -> int:
    for code, size in enumerate(_INT_SIZES):
        bits = size * 8
        if signed and -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
            return code
        if not signed and 0 <= n < (1 << bits):
            return code
    raise ValueError(f"integer {n} does not fit in 64 bits")


def _encode_into(element: Element, out: bytearray) -> None:
    form, tag_bytes = _encode_tag(element.tag)
    t, v = element.type, element.value

    def head(kind: int) -> None:
        out.append((form << 5) | kind)
        out.extend(tag_bytes)

    if t in (ElementType.SIGNED, ElementType.UNSIGNED):
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError("integer element needs an int value")
        signed = t is ElementType.SIGNED
        code = _size_code(v, signed)
        head(code if signed else 4 + code)
        out.extend(v.to_bytes(_INT_SIZES[code], "little", signed=signed))
    elif t is ElementType.BOOL:
        head(0x09 if v else 0x08)
    elif t is ElementType.FLOAT:
        if not isinstance(v, (int, float)):
            raise ValueError("float element needs a float value")
        head(0x0B)
        out.extend(struct.pack("<d", float(v)))
    elif t in (ElementType.UTF8, ElementType.BYTES):
        raw = v.encode("utf-8") if isinstance(v, str) else v
        if not isinstance(raw, bytes):
            raise ValueError("string element needs str or bytes")
        code = _size_code(len(raw), False)
        head((0x0C if t is ElementType.UTF8 else 0x10) + code)
        out.extend(len(raw).to_bytes(_INT_SIZES[code], "little"))
        out.extend(raw)
    elif t is ElementType.NULL:
        head(0x14)
    else:
        head({ElementType.STRUCTURE: 0x15, ElementType.ARRAY: 0x16, ElementType.LIST: 0x17}[t])
        for member in element.members():
            _encode_into(member, out)
        out.append(_END)


def encode(element: Element) -> bytes:
    """The TLV bytes of ``element`` (integers and lengths in their shortest form)."""
    out = bytearray()
    _encode_into(element, out)
    return bytes(out)
