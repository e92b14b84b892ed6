"""The simulator: fault table, determinism, the devid/1 behaviour of a device, PKI sharing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devid import _cbor
from devid._certs import ChainValidator, TrustStore
from devid._codes import REGISTRY
from devid._mqtt import Message, MqttClient, MqttSettings
from devid._profiles import load_profile
from devid._token import verify_token
from simulator import FAULTS, Fleet, FleetError, applies, open_pki, parse_faults
from simulator._device import ranged_property, required_property

ISSUE_FAULTS = ("range wrong-type missing-required malformed-cbor non-retained seq-regression "
                "missing-heartbeat clock-skew oversize bad-signature wrong-key expired-cert "
                "untrusted-ca stale-nonce cloned-identity ack-late no-ack plaintext-sensitive "
                "evil-name").split()


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 45))


# -- the fault table ---------------------------------------------------------------------


def test_fault_table_covers_the_issue_and_names_registered_codes() -> None:
    assert list(FAULTS) == ISSUE_FAULTS
    for fault in FAULTS.values():
        for code in fault.codes:
            assert code in REGISTRY, (fault.name, code)
        assert fault.seen_by and set(fault.seen_by) <= {"check", "scan", "test"}
    assert FAULTS["evil-name"].codes == ()  # its test is that reports escape it


def test_parse_faults() -> None:
    assert parse_faults("range:2, no-ack:1,evil-name") == {"range": 2, "no-ack": 1,
                                                           "evil-name": 1}
    assert parse_faults("range:1,range:2") == {"range": 3}
    assert parse_faults(None) == {} and parse_faults("") == {}
    for bad in ("nope:1", "range:x", "range:-1"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_applicability_follows_the_profile() -> None:
    env, lock = load_profile("env-sensor/1"), load_profile("smart-lock/1")
    assert applies(FAULTS["range"], env) and applies(FAULTS["no-ack"], lock)
    assert not applies(FAULTS["no-ack"], env)  # env-sensor/1 has no commands
    assert not applies(FAULTS["plaintext-sensitive"], env)
    assert applies(FAULTS["plaintext-sensitive"], lock)  # set-code's door code


# -- planning and determinism (no broker needed) ---------------------------------------------


def test_manifest_is_deterministic_with_a_seed() -> None:
    def plan(seed: int) -> list[dict[str, Any]]:
        return Fleet({"env-sensor/1": 5, "smart-lock/1": 3}, "mqtt://127.0.0.1:1",
                     faults="range:2,no-ack:1", seed=seed).manifest

    a, b, c = plan(7), plan(7), plan(8)
    assert a == b and a != c
    assert len(a) == 8 and len({e["urn"] for e in a}) == 8
    assert sum(e["faults"] == ["range"] for e in a) == 2
    lock_faults = [e["faults"] for e in a if e["profile"] == "smart-lock/1"]
    assert ["no-ack"] in lock_faults  # no-ack only lands on a device with commands


def test_fleet_rejects_what_it_cannot_build() -> None:
    with pytest.raises(FleetError, match="unknown profile"):
        Fleet("no-such/1", "mqtt://127.0.0.1:1")
    with pytest.raises(FleetError, match="needs 3"):
        Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=2, faults="range:3")
    with pytest.raises(FleetError, match="command"):
        Fleet("env-sensor/1", "mqtt://127.0.0.1:1", count=2, faults="no-ack:1")
    with pytest.raises(FleetError, match="abstract"):
        Fleet("core/1", "mqtt://127.0.0.1:1")
    with pytest.raises(FleetError):
        Fleet("env-sensor/1", "http://127.0.0.1:1")


def test_shared_ca_dir_across_processes(tmp_path: Path) -> None:
    """Several simulate processes may share one --ca: one root, one vendor, keys 0600."""
    code = ("import sys; from simulator import open_pki; "
            "print(open_pki(sys.argv[1]).root.certificate.serial_number)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "ca")],
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    serials = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(serials) == 1 and all(p.returncode == 0 for p in procs)
    pki = open_pki(tmp_path / "ca")
    assert str(pki.root.certificate.serial_number) in serials
    assert sorted(p.name for p in pki.trust_dir.iterdir()) == ["root.pem"]
    for key in (tmp_path / "ca").rglob("key.pem"):
        assert key.stat().st_mode & 0o777 == 0o600


# -- live behaviour on a broker ----------------------------------------------------------


async def _drain(client: MqttClient, seconds: float) -> list[Message]:
    out: list[Message] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            out.append(await asyncio.wait_for(anext(client.messages), left))
        except TimeoutError:
            break
    return out


def test_healthy_lock_speaks_devid1(broker_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)

    async def main() -> None:
        fleet = Fleet("smart-lock/1", broker_url, count=1, ca_dir=tmp_path / "ca",
                      seed=int.from_bytes(os.urandom(4)), interval=0.4, mdns_interface=None,
                      settings=MqttSettings())
        dev_urn = fleet.manifest[0]["urn"]
        base = f"devid/1/{dev_urn}/"
        async with MqttClient(broker_url, settings=MqttSettings()) as obs:
            await obs.subscribe(base + "#", qos=1, retain_as_published=True)
            async with fleet:
                dev = fleet.devices[0]
                first = await _drain(obs, 0.3)
                assert [m.topic[len(base):] for m in first[:3]] == ["status", "identity",
                                                                    "state"]
                if obs.protocol == "5":  # 3.1.1 brokers clear the flag on live messages
                    assert all(m.retain for m in first[:3])
                status = _cbor.decode(first[0].payload)
                assert status["state"] == "online" and isinstance(status["ts"], int)
                validator = ChainValidator(TrustStore.from_dir(fleet.trust_dir))
                ident = verify_token(first[1].payload, now=now, validator=validator)
                assert ident.valid and ident.subject == dev.urn, ident.findings
                assert ident.claims[-70001] == ["smart-lock/1"]
                state = _cbor.decode(first[2].payload)
                assert state["seq"] == 1 and {"locked", "battery"} <= set(state["props"])
                assert 0 <= state["props"]["battery"] <= 100

                nonce = os.urandom(24)
                await obs.publish(base + "challenge", _cbor.encode({"nonce": nonce}), qos=1)
                target = not state["props"]["locked"]
                cmd = "lock" if target else "unlock"
                await obs.publish(base + f"cmd/{cmd}", _cbor.encode(
                    {"id": "abc", "args": {}, "ts": 0}), qos=1)
                t_sent = time.time()
                later = await _drain(obs, 1.2)
                by = {m.topic[len(base):]: m for m in later}
                resp = verify_token(by["challenge/response"].payload, now=now,
                                    validator=validator, nonce=nonce)
                assert resp.valid, resp.findings
                ack = _cbor.decode(by[f"cmd/{cmd}/ack"].payload)
                assert ack["id"] == "abc" and ack["ok"] is True
                assert by[f"cmd/{cmd}/ack"].t - t_sent < 2.0  # the profile's ack deadline
                states = [_cbor.decode(m.payload) for m in later if m.topic.endswith("/state")]
                assert states[-1]["props"]["locked"] is target
                seqs = [s["seq"] for s in states]
                assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
            # clean shutdown: offline, retained
            tail = await _drain(obs, 0.5)
            offline = [m for m in tail if m.topic == base + "status"]
            assert offline and (offline[-1].retain or obs.protocol != "5")
            assert _cbor.decode(offline[-1].payload)["state"] == "offline"

    run(main())


def test_identity_faults_are_visible_live(mosquitto_url: str, tmp_path: Path) -> None:
    """Token and certificate faults show in the retained identity and in challenge answers."""
    now = datetime.now(UTC)
    faults = "expired-cert:1,untrusted-ca:1,wrong-key:1,bad-signature:1,stale-nonce:1," \
             "cloned-identity:1"

    async def main() -> None:
        fleet = Fleet("env-sensor/1", mosquitto_url, count=7, ca_dir=tmp_path / "ca",
                      faults=faults, seed=5, mdns_interface=None, settings=MqttSettings())
        async with fleet, MqttClient(mosquitto_url, settings=MqttSettings()) as obs:
            await obs.subscribe("devid/1/#", qos=1)
            await _drain(obs, 0.3)
            validator = ChainValidator(TrustStore.from_dir(fleet.trust_dir))
            nonces = {}
            for dev in fleet.devices:
                nonces[dev.urn] = os.urandom(16)
                await obs.publish(f"devid/1/{dev.urn}/challenge",
                                  _cbor.encode({"nonce": nonces[dev.urn]}), qos=1)
            got = [m for m in await _drain(obs, 1.0) if m.topic.endswith("/challenge/response")]
            answers: dict[str, list[bytes]] = {}
            for m in got:
                answers.setdefault(m.topic.split("/")[2], []).append(m.payload)
            expect = {"expired-cert": "ID-CERT-EXPIRED", "untrusted-ca": "ID-CHAIN-UNTRUSTED",
                      "wrong-key": "ID-SIG-INVALID", "bad-signature": "ID-SIG-INVALID",
                      "stale-nonce": "ID-NONCE-MISMATCH"}
            for dev in fleet.devices:
                [resp, *more] = answers[dev.urn]
                result = verify_token(resp, now=now, validator=validator, nonce=nonces[dev.urn])
                codes = {f.code for f in result.findings}
                name = dev.fault.name if dev.fault else None
                if name in expect:
                    assert expect[name] in codes, (name, codes)
                elif name == "cloned-identity":
                    assert len(more) == 1 and result.valid  # two responders, one URN
                else:
                    assert result.valid and not more, codes
                if name in ("bad-signature", "wrong-key", "expired-cert", "untrusted-ca"):
                    ident = verify_token(dev.token, now=now, validator=validator)
                    assert expect[name] in {f.code for f in ident.findings}

    run(main())


def test_mdns_advertises_txt_keys_and_the_evil_name(mosquitto_url: str) -> None:
    from zeroconf import IPVersion, ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    async def main() -> None:
        # a random seed: other processes on this machine may advertise fleets on 127.0.0.1
        fleet = Fleet("door-window-contact/1", mosquitto_url, count=3, faults="evil-name:1",
                      seed=int.from_bytes(os.urandom(4)), mdns_interface="127.0.0.1",
                      settings=MqttSettings())
        async with fleet:
            azc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
            names: set[str] = set()

            def on_change(zeroconf: Any, service_type: str, name: str,
                          state_change: ServiceStateChange) -> None:
                names.add(name)

            browser = AsyncServiceBrowser(azc.zeroconf, ["_devid._tcp.local."],
                                          handlers=[on_change])
            ours = {d.urn for d in fleet.devices}
            seen: dict[str, tuple[str, dict[str, str], int | None]] = {}
            done: set[str] = set()
            for _ in range(60):  # other processes may advertise on 127.0.0.1 too
                for name in names - done:
                    info = AsyncServiceInfo("_devid._tcp.local.", name)
                    if not await info.async_request(azc.zeroconf, 1000):
                        continue
                    done.add(name)
                    txt = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
                    if txt.get("id") in ours:
                        seen[txt["id"]] = (name, txt, info.port)
                if set(seen) == ours:
                    break
                await asyncio.sleep(0.1)
            await browser.async_cancel()
            await azc.async_close()
            assert set(seen) == ours
            for dev in fleet.devices:
                name, txt, port = seen[dev.urn]
                assert txt == {"txtvers": "1", "id": dev.urn, "cls": "door-window-contact/1",
                               "vid": "32473", "mq": mosquitto_url,
                               "tk": hashlib.sha256(dev.token).hexdigest()[:16]}
                assert port == int(mosquitto_url.rsplit(":", 1)[1])
                if dev.fault is not None:
                    assert name.startswith("<script>alert(")

    run(main())


def test_cli_simulate_stops_cleanly_on_sigterm(mosquitto_url: str, tmp_path: Path) -> None:
    import signal

    manifest = tmp_path / "m.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from devid.cli import main; main()", "simulate",
         "--profile", "env-sensor/1", "--count", "3", "--broker", mosquitto_url, "--no-mdns",
         "--manifest", str(manifest), "--seed", "4", "--interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    async def observe() -> list[Message]:
        async with MqttClient(mosquitto_url, settings=MqttSettings()) as obs:
            await obs.subscribe("devid/1/+/status", qos=1)
            for _ in range(100):
                if manifest.exists() and manifest.stat().st_size:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
            await _drain(obs, 0.2)  # retained statuses left by earlier tests on this broker
            proc.send_signal(signal.SIGTERM)
            return await _drain(obs, 2.0)

    msgs = run(observe())
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "broker    " + mosquitto_url in out
    assert out.splitlines()[-1] == "stopped (offline published)"  # and it was: see below
    import json
    urns = {e["urn"] for e in json.loads(manifest.read_text())}
    offline = {m.topic.split("/")[2] for m in msgs
               if _cbor.decode(m.payload)["state"] == "offline"}
    assert offline == urns and len(urns) == 3


def test_docs_fault_table_matches_the_data() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines()
            if line.startswith("| `")}
    for fault in FAULTS.values():
        assert fault.name in rows, fault.name
        for code in fault.codes:
            assert f"`{code}`" in rows[fault.name], (fault.name, code)
        assert f"| {fault.shows} |" in rows[fault.name], (fault.name, fault.shows)


def test_hostile_commands_and_challenges_are_ignored(mosquitto_url: str) -> None:
    """Garbage on a device's cmd/challenge topics never kills it; bad requests get ok: false."""
    async def main() -> None:
        fleet = Fleet("smart-lock/1", mosquitto_url, count=1,
                      seed=int.from_bytes(os.urandom(4)), mdns_interface=None,
                      settings=MqttSettings())
        base = f"devid/1/{fleet.manifest[0]['urn']}/"
        async with fleet, MqttClient(mosquitto_url, settings=MqttSettings()) as obs:
            await obs.subscribe(base + "#", qos=1)
            await _drain(obs, 0.2)
            junk = [b"", b"\xff\xfe", b"\x9f" * 5000, _cbor.encode([1, 2]),
                    _cbor.encode({"id": 5}), _cbor.encode({"nonce": b"short"}),
                    _cbor.encode({"nonce": "text" * 10}), os.urandom(70_000)]
            for payload in junk:
                await obs.publish(base + "challenge", payload, qos=1)
                await obs.publish(base + "cmd/lock", payload, qos=1)
            await obs.publish(base + "cmd/self-destruct", _cbor.encode({"id": "x1"}), qos=1)
            await obs.publish(base + "cmd/set-code", _cbor.encode({"id": "x2", "args": {}}),
                              qos=1)
            nonce = os.urandom(16)
            await obs.publish(base + "challenge", _cbor.encode({"nonce": nonce}), qos=1)
            got = await _drain(obs, 1.0)
            responses = [m for m in got if m.topic.endswith("/challenge/response")]
            assert len(responses) == 1  # only the well-formed challenge is answered
            acks = {m.topic.rsplit("/", 2)[1]: _cbor.decode(m.payload) for m in got
                    if m.topic.endswith("/ack")}
            assert acks["self-destruct"]["ok"] is False and "unknown" in acks["self-destruct"][
                "error"]
            assert acks["set-code"]["ok"] is False and "code" in acks["set-code"]["error"]
            assert "lock" not in acks  # junk commands carry no id: nothing to ack

    run(main())


def test_same_seed_same_devices(tmp_path: Path) -> None:
    """--seed reproduces URNs, keys and values (not signatures or certificate serials)."""
    from cryptography.hazmat.primitives import serialization

    def build(seed: int, ca: str) -> Fleet:
        fleet = Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=3, ca_dir=tmp_path / ca,
                      faults="wrong-key:1", seed=seed, mdns_interface=None,
                      settings=MqttSettings())
        fleet._build()
        return fleet

    def pub(key: Any) -> bytes:
        return bytes(key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))

    a, b, c = build(42, "a"), build(42, "b"), build(43, "c")
    for x, y in zip(a.devices, b.devices, strict=True):
        assert (x.urn, x.values, x.phase) == (y.urn, y.values, y.phase)
        assert pub(x.identity.credentials.key) == pub(y.identity.credentials.key)
        assert pub(x.identity.signer) == pub(y.identity.signer)
    assert [d.urn for d in a.devices] != [d.urn for d in c.devices]
    wrong = a.faulty("wrong-key")[0]
    assert pub(wrong.identity.signer) != pub(wrong.identity.credentials.key)


def test_device_comes_back_after_a_broker_restart() -> None:
    """The broker goes away (the Will is lost with it) and returns: status is online again."""
    from devid._broker import broker, free_port

    port = free_port()
    loop = asyncio.new_event_loop()
    with broker("mosquitto", port=port) as running:
        fleet = Fleet("env-sensor/1", running.url, count=2, seed=int.from_bytes(os.urandom(4)),
                      mdns_interface=None, settings=MqttSettings())
        loop.run_until_complete(fleet.start())
    loop.run_until_complete(asyncio.sleep(0.3))
    with broker("mosquitto", port=port) as running:
        async def watch() -> dict[str, str]:
            async with MqttClient(running.url, settings=MqttSettings()) as obs:
                await obs.subscribe("devid/1/+/status", qos=1)
                seen: dict[str, str] = {}
                while len(seen) < 2:  # devices retry with backoff (0.1 s doubling)
                    m = await asyncio.wait_for(anext(obs.messages), 10)
                    seen[m.topic.split("/")[2]] = _cbor.decode(m.payload)["state"]
                return seen

        seen = loop.run_until_complete(watch())
        assert seen == {d.urn: "online" for d in fleet.devices}
        assert all(d.client is not None and d.client.reconnects >= 1 for d in fleet.devices)
        loop.run_until_complete(fleet.stop())
    loop.close()


@pytest.mark.parametrize(("args", "message"), [
    (["--profile", "no-such/1"], "unknown profile"),
    (["--profile", "env-sensor/1", "--faults", "bogus:1"], "--faults"),
    (["--profile", "env-sensor/1", "--faults", "no-ack:1"], "command"),
    (["--profile", "env-sensor/1", "--count", "2", "--faults", "range:3"], "needs 3"),
    (["--profile", "env-sensor/1", "--interface", "eth0"], "--interface"),
    (["--profile", "env-sensor/1", "--broker", "mqtt://u:p@127.0.0.1"], "credentials"),
    (["--profile", "env-sensor/1", "--count", "0"], "count"),
])
def test_cli_simulate_usage_errors(args: list[str], message: str) -> None:
    from click.testing import CliRunner

    from devid.cli import cli

    result = CliRunner().invoke(cli, ["simulate", *args, "--duration", "0"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_commanded_properties_hold_between_commands(tmp_path: Path) -> None:
    """A lock stays where its last command put it; sensors and batteries drift on their own."""
    fleet = Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=1, ca_dir=tmp_path / "ca",
                  seed=7, mdns_interface=None, settings=MqttSettings())
    fleet._build()
    dev = fleet.devices[0]
    assert "locked" not in dev.drifting and "battery" in dev.drifting
    before = dict(dev.values)
    seen: set[Any] = set()
    for _ in range(2000):
        dev.drift(10.0)
        seen.add(dev.values["battery"])
    assert dev.values["locked"] is before["locked"]
    assert len(seen) > 1  # the free-running property did move


# -- faults keep showing; the manifest says when -----------------------------------------


def test_every_fault_says_when_it_shows() -> None:
    from simulator import showing

    for fault in FAULTS.values():
        assert fault.shows and fault.repeat
    range_ = showing(FAULTS["range"], 1.0, 2.0)
    assert range_ == {"when": FAULTS["range"].shows, "at_once": True, "every_s": 1.0}
    assert showing(FAULTS["non-retained"], 1.0, 2.0)["at_once"] is False
    assert showing(FAULTS["clock-skew"], 1.0, 2.0)["at_once"] is False  # retained ts are old
    # once per heartbeat: as many whole intervals as fit in it
    assert showing(FAULTS["seq-regression"], 1.0, 2.0)["every_s"] == 2.0
    assert showing(FAULTS["seq-regression"], 0.3, 2.0)["every_s"] == 1.8
    assert showing(FAULTS["seq-regression"], 5.0, 2.0)["every_s"] == 5.0
    assert showing(FAULTS["missing-heartbeat"], 1.0, 2.0)["every_s"] is None
    assert showing(FAULTS["expired-cert"], 1.0, 2.0) == {
        "when": FAULTS["expired-cert"].shows, "at_once": True, "every_s": None}


def test_manifest_says_when_each_fault_shows() -> None:
    from simulator import Home, eco_showing, showing

    fleet = Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=3, seed=3,
                  faults="range:1,seq-regression:1", interval=0.5)
    hb = load_profile("smart-lock/1").heartbeat_s
    for entry in fleet.manifest:
        assert entry["shows"] == {f: showing(FAULTS[f], 0.5, hb) for f in entry["faults"]}
    assert sum(bool(e["shows"]) for e in fleet.manifest) == 2
    home = Home.single("homie", "env-sensor/1", count=2, faults="homie-out-of-range:1",
                       seed=1, interval=2.0)
    (faulty,) = [e for e in home.manifest if e["faults"]]
    from simulator import HOMIE_FAULTS
    assert faulty["shows"] == {"homie-out-of-range": eco_showing(
        HOMIE_FAULTS["homie-out-of-range"], 2.0)}
    assert faulty["shows"]["homie-out-of-range"]["every_s"] == 2.0


def test_state_faults_bend_every_state(tmp_path: Path) -> None:
    """Not only the first state: every state a device publishes carries its fault."""
    names = ["range", "wrong-type", "missing-required", "malformed-cbor", "oversize",
             "seq-regression"]
    fleet = Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=len(names) + 1,
                  ca_dir=tmp_path / "ca", faults={n: 1 for n in names}, seed=9,
                  mdns_interface=None, settings=MqttSettings())
    fleet._build()
    ranged = ranged_property(fleet.devices[0].profile)
    required = required_property(fleet.devices[0].profile)
    assert ranged is not None and required is not None
    for dev in fleet.devices:
        name = dev.fault.name if dev.fault is not None else None
        dev.first_states()
        for _ in range(5):
            dev.drift(1.0)
            [payload] = dev.states(showing=False)
            if name == "malformed-cbor":
                with pytest.raises(_cbor.CborError):
                    _cbor.decode(payload)
                continue
            if name == "oversize":
                assert len(payload) > 65536
                continue
            body = _cbor.decode(payload)
            props = body["props"]
            if name == "range":
                spec = dev.profile.properties[ranged]
                assert not spec.minimum <= props[ranged] <= spec.maximum  # type: ignore[operator]
            elif name == "wrong-type":
                assert type(props[required]) is not type(dev.values[required])
            elif name == "missing-required":
                assert required not in props and required in dev.values
            else:
                assert len(payload) < 1000 and 0 <= props["battery"] <= 100
        if name == "seq-regression":
            first, second = (_cbor.decode(p)["seq"] for p in dev.states(showing=True))
            assert second < first
            assert _cbor.decode(dev.states()[0])["seq"] == first  # then it carries on


def test_plaintext_sensitive_echo_repeats_with_fresh_ids(tmp_path: Path) -> None:
    fleet = Fleet("smart-lock/1", "mqtt://127.0.0.1:1", count=1, ca_dir=tmp_path / "ca",
                  faults="plaintext-sensitive:1", seed=9, mdns_interface=None,
                  settings=MqttSettings())
    fleet._build()
    dev = fleet.devices[0]
    sent: list[tuple[str, bytes]] = []
    dev._publish = lambda suffix, payload, retain=False: sent.append(  # type: ignore[method-assign]
        (suffix, payload)) is None
    dev.leak()
    dev.leak()
    cmds = [_cbor.decode(p) for s, p in sent if s == "cmd/set-code"]
    acks = [_cbor.decode(p) for s, p in sent if s == "cmd/set-code/ack"]
    assert len(cmds) == len(acks) == 2 and cmds[0]["id"] != cmds[1]["id"]
    assert [a["id"] for a in acks] == [c["id"] for c in cmds]
    assert all("code" in c["args"] for c in cmds)


def test_link_watch_reports_once_per_outage() -> None:
    from simulator import LinkEvent, LinkWatch, StopReport

    events: list[LinkEvent] = []
    watch = LinkWatch(events.append)
    a, b, c = object(), object(), object()
    for d in (a, b, c):
        watch.up(d)
    watch.back(a)  # not down: nothing
    watch.lost(a, "connection lost")
    watch.lost(b, "connection lost")
    watch.lost(a, "connection lost")
    assert [(e.kind, e.reason, e.total) for e in events] == [("lost", "connection lost", 3)]
    assert watch.down == 2
    watch.back(a)
    assert len(events) == 1
    watch.back(b)
    assert [e.kind for e in events] == ["lost", "back"] and events[1].outage_s >= 0
    # a stop during an outage is not a reconnect
    watch.lost(c, "broker disconnected: Server shutting down")
    watch.gone(c)
    watch.gone(a)
    assert [e.kind for e in events] == ["lost", "back", "lost"] and watch.down == 0
    assert (StopReport(2, 2) + StopReport(1, 0)) == StopReport(3, 2)
    assert not StopReport(3, 2).complete and StopReport().complete
