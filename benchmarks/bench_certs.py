"""Device-certificate validation throughput: devid's ChainValidator beside the bare library.

N device certificates (default 3,000; ``--smoke``: 60), each its own key, all issued by one
vendor CA under one root, each presented with the vendor CA (as a token's x5chain carries
them). Each leaf is validated at a fixed time.

* **devid**: ``ChainValidator(trust).validate(leaf_der, [vendor_der], now=...)``: path
  validation by cryptography.x509.verification plus the whole devid/1 profile (spec §2),
  revocation lookup, URN; the vendor CA is validated once and cached, so per leaf it costs
  one ECDSA verification plus the profile checks.
* **floor**: bare cryptography, nothing cached: parse both certificates and run
  ``PolicyBuilder().store(Store([root])).time(now).build_client_verifier().verify(leaf,
  [vendor])`` (two ECDSA verifications, web-PKI defaults, no devid profile).
* **limit**: one bare ECDSA verification of the leaf's signature (the physical minimum).

Both are timed alternately, chunk by chunk, in CPU time of this process (each pass starts
with a fresh validator and an empty parse cache). Prints microseconds per certificate and
the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import PolicyBuilder, Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devid._certs import ChainValidator, TrustStore, _parse_der, cert_der
from devid._provision import create_root, create_vendor_ca, issue_device, make_urn

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)


def make_fleet(count: int) -> tuple[x509.Certificate, bytes, list[bytes]]:
    root = create_root("Bench Root", not_before=NOT_BEFORE)
    vendor = create_vendor_ca(root, "Bench", pen=32473, not_before=NOT_BEFORE)
    leaves = [
        cert_der(
            issue_device(
                vendor,
                urn=make_urn(32473, "Lock", f"{i:06d}"),
                serial=f"{i:06d}",
                not_before=NOT_BEFORE,
            ).certificate
        )
        for i in range(count)
    ]
    return root.certificate, cert_der(vendor.certificate), leaves


def devid_run(validator: ChainValidator, vendor: bytes, leaves: Sequence[bytes]) -> int:
    return sum(validator.validate(leaf, [vendor], now=NOW).valid for leaf in leaves)


def floor_run(root: x509.Certificate, vendor: bytes, leaves: Sequence[bytes]) -> int:
    ok = 0
    for der in leaves:
        leaf = x509.load_der_x509_certificate(der)
        inter = x509.load_der_x509_certificate(vendor)
        verifier = PolicyBuilder().store(Store([root])).time(NOW).build_client_verifier()
        verifier.verify(leaf, [inter])
        ok += 1
    return ok


def limit_run(vendor: bytes, leaves: Sequence[bytes]) -> int:
    key = x509.load_der_x509_certificate(vendor).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    for der in leaves:
        leaf = x509.load_der_x509_certificate(der)
        key.verify(leaf.signature, leaf.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    return len(leaves)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size (a few seconds)")
    parser.add_argument("--count", type=int, default=None, help="certificates (default 3000)")
    parser.add_argument("--repeat", type=int, default=None, help="passes (default 3)")
    args = parser.parse_args(argv)
    count = args.count or (60 if args.smoke else 3000)
    repeat = args.repeat or (1 if args.smoke else 3)

    root, vendor, leaves = make_fleet(count)
    devid_s = floor_s = limit_s = 0.0
    devid_ok = floor_ok = 0
    chunk = 100
    for _ in range(repeat):
        _parse_der.cache_clear()
        validator = ChainValidator(TrustStore.from_certs([root]))
        for i in range(0, count, chunk):
            part = leaves[i : i + chunk]
            t0 = time.process_time()
            floor_ok += floor_run(root, vendor, part)
            t1 = time.process_time()
            devid_ok += devid_run(validator, vendor, part)
            t2 = time.process_time()
            limit_run(vendor, part)
            t3 = time.process_time()
            floor_s, devid_s, limit_s = floor_s + t1 - t0, devid_s + t2 - t1, limit_s + t3 - t2
    total = count * repeat
    if devid_ok != total or floor_ok != total:
        print(f"ERROR: valid certificates devid={devid_ok} floor={floor_ok} of {total}")
        return 1
    per = {
        name: s / total * 1e6
        for name, s in (("devid", devid_s), ("floor", floor_s), ("limit", limit_s))
    }
    print(f"device certificates: {count} leaves under one vendor CA, P-256, {repeat} pass(es)")
    print(f"  floor (cryptography verifier, 2-level chain, no cache): {per['floor']:7.1f} us/cert")
    print(f"  devid ChainValidator.validate (profile + cache):        {per['devid']:7.1f} us/cert")
    print(f"  limit (one bare ECDSA verification):                   {per['limit']:7.1f} us/cert")
    print(
        f"  ratio: {per['floor'] / per['devid']:.2f}x the floor "
        f"(limit {per['floor'] / per['limit']:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
