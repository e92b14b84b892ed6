"""The check engine: for every check, a capture with the fault and the same without it."""

from __future__ import annotations

import cbor2
import pytest

from devid._check import MAX_PAYLOAD, CheckEngine, parse_topic
from devid._findings import Severity
from devid._profiles import load_profile
from tests.plugins.message_captures import LOCK_URN, SENSOR_URN, T0, Session, codes


def test_healthy_lock_session_has_no_error_and_no_warning() -> None:
    s = Session("smart-lock/1")
    s.healthy(300)
    cid = s.cmd("lock", dt=1)
    s.ack("lock", cid)
    s.state(s.props(locked=True, door="closed"), dt=0.1)
    s.event("tamper", {"kind": "forced"}, dt=5)
    s.event("tamper", {"kind": "other"}, dt=5)
    cid = s.cmd("set-code", {"code": "482913", "slot": 2}, dt=1)
    s.ack("set-code", cid, dt=1.5)
    s.state(dt=20)
    result = s.check()
    assert result.findings == []
    assert result.valid
    assert result.devices == [LOCK_URN]
    assert result.messages == len(s.messages)


def test_healthy_sensor_session_is_clean_through_the_line_reader_too() -> None:
    s = Session("env-sensor/1")
    s.healthy(1800)
    assert s.check().findings == []
    assert s.check_lines().findings == []


def test_findings_name_the_device_and_the_receive_time() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state(s.props(battery=101), dt=3)
    bad_t = s.messages[-1].t
    [f] = s.check().findings
    assert (f.code, f.subject, f.t) == ("MSG-RANGE", LOCK_URN, bad_t)
    assert f.evidence["topic"] == f"devid/1/{LOCK_URN}/state"
    assert f.spec_ref


# -- topics, size, CBOR, envelope --------------------------------------------------------


@pytest.mark.parametrize("topic", [
    "devid/1/not-a-urn/state",
    f"devid/1/{LOCK_URN}/telemetry",
    f"devid/1/{LOCK_URN}/event",
    f"devid/1/{LOCK_URN}/cmd/lock/nack",
    f"devid/1/{LOCK_URN}/state/extra",
    "devid/1/urn:dev:ops:32473-Smart+Lock-1/state",
])
def test_topic_grammar(topic: str) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    assert codes(s.check()) == []
    s.raw("", cbor2.dumps({"x": 1}), topic=topic, dt=1)
    assert codes(s.check()) == ["MSG-TOPIC"]


def test_topic_outside_devid_is_info_only() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.raw("", b"\x01", topic="$SYS/broker/uptime", dt=1)
    result = s.check()
    assert [(f.code, f.severity) for f in result.findings] == [("MSG-TOPIC", Severity.INFO)]
    assert result.valid


def test_parse_topic_kinds() -> None:
    assert parse_topic(f"devid/1/{LOCK_URN}/cmd/lock/ack").kind == "ack"  # type: ignore[union-attr]
    assert parse_topic(f"devid/1/{LOCK_URN}/challenge/response").kind == "response"  # type: ignore[union-attr]
    assert isinstance(parse_topic("devid/2/x/state"), str)


def test_payload_size_limit() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.raw("event/tamper", cbor2.dumps({"ts": s.ts(), "seq": 0, "data": {"kind": "x" * 10}}))
    assert "MSG-TOO-LARGE" not in codes(s.check())
    s.raw("event/jammed", b"\x00" * (MAX_PAYLOAD + 1), dt=1)
    assert codes(s.check()).count("MSG-TOO-LARGE") == 1


@pytest.mark.parametrize("payload", [
    b"\xff",                      # a stray break
    b"\xa1\x61",                  # truncated map
    cbor2.dumps({"ts": 1}) + b"\x00",  # trailing bytes
    b"\x81" * 17 + b"\x00",       # nested 17 deep
    b"",                          # empty
])
def test_cbor_malformed(payload: bytes) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.raw("state", payload, retain=True, dt=1)
    assert "MSG-CBOR-MALFORMED" in codes(s.check())


def test_identity_that_is_not_cbor() -> None:
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token({2: LOCK_URN}))
    assert codes(s.check()) == []
    s = Session("smart-lock/1")
    s.healthy(60, identity=b"\xd2\x84")
    assert codes(s.check()) == ["MSG-CBOR-MALFORMED"]


def test_cbor_nested_16_deep_is_decoded() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    deep: object = 1
    for _ in range(14):  # data map (1) + props value nesting -> 16 levels in all
        deep = [deep]
    s.event("tamper", {"kind": "forced", "extra": deep}, dt=1)
    assert "MSG-CBOR-MALFORMED" not in codes(s.check())


@pytest.mark.parametrize(("suffix", "value"), [
    ("state", {"ts": 1, "props": {"locked": True, "battery": 5}}),           # no seq
    ("state", {"ts": -5, "seq": 1, "props": {"locked": True, "battery": 5}}),  # negative ts
    ("state", {"ts": 1.5, "seq": 1, "props": {"locked": True, "battery": 5}}),  # float ts
    ("state", {"ts": 1, "seq": 1, "props": [1, 2]}),                       # props not a map
    ("state", [1, 2, 3]),                                                    # not a map
    ("status", {"state": "sleeping", "ts": 1}),
    ("status", {"state": "online"}),
    ("event/tamper", {"ts": 1, "seq": "0", "data": {}}),
    ("cmd/lock", {"args": {}, "ts": 1}),                                     # no id
    ("cmd/lock/ack", {"id": "c1", "ok": "yes", "ts": 1}),
    ("challenge", {"nonce": b"short"}),
])
def test_envelope(suffix: str, value: object) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.pub(suffix, value, dt=1)
    assert "MSG-ENVELOPE" in codes(s.check())


def test_envelope_valid_forms_are_quiet() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.pub("challenge", {"nonce": b"n" * 16}, dt=1)
    s.pub("event/jammed", {"ts": s.ts(), "seq": 0}, dt=1)  # data may be left out when empty
    assert codes(s.check()) == []


def test_unknown_envelope_key_is_a_warning() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.pub("state", {"ts": s.ts(), "seq": s.next_seq("state"), "props": s.props(), "x": 1},
          dt=1)
    result = s.check()
    assert codes(result) == ["MSG-UNKNOWN-PROPERTY"]
    assert result.valid


# -- property content ----------------------------------------------------------------------


@pytest.mark.parametrize(("change", "code"), [
    ({"locked": "yes"}, "MSG-TYPE"),
    ({"locked": 1}, "MSG-TYPE"),
    ({"battery": 50.5}, "MSG-TYPE"),
    ({"battery": True}, "MSG-TYPE"),
    ({"battery": 101}, "MSG-RANGE"),
    ({"battery": -1}, "MSG-RANGE"),
    ({"door": "ajar"}, "MSG-ENUM"),
    ({"door": 3}, "MSG-ENUM"),
    ({"colour": "red"}, "MSG-UNKNOWN-PROPERTY"),
])
def test_state_property_checks(change: dict[str, object], code: str) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state(s.props(door="closed"), dt=1)
    assert codes(s.check()) == []
    s.state({**s.props(door="closed"), **change}, dt=1)
    assert codes(s.check()) == [code]


def test_required_property_missing() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state({"locked": True, "battery": 80}, dt=1)
    assert codes(s.check()) == []
    s.state({"locked": True}, dt=1)
    result = s.check()
    assert codes(result) == ["MSG-REQUIRED-MISSING"]
    assert "battery" in result.findings[0].message


@pytest.mark.parametrize(("value", "code"), [
    (float("nan"), "MSG-RANGE"),
    (float("inf"), "MSG-RANGE"),
    (85.01, "MSG-RANGE"),
    (-40.5, "MSG-RANGE"),
    ("21", "MSG-TYPE"),
])
def test_number_property(value: object, code: str) -> None:
    s = Session("env-sensor/1")
    s.healthy(600)
    s.state(s.props(temperature=85, humidity=0.0), dt=1)  # the bounds are inclusive
    s.state(s.props(temperature=-40), dt=1)
    assert codes(s.check()) == []
    s.state(s.props(temperature=value), dt=1)
    assert codes(s.check()) == [code]


def test_array_of_objects_property() -> None:
    s = Session("ip-camera/1")
    s.healthy(60)
    stream = {"name": "main", "codec": "H.265", "width": 3840, "height": 2160, "fps": 25.0}
    s.state(s.props(streams=[stream]), dt=1)
    assert codes(s.check()) == []
    s.state(s.props(streams=[stream, {**stream, "codec": "VP9"}]), dt=1)
    result = s.check()
    assert codes(result) == ["MSG-ENUM"]
    assert "[1]" in result.findings[0].message
    s.state(s.props(streams=[{"name": "x"}]), dt=1)
    assert "MSG-REQUIRED-MISSING" in codes(s.check())


# -- events and commands -------------------------------------------------------------------


def test_event_data_schema() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.event("tamper", {"kind": "forced"}, dt=1)
    assert codes(s.check()) == []
    s.event("tamper", {"kind": "hammer"}, dt=1)
    assert codes(s.check()) == ["MSG-ENUM"]


def test_event_required_field() -> None:
    s = Session("smoke-co-alarm/1")
    s.healthy(60)
    s.event("co-alarm", {"level": "critical", "co_concentration": 350}, dt=1)
    assert codes(s.check()) == []
    s.event("co-alarm", {"co_concentration": 350}, dt=1)
    assert codes(s.check()) == ["MSG-REQUIRED-MISSING"]


def test_unknown_event_and_command_are_warnings() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.event("doorbell", {}, dt=1)
    cid = s.cmd("reboot", dt=1)
    s.ack("reboot", cid)
    result = s.check()
    assert codes(result) == ["MSG-UNKNOWN-COMMAND", "MSG-UNKNOWN-EVENT"]
    assert result.valid


def test_command_argument_schema() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    cid = s.cmd("set-code", {"code": "1234"}, dt=1)
    s.ack("set-code", cid)
    assert codes(s.check()) == []
    cid = s.cmd("set-code", {"slot": 0}, dt=1)
    s.ack("set-code", cid)
    assert codes(s.check()) == ["MSG-RANGE", "MSG-REQUIRED-MISSING"]


def test_siren_activate_arguments() -> None:
    s = Session("siren/1")
    s.healthy(60)
    cid = s.cmd("activate", {"tone": "intrusion", "duration": 180}, dt=1)
    s.ack("activate", cid)
    assert codes(s.check()) == []
    cid = s.cmd("activate", {"tone": "intrusion", "duration": 0}, dt=1)
    s.ack("activate", cid)
    assert codes(s.check()) == ["MSG-RANGE"]


# -- seq and time ----------------------------------------------------------------------------


def test_seq_regression_is_an_error() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state(dt=1)
    assert codes(s.check()) == []
    s.state(seq=0, dt=1)
    assert codes(s.check()) == ["MSG-SEQ-REGRESSION"]


def test_seq_gap_is_a_warning() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state(seq=s.next_seq("state") + 3, dt=1)
    result = s.check()
    assert codes(result) == ["MSG-SEQ-GAP"]
    assert result.valid


def test_seq_is_per_topic_and_events_count_too() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.event("tamper", {}, dt=1)        # seq 0 on event/tamper
    s.event("jammed", {}, dt=1)        # seq 0 on event/jammed: another topic
    assert codes(s.check()) == []
    s.event("tamper", {}, seq=0, dt=1)
    assert codes(s.check()) == ["MSG-SEQ-REGRESSION"]


def test_qos1_redelivery_is_not_a_regression() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state(dt=1)
    s.messages.append(s.messages[-1])  # the same message again
    assert codes(s.check()) == []


def test_restart_may_start_seq_over() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.status("offline", dt=5)
    s.status("online", dt=5)
    s.state(seq=0, dt=0.1)
    assert codes(s.check()) == []


def test_clock_skew_is_a_warning() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.t += 1
    s.state(ts=s.ts() + 29_000)
    assert codes(s.check()) == []
    s.t += 1
    s.state(ts=s.ts() - 31_000)
    result = s.check()
    assert codes(result) == ["MSG-CLOCK-SKEW"]
    assert result.findings[0].evidence["skew_s"] == pytest.approx(-31.0, abs=0.01)


def test_stale_retained_state_first_on_subscription_is_not_skew() -> None:
    s = Session("smart-lock/1")
    s.status("online", dt=0.1)
    s.state(ts=s.ts() - 3_600_000, dt=0.1)  # retained an hour ago, delivered now
    s.state(dt=30)
    assert codes(s.check()) == []


# -- heartbeat ---------------------------------------------------------------------------------


def test_heartbeat_missed_between_states() -> None:
    s = Session("smart-lock/1")  # heartbeat 60 s
    s.healthy(60)
    s.state(dt=60)
    assert codes(s.check()) == []
    s.state(dt=70)
    result = s.check()
    assert codes(result) == ["MSG-HEARTBEAT-MISSED"]
    assert result.findings[0].evidence["silence_s"] == pytest.approx(70)
    assert result.findings[0].t == s.messages[-1].t


def test_heartbeat_counts_silence_up_to_the_end_of_the_capture() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.event("tamper", {}, dt=50)
    assert codes(s.check()) == []
    s.event("tamper", {}, dt=30)  # 80 s since the last state, and the capture ends here
    assert codes(s.check()) == ["MSG-HEARTBEAT-MISSED"]


def test_offline_device_owes_no_heartbeat() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.status("offline", dt=10)
    s.status("online", dt=600)
    s.state(dt=1)
    s.state(dt=30)
    assert codes(s.check()) == []


def test_env_sensor_heartbeat_is_300_s() -> None:
    s = Session("env-sensor/1")
    s.start()
    s.state(dt=300)
    assert codes(s.check()) == []
    s.state(dt=400)
    assert codes(s.check()) == ["MSG-HEARTBEAT-MISSED"]


# -- commands and acks -------------------------------------------------------------------------


def test_ack_late() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    cid = s.cmd("unlock", dt=1)
    s.ack("unlock", cid, dt=1.9)
    assert codes(s.check()) == []
    cid = s.cmd("unlock", dt=1)
    s.ack("unlock", cid, dt=2.5)
    result = s.check()
    assert codes(result) == ["MSG-ACK-LATE"]
    assert result.findings[0].evidence["deadline_s"] == 2


def test_ack_missing() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    cid = s.cmd("lock", dt=1)
    s.ack("lock", cid)
    s.state(dt=5)
    assert codes(s.check()) == []
    s.cmd("lock", dt=1)
    s.state(dt=5)
    assert codes(s.check()) == ["MSG-ACK-MISSING"]


def test_ack_not_judged_when_the_capture_ends_before_the_deadline() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.cmd("lock", dt=1)
    s.state(dt=1.5)  # the capture ends 1.5 s after the command: its 2 s are not over
    assert s.check().findings == []
    s.state(dt=0.6)
    assert codes(s.check()) == ["MSG-ACK-MISSING"]


def test_ack_unmatched() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    cid = s.cmd("lock", dt=1)
    s.ack("lock", cid)
    assert codes(s.check()) == []
    s.ack("lock", cid)  # the same id again: its command was acked already
    s.ack("unlock", "never-sent")
    assert codes(s.check()) == ["MSG-ACK-UNMATCHED", "MSG-ACK-UNMATCHED"]


def test_ack_must_come_on_the_same_command_name() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    cid = s.cmd("lock", dt=1)
    s.ack("unlock", cid)
    s.state(dt=5)
    assert codes(s.check()) == ["MSG-ACK-MISSING", "MSG-ACK-UNMATCHED"]


# -- retain ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["state", "status"])
def test_retained_topics_must_be_retained(suffix: str) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    if suffix == "state":
        s.state(dt=1, retain=False)
    else:
        s.status("online", dt=1, retain=False)
    result = s.check()
    assert codes(result) == ["MSG-RETAIN"]
    assert result.findings[0].evidence["count"] == 1


def test_identity_must_be_retained() -> None:
    s = Session("smart-lock/1")
    s.raw("identity", b"\xd2\x84\x40\xa0\x40\x40", retain=True)
    s.healthy(60)
    assert codes(s.check()) == []
    s.raw("identity", b"\xd2\x84\x40\xa0\x40\x40", retain=False, dt=1)
    assert codes(s.check()) == ["MSG-RETAIN"]


def test_retained_event_is_a_warning() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.event("tamper", {}, dt=1, retain=True)
    result = s.check()
    assert codes(result) == ["MSG-RETAIN"]
    assert result.findings[0].severity is Severity.WARNING


def test_retain_inferred_needs_one_retained_delivery_per_topic() -> None:
    s = Session("smart-lock/1", retain_inferred=True)
    s.healthy(120)
    for m in s.messages[2:]:
        assert m.retain  # the helper publishes state retained
    s.messages[2:] = [m.__class__(m.t, m.topic, m.payload, m.qos, False, m.line)
                      for m in s.messages[2:]]  # a 3.1.1 broker: live messages lose the flag
    assert codes(s.check()) == []
    s.messages[1] = s.messages[1].__class__(s.messages[1].t, s.messages[1].topic,
                                            s.messages[1].payload, 1, False, 3)
    assert codes(s.check()) == ["MSG-RETAIN"]


# -- data classes ----------------------------------------------------------------------------


def test_sensitive_value_without_tls() -> None:
    for tls, expected in ((True, []), (None, []), (False, ["MSG-SENSITIVE-PLAINTEXT"])):
        s = Session("smart-lock/1", tls=tls)
        s.healthy(60)
        cid = s.cmd("set-code", {"code": "482913"}, dt=1)
        s.ack("set-code", cid)
        result = s.check()
        assert codes(result) == expected, tls
        assert all("482913" not in f.message and "482913" not in str(f.evidence)
                   for f in result.findings)


def test_sensitive_value_is_never_echoed_in_findings() -> None:
    s = Session("smart-lock/1", tls=False)
    s.healthy(60)
    s.cmd("set-code", {"code": "9" * 40}, dt=1)
    result = s.check()
    assert "MSG-RANGE" in codes(result)
    assert all("9999" not in f.message for f in result.findings)


def test_access_terminal_event_never_carries_a_template() -> None:
    s = Session("access-terminal/1")
    s.healthy(60)
    s.event("access-granted", {"credential": "face", "user_id": "u-17", "score": 0.93}, dt=1)
    assert codes(s.check()) == []
    s.event("access-granted", {"credential": "finger-vein", "template": b"\x01" * 64}, dt=1)
    s.event("access-denied", {"credential": "iris", "reason": "no-match",
                              "extra": {"iris_code": b"\x02"}}, dt=1)
    result = s.check()
    assert codes(result).count("MSG-FORBIDDEN-FIELD") == 2
    assert not result.valid


@pytest.mark.parametrize("name", ["Template", "TEMPLATE", "faceImage", "Face-Image",
                                  "iris_Code"])
def test_forbidden_fields_ignore_case_and_separators(name: str) -> None:
    s = Session("access-terminal/1")
    s.healthy(60)
    s.event("access-granted", {"credential": "face", name: b"\x01" * 8}, dt=1)
    found = [f for f in s.check().findings if f.code == "MSG-FORBIDDEN-FIELD"]
    assert len(found) == 1 and found[0].evidence["name"] == name


def test_a_field_merely_containing_a_forbidden_word_is_not_forbidden() -> None:
    s = Session("access-terminal/1")
    s.healthy(60)
    s.event("access-granted", {"credential": "face", "template_version": 3}, dt=1)
    assert "MSG-FORBIDDEN-FIELD" not in codes(s.check())


def test_ip_camera_never_sends_video() -> None:
    s = Session("ip-camera/1")
    s.healthy(60)
    s.event("motion", {"region": "door", "snapshot": b"\xff\xd8"}, dt=1)
    assert "MSG-FORBIDDEN-FIELD" in codes(s.check())


# -- profiles per device -----------------------------------------------------------------------


def _token(claims: dict[int, object]) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(18, [b"\xa1\x01\x26", {}, cbor2.dumps(claims), b"sig"]))


def test_token_claiming_another_profile_is_noted_as_info() -> None:
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token({2: LOCK_URN, -70001: ["smart-lock/1"]}))
    assert s.check().findings == []
    s = Session("smart-lock/1")
    s.healthy(60, identity=_token({2: LOCK_URN, -70001: ["env-sensor/1"]}))
    result = s.check()
    assert [(f.code, f.severity) for f in result.findings] == [
        ("MSG-PROFILE-OTHER", Severity.INFO)]
    assert result.valid


def test_profile_applies_to_every_device() -> None:
    s = Session("env-sensor/1")
    s.healthy(600)
    other = "urn:dev:ops:32473-EnvSensor-0002"
    s.status("online", urn=other)
    s.state(s.props(), urn=other, dt=1)
    s.state(s.props(humidity=130), urn=other, dt=1)
    result = s.check()
    assert result.devices == sorted([SENSOR_URN, other])
    assert [(f.code, f.subject) for f in result.findings] == [("MSG-RANGE", other)]
    assert result.device_messages[other] == 3


def test_engine_can_be_fed_incrementally() -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    engine = CheckEngine(load_profile("smart-lock/1"), header=s.header)
    for m in s.messages:
        engine.feed(m)
    result = engine.finish()
    assert result.findings == [] and result.messages == len(s.messages)


def test_empty_capture() -> None:
    engine = CheckEngine(load_profile("smart-lock/1"))
    result = engine.finish()
    assert (result.findings, result.messages, result.devices) == ([], 0, [])


def test_t0_constant_is_used() -> None:
    s = Session("smart-lock/1")
    s.start()
    assert s.messages[0].t == pytest.approx(T0 + 0.01)


def test_a_repeated_key_in_a_message_is_malformed_cbor() -> None:
    """{ts, seq, props, seq}: which seq? A decoder keeps one; the check says it is invalid."""
    s = Session("smart-lock/1")
    s.healthy(60)
    body = cbor2.dumps({"ts": 1, "seq": 99, "props": {"locked": True, "battery": 80}})
    body = bytes([body[0] + 1]) + body[1:] + cbor2.dumps("seq") + cbor2.dumps(1)
    s.raw("state", body, retain=True, dt=1)
    found = [f for f in s.check().findings if f.code == "MSG-CBOR-MALFORMED"]
    assert len(found) == 1 and "duplicate map key 'seq'" in found[0].message
