"""The Matter SDK's ``AttestationVerificationResult`` values and the finding helper.

Every Matter finding carries, in its evidence, the SDK result it corresponds to
(``sdk_result`` and ``sdk_code``) so that Matter engineers recognise it. Some
codes map to a result that depends on the certificate's role (a format error
of the DAC is ``kDacFormatInvalid``, of the PAI ``kPaiFormatInvalid``).
"""

from __future__ import annotations

from typing import Any

from devid._findings import Finding, Severity, finding

SDK_RESULTS: dict[str, int] = {
    "kSuccess": 0,
    "kPaaUntrusted": 100,
    "kPaaNotFound": 101,
    "kPaaExpired": 102,
    "kPaaSignatureInvalid": 103,
    "kPaaRevoked": 104,
    "kPaaFormatInvalid": 105,
    "kPaaArgumentInvalid": 106,
    "kPaiExpired": 200,
    "kPaiSignatureInvalid": 201,
    "kPaiRevoked": 202,
    "kPaiFormatInvalid": 203,
    "kPaiArgumentInvalid": 204,
    "kPaiVendorIdMismatch": 205,
    "kPaiAuthorityNotFound": 206,
    "kPaiMissing": 207,
    "kPaiAndDacRevoked": 208,
    "kDacExpired": 300,
    "kDacSignatureInvalid": 301,
    "kDacRevoked": 302,
    "kDacFormatInvalid": 303,
    "kDacArgumentInvalid": 304,
    "kDacVendorIdMismatch": 305,
    "kDacProductIdMismatch": 306,
    "kDacAuthorityNotFound": 307,
    "kFirmwareInformationMismatch": 400,
    "kFirmwareInformationMissing": 401,
    "kAttestationSignatureInvalid": 500,
    "kAttestationElementsMalformed": 501,
    "kAttestationNonceMismatch": 502,
    "kAttestationSignatureInvalidFormat": 503,
    "kCertificationDeclarationNoKeyId": 600,
    "kCertificationDeclarationNoCertificateFound": 601,
    "kCertificationDeclarationInvalidSignature": 602,
    "kCertificationDeclarationInvalidFormat": 603,
    "kCertificationDeclarationInvalidVendorId": 604,
    "kCertificationDeclarationInvalidProductId": 605,
    "kCertificationDeclarationInvalidPAA": 606,
    "kInvalidArgument": 800,
    "kInternalError": 900,
}

# Codes whose SDK result depends on the certificate role ("dac", "pai", "paa").
_BY_ROLE: dict[str, dict[str, str]] = {
    "format": {"dac": "kDacFormatInvalid", "pai": "kPaiFormatInvalid", "paa": "kPaaFormatInvalid"},
    "expired": {"dac": "kDacExpired", "pai": "kPaiExpired", "paa": "kPaaExpired"},
    "revoked": {"dac": "kDacRevoked", "pai": "kPaiRevoked", "paa": "kPaaRevoked"},
}

# Code -> SDK result name, or a key of _BY_ROLE.
_SDK_FOR_CODE: dict[str, str] = {
    "MATTER-CERT-MALFORMED": "format",
    "MATTER-CERT-VERSION": "format",
    "MATTER-SIG-ALG": "format",
    "MATTER-KEY-CURVE": "format",
    "MATTER-BASIC-CONSTRAINTS": "format",
    "MATTER-KEY-USAGE": "format",
    "MATTER-KEYID": "format",
    "MATTER-EXT-DUPLICATE": "format",
    "MATTER-VIDPID-ENCODING": "format",
    "MATTER-PAA-PID-PRESENT": "kPaaFormatInvalid",
    "MATTER-DAC-VID-MISMATCH": "kDacVendorIdMismatch",
    "MATTER-DAC-PID-MISMATCH": "kDacProductIdMismatch",
    "MATTER-PAI-VID-MISMATCH": "kPaiVendorIdMismatch",
    "MATTER-PAA-NOT-FOUND": "kPaaNotFound",
    "MATTER-CHAIN-INVALID": "kDacSignatureInvalid",
    "MATTER-CERT-EXPIRED": "expired",
    # Warnings: the SDK has no such check (it judges reported ids only against the CD).
    "MATTER-REPORTED-VID-MISMATCH": "kSuccess",
    "MATTER-REPORTED-PID-MISMATCH": "kSuccess",
    "MATTER-CD-MALFORMED": "kCertificationDeclarationInvalidFormat",
    "MATTER-CD-CMS-PROFILE": "kCertificationDeclarationInvalidSignature",
    "MATTER-CD-SIGNER-INFO": "kCertificationDeclarationNoKeyId",
    "MATTER-CD-SIGNER-UNKNOWN": "kCertificationDeclarationNoCertificateFound",
    "MATTER-CD-TEST-SIGNER": "kCertificationDeclarationNoCertificateFound",
    "MATTER-CD-SIGNATURE": "kCertificationDeclarationInvalidSignature",
    "MATTER-CD-CONTENT": "kCertificationDeclarationInvalidFormat",
    "MATTER-CD-FORMAT-VERSION": "kAttestationElementsMalformed",
    "MATTER-CD-CERT-TYPE": "kAttestationElementsMalformed",
    "MATTER-CD-VID-MISMATCH": "kCertificationDeclarationInvalidVendorId",
    "MATTER-CD-PID-MISMATCH": "kCertificationDeclarationInvalidProductId",
    "MATTER-CD-PAA-UNAUTHORIZED": "kCertificationDeclarationInvalidPAA",
    "MATTER-CD-IGNORED-FIELD": "kSuccess",
    "MATTER-CD-DCL-UNCHECKED": "kSuccess",
    "MATTER-REVOKED": "revoked",
    "MATTER-REVOCATION-ENTRY": "kSuccess",
    "MATTER-REVOCATION-MALFORMED": "kInvalidArgument",
    "MATTER-ATTESTATION-SIGNATURE": "kAttestationSignatureInvalid",
    "MATTER-ATTESTATION-SIGNATURE-FORMAT": "kAttestationSignatureInvalidFormat",
    "MATTER-ATTESTATION-ELEMENTS": "kAttestationElementsMalformed",
    "MATTER-ATTESTATION-NONCE": "kAttestationNonceMismatch",
    "MATTER-ATTESTATION-ARGUMENT": "kInvalidArgument",
}


def sdk_result(code: str, role: str | None = None) -> tuple[str, int]:
    """The SDK result name and number a finding code stands for."""
    name = _SDK_FOR_CODE[code]
    if name in _BY_ROLE:
        name = _BY_ROLE[name][role or "dac"]
    return name, SDK_RESULTS[name]


def mfinding(
    code: str,
    message: str,
    *,
    role: str | None = None,
    severity: Severity | None = None,
    **evidence: Any,
) -> Finding:
    """A Matter finding whose evidence starts with the SDK result (and the role, if any)."""
    name, number = sdk_result(code, role)
    ev: dict[str, Any] = {"sdk_result": name, "sdk_code": number}
    if role is not None:
        ev["certificate"] = role.upper()
    ev.update(evidence)
    return finding(
        code, message, subject=role.upper() if role else None, evidence=ev, severity=severity
    )
