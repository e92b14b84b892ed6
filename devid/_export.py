"""Export a devid profile to other ecosystems: Home Assistant MQTT discovery, Homie 5. Pure.

One profile describes a device class in all three ecosystems: devid/1 (the profile
itself), Home Assistant (HA) MQTT discovery configs and a Homie 5 ``$description``.
The simulator runs its HA and Homie devices from these exports, so what a validator
sees is what ``devid profile export`` prints.

Home Assistant (``ha_entities`` / ``export_ha``): one discovery config per entity,
published at ``<prefix>/<component>/<node_id>/<object_id>/config``. A device
publishes one JSON ``state`` message with every property; each entity reads its
property with ``value_template: "{{ value_json.<prop> }}"`` (booleans render as
``True`` / ``False``, so the configs' on/off payloads are those strings). Which
component an entity becomes is data (the tables below):

- a boolean property that one command sets true and another false (a *toggle*):
  ``lock`` (``locked``), ``siren`` (``active``), ``light`` (``on`` of a light),
  else ``switch``; a light's brightness and colour temperature commands join its
  ``light`` entity;
- an enumeration whose values are HA alarm states, with arm/disarm commands:
  ``alarm_control_panel``;
- a property a command sets from one argument: ``number``, ``select``, ``switch``
  or ``text`` by type;
- any other property: ``binary_sensor`` (boolean, device class by name), ``sensor``
  (numbers: unit and device class from the UCUM unit; enumerations: device class
  ``enum`` with ``options``; strings);
- the profile's events: one ``event`` entity with ``event_types``;
- a command with no required argument that no entity above uses: ``button``;
- a camera profile: a ``camera`` entity (its image topic stays silent: devid
  cameras never publish images).

Sensitive values, bytes, objects and arrays are not exported to HA; commands with
required arguments that no entity can supply (a door code) are left out.

Homie 5 (``homie_layout`` / ``export_homie``): node ``<profile name>`` holds the
state properties (settable where a command sets them), node ``events`` one
non-retained ``json`` property per event, node ``actions`` one non-retained,
settable ``boolean`` per remaining command without required arguments.

This module is pure: no MQTT, no sockets, no asyncio.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from devid._profiles import ARG_REF_PREFIX, CommandSpec, Profile, PropertySpec

ORIGIN_NAME = "devid-simulator"
HA_PREFIX = "homeassistant"
HOMIE_VERSION = "5.0"
PAYLOAD_TRUE = "True"  # how "{{ value_json.x }}" renders a JSON true
PAYLOAD_FALSE = "False"
PAYLOAD_ONLINE = "online"
PAYLOAD_OFFLINE = "offline"
PAYLOAD_PRESS = "PRESS"

_M = MappingProxyType

# ---------------------------------------------------------------------------------------
# the mapping tables (data)
# ---------------------------------------------------------------------------------------

#: UCUM unit -> (HA unit_of_measurement, HA sensor device_class). ``None`` for the class
#: means "none from the unit alone" (see ``HA_NAME_CLASSES``); ``None`` for the unit
#: means a dimensionless number. Units and classes follow HA's sensor device-class table.
HA_UNITS: Mapping[str, tuple[str | None, str | None]] = _M({
    "Cel": ("°C", "temperature"), "[degF]": ("°F", "temperature"), "K": ("K", "temperature"),
    "%": ("%", None),
    "W": ("W", "power"), "kW": ("kW", "power"), "mW": ("mW", "power"),
    "W.h": ("Wh", "energy"), "kW.h": ("kWh", "energy"),
    "V": ("V", "voltage"), "mV": ("mV", "voltage"),
    "A": ("A", "current"), "mA": ("mA", "current"),
    "Hz": ("Hz", "frequency"), "VA": ("VA", "apparent_power"), "var": ("var", "reactive_power"),
    "lx": ("lx", "illuminance"),
    "[ppm]": ("ppm", None), "[ppb]": ("ppb", None),
    "ug/m3": ("µg/m³", None), "mg/m3": ("mg/m³", None), "g/m3": ("g/m³", None),
    "Pa": ("Pa", "pressure"), "hPa": ("hPa", "pressure"), "kPa": ("kPa", "pressure"),
    "bar": ("bar", "pressure"),
    "s": ("s", "duration"), "ms": ("ms", "duration"), "min": ("min", "duration"),
    "h": ("h", "duration"), "d": ("d", "duration"),
    "dB": ("dB", None), "dB[SPL]": ("dB", "sound_pressure"),
    "dB[mW]": ("dBm", "signal_strength"),
    "m": ("m", "distance"), "cm": ("cm", "distance"), "mm": ("mm", "distance"),
    "km": ("km", "distance"),
    "m/s": ("m/s", "speed"), "km/h": ("km/h", "speed"),
    "L": ("L", "volume"), "mL": ("mL", "volume"), "m3": ("m³", "volume"),
    "L/min": ("L/min", "volume_flow_rate"), "m3/h": ("m³/h", "volume_flow_rate"),
    "g": ("g", "weight"), "kg": ("kg", "weight"),
    "By": ("B", "data_size"), "kBy": ("kB", "data_size"), "MBy": ("MB", "data_size"),
    "bit/s": ("bit/s", "data_rate"), "kbit/s": ("kbit/s", "data_rate"),
    "Mbit/s": ("Mbit/s", "data_rate"),
    "mm/h": ("mm/h", "precipitation_intensity"),
    "deg": ("°", None), "rad": ("rad", None), "lm": ("lm", None), "cd": ("cd", None),
    "/s": ("/s", None), "/min": ("/min", None),
    "1": (None, None), "{count}": (None, None),
})

#: (UCUM unit, property name) -> sensor device_class, where the unit alone does not say.
HA_NAME_CLASSES: Mapping[tuple[str, str], str] = _M({
    ("%", "battery"): "battery", ("%", "humidity"): "humidity",
    ("%", "relative_humidity"): "humidity", ("%", "moisture"): "moisture",
    ("[ppm]", "co2"): "carbon_dioxide", ("[ppm]", "co_concentration"): "carbon_monoxide",
    ("[ppm]", "co"): "carbon_monoxide",
})

#: Name suffixes of properties that are differences or uncertainties, not readings:
#: they keep their unit but get no device class (HA would convert them as readings).
HA_NO_CLASS_SUFFIXES: tuple[str, ...] = ("_uncertainty", "_tolerance", "_delta")

#: Boolean property name -> binary_sensor device_class.
HA_BINARY_CLASSES: Mapping[str, str] = _M({
    "motion": "motion", "occupancy": "occupancy", "presence": "presence",
    "open": "opening", "door_open": "door", "window_open": "window", "door": "door",
    "tamper": "tamper", "leak": "moisture", "water_leak": "moisture", "smoke": "smoke",
    "mains": "power", "power": "power", "hardware_fault": "problem",
    "end_of_service": "problem", "fault": "problem", "test_in_progress": "running",
    "battery_low": "battery", "vibration": "vibration", "sound": "sound",
})

#: Properties HA shows as diagnostics (entity_category).
HA_DIAGNOSTIC: frozenset[str] = frozenset({"rssi", "uptime"})

#: Toggle property name -> component (a boolean set true/false by two commands).
HA_TOGGLE_COMPONENTS: Mapping[str, str] = _M({
    "locked": "lock", "door_locked": "lock", "active": "siren",
})
#: (profile family, toggle property) -> component, before ``HA_TOGGLE_COMPONENTS``.
#: The family is a profile name in the profile's lineage (``light`` for ``acme-light/1``).
HA_FAMILY_TOGGLES: Mapping[tuple[str, str], str] = _M({("light", "on"): "light"})
#: Profile family -> extra entities of the device as a whole.
HA_FAMILY_EXTRAS: Mapping[str, tuple[str, ...]] = _M({"ip-camera": ("camera",)})
#: Component -> entity name when an entity stands for the device's main function.
HA_COMPONENT_NAMES: Mapping[str, str] = _M({
    "lock": "Lock", "light": "Light", "siren": "Siren", "alarm_control_panel": "Alarm",
    "camera": "Camera", "event": "Event",
})
#: Property name -> entity name (else the name, humanized).
HA_PROPERTY_NAMES: Mapping[str, str] = _M({
    "on": "Power", "rssi": "Signal strength", "co": "CO", "co_concentration": "CO concentration",
    "co2": "CO2"})

#: HA alarm_control_panel states, and the command payloads that reach them.
HA_ALARM_STATES: frozenset[str] = frozenset({
    "disarmed", "armed_home", "armed_away", "armed_night", "armed_vacation",
    "armed_custom_bypass", "pending", "arming", "disarming", "triggered"})
HA_ALARM_PAYLOADS: Mapping[str, str] = _M({
    "armed_away": "ARM_AWAY", "armed_home": "ARM_HOME", "armed_night": "ARM_NIGHT",
    "armed_vacation": "ARM_VACATION", "armed_custom_bypass": "ARM_CUSTOM_BYPASS",
    "disarmed": "DISARM"})

#: UCUM unit -> Homie 5 unit (the convention's recommended strings); else the UCUM code.
HOMIE_UNITS: Mapping[str, str] = _M({
    "Cel": "°C", "[degF]": "°F", "deg": "°", "L": "L", "V": "V", "W": "W", "kW": "kW",
    "kW.h": "kWh", "A": "A", "Hz": "Hz", "%": "%", "m": "m", "m3": "m³", "m/s": "m/s",
    "Pa": "Pa", "[ppm]": "ppm", "s": "s", "min": "min", "h": "h", "lx": "lx", "K": "K",
    "{count}": "#", "dB[mW]": "dBm", "W.h": "Wh", "[ppb]": "ppb", "ug/m3": "µg/m³",
    "hPa": "hPa", "kPa": "kPa", "mV": "mV", "mA": "mA",
})
#: devid property type -> Homie 5 datatype (enum-valued strings/integers become enum).
HOMIE_DATATYPES: Mapping[str, str] = _M({
    "boolean": "boolean", "integer": "integer", "number": "float", "string": "string",
    "enum": "enum", "object": "json", "array": "json",
})

_HA_ID_RE = re.compile(r"[^a-zA-Z0-9_-]")
_HOMIE_ID_RE = re.compile(r"[^a-z0-9-]+")


# ---------------------------------------------------------------------------------------
# Home Assistant
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HaCommand:
    """How a payload on an entity's command topic becomes a devid command.

    ``payload``: the payload that selects this command (``None``: any payload).
    ``arg``: the payload is the value of this argument. ``json``: the payload is a
    JSON object whose ``action`` selects the command (``payload``) and whose other
    keys are arguments. ``args``: fixed arguments.
    """

    topic: str
    command: str
    payload: str | None = None
    arg: str | None = None
    json: bool = False
    args: Mapping[str, Any] = field(default_factory=lambda: _M({}))


@dataclass(frozen=True, slots=True)
class HaEntity:
    """One HA entity of an exported device: its discovery topic and config."""

    component: str
    object_id: str
    topic: str
    config: dict[str, Any]
    properties: tuple[str, ...] = ()
    """The state properties the entity shows (first: the one its value_template reads)."""
    commands: tuple[HaCommand, ...] = ()


@dataclass(frozen=True, slots=True)
class _Toggle:
    prop: str
    on: str
    off: str


def ha_id(text: str) -> str:
    """``text`` as an HA node_id / object_id (``[a-zA-Z0-9_-]+``)."""
    return _HA_ID_RE.sub("_", text) or "_"


def _humanize(name: str) -> str:
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def profile_family(profile: Profile, table: Mapping[Any, Any]) -> str | None:
    """The first profile name of ``profile``'s lineage that ``table`` knows (a key or the
    first item of a tuple key)."""
    keys = {k[0] if isinstance(k, tuple) else k for k in table}
    for pid in profile.lineage:
        name = pid.partition("/")[0]
        if name in keys:
            return name
    return None


def _exportable(spec: PropertySpec) -> bool:
    return spec.data_class != "sensitive" and spec.type not in ("bytes", "object", "array")


def _numeric(spec: PropertySpec) -> bool:
    return spec.type in ("integer", "number") and not spec.enum


def _required_args(command: CommandSpec) -> list[str]:
    return [a for a, s in command.args.items() if s.required]


def _fillable(command: CommandSpec) -> bool:
    """Whether every required argument has a default a simulator can fill (an enum)."""
    return all(command.args[a].enum for a in _required_args(command))


def toggles(profile: Profile) -> list[_Toggle]:
    """Boolean properties one command sets true and another false (no other required
    arguments than enumerations, whose first value a simulator can fill in)."""
    out: list[_Toggle] = []
    for prop, spec in profile.properties.items():
        if spec.type != "boolean" or not _exportable(spec):
            continue
        on = off = None
        for name, cmd in profile.commands.items():
            value = cmd.sets.get(prop)
            if value is True and on is None and _fillable(cmd):
                on = name
            elif value is False and off is None and _fillable(cmd):
                off = name
        if on is not None and off is not None:
            out.append(_Toggle(prop, on, off))
    return out


def value_setters(profile: Profile) -> dict[str, tuple[str, str]]:
    """property -> (command, argument): commands that set one property from one argument
    (the argument required or the only one, any other arguments optional)."""
    out: dict[str, tuple[str, str]] = {}
    for name, cmd in profile.commands.items():
        if len(cmd.sets) != 1:
            continue
        [(prop, value)] = cmd.sets.items()
        if not (isinstance(value, str) and value.startswith(ARG_REF_PREFIX)):
            continue
        arg = value[len(ARG_REF_PREFIX):]
        others = [a for a in _required_args(cmd) if a != arg]
        if arg in cmd.args and not others and prop in profile.properties and \
                prop not in out and cmd.args[arg].data_class != "sensitive":
            out[prop] = (name, arg)
    return out


def ha_unit_class(name: str, spec: PropertySpec) -> tuple[str | None, str | None]:
    """(unit_of_measurement, device_class) of a numeric property, from the tables."""
    if spec.unit is None:
        return None, None
    unit, device_class = HA_UNITS.get(spec.unit, (spec.unit, None))
    device_class = HA_NAME_CLASSES.get((spec.unit, name), device_class)
    if name.endswith(HA_NO_CLASS_SUFFIXES):
        device_class = None
    return unit, device_class


def _fmt_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _enum_options(spec: PropertySpec) -> list[str]:
    return [str(v) for v in spec.enum or ()]


class _HaBuilder:
    def __init__(self, profile: Profile, *, device_id: str, name: str, prefix: str,
                 base_topic: str, device: dict[str, Any], origin: dict[str, Any]) -> None:
        self.profile = profile
        self.node_id = ha_id(device_id)
        self.device_id = device_id
        self.prefix = prefix
        self.base = base_topic.rstrip("/")
        self.device = device
        self.origin = origin
        self.name = name
        self.state_topic = f"{self.base}/state"
        self.availability_topic = f"{self.base}/availability"
        self.event_topic = f"{self.base}/event"
        self.entities: list[HaEntity] = []
        self.used_ids: set[str] = set()

    def set_topic(self, key: str) -> str:
        return f"{self.base}/{ha_id(key)}/set"

    def add(self, component: str, key: str, entity_name: str | None, extra: dict[str, Any],
            *, properties: Sequence[str] = (), commands: Sequence[HaCommand] = (),
            stateful: bool = True) -> None:
        object_id = ha_id(key)
        while object_id in self.used_ids:
            object_id += "_"
        self.used_ids.add(object_id)
        config: dict[str, Any] = {
            "name": entity_name,
            "unique_id": f"{self.node_id}_{object_id}",
            "device": dict(self.device),
            "origin": dict(self.origin),
            "availability_topic": self.availability_topic,
            "payload_available": PAYLOAD_ONLINE,
            "payload_not_available": PAYLOAD_OFFLINE,
            "qos": 1,
        }
        if stateful and properties:
            config["state_topic"] = self.state_topic
            config["value_template"] = "{{ value_json.%s }}" % properties[0]  # noqa: UP031
        if properties and properties[0] in HA_DIAGNOSTIC:
            config["entity_category"] = "diagnostic"
        config.update(extra)
        topic = f"{self.prefix}/{component}/{self.node_id}/{object_id}/config"
        self.entities.append(HaEntity(component, object_id, topic, config, tuple(properties),
                                      tuple(commands)))

    # -- entity kinds ------------------------------------------------------------------

    def toggle(self, t: _Toggle, component: str, consumed: set[str],
               used_cmds: set[str], setters: Mapping[str, tuple[str, str]]) -> None:
        topic = self.set_topic(t.prop)
        name = HA_COMPONENT_NAMES.get(component) or HA_PROPERTY_NAMES.get(t.prop) or \
            _humanize(t.prop)
        commands = [HaCommand(topic, t.on, payload=PAYLOAD_TRUE),
                    HaCommand(topic, t.off, payload=PAYLOAD_FALSE)]
        extra: dict[str, Any] = {"command_topic": topic}
        props = [t.prop]
        if component == "lock":
            extra.update(payload_lock=PAYLOAD_TRUE, payload_unlock=PAYLOAD_FALSE,
                         state_locked=PAYLOAD_TRUE, state_unlocked=PAYLOAD_FALSE)
        elif component == "siren":
            on_cmd = self.profile.commands[t.on]
            tones = [a for a, s in on_cmd.args.items() if s.enum and a in ("tone", "sound")]
            durations = [a for a, s in on_cmd.args.items()
                         if a == "duration" and s.type in ("integer", "number")]
            template = '{"action": "{{ value }}"'
            if tones:
                extra["available_tones"] = _enum_options(on_cmd.args[tones[0]])
                template += '{%% if tone is defined %%}, "%s": "{{ tone }}"{%% endif %%}' \
                    % tones[0]  # noqa: UP031
            extra["support_duration"] = bool(durations)
            if durations:
                template += '{%% if duration is defined %%}, "%s": {{ duration }}' \
                            '{%% endif %%}' % durations[0]  # noqa: UP031
            extra.update(command_template=template + "}", support_volume_set=False,
                         payload_on=PAYLOAD_TRUE, payload_off=PAYLOAD_FALSE,
                         state_on=PAYLOAD_TRUE, state_off=PAYLOAD_FALSE)
            commands = [HaCommand(topic, t.on, payload=PAYLOAD_TRUE, json=True),
                        HaCommand(topic, t.off, payload=PAYLOAD_FALSE, json=True)]
        elif component == "light":
            extra.update(payload_on=PAYLOAD_TRUE, payload_off=PAYLOAD_FALSE,
                         state_value_template=f"{{{{ value_json.{t.prop} }}}}")
            for prop, (cmd, arg) in setters.items():
                spec = self.profile.properties[prop]
                if not _numeric(spec) or prop in consumed:
                    continue
                if prop == "brightness" or (spec.unit == "%" and "bright" in prop):
                    sub = self.set_topic(prop)
                    extra.update(brightness_state_topic=self.state_topic,
                                 brightness_value_template=f"{{{{ value_json.{prop} }}}}",
                                 brightness_command_topic=sub,
                                 brightness_scale=int(spec.maximum or 100))
                elif spec.unit == "K" and "color" in prop:
                    sub = self.set_topic(prop)
                    extra.update(color_temp_kelvin=True, color_temp_state_topic=self.state_topic,
                                 color_temp_value_template=f"{{{{ value_json.{prop} }}}}",
                                 color_temp_command_topic=sub)
                    if spec.minimum is not None:
                        extra["min_kelvin"] = int(spec.minimum)
                    if spec.maximum is not None:
                        extra["max_kelvin"] = int(spec.maximum)
                else:
                    continue
                commands.append(HaCommand(sub, cmd, arg=arg))
                consumed.add(prop)
                used_cmds.add(cmd)
                props.append(prop)
        else:  # switch
            extra.update(payload_on=PAYLOAD_TRUE, payload_off=PAYLOAD_FALSE,
                         state_on=PAYLOAD_TRUE, state_off=PAYLOAD_FALSE)
        self.add(component, t.prop, name, extra, properties=props, commands=commands)
        if component == "light":  # the default schema reads state_value_template
            self.entities[-1].config.pop("value_template", None)
        consumed.add(t.prop)
        used_cmds.update((t.on, t.off))

    def alarm(self, prop: str, spec: PropertySpec, used_cmds: set[str]) -> bool:
        states = {str(v): str(v).replace("-", "_") for v in spec.enum or ()}
        if "disarmed" not in states.values() or not set(states.values()) <= HA_ALARM_STATES:
            return False
        topic = self.set_topic(prop)
        commands: list[HaCommand] = []
        features: list[str] = []
        code_cmds: list[tuple[CommandSpec, bool]] = []  # (command, is it the disarm)
        for name, cmd in self.profile.commands.items():
            target = cmd.sets.get(prop)
            before = len(commands)
            if isinstance(target, str) and target.startswith(ARG_REF_PREFIX):
                arg = target[len(ARG_REF_PREFIX):]
                for value in (cmd.args[arg].enum or ()) if arg in cmd.args else ():
                    payload = HA_ALARM_PAYLOADS.get(str(value).replace("-", "_"))
                    if payload is not None and payload != "DISARM":
                        commands.append(HaCommand(topic, name, payload=payload, json=True,
                                                  args=_M({arg: value})))
                        features.append(payload.lower())
            elif isinstance(target, str) and HA_ALARM_PAYLOADS.get(
                    target.replace("-", "_")) == "DISARM":
                commands.append(HaCommand(topic, name, payload="DISARM", json=True))
            if len(commands) == before:
                continue
            used_cmds.add(name)
            code_cmds.append((cmd, commands[-1].payload == "DISARM"))
        if not commands:
            return False
        extra: dict[str, Any] = {
            "command_topic": topic,
            "command_template": '{"action": "{{ action }}", "code": "{{ code }}"}',
            "supported_features": features,
            "value_template": "{{ value_json.%s | replace('-', '_') }}" % prop,  # noqa: UP031
        }
        if any("code" in c.args for c, _ in code_cmds):
            extra.update(code="REMOTE_CODE",
                         code_arm_required=any(c.args["code"].required for c, disarm
                                               in code_cmds if "code" in c.args and not disarm),
                         code_disarm_required=any(c.args["code"].required for c, disarm
                                                  in code_cmds if "code" in c.args and disarm))
        self.add("alarm_control_panel", prop, HA_COMPONENT_NAMES["alarm_control_panel"],
                 extra, properties=[prop], commands=commands)
        return True

    def settable(self, prop: str, spec: PropertySpec, cmd: str, arg: str) -> None:
        topic = self.set_topic(prop)
        name = HA_PROPERTY_NAMES.get(prop) or _humanize(prop)
        extra: dict[str, Any] = {"command_topic": topic}
        arg_spec = self.profile.commands[cmd].args[arg]
        if spec.type == "boolean":
            component = "switch"
            extra.update(payload_on=PAYLOAD_TRUE, payload_off=PAYLOAD_FALSE,
                         state_on=PAYLOAD_TRUE, state_off=PAYLOAD_FALSE)
        elif spec.enum or spec.type == "enum":
            component = "select"
            options = [o for o in _enum_options(spec) if o in _enum_options(arg_spec)] \
                if arg_spec.enum else _enum_options(spec)
            extra["options"] = options
        elif _numeric(spec):
            component = "number"
            lo = arg_spec.minimum if arg_spec.minimum is not None else spec.minimum
            hi = arg_spec.maximum if arg_spec.maximum is not None else spec.maximum
            if lo is not None:
                extra["min"] = _fmt_number(lo)
            if hi is not None:
                extra["max"] = _fmt_number(hi)
            extra["step"] = 1 if spec.type == "integer" else 0.5
            extra["mode"] = "box"
            unit, device_class = ha_unit_class(prop, spec)
            if unit is not None:
                extra["unit_of_measurement"] = unit
            if device_class is not None:
                extra["device_class"] = device_class
        else:
            component = "text"
            if spec.max_length is not None:
                extra["max"] = min(spec.max_length, 255)
        self.add(component, prop, name, extra, properties=[prop],
                 commands=[HaCommand(topic, cmd, arg=arg)])

    def sensor(self, prop: str, spec: PropertySpec) -> None:
        name = HA_PROPERTY_NAMES.get(prop) or _humanize(prop)
        extra: dict[str, Any] = {}
        if spec.type == "boolean":
            extra.update(payload_on=PAYLOAD_TRUE, payload_off=PAYLOAD_FALSE)
            device_class = HA_BINARY_CLASSES.get(prop)
            if device_class is not None:
                extra["device_class"] = device_class
            self.add("binary_sensor", prop, name, extra, properties=[prop])
            return
        if spec.enum or spec.type == "enum":
            extra.update(device_class="enum", options=_enum_options(spec))
        elif _numeric(spec):
            unit, device_class = ha_unit_class(prop, spec)
            if unit is not None:
                extra["unit_of_measurement"] = unit
            if device_class is not None:
                extra["device_class"] = device_class
            extra["state_class"] = "total_increasing" if device_class == "energy" \
                else "measurement"
            if spec.type == "number":
                extra["suggested_display_precision"] = 1
        self.add("sensor", prop, name, extra, properties=[prop])

    def build(self) -> list[HaEntity]:
        profile = self.profile
        consumed: set[str] = set()
        used_cmds: set[str] = set()
        setters = value_setters(profile)
        family = profile_family(profile, HA_FAMILY_TOGGLES)
        for t in toggles(profile):
            component = HA_FAMILY_TOGGLES.get((family or "", t.prop)) or \
                HA_TOGGLE_COMPONENTS.get(t.prop, "switch")
            self.toggle(t, component, consumed, used_cmds, setters)
        for prop, spec in profile.properties.items():
            if prop in consumed or not _exportable(spec):
                continue
            if (spec.type == "enum" or spec.enum) and self.alarm(prop, spec, used_cmds):
                consumed.add(prop)
        for prop, (cmd, arg) in setters.items():
            spec = profile.properties[prop]
            if prop in consumed or not _exportable(spec) or cmd in used_cmds:
                continue
            self.settable(prop, spec, cmd, arg)
            consumed.add(prop)
            used_cmds.add(cmd)
        for prop, spec in profile.properties.items():
            if prop not in consumed and _exportable(spec):
                self.sensor(prop, spec)
        extras = HA_FAMILY_EXTRAS.get(profile_family(profile, HA_FAMILY_EXTRAS) or "", ())
        if "camera" in extras:
            self.add("camera", "camera", HA_COMPONENT_NAMES["camera"],
                     {"topic": f"{self.base}/camera/image"}, stateful=False)
        if profile.events:
            self.add("event", "event", HA_COMPONENT_NAMES["event"],
                     {"state_topic": self.event_topic, "event_types": list(profile.events)},
                     stateful=False)
        for name, command in profile.commands.items():
            if name in used_cmds or _required_args(command):
                continue
            topic = self.set_topic(name)
            self.add("button", name, _humanize(name),
                     {"command_topic": topic, "payload_press": PAYLOAD_PRESS},
                     commands=[HaCommand(topic, name, payload=PAYLOAD_PRESS)], stateful=False)
        return self.entities


def _origin_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("devid")
    except metadata.PackageNotFoundError:
        return "0"


def ha_device_block(profile: Profile, *, device_id: str, name: str,
                    manufacturer: str = "devid", sw_version: str = "1.0.0",
                    serial_number: str | None = None) -> dict[str, Any]:
    """The ``device`` object every config of an exported device carries."""
    device: dict[str, Any] = {"identifiers": [device_id], "name": name,
                              "manufacturer": manufacturer, "model": profile.title,
                              "sw_version": sw_version}
    if serial_number is not None:
        device["serial_number"] = serial_number
    return device


def ha_entities(profile: Profile, *, device_id: str, name: str, prefix: str = HA_PREFIX,
                base_topic: str, manufacturer: str = "devid", sw_version: str = "1.0.0",
                serial_number: str | None = None) -> list[HaEntity]:
    """The HA entities of one device of ``profile`` (see the module docstring).

    ``device_id`` becomes the device's identifier and the discovery node_id (made
    ``[a-zA-Z0-9_-]``); ``base_topic`` is where the device publishes ``state``,
    ``availability`` and ``event`` and listens on ``<key>/set``.
    """
    device = ha_device_block(profile, device_id=device_id, name=name,
                             manufacturer=manufacturer, sw_version=sw_version,
                             serial_number=serial_number)
    origin = {"name": ORIGIN_NAME, "sw_version": _origin_version()}
    return _HaBuilder(profile, device_id=device_id, name=name, prefix=prefix.rstrip("/"),
                      base_topic=base_topic, device=device, origin=origin).build()


def export_ha(profile: Profile, *, device_id: str, name: str, prefix: str = HA_PREFIX,
              base_topic: str, manufacturer: str = "devid", sw_version: str = "1.0.0",
              serial_number: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """One HA discovery config per entity: ``[(topic, payload)]``."""
    return [(e.topic, e.config) for e in ha_entities(
        profile, device_id=device_id, name=name, prefix=prefix, base_topic=base_topic,
        manufacturer=manufacturer, sw_version=sw_version, serial_number=serial_number)]


# ---------------------------------------------------------------------------------------
# Homie 5
# ---------------------------------------------------------------------------------------

HomieSource = Literal["property", "event", "command"]


@dataclass(frozen=True, slots=True)
class HomieProperty:
    """One Homie property of an exported device and where it comes from.

    ``source`` ``property``: the devid state property ``name`` (settable through
    ``setter`` = (command, argument), or ``toggle`` = (on command, off command));
    ``event``: the event ``name`` (JSON data, not retained); ``command``: the command
    ``name`` (setting ``true`` runs it; not retained).
    """

    node: str
    id: str
    source: HomieSource
    name: str
    description: Mapping[str, Any]
    setter: tuple[str, str] | None = None
    toggle: tuple[str, str] | None = None

    @property
    def datatype(self) -> str:
        return str(self.description["datatype"])


def homie_id(text: str) -> str:
    """``text`` as a Homie topic ID: ``[a-z0-9-]``, not starting or ending with ``-``."""
    return _HOMIE_ID_RE.sub("-", text.lower()).strip("-") or "x"


def _num(value: float, integer: bool) -> str:
    if integer:
        return str(int(value))
    return str(_fmt_number(value))


def homie_format(spec: PropertySpec) -> str | None:
    """The Homie ``format`` of a property: ``min:max`` (numbers), the values (enums)."""
    if spec.enum:
        return ",".join(str(v).replace(",", ",,") for v in spec.enum)
    if _numeric(spec) and (spec.minimum is not None or spec.maximum is not None):
        integer = spec.type == "integer"
        lo = "" if spec.minimum is None else _num(spec.minimum, integer)
        hi = "" if spec.maximum is None else _num(spec.maximum, integer)
        return f"{lo}:{hi}"
    return None


def homie_property_description(spec: PropertySpec, *, name: str) -> dict[str, Any]:
    """The ``$description`` entry of one devid property (without ``settable``)."""
    datatype = "enum" if spec.enum else HOMIE_DATATYPES[spec.type]
    out: dict[str, Any] = {"name": name, "datatype": datatype}
    fmt = homie_format(spec)
    if fmt is not None:
        out["format"] = fmt
    if spec.unit is not None and spec.unit != "1":
        out["unit"] = HOMIE_UNITS.get(spec.unit, spec.unit)
    return out


def homie_layout(profile: Profile) -> list[HomieProperty]:
    """The Homie properties of a device of ``profile`` (see the module docstring)."""
    main = homie_id(profile.name)
    setters = value_setters(profile)
    pairs = {t.prop: (t.on, t.off) for t in toggles(profile)}
    used: set[str] = set()
    out: list[HomieProperty] = []
    ids: set[tuple[str, str]] = set()

    def unique(node: str, text: str) -> str:
        pid = homie_id(text)
        while (node, pid) in ids:
            pid += "-x"
        ids.add((node, pid))
        return pid

    for prop, spec in profile.properties.items():
        if spec.data_class == "sensitive" or spec.type == "bytes":
            continue
        desc = homie_property_description(spec, name=HA_PROPERTY_NAMES.get(prop)
                                          or _humanize(prop))
        setter = setters.get(prop)
        toggle = pairs.get(prop)
        if toggle is not None:
            desc["settable"] = True
            used.update(toggle)
        elif setter is not None:
            desc["settable"] = True
            used.add(setter[0])
        desc["retained"] = True
        out.append(HomieProperty(main, unique(main, prop), "property", prop, _M(desc),
                                 setter=setter, toggle=toggle))
    for event in profile.events:
        out.append(HomieProperty("events", unique("events", event), "event", event, _M({
            "name": _humanize(event), "datatype": "json", "retained": False})))
    for name, cmd in profile.commands.items():
        if name in used or _required_args(cmd):
            continue
        out.append(HomieProperty("actions", unique("actions", name), "command", name, _M({
            "name": _humanize(name), "datatype": "boolean", "settable": True,
            "retained": False})))
    return out


_NODE_NAMES = _M({"events": "Events", "actions": "Actions"})


def homie_description_version(description: Mapping[str, Any]) -> int:
    """A version for a description: CRC-32 of its canonical JSON (without ``version``).

    The same document always gets the same number; pass ``version=`` to
    :func:`export_homie` when a device must guarantee a higher number after a change.
    """
    body = {k: v for k, v in description.items() if k != "version"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return zlib.crc32(text.encode("utf-8")) or 1


def export_homie(profile: Profile, *, device_id: str, name: str,
                 version: int | None = None) -> dict[str, Any]:
    """A Homie 5 ``$description`` of one device of ``profile`` (``device_id`` is the
    device's topic ID; it is not part of the document)."""
    del device_id  # the description does not repeat the device's own ID
    nodes: dict[str, dict[str, Any]] = {}
    for p in homie_layout(profile):
        node = nodes.setdefault(p.node, {
            "name": _NODE_NAMES.get(p.node, profile.title), "properties": {}})
        node["properties"][p.id] = dict(p.description)
    description: dict[str, Any] = {"homie": HOMIE_VERSION, "version": 0, "name": name,
                                   "type": f"devid:{profile.id}", "nodes": nodes}
    description["version"] = version if version is not None else \
        homie_description_version(description)
    return description


def homie_value(spec_type: str, value: Any) -> str:
    """A value as a Homie 5 payload of ``datatype`` (booleans ``true``/``false``, numbers
    without ``+``, an empty string as the single byte 0, JSON for json)."""
    if spec_type == "json":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if spec_type == "float" and isinstance(value, int | float):
        return repr(float(value)).replace("e+", "e")
    if spec_type == "integer" and isinstance(value, int | float):
        return str(int(value))
    text = str(value)
    return text if text else "\x00"


__all__ = [
    "HA_ALARM_PAYLOADS",
    "HA_BINARY_CLASSES",
    "HA_NAME_CLASSES",
    "HA_PREFIX",
    "HA_UNITS",
    "HOMIE_DATATYPES",
    "HOMIE_UNITS",
    "HOMIE_VERSION",
    "ORIGIN_NAME",
    "HaCommand",
    "HaEntity",
    "HomieProperty",
    "export_ha",
    "export_homie",
    "ha_device_block",
    "ha_entities",
    "ha_id",
    "ha_unit_class",
    "homie_description_version",
    "homie_format",
    "homie_id",
    "homie_layout",
    "homie_value",
    "toggles",
    "value_setters",
]
