"""``devid test --power-cycle CMD``: the lastwill case on a device cut off by a command.

The device is a ``devid simulate`` process; the hook is a small script that records
the URN it was given and ``SIGKILL`` s that process, so the broker sees the
connection drop without a DISCONNECT and publishes the device's Last Will.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devid.cli import cli

pytestmark = pytest.mark.slow

HOOK = """\
import os, signal, sys
log, urn, pid = sys.argv[1:4]
with open(log, "a") as fh:
    fh.write(urn + " " + os.environ["DEVID_URN"] + "\\n")
if pid == "fail":
    print("relay board offline", file=sys.stderr)
    sys.exit(3)
os.kill(int(pid), signal.SIGKILL)
"""


class Simulated:
    def __init__(self, proc: subprocess.Popen[bytes], urn: str, trust: Path) -> None:
        self.proc, self.urn, self.trust = proc, urn, trust


@pytest.fixture
def simulated(mosquitto_url: str, tmp_path: Path) -> Iterator[Simulated]:
    manifest = tmp_path / "manifest.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "devid", "simulate", "--profile", "smart-plug/1",
         "--broker", mosquitto_url, "--ca", str(tmp_path / "ca"), "--seed",
         str(int.from_bytes(os.urandom(3))), "--interval", "1", "--no-mdns",
         "--manifest", str(manifest)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not manifest.exists() or not manifest.read_text():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)
        time.sleep(0.5)  # its first retained messages
        urn = json.loads(manifest.read_text())[0]["urn"]
        yield Simulated(proc, urn, tmp_path / "ca" / "trust")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)


def _hook(tmp_path: Path, target: str) -> tuple[str, Path]:
    script = tmp_path / "hook.py"
    script.write_text(HOOK)
    log = tmp_path / "hook.log"
    command = " ".join(shlex.quote(a) for a in (sys.executable, str(script), str(log))) + \
        f" {{urn}} {target}"
    return command, log


def _suite(mosquitto_url: str, sim: Simulated, command: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, [
        "test", "--profile", "smart-plug/1", "--device", sim.urn, "--broker", mosquitto_url,
        "--trust", str(sim.trust), "--duration", "1", "--power-cycle", command, "--json", "-"])
    return result.exit_code, json.loads(result.stdout)


def test_power_cycle_hook_makes_the_lastwill_case_pass(
        mosquitto_url: str, simulated: Simulated, tmp_path: Path) -> None:
    command, log = _hook(tmp_path, str(simulated.proc.pid))
    code, data = _suite(mosquitto_url, simulated, command)
    statuses = {r["test_id"]: r["status"] for r in data["results"]}
    assert statuses["lastwill"] == "passed", data
    assert code == 0, data
    assert log.read_text().split() == [simulated.urn, simulated.urn]  # {urn} and $DEVID_URN
    assert simulated.proc.wait(10) == -signal.SIGKILL  # the hook really cut it off


def test_a_failing_hook_is_an_error_of_the_lastwill_case_only(
        mosquitto_url: str, simulated: Simulated, tmp_path: Path) -> None:
    command, _ = _hook(tmp_path, "fail")
    code, data = _suite(mosquitto_url, simulated, command)
    by_id = {r["test_id"]: r for r in data["results"]}
    assert by_id["lastwill"]["status"] == "error"
    message = by_id["lastwill"]["findings"][0]["message"]
    assert "exited with status 3: relay board offline" in message
    assert by_id["identity.possession"]["status"] == "passed"  # the rest still ran
    assert by_id["state.schema"]["status"] == "passed"
    assert code == 1
    assert simulated.proc.poll() is None


@pytest.mark.parametrize(("command", "message"), [
    ("", "--power-cycle: the command is empty"),
    ("'unclosed", "--power-cycle: cannot split"),
])
def test_power_cycle_usage_errors(command: str, message: str, pki: Any) -> None:
    result = CliRunner().invoke(cli, [
        "test", "--profile", "smart-plug/1", "--device", "urn:dev:ops:32473-Plug-1",
        "--broker", "mqtt://127.0.0.1:1", "--trust", str(pki.trust_dir),
        "--power-cycle", command])
    assert result.exit_code == 2
    assert message in result.output


def test_ctrl_c_keeps_the_results_and_says_how_to_resume(
        mosquitto_url: str, simulated: Simulated, tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    args = [sys.executable, "-m", "devid", "test", "--profile", "smart-plug/1", "--device",
            simulated.urn, "--broker", mosquitto_url, "--trust", str(simulated.trust),
            "--duration", "30", "--db", str(db)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # identity and possession are judged within the first seconds
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("devid: error: interrupted: ") and str(db) in line, line
    kept = int(line.split("interrupted: ")[1].split()[0])
    assert kept >= 1
    resumed = subprocess.run(args[:-4] + ["--duration", "1", "--db", str(db), "--json", "-"],
                             capture_output=True, text=True, timeout=60, check=False)
    data = json.loads(resumed.stdout)
    assert len(data["results"]) == len({r["test_id"] for r in data["results"]})  # no repeats
    assert resumed.returncode in (0, 1), resumed.stderr


@pytest.mark.parametrize("command", [
    ["test", "--profile", "smart-plug/1", "--device", "urn:dev:ops:32473-Plug-1",
     "--broker", "mqtt://127.0.0.1:1", "--junit", "/nonexistent-dir/x.xml"],
    ["scan", "--broker", "mqtt://127.0.0.1:1", "--html", "/nonexistent-dir/x.html"],
])
def test_unwritable_report_paths_are_refused_before_the_run(command: list[str]) -> None:
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2
    assert "/nonexistent-dir/x." in result.stderr and "no such directory" in result.stderr
    assert "127.0.0.1:1" not in result.stderr  # refused before any connection attempt
