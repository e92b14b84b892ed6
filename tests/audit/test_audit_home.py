"""``devid audit`` against a test home of real Mosquitto instances and TLS endpoints.

Each planted weakness must be found (its SEC code, with evidence), and the hardened
broker (TLS with a verified certificate + password file + no anonymous access) must
yield no error and no warning. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devid._broker import find_mosquitto
from tests.audit._home import Pki, TlsServer, mosquitto, password_file, tls10_problem

pytestmark = [
    pytest.mark.skipif(find_mosquitto() is None and not os.environ.get("CI"),
                       reason="mosquitto is not installed"),
    pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning"),
]

USER, PASSWORD = "lab-user", "s3cret-Passw0rd"


def run_audit(*args: str, env: dict[str, str] | None = None,
              config: Path | None = None) -> tuple[int, dict[str, Any], str]:
    """Run the real CLI; returns (exit code, the --json report, stderr)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("DEVID_")}
    if config is not None:
        full["DEVID_MQTT_CONFIG"] = str(config)
    full.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "devid", "audit", "--json", "--timeout", "3",
                           "--listen", "0.5", *args],
                          capture_output=True, text=True, env=full, timeout=120, check=False)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, proc.stderr


def codes(report: dict[str, Any], severity: str | None = None) -> set[str]:
    return {f["code"] for t in report["targets"] for f in t["findings"]
            if severity is None or f["severity"] == severity}


def the(report: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for t in report["targets"] for f in t["findings"] if f["code"] == code]
    assert found, f"{code} not in {codes(report)}"
    return found[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("home")
    pki = Pki.create(tmp)
    cert, key = pki.server("broker")
    pw = password_file(tmp / "passwd", {USER: PASSWORD})
    empty = tmp / "empty.toml"
    empty.write_text("")
    config = tmp / "mqtt.toml"
    config.write_text(f'ca_file = "{pki.ca_file}"\n')
    config.chmod(0o600)
    anon_conf = "listener {port} 127.0.0.1\nallow_anonymous true\n"
    pw_conf = f"listener {{port}} 127.0.0.1\nallow_anonymous false\npassword_file {pw}\n"
    hard_conf = (f"listener {{port}} 127.0.0.1\ncafile {pki.ca_file}\ncertfile {cert}\n"
                 f"keyfile {key}\ntls_version tlsv1.2\nallow_anonymous false\n"
                 f"password_file {pw}\n")
    with mosquitto(tmp, "anonymous", anon_conf) as anon_port, \
            mosquitto(tmp, "password", pw_conf) as pw_port, \
            mosquitto(tmp, "hardened", hard_conf) as hard_port:
        yield {"tmp": tmp, "pki": pki, "empty": empty, "config": config,
               "anonymous": f"mqtt://127.0.0.1:{anon_port}",
               "password": f"mqtt://127.0.0.1:{pw_port}",
               "hardened": f"mqtts://127.0.0.1:{hard_port}"}


def test_anonymous_broker_is_found_open(home: dict[str, Any]) -> None:
    import paho.mqtt.publish as publish

    port = int(home["anonymous"].rsplit(":", 1)[1])
    publish.single("home/kitchen/lock", b"locked", hostname="127.0.0.1", port=port,
                   retain=True)
    rc, report, err = run_audit("--broker", home["anonymous"], config=home["empty"])
    assert rc == 1, err
    assert {"SEC-MQTT-ANONYMOUS", "SEC-MQTT-ANON-SUBSCRIBE", "SEC-MQTT-SYS-READABLE",
            "SEC-MQTT-NO-TLS"} <= codes(report)
    sub = the(report, "SEC-MQTT-ANON-SUBSCRIBE")
    assert "home/kitchen/lock" in sub["evidence"]["topics"]
    assert sub["spec_ref"].startswith("ETSI EN 303 645 5.8")
    sys_ = the(report, "SEC-MQTT-SYS-READABLE")
    assert "mosquitto version" in sys_["evidence"]["sample"]["$SYS/broker/version"]
    assert "SEC-MQTT-CLEARTEXT-CREDENTIALS" not in codes(report)  # no username, none asked
    proto = the(report, "SEC-MQTT-PROTOCOL")
    assert "5" in proto["message"] and "3.1.1" in proto["message"]
    tried = report["targets"][0]["tried"]
    assert any("anonymous SUBSCRIBE #: granted" in line for line in tried)


def test_configured_username_on_plain_tcp_is_cleartext_credentials(
        home: dict[str, Any]) -> None:
    rc, report, err = run_audit("--broker", home["anonymous"], config=home["empty"],
                                env={"DEVID_MQTT_USERNAME": USER,
                                     "DEVID_MQTT_PASSWORD": PASSWORD})
    assert rc == 1, err
    f = the(report, "SEC-MQTT-CLEARTEXT-CREDENTIALS")
    assert f["evidence"]["username_configured"] is True
    assert PASSWORD not in json.dumps(report)  # never echoed, never sent


def test_password_broker_on_plain_tcp(home: dict[str, Any]) -> None:
    rc, report, err = run_audit("--broker", home["password"], config=home["empty"])
    assert rc == 1, err
    found = codes(report)
    assert "SEC-MQTT-CLEARTEXT-CREDENTIALS" in found
    assert "SEC-MQTT-ANONYMOUS" not in found
    assert "SEC-MQTT-ANON-SUBSCRIBE" not in found
    f = the(report, "SEC-MQTT-CLEARTEXT-CREDENTIALS")
    assert "not authori" in json.dumps(f["evidence"]["seen"]).lower()
    assert f["spec_ref"].startswith("ETSI EN 303 645 5.5-7")


def test_default_credentials_only_with_try_defaults(home: dict[str, Any]) -> None:
    tmp: Path = home["tmp"]
    pw = password_file(tmp / "passwd-defaults", {"guest": "guest", USER: PASSWORD})
    with mosquitto(tmp, "defaults", f"listener {{port}} 127.0.0.1\nallow_anonymous false\n"
                                    f"password_file {pw}\n") as port:
        url = f"mqtt://127.0.0.1:{port}"
        rc, report, _ = run_audit("--broker", url, config=home["empty"])
        assert "SEC-MQTT-DEFAULT-CREDENTIALS" not in codes(report)
        assert not any("default credentials" in line for line in report["targets"][0]["tried"])
        rc, report, err = run_audit("--broker", url, "--try-defaults", config=home["empty"])
    assert rc == 1, err
    f = the(report, "SEC-MQTT-DEFAULT-CREDENTIALS")
    assert "'guest'" in f["message"] and f["spec_ref"] == "ETSI EN 303 645 5.1-1"
    assert len([x for x in report["targets"][0]["tried"] if "default credentials" in x]) == 7
    assert "SEC-MQTT-ANY-CREDENTIALS" not in codes(report)


def test_broker_accepting_any_password_is_found(home: dict[str, Any]) -> None:
    rc, report, err = run_audit("--broker", home["anonymous"], "--try-defaults",
                                config=home["empty"])
    assert rc == 1, err
    assert "SEC-MQTT-ANY-CREDENTIALS" in codes(report)
    assert "SEC-MQTT-DEFAULT-CREDENTIALS" not in codes(report)  # meaningless there


def test_hardened_broker_reports_nothing(home: dict[str, Any]) -> None:
    rc, report, err = run_audit("--broker", home["hardened"], "--try-defaults",
                                config=home["config"],
                                env={"DEVID_MQTT_USERNAME": USER,
                                     "DEVID_MQTT_PASSWORD": PASSWORD})
    assert codes(report, "error") == set(), report
    assert codes(report, "warning") == set(), report
    assert rc == 0, err
    versions = the(report, "SEC-TLS-VERSIONS")
    assert versions["evidence"]["seen"]["TLSv1.2"] == "accepted"
    assert versions["evidence"]["seen"]["TLSv1.3"] == "accepted"
    assert report["passed"] is True
    assert [t["kind"] for t in report["targets"]] == ["mqtt", "tls"]
    tried = report["targets"][0]["tried"]
    assert any("refused" in line for line in tried)
    assert len([x for x in tried if "default credentials" in x]) == 7


def test_hardened_broker_without_its_ca_is_untrusted(home: dict[str, Any]) -> None:
    """The same broker, when the audit is not given its CA: the chain does not verify
    (TLS verifies by default), while the anonymous probe still reports refusal."""
    rc, report, _ = run_audit("--broker", home["hardened"], config=home["empty"])
    assert rc == 1
    assert "SEC-TLS-CERT-UNTRUSTED" in codes(report)
    assert "SEC-MQTT-ANONYMOUS" not in codes(report)


def test_mosquitto_tls11_listener(home: dict[str, Any]) -> None:
    pki: Pki = home["pki"]
    cert, key = pki.server("old-broker")
    conf = (f"listener {{port}} 127.0.0.1\ncafile {pki.ca_file}\ncertfile {cert}\n"
            f"keyfile {key}\ntls_version tlsv1.1\nciphers DEFAULT:@SECLEVEL=0\n"
            "allow_anonymous true\n")
    with mosquitto(home["tmp"], "tls11", conf) as port:
        rc, report, err = run_audit("--tls", f"127.0.0.1:{port}", "--ca", pki.ca_file,
                                    config=home["empty"])
    seen = the(report, "SEC-TLS-VERSIONS")["evidence"]["seen"]
    if seen["TLSv1.1"] != "accepted":
        print(f"SKIP reason: Mosquitto/OpenSSL here does not serve TLS 1.1: {seen}")
        pytest.skip(f"Mosquitto with this OpenSSL does not serve TLS 1.1 ({seen['TLSv1.1']})")
    assert rc == 1, err
    assert "TLSv1.1" in the(report, "SEC-TLS-OLD-PROTOCOL")["message"]
    assert "SEC-TLS-CERT-UNTRUSTED" not in codes(report)


def test_tls10_only_endpoint(home: dict[str, Any]) -> None:
    pki: Pki = home["pki"]
    cert, key = pki.server("tls10")
    try:
        server = TlsServer(cert, key, minimum=ssl.TLSVersion.TLSv1,
                           maximum=ssl.TLSVersion.TLSv1, seclevel0=True)
    except (ValueError, ssl.SSLError) as exc:
        reason = f"the local OpenSSL ({ssl.OPENSSL_VERSION}) cannot serve TLS 1.0: {exc}"
        print(f"SKIP reason: {reason}")
        pytest.skip(reason)
    with server:
        problem = tls10_problem(server.port)
        if problem:
            print(f"SKIP reason: {problem}")
            pytest.skip(problem)
        rc, report, err = run_audit("--tls", f"127.0.0.1:{server.port}", "--ca", pki.ca_file,
                                    config=home["empty"])
    assert rc == 1, err
    f = the(report, "SEC-TLS-OLD-PROTOCOL")
    assert f["evidence"]["accepted"] == ["TLSv1"]
    assert f["spec_ref"].startswith("ETSI EN 303 645 5.5-1")
    seen = the(report, "SEC-TLS-VERSIONS")["evidence"]["seen"]
    assert seen["TLSv1.2"].startswith("refused") and seen["TLSv1.3"].startswith("refused")
    # its certificate comes from the CA given with --ca: the chain itself verifies
    assert "SEC-TLS-CERT-UNTRUSTED" not in codes(report)


def test_certificate_weaknesses(home: dict[str, Any]) -> None:
    pki: Pki = home["pki"]
    expired = pki.server("expired", expired=True)
    selfsigned = pki.server("selfsigned", self_signed=True)
    wrongname = pki.server("wrongname", names=("printer.example",))
    weak = pki.server("weak", rsa_bits=1024)
    with TlsServer(*expired) as s1, TlsServer(*selfsigned) as s2, \
            TlsServer(*wrongname) as s3, TlsServer(*weak, seclevel0=True) as s4:
        rc, report, err = run_audit(*[a for s in (s1, s2, s3, s4)
                                      for a in ("--tls", f"127.0.0.1:{s.port}")],
                                    "--ca", pki.ca_file, config=home["empty"])
    assert rc == 1, err
    by_target = {t["target"]: {f["code"] for f in t["findings"]} for t in report["targets"]}
    assert {"SEC-TLS-CERT-EXPIRED", "SEC-TLS-CERT-UNTRUSTED"} <= by_target[f"127.0.0.1:{s1.port}"]
    assert {"SEC-TLS-SELF-SIGNED", "SEC-TLS-CERT-UNTRUSTED"} <= by_target[f"127.0.0.1:{s2.port}"]
    assert by_target[f"127.0.0.1:{s3.port}"] & {"SEC-TLS-HOSTNAME"}
    assert "SEC-TLS-CERT-UNTRUSTED" not in by_target[f"127.0.0.1:{s3.port}"]
    assert "SEC-TLS-WEAK-KEY" in by_target[f"127.0.0.1:{s4.port}"]
    for target in (s1, s2, s3, s4):
        assert "SEC-TLS-OLD-PROTOCOL" not in by_target[f"127.0.0.1:{target.port}"]


def test_unreachable_target_is_an_error_not_a_pass(home: dict[str, Any]) -> None:
    from devid._broker import free_port

    port = free_port()
    rc, report, _ = run_audit("--tls", f"127.0.0.1:{port}", "--broker",
                              f"mqtt://127.0.0.1:{port}", config=home["empty"])
    assert rc == 1
    assert [f["code"] for t in report["targets"] for f in t["findings"]] == \
        ["SEC-TARGET-UNREACHABLE", "SEC-TARGET-UNREACHABLE"]
