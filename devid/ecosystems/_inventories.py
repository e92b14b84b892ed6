"""Which inventories exist, and the MQTT filters that bring their messages. Pure."""

from __future__ import annotations

from collections.abc import Collection

from devid.ecosystems._model import Inventory

#: Every ecosystem devid judges on MQTT besides devid/1 itself.
OTHER_ECOSYSTEMS: tuple[str, ...] = ("ha", "homie")
DEFAULT_HA_PREFIX = "homeassistant"
#: Homie: the default domain (v4 and v5) and any v5 domain's lifecycle and description.
HOMIE_FILTERS: tuple[str, ...] = ("homie/#", "+/5/+/$state", "+/5/+/$description")


def make_inventories(ecosystems: Collection[str],
                     ha_prefix: str = DEFAULT_HA_PREFIX) -> list[Inventory]:
    """Fresh inventories for ``ecosystems`` (``devid`` is not one: it has its own engine).

    Homie comes first: its topics are known by their prefix, while Home Assistant
    claims whatever topics its configs name.
    """
    out: list[Inventory] = []
    if "homie" in ecosystems:
        from devid.ecosystems._homie import HomieInventory

        out.append(HomieInventory())
    if "ha" in ecosystems:
        from devid.ecosystems._ha import HaInventory

        out.append(HaInventory(prefix=ha_prefix))
    return out


def discovery_filters(ecosystems: Collection[str],
                      ha_prefix: str = DEFAULT_HA_PREFIX) -> tuple[str, ...]:
    """The MQTT subscriptions that bring each ecosystem's announcements."""
    out: list[str] = []
    if "ha" in ecosystems:
        out.append(f"{ha_prefix}/#")
    if "homie" in ecosystems:
        out.extend(HOMIE_FILTERS)
    return tuple(out)
