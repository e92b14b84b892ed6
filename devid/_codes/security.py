"""Finding codes of ``devid audit``: the network-testable security baseline (issue 12;
docs/audit.md).

Each code cites the provision of ETSI EN 303 645 (V2.1.1) it gives evidence about; the
matching conformance test groups are those of ETSI TS 103 701. A finding is evidence
(what was tried, what was seen), never a certification verdict.

SEC-MQTT-*: a broker named with ``--broker``. SEC-TLS-*: a TLS endpoint (``--tls``, or the
TLS port of a named broker). SEC-MDNS-*: services announced over DNS-SD (``--mdns``).
SEC-TARGET-*: the audit itself.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

_EN = "ETSI EN 303 645"

CODES: tuple[CodeSpec, ...] = (
    # -- MQTT brokers ----------------------------------------------------------------------
    CodeSpec("SEC-MQTT-ANONYMOUS", S.ERROR, "The broker accepted an MQTT connection that carried no credentials: anyone on the network can connect to it.", f"{_EN} 5.5-5; {_EN} 5.6-1"),
    CodeSpec("SEC-MQTT-ANON-SUBSCRIBE", S.ERROR, "An anonymous client was granted a subscription to '#': anyone on the network can read every message (and retained state) of the home.", f"{_EN} 5.8-1; {_EN} 5.8-2"),
    CodeSpec("SEC-MQTT-SYS-READABLE", S.WARNING, "An anonymous client received the broker's $SYS topics (its software version, clients, load).", f"{_EN} 5.6-2"),
    CodeSpec("SEC-MQTT-CLEARTEXT-CREDENTIALS", S.ERROR, "The broker takes credentials on a plain TCP listener (it refused an anonymous client, or devid is configured with a username for it): passwords cross the network unencrypted.", f"{_EN} 5.5-7; {_EN} 5.5-1"),
    CodeSpec("SEC-MQTT-NO-TLS", S.WARNING, "The broker was named with mqtt:// and nothing answers TLS on its port 8883: its clients have no encrypted way to connect.", f"{_EN} 5.5-1"),
    CodeSpec("SEC-MQTT-DEFAULT-CREDENTIALS", S.ERROR, "The broker accepted a published vendor-default username and password (tried only with --try-defaults).", f"{_EN} 5.1-1"),
    CodeSpec("SEC-MQTT-ANY-CREDENTIALS", S.ERROR, "The broker accepted a random username and password devid made up (tried only with --try-defaults): it does not check passwords.", f"{_EN} 5.1-1; {_EN} 5.5-5"),
    CodeSpec("SEC-MQTT-PROTOCOL", S.INFO, "Which MQTT protocol versions the broker answered (5 and 3.1.1; a refusal for lack of credentials still shows the version is spoken).", "OASIS MQTT v5.0 §3.1.2.2; OASIS MQTT v3.1.1 §3.1.2.2"),
    # -- TLS endpoints ---------------------------------------------------------------------
    CodeSpec("SEC-TLS-OLD-PROTOCOL", S.ERROR, "The endpoint completed a handshake with TLS 1.0 or TLS 1.1, which are deprecated (RFC 8996).", f"{_EN} 5.5-1; RFC 8996"),
    CodeSpec("SEC-TLS-VERSIONS", S.INFO, "The TLS protocol versions the endpoint accepted, and those devid could not try with the local OpenSSL.", f"{_EN} 5.5-1"),
    CodeSpec("SEC-TLS-HANDSHAKE-FAILED", S.ERROR, "The port accepts TCP connections but no TLS handshake succeeded with any version devid tried.", f"{_EN} 5.5-1"),
    CodeSpec("SEC-TLS-CERT-UNTRUSTED", S.ERROR, "The certificate chain does not verify against the trust anchors (system store, --ca, the MQTT config's ca_file).", f"{_EN} 5.5-1; RFC 5280 §6"),
    CodeSpec("SEC-TLS-SELF-SIGNED", S.WARNING, "The endpoint presents a self-signed certificate: its identity rests on each client pinning that one certificate.", f"{_EN} 5.5-1; RFC 5280 §6"),
    CodeSpec("SEC-TLS-CERT-EXPIRED", S.ERROR, "The endpoint's certificate has expired (or is not yet valid) at the time of the audit.", f"{_EN} 5.5-1; RFC 5280 §4.1.2.5"),
    CodeSpec("SEC-TLS-CERT-EXPIRING", S.WARNING, "The endpoint's certificate expires within 30 days of the audit.", f"{_EN} 5.5-1; RFC 5280 §4.1.2.5"),
    CodeSpec("SEC-TLS-HOSTNAME", S.ERROR, "The certificate does not name the host devid connected to (subjectAltName DNS name or IP address).", f"{_EN} 5.5-1; RFC 6125 §6; RFC 5280 §4.2.1.6"),
    CodeSpec("SEC-TLS-WEAK-KEY", S.ERROR, "The certificate's public key is weak (RSA or DSA under 2048 bits, an elliptic curve under 256 bits).", f"{_EN} 5.5-1; NIST SP 800-131A Rev. 2"),
    CodeSpec("SEC-TLS-WEAK-SIGNATURE", S.ERROR, "The certificate is signed with MD5 or SHA-1.", f"{_EN} 5.5-1; NIST SP 800-131A Rev. 2"),
    CodeSpec("SEC-TLS-CERT-MALFORMED", S.ERROR, "The certificate the endpoint presented does not parse as X.509.", f"{_EN} 5.5-1; RFC 5280 §4"),
    # -- DNS-SD ----------------------------------------------------------------------------
    CodeSpec("SEC-MDNS-TELNET", S.ERROR, "A device announces a Telnet service: a remote shell without encryption.", f"{_EN} 5.6-1; {_EN} 5.5-1"),
    CodeSpec("SEC-MDNS-FTP", S.ERROR, "A device announces an FTP service: file transfer with cleartext passwords.", f"{_EN} 5.6-1; {_EN} 5.5-7"),
    CodeSpec("SEC-MDNS-HTTP-NO-TLS", S.WARNING, "A device announces a plain HTTP service (often its admin interface) and no HTTPS service on the same host.", f"{_EN} 5.5-1; {_EN} 5.5-7"),
    CodeSpec("SEC-MDNS-VERSION-LEAK", S.WARNING, "A device's DNS-SD TXT record tells anyone on the network its software or firmware version.", f"{_EN} 5.6-2"),
    # -- the audit itself ------------------------------------------------------------------
    CodeSpec("SEC-TARGET-UNREACHABLE", S.ERROR, "A named broker or TLS endpoint could not be reached: nothing was checked there.", "docs/audit.md"),
    CodeSpec("SEC-MDNS-NOTHING", S.INFO, "DNS-SD browsing found no service to judge.", "docs/audit.md"),
)
