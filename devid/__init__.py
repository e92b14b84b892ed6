"""devid: smart-device identification and interoperability validator (devid/1).

The public API is what ``__all__`` lists, plus four public subpackages:

* :mod:`devid.matter` — Matter device attestation (DAC/PAI/PAA, CDs, responses);
* :mod:`devid.discovery` — DNS-SD/MQTT discovery and the TXT-record parsers;
* :mod:`devid.live` — proof of possession, the scan and the suite runner;
* :mod:`devid.ecosystems` — Home Assistant MQTT discovery and Homie 4/5 validators.

Everything importable from here is pure: bytes and an explicit ``now`` in, findings
out; nothing here opens a socket. Modules named ``devid._*`` are private.

>>> from devid import verify_token, ChainValidator, TrustStore
>>> result = verify_token(token, now=now, validator=ChainValidator(TrustStore.from_dir(d)))
"""

from __future__ import annotations

from devid._capture import Capture, CapturedMessage, CaptureHeader, CaptureWriter, read_capture
from devid._cbor import CborError
from devid._certs import ChainResult, ChainValidator, RevocationList, TrustStore, load_certificates
from devid._check import CheckEngine, CheckResult, check_capture, check_lines, check_messages
from devid._codes import REGISTRY
from devid._cose import Sign1, parse_sign1, sign1, verify_sign1
from devid._findings import CodeSpec, Finding, Severity, finding, has_errors
from devid._identifiers import IdentifierResult, check_identifier
from devid._profiles import (
    Profile,
    ProfileError,
    lint_profile,
    list_profiles,
    load_profile,
    profile_json_schema,
)
from devid._provision import (
    CertificateAuthority,
    DeviceCredentials,
    create_root,
    create_vendor_ca,
    issue_device,
    make_urn,
    write_private_key,
)
from devid._token import TokenResult, create_token, verify_token

__all__ = [
    "REGISTRY",
    "Capture",
    "CaptureHeader",
    "CaptureWriter",
    "CapturedMessage",
    "CborError",
    "CertificateAuthority",
    "ChainResult",
    "ChainValidator",
    "CheckEngine",
    "CheckResult",
    "CodeSpec",
    "DeviceCredentials",
    "Finding",
    "IdentifierResult",
    "Profile",
    "ProfileError",
    "RevocationList",
    "Severity",
    "Sign1",
    "TokenResult",
    "TrustStore",
    "check_capture",
    "check_identifier",
    "check_lines",
    "check_messages",
    "create_root",
    "create_token",
    "create_vendor_ca",
    "finding",
    "has_errors",
    "issue_device",
    "lint_profile",
    "list_profiles",
    "load_certificates",
    "load_profile",
    "make_urn",
    "parse_sign1",
    "profile_json_schema",
    "read_capture",
    "sign1",
    "verify_sign1",
    "verify_token",
    "write_private_key",
]
