"""devid's device simulator: a fleet of virtual devices speaking devid/1 over MQTT.

Public API (used by ``devid simulate``, ``devid demo`` and the scan/test tools)::

    async with Fleet({"env-sensor/1": 10}, broker_url, ca_dir=..., faults="no-ack:1",
                     seed=1, mdns_interface="127.0.0.1") as fleet:
        fleet.manifest        # ground truth: [{"urn", "profile", "faults"}]
        fleet.trust_dir       # trust anchors for --trust

``FAULTS`` is the fault table (what each fault changes, which finding code it must
trigger); ``parse_faults("range:2,no-ack:1")`` parses the ``--faults`` syntax.

Devices in other ecosystems, from the profile's export (:mod:`devid._export`)::

    async with Home(load_home("home.yaml"), broker_url) as home:   # devid/1, HA, Homie
        home.manifest         # [{"ecosystem", "id", "profile", "name", "faults", ...}]
    Home.single("ha", "smart-lock/1", count=3, faults="ha-unit-class:1")

``HA_FAULTS`` and ``HOMIE_FAULTS`` are their fault tables (:class:`EcoFault`).

``Fleet.link`` / ``Home.link`` (a :class:`LinkWatch`) report broker connection losses and
reconnects (:class:`LinkEvent`); ``stop()`` returns a :class:`StopReport` (how many
devices published their offline presence).
"""

from simulator._device import DeviceIdentity, SimDevice
from simulator._ecosystems import HaSimDevice, HomieSimDevice, eco_applies
from simulator._faults import (
    ECO_FAULTS,
    EVIL_NAME,
    FAULTS,
    HA_FAULTS,
    HOMIE_FAULTS,
    EcoFault,
    Fault,
    eco_showing,
    parse_eco_faults,
    parse_faults,
    showing,
)
from simulator._fleet import DeviceSpec, Fleet, FleetError, applies, product_name
from simulator._home import ECOSYSTEMS, Home, HomeEntry, HomeError, HomeFile, load_home
from simulator._link import LinkEvent, LinkWatch, StopReport
from simulator._pki import PEN, SimPki, open_pki

__all__ = [
    "ECOSYSTEMS",
    "ECO_FAULTS",
    "EVIL_NAME",
    "FAULTS",
    "HA_FAULTS",
    "HOMIE_FAULTS",
    "PEN",
    "DeviceIdentity",
    "DeviceSpec",
    "EcoFault",
    "Fault",
    "Fleet",
    "FleetError",
    "HaSimDevice",
    "Home",
    "HomeEntry",
    "HomeError",
    "HomeFile",
    "HomieSimDevice",
    "LinkEvent",
    "LinkWatch",
    "SimDevice",
    "SimPki",
    "StopReport",
    "applies",
    "eco_applies",
    "eco_showing",
    "load_home",
    "open_pki",
    "parse_eco_faults",
    "parse_faults",
    "product_name",
    "showing",
]
