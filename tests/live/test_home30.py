"""Issue target: a home of 30 simulated devices is found and challenged within the timeout."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from devid.cli import cli
from tests.plugins.live import FleetThread

HOME = {
    "smart-lock/1": 3, "door-window-contact/1": 6, "motion-sensor/1": 4, "smoke-co-alarm/1": 3,
    "water-leak-sensor/1": 2, "siren/1": 1, "alarm-panel/1": 1, "ip-camera/1": 2,
    "light/1": 4, "smart-plug/1": 2, "thermostat/1": 1, "env-sensor/1": 1,
}


def test_a_home_of_30_devices_is_found_and_challenged_within_the_timeout(
        mosquitto_url: str) -> None:
    assert sum(HOME.values()) == 30
    fleet = FleetThread(mosquitto_url, HOME, seed=30, interval=5.0).start()
    try:
        start = time.monotonic()
        result = CliRunner().invoke(cli, [
            "scan", "--broker", mosquitto_url, "--trust", str(fleet.trust_dir),
            "--interface", "127.0.0.1", "--timeout", "5", "--json"])
        elapsed = time.monotonic() - start
        data = json.loads(result.stdout)
        urns = set(fleet.urns())
        ours = {d["id"]: d for d in data["devices"] if d["id"] in urns}
        assert set(ours) == urns  # every device found
        for urn, d in ours.items():
            assert d["sources"] == ["mdns", "mqtt"], (urn, d["sources"])
            assert d["identity"]["valid"] is True, (urn, d["identity"])
            assert d["identity"]["possession"] is True, (urn, d["identity"])
        assert {d["profile"] for d in ours.values()} == set(HOME)
        assert elapsed < 5 + 3  # the budget, plus start-up of the command itself
    finally:
        fleet.stop()
