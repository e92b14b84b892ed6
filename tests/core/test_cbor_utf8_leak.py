"""Issue 14 item 5: cbor2 5's C decoder leaks on text that is not UTF-8 (62 c3 28). devid's
decoders never take that path: memory stays flat over 10^5 such inputs, and the verdict is
still "malformed" (while a genuine U+FFFD in valid UTF-8 still decodes)."""

from __future__ import annotations

import resource
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from devid._cbor import CborError, decode
from devid._check import _Decoder
from devid._cose import parse_sign1

BAD_TEXT = bytes.fromhex("62c328")  # text(2) c3 28: not UTF-8
# {"ts": 1, "seq": 1, "props": {"name": <BAD_TEXT>}}
BAD_STATE = bytes.fromhex("a3627473016373657101656170726f7073a1646e616d65") + BAD_TEXT
# 18([h'a10126', {4: <BAD_TEXT>}, h'00', h'00'])
BAD_SIGN1 = bytes.fromhex("d28443a10126a104") + BAD_TEXT + bytes.fromhex("41004100")


def _grow_kb(fn: Callable[[], Any], n: int) -> int:
    for _ in range(2000):  # warm up caches and free lists
        fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(n):
        fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before


def _try(fn: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        return fn(data)
    except CborError:
        return None


def test_decode_rejects_bad_text_without_leaking() -> None:
    with pytest.raises(CborError, match="not valid UTF-8"):
        decode(BAD_TEXT)
    # cbor2 5.9's bare loads grows by about 70 MB over these 10^5 calls
    assert _grow_kb(lambda: _try(decode, BAD_TEXT), 100_000) < 8 * 1024


def test_the_check_engine_decoder_and_cose_do_not_leak_either() -> None:
    dec = _Decoder()
    with pytest.raises(CborError):  # malformed, as the strict decoder says
        dec.decode(BAD_STATE)
    assert _grow_kb(lambda: _try(dec.decode, BAD_STATE), 100_000) < 8 * 1024
    msg, findings = parse_sign1(BAD_SIGN1)
    assert msg is None and {f.code for f in findings} == {"ID-CBOR-MALFORMED"}
    assert _grow_kb(lambda: parse_sign1(BAD_SIGN1), 50_000) < 8 * 1024


def test_valid_replacement_characters_still_decode() -> None:
    assert decode(cbor2.dumps("a\ufffdb")) == "a\ufffdb"
    assert decode(cbor2.dumps({"k\ufffd": ["\ufffd"]})) == {"k\ufffd": ["\ufffd"]}
    state = {"props": {"n": "\ufffd"}}
    assert _Decoder().decode(cbor2.dumps(state)) == state
    # a genuine U+FFFD does not excuse a bad string beside it
    with pytest.raises(CborError):
        decode(bytes.fromhex("82") + cbor2.dumps("\ufffd") + BAD_TEXT)
