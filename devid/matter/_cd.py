"""Certification Declaration: CMS SignedData envelope (asn1crypto) and Matter TLV content.

Matter Core §6.3.1 profiles CMS tightly: SignedData version 3, one digest
algorithm (SHA-256), eContentType pkcs7-data, one SignerInfo (version 3,
identified by subjectKeyIdentifier, SHA-256, ecdsa-with-SHA256, no signed
attributes) whose signature covers the eContent bytes directly. The content is
a TLV structure of fixed tags. The cross-checks follow the SDK's
``DefaultDACVerifier::ValidateCertificateDeclarationPayload``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from devid._findings import Finding
from devid.matter import _tlv
from devid.matter._certs import CertStore, VidPid, der_from_input, is_development_signer
from devid.matter._guard import PARSER_ERRORS, SIGNATURE_ERRORS, der_problem
from devid.matter._results import mfinding

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_PKCS7_DATA = "1.2.840.113549.1.7.1"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
MAX_CD_BYTES = 1024 * 4  # DER; generous: the SDK's kMaxCMSSignedCDMessage is 600
MAX_CD_INPUT_BYTES = 2 * MAX_CD_BYTES  # as given (PEM is about 4/3 of the DER)
MAX_PRODUCT_IDS = 100
MAX_AUTHORIZED_PAAS = 10
CERTIFICATE_ID_LENGTH = 19

# certification_type values (Matter Core §6.3.1)
CERTIFICATION_TYPES = {0: "development_and_test", 1: "provisional", 2: "official"}

# context tag -> (field, kind, required)
_FIELDS: tuple[tuple[int, str, str, bool], ...] = (
    (0, "format_version", "int", True),
    (1, "vendor_id", "int", True),
    (2, "product_id_array", "array", True),
    (3, "device_type_id", "int", True),
    (4, "certificate_id", "utf8", True),
    (5, "security_level", "int", True),
    (6, "security_information", "int", True),
    (7, "version_number", "int", False),  # not interpreted by commissioners
    (8, "certification_type", "int", True),
    (9, "dac_origin_vendor_id", "int", False),
    (10, "dac_origin_product_id", "int", False),
    (11, "authorized_paa_list", "array", False),
)
_MAX_VALUE = {
    "format_version": 0xFF,
    "vendor_id": 0xFFFF,
    "device_type_id": 0xFFFFFFFF,
    "security_level": 0xFF,
    "security_information": 0xFFFF,
    "version_number": 0xFFFF,
    "certification_type": 0xFF,
    "dac_origin_vendor_id": 0xFFFF,
    "dac_origin_product_id": 0xFFFF,
}


@dataclass(frozen=True, slots=True)
class CertificationDeclaration:
    """The decoded content of a CD, with the signer that signed it."""

    format_version: int
    vendor_id: int
    product_ids: tuple[int, ...]
    device_type_id: int
    certificate_id: str
    security_level: int
    security_information: int
    version_number: int | None
    certification_type: int
    dac_origin_vendor_id: int | None
    dac_origin_product_id: int | None
    authorized_paa_list: tuple[bytes, ...] | None
    signer_key_id: bytes
    signed_by_test_key: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "vendor_id": f"{self.vendor_id:04X}",
            "product_ids": [f"{p:04X}" for p in self.product_ids],
            "device_type_id": f"0x{self.device_type_id:08X}",
            "certificate_id": self.certificate_id,
            "security_level": self.security_level,
            "security_information": self.security_information,
            "version_number": self.version_number,
            "certification_type": CERTIFICATION_TYPES.get(
                self.certification_type, self.certification_type
            ),
            "dac_origin_vendor_id": None
            if self.dac_origin_vendor_id is None
            else f"{self.dac_origin_vendor_id:04X}",
            "dac_origin_product_id": None
            if self.dac_origin_product_id is None
            else f"{self.dac_origin_product_id:04X}",
            "authorized_paa_list": None
            if self.authorized_paa_list is None
            else [k.hex().upper() for k in self.authorized_paa_list],
            "signer_key_id": self.signer_key_id.hex().upper(),
        }


def _cms_envelope(data: bytes) -> tuple[bytes | None, bytes | None, bytes | None, list[Finding]]:
    """(content, signer key id, DER signature, findings) from the CMS envelope."""
    out: list[Finding] = []
    try:
        info = cms.ContentInfo.load(data, strict=True)
        ctype = info["content_type"].dotted
        if ctype != OID_SIGNED_DATA:
            return (
                None,
                None,
                None,
                [
                    mfinding(
                        "MATTER-CD-MALFORMED",
                        f"CMS content type {ctype} is not signed-data",
                        content_type=ctype,
                    )
                ],
            )
        sd = info["content"]
        version = sd["version"].native
        digests = [a["algorithm"].dotted for a in sd["digest_algorithms"]]
        encap = sd["encap_content_info"]
        econtent_type = encap["content_type"].dotted
        content = encap["content"].native if encap["content"] is not None else None
        signers = list(sd["signer_infos"])
    except PARSER_ERRORS as exc:
        return (
            None,
            None,
            None,
            [
                mfinding(
                    "MATTER-CD-MALFORMED",
                    "the CD does not have the structure of a CMS SignedData",
                    parser_error=type(exc).__name__,
                )
            ],
        )
    if version != "v3":
        out.append(
            mfinding(
                "MATTER-CD-CMS-PROFILE",
                f"SignedData version {version}, not v3",
                field="version",
                value=str(version),
            )
        )
    if digests != [OID_SHA256]:
        out.append(
            mfinding(
                "MATTER-CD-CMS-PROFILE",
                f"digest algorithms {digests}, not [sha256]",
                field="digestAlgorithms",
                value=digests,
            )
        )
    if econtent_type != OID_PKCS7_DATA:
        out.append(
            mfinding(
                "MATTER-CD-CMS-PROFILE",
                f"eContentType {econtent_type}, not pkcs7-data",
                field="eContentType",
                value=econtent_type,
            )
        )
    if not isinstance(content, bytes):
        out.append(mfinding("MATTER-CD-MALFORMED", "the SignedData carries no eContent"))
        content = None
    if len(signers) != 1:
        out.append(
            mfinding(
                "MATTER-CD-SIGNER-INFO",
                f"{len(signers)} SignerInfos, not exactly one",
                field="signerInfos",
                value=len(signers),
            )
        )
        return content, None, None, out
    try:
        si = signers[0]
        si_version = si["version"].native
        sid = si["sid"]
        key_id = sid.chosen.native if sid.name == "subject_key_identifier" else None
        si_digest = si["digest_algorithm"]["algorithm"].dotted
        si_sig_alg = si["signature_algorithm"]["algorithm"].dotted
        has_signed_attrs = bool(si["signed_attrs"]) if si["signed_attrs"] is not None else False
        signature = si["signature"].native
    except PARSER_ERRORS as exc:
        out.append(
            mfinding(
                "MATTER-CD-SIGNER-INFO",
                "the CD's SignerInfo does not parse",
                parser_error=type(exc).__name__,
            )
        )
        return content, None, None, out
    problems = []
    if si_version != "v3":
        problems.append(("version", str(si_version)))
    if not isinstance(key_id, bytes):
        problems.append(("sid", sid.name))
    if si_digest != OID_SHA256:
        problems.append(("digestAlgorithm", si_digest))
    if si_sig_alg != OID_ECDSA_SHA256:
        problems.append(("signatureAlgorithm", si_sig_alg))
    if has_signed_attrs:
        problems.append(("signedAttrs", "present"))
    for field, value in problems:
        out.append(
            mfinding(
                "MATTER-CD-SIGNER-INFO", f"SignerInfo {field} is {value}", field=field, value=value
            )
        )
    if problems:
        return content, key_id if isinstance(key_id, bytes) else None, None, out
    return content, key_id, signature if isinstance(signature, bytes) else None, out


def _decode_content(content: bytes) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The TLV fields of the CD content, or a MATTER-CD-CONTENT finding."""

    def bad(message: str, **ev: Any) -> tuple[None, list[Finding]]:
        return None, [mfinding("MATTER-CD-CONTENT", message, **ev)]

    try:
        root = _tlv.decode(content, max_depth=4, max_length=MAX_CD_BYTES)
    except _tlv.TLVError as exc:
        return bad(f"CD content is not Matter TLV: {exc}")
    except PARSER_ERRORS:  # the backstop: decode() promises TLVError only
        return bad("CD content is not Matter TLV")
    if root.type is not _tlv.ElementType.STRUCTURE or root.tag is not None:
        return bad("CD content is not an anonymous TLV structure")
    by_tag = {tag: (name, kind, required) for tag, name, kind, required in _FIELDS}
    fields: dict[str, Any] = {}
    last = -1
    for member in root:
        if not isinstance(member.tag, int) or member.tag not in by_tag:
            continue  # future fields are ignored, as the SDK does
        if member.tag < last:
            return bad(f"CD field {member.tag} out of order", tag=member.tag)
        last = member.tag
        name, kind, _ = by_tag[member.tag]
        if kind == "int":
            if member.type not in (
                _tlv.ElementType.UNSIGNED,
                _tlv.ElementType.SIGNED,
            ) or not isinstance(member.value, int):
                return bad(f"CD {name} is not an integer", field=name)
            if not 0 <= member.value <= _MAX_VALUE[name]:
                return bad(f"CD {name} {member.value} out of range", field=name)
            fields[name] = member.value
        elif kind == "utf8":
            if member.type is not _tlv.ElementType.UTF8 or not isinstance(member.value, str):
                return bad(f"CD {name} is not a UTF-8 string", field=name)
            fields[name] = member.value
        else:
            if member.type is not _tlv.ElementType.ARRAY:
                return bad(f"CD {name} is not an array", field=name)
            items = member.members()
            if name == "product_id_array":
                if len(items) > MAX_PRODUCT_IDS:
                    return bad(
                        f"CD product_id_array has {len(items)} entries (at most {MAX_PRODUCT_IDS})",
                        field=name,
                    )
                if any(
                    i.type is not _tlv.ElementType.UNSIGNED
                    or not isinstance(i.value, int)
                    or i.value > 0xFFFF
                    for i in items
                ):
                    return bad(
                        "CD product_id_array holds a value that is not a 16-bit unsigned integer",
                        field=name,
                    )
                fields[name] = tuple(int(i.value) for i in items if isinstance(i.value, int))
            else:
                if len(items) > MAX_AUTHORIZED_PAAS:
                    return bad(
                        f"CD authorized_paa_list: {len(items)} entries (max {MAX_AUTHORIZED_PAAS})",
                        field=name,
                    )
                if any(not isinstance(i.value, bytes) or len(i.value) != 20 for i in items):
                    return bad(
                        "CD authorized_paa_list holds an entry that is not a 20-byte key id",
                        field=name,
                    )
                fields[name] = tuple(bytes(i.value) for i in items if isinstance(i.value, bytes))
    for _tag, name, _kind, required in _FIELDS:
        if required and name not in fields:
            return bad(f"CD has no {name}", field=name)
    if len(fields["certificate_id"]) != CERTIFICATE_ID_LENGTH:
        return bad(
            f"CD certificate_id {fields['certificate_id']!r} is not {CERTIFICATE_ID_LENGTH} chars",
            field="certificate_id",
            value=fields["certificate_id"],
        )
    if ("dac_origin_vendor_id" in fields) != ("dac_origin_product_id" in fields):
        return bad(
            "CD carries only one of dac_origin_vendor_id and dac_origin_product_id",
            field="dac_origin",
        )
    return fields, []


def parse_cd(
    data: bytes, signers: CertStore | None
) -> tuple[CertificationDeclaration | None, list[Finding]]:
    """Verify the CMS envelope and signature of a CD and decode its content.

    ``signers`` are the trusted CD signing certificates (looked up by subject key
    identifier). A self-signed signer is a development key: it may sign
    development and provisional CDs only.
    """
    if len(data) > MAX_CD_INPUT_BYTES:
        return None, [_cd_malformed(f"larger than {MAX_CD_INPUT_BYTES} bytes", length=len(data))]
    try:
        der = der_from_input(data)
    except ValueError as exc:
        return None, [_cd_malformed(str(exc))]
    if len(der) > MAX_CD_BYTES:
        return None, [_cd_malformed(f"larger than {MAX_CD_BYTES} bytes", length=len(der))]
    problem = der_problem(der)
    if problem is not None:
        return None, [_cd_malformed(problem)]
    try:
        return _parse_cd(der, signers)
    except PARSER_ERRORS as exc:
        # The backstop: a parser error the finer guards did not place.
        return None, [
            mfinding(
                "MATTER-CD-MALFORMED",
                "the CD is not a well-formed CMS SignedData",
                parser_error=type(exc).__name__,
            )
        ]


def _cd_malformed(reason: str, **evidence: Any) -> Finding:
    return mfinding("MATTER-CD-MALFORMED", f"the CD {reason}", reason=reason, **evidence)


def _parse_cd(
    data: bytes, signers: CertStore | None
) -> tuple[CertificationDeclaration | None, list[Finding]]:
    content, key_id, signature, findings = _cms_envelope(data)
    signer: x509.Certificate | None = None
    if key_id is not None:
        candidates = signers.by_ski(key_id) if signers is not None else []
        if not candidates:
            findings.append(
                mfinding(
                    "MATTER-CD-SIGNER-UNKNOWN",
                    (
                        "no trusted CD signing certificate has key id " + key_id.hex().upper()
                        if signers is not None
                        else "no trusted CD signing certificates were given"
                    ),
                    signer_key_id=key_id.hex().upper(),
                )
            )
        elif signature is not None and content is not None:
            for candidate in candidates:
                try:
                    key = candidate.public_key()
                except PARSER_ERRORS:
                    continue
                if not isinstance(key, ec.EllipticCurvePublicKey):
                    continue
                try:
                    key.verify(signature, content, ec.ECDSA(hashes.SHA256()))
                except SIGNATURE_ERRORS:
                    continue
                signer = candidate
                break
            if signer is None:
                findings.append(
                    mfinding(
                        "MATTER-CD-SIGNATURE",
                        "the CD signature does not verify with the signer's key",
                        signer_key_id=key_id.hex().upper(),
                    )
                )
    if content is None:
        return None, findings
    fields, content_findings = _decode_content(content)
    findings += content_findings
    if fields is None:
        return None, findings
    test_key = signer is not None and is_development_signer(signer.public_bytes(Encoding.DER))
    cd = CertificationDeclaration(
        format_version=fields["format_version"],
        vendor_id=fields["vendor_id"],
        product_ids=fields["product_id_array"],
        device_type_id=fields["device_type_id"],
        certificate_id=fields["certificate_id"],
        security_level=fields["security_level"],
        security_information=fields["security_information"],
        version_number=fields.get("version_number"),
        certification_type=fields["certification_type"],
        dac_origin_vendor_id=fields.get("dac_origin_vendor_id"),
        dac_origin_product_id=fields.get("dac_origin_product_id"),
        authorized_paa_list=fields.get("authorized_paa_list"),
        signer_key_id=key_id or b"",
        signed_by_test_key=test_key,
    )
    if test_key and cd.certification_type not in (0, 1):
        findings.append(
            mfinding(
                "MATTER-CD-TEST-SIGNER",
                f"a development CD signing key signed a CD of type {cd.certification_type}",
                certification_type=cd.certification_type,
                signer_key_id=cd.signer_key_id.hex().upper(),
            )
        )
    return cd, findings


def _hex4(value: int | None) -> str | None:
    return None if value is None else f"{value:04X}"


def check_cd(
    cd: CertificationDeclaration,
    *,
    dac: VidPid,
    pai: VidPid,
    paa_ski: bytes | None,
    vid: int | None,
    pid: int | None,
) -> list[Finding]:
    """The CD's own rules and its cross-checks with the DAC, PAI, PAA and reported ids."""
    out: list[Finding] = []
    if cd.format_version != 1:
        out.append(
            mfinding(
                "MATTER-CD-FORMAT-VERSION",
                f"CD format_version {cd.format_version}, not 1",
                value=cd.format_version,
            )
        )
    if cd.certification_type not in CERTIFICATION_TYPES:
        out.append(
            mfinding(
                "MATTER-CD-CERT-TYPE",
                f"CD certification_type {cd.certification_type} is reserved",
                value=cd.certification_type,
            )
        )
    ids = [f"{p:04X}" for p in cd.product_ids]
    if vid is not None and cd.vendor_id != vid:
        out.append(
            mfinding(
                "MATTER-CD-VID-MISMATCH",
                "CD vendor_id differs from the reported VendorID",
                cd_vendor_id=_hex4(cd.vendor_id),
                reported=_hex4(vid),
            )
        )
    if pid is not None and pid not in cd.product_ids:
        out.append(
            mfinding(
                "MATTER-CD-PID-MISMATCH",
                "CD product_id_array lacks the reported ProductID",
                product_id_array=ids,
                reported=_hex4(pid),
            )
        )
    if cd.dac_origin_vendor_id is not None and cd.dac_origin_product_id is not None:
        origin_vid, origin_pid = cd.dac_origin_vendor_id, cd.dac_origin_product_id
        for who, value in (("DAC", dac.vid), ("PAI", pai.vid)):
            if value != origin_vid:
                out.append(
                    mfinding(
                        "MATTER-CD-VID-MISMATCH",
                        f"{who} vendor id differs from the CD dac_origin_vendor_id",
                        certificate=who,
                        value=_hex4(value),
                        dac_origin_vendor_id=_hex4(origin_vid),
                    )
                )
        for who, value, optional in (("DAC", dac.pid, False), ("PAI", pai.pid, True)):
            if (value is not None or not optional) and value != origin_pid:
                out.append(
                    mfinding(
                        "MATTER-CD-PID-MISMATCH",
                        f"{who} product id differs from the CD dac_origin_product_id",
                        certificate=who,
                        value=_hex4(value),
                        dac_origin_product_id=_hex4(origin_pid),
                    )
                )
    else:
        for who, value in (("DAC", dac.vid), ("PAI", pai.vid)):
            if value != cd.vendor_id:
                out.append(
                    mfinding(
                        "MATTER-CD-VID-MISMATCH",
                        f"{who} vendor id differs from the CD vendor_id",
                        certificate=who,
                        value=_hex4(value),
                        cd_vendor_id=_hex4(cd.vendor_id),
                    )
                )
        for who, value, optional in (("DAC", dac.pid, False), ("PAI", pai.pid, True)):
            if (value is not None or not optional) and value not in cd.product_ids:
                out.append(
                    mfinding(
                        "MATTER-CD-PID-MISMATCH",
                        f"{who} product id is not in the CD product_id_array",
                        certificate=who,
                        value=_hex4(value),
                        product_id_array=ids,
                    )
                )
    if (
        cd.authorized_paa_list is not None
        and paa_ski is not None
        and paa_ski not in cd.authorized_paa_list
    ):
        out.append(
            mfinding(
                "MATTER-CD-PAA-UNAUTHORIZED",
                "the chain's PAA is not in the CD authorized_paa_list",
                paa_key_id=paa_ski.hex().upper(),
                authorized_paa_list=[k.hex().upper() for k in cd.authorized_paa_list],
            )
        )
    for name, value in (
        ("security_level", cd.security_level),
        ("security_information", cd.security_information),
    ):
        if value != 0:
            out.append(
                mfinding(
                    "MATTER-CD-IGNORED-FIELD",
                    f"CD {name} is {value}; devices set 0 and commissioners ignore it",
                    field=name,
                    value=value,
                )
            )
    out.append(
        mfinding(
            "MATTER-CD-DCL-UNCHECKED",
            "device_type_id, certificate_id and version_number are left for the DCL",
            device_type_id=f"0x{cd.device_type_id:08X}",
            certificate_id=cd.certificate_id,
            version_number=cd.version_number,
        )
    )
    return out
