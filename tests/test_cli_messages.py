"""One-line errors that name the option, and help text without reStructuredText markup."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from devid.cli import cli


def devid(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devid", *args], capture_output=True,
                          text=True, timeout=120, check=False, **kw)  # type: ignore[call-overload]


@pytest.mark.parametrize("group", [[], ["ca"], ["profile"], ["verify"]])
def test_a_group_without_a_command_is_a_usage_line_and_an_error(group: list[str]) -> None:
    proc = devid(*group)
    assert proc.returncode == 2 and proc.stdout == ""
    usage, error = proc.stderr.strip().splitlines()
    assert usage.startswith(f"Usage: devid {' '.join(group)}".rstrip() + " ")
    assert error.startswith("devid: error: missing command (")
    assert f"see 'devid{''.join(' ' + g for g in group)} --help'" in error


def test_trust_errors_read_alike_and_name_the_directory_once(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    capture = tmp_path / "c.jsonl"
    capture.write_text("")
    for args in (["scan", "--trust", missing, "--timeout", "0.5"],
                 ["verify", "token", str(capture), "--trust", missing],
                 ["check", str(capture), "--trust", missing]):
        proc = devid(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip() == f"devid: error: --trust {missing}: trust directory " \
                                      "not found", args


def test_demo_out_must_be_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("mine")
    proc = devid("demo", "--out", str(out))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"devid: error: --out {out}: exists and is not a directory "
                                   "(the demo writes its reports into a directory)")
    assert out.read_text() == "mine"


def test_a_garbage_chain_file_gets_no_hint_to_pass_a_chain(tmp_path: Path) -> None:
    proc = devid("ca", "fleet", str(tmp_path / "pki"), "--vendor", "acme", "--create-vendor",
                 "--count", "1", "-q")
    assert proc.returncode == 0, proc.stderr
    [device] = (tmp_path / "pki" / "devices").iterdir()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("garbage\n")
    trust = str(tmp_path / "pki" / "trust")
    proc = devid("verify", "cert", str(device / "cert.pem"), "--chain", str(garbage),
                 "--trust", trust)
    assert proc.returncode == 1 and "ID-CERT-MALFORMED" in proc.stdout
    assert "hint" not in proc.stderr
    proc = devid("verify", "cert", str(device / "cert.pem"), "--trust", trust)
    assert proc.returncode == 1 and "pass its vendor CA with --chain" in proc.stderr


def test_an_interrupted_fleet_says_how_to_continue_and_that_works(tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    proc = subprocess.Popen([sys.executable, "-m", "devid", "ca", "fleet", str(pki),
                             "--vendor", "acme", "--create-vendor", "--count", "1000000",
                             "--tokens-only", "-q"], stderr=subprocess.PIPE, text=True)
    tokens = pki / "tokens"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not tokens.is_dir()
                                           or len(list(tokens.iterdir())) < 20):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    [line] = err.strip().splitlines()
    done = int(line.split("interrupted after ")[1].split(" ")[0])
    assert done >= 20
    command = line.split("to continue: ")[1].split()
    assert command[:3] == ["devid", "ca", "fleet"]
    assert command[command.index("--start") + 1] == str(done + 1)
    assert command[command.index("--count") + 1] == str(1_000_000 - done)
    assert "--tokens-only" in command
    command[command.index("--count") + 1] = "3"  # continue, but only a little
    cont = devid(*command[1:], "-q")
    assert cont.returncode == 0, cont.stderr
    assert len(list(tokens.iterdir())) >= done + 3


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, (*path, name))
        else:
            out.append((*path, name))
    return out


def test_no_rst_markup_in_help_or_in_the_profile_schema() -> None:
    runner = CliRunner()
    commands = _commands(cli)
    assert len(commands) > 20
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        for mark in ("``", ":class:", ":func:", ":meth:"):
            assert mark not in result.output, (path, mark)
    schema = runner.invoke(cli, ["profile", "schema"])
    assert schema.exit_code == 0
    json.loads(schema.output)
    assert "``" not in schema.output
