"""``devid simulate --interface``: checked up front against this machine's addresses."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from devid.cli._common import check_interface

SIMULATE = [sys.executable, "-c", "from devid.cli import main; main()", "simulate",
            "--profile", "env-sensor/1", "--broker", "mqtt://127.0.0.1:1", "--duration", "1"]


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("address", ["8.8.8.8", "192.0.2.1", "2001:db8::1"])
def test_foreign_address_is_refused_before_anything_starts(address: str) -> None:
    proc = subprocess.run([*SIMULATE, "--interface", address], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""  # no broker line: nothing was started
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"devid: error: --interface: {address} is not an address of "
                               "this machine (")
    assert "No such device" not in proc.stderr and "cannot start" not in proc.stderr


def test_not_an_ip_address() -> None:
    proc = subprocess.run([*SIMULATE, "--interface", "eth0"], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 2
    assert proc.stderr == "devid: error: --interface: not an IP address: 'eth0'\n"


def test_no_mdns_skips_the_check() -> None:
    proc = subprocess.run([*SIMULATE, "--interface", "8.8.8.8", "--no-mdns"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2  # the broker at port 1 is unreachable, the address unused
    assert "--interface" not in proc.stderr
    assert "--broker: mqtt://127.0.0.1:1: cannot connect" in proc.stderr


def test_helper_accepts_local_addresses(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_interface("127.0.0.1") == "127.0.0.1"
    assert check_interface(" 127.0.0.1 ") == "127.0.0.1"
    if _ipv6_loopback():
        assert check_interface("0:0:0:0:0:0:0:1") == "::1"
    with pytest.raises(SystemExit) as info:
        check_interface("8.8.8.8", option="--mdns-interface")
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith(
        "devid: error: --mdns-interface: 8.8.8.8 is not an address of this machine")
