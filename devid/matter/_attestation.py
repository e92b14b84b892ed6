"""The attestation response a commissioner receives (Matter Core §11.18.4.6-7), verified purely.

The device answers an AttestationRequest(nonce) with ``attestation_elements``
(Matter TLV: certification declaration, the nonce, a timestamp, optional
firmware information and vendor-reserved elements) and a signature by the DAC
key over ``attestation_elements || attestation_challenge`` (the challenge comes
from the secure session). The signature is raw ``r || s`` (64 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from devid._findings import Finding, has_errors
from devid.matter import _tlv
from devid.matter._certs import MAX_CERT_BYTES, der_from_input
from devid.matter._guard import PARSER_ERRORS, SIGNATURE_ERRORS
from devid.matter._results import mfinding

RESP_MAX = 900
NONCE_LENGTH = 32
SIGNATURE_LENGTH = 64

TAG_CD = 1
TAG_NONCE = 2
TAG_TIMESTAMP = 3
TAG_FIRMWARE = 4


@dataclass(frozen=True, slots=True)
class AttestationElements:
    certification_declaration: bytes
    attestation_nonce: bytes
    timestamp: int
    firmware_information: bytes | None


@dataclass(frozen=True, slots=True)
class AttestationResponse:
    """The verdict on one attestation response."""

    valid: bool
    elements: AttestationElements | None
    findings: tuple[Finding, ...]


def build_attestation_elements(
    certification_declaration: bytes,
    nonce: bytes,
    timestamp: int = 0,
    firmware_information: bytes | None = None,
) -> bytes:
    """The TLV attestation elements a device sends (used by tests and the simulator)."""
    members = [
        _tlv.octets(certification_declaration, TAG_CD),
        _tlv.octets(nonce, TAG_NONCE),
        _tlv.uint(timestamp, TAG_TIMESTAMP),
    ]
    if firmware_information:
        members.append(_tlv.octets(firmware_information, TAG_FIRMWARE))
    return _tlv.encode(_tlv.structure(*members))


def parse_attestation_elements(data: bytes) -> tuple[AttestationElements | None, list[Finding]]:
    """Decode attestation elements: context tags 1..n in order first, then vendor-reserved tags."""

    def bad(message: str) -> tuple[None, list[Finding]]:
        return None, [mfinding("MATTER-ATTESTATION-ELEMENTS", message)]

    try:
        root = _tlv.decode(data, max_depth=4, max_length=RESP_MAX)
    except _tlv.TLVError as exc:
        return bad(f"attestation elements are not Matter TLV: {exc}")
    except PARSER_ERRORS:  # the backstop: decode() promises TLVError only
        return bad("attestation elements are not Matter TLV")
    if root.type is not _tlv.ElementType.STRUCTURE or root.tag is not None:
        return bad("attestation elements are not an anonymous structure")
    found: dict[int, _tlv.Element] = {}
    last = 0
    in_context = True
    for member in root:
        if isinstance(member.tag, int):
            if not in_context:
                return bad("a context tag follows a vendor-reserved element")
            if (last == 0 and member.tag != TAG_CD) or member.tag <= last:
                return bad(f"context tag {member.tag} out of order")
            last = member.tag
            found[member.tag] = member
        else:
            in_context = False
    cd, nonce, ts = found.get(TAG_CD), found.get(TAG_NONCE), found.get(TAG_TIMESTAMP)
    if cd is None or nonce is None or ts is None:
        return bad("certification_declaration, attestation_nonce or timestamp is missing")
    fw = found.get(TAG_FIRMWARE)
    if not isinstance(cd.value, bytes) or not isinstance(nonce.value, bytes):
        return bad("certification_declaration and attestation_nonce must be octet strings")
    if (
        ts.type is not _tlv.ElementType.UNSIGNED
        or not isinstance(ts.value, int)
        or ts.value > 0xFFFFFFFF
    ):
        return bad("timestamp must be a 32-bit unsigned integer")
    if fw is not None and not isinstance(fw.value, bytes):
        return bad("firmware_information must be an octet string")
    return (
        AttestationElements(
            certification_declaration=cd.value,
            attestation_nonce=nonce.value,
            timestamp=ts.value,
            firmware_information=fw.value
            if fw is not None and isinstance(fw.value, bytes)
            else None,
        ),
        [],
    )


def verify_attestation_response(
    elements: bytes,
    challenge: bytes,
    signature: bytes,
    dac: bytes | x509.Certificate,
    nonce: bytes,
) -> AttestationResponse:
    """Verify the DAC's signature over ``elements || challenge`` and the nonce inside the elements.

    ``dac`` is the DAC (DER, PEM or a loaded certificate) whose key signed;
    ``nonce`` is the 32-byte nonce the commissioner sent in the AttestationRequest.
    """
    findings: list[Finding] = []
    if (
        not elements
        or not challenge
        or not signature
        or len(elements) > RESP_MAX
        or len(nonce) != NONCE_LENGTH
    ):
        findings.append(
            mfinding(
                "MATTER-ATTESTATION-ARGUMENT",
                "elements, challenge and signature must be non-empty, the elements at most "
                f"{RESP_MAX} bytes and the nonce {NONCE_LENGTH} bytes",
                elements_length=len(elements),
                challenge_length=len(challenge),
                signature_length=len(signature),
                nonce_length=len(nonce),
            )
        )
        return AttestationResponse(False, None, tuple(findings))
    try:
        if not isinstance(dac, x509.Certificate) and len(dac) > MAX_CERT_BYTES:
            raise ValueError("too large")
        cert = (
            dac
            if isinstance(dac, x509.Certificate)
            else x509.load_der_x509_certificate(der_from_input(dac))
        )
        key = cert.public_key()
    except PARSER_ERRORS as exc:
        findings.append(
            mfinding(
                "MATTER-CERT-MALFORMED",
                "DAC is not an X.509 certificate with a usable public key",
                role="dac",
                parser_error=type(exc).__name__,
            )
        )
        return AttestationResponse(False, None, tuple(findings))
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
        findings.append(
            mfinding(
                "MATTER-KEY-CURVE",
                f"DAC key is {curve}; attestation needs P-256",
                role="dac",
                key=curve,
            )
        )
    elif len(signature) != SIGNATURE_LENGTH:
        findings.append(
            mfinding(
                "MATTER-ATTESTATION-SIGNATURE-FORMAT",
                f"signature is {len(signature)} bytes, not {SIGNATURE_LENGTH}",
                length=len(signature),
            )
        )
    else:
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        try:
            key.verify(encode_dss_signature(r, s), elements + challenge, ec.ECDSA(hashes.SHA256()))
        except SIGNATURE_ERRORS:
            findings.append(
                mfinding(
                    "MATTER-ATTESTATION-SIGNATURE",
                    "the attestation signature does not verify with the DAC key",
                )
            )
    parsed, f = parse_attestation_elements(elements)
    findings += f
    if parsed is not None and parsed.attestation_nonce != nonce:
        findings.append(
            mfinding(
                "MATTER-ATTESTATION-NONCE",
                "the nonce in the attestation elements differs from the one sent",
                expected=nonce.hex(),
                received=parsed.attestation_nonce.hex(),
            )
        )
    return AttestationResponse(not has_errors(findings), parsed, tuple(findings))
