"""The real-world DNS-SD corpus (../shared/vectors/ecosystems/mdns_txt_examples.json).

Each example says in ``expected`` what a correct reading yields, partly in prose
("shelly (HA matches _http._tcp name shelly*)"). :data:`FIELDS` maps each expected
key, by what it means, to the record field it is checked against and how the prose
is normalised; no library code knows the example ids. :data:`JUDGED_DIFFERENTLY`
lists the cases devid reads differently from ``expected``, with the reason (also in
docs/discovery.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devid import Severity
from devid.discovery import DeviceRecord, parse_service
from devid.discovery._parsers_shelly import shelly_model
from tests.plugins.vectors import VECTORS, vectors_dir


def _examples() -> list[dict[str, Any]]:
    path = VECTORS / "ecosystems" / "mdns_txt_examples.json"
    if not path.exists():  # collected without the vectors: the test itself skips or fails
        return [{"id": "vectors-missing"}]
    examples: list[dict[str, Any]] = json.loads(path.read_text())["examples"]
    return examples


def _txt(example: dict[str, Any]) -> Any:
    if "txt_hex" in example:
        return [bytes.fromhex(s) for s in example["txt_hex"]]
    if "txt_dict" in example:
        return example["txt_dict"]
    return [s.encode() for s in example["txt"]]


def _head(value: Any) -> Any:
    """Prose → the value it starts with: ``"abc (8 raw bytes)"`` → ``"abc"``."""
    return value.split(" (")[0].strip() if isinstance(value, str) else value


def _words(value: str) -> set[str]:
    return set(_head(value).split())


Check = Callable[[DeviceRecord, Any], None]


def _ids(name: str, norm: Callable[[Any], Any] = _head) -> Check:
    def check(rec: DeviceRecord, expected: Any) -> None:
        assert rec.ids.get(name) == norm(expected), (name, dict(rec.ids))

    return check


def _attr(name: str) -> Check:
    def check(rec: DeviceRecord, expected: Any) -> None:
        assert getattr(rec, name) == _head(expected), (name, getattr(rec, name))

    return check


def _ecosystem(rec: DeviceRecord, expected: str) -> None:
    # "android-tv (legacy ...)" → android-tv; "apple companion-link" → one of the words
    assert rec.ecosystem in _words(expected), (rec.ecosystem, expected)


def _class(rec: DeviceRecord, expected: str) -> None:
    # "tv / media-player" → either; "relay (4-channel switch ...)" → relay, and the
    # parenthesis is the Shelly model table's description of the announced model
    options = {part.strip().split()[0] for part in _head(expected).split("/")}
    assert rec.profile in options, (rec.profile, expected)
    detail = re.search(r"\((.+)\)", expected)
    if detail:
        row = shelly_model(rec.model or "")
        assert row is not None and row.detail == detail.group(1), (rec.model, expected)


def _native_id(rec: DeviceRecord, expected: str) -> None:
    assert rec.id.removeprefix(f"{rec.ecosystem}:") == _head(expected), rec.id


def _test_vendor(rec: DeviceRecord, expected: bool) -> None:
    assert ("test vendor" in (rec.vendor or "")) is expected, rec.vendor


def _legacy_intervals(rec: DeviceRecord, expected: str) -> None:
    # "present as legacy CRI=5000/CRA=300": CRI is the old SII, CRA the old SAI
    values = dict(re.findall(r"(CRI|CRA)=([0-9]+)", expected))
    assert rec.ids["sii"] == int(values["CRI"]) and rec.ids["sai"] == int(values["CRA"])
    assert set(rec.ids["legacy_keys"]) == {"CRI", "CRA"}


FIELDS: dict[str, Check] = {
    "ecosystem": _ecosystem,
    "class": _class,
    "model": _attr("model"),
    "vendor": _attr("vendor"),
    "name": _attr("name"),
    "id": _native_id,
    "test_vendor": _test_vendor,
    "sii/sai": _legacy_intervals,
    "mac": _ids("mac", lambda v: _head(v).lower()),
    "network_name": _ids("network_name"),
    "xpanid": _ids("xp", lambda v: _head(v).lower()),  # the TXT key is xp
    **{
        key: _ids(key)
        for key in (
            "gen",
            "hap_id",
            "category",
            "paired",
            "bt_mac",
            "bt_addr",
            "household",
            "vid",
            "pid",
            "discriminator",
            "device_type",
            "commissioning_mode",
            "sii",
            "sai",
            "tcp",
            "compressed_fabric_id",
            "node_id",
            "cast_id",
            "deviceid",
            "bridgeid",
            "api_encryption",
            "encryption_provisionable",
            "xa",
            "xp",
            "border_agent_id",
        )
    },
}

JUDGED_DIFFERENTLY: dict[tuple[str, str], tuple[str, str]] = {
    # (example, expected key) → (finding devid reports instead, why)
    ("owntone-1167-kodi-airplay", "deviceid"): (
        "DISC-TXT-VALUE",
        "the reporter redacted the MAC to DC:A6:xx:xx:xx:xx; as given it is not an AirPlay"
        " deviceid (XX:XX:XX:XX:XX:XX), so devid warns and does not use it as an id",
    ),
}

# Findings the corpus itself explains (HA fixtures use placeholder instance names and
# write a key without '=' as None; myhome54 sends xp as ASCII hex).
EXPECTED_FINDINGS: dict[str, set[str]] = {
    "ha-matter-commissionable-eve-door": {"DISC-INSTANCE-NAME", "DISC-TXT-NO-VALUE"},
    "ha-matter-operational": {"DISC-INSTANCE-NAME"},
    "zc-meshcop-myhome54": {"DISC-TXT-VALUE"},
    "owntone-1167-kodi-airplay": {"DISC-TXT-VALUE"},
}

EXAMPLES = _examples()


@pytest.fixture(scope="module")
def corpus() -> Path:
    return vectors_dir("ecosystems")


def test_corpus_is_complete(corpus: Path) -> None:
    examples = json.loads((corpus / "mdns_txt_examples.json").read_text())["examples"]
    assert len(examples) == 33
    assert {k for e in examples for k in e["expected"]} <= set(FIELDS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_example_reads_as_expected(corpus: Path, example: dict[str, Any]) -> None:
    rec = parse_service(example["service_type"], example["instance"], _txt(example))
    codes = {f.code for f in rec.findings}
    assert codes == EXPECTED_FINDINGS.get(example["id"], set()), rec.findings
    assert all(f.severity is not Severity.ERROR for f in rec.findings)
    for key, expected in example["expected"].items():
        different = JUDGED_DIFFERENTLY.get((example["id"], key))
        if different:
            assert different[0] in codes and key not in rec.ids
            continue
        FIELDS[key](rec, expected)


def test_ascii_hex_xpanid_is_read_with_a_warning(corpus: Path) -> None:
    (example,) = [e for e in EXAMPLES if e["id"] == "zc-meshcop-myhome54"]
    rec = parse_service(example["service_type"], example["instance"], _txt(example))
    (warning,) = rec.findings
    assert warning.severity is Severity.WARNING and warning.evidence["key"] == "xp"
    assert "ASCII hex" in warning.message and "8 raw bytes" in warning.message
    assert rec.ids["xp"] == "695034d148cc4784"


def test_binary_thread_values_keep_their_bytes(corpus: Path) -> None:
    (example,) = [e for e in EXAMPLES if e["id"] == "ha-meshcop-ha-otbr"]
    rec = parse_service(example["service_type"], example["instance"], _txt(example))
    assert rec.findings == ()
    assert rec.ids["omr_prefix"] == "fd20:be89:495a:1::/64"
    assert rec.ids["sb"] == "000001b1" and rec.ids["sq"] == 0x33 and rec.ids["bb"] == 0xF0BF
    assert rec.txt["_meshcop._udp"]["xa"] == "aeeb2f594b570bbf"  # hex, not U+FFFD
    assert rec.id == "thread:230c6a1ac57f6f4be262acf32e5ef52c"


def test_both_shelly_announcements_name_one_device(corpus: Path) -> None:
    by_id = {e["id"]: e for e in EXAMPLES}
    records = [
        parse_service(e["service_type"], e["instance"], _txt(e))
        for e in (by_id["zc-shelly-pro4pm-shelly"], by_id["zc-shelly-pro4pm-http"])
    ]
    assert {r.id for r in records} == {"shelly:94b97ec07650"}
    assert {r.model for r in records} == {"Pro4PM"}
