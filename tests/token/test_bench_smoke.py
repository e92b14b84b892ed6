"""The token benchmark runs in smoke size and prints its figure beside the floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_tokens_smoke() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_tokens.py"), "--smoke"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "floor (cbor2 + cryptography, no cache)" in out.stdout
    assert "devid verify_token + ChainValidator" in out.stdout
    assert "x the floor" in out.stdout
