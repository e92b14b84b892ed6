"""Device URNs (RFC 9039) as devid/1 accepts them (spec §1). Pure.

The grammar (RFC 9039 §3: the ``mac``, ``ow``, ``org``, ``os`` and ``ops`` bodies)
is the project's one definition, :func:`devid._certs.urn_problem`, the rule device
certificates are checked with; this module adds the fields a scan shows (PEN, product,
serial, MAC). The URN must also be usable as one MQTT topic level (spec §1): no ``/``,
``+``, ``#`` or NUL; they get their own message because they break topics rather than
just the URN form.
"""

from __future__ import annotations

from dataclasses import dataclass

from devid._certs import MAX_URN_LENGTH
from devid._certs import urn_problem as _grammar_problem

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
    # One grammar for the whole project: the one certificates are checked with.
    problem = _grammar_problem(text)
    if problem is not None:
        return problem
    form, _, body = text[8:].partition(":")
    core = body.split("_", 1)[0]  # componentpart (RFC 9039 §3) carries no fields
    if form == "mac":
        return DeviceUrn(text, form, mac=core.lower())
    if form not in ("org", "os", "ops"):
        return DeviceUrn(text, form)
    pen_text, _, rest = core.partition("-")
    pen = int(pen_text)
    if pen >= 2**32:
        return "organisation number (PEN) out of range"
    if form == "ops":
        product, _, serial = rest.partition("-")
        return DeviceUrn(text, form, pen=pen, product=product, serial=serial)
    if form == "os":
        return DeviceUrn(text, form, pen=pen, serial=rest)
    return DeviceUrn(text, form, pen=pen)
