"""Other ecosystems on the same broker: Home Assistant MQTT discovery and Homie 4/5.

devid/1 is devid's own contract; real homes also hold devices that announce
themselves through Home Assistant (HA) MQTT discovery or the Homie convention.
Each ecosystem has a pure, streaming *inventory* (:class:`Inventory`) that judges
the messages it claims and reports one :class:`EcoDevice` per device.
"""

from __future__ import annotations

from devid._export import export_ha, export_homie, ha_entities, homie_layout
from devid.ecosystems._ha import (
    ConfigResult,
    DiscoveryTopic,
    EntityConfig,
    HaInventory,
    expand_abbreviations,
    parse_discovery_topic,
    validate_config,
)
from devid.ecosystems._homie import (
    HomieDescription,
    HomieInventory,
    HomieProperty,
    check_value,
    validate_description,
)
from devid.ecosystems._model import EcoDevice, Entity, FindingCounter, Inventory

__all__ = [
    "ConfigResult",
    "DiscoveryTopic",
    "EcoDevice",
    "Entity",
    "EntityConfig",
    "FindingCounter",
    "HaInventory",
    "HomieDescription",
    "HomieInventory",
    "HomieProperty",
    "Inventory",
    "check_value",
    "expand_abbreviations",
    "export_ha",
    "export_homie",
    "ha_entities",
    "homie_layout",
    "parse_discovery_topic",
    "validate_config",
    "validate_description",
]
