"""Reports and the results store.

One result model (:class:`ScanReport` of :class:`ScannedDevice` s;
:class:`SuiteRun` of :class:`TestResult` s) rendered as JSON
(:func:`scan_to_dict`, :func:`suite_to_dict`), JUnit XML (:func:`render_junit`)
and self-contained HTML (:func:`render_scan_html`, :func:`render_suite_html`);
suite results are kept in SQLite by :class:`ResultStore` as each test finishes,
hash-chained (:class:`ChainVerdict`); reports carry a ``trace``
(:func:`build_trace`) and can be signed (:func:`sign_file`, :func:`verify_report`;
docs/signing.md).
"""

from __future__ import annotations

from devid._reports._chain import ChainVerdict
from devid._reports._html import content_security_policy, render_scan_html, render_suite_html
from devid._reports._json import (
    device_to_dict,
    render_scan_json,
    render_suite_json,
    scan_to_dict,
    suite_to_dict,
)
from devid._reports._junit import render_junit
from devid._reports._model import (
    IdentityVerdict,
    ScannedDevice,
    ScanReport,
    SuiteRun,
    TestResult,
    TestStatus,
    finding_from_dict,
)
from devid._reports._signing import (
    ReportVerdict,
    Signer,
    SigningError,
    sign_file,
    sign_report,
    signature_path,
    verify_report,
)
from devid._reports._store import ResultStore, RunInfo, StoreError
from devid._reports._trace import build_trace

__all__ = [
    "ChainVerdict",
    "IdentityVerdict",
    "ReportVerdict",
    "ResultStore",
    "RunInfo",
    "ScanReport",
    "ScannedDevice",
    "Signer",
    "SigningError",
    "StoreError",
    "SuiteRun",
    "TestResult",
    "TestStatus",
    "build_trace",
    "content_security_policy",
    "device_to_dict",
    "finding_from_dict",
    "render_junit",
    "render_scan_html",
    "render_scan_json",
    "render_suite_html",
    "render_suite_json",
    "scan_to_dict",
    "sign_file",
    "sign_report",
    "signature_path",
    "suite_to_dict",
    "verify_report",
]
