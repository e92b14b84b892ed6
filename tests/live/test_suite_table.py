"""The suite as data: case ids, routing of check findings, valid command arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from devid._check import compile_profile
from devid._findings import finding
from devid._profiles import list_profiles, load_profile
from devid.cli import cli
from devid.live import command_args, route, suite_for
from devid.live._suite import topic_kind

URN = "urn:dev:ops:32473-SmartPlug-0001"


def test_smart_plug_suite_ids_are_stable() -> None:
    ids = [c.id for c in suite_for(load_profile("smart-plug/1"))]
    assert ids == [
        "identity.token", "identity.possession", "retained.identity", "retained.status",
        "retained.state", "heartbeat", "state.schema", "cmd.on.ack", "cmd.off.ack",
        "events.wellformed", "lastwill"]


@pytest.mark.parametrize("summary", [p for p in list_profiles() if not p.abstract],
                         ids=lambda p: p.id)
def test_every_profile_has_one_ack_case_per_command(summary) -> None:
    profile = load_profile(summary.id)
    cases = suite_for(profile)
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids))
    assert [c.command for c in cases if c.command] == list(profile.commands)


@pytest.mark.parametrize("summary", [p for p in list_profiles() if not p.abstract],
                         ids=lambda p: p.id)
def test_command_args_satisfy_the_profile(summary) -> None:
    profile = load_profile(summary.id)
    compiled = compile_profile(profile)
    for name, spec in profile.commands.items():
        args = command_args(spec.args)
        assert set(args) == set(spec.args)
        assert compiled.commands[name].problems(args) == [], (name, args)


@pytest.mark.parametrize("code, suffix, expected", [
    ("MSG-RETAIN", "state", "retained.state"),
    ("MSG-RETAIN", "identity", "retained.identity"),
    ("MSG-RETAIN", "status", "retained.status"),
    ("MSG-HEARTBEAT-MISSED", "state", "heartbeat"),
    ("MSG-RANGE", "state", "state.schema"),
    ("MSG-CBOR-MALFORMED", "state", "state.schema"),
    ("MSG-ACK-LATE", "cmd/on", "cmd.on.ack"),
    ("MSG-ACK-MISSING", "cmd/off", "cmd.off.ack"),
    ("MSG-ENVELOPE", "cmd/on/ack", "cmd.on.ack"),
    ("MSG-TYPE", "event/overload", "events.wellformed"),
    ("MSG-UNKNOWN-EVENT", "event/nope", "events.wellformed"),
    ("MSG-ACK-UNMATCHED", "cmd/dance/ack", "events.wellformed"),  # undeclared command
    ("MSG-TOPIC", "weird/topic", "events.wellformed"),
    ("MSG-ENVELOPE", "status", "retained.status"),
    ("MSG-TOO-LARGE", "identity", "retained.identity"),
    ("MSG-ENVELOPE", "challenge", "events.wellformed"),
])
def test_findings_are_routed_to_their_case(code: str, suffix: str, expected: str) -> None:
    ids = {c.id for c in suite_for(load_profile("smart-plug/1"))}
    f = finding(code, "x", subject=URN, evidence={"topic": f"devid/1/{URN}/{suffix}"})
    assert route(f, ids) == expected


def test_topic_kind() -> None:
    assert topic_kind(f"devid/1/{URN}/cmd/on/ack") == ("ack", "on")
    assert topic_kind(f"devid/1/{URN}/challenge/response") == ("response", None)
    assert topic_kind("elsewhere") == ("other", None)


def test_cli_list_and_usage_errors() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["test", "--profile", "smart-lock/1", "--list"])
    assert listed.exit_code == 0
    ids = [line.split("\t")[0] for line in listed.output.splitlines()]
    assert ids == [c.id for c in suite_for(load_profile("smart-lock/1"))]
    for args in (
        ["test", "--profile", "nope/1", "--all"],
        ["test", "--profile", "smart-plug/1"],
        ["test", "--profile", "smart-plug/1", "--all", "--device", URN],
        ["test", "--profile", "smart-plug/1", "--all", "--broker", "http://x", "--trust", "."],
        ["test", "--profile", "smart-plug/1", "--device", "not-a-urn",
         "--broker", "mqtt://127.0.0.1:1", "--trust", "/nonexistent"],
        ["scan", "--broker", "ftp://x"],
        ["scan", "--interface", "eth0"],
        ["scan", "--trust", "/nonexistent/dir", "--broker", "mqtt://127.0.0.1:1"],
    ):
        result = runner.invoke(cli, args, env={"DEVID_BROKER": "", "DEVID_TRUST": ""})
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_scan_unreachable_broker_is_a_usage_error(tmp_path, pki) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(cli, ["scan", "--broker", f"mqtt://127.0.0.1:{port}",
                                      "--trust", str(pki.trust_dir), "--timeout", "1",
                                      "--interface", "127.0.0.1", "--json"])
    assert result.exit_code == 2
    assert "devid: error: --broker" in result.output


def test_safe_text_escapes_terminal_controls() -> None:
    from devid.cli.scan import safe_text

    assert safe_text("a\x1b[31mb\u202ec\n") == "a\\x1b[31mb\\u202ec\\x0a"
    assert safe_text("x" * 100, 10) == "x" * 9 + "…"
    assert safe_text(None) == ""


def test_public_surface_of_devid_live() -> None:
    import devid.live

    assert sorted(devid.live.__all__) == sorted([
        "NONCE_SIZE", "HookError", "Possession", "PossessionResult", "Response", "ScanStats",
        "SuiteCase", "async_scan", "challenge_payload", "check_retained_token", "command_args",
        "command_power_cycle", "devices_on_broker", "judge_possession", "route", "run_suite",
        "scan", "suite_for"])
    for name in devid.live.__all__:
        assert getattr(devid.live, name) is not None


def test_scan_with_nothing_to_scan() -> None:
    import asyncio

    from devid.live import async_scan

    report = asyncio.run(async_scan(mdns=False, timeout=0.5))
    assert report.devices == () and report.broker is None
    assert {f.code for f in report.findings} == {"SCAN-NO-TRUST", "SCAN-NO-DEVICES"}
    # A scan that found nothing is a failed scan (exit 1), not a clean bill of health.
    assert report.has_errors
    [empty] = [f for f in report.findings if f.code == "SCAN-NO-DEVICES"]
    assert empty.severity.value == "error"


@pytest.mark.parametrize("command", [
    ["scan", "--broker", "mqtt://127.0.0.1:1"],
    ["test", "--profile", "smart-plug/1", "--all", "--broker", "mqtt://127.0.0.1:1",
     "--trust", "."],
    ["demo", "--out", "demo-out"],
])
def test_a_bad_mqtt_config_file_is_one_line_for_every_live_command(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "mqtt.toml"
    config.write_text('usernme = "x"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, command, env={"DEVID_MQTT_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"devid: error: MQTT config {config}: unknown key 'usernme' (valid keys: username, "
        "password, ca_file, cert_file, key_file, tls_insecure)")
    assert not (tmp_path / "demo-out").exists()


def test_scan_interface_must_be_an_address_of_this_machine() -> None:
    result = CliRunner().invoke(cli, ["scan", "--interface", "192.0.2.1", "--timeout", "1"])
    assert result.exit_code == 2
    assert "--interface: 192.0.2.1 is not an address of this machine" in result.stderr
