"""Identifier schemes other than the device URN (spec devid-1 §1): recognise and check.

devid/1 names a device by an RFC 9039 URN, and also recognises three other schemes a
device or a profile may carry; this module checks any of the four for well-formedness.
Pure: text in, findings out (no I/O).

The schemes are one table, :data:`SCHEMES` (in recognition order); each entry has a
recogniser (does this text look like that scheme?) and a check (what is wrong with it).

========  ==========================================================================
scheme    what is checked
========  ==========================================================================
urn       devid's one URN rule, :func:`devid._certs.urn_problem` (RFC 9039 forms
          devid/1 accepts, usable as one MQTT topic level).
ueid      EAT UEID (RFC 9711 §4.2.1) written as hex (``0x`` prefix, spaces and
          colons allowed): the bytes go through :func:`devid._token.check_ueid`, the
          rule of the token's ``ueid`` claim (type 0x01 random >= 16 bytes, 0x02
          EUI-48/64, 0x03 IMEI of 14 digit bytes).
matter    Matter vendor id, or ``VID:PID`` (hexadecimal, ``0x`` optional): each a
          16-bit number; vendor id 0 and product id 0 are not ids; the test vendors
          0xFFF1-0xFFF4 are a warning (``ID-MATTER-TEST-VENDOR``) in production.
gb28181   GB/T 28181 device code: exactly 20 ASCII decimal digits. Its fields
          (centre code 1-8, industry 9-10, type 11-13, network 14, serial 15-20) are
          reported, not judged: see :func:`gb28181_fields`.
========  ==========================================================================

What is *not* checked, and why: for GB/T 28181 the values of the fields (whether
digits 1-8 name an administrative division of GB/T 2260, whether the industry, type
and network codes are assigned in the standard's tables) — those tables are outside
devid and change between editions, and a wrong table would reject real cameras. For
Matter, whether a vendor id is allocated by the CSA (that needs the Distributed
Compliance Ledger). For URNs, whether the PEN is assigned by IANA.

Public surface::

    check_identifier(text, scheme=None, *, production=True) -> IdentifierResult
    recognise(text) -> str | None                    # the scheme name, or None
    matter_id_problem(vid, pid=None) -> str | None   # shared with the DNS-SD parser
    identifier_problem(scheme, text) -> (code, reason) | None   # the check engine's rule
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, get_args

from devid._findings import Finding, finding, has_errors

SchemeName = Literal["urn", "ueid", "matter", "gb28181"]
SCHEME_NAMES: tuple[str, ...] = get_args(SchemeName)

MALFORMED = "ID-IDENTIFIER-MALFORMED"
UNKNOWN = "ID-IDENTIFIER-UNKNOWN"
TEST_VENDOR = "ID-MATTER-TEST-VENDOR"

#: Matter Core: vendor ids 0xFFF1-0xFFF4 are reserved for testing.
MATTER_TEST_VENDORS = range(0xFFF1, 0xFFF5)
#: Inputs longer than this are not parsed further (no identifier here is near it).
MAX_TEXT = 1024
_SHOWN = 80

Problem = tuple[str, str]  # (code, reason) — the reason never repeats the value


# ---------------------------------------------------------------------------------------
# the checks, one per scheme: text -> problems (code, reason)
# ---------------------------------------------------------------------------------------


def _urn(text: str) -> list[Problem]:
    from devid._certs import urn_problem

    problem = urn_problem(text)
    return [] if problem is None else [(MALFORMED, f"not a devid/1 device URN: {problem}")]


_HEX_SEPARATORS = str.maketrans("", "", " :\t")


def _ueid(text: str) -> list[Problem]:
    from devid._token import check_ueid

    body = text.strip()
    body = body[2:] if body[:2] in ("0x", "0X") else body
    body = body.translate(_HEX_SEPARATORS)
    if not body.isascii() or not re.fullmatch(r"[0-9A-Fa-f]*", body) or len(body) % 2:
        return [(MALFORMED, "a UEID is written as hexadecimal bytes (an even number of hex "
                            "digits)")]
    problem = check_ueid(bytes.fromhex(body))
    return [] if problem is None else [(MALFORMED, f"not an EAT UEID (RFC 9711 §4.2.1): "
                                                   f"{problem}")]


def matter_id_problem(vid: int, pid: int | None = None) -> str | None:
    """Why ``vid`` (and ``pid``) are not a Matter vendor (product) id, or ``None``.

    Both are 16-bit; 0 is neither a vendor id nor a product id. A test vendor id
    (:data:`MATTER_TEST_VENDORS`) is well-formed: see :func:`is_matter_test_vendor`.
    """
    if not 1 <= vid <= 0xFFFF:
        return f"vendor id {vid} is not in 1..65535 (0x0001-0xFFFF)"
    if pid is not None and not 1 <= pid <= 0xFFFF:
        return f"product id {pid} is not in 1..65535 (0x0001-0xFFFF)"
    return None


def is_matter_test_vendor(vid: int) -> bool:
    """True for the Matter test vendor ids 0xFFF1-0xFFF4."""
    return vid in MATTER_TEST_VENDORS


_MATTER_PART = re.compile(r"(?:0[xX])?([0-9A-Fa-f]{1,8})")


def _matter(text: str, production: bool) -> list[Problem]:
    vid_text, sep, pid_text = text.strip().partition(":")
    vid_m = _MATTER_PART.fullmatch(vid_text)
    pid_m = _MATTER_PART.fullmatch(pid_text) if sep else None
    if vid_m is None or (sep and pid_m is None):
        return [(MALFORMED, "a Matter id is VID or VID:PID in hexadecimal (e.g. 0xFFF1:0x8000)")]
    vid = int(vid_m.group(1), 16)
    pid = int(pid_m.group(1), 16) if pid_m is not None else None
    problem = matter_id_problem(vid, pid)
    if problem is not None:
        return [(MALFORMED, problem)]
    if production and is_matter_test_vendor(vid):
        return [(TEST_VENDOR, f"vendor id 0x{vid:04X} is a Matter test vendor (0xFFF1-0xFFF4)")]
    return []


GB28181_LENGTH = 20
#: GB/T 28181 (coding rule A): the fields of the 20-digit code, 1-based inclusive digits.
GB28181_FIELDS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "centre": (1, 8),      # centre code: administrative division (GB/T 2260) + unit
    "industry": (9, 10),   # industry code
    "type": (11, 13),      # device/user type code
    "network": (14, 14),   # network identifier
    "serial": (15, 20),    # device/user serial number
})


def gb28181_fields(code: str) -> dict[str, str]:
    """The fields of a well-formed 20-digit GB/T 28181 code, by name (not judged)."""
    return {name: code[a - 1:b] for name, (a, b) in GB28181_FIELDS.items()}


def _gb28181(text: str) -> list[Problem]:
    n = len(text)
    if n != GB28181_LENGTH:
        return [(MALFORMED, f"a GB/T 28181 device code is {GB28181_LENGTH} digits, "
                            f"not {n} characters")]
    for i, ch in enumerate(text, 1):
        if not "0" <= ch <= "9":
            return [(MALFORMED, f"character {i} of a GB/T 28181 device code is not an ASCII "
                                "decimal digit")]
    return []


# ---------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------


def _is_urn(text: str) -> bool:
    return text[:4].lower() == "urn:"


def _is_gb28181(text: str) -> bool:
    """20 digits; 19 or 21 digits too (a digit dropped or doubled: a hex UEID always has an
    even length, so nothing else is lost), to say what is wrong rather than "unknown"."""
    return len(text) in (GB28181_LENGTH - 1, GB28181_LENGTH, GB28181_LENGTH + 1) \
        and text.isascii() and text.isdigit()


_MATTER_SHAPE = re.compile(r"0[xX][0-9A-Fa-f]{1,8}|(?:0[xX])?[0-9A-Fa-f]{1,8}:(?:0[xX])?"
                           r"[0-9A-Fa-f]{1,8}")


def _is_matter(text: str) -> bool:
    return _MATTER_SHAPE.fullmatch(text) is not None


_UEID_SHAPE = re.compile(r"(?:0[xX])?0[123](?:[0-9A-Fa-f]{2}){6,32}")


def _is_ueid(text: str) -> bool:
    return _UEID_SHAPE.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class IdentifierScheme:
    """One row of :data:`SCHEMES`."""

    name: str
    title: str
    #: True when a text has this scheme's shape (used when no scheme is named).
    recognise: Callable[[str], bool]
    #: The problems of a text of this scheme; the flag says "production context".
    check: Callable[[str, bool], list[Problem]]
    #: A well-formed example (profiles' example values, docs).
    example: str


#: The schemes, in recognition order (the first recogniser that accepts a text wins).
SCHEMES: Mapping[str, IdentifierScheme] = MappingProxyType({s.name: s for s in (
    IdentifierScheme("urn", "devid URN (RFC 9039)", _is_urn,
                     lambda t, _p: _urn(t), "urn:dev:ops:32473-Example-0001"),
    IdentifierScheme("gb28181", "GB/T 28181 device code", _is_gb28181,
                     lambda t, _p: _gb28181(t), "34020000001320000001"),
    IdentifierScheme("matter", "Matter vendor/product id", _is_matter,
                     _matter, "0xFFF1:0x8000"),
    IdentifierScheme("ueid", "EAT UEID (RFC 9711)", _is_ueid,
                     lambda t, _p: _ueid(t), "01" + "00112233445566778899aabbccddeeff"),
)})


def recognise(text: str) -> str | None:
    """The name of the first scheme whose shape ``text`` has, or ``None``."""
    if len(text) > MAX_TEXT:
        return None
    for scheme in SCHEMES.values():
        if scheme.recognise(text):
            return scheme.name
    return None


def identifier_example(scheme: str) -> str:
    """A well-formed identifier of ``scheme`` (KeyError for an unknown scheme)."""
    return SCHEMES[scheme].example


# ---------------------------------------------------------------------------------------
# public entry points
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdentifierResult:
    """The verdict on one identifier: its scheme (``None`` when unrecognised)."""

    input: str
    scheme: str | None
    valid: bool
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``devid verify id --json`` line."""
        return {"input": self.input, "scheme": self.scheme, "valid": self.valid,
                "findings": [f.to_dict() for f in self.findings]}


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _problems(scheme: str, text: str, production: bool) -> list[Problem]:
    if len(text) > MAX_TEXT:
        return [(MALFORMED, f"longer than {MAX_TEXT} characters")]
    return SCHEMES[scheme].check(text, production)


def check_identifier(text: str, scheme: str | None = None, *,
                     production: bool = True) -> IdentifierResult:
    """Check ``text`` as an identifier of ``scheme`` (one of :data:`SCHEME_NAMES`).

    With ``scheme=None`` the scheme is recognised from the text's shape; a text of no
    known shape is one ``ID-IDENTIFIER-UNKNOWN`` finding. ``production`` makes a Matter
    test vendor id an ``ID-MATTER-TEST-VENDOR`` warning. Never raises for any text;
    an unknown ``scheme`` name is a programming error (``ValueError``).
    """
    if scheme is not None and scheme not in SCHEMES:
        raise ValueError(f"unknown identifier scheme {scheme!r}; one of {SCHEME_NAMES}")
    shown = _clip(text)
    name = scheme if scheme is not None else recognise(text)
    if name is None:
        f = finding(UNKNOWN, "not a devid URN, EAT UEID (hex), Matter VID[:PID] (hex) or "
                    "20-digit GB/T 28181 device code", subject=shown, evidence={"value": shown})
        return IdentifierResult(text, None, False, (f,))
    out: list[Finding] = []
    for code, reason in _problems(name, text, production):
        out.append(finding(code, reason, subject=shown,
                           evidence={"scheme": name, "value": shown}))
    return IdentifierResult(text, name, not has_errors(out), tuple(out))


def identifier_problem(scheme: str, text: str) -> Problem | None:
    """The first problem of ``text`` as a ``scheme`` identifier in production, or ``None``.

    Used by the message check engine (profiles' ``format:``); cached, because a device
    repeats the same identifier in every state message (only texts of at most
    :data:`MAX_TEXT` characters reach the bounded cache).
    """
    if len(text) > MAX_TEXT:
        return (MALFORMED, f"longer than {MAX_TEXT} characters")
    return _cached_problem(scheme, text)


@lru_cache(maxsize=1024)
def _cached_problem(scheme: str, text: str) -> Problem | None:
    problems = SCHEMES[scheme].check(text, True)
    return problems[0] if problems else None


__all__ = [
    "GB28181_FIELDS",
    "MATTER_TEST_VENDORS",
    "SCHEMES",
    "SCHEME_NAMES",
    "IdentifierResult",
    "IdentifierScheme",
    "SchemeName",
    "check_identifier",
    "gb28181_fields",
    "identifier_example",
    "identifier_problem",
    "is_matter_test_vendor",
    "matter_id_problem",
    "recognise",
]
