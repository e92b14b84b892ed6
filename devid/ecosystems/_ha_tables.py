"""Home Assistant MQTT discovery rules as data (docs/ha.md). Pure, no logic.

Every table here follows Home Assistant :data:`HA_RULES_VERSION`. Sources (read, not
copied wholesale):

- abbreviations: ``homeassistant/components/mqtt/abbreviations.py`` (current tables with
  ``o``, ``cmps``, ``p``, ``def_ent_id``, ``migr_discvry``; older names HA still expands
  are kept: an abbreviation HA has dropped only changes the name an unknown key ends up
  under, and unknown keys are removed silently anyway);
- ``SUPPORTED_COMPONENTS``: ``homeassistant/components/mqtt/const.py``;
- device, origin and availability schemas: ``homeassistant/components/mqtt/schemas.py``;
- per-platform required keys and values: ``homeassistant/components/mqtt/<platform>.py``;
- sensor units and state classes: ``homeassistant/components/sensor/const.py``
  (``DEVICE_CLASS_UNITS``, ``DEVICE_CLASS_STATE_CLASSES``) at home-assistant/core commit
  00eb6680, plus the device classes, units and state class added up to
  :data:`HA_RULES_VERSION` (listed in :data:`SENSOR_TABLE_ADDITIONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

HA_RULES_VERSION: Final = "2025.10"
"""The Home Assistant release these rules follow (unit/device_class mismatch an error
since 2025.7; ``object_id`` deprecated since 2025.10)."""

SENSOR_TABLE_SOURCE: Final = (
    "home-assistant/core homeassistant/components/sensor/const.py @ 00eb6680 "
    "(DEVICE_CLASS_UNITS, DEVICE_CLASS_STATE_CLASSES), extended to HA 2025.10"
)

DEFAULT_PREFIX: Final = "homeassistant"

# -- abbreviations (HA abbreviations.py) -------------------------------------------------

ABBREVIATIONS: Mapping[str, str] = MappingProxyType({
    "act_t": "action_topic", "act_tpl": "action_template", "atype": "automation_type",
    "aux_cmd_t": "aux_command_topic", "aux_stat_tpl": "aux_state_template",
    "aux_stat_t": "aux_state_topic", "av_tones": "available_tones", "avty": "availability",
    "avty_mode": "availability_mode", "avty_t": "availability_topic",
    "avty_tpl": "availability_template", "away_mode_cmd_t": "away_mode_command_topic",
    "away_mode_stat_tpl": "away_mode_state_template",
    "away_mode_stat_t": "away_mode_state_topic", "b_tpl": "blue_template",
    "bri_cmd_tpl": "brightness_command_template", "bri_cmd_t": "brightness_command_topic",
    "bri_scl": "brightness_scale", "bri_stat_t": "brightness_state_topic",
    "bri_tpl": "brightness_template", "bri_val_tpl": "brightness_value_template",
    "clr_temp_cmd_tpl": "color_temp_command_template", "clrm": "color_mode",
    "clrm_stat_t": "color_mode_state_topic", "clrm_val_tpl": "color_mode_value_template",
    "clr_temp_cmd_t": "color_temp_command_topic", "clr_temp_k": "color_temp_kelvin",
    "clr_temp_stat_t": "color_temp_state_topic", "clr_temp_tpl": "color_temp_template",
    "clr_temp_val_tpl": "color_temp_value_template", "cmd_off_tpl": "command_off_template",
    "cmd_on_tpl": "command_on_template", "cmd_t": "command_topic",
    "cmd_tpl": "command_template", "cmps": "components",
    "cod_arm_req": "code_arm_required", "cod_dis_req": "code_disarm_required",
    "cod_trig_req": "code_trigger_required", "cont_type": "content_type",
    "curr_hum_t": "current_humidity_topic", "curr_hum_tpl": "current_humidity_template",
    "curr_temp_t": "current_temperature_topic",
    "curr_temp_tpl": "current_temperature_template", "def_ent_id": "default_entity_id",
    "dev": "device", "dev_cla": "device_class", "dir_cmd_t": "direction_command_topic",
    "dir_cmd_tpl": "direction_command_template", "dir_stat_t": "direction_state_topic",
    "dir_val_tpl": "direction_value_template", "e": "encoding",
    "en": "enabled_by_default", "ent_cat": "entity_category", "ent_pic": "entity_picture",
    "evt_typ": "event_types", "exp_aft": "expire_after", "fanspd_lst": "fan_speed_list",
    "flsh": "flash", "flsh_tlng": "flash_time_long", "flsh_tsht": "flash_time_short",
    "fx_cmd_tpl": "effect_command_template", "fx_cmd_t": "effect_command_topic",
    "fx_list": "effect_list", "fx_stat_t": "effect_state_topic",
    "fx_tpl": "effect_template", "fx_val_tpl": "effect_value_template",
    "fan_mode_cmd_tpl": "fan_mode_command_template",
    "fan_mode_cmd_t": "fan_mode_command_topic",
    "fan_mode_stat_tpl": "fan_mode_state_template",
    "fan_mode_stat_t": "fan_mode_state_topic", "frc_upd": "force_update",
    "g_tpl": "green_template", "hs_cmd_t": "hs_command_topic",
    "hs_cmd_tpl": "hs_command_template", "hs_stat_t": "hs_state_topic",
    "hs_val_tpl": "hs_value_template", "ic": "icon", "img_e": "image_encoding",
    "img_t": "image_topic", "init": "initial",
    "hum_cmd_t": "target_humidity_command_topic",
    "hum_cmd_tpl": "target_humidity_command_template",
    "hum_stat_t": "target_humidity_state_topic",
    "hum_state_tpl": "target_humidity_state_template", "json_attr": "json_attributes",
    "json_attr_t": "json_attributes_topic", "json_attr_tpl": "json_attributes_template",
    "l_ver_t": "latest_version_topic", "l_ver_tpl": "latest_version_template",
    "lrst_t": "last_reset_topic", "lrst_val_tpl": "last_reset_value_template",
    "max": "max", "min": "min", "max_hum": "max_humidity", "min_hum": "min_humidity",
    "max_k": "max_kelvin", "min_k": "min_kelvin", "max_mirs": "max_mireds",
    "min_mirs": "min_mireds", "max_temp": "max_temp", "min_temp": "min_temp",
    "migr_discvry": "migrate_discovery", "mode": "mode",
    "mode_cmd_tpl": "mode_command_template", "mode_cmd_t": "mode_command_topic",
    "mode_stat_t": "mode_state_topic", "mode_stat_tpl": "mode_state_template",
    "modes": "modes", "name": "name", "o": "origin", "obj_id": "object_id",
    "off_dly": "off_delay", "on_cmd_type": "on_command_type", "ops": "options",
    "opt": "optimistic", "osc_cmd_t": "oscillation_command_topic",
    "osc_cmd_tpl": "oscillation_command_template",
    "osc_stat_t": "oscillation_state_topic", "osc_val_tpl": "oscillation_value_template",
    "p": "platform", "pct_cmd_t": "percentage_command_topic",
    "pct_cmd_tpl": "percentage_command_template", "pct_stat_t": "percentage_state_topic",
    "pct_val_tpl": "percentage_value_template", "pl": "payload",
    "pl_arm_away": "payload_arm_away", "pl_arm_home": "payload_arm_home",
    "pl_arm_nite": "payload_arm_night", "pl_arm_vacation": "payload_arm_vacation",
    "pl_arm_custom_b": "payload_arm_custom_bypass", "pl_avail": "payload_available",
    "pl_cln_sp": "payload_clean_spot", "pl_cls": "payload_close",
    "pl_dir_fwd": "payload_direction_forward", "pl_dir_rev": "payload_direction_reverse",
    "pl_disarm": "payload_disarm", "pl_home": "payload_home", "pl_inst": "payload_install",
    "pl_lock": "payload_lock", "pl_loc": "payload_locate",
    "pl_not_avail": "payload_not_available", "pl_not_home": "payload_not_home",
    "pl_off": "payload_off", "pl_on": "payload_on", "pl_open": "payload_open",
    "pl_osc_off": "payload_oscillation_off", "pl_osc_on": "payload_oscillation_on",
    "pl_paus": "payload_pause", "pl_prs": "payload_press", "pl_rst": "payload_reset",
    "pl_rst_hum": "payload_reset_humidity", "pl_rst_mode": "payload_reset_mode",
    "pl_rst_pct": "payload_reset_percentage",
    "pl_rst_pr_mode": "payload_reset_preset_mode", "pl_stop": "payload_stop",
    "pl_stop_tilt": "payload_stop_tilt", "pl_strt": "payload_start",
    "pl_stpa": "payload_start_pause", "pl_ret": "payload_return_to_base",
    "pl_toff": "payload_turn_off", "pl_ton": "payload_turn_on",
    "pl_trig": "payload_trigger", "pl_unlk": "payload_unlock", "pos": "reports_position",
    "pos_clsd": "position_closed", "pos_open": "position_open",
    "pow_cmd_t": "power_command_topic", "pow_cmd_tpl": "power_command_template",
    "pr_mode_cmd_t": "preset_mode_command_topic",
    "pr_mode_cmd_tpl": "preset_mode_command_template",
    "pr_mode_stat_t": "preset_mode_state_topic",
    "pr_mode_val_tpl": "preset_mode_value_template", "pr_modes": "preset_modes",
    "ptrn": "pattern", "r_tpl": "red_template", "rel_s": "release_summary",
    "rel_u": "release_url", "ret": "retain", "rgb_cmd_tpl": "rgb_command_template",
    "rgb_cmd_t": "rgb_command_topic", "rgb_stat_t": "rgb_state_topic",
    "rgb_val_tpl": "rgb_value_template", "rgbw_cmd_tpl": "rgbw_command_template",
    "rgbw_cmd_t": "rgbw_command_topic", "rgbw_stat_t": "rgbw_state_topic",
    "rgbw_val_tpl": "rgbw_value_template", "rgbww_cmd_tpl": "rgbww_command_template",
    "rgbww_cmd_t": "rgbww_command_topic", "rgbww_stat_t": "rgbww_state_topic",
    "rgbww_val_tpl": "rgbww_value_template", "send_cmd_t": "send_command_topic",
    "send_if_off": "send_if_off", "set_fan_spd_t": "set_fan_speed_topic",
    "set_pos_tpl": "set_position_template", "set_pos_t": "set_position_topic",
    "pos_t": "position_topic", "pos_tpl": "position_template",
    "spd_rng_min": "speed_range_min", "spd_rng_max": "speed_range_max",
    "src_type": "source_type", "stat_cla": "state_class", "stat_clsd": "state_closed",
    "stat_closing": "state_closing", "stat_jam": "state_jammed",
    "stat_locked": "state_locked", "stat_locking": "state_locking",
    "stat_off": "state_off", "stat_on": "state_on", "stat_open": "state_open",
    "stat_opening": "state_opening", "stat_stopped": "state_stopped",
    "stat_unlocked": "state_unlocked", "stat_unlocking": "state_unlocking",
    "stat_t": "state_topic", "stat_tpl": "state_template",
    "stat_val_tpl": "state_value_template", "step": "step", "stype": "subtype",
    "sug_dsp_prc": "suggested_display_precision", "sup_clrm": "supported_color_modes",
    "sup_dur": "support_duration", "sup_vol": "support_volume_set",
    "sup_feat": "supported_features", "swing_h_mode_cmd_tpl":
    "swing_horizontal_mode_command_template",
    "swing_h_mode_cmd_t": "swing_horizontal_mode_command_topic",
    "swing_h_mode_stat_tpl": "swing_horizontal_mode_state_template",
    "swing_h_mode_stat_t": "swing_horizontal_mode_state_topic",
    "swing_h_modes": "swing_horizontal_modes",
    "swing_mode_cmd_tpl": "swing_mode_command_template",
    "swing_mode_cmd_t": "swing_mode_command_topic",
    "swing_mode_stat_tpl": "swing_mode_state_template",
    "swing_mode_stat_t": "swing_mode_state_topic", "t": "topic",
    "temp_cmd_tpl": "temperature_command_template", "temp_cmd_t": "temperature_command_topic",
    "temp_hi_cmd_tpl": "temperature_high_command_template",
    "temp_hi_cmd_t": "temperature_high_command_topic",
    "temp_hi_stat_tpl": "temperature_high_state_template",
    "temp_hi_stat_t": "temperature_high_state_topic",
    "temp_lo_cmd_tpl": "temperature_low_command_template",
    "temp_lo_cmd_t": "temperature_low_command_topic",
    "temp_lo_stat_tpl": "temperature_low_state_template",
    "temp_lo_stat_t": "temperature_low_state_topic",
    "temp_stat_tpl": "temperature_state_template", "temp_stat_t": "temperature_state_topic",
    "temp_unit": "temperature_unit", "tilt_clsd_val": "tilt_closed_value",
    "tilt_cmd_t": "tilt_command_topic", "tilt_cmd_tpl": "tilt_command_template",
    "tilt_inv_stat": "tilt_invert_state", "tilt_max": "tilt_max", "tilt_min": "tilt_min",
    "tilt_opnd_val": "tilt_opened_value", "tilt_opt": "tilt_optimistic",
    "tilt_status_t": "tilt_status_topic", "tilt_status_tpl": "tilt_status_template",
    "tit": "title", "trns": "transition", "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement", "url_t": "url_topic", "url_tpl": "url_template",
    "val_tpl": "value_template", "whit_cmd_t": "white_command_topic",
    "whit_scl": "white_scale", "xy_cmd_t": "xy_command_topic",
    "xy_cmd_tpl": "xy_command_template", "xy_stat_t": "xy_state_topic",
    "xy_val_tpl": "xy_value_template",
})
"""Top-level keys (and each availability item, and each ``cmps`` entry)."""

DEVICE_ABBREVIATIONS: Mapping[str, str] = MappingProxyType({
    "cns": "connections", "cu": "configuration_url", "ids": "identifiers", "name": "name",
    "mf": "manufacturer", "mdl": "model", "mdl_id": "model_id", "hw": "hw_version",
    "sw": "sw_version", "sa": "suggested_area", "sn": "serial_number",
})

ORIGIN_ABBREVIATIONS: Mapping[str, str] = MappingProxyType({
    "name": "name", "sw": "sw_version", "url": "support_url",
})

ABBREVIATION_KEYS: frozenset[str] = frozenset(ABBREVIATIONS)
DEVICE_ABBREVIATION_KEYS: frozenset[str] = frozenset(DEVICE_ABBREVIATIONS)
ORIGIN_ABBREVIATION_KEYS: frozenset[str] = frozenset(ORIGIN_ABBREVIATIONS)

# -- topics and components ---------------------------------------------------------------

SUPPORTED_COMPONENTS: frozenset[str] = frozenset({
    "alarm_control_panel", "binary_sensor", "button", "camera", "climate", "cover",
    "device_automation", "device_tracker", "event", "fan", "humidifier", "image",
    "lawn_mower", "light", "lock", "notify", "number", "scene", "siren", "select", "sensor",
    "switch", "tag", "text", "update", "vacuum", "valve", "water_heater",
})
"""HA mqtt const.py; ``device`` (device-based discovery) is handled apart."""

DEVICE_DISCOVERY_COMPONENT: Final = "device"

NON_ENTITY_COMPONENTS: frozenset[str] = frozenset({"device_automation", "tag"})
"""Discovered items that are not entities (no unique_id, name or state)."""

ID_CHARS: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
"""The characters of a node_id or object_id (HA TOPIC_MATCHER ``[a-zA-Z0-9_-]+``)."""

# -- device, origin, availability (HA schemas.py) ----------------------------------------

DEVICE_STRING_KEYS: frozenset[str] = frozenset({
    "manufacturer", "model", "model_id", "name", "hw_version", "serial_number",
    "sw_version", "via_device", "suggested_area",
})
DEVICE_KEYS: frozenset[str] = DEVICE_STRING_KEYS | {
    "identifiers", "connections", "configuration_url", "via_hub",
}
"""The closed device schema (``via_hub``: deprecated, renamed to ``via_device``)."""

ORIGIN_KEYS: frozenset[str] = frozenset({"name", "sw_version", "support_url"})
"""Origin schema (HA's origin schema is closed too)."""

AVAILABILITY_MODES: frozenset[str] = frozenset({"all", "any", "latest"})
DEFAULT_PAYLOAD_AVAILABLE: Final = "online"
DEFAULT_PAYLOAD_NOT_AVAILABLE: Final = "offline"

SHARED_OPTIONS: tuple[str, ...] = (
    "availability", "availability_mode", "availability_template", "availability_topic",
    "command_topic", "payload_available", "payload_not_available", "state_topic",
)
"""Device-level options of device-based discovery that each component inherits."""

CONFIGURATION_URL_SCHEMES: tuple[str, ...] = ("http://", "https://", "homeassistant://")

# -- value kinds -------------------------------------------------------------------------
# string: HA cv.string (anything but null, a list or an object; numbers are stringified)
# string_or_null, boolean (cv.boolean), int (vol.Coerce(int)), positive_int, float,
# qos (0, 1 or 2 after int coercion), string_list (cv.ensure_list of strings),
# icon ('prefix:name'), url (http/https), template (cv.template), enum:<table key>,
# list:<table key>; a trailing '?' also accepts null.

COMMON_VALUES: Mapping[str, str] = MappingProxyType({
    "name": "string_or_null", "unique_id": "string", "object_id": "string",
    "default_entity_id": "string", "qos": "qos", "retain": "boolean", "encoding": "string",
    "availability_mode": "enum:availability_mode", "enabled_by_default": "boolean",
    "entity_category": "enum:entity_category", "icon": "icon", "entity_picture": "url",
    "payload_available": "string", "payload_not_available": "string",
    "optimistic": "boolean",
})

ENUMS: Mapping[str, frozenset[str]] = MappingProxyType({
    "availability_mode": AVAILABILITY_MODES,
    "entity_category": frozenset({"config", "diagnostic"}),
    "state_class": frozenset({"measurement", "measurement_angle", "total",
                              "total_increasing"}),
    "light_schema": frozenset({"basic", "default", "json", "template"}),
    "color_mode": frozenset({"onoff", "brightness", "color_temp", "hs", "xy", "rgb",
                             "rgbw", "rgbww", "white"}),
    "climate_mode": frozenset({"auto", "off", "cool", "heat", "dry", "fan_only",
                               "heat_cool"}),
    "temperature_unit": frozenset({"C", "F"}),
    "alarm_feature": frozenset({"arm_home", "arm_away", "arm_night", "arm_vacation",
                                "arm_custom_bypass", "trigger"}),
    "number_mode": frozenset({"auto", "box", "slider"}),
    "text_mode": frozenset({"text", "password"}),
    "image_encoding": frozenset({"b64"}),
    "source_type": frozenset({"gps", "router", "bluetooth", "bluetooth_le"}),
    "automation_type": frozenset({"trigger"}),
})
"""Closed value sets; matched after lower-casing where HA lower-cases (``vol.Lower``)."""

LOWERCASED_ENUMS: frozenset[str] = frozenset({"state_class", "light_schema"})

# -- device classes ----------------------------------------------------------------------

SENSOR_NON_NUMERIC_CLASSES: frozenset[str] = frozenset({"date", "enum", "timestamp"})

# Units (HA homeassistant/const.py UnitOf* values).
_PRESSURE = frozenset({"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "inH₂O",
                       "psi"})
_ENERGY = frozenset({"J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal",
                     "kcal", "Mcal", "Gcal"})
_VOLUME = frozenset({"L", "mL", "gal", "fl. oz.", "m³", "ft³", "CCF", "MCF"})
_SPEED = frozenset({"Beaufort", "ft/s", "in/s", "km/h", "kn", "m/s", "mph", "mm/s"})
_VOLUMETRIC_FLUX = frozenset({"in/d", "in/h", "mm/d", "mm/h"})
_LENGTH = frozenset({"mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"})
_TEMPERATURE = frozenset({"°C", "°F", "K"})
_MASS = frozenset({"g", "kg", "mg", "µg", "oz", "lb", "st"})
_INFORMATION = frozenset({"bit", "kbit", "Mbit", "Gbit", "B", "kB", "MB", "GB", "TB", "PB",
                          "EB", "ZB", "YB", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB",
                          "YiB"})
_DATA_RATE = frozenset({"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "B/s", "kB/s", "MB/s",
                        "GB/s", "KiB/s", "MiB/s", "GiB/s"})
_UG_M3 = frozenset({"µg/m³"})
_PPM = frozenset({"ppm"})
_PERCENT = frozenset({"%"})
_NO_UNIT: frozenset[str | None] = frozenset({None})

SENSOR_DEVICE_CLASS_UNITS: Mapping[str, frozenset[str | None]] = MappingProxyType({
    "absolute_humidity": frozenset({"g/m³", "mg/m³"}),
    "apparent_power": frozenset({"mVA", "VA", "kVA"}),
    "aqi": _NO_UNIT,
    "area": frozenset({"m²", "cm²", "km²", "mm²", "in²", "ft²", "yd²", "mi²", "ac", "ha"}),
    "atmospheric_pressure": _PRESSURE,
    "battery": _PERCENT,
    "blood_glucose_concentration": frozenset({"mg/dL", "mmol/L"}),
    "carbon_monoxide": frozenset({"ppm", "mg/m³", "µg/m³"}),
    "carbon_dioxide": _PPM,
    "conductivity": frozenset({"S/cm", "mS/cm", "µS/cm"}),
    "current": frozenset({"A", "mA"}),
    "data_rate": _DATA_RATE,
    "data_size": _INFORMATION,
    "distance": _LENGTH,
    "duration": frozenset({"d", "h", "min", "s", "ms", "µs"}),
    "energy": _ENERGY,
    "energy_distance": frozenset({"kWh/100km", "Wh/km", "mi/kWh", "km/kWh"}),
    "energy_storage": _ENERGY,
    "frequency": frozenset({"Hz", "kHz", "MHz", "GHz"}),
    "gas": frozenset({"CCF", "MCF", "ft³", "m³", "L"}),
    "humidity": _PERCENT,
    "illuminance": frozenset({"lx"}),
    "irradiance": frozenset({"W/m²", "BTU/(h⋅ft²)"}),
    "moisture": _PERCENT,
    "nitrogen_dioxide": frozenset({"µg/m³", "ppb", "ppm"}),
    "nitrogen_monoxide": frozenset({"µg/m³", "ppb"}),
    "nitrous_oxide": _UG_M3,
    "ozone": frozenset({"µg/m³", "ppb", "ppm"}),
    "ph": _NO_UNIT,
    "pm1": _UG_M3,
    "pm10": _UG_M3,
    "pm25": _UG_M3,
    "pm4": _UG_M3,
    "power_factor": frozenset({"%", None}),
    "power": frozenset({"mW", "W", "kW", "MW", "GW", "TW", "BTU/h"}),
    "precipitation": frozenset({"cm", "in", "mm"}),
    "precipitation_intensity": _VOLUMETRIC_FLUX,
    "pressure": _PRESSURE,
    "reactive_energy": frozenset({"varh", "kvarh"}),
    "reactive_power": frozenset({"mvar", "var", "kvar"}),
    "signal_strength": frozenset({"dB", "dBm"}),
    "sound_pressure": frozenset({"dB", "dBA"}),
    "speed": _SPEED | _VOLUMETRIC_FLUX,
    "sulphur_dioxide": frozenset({"µg/m³", "ppb"}),
    "temperature": _TEMPERATURE,
    "temperature_delta": _TEMPERATURE,
    "volatile_organic_compounds": frozenset({"µg/m³", "mg/m³"}),
    "volatile_organic_compounds_parts": frozenset({"ppb", "ppm"}),
    "voltage": frozenset({"µV", "mV", "V", "kV", "MV"}),
    "volume": _VOLUME,
    "volume_flow_rate": frozenset({"m³/h", "m³/min", "m³/s", "ft³/min", "L/h", "L/min",
                                   "L/s", "gal/h", "gal/min", "mL/s"}),
    "volume_storage": _VOLUME,
    "water": frozenset({"CCF", "MCF", "ft³", "m³", "gal", "L"}),
    "weight": _MASS,
    "wind_direction": frozenset({"°"}),
    "wind_speed": _SPEED,
})
"""Sensor device_class → allowed unit_of_measurement (``None``: no unit). A class not
listed here (``monetary``, ``date``, ``enum``, ``timestamp``) takes any unit. Units are
matched exactly (case-sensitive), as HA does."""

_M = frozenset({"measurement"})
_T = frozenset({"total", "total_increasing"})
_ALL_STATE_CLASSES = frozenset({"measurement", "total", "total_increasing"})
_NONE: frozenset[str] = frozenset()

SENSOR_DEVICE_CLASS_STATE_CLASSES: Mapping[str, frozenset[str]] = MappingProxyType({
    "absolute_humidity": _M, "apparent_power": _M, "aqi": _M, "area": _ALL_STATE_CLASSES,
    "atmospheric_pressure": _M, "battery": _M, "blood_glucose_concentration": _M,
    "carbon_monoxide": _M, "carbon_dioxide": _M, "conductivity": _M, "current": _M,
    "data_rate": _M, "data_size": _ALL_STATE_CLASSES, "date": _NONE,
    "distance": _ALL_STATE_CLASSES, "duration": _ALL_STATE_CLASSES, "energy": _T,
    "energy_distance": _M, "energy_storage": _M, "enum": _NONE, "frequency": _M, "gas": _T,
    "humidity": _M, "illuminance": _M, "irradiance": _M, "moisture": _M,
    "monetary": frozenset({"total"}), "nitrogen_dioxide": _M, "nitrogen_monoxide": _M,
    "nitrous_oxide": _M, "ozone": _M, "ph": _M, "pm1": _M, "pm10": _M, "pm25": _M,
    "pm4": _M, "power_factor": _M, "power": _M, "precipitation": _ALL_STATE_CLASSES,
    "precipitation_intensity": _M, "pressure": _M, "reactive_energy": _T,
    "reactive_power": _M, "signal_strength": _M, "sound_pressure": _M, "speed": _M,
    "sulphur_dioxide": _M, "temperature": _M, "temperature_delta": _M, "timestamp": _NONE,
    "volatile_organic_compounds": _M, "volatile_organic_compounds_parts": _M,
    "voltage": _M, "volume": _T, "volume_storage": _M, "volume_flow_rate": _M,
    "water": _T, "weight": _ALL_STATE_CLASSES,
    "wind_direction": frozenset({"measurement_angle"}), "wind_speed": _M,
})
"""Sensor device_class → the state classes HA accepts without a warning."""

SENSOR_TABLE_ADDITIONS: Mapping[str, str] = MappingProxyType({
    "absolute_humidity": "device class (g/m³, mg/m³)",
    "pm4": "device class",
    "reactive_energy": "device class (varh, kvarh)",
    "measurement_angle": "state class, for wind_direction",
    "units": "apparent_power mVA/kVA; carbon_monoxide mg/m³ µg/m³; duration µs; "
             "energy_distance Wh/km; gas/water L, MCF; NO2/O3/SO2/NO ppb(ppm); power mW, "
             "BTU/h; pressure mmHg, inH₂O; reactive_power mvar/kvar; volume_flow_rate "
             "m³/min, m³/s, L/h, L/s, gal/h; VOC mg/m³; length nmi; mass st",
})
"""What the tables add to the 00eb6680 baseline (HA releases up to 2025.10)."""

SENSOR_DEVICE_CLASSES: frozenset[str] = frozenset(
    set(SENSOR_DEVICE_CLASS_STATE_CLASSES) | set(SENSOR_DEVICE_CLASS_UNITS))
NUMBER_DEVICE_CLASSES: frozenset[str] = SENSOR_DEVICE_CLASSES - SENSOR_NON_NUMERIC_CLASSES

BINARY_SENSOR_DEVICE_CLASSES: frozenset[str] = frozenset({
    "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door",
    "garage_door", "gas", "heat", "light", "lock", "moisture", "motion", "moving",
    "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety",
    "smoke", "sound", "tamper", "update", "vibration", "window",
})
COVER_DEVICE_CLASSES: frozenset[str] = frozenset({
    "awning", "blind", "curtain", "damper", "door", "garage", "gate", "shade", "shutter",
    "window",
})

# -- per-component rules -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentRule:
    """What one component's discovery schema requires and allows.

    - ``required``: keys the schema requires (after abbreviation expansion);
    - ``device_classes``: allowed ``device_class`` values (lower-cased), ``None``: the
      component takes no device_class (HA removes it as an unknown key);
    - ``values``: key → value kind (see the value kinds above), on top of
      :data:`COMMON_VALUES`;
    - ``states``: the state payloads the state topic may carry, as
      ``(option, fallback option, default)``; empty: not judged;
    - ``numeric``: the state must be a number (``number``; a sensor decides by its
      options, see ``_ha``).
    """

    required: tuple[str, ...] = ()
    device_classes: frozenset[str] | None = None
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    states: tuple[tuple[str, str | None, str], ...] = ()
    numeric: bool = False
    options_key: str | None = None
    """The option listing the allowed states (``select``: ``options``)."""


def _rule(required: tuple[str, ...] = (), device_classes: frozenset[str] | None = None,
          values: dict[str, str] | None = None, *,
          states: tuple[tuple[str, str | None, str], ...] = (), numeric: bool = False,
          options_key: str | None = None) -> ComponentRule:
    return ComponentRule(required, device_classes, MappingProxyType(values or {}), states,
                         numeric, options_key)


COMPONENT_RULES: Mapping[str, ComponentRule] = MappingProxyType({
    "sensor": _rule(
        ("state_topic",), SENSOR_DEVICE_CLASSES,
        {"state_class": "enum:state_class?", "unit_of_measurement": "string_or_null",
         "expire_after": "positive_int", "force_update": "boolean",
         "suggested_display_precision": "positive_int", "options": "string_list"}),
    "binary_sensor": _rule(
        ("state_topic",), BINARY_SENSOR_DEVICE_CLASSES,
        {"expire_after": "positive_int", "off_delay": "positive_int",
         "force_update": "boolean", "payload_on": "string", "payload_off": "string"},
        states=(("payload_on", None, "ON"), ("payload_off", None, "OFF"))),
    "switch": _rule(
        ("command_topic",), frozenset({"outlet", "switch"}),
        {"payload_on": "string", "payload_off": "string", "state_on": "string",
         "state_off": "string"},
        states=(("state_on", "payload_on", "ON"), ("state_off", "payload_off", "OFF"))),
    "light": _rule(
        ("command_topic",), None,
        {"schema": "enum:light_schema", "brightness_scale": "positive_int",
         "min_mireds": "int", "max_mireds": "int", "min_kelvin": "int", "max_kelvin": "int",
         "effect_list": "string_list", "supported_color_modes": "list:color_mode",
         "payload_on": "string", "payload_off": "string", "brightness": "boolean",
         "white_scale": "positive_int", "flash_time_long": "positive_int",
         "flash_time_short": "positive_int"}),
    "lock": _rule(
        ("command_topic",), None,
        {"payload_lock": "string", "payload_unlock": "string", "payload_open": "string",
         "payload_reset": "string", "state_locked": "string", "state_unlocked": "string",
         "state_locking": "string", "state_unlocking": "string", "state_jammed": "string",
         "state_open": "string", "state_opening": "string"},
        states=(("state_locked", None, "LOCKED"), ("state_unlocked", None, "UNLOCKED"),
                ("state_locking", None, "LOCKING"), ("state_unlocking", None, "UNLOCKING"),
                ("state_jammed", None, "JAMMED"), ("state_open", None, "OPEN"),
                ("state_opening", None, "OPENING"), ("payload_reset", None, "None"))),
    "cover": _rule(
        (), COVER_DEVICE_CLASSES,
        {"position_open": "int", "position_closed": "int", "tilt_min": "int",
         "tilt_max": "int", "tilt_opened_value": "int", "tilt_closed_value": "int",
         "payload_open": "string_or_null", "payload_close": "string_or_null",
         "payload_stop": "string_or_null", "state_open": "string",
         "state_opening": "string", "state_closed": "string", "state_closing": "string",
         "state_stopped": "string", "tilt_optimistic": "boolean"},
        states=(("state_open", None, "open"), ("state_opening", None, "opening"),
                ("state_closed", None, "closed"), ("state_closing", None, "closing"),
                ("state_stopped", None, "stopped"))),
    "climate": _rule(
        (), None,
        {"modes": "list:climate_mode", "temperature_unit": "enum:temperature_unit",
         "min_temp": "float", "max_temp": "float", "temp_step": "float",
         "precision": "float", "preset_modes": "string_list", "fan_modes": "string_list",
         "swing_modes": "string_list", "min_humidity": "float", "max_humidity": "float"}),
    "alarm_control_panel": _rule(
        ("state_topic", "command_topic"), None,
        {"code_arm_required": "boolean", "code_disarm_required": "boolean",
         "code_trigger_required": "boolean", "supported_features": "list:alarm_feature"}),
    "button": _rule(
        ("command_topic",), frozenset({"identify", "restart", "update"}),
        {"payload_press": "string"}),
    "number": _rule(
        ("command_topic",), NUMBER_DEVICE_CLASSES,
        {"min": "float", "max": "float", "step": "float", "mode": "enum:number_mode",
         "unit_of_measurement": "string_or_null", "payload_reset": "string"},
        numeric=True),
    "select": _rule(
        ("command_topic", "options"), None, {"options": "string_list"},
        options_key="options"),
    "event": _rule(
        ("state_topic", "event_types"), frozenset({"doorbell", "button", "motion"}),
        {"event_types": "string_list"}),
    "camera": _rule(("topic",), None, {"image_encoding": "enum:image_encoding"}),
    "siren": _rule(
        ("command_topic",), None,
        {"available_tones": "string_list", "support_duration": "boolean",
         "support_volume_set": "boolean", "payload_on": "string", "payload_off": "string",
         "state_on": "string", "state_off": "string"}),
    "device_tracker": _rule(
        (), None,
        {"source_type": "enum:source_type", "payload_home": "string",
         "payload_not_home": "string", "payload_reset": "string"}),
    "fan": _rule(("command_topic",), None,
                 {"speed_range_min": "int", "speed_range_max": "int",
                  "preset_modes": "string_list"}),
    "humidifier": _rule(("command_topic", "target_humidity_command_topic"),
                        frozenset({"humidifier", "dehumidifier"}),
                        {"min_humidity": "float", "max_humidity": "float",
                         "modes": "string_list"}),
    "text": _rule(("command_topic",), None,
                  {"min": "positive_int", "max": "positive_int", "mode": "enum:text_mode"}),
    "update": _rule((), frozenset({"firmware"}), {}),
    "valve": _rule((), frozenset({"water", "gas"}), {"reports_position": "boolean"}),
    "scene": _rule((), None, {"payload_on": "string"}),
    "image": _rule((), None, {"image_encoding": "enum:image_encoding"}),
    "lawn_mower": _rule(),
    "notify": _rule(("command_topic",)),
    "vacuum": _rule((), None, {"fan_speed_list": "string_list"}),
    "water_heater": _rule((), None, {"temperature_unit": "enum:temperature_unit",
                                     "min_temp": "float", "max_temp": "float"}),
    "tag": _rule(("topic",)),
    "device_automation": _rule(("automation_type", "topic", "type", "subtype"), None,
                               {"automation_type": "enum:automation_type",
                                "type": "string", "subtype": "string",
                                "payload": "string"}),
})

LIGHT_SCHEMA_REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "template": ("command_on_template", "command_off_template"),
})
"""Keys the light template schema requires besides ``command_topic``."""

# -- known top-level keys (HA-KEY-UNKNOWN) -----------------------------------------------

KNOWN_KEYS: frozenset[str] = frozenset(ABBREVIATIONS.values()) | {
    "~", "device", "origin", "components", "platform", "schema", "brightness",
    "color_mode", "effect", "flash", "hs", "rgb", "xy", "white_scale", "transition",
    "entity_picture", "default_entity_id", "suggested_display_precision", "options",
    "last_reset_value_template", "unit_of_measurement", "state_class", "device_class",
    "qos", "retain", "encoding", "unique_id", "object_id", "name", "icon",
    "entity_category", "enabled_by_default", "json_attributes_topic",
    "json_attributes_template", "payload_available", "payload_not_available",
    "availability", "availability_mode", "availability_topic", "availability_template",
    "precision", "temp_step", "fan_modes", "swing_modes", "code", "code_format",
    "event_types", "payload_install", "release_summary", "release_url", "title",
    "display_precision", "image_encoding", "content_type", "url_topic", "url_template",
    "image_topic", "pattern", "activity_state_topic", "activity_value_template",
    "dock_command_topic", "dock_command_template", "pause_command_topic",
    "pause_command_template", "start_mowing_command_topic", "start_mowing_template",
    "power_command_topic", "power_command_template", "target_humidity_command_topic",
    "target_humidity_command_template", "target_humidity_state_topic",
    "target_humidity_state_template", "current_humidity_topic",
    "current_humidity_template", "supported_features", "reports_position",
    "speed_range_min", "speed_range_max", "preset_modes", "entity_id", "min", "max",
    "step", "mode", "migrate_discovery", "payload", "topic", "type", "subtype",
    "automation_type", "value_template", "command_template", "state_value_template",
    "command_off_template", "command_on_template", "available_tones",
    "support_duration", "support_volume_set", "source_type", "payload_home",
    "payload_not_home", "payload_reset", "expire_after", "force_update", "off_delay",
    "last_reset_topic", "state_topic", "command_topic", "optimistic", "modes",
    "temperature_unit", "min_temp", "max_temp", "min_humidity", "max_humidity",
    "position_open", "position_closed", "tilt_min", "tilt_max", "payload_open",
    "payload_close", "payload_stop", "payload_stop_tilt", "payload_lock",
    "payload_unlock", "payload_on", "payload_off", "payload_press", "effect_list",
    "supported_color_modes", "max_mireds", "min_mireds", "max_kelvin", "min_kelvin",
    "brightness_scale", "fan_speed_list", "send_command_topic", "set_fan_speed_topic",
    "flash_time_long", "flash_time_short", "on_command_type", "initial",
}

# -- templates ---------------------------------------------------------------------------

STATE_TEMPLATE_VARIABLES: frozenset[str] = frozenset({
    "value", "value_json", "entity_id", "this",
})
"""Variables HA passes to a state (value) template."""

HA_TEMPLATE_GLOBALS: frozenset[str] = frozenset({
    # Jinja defaults
    "range", "dict", "lipsum", "cycler", "joiner", "namespace", "true", "false", "none",
    "True", "False", "None", "loop",
    # HA helpers/template.py globals
    "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "e", "pi", "tau", "inf", "log",
    "sqrt", "float", "int", "bool", "as_datetime", "as_local", "as_timedelta",
    "as_timestamp", "strptime", "today_at", "relative_time", "time_since", "time_until",
    "timedelta", "now", "utcnow", "states", "is_state", "is_state_attr", "state_attr",
    "state_translated", "has_value", "is_hidden_entity", "expand", "closest", "distance",
    "iif", "min", "max", "average", "median", "statistical_mode", "pack", "unpack", "ord",
    "urlencode", "slugify", "version", "zip", "device_entities", "device_attr",
    "is_device_attr", "device_id", "device_name", "config_entry_id", "config_entry_attr",
    "area_id", "area_name", "area_entities", "area_devices", "areas", "floors",
    "floor_id", "floor_name", "floor_areas", "floor_entities", "labels", "label_id",
    "label_name", "label_description", "label_areas", "label_devices", "label_entities",
    "integration_entities", "issues", "issue", "merge_response", "typeof", "set", "tuple",
    "flatten", "intersect", "difference", "union", "symmetric_difference", "shuffle",
    "combine", "md5", "sha1", "sha256", "sha512", "is_number", "base64_encode",
    "base64_decode", "apply", "as_function", "raise_no_default", "bitwise_and",
    "bitwise_or", "bitwise_xor", "from_json", "to_json", "list",
})
"""Names HA's template environment defines (helpers/template.py); a state template
naming anything else renders it as undefined."""

VALUE_TEMPLATE_KEYS: frozenset[str] = frozenset({
    "value_template", "availability_template", "json_attributes_template",
})
"""The templates rendered with only :data:`STATE_TEMPLATE_VARIABLES` (command templates
get per-command variables such as ``brightness`` or ``position``)."""

# -- runtime -----------------------------------------------------------------------------

RUNTIME_TOPIC_ROLES: tuple[str, ...] = ("state_topic", "json_attributes_topic")
"""Topics whose messages are judged (with the availability topics)."""

PAYLOAD_NONE: Final = "None"
"""The rendered state HA reads as 'unknown' (mqtt const.py PAYLOAD_NONE)."""
