"""Bounded CBOR decoding for device input (spec §3 limits).

Device bytes are hostile until proven otherwise. :func:`decode` enforces a size
limit before decoding, refuses trailing bytes and stray break markers, measures
nesting without recursion, and turns every decoder failure into
:class:`CborError` so callers can make a finding of it.
"""

from __future__ import annotations

import io
from typing import Any

import cbor2

MAX_SIZE = 64 * 1024
MAX_DEPTH = 16


class CborError(ValueError):
    """The bytes are not CBOR devid accepts. ``kind`` is ``"malformed"`` or ``"limit"``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def nesting_depth(value: Any, limit: int | None = None) -> int:
    """Depth of nested arrays/maps/tags (a scalar is 0), computed iteratively.

    With ``limit``, stops as soon as the depth exceeds it (returning that depth): CBOR
    shared references (tags 28/29) can make a value that contains itself or shares one
    container many times, whose full walk would never end.
    """
    # Only containers are pushed (scalars cannot add depth): this runs on every
    # token, so it avoids a stack entry per scalar.
    if not isinstance(value, _CONTAINERS):
        return 0
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    expanded: dict[int, int] = {}  # id -> the deepest level a shared container was walked at
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if limit is not None:
            if deepest > limit:
                return deepest
            if expanded.get(id(item), 0) >= depth:
                continue
            expanded[id(item)] = depth
        if isinstance(item, dict):
            children: Any = (*item.keys(), *item.values())
        elif isinstance(item, cbor2.CBORTag):
            children = (item.value,)
        else:
            children = item
        below = depth + 1
        stack.extend([(c, below) for c in children if isinstance(c, _CONTAINERS)])
    return deepest


_CONTAINERS = (list, tuple, dict, cbor2.CBORTag)


def decode(data: bytes, *, max_size: int = MAX_SIZE, max_depth: int = MAX_DEPTH) -> Any:
    """Decode exactly one CBOR data item from ``data`` within the limits.

    Raises :class:`CborError` (``kind="limit"`` for size/depth, else
    ``"malformed"``); never anything else for any input bytes.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("decode() takes bytes")
    if len(data) > max_size:
        raise CborError("limit", f"{len(data)} bytes exceeds the {max_size}-byte limit")
    if not data:
        raise CborError("malformed", "empty input")
    fp = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(fp).decode()
    except cbor2.CBORDecodeError as exc:
        if "nesting depth" in str(exc):
            raise CborError("limit", f"nested deeper than {max_depth}") from None
        raise CborError("malformed", _short(exc)) from None
    except Exception as exc:
        raise CborError("malformed", _short(exc)) from None
    if fp.tell() != len(data):
        raise CborError("malformed", f"{len(data) - fp.tell()} trailing bytes after the data item")
    if value is getattr(cbor2, "break_marker", None):
        raise CborError("malformed", "stray break marker")
    depth = nesting_depth(value, max_depth)
    if depth > max_depth:
        raise CborError("limit", f"nested {depth} deep, limit {max_depth}")
    return value


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def encode(value: Any) -> bytes:
    """Canonical (deterministic, RFC 8949 §4.2.1) CBOR encoding."""
    return cbor2.dumps(value, canonical=True)
