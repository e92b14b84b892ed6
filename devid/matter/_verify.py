"""The whole Matter device-attestation verdict: chain, ids, CD, revocation (pure).

:func:`verify_matter` follows the order of the SDK's
``DefaultDACVerifier::VerifyAttestationInformation`` but does not stop at the
first problem: it reports every finding it can still make sense of.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from devid._findings import Finding, Severity, has_errors
from devid.matter._cd import CertificationDeclaration, check_cd, parse_cd
from devid.matter._certs import (
    AttestationCert,
    CertStore,
    VidPid,
    check_validity,
    extract_vid_pid,
    parse_cert,
    parse_trusted,
    ski_of,
    validate_chain,
)
from devid.matter._results import mfinding
from devid.matter._revocation import RevocationSet, check_revoked


@dataclass(frozen=True)
class MatterVerdict:
    """The result of :func:`verify_matter`."""

    valid: bool
    vid: int | None
    pid: int | None
    findings: tuple[Finding, ...]
    paa: x509.Certificate | None = None
    cd: CertificationDeclaration | None = None

    def to_dict(self, input_name: str | None = None) -> dict[str, Any]:
        """The ``--json`` shape: ``{"input","valid","vid","pid","findings"}``."""
        return {
            "input": input_name,
            "valid": self.valid,
            "vid": None if self.vid is None else f"{self.vid:04X}",
            "pid": None if self.pid is None else f"{self.pid:04X}",
            "findings": [f.to_dict() for f in self.findings],
        }


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("at must be a timezone-aware datetime")
    return at


def verify_matter(
    dac: bytes,
    pai: bytes,
    *,
    paa_store: CertStore,
    at: datetime,
    cd: bytes | None = None,
    cd_signers: CertStore | None = None,
    vid: int | None = None,
    pid: int | None = None,
    revocation: RevocationSet | None = None,
) -> MatterVerdict:
    """Verify a DAC/PAI pair (DER or PEM) against trusted PAAs, and a CD when given.

    ``vid``/``pid`` are the ids the device reports (Basic Information cluster);
    they are cross-checked when given. ``at`` is the validation time of the DAC
    (timezone-aware). Returns every finding; the verdict is valid when none is
    an error.
    """
    at = _aware(at)
    findings: list[Finding] = []
    dac_cert, f = parse_cert(dac, "dac")
    findings += f
    pai_cert, f = parse_cert(pai, "pai")
    findings += f

    dac_ids = dac_cert.ids if dac_cert else None
    pai_ids = pai_cert.ids if pai_cert else None
    if dac_ids is not None and pai_ids is not None:
        findings += _check_ids(dac_ids, pai_ids)

    paa: x509.Certificate | None = None
    paa_ids: VidPid | None = None
    if pai_cert is not None and pai_cert.aki is not None:
        candidates = paa_store.by_ski(pai_cert.aki)
        if not candidates:
            findings.append(
                mfinding(
                    "MATTER-PAA-NOT-FOUND",
                    "no trusted PAA has key id " + pai_cert.aki.hex().upper(),
                    role="pai",
                    authority_key_id=pai_cert.aki.hex().upper(),
                )
            )
        else:
            paa = candidates[0]
            paa_parsed, paa_findings = parse_trusted(paa.public_bytes(Encoding.DER), "paa")
            findings += paa_findings
            if paa_parsed is not None and paa_parsed.ids is not None:
                paa_ids = paa_parsed.ids
                if paa_ids.vid is not None and pai_ids is not None and paa_ids.vid != pai_ids.vid:
                    findings.append(
                        mfinding(
                            "MATTER-PAI-VID-MISMATCH",
                            "PAI vendor id differs from the PAA's",
                            role="pai",
                            pai_vid=_hex4(pai_ids.vid),
                            paa_vid=_hex4(paa_ids.vid),
                        )
                    )
                if paa_ids.pid is not None:
                    findings.append(
                        mfinding(
                            "MATTER-PAA-PID-PRESENT",
                            "PAA carries a product id",
                            role="paa",
                            paa_pid=_hex4(paa_ids.pid),
                        )
                    )

    if dac_cert is not None and pai_cert is not None:
        findings += check_validity(dac_cert, pai_cert, paa, at)
        if paa is not None:
            error = validate_chain(dac_cert.cert, pai_cert.cert, paa)
            if error is not None:
                findings.append(
                    mfinding(
                        "MATTER-CHAIN-INVALID",
                        f"path validation failed: {error}",
                        role="dac",
                        reason=error,
                    )
                )

    parsed_cd: CertificationDeclaration | None = None
    if cd is not None:
        parsed_cd, f = parse_cd(cd, cd_signers)
        findings += f
        if parsed_cd is not None and dac_ids is not None and pai_ids is not None:
            findings += check_cd(
                parsed_cd,
                dac=dac_ids,
                pai=pai_ids,
                paa_ski=ski_of(paa) if paa is not None else None,
                vid=vid,
                pid=pid,
            )
    if dac_ids is not None and parsed_cd is None:
        findings += _check_reported(dac_ids, vid, pid)

    if revocation is not None:
        revoked: list[Finding] = []
        for cert, role in ((dac_cert, "dac"), (pai_cert, "pai")):
            if cert is not None:
                revoked += check_revoked(cert.cert, role, revocation)
        roles = {f.subject for f in revoked if f.code == "MATTER-REVOKED"}
        if roles == {"DAC", "PAI"}:
            # The SDK reports the pair as one result, kPaiAndDacRevoked (208).
            revoked = [
                replace(
                    f,
                    evidence={
                        **f.evidence,
                        "sdk_chain_result": "kPaiAndDacRevoked",
                        "sdk_chain_code": 208,
                    },
                )
                if f.code == "MATTER-REVOKED"
                else f
                for f in revoked
            ]
        findings += revoked

    ordered = tuple(sorted(findings, key=lambda x: _RANK[x.severity]))
    return MatterVerdict(
        valid=not has_errors(ordered),
        vid=dac_ids.vid if dac_ids else None,
        pid=dac_ids.pid if dac_ids else None,
        findings=ordered,
        paa=paa,
        cd=parsed_cd,
    )


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _hex4(value: int | None) -> str | None:
    return None if value is None else f"{value:04X}"


def _check_reported(dac: VidPid, vid: int | None, pid: int | None) -> list[Finding]:
    """Reported ids that differ from the DAC's when no CD is there to judge them (warnings).

    The SDK (``ValidateCertificateDeclarationPayload``) and the specification (§6.2.3.1)
    judge the reported VendorID and ProductID only against the CD: vendor_id equals the
    reported VendorID, product_id_array holds the reported ProductID, and the DAC's ids
    are checked against the CD (or its dac_origin) on their own. A DAC whose ids differ
    from the reported ones is therefore legitimate when the CD allows it (several products
    in product_id_array, or a DAC origin), and without a CD that cannot be decided: the
    difference is reported as a warning, never blamed on ``kDac*IdMismatch``.
    """
    out: list[Finding] = []
    if vid is not None and dac.vid is not None and dac.vid != vid:
        out.append(
            mfinding(
                "MATTER-REPORTED-VID-MISMATCH",
                "DAC vendor id differs from the reported VendorID; only a CD can allow it",
                role="dac",
                dac_vid=_hex4(dac.vid),
                reported=_hex4(vid),
            )
        )
    if pid is not None and dac.pid is not None and dac.pid != pid:
        out.append(
            mfinding(
                "MATTER-REPORTED-PID-MISMATCH",
                "DAC product id differs from the reported ProductID; only a CD can allow it",
                role="dac",
                dac_pid=_hex4(dac.pid),
                reported=_hex4(pid),
            )
        )
    return out


def _check_ids(dac: VidPid, pai: VidPid) -> list[Finding]:
    out: list[Finding] = []
    if pai.vid is None or pai.vid != dac.vid:
        out.append(
            mfinding(
                "MATTER-DAC-VID-MISMATCH",
                "DAC vendor id is missing or differs from the PAI's",
                role="dac",
                dac_vid=_hex4(dac.vid),
                pai_vid=_hex4(pai.vid),
            )
        )
    if dac.pid is None:
        out.append(mfinding("MATTER-DAC-PID-MISMATCH", "DAC carries no product id", role="dac"))
    elif pai.pid is not None and pai.pid != dac.pid:
        out.append(
            mfinding(
                "MATTER-DAC-PID-MISMATCH",
                "PAI product id differs from the DAC's",
                role="dac",
                dac_pid=_hex4(dac.pid),
                pai_pid=_hex4(pai.pid),
            )
        )
    return out


__all__ = ["AttestationCert", "MatterVerdict", "extract_vid_pid", "verify_matter"]
