"""One result model for scans and suite runs (frozen dataclasses). Pure.

A scan is a :class:`ScanReport`: the :class:`ScannedDevice` s (discovery record
plus the :class:`IdentityVerdict` of the live identity checks) and the findings
that belong to no device. A suite run is a :class:`SuiteRun`: one
:class:`TestResult` per device × test. Every renderer (JSON, JUnit, HTML) and
the SQLite store read these types and nothing else.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from devid._findings import Finding, Severity
from devid.discovery import DeviceRecord

_EMPTY: Mapping[str, str] = MappingProxyType({})


class TestStatus(enum.StrEnum):
    """The outcome of one test on one device."""

    __test__ = False  # not a pytest class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    #: Planned but never run (the run was interrupted, or the device could not be
    #: tested at all): not a pass. ``TestResult.reason`` says why.
    NOT_RUN = "not_run"


@dataclass(frozen=True, slots=True)
class IdentityVerdict:
    """The identity checks of one device.

    ``valid``: the retained token and its chain verified against the trust
    anchors (``None``: not checked, e.g. not a devid device). ``possession``: the
    device answered a fresh challenge correctly (``None``: not challenged).
    """

    valid: bool | None = None
    possession: bool | None = None
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "possession": self.possession,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class ScannedDevice:
    """A discovered device and the verdict of its identity checks."""

    record: DeviceRecord
    identity: IdentityVerdict = field(default_factory=IdentityVerdict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Discovery findings and identity findings together."""
        return self.record.findings + self.identity.findings

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def verdict(self) -> str:
        """``problem`` (an error), ``attention`` (a warning) or ``ok``."""
        severities = {f.severity for f in self.findings}
        if (
            Severity.ERROR in severities
            or self.identity.valid is False
            or self.identity.possession is False
        ):
            return "problem"
        if Severity.WARNING in severities:
            return "attention"
        return "ok"


@dataclass(frozen=True, slots=True)
class ScanReport:
    """The result of one scan."""

    devices: tuple[ScannedDevice, ...]
    findings: tuple[Finding, ...] = ()
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration: float = 0.0
    broker: str | None = None
    interface: str | None = None

    @property
    def has_errors(self) -> bool:
        """True when any device, or the scan itself, has an error finding (exit code 1):
        a scan that found nothing (``SCAN-NO-DEVICES``) or could not read a broker did not
        pass."""
        return any(d.has_errors for d in self.devices) or \
            any(f.severity is Severity.ERROR for f in self.findings)


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test on one device. ``started`` is timezone-aware; ``duration`` in seconds.

    ``reason`` says why a ``not_run`` test did not run (empty otherwise).
    """

    __test__ = False  # not a pytest class

    device_urn: str
    test_id: str
    test_name: str
    status: TestStatus
    findings: tuple[Finding, ...] = ()
    duration: float = 0.0
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "device": self.device_urn,
            "test_id": self.test_id,
            "test_name": self.test_name,
            "status": self.status.value,
            "duration": round(self.duration, 6),
            "started": self.started.isoformat(),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True, slots=True)
class SuiteRun:
    """A profile's suite run on some devices.

    ``devices`` maps each URN to a display name (optional). ``finished`` is
    ``None`` while the run is going on or when it was interrupted. ``number`` is
    the run's ordinal in its results store (0: not stored). A run loaded from the
    store holds a ``not_run`` result for every planned test that has no result.
    """

    profile: str
    run_id: str
    started: datetime
    results: tuple[TestResult, ...] = ()
    finished: datetime | None = None
    devices: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    number: int = field(default=0, compare=False)

    def counts(self) -> dict[str, int]:
        """``{"total", "passed", "failed", "error", "skipped", "not_run"}``."""
        c = Counter(r.status.value for r in self.results)
        return {"total": len(self.results), **{s.value: c.get(s.value, 0) for s in TestStatus}}

    @property
    def ok(self) -> bool:
        """True when every test passed or was skipped (the suite's exit code 0): a test
        that failed, errored or never ran makes the run not pass."""
        return all(r.status in (TestStatus.PASSED, TestStatus.SKIPPED) for r in self.results)

    def device_urns(self) -> list[str]:
        """Every device of the run, in first-result order (then those without results)."""
        return list(dict.fromkeys([*(r.device_urn for r in self.results), *self.devices]))

    def not_run(self) -> list[TestResult]:
        """The planned tests that never ran."""
        return [r for r in self.results if r.status is TestStatus.NOT_RUN]

    def tests(self) -> list[tuple[str, str]]:
        """``(test_id, test_name)`` of every test, in first-result order."""
        return list(dict.fromkeys((r.test_id, r.test_name) for r in self.results))

    def by_test(self) -> dict[str, dict[str, int]]:
        """test id → status → count (the pass/fail chart)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = out.setdefault(r.test_id, {s.value: 0 for s in TestStatus})
            row[r.status.value] += 1
        return out

    @property
    def duration(self) -> float:
        if self.finished is not None:
            return max(0.0, (self.finished - self.started).total_seconds())
        return sum(r.duration for r in self.results)


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """Rebuild a :class:`Finding` from :meth:`Finding.to_dict` output (the store uses it)."""
    return Finding(
        code=str(data["code"]),
        severity=Severity(data["severity"]),
        message=str(data.get("message", "")),
        subject=data.get("subject"),
        evidence=MappingProxyType(dict(data.get("evidence") or {})),
        spec_ref=str(data.get("spec_ref", "")),
        t=data.get("t"),
    )
