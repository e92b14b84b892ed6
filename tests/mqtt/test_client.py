"""The asyncio MQTT client against real brokers on loopback (Mosquitto and amqtt)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devid._broker import broker, free_port
from devid._mqtt import (
    Message,
    MqttClient,
    MqttConnectError,
    MqttError,
    MqttSettings,
    Will,
    load_settings,
    parse_url,
)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 30))


async def _next(client: MqttClient, timeout: float = 5.0) -> Message:
    return await asyncio.wait_for(anext(client.messages), timeout)


# -- URLs and settings --------------------------------------------------------------------


def test_parse_url_forms() -> None:
    assert parse_url("mqtt://broker.example").port == 1883
    a = parse_url("mqtts://broker.example")
    assert (a.port, a.tls) == (8883, True)
    assert parse_url("mqtt://[::1]:1884").url == "mqtt://[::1]:1884"
    assert parse_url("MQTT://127.0.0.1:9").url == "mqtt://127.0.0.1:9"


@pytest.mark.parametrize("url", ["http://x", "mqtt://", "mqtt://h:99999", "tcp://h:1",
                                 "mqtt://user:pw@h:1883", "mqtt://user@h"])
def test_parse_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)


def test_credentials_never_in_url() -> None:
    with pytest.raises(ValueError, match="DEVID_MQTT_USERNAME"):
        parse_url("mqtt://alice:secret@127.0.0.1:1883")


def test_settings_from_config_file_and_env(tmp_path: Path) -> None:
    conf = tmp_path / "mqtt.toml"
    conf.write_text('username = "alice"\npassword = "from-file"\nca_file = "~/ca.pem"\n')
    s = load_settings({"DEVID_MQTT_CONFIG": str(conf)})
    assert (s.username, s.password) == ("alice", "from-file")
    assert s.ca_file == str(Path("~/ca.pem").expanduser())
    s = load_settings({"DEVID_MQTT_CONFIG": str(conf), "DEVID_MQTT_USERNAME": "bob",
                       "DEVID_MQTT_PASSWORD": "from-env"})
    assert (s.username, s.password) == ("bob", "from-env")
    # no config file at all: only the environment
    s = load_settings({"HOME": str(tmp_path), "DEVID_MQTT_USERNAME": "carol"})
    assert s == MqttSettings(username="carol")


@pytest.mark.parametrize("text", ["username = 5\n", "not toml [", "tls_insecure = 'yes'\n"])
def test_settings_bad_config(tmp_path: Path, text: str) -> None:
    conf = tmp_path / "mqtt.toml"
    conf.write_text(text)
    with pytest.raises(ValueError, match=r"mqtt\.toml"):
        load_settings({"DEVID_MQTT_CONFIG": str(conf)})


def test_settings_named_config_missing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_settings({"DEVID_MQTT_CONFIG": str(tmp_path / "absent.toml")})


# -- publish / subscribe -----------------------------------------------------------------


def test_roundtrip_and_protocol(broker_url: str, unique_prefix: str) -> None:
    async def main() -> None:
        async with MqttClient(broker_url, settings=MqttSettings()) as sub, \
                MqttClient(broker_url, settings=MqttSettings()) as pub:
            expected = "5" if sub.protocol == "5" else "3.1.1"
            assert sub.protocol == expected and pub.protocol == expected
            assert await sub.subscribe(f"{unique_prefix}/#", qos=1) == 1
            await pub.publish(f"{unique_prefix}/a", b"\x00\x01binary", qos=1)
            await pub.publish(f"{unique_prefix}/b", b"", qos=0)
            first, second = await _next(sub), await _next(sub)
            assert first.topic == f"{unique_prefix}/a" and first.payload == b"\x00\x01binary"
            assert first.qos == 1 and first.retain is False
            assert second.topic == f"{unique_prefix}/b" and second.payload == b""
            with pytest.raises(AttributeError):
                first.topic = "x"  # type: ignore[misc]  # frozen
    run(main())


def test_mosquitto_speaks_v5_amqtt_falls_back(mosquitto_url: str, amqtt_url: str) -> None:
    async def main() -> None:
        async with MqttClient(mosquitto_url, settings=MqttSettings()) as a:
            assert a.protocol == "5"
        async with MqttClient(amqtt_url, settings=MqttSettings(),
                              will=Will("x/status", b"off")) as b:
            assert b.protocol == "3.1.1"
        with pytest.raises(MqttConnectError):
            await MqttClient(amqtt_url, settings=MqttSettings(), protocol="5",
                             connect_timeout=3).connect()
    run(main())


def test_retain_as_published(broker_url: str, unique_prefix: str) -> None:
    """MQTT 5 forwards the publisher's retain flag; 3.1.1 clears it on live messages."""
    async def main() -> None:
        async with MqttClient(broker_url, settings=MqttSettings()) as sub, \
                MqttClient(broker_url, settings=MqttSettings()) as pub:
            await sub.subscribe(f"{unique_prefix}/#", qos=1, retain_as_published=True)
            await pub.publish(f"{unique_prefix}/r", b"kept", qos=1, retain=True)
            live = await _next(sub)
            assert live.retain is (sub.protocol == "5")
            async with MqttClient(broker_url, settings=MqttSettings()) as late:
                await late.subscribe(f"{unique_prefix}/#", qos=1)
                stored = await _next(late)
                assert (stored.payload, stored.retain) == (b"kept", True)
            await pub.publish(f"{unique_prefix}/r", b"", qos=1, retain=True)  # clear
    run(main())


def test_last_will_on_abort_not_on_close(broker_url: str, unique_prefix: str) -> None:
    async def main() -> None:
        async with MqttClient(broker_url, settings=MqttSettings()) as sub:
            await sub.subscribe(f"{unique_prefix}/#", qos=1)
            polite = MqttClient(broker_url, settings=MqttSettings(),
                                will=Will(f"{unique_prefix}/polite", b"gone"))
            await polite.connect()
            await polite.close()
            rude = MqttClient(broker_url, settings=MqttSettings(),
                              will=Will(f"{unique_prefix}/rude", b"gone", retain=False))
            await rude.connect()
            rude.abort()
            msg = await _next(sub)
            assert (msg.topic, msg.payload) == (f"{unique_prefix}/rude", b"gone")
            await asyncio.sleep(0.2)
            assert sub.messages.qsize() == 0  # the polite client's Will never came
    run(main())


def test_messages_end_after_close_and_ops_fail(mosquitto_url: str) -> None:
    async def main() -> None:
        client = MqttClient(mosquitto_url, settings=MqttSettings())
        await client.connect()
        await client.close()
        assert [m async for m in client.messages] == []
        with pytest.raises(MqttError):
            await client.publish("a", b"x")
        with pytest.raises(MqttError):
            await client.subscribe("a")
    run(main())


def test_unreachable_broker() -> None:
    port = free_port()
    async def main() -> None:
        with pytest.raises(MqttConnectError) as info:
            await MqttClient(f"mqtt://127.0.0.1:{port}", settings=MqttSettings(),
                             connect_timeout=2).connect()
        assert info.value.reason == "unreachable"
    run(main())


def test_many_clients_one_loop(mosquitto_url: str, unique_prefix: str) -> None:
    """200 clients on one event loop, each publishing; one subscriber gets them all."""
    async def main() -> None:
        async with MqttClient(mosquitto_url, settings=MqttSettings()) as sub:
            await sub.subscribe(f"{unique_prefix}/#", qos=1)
            clients = [MqttClient(mosquitto_url, settings=MqttSettings()) for _ in range(200)]
            await asyncio.gather(*(c.connect() for c in clients))
            await asyncio.gather(*(c.publish(f"{unique_prefix}/{i}", str(i).encode(), qos=1)
                                   for i, c in enumerate(clients)))
            got = {(await _next(sub)).payload for _ in range(200)}
            assert got == {str(i).encode() for i in range(200)}
            await asyncio.gather(*(c.close() for c in clients))
    run(main())


def test_reconnect_restores_subscriptions() -> None:
    """Mosquitto stops and comes back on the same port: the client reconnects by itself."""
    port = free_port()
    with broker("mosquitto", port=port) as first:
        url = first.url

        async def phase1(client: MqttClient) -> None:
            await client.connect()
            await client.subscribe("re/#", qos=1)

        loop = asyncio.new_event_loop()
        client = MqttClient(url, settings=MqttSettings())
        reconnected: list[bool] = []
        client.on_reconnect = lambda: reconnected.append(True)
        loop.run_until_complete(phase1(client))
    # broker gone: the client notices and keeps retrying
    loop.run_until_complete(asyncio.sleep(0.5))
    assert not client.connected
    with broker("mosquitto", port=port):
        async def phase2() -> Message:
            for _ in range(100):
                if client.connected and reconnected:
                    break
                await asyncio.sleep(0.1)
            async with MqttClient(url, settings=MqttSettings()) as pub:
                await asyncio.sleep(0.2)  # the re-subscription's SUBACK
                await pub.publish("re/x", b"back", qos=1)
                return await _next(client)

        msg = loop.run_until_complete(phase2())
        assert msg.payload == b"back" and client.reconnects == 1 and reconnected
        loop.run_until_complete(client.close())
    loop.close()


# -- TLS ----------------------------------------------------------------------------------


def _tls_files(tmp: Path) -> tuple[Path, Path, Path]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test broker CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           False)
            .sign(ca_key, hashes.SHA256()))
    ckey = ec.generate_private_key(ec.SECP256R1())
    client = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")]))
              .issuer_name(ca_name).public_key(ckey.public_key()).serial_number(3)
              .not_valid_before(now - dt.timedelta(hours=1))
              .not_valid_after(now + dt.timedelta(days=1))
              .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp / "client.pem").write_bytes(client.public_bytes(pem))
    (tmp / "client.key").write_bytes(ckey.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp / "server.pem").write_bytes(cert.public_bytes(pem))
    (tmp / "server.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    os.chmod(tmp, 0o755)
    for name in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key"):
        os.chmod(tmp / name, 0o644)  # mosquitto may drop privileges before loading them
    return tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"


def test_mqtts_verifies_the_broker(mosquitto_url: str, tmp_path: Path) -> None:
    ca, cert, key = _tls_files(tmp_path)
    tls_port, mtls_port = free_port(), free_port()
    extra = (f"listener {tls_port} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n"
             f"listener {mtls_port} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n"
             "require_certificate true\n")
    if os.geteuid() == 0:
        extra += "user root\n"  # else mosquitto drops to 'mosquitto', which cannot read tmp_path
    with broker("mosquitto", extra_config=extra):
        url = f"mqtts://127.0.0.1:{tls_port}"

        async def main() -> None:
            # default: system trust store, which does not know the test CA
            with pytest.raises(MqttConnectError) as info:
                await MqttClient(url, settings=MqttSettings(), connect_timeout=3).connect()
            assert info.value.reason == "tls"
            async with MqttClient(url, settings=MqttSettings(ca_file=str(ca))) as client:
                assert client.address.tls
                await client.subscribe("tls/#", qos=1)
                await client.publish("tls/x", b"secret", qos=1)
                assert (await _next(client)).payload == b"secret"
            # a listener that requires a client certificate
            murl = f"mqtts://127.0.0.1:{mtls_port}"
            with pytest.raises(MqttConnectError):
                await MqttClient(murl, settings=MqttSettings(ca_file=str(ca)),
                                 connect_timeout=3, reconnect=False).connect()
            settings = MqttSettings(ca_file=str(ca), cert_file=str(tmp_path / "client.pem"),
                                    key_file=str(tmp_path / "client.key"))
            async with MqttClient(murl, settings=settings) as client:
                assert client.connected
        run(main())


def test_only_subscribed_topics_are_delivered(broker_url: str, unique_prefix: str) -> None:
    """amqtt 0.12 pushes retained messages of other clients' filters at connect: dropped."""
    async def main() -> None:
        async with MqttClient(broker_url, settings=MqttSettings()) as other:
            await other.subscribe(f"{unique_prefix}/a/#", qos=1)
            await other.publish(f"{unique_prefix}/a/kept", b"r", qos=1, retain=True)
            async with MqttClient(broker_url, settings=MqttSettings()) as me:
                await me.subscribe(f"{unique_prefix}/b/#", qos=1)
                await other.publish(f"{unique_prefix}/b/live", b"mine", qos=1)
                msg = await _next(me)
                assert msg.topic == f"{unique_prefix}/b/live"
                await asyncio.sleep(0.2)
                assert me.messages.qsize() == 0
            await other.publish(f"{unique_prefix}/a/kept", b"", qos=1, retain=True)
    run(main())
