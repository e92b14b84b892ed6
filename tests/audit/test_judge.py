"""The pure judgement of ``devid audit`` (observations in, findings out) and its HTML."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

import devid
from devid import REGISTRY
from devid._audit import (
    Attempt,
    AuditReport,
    BrokerObservation,
    MdnsService,
    Subscription,
    TlsObservation,
    host_matches,
    judge_broker,
    judge_certificate,
    judge_mdns,
    judge_tls,
    render_audit_html,
)
from tests.audit._home import Pki

NOW = dt.datetime.now(dt.UTC)


def codes(findings: object) -> set[str]:
    return {f.code for f in findings}  # type: ignore[attr-defined]


def test_security_codes_are_registered_and_cite_a_provision() -> None:
    sec = {c: s for c, s in REGISTRY.items() if c.startswith("SEC-")}
    assert len(sec) >= 20
    for code, spec in sec.items():
        assert spec.spec_ref.startswith(("ETSI EN 303 645 ", "OASIS MQTT", "docs/audit.md")), code
    doc = Path(__file__).parents[2].joinpath("docs/audit.md").read_text()
    assert set(re.findall(r"`(SEC-[A-Z0-9-]+)`", doc)) == set(sec)


def test_pure_module_imports_no_transport() -> None:
    path = Path(devid.__file__).parent / "_audit.py"
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        assert not [n for n in names if n.split(".")[0] in
                    {"paho", "zeroconf", "socket", "asyncio", "amqtt", "ssl"}], names


def _broker(**kw: object) -> BrokerObservation:
    base: dict[str, object] = {
        "url": "mqtt://127.0.0.1:1883", "tls": False, "host": "127.0.0.1",
        "protocols": {"5": Attempt("refused", "Not authorized"),
                      "3.1.1": Attempt("refused", "Not authorized")}}
    base.update(kw)
    return BrokerObservation(**base)  # type: ignore[arg-type]


def test_granted_sys_subscription_with_no_message_is_not_a_finding() -> None:
    obs = _broker(protocols={"5": Attempt("accepted")},
                  subscriptions=(Subscription("$SYS/#", True, window=1.0),
                                 Subscription("#", False, "refused (reason 135)")))
    found = codes(judge_broker(obs, NOW).findings)
    assert "SEC-MQTT-ANONYMOUS" in found
    assert "SEC-MQTT-SYS-READABLE" not in found
    assert "SEC-MQTT-ANON-SUBSCRIBE" not in found


def test_protocol_refused_means_not_spoken() -> None:
    obs = _broker(protocols={"5": Attempt("protocol", "Unsupported protocol version"),
                             "3.1.1": Attempt("accepted")})
    f = next(x for x in judge_broker(obs, NOW).findings if x.code == "SEC-MQTT-PROTOCOL")
    assert f.message == "MQTT versions answered: 3.1.1"


def test_unreachable_broker_has_only_that_finding() -> None:
    obs = _broker(protocols={"5": Attempt("unreachable", "Connection refused")})
    assert codes(judge_broker(obs, NOW).findings) == {"SEC-TARGET-UNREACHABLE"}


def test_tls_verification_off_is_said() -> None:
    obs = _broker(url="mqtts://h:8883", tls=True, tls_verified=False,
                  protocols={"5": Attempt("accepted")})
    f = next(x for x in judge_broker(obs, NOW).findings if x.code == "SEC-MQTT-ANONYMOUS")
    assert "without certificate verification" in f.message


@pytest.mark.parametrize(("host", "names", "ok"), [
    ("127.0.0.1", ["127.0.0.1"], True),
    ("127.0.0.1", ["localhost"], False),
    ("::1", ["0:0:0:0:0:0:0:1"], True),
    ("broker.home.arpa", ["*.home.arpa"], True),
    ("a.broker.home.arpa", ["*.home.arpa"], False),
    ("home.arpa", ["*.arpa"], False),
    ("Broker.Home.Arpa.", ["broker.home.arpa"], True),
])
def test_host_matches(host: str, names: list[str], ok: bool) -> None:
    assert host_matches(host, names) is ok


def test_certificate_expiry_window(tmp_path: Path) -> None:
    pki = Pki.create(tmp_path)
    cert, _ = pki.server("soon")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(Path(cert).read_bytes()).public_bytes(Encoding.DER)
    assert codes(judge_certificate(der, host="127.0.0.1", subject="x", now=NOW,
                                   verify_error=None)) == set()
    later = NOW + dt.timedelta(days=185)
    assert codes(judge_certificate(der, host="127.0.0.1", subject="x", now=later,
                                   verify_error=None)) == {"SEC-TLS-CERT-EXPIRING"}
    assert codes(judge_certificate(der, host="127.0.0.1", subject="x",
                                   now=NOW + dt.timedelta(days=400),
                                   verify_error=None)) == {"SEC-TLS-CERT-EXPIRED"}
    assert codes(judge_certificate(b"\x30\x03\x02\x01\x00", host="h", subject="x",
                                   now=NOW)) == {"SEC-TLS-CERT-MALFORMED"}


def test_tls_without_any_handshake() -> None:
    obs = TlsObservation("127.0.0.1", 9, True,
                         versions={"TLSv1.3": "refused (WRONG_VERSION_NUMBER)",
                                   "TLSv1.2": "refused (WRONG_VERSION_NUMBER)",
                                   "TLSv1.1": "untested: no", "TLSv1": "untested: no"})
    result = judge_tls(obs, NOW)
    assert codes(result.findings) == {"SEC-TLS-VERSIONS", "SEC-TLS-HANDSHAKE-FAILED"}
    versions = next(f for f in result.findings if f.code == "SEC-TLS-VERSIONS")
    assert "not tried" in versions.message and "TLSv1.1" in versions.message


def _svc(stype: str, instance: str, txt: dict[str, str | None] | None = None,
         host: str = "dev.local.", address: str = "192.0.2.7") -> MdnsService:
    return MdnsService(stype, instance, host, (address,), 80, txt or {})


def test_mdns_judgement() -> None:
    result = judge_mdns([
        _svc("_telnet._tcp", "cam"), _svc("_ftp._tcp", "nas"),
        _svc("_http._tcp", "plug-admin", {"fw": "1.4.2", "path": "/"}),
        _svc("_http._tcp", "router", host="router.local.", address="192.0.2.1"),
        _svc("_https._tcp", "router", host="router.local.", address="192.0.2.1"),
        _svc("_shelly._tcp", "shelly1", {"ver": "no digits"}),
    ])
    found = [(f.code, f.subject) for f in result.findings]
    assert ("SEC-MDNS-TELNET", "cam") in found
    assert ("SEC-MDNS-FTP", "nas") in found
    assert ("SEC-MDNS-HTTP-NO-TLS", "plug-admin") in found
    assert ("SEC-MDNS-HTTP-NO-TLS", "router") not in found
    assert ("SEC-MDNS-VERSION-LEAK", "plug-admin") in found
    assert ("SEC-MDNS-VERSION-LEAK", "shelly1") not in found
    assert codes(judge_mdns([]).findings) == {"SEC-MDNS-NOTHING"}


def test_html_escapes_every_device_string() -> None:
    evil = '<script>alert(1)</script>\u202e"onmouseover=x'
    result = judge_mdns([_svc("_telnet._tcp", evil, {"version": f"1.0{evil}"})])
    report = AuditReport((result,), NOW, 1.0)
    page = render_audit_html(report, generated=NOW)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "\u202e" not in page and "\\u202e" in page
    assert "script-src &#39;none&#39;" in page
    assert "SEC-MDNS-TELNET" in page and "ETSI EN 303 645 5.6-1" in page
