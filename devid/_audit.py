"""``devid audit``: the judgement of what the probes observed (pure; docs/audit.md).

Observations in, findings out. The probing (sockets, MQTT, TLS handshakes, DNS-SD)
lives in :mod:`devid.live._audit`; this module never touches the network. Every
function takes what was seen (and an explicit ``now``) and returns
:class:`~devid._findings.Finding` objects citing the ETSI EN 303 645 provision they
give evidence about, plus the ``tried`` lines that say, in words, what was attempted
and what answered. A finding is evidence, not a certification verdict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from devid._findings import Finding, Severity, finding

#: The published vendor-default MQTT credentials ``--try-defaults`` tries, in this order
#: (username, password, where the default comes from). Short on purpose: this is a
#: check for factory defaults left in place, not a password-guessing tool.
DEFAULT_CREDENTIALS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "Apache ActiveMQ and many gateways"),
    ("admin", "public", "EMQX (dashboard default)"),
    ("admin", "hivemq", "HiveMQ Control Center"),
    ("guest", "guest", "RabbitMQ MQTT plugin"),
    ("mqtt", "mqtt", "home-automation setup guides"),
    ("DVES_USER", "", "Tasmota firmware (default MQTT user, empty password)"),
    ("rw", "readwrite", "test.mosquitto.org's published account"),
)

TLS_VERSIONS: tuple[str, ...] = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
"""The TLS versions probed, oldest first (names as ``ssl.SSLSocket.version()`` gives them)."""
OLD_TLS = ("TLSv1", "TLSv1.1")
EXPIRY_WARNING = timedelta(days=30)
#: TXT keys that carry a software or firmware version (compared case-insensitively).
VERSION_KEYS = frozenset({
    "fw", "fwversion", "fw_version", "fw_ver", "firmware", "firmware_version", "sw",
    "swversion", "sw_version", "software", "software_version", "version", "ver", "build",
    "os_version", "osversion", "srcvers", "fv",
})
_MAX_TOPICS = 20

# -- observations (what the live probes saw) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Attempt:
    """One MQTT connection attempt: ``outcome`` is ``accepted``, ``refused`` (the broker
    said no: ``detail`` has its reason), ``protocol`` (the version is not spoken),
    ``unreachable``, ``tls`` (TLS setup or verification failed), ``timeout`` or ``closed``."""

    outcome: str
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"

    def words(self) -> str:
        return self.outcome + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Subscription:
    """An anonymous subscription: ``granted`` (``None``: not tried), the messages that
    arrived within ``window`` seconds (``topics``: the first ones; ``sample``: a few
    topic → payload texts, for ``$SYS``)."""

    topic_filter: str
    granted: bool | None
    detail: str = ""
    messages: int = 0
    topics: tuple[str, ...] = ()
    sample: Mapping[str, str] = field(default_factory=dict)
    window: float = 0.0


@dataclass(frozen=True, slots=True)
class TlsObservation:
    """A TLS endpoint: per version ``accepted`` / ``refused: ...`` / ``untested: ...``;
    ``certificate`` the leaf (DER) of an unverified handshake; ``verify_error`` the
    OpenSSL message of a verifying handshake (``None``: it verified; ``""``: not run)."""

    host: str
    port: int
    reachable: bool
    error: str = ""
    versions: Mapping[str, str] = field(default_factory=dict)
    certificate: bytes | None = None
    verify_error: str | None = ""
    trust: str = ""

    @property
    def name(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class BrokerObservation:
    """What the probes of one named broker saw."""

    url: str
    tls: bool
    host: str
    protocols: Mapping[str, Attempt]
    """Anonymous CONNECT per protocol version (``"5"``, ``"3.1.1"``)."""
    tls_verified: bool | None = None
    """mqtts://: did the anonymous probe verify the certificate (``False``: it went on
    without verification, sending nothing secret)."""
    subscriptions: tuple[Subscription, ...] = ()
    username_configured: bool = False
    random_credentials: Attempt | None = None
    defaults: tuple[tuple[str, str, Attempt], ...] = ()
    """(username, source, attempt) per default tried."""
    tls_port: TlsObservation | None = None
    """mqtt://: the probe of the same host's port 8883."""

    @property
    def reachable(self) -> bool:
        return any(a.outcome != "unreachable" for a in self.protocols.values())


@dataclass(frozen=True, slots=True)
class MdnsService:
    """One DNS-SD service instance (strings as the device announced them)."""

    service_type: str
    instance: str
    host: str | None
    addresses: tuple[str, ...]
    port: int | None
    txt: Mapping[str, str | None]


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One audited target: ``kind`` is ``mqtt``, ``tls`` or ``mdns``; ``tried`` says in
    words what was attempted and what answered."""

    kind: str
    target: str
    tried: tuple[str, ...]
    findings: tuple[Finding, ...]
    observation: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "tried": list(self.tried),
                "findings": [f.to_dict() for f in self.findings],
                "observation": dict(self.observation)}

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The whole audit: ``started`` (aware), ``duration`` in seconds."""

    targets: tuple[TargetResult, ...]
    started: datetime
    duration: float
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for t in self.targets for f in t.findings)

    @property
    def has_errors(self) -> bool:
        return any(t.has_errors for t in self.targets)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "audit": 1,
            "started": self.started.isoformat(),
            "duration": round(self.duration, 3),
            "options": dict(self.options),
            "targets": [t.to_dict() for t in self.targets],
            "counts": self.counts(),
            "passed": not self.has_errors,
            "note": NOTE,
        }


NOTE = ("Evidence of what devid tried and saw against the named targets, citing the "
        "provisions it relates to; not a certification or a full assessment.")

# -- MQTT ---------------------------------------------------------------------------------


def judge_broker(obs: BrokerObservation, now: datetime) -> TargetResult:
    """Findings about one broker (and, for mqtt://, its port 8883)."""
    url = obs.url
    tried: list[str] = []
    out: list[Finding] = []
    for proto, attempt in obs.protocols.items():
        tried.append(f"anonymous CONNECT, MQTT {proto}: {attempt.words()}")
    if not obs.reachable:
        detail = next(iter(obs.protocols.values())).detail if obs.protocols else ""
        out.append(finding("SEC-TARGET-UNREACHABLE", f"{url}: cannot connect: {detail}",
                           subject=url, evidence={"tried": "TCP connect", "seen": detail}))
        return TargetResult("mqtt", url, tuple(tried), tuple(out), _broker_dict(obs))
    accepted = [p for p, a in obs.protocols.items() if a.accepted]
    if accepted:
        how = "" if obs.tls_verified is not False else \
            " (over TLS without certificate verification; nothing secret was sent)"
        out.append(finding(
            "SEC-MQTT-ANONYMOUS",
            f"the broker accepted a connection without credentials (MQTT {', '.join(accepted)})"
            + how,
            subject=url,
            evidence={"tried": "CONNECT without username or password",
                      "seen": {p: a.words() for p, a in obs.protocols.items()}}))
    for sub in obs.subscriptions:
        if sub.granted is None:
            continue
        tried.append(f"anonymous SUBSCRIBE {sub.topic_filter}: "
                     + (f"granted, {sub.messages} message(s) in {sub.window:g} s"
                        if sub.granted else f"refused ({sub.detail})"))
        if not sub.granted:
            continue
        evidence: dict[str, Any] = {"tried": f"SUBSCRIBE {sub.topic_filter} without credentials",
                    "seen": f"granted; {sub.messages} message(s) in {sub.window:g} s",
                    "topics": list(sub.topics[:_MAX_TOPICS])}
        if sub.topic_filter == "#":
            out.append(finding(
                "SEC-MQTT-ANON-SUBSCRIBE",
                f"an anonymous client may subscribe to '#' ({sub.messages} message(s) "
                f"arrived in {sub.window:g} s)", subject=url, evidence=evidence))
        elif sub.topic_filter.startswith("$SYS") and sub.messages:
            version = sub.sample.get("$SYS/broker/version")
            evidence["sample"] = dict(sub.sample)
            out.append(finding(
                "SEC-MQTT-SYS-READABLE",
                f"an anonymous client received {sub.messages} $SYS message(s)"
                + (f", including the broker version {version!r}" if version else ""),
                subject=url, evidence=evidence))
    if not obs.tls:
        refused_auth = [p for p, a in obs.protocols.items()
                        if a.outcome == "refused" and _auth_refusal(a.detail)]
        if obs.username_configured or refused_auth:
            why = []
            if refused_auth:
                why.append("it refused an anonymous client for want of credentials")
            if obs.username_configured:
                why.append("devid is configured with a username for it")
            out.append(finding(
                "SEC-MQTT-CLEARTEXT-CREDENTIALS",
                f"the broker takes credentials over plain TCP ({'; '.join(why)}); devid did "
                "not send the configured password there",
                subject=url,
                evidence={"tried": "anonymous CONNECT over mqtt://",
                          "seen": {p: obs.protocols[p].words() for p in refused_auth},
                          "username_configured": obs.username_configured}))
        if obs.tls_port is not None:
            tp = obs.tls_port
            if not tp.reachable:
                tried.append(f"TLS on {tp.name}: {tp.error}")
                out.append(finding(
                    "SEC-MQTT-NO-TLS",
                    f"nothing answers on {tp.name} (the MQTT-over-TLS port): {tp.error}",
                    subject=url, evidence={"tried": f"TCP connect to {tp.name}",
                                           "seen": tp.error}))
    if obs.random_credentials is not None:
        tried.append(f"CONNECT with a random username and password: "
                     f"{obs.random_credentials.words()}")
        if obs.random_credentials.accepted:
            out.append(finding(
                "SEC-MQTT-ANY-CREDENTIALS",
                "the broker accepted a random username and password devid made up",
                subject=url, evidence={"tried": "CONNECT with a random username and password",
                                       "seen": obs.random_credentials.words()}))
    for username, source, attempt in obs.defaults:
        tried.append(f"default credentials {username!r} ({source}): {attempt.words()}")
        if attempt.accepted:
            out.append(finding(
                "SEC-MQTT-DEFAULT-CREDENTIALS",
                f"the broker accepted the published default username {username!r} with its "
                f"default password ({source})",
                subject=url, evidence={"tried": f"CONNECT as {username!r} with the default "
                                                f"password of {source}",
                                       "seen": attempt.words()}))
    spoken = [p for p, a in obs.protocols.items()
              if a.outcome in ("accepted", "refused")]
    out.append(finding(
        "SEC-MQTT-PROTOCOL",
        f"MQTT versions answered: {', '.join(spoken) or 'none'}",
        subject=url, evidence={"seen": {p: a.words() for p, a in obs.protocols.items()}}))
    result_tried = tuple(tried)
    findings = tuple(out)
    if obs.tls_port is not None and obs.tls_port.reachable:
        tls = judge_tls(obs.tls_port, now)
        result_tried += tuple(f"{obs.tls_port.name}: {line}" for line in tls.tried)
        findings += tls.findings
    return TargetResult("mqtt", url, result_tried, findings, _broker_dict(obs))


def _auth_refusal(detail: str) -> bool:
    text = detail.lower()
    return any(w in text for w in ("not authori", "bad user", "username", "password"))


def _broker_dict(obs: BrokerObservation) -> dict[str, Any]:
    return {
        "url": obs.url,
        "tls": obs.tls,
        "tls_verified": obs.tls_verified,
        "protocols": {p: a.words() for p, a in obs.protocols.items()},
        "subscriptions": [{"filter": s.topic_filter, "granted": s.granted,
                           "messages": s.messages, "window": s.window}
                          for s in obs.subscriptions],
        "username_configured": obs.username_configured,
        "defaults_tried": [u for u, _s, _a in obs.defaults],
    }


# -- TLS ----------------------------------------------------------------------------------


def judge_tls(obs: TlsObservation, now: datetime) -> TargetResult:
    """Findings about one TLS endpoint (versions, certificate, chain, hostname)."""
    name = obs.name
    tried: list[str] = []
    out: list[Finding] = []
    data = {"host": obs.host, "port": obs.port, "versions": dict(obs.versions),
            "trust": obs.trust}
    if not obs.reachable:
        out.append(finding("SEC-TARGET-UNREACHABLE", f"{name}: cannot connect: {obs.error}",
                           subject=name, evidence={"tried": "TCP connect", "seen": obs.error}))
        return TargetResult("tls", name, (f"TCP connect: {obs.error}",), tuple(out), data)
    for version in TLS_VERSIONS:
        if version in obs.versions:
            tried.append(f"handshake offering only {version}: {obs.versions[version]}")
    accepted = [v for v in TLS_VERSIONS if obs.versions.get(v) == "accepted"]
    untested = [v for v in TLS_VERSIONS if str(obs.versions.get(v, "")).startswith("untested")]
    out.append(finding(
        "SEC-TLS-VERSIONS",
        f"accepted: {', '.join(accepted) or 'none'}"
        + (f"; not tried (local OpenSSL cannot offer them): {', '.join(untested)}"
           if untested else ""),
        subject=name, evidence={"seen": dict(obs.versions)}))
    if not accepted:
        out.append(finding("SEC-TLS-HANDSHAKE-FAILED",
                           f"{name} accepts TCP but completed no TLS handshake",
                           subject=name, evidence={"seen": dict(obs.versions)}))
        return TargetResult("tls", name, tuple(tried), tuple(out), data)
    old = [v for v in accepted if v in OLD_TLS]
    if old:
        out.append(finding("SEC-TLS-OLD-PROTOCOL",
                           f"{name} completed a handshake with {' and '.join(old)}",
                           subject=name,
                           evidence={"tried": "a handshake offering one version at a time",
                                     "accepted": accepted}))
    if obs.verify_error is None:
        tried.append(f"verifying handshake ({obs.trust}): the chain verified")
    elif obs.verify_error:
        tried.append(f"verifying handshake ({obs.trust}): {obs.verify_error}")
    out.extend(judge_certificate(obs.certificate, host=obs.host, subject=name, now=now,
                                 verify_error=obs.verify_error, trust=obs.trust))
    if obs.certificate is not None:
        tried.append("certificate read (leaf) and inspected: key, signature, validity, names")
    return TargetResult("tls", name, tuple(tried), tuple(out), data)


def judge_certificate(der: bytes | None, *, host: str, subject: str, now: datetime,
                      verify_error: str | None = "", trust: str = "") -> list[Finding]:
    """Findings about a TLS endpoint's leaf certificate (``der``) and its chain's
    verification result (``verify_error``: ``None`` verified, ``""`` not run)."""
    out: list[Finding] = []
    if der is None:
        return out
    try:
        cert = x509.load_der_x509_certificate(der)
        facts = _cert_facts(cert)
    except ValueError as exc:
        return [finding("SEC-TLS-CERT-MALFORMED", f"the certificate does not parse: {exc}",
                        subject=subject)]
    self_signed = _self_signed(cert)
    if verify_error:
        out.append(finding("SEC-TLS-CERT-UNTRUSTED",
                           f"the certificate chain does not verify: {verify_error}",
                           subject=subject,
                           evidence={"tried": f"a verifying handshake ({trust})",
                                     "seen": verify_error, "certificate": facts}))
    if self_signed:
        out.append(finding("SEC-TLS-SELF-SIGNED",
                           f"the certificate is self-signed ({facts['subject']})",
                           subject=subject, evidence={"certificate": facts}))
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > after or now < before:
        word = "expired on" if now > after else "is not valid before"
        when = after if now > after else before
        out.append(finding("SEC-TLS-CERT-EXPIRED",
                           f"the certificate {word} {when.isoformat()}",
                           subject=subject, evidence={"now": now.isoformat(),
                                                      "certificate": facts}))
    elif after - now < EXPIRY_WARNING:
        out.append(finding("SEC-TLS-CERT-EXPIRING",
                           f"the certificate expires on {after.isoformat()} "
                           f"({(after - now).days} day(s) after the audit)",
                           subject=subject, evidence={"now": now.isoformat(),
                                                      "certificate": facts}))
    names = certificate_names(cert)
    if not host_matches(host, names):
        out.append(finding("SEC-TLS-HOSTNAME",
                           f"the certificate does not name {host!r} "
                           f"(it names {', '.join(names) or 'nothing in subjectAltName'})",
                           subject=subject, evidence={"host": host, "names": names}))
    weak = _weak_key(cert)
    if weak:
        out.append(finding("SEC-TLS-WEAK-KEY", f"the certificate's key is {weak}",
                           subject=subject, evidence={"certificate": facts}))
    algorithm = _hash_name(cert)
    if algorithm in ("md5", "sha1"):
        out.append(finding("SEC-TLS-WEAK-SIGNATURE",
                           f"the certificate is signed with {algorithm.upper()}",
                           subject=subject, evidence={"certificate": facts}))
    return out


def _hash_name(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # an unsupported algorithm: not ours to judge here
        return None
    return algorithm.name if algorithm is not None else None


def _cert_facts(cert: x509.Certificate) -> dict[str, Any]:
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key": _key_words(cert),
        "signature_hash": _hash_name(cert),
        "names": certificate_names(cert),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def _key_words(cert: x509.Certificate) -> str:
    try:
        key = cert.public_key()
    except Exception:  # an unknown key type
        return "unknown"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size} bits"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} ({key.curve.key_size} bits)"
    return type(key).__name__.removesuffix("PublicKey").lstrip("_")


def _weak_key(cert: x509.Certificate) -> str | None:
    try:
        key = cert.public_key()
    except Exception:
        return None
    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey) and key.key_size < 2048:
        return _key_words(cert)
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 256:
        return _key_words(cert)
    return None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):
        return False
    return True


def certificate_names(cert: x509.Certificate) -> list[str]:
    """The DNS names and IP addresses of the certificate's subjectAltName."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
    names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return names


def host_matches(host: str, names: Sequence[str]) -> bool:
    """RFC 6125: ``host`` (a DNS name or an IP address) against subjectAltName entries;
    a wildcard stands for exactly the whole left-most label. The subject CN is not used."""
    try:
        address = ipaddress.ip_address(host.split("%", maxsplit=1)[0])
    except ValueError:
        address = None
    if address is not None:
        for name in names:
            try:
                if ipaddress.ip_address(name) == address:
                    return True
            except ValueError:
                continue
        return False
    wanted = host.rstrip(".").lower().split(".")
    for name in names:
        labels = name.rstrip(".").lower().split(".")
        if len(labels) != len(wanted):
            continue
        if labels[0] == "*" and len(labels) > 2:
            if labels[1:] == wanted[1:]:
                return True
        elif labels == wanted:
            return True
    return False


# -- DNS-SD -------------------------------------------------------------------------------


def judge_mdns(services: Iterable[MdnsService], *, interface: str | None = None
               ) -> TargetResult:
    """Findings about the services announced over DNS-SD."""
    services = list(services)
    where = f"DNS-SD on {interface or 'all interfaces'}"
    tried = [f"browsed {where}: {len(services)} service instance(s)"]
    out: list[Finding] = []
    https_hosts = {s.host for s in services if s.service_type == "_https._tcp" and s.host}
    https_addrs = {a for s in services if s.service_type == "_https._tcp" for a in s.addresses}
    for s in services:
        where_s = _where(s)
        if s.service_type == "_telnet._tcp":
            out.append(finding("SEC-MDNS-TELNET", f"{s.instance} announces Telnet at {where_s}",
                               subject=s.instance, evidence=_svc_evidence(s)))
        elif s.service_type == "_ftp._tcp":
            out.append(finding("SEC-MDNS-FTP", f"{s.instance} announces FTP at {where_s}",
                               subject=s.instance, evidence=_svc_evidence(s)))
        elif s.service_type == "_http._tcp" and s.host not in https_hosts and \
                not https_addrs.intersection(s.addresses):
            out.append(finding("SEC-MDNS-HTTP-NO-TLS",
                               f"{s.instance} announces plain HTTP at {where_s} and no HTTPS",
                               subject=s.instance, evidence=_svc_evidence(s)))
        leaked = {k: v for k, v in s.txt.items()
                  if k.lower() in VERSION_KEYS and v and any(c.isdigit() for c in v)}
        if leaked and s.service_type not in ("_devid._tcp",):
            out.append(finding("SEC-MDNS-VERSION-LEAK",
                               f"{s.instance} ({s.service_type}) announces its software "
                               f"version: " + ", ".join(f"{k}={v}" for k, v in leaked.items()),
                               subject=s.instance,
                               evidence={**_svc_evidence(s), "txt": leaked}))
    if not services:
        out.append(finding("SEC-MDNS-NOTHING", f"no DNS-SD service found ({where})",
                           subject=where))
    data = {"interface": interface,
            "services": [{"type": s.service_type, "instance": s.instance, "host": s.host,
                          "addresses": list(s.addresses), "port": s.port} for s in services]}
    return TargetResult("mdns", where, tuple(tried), tuple(out), data)


def _where(s: MdnsService) -> str:
    host = s.host or (s.addresses[0] if s.addresses else "?")
    return f"{host}:{s.port}" if s.port is not None else host


def _svc_evidence(s: MdnsService) -> dict[str, Any]:
    return {"tried": "DNS-SD browse and resolve", "type": s.service_type,
            "host": s.host, "addresses": list(s.addresses), "port": s.port}


# -- HTML ---------------------------------------------------------------------------------


def render_audit_html(report: AuditReport, *, generated: datetime | None = None) -> str:
    """A self-contained HTML report in the house style (devid/_reports/_html.py: jinja2
    autoescaping, control characters made visible, a CSP that forbids scripts)."""
    from devid._reports._html import _common, _duration, _env, _when

    counts = report.counts()
    overall = "problem" if counts["error"] else "attention" if counts["warning"] else "ok"
    if counts["error"]:
        headline = f"{counts['error']} error finding(s) on {len(report.targets)} target(s)."
    elif counts["warning"]:
        headline = f"No error findings; {counts['warning']} warning(s) worth a look."
    else:
        headline = "No error or warning findings on the targets audited."
    targets = []
    for t in report.targets:
        bad = any(f.is_error for f in t.findings)
        warn = any(f.severity is Severity.WARNING for f in t.findings)
        verdict = "problem" if bad else "attention" if warn else "ok"
        order = ("error", "warning", "info")
        targets.append({"result": t, "verdict": verdict,
                        "findings": sorted(t.findings,
                                           key=lambda f: order.index(f.severity.value))})
    return _env().get_template("audit.html.j2").render(
        **_common(generated), report=report, targets=targets, counts=counts,
        overall=overall, headline=headline, started=_when(report.started),
        duration=_duration(report.duration), note=NOTE, options=report.options)


__all__ = [
    "DEFAULT_CREDENTIALS",
    "NOTE",
    "TLS_VERSIONS",
    "Attempt",
    "AuditReport",
    "BrokerObservation",
    "MdnsService",
    "Subscription",
    "TargetResult",
    "TlsObservation",
    "certificate_names",
    "host_matches",
    "judge_broker",
    "judge_certificate",
    "judge_mdns",
    "judge_tls",
    "render_audit_html",
]
