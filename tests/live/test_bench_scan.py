"""The scan benchmark runs in its smoke size and reports devid beside its floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_scan_smoke(mosquitto_url: str) -> None:  # mosquitto_url: skip without it
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_scan.py"),
                           "--smoke", "--engine", "mosquitto"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "proven 20" in proc.stdout
    assert "scan of 20 devices: devid" in proc.stdout and "floor" in proc.stdout
