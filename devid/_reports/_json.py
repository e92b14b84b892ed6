"""JSON renderings of scans and suite runs. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from devid._reports._model import ScannedDevice, ScanReport, SuiteRun


def device_to_dict(device: ScannedDevice, *, extended: bool = False) -> dict[str, Any]:
    """One device in the scan's JSON shape (``extended`` adds vendor, model, ids, ...)."""
    rec = device.record
    out: dict[str, Any] = {
        "id": rec.id,
        "ecosystem": rec.ecosystem,
        "name": rec.name,
        "sources": list(rec.sources),
        "addresses": list(rec.addresses),
        "profile": rec.profile,
        "identity": device.identity.to_dict(),
        "findings": [f.to_dict() for f in rec.findings],
    }
    if rec.entities or rec.ecosystem in ("ha", "homie"):
        out.update(vendor=rec.vendor, model=rec.model,
                   entities=[dict(e) for e in rec.entities])
    if extended:
        out.update(
            vendor=rec.vendor,
            model=rec.model,
            ids=dict(rec.ids),
            port=rec.port,
            host=rec.host,
            services=list(rec.services),
            txt={svc: dict(kv) for svc, kv in rec.txt.items()},
            status=dict(rec.status) if rec.status is not None else None,
        )
    return out


def scan_to_dict(report: ScanReport, *, extended: bool = False,
                 trace: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The scan JSON: exactly ``{"devices": [...], "findings": [...]}`` unless ``extended``.

    Each device is ``{"id", "ecosystem", "name", "sources", "addresses", "profile",
    "identity": {"valid", "possession", "findings"}, "findings"}``; ``extended``
    adds device details and the scan's ``started``, ``duration`` and ``broker``;
    ``trace`` (docs/signing.md) adds ``"trace"``.
    """
    out: dict[str, Any] = {
        "devices": [device_to_dict(d, extended=extended) for d in report.devices],
        "findings": [f.to_dict() for f in report.findings],
    }
    if extended:
        out.update(
            started=report.started.isoformat(),
            duration=round(report.duration, 3),
            broker=report.broker,
            interface=report.interface,
        )
    if trace is not None:
        out["trace"] = dict(trace)
    return out


def suite_to_dict(run: SuiteRun, *, trace: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The suite run JSON: run metadata, a summary of counts and every result.

    ``summary`` is ``{total, passed, failed, error, skipped}``, plus ``not_run`` when
    some planned test never ran (each such result has status ``not_run`` and a
    ``reason``); ``ok`` is the run's verdict (the exit code 0); ``trace``
    (docs/signing.md) adds ``"trace"``.
    """
    summary = run.counts()
    if not summary["not_run"]:
        del summary["not_run"]  # a complete run keeps the shape reports always had
    out: dict[str, Any] = {
        "profile": run.profile,
        "run_id": run.run_id,
        "run": run.number or None,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat() if run.finished else None,
        "ok": run.ok,
        "summary": summary,
        "devices": {urn: run.devices.get(urn) for urn in run.device_urns()},
        "results": [r.to_dict() for r in run.results],
    }
    if trace is not None:
        out["trace"] = dict(trace)
    return out


def render_scan_json(report: ScanReport, *, extended: bool = False, indent: int | None = 2,
                     trace: Mapping[str, Any] | None = None) -> str:
    return json.dumps(
        scan_to_dict(report, extended=extended, trace=trace), indent=indent, ensure_ascii=False,
        default=str,
    )


def render_suite_json(run: SuiteRun, *, indent: int | None = 2,
                      trace: Mapping[str, Any] | None = None) -> str:
    return json.dumps(suite_to_dict(run, trace=trace), indent=indent, ensure_ascii=False,
                      default=str)
