"""The Homie 4 and 5 rules devid applies, as data (see docs/homie.md).

Everything a rule depends on that differs between the two major versions sits
here: the lifecycle states, the datatypes, which datatypes need a ``format``,
the colour encodings, the attributes a v4 device/node/property must publish and
the fields of the v5 ``$description`` document. :mod:`devid.ecosystems._homie`
reads these tables; it holds no version-specific literals of its own.

Sources: the Homie convention text, ``convention.md`` of homieiot/convention
(tag v4.0.0 and the 4.x develop text for Homie 4; commit 063301d and the later
5.0 text for Homie 5). Section names are cited as ``Homie 4 §...`` / ``Homie 5 §...``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

# -- limits (devid's, not the convention's) -----------------------------------------------
MAX_PAYLOAD: Final = 64 * 1024
"""Payloads larger than this are not judged (HOMIE-LIMIT)."""
MAX_DEVICES: Final = 10_000
MAX_NODES: Final = 256
"""Nodes judged per device."""
MAX_PROPERTIES: Final = 2_048
"""Properties tracked per device (all nodes together)."""
MAX_PENDING: Final = 8
"""Values buffered per property until its description is known."""
MAX_KEYS_PER_DEVICE: Final = 4_096
"""Distinct runtime findings kept per device (the rest are counted only)."""
MAX_LISTED: Final = 1_024
"""Entries read from one comma list ($nodes, $properties, enum formats, children)."""
PREBUFFER_MESSAGES: Final = 256
PREBUFFER_BYTES: Final = 1024 * 1024
"""Messages under a root not yet known as Homie, kept until the root is learned."""
EVIDENCE_CUT: Final = 256
"""Strings in evidence are cut to this many characters."""
MAX_UNKNOWN_REPORTED: Final = 16
"""Unknown description fields named per object."""

# -- topic ids (Homie 4 §Topic IDs, Homie 5 §Topic IDs) -----------------------------------
ID_CHARS: Final = re.compile(r"[a-z0-9-]+")
"""A topic level id: lowercase letters, digits and hyphens, not empty."""

# -- lifecycle (Homie 4 §Device Lifecycle, Homie 5 §Device Lifecycle) ---------------------
STATES: Final = MappingProxyType({
    4: frozenset({"init", "ready", "disconnected", "sleeping", "lost", "alert"}),
    # v5 replaced the `alert` state by the $alert topic (convention #283).
    5: frozenset({"init", "ready", "disconnected", "sleeping", "lost"}),
})
READY: Final = "ready"
INIT: Final = "init"
FROZEN_STATES: Final = frozenset({"ready", "sleeping", "alert"})
"""States in which the description/attributes must not change (Homie 4/5 §Device Lifecycle,
Homie 5 §Device Attributes: $description changes only in init, disconnected or lost)."""

# -- datatypes (Homie 4 §Property Attributes, Homie 5 §Property Attributes) ---------------
DATATYPES: Final = MappingProxyType({
    # v4.0.0 lists the first six; the 4.x text added datetime and duration.
    4: frozenset({"integer", "float", "boolean", "string", "enum", "color",
                  "datetime", "duration"}),
    5: frozenset({"integer", "float", "boolean", "string", "enum", "color",
                  "datetime", "duration", "json"}),
})
FORMAT_REQUIRED: Final = frozenset({"enum", "color"})
"""Datatypes whose format is required (Homie 4 §Property Attributes; Homie 5 §Formats)."""
RANGE_TYPES: Final = frozenset({"integer", "float"})

COLOR_FORMATS: Final = MappingProxyType({4: ("rgb", "hsv"), 5: ("rgb", "hsv", "xyz")})
COLOR_RANGES: Final = MappingProxyType({
    "rgb": ((0.0, 255.0), (0.0, 255.0), (0.0, 255.0)),
    "hsv": ((0.0, 360.0), (0.0, 100.0), (0.0, 100.0)),
    "xyz": ((0.0, 1.0), (0.0, 1.0)),
})

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

INTEGER_RE: Final = re.compile(r"-?[0-9]+")
# Homie 4/5 §Float: digits, one '-', 'e'/'E' and one '.'; nothing else (no '+', no spaces).
FLOAT_RE: Final = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]-?[0-9]+)?")
V4_COLOR_NUMBER_RE: Final = re.compile(r"[0-9]+")
DURATION_RE: Final = re.compile(
    r"PT(?:[0-9]+(?:\.[0-9]+)?H)?(?:[0-9]+(?:\.[0-9]+)?M)?(?:[0-9]+(?:\.[0-9]+)?S)?")
DATETIME_RE: Final = re.compile(
    r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}"
    r"(?:[T ][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]+)?)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?")
BOOLEANS: Final = MappingProxyType({"true": True, "false": False})

V5_EMPTY_STRING: Final = "\x00"
"""Homie 5 §Empty string values: an empty string is sent as one 0x00 byte."""
BOM: Final = "\ufeff"

# -- Homie 4 attributes -------------------------------------------------------------------
V4_VERSION_RE: Final = re.compile(r"4\.[0-9]+(?:\.[0-9]+)?")
V4_DEVICE_REQUIRED: Final = ("$homie", "$name", "$nodes", "$extensions")
"""Homie 4 §Device Attributes: mandatory, "MUST be sent, even if it is just an empty string".
$state is judged by the lifecycle codes."""
V4_SOFT_REQUIRED: Final = frozenset({"$extensions"})
"""Required attributes whose empty value cannot be retained (MQTT deletes a retained topic
on a zero-length payload), so their absence is a warning, not an error."""
V4_DEVICE_KEPT: Final = frozenset({
    "$homie", "$name", "$state", "$nodes", "$extensions", "$implementation",
    "$mac", "$localip", "$fw/name", "$fw/version"})
"""Device attributes devid keeps (the last four come from the legacy-firmware extension)."""
V4_NODE_REQUIRED: Final = ("$name", "$type", "$properties")
V4_NODE_KEPT: Final = frozenset(V4_NODE_REQUIRED)
V4_PROPERTY_REQUIRED: Final = ("$name", "$datatype")
V4_PROPERTY_KEPT: Final = frozenset({
    "$name", "$datatype", "$format", "$settable", "$retained", "$unit"})
V4_BOOLEAN_ATTRS: Final = ("$settable", "$retained")

# -- Homie 5 description (Homie 5 §Device Attributes, §Node Attributes, §Property Attributes)
V5_VERSION_RE: Final = re.compile(r"5\.[0-9]+")
V5_DEVICE_ATTRS: Final = frozenset({"$state", "$description", "$log", "$alert"})
V5_PROPERTY_ATTRS: Final = frozenset({"$target"})

STR: Final = "string"
INT: Final = "integer"
OBJ: Final = "object"
STRS: Final = "array of strings"
BOOL: Final = "boolean"

DEVICE_FIELDS: Final = MappingProxyType({
    "homie": (STR, True), "version": (INT, True), "name": (STR, True),
    "nodes": (OBJ, False), "type": (STR, False), "children": (STRS, False),
    "root": (STR, False), "parent": (STR, False), "extensions": (STRS, False),
})
NODE_FIELDS: Final = MappingProxyType({
    "name": (STR, False), "type": (STR, False), "properties": (OBJ, False),
})
PROPERTY_FIELDS: Final = MappingProxyType({
    "name": (STR, False), "datatype": (STR, True), "format": (STR, False),
    "settable": (BOOL, False), "retained": (BOOL, False), "unit": (STR, False),
})
PROPERTY_HINTS: Final = frozenset({"datatype", "settable", "retained", "format", "unit"})
"""Keys that make an object found directly in a node look like a misplaced property."""
FIELD_ALIASES: Final = MappingProxyType({"type": "datatype"})
"""Property fields commonly written under another name (a hint in the finding)."""

# -- severities of the few rules whose weight depends on the version ----------------------
HYPHEN_IS_ERROR: Final = MappingProxyType({4: True, 5: False})
"""Homie 4 §Topic IDs: "MUST NOT start or end with a hyphen". The Homie 5 drafts kept
the sentence; the current Homie 5 text no longer has it, so for v5 it is a warning."""
