"""JUnit XML for suite runs: one testcase per device × test. Pure.

Layout (the Ant/Jenkins JUnit schema most CI systems read)::

    <testsuites name="devid <profile>" tests failures errors skipped time>
      <testsuite name="<device URN>" id package hostname timestamp tests failures errors
                 skipped time>
        <properties><property name="profile" value="..."/>...</properties>
        <testcase classname="<device URN>" name="<test id>: <test name>" time="...">
          <failure message="..." type="<first error code>">one line per finding</failure>
        </testcase>
        <system-out/><system-err/>
      </testsuite>
    </testsuites>

``failed`` → ``<failure>``, ``error`` → ``<error>``, ``skipped`` → ``<skipped>``, and
a test that never ran (``not_run``) → ``<skipped type="TEST-NOT-RUN" message="not run:
<reason>">`` (counted in ``skipped``; the run's ``failures``/``errors`` stay true); the
findings of a passed test (warnings, info) go to the testcase's ``<system-out>``.
Characters XML 1.0 cannot carry (control characters, lone surrogates) are shown
as ``\\uXXXX``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from devid._findings import Finding, Severity
from devid._reports._model import SuiteRun, TestResult, TestStatus

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids written as ``\\uXXXX``."""
    return _XML_BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finding_lines(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        where = f" [{f.spec_ref}]" if f.spec_ref else ""
        subject = f" ({f.subject})" if f.subject else ""
        lines.append(f"{f.code} {f.severity.value}: {f.message}{subject}{where}")
    return xml_text("\n".join(lines))


def _case(parent: ET.Element, r: TestResult) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        classname=xml_text(r.device_urn),
        name=xml_text(f"{r.test_id}: {r.test_name}" if r.test_name else r.test_id),
        time=f"{max(r.duration, 0.0):.3f}",
    )
    errors = [f for f in r.findings if f.severity is Severity.ERROR]
    pool = errors or list(r.findings)
    lead = pool[0] if pool else None
    message = xml_text(lead.message) if lead is not None else ""
    kind = lead.code if lead is not None else ""
    if r.status is TestStatus.FAILED:
        el = ET.SubElement(case, "failure", message=message or "failed", type=kind or "failure")
        el.text = _finding_lines(r.findings)
    elif r.status is TestStatus.ERROR:
        el = ET.SubElement(case, "error", message=message or "error", type=kind or "error")
        el.text = _finding_lines(r.findings)
    elif r.status is TestStatus.SKIPPED:
        ET.SubElement(case, "skipped", message=message or "skipped")
    elif r.status is TestStatus.NOT_RUN:
        ET.SubElement(case, "skipped", type="TEST-NOT-RUN",
                      message=xml_text(f"not run: {r.reason or 'no result was recorded'}"))
    elif r.findings:
        ET.SubElement(case, "system-out").text = _finding_lines(r.findings)


def render_junit(run: SuiteRun, *, hostname: str = "devid",
                 trace: Mapping[str, Any] | None = None) -> str:
    """The run as a JUnit XML document (UTF-8 text with an XML declaration); ``trace``
    (docs/signing.md) goes to each testsuite's properties as ``devid.trace`` (JSON)."""
    total = run.counts()
    root = ET.Element(
        "testsuites",
        name=xml_text(f"devid {run.profile}"),
        tests=str(total["total"]),
        failures=str(total["failed"]),
        errors=str(total["error"]),
        skipped=str(total["skipped"] + total["not_run"]),
        time=f"{run.duration:.3f}",
    )
    by_device: dict[str, list[TestResult]] = {}
    for r in run.results:
        by_device.setdefault(r.device_urn, []).append(r)
    stamp = run.started.astimezone(UTC) if run.started.tzinfo else run.started
    for n, (urn, results) in enumerate(by_device.items()):
        statuses = [r.status for r in results]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=xml_text(urn),
            id=str(n),
            package="devid",
            hostname=xml_text(hostname),
            timestamp=stamp.strftime("%Y-%m-%dT%H:%M:%S"),
            tests=str(len(results)),
            failures=str(statuses.count(TestStatus.FAILED)),
            errors=str(statuses.count(TestStatus.ERROR)),
            skipped=str(statuses.count(TestStatus.SKIPPED) + statuses.count(TestStatus.NOT_RUN)),
            # a result's duration runs from the device's start to its verdict, and a
            # device's tests overlap: its suite took as long as its last verdict
            time=f"{max((max(r.duration, 0.0) for r in results), default=0.0):.3f}",
        )
        props = ET.SubElement(suite, "properties")
        for key, value in (
            ("profile", run.profile),
            ("run_id", run.run_id),
            ("device", urn),
            ("device_name", run.devices.get(urn, "")),
            ("not_run", str(statuses.count(TestStatus.NOT_RUN))),
            *((("devid.trace", json.dumps(trace, ensure_ascii=False, sort_keys=True,
                                          default=str)),) if trace is not None else ()),
        ):
            ET.SubElement(props, "property", name=key, value=xml_text(value))
        for r in results:
            _case(suite, r)
        ET.SubElement(suite, "system-out")
        ET.SubElement(suite, "system-err")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
