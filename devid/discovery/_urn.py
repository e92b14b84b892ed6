"""Device URNs (RFC 9039) as devid/1 accepts them (spec §1). Pure.

RFC 9039 §3 grammar, of which devid/1 accepts the ``mac``, ``org``, ``os`` and
``ops`` bodies::

    devurn     = "urn:dev:" body componentpart
    macbody    = %s"mac:" hexstring
    orgbody    = %s"org:" posnumber "-" identifier
    osbody     = %s"os:" posnumber "-" serial
    opsbody    = %s"ops:" posnumber "-" product "-" serial
    product    = 1*(ALPHA / DIGIT / ".")            ; no dash
    serial     = identifier = 1*(ALPHA / DIGIT / "." / "-")
    componentpart = *( "_" identifier )
    hexstring  = 1*(hexdigit hexdigit)             ; lower-case a-f

The URN must also be usable as one MQTT topic level (spec §1): no ``/``,
``+``, ``#`` or NUL. The grammar already excludes them; they get their own
message because they break topics rather than just the URN form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_URN_LENGTH = 256

_ID = r"[A-Za-z0-9.\-]+"
_PRODUCT = r"[A-Za-z0-9.]+"
_POS = r"[1-9][0-9]*"
_COMPONENTS = rf"((?:_{_ID})*)"
_BODIES = {
    "mac": re.compile(rf"mac:((?:[0-9a-f]{{2}})+){_COMPONENTS}"),
    "org": re.compile(rf"org:({_POS})-({_ID}){_COMPONENTS}"),
    "os": re.compile(rf"os:({_POS})-({_ID}){_COMPONENTS}"),
    "ops": re.compile(rf"ops:({_POS})-({_PRODUCT})-({_ID}){_COMPONENTS}"),
}
_OTHER = re.compile(r"([a-z][a-z0-9]*):")
_FORBIDDEN = {"/": "'/'", "+": "'+'", "#": "'#'", "\x00": "NUL"}


@dataclass(frozen=True, slots=True)
class DeviceUrn:
    """A parsed device URN. ``pen`` is the organisation number (org/os/ops forms)."""

    urn: str
    form: str
    pen: int | None = None
    product: str | None = None
    serial: str | None = None
    mac: str | None = None


def urn_problem(text: str) -> str | None:
    """Why ``text`` is not a device URN devid/1 accepts, or ``None`` when it is."""
    parsed = parse_urn(text)
    return parsed if isinstance(parsed, str) else None


def is_device_urn(text: str) -> bool:
    """True when ``text`` is a device URN devid/1 accepts."""
    return not isinstance(parse_urn(text), str)


def parse_urn(text: str) -> DeviceUrn | str:
    """Parse a device URN; a ``str`` result is the reason it is not one."""
    if not isinstance(text, str):
        return "not a string"
    if not text:
        return "empty"
    if len(text) > MAX_URN_LENGTH:
        return f"{len(text)} characters, longer than {MAX_URN_LENGTH}"
    bad = [name for ch, name in _FORBIDDEN.items() if ch in text]
    if bad:
        return f"contains {', '.join(bad)}, which cannot be used in one MQTT topic level"
    # RFC 8141 §3: "urn" and the NID are case-insensitive; the body is not.
    if text[:8].lower() != "urn:dev:":
        return "does not start with urn:dev:"
    body = text[8:]
    for form, pattern in _BODIES.items():
        if not body.startswith(form + ":"):
            continue
        m = pattern.fullmatch(body)
        if m is None:
            return f"not a valid urn:dev:{form}: identifier (RFC 9039 §3)"
        if form == "mac":
            if len(m.group(1)) not in (12, 16):
                return "urn:dev:mac: needs an EUI-48 or EUI-64 (12 or 16 hex digits)"
            return DeviceUrn(text, form, mac=m.group(1))
        pen = int(m.group(1))
        if pen >= 2**32:
            return "organisation number (PEN) out of range"
        if form == "ops":
            return DeviceUrn(text, form, pen=pen, product=m.group(2), serial=m.group(3))
        if form == "os":
            return DeviceUrn(text, form, pen=pen, serial=m.group(2))
        return DeviceUrn(text, form, pen=pen)
    other = _OTHER.match(body)
    if other:
        return f"the urn:dev:{other.group(1)}: form is not one devid/1 accepts (mac, org, os, ops)"
    return "no valid urn:dev: body (RFC 9039 §3)"
