"""Verify a devid identity token and a device certificate from Python.

    python examples/verify_identity.py TOKEN_FILE TRUST_DIR [CERT_FILE]

TOKEN_FILE holds a token (raw CBOR bytes), TRUST_DIR the trust anchors (root CA
certificates, PEM or DER), CERT_FILE a device certificate (PEM or DER) with its vendor
CA after it in the same PEM file, if you have one. Without arguments the script makes a
throwaway PKI, a device and a token, and verifies those: a self-contained tour.
Exit code 0 when everything verifies, 1 otherwise.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from devid import (
    ChainValidator,
    TrustStore,
    create_root,
    create_token,
    create_vendor_ca,
    issue_device,
    load_certificates,
    make_urn,
    verify_token,
)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)


def verify(token: bytes, trust_dir: Path, cert_file: Path | None = None) -> bool:
    now = datetime.now(UTC)
    validator = ChainValidator(TrustStore.from_dir(trust_dir))

    # 1. the identity token: COSE signature, certificate chain, devid/1 rules
    result = verify_token(token, now=now, validator=validator)
    print(f"token for {result.subject}: {'VALID' if result.valid else 'INVALID'}")
    for f in result.findings:
        print(f"  {f.severity.value:7} {f.code}: {f.message}")
    ok = result.valid

    # 2. a certificate on its own (leaf first, then the intermediates)
    if cert_file is not None:
        certs = load_certificates(cert_file.read_bytes())
        chain = validator.validate(certs[0], certs[1:], now=now)
        print(f"certificate {chain.urn}: {'VALID' if chain.valid else 'INVALID'}")
        for f in chain.findings:
            print(f"  {f.severity.value:7} {f.code}: {f.message}")
        ok = ok and chain.valid
    return ok


def demo(workdir: Path) -> bool:
    """A root, a vendor CA, one device and its token, written to ``workdir``, then verified."""
    root = create_root("Example Root")
    vendor = create_vendor_ca(root, "Example Vendor", pen=32473)
    device = issue_device(vendor, urn=make_urn(32473, "Plug", "0001"), serial="0001")
    token = create_token(device.key, [device.certificate, vendor.certificate],
                         sub=device.urn, iat=datetime.now(UTC),
                         claims={-70001: ["smart-plug/1"]})
    (workdir / "trust").mkdir()
    (workdir / "trust" / "root.pem").write_bytes(cert_pem(root.certificate))
    (workdir / "token.cbor").write_bytes(token)
    (workdir / "device.pem").write_bytes(cert_pem(device.certificate)
                                         + cert_pem(vendor.certificate))
    return verify(token, workdir / "trust", workdir / "device.pem")


def main(argv: list[str]) -> int:
    if not argv:
        with tempfile.TemporaryDirectory() as tmp:
            return 0 if demo(Path(tmp)) else 1
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    cert = Path(argv[2]) if len(argv) == 3 else None
    return 0 if verify(Path(argv[0]).read_bytes(), Path(argv[1]), cert) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
