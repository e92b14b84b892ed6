"""``devid verify id``: the CLI contract (exit codes, --json lines, table, usage errors)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from click.testing import CliRunner, Result

from devid.cli import cli

GOOD = ["urn:dev:ops:32473-SmartLock-0001", "34020000001320000001", "0x130D:0x1001",
        "01" + "00112233445566778899aabbccddeeff"]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["verify", "id", *args], env={"COLUMNS": "200"},
                              catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_all_valid_exits_0_with_one_json_object_per_value() -> None:
    result = run("--json", *GOOD)
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert [o["input"] for o in out] == GOOD
    assert [o["scheme"] for o in out] == ["urn", "gb28181", "matter", "ueid"]
    assert all(o["valid"] is True and o["findings"] == [] for o in out)
    assert all(set(o) == {"input", "scheme", "valid", "findings"} for o in out)


def test_some_invalid_exits_1() -> None:
    result = run("--json", GOOD[0], "0x0:0x1", "not-an-id")
    assert result.exit_code == 1
    out = lines(result)
    assert [o["valid"] for o in out] == [True, False, False]
    assert out[1]["scheme"] == "matter"
    assert [f["code"] for f in out[1]["findings"]] == ["ID-IDENTIFIER-MALFORMED"]
    assert out[2]["scheme"] is None
    assert [f["code"] for f in out[2]["findings"]] == ["ID-IDENTIFIER-UNKNOWN"]


def test_a_test_vendor_is_a_warning_and_still_valid() -> None:
    result = run("--json", "0xFFF1:0x8000")
    assert result.exit_code == 0
    (o,) = lines(result)
    assert o["valid"] is True
    assert [(f["code"], f["severity"]) for f in o["findings"]] == [
        ("ID-MATTER-TEST-VENDOR", "warning")]


def test_scheme_option_forces_the_scheme() -> None:
    result = run("--json", "--scheme", "gb28181", "3402000000132000000", "34020000001320000001")
    assert result.exit_code == 1
    out = lines(result)
    assert [o["scheme"] for o in out] == ["gb28181", "gb28181"]
    assert [o["valid"] for o in out] == [False, True]
    # a URN checked as a Matter id is malformed, not recognised as a URN
    result = run("--json", "--scheme", "matter", GOOD[0])
    assert result.exit_code == 1 and lines(result)[0]["scheme"] == "matter"


def test_table_output_names_scheme_verdict_and_code() -> None:
    result = run(GOOD[1], "0x0")
    assert result.exit_code == 1
    assert "scheme" in result.stdout and "gb28181" in result.stdout
    assert "INVALID" in result.stdout and "ID-IDENTIFIER-MALFORMED" in result.stdout
    assert "2 checked: 1 valid, 1 invalid" in result.stdout


def test_table_shows_device_text_literally() -> None:
    result = run("[bold]x[/bold]")
    assert result.exit_code == 1
    assert "[bold]x[/bold]" in result.stdout  # rich markup in input is not interpreted


def _devid(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devid", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_usage_errors_exit_2_with_one_line() -> None:
    for args in (["verify", "id"], ["verify", "id", "--scheme", "ean13", "x"]):
        proc = _devid(*args)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith("devid: error:") and len(proc.stderr.splitlines()) == 1
        assert proc.stdout == ""


def test_empty_and_odd_values_are_findings_not_crashes() -> None:
    proc = _devid("verify", "id", "--json", "", "\x01", "é" * 3000, "--", "-1")
    assert proc.returncode == 1, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 4 and not any(o["valid"] for o in out)
    assert proc.stderr == ""


def test_nul_in_a_value_is_a_finding() -> None:
    result = run("--json", "urn:dev:ops:32473-a\x00-1", "\x00")
    assert result.exit_code == 1
    assert [o["valid"] for o in lines(result)] == [False, False]
