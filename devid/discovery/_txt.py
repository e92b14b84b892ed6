"""DNS-SD TXT records: decode device bytes into key/value pairs, safely. Pure.

RFC 6763 §6 rules enforced here, each breach a finding (never an exception):

- §6.1: the record is a sequence of length-prefixed strings (``DISC-TXT-MALFORMED``
  when a length runs past the end);
- §6.2: the whole record should stay under 1300 bytes (``DISC-TXT-OVERSIZE``);
  devid reads at most :data:`MAX_TXT_BYTES` and drops the rest;
- §6.4: the key is everything before the first ``=``, at least one printable
  US-ASCII character (``DISC-TXT-KEY``), compared case-insensitively; a key seen
  again is ignored (``DISC-TXT-DUPLICATE``); a string without ``=`` is a boolean
  attribute (value ``None``);
- §6.5: values are opaque bytes; devid shows them as UTF-8 and marks any that are
  not (``DISC-TXT-ENCODING``, decoded with U+FFFD replacement characters).

Some service types define binary values (Thread ``_meshcop._udp``: ``xa``, ``xp``,
``id``, ...). The caller names those keys (``binary_keys``): their text form is the
lower-case hex of the bytes and they raise no ``DISC-TXT-ENCODING``. Every value's
exact bytes stay available (:meth:`Txt.raw`), so nothing a device sent is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from devid._findings import Finding, Severity, finding

RECOMMENDED_MAX = 1300
MAX_TXT_BYTES = 8192
MAX_STRINGS = 256

TxtInput = Mapping[bytes, bytes | None] | Mapping[str, str | None] | Sequence[bytes | str] | bytes


@dataclass(frozen=True, slots=True)
class Txt:
    """A decoded TXT record: first occurrence of each key, in record order.

    ``items`` keeps the keys as the device wrote them; :meth:`get` and ``in``
    compare keys case-insensitively (RFC 6763 §6.4). ``raw_items`` holds the same
    keys with each value's exact bytes; ``binary`` the (lower-case) keys whose text
    form in ``items`` is hex because the service defines them as binary.
    """

    items: tuple[tuple[str, str | None], ...] = ()
    findings: tuple[Finding, ...] = ()
    size: int = 0
    _index: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    raw_items: tuple[tuple[str, bytes | None], ...] = ()
    binary: frozenset[str] = frozenset()

    def get(self, key: str) -> str | None:
        return self._index.get(key.lower())

    def raw(self, key: str) -> bytes | None:
        """The exact bytes of ``key``'s value (``None``: absent or no ``=``)."""
        lowered = key.lower()
        for name, value in self.raw_items:
            if name.lower() == lowered:
                return value
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._index

    def as_dict(self) -> dict[str, str | None]:
        return dict(self.items)


def split_wire(data: bytes) -> tuple[list[bytes], bool]:
    """Split TXT RDATA (length-prefixed strings) into strings; ``True`` if truncated."""
    out: list[bytes] = []
    i = 0
    while i < len(data):
        n = data[i]
        chunk = data[i + 1 : i + 1 + n]
        if len(chunk) < n:
            out.append(chunk)
            return out, True
        out.append(chunk)
        i += 1 + n
    return out, False


def _as_bytes(value: bytes | str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def _strings(txt: TxtInput) -> tuple[list[bytes], bool]:
    """Normalise every accepted input form to a list of raw TXT strings."""
    if isinstance(txt, bytes | bytearray | memoryview):
        return split_wire(bytes(txt))
    if isinstance(txt, Mapping):
        strings: list[bytes] = []
        for k, v in txt.items():
            kb = _as_bytes(k)
            strings.append(kb if v is None else kb + b"=" + _as_bytes(v))
        return strings, False
    return [_as_bytes(s) for s in txt], False


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


_KEY = re.compile(rb"[\x20-\x3c\x3e-\x7e]+")


def _key_ok(key: bytes) -> bool:
    """RFC 6763 §6.4: at least one printable US-ASCII character, no '='."""
    return _KEY.fullmatch(key) is not None


def decode_txt(
    txt: TxtInput, *, subject: str | None = None, binary_keys: Iterable[str] = ()
) -> Txt:
    """Decode a TXT record given as wire bytes, raw strings or a key/value mapping.

    ``binary_keys`` (compared case-insensitively) are keys whose values the service
    defines as bytes: their text form is lower-case hex and they are never
    ``DISC-TXT-ENCODING``. Never raises for any content; every breach of RFC 6763 §6
    is a finding.
    """
    binary = frozenset(k.lower() for k in binary_keys)
    strings, truncated = _strings(txt)
    findings: list[Finding] = []
    if truncated:
        findings.append(
            finding(
                "DISC-TXT-MALFORMED",
                "a TXT string's length byte runs past the end of the record",
                subject=subject,
            )
        )
    size = sum(len(s) + 1 for s in strings)
    if size > RECOMMENDED_MAX:
        findings.append(
            finding(
                "DISC-TXT-OVERSIZE",
                f"TXT record is {size} bytes (DNS-SD recommends under {RECOMMENDED_MAX})",
                subject=subject,
                evidence={"size": size, "limit": RECOMMENDED_MAX},
            )
        )
    items: list[tuple[str, str | None]] = []
    raw_items: list[tuple[str, bytes | None]] = []
    index: dict[str, str | None] = {}
    used = 0
    dropped = 0
    for n, raw in enumerate(strings):
        if not raw:
            continue  # RFC 6763 §6.1: an empty string is the "empty TXT record"
        used += len(raw) + 1
        if used > MAX_TXT_BYTES or n >= MAX_STRINGS:
            dropped += 1
            continue
        key_raw, eq, value_raw = raw.partition(b"=")
        if not _key_ok(key_raw):
            key_text, _ = _decode(key_raw)
            findings.append(
                finding(
                    "DISC-TXT-KEY",
                    f"TXT string with an invalid key {key_text[:40]!r} ignored",
                    subject=subject,
                    evidence={"string": _decode(raw[:80])[0]},
                )
            )
            continue
        key = key_raw.decode("ascii")
        is_binary = key.lower() in binary
        if key.lower() in index:
            findings.append(
                finding(
                    "DISC-TXT-DUPLICATE",
                    f"TXT key {key!r} appears again; the first value is used",
                    subject=subject,
                    evidence={
                        "key": key,
                        "ignored": _text(value_raw[:80], is_binary) if eq else None,
                    },
                )
            )
            continue
        value: str | None = None
        if eq and is_binary:
            value = value_raw.hex()
        elif eq:
            value, ok = _decode(value_raw)
            if not ok:
                findings.append(
                    finding(
                        "DISC-TXT-ENCODING",
                        f"TXT value of {key!r} is not UTF-8",
                        subject=subject,
                        evidence={"key": key, "hex": value_raw[:64].hex()},
                    )
                )
        items.append((key, value))
        raw_items.append((key, value_raw if eq else None))
        index[key.lower()] = value
    if dropped:
        findings.append(
            finding(
                "DISC-TXT-OVERSIZE",
                f"{dropped} TXT string(s) beyond devid's limit"
                f" ({MAX_TXT_BYTES} bytes, {MAX_STRINGS} strings) dropped",
                subject=subject,
                evidence={"dropped": dropped, "limit": MAX_TXT_BYTES},
                severity=Severity.WARNING,
            )
        )
    return Txt(
        tuple(items),
        tuple(findings),
        size,
        MappingProxyType(index),
        tuple(raw_items),
        binary,
    )


def _text(raw: bytes, binary: bool) -> str:
    return raw.hex() if binary else _decode(raw)[0]
