"""The simulator's Home Assistant and Homie 5 devices, their faults and the home file.

Devices run against a real Mosquitto on loopback; an observer subscribes after they
started, so what it sees first is the retained snapshot a controller would get.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import pytest

from devid._export import export_ha, export_homie
from devid._mqtt import Message, MqttClient, MqttSettings
from devid._profiles import load_profile
from simulator import (
    ECO_FAULTS,
    HA_FAULTS,
    HOMIE_FAULTS,
    Home,
    HomeEntry,
    HomeError,
    HomeFile,
    load_home,
    parse_eco_faults,
)
from simulator._ecosystems import HaSimDevice, HomieSimDevice
from simulator._faults import HA_BAD_UNITS, HA_NOT_A_NUMBER

ISSUE_HA = ["ha-illegal-topic", "ha-bad-json", "ha-no-identifiers", "ha-device-unknown-key",
            "ha-unit-class", "ha-duplicate-unique-id", "ha-name-repeats-device",
            "ha-state-not-number", "ha-availability-bad"]
ISSUE_HOMIE = ["homie-never-ready", "homie-wrong-datatype", "homie-no-version", "homie-bad-id",
               "homie-out-of-range"]
HA_TOPIC = re.compile(r"^homeassistant/(\w+)/(?:([a-zA-Z0-9_-]+)/)?([a-zA-Z0-9_-]+)/config$")
ROOT = Path(__file__).resolve().parents[2]


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 45))


async def drain(client: MqttClient, seconds: float) -> list[Message]:
    out: list[Message] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            out.append(await asyncio.wait_for(anext(client.messages), left))
        except TimeoutError:
            break
    return out


async def snapshot(url: str, home: Home, filters: list[str], seconds: float = 1.2,
                   ) -> list[Message]:
    """Start ``home``, then subscribe: the retained messages and ``seconds`` of traffic."""
    async with home, MqttClient(url, settings=MqttSettings()) as obs:
        for topic_filter in filters:
            await obs.subscribe(topic_filter, qos=1, retain_as_published=True)
        return await drain(obs, seconds)


def _home(url: str, ecosystem: Literal["ha", "homie"], profile: str,
          faults: tuple[str, ...] = (), seed: int = 11, name: str | None = None) -> Home:
    return Home([HomeEntry(profile=profile, ecosystem=ecosystem, count=1, name=name,
                           faults=faults)], url, seed=seed, interval=0.25,
                mdns_interface=None, settings=MqttSettings())


# -- the fault tables --------------------------------------------------------------------


def test_fault_tables_cover_the_issue() -> None:
    assert list(HA_FAULTS) == ISSUE_HA and list(HOMIE_FAULTS) == ISSUE_HOMIE
    assert set(ECO_FAULTS) == set(ISSUE_HA) | set(ISSUE_HOMIE)
    for fault in ECO_FAULTS.values():
        assert fault.family.startswith("HA-" if fault.ecosystem == "ha" else "HOMIE-")
        assert fault.changes and fault.shows and fault.reaction
    assert parse_eco_faults("ha-unit-class:2, ha-bad-json", "ha") == {"ha-unit-class": 2,
                                                                      "ha-bad-json": 1}
    for bad, eco in (("homie-bad-id", "ha"), ("range", "homie"), ("ha-bad-json:x", "ha")):
        with pytest.raises(ValueError):
            parse_eco_faults(bad, eco)


def test_docs_list_every_ecosystem_fault_with_when_it_shows() -> None:
    doc = (ROOT / "docs" / "simulator.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines()
            if line.startswith("| `")}
    for fault in ECO_FAULTS.values():
        assert fault.name in rows, fault.name
        assert f"`{fault.family}" in rows[fault.name], fault.name


# -- the home file -------------------------------------------------------------------------


def test_example_home_file_is_valid_and_deterministic() -> None:
    spec = load_home(ROOT / "examples" / "home.yaml")
    assert {e.ecosystem for e in spec.devices} == {"devid", "ha", "homie"}

    def plan() -> list[dict[str, Any]]:
        return Home(spec, "mqtt://127.0.0.1:1", mdns_interface=None).manifest

    a, b = plan(), plan()
    assert a == b and len(a) == sum(e.count for e in spec.devices)
    assert len({e["id"] for e in a}) == len(a)
    for entry in a:
        if entry["ecosystem"] == "devid":
            assert entry["id"] == entry["urn"] and entry["urn"].startswith("urn:dev:ops:")
        elif entry["ecosystem"] == "ha":
            assert entry["id"] == f"ha:{entry['device_id']}"
        else:
            assert entry["id"] == f"homie:homie/{entry['device_id']}"
        assert set(entry.get("details", {})) == set(entry["faults"]) - {"no-ack"}
    names = [e["name"] for e in a]
    assert "Kitchen plug 1" in names and "Kitchen plug 2" in names and "Front door" in names


@pytest.mark.parametrize(("text", "message"), [
    ("devices: []", "should have at least 1 item"),
    ("[1, 2]", "a YAML mapping"),
    ("devices: [{profile: smart-lock/1, colour: red}]", "devices[0].colour: Extra inputs"),
    ("devices: [{profile: smart-lock/1, count: 0}]", "devices[0].count"),
    ("devices: [{profile: smart-lock/1, ecosystem: zigbee}]", "devices[0].ecosystem"),
    ("devices: [{profile: nope/1}]", "devices[0].profile: unknown profile"),
    ("devices: [{profile: core/1}]", "abstract"),
    ("devices: [{profile: smart-lock/1, ecosystem: ha, faults: [homie-bad-id]}]",
     "devices[0].faults: unknown ha fault 'homie-bad-id'"),
    ("devices: [{profile: smart-lock/1, faults: [ha-bad-json]}]",
     "unknown devid fault 'ha-bad-json' (an HA/Homie fault)"),
    ("devices: [{profile: smart-lock/1, faults: [range, no-ack]}]", "at most one fault"),
    ("devices: [{profile: env-sensor/1, faults: [no-ack]}]", "no-ack does not fit"),
    ("devices: [{profile: smart-lock/1\n", "invalid YAML"),
])
def test_bad_home_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(text)
    with pytest.raises(HomeError) as info:
        Home(load_home(path), "mqtt://127.0.0.1:1", mdns_interface=None)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cli_bad_home_file_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("devices: [{profile: smart-lock/1, ecosystem: ha, faults: [nope]}]\n")
    proc = subprocess.run([sys.executable, "-m", "devid", "simulate", "--home", str(path),
                           "--broker", "mqtt://127.0.0.1:1", "--no-mdns"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "devices[0].faults: unknown ha fault 'nope'" \
        in proc.stderr
    for args, message in ((["--home", str(path), "--profile", "smart-lock/1"], "drop --profile"),
                          (["--ecosystem", "ha"], "--profile ID or --home FILE"),
                          (["--ecosystem", "ha", "--profile", "env-sensor/1", "--faults",
                            "no-ack"], "unknown ha fault 'no-ack'"),
                          (["--profile", "env-sensor/1", "--port", "1883", "--broker",
                            "mqtt://127.0.0.1:1"], "--port: only for the embedded broker")):
        proc = subprocess.run([sys.executable, "-m", "devid", "simulate", *args, "--no-mdns"],
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1


def test_single_ecosystem_fault_assignment() -> None:
    home = Home.single("ha", "smart-lock/1", 5, "ha-unit-class:2,ha-bad-json:1", seed=3,
                       mdns_interface=None)
    faults = [e["faults"] for e in home.manifest]
    assert sorted(map(tuple, faults)) == [(), (), ("ha-bad-json",), ("ha-unit-class",),
                                          ("ha-unit-class",)]
    assert faults == [e["faults"] for e in Home.single(
        "ha", "smart-lock/1", 5, "ha-unit-class:2,ha-bad-json:1", seed=3,
        mdns_interface=None).manifest]
    with pytest.raises(HomeError, match="needs 3"):
        Home.single("ha", "smart-lock/1", 2, "ha-bad-json:3")
    with pytest.raises(HomeError, match="unknown ha fault 'homie-bad-id'"):
        Home.single("ha", "smart-lock/1", 1, "homie-bad-id")


# -- Home Assistant devices on a broker -----------------------------------------------------


def _by_topic(messages: list[Message]) -> dict[str, Message]:
    out: dict[str, Message] = {}
    for m in messages:
        out.setdefault(m.topic, m)  # the first (retained) one
    return out


def test_healthy_ha_device_publishes_its_export(mosquitto_url: str) -> None:
    async def main() -> None:
        home = _home(mosquitto_url, "ha", "smart-lock/1", name="Front door")
        dev = home.devices[0]
        assert isinstance(dev, HaSimDevice)
        base = f"devid-sim/{dev.device_id}"
        async with home, MqttClient(mosquitto_url, settings=MqttSettings()) as obs:
            await obs.subscribe(f"homeassistant/+/{dev.device_id}/+/config", qos=1,
                                retain_as_published=True)
            await obs.subscribe(f"{base}/#", qos=1, retain_as_published=True)
            first = await drain(obs, 0.8)
            seen = _by_topic(first)
            expected = export_ha(dev.profile, device_id=dev.device_id, name="Front door",
                                 base_topic=base, sw_version="1.0.0",
                                 serial_number=dev.serial)
            for topic, payload in expected:
                assert HA_TOPIC.match(topic)
                assert seen[topic].retain and json.loads(seen[topic].payload) == payload
            assert seen[f"{base}/availability"].payload == b"online"
            assert seen[f"{base}/availability"].retain
            states = [json.loads(m.payload) for m in first if m.topic == f"{base}/state"]
            assert len(states) >= 2  # the retained one, then every interval
            assert {"locked", "battery"} <= set(states[-1])
            assert isinstance(states[-1]["battery"], int)
            # HA locks and unlocks through the lock entity's command topic
            target = not states[-1]["locked"]
            await obs.publish(f"{base}/locked/set", b"True" if target else b"False", qos=1)
            later = [json.loads(m.payload) for m in await drain(obs, 0.6)
                     if m.topic == f"{base}/state"]
            assert later and later[-1]["locked"] is target
        tail = await _drain_after(mosquitto_url, f"{base}/availability")
        assert tail == b"offline"

    run(main())


async def _drain_after(url: str, topic: str) -> bytes:
    async with MqttClient(url, settings=MqttSettings()) as obs:
        await obs.subscribe(topic, qos=1)
        got = await drain(obs, 0.4)
    return got[-1].payload if got else b""


def test_ha_light_and_alarm_commands(mosquitto_url: str) -> None:
    async def main() -> None:
        home = Home([HomeEntry(profile="light/1", ecosystem="ha", count=1, name=None, faults=()),
                     HomeEntry(profile="alarm-panel/1", ecosystem="ha", count=1, name=None,
                               faults=())],
                    mosquitto_url, seed=5, interval=5, mdns_interface=None,
                    settings=MqttSettings())
        light, panel = home.devices
        async with home, MqttClient(mosquitto_url, settings=MqttSettings()) as obs:
            await obs.subscribe("devid-sim/+/state", qos=1)
            await drain(obs, 0.3)
            lb, pb = f"devid-sim/{light.device_id}", f"devid-sim/{panel.device_id}"
            await obs.publish(f"{lb}/brightness/set", b"42", qos=1)
            await obs.publish(f"{lb}/color_temperature/set", b"2700", qos=1)
            mode = "armed-home" if panel.values["arm_state"] == "armed-night" else "armed-night"
            action = "ARM_HOME" if mode == "armed-home" else "ARM_NIGHT"
            await obs.publish(f"{pb}/arm_state/set", json.dumps(
                {"action": action, "code": ""}).encode(), qos=1)
            got = await drain(obs, 0.6)
            light_state = [json.loads(m.payload) for m in got if m.topic == f"{lb}/state"][-1]
            assert (light_state["brightness"], light_state["color_temperature"]) == (42, 2700)
            panel_state = [json.loads(m.payload) for m in got if m.topic == f"{pb}/state"][-1]
            assert panel_state["arm_state"] == mode
            # disarm needs the code (the profile requires it): without one, nothing changes
            await obs.publish(f"{pb}/arm_state/set", b'{"action": "DISARM", "code": ""}', qos=1)
            assert not [m for m in await drain(obs, 0.4) if m.topic == f"{pb}/state"]
            await obs.publish(f"{pb}/arm_state/set", b'{"action": "DISARM", "code": "1234"}',
                              qos=1)
            states = [json.loads(m.payload) for m in await drain(obs, 0.4)
                      if m.topic == f"{pb}/state"]
            assert states and states[-1]["arm_state"] == "disarmed"

    run(main())


def test_every_ha_fault_is_visible_on_the_wire(mosquitto_url: str) -> None:
    """One device per fault (env-sensor/1: it has a temperature), all retained or in every
    state message: the observer, subscribing late, still sees each."""
    async def main() -> None:
        entries = [HomeEntry(profile="env-sensor/1", ecosystem="ha", count=1,
                             name=f"Sensor {i}", faults=(name,))
                   for i, name in enumerate(ISSUE_HA)]
        home = Home(entries, mosquitto_url, seed=21, interval=0.2, mdns_interface=None,
                    settings=MqttSettings())
        messages = await snapshot(mosquitto_url, home, ["homeassistant/#", "devid-sim/#"], 0.8)
        manifest = {e["faults"][0]: e for e in home.manifest}
        devices = {d.fault_names[0]: d for d in home.devices}
        for fault in ISSUE_HA:
            dev = devices[fault]
            assert isinstance(dev, HaSimDevice)
            mine = [m for m in messages if f"/{dev.device_id}/" in m.topic
                    or m.topic.startswith(f"devid-sim/{dev.device_id}/")]
            configs = {m.topic: m.payload for m in mine if m.topic.endswith("/config")}
            retained = {m.topic: m.payload for m in mine if m.retain}
            parsed = {}
            for topic, payload in configs.items():
                try:
                    parsed[topic] = json.loads(payload)
                except ValueError:
                    parsed[topic] = None
            detail = manifest[fault]["details"][fault]
            if fault == "ha-illegal-topic":
                assert detail["topic"] in retained and not HA_TOPIC.match(detail["topic"])
                assert " " in detail["topic"] and ":" in detail["topic"]
            elif fault == "ha-bad-json":
                assert parsed[detail["topic"]] is None and detail["topic"] in retained
            elif fault == "ha-no-identifiers":
                assert parsed[detail["topic"]]["device"]["identifiers"] == []
            elif fault == "ha-device-unknown-key":
                assert all(p["device"]["ip"] for p in parsed.values())
            elif fault == "ha-unit-class":
                config = parsed[detail["topic"]]
                assert (config["device_class"], config["unit_of_measurement"]) == (
                    "temperature", HA_BAD_UNITS["temperature"])
            elif fault == "ha-duplicate-unique-id":
                ids = [p["unique_id"] for p in parsed.values()]
                assert len(ids) - len(set(ids)) == 1
            elif fault == "ha-name-repeats-device":
                assert parsed[detail["topic"]]["name"].startswith(dev.display_name + " ")
            elif fault == "ha-state-not-number":
                states = [json.loads(m.payload) for m in mine if m.topic.endswith("/state")]
                assert len(states) >= 3
                assert all(s[detail["property"]] == HA_NOT_A_NUMBER for s in states)
            elif fault == "ha-availability-bad":
                avail = [m.payload for m in mine if m.topic.endswith("/availability")]
                assert avail == [b"up"]
            # nothing else is broken: every other config parses and fits HA's grammar
            others = {t: p for t, p in parsed.items()
                      if t != detail.get("topic")}
            if fault not in ("ha-bad-json",):
                assert all(p is not None for p in others.values())
            if fault != "ha-illegal-topic":
                assert all(HA_TOPIC.match(t) for t in configs)

    run(main())


# -- Homie 5 devices ----------------------------------------------------------------------


def test_healthy_homie_device_lifecycle_and_set(mosquitto_url: str) -> None:
    async def main() -> None:
        home = _home(mosquitto_url, "homie", "thermostat/1", name="Bedroom")
        dev = home.devices[0]
        assert isinstance(dev, HomieSimDevice)
        root = f"homie/5/{dev.device_id}"
        async with MqttClient(mosquitto_url, settings=MqttSettings()) as early:
            # an observer already subscribed sees the order: init, description, values, ready
            await early.subscribe(f"{root}/#", qos=1)
            async with home:
                order = await drain(early, 0.5)
                topics = [m.topic[len(root) + 1:] for m in order]
                assert topics[0] == "$state" and order[0].payload == b"init"
                assert topics[1] == "$description"
                ready = topics.index("$state", 1)
                assert order[ready].payload == b"ready"
                assert set(topics[2:ready]) == {
                    f"{p.node}/{p.id}" for p in dev.layout if p.source == "property"}
                desc = json.loads(order[1].payload)
                assert desc == export_homie(dev.profile, device_id=dev.device_id, name="Bedroom")
                assert desc["homie"] == "5.0" and isinstance(desc["version"], int)
                props = desc["nodes"]["thermostat"]["properties"]
                assert props["target-temperature"]["settable"] is True
                await early.publish(f"{root}/thermostat/target-temperature/set", b"22.5", qos=1)
                mode = "heat" if dev.values["mode"] != "heat" else "cool"
                await early.publish(f"{root}/thermostat/mode/set", mode.encode(), qos=1)
                await early.publish(f"{root}/thermostat/mode/set", b"blast", qos=1)  # ignored
                got = {m.topic: m.payload for m in await drain(early, 0.5)}
                assert got[f"{root}/thermostat/target-temperature"] == b"22.5"
                assert got[f"{root}/thermostat/mode"] == mode.encode()
            tail = [m for m in await drain(early, 0.5) if m.topic == f"{root}/$state"]
            assert tail and tail[-1].payload == b"disconnected"

    run(main())


def test_every_homie_fault_is_visible_on_the_wire(mosquitto_url: str) -> None:
    async def main() -> None:
        entries = [HomeEntry(profile="env-sensor/1", ecosystem="homie", count=1, name=None,
                             faults=(name,)) for name in ISSUE_HOMIE]
        home = Home(entries, mosquitto_url, seed=8, interval=0.2, mdns_interface=None,
                    settings=MqttSettings())
        messages = await snapshot(mosquitto_url, home, ["homie/5/#"], 0.8)
        for entry in home.manifest:
            [fault] = entry["faults"]
            root = entry["base_topic"]
            mine = [m for m in messages if m.topic.startswith(root + "/")]
            states = [m.payload for m in mine if m.topic == f"{root}/$state"]
            detail = entry["details"][fault]
            desc = json.loads(next(m.payload for m in mine if m.topic.endswith("/$description")))
            if fault == "homie-never-ready":
                assert states == [b"init"]
            else:
                assert states[-1] == b"ready"
            if fault == "homie-no-version":
                assert "version" not in desc and desc["homie"] == "5.0"
            else:
                assert isinstance(desc["version"], int)
            if fault == "homie-bad-id":
                assert re.search(r"[A-Z_]", entry["device_id"])
                assert root == f"homie/5/{entry['device_id']}" and mine
            if fault in ("homie-wrong-datatype", "homie-out-of-range"):
                values = [m.payload.decode() for m in mine if m.topic == detail["topic"]]
                assert len(values) >= 3 and set(values) == {detail["value"]}  # every time
                if fault == "homie-wrong-datatype":
                    assert detail["value"] == "abc"
                else:
                    lo, hi = (float(x) for x in detail["format"].split(":"))
                    assert not lo <= float(detail["value"]) <= hi

    run(main())


def test_home_file_model_round_trip() -> None:
    spec = HomeFile.model_validate({"devices": [{"profile": "smart-lock/1",
                                                 "ecosystem": "homie"}], "seed": 1})
    assert spec.devices[0].count == 1 and spec.devices[0].faults == ()
    assert load_profile(spec.devices[0].profile).id == "smart-lock/1"
