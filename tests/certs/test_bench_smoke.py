"""The certificate benchmark runs (smoke size) and prints its figure beside the floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_certs_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_certs.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "floor" in proc.stdout
    assert "devid ChainValidator.validate" in proc.stdout
    assert "ratio:" in proc.stdout
