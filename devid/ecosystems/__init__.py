"""Other ecosystems on the same broker: Home Assistant MQTT discovery and Homie 4/5.

devid/1 is devid's own contract; real homes also hold devices that announce
themselves through Home Assistant (HA) MQTT discovery or the Homie convention.
Each ecosystem has a pure, streaming *inventory* (:class:`Inventory`) that judges
the messages it claims and reports one :class:`EcoDevice` per device.
"""

from __future__ import annotations

from devid.ecosystems._model import EcoDevice, Entity, FindingCounter, Inventory

__all__ = ["EcoDevice", "Entity", "FindingCounter", "Inventory"]
