"""Discovery: DNS-SD (mDNS) and MQTT, normalised into one record per device.

Pure parts (no network): :func:`parse_service` (one DNS-SD service → a
:class:`DeviceRecord`, via the :data:`PARSERS` table), :func:`decode_txt`,
:func:`parse_urn`, :class:`MqttInventory` (retained identity/status → records),
:func:`merge_records` (one record per device, ``ID-CLONE`` detection).

Transports: :func:`async_browse` / :func:`async_discover_mdns` (zeroconf) and
:func:`async_discover_mqtt` (devid's MQTT client).
"""

from __future__ import annotations

from devid.discovery._mdns import SERVICE_TYPES, async_browse, async_discover_mdns
from devid.discovery._merge import ECOSYSTEM_PRIORITY, combine, merge_records, token_tk
from devid.discovery._mqtt_discovery import (
    SUBSCRIPTIONS,
    MqttInventory,
    MqttMessage,
    async_discover_broker,
    async_discover_mqtt,
    device_record,
    parse_status,
    parse_topic,
    token_hints,
)
from devid.discovery._parsers import (
    HAP_CATEGORIES,
    MATTER_DEVICE_TYPES,
    PARSERS,
    PROFILE_ID,
    Simple,
    normalise_type,
    parse_service,
)
from devid.discovery._record import DeviceRecord
from devid.discovery._txt import Txt, decode_txt, split_wire
from devid.discovery._urn import DeviceUrn, is_device_urn, parse_urn, urn_problem

__all__ = [
    "ECOSYSTEM_PRIORITY",
    "HAP_CATEGORIES",
    "MATTER_DEVICE_TYPES",
    "PARSERS",
    "PROFILE_ID",
    "SERVICE_TYPES",
    "SUBSCRIPTIONS",
    "DeviceRecord",
    "DeviceUrn",
    "MqttInventory",
    "MqttMessage",
    "Simple",
    "Txt",
    "async_browse",
    "async_discover_broker",
    "async_discover_mdns",
    "async_discover_mqtt",
    "combine",
    "decode_txt",
    "device_record",
    "is_device_urn",
    "merge_records",
    "normalise_type",
    "parse_service",
    "parse_status",
    "parse_topic",
    "parse_urn",
    "split_wire",
    "token_hints",
    "token_tk",
    "urn_problem",
]
