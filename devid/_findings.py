"""Findings: the one result type every devid check returns.

A check never raises because a device (or a file) misbehaved: it returns
:class:`Finding` objects. Exceptions are kept for misuse of the library and for
I/O errors of the caller's own files.

Every code a check may emit is declared once, in :mod:`devid._codes`, with its
default severity, its meaning and the clause of the standard it enforces.
:func:`finding` looks the code up, so a finding can never carry an unknown code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


class Severity(enum.StrEnum):
    """How bad a finding is. ``error`` makes a verdict invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """The registry entry of one finding code."""

    code: str
    severity: Severity
    meaning: str
    spec_ref: str


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation a check made about a device, a file or a message.

    ``evidence`` holds JSON-friendly values (str, int, float, bool, None, lists
    and dicts of those) that back the message: the offending value, the limit,
    the topic. ``t`` is the receive time of the message a finding is about
    (Unix seconds), when there is one.
    """

    code: str
    severity: Severity
    message: str
    subject: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    spec_ref: str = ""
    t: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape of ``--json`` output)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "subject": self.subject,
            "evidence": dict(self.evidence),
            "spec_ref": self.spec_ref,
        }
        if self.t is not None:
            out["t"] = self.t
        return out

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


#: Integers wider than this are shown by their size, not their digits: Python refuses to
#: print integers of more than 4,300 digits, and no device value needs more than 1,024 bits.
MAX_INT_BITS = 1024


def bounded(value: Any, depth: int = 0) -> Any:
    """``value`` with every integer wider than :data:`MAX_INT_BITS` replaced by a short
    description (``<integer of about 6,021 digits>``); containers are walked (8 levels,
    64 items each; deeper or longer ones are shown as their type and size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() <= MAX_INT_BITS:
            return value
        digits = int(value.bit_length() * 0.30103) + 1
        return f"<{'negative ' if value < 0 else ''}integer of about {digits:,} digits>"
    if isinstance(value, str | float | bool | bytes) or value is None:
        return value
    if depth >= 8:
        return f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        if len(value) > 64:
            return f"<map of {len(value)} items>"
        return {bounded(k, depth + 1) if not isinstance(k, str) else k: bounded(v, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        if len(value) > 64:
            return f"<array of {len(value)} items>"
        return [bounded(v, depth + 1) for v in value]
    return value


def safe_repr(value: Any, limit: int = 120) -> str:
    """``repr(value)`` cut to ``limit`` characters, whatever the value (huge integers too)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = repr(bounded(value))
    return text if len(text) <= limit else text[:limit] + "..."


def finding(
    code: str,
    message: str,
    *,
    subject: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    t: float | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a registered ``code``.

    Severity and ``spec_ref`` come from the registry; ``severity`` may override
    the default where a documented rule says so (e.g. Matter fields a
    commissioner is told to ignore). An unregistered code is a programming
    error and raises ``KeyError``.
    """
    from devid._codes import REGISTRY

    spec = REGISTRY[code]
    return Finding(
        code=code,
        severity=severity if severity is not None else spec.severity,
        message=message,
        subject=subject,
        evidence=MappingProxyType({k: bounded(v) for k, v in evidence.items()})
        if evidence else _EMPTY,
        spec_ref=spec.spec_ref,
        t=t,
    )


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error (the verdict is then invalid)."""
    return any(f.severity is Severity.ERROR for f in findings)
