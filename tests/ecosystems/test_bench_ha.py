"""The Home Assistant check benchmark runs in its smoke size and prints its floors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_ha_check_smoke() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_ha_check.py"),
                           "--smoke"], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "capture: 1000 messages, 20 Home Assistant devices" in proc.stdout
    assert "floor A (json.loads of the payloads)" in proc.stdout
    assert "x floor A (target >= 0.50)" in proc.stdout
