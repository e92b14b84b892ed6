"""The pieces every TXT-record parser is built from. Pure.

- :class:`Service` (one resolved DNS-SD instance) and :class:`_Out` (what a parser
  fills in while it runs; ``_Out.add`` turns errors into warnings for every
  ecosystem but devid's own, which devid observes rather than certifies);
- value kinds: small functions ``text -> (value, problem)`` that check and
  normalise one TXT value (:data:`MAC` → 12 lower-case hex digits, :data:`MAC_COLON`
  → ``AA:BB:CC:DD:EE:FF``, :data:`UUID`, :data:`INT`, ...);
- :class:`F` (one TXT key → one ``ids`` entry of a kind) and :class:`Simple`, a
  parser described entirely as data: fixed vendor and class, which keys carry the
  name, vendor and model, which :class:`F` rows to read, a pattern for the instance
  name, and which ``ids`` entry names the device;
- :class:`ByInstance`: pick a parser by the instance name (Home Assistant matches
  ``_http._tcp`` instances named ``shelly*`` to Shelly, for one).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from devid._codes import REGISTRY
from devid._findings import Finding, Severity, finding
from devid.discovery._txt import Txt

MAX_TEXT = 256


@dataclass(frozen=True, slots=True)
class Service:
    """One resolved DNS-SD service instance, before its TXT record is interpreted."""

    type: str
    """Normalised service type, e.g. ``_devid._tcp`` (no ``.local.``)."""
    instance: str
    """The instance label, e.g. ``Front Door``."""
    fullname: str
    addresses: tuple[str, ...] = ()
    port: int | None = None
    host: str | None = None


@dataclass(slots=True)
class _Out:
    """What a parser fills in (mutable while one parser runs)."""

    svc: Service
    ecosystem: str
    name: str
    id: str | None = None
    vendor: str | None = None
    model: str | None = None
    profile: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def strict(self) -> bool:
        return self.ecosystem == "devid"

    def add(
        self, code: str, message: str, *, severity: Severity | None = None, **evidence: Any
    ) -> None:
        if severity is None and not self.strict and REGISTRY[code].severity is Severity.ERROR:
            severity = Severity.WARNING  # devid observes other ecosystems; it does not certify them
        self.findings.append(
            finding(
                code,
                message,
                subject=self.svc.fullname,
                evidence=evidence or None,
                severity=severity,
            )
        )

    def key(self, txt: Txt, key: str, level: str = "optional") -> str | None:
        """The value of ``key``; ``level`` is ``required``, ``recommended`` or ``optional``."""
        if key not in txt:
            if level == "required":
                self.add("DISC-TXT-MISSING", f"required TXT key {key!r} is missing", key=key)
            elif level == "recommended":
                self.add(
                    "DISC-TXT-MISSING",
                    f"TXT key {key!r} is missing",
                    key=key,
                    severity=Severity.WARNING,
                )
            return None
        value = txt.get(key)
        if value is None:
            self.add("DISC-TXT-NO-VALUE", f"TXT key {key!r} has no value", key=key)
        return value

    def int_key(self, txt: Txt, key: str, lo: int, hi: int, level: str = "optional") -> int | None:
        value = self.key(txt, key, level)
        if value is None:
            return None
        number = _int(value)
        if number is None or not lo <= number <= hi:
            self.add(
                "DISC-TXT-VALUE",
                f"TXT {key}={_clip(value)!r} is not an integer in {lo}..{hi}",
                key=key,
                value=_clip(value),
            )
            return None
        return number

    def value(self, txt: Txt, row: F) -> Any:
        """Read one :class:`F` row: check, normalise, store in ``ids``; ``None`` if unusable."""
        text = self.key(txt, row.key, row.level)
        if not text:
            return None
        value, problem = row.kind(text)
        if problem is not None:
            self.add(
                "DISC-TXT-VALUE",
                f"TXT {row.key}={_clip(text, 80)!r} {problem}",
                key=row.key,
                value=_clip(text),
            )
            return None
        if value is not None and row.into:
            self.ids[row.into] = value
        return value


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _int(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        return None
    return int(text)


# -- value kinds: text -> (normalised value, problem) -------------------------------------

Kind = Callable[[str], tuple[Any, str | None]]

_HEX = frozenset("0123456789abcdefABCDEF")
_MAC_SEPARATORS = re.compile(r"[:.\-]")


def _mac_digits(text: str) -> str | None:
    digits = _MAC_SEPARATORS.sub("", text)
    separated = digits != text
    if len(digits) != 12 or not all(c in _HEX for c in digits):
        return None
    if separated and not re.fullmatch(
        r"[0-9A-Fa-f]{2}([:\-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}",
        text,
    ):
        return None
    return digits.lower()


def TEXT(text: str) -> tuple[Any, str | None]:
    """Any text, clipped to :data:`MAX_TEXT`."""
    return _clip(text), None


def MAC(text: str) -> tuple[Any, str | None]:
    """A MAC address (12 hex digits, bare or ``:``/``-``/``.`` separated) → 12 lower-case hex."""
    digits = _mac_digits(text)
    return (digits, None) if digits else (None, "is not a MAC address")


def MAC_COLON(text: str) -> tuple[Any, str | None]:
    """A MAC-form identifier → ``AA:BB:CC:DD:EE:FF`` (AirPlay ``deviceid``, Bluetooth)."""
    digits = _mac_digits(text)
    if not digits:
        return None, "is not a MAC address (XX:XX:XX:XX:XX:XX)"
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper(), None


def UUID(text: str) -> tuple[Any, str | None]:
    """An RFC 9562 UUID (with or without ``urn:uuid:``) → canonical lower-case form."""
    body = text.removeprefix("urn:uuid:")
    if len(body) not in (32, 36):
        return None, "is not a UUID"
    try:
        return str(uuid.UUID(body)), None
    except ValueError:
        return None, "is not a UUID"


def INT(text: str) -> tuple[Any, str | None]:
    """A decimal integer (at most 20 digits)."""
    number = _int(text)
    return (number, None) if number is not None else (None, "is not a decimal integer")


def DIGITS(text: str) -> tuple[Any, str | None]:
    """A string of decimal digits kept as text (serial numbers with leading zeros)."""
    if text.isascii() and text.isdigit() and len(text) <= 40:
        return text, None
    return None, "is not a string of decimal digits"


def HEX(text: str) -> tuple[Any, str | None]:
    """Hex digits (optionally ``0x``-prefixed) → lower case."""
    body = text[2:] if text[:2].lower() == "0x" else text
    if body and len(body) <= 128 and all(c in _HEX for c in body):
        return body.lower(), None
    return None, "is not hex digits"


def VERSION(text: str) -> tuple[Any, str | None]:
    """A version string: starts with a digit or ``v``, no spaces, at most 64 characters."""
    if re.fullmatch(r"[vV]?[0-9][0-9A-Za-z.+_~-]{0,63}", text):
        return text, None
    return None, "is not a version (digits, dots, no spaces)"


def BOOL(text: str) -> tuple[Any, str | None]:
    """``1``/``0``/``true``/``false``/``yes``/``no`` (any case) → bool."""
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True, None
    if lowered in {"0", "false", "no", "off"}:
        return False, None
    return None, "is not a boolean (1/0, true/false)"


def PATH(text: str) -> tuple[Any, str | None]:
    """An absolute URL path (``/api/v1``)."""
    if text.startswith("/") and " " not in text:
        return _clip(text), None
    return None, "is not an absolute path"


def pattern(regex: str, what: str, group: int | str = 0) -> Kind:
    """A kind that matches ``regex`` (fullmatch) and keeps ``group`` of it."""
    compiled = re.compile(regex)

    def kind(text: str) -> tuple[Any, str | None]:
        m = compiled.fullmatch(text)
        return (m.group(group), None) if m else (None, f"is not {what}")

    return kind


INSTANCE_KINDS: Mapping[str, Kind] = {"mac": MAC, "deviceid": MAC_COLON}
"""Named groups of an instance-name pattern that are normalised (others are text)."""


@dataclass(frozen=True, slots=True)
class F:
    """One TXT key read into ``ids[into]`` as a ``kind``.

    ``role`` (``name``, ``vendor`` or ``model``) also sets that record field from the
    value; ``into=""`` reads the key for its role only.
    """

    key: str
    into: str
    kind: Kind = TEXT
    level: str = "optional"
    role: str | None = None


Parser = Callable[[Txt, _Out], None]


@dataclass(frozen=True, slots=True)
class Simple:
    """A parser described as data.

    - ``id_keys``/``name_keys``/``vendor_keys``/``model_keys``/``copy_keys``: the
      first form (TXT keys copied as text);
    - ``fields``: :class:`F` rows, each checked (a malformed value is a
      ``DISC-TXT-VALUE`` warning and is not stored) and normalised;
    - ``instance``: a regular expression the instance label must match (fullmatch,
      any case); its named groups go into ``ids`` (``mac`` and ``deviceid``
      normalised, see :data:`INSTANCE_KINDS`; a group ``name`` becomes the display
      name). ``instance_level="recommended"`` makes a mismatch ``DISC-INSTANCE-NAME``;
    - ``id_from``: the ``ids`` entries, in order of preference, that name the device
      (record id ``<ecosystem>:<value>``);
    - ``vendor_by_model`` / ``class_by_model``: model prefixes → vendor / device
      class, when the TXT does not say (``AppleTV`` → Apple, ``HWE-SKT`` → outlet).
    """

    ecosystem: str
    id_keys: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()
    vendor: str | None = None
    vendor_keys: tuple[str, ...] = ()
    model_keys: tuple[str, ...] = ()
    profile: str | None = None
    copy_keys: tuple[str, ...] = ()
    fields: tuple[F, ...] = ()
    instance: str | None = None
    instance_level: str = "optional"
    id_from: tuple[str, ...] = ()
    vendor_by_model: tuple[tuple[str, str], ...] = ()
    class_by_model: tuple[tuple[str, str], ...] = ()

    def __call__(self, txt: Txt, out: _Out) -> None:
        out.ecosystem = self.ecosystem
        out.profile = self.profile
        out.vendor = _first(txt, self.vendor_keys) or self.vendor
        out.model = _first(txt, self.model_keys)
        name = _first(txt, self.name_keys)
        if name:
            out.name = name
        native = _first(txt, self.id_keys)
        if native:
            out.ids[self.id_keys[0].lower()] = native
            out.id = f"{self.ecosystem}:{native}"
        for key in self.copy_keys:
            value = txt.get(key)
            if value:
                out.ids[key.lower()] = _clip(value)
        for row in self.fields:
            value = out.value(txt, row)
            if value is not None and row.role:
                setattr(out, row.role, _clip(str(value)))
        if self.instance is not None:
            self._instance(self.instance, out)
        for name_ in self.id_from:
            if out.ids.get(name_) not in (None, ""):
                out.id = f"{self.ecosystem}:{out.ids[name_]}"
                break
        model = out.model or ""
        if out.vendor is None:
            out.vendor = _by_prefix(model, self.vendor_by_model)
        out.profile = _by_prefix(model, self.class_by_model) or out.profile

    def _instance(self, regex: str, out: _Out) -> None:
        m = re.fullmatch(regex, out.svc.instance, re.IGNORECASE)
        if m is None:
            if self.instance_level == "recommended":
                out.add(
                    "DISC-INSTANCE-NAME",
                    "instance name does not have the form the vendor gives",
                    value=out.svc.instance,
                )
            return
        for group, text in m.groupdict().items():
            if not text:
                continue
            if group == "name":
                out.name = _clip(text)
                continue
            value, problem = INSTANCE_KINDS.get(group, TEXT)(text)
            if problem is None:
                out.ids.setdefault(group, value)


def _by_prefix(model: str, table: Iterable[tuple[str, str]]) -> str | None:
    lowered = model.lower()
    return next((value for prefix, value in table if lowered.startswith(prefix.lower())), None)


def _first(txt: Txt, keys: Iterable[str]) -> str | None:
    for key in keys:
        value = txt.get(key)
        if value:
            return _clip(value)
    return None


@dataclass(frozen=True, slots=True)
class ByInstance:
    """Choose a parser by the instance name: the first ``(regex, parser)`` whose regex
    matches the start of the instance label (any case), else ``default``."""

    default: Parser
    rules: tuple[tuple[str, Parser], ...] = ()

    def __call__(self, txt: Txt, out: _Out) -> None:
        for regex, parser in self.rules:
            if re.match(regex, out.svc.instance, re.IGNORECASE):
                parser(txt, out)
                return
        self.default(txt, out)
