"""Without --profile, each devid/1 device is judged by the profile its identity token
claims (claim -70001); a device that claims none devid knows gets core/1 and a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cbor2
from click.testing import CliRunner

from devid._check import CheckResult
from devid._multicheck import check_capture_lines
from devid.cli import cli
from tests.plugins.message_captures import LOCK_URN, SENSOR_URN, Session

CAMERA_URN = "urn:dev:ops:32473-IpCamera-0001"


def token(urn: str, profiles: Any) -> bytes:
    """An identity token's shape (COSE_Sign1) carrying ``profiles``; not signed (no --trust)."""
    claims: dict[int, Any] = {2: urn}
    if profiles is not None:
        claims[-70001] = profiles
    return cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, cbor2.dumps(claims),
                                          b"\0" * 64]))


def mixed_home() -> Session:
    """A smart lock and an environment sensor in one capture, each claiming its profile."""
    s = Session("smart-lock/1")
    s.raw("identity", token(LOCK_URN, ["smart-lock/1"]), retain=True)
    s.status("online", dt=0.01)
    s.state(dt=0.01)
    sensor = Session("env-sensor/1")
    s.raw("identity", token(SENSOR_URN, ["env-sensor/1"]), retain=True, urn=SENSOR_URN)
    s.pub("status", {"state": "online", "ts": s.ts()}, urn=SENSOR_URN)
    s.state(sensor.props(), urn=SENSOR_URN, dt=0.01)
    for _ in range(3):
        s.state(dt=30)
        s.state(sensor.props(), urn=SENSOR_URN)
    return s


def check(s: Session, **kw: Any) -> CheckResult:
    return check_capture_lines(s.lines(), None, **kw)


def codes_of(result: CheckResult, subject: str) -> set[str]:
    return {f.code for f in result.findings if f.subject == subject}


def test_each_device_is_judged_by_the_profile_it_claims() -> None:
    result = check(mixed_home())
    assert result.device_profiles == {LOCK_URN: "smart-lock/1", SENSOR_URN: "env-sensor/1"}
    assert result.judged == {"devid": 2}
    assert result.valid, [(f.code, f.subject, f.message) for f in result.findings]
    # against one profile for both, the sensor's properties are unknown to the lock profile
    forced = check_capture_lines(mixed_home().lines(), mixed_home().profile)
    assert "MSG-UNKNOWN-PROPERTY" in codes_of(forced, SENSOR_URN)


def test_a_fault_is_found_against_the_claimed_profile_even_before_the_identity() -> None:
    s = Session("env-sensor/1")
    # the state arrives before the identity (a retained snapshot's order is the broker's)
    s.state(s.props(temperature=500.0))
    s.raw("identity", token(SENSOR_URN, ["env-sensor/1"]), retain=True, dt=0.01)
    s.status("online", dt=0.01)
    result = check(s)
    assert result.device_profiles == {SENSOR_URN: "env-sensor/1"}
    assert "MSG-RANGE" in codes_of(result, SENSOR_URN)


def test_no_identity_or_no_claim_is_judged_against_core_only() -> None:
    s = Session("env-sensor/1")
    s.status("online")
    s.state(dt=0.01)
    s.raw("identity", token(LOCK_URN, None), retain=True, urn=LOCK_URN)  # no -70001
    s.pub("status", {"state": "online", "ts": s.ts()}, urn=LOCK_URN)
    result = check(s)
    assert result.device_profiles == {SENSOR_URN: "core/1", LOCK_URN: "core/1"}
    for urn in (SENSOR_URN, LOCK_URN):
        found = codes_of(result, urn)
        assert "MSG-PROFILE-UNCLAIMED" in found
        assert "MSG-UNKNOWN-PROPERTY" not in found  # meaningless without the class profile
    [note] = [f for f in result.findings if f.subject == SENSOR_URN
              and f.code == "MSG-PROFILE-UNCLAIMED"]
    assert "no identity message" in note.message and note.severity.value == "warning"


def test_a_claim_devid_does_not_know_is_said_and_never_read_as_a_file(tmp_path: Path) -> None:
    planted = tmp_path / "planted.yaml"
    planted.write_text("id: planted/1\nextends: core/1\n")
    for claim in (["acme-camera/7"], [str(planted)], ["../../etc/passwd"], [""]):
        s = Session("smart-lock/1", urn=CAMERA_URN)
        s.raw("identity", token(CAMERA_URN, claim), retain=True)
        s.status("online", dt=0.01)
        result = check(s)
        assert result.device_profiles == {CAMERA_URN: "core/1"}, claim
        assert "MSG-PROFILE-UNKNOWN" in codes_of(result, CAMERA_URN), claim


def test_a_vendor_profile_is_found_in_profile_dirs(tmp_path: Path) -> None:
    (tmp_path / "acme-lock-1.yaml").write_text(
        "id: acme-lock/1\nextends: smart-lock/1\nproperties:\n"
        "  auto_relock:\n    type: integer\n    unit: s\n    minimum: 0\n    maximum: 600\n")
    s = Session("smart-lock/1")
    s.raw("identity", token(LOCK_URN, ["acme-lock/1", "smart-lock/1"]), retain=True)
    s.status("online", dt=0.01)
    s.state(s.props(auto_relock=900), dt=0.01)
    assert check(s).device_profiles == {LOCK_URN: "smart-lock/1"}
    result = check(s, profile_dirs=[str(tmp_path)])
    assert result.device_profiles == {LOCK_URN: "acme-lock/1"}
    assert "MSG-RANGE" in codes_of(result, LOCK_URN)


def test_cli_without_profile_judges_each_device_and_lists_its_profile(tmp_path: Path) -> None:
    path = mixed_home().write(tmp_path / "home.jsonl")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "smart-lock/1" in result.output and "env-sensor/1" in result.output
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    [obj] = [json.loads(line) for line in result.output.splitlines()]
    listed = {d["id"]: d["profile"] for d in obj["device_list"]}
    assert listed == {LOCK_URN: "smart-lock/1", SENSOR_URN: "env-sensor/1"}
