"""Finding codes of discovery, live identity and test runs (spec §4-5; issue 5).

DISC-*: what mDNS/DNS-SD TXT records and the retained MQTT topics say about a
device (RFC 6763 for the TXT rules). ID-CLONE: one URN claimed by two devices.
SCAN-* and TEST-*: the scan and the suite runner themselves.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    # -- TXT records (RFC 6763 §6) -------------------------------------------------------
    CodeSpec("DISC-TXT-ENCODING", S.WARNING, "A TXT key or value is not valid UTF-8 (shown with replacement characters).", "RFC 6763 §6.5; devid-1 §4"),
    CodeSpec("DISC-TXT-KEY", S.WARNING, "A TXT string has an empty key or a key with characters outside printable US-ASCII; it is ignored.", "RFC 6763 §6.4"),
    CodeSpec("DISC-TXT-DUPLICATE", S.WARNING, "A TXT key appears more than once; only the first occurrence is used.", "RFC 6763 §6.4"),
    CodeSpec("DISC-TXT-OVERSIZE", S.WARNING, "The TXT record is larger than the 1300 bytes DNS-SD recommends (or was cut at devid's limit).", "RFC 6763 §6.2"),
    CodeSpec("DISC-TXT-MALFORMED", S.WARNING, "The TXT record's wire form is malformed (a length byte runs past the end).", "RFC 6763 §6.1; RFC 1035 §3.3.14"),
    CodeSpec("DISC-TXT-NO-VALUE", S.WARNING, "A key that needs a value is present without '=' (a boolean attribute).", "RFC 6763 §6.4"),
    CodeSpec("DISC-TXT-MISSING", S.ERROR, "A TXT key the service's specification requires is missing.", "devid-1 §4"),
    CodeSpec("DISC-TXT-VALUE", S.ERROR, "A TXT value is not of the form its service's specification gives.", "devid-1 §4"),
    CodeSpec("DISC-TXT-VERSION", S.WARNING, "The TXT record's version key names a version this validator does not know.", "devid-1 §4; RFC 6763 §6.7"),
    CodeSpec("DISC-URN-INVALID", S.ERROR, "The device identifier is not an accepted device URN (RFC 9039 form, usable as one MQTT topic level).", "devid-1 §1; RFC 9039 §3"),
    CodeSpec("DISC-CLASS-INVALID", S.ERROR, "The cls key is not a profile id of the form name/version.", "devid-1 §4, §7"),
    CodeSpec("DISC-INSTANCE-NAME", S.WARNING, "The service instance name does not have the form its specification gives.", "Matter Core §4.3.2; RFC 6763 §4.1"),
    CodeSpec("DISC-RESOLVE-FAILED", S.WARNING, "A service instance was announced but did not resolve (SRV/TXT/address) within the timeout.", "RFC 6763 §4-6"),
    # -- MQTT discovery (devid-1 §5) -----------------------------------------------------
    CodeSpec("DISC-MQTT-TOPIC", S.WARNING, "A message under devid/1/ has a topic that names no device (empty device level or no suffix).", "devid-1 §5"),
    CodeSpec("DISC-STATUS-INVALID", S.ERROR, "The retained status is not a CBOR map {state: online|offline, ts: <ms>}.", "devid-1 §5"),
    CodeSpec("DISC-STATUS-NOT-RETAINED", S.ERROR, "The identity or status topic carries a message that was not published retained (seen with MQTT 5 retain-as-published).", "devid-1 §5"),
    CodeSpec("DISC-STATUS-MISSING", S.WARNING, "The device has a retained identity but no retained status.", "devid-1 §5"),
    CodeSpec("DISC-IDENTITY-MISSING", S.ERROR, "The device has no retained identity token (or an empty one).", "devid-1 §5"),
    CodeSpec("DISC-OFFLINE", S.INFO, "The device's retained status says offline.", "devid-1 §5"),
    CodeSpec("DISC-NOT-ADVERTISED", S.INFO, "The device is on the broker but was not advertised over DNS-SD (_devid._tcp).", "devid-1 §4"),
    CodeSpec("DISC-NOT-ON-BROKER", S.WARNING, "The device is advertised over DNS-SD but has no retained topics on the broker.", "devid-1 §4-5"),
    CodeSpec("DISC-TK-MISMATCH", S.WARNING, "The tk key of the DNS-SD record does not match SHA-256 of the retained identity token.", "devid-1 §4"),
    # -- identity across sources ---------------------------------------------------------
    CodeSpec("ID-CLONE", S.ERROR, "One URN answered by two responders or advertised twice with different details.", "devid-1 §1; docs/scan.md"),
    CodeSpec("ID-CHALLENGE-TIMEOUT", S.ERROR, "The device did not answer the challenge with a response within the timeout.", "devid-1 §5; docs/scan.md"),
    CodeSpec("ID-RESPONSE-SUBJECT", S.ERROR, "A challenge response names another device (its sub is not the URN challenged).", "devid-1 §3, §5"),
    CodeSpec("SCAN-NO-TRUST", S.INFO, "No trust anchors were given: certificate chains were not validated (possession checked against the presented certificate only).", "devid-1 §2; docs/scan.md"),
    CodeSpec("TEST-DEVICE-MISSING", S.ERROR, "The device under test has no retained topics on the broker.", "devid-1 §5; docs/suite.md"),
    CodeSpec("TEST-RETAINED-MISSING", S.ERROR, "A topic the profile requires retained has no retained message (or it is not a valid payload).", "devid-1 §5, §7"),
    CodeSpec("TEST-CMD-REJECTED", S.ERROR, "The device acked a valid command with ok=false.", "devid-1 §5, §7"),
    CodeSpec("TEST-LASTWILL-MISSING", S.ERROR, "After an unclean disconnect no retained offline status was published (no Last Will).", "devid-1 §5"),
    # -- scan and suite runs -------------------------------------------------------------
    CodeSpec("SCAN-NO-DEVICES", S.ERROR, "The scan found no device of any ecosystem; the finding says where it looked and what it saw.", "docs/scan.md"),
    CodeSpec("SCAN-BROKER-UNREACHABLE", S.ERROR, "The MQTT broker could not be reached; MQTT discovery and challenges were skipped.", "devid-1 §5; docs/scan.md"),
    CodeSpec("SCAN-MDNS-UNAVAILABLE", S.WARNING, "DNS-SD browsing could not start on the interface.", "devid-1 §4; docs/scan.md"),
    CodeSpec("TEST-TIMEOUT", S.ERROR, "A test did not finish within its time limit.", "docs/suite.md"),
    CodeSpec("TEST-ERROR", S.ERROR, "A test could not run to completion (an internal error or an I/O failure).", "docs/suite.md"),
    CodeSpec("TEST-SKIPPED", S.INFO, "A test was skipped (a prerequisite failed or the device does not support it).", "docs/suite.md"),
    CodeSpec("TEST-NOT-RUN", S.ERROR, "A planned test of the run has no result (the run was interrupted, or the device could not be tested at all); the run does not pass (exit code 1). JUnit shows it as skipped with the reason.", "docs/suite.md"),
    CodeSpec("TEST-INTERRUPTED", S.WARNING, "The run was interrupted before this test finished.", "docs/suite.md"),
)
