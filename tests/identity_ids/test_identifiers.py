"""devid._identifiers: every rule of every scheme, passing and failing, and a fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devid import REGISTRY, IdentifierResult, Severity, check_identifier
from devid._certs import urn_problem
from devid._identifiers import (
    MATTER_TEST_VENDORS,
    SCHEME_NAMES,
    SCHEMES,
    gb28181_fields,
    identifier_example,
    identifier_problem,
    matter_id_problem,
    recognise,
)
from devid._token import check_ueid
from devid.discovery import parse_service

RANDOM16 = "00112233445566778899aabbccddeeff"


def codes(res: IdentifierResult) -> list[str]:
    return [f.code for f in res.findings]


# -- the codes ---------------------------------------------------------------------------


def test_codes_are_registered_with_one_meaning_each() -> None:
    assert REGISTRY["ID-IDENTIFIER-MALFORMED"].severity is Severity.ERROR
    assert REGISTRY["ID-IDENTIFIER-UNKNOWN"].severity is Severity.ERROR
    assert REGISTRY["ID-MATTER-TEST-VENDOR"].severity is Severity.WARNING
    assert REGISTRY["MSG-FORMAT"].severity is Severity.ERROR
    for code in ("ID-IDENTIFIER-MALFORMED", "ID-IDENTIFIER-UNKNOWN", "ID-MATTER-TEST-VENDOR"):
        assert REGISTRY[code].spec_ref == "devid-1 §1"


def test_the_table_covers_every_scheme_name_and_its_examples_are_clean() -> None:
    assert set(SCHEMES) == set(SCHEME_NAMES) == {"urn", "ueid", "matter", "gb28181"}
    for name in SCHEME_NAMES:
        example = identifier_example(name)
        assert recognise(example) == name
        # the matter example is a test vendor: well-formed, a warning in production
        assert check_identifier(example, name, production=False).findings == ()


# -- urn: the one URN rule of _certs --------------------------------------------------------


@pytest.mark.parametrize("urn", ["urn:dev:ops:32473-SmartLock-0001", "urn:dev:mac:0024befffe804ff1",
                                 "urn:dev:org:32473-Lock01", "URN:dev:os:32473-x"])
def test_urn_valid(urn: str) -> None:
    res = check_identifier(urn)
    assert (res.scheme, res.valid, res.findings) == ("urn", True, ())


@pytest.mark.parametrize("urn", ["urn:dev:ops:32473-Smart/Lock-0001", "urn:dev:ow:264",
                                 "urn:isbn:0451450523", "urn:dev:mac:0024BEFFFE804FF1",
                                 "urn:dev:ops:0-a-b", "urn:dev"])
def test_urn_invalid_carries_urn_problem(urn: str) -> None:
    res = check_identifier(urn)
    assert res.scheme == "urn" and not res.valid
    assert codes(res) == ["ID-IDENTIFIER-MALFORMED"]
    problem = urn_problem(urn)
    assert problem is not None and problem in res.findings[0].message


# -- ueid: the token's ueid claim rule --------------------------------------------------------


@pytest.mark.parametrize("text", [
    "01" + RANDOM16,                      # random, 16 bytes
    "01" + RANDOM16 * 2,                  # random, 32 bytes
    "02" + "0024be804ff1",                # EUI-48
    "02" + "0024befffe804ff1",            # EUI-64
    "03" + "0305020908070604030201000102",  # IMEI, 14 digit bytes
    "0x01" + RANDOM16,                    # 0x prefix
    "01:" + ":".join(RANDOM16[i:i + 2] for i in range(0, 32, 2)),  # colon separated
])
def test_ueid_valid(text: str) -> None:
    res = check_identifier(text, "ueid")
    assert res.valid and res.findings == ()


@pytest.mark.parametrize(("text", "why"), [
    ("01" + RANDOM16[:-2], "at least 16 bytes"),
    ("02" + "0024be804ff1aa", "6 or 8 bytes"),
    ("03" + "0305020908070604030201000a02", "digit bytes"),
    ("04" + RANDOM16, "unknown UEID type"),
    ("0201", "7-33 bytes"),
    ("01" + RANDOM16 * 3, "7-33 bytes"),
    ("01xyz", "hexadecimal"),
    ("01" + RANDOM16 + "f", "hexadecimal"),
    ("", "7-33 bytes"),
])
def test_ueid_invalid(text: str, why: str) -> None:
    res = check_identifier(text, "ueid")
    assert not res.valid and codes(res) == ["ID-IDENTIFIER-MALFORMED"]
    assert why in res.findings[0].message


def test_ueid_reuses_check_ueid() -> None:
    data = bytes.fromhex("02" + "0024be804ff1aa")
    reason = check_ueid(data)
    assert reason is not None
    assert reason in check_identifier(data.hex(), "ueid").findings[0].message


# -- matter -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0x0001", "0x130d", "0x130D:0x1001", "130d:1001", "0xFFFF:0xFFFF",
                                  "0x1:0x1"])
def test_matter_valid(text: str) -> None:
    res = check_identifier(text)
    assert (res.scheme, res.valid, res.findings) == ("matter", True, ())


@pytest.mark.parametrize(("text", "why"), [
    ("0x0", "vendor id 0"),
    ("0x0000:0x8000", "vendor id 0"),
    ("0x130D:0x0", "product id 0"),
    ("0x10000", "vendor id 65536"),
    ("0x130D:0x10000", "product id 65536"),
    ("0xGG", "hexadecimal"),
    ("0x130D:", "hexadecimal"),
    ("0x130D:0x1:0x2", "hexadecimal"),
    ("65521+32769", "hexadecimal"),
])
def test_matter_invalid(text: str, why: str) -> None:
    res = check_identifier(text, "matter")
    assert not res.valid and codes(res) == ["ID-IDENTIFIER-MALFORMED"]
    assert why in res.findings[0].message


@pytest.mark.parametrize("vid", list(MATTER_TEST_VENDORS))
def test_matter_test_vendors_warn_in_production_only(vid: int) -> None:
    text = f"0x{vid:04X}:0x8000"
    res = check_identifier(text)
    assert res.valid and codes(res) == ["ID-MATTER-TEST-VENDOR"]
    assert res.findings[0].severity is Severity.WARNING
    assert check_identifier(text, production=False).findings == ()


@pytest.mark.parametrize("vid", [0xFFF0, 0xFFF5])
def test_neighbours_of_the_test_vendors_are_not_test_vendors(vid: int) -> None:
    assert check_identifier(f"0x{vid:04X}").findings == ()


def test_matter_id_problem_is_the_integer_rule() -> None:
    assert matter_id_problem(1) is None and matter_id_problem(0xFFFF, 0xFFFF) is None
    assert matter_id_problem(0) is not None and matter_id_problem(0x10000) is not None
    assert matter_id_problem(1, 0) is not None and matter_id_problem(1, -1) is not None


@pytest.mark.parametrize("vp", [b"0+1", b"65521+0", b"0", b"70000+1"])
def test_dns_sd_parser_uses_the_shared_matter_rule(vp: bytes) -> None:
    rec = parse_service("_matterc._udp", "DD200C20D25AE5F7", {b"D": b"1", b"VP": vp})
    assert [f.code for f in rec.findings] == ["DISC-TXT-VALUE"]
    assert rec.findings[0].severity is Severity.WARNING  # devid observes Matter
    assert "vid" not in rec.ids


def test_dns_sd_parser_test_vendor_is_named_not_flagged() -> None:
    rec = parse_service("_matterc._udp", "DD200C20D25AE5F7", {b"D": b"1", b"VP": b"65524+1"})
    assert rec.findings == () and rec.ids["vid"] == 0xFFF4
    assert rec.vendor is not None and "test vendor" in rec.vendor


# -- GB/T 28181 --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["34020000001320000001", "11010000001110000001",
                                  "00000000000000000000"])
def test_gb28181_valid(code: str) -> None:
    res = check_identifier(code)
    assert (res.scheme, res.valid, res.findings) == ("gb28181", True, ())


@pytest.mark.parametrize(("code", "why"), [
    ("3402000000132000000", "not 19 characters"),
    ("340200000013200000011", "not 21 characters"),
    ("3402000000132000000A", "character 20"),
    ("34020000 01320000001", "character 9"),
    ("３4020000001320000001", "character 1"),   # a full-width digit is not ASCII
    ("-3402000000132000000", "character 1"),
    ("", "not 0 characters"),
])
def test_gb28181_invalid(code: str, why: str) -> None:
    res = check_identifier(code, "gb28181")
    assert not res.valid and codes(res) == ["ID-IDENTIFIER-MALFORMED"]
    assert why in res.findings[0].message


def test_gb28181_fields_are_reported_not_judged() -> None:
    assert gb28181_fields("34020000001320000001") == {
        "centre": "34020000", "industry": "00", "type": "132", "network": "0",
        "serial": "000001"}


# -- recognition --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "scheme"), [
    ("urn:dev:ops:32473-SmartLock-0001", "urn"),
    ("urn:anything", "urn"),
    ("34020000001320000001", "gb28181"),
    ("0xFFF1", "matter"),
    ("fff1:8000", "matter"),
    ("01" + RANDOM16, "ueid"),
    ("0x01" + RANDOM16, "ueid"),
    ("3402000000132000000", "gb28181"),    # 19 digits: a GB/T 28181 code with one missing
    ("340200000013200000011", "gb28181"),  # 21: one doubled (a hex UEID has an even length)
    ("340200000013200000", None),          # 18 digits: no shape (name --scheme for why)
    ("FFF1", None),                  # bare hex: ambiguous without 0x or :PID
    ("hello", None),
    ("", None),
])
def test_recognition(text: str, scheme: str | None) -> None:
    assert recognise(text) == scheme
    res = check_identifier(text)
    assert res.scheme == scheme
    if scheme is None:
        assert not res.valid and codes(res) == ["ID-IDENTIFIER-UNKNOWN"]
    elif len(text) in (19, 21):
        assert not res.valid and codes(res) == ["ID-IDENTIFIER-MALFORMED"]
        assert "a GB/T 28181 device code is 20 digits" in res.findings[0].message


def test_unknown_scheme_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown identifier scheme"):
        check_identifier("x", "ean13")


def test_over_long_text_is_a_finding_and_is_clipped() -> None:
    text = "urn:dev:ops:" + "a" * 5000
    res = check_identifier(text, "urn")
    assert codes(res) == ["ID-IDENTIFIER-MALFORMED"]
    assert res.findings[0].subject is not None and len(res.findings[0].subject) <= 80
    assert check_identifier(text).scheme is None  # too long to have any shape


def test_identifier_problem_is_the_engine_rule() -> None:
    assert identifier_problem("gb28181", "34020000001320000001") is None
    bad = identifier_problem("gb28181", "3402")
    assert bad is not None and bad[0] == "ID-IDENTIFIER-MALFORMED" and "3402" not in bad[1]
    tv = identifier_problem("matter", "0xFFF2")
    assert tv is not None and tv[0] == "ID-MATTER-TEST-VENDOR"


def test_result_to_dict() -> None:
    d = check_identifier("0x0").to_dict()
    assert set(d) == {"input", "scheme", "valid", "findings"}
    assert d["findings"][0]["code"] == "ID-IDENTIFIER-MALFORMED"


# -- fuzz ----------------------------------------------------------------------------------------

texts = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789abcdefABCDEFxX:+ ", max_size=70),
    st.from_regex(r"urn:dev:(ops|mac|os|org|ow):[ -~]{0,40}", fullmatch=True),
    st.text(alphabet="0123456789", min_size=18, max_size=22),
)


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([None, *SCHEME_NAMES]), st.booleans())
def test_check_identifier_never_raises(text: str, scheme: str | None, production: bool) -> None:
    res = check_identifier(text, scheme, production=production)
    assert res.input == text
    assert res.valid == (not any(f.is_error for f in res.findings))
    assert all(f.code in REGISTRY for f in res.findings)
    if scheme is not None:
        assert res.scheme == scheme
    elif res.scheme is None:
        assert codes(res) == ["ID-IDENTIFIER-UNKNOWN"]
    else:
        assert res.scheme == recognise(text)
