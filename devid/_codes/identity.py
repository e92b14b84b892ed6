"""Finding codes of device identity: COSE, certificates, identity tokens (spec §1-3)."""

from __future__ import annotations

from devid._findings import CodeSpec
from devid._findings import Severity as S

CODES: tuple[CodeSpec, ...] = (
    CodeSpec("ID-SIG-INVALID", S.ERROR, "The COSE_Sign1 signature does not verify with the key.", "devid-1 §3; RFC 9052 §4.4"),
    CodeSpec("ID-ALG-UNPROTECTED", S.ERROR, "The alg header is missing from the protected header (absent, or only unprotected).", "devid-1 §3; RFC 9052 §3.1"),
    CodeSpec("ID-ALG-KEY-MISMATCH", S.ERROR, "The key's type or curve does not match the alg header.", "devid-1 §3; RFC 9053 §2.1"),
    CodeSpec("ID-ALG-UNSUPPORTED", S.ERROR, "The alg is not one devid verifies (ES256, ES384, ES512, EdDSA).", "devid-1 §3; RFC 9053"),
    CodeSpec("ID-X5CHAIN-MISSING", S.ERROR, "The protected header carries no x5chain (33).", "devid-1 §3; RFC 9360 §2"),
    CodeSpec("ID-CHAIN-UNTRUSTED", S.ERROR, "The certificate chain does not lead to a trust anchor.", "devid-1 §2; RFC 5280 §6"),
    CodeSpec("ID-CHAIN-UNSUPPORTED", S.ERROR, "A CA of the chain signs with EdDSA, which the path validator (cryptography) cannot check, so the chain cannot be validated.", "devid-1 §2"),
    CodeSpec("ID-CERT-EXPIRED", S.ERROR, "A certificate of the chain has expired at the validation time.", "devid-1 §2; RFC 5280 §4.1.2.5"),
    CodeSpec("ID-CERT-NOT-YET-VALID", S.ERROR, "A certificate of the chain is not yet valid at the validation time.", "devid-1 §2; RFC 5280 §4.1.2.5"),
    CodeSpec("ID-CA-FLAG", S.ERROR, "basicConstraints is missing, not critical or has the wrong CA flag/pathLen for the certificate's role.", "devid-1 §2; IEEE 802.1AR §8.10"),
    CodeSpec("ID-KEY-USAGE", S.ERROR, "keyUsage is missing, not critical or has the wrong bits for the certificate's role.", "devid-1 §2; IEEE 802.1AR §8.10"),
    CodeSpec("ID-SERIAL-MISSING", S.ERROR, "The device certificate's subject has no serialNumber (2.5.4.5).", "devid-1 §2; IEEE 802.1AR §8.6"),
    CodeSpec("ID-URN-SAN-MISSING", S.ERROR, "The device certificate has no single URI subjectAltName holding a valid device URN.", "devid-1 §1-2; RFC 9039"),
    CodeSpec("ID-SUBJECT-O-MISSING", S.ERROR, "The device certificate's subject has no organizationName (vendor).", "devid-1 §2"),
    CodeSpec("ID-KEYID-MISSING", S.ERROR, "A certificate lacks the SubjectKeyIdentifier or AuthorityKeyIdentifier its role requires.", "devid-1 §2; RFC 5280 §4.2.1.1-2"),
    CodeSpec("ID-ALG-NOT-PROFILE", S.WARNING, "A certificate's key or signature algorithm is strong but outside devid/1's (EC P-256/P-384 with SHA-256/384, Ed25519); an error for the device's own key.", "devid-1 §2"),
    CodeSpec("ID-TOKEN-MISSING", S.ERROR, "A device of the capture published no identity token.", "devid-1 §3, §5"),
    CodeSpec("ID-WEAK-ALGORITHM", S.ERROR, "A certificate uses a weak or unknown key or signature algorithm.", "devid-1 §2"),
    CodeSpec("ID-CERT-MALFORMED", S.ERROR, "A certificate does not parse as X.509 DER.", "devid-1 §2; RFC 5280 §4"),
    CodeSpec("ID-SUB-MISMATCH", S.ERROR, "The token's sub claim differs from the leaf certificate's URN.", "devid-1 §3"),
    CodeSpec("ID-CLAIM-MISSING", S.ERROR, "A required CWT claim is missing.", "devid-1 §3; RFC 8392 §3"),
    CodeSpec("ID-CLAIM-INVALID", S.ERROR, "A CWT claim has the wrong type or an invalid value.", "devid-1 §3; RFC 8392 §3; RFC 9711"),
    CodeSpec("ID-TOKEN-EXPIRED", S.ERROR, "The token's exp claim is not later than the validation time.", "devid-1 §3; RFC 8392 §3.1.4"),
    CodeSpec("ID-NONCE-MISMATCH", S.ERROR, "The token's eat_nonce is missing or differs from the challenge nonce.", "devid-1 §3, §5; RFC 9711 §4.1"),
    CodeSpec("ID-REVOKED", S.ERROR, "The device certificate is listed as revoked.", "devid-1 §3"),
    CodeSpec("ID-CRL-UNVERIFIED", S.WARNING, "A CRL lists the certificate but is not signed by its issuer, so it revokes nothing.", "devid-1 §3; RFC 5280 §6.3.3"),
    CodeSpec("ID-CBOR-MALFORMED", S.ERROR, "The bytes are not well-formed CBOR within devid's limits.", "devid-1 §3; RFC 8949"),
    CodeSpec("ID-COSE-STRUCTURE", S.ERROR, "The CBOR is not a COSE_Sign1 structure.", "devid-1 §3; RFC 9052 §4.2"),
    CodeSpec("ID-TOO-LARGE", S.ERROR, "The token is larger than 64 KiB or nested deeper than 16.", "devid-1 §3"),
    # -- other identifier schemes (devid verify id, profiles' format:) -----------------------
    CodeSpec("ID-IDENTIFIER-MALFORMED", S.ERROR, "An identifier is not well-formed for its scheme (devid URN, EAT UEID, Matter vendor/product id, GB/T 28181 device code).", "devid-1 §1"),
    CodeSpec("ID-IDENTIFIER-UNKNOWN", S.ERROR, "A text has the shape of no identifier scheme devid recognises (and no scheme was named).", "devid-1 §1"),
    CodeSpec("ID-MATTER-TEST-VENDOR", S.WARNING, "A Matter vendor id is a test vendor (0xFFF1-0xFFF4), which a production device does not carry.", "devid-1 §1"),
)
