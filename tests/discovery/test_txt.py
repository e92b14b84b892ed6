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


def test_binary_keys_keep_their_bytes_as_hex() -> None:
    strings = [b"xa=\xf6\xa9\x9bBZg\xab\xed", b"XP=\x9e\x75", b"nn=Home", b"vn=\xff", b"flag"]
    txt = decode_txt(strings, binary_keys=("xa", "xp"))
    assert txt.get("xa") == "f6a99b425a67abed" and txt.get("xp") == "9e75"
    assert txt.raw("XA") == b"\xf6\xa9\x9bBZg\xab\xed" and txt.raw("nn") == b"Home"
    assert txt.raw("flag") is None and txt.raw("absent") is None
    assert txt.binary == frozenset({"xa", "xp"})
    # only the keys not named binary are checked for UTF-8
    assert [(f.code, f.evidence["key"]) for f in txt.findings] == [("DISC-TXT-ENCODING", "vn")]
    assert decode_txt(strings).get("xa") == "\ufffd\ufffd\ufffdBZg\ufffd\ufffd"


def test_raw_items_follow_items() -> None:
    txt = decode_txt(b"\x03a=1\x04flag\x03a=2")
    assert txt.raw_items == (("a", b"1"), ("flag", None))
    assert [k for k, _ in txt.items] == [k for k, _ in txt.raw_items]


@given(st.lists(st.binary(max_size=80), max_size=20))
def test_binary_keys_never_raise_encoding_findings(strings: list[bytes]) -> None:
    keys = {s.partition(b"=")[0].decode("ascii", "replace").lower() for s in strings}
    txt = decode_txt(strings, binary_keys=keys)
    assert not [f for f in txt.findings if f.code == "DISC-TXT-ENCODING"]
    for key, value in txt.items:
        raw = txt.raw(key)
        assert value is None if raw is None else value == raw.hex()
