"""Finding codes of Home Assistant MQTT discovery (HA-*). Filled by the HA validator."""

from __future__ import annotations

from devid._findings import CodeSpec

CODES: tuple[CodeSpec, ...] = ()
