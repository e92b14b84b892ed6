"""TXT decoding (RFC 6763 §6): every breach is a finding, never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devid.discovery import decode_txt, split_wire


def codes(txt: object) -> list[str]:
    return [f.code for f in decode_txt(txt).findings]  # type: ignore[arg-type]


def test_forms_agree() -> None:
    wire = b"\x09txtvers=1\x04flag\x05a=b=c"
    as_list = [b"txtvers=1", b"flag", b"a=b=c"]
    as_map = {b"txtvers": b"1", b"flag": None, b"a": b"b=c"}
    for form in (wire, as_list, as_map):
        txt = decode_txt(form)
        assert txt.items == (("txtvers", "1"), ("flag", None), ("a", "b=c"))
        assert txt.findings == ()


def test_keys_are_case_insensitive_and_first_wins() -> None:
    txt = decode_txt([b"ID=one", b"id=two", b"Id=three"])
    assert txt.get("id") == "one"
    assert "iD" in txt
    assert [f.code for f in txt.findings] == ["DISC-TXT-DUPLICATE", "DISC-TXT-DUPLICATE"]
    assert txt.findings[0].evidence["ignored"] == "two"


def test_bad_keys_encoding_and_empty_strings() -> None:
    txt = decode_txt([b"", b"=value", b"k\x01y=v", b"\xff=1", b"name=\xff\xfeok"])
    assert txt.items == (("name", "\ufffd\ufffdok"),)
    assert [f.code for f in txt.findings] == [
        "DISC-TXT-KEY",
        "DISC-TXT-KEY",
        "DISC-TXT-KEY",
        "DISC-TXT-ENCODING",
    ]
    assert txt.findings[-1].evidence["hex"] == "fffe6f6b"


def test_truncated_wire_and_oversize() -> None:
    assert split_wire(b"\x05ab") == ([b"ab"], True)
    assert "DISC-TXT-MALFORMED" in codes(b"\x03a=1\x09short")
    big = [f"k{i}=".encode() + b"v" * 200 for i in range(8)]
    assert codes(big) == ["DISC-TXT-OVERSIZE"]
    huge = [f"k{i}=".encode() + b"v" * 250 for i in range(60)]
    txt = decode_txt(huge)
    assert [f.code for f in txt.findings] == ["DISC-TXT-OVERSIZE", "DISC-TXT-OVERSIZE"]
    assert sum(len(k) + len(v or "") + 2 for k, v in txt.items) <= 8192


@given(st.binary(max_size=2000))
def test_any_wire_bytes_decode_without_raising(data: bytes) -> None:
    txt = decode_txt(data)
    for key, _ in txt.items:
        assert key and key.isascii() and "=" not in key


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_any_string_list_decodes_without_raising(strings: list[bytes]) -> None:
    txt = decode_txt(strings)
    keys = [k.lower() for k, _ in txt.items]
    assert len(keys) == len(set(keys))
