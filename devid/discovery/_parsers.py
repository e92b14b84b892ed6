"""TXT-record parsers, one per DNS-SD service type, as a table. Pure.

:func:`parse_service` turns one resolved DNS-SD service (type, instance name,
TXT, addresses, port) into a :class:`DeviceRecord`. The parser is looked up in
:data:`PARSERS` by service type; types without a parser get the generic one.

Only ``_devid._tcp`` is devid's own contract (spec §4): a missing required key or
a bad value there is an error. For other ecosystems devid is an observer, not
their certifier: the same breaches are reported as warnings.

The building blocks (value kinds, :class:`Simple`, :class:`ByInstance`) live in
``_parsers_base``; Thread in ``_parsers_thread``, Shelly in ``_parsers_shelly``, the
other vendors' rows in ``_parsers_vendors``. Service types whose specification
defines binary TXT values are listed in :data:`BINARY_TXT_KEYS`; their values reach
the parser as bytes (``Txt.raw``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from devid._findings import Severity
from devid._identifiers import is_matter_test_vendor, matter_id_problem
from devid.discovery._parsers_base import (
    MAC,
    MAX_TEXT,
    F,
    Parser,
    Service,
    Simple,
    _clip,
    _int,
    _Out,
)
from devid.discovery._parsers_shelly import SHELLY_CLASSES, SHELLY_MODELS, ShellyModel, shelly
from devid.discovery._parsers_thread import MESHCOP_BINARY, meshcop
from devid.discovery._parsers_vendors import VENDOR_PARSERS
from devid.discovery._record import DeviceRecord, freeze
from devid.discovery._txt import Txt, TxtInput, decode_txt
from devid.discovery._urn import parse_urn

__all__ = [
    "BINARY_TXT_KEYS",
    "GENERIC",
    "HAP_CATEGORIES",
    "MATTER_DEVICE_TYPES",
    "MAX_TEXT",
    "PARSERS",
    "PROFILE_ID",
    "SHELLY_CLASSES",
    "SHELLY_MODELS",
    "F",
    "Parser",
    "Service",
    "ShellyModel",
    "Simple",
    "instance_label",
    "normalise_type",
    "parse_service",
]

PROFILE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}(?:/[a-z0-9][a-z0-9._-]{0,63})*/[0-9]{1,6}")
_HEX16 = re.compile(r"[0-9A-Fa-f]{16}")
_MAC12 = re.compile(r"[0-9A-Fa-f]{12}")
_HAP_ID = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
_MATTER_OP = re.compile(r"([0-9A-F]{16})-([0-9A-F]{16})")
_MQ_SCHEMES = frozenset({"mqtt", "mqtts", "ws", "wss", "tcp", "ssl"})


# -- devid (spec §4) -----------------------------------------------------------------------


def _devid(txt: Txt, out: _Out) -> None:
    out.ecosystem = "devid"
    version = out.key(txt, "txtvers", "required")
    if version is not None and version != "1":
        if _int(version) is None:
            out.add(
                "DISC-TXT-VALUE",
                f"txtvers={_clip(version)!r} is not an integer",
                key="txtvers",
                value=_clip(version),
            )
        else:
            out.add(
                "DISC-TXT-VERSION",
                f"txtvers={version} is not 1; keys read as version 1",
                value=version,
            )
    urn_text = out.key(txt, "id", "required")
    pen_in_urn: int | None = None
    if urn_text is not None:
        parsed = parse_urn(urn_text)
        if isinstance(parsed, str):
            out.add(
                "DISC-URN-INVALID", f"id {_clip(urn_text, 80)!r}: {parsed}", value=_clip(urn_text)
            )
        else:
            out.ids["urn"] = parsed.urn
            pen_in_urn = parsed.pen
            if parsed.pen is not None:
                out.ids["pen"] = parsed.pen
            if parsed.product:
                out.model = parsed.product
            if parsed.serial:
                out.ids["serial"] = parsed.serial
            if parsed.mac:
                out.ids["mac"] = parsed.mac
        if urn_text:
            out.id = _clip(urn_text)
    cls = out.key(txt, "cls", "recommended")
    if cls is not None:
        if PROFILE_ID.fullmatch(cls):
            out.profile = cls
        else:
            out.add(
                "DISC-CLASS-INVALID",
                f"cls={_clip(cls, 80)!r} is not a profile id like smart-lock/1",
                value=_clip(cls),
            )
    vid = out.int_key(txt, "vid", 1, 2**32 - 1, "recommended")
    if vid is not None:
        out.ids["pen"] = vid
        if pen_in_urn is not None and vid != pen_in_urn:
            out.add(
                "DISC-TXT-VALUE",
                f"vid={vid} differs from the organisation number {pen_in_urn} in the URN",
                severity=Severity.WARNING,
                key="vid",
                value=vid,
                urn_pen=pen_in_urn,
            )
    mq = out.key(txt, "mq", "recommended")
    if mq is not None:
        problem = _broker_url_problem(mq)
        if problem:
            out.add("DISC-TXT-VALUE", f"mq={_clip(mq, 80)!r}: {problem}", key="mq", value=_clip(mq))
        else:
            out.ids["broker"] = mq
    tk = out.key(txt, "tk", "recommended")
    if tk is not None:
        if _HEX16.fullmatch(tk):
            out.ids["tk"] = tk.lower()
        else:
            out.add(
                "DISC-TXT-VALUE",
                f"tk={_clip(tk, 40)!r} is not 16 hex digits",
                key="tk",
                value=_clip(tk),
            )


def _broker_url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme.lower() not in _MQ_SCHEMES:
        return "scheme is not mqtt, mqtts, ws or wss"
    if not parts.hostname:
        return "no host"
    if port == 0:
        return "port 0"
    return None


# -- Matter (Core spec §4.3) ---------------------------------------------------------------

# Matter device type id -> generic device class (Matter Device Library).
MATTER_DEVICE_TYPES: Mapping[int, str] = {
    0x000A: "door-lock",
    0x000B: "door-lock-controller",
    0x000E: "bridge",
    0x000F: "switch",
    0x0015: "contact-sensor",
    0x0022: "speaker",
    0x0023: "media-player",
    0x0028: "media-player",
    0x002B: "fan",
    0x002C: "air-quality-sensor",
    0x002D: "air-purifier",
    0x0041: "water-freeze-detector",
    0x0042: "water-valve",
    0x0043: "water-leak-detector",
    0x0044: "rain-sensor",
    0x0050: "pump",
    0x0070: "refrigerator",
    0x0072: "air-conditioner",
    0x0073: "washer",
    0x0074: "robot-vacuum",
    0x0076: "smoke-co-alarm",
    0x0079: "oven",
    0x007C: "dryer",
    0x0100: "light",
    0x0101: "light",
    0x0103: "switch",
    0x0104: "switch",
    0x0105: "switch",
    0x0106: "light-sensor",
    0x0107: "occupancy-sensor",
    0x010A: "outlet",
    0x010B: "outlet",
    0x010C: "light",
    0x010D: "light",
    0x0202: "window-covering",
    0x0301: "thermostat",
    0x0302: "temperature-sensor",
    0x0305: "pressure-sensor",
    0x0306: "flow-sensor",
    0x0307: "humidity-sensor",
    0x050C: "ev-charger",
    0x0510: "energy-meter",
}


# Pre-1.0 CHIP SDKs (2021-2022) wrote the session intervals as CRI / CRA.
_MATTER_LEGACY: Mapping[str, str] = {"SII": "CRI", "SAI": "CRA"}


def _matter_common(txt: Txt, out: _Out) -> None:
    for key, legacy in _MATTER_LEGACY.items():
        name = key if key in txt or legacy not in txt else legacy
        value = out.int_key(txt, name, 0, 3_600_000)
        if value is not None:
            out.ids[key.lower()] = value
            if name == legacy:
                out.ids.setdefault("legacy_keys", []).append(legacy)
    sat = out.int_key(txt, "SAT", 0, 65_535)
    if sat is not None:
        out.ids["sat"] = sat
    tcp = out.int_key(txt, "T", 0, 6)
    if tcp is not None:
        out.ids["tcp"] = tcp
    icd = out.int_key(txt, "ICD", 0, 1)
    if icd is not None:
        out.ids["icd"] = icd


def _matter_commissionable(txt: Txt, out: _Out) -> None:
    out.ecosystem = "matter"
    out.id = f"matterc:{out.svc.instance}"
    if not _HEX16.fullmatch(out.svc.instance):
        out.add(
            "DISC-INSTANCE-NAME",
            "commissionable instance name is not 16 hex digits",
            value=out.svc.instance,
        )
    disc = out.int_key(txt, "D", 0, 4095, "required")
    if disc is not None:
        out.ids["discriminator"] = disc
    vp = out.key(txt, "VP")
    if vp is not None:
        vid_text, _, pid_text = vp.partition("+")
        vid, pid = _int(vid_text), _int(pid_text) if pid_text else None
        # the shared Matter id rule (devid._identifiers): 16-bit, vendor/product id 0 is none
        if vid is None or (pid_text and pid is None) or matter_id_problem(vid, pid):
            out.add(
                "DISC-TXT-VALUE",
                f"VP={_clip(vp, 40)!r} is not vendor[+product] (16-bit decimals, not 0)",
                key="VP",
                value=_clip(vp),
            )
        else:
            out.ids["vid"] = vid
            out.vendor = (
                f"Matter test vendor 0x{vid:04X}"
                if is_matter_test_vendor(vid)
                else f"Matter vendor 0x{vid:04X}"
            )
            if pid is not None:
                out.ids["pid"] = pid
                out.model = f"product 0x{pid:04X}"
    cm = out.int_key(txt, "CM", 0, 3)
    if cm is not None:
        out.ids["commissioning_mode"] = cm
    dt = out.int_key(txt, "DT", 0, 0xFFFFFFFF)
    if dt is not None:
        out.ids["device_type"] = dt
        out.profile = MATTER_DEVICE_TYPES.get(dt)
    dn = out.key(txt, "DN")
    if dn is not None:
        if len(dn.encode()) > 32:
            out.add("DISC-TXT-VALUE", "DN is longer than 32 bytes", key="DN", value=_clip(dn))
        out.name = _clip(dn) or out.name
    ri = out.key(txt, "RI")
    if ri is not None and (
        len(ri) > 100 or len(ri) % 2 or not all(c in "0123456789abcdefABCDEF" for c in ri)
    ):
        out.add(
            "DISC-TXT-VALUE",
            "RI is not an even number of hex digits (at most 100)",
            key="RI",
            value=_clip(ri),
        )
    ph = out.int_key(txt, "PH", 0, 0xFFFFFFFF)
    if ph is not None:
        out.ids["pairing_hint"] = ph
    pi = out.key(txt, "PI")
    if pi is not None and len(pi.encode()) > 128:
        out.add("DISC-TXT-VALUE", "PI is longer than 128 bytes", key="PI", value=_clip(pi))
    _matter_common(txt, out)


def _matter_operational(txt: Txt, out: _Out) -> None:
    out.ecosystem = "matter"
    m = _MATTER_OP.fullmatch(out.svc.instance)
    if m is None:
        out.add(
            "DISC-INSTANCE-NAME",
            "operational instance name is not <compressed fabric id>-<node id>"
            " (16 upper-case hex digits each)",
            value=out.svc.instance,
        )
        out.id = f"matter:{out.svc.instance}"
    else:
        out.ids["compressed_fabric_id"], out.ids["node_id"] = m.group(1), m.group(2)
        out.id = f"matter:{m.group(1)}-{m.group(2)}"
        out.name = f"Matter node {m.group(2)}"
    _matter_common(txt, out)


# -- HomeKit Accessory Protocol (HAP spec §6.4) -------------------------------------------

HAP_CATEGORIES: Mapping[int, str] = {
    1: "other",
    2: "bridge",
    3: "fan",
    4: "garage-door-opener",
    5: "light",
    6: "door-lock",
    7: "outlet",
    8: "switch",
    9: "thermostat",
    10: "sensor",
    11: "security-system",
    12: "door",
    13: "window",
    14: "window-covering",
    15: "switch",
    16: "range-extender",
    17: "camera",
    18: "video-doorbell",
    19: "air-purifier",
    20: "heater",
    21: "air-conditioner",
    22: "humidifier",
    23: "dehumidifier",
    26: "speaker",
    27: "airport",
    28: "sprinkler",
    29: "faucet",
    30: "shower-head",
    31: "tv",
    32: "remote",
    33: "router",
    34: "audio-receiver",
    35: "tv-set-top-box",
    36: "tv-streaming-stick",
}


def _hap(txt: Txt, out: _Out) -> None:
    out.ecosystem = "homekit"
    hap_id = out.key(txt, "id", "required")
    if hap_id is not None:
        if _HAP_ID.fullmatch(hap_id):
            out.ids["hap_id"] = hap_id.upper()
            out.id = f"homekit:{hap_id.upper()}"
        else:
            out.add(
                "DISC-TXT-VALUE",
                f"id={_clip(hap_id, 40)!r} is not XX:XX:XX:XX:XX:XX",
                key="id",
                value=_clip(hap_id),
            )
    model = out.key(txt, "md", "required")
    if model:
        out.model = _clip(model)
    config = out.int_key(txt, "c#", 1, 0xFFFFFFFF, "required")
    if config is not None:
        out.ids["config_number"] = config
    out.int_key(txt, "s#", 1, 0xFFFFFFFF, "required")
    sf = out.int_key(txt, "sf", 0, 0xFF, "required")
    if sf is not None:
        out.ids["paired"] = not sf & 1
    ff = out.int_key(txt, "ff", 0, 0xFF)
    if ff is not None:
        out.ids["feature_flags"] = ff
    ci = out.int_key(txt, "ci", 1, 0xFFFF, "required")
    if ci is not None:
        out.ids["category"] = ci
        out.profile = HAP_CATEGORIES.get(ci, "other")
    pv = out.key(txt, "pv")
    if pv is not None and not re.fullmatch(r"[0-9]{1,3}\.[0-9]{1,3}", pv):
        out.add(
            "DISC-TXT-VALUE", f"pv={_clip(pv, 20)!r} is not major.minor", key="pv", value=_clip(pv)
        )


# -- ESPHome, Shelly, Google Cast ----------------------------------------------------------


def _esphome(txt: Txt, out: _Out) -> None:
    out.ecosystem = "esphome"
    mac = out.key(txt, "mac", "recommended")
    if mac is not None:
        if _MAC12.fullmatch(mac):
            out.ids["mac"] = mac.lower()
            out.id = f"esphome:{mac.lower()}"
        else:
            out.add(
                "DISC-TXT-VALUE",
                f"mac={_clip(mac, 40)!r} is not 12 hex digits",
                key="mac",
                value=_clip(mac),
            )
    for key in ("version", "platform", "board", "network", "project_version"):
        value = txt.get(key)
        if value:
            out.ids[key] = _clip(value)
    out.ids["api_encryption"] = bool(txt.get("api_encryption"))
    # api_encryption_supported: the API can encrypt but no key is set yet (ESPHome 2025.8+)
    out.ids["encryption_provisionable"] = bool(txt.get("api_encryption_supported"))
    friendly = txt.get("friendly_name")
    if friendly:
        out.name = _clip(friendly)
    project = txt.get("project_name")
    if project and "." in project:
        out.vendor, _, out.model = (_clip(p) for p in project.partition("."))
    else:
        out.vendor = "ESPHome"
        out.model = out.ids.get("board")


def _googlecast(txt: Txt, out: _Out) -> None:
    out.ecosystem = "googlecast"
    cast_id = out.key(txt, "id", "recommended")
    if cast_id is not None:
        if re.fullmatch(r"[0-9A-Fa-f]{32}", cast_id):
            out.ids["cast_id"] = cast_id.lower()
            out.id = f"googlecast:{cast_id.lower()}"
        else:
            out.add(
                "DISC-TXT-VALUE",
                f"id={_clip(cast_id, 40)!r} is not 32 hex digits",
                key="id",
                value=_clip(cast_id),
            )
    friendly = txt.get("fn")
    if friendly:
        out.name = _clip(friendly)
    model = txt.get("md")
    if model:
        out.model = _clip(model)
    out.profile = "media-player"


# -- the table -----------------------------------------------------------------------------

PARSERS: Mapping[str, Parser] = {
    "_devid._tcp": _devid,
    "_matterc._udp": _matter_commissionable,
    "_matter._tcp": _matter_operational,
    "_hap._tcp": _hap,
    "_hap._udp": _hap,
    "_esphomelib._tcp": _esphome,
    "_shelly._tcp": shelly,
    "_googlecast._tcp": _googlecast,
    "_meshcop._udp": meshcop,
    "_mqtt._tcp": Simple("mqtt-broker", profile="mqtt-broker"),
    "_secure-mqtt._tcp": Simple("mqtt-broker", profile="mqtt-broker"),
    "_hue._tcp": Simple(
        "hue",
        id_keys=("bridgeid",),
        vendor="Signify (Philips Hue)",
        model_keys=("modelid",),
        profile="bridge",
    ),
    "_spotify-connect._tcp": Simple(
        "spotify-connect", profile="media-player", copy_keys=("VERSION",)
    ),
    "_home-assistant._tcp": Simple(
        "home-assistant",
        id_keys=("uuid",),
        name_keys=("location_name",),
        vendor="Home Assistant",
        model_keys=("version",),
        profile="hub",
    ),
    "_axis-video._tcp": Simple(
        "axis",
        vendor="Axis Communications",
        profile="camera",
        fields=(F("macaddress", "mac", MAC, "recommended"),),
        id_from=("mac",),
    ),
    "_rtsp._tcp": Simple("rtsp", profile="camera"),
    # WLED (HA wled reads mac).
    "_wled._tcp": Simple(
        "wled", vendor="WLED", profile="light", fields=(F("mac", "mac", MAC),), id_from=("mac",)
    ),
    "_nanoleafapi._tcp": Simple(
        "nanoleaf", id_keys=("id",), vendor="Nanoleaf", model_keys=("md",), profile="light"
    ),
    "_elg._tcp": Simple(
        "elgato", id_keys=("id",), vendor="Elgato", model_keys=("md",), profile="light"
    ),
    "_ewelink._tcp": Simple("ewelink", id_keys=("id",), vendor="eWeLink", model_keys=("type",)),
    "_miio._udp": Simple("xiaomi-miio", vendor="Xiaomi"),
    **VENDOR_PARSERS,
}
"""Service type (normalised, no ``.local.``) → parser."""

GENERIC = Simple("dns-sd")

BINARY_TXT_KEYS: Mapping[str, frozenset[str]] = {"_meshcop._udp": MESHCOP_BINARY}
"""Service type → TXT keys its specification defines as bytes (kept as hex, not text)."""


def normalise_type(service_type: str) -> str:
    """``_devid._tcp.local.`` → ``_devid._tcp`` (lower-case)."""
    text = service_type.strip().rstrip(".").lower()
    return text.removesuffix(".local")


def instance_label(name: str, service_type: str) -> str:
    """The instance part of a full service name (``Door._devid._tcp.local.`` → ``Door``)."""
    stype = normalise_type(service_type)
    text = name.rstrip(".")
    for suffix in (f".{stype}.local", f".{stype}"):
        if text.lower().endswith(suffix):
            return text[: -len(suffix)]
    return text


def parse_service(
    service_type: str,
    name: str,
    txt: TxtInput,
    *,
    addresses: Iterable[str] = (),
    port: int | None = None,
    host: str | None = None,
    source: str = "mdns",
) -> DeviceRecord:
    """One DNS-SD service → a :class:`DeviceRecord`. Never raises for device content."""
    stype = normalise_type(service_type)
    instance = _clip(instance_label(name, stype))
    fullname = name if name.rstrip(".").lower().endswith(".local") else f"{instance}.{stype}.local."
    svc = Service(stype, instance, _clip(fullname), tuple(dict.fromkeys(addresses)), port, host)
    decoded = decode_txt(txt, subject=svc.fullname, binary_keys=BINARY_TXT_KEYS.get(stype, ()))
    parser = PARSERS.get(stype, GENERIC)
    out = _Out(svc, ecosystem=GENERIC.ecosystem, name=instance or svc.fullname)
    out.findings.extend(decoded.findings)
    parser(decoded, out)
    if not out.id:
        out.id = f"{out.ecosystem}:{instance or svc.fullname}"
    return DeviceRecord(
        id=out.id,
        ecosystem=out.ecosystem,
        name=out.name,
        vendor=out.vendor,
        model=out.model,
        ids=freeze(out.ids),
        addresses=svc.addresses,
        port=port,
        host=host,
        txt=freeze({stype: freeze(decoded.as_dict())}),
        profile=out.profile,
        services=(stype,),
        sources=(source,),
        findings=tuple(out.findings),
    )
