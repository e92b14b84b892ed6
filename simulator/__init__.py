"""devid's device simulator: a fleet of virtual devices speaking devid/1 over MQTT.

Public API (used by ``devid simulate``, ``devid demo`` and the scan/test tools)::

    async with Fleet({"env-sensor/1": 10}, broker_url, ca_dir=..., faults="no-ack:1",
                     seed=1, mdns_interface="127.0.0.1") as fleet:
        fleet.manifest        # ground truth: [{"urn", "profile", "faults"}]
        fleet.trust_dir       # trust anchors for --trust

``FAULTS`` is the fault table (what each fault changes, which finding code it must
trigger); ``parse_faults("range:2,no-ack:1")`` parses the ``--faults`` syntax.
"""

from simulator._device import DeviceIdentity, SimDevice
from simulator._faults import EVIL_NAME, FAULTS, Fault, parse_faults
from simulator._fleet import Fleet, FleetError, applies, product_name
from simulator._pki import PEN, SimPki, open_pki

__all__ = [
    "EVIL_NAME",
    "FAULTS",
    "PEN",
    "DeviceIdentity",
    "Fault",
    "Fleet",
    "FleetError",
    "SimDevice",
    "SimPki",
    "applies",
    "open_pki",
    "parse_faults",
    "product_name",
]
