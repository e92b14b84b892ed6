"""Device URN grammar (RFC 9039 §3 as devid/1 §1 accepts it)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devid.discovery import DeviceUrn, is_device_urn, parse_urn, urn_problem


@pytest.mark.parametrize(
    "urn",
    [
        "urn:dev:ops:32473-SmartLock-0001",
        "urn:dev:ops:32473-Smart.Lock-00-01_part2",
        "urn:dev:mac:0024befffe804ff1",
        "urn:dev:mac:0024be804ff1",
        "urn:dev:org:32473-abc-def",
        "urn:dev:os:32473-0001",
        "URN:DEV:ops:32473-SmartLock-0001",
    ],
)
def test_accepted_forms(urn: str) -> None:
    assert is_device_urn(urn), urn_problem(urn)


@pytest.mark.parametrize(
    ("urn", "why"),
    [
        ("", "empty"),
        ("urn:dev:ops:32473-Smart/Lock-1", "'/'"),
        ("urn:dev:ops:32473-SmartLock-#1", "'#'"),
        ("urn:dev:ops:32473-SmartLock-+1", "'+'"),
        ("urn:dev:ops:32473-SmartLock-1\x00", "NUL"),
        ("urn:dev:ops:032473-SmartLock-1", "urn:dev:ops:"),
        (
            "urn:dev:ops:32473-Smart-Lock",
            None,
        ),  # product has no dash: reads as product Smart, serial Lock
        ("urn:dev:ops:32473-SmartLock", "urn:dev:ops:"),
        ("urn:dev:mac:0024BE804FF1", "urn:dev:mac:"),
        ("urn:dev:mac:0024be80", "urn:dev:mac:"),  # not an EUI-48/64
        ("urn:dev:ow:264437f5000000ed", "not one devid/1 accepts"),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "urn:dev:"),
        ("urn:dev:ops:32473-Smart Lock-1", "urn:dev:ops:"),
        ("urn:dev:" + "ops:1-a-" + "x" * 300, "longer"),
    ],
)
def test_rejected_forms(urn: str, why: str | None) -> None:
    problem = urn_problem(urn)
    if why is None:
        assert problem is None
        parsed = parse_urn(urn)
        assert isinstance(parsed, DeviceUrn)
        assert (parsed.product, parsed.serial) == ("Smart", "Lock")
    else:
        assert problem is not None and why in problem


def test_ops_parts() -> None:
    parsed = parse_urn("urn:dev:ops:32473-SmartLock-0001")
    assert parsed == DeviceUrn(
        "urn:dev:ops:32473-SmartLock-0001", "ops", 32473, "SmartLock", "0001"
    )


@given(st.text(max_size=80))
def test_never_raises_and_valid_urns_are_topic_safe(text: str) -> None:
    result = parse_urn(text)
    if not isinstance(result, str):
        assert not any(c in text for c in "/+#\x00")
        assert text.lower().startswith("urn:dev:")
