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
        evidence=MappingProxyType(dict(evidence)) if evidence else _EMPTY,
        spec_ref=spec.spec_ref,
        t=t,
    )


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error (the verdict is then invalid)."""
    return any(f.severity is Severity.ERROR for f in findings)
