"""MQTT broker fixtures: a real Mosquitto and the in-process amqtt broker on loopback.

* ``mosquitto_url``: Mosquitto on a free 127.0.0.1 port (module-scoped). When the
  ``mosquitto`` executable is missing the test skips, except in CI (``CI=true``),
  where it fails: CI installs Debian's mosquitto.
* ``amqtt_url``: amqtt (MQTT 3.1.1) on a background thread's event loop (module-scoped).
* ``broker_url``: parametrized over both (ids ``mosquitto`` and ``amqtt``).

Each test module gets brokers of its own (starting one takes 30-150 ms), so retained
messages never leak from one module into another; within a module tests share them,
so they should use their own topics (a unique device URN or ``unique_prefix``) and
not rely on an empty retained store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from devid._broker import broker, find_mosquitto


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def mosquitto_url() -> Iterator[str]:
    if find_mosquitto() is None:
        if _in_ci():
            pytest.fail("mosquitto is not installed (CI must install Debian's mosquitto)")
        pytest.skip("mosquitto is not installed")
    with broker("mosquitto") as running:
        yield running.url


@pytest.fixture(scope="module")
def amqtt_url() -> Iterator[str]:
    with broker("amqtt") as running:
        yield running.url


@pytest.fixture(params=["mosquitto", "amqtt"])
def broker_url(request: pytest.FixtureRequest) -> str:
    name = "mosquitto_url" if request.param == "mosquitto" else "amqtt_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def unique_prefix() -> str:
    """A topic prefix no other test uses (``t/<hex>``)."""
    return f"t/{uuid.uuid4().hex[:12]}"
