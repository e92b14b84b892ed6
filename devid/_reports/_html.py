"""Self-contained HTML reports (jinja2, autoescape on). Pure.

Safety rules, because every name, model and TXT value in a report came from a
device:

- jinja2 autoescaping is on for every template; device strings are only ever
  placed in element text or in quoted attribute values, never in URLs, styles
  or scripts; anchors use our own counters, not device strings;
- control and bidirectional-override characters are shown as ``\\uXXXX``
  (the template ``finalize`` hook), so a name cannot hide or reorder text;
- a Content-Security-Policy ``<meta>`` forbids scripts, network loads, forms and
  base URLs; the one ``<style>`` block is allowed by its SHA-256 hash, so
  ``style-src`` has no ``'unsafe-inline'`` and the page carries no style
  attributes (the charts are SVG with presentation attributes).
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import metadata, resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from devid._codes import REGISTRY
from devid._reports._model import ScannedDevice, ScanReport, SuiteRun, TestStatus
from devid._reports._trace import trace_lines

STATUS_COLOURS = {
    TestStatus.PASSED: "#1b7f3b",
    TestStatus.FAILED: "#b3261e",
    TestStatus.ERROR: "#7a1a14",
    TestStatus.SKIPPED: "#6b6b6b",
    TestStatus.NOT_RUN: "#a15c00",
}
VERDICT_WORDS = {"ok": "looks good", "attention": "worth a look", "problem": "needs attention"}
VERDICT_ORDER = {"problem": 0, "attention": 1, "ok": 2}


def visible(text: str) -> str:
    """``text`` with control, format (bidi) and separator characters shown as ``\\uXXXX``."""
    out = []
    for ch in text:
        if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return "" if value is None else value
    return visible(value)


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("devid._reports", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["meaning"] = lambda code: REGISTRY[code].meaning if code in REGISTRY else ""
    return env


@cache
def _css() -> str:
    return resources.files("devid._reports").joinpath("templates/report.css").read_text("utf-8")


def content_security_policy(css: str) -> str:
    """The report's CSP: nothing may load or run except its own hashed stylesheet."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; script-src 'none'; object-src 'none'; "
        f"style-src 'sha256-{digest}'; img-src data:; font-src 'none'; connect-src 'none'; "
        "media-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _version() -> str:
    try:
        return metadata.version("devid")
    except metadata.PackageNotFoundError:
        return "dev"


def _common(generated: datetime | None, trace: Mapping[str, Any] | None = None
            ) -> dict[str, Any]:
    css = _css()
    return {
        "trace": trace_lines(trace) if trace is not None else [],
        "css": Markup(css),  # noqa: S704 (our own stylesheet, shipped with the package)
        "csp": content_security_policy(css),
        "version": _version(),
        "generated": _when(generated or datetime.now(UTC)),
    }


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# -- scan report (for a homeowner) ---------------------------------------------------------


def _kind(profile: str | None) -> str:
    if not profile:
        return "unknown device"
    name = profile.split("/")[0] if "/" in profile else profile
    return name.replace("-", " ").replace("_", " ")


_JUDGED_ECOSYSTEMS = {"ha": "Home Assistant MQTT discovery", "homie": "the Homie convention"}


def _identity_text(d: ScannedDevice) -> str:
    ident = d.identity
    if d.record.ecosystem in _JUDGED_ECOSYSTEMS:
        return (
            f"This device announces itself through {_JUDGED_ECOSYSTEMS[d.record.ecosystem]}. "
            "devid checked its announcements and messages against that ecosystem's rules "
            "(below); it carries no devid identity to verify."
        )
    if d.record.ecosystem != "devid":
        return (
            f"This device speaks {d.record.ecosystem}. devid found it on your network but "
            "does not check the identity of this kind of device."
        )
    if ident.valid is None:
        return "This device's identity was not checked."
    if ident.valid is False:
        return (
            "This device's identity could not be verified: do not rely on what it says about "
            "itself until the problems below are fixed."
        )
    if ident.possession is True:
        return (
            "This device proved its identity: its certificate comes from a trusted maker and it "
            "answered a fresh challenge with its own key."
        )
    if ident.possession is False:
        return (
            "Its certificate is trusted, but it could not prove it holds the matching key: it "
            "may be a copy of another device."
        )
    return "Its certificate is trusted, but it was not asked to prove it holds its key."


def _word(value: bool | None, yes: str, no: str) -> str:
    return "not checked" if value is None else yes if value else no


def _scan_devices(report: ScanReport) -> list[dict[str, Any]]:
    rows = []
    for d in report.devices:
        rec = d.record
        maker = rec.vendor or "unknown"
        model = rec.model or "unknown"
        row: dict[str, Any] = {
            "record": rec,
            "verdict": d.verdict,
            "verdict_word": VERDICT_WORDS[d.verdict],
            "kind": _kind(rec.profile),
            "maker": maker,
            "model": model,
            "identity_word": _word(d.identity.valid, "verified", "not verified"),
            "possession_word": _word(d.identity.possession, "yes", "no"),
            "identity_text": _identity_text(d),
            "sources": " and ".join(
                {"mdns": "local network announcements (mDNS)", "mqtt": "the MQTT broker"}.get(s, s)
                for s in rec.sources
            ),
            "findings": sorted(
                d.findings, key=lambda f: ("error", "warning", "info").index(f.severity.value)
            ),
        }
        rows.append(row)
    rows.sort(key=lambda r: (VERDICT_ORDER[str(r["verdict"])], str(r["record"].name).lower()))
    return rows


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _headline(total: int, problem: int, attention: int) -> tuple[str, str]:
    if total == 0:
        return "attention", "No devices were found."
    verb = "needs" if problem == 1 else "need"
    if problem:
        return "problem", f"{problem} of {_plural(total, 'device')} {verb} attention."
    if attention:
        return (
            "attention",
            f"No serious problems; {attention} of {_plural(total, 'device')} worth a look.",
        )
    return (
        "ok",
        f"All {_plural(total, 'device')} look good." if total > 1 else "Your device looks good.",
    )


def _bar_chart(rows: Iterable[tuple[str, list[tuple[str, int, str]]]], *, label: str) -> Markup:
    """Horizontal stacked bars as inline SVG: ``rows`` = (label, [(part, count, colour)])."""
    rows = list(rows)
    label_w, bar_w, row_h, pad = 240, 560, 26, 6
    width = label_w + bar_w + 80
    height = max(1, len(rows)) * row_h + pad * 2
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
    ]
    for i, (name, segments) in enumerate(rows):
        y = pad + i * row_h
        total = sum(n for _, n, _ in segments) or 1
        shown = visible(name)
        short = shown if len(shown) <= 34 else shown[:33] + "…"
        parts.append(
            f'<text x="4" y="{y + 17}">{escape(short)}<title>{escape(shown)}</title></text>'
        )
        x = float(label_w)
        for part, n, colour in segments:
            if n <= 0:
                continue
            w = bar_w * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"><title>{escape(part)}: {n}</title></rect>'
            )
            x += w
        summary = " / ".join(str(n) for _, n, _ in segments)
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 17}">{escape(summary)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated string is escaped above)


def render_scan_html(report: ScanReport, *, generated: datetime | None = None,
                     trace: Mapping[str, Any] | None = None) -> str:
    """A scan report a homeowner can read: summary, a table, then each device in detail."""
    devices = _scan_devices(report)
    verdicts = [d["verdict"] for d in devices]
    counts = {
        "total": len(devices),
        "ok": verdicts.count("ok"),
        "attention": verdicts.count("attention"),
        "problem": verdicts.count("problem"),
        "verified": sum(1 for d in report.devices if d.identity.valid and d.identity.possession),
    }
    overall, headline = _headline(counts["total"], counts["problem"], counts["attention"])
    chart = _bar_chart(
        [
            (
                "devices",
                [
                    ("look good", counts["ok"], "#1b7f3b"),
                    ("worth a look", counts["attention"], "#a15c00"),
                    ("need attention", counts["problem"], "#b3261e"),
                ],
            )
        ],
        label="Devices by verdict",
    )
    return (
        _env()
        .get_template("scan.html.j2")
        .render(
            **_common(generated, trace),
            devices=devices,
            findings=list(report.findings),
            counts=counts,
            overall=overall,
            headline=headline,
            chart=chart,
            started=_when(report.started),
            duration=_duration(report.duration),
            broker=report.broker,
            interface=report.interface,
        )
    )


# -- suite report (for a lab) --------------------------------------------------------------


def render_suite_html(run: SuiteRun, *, generated: datetime | None = None,
                      trace: Mapping[str, Any] | None = None) -> str:
    """A suite run: summary, a pass/fail chart per test, per-device results."""
    devices = []
    for urn in run.device_urns():
        results = [r for r in run.results if r.device_urn == urn]
        c = {s.value: sum(1 for r in results if r.status is s) for s in TestStatus}
        devices.append(
            {
                "urn": urn,
                "name": run.devices.get(urn, ""),
                "results": results,
                "counts": c,
                "ok": c["failed"] == 0 and c["error"] == 0 and c["not_run"] == 0,
            }
        )
    names = dict(run.tests())
    chart = _bar_chart(
        (
            (f"{test_id}", [(s.value, row[s.value], STATUS_COLOURS[s]) for s in TestStatus])
            for test_id, row in run.by_test().items()
        ),
        label="Results per test: passed / failed / error / skipped / not run",
    )
    counts = run.counts()
    bad = sum(1 for d in devices if not d["ok"])
    if not run.results:
        headline = "No test results yet."
    elif bad:
        headline = f"{bad} of {_plural(len(devices), 'device')} failed at least one test."
        if counts["not_run"]:
            headline += f" {counts['not_run']} planned test(s) never ran."
    else:
        headline = f"Every device passed ({counts['passed']} passed, {counts['skipped']} skipped)."
    legend = " ".join(
        f'<span><span class="sw {s.value}"></span>{s.value}</span>' for s in TestStatus
    )
    return (
        _env()
        .get_template("suite.html.j2")
        .render(
            **_common(generated, trace),
            run=run,
            devices=devices,
            tests=names,
            counts=counts,
            headline=headline,
            chart=Markup(f'<div class="legend">{legend}</div>') + chart,  # noqa: S704 (constant text)
            started=_when(run.started),
            finished=_when(run.finished) if run.finished else None,
        )
    )
