"""The Matter benchmark runs in smoke size and prints its figure beside the floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_matter_smoke(matter_vectors: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_matter.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "chains+CDs/s" in result.stdout and "floor" in result.stdout
