"""MQTT config file errors and broker connection errors, as every live command reports them:
one line on stderr, exit 2, the file or the broker URL named once."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from devid._broker import free_port
from devid._mqtt import (
    CONFIG_KEYS,
    MqttClient,
    MqttConfigError,
    MqttConnectError,
    MqttSettings,
    load_settings,
)
from devid.cli import cli


def _invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- the config file ------------------------------------------------------------------------


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "mqtt.toml"
    conf.write_text('usernme = "x"\npassword = "p"\n')
    with pytest.raises(MqttConfigError) as info:
        load_settings({"DEVID_MQTT_CONFIG": str(conf)})
    message = str(info.value)
    assert message == (f"MQTT config {conf}: unknown key 'usernme' (valid keys: "
                       "username, password, ca_file, cert_file, key_file, tls_insecure)")
    assert isinstance(info.value, ValueError)  # what callers caught before
    # a table is a key too
    conf.write_text('username = "a"\n[mqtt]\npassword = "p"\n')
    with pytest.raises(MqttConfigError, match="unknown key 'mqtt'"):
        load_settings({"DEVID_MQTT_CONFIG": str(conf)})
    # every documented key is accepted
    conf.write_text('username = "a"\npassword = "p"\nca_file = "/c"\ncert_file = "/d"\n'
                    'key_file = "/e"\ntls_insecure = false\n')
    assert load_settings({"DEVID_MQTT_CONFIG": str(conf)}).key_file == "/e"
    assert len(CONFIG_KEYS) == 6


def _bad_configs(tmp_path: Path) -> list[tuple[Path, str]]:
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(b"\x00\xff[[[ not toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("username = \n")
    typo = tmp_path / "typo.toml"
    typo.write_text('usernme = "x"\n')
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (1 << 20) + "\n")
    return [
        (tmp_path / "absent.toml", "no such file"),
        (tmp_path, "not a regular file"),
        (garbage, "not UTF-8 text"),
        (broken, "not valid TOML: "),
        (typo, "unknown key 'usernme' (valid keys: username, password, ca_file, cert_file, "
               "key_file, tls_insecure)"),
        (big, "larger than 1 MiB"),
    ]


def test_bad_config_is_one_line_for_record_and_simulate(tmp_path: Path) -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    commands = [
        ["record", "--broker", url, "--out", str(tmp_path / "c.jsonl"), "--duration", "1"],
        ["simulate", "--profile", "env-sensor/1", "--broker", url, "--duration", "1",
         "--no-mdns"],
        ["simulate", "--profile", "env-sensor/1", "--duration", "1", "--no-mdns"],  # embedded
    ]
    for path, problem in _bad_configs(tmp_path):
        for args in commands:
            code, out, err = _invoke(args, env={"DEVID_MQTT_CONFIG": str(path)})
            assert code == 2, (args, out, err)
            line = _one_line(err)
            assert line.startswith(f"devid: error: MQTT config {path}: {problem}"), line
            assert "Error:" not in line  # no exception class name leaks
            assert out == ""  # refused before a broker was started or contacted
    assert not (tmp_path / "c.jsonl").exists()


def test_missing_tls_files_are_named(tmp_path: Path) -> None:
    url = f"mqtts://127.0.0.1:{free_port()}"
    for key in ("ca_file", "cert_file"):
        conf = tmp_path / f"{key}.toml"
        missing = tmp_path / f"no-{key}.pem"
        conf.write_text(f'{key} = "{missing}"\n')
        code, _, err = _invoke(["record", "--broker", url, "--out", "-"],
                               env={"DEVID_MQTT_CONFIG": str(conf)})
        assert code == 2
        assert _one_line(err) == (f"devid: error: --broker: {url}: TLS setup failed: "
                                  f"{key} {missing}: no such file")
    # the library says the same, with the URL in .url
    settings = MqttSettings(ca_file=str(tmp_path))

    async def main() -> None:
        await MqttClient(url, settings=settings).connect()

    with pytest.raises(MqttConnectError) as info:
        asyncio.run(main())
    assert str(info.value) == f"TLS setup failed: ca_file {tmp_path}: not a regular file"
    assert info.value.url == url


# -- the broker URL appears once --------------------------------------------------------------


def test_connection_error_names_the_broker_once(tmp_path: Path) -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    trust = tmp_path / "ca"
    assert _invoke(["ca", "init", str(trust), "-q"])[0] == 0
    commands = [
        ["record", "--broker", url, "--out", str(tmp_path / "c.jsonl"), "--duration", "1"],
        ["simulate", "--profile", "env-sensor/1", "--broker", url, "--no-mdns",
         "--duration", "1"],
        ["scan", "--broker", url, "--timeout", "0.5"],
        ["test", "--profile", "env-sensor/1", "--all", "--broker", url, "--trust",
         str(trust / "trust")],
    ]
    for args in commands:
        code, _, err = _invoke(args, env={"DEVID_MQTT_CONFIG": ""})
        assert code == 2, (args, err)
        line = _one_line(err)
        assert line.count(url) == 1, line
        assert line.startswith(f"devid: error: --broker: {url}: cannot connect: "), line


def test_connect_error_message_has_no_url() -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"

    async def main() -> None:
        await MqttClient(url, settings=MqttSettings(), reconnect=False).connect()

    with pytest.raises(MqttConnectError) as info:
        asyncio.run(main())
    assert str(info.value).startswith("cannot connect: ")
    assert info.value.url == url and info.value.reason == "unreachable"


# -- devid record says what it does -----------------------------------------------------------


def _record_cmd(url: str, *args: str) -> list[str]:
    return [sys.executable, "-c", "from devid.cli import main; main()", "record",
            "--broker", url, *args]


async def _publish(url: str, topic: str, count: int) -> None:
    async with MqttClient(url, settings=MqttSettings()) as pub:
        for i in range(count):
            await pub.publish(f"{topic}/{i}", b"x", qos=1)


def test_record_announces_itself_and_counts(mosquitto_url: str, tmp_path: Path,
                                            unique_prefix: str) -> None:
    out = tmp_path / "rec.jsonl"
    proc = subprocess.Popen(_record_cmd(mosquitto_url, "--out", str(out), "--topic",
                                        f"{unique_prefix}/#", "--duration", "3"),
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    head = [proc.stderr.readline() for _ in range(4)]
    assert head == [f"broker    {mosquitto_url}\n", f"output    {out}\n",
                    f"topic     {unique_prefix}/#\n", "recording for 3 s (Ctrl-C stops sooner)\n"]
    asyncio.run(_publish(mosquitto_url, unique_prefix, 7))  # the subscription is in place
    rest = proc.stderr.read()
    assert proc.wait(timeout=15) == 0, rest
    assert rest == "devid record: 7 messages on 7 topics, MQTT 5\n"  # no TTY: no status line


def test_record_until_ctrl_c_says_so(mosquitto_url: str, unique_prefix: str) -> None:
    proc = subprocess.Popen(_record_cmd(mosquitto_url, "--out", "-", "--topic",
                                        f"{unique_prefix}/#"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = [proc.stderr.readline() for _ in range(4)]
    assert lines[1] == "output    stdout\n"
    assert lines[3] == "recording; Ctrl-C stops\n"
    proc.terminate()
    assert proc.wait(timeout=15) == 0
    assert "0 messages" in proc.stderr.read()


def test_record_live_count_on_a_terminal(mosquitto_url: str, unique_prefix: str) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(_record_cmd(mosquitto_url, "--out", "-", "--topic",
                                        f"{unique_prefix}/#", "--duration", "2.5"),
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    published = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not published and b"recording for" in seen:
            asyncio.run(_publish(mosquitto_url, unique_prefix, 5))
            published = True
    os.close(master)
    assert proc.wait(timeout=10) == 0
    text = seen.decode("utf-8", "replace")
    assert "recording: 5 messages" in text  # the status line
    assert "devid record: 5 messages on 5 topics" in text


def test_record_duration_must_be_positive(tmp_path: Path) -> None:
    for value in ("0", "-1"):
        proc = subprocess.run(_record_cmd("mqtt://127.0.0.1:1", "--out",
                                          str(tmp_path / "x.jsonl"), "--duration", value),
                              capture_output=True, text=True, timeout=30, check=False)
        assert proc.returncode == 2
        assert "'--duration'" in _one_line(proc.stderr)
        assert "x>0" in proc.stderr
    code, out, _ = _invoke(["record", "--help"])
    assert code == 0 and "more than 0" in out
