"""Identity-token verification throughput: devid beside the bare-library floor.

3,000 tokens (``--smoke``: 60), each signed by its own device key, each device
certificate issued by one vendor CA under one root. Every token needs its own
leaf-certificate check and token-signature check.

* **devid**: ``verify_token(token, now=..., validator=ChainValidator(trust))``:
  all of spec §3 and the §2 certificate profile; the validator caches the
  vendor CA's validation, so per token it checks the leaf (one ECDSA
  verification) and the token signature (one more).
* **floor**: the same checks with bare cbor2 + cryptography and nothing cached:
  decode the COSE_Sign1 and its protected header, parse both certificates of
  x5chain, verify the vendor CA's signature with the root key and the leaf's
  with the vendor CA key, check validity windows, the sub / URN SAN binding and
  the token signature (three ECDSA verifications per token).

The two are timed alternately, chunk by chunk, in CPU time of this process, so
other load on the machine affects both alike. Prints tokens/s for both and the
ratio (target >= 1.5x the floor).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devid._certs import ChainValidator, TrustStore, _parse_der
from devid._provision import create_root, create_vendor_ca, issue_device, make_urn
from devid._token import create_token, verify_token

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
PEN = 32473


def make_fleet(count: int) -> tuple[x509.Certificate, list[bytes]]:
    """One root, one vendor CA, ``count`` devices, one token each."""
    root = create_root("Bench Root", not_before=NOT_BEFORE)
    vendor = create_vendor_ca(root, "Bench", pen=PEN, not_before=NOT_BEFORE)
    tokens = []
    for i in range(count):
        dev = issue_device(vendor, urn=make_urn(PEN, "Lock", f"{i:05d}"), serial=f"{i:05d}",
                           not_before=NOT_BEFORE)
        tokens.append(create_token(dev.key, dev.chain, sub=dev.urn, iat=NOW, nonce=bytes(16)))
    return root.certificate, tokens


def devid_run(validator: ChainValidator, tokens: Sequence[bytes]) -> int:
    ok = 0
    for tok in tokens:
        ok += verify_token(tok, now=NOW, validator=validator).valid
    return ok


def floor_run(root: x509.Certificate, tokens: Sequence[bytes]) -> int:
    """The same checks with bare cbor2 + cryptography, nothing cached across tokens."""
    ok = 0
    for tok in tokens:
        try:
            obj = cbor2.loads(tok)
            prot_b, _unprot, payload, sig = obj.value if obj.tag == 18 else obj
            prot = cbor2.loads(prot_b)
            if prot[1] != -7:
                continue
            chain = [x509.load_der_x509_certificate(der) for der in prot[33]]
            leaf, vendor = chain
            vendor.verify_directly_issued_by(root)
            leaf.verify_directly_issued_by(vendor)
            for cert in (leaf, vendor):
                if not cert.not_valid_before_utc <= NOW <= cert.not_valid_after_utc:
                    raise ValueError("validity")
            claims = cbor2.loads(payload)
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if san.get_values_for_type(x509.UniformResourceIdentifier) != [claims[2]]:
                continue
            key = leaf.public_key()
            assert isinstance(key, ec.EllipticCurvePublicKey)
            tbs = cbor2.dumps(["Signature1", prot_b, b"", payload])
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                       int.from_bytes(sig[32:], "big"))
            key.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
            ok += 1
        except Exception:  # the floor only counts successes
            continue
    return ok


def measure(root: x509.Certificate, tokens: Sequence[bytes], rounds: int,
            chunk: int = 100) -> tuple[float, float, int, int]:
    """CPU seconds spent by the floor and by devid over ``rounds`` passes of ``tokens``.

    CPU time of this process (``time.process_time``), not wall time: the figures
    then do not depend on what else the machine runs.

    The two alternate chunk by chunk so that both see the same machine load (other
    processes, CPU frequency). Each pass starts cold for devid: a fresh
    ChainValidator and an empty certificate parse cache.
    """
    floor_s = devid_s = 0.0
    floor_ok = devid_ok = 0
    for _ in range(rounds):
        _parse_der.cache_clear()
        validator = ChainValidator(TrustStore.from_certs([root]))
        for i in range(0, len(tokens), chunk):
            part = tokens[i:i + chunk]
            t0 = time.process_time()
            floor_ok += floor_run(root, part)
            t1 = time.process_time()
            devid_ok += devid_run(validator, part)
            t2 = time.process_time()
            floor_s += t1 - t0
            devid_s += t2 - t1
    return floor_s, devid_s, floor_ok, devid_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size (a few seconds)")
    parser.add_argument("--count", type=int, default=None, help="tokens (default 3000)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="passes over the tokens, summed (default 3)")
    args = parser.parse_args(argv)
    count = args.count or (60 if args.smoke else 3000)
    repeat = args.repeat or (1 if args.smoke else 3)

    t0 = time.perf_counter()
    root, tokens = make_fleet(count)
    setup = time.perf_counter() - t0
    sizes = [len(t) for t in tokens]

    floor_s, devid_s, floor_ok, devid_ok = measure(root, tokens, repeat)
    if floor_ok != count * repeat or devid_ok != count * repeat:
        print(f"ERROR: valid tokens floor={floor_ok} devid={devid_ok} of {count * repeat}")
        return 1
    floor_rate, devid_rate = count * repeat / floor_s, count * repeat / devid_s
    ratio = devid_rate / floor_rate
    print(f"identity tokens: {count} devices under one vendor CA, P-256/ES256, "
          f"token {statistics.median(sizes):.0f} bytes (setup {setup:.1f} s)")
    print(f"  floor (cbor2 + cryptography, no cache): {floor_rate:9.0f} tokens/s (CPU time)")
    print(f"  devid verify_token + ChainValidator:     {devid_rate:9.0f} tokens/s (CPU time)")
    print(f"  ratio: {ratio:.2f}x the floor (target >= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
