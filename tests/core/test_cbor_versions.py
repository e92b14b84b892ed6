"""devid._cbor.decode gives cbor2 5's values under cbor2 5 and 6 (scripts/test-cbor2-6.sh).

Under cbor2 6 the content of a tag is decoded immutably and ``decode`` thaws it; under
cbor2 5 these tests check the values the thawing must reproduce.
"""

from __future__ import annotations

import cbor2
import pytest

from devid import _cbor
from devid._cbor import CborError, decode


def test_tag_contents_are_mutable_as_under_cbor2_5() -> None:
    # 998([[1, [2]], {1: [3], "m": {2: 4}}, 258([5, 6]), 999([7])])
    data = cbor2.dumps(cbor2.CBORTag(998, [[1, [2]], {1: [3], "m": {2: 4}},
                                           cbor2.CBORTag(258, [5, 6]), cbor2.CBORTag(999, [7])]))
    value = decode(data)
    assert type(value) is cbor2.CBORTag and value.tag == 998
    items = value.value
    assert type(items) is list and len(items) == 4
    assert type(items[0]) is list and type(items[0][1]) is list
    assert type(items[1]) is dict and type(items[1][1]) is list and type(items[1]["m"]) is dict
    assert items[2] == {5, 6} and type(items[2]) is set
    assert type(items[3]) is cbor2.CBORTag and type(items[3].value) is list
    assert value == cbor2.CBORTag(998, [[1, [2]], {1: [3], "m": {2: 4}}, {5, 6},
                                        cbor2.CBORTag(999, [7])])
    assert _cbor.encode(value) == _cbor.encode(decode(_cbor.encode(value)))


def test_map_keys_stay_immutable() -> None:
    # {[1]: 2} and 998({[3]: 4}): array keys are tuples under both versions
    plain = decode(bytes.fromhex("a1810102"))
    assert plain == {(1,): 2} and type(next(iter(plain))) is tuple
    tagged = decode(bytes.fromhex("d903e6a1810304"))
    assert tagged.value == {(3,): 4}
    assert type(next(iter(tagged.value))) is tuple
    assert type(tagged.value) is dict


def test_tags_inside_plain_containers_are_thawed() -> None:
    # [18([b"", {}, b"x", b""]), {"t": 61([1])}]
    data = cbor2.dumps([cbor2.CBORTag(18, [b"", {}, b"x", b""]), {"t": cbor2.CBORTag(61, [1])}])
    value = decode(data)
    assert type(value[0].value) is list and type(value[0].value[1]) is dict
    assert type(value[1]["t"].value) is list


def test_empty_arrays_in_tags_are_distinct_lists() -> None:
    value = decode(bytes.fromhex("d903e6828080"))  # 998([[], []])
    first, second = value.value
    assert first == second == [] and first is not second
    first.append(1)
    assert second == []


def test_shared_values_stay_shared() -> None:
    # 998([28([1]), 29(0)]): value sharing inside a tag
    value = decode(bytes.fromhex("d903e682d81c8101d81d00"))
    first, second = value.value
    assert first == [1] and first is second and type(first) is list


@pytest.mark.parametrize("levels", [15, 16, 17])
def test_depth_inside_tags_is_counted_the_same(levels: int) -> None:
    # a tag (one level) around levels-1 nested maps/arrays, alternating
    inner: object = 0
    for i in range(levels - 1):
        inner = {1: inner} if i % 2 else [inner]
    data = cbor2.dumps(cbor2.CBORTag(998, inner))
    if levels <= _cbor.MAX_DEPTH:
        assert _cbor.nesting_depth(decode(data)) == levels
    else:
        with pytest.raises(CborError) as err:
            decode(data)
        assert err.value.kind == "limit"


def test_null_is_not_a_break_marker() -> None:
    assert decode(b"\xf6") is None
    assert decode(b"\x81\xf6") == [None]
    with pytest.raises(CborError):
        decode(b"\xff")


@pytest.mark.parametrize("hex_bytes", [
    "ff",            # a stray break
    "ff00",          # ... followed by a byte
    "81ff",          # a break as the item of a definite-length array
    "a101ff",        # ... as a map value
    "a1ff01",        # ... as a map key
    "d903e6ff",      # ... as a tag's content
    "9f81ffff",      # ... in a definite array inside an indefinite one
    "d9010281ff",    # ... as a set element
    "d81c81ff",      # ... in a shared value
])
def test_a_break_where_an_item_belongs_is_malformed(hex_bytes: str) -> None:
    # cbor2 6 raises on these; cbor2 5 decodes them to its break_marker object
    with pytest.raises(CborError) as err:
        decode(bytes.fromhex(hex_bytes))
    assert err.value.kind == "malformed"
    assert str(err.value) == "stray break marker"


@pytest.mark.parametrize("hex_bytes", ["9f01ff", "bf0102ff", "5f4100ff", "4200ff", "81f6"])
def test_breaks_that_end_indefinite_items_and_ff_bytes_are_fine(hex_bytes: str) -> None:
    assert decode(bytes.fromhex(hex_bytes)) in ([1], {1: 2}, b"\x00", b"\x00\xff", [None])


@pytest.mark.parametrize("payload", [
    b"\xa1\x62ts\xff",                           # {"ts": break}
    b"\xa2\x62ts\x01\x65props\xa1\x64mode\xff",  # a break inside props
    b"\xa2\x62ts\x01\x65props\xa1\x64mode\x81\xff",
])
def test_check_engine_fast_path_rejects_a_nested_break(payload: bytes) -> None:
    from tests.plugins.message_captures import Session, codes

    s = Session("smart-lock/1")
    s.healthy(60)
    s.raw("state", payload, retain=True, dt=1)
    assert "MSG-CBOR-MALFORMED" in codes(s.check())
