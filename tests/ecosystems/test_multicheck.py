"""One capture, several ecosystems: routing, verdicts, and "nothing judged is not valid"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid._capture import CapturedMessage, CaptureHeader, CaptureWriter
from devid._check import check_lines, feed_lines
from devid._multicheck import MultiCheck, check_capture_lines
from devid._profiles import load_profile
from devid.cli import cli
from tests.plugins.message_captures import Session

T0 = 1_700_000_000.0

SENSOR_CONFIG: dict[str, Any] = {
    "name": "Temperature",
    "unique_id": "acme_0001_temperature",
    "state_topic": "acme/0001/state",
    "value_template": "{{ value_json.temperature }}",
    "device_class": "temperature",
    "unit_of_measurement": "°C",
    "state_class": "measurement",
    "availability_topic": "acme/0001/availability",
    "device": {"identifiers": ["acme_0001"], "name": "Hall sensor", "manufacturer": "Acme",
               "model": "T-1"},
    "origin": {"name": "acme-bridge"},
}
HOMIE_DESCRIPTION: dict[str, Any] = {
    "homie": "5.0", "version": 1, "name": "Boiler",
    "nodes": {"heater": {"name": "Heater", "properties": {
        "temperature": {"name": "Temperature", "datatype": "float", "unit": "°C",
                        "format": "0:100"}}}},
}


def msg(t: float, topic: str, payload: bytes | str | dict[str, Any], retain: bool = False,
        ) -> CapturedMessage:
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return CapturedMessage(t, topic, payload, 0, retain)


def ha_messages(temperature: Any = 21.5) -> list[CapturedMessage]:
    return [
        msg(T0, "homeassistant/sensor/acme_0001/temperature/config", SENSOR_CONFIG, True),
        msg(T0 + 0.1, "acme/0001/availability", "online", True),
        msg(T0 + 1, "acme/0001/state", {"temperature": temperature}),
    ]


def homie_messages(value: str = "55.5", state: str = "ready") -> list[CapturedMessage]:
    return [
        msg(T0, "homie/5/boiler/$state", "init", True),
        msg(T0 + 0.1, "homie/5/boiler/$description", HOMIE_DESCRIPTION, True),
        msg(T0 + 0.2, "homie/5/boiler/heater/temperature", value, True),
        msg(T0 + 0.3, "homie/5/boiler/$state", state, True),
    ]


def lines(messages: list[CapturedMessage], *, canonical: bool = True) -> list[bytes]:
    out = [json.dumps(CaptureHeader(broker="mqtt://127.0.0.1:1883", tls=False,
                                    started=T0).to_json()).encode()]
    for m in sorted(messages, key=lambda m: m.t):
        obj = m.to_json()
        text = json.dumps(obj, separators=(",", ":")) if canonical else json.dumps(obj)
        out.append(text.encode() + b"\n")
    return out


def errors(result: Any) -> list[str]:
    return sorted(f.code for f in result.findings if f.severity.value == "error")


def test_a_healthy_home_assistant_device_is_judged_and_valid() -> None:
    result = check_capture_lines(lines(ha_messages()))
    assert result.judged == {"ha": 1}
    assert result.devices == ["ha:acme_0001"]
    assert errors(result) == []
    assert result.valid
    assert result.eco_devices[0].manufacturer == "Acme"


def test_a_bad_state_value_is_reported_on_its_device() -> None:
    result = check_capture_lines(lines(ha_messages(temperature="warm")))
    assert result.judged == {"ha": 1}
    (bad,) = [f for f in result.findings if f.code == "HA-STATE-NOT-NUMERIC"]
    assert bad.subject == "ha:acme_0001" and bad.t == T0 + 1
    # HA logs it and keeps the old state (a warning, docs/ha.md); a config HA drops is an error
    broken = dict(SENSOR_CONFIG, device={"name": "no identifiers"})
    messages = ha_messages()
    messages[0] = msg(T0, messages[0].topic, broken, True)
    assert not check_capture_lines(lines(messages)).valid


def test_homie_and_home_assistant_and_devid_in_one_capture() -> None:
    s = Session("smart-lock/1")
    s.healthy(duration=60)
    shifted = [CapturedMessage(m.t - T0 + T0 + 0.5, m.topic, m.payload, m.qos, m.retain)
               for m in s.messages]
    result = check_capture_lines(lines(ha_messages() + homie_messages() + shifted),
                                 load_profile("smart-lock/1"))
    assert result.judged == {"devid": 1, "ha": 1, "homie": 1}
    assert set(result.devices) == {s.urn, "ha:acme_0001", "homie:homie/boiler"}
    assert result.ecosystems["homie"] == 4 and result.ecosystems["ha"] == 3
    assert errors(result) == [], [f.message for f in result.findings]


def test_canonical_and_spaced_lines_give_the_same_verdict() -> None:
    a = check_capture_lines(lines(ha_messages(temperature="warm")))
    b = check_capture_lines(lines(ha_messages(temperature="warm"), canonical=False))
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    assert a.messages == b.messages == 3


def test_a_capture_of_foreign_topics_only_is_not_valid_and_says_what_it_held() -> None:
    messages = [msg(T0 + i, f"zigbee2mqtt/plug_{i % 3}", {"state": "ON"}) for i in range(30)]
    result = check_capture_lines(lines(messages))
    assert not result.valid
    (no_device,) = [f for f in result.findings if f.code == "MSG-NO-DEVICE"]
    assert "30 other messages" in no_device.message and "zigbee2mqtt" in no_device.message
    assert result.other_topics == {"zigbee2mqtt": 30}


def test_a_profile_that_judges_no_device_is_not_valid_even_when_others_pass() -> None:
    result = check_capture_lines(lines(ha_messages()), load_profile("smart-lock/1"))
    assert result.judged == {"ha": 1}
    (no_device,) = [f for f in result.findings if f.code == "MSG-NO-DEVICE"]
    assert "smart-lock/1" in no_device.message and "Home Assistant" in no_device.message
    assert not result.valid


def test_an_ecosystem_asked_for_but_absent_is_not_valid() -> None:
    result = check_capture_lines(lines(ha_messages()), ecosystems={"homie"})
    assert result.judged == {}
    assert "MSG-NO-DEVICE" in errors(result)
    assert "Homie" in next(f.message for f in result.findings if f.code == "MSG-NO-DEVICE")


def test_devid_traffic_left_out_by_ecosystem_is_counted_and_named() -> None:
    s = Session("smart-lock/1")
    s.healthy(duration=30)
    mixed = check_capture_lines(lines(s.messages + ha_messages()), ecosystems={"ha"})
    assert mixed.valid and mixed.judged == {"ha": 1}
    (f,) = [f for f in mixed.findings if f.code.startswith("MSG-")]
    assert f.code == "MSG-NOT-JUDGED" and "--ecosystem" in f.message
    # asked for devid/1 alone in a capture without any: not valid, says what it held
    only_ha = check_capture_lines(lines(ha_messages()), ecosystems={"devid"})
    (f,) = [f for f in only_ha.findings if f.code == "MSG-NO-DEVICE"]
    assert "no devid/1 device" in f.message and "homeassistant/" in f.message


def test_devid_only_path_is_unchanged_by_the_router() -> None:
    s = Session("smart-lock/1")
    s.healthy(duration=60)
    s.state({"locked": True, "battery": 250}, dt=1)
    plain = check_lines(lines(s.messages), s.profile)
    routed = check_capture_lines(lines(s.messages), s.profile)
    assert [f.to_dict() for f in plain.findings] == [f.to_dict() for f in routed.findings]


def test_unknown_ecosystem_is_misuse() -> None:
    with pytest.raises(ValueError, match="unknown ecosystem"):
        MultiCheck(None, ecosystems={"zigbee"})


def test_feed_lines_reads_a_header_only_capture_as_empty() -> None:
    sink, header = feed_lines(lines([]), lambda h: MultiCheck(None, header=h))
    assert header is not None and sink.messages == 0


# -- CLI ------------------------------------------------------------------------------------


def write(path: Path, messages: list[CapturedMessage]) -> Path:
    with path.open("w") as fh:
        writer = CaptureWriter(fh, CaptureHeader(broker="mqtt://127.0.0.1:1883", tls=False,
                                                 started=T0))
        for m in sorted(messages, key=lambda m: m.t):
            writer.write(m)
    return path


def test_cli_check_without_profile_judges_home_assistant_and_homie(tmp_path: Path) -> None:
    path = write(tmp_path / "home.jsonl", ha_messages() + homie_messages())
    res = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["valid"] is True and out["judged"] == {"ha": 1, "homie": 1}
    assert {d["id"] for d in out["device_list"]} == {"ha:acme_0001", "homie:homie/boiler"}


def test_cli_check_exit_1_when_nothing_judged(tmp_path: Path) -> None:
    path = write(tmp_path / "z2m.jsonl", [msg(T0, "zigbee2mqtt/x", {"state": "ON"})])
    res = CliRunner().invoke(cli, ["check", str(path)])
    assert res.exit_code == 1
    assert "MSG-NO-DEVICE" in res.output and "INVALID" in res.output


def test_cli_check_option_errors_are_one_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", ha_messages())
    runner = CliRunner()
    for args, text in ((["--ecosystem", "auto", "--ecosystem", "ha"], "cannot be combined"),
                       (["--ha-prefix", "home/#"], "--ha-prefix")):
        res = runner.invoke(cli, ["check", str(path), *args])
        assert res.exit_code == 2, (args, res.output)
        assert text in res.output and "Traceback" not in res.output


def test_cli_check_ha_prefix(tmp_path: Path) -> None:
    moved = [msg(m.t, m.topic.replace("homeassistant/", "home/", 1), m.payload, m.retain)
             for m in ha_messages()]
    path = write(tmp_path / "home.jsonl", moved)
    default = CliRunner().invoke(cli, ["check", str(path), "--json", "--ecosystem", "ha"])
    assert default.exit_code == 1 and json.loads(default.output)["judged"] == {}
    res = CliRunner().invoke(cli, ["check", str(path), "--json", "--ha-prefix", "home"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["judged"] == {"ha": 1}


def test_a_topic_goes_to_the_ecosystem_that_claims_it_now_not_to_the_one_that_did() -> None:
    # The router remembers which judge claimed a topic; once an earlier judge (Homie)
    # learns the topic's root, the topic is Homie's, as it would be without the memory.
    check = MultiCheck(None)
    for m in ha_messages():
        check.feed_raw(m.t, m.topic, m.payload, m.retain)
    check.feed_raw(T0 + 2, "acme/0001/state", b'{"temperature": 22}', False)
    ha, homie = (next(i for i in check.inventories if i.ecosystem == e) for e in ("ha", "homie"))
    assert (ha.messages, homie.messages) == (4, 0)
    check.feed_raw(T0 + 3, "acme/5/lamp/$state", b"init", True)  # acme/ is a Homie 5 root
    check.feed_raw(T0 + 4, "acme/0001/state", b'{"temperature": 23}', False)
    # HA did not get the last message; Homie did (and replayed what it kept of acme/)
    assert ha.messages == 4 and homie.messages >= 2
    assert check.finish().ecosystems == {"ha": 4, "homie": homie.messages}
