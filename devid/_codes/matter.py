"""Finding codes of Matter device attestation (Matter Core Specification §6.2-6.3, §11.18).

Each finding's evidence also names the Matter SDK's AttestationVerificationResult
(``sdk_result``, ``sdk_code``); see devid/matter/_results.py for the mapping.
"""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    # certificates (DAC, PAI, PAA)
    CodeSpec("MATTER-CERT-MALFORMED", S.ERROR, "A DAC, PAI or PAA does not parse as X.509 DER or PEM, or one of its extensions does not parse.", "Matter Core §6.2.2; RFC 5280 §4"),
    CodeSpec("MATTER-CERT-VERSION", S.ERROR, "An attestation certificate is not X.509 v3.", "Matter Core §6.2.2.1"),
    CodeSpec("MATTER-SIG-ALG", S.ERROR, "An attestation certificate is not signed with ecdsa-with-SHA256.", "Matter Core §6.2.2.1"),
    CodeSpec("MATTER-KEY-CURVE", S.ERROR, "An attestation certificate's public key is not an EC key on P-256.", "Matter Core §6.2.2.1"),
    CodeSpec("MATTER-BASIC-CONSTRAINTS", S.ERROR, "basicConstraints is missing, not critical or has the wrong CA flag or pathLen for the role (DAC: CA false; PAI: CA true, pathLen 0; PAA: CA true, pathLen absent or 1).", "Matter Core §6.2.2.3-6.2.2.5"),
    CodeSpec("MATTER-KEY-USAGE", S.ERROR, "keyUsage is missing, not critical or has the wrong bits for the role (DAC: digitalSignature only; PAI/PAA: keyCertSign and cRLSign, digitalSignature optional).", "Matter Core §6.2.2.3-6.2.2.5"),
    CodeSpec("MATTER-KEYID", S.ERROR, "The subjectKeyIdentifier (all roles) or authorityKeyIdentifier (DAC, PAI) is missing, critical or not 20 bytes.", "Matter Core §6.2.2.3-6.2.2.5"),
    CodeSpec("MATTER-EXT-DUPLICATE", S.ERROR, "An extension appears more than once in an attestation certificate.", "Matter Core §6.2.2; RFC 5280 §4.2"),
    CodeSpec("MATTER-VIDPID-ENCODING", S.ERROR, "A vendor or product id in the subject is not four uppercase hex digits (Matter OID or Mvid:/Mpid: fallback in the common name), or appears twice.", "Matter Core §6.2.2.2"),
    CodeSpec("MATTER-PAA-PID-PRESENT", S.ERROR, "The PAA carries a product id, which a PAA must not.", "Matter Core §6.2.2.5"),
    CodeSpec("MATTER-DAC-VID-MISMATCH", S.ERROR, "The DAC's vendor id is missing or differs from the PAI's.", "Matter Core §6.2.3.1"),
    CodeSpec("MATTER-DAC-PID-MISMATCH", S.ERROR, "The DAC has no product id, or the PAI carries one that differs from the DAC's.", "Matter Core §6.2.3.1"),
    CodeSpec("MATTER-PAI-VID-MISMATCH", S.ERROR, "The PAA carries a vendor id that differs from the PAI's.", "Matter Core §6.2.3.1"),
    CodeSpec("MATTER-PAA-NOT-FOUND", S.ERROR, "No PAA in the trust store has the PAI's authority key identifier.", "Matter Core §6.2.3.1"),
    CodeSpec("MATTER-CHAIN-INVALID", S.ERROR, "Path validation DAC -> PAI -> PAA fails (signature, names or constraints).", "Matter Core §6.2.3.1; RFC 5280 §6"),
    CodeSpec("MATTER-CERT-EXPIRED", S.ERROR, "The DAC is not valid at the validation time, or the PAI or PAA was not valid when the DAC was issued.", "Matter Core §6.2.3.1"),
    CodeSpec("MATTER-REPORTED-VID-MISMATCH", S.WARNING, "No CD was given (or it did not parse) and the DAC's vendor id differs from the VendorID the device reports; only a CD (its dac_origin) can allow that, so it is not judged.", "Matter Core §6.2.3.1; §6.3.1"),
    CodeSpec("MATTER-REPORTED-PID-MISMATCH", S.WARNING, "No CD was given (or it did not parse) and the DAC's product id differs from the ProductID the device reports; only a CD (both in product_id_array, or its dac_origin) can allow that, so it is not judged.", "Matter Core §6.2.3.1; §6.3.1"),
    # certification declaration
    CodeSpec("MATTER-CD-MALFORMED", S.ERROR, "The certification declaration is not a CMS SignedData structure.", "Matter Core §6.3.1; RFC 5652 §5"),
    CodeSpec("MATTER-CD-CMS-PROFILE", S.ERROR, "The CMS SignedData is not version 3, its digest algorithm is not SHA-256, or its eContentType is not pkcs7-data.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-SIGNER-INFO", S.ERROR, "The CD's SignerInfo is not one version-3 signer identified by subjectKeyIdentifier with SHA-256 and ecdsa-with-SHA256.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-SIGNER-UNKNOWN", S.ERROR, "No trusted CD signing certificate has the signer's subject key identifier.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-TEST-SIGNER", S.ERROR, "A development (self-signed) CD signing key signed an official certification declaration.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-SIGNATURE", S.ERROR, "The CD signature does not verify with the signer's key.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-CONTENT", S.ERROR, "The CD content is not Matter TLV of the required shape (a field missing, of the wrong type, a certificate_id that is not 19 characters, or only one of the two DAC origin fields).", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-FORMAT-VERSION", S.ERROR, "The CD format_version is not 1.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-CERT-TYPE", S.ERROR, "The CD certification_type is not 0 (development), 1 (provisional) or 2 (official).", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-VID-MISMATCH", S.ERROR, "The CD vendor_id (or dac_origin_vendor_id) does not match the reported, DAC or PAI vendor id.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-PID-MISMATCH", S.ERROR, "The CD product_id_array (or dac_origin_product_id) does not contain the reported, DAC or PAI product id.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-PAA-UNAUTHORIZED", S.ERROR, "The CD carries an authorized_paa_list that does not name the chain's PAA.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-IGNORED-FIELD", S.WARNING, "security_level or security_information is not 0; devices must set 0 but commissioners must ignore them.", "Matter Core §6.3.1"),
    CodeSpec("MATTER-CD-DCL-UNCHECKED", S.INFO, "device_type_id, certificate_id and version_number can only be judged against the Distributed Compliance Ledger; their values are reported for that check.", "Matter Core §6.3.1; §11.23"),
    # revocation
    CodeSpec("MATTER-REVOKED", S.ERROR, "The DAC or PAI is listed in the revocation set.", "Matter Core §6.2.4"),
    CodeSpec("MATTER-REVOCATION-MALFORMED", S.ERROR, "The revocation set is not a JSON list of revocation entries within devid's limits (size, entries, serial numbers, nesting), or an entry lacks a field or has one of the wrong type or encoding.", "Matter Core §6.2.4.1"),
    CodeSpec("MATTER-REVOCATION-ENTRY", S.WARNING, "A revocation-set entry for the certificate's issuer was ignored: its CRL signer does not match the issuer name and key identifier.", "Matter Core §6.2.4.2"),
    # attestation response
    CodeSpec("MATTER-ATTESTATION-ARGUMENT", S.ERROR, "An attestation response input is empty, longer than RESP_MAX (900 bytes), or the nonce is not 32 bytes.", "Matter Core §11.18.5.1"),
    CodeSpec("MATTER-ATTESTATION-SIGNATURE-FORMAT", S.ERROR, "The attestation signature is not a 64-byte raw P-256 ECDSA signature.", "Matter Core §11.18.4.7"),
    CodeSpec("MATTER-ATTESTATION-SIGNATURE", S.ERROR, "The attestation signature over attestation_elements || attestation_challenge does not verify with the DAC key.", "Matter Core §11.18.4.7"),
    CodeSpec("MATTER-ATTESTATION-ELEMENTS", S.ERROR, "The attestation elements are not a TLV structure with certification_declaration, attestation_nonce and timestamp in tag order.", "Matter Core §11.18.4.6"),
    CodeSpec("MATTER-ATTESTATION-NONCE", S.ERROR, "The attestation nonce inside the elements differs from the nonce the commissioner sent.", "Matter Core §11.18.4.6"),
)
