"""Shelly devices: ``_shelly._tcp`` (Gen2+) and ``_http._tcp`` (every generation). Pure.

- Gen1 devices announce only ``_http._tcp``; the instance is the device id
  ``shelly<model>-<MAC>`` and the TXT has ``id=<the same>`` and no ``gen`` (gen 1).
- Gen2+ devices announce ``_http._tcp`` as ``Shelly<Model>-<MAC>`` with ``gen=2`` (3, 4)
  and ``_shelly._tcp`` as ``shelly<model>-<mac>`` with ``gen``, ``app`` (the model,
  ``Pro4PM``) and ``ver`` (the firmware).

Home Assistant matches ``_http._tcp`` instances named ``shelly*`` to Shelly; devid
does the same (:data:`devid.discovery.PARSERS` ``_http._tcp`` is a
:class:`~devid.discovery._parsers_base.ByInstance`). :data:`SHELLY_MODELS` maps the
model ids to a product name and a device class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from devid.discovery._parsers_base import MAC, _clip, _Out
from devid.discovery._txt import Txt


@dataclass(frozen=True, slots=True)
class ShellyModel:
    """One Shelly product: its model id, name, generic class and what it is."""

    model: str
    """Gen1: the device id prefix (``shelly1pm``); Gen2+: the ``app`` (``Pro4PM``)."""
    name: str
    profile: str
    detail: str
    gen: int


SHELLY_MODELS: tuple[ShellyModel, ...] = (
    ShellyModel("shelly1", "Shelly 1", "relay", "1-channel relay", 1),
    ShellyModel("shelly1pm", "Shelly 1PM", "relay", "1-channel relay with power metering", 1),
    ShellyModel("shelly1l", "Shelly 1L", "relay", "1-channel switch without neutral", 1),
    ShellyModel(
        "shellyswitch25",
        "Shelly 2.5",
        "relay",
        "2-channel switch or cover with power metering",
        1,
    ),
    ShellyModel("shellyplug", "Shelly Plug", "outlet", "plug with power metering", 1),
    ShellyModel("shellyplug-s", "Shelly Plug S", "outlet", "plug with power metering", 1),
    ShellyModel("shellydimmer2", "Shelly Dimmer 2", "light", "dimmer", 1),
    ShellyModel("shellyrgbw2", "Shelly RGBW2", "light", "RGBW LED controller", 1),
    ShellyModel("shellybulbduo", "Shelly Duo", "light", "tunable white bulb", 1),
    ShellyModel("shellyht", "Shelly H&T", "temperature-sensor", "humidity and temperature", 1),
    ShellyModel("shellydw2", "Shelly Door/Window 2", "contact-sensor", "door/window sensor", 1),
    ShellyModel("shellyflood", "Shelly Flood", "water-leak-detector", "flood sensor", 1),
    ShellyModel("shellysmoke", "Shelly Smoke", "smoke-co-alarm", "smoke alarm", 1),
    ShellyModel("shellymotionsensor", "Shelly Motion", "occupancy-sensor", "motion sensor", 1),
    ShellyModel("shellyem", "Shelly EM", "energy-meter", "2-channel energy meter", 1),
    ShellyModel("shellyem3", "Shelly 3EM", "energy-meter", "3-phase energy meter", 1),
    ShellyModel("shellyi3", "Shelly i3", "switch", "3-input controller", 1),
    ShellyModel("shellytrv", "Shelly TRV", "thermostat", "radiator valve", 1),
    ShellyModel("Plus1", "Shelly Plus 1", "relay", "1-channel relay", 2),
    ShellyModel("Plus1PM", "Shelly Plus 1PM", "relay", "1-channel relay with power metering", 2),
    ShellyModel(
        "Plus2PM", "Shelly Plus 2PM", "relay", "2-channel switch or cover with power metering", 2
    ),
    ShellyModel("PlusPlugS", "Shelly Plus Plug S", "outlet", "plug with power metering", 2),
    ShellyModel("PlusI4", "Shelly Plus i4", "switch", "4-input controller", 2),
    ShellyModel("PlusHT", "Shelly Plus H&T", "temperature-sensor", "humidity and temperature", 2),
    ShellyModel("Pro1", "Shelly Pro 1", "relay", "1-channel relay", 2),
    ShellyModel("Pro1PM", "Shelly Pro 1PM", "relay", "1-channel switch with power metering", 2),
    ShellyModel("Pro2", "Shelly Pro 2", "relay", "2-channel relay", 2),
    ShellyModel(
        "Pro2PM", "Shelly Pro 2PM", "relay", "2-channel switch or cover with power metering", 2
    ),
    ShellyModel("Pro3", "Shelly Pro 3", "relay", "3-channel relay", 2),
    ShellyModel("Pro4PM", "Shelly Pro 4PM", "relay", "4-channel switch with power metering", 2),
    ShellyModel("Pro3EM", "Shelly Pro 3EM", "energy-meter", "3-phase energy meter", 2),
    ShellyModel("ProEM", "Shelly Pro EM", "energy-meter", "2-channel energy meter", 2),
)
"""Shelly products devid recognises (model id → name, class, what it is)."""


def _index() -> Mapping[str, ShellyModel]:
    index: dict[str, ShellyModel] = {}
    for m in SHELLY_MODELS:
        index[m.model.lower()] = m
        if m.gen >= 2:  # the Gen2+ device id prefix: shelly + app, lower case
            index[f"shelly{m.model.lower()}"] = m
    return index


_BY_ID = _index()

SHELLY_CLASSES: tuple[tuple[str, str], ...] = (
    ("plug", "outlet"),
    ("dimmer", "light"),
    ("rgbw", "light"),
    ("bulb", "light"),
    ("duo", "light"),
    ("ht", "temperature-sensor"),
    ("door", "contact-sensor"),
    ("flood", "water-leak-detector"),
    ("smoke", "smoke-co-alarm"),
    ("motion", "occupancy-sensor"),
    ("em", "energy-meter"),
    ("trv", "thermostat"),
    ("2pm", "relay"),
    ("1pm", "relay"),
    ("1", "relay"),
    ("4pro", "relay"),
)
"""For models not in :data:`SHELLY_MODELS`: a word in the model id → class."""

_DEVICE_ID = re.compile(r"(shelly[0-9a-z-]*?)-([0-9a-f]{12})", re.IGNORECASE)


def shelly_model(model_id: str) -> ShellyModel | None:
    """The :data:`SHELLY_MODELS` row for an ``app`` or a device id prefix, any case."""
    return _BY_ID.get(model_id.lower())


def _classify(out: _Out, *candidates: str | None) -> None:
    for candidate in candidates:
        if candidate and (row := shelly_model(candidate)):
            out.model = row.model
            out.profile = row.profile
            out.ids["model_name"] = row.name
            return
    probe = next((c for c in candidates if c), "").lower()
    out.profile = next((cls for word, cls in SHELLY_CLASSES if word in probe), None)


def _mac_from(out: _Out, prefix_and_mac: str) -> str | None:
    """``shellyplus1-A8032AB12345`` → ``shellyplus1``; stores the MAC in ``ids``."""
    m = _DEVICE_ID.fullmatch(prefix_and_mac)
    if m is None:
        return None
    mac, _ = MAC(m.group(2))
    out.ids.setdefault("mac", mac)
    return m.group(1)


def shelly(txt: Txt, out: _Out) -> None:
    """``_shelly._tcp`` (Gen2+): ``gen``, ``app``, ``ver``; the MAC from the instance."""
    out.ecosystem = "shelly"
    out.vendor = "Shelly"
    gen = out.int_key(txt, "gen", 1, 99, "recommended")
    if gen is not None:
        out.ids["gen"] = gen
    app = out.key(txt, "app", "recommended")
    if app:
        out.model = _clip(app)
    ver = txt.get("ver")
    if ver:
        out.ids["version"] = _clip(ver)
    prefix = _mac_from(out, out.svc.instance)
    if prefix is None:
        out.add(
            "DISC-INSTANCE-NAME",
            "Shelly instance name is not shelly<model>-<12 hex digit MAC>",
            value=out.svc.instance,
        )
    _classify(out, app, prefix)
    if app and out.model != app:
        out.model = _clip(app)  # the device's own word for its model wins
    if "mac" in out.ids:
        out.id = f"shelly:{out.ids['mac']}"


def shelly_http(txt: Txt, out: _Out) -> None:
    """``_http._tcp`` named ``shelly*``: Gen1 (``id=<model>-<MAC>``, no ``gen``) or Gen2+."""
    out.ecosystem = "shelly"
    out.vendor = "Shelly"
    gen = 1 if "gen" not in txt else out.int_key(txt, "gen", 1, 99)  # Gen1 has no gen key
    if gen is not None:
        out.ids["gen"] = gen
    prefix = _mac_from(out, out.svc.instance)
    device_id = out.key(txt, "id")
    id_prefix = _mac_from(out, device_id) if device_id else None
    if device_id and id_prefix is None:
        out.add(
            "DISC-TXT-VALUE",
            f"TXT id={_clip(device_id, 40)!r} is not shelly<model>-<12 hex digit MAC>",
            key="id",
            value=_clip(device_id),
        )
    if prefix is None and id_prefix is None:
        out.add(
            "DISC-INSTANCE-NAME",
            "Shelly instance name is not shelly<model>-<12 hex digit MAC>",
            value=out.svc.instance,
        )
    model_id = id_prefix or prefix
    _classify(out, model_id)
    if out.model is None and model_id:
        out.model = model_id.lower() if gen == 1 else model_id
    if "mac" in out.ids:
        out.id = f"shelly:{out.ids['mac']}"
