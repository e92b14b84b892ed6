"""Simulated devices that announce themselves through HA MQTT discovery or Homie 5.

Both run from the profile's export (:mod:`devid._export`), so a profile describes a
device in all three ecosystems, and both reuse devid's asyncio MQTT client and the
value generator of the devid/1 devices (:mod:`simulator._values`).

Home Assistant (:class:`HaSimDevice`), on every (re)connection, with a Last Will of
``offline`` on its availability topic: every discovery config (retained), then
availability ``online`` (retained), then a JSON ``state`` with every property
(retained). It republishes ``state`` every interval, now and then an event on its
``event`` topic (``{"event_type": ...}``, not retained), and applies what HA sends on
its ``<key>/set`` command topics (the export says which payload is which command),
followed by a fresh ``state``.

Homie 5 (:class:`HomieSimDevice`), with a Last Will of ``$state`` = ``lost``:
``$state`` ``init``, ``$description``, every property value, then ``$state`` ``ready``
(all retained); then the values that changed every interval, events as non-retained
JSON values, and ``/set`` applied to settable properties. A clean stop publishes
``disconnected``.

:class:`~simulator._faults.EcoFault` entries change exactly what their table says;
each keeps showing (retained, or in every publication).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from devid._check import compile_profile
from devid._export import (
    HaCommand,
    HaEntity,
    HomieProperty,
    export_homie,
    ha_entities,
    homie_layout,
    homie_value,
)
from devid._mqtt import Message, MqttClient, MqttError, MqttSettings, Will
from devid._profiles import Profile, PropertySpec
from simulator._device import EVENT_PROBABILITY, SW_VERSION, out_of_range_value
from simulator._faults import (
    HA_BAD_AVAILABILITY,
    HA_BAD_UNITS,
    HA_NOT_A_NUMBER,
    HOMIE_WRONG_BOOLEAN,
    HOMIE_WRONG_NUMBER,
    EcoFault,
)
from simulator._link import LinkWatch
from simulator._values import initial_value, next_value

#: Where the simulated HA devices publish their state and listen for commands.
HA_BASE = "devid-sim"
HOMIE_ROOT = "homie/5"
#: What ha-illegal-topic appends to an object_id (a space and a MAC's colons).
ILLEGAL_SUFFIX = " 02:00:00:00:00:01"


def _numeric(spec: PropertySpec) -> bool:
    return spec.type in ("integer", "number") and not spec.enum


# ---------------------------------------------------------------------------------------
# where a fault lands (pure: a device's export in, a choice out)
# ---------------------------------------------------------------------------------------


def unit_class_target(entities: Sequence[HaEntity]) -> tuple[int, str] | None:
    """(entity index, bad unit) for ``ha-unit-class``: the first device class of
    ``HA_BAD_UNITS`` (in its order) that a sensor or number of the device has."""
    for device_class, bad in HA_BAD_UNITS.items():
        for i, e in enumerate(entities):
            if e.component in ("sensor", "number") and \
                    e.config.get("device_class") == device_class:
                return i, bad
    return None


def numeric_sensor_target(profile: Profile, entities: Sequence[HaEntity]) -> str | None:
    """The property ``ha-state-not-number`` sends as text: a numeric sensor's (required
    properties first; diagnostics last)."""
    best: tuple[int, str] | None = None
    for e in entities:
        if e.component != "sensor" or not e.properties:
            continue
        prop = e.properties[0]
        spec = profile.properties[prop]
        if not _numeric(spec):
            continue
        rank = 0 if spec.required else (2 if "entity_category" in e.config else 1)
        if best is None or rank < best[0]:
            best = (rank, prop)
    return best[1] if best else None


def homie_targets(profile: Profile, layout: Sequence[HomieProperty],
                  faults: Sequence[str]) -> dict[str, HomieProperty]:
    """fault name -> the property it bends (``homie-out-of-range``: a ranged number;
    ``homie-wrong-datatype``: a number, else a boolean; distinct when both apply;
    properties no command sets and required ones first)."""
    props = [p for p in layout if p.source == "property"]

    def rank(p: HomieProperty) -> tuple[int, int]:
        spec = profile.properties[p.name]
        return (1 if p.setter or p.toggle else 0, 0 if spec.required else 1)

    out: dict[str, HomieProperty] = {}
    if "homie-out-of-range" in faults:
        ranged = [p for p in props if _numeric(profile.properties[p.name]) and (
            profile.properties[p.name].minimum is not None
            or profile.properties[p.name].maximum is not None)]
        if ranged:
            out["homie-out-of-range"] = min(ranged, key=rank)
    if "homie-wrong-datatype" in faults:
        taken = out.get("homie-out-of-range")
        numbers = [p for p in props if _numeric(profile.properties[p.name]) and p != taken]
        booleans = [p for p in props if p.datatype == "boolean" and p != taken]
        pool = numbers or booleans
        if pool:
            out["homie-wrong-datatype"] = min(pool, key=rank)
    return out


def ha_applies(fault: EcoFault, profile: Profile) -> bool:
    """Whether an HA device of ``profile`` can show ``fault``."""
    if fault.requires is None:
        return True
    entities = ha_entities(profile, device_id="x", name="x", base_topic="x")
    if fault.requires == "device-class-sensor":
        return unit_class_target(entities) is not None
    if fault.requires == "numeric-sensor":
        return numeric_sensor_target(profile, entities) is not None
    if fault.requires == "two-entities":
        return len(entities) >= 2
    return False


def homie_applies(fault: EcoFault, profile: Profile) -> bool:
    """Whether a Homie device of ``profile`` can show ``fault``."""
    if fault.requires is None:
        return True
    return fault.name in homie_targets(profile, homie_layout(profile), [fault.name])


def eco_applies(fault: EcoFault, profile: Profile) -> bool:
    return (ha_applies if fault.ecosystem == "ha" else homie_applies)(fault, profile)


# ---------------------------------------------------------------------------------------
# the shared device loop
# ---------------------------------------------------------------------------------------


class _EcoDevice:
    """MQTT session, values, ticking and commands shared by the HA and Homie devices."""

    ecosystem = ""

    def __init__(self, profile: Profile, *, device_id: str, name: str, broker_url: str,
                 interval: float, rng: random.Random, faults: Sequence[EcoFault] = (),
                 settings: MqttSettings | None = None, phase: float = 0.0,
                 serial: str = "") -> None:
        self.profile = profile
        self.device_id = device_id
        self.display_name = name
        self.broker_url = broker_url
        self.interval = interval
        self.rng = rng
        self.faults = tuple(faults)
        self.fault_names = tuple(f.name for f in self.faults)
        self.settings = settings
        self.phase = phase
        self.serial = serial
        self.client: MqttClient | None = None
        self.values: dict[str, Any] = {
            n: initial_value(n, s, rng) for n, s in profile.properties.items()
            if s.data_class != "sensitive" and s.type != "bytes"}
        self.drifting = {n: s for n, s in profile.properties.items() if n in self.values
                         and not any(n in c.sets for c in profile.commands.values())}
        self.commands_received = 0
        self.published = 0
        self._tasks: list[asyncio.Task[None]] = []
        self.link: LinkWatch | None = None  # told about connection losses and reconnects

    # -- to implement ------------------------------------------------------------------

    def _will(self) -> Will:
        raise NotImplementedError

    def _subscriptions(self) -> list[str]:
        raise NotImplementedError

    def announce(self) -> None:
        """Publish everything a (re)connected device publishes."""
        raise NotImplementedError

    def tick(self, changed: set[str]) -> None:
        """One interval: publish state (``changed``: properties whose value changed)."""
        raise NotImplementedError

    def emit_event(self, name: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def handle(self, message: Message) -> None:
        raise NotImplementedError

    def goodbye(self) -> tuple[str, bytes] | None:
        """What a clean stop publishes (retained) before disconnecting."""
        return None

    # -- common ------------------------------------------------------------------------

    @property
    def manifest_id(self) -> str:
        raise NotImplementedError

    def publish(self, topic: str, payload: bytes | str, *, retain: bool = True,
                qos: int = 1) -> bool:
        client = self.client
        if client is None:
            return False
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        try:
            client.publish_nowait(topic, data, qos=qos, retain=retain)
        except MqttError:
            return False
        self.published += 1
        return True

    def run_command(self, name: str, args: Mapping[str, Any]) -> set[str]:
        """Apply devid command ``name`` (a missing required enum argument takes its first
        value); return the properties whose value changed (empty: refused)."""
        command = self.profile.commands.get(name)
        if command is None:
            return set()
        full = dict(args)
        for arg, spec in command.args.items():
            if spec.required and arg not in full and spec.enum:
                full[arg] = spec.enum[0]
        full = {k: v for k, v in full.items() if k in command.args}
        if compile_profile(self.profile).commands[name].problems(full):
            return set()
        self.commands_received += 1
        changed: set[str] = set()
        for prop, value in self.profile.apply_command(name, full).items():
            if prop in self.values and self.values[prop] != value:
                self.values[prop] = value
                changed.add(prop)
        return changed

    def event_data(self, name: str) -> dict[str, Any]:
        spec = self.profile.events[name]
        return {f: initial_value(f, s, self.rng) for f, s in spec.data.items()
                if s.data_class != "sensitive" and s.type != "bytes"}

    async def start(self) -> None:
        client = MqttClient(self.broker_url, client_id=f"sim-{self.ecosystem}-{self.serial}-"
                            f"{os.urandom(3).hex()}", will=self._will(), settings=self.settings)
        await client.connect()
        try:
            for topic_filter in self._subscriptions():
                await client.subscribe(topic_filter, qos=1)
        except (MqttError, TimeoutError):
            client.abort()
            raise
        self.client = client
        client.on_reconnect = self._reconnected
        client.on_connection_lost = self._lost
        if self.link is not None:
            self.link.up(self)
        self.announce()
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._inbox()))
        self._tasks.append(loop.create_task(self._ticker()))

    def _reconnected(self) -> None:
        self.announce()
        if self.link is not None:
            self.link.back(self)

    def _lost(self, reason: str) -> None:
        if self.link is not None:
            self.link.lost(self, reason)

    async def stop(self, *, graceful: bool = True) -> bool:
        """Stop; publish the goodbye (retained) and disconnect. Returns whether the broker
        acknowledged the goodbye (``False`` when not connected or not started)."""
        if self.link is not None:
            self.link.gone(self)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        client, self.client = self.client, None
        if client is None:
            return False
        last = self.goodbye()
        published = False
        if graceful and client.connected:
            published = last is None
            if last is not None:
                with contextlib.suppress(MqttError, TimeoutError):
                    await asyncio.wait_for(client.publish(last[0], last[1], qos=1, retain=True),
                                           3.0)
                    published = True
            await client.close()
        else:
            client.abort()
        return published

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        events = list(self.profile.events)
        await asyncio.sleep(self.phase)
        next_at = loop.time()
        while True:
            next_at += self.interval
            changed: set[str] = set()
            for name, spec in self.drifting.items():
                value = next_value(name, spec, self.values[name], self.rng, self.interval)
                if value != self.values[name]:
                    self.values[name] = value
                    changed.add(name)
            self.tick(changed)
            if events and self.rng.random() < EVENT_PROBABILITY:
                event = self.rng.choice(events)
                self.emit_event(event, self.event_data(event))
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def _inbox(self) -> None:
        client = self.client
        assert client is not None
        async for message in client.messages:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                self.handle(message)


# ---------------------------------------------------------------------------------------
# Home Assistant MQTT discovery
# ---------------------------------------------------------------------------------------


class HaSimDevice(_EcoDevice):
    """A device announced through HA MQTT discovery (see the module docstring)."""

    ecosystem = "ha"

    def __init__(self, profile: Profile, *, device_id: str, name: str, broker_url: str,
                 interval: float, rng: random.Random, faults: Sequence[EcoFault] = (),
                 settings: MqttSettings | None = None, phase: float = 0.0,
                 serial: str = "", prefix: str = "homeassistant") -> None:
        super().__init__(profile, device_id=device_id, name=name, broker_url=broker_url,
                         interval=interval, rng=rng, faults=faults, settings=settings,
                         phase=phase, serial=serial)
        self.base = f"{HA_BASE}/{device_id}"
        self.entities = ha_entities(profile, device_id=device_id, name=name, prefix=prefix,
                                    base_topic=self.base, sw_version=SW_VERSION,
                                    serial_number=serial or None)
        self.state_topic = f"{self.base}/state"
        self.availability_topic = f"{self.base}/availability"
        self.event_topic = f"{self.base}/event"
        self.commands: dict[str, list[HaCommand]] = {}
        for e in self.entities:
            for c in e.commands:
                self.commands.setdefault(c.topic, []).append(c)
        self.not_a_number: str | None = None
        self.details: dict[str, dict[str, Any]] = {}
        self.discovery = self._discovery()

    @property
    def manifest_id(self) -> str:
        return f"ha:{self.device_id}"

    def _discovery(self) -> list[tuple[str, bytes]]:
        """The retained discovery messages, with this device's faults applied.

        Each fault that bends one entity takes an entity no other fault of the device
        took (when there is one), so several faults on one device all stay visible.
        """
        names = set(self.fault_names)
        configs = [(e.topic, json.loads(json.dumps(e.config))) for e in self.entities]
        taken: set[int] = set()

        def take(ok: Any = None, *, from_end: bool = True) -> int:
            order = range(len(configs) - 1, -1, -1) if from_end else range(len(configs))
            fits = [k for k in order if ok is None or ok(configs[k][1])]
            free = [k for k in fits if k not in taken] or fits
            taken.add(free[0])
            return free[0]

        if "ha-device-unknown-key" in names:
            for _topic, config in configs:
                config["device"]["ip"] = "192.0.2.10"
            self.details["ha-device-unknown-key"] = {"key": "device.ip"}
        if "ha-unit-class" in names:
            target = unit_class_target(self.entities)
            assert target is not None
            i, bad = target
            taken.add(i)
            configs[i][1]["unit_of_measurement"] = bad
            self.details["ha-unit-class"] = {
                "topic": configs[i][0], "device_class": configs[i][1]["device_class"],
                "unit": bad}
        if "ha-duplicate-unique-id" in names:
            first, second = take(from_end=False), take(from_end=False)
            configs[second][1]["unique_id"] = configs[first][1]["unique_id"]
            self.details["ha-duplicate-unique-id"] = {
                "unique_id": configs[first][1]["unique_id"],
                "topics": [configs[first][0], configs[second][0]]}
        if "ha-name-repeats-device" in names:
            i = take(lambda c: bool(c.get("name")), from_end=False)
            configs[i][1]["name"] = f"{self.display_name} {configs[i][1].get('name') or ''}"
            self.details["ha-name-repeats-device"] = {"topic": configs[i][0],
                                                      "name": configs[i][1]["name"]}
        if "ha-no-identifiers" in names:
            i = take()
            configs[i][1]["device"]["identifiers"] = []
            configs[i][1]["device"].pop("connections", None)
            match = re.fullmatch(r"[^/]+/(\w+)/([^/]+)/([^/]+)/config", configs[i][0])
            assert match is not None
            self.details["ha-no-identifiers"] = {
                "topic": configs[i][0],
                "record": f"ha:entity:{match[1]}/{match[2]} {match[3]}"}
        if "ha-state-not-number" in names:
            self.not_a_number = numeric_sensor_target(self.profile, self.entities)
            assert self.not_a_number is not None
            self.details["ha-state-not-number"] = {"property": self.not_a_number,
                                                   "value": HA_NOT_A_NUMBER,
                                                   "topic": self.state_topic}
        if "ha-availability-bad" in names:
            self.details["ha-availability-bad"] = {"topic": self.availability_topic,
                                                   "value": HA_BAD_AVAILABILITY}
        out = [(t, json.dumps(c, ensure_ascii=False).encode("utf-8")) for t, c in configs]
        if "ha-illegal-topic" in names:
            i = take()
            head, _, obj = out[i][0].removesuffix("/config").rpartition("/")
            bad_topic = f"{head}/{obj}{ILLEGAL_SUFFIX}/config"
            out[i] = (bad_topic, out[i][1])
            self.details["ha-illegal-topic"] = {"topic": bad_topic}
        if "ha-bad-json" in names:
            i = take()
            out[i] = (out[i][0], out[i][1][: max(1, len(out[i][1]) // 2)])
            self.details["ha-bad-json"] = {"topic": out[i][0]}
        return out

    def _will(self) -> Will:
        return Will(self.availability_topic, b"offline", qos=1, retain=True)

    def _subscriptions(self) -> list[str]:
        return [f"{self.base}/+/set"]

    def state_payload(self) -> bytes:
        values = dict(self.values)
        if self.not_a_number is not None:
            values[self.not_a_number] = HA_NOT_A_NUMBER
        return json.dumps(values, ensure_ascii=False, default=str).encode("utf-8")

    def announce(self) -> None:
        for topic, payload in self.discovery:
            self.publish(topic, payload, retain=True)
        online = HA_BAD_AVAILABILITY if "ha-availability-bad" in self.fault_names else "online"
        self.publish(self.availability_topic, online, retain=True)
        self.publish(self.state_topic, self.state_payload(), retain=True)

    def tick(self, changed: set[str]) -> None:
        self.publish(self.state_topic, self.state_payload(), retain=True)

    def emit_event(self, name: str, data: dict[str, Any]) -> None:
        self.publish(self.event_topic, json.dumps({"event_type": name, **data},
                                                  default=str), retain=False)

    def handle(self, message: Message) -> None:
        options = self.commands.get(message.topic)
        if not options:
            return
        text = message.payload.decode("utf-8")
        body: dict[str, Any] | None = None
        if any(c.json for c in options):
            with contextlib.suppress(ValueError):
                loaded = json.loads(text)
                body = loaded if isinstance(loaded, dict) else None
        chosen: tuple[str, dict[str, Any]] | None = None
        for c in options:
            if c.json:
                if body is None or str(body.get("action")) != c.payload:
                    continue
                args = {k: v for k, v in body.items() if k != "action" and v not in ("", None)}
                chosen = (c.command, {**args, **c.args})
            elif c.arg is not None:
                spec = self.profile.commands[c.command].args[c.arg]
                chosen = (c.command, {**c.args, c.arg: _parse_ha(text, spec)})
            elif c.payload is None or c.payload == text:
                chosen = (c.command, dict(c.args))
            if chosen is not None:
                break
        if chosen is not None and self.run_command(*chosen):
            self.publish(self.state_topic, self.state_payload(), retain=True)

    def goodbye(self) -> tuple[str, bytes] | None:
        return (self.availability_topic, b"offline")


def _parse_ha(text: str, spec: PropertySpec) -> Any:
    """A command payload as a value of ``spec`` (HA sends numbers and options as text)."""
    if spec.type == "boolean":
        return text.strip().lower() in ("true", "on", "1")
    if spec.type == "integer" and not spec.enum:
        return int(float(text))
    if spec.type == "number":
        return float(text)
    if spec.enum and all(isinstance(v, int) for v in spec.enum):
        return int(text)
    return text


# ---------------------------------------------------------------------------------------
# Homie 5
# ---------------------------------------------------------------------------------------

_HOMIE_FLOAT_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE]-?\d+)?$")


def bad_homie_id(profile_product: str, serial: str) -> str:
    """The device ID of ``homie-bad-id``: uppercase letters and an underscore."""
    return f"{profile_product}_{serial.upper()}"


class HomieSimDevice(_EcoDevice):
    """A Homie 5 device (see the module docstring)."""

    ecosystem = "homie"

    def __init__(self, profile: Profile, *, device_id: str, name: str, broker_url: str,
                 interval: float, rng: random.Random, faults: Sequence[EcoFault] = (),
                 settings: MqttSettings | None = None, phase: float = 0.0,
                 serial: str = "") -> None:
        super().__init__(profile, device_id=device_id, name=name, broker_url=broker_url,
                         interval=interval, rng=rng, faults=faults, settings=settings,
                         phase=phase, serial=serial)
        self.root = f"{HOMIE_ROOT}/{device_id}"
        self.layout = homie_layout(profile)
        self.by_topic = {f"{self.root}/{p.node}/{p.id}": p for p in self.layout}
        self.by_name = {p.name: p for p in self.layout if p.source == "property"}
        self.description = export_homie(profile, device_id=device_id, name=name)
        self.details: dict[str, dict[str, Any]] = {}
        if "homie-no-version" in self.fault_names:
            del self.description["version"]
            self.details["homie-no-version"] = {"topic": f"{self.root}/$description"}
        if "homie-bad-id" in self.fault_names:
            self.details["homie-bad-id"] = {"device_id": device_id}
        if "homie-never-ready" in self.fault_names:
            self.details["homie-never-ready"] = {"topic": f"{self.root}/$state",
                                                 "value": "init"}
        self.pinned: dict[str, str] = {}  # property name -> the payload a fault pins
        for fault, prop in homie_targets(profile, self.layout, self.fault_names).items():
            spec = profile.properties[prop.name]
            if fault == "homie-out-of-range":
                payload = homie_value(prop.datatype, out_of_range_value(spec))
            else:
                payload = HOMIE_WRONG_BOOLEAN if prop.datatype == "boolean" \
                    else HOMIE_WRONG_NUMBER
            self.pinned[prop.name] = payload
            self.details[fault] = {"topic": f"{self.root}/{prop.node}/{prop.id}",
                                   "value": payload, "format": prop.description.get("format")}

    @property
    def manifest_id(self) -> str:
        return f"homie:homie/{self.device_id}"

    def _will(self) -> Will:
        return Will(f"{self.root}/$state", b"lost", qos=1, retain=True)

    def _subscriptions(self) -> list[str]:
        return [f"{self.root}/+/+/set"]

    def _value_payload(self, p: HomieProperty) -> str:
        pinned = self.pinned.get(p.name)
        if pinned is not None:
            return pinned
        return homie_value(p.datatype, self.values[p.name])

    def _publish_value(self, p: HomieProperty) -> None:
        if p.name in self.values:
            self.publish(f"{self.root}/{p.node}/{p.id}", self._value_payload(p),
                         retain=bool(p.description.get("retained", True)))

    def announce(self) -> None:
        self.publish(f"{self.root}/$state", "init", retain=True)
        self.publish(f"{self.root}/$description",
                     json.dumps(self.description, ensure_ascii=False), retain=True)
        for p in self.by_name.values():
            self._publish_value(p)
        if "homie-never-ready" not in self.fault_names:
            self.publish(f"{self.root}/$state", "ready", retain=True)

    def tick(self, changed: set[str]) -> None:
        for name, p in self.by_name.items():
            if name in changed or name in self.pinned:
                self._publish_value(p)

    def emit_event(self, name: str, data: dict[str, Any]) -> None:
        for p in self.layout:
            if p.source == "event" and p.name == name:
                self.publish(f"{self.root}/{p.node}/{p.id}", homie_value("json", data),
                             retain=False, qos=0)

    def handle(self, message: Message) -> None:
        p = self.by_topic.get(message.topic.removesuffix("/set"))
        if p is None or not p.description.get("settable"):
            return
        text = message.payload.decode("utf-8")
        changed: set[str] = set()
        if p.source == "command":
            if text == "true":
                changed = self.run_command(p.name, {})
        elif p.toggle is not None:
            if text in ("true", "false"):
                changed = self.run_command(p.toggle[0] if text == "true" else p.toggle[1], {})
        elif p.setter is not None:
            value = _parse_homie(text, p.datatype, self.profile.properties[p.name])
            if value is not None:
                changed = self.run_command(p.setter[0], {p.setter[1]: value})
        for name in changed:
            if name in self.by_name:
                self._publish_value(self.by_name[name])

    def goodbye(self) -> tuple[str, bytes] | None:
        return (f"{self.root}/$state", b"disconnected")


def _parse_homie(text: str, datatype: str, spec: PropertySpec) -> Any:
    """A ``/set`` payload as a value of ``spec``; ``None`` when it is not of ``datatype``."""
    if datatype == "boolean":
        return {"true": True, "false": False}.get(text)
    if datatype == "integer":
        return int(text) if re.fullmatch(r"-?\d+", text) else None
    if datatype == "float":
        return float(text) if _HOMIE_FLOAT_RE.match(text) else None
    if datatype == "enum":
        for value in spec.enum or ():
            if str(value) == text:
                return value
        return None
    if datatype == "string":
        return "" if text == "\x00" else text
    return None


__all__ = ["HA_BASE", "HOMIE_ROOT", "HaSimDevice", "HomieSimDevice", "bad_homie_id",
           "eco_applies", "ha_applies", "homie_applies", "homie_targets",
           "numeric_sensor_target", "unit_class_target"]
