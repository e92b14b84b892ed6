"""Hypothesis: whatever a device sends, the engine returns findings and never raises."""

from __future__ import annotations

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devid._capture import CapturedMessage, CaptureHeader
from devid._check import CheckEngine, check_lines
from devid._findings import Finding
from devid._profiles import load_profile
from tests.plugins.message_captures import LOCK_URN

SUFFIXES = ["identity", "status", "state", "event/tamper", "event/x", "cmd/lock",
            "cmd/lock/ack", "cmd/set-code", "challenge", "challenge/response", "bogus/a/b/c"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.binary(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers(-5, 5)), inner, max_size=4)),
    max_leaves=20)
keys = st.sampled_from(["ts", "seq", "props", "data", "id", "args", "ok", "state", "nonce",
                        "error", "locked", "battery", "door", "template"])
envelopes = st.dictionaries(keys, st.one_of(values, st.dictionaries(keys, values, max_size=4)),
                            max_size=5)


def _engine(tls: bool | None) -> CheckEngine:
    header = CaptureHeader(tls=tls, started=1.7e9)
    return CheckEngine(load_profile("access-terminal/1"), header=header)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SUFFIXES), st.one_of(envelopes, values),
                          st.booleans(), st.floats(0, 1000)), max_size=12),
       st.sampled_from([True, False, None]))
def test_structured_payloads_never_crash(msgs: list[tuple[str, object, bool, float]],
                                         tls: bool | None) -> None:
    engine = _engine(tls)
    for suffix, value, retain, dt in msgs:
        try:
            payload = cbor2.dumps(value)
        except (ValueError, TypeError, OverflowError):
            continue
        engine.feed(CapturedMessage(1.7e9 + dt, f"devid/1/{LOCK_URN}/{suffix}", payload, 0,
                                    retain))
    result = engine.finish()
    assert all(isinstance(f, Finding) for f in result.findings)
    assert result.messages <= len(msgs)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=60), st.binary(max_size=80), st.booleans()),
                max_size=8))
def test_random_topics_and_bytes_never_crash(msgs: list[tuple[str, bytes, bool]]) -> None:
    engine = _engine(False)
    for i, (topic, payload, retain) in enumerate(msgs):
        full = topic if i % 2 else f"devid/1/{LOCK_URN}/{topic}"
        engine.feed(CapturedMessage(float(i), full, payload, 1, retain))
    engine.finish()


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=120), st.binary(max_size=120)), max_size=8))
def test_random_capture_lines_never_crash(lines: list[str | bytes]) -> None:
    result = check_lines(lines, load_profile("smart-lock/1"))
    assert result.messages <= len(lines)
    for f in result.findings:
        assert f.code.startswith(("MSG-", "ID-", "DISC-"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=40), values.map(cbor2.dumps),
                 st.integers(12, 20).map(lambda n: b"\xa1\x61k" * 2 + b"\x81" * n + b"\x00")))
def test_fast_decoder_agrees_with_the_strict_one(data: bytes) -> None:
    from devid._cbor import CborError
    from devid._cbor import decode as strict
    from devid._check import _Decoder

    def outcome(fn: object) -> object:
        try:
            return ("ok", fn(data))  # type: ignore[operator]
        except CborError as exc:
            return ("error", exc.kind)

    fast, slow = outcome(_Decoder().decode), outcome(strict)
    if fast != slow:  # NaN != NaN: compare the encodings instead
        assert fast[0] == slow[0] == "ok"  # type: ignore[index]
        assert cbor2.dumps(fast[1]) == cbor2.dumps(slow[1])  # type: ignore[index]
