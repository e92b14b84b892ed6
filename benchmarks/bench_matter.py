"""Matter attestation throughput: chains + CDs verified per second over the SDK's 159 vectors.

The floor is the same run's bare ``cryptography`` doing only the two signature checks of
each chain (DAC signed by the PAI, PAI signed by the PAA), with certificates already
parsed. devid does everything else on top: DER/PEM parsing with two libraries, the Matter
certificate profile, vendor/product ids, path validation with
``cryptography.x509.verification``, the CMS envelope, the CD signature, its TLV content
and the cross-checks.

    python benchmarks/bench_matter.py            # full size (a few seconds per side)
    python benchmarks/bench_matter.py --smoke    # tiny: a handful of vectors, one round
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devid.matter import CertStore, verify_matter  # noqa: E402

VECTORS = Path(os.environ.get("DEVID_VECTORS", ROOT.parent / "shared" / "vectors")) / "matter"
AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    dac: bytes
    pai: bytes
    cd: bytes
    pid: int  # the product id the device reports (Basic Information cluster)


def load_cases(limit: int | None) -> list[Case]:
    cases = []
    for folder in sorted((VECTORS / "commissioner_dut").iterdir()):
        data = json.loads((folder / "test_case_vector.json").read_text())
        # vectors README: an absent basic_info_pid is 0x8000, 0x00B1 for fallback cases
        default_pid = 0xB1 if "fallback_encoding" in folder.name else 0x8000
        cases.append(Case(
            dac=bytes.fromhex(data["dac_cert"]),
            pai=bytes.fromhex(data["pai_cert"]),
            cd=bytes.fromhex(data["certification_declaration"]),
            pid=int(data.get("basic_info_pid", default_pid)),
        ))
    return cases[:limit] if limit else cases


Pair = tuple[x509.Certificate | None, x509.Certificate | None]


def floor_once(paas: list[x509.Certificate], parsed: list[Pair]) -> int:
    """Bare cryptography: DAC<-PAI and PAI<-PAA signature checks on pre-parsed certificates."""
    ok = 0
    for dac, pai in parsed:
        if dac is None or pai is None:
            continue
        for issuer, subject in ((pai, dac), (None, pai)):
            issuers = [issuer] if issuer is not None else paas
            verified = False
            algorithm = subject.signature_hash_algorithm
            for cand in issuers:
                key = cand.public_key()
                if not isinstance(key, ec.EllipticCurvePublicKey) or algorithm is None:
                    continue
                try:
                    key.verify(
                        subject.signature, subject.tbs_certificate_bytes, ec.ECDSA(algorithm)
                    )
                    verified = True
                    break
                except (InvalidSignature, ValueError):
                    continue
            if not verified:
                break
        else:
            ok += 1
    return ok


def devid_once(cases: list[Case], store: CertStore) -> int:
    valid = 0
    for case in cases:
        verdict = verify_matter(
            case.dac, case.pai, paa_store=store, at=AT, cd=case.cd, cd_signers=store,
            vid=0xFFF1, pid=case.pid,
        )
        valid += verdict.valid
    return valid


def measure(fn: Callable[[], object], seconds: float, rounds_min: int) -> tuple[float, int]:
    rounds = 0
    start = time.perf_counter()
    while True:
        fn()
        rounds += 1
        elapsed = time.perf_counter() - start
        if rounds >= rounds_min and elapsed >= seconds:
            return elapsed, rounds


def parse_pairs(cases: list[Case]) -> list[Pair]:
    out = []
    for case in cases:
        pair: list[x509.Certificate | None] = []
        for der in (case.dac, case.pai):
            try:
                pair.append(x509.load_der_x509_certificate(der))
            except (ValueError, x509.InvalidVersion):
                pair.append(None)
        out.append((pair[0], pair[1]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size, one round")
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum seconds per side")
    args = parser.parse_args()
    if not (VECTORS / "commissioner_dut").is_dir():
        print(f"vectors not found at {VECTORS}", file=sys.stderr)
        return 2
    cases = load_cases(12 if args.smoke else None)
    store = CertStore.from_directory(VECTORS / "paa")
    paas = list(store.certificates)
    parsed = parse_pairs(cases)
    seconds, rounds_min = (0.0, 1) if args.smoke else (args.seconds, 3)

    floor_ok = floor_once(paas, parsed)
    devid_valid = devid_once(cases, store)
    t_floor, r_floor = measure(lambda: floor_once(paas, parsed), seconds, rounds_min)
    t_devid, r_devid = measure(lambda: devid_once(cases, store), seconds, rounds_min)
    n = len(cases)
    devid_rate = n * r_devid / t_devid
    floor_rate = n * r_floor / t_floor
    print(f"Matter attestation over {n} vectors ({'smoke' if args.smoke else 'full'})")
    print(
        f"  devid verify_matter, chain + CD: {devid_rate:9.0f} chains+CDs/s ({devid_valid} valid)"
    )
    print(f"  floor, cryptography 2 sig checks: {floor_rate:8.0f} chains/s ({floor_ok} sig-valid)")
    us_devid, us_floor = 1e6 / devid_rate, 1e6 / floor_rate
    ratio = devid_rate / floor_rate
    print(f"  devid / floor: {ratio:.2f}x ({us_devid:.0f} us vs {us_floor:.0f} us per chain)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
