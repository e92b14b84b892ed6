"""``devid check``: the exact CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from devid._token import create_token
from devid.cli import cli
from devid.cli._common import middle
from tests.plugins.message_captures import LOCK_URN, T0, Session
from tests.plugins.pki import TestPKI


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def json_lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def healthy(tmp_path: Path, name: str = "ok.jsonl") -> Path:
    s = Session("smart-lock/1")
    s.healthy(120)
    return s.write(tmp_path / name)


def faulty(tmp_path: Path, name: str = "bad.jsonl") -> Path:
    s = Session("smart-lock/1")
    s.healthy(120)
    s.state(s.props(battery=250), dt=1)
    return s.write(tmp_path / name)


def test_json_contract_for_a_valid_capture(tmp_path: Path) -> None:
    path = healthy(tmp_path)
    result = run("check", str(path), "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 0, result.output
    [obj] = json_lines(result)
    assert obj["input"] == str(path)
    assert obj["valid"] is True
    assert obj["devices"] == 1
    assert obj["messages"] == len(path.read_text().splitlines()) - 1  # minus the header
    assert obj["findings"] == []


def test_json_contract_for_an_invalid_capture(tmp_path: Path) -> None:
    ok, bad = healthy(tmp_path), faulty(tmp_path)
    result = run("check", str(ok), str(bad), "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 1
    first, second = json_lines(result)
    assert first["valid"] is True and second["valid"] is False
    [f] = second["findings"]
    assert {"code", "severity", "message", "subject", "t"} <= f.keys()
    assert (f["code"], f["severity"], f["subject"]) == ("MSG-RANGE", "error", LOCK_URN)
    assert isinstance(f["t"], float)


def test_text_output_is_a_per_device_summary(tmp_path: Path) -> None:
    result = run("check", str(faulty(tmp_path)), "--profile", "smart-lock/1")
    assert result.exit_code == 1
    assert "INVALID" in result.stdout
    assert LOCK_URN in result.stdout  # 200 columns: whole
    assert "MSG-RANGE" in result.stdout
    narrow = CliRunner().invoke(cli, ["check", str(faulty(tmp_path)), "--profile",
                                      "smart-lock/1"], env={"COLUMNS": "80"})
    assert middle(LOCK_URN) in narrow.stdout and LOCK_URN not in narrow.stdout  # cut, not broken
    assert all(len(line) <= 80 for line in narrow.stdout.splitlines()[1:])
    result = run("check", str(healthy(tmp_path)), "--profile", "smart-lock/1")
    assert result.exit_code == 0
    assert "valid" in result.stdout


def test_device_strings_are_not_rich_markup(tmp_path: Path) -> None:
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state({**s.props(), "[bold red]x[/]": 1}, dt=1)
    result = run("check", str(s.write(tmp_path / "m.jsonl")), "--profile", "smart-lock/1")
    assert "[bold red]x[/]" in result.stdout


def test_unparsable_lines_are_findings_not_crashes(tmp_path: Path) -> None:
    path = healthy(tmp_path)
    with path.open("a") as fh:
        fh.write("this is not json\n{\"t\": \"soon\"}\n\xff\n")
    result = run("check", str(path), "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 0  # MSG-CAPTURE-LINE is a warning
    [obj] = json_lines(result)
    found = [f["code"] for f in obj["findings"]]
    assert found == ["MSG-CAPTURE-LINE"] * 3


@pytest.mark.parametrize("content", [b"", b"\x00\xff random bytes \x81\x82\n\xfe\n",
                                     b'{"capture": 1, "broker": null, "tls": false}\n'])
def test_a_capture_without_any_message_is_invalid(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "nothing.jsonl"
    path.write_bytes(content)
    result = run("check", str(path), "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 1
    [obj] = json_lines(result)
    assert obj["valid"] is False
    assert obj["messages"] == 0
    assert [f["code"] for f in obj["findings"]][-1] == "MSG-CAPTURE-EMPTY"


def test_the_same_capture_with_one_message_is_not_empty(tmp_path: Path) -> None:
    result = run("check", str(healthy(tmp_path)), "--profile", "smart-lock/1", "--json")
    [obj] = json_lines(result)
    assert "MSG-CAPTURE-EMPTY" not in {f["code"] for f in obj["findings"]}


def test_usage_and_io_errors_exit_2(tmp_path: Path) -> None:
    path = healthy(tmp_path)
    for args in (
        ["check", str(tmp_path / "missing.jsonl"), "--profile", "smart-lock/1"],
        ["check", str(path), "--profile", "no-such/1"],
        ["check", str(path), "--profile", "smart lock"],
        ["check", str(path), "--profile", "smart-lock/1", "--trust", str(tmp_path / "none")],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_devid_traffic_without_a_profile_is_judged_by_the_claimed_profile(
        tmp_path: Path) -> None:
    # healthy() carries no identity token: judged against core/1, and a warning says why
    result = CliRunner().invoke(cli, ["check", str(healthy(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    [obj] = json_lines(result)
    assert obj["judged"] == {"devid": 1}
    assert {f["code"] for f in obj["findings"]} == {"MSG-PROFILE-UNCLAIMED"}


def test_profile_given_as_a_file_and_profile_dir(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "acme-lock-1.yaml").write_text(
        "id: acme-lock/1\nextends: smart-lock/1\nproperties:\n"
        "  auto_relock:\n    type: integer\n    unit: s\n    minimum: 0\n    maximum: 600\n")
    s = Session("smart-lock/1")
    s.healthy(60)
    s.state({**s.props(), "auto_relock": 30}, dt=1)
    path = s.write(tmp_path / "c.jsonl")
    base = run("check", str(path), "--profile", "smart-lock/1", "--json")
    assert [f["code"] for f in json_lines(base)[0]["findings"]] == [
        "MSG-UNKNOWN-PROPERTY"]
    for args in (["--profile", str(vendor / "acme-lock-1.yaml")],
                 ["--profile", "acme-lock/1", "--profile-dir", str(vendor)]):
        result = run("check", str(path), *args, "--json")
        assert result.exit_code == 0, result.output
        assert json_lines(result)[0]["findings"] == []


def test_trust_option(tmp_path: Path, pki: TestPKI, foreign_pki: TestPKI) -> None:
    token = create_token(pki.device.key, pki.device.chain_der, sub=pki.device.urn,
                         iat=int(T0) - 60)
    s = Session("smart-lock/1")
    s.healthy(60, identity=token)
    path = s.write(tmp_path / "id.jsonl")
    ok = run("check", str(path), "--profile", "smart-lock/1", "--trust", str(pki.trust_dir),
             "--json")
    assert ok.exit_code == 0, ok.output
    bad = run("check", str(path), "--profile", "smart-lock/1", "--trust",
              str(foreign_pki.trust_dir), "--json")
    assert bad.exit_code == 1
    assert "ID-CHAIN-UNTRUSTED" in [f["code"] for f in json_lines(bad)[0]["findings"]]


def test_console_script(tmp_path: Path) -> None:
    path = faulty(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "devid.cli", "check", str(path), "--profile",
                           "smart-lock/1", "--json"], capture_output=True, text=True,
                          timeout=60, check=False)
    if "No module named devid.cli.__main__" in proc.stderr:
        proc = subprocess.run([sys.executable, "-c", "from devid.cli import main; main()",
                               "check", str(path), "--profile", "smart-lock/1", "--json"],
                              capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["valid"] is False


def test_an_endless_line_ends_the_reading_with_a_finding() -> None:
    """/dev/zero never ends and has no newline: a finding, not a hang (nor a MemoryError)."""
    result = run("check", "/dev/zero", "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 1
    [obj] = json_lines(result)
    messages = [f["message"] for f in obj["findings"] if f["code"] == "MSG-CAPTURE-LINE"]
    assert any("the rest of the file was not read" in m for m in messages), messages


def test_over_long_lines_are_cut_and_the_next_lines_still_read(tmp_path: Path) -> None:
    from devid._capture import MAX_LINE, read_capture

    path = healthy(tmp_path)
    good = path.read_bytes()
    first, rest = good.split(b"\n", 1)  # the header stays the first line
    path.write_bytes(first + b"\n" + b"[" * (3 * MAX_LINE) + b"\n" + rest)
    capture = read_capture(path)
    assert [f.code for f in capture.findings] == ["MSG-CAPTURE-LINE"]
    assert "line 2: line of 3,145,729 bytes, longer than" in capture.findings[0].message
    assert len(capture.messages) == len(rest.splitlines())
    result = run("check", str(path), "--profile", "smart-lock/1", "--json")
    [obj] = json_lines(result)
    assert [f["code"] for f in obj["findings"]] == ["MSG-CAPTURE-LINE"]


def test_one_huge_message_hides_nothing_after_it(tmp_path: Path) -> None:
    """Issue 14 item 7: a 70 MB message once ended the reading; later faults were lost."""
    s = Session("smart-lock/1")
    s.healthy(60)
    s.raw("state", b"\xa0" * (70 * 1024 * 1024), retain=True, dt=1)
    for _ in range(3):
        s.state(s.props(battery=250), dt=10)
    path = s.write(tmp_path / "huge.jsonl")
    assert path.stat().st_size > 90 * 1024 * 1024
    result = run("check", str(path), "--profile", "smart-lock/1", "--json")
    assert result.exit_code == 1
    [obj] = json_lines(result)
    codes = [f["code"] for f in obj["findings"]]
    assert codes.count("MSG-RANGE") >= 1  # battery 250 after the huge line is seen
    [huge] = [f for f in obj["findings"] if f["code"] == "MSG-TOO-LARGE"]
    assert huge["subject"] == LOCK_URN and huge["evidence"]["size"] > 70 * 1024 * 1024
    assert huge["evidence"]["line"] == len(s.messages) - 2  # its own line (header is line 1)


def test_record_keeps_an_oversized_payload_as_a_marker_line(tmp_path: Path) -> None:
    from devid._capture import MAX_RECORDED, CapturedMessage, CaptureWriter, read_capture

    path = tmp_path / "marker.jsonl"
    with path.open("w") as fh:
        writer = CaptureWriter(fh)
        writer.write(CapturedMessage(T0, f"devid/1/{LOCK_URN}/state", b"x" * (MAX_RECORDED + 1),
                                     1, True))
        writer.write(CapturedMessage(T0 + 1, f"devid/1/{LOCK_URN}/status", b"\xa0", 1, True))
    lines = path.read_text().splitlines()
    marker = json.loads(lines[0])
    assert "payload" not in marker and marker["size"] == MAX_RECORDED + 1
    assert len(marker["sha256"]) == 64 and len(lines[0]) < 300
    capture = read_capture(path)
    [f] = capture.findings
    assert f.code == "MSG-TOO-LARGE" and f.subject == LOCK_URN and f.t == T0
    assert f.evidence["sha256"] == marker["sha256"]
    assert [m.topic for m in capture.messages] == [f"devid/1/{LOCK_URN}/status"]
