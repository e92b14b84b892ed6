"""HTML reports: self-contained, strict CSP, every device string escaped.

The browser tests open the reports in headless Chromium with device names that
try to run script in every way we know; the page must render and no script may
run. A control page with the same payload left unescaped proves the probe
detects a script that does run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from devid._reports import content_security_policy, render_scan_html, render_suite_html
from devid._reports._html import visible

from ._samples import EVIL_NAMES, sample_run, sample_scan

PWNED = re.compile(r"<html[^>]*data-pwned|<title>PWNED")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.csp: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "meta" and ("http-equiv", "Content-Security-Policy") in attrs:
            self.csp = dict(attrs)["content"]


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def test_static_structure_has_no_script_no_handlers_no_external_loads() -> None:
    for html in (
        render_scan_html(sample_scan(EVIL_NAMES)),
        render_suite_html(sample_run(EVIL_NAMES)),
    ):
        p = _parse(html)
        assert not {"script", "img", "iframe", "object", "embed", "link", "base", "form"} & set(
            p.tags
        )
        assert not [a for a, _ in p.attrs if a.startswith("on")]
        assert "style" not in [a for a, _ in p.attrs]  # the CSP allows no style attributes
        assert not [v for a, v in p.attrs if a in ("href", "src") and v]
        assert p.csp is not None
        assert "default-src 'none'" in p.csp and "script-src 'none'" in p.csp
        assert "unsafe-inline" not in p.csp
        css = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert content_security_policy(css) == p.csp  # the hash covers the exact stylesheet
        assert (
            "http://" not in html.replace("http://www.w3.org/2000/svg", "")
            and "https://" not in html
        )


def test_visible_shows_controls_and_bidi_overrides() -> None:
    assert visible("a\u202eb\x00c\td") == "a\\u202eb\\u0000c\td"
    assert visible("Küche 🔒") == "Küche 🔒"


def test_scan_report_in_chromium_renders_and_runs_no_device_script(
    chromium: Callable[[Path], str], tmp_path: Path
) -> None:
    page = tmp_path / "scan.html"
    page.write_text(render_scan_html(sample_scan(EVIL_NAMES)), encoding="utf-8")
    dom = chromium(page)
    assert "Your devices" in dom
    assert "<title>devid scan report: 9 devices</title>" in dom
    assert "need attention" in dom
    for i in range(len(EVIL_NAMES)):
        assert f"urn:dev:ops:32473-Dev-{i:04d}" in dom
    # The names are on the page as text...
    assert "&lt;script&gt;document.title='PWNED'" in dom
    assert (
        'onerror="document.documentElement' in dom
        or "onerror=&quot;document.documentElement" in dom
    )
    assert "Bidi \\u202eevil\\u202c name\\u0000\\u0007" in dom
    # ...and none of them became an element or ran.
    assert not PWNED.search(dom), dom[:400]
    assert "<img" not in dom and "<iframe" not in dom and "<script" not in dom


def test_suite_report_in_chromium(chromium: Callable[[Path], str], tmp_path: Path) -> None:
    page = tmp_path / "suite.html"
    page.write_text(render_suite_html(sample_run(EVIL_NAMES[:4])), encoding="utf-8")
    dom = chromium(page)
    assert "Test report: smart-lock/1" in dom
    assert "3 of 4 devices failed at least one test." in dom or "failed at least one test" in dom
    assert "<svg" in dom and "identity.token" in dom
    assert not PWNED.search(dom)
    assert "<img" not in dom and "<script" not in dom


def test_control_page_proves_the_probe_detects_a_running_script(
    chromium: Callable[[Path], str], tmp_path: Path
) -> None:
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>control</title></head>"
        f"<body>{EVIL_NAMES[0]}{EVIL_NAMES[1]}</body></html>"
    )
    dom = chromium(page)
    assert PWNED.search(dom), "the probe must see a script that runs"


def test_csp_blocks_script_even_if_escaping_failed(
    chromium: Callable[[Path], str], tmp_path: Path
) -> None:
    html = render_scan_html(sample_scan(("Door",)))
    injected = html.replace("<main>", "<main>" + EVIL_NAMES[0] + EVIL_NAMES[1] + EVIL_NAMES[2], 1)
    page = tmp_path / "injected.html"
    page.write_text(injected, encoding="utf-8")
    dom = chromium(page)
    assert "<script>document.title" in dom  # the raw payload is really in the page
    assert "Your devices" in dom
    assert not PWNED.search(dom)  # but the Content-Security-Policy stopped it


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=40))
def test_any_device_string_adds_no_markup(name: str, model: str) -> None:
    from devid import finding
    from devid._reports import IdentityVerdict, ScannedDevice, ScanReport
    from devid.discovery import DeviceRecord

    def page(n: str, m: str) -> _Tags:
        rec = DeviceRecord(
            id=n,
            ecosystem="devid",
            name=n,
            vendor=m,
            model=m,
            addresses=(n, m),
            txt={"_devid._tcp": {n: m}},
            profile=m,
            services=(m,),
            sources=("mdns", n),
            findings=(finding("DISC-TXT-VALUE", n, subject=m, evidence={n: m}),),
            status={"state": m},
        )
        verdict = IdentityVerdict(False, None, (finding("ID-CLONE", m, subject=n),))
        report = ScanReport((ScannedDevice(rec, verdict),), broker=n, interface=m)
        return _parse(render_scan_html(report))

    baseline, probe = page("plain", "model"), page(name, model)
    assert probe.tags == baseline.tags
    assert [a for a, _ in probe.attrs] == [a for a, _ in baseline.attrs]


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=40))
def test_any_suite_string_adds_no_markup(name: str, other: str) -> None:
    from devid import finding
    from devid._reports import SuiteRun, TestResult, TestStatus

    from ._samples import T0

    def page(n: str, m: str) -> _Tags:
        results = tuple(
            TestResult(n, m + str(i), n, status, (finding("TEST-ERROR", m, subject=n),), 0.5, T0)
            for i, status in enumerate(TestStatus)
        )
        return _parse(render_suite_html(SuiteRun(m, n, T0, results, None, {n: m})))

    baseline, probe = page("plain", "other"), page(name, other)
    assert probe.tags == baseline.tags
    assert [a for a, _ in probe.attrs] == [a for a, _ in baseline.attrs]


def test_scan_report_shows_maker_and_model_apart_and_no_broker_port() -> None:
    from devid._reports import IdentityVerdict, ScannedDevice, ScanReport
    from devid.discovery import DeviceRecord

    def row(vendor: str | None, model: str | None) -> list[str]:
        rec = DeviceRecord(id="ha:plug-1", ecosystem="ha", name="Plug", vendor=vendor,
                           model=model, addresses=("192.0.2.7",), port=1883)
        html = render_scan_html(ScanReport((ScannedDevice(rec, IdentityVerdict(None, None,
                                                                               ())),)))
        body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        cells = re.findall(r"<td>(.*?)</td>", body, re.S)
        assert "192.0.2.7" in html and "port 1883" not in html  # the broker's, not the device's
        return cells[2:4]

    assert row("Acme", "P-100") == ["Acme", "P-100"]
    assert row(None, "P-100") == ["unknown", "P-100"]  # a model is never shown as the maker
    assert row("Acme", None) == ["Acme", "unknown"]
