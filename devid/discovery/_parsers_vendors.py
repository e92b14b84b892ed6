"""Parsers for other vendors' service types, as data (:class:`Simple` rows). Pure.

Each row reads the TXT keys the vendor documents or that Home Assistant's
integration reads in ``async_step_zeroconf`` (the source is named beside each row).
A malformed value is a ``DISC-TXT-VALUE`` warning and is not stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from devid.discovery._parsers_base import (
    BOOL,
    DIGITS,
    HEX,
    INT,
    MAC,
    MAC_COLON,
    PATH,
    TEXT,
    UUID,
    VERSION,
    ByInstance,
    F,
    Parser,
    Simple,
    pattern,
)
from devid.discovery._parsers_shelly import shelly_http

# Apple model identifiers (AppleTV6,2, AudioAccessory5,1, MacBookPro18,3, ...).
APPLE_MODELS: tuple[tuple[str, str], ...] = tuple(
    (prefix, "Apple")
    for prefix in ("AppleTV", "AudioAccessory", "AirPort", "iPhone", "iPad", "iPod", "iMac", "Mac")
)
APPLE_CLASSES: tuple[tuple[str, str], ...] = (
    ("AppleTV", "tv-set-top-box"),
    ("AudioAccessory", "speaker"),
    ("AirPort", "router"),
)

# AirPlay 2 receivers (_airplay._tcp): deviceid is the device's MAC in XX:XX:XX:XX:XX:XX
# form; model is an Apple model id or the third-party receiver's own (HA apple_tv
# matches model appletv*/audioaccessory*, samsungtv matches manufacturer samsung*).
AIRPLAY = Simple(
    "airplay",
    vendor_keys=("manufacturer",),
    profile="media-player",
    fields=(
        F("deviceid", "deviceid", MAC_COLON, "recommended"),
        F("model", "", TEXT, role="model"),
        F("srcvers", "srcvers", VERSION),
        F("osvers", "os_version", VERSION),
        F("pi", "pairing_id", UUID),
        F("gid", "group_id", UUID),
        F("features", "features", TEXT),
    ),
    id_from=("deviceid",),
    vendor_by_model=APPLE_MODELS,
    class_by_model=APPLE_CLASSES,
)

# AirPlay audio (RAOP): instance "<12 hex MAC>@<name>"; am is the model (HA apple_tv).
RAOP = Simple(
    "airplay",
    profile="speaker",
    instance=r"(?P<deviceid>[0-9A-F]{12})@(?P<name>.+)",
    instance_level="recommended",
    fields=(
        F("am", "", TEXT, role="model"),
        F("vs", "srcvers", VERSION),
        F("ov", "os_version", VERSION),
        F("pk", "public_key", HEX),
    ),
    id_from=("deviceid",),
    vendor_by_model=APPLE_MODELS,
    class_by_model=APPLE_CLASSES,
)

# Apple Companion Link: rpMd model, rpMRtID media-remote id, rpBA a Bluetooth address that
# rotates (not an identity: rpHA/rpHN/rpAD/rpHI rotate too and are not read).
COMPANION_LINK = Simple(
    "companion-link",
    vendor="Apple",
    fields=(
        F("rpMd", "", TEXT, role="model"),
        F("rpBA", "bt_addr", MAC_COLON),
        F("rpVr", "version", VERSION),
        F("rpFl", "flags", HEX),
        F("rpMRtID", "media_remote_id", UUID),
    ),
    id_from=("media_remote_id",),
    class_by_model=APPLE_CLASSES,
)

# Apple TV Media Remote Protocol (pyatv): UniqueIdentifier, Name, ModelName, macAddress.
MEDIAREMOTE = Simple(
    "mediaremote",
    vendor="Apple",
    profile="tv-set-top-box",
    fields=(
        F("UniqueIdentifier", "unique_id", UUID, "recommended"),
        F("Name", "", TEXT, role="name"),
        F("ModelName", "", TEXT, role="model"),
        F("macAddress", "mac", MAC),
        F("BluetoothAddress", "bt_mac", MAC_COLON),
        F("SystemBuildVersion", "os_build", TEXT),
    ),
    id_from=("unique_id",),
)

# Sonos: info is /api/v1/players/<player id>/info; hhid the household; the instance is
# Sonos-<MAC> (HA sonos derives RINCON_<MAC>01400 from the host name; devid does not
# invent it and names the device by the announced player id, else the MAC).
SONOS = Simple(
    "sonos",
    vendor="Sonos",
    profile="speaker",
    instance=r"Sonos-(?P<mac>[0-9A-F]{12})",
    fields=(
        F(
            "info",
            "player_id",
            pattern(
                r"/api/v1/players/(RINCON_[0-9A-Fa-f]{12}[0-9]{5})/info",
                "/api/v1/players/RINCON_<MAC><5 digits>/info",
                1,
            ),
        ),
        F("hhid", "household", TEXT),
        F("model", "", TEXT, role="model"),
        F("vers", "api_version", TEXT),
        F("protovers", "version", VERSION),
        F("bootseq", "bootseq", INT),
    ),
    id_from=("player_id", "mac"),
)

# Android TV Remote (v1 _androidtvremote and v2 _androidtvremote2): bt is the Bluetooth MAC.
ANDROID_TV = Simple(
    "android-tv",
    profile="tv",
    fields=(F("bt", "bt_mac", MAC_COLON, "recommended"),),
    id_from=("bt_mac",),
)

# Printers (Bonjour Printing 1.2 / PWG 5100.14): ty is the make and model, usb_MFG /
# usb_MDL the IEEE 1284 ones, UUID the printer's (IPP Everywhere), rp the queue.
_PRINTER_FIELDS = (
    F("UUID", "uuid", UUID),
    F("usb_MFG", "", TEXT, role="vendor"),
    F("ty", "", TEXT, role="model"),
    F("usb_MDL", "", TEXT, role="model"),
    F("rp", "queue", TEXT),
    F("note", "note", TEXT),
    F("adminurl", "adminurl", TEXT),
)
IPP = Simple("ipp", profile="printer", fields=_PRINTER_FIELDS, id_from=("uuid",))
LPD = Simple("printer", profile="printer", fields=_PRINTER_FIELDS, id_from=("uuid",))

# HomeWizard Energy (HA homewizard): api_enabled, path (/api/v1), product_name,
# product_type (HWE-P1, HWE-SKT, ...), serial (the MAC, 12 hex digits).
HOMEWIZARD = Simple(
    "homewizard",
    vendor="HomeWizard",
    profile="energy-meter",
    fields=(
        F("product_type", "product_type", TEXT, "recommended", role="model"),
        F("product_name", "product_name", TEXT),
        F("serial", "mac", MAC, "recommended"),
        F("api_enabled", "api_enabled", BOOL, "recommended"),
        F("path", "path", PATH),
    ),
    id_from=("mac",),
    class_by_model=(
        ("HWE-SKT", "outlet"),
        ("HWE-WTR", "water-meter"),
        ("HWE-BAT", "battery"),
        ("HWE-P1", "energy-meter"),
        ("HWE-KWH", "energy-meter"),
        ("SDM", "energy-meter"),
    ),
)

# Bond Bridge (HA bond): the instance name is the Bond id (ZXBL12345, KVPRBDJ45842).
BOND = Simple(
    "bond",
    vendor="Olibra (Bond)",
    profile="bridge",
    instance=r"(?P<bond_id>[A-Z0-9]{4,16})",
    instance_level="recommended",
    id_from=("bond_id",),
)

# Enphase IQ Gateway / Envoy (HA enphase_envoy): serialnum, protovers (firmware).
ENPHASE = Simple(
    "enphase",
    vendor="Enphase Energy",
    profile="solar-gateway",
    fields=(
        F("serialnum", "serial", DIGITS, "recommended"),
        F("protovers", "firmware", VERSION),
    ),
    id_from=("serial",),
)

# OctoPrint (HA octoprint reads uuid and path; the discovery plugin adds version, api,
# model and vendor when configured).
OCTOPRINT = Simple(
    "octoprint",
    vendor="OctoPrint",
    profile="3d-printer",
    fields=(
        F("uuid", "uuid", UUID, "recommended"),
        F("path", "path", PATH, "recommended"),
        F("version", "version", VERSION),
        F("api", "api_version", VERSION),
        F("model", "", TEXT, role="model"),
        F("vendor", "", TEXT, role="vendor"),
    ),
    id_from=("uuid",),
)

# Lutron Caseta / RA2 Select / RadioRA 3 bridges (HA lutron_caseta matches SYSTYPE;
# openHAB's Lutron binding reads DEVCLASS, CODEVER, MACADDR).
LUTRON = Simple(
    "lutron",
    vendor="Lutron",
    profile="bridge",
    fields=(
        F("SYSTYPE", "", TEXT, "recommended", role="model"),
        F("MACADDR", "mac", MAC),
        F("CODEVER", "firmware", TEXT),
        F("DEVCLASS", "device_class", HEX),
    ),
    id_from=("mac",),
)

# Z-Wave JS Server (HA zwave_js): homeId, the controller's 32-bit home id in decimal.
ZWAVE_JS = Simple(
    "zwave-js",
    vendor="Z-Wave JS",
    profile="bridge",
    fields=(F("homeId", "home_id", pattern(r"[0-9]{1,10}", "a decimal 32-bit home id")),),
    id_from=("home_id",),
)

# Zigbee network coordinators (HA zha: instance slzb-06*/uzg-01*; radio_type ezsp/znp).
_ZIGBEE_FIELDS = (
    F("radio_type", "radio_type", pattern(r"ezsp|znp|deconz|zigate|xbee", "a ZHA radio type")),
    F("baud_rate", "baud_rate", INT),
    F("data_flow_control", "flow_control", TEXT),
)
SLZB06 = Simple(
    "zigbee-coordinator",
    vendor="SMLIGHT",
    profile="zigbee-coordinator",
    fields=_ZIGBEE_FIELDS,
    instance=r"(?P<model_id>slzb-06[a-z0-9]*)(?:-.*)?",
)
UZG01 = Simple(
    "zigbee-coordinator",
    vendor="SMLIGHT",
    profile="zigbee-coordinator",
    fields=_ZIGBEE_FIELDS,
    instance=r"(?P<model_id>uzg-01)(?:-.*)?",
)

# Somfy TaHoma / Overkiz gateways (HA overkiz): gateway_pin (1234-5678-9012),
# api_version, fw_version; _kizboxdev._tcp is the local (developer-mode) API.
_OVERKIZ_FIELDS = (
    F(
        "gateway_pin",
        "gateway_id",
        pattern(r"[0-9]{4}-[0-9]{4}-[0-9]{4}", "NNNN-NNNN-NNNN"),
        "recommended",
    ),
    F("api_version", "api_version", TEXT),
    F("fw_version", "firmware", TEXT),
)
OVERKIZ = Simple(
    "overkiz",
    vendor="Somfy (Overkiz)",
    profile="hub",
    fields=_OVERKIZ_FIELDS,
    id_from=("gateway_id",),
)

# Kodi JSON-RPC over HTTP (HA kodi): uuid.
KODI = Simple(
    "kodi",
    vendor="Kodi",
    profile="media-player",
    fields=(F("uuid", "uuid", UUID, "recommended"),),
    id_from=("uuid",),
)

# DAAP (iTunes/Music sharing, OwnTone/forked-daapd; HA forked_daapd reads mtd-version and
# Machine Name): Machine ID is 12 hex digits, Database ID 16.
DAAP = Simple(
    "daap",
    profile="media-server",
    fields=(
        F("Machine Name", "", TEXT, role="name"),
        F("Machine ID", "machine_id", HEX),
        F("Database ID", "database_id", HEX),
        F("mtd-version", "owntone_version", VERSION),
        F("iTSh Version", "itsh_version", TEXT),
    ),
    id_from=("machine_id",),
)

# Plugwise Smile gateways (HA plugwise): product (smile, smile_thermo, smile_open_therm,
# stretch), version; the host name smile<id>.local gives the id.
PLUGWISE = Simple(
    "plugwise",
    vendor="Plugwise",
    profile="hub",
    fields=(
        F("product", "", TEXT, "recommended", role="model"),
        F("version", "firmware", VERSION),
    ),
    instance=r"(?P<smile_id>(?:smile|stretch)[0-9a-f]{6,8})(?:-.*)?",
    id_from=("smile_id",),
    class_by_model=(("smile_thermo", "thermostat"), ("smile_open_therm", "thermostat")),
)

# Volumio (HA volumio): volumioName, UUID.
VOLUMIO = Simple(
    "volumio",
    vendor="Volumio",
    profile="media-player",
    fields=(
        F("volumioName", "", TEXT, "recommended", role="name"),
        F("UUID", "uuid", UUID, "recommended"),
    ),
    id_from=("uuid",),
)

# Freebox (HA freebox reads api_domain, https_port; the box also sends uid, api_version,
# device_type, box_model_name).
FREEBOX = Simple(
    "freebox",
    vendor="Free",
    profile="router",
    fields=(
        F("uid", "uid", HEX),
        F("api_domain", "api_domain", TEXT, "recommended"),
        F("https_port", "https_port", pattern(r"[0-9]{1,5}", "a port number")),
        F("api_version", "api_version", TEXT),
        F("box_model_name", "", TEXT, role="model"),
        F("device_type", "device_type", TEXT),
    ),
    id_from=("uid",),
)

# devolo Home Network (HA devolo_home_network): MT product id, SN serial, Product name.
DEVOLO = Simple(
    "devolo",
    vendor="devolo",
    profile="range-extender",
    fields=(
        F("SN", "serial", DIGITS, "recommended"),
        F("MT", "product_id", DIGITS),
        F("Product", "", TEXT, role="model"),
        F("PlcMacAddress", "plc_mac", MAC),
    ),
    id_from=("serial",),
)

# Bose SoundTouch: MAC, MANUFACTURER, MODEL, DESCRIPTION.
SOUNDTOUCH = Simple(
    "soundtouch",
    vendor="Bose",
    vendor_keys=("MANUFACTURER",),
    profile="speaker",
    fields=(F("MAC", "mac", MAC), F("MODEL", "", TEXT, role="model")),
    id_from=("mac",),
)

# Bang & Olufsen Mozart (HA bang_olufsen): fn friendly name, sn serial, tn type number.
BANG_OLUFSEN = Simple(
    "bang-olufsen",
    vendor="Bang & Olufsen",
    profile="speaker",
    fields=(
        F("fn", "", TEXT, "recommended", role="name"),
        F("sn", "serial", DIGITS, "recommended"),
        F("tn", "type_number", TEXT),
        F("in", "item_number", TEXT),
    ),
    id_from=("serial",),
)

# System Bridge (HA system_bridge): uuid, ip, mac, version.
SYSTEM_BRIDGE = Simple(
    "system-bridge",
    profile="computer",
    fields=(
        F("uuid", "uuid", UUID, "recommended"),
        F("mac", "mac", MAC),
        F("version", "version", VERSION),
    ),
    id_from=("uuid",),
)

# OpenEVSE chargers: id is the ESP32 MAC, type the board build, version the firmware.
OPENEVSE = Simple(
    "openevse",
    vendor="OpenEVSE",
    profile="ev-charger",
    fields=(
        F("id", "mac", MAC, "recommended"),
        F("type", "", TEXT, role="model"),
        F("version", "version", TEXT),
    ),
    id_from=("mac",),
)

# Smappee energy monitors announce _ssh._tcp as Smappee<serial> (HA smappee).
SMAPPEE = Simple(
    "smappee",
    vendor="Smappee",
    profile="energy-meter",
    instance=r"smappee(?P<serial>[0-9]{6,12})",
    id_from=("serial",),
)
SSH = ByInstance(Simple("ssh"), (("smappee", SMAPPEE),))

# iRobot Roomba / Braava announce _amzn-alexa._tcp as iRobot-<BLID> / Roomba-<BLID>.
ROOMBA = Simple(
    "roomba",
    vendor="iRobot",
    profile="robot-vacuum",
    instance=r"(?:irobot|roomba)-(?P<blid>[0-9A-Fa-f]{8,32})",
    instance_level="recommended",
    id_from=("blid",),
)
ALEXA = ByInstance(
    Simple("alexa", vendor="Amazon", profile="speaker"),
    (
        ("irobot-", ROOMBA),
        ("roomba-", ROOMBA),
    ),
)

# _http._tcp: Shelly (HA shelly: name shelly*), else a generic web server.
HTTP = ByInstance(
    Simple("http", model_keys=("model",), copy_keys=("path",)),
    (("shelly", shelly_http),),
)

VENDOR_PARSERS: Mapping[str, Parser] = {
    "_airplay._tcp": AIRPLAY,
    "_raop._tcp": RAOP,
    "_companion-link._tcp": COMPANION_LINK,
    "_mediaremotetv._tcp": MEDIAREMOTE,
    "_sonos._tcp": SONOS,
    "_androidtvremote._tcp": ANDROID_TV,
    "_androidtvremote2._tcp": ANDROID_TV,
    "_ipp._tcp": IPP,
    "_ipps._tcp": IPP,
    "_printer._tcp": LPD,
    "_hwenergy._tcp": HOMEWIZARD,
    "_bond._tcp": BOND,
    "_enphase-envoy._tcp": ENPHASE,
    "_octoprint._tcp": OCTOPRINT,
    "_lutron._tcp": LUTRON,
    "_zwave-js-server._tcp": ZWAVE_JS,
    "_slzb-06._tcp": SLZB06,
    "_uzg-01._tcp": UZG01,
    "_kizbox._tcp": OVERKIZ,
    "_kizboxdev._tcp": OVERKIZ,
    "_xbmc-jsonrpc-h._tcp": KODI,
    "_daap._tcp": DAAP,
    "_plugwise._tcp": PLUGWISE,
    "_volumio._tcp": VOLUMIO,
    "_fbx-api._tcp": FREEBOX,
    "_dvl-deviceapi._tcp": DEVOLO,
    "_soundtouch._tcp": SOUNDTOUCH,
    "_bangolufsen._tcp": BANG_OLUFSEN,
    "_system-bridge._tcp": SYSTEM_BRIDGE,
    "_openevse._tcp": OPENEVSE,
    "_ssh._tcp": SSH,
    "_amzn-alexa._tcp": ALEXA,
    "_http._tcp": HTTP,
}
"""Service type → parser, merged into :data:`devid.discovery.PARSERS`."""
