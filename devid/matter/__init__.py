"""Matter device attestation: DAC/PAI/PAA chains, Certification Declarations, revocation sets,
attestation responses and the Matter TLV codec. Pure: bytes and an explicit time in, findings out.

Every finding carries the Matter SDK's ``AttestationVerificationResult`` (``sdk_result``,
``sdk_code``) in its evidence.
"""

from __future__ import annotations

from devid.matter._attestation import (
    AttestationElements,
    AttestationResponse,
    build_attestation_elements,
    parse_attestation_elements,
    verify_attestation_response,
)
from devid.matter._cd import CertificationDeclaration, check_cd, parse_cd
from devid.matter._certs import AttestationCert, CertStore, VidPid, parse_cert
from devid.matter._results import SDK_RESULTS, sdk_result
from devid.matter._revocation import (
    RevocationSet,
    RevocationSetError,
    check_revoked,
    load_revocation_set,
    parse_revocation_set,
)
from devid.matter._tlv import Element, ElementType, ProfileTag, TLVError
from devid.matter._tlv import decode as decode_tlv
from devid.matter._tlv import encode as encode_tlv
from devid.matter._verify import MatterVerdict, verify_matter

__all__ = [
    "SDK_RESULTS",
    "AttestationCert",
    "AttestationElements",
    "AttestationResponse",
    "CertStore",
    "CertificationDeclaration",
    "Element",
    "ElementType",
    "MatterVerdict",
    "ProfileTag",
    "RevocationSet",
    "RevocationSetError",
    "TLVError",
    "VidPid",
    "build_attestation_elements",
    "check_cd",
    "check_revoked",
    "decode_tlv",
    "encode_tlv",
    "load_revocation_set",
    "parse_attestation_elements",
    "parse_cd",
    "parse_cert",
    "parse_revocation_set",
    "sdk_result",
    "verify_attestation_response",
    "verify_matter",
]
