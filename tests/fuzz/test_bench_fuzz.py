"""The fuzz campaign runs in smoke size and prints its figures per entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fuzz.harness import ENTRIES

ROOT = Path(__file__).resolve().parents[2]


def test_bench_fuzz_smoke(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--smoke",
                          "--out", str(tmp_path / "repro")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ENTRIES:
        line = next(x for x in out.stdout.splitlines() if x.startswith(name + " "))
        for part in ("300 inputs", "inputs/s", "unexpected   0", "slowest", "peak RSS",
                     "growth"):
            assert part in line, line
    assert "result: ok" in out.stdout
    assert not (tmp_path / "repro").exists()  # nothing to reproduce
