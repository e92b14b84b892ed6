"""Bounded CBOR decoding for device input (spec §3 limits).

Device bytes are hostile until proven otherwise. :func:`decode` enforces a size
limit before decoding, refuses trailing bytes and stray break markers, measures
nesting without recursion, and turns every decoder failure into
:class:`CborError` so callers can make a finding of it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import cbor2

MAX_SIZE = 64 * 1024
MAX_DEPTH = 16

# cbor2 5 and 6 differ in two ways that matter here (docs/architecture.md, "CBOR"):
# cbor2 6 decodes the content of every tag immutably (arrays as tuples, maps as
# frozendicts, sets as frozensets; elsewhere only map keys are), and it raises on a stray
# break code where cbor2 5 returns its ``break_marker``. :func:`decode` gives the same
# values under both: cbor2 5's mutable tag contents (see :func:`thaw`).
_PROBE = cbor2.loads(b"\xd8\x63\x82\x80\xa0")  # 99([[], {}])
#: True under cbor2 6: containers inside tags are decoded immutably and need :func:`thaw`.
FROZEN_TAGS: bool = type(_PROBE.value) is not list
_FROZEN_TYPES: tuple[type[Any], ...] = (
    (tuple, type(_PROBE.value[1]), frozenset) if FROZEN_TAGS else ())
#: cbor2 5's stray-break result; under cbor2 6 (which raises instead) an object no
#: decoded value is, so ``value is BREAK_MARKER`` is never true of a real value.
BREAK_MARKER: Any = getattr(cbor2, "break_marker", object())
del _PROBE


#: cbor2 5's C decoder leaks about 0.7 KB each time it rejects a text string that is not
#: UTF-8 (issue 14 item 5). Every decoder devid makes (:func:`new_decoder`) therefore
#: decodes text leniently (bad bytes become U+FFFD, no error, no leak), and a decoded
#: U+FFFD is re-judged: when the input does not hold U+FFFD's own UTF-8 (EF BF BD) the
#: input held invalid UTF-8, otherwise cbor2's pure-Python decoder (which does not leak)
#: decides strictly.
REPLACEMENT = "\ufffd"
_REPLACEMENT_UTF8 = b"\xef\xbf\xbd"


def new_decoder(fp: Any, **kw: Any) -> Any:
    """A cbor2 decoder on ``fp`` that never takes cbor2's leaking error path for bad text."""
    for options in ({"str_errors": "replace", **kw}, {"str_errors": "replace"}, kw, {}):
        try:
            return cbor2.CBORDecoder(fp, **options)
        except TypeError:  # pragma: no cover - a cbor2 without one of the options
            continue
    return cbor2.CBORDecoder(fp)  # pragma: no cover


def _strict_pure(data: bytes) -> Any:
    """``data`` decoded with strict UTF-8 by a decoder that does not leak on bad text."""
    try:
        from cbor2._decoder import CBORDecoder as PureDecoder  # cbor2 5
    except ImportError:  # pragma: no cover - cbor2 6 has only its own (fixed) decoder
        return cbor2.loads(data)
    return PureDecoder(io.BytesIO(data)).decode()


def has_replacement(value: Any) -> bool:
    """Whether a decoded value holds U+FFFD in any text string or map key. Iterative, and
    each container is walked once (shared references, tags 28/29, may repeat or contain
    one): the work is bounded by the input's size."""
    stack = [value]
    walked: set[int] = set()
    while stack:
        item = stack.pop()
        if type(item) is str:
            if REPLACEMENT in item:
                return True
            continue
        if not isinstance(item, Mapping | list | tuple | frozenset | set | cbor2.CBORTag):
            continue  # (Mapping: cbor2 6's frozendict inside tags too)
        if id(item) in walked:
            continue
        walked.add(id(item))
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, cbor2.CBORTag):
            stack.append(item.value)
        else:
            stack.extend(item)
    return False


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
        value = new_decoder(fp).decode()
        if has_replacement(value):
            if _REPLACEMENT_UTF8 not in bytes(data):
                raise CborError("malformed", "a text string is not valid UTF-8")
            value = _strict_pure(bytes(data))
    except CborError:
        raise
    except cbor2.CBORDecodeError as exc:
        if "nesting depth" in str(exc):
            raise CborError("limit", f"nested deeper than {max_depth}") from None
        if "break code" in str(exc):  # cbor2 6; cbor2 5 returns its break_marker (below)
            raise CborError("malformed", "stray break marker") from None
        raise CborError("malformed", _short(exc)) from None
    except Exception as exc:
        raise CborError("malformed", _short(exc)) from None
    if value is BREAK_MARKER or (not FROZEN_TAGS and b"\xff" in data and _has_break(value)):
        raise CborError("malformed", "stray break marker")
    if fp.tell() != len(data):
        raise CborError("malformed", f"{len(data) - fp.tell()} trailing bytes after the data item")
    try:
        return _after_loads(value, data, max_depth)
    except CborError:
        raise
    except Exception as exc:  # decode raises only CborError, whatever the bytes (issue 14)
        raise CborError("malformed", _short(exc)) from None


def _after_loads(value: Any, data: bytes, max_depth: int) -> Any:
    if FROZEN_TAGS and isinstance(value, _CONTAINERS):
        value = thaw(value)
    depth = nesting_depth(value, max_depth)
    if depth > max_depth:
        raise CborError("limit", f"nested {depth} deep, limit {max_depth}")
    if depth and has_maps(data):
        key = first_duplicate_key(data)
        if key is not _NO_DUPLICATE:
            raise CborError("malformed", f"duplicate map key {_show_key(key)} (RFC 8949 §5.6: "
                                         "a map's keys are unique)")
    return value


def map_count(data: bytes) -> int | None:
    """The number of pairs a definite-length map at the start of ``data`` declares.

    ``None`` when ``data`` does not start with one (another type, or an indefinite-length
    map). Comparing it with ``len()`` of the decoded dict shows, in O(1), whether two of
    the map's keys collapsed into one (cbor2, like most decoders, keeps the last).
    """
    if not data or data[0] >> 5 != 5:
        return None
    ai = data[0] & 31
    if ai < 24:
        return ai
    width = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
    if width is None or len(data) <= width:
        return None
    return int.from_bytes(data[1:1 + width], "big")


def has_maps(data: bytes) -> bool:
    """Cheap pre-check: could ``data`` hold a map at all? (A map head is 0xa0-0xbf.)"""
    return _MAP_HEAD.search(data) is not None


_MAP_HEAD = re.compile(rb"[\xa0-\xbf]")


class _Duplicate(Exception):
    def __init__(self, key: Any) -> None:
        self.key = key


_NO_DUPLICATE: Any = object()


def first_duplicate_key(data: bytes) -> Any:
    """The first key that occurs twice in one map anywhere in ``data`` (one well-formed
    data item, as :func:`decode` has established), else ``_NO_DUPLICATE``.

    Walks the encoded bytes (string bodies are skipped, not read), so it sees what a
    decoder's dict hides. Keys are compared as decoded values of the same type: ``1``
    and ``0x18 0x01`` are the same key; ``1`` and ``1.0`` are not.
    """
    try:
        _skip_item(data, 0, 0)
    except _Duplicate as dup:
        return dup.key
    except (IndexError, ValueError, RecursionError):
        return _NO_DUPLICATE  # not well-formed after all: decode() has already said so
    return _NO_DUPLICATE


def _head(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """(major type, argument or None for indefinite length, position after the head)."""
    ib = data[pos]
    major, ai = ib >> 5, ib & 31
    if ai < 24:
        return major, ai, pos + 1
    if ai == 31:
        return major, None, pos + 1
    width = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
    end = pos + 1 + width
    if end > len(data):
        raise IndexError("truncated")
    return major, int.from_bytes(data[pos + 1:end], "big"), end


def _key_identity(raw: bytes) -> Any:
    """What a decoded dict would file the key under: keys Python finds equal (``1``,
    ``1.0``, ``True``) collide there even though CBOR tells them apart, so they count as
    duplicates too (one of them would silently vanish). Unhashable keys by their bytes."""
    value = cbor2.loads(raw)
    try:
        hash(value)
    except (TypeError, RuntimeError):  # a list, or a tag that refers to itself
        return ("raw", raw)
    return ("value", value)


def _skip_item(data: bytes, pos: int, depth: int) -> int:
    if depth > 4 * MAX_DEPTH:
        raise RecursionError("too deep")
    major, arg, pos = _head(data, pos)
    if major in (0, 1, 7):
        return pos
    if major in (2, 3):
        if arg is not None:
            return pos + arg
        while data[pos] != 0xFF:  # indefinite: definite chunks up to a break
            _, size, pos = _head(data, pos)
            pos += size or 0
        return pos + 1
    if major == 6:
        return _skip_item(data, pos, depth + 1)
    if major == 4:
        if arg is None:
            while data[pos] != 0xFF:
                pos = _skip_item(data, pos, depth + 1)
            return pos + 1
        for _ in range(arg):
            pos = _skip_item(data, pos, depth + 1)
        return pos
    # a map
    seen: set[Any] = set()
    count = 0
    while (arg is None and data[pos] != 0xFF) or (arg is not None and count < arg):
        end = _skip_item(data, pos, depth + 1)
        ident = _key_identity(data[pos:end])
        if ident in seen:
            raise _Duplicate(ident[1] if ident[0] != "raw" else cbor2.loads(ident[1]))
        seen.add(ident)
        pos = _skip_item(data, end, depth + 1)
        count += 1
    return pos + 1 if arg is None else pos


def _show_key(key: Any) -> str:
    text = repr(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _has_break(value: Any) -> bool:
    """True when cbor2 5's ``break_marker`` is anywhere in ``value`` (a break code where a
    data item belongs, e.g. ``81 ff``: cbor2 6 rejects those bytes, so devid does under
    both). Iterative, each container once: the value may be deep, shared or cyclic."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if item is BREAK_MARKER:
            return True
        if isinstance(item, _BREAK_HOLDERS) and id(item) not in seen:
            seen.add(id(item))
            if isinstance(item, cbor2.CBORTag):
                stack.append(item.value)
            elif isinstance(item, Mapping):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
    return False


_BREAK_HOLDERS = (list, tuple, dict, set, frozenset, Mapping, cbor2.CBORTag)


def thaw(value: Any, done: dict[int, Any] | None = None, frozen: bool = False) -> Any:
    """``value`` as cbor2 5 decodes it, from cbor2 6's decoding (``FROZEN_TAGS``).

    cbor2 6 decodes everything inside a tag immutably: arrays as tuples, maps as
    frozendicts, sets (tag 258) as frozensets; cbor2 5 only map keys (and set elements).
    Tags are rebuilt (cbor2 6's ``CBORTag.value`` is read-only) around mutable copies;
    map keys are left as they are, immutable under both. Lists and maps outside tags are
    updated in place. Each container is converted once (``done``, by id), so shared
    values (tags 28/29) stay shared and cycles end; the decoder's own depth limit bounds
    the recursion.
    """
    if done is None:
        done = {}
    key = id(value)
    if key in done:
        return done[key]
    tp = type(value)
    out: Any
    if tp is cbor2.CBORTag:
        done[key] = out = cbor2.CBORTag(value.tag, thaw(value.value, done, True))
        return out
    if frozen and tp in _FROZEN_TYPES:
        if tp is tuple:
            out = [thaw(v, done, True) if isinstance(v, _WALKED) else v for v in value]
        elif tp is frozenset:
            out = set(value)  # set elements are immutable under cbor2 5 too
        else:
            out = {k: thaw(v, done, True) if isinstance(v, _WALKED) else v
                   for k, v in value.items()}
        if value:  # the empty tuple is a singleton: each () becomes its own []
            done[key] = out
        return out
    done[key] = value
    if tp is list:
        for i, v in enumerate(value):
            if isinstance(v, _WALKED):
                value[i] = thaw(v, done, frozen)
    elif tp is dict:
        for k, v in value.items():
            if isinstance(v, _WALKED):
                value[k] = thaw(v, done, frozen)
    return value


_WALKED: tuple[type[Any], ...] = (list, dict, cbor2.CBORTag, *_FROZEN_TYPES)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def encode(value: Any) -> bytes:
    """Canonical (deterministic, RFC 8949 §4.2.1) CBOR encoding."""
    return cbor2.dumps(value, canonical=True)
