"""``devid audit``: the probes (MQTT connections, TLS handshakes, DNS-SD browsing).

Only the targets the caller names are touched. What the probes see goes into the
observation types of :mod:`devid._audit`, which judges them (pure). Rules:

* anonymous probes send nothing secret; on an ``mqtts://`` broker whose certificate
  does not verify they go on without verification (the TLS findings say why) and say so;
* the configured password is never sent over plain TCP, nor over TLS that did not verify
  (the audit does not need it: it judges what an anonymous client can do);
* ``--try-defaults`` tries a random username/password, then the short published list
  :data:`devid._audit.DEFAULT_CREDENTIALS`;
* TLS uses Python's ``ssl`` (OpenSSL): one handshake per protocol version (certificate
  verification off, to see what is offered and read the certificate), then one verifying
  handshake against the system store and the given CA files.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from devid._audit import (
    DEFAULT_CREDENTIALS,
    TLS_VERSIONS,
    Attempt,
    AuditReport,
    BrokerObservation,
    MdnsService,
    Subscription,
    TargetResult,
    TlsObservation,
    judge_broker,
    judge_mdns,
    judge_tls,
)
from devid._mqtt import MqttClient, MqttConnectError, MqttError, MqttSettings, parse_url

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
#: DNS-SD types browsed besides those devid has parsers for (the risky services).
AUDIT_SERVICE_TYPES = ("_telnet._tcp", "_ftp._tcp", "_http._tcp", "_https._tcp")
_SAMPLE = 8
_MAX_TOPICS = 20
Progress = Callable[[str], None]


# -- TLS ----------------------------------------------------------------------------------


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)


def _sni(host: str) -> str | None:
    try:
        ipaddress.ip_address(host.split("%", maxsplit=1)[0])
    except ValueError:
        return host
    return None


def _version_context(version: str) -> ssl.SSLContext | str:
    """A client context offering only ``version`` (no verification), or why it cannot."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        # an observer, not a policy: security level 0 so that what the endpoint offers
        # (TLS < 1.2, small keys) is seen and judged, not refused by the local OpenSSL
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = _VERSIONS[version]
        ctx.maximum_version = _VERSIONS[version]
    except (ValueError, ssl.SSLError) as exc:
        return f"untested: the local OpenSSL cannot offer {version} ({exc})"
    return ctx


def _cannot_offer(exc: ssl.SSLError) -> bool:
    text = f"{exc.reason or ''} {exc}".upper()
    return "NO_PROTOCOLS_AVAILABLE" in text or "NO_SUPPORTED_VERSIONS" in text \
        or "NO_CIPHERS_AVAILABLE" in text


def _probe_tls_blocking(host: str, port: int, ca_files: Sequence[str],
                        timeout: float) -> TlsObservation:
    trust = "system trust store" + "".join(f" + {f}" for f in ca_files)
    try:
        _connect(host, port, timeout).close()
    except OSError as exc:
        return TlsObservation(host, port, False, error=_os_error(exc), trust=trust)
    versions: dict[str, str] = {}
    leaf: bytes | None = None
    for version in reversed(TLS_VERSIONS):  # newest first: the leaf of the best handshake
        ctx = _version_context(version)
        if isinstance(ctx, str):
            versions[version] = ctx
            continue
        try:
            with _connect(host, port, timeout) as raw, \
                    ctx.wrap_socket(raw, server_hostname=_sni(host)) as tls:
                versions[version] = "accepted"
                if leaf is None:
                    leaf = tls.getpeercert(binary_form=True)
        except ssl.SSLError as exc:
            versions[version] = (f"untested: the local OpenSSL cannot offer it ({exc.reason})"
                                 if _cannot_offer(exc) else f"refused ({exc.reason or exc})")
        except OSError as exc:
            versions[version] = f"refused ({_os_error(exc)})"
    accepted = [v for v in TLS_VERSIONS if versions.get(v) == "accepted"]
    verify_error: str | None = ""
    if accepted:
        verify_error = _verify_blocking(host, port, ca_files, timeout, accepted[0])
    return TlsObservation(host, port, True, versions=versions, certificate=leaf,
                          verify_error=verify_error, trust=trust)


def _verify_blocking(host: str, port: int, ca_files: Sequence[str], timeout: float,
                     lowest: str) -> str | None:
    """A verifying handshake (hostname judged separately): ``None`` when the chain
    verifies, else OpenSSL's message."""
    ctx = ssl.create_default_context()
    for ca in ca_files:
        ctx.load_verify_locations(cafile=ca)
    ctx.check_hostname = False
    if lowest in ("TLSv1", "TLSv1.1"):
        # only to reach the certificate of an endpoint that speaks nothing newer
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = _VERSIONS[lowest]
    try:
        with _connect(host, port, timeout) as raw, \
                ctx.wrap_socket(raw, server_hostname=_sni(host)):
            return None
    except ssl.SSLCertVerificationError as exc:
        return str(exc.verify_message or exc.reason or exc)
    except ssl.SSLError as exc:
        return f"handshake failed: {exc.reason or exc}"
    except OSError as exc:
        return f"handshake failed: {_os_error(exc)}"


def _os_error(exc: OSError) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    return (exc.strerror or str(exc) or type(exc).__name__)


async def probe_tls(host: str, port: int, *, ca_files: Sequence[str] = (),
                    timeout: float = 5.0) -> TlsObservation:
    """Probe one TLS endpoint (blocking ``ssl`` handshakes in a worker thread)."""
    return await asyncio.to_thread(_probe_tls_blocking, host, port, list(ca_files), timeout)


# -- MQTT ---------------------------------------------------------------------------------


def _attempt(exc: BaseException) -> Attempt:
    if isinstance(exc, MqttConnectError):
        text = str(exc)
        detail = text.removeprefix("connection refused: ").removeprefix("cannot connect: ")
        return Attempt(exc.reason, detail)
    return Attempt("closed", str(exc) or type(exc).__name__)


async def _try_connect(url: str, settings: MqttSettings, protocol: str, timeout: float
                       ) -> tuple[Attempt, MqttClient | None]:
    """Connect; an accepted client is returned open (the caller closes it)."""
    client = MqttClient(url, settings=settings, protocol=protocol,  # type: ignore[arg-type]
                        reconnect=False, connect_timeout=timeout, keepalive=30)
    try:
        await client.connect()
    except (MqttError, OSError, ValueError) as exc:
        with contextlib.suppress(Exception):
            await client.close()
        return _attempt(exc), None
    return Attempt("accepted"), client


async def _close(client: MqttClient | None) -> None:
    if client is not None:
        with contextlib.suppress(Exception):
            await client.close()


async def _listen(client: MqttClient, filters: Sequence[str], window: float
                  ) -> list[Subscription]:
    granted: dict[str, tuple[bool, str]] = {}
    for topic_filter in filters:
        try:
            await client.subscribe(topic_filter, qos=0)
            granted[topic_filter] = (True, "")
        except (MqttError, TimeoutError) as exc:
            granted[topic_filter] = (False, str(exc))
    counts = dict.fromkeys(filters, 0)
    topics: dict[str, list[str]] = {f: [] for f in filters}
    sample: dict[str, dict[str, str]] = {f: {} for f in filters}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + window
    if any(ok for ok, _ in granted.values()):
        iterator = client.messages.__aiter__()
        while (remaining := deadline - loop.time()) > 0:
            try:
                message = await asyncio.wait_for(iterator.__anext__(), remaining)
            except (TimeoutError, StopAsyncIteration):
                break
            which = "$SYS/#" if message.topic.startswith("$") else "#"
            if which not in counts:
                continue
            counts[which] += 1
            if len(topics[which]) < _MAX_TOPICS and message.topic not in topics[which]:
                topics[which].append(message.topic)
            if which == "$SYS/#" and (len(sample[which]) < _SAMPLE
                                      or message.topic == "$SYS/broker/version"):
                sample[which][message.topic] = message.payload[:200].decode("utf-8", "replace")
    return [Subscription(f, granted[f][0], granted[f][1], counts[f], tuple(topics[f]),
                         sample[f], window) for f in filters]


async def probe_broker(url: str, settings: MqttSettings, *, try_defaults: bool = False,
                       timeout: float = 5.0, listen: float = 1.0,
                       ca_files: Sequence[str] = ()) -> BrokerObservation:
    """Probe one named broker (see the module docstring for what is and is not sent)."""
    address = parse_url(url)
    url = address.url
    anon = MqttSettings(ca_file=settings.ca_file or (ca_files[0] if ca_files else None))
    tls_verified: bool | None = True if address.tls else None
    protocols: dict[str, Attempt] = {}
    accepted: MqttClient | None = None
    for proto in ("5", "3.1.1"):
        attempt, client = await _try_connect(url, anon, proto, timeout)
        if attempt.outcome == "tls" and address.tls and "verification" in attempt.detail:
            # the certificate is judged by the TLS probe; nothing secret is sent here
            tls_verified = False
            anon = MqttSettings(tls_insecure=True)
            attempt, client = await _try_connect(url, anon, proto, timeout)
        protocols[proto] = attempt
        if attempt.outcome == "unreachable":
            break
        if client is not None:
            if accepted is None:
                accepted = client
            else:
                await _close(client)
    subscriptions: tuple[Subscription, ...] = ()
    if accepted is not None:
        try:
            subscriptions = tuple(await _listen(accepted, ("#", "$SYS/#"), listen))
        finally:
            await _close(accepted)
    spoken = next((p for p, a in protocols.items() if a.outcome in ("accepted", "refused")),
                  None)
    random_attempt: Attempt | None = None
    defaults: list[tuple[str, str, Attempt]] = []
    if try_defaults and spoken is not None:
        base = anon  # public or made-up secrets only: no verification needed to send them
        random_settings = MqttSettings(
            username=f"devid-audit-{secrets.token_hex(6)}", password=secrets.token_urlsafe(18),
            ca_file=base.ca_file, tls_insecure=base.tls_insecure)
        random_attempt, client = await _try_connect(url, random_settings, spoken, timeout)
        await _close(client)
        if not random_attempt.accepted:
            for username, password, source in DEFAULT_CREDENTIALS:
                creds = MqttSettings(username=username, password=password,
                                     ca_file=base.ca_file, tls_insecure=base.tls_insecure)
                attempt, client = await _try_connect(url, creds, spoken, timeout)
                await _close(client)
                defaults.append((username, source, attempt))
    tls_port = None
    if not address.tls and protocols and protocols.get("5", Attempt("")).outcome != "unreachable":
        tls_port = await probe_tls(address.host, 8883, ca_files=ca_files, timeout=timeout)
    return BrokerObservation(
        url=url, tls=address.tls, host=address.host, protocols=protocols,
        tls_verified=tls_verified, subscriptions=subscriptions,
        username_configured=bool(settings.username), random_credentials=random_attempt,
        defaults=tuple(defaults), tls_port=tls_port)


# -- DNS-SD -------------------------------------------------------------------------------


async def browse_services(*, interface: str | None, timeout: float) -> list[MdnsService]:
    """Every DNS-SD service instance devid browses for (plus :data:`AUDIT_SERVICE_TYPES`)."""
    from devid.discovery import SERVICE_TYPES, async_browse

    types = list(SERVICE_TYPES) + [f"{t}.local." for t in AUDIT_SERVICE_TYPES
                                   if f"{t}.local." not in SERVICE_TYPES]
    out: list[MdnsService] = []
    async for record in async_browse(interface=interface, timeout=timeout, service_types=types):
        for service_type in record.services or tuple(record.txt):
            out.append(MdnsService(
                service_type=service_type, instance=record.name, host=record.host,
                addresses=tuple(record.addresses), port=record.port,
                txt=dict(record.txt.get(service_type, {}))))
    return out


# -- the whole audit ----------------------------------------------------------------------


async def async_audit(*, brokers: Sequence[str] = (), tls: Sequence[tuple[str, int]] = (),
                      mdns: bool = False, interface: str | None = None,
                      settings: MqttSettings | None = None, try_defaults: bool = False,
                      ca_files: Sequence[str] = (), timeout: float = 5.0,
                      listen: float = 1.0, progress: Progress | None = None,
                      now: datetime | None = None) -> AuditReport:
    """Audit the named targets, one after the other (brokers, TLS endpoints, DNS-SD)."""
    settings = settings if settings is not None else MqttSettings()
    started = datetime.now(UTC)
    t0 = time.monotonic()
    cas = list(ca_files) + ([settings.ca_file] if settings.ca_file else [])
    results: list[TargetResult] = []

    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    for url in brokers:
        say(f"MQTT broker {url}")
        obs = await probe_broker(url, settings, try_defaults=try_defaults, timeout=timeout,
                                 listen=listen, ca_files=cas)
        results.append(judge_broker(obs, now or datetime.now(UTC)))
        if obs.tls:  # the TLS listener of an mqtts:// broker is audited as an endpoint too
            address = parse_url(url)
            say(f"TLS {address.host}:{address.port}")
            tls_obs = await probe_tls(address.host, address.port, ca_files=cas,
                                      timeout=timeout)
            if tls_obs.reachable:
                results.append(judge_tls(tls_obs, now or datetime.now(UTC)))
    for host, port in tls:
        say(f"TLS {host}:{port}")
        tls_obs = await probe_tls(host, port, ca_files=cas, timeout=timeout)
        results.append(judge_tls(tls_obs, now or datetime.now(UTC)))
    if mdns:
        say(f"DNS-SD on {interface or 'all interfaces'}")
        services = await browse_services(interface=interface, timeout=timeout)
        results.append(judge_mdns(services, interface=interface))
    options: dict[str, Any] = {
        "brokers": list(brokers), "tls": [f"{h}:{p}" for h, p in tls], "mdns": mdns,
        "interface": interface, "try_defaults": try_defaults, "timeout": timeout,
        "listen": listen, "ca_files": list(ca_files)}
    return AuditReport(tuple(results), started, time.monotonic() - t0, options)


__all__ = ["AUDIT_SERVICE_TYPES", "async_audit", "browse_services", "probe_broker",
           "probe_tls"]
