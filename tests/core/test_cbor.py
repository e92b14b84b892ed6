"""Bounded CBOR decoding (spec §3 limits)."""

from __future__ import annotations

import time

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid import _cbor
from devid._cbor import MAX_DEPTH, CborError, decode, encode, nesting_depth


def test_round_trip_of_a_state_payload() -> None:
    value = {"ts": 1700000000000, "seq": 3, "props": {"locked": True, "battery": 80}}
    assert decode(encode(value)) == value


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_limit_is_exactly_sixteen(depth: int) -> None:
    data = b"\x81" * depth + b"\x00"
    if depth <= MAX_DEPTH:
        assert nesting_depth(decode(data)) == depth
    else:
        with pytest.raises(CborError) as err:
            decode(data)
        assert err.value.kind == "limit"


def test_very_deep_nesting_is_a_limit_not_a_recursion_error() -> None:
    with pytest.raises(CborError) as err:
        decode(b"\x81" * 100_000 + b"\x00")
    assert err.value.kind == "limit"


def test_size_limit_is_checked_before_decoding() -> None:
    data = cbor2.dumps(b"x" * (64 * 1024))
    with pytest.raises(CborError) as err:
        decode(data)
    assert err.value.kind == "limit"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"\xff", "break"),
        (b"\x00\x00", "trailing"),
        # cbor2 5 says "array size", cbor2 6 "premature end of stream"
        (b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "array size|premature"),
        (b"\x5b\x00\x00\x00\xff\xff\xff\xff\xff", "premature"),
        (b"\xa1\x01", "premature"),
    ],
)
def test_malformed_inputs_raise_cbor_error(data: bytes, why: str) -> None:
    start = time.perf_counter()
    with pytest.raises(CborError) as err:
        decode(data)
    assert err.value.kind == "malformed"
    assert any(w in str(err.value) for w in why.split("|")) or why in {"empty", "break", "trailing"}
    assert time.perf_counter() - start < 0.5


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=256))
def test_random_bytes_never_escape_as_other_exceptions(data: bytes) -> None:
    try:
        decode(data)
    except CborError:
        pass


@pytest.mark.parametrize("hexdata", [
    "a2 01 02 01 03",            # {1: 2, 1: 3}
    "a2 01 02 18 01 03",         # the same key, the second in a longer head
    "bf 01 01 01 02 ff",         # an indefinite-length map
    "81 a2 61 61 01 61 61 02",   # inside an array
    "d8 18 a2 01 01 01 02",      # inside a tag
    "a1 01 a2 63 6b 65 79 01 63 6b 65 79 02",  # a map inside a map
    "a2 82 01 02 00 82 01 02 01",  # array keys
    "a2 01 02 f9 3c 00 03",      # 1 and 1.0: one dict entry in Python
])
def test_duplicate_map_keys_are_malformed(hexdata: str) -> None:
    with pytest.raises(_cbor.CborError, match="duplicate map key") as exc:
        _cbor.decode(bytes.fromhex(hexdata.replace(" ", "")))
    assert exc.value.kind == "malformed"


@pytest.mark.parametrize(("hexdata", "count"), [
    ("a0", 0), ("a3", 3), ("b8 18", 24), ("b9 01 00", 256), ("bf", None), ("80", None),
    ("", None), ("b8", None),
])
def test_map_count(hexdata: str, count: int | None) -> None:
    assert _cbor.map_count(bytes.fromhex(hexdata.replace(" ", ""))) == count


def test_distinct_keys_and_duplicate_values_are_fine() -> None:
    value = _cbor.decode(bytes.fromhex("a3 01 00 02 00 61 31 00".replace(" ", "")))
    assert value == {1: 0, 2: 0, "1": 0}
