"""Finding codes of Home Assistant MQTT discovery (HA-*; docs/ha.md).

Severity follows what Home Assistant itself does with the message, in the release
the rules follow (``devid.ecosystems._ha_tables.HA_RULES_VERSION``):

- error: HA drops the config (no entity is created, or the later one is ignored);
- warning: HA logs it, raises a repair issue or a deprecation, ignores the message, or
  accepts a config whose entity cannot work as announced (it never gets a state);
- info: hygiene HA does not act on.

Spec references name HA's source (``discovery.py``, ``schemas.py``, platform modules)
and the issue threads in ``../shared/vectors/ecosystems/ha_mqtt_rules.md``.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    # -- the discovery topic -------------------------------------------------------------
    CodeSpec("HA-TOPIC-ILLEGAL", S.WARNING, "A topic under the discovery prefix ends in config but does not match <prefix>/<component>/[<node_id>/]<object_id>/config with ids of [a-zA-Z0-9_-]; HA logs it and ignores the message.", "HA mqtt discovery.py TOPIC_MATCHER; core test_discovery.py (rörkrökare); mitsubishi2MQTT#256, zigbee2mqtt#29857; docs/ha.md"),
    CodeSpec("HA-TOPIC-COMPONENT", S.WARNING, "The discovery topic names a component HA does not support; HA never subscribes to it, so the config is ignored.", "HA mqtt const.py SUPPORTED_COMPONENTS; discovery.py subscriptions; docs/ha.md"),
    # -- the payload ---------------------------------------------------------------------
    CodeSpec("HA-PAYLOAD-LIMIT", S.WARNING, "The payload is larger (64 KiB) or nested deeper (32 levels) than devid judges; it was not checked further.", "docs/ha.md (devid's bounds)"),
    CodeSpec("HA-PAYLOAD-ENCODING", S.ERROR, "The discovery payload is not valid UTF-8; HA cannot decode it and drops it.", "HA mqtt client.py payload decoding; docs/ha.md"),
    CodeSpec("HA-JSON-INVALID", S.ERROR, "The discovery payload is not a JSON object; HA logs 'Unable to parse JSON' and drops it.", "HA mqtt discovery.py json_loads_object; OpenMQTTGateway#1900, tiltbridge#194; docs/ha.md"),
    CodeSpec("HA-CONFIG-NOT-RETAINED", S.INFO, "The discovery config was not published retained; HA only rediscovers it after a restart if the device republishes on HA's birth message.", "HA MQTT discovery documentation (retained configs, birth message); docs/ha.md"),
    # -- origin and device ---------------------------------------------------------------
    CodeSpec("HA-ORIGIN-INVALID", S.ERROR, "The origin block is not an object with a string name (and optional sw_version, support_url); HA drops the whole config.", "HA mqtt schemas.py MQTT_ORIGIN_INFO_SCHEMA; discovery.py _valid_origin_info; docs/ha.md"),
    CodeSpec("HA-DEVICE-INVALID", S.ERROR, "The device block is not an object, or one of its values has the wrong type (identifiers, connections pairs, strings, configuration_url); HA drops the config.", "HA mqtt schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA; docs/ha.md"),
    CodeSpec("HA-DEVICE-KEY-UNKNOWN", S.ERROR, "The device block has a key its closed schema does not allow; HA drops the config ('extra keys not allowed').", "HA mqtt schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA; docker-wyze-bridge#38, node-red-contrib-ha-mqtt#41"),
    CodeSpec("HA-DEVICE-NO-ID", S.ERROR, "The device block has neither a non-empty identifiers nor a non-empty connections; HA drops the config.", "HA mqtt schemas.py validate_device_has_at_least_one_identifier; OpenMQTTGateway#409, home-assistant.io#30919"),
    CodeSpec("HA-DEVICE-VIA-HUB", S.WARNING, "The device uses the deprecated via_hub key instead of via_device; HA logs a deprecation.", "HA mqtt schemas.py cv.deprecated(via_hub, via_device)"),
    CodeSpec("HA-CONNECTION-MAC", S.INFO, "A 'mac' connection does not hold a MAC address; HA keeps it as given, so the device cannot merge with the same device seen by another integration.", "HA device_registry format_mac; OpenMQTTGateway#1900; docs/ha.md"),
    # -- device-based discovery ----------------------------------------------------------
    CodeSpec("HA-DEVICE-MISSING", S.ERROR, "A device-based discovery payload has no device block; HA drops the whole device.", "HA mqtt schemas.py DEVICE_DISCOVERY_SCHEMA; core test_discovery.py"),
    CodeSpec("HA-ORIGIN-MISSING", S.ERROR, "A device-based discovery payload has no origin block; HA drops the whole device.", "HA mqtt schemas.py DEVICE_DISCOVERY_SCHEMA"),
    CodeSpec("HA-COMPONENTS-INVALID", S.ERROR, "A device-based discovery payload has no components (cmps) object, or an entry of it is not an object; HA drops the whole device.", "HA mqtt schemas.py DEVICE_DISCOVERY_SCHEMA; core test_discovery.py"),
    CodeSpec("HA-PLATFORM-INVALID", S.ERROR, "A component of a device-based discovery payload has no platform (p) or names one HA does not support; HA drops the whole device.", "HA mqtt schemas.py COMPONENT_CONFIG_SCHEMA; core test_discovery.py"),
    # -- the entity config ---------------------------------------------------------------
    CodeSpec("HA-REQUIRED-MISSING", S.ERROR, "A key the component's schema requires is missing; HA logs an error and creates no entity.", "HA mqtt platform schemas (e.g. switch command_topic, select options); docs/ha.md"),
    CodeSpec("HA-VALUE-INVALID", S.ERROR, "A value has the wrong type or is out of range or not one of the allowed values for its key; HA logs an error and creates no entity.", "HA mqtt platform schemas; core test_discovery.py (qos); docs/ha.md"),
    CodeSpec("HA-DEVICE-CLASS-UNKNOWN", S.ERROR, "The device_class is not one the component knows; HA logs an error and creates no entity.", "HA sensor/binary_sensor/cover DEVICE_CLASSES_SCHEMA; wican-fw#217"),
    CodeSpec("HA-OPTION-CONFLICT", S.ERROR, "Two options the schema forbids together are both given (availability_topic and availability, state_class with a non-numeric device_class, options without device_class enum, ...); HA creates no entity.", "HA mqtt schemas.py vol.Exclusive; mqtt sensor.py/number.py validators; docs/ha.md"),
    CodeSpec("HA-TOPIC-INVALID", S.ERROR, "A topic option is not a valid MQTT topic (empty, a NUL character, a misplaced wildcard, or a wildcard in a topic HA publishes to); HA creates no entity.", "HA mqtt util.py valid_subscribe_topic/valid_publish_topic; MQTT 3.1.1 §4.7"),
    CodeSpec("HA-TEMPLATE-INVALID", S.ERROR, "A template option is not a string or is not a valid Jinja template; HA creates no entity.", "HA helpers config_validation.template"),
    CodeSpec("HA-UNIT-DEVICE-CLASS", S.ERROR, "The sensor's unit_of_measurement is not valid for its device_class; HA rejects the config since 2025.7 (before that it logged a warning).", "HA mqtt sensor.py; sensor const.py DEVICE_CLASS_UNITS; core#146957, hm2mqtt#107, core#137376"),
    CodeSpec("HA-STATE-CLASS-DEVICE-CLASS", S.WARNING, "The sensor's state_class is not one its device_class allows; HA logs a warning.", "HA sensor const.py DEVICE_CLASS_STATE_CLASSES; sensor __init__.py"),
    CodeSpec("HA-STATE-TOPIC-WILDCARD", S.WARNING, "A topic HA subscribes to for an entity's state holds an MQTT wildcard, so the entity takes the state of whichever matching topic published last.", "OpenMQTTGateway#1900 payload; docs/ha.md"),
    CodeSpec("HA-TEMPLATE-EMPTY", S.WARNING, "A value template is empty, so every message renders to nothing and the entity never gets a state.", "shelly-script-examples shelly1p-mqtt-autodiscover.shelly.js; docs/ha.md"),
    CodeSpec("HA-TEMPLATE-UNDEFINED", S.WARNING, "A template names a variable HA does not provide (value, value_json, entity_id, this and HA's globals), so it renders as undefined and HA logs a template warning.", "HA helpers template.py; EMS-ESP32#1516; docs/ha.md"),
    CodeSpec("HA-KEY-UNKNOWN", S.INFO, "A top-level key is not one HA's discovery schemas know; HA removes it silently (since PR #58390).", "HA core PR #58390, #58534; hassio-sma-em#11"),
    CodeSpec("HA-UNIQUE-ID-MISSING", S.WARNING, "The entity has no unique_id; HA creates it outside the entity and device registries, so its device block is ignored and it cannot be managed in the UI.", "HA core PR #16943; home-assistant.io PR #8155; tiltbridge#194"),
    CodeSpec("HA-NAME-IS-DEVICE-NAME", S.WARNING, "The entity name equals or starts with the device name; since 2023.8 HA strips it, logs a warning and raises a repair issue.", "HA core PR #97495; core#97656; ring-mqtt#699"),
    CodeSpec("HA-OBJECT-ID-DEPRECATED", S.WARNING, "The config uses object_id without default_entity_id; deprecated since HA 2025.10 and to stop working in 2026.4.", "HA 2025.10 release; ism7mqtt#171, home-assistant/addons#4240"),
    # -- across configs ------------------------------------------------------------------
    CodeSpec("HA-UNIQUE-ID-DUPLICATE", S.ERROR, "Two configs of one component give the same unique_id; HA logs an error and ignores the later entity.", "HA entity_platform 'does not generate unique IDs'; esphome/issues#1093, EMS-ESP32#1747"),
    CodeSpec("HA-DEVICE-ID-SHARED", S.WARNING, "One device identifier is announced with different device names or models, or with two same-named entities of one component: different physical devices merge into one HA device.", "flyte/mqtt-io#224, EMS-ESP32#1516, shelly-script-examples mqtt-discovery.shelly.js"),
    # -- runtime messages ----------------------------------------------------------------
    CodeSpec("HA-STATE-NOT-NUMERIC", S.WARNING, "A numeric entity (sensor with a unit, state_class or numeric device_class; number) received a value that is not a number; HA logs an error and keeps the old state.", "HA sensor __init__.py numeric state check; mqtt number.py"),
    CodeSpec("HA-STATE-PAYLOAD", S.WARNING, "A state value is not one of the payloads or options the config declares (payload_on/off, state_*, options); HA ignores it (binary_sensor logs 'No matching payload').", "HA mqtt binary_sensor.py, switch.py, lock.py, cover.py, select.py"),
    CodeSpec("HA-AVAILABILITY-PAYLOAD", S.WARNING, "An availability message is neither payload_available nor payload_not_available (default online/offline); HA ignores it.", "HA mqtt entity.py MqttAvailability; schemas.py defaults"),
    CodeSpec("HA-STATE-NOT-JSON", S.WARNING, "The value template reads value_json but the message is not JSON; value_json is undefined and HA logs a template warning.", "HA helpers template.py async_render_with_possible_json_value"),
    CodeSpec("HA-TEMPLATE-KEY-MISSING", S.WARNING, "The value template reads a key the message does not have; it renders empty and HA logs a template warning.", "HA helpers template.py (undefined variable warning)"),
    CodeSpec("HA-TEMPLATE-NOT-EVALUATED", S.INFO, "The value template is not one of the forms devid evaluates ({{ value }}, {{ value_json.a.b }}, {{ value_json['a'] }}); the entity's state messages were counted, not judged.", "docs/ha.md (template subset)"),
    CodeSpec("HA-STATE-ENCODING", S.WARNING, "A state or availability message is not valid UTF-8; HA cannot decode it and drops it.", "HA mqtt client.py payload decoding"),
    CodeSpec("HA-ATTRIBUTES-NOT-OBJECT", S.WARNING, "A json_attributes_topic message is not a JSON object; HA logs a warning and ignores it.", "HA mqtt entity.py MqttAttributesMixin"),
)
