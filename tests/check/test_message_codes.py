"""The message codes the issue names exist with exactly these names and severities."""

from __future__ import annotations

from devid import REGISTRY, Severity

REQUIRED = {
    "MSG-CAPTURE-LINE": Severity.WARNING,
    "MSG-TOPIC": Severity.ERROR,
    "MSG-TOO-LARGE": Severity.ERROR,
    "MSG-CBOR-MALFORMED": Severity.ERROR,
    "MSG-ENVELOPE": Severity.ERROR,
    "MSG-TYPE": Severity.ERROR,
    "MSG-RANGE": Severity.ERROR,
    "MSG-ENUM": Severity.ERROR,
    "MSG-REQUIRED-MISSING": Severity.ERROR,
    "MSG-UNKNOWN-PROPERTY": Severity.WARNING,
    "MSG-SEQ-REGRESSION": Severity.ERROR,
    "MSG-SEQ-GAP": Severity.WARNING,
    "MSG-CLOCK-SKEW": Severity.WARNING,
    "MSG-HEARTBEAT-MISSED": Severity.ERROR,
    "MSG-ACK-LATE": Severity.ERROR,
    "MSG-ACK-MISSING": Severity.ERROR,
    "MSG-ACK-UNMATCHED": Severity.ERROR,
    "MSG-RETAIN": Severity.ERROR,
    "MSG-SENSITIVE-PLAINTEXT": Severity.ERROR,
}


def test_required_message_codes() -> None:
    assert {code: REGISTRY[code].severity for code in REQUIRED if code in REGISTRY} == REQUIRED
