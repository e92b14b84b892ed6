"""Thread border routers: ``_meshcop._udp`` (Thread 1.3 §8.4.1.1.1, OpenThread BR). Pure.

Several MeshCoP TXT values are raw bytes, not text: the extended address ``xa``, the
extended PAN id ``xp``, the border agent id ``id``, the state bitmap ``sb``, the active
timestamp ``at``, the partition id ``pt``, the off-mesh-routable prefix ``omr``, the
sequence number ``sq``, the backbone port ``bb``, the domain discriminator ``dd`` and
the vendor OUI ``vo``. :data:`MESHCOP_BINARY` names them so :func:`decode_txt` keeps
their bytes (shown as hex, no ``DISC-TXT-ENCODING``); this parser stores them in
``ids`` as lower-case hex (``sq`` and ``bb`` as integers, ``omr`` also as a prefix).

Some firmware writes a binary value as ASCII hex instead (``xp=695034D148CC4784``: 16
characters where the spec has 8 bytes). devid reads it (lower-cased) and says so in a
``DISC-TXT-VALUE`` warning.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from devid.discovery._parsers_base import F, _clip, _Out
from devid.discovery._txt import Txt


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary MeshCoP value: ``into`` the ids name, ``size`` bytes (``None``: 1..16)."""

    into: str
    size: int | None
    as_int: bool = False


MESHCOP_BINARY_VALUES: Mapping[str, Binary] = {
    "xa": Binary("xa", 8),
    "xp": Binary("xp", 8),
    "id": Binary("border_agent_id", 16),
    "sb": Binary("sb", 4),
    "at": Binary("at", 8),
    "pt": Binary("pt", 4),
    "dd": Binary("dd", 8),
    "omr": Binary("omr", None),
    "vo": Binary("vo", 3),
    "sq": Binary("sq", 1, as_int=True),
    "bb": Binary("bb", 2, as_int=True),
}
"""MeshCoP TXT keys whose values are bytes → how devid stores them."""

MESHCOP_BINARY: frozenset[str] = frozenset(MESHCOP_BINARY_VALUES)

MESHCOP_TEXT: tuple[F, ...] = (
    F("nn", "network_name", role=None),
    F("tv", "thread_version"),
    F("rv", "txt_version"),
    F("dn", "domain_name"),
    F("vn", "", role="vendor"),
    F("mn", "", role="model"),
)

_HEXCHARS = frozenset(b"0123456789abcdefABCDEF")


def _binary(txt: Txt, out: _Out, key: str, spec: Binary) -> None:
    raw = txt.raw(key)
    if raw is None:
        if key in txt:
            out.add("DISC-TXT-NO-VALUE", f"TXT key {key!r} has no value", key=key)
        return
    sizes = range(1, 17) if spec.size is None else (spec.size,)
    if len(raw) in sizes:
        out.ids[spec.into] = int.from_bytes(raw, "big") if spec.as_int else raw.hex()
        return
    if len(raw) % 2 == 0 and len(raw) // 2 in sizes and set(raw) <= _HEXCHARS:
        text = raw.decode("ascii").lower()
        out.ids[spec.into] = int(text, 16) if spec.as_int else text
        out.add(
            "DISC-TXT-VALUE",
            f"TXT {key} is {len(raw)} ASCII hex characters, not {len(raw) // 2} raw bytes"
            " (the Thread spec defines it binary); read as hex",
            key=key,
            value=text,
        )
        return
    want = "1 to 16" if spec.size is None else str(spec.size)
    out.add(
        "DISC-TXT-VALUE",
        f"TXT {key} is {len(raw)} bytes; the Thread spec gives {want}",
        key=key,
        hex=raw[:32].hex(),
    )


def _omr_prefix(value: str) -> str | None:
    """``omr``: one byte of prefix length, then the prefix bytes (OpenThread BR)."""
    raw = bytes.fromhex(value)
    length, body = raw[0], raw[1:]
    if not 1 <= length <= 128 or len(body) * 8 < length or len(body) > 16:
        return None
    try:
        return str(ipaddress.IPv6Network((body.ljust(16, b"\0"), length), strict=False))
    except ValueError:
        return None


def meshcop(txt: Txt, out: _Out) -> None:
    """A Thread border router's ``_meshcop._udp`` record."""
    out.ecosystem = "thread"
    out.profile = "border-router"
    for row in MESHCOP_TEXT:
        value = out.value(txt, row)
        if value is not None and row.role:
            setattr(out, row.role, _clip(str(value)))
    name = txt.get("nn")
    if name is not None and len(name.encode()) > 16:
        out.add(
            "DISC-TXT-VALUE",
            "TXT nn (network name) is longer than 16 bytes",
            key="nn",
            value=_clip(name),
        )
    for key, spec in MESHCOP_BINARY_VALUES.items():
        _binary(txt, out, key, spec)
    omr = out.ids.get("omr")
    if isinstance(omr, str):
        prefix = _omr_prefix(omr)
        if prefix:
            out.ids["omr_prefix"] = prefix
    native = out.ids.get("border_agent_id") or out.ids.get("xa")
    if native:
        out.id = f"thread:{native}"
